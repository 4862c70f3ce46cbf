/**
 * Settings for paying online, read from the environment with the rest of the configuration
 * (src/config.ts calls `loadOnlineConfig`). Runtime-neutral: certificate files are only named
 * here and read by the Node-only certificate transport when first used.
 */
// First: src/config.ts spreads these while this module may still be loading (the two import each other).
export { ONLINE_CONFIG_VARIABLES } from './configVariables.js';
import { ConfigError } from '../../config.js';
import { normalizeIban, isValidIban } from '../../references/iban.js';
import { randomToken, sha256Hex } from '../shared/ids.js';
import { ID_PATTERN } from './xbd/protocol.js';

export type ProviderAuth =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string }
  /** PEM text, or a path to a PEM file (read on Node when first needed). */
  | { type: 'certificate'; cert: string; key: string; ca?: string; passphrase?: string };

export interface ProviderConfig {
  /** Stored with every online payment and clearing movement ("test" for the built-in provider). */
  key: string;
  /** Shown to citizens ("ePayBL", "pmPayment") and staff. */
  name: string;
  /** The built-in test mode provider: no real money moves. */
  testMode: boolean;
  /** Base URL of the provider's XBezahldienste interface (paths /paymenttransaction/… below it). */
  baseUrl: string;
  originatorId: string;
  endPointId: string;
  auth: ProviderAuth;
  /** How the provider's payouts show on our statements: its paying account(s) and name(s). */
  payout: { ibans: string[]; names: string[] };
  timeoutMs: number;
}

export interface OriginatorConfig {
  originatorId: string;
  /** The endPointIds this originator may use ("*": any). */
  endPointIds: string[];
  /**
   * HTTP Basic credentials of the online service; the password is kept only as SHA-256 hex. A
   * promise: Web Crypto digests asynchronously and the configuration is read synchronously.
   */
  username?: string;
  passwordSha256?: Promise<string>;
  /**
   * OAuth2 client credentials (the ePayBL, pmPayment and GiroCheckout way): the form server fetches
   * a short-lived token at POST /xbezahldienste/v1/oauth/token, then sends it as Bearer. The secret
   * is kept only as SHA-256 hex.
   */
  clientId?: string;
  clientSecretSha256?: Promise<string>;
  /**
   * Status of a newly created transaction: 200, as the interface and its clients expect (gover
   * refuses anything else); 201 only for a client built for it.
   */
  createdStatus: 200 | 201;
  /** bookingData keys every item must carry (else BOOKING_DATA_MISSING), e.g. ["haushaltsstelle"]. */
  requiredBookingData: string[];
  /** With XBEZAHLDIENSTE_CLIENT_CERT_HEADER: the certificate subject a TLS proxy verified for it. */
  certificateSubject?: string;
  /** Category of the open items raised for it (default "fee"). */
  category: string;
}

export interface OnlineConfig {
  provider: ProviderConfig | null;
  /**
   * Key for HMAC-SHA256 signatures of the return address (/online/return/{id}/{signature}) and of
   * the start form's nonce. Generated at start only on localhost (one instance, tests).
   */
  returnSecret: string;
  /** An online payment still INITIAL after this long is given up (a new attempt may start). */
  paymentTtlMinutes: number;
  /** Re-check open online payments this often in the background; 0: only on the citizen's return. */
  pollSeconds: number;
  originators: OriginatorConfig[];
  /** Header a TLS-terminating proxy sets to the verified client certificate's subject. */
  clientCertHeader?: string;
  /** Lifetime of an XBezahldienste OAuth2 access token. */
  tokenTtlSeconds: number;
}

type Env = Record<string, string | undefined>;


export function loadOnlineConfig(env: Env, publicBaseUrl: string): OnlineConfig {
  const p = provider(env, publicBaseUrl);
  const o = originators(env);
  return {
    provider: p,
    returnSecret: returnSecret(env, publicBaseUrl, p, o.some((x) => x.clientId !== undefined)),
    paymentTtlMinutes: int(env, 'ONLINE_PAYMENT_TTL_MINUTES', 60, 1, 7 * 24 * 60),
    pollSeconds: int(env, 'ONLINE_PAYMENT_POLL_SECONDS', 60, 0, 3600),
    originators: o,
    tokenTtlSeconds: int(env, 'XBEZAHLDIENSTE_TOKEN_TTL_SECONDS', 300, 30, 3600),
    ...(text(env, 'XBEZAHLDIENSTE_CLIENT_CERT_HEADER') ? { clientCertHeader: text(env, 'XBEZAHLDIENSTE_CLIENT_CERT_HEADER')!.toLowerCase() } : {}),
  };
}

/** The built-in provider: enabled whenever no real provider is configured. */
export function testModeProvider(publicBaseUrl: string): ProviderConfig {
  return {
    key: 'test',
    name: 'Testmodus-Zahlungsanbieter',
    testMode: true,
    baseUrl: `${publicBaseUrl}/testprovider`,
    originatorId: 'stadtkasse',
    endPointId: 'testmodus',
    auth: { type: 'none' },
    payout: { ibans: [TEST_PROVIDER_PAYOUT_IBAN], names: [TEST_PROVIDER_NAME] },
    timeoutMs: 10_000,
  };
}

