/**
 * Webhook signatures: `Stadtkasse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 *
 * The timestamp is inside the signed text, so a captured request cannot be replayed later with a
 * fresh timestamp; receivers refuse timestamps outside a tolerance window. Web Crypto only, so
 * signing works on Node and Workers and a receiver can copy `verifyWebhookSignature` as it is.
 */
import { constantTimeEqual, toHex } from '../shared/ids.js';

const encoder = new TextEncoder();

async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text))));
}

/** The header value for `body` sent at `timestampSeconds`. */
export async function signWebhook(secret: string, timestampSeconds: number, body: string): Promise<string> {
  return `t=${timestampSeconds},v1=${await hmacHex(secret, `${timestampSeconds}.${body}`)}`;
}

/**
 * True when `header` is a valid Stadtkasse-Signature of `body` (the raw request body, exactly as
 * received — not re-serialized JSON) made with `secret` at most `toleranceSeconds` from `nowSeconds`.
 * Several `v1=` values are accepted (any one matching suffices) so secrets can be rotated.
 *
 * ```ts
 * // In the receiving service (Hono):
 * app.post('/stadtkasse-events', async (c) => {
 *   const body = await c.req.text();
 *   const ok = await verifyWebhookSignature(process.env.STADTKASSE_WEBHOOK_SECRET!, c.req.header('stadtkasse-signature'), body, Math.floor(Date.now() / 1000));
 *   if (!ok) return c.text('bad signature', 400);
 *   const event = JSON.parse(body); // dedupe on event.id (also sent as Stadtkasse-Event-Id): delivery is at least once
 *   return c.body(null, 204);
 * });
 * ```
 */
export async function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): Promise<boolean> {
  if (!header) return false;
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && v && /^\d{1,12}$/.test(v)) t = Number.parseInt(v, 10);
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)) signatures.push(v);
  }
  if (t === undefined || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = await hmacHex(secret, `${t}.${body}`);
  // Compare all, not stopping at the first match, so timing does not tell which one matched.
  let ok = false;
  for (const s of signatures) ok = constantTimeEqual(s, expected) || ok;
  return ok;
}
