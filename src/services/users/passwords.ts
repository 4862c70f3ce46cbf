/**
 * Password hashing for local staff accounts: Argon2id (RFC 9106) from @noble/hashes, stored as a
 * PHC string ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>") that other Argon2 libraries read too.
 *
 * Why Argon2id in JavaScript and not PBKDF2 from Web Crypto: OWASP asks for 600,000 PBKDF2-SHA256
 * iterations, but Cloudflare Workers' Web Crypto refuses more than 100,000, and the same app runs
 * there. Argon2id is memory-hard (19 MiB per guess makes GPU farms expensive), is OWASP's first
 * choice, and @noble/hashes (audited, no native code) runs on Node and Workers alike. With OWASP's
 * minimum parameters (m = 19 MiB, t = 2, p = 1) one hash takes about 0.3 s on Node; the async form
 * yields to the event loop every few milliseconds, so a sign-in does not stall other requests.
 * The lock-out (login.ts) keeps an attacker from turning that cost against us.
 */
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { constantTimeEqual } from '../shared/ids.js';

export interface Argon2Params {
  /** Memory in KiB. */
  m: number;
  /** Passes. */
  t: number;
  /** Lanes. */
  p: number;
}

/** OWASP Password Storage Cheat Sheet, Argon2id, first configuration. */
export const ARGON2_PARAMS: Argon2Params = { m: 19_456, t: 2, p: 1 };

/** Ceiling for parameters read from a stored hash: a tampered row must not make us allocate gigabytes. */
const MAX = { m: 262_144, t: 10, p: 4 };

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/=+$/, '');
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function derive(password: string, salt: Uint8Array, params: Argon2Params, dkLen: number): Promise<Uint8Array> {
  return argon2idAsync(new TextEncoder().encode(password.normalize('NFC')), salt, { ...params, dkLen, asyncTick: 10 });
}

export async function hashPassword(password: string, params: Argon2Params = ARGON2_PARAMS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, params, 32);
  return `$argon2id$v=19$m=${params.m},t=${params.t},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,2})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{16,})$/;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = PHC.exec(stored);
  if (!m) return false;
  const params = { m: Number.parseInt(m[1]!, 10), t: Number.parseInt(m[2]!, 10), p: Number.parseInt(m[3]!, 10) };
  if (params.m > MAX.m || params.t > MAX.t || params.p > MAX.p || params.m < 8 * params.p || params.t < 1 || params.p < 1) return false;
  const expected = unb64(m[5]!);
  const actual = await derive(password, unb64(m[4]!), params, expected.length);
  return constantTimeEqual(b64(actual), b64(expected));
}

/** A stored hash made with weaker parameters than today's: rehash it at the next successful sign-in. */
export function needsRehash(stored: string): boolean {
  const m = PHC.exec(stored);
  if (!m) return true;
  return Number.parseInt(m[1]!, 10) < ARGON2_PARAMS.m || Number.parseInt(m[2]!, 10) < ARGON2_PARAMS.t;
}

/** A hash of nothing anyone knows, verified against when the name is unknown, so timing does not tell. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  return (decoy ??= hashPassword(crypto.randomUUID()));
}

/** Length rules only (NIST SP 800-63B: no composition rules; length is what counts). */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `the password must have at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `the password must have at most ${PASSWORD_MAX_LENGTH} characters`;
  return null;
}