/** The test provider pays out from this account under this name: a valid IBAN no other fixture uses (DE89370400440532013000, the well-known one, pays in many tests). */
export const TEST_PROVIDER_PAYOUT_IBAN = 'DE51370400440532099917';
export const TEST_PROVIDER_NAME = 'Testmodus Zahlungsanbieter';

function provider(env: Env, publicBaseUrl: string): ProviderConfig | null {
  const NAME = 'ONLINE_PAYMENT_PROVIDER';
  const raw = text(env, NAME);
  // Unset: test mode on a developer's machine only. A public address without a configured provider
  // offers no online payment, so a forgotten setting can never mark claims paid with play money.
  if (raw === undefined) return isLocal(publicBaseUrl) ? testModeProvider(publicBaseUrl) : null;
  if (raw === 'off') return null;
  if (raw === 'test') return testModeProvider(publicBaseUrl);
  const o = object(NAME, raw);
  const str = (k: string, required = true): string | undefined => {
    const v = o[k];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(NAME, `needs "${k}" as a non-empty string`);
    return v.trim();
  };
  const baseUrl = str('baseUrl')!.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl)) throw new ConfigError(NAME, '"baseUrl" must be an http(s) URL');
  const originatorId = str('originatorId')!;
  const endPointId = str('endPointId')!;
  for (const [k, v] of [['originatorId', originatorId], ['endPointId', endPointId]] as const) {
    if (!ID_PATTERN.test(v)) throw new ConfigError(NAME, `"${k}" must be 1 to 36 letters, digits, _ or -`);
  }
  const key = str('key', false) ?? 'provider';
  if (!/^[a-z0-9_-]{1,30}$/.test(key) || key === 'test') throw new ConfigError(NAME, '"key" must be 1 to 30 of a-z 0-9 _ - (and not "test")');
  const a = (o.auth ?? { type: 'none' }) as Record<string, unknown>;
  const s = (k: string, required = true): string | undefined => {
    const v = a[k];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v === '') throw new ConfigError(NAME, `auth.${k} is required for auth.type "${String(a.type)}"`);
    return v;
  };
  let auth: ProviderAuth;
  switch (a.type) {
    case 'none':
      auth = { type: 'none' };
      break;
    case 'basic':
      auth = { type: 'basic', username: s('username')!, password: s('password')! };
      break;
    case 'oauth2': {
      const scope = s('scope', false);
      auth = { type: 'oauth2', tokenUrl: s('tokenUrl')!, clientId: s('clientId')!, clientSecret: s('clientSecret')!, ...(scope ? { scope } : {}) };
      break;
    }
    case 'certificate': {
      const ca = s('ca', false);
      const passphrase = s('passphrase', false);
      auth = { type: 'certificate', cert: s('cert')!, key: s('key')!, ...(ca ? { ca } : {}), ...(passphrase ? { passphrase } : {}) };
      break;
    }
    default:
      throw new ConfigError(NAME, 'auth.type must be none, basic, oauth2 or certificate');
  }
  const payout = (o.payout ?? {}) as { ibans?: unknown; names?: unknown };
  const ibans = Array.isArray(payout.ibans) ? payout.ibans.map(String).map((x) => normalizeIban(x)) : [];
  if (ibans.some((i) => !isValidIban(i))) throw new ConfigError(NAME, 'payout.ibans holds an invalid IBAN');
  const names = Array.isArray(payout.names) ? payout.names.map(String).filter((x) => x.trim() !== '') : [];
  const timeout = o.timeoutMs === undefined ? 10_000 : o.timeoutMs;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 100 || timeout > 120_000) throw new ConfigError(NAME, '"timeoutMs" must be 100 to 120000');
  return { key, name: str('name', false) ?? key, testMode: false, baseUrl, originatorId, endPointId, auth, payout: { ibans, names }, timeoutMs: timeout };
}

/** Minimum length of ONLINE_RETURN_SECRET: 32 characters of a generated secret are ≥ 190 bits. */
const MIN_SECRET_LENGTH = 32;

function returnSecret(env: Env, publicBaseUrl: string, p: ProviderConfig | null, signsTokens: boolean): string {
  const NAME = 'ONLINE_RETURN_SECRET';
  const v = text(env, NAME);
  if (v !== undefined) {
    if (v.length < MIN_SECRET_LENGTH) throw new ConfigError(NAME, `must be at least ${MIN_SECRET_LENGTH} characters (for example: openssl rand -base64 48)`);
    return v;
  }
  // A generated secret differs per process and restart: a citizen coming back to another instance,
  // or after a restart, would find no page. Good enough on a developer's machine, nowhere else.
  if (p !== null && !isLocal(publicBaseUrl)) throw new ConfigError(NAME, `is required when paying online is offered on ${publicBaseUrl} (at least ${MIN_SECRET_LENGTH} characters, the same on every instance)`);
  // On Workers every invocation reads the configuration anew: a generated secret would differ from
  // one request to the next, and the "Online bezahlen" form signed by one would fail in the next.
  if (p !== null && env.STADTKASSE_RUNTIME === 'workers') throw new ConfigError(NAME, `is required on Workers when paying online is offered (wrangler secret put ${NAME}; at least ${MIN_SECRET_LENGTH} characters): each invocation would otherwise make its own`);
  // It also signs the XBezahldienste access tokens: a token one instance issued must pass at all.
  if (signsTokens && !isLocal(publicBaseUrl)) throw new ConfigError(NAME, `is required when an XBezahldienste originator uses OAuth2 client credentials (at least ${MIN_SECRET_LENGTH} characters, the same on every instance)`);
  return randomToken(48);
}

