/**
 * HMAC-SHA256 signatures with ONLINE_RETURN_SECRET (Web Crypto: the same on Node and Workers).
 *
 * The return address sent to the provider is /online/return/{id}/{signature}: the online payment
 * id alone travels to the provider and shows in its settlement reports, so it must not be enough to
 * be sent on to the citizen's payment page (whose address is the payment link's capability token).
 * Each use signs its own purpose, so a signature made for one can never pass for another.
 */
import { constantTimeEqual } from '../shared/ids.js';

export type SignedPurpose = 'online-return' | 'online-start' | 'xbd-token';

async function key(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/** base64url without padding: 43 characters, safe in a path segment. */
export async function sign(secret: string, purpose: SignedPurpose, value: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await key(secret), new TextEncoder().encode(`${purpose}\n${value}`)));
  let bin = '';
  for (const b of mac) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export async function verify(secret: string, purpose: SignedPurpose, value: string, signature: string): Promise<boolean> {
  if (!/^[\w-]{43}$/.test(signature)) return false;
  return constantTimeEqual(await sign(secret, purpose, value), signature);
}

/** Where the provider sends the citizen back: names the online payment, signed. */
export async function onlineReturnUrl(config: { publicBaseUrl: string; online: { returnSecret: string } }, onlinePaymentId: string): Promise<string> {
  return `${config.publicBaseUrl}/online/return/${onlinePaymentId}/${await sign(config.online.returnSecret, 'online-return', onlinePaymentId)}`;
}

/** A start form is good for this long: a payment page left open over lunch still works. */
export const START_NONCE_TTL_MS = 2 * 3600_000;

/**
 * The nonce in the "Online bezahlen" form: when it was issued, a random part, and a signature over
 * both and the payment request. A cross-site page cannot make one up, and each starts at most one
 * provider transaction (OnlinePayment.startNonce is unique).
 */
export async function startNonce(secret: string, paymentRequestId: string, now: Date): Promise<string> {
  const body = `${now.getTime().toString(36)}.${crypto.randomUUID().replaceAll('-', '')}`;
  return `${body}.${await sign(secret, 'online-start', `${paymentRequestId}.${body}`)}`;
}

export async function checkStartNonce(secret: string, paymentRequestId: string, nonce: string, now: Date): Promise<boolean> {
  const m = /^([0-9a-z]{1,12})\.([0-9a-f]{32})\.([\w-]{43})$/.exec(nonce);
  if (!m) return false;
  const age = now.getTime() - Number.parseInt(m[1]!, 36);
  if (!(age >= -60_000 && age <= START_NONCE_TTL_MS)) return false;
  return verify(secret, 'online-start', `${paymentRequestId}.${m[1]}.${m[2]}`, m[3]!);
}