function originators(env: Env): OriginatorConfig[] {
  const NAME = 'XBEZAHLDIENSTE_ORIGINATORS';
  const raw = text(env, NAME);
  if (raw === undefined) return [];
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(NAME, `is not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(list)) throw new ConfigError(NAME, 'must be a JSON array of originators');
  const seen = new Set<string>();
  return list.map((entry, i) => {
    const o = entry as Record<string, unknown>;
    const at = `[${i}]`;
    const originatorId = o.originatorId;
    if (typeof originatorId !== 'string' || !ID_PATTERN.test(originatorId)) throw new ConfigError(NAME, `${at}.originatorId must be 1 to 36 letters, digits, _ or -`);
    if (seen.has(originatorId)) throw new ConfigError(NAME, `${at}: originator ${originatorId} appears twice`);
    seen.add(originatorId);
    const endPointIds = Array.isArray(o.endPointIds) ? o.endPointIds.map(String) : ['*'];
    if (endPointIds.some((e) => e !== '*' && !ID_PATTERN.test(e))) throw new ConfigError(NAME, `${at}.endPointIds must be endPointIds or "*"`);
    const basic = basicCredentials(NAME, at, o);
    const oauth = clientCredentials(NAME, at, o);
    if (!basic && !oauth && typeof o.certificateSubject !== 'string') throw new ConfigError(NAME, `${at} needs username and password (HTTP Basic), clientId and clientSecret (OAuth2) or certificateSubject`);
    const createdStatus = o.createdStatus === undefined ? 200 : o.createdStatus;
    if (createdStatus !== 200 && createdStatus !== 201) throw new ConfigError(NAME, `${at}.createdStatus must be 200 or 201`);
    const required = Array.isArray(o.requiredBookingData) ? o.requiredBookingData.map(String) : [];
    const category = typeof o.category === 'string' ? o.category : 'fee';
    if (!/^[a-z][a-z0-9_]{0,29}$/.test(category)) throw new ConfigError(NAME, `${at}.category must be a category like fee`);
    return {
      originatorId,
      endPointIds,
      ...basic,
      ...oauth,
      createdStatus,
      requiredBookingData: required,
      category,
      ...(typeof o.certificateSubject === 'string' ? { certificateSubject: o.certificateSubject } : {}),
    };
  });
}

function basicCredentials(NAME: string, at: string, o: Record<string, unknown>): { username: string; passwordSha256: Promise<string> } | undefined {
  if (o.username === undefined && o.password === undefined && o.passwordSha256 === undefined) return undefined;
  if (typeof o.username !== 'string' || o.username === '' || o.username.includes(':')) throw new ConfigError(NAME, `${at}.username is required (no colon)`);
  return { username: o.username, passwordSha256: secretHash(NAME, at, 'password', o.password, o.passwordSha256) };
}

function clientCredentials(NAME: string, at: string, o: Record<string, unknown>): { clientId: string; clientSecretSha256: Promise<string> } | undefined {
  if (o.clientId === undefined && o.clientSecret === undefined && o.clientSecretSha256 === undefined) return undefined;
  if (typeof o.clientId !== 'string' || !/^[\x21-\x7e]{1,100}$/.test(o.clientId) || o.clientId.includes(':')) throw new ConfigError(NAME, `${at}.clientId is required (1 to 100 visible characters, no colon)`);
  return { clientId: o.clientId, clientSecretSha256: secretHash(NAME, at, 'clientSecret', o.clientSecret, o.clientSecretSha256) };
}

/** A secret given in clear is hashed at once; only the hash stays in memory. */
function secretHash(NAME: string, at: string, field: string, clear: unknown, hash: unknown): Promise<string> {
  if (typeof hash === 'string' && /^[0-9a-f]{64}$/i.test(hash)) return Promise.resolve(hash.toLowerCase());
  if (typeof clear === 'string' && clear.length >= 12) return sha256Hex(clear);
  throw new ConfigError(NAME, `${at} needs ${field}Sha256 (hex) or a ${field} of at least 12 characters`);
}

function isLocal(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

function object(name: string, raw: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(name, `is not valid JSON, "test" or "off" (${(err as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(name, 'must be a JSON object');
  return v as Record<string, unknown>;
}

function text(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function int(env: Env, name: string, dflt: number, min: number, max: number): number {
  const v = text(env, name);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `must be a whole number (got "${v}")`);
  const n = Number.parseInt(v, 10);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max} (got ${n})`);
  return n;
}
