/**
 * Logging. Services receive a `Logger` (pino's interface); personal data (names, IBANs, e-mail,
 * addresses) and secrets (keys, tokens, passwords, signatures) are redacted by path before a line is
 * written. Personal data can be shown for local debugging with LOG_PERSONAL_DATA=true; secrets never.
 */
import pino from 'pino';
import type { Config } from './config.js';

export type Logger = pino.Logger;

const SECRET_KEYS = ['authorization', 'cookie', 'apiKey', 'key', 'secret', 'token', 'password', 'signature', 'set-cookie', 'x-api-key'];
const PERSONAL_KEYS = ['username', 'displayName', 'name', 'debtorName', 'payerName', 'creditorName', 'ultimateDebtorName', 'iban', 'debtorIban', 'payerIban', 'creditorIban', 'email', 'debtorEmail', 'address', 'debtorAddress', 'remittance', 'remittanceLines'];

/** pino's redaction matched fixed paths three levels deep; the walk below covers the same depths. */
const REDACT_DEPTH = 3;
const CENSOR = '[redacted]';

/**
 * Replaces the value of every key in `keys` down to REDACT_DEPTH levels (arrays count as a level),
 * copying only the objects on the way to a replaced value: the caller's objects are never changed.
 * An Error is left to pino's err serializer (which redacts its output, see createLogger); one
 * under another key is walked as what JSON would write of it, its own enumerable properties.
 *
 * Why not pino's `redact` option: with its ~100 wildcard paths it cost a request about 70 µs of CPU
 * (measured, a fifth of an authenticated GET); this walk costs a few µs for a request's line.
 */
export function redacted<T>(value: T, keys: ReadonlySet<string>, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > REDACT_DEPTH) return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = redacted(value[i], keys, depth + 1);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return (out ?? value) as T;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | undefined;
  const obj = value as Record<string, unknown>;
  for (const k in obj) {
    const v = obj[k];
    const r = keys.has(k) ? (v === undefined ? v : CENSOR) : redacted(v, keys, depth + 1);
    if (r !== v) (out ??= { ...obj })[k] = r;
  }
  return (out ?? value) as T;
}

export function redactedKeys(logPersonalData: boolean): ReadonlySet<string> {
  return new Set(logPersonalData ? SECRET_KEYS : [...SECRET_KEYS, ...PERSONAL_KEYS]);
}

export function createLogger(config: Pick<Config, 'logLevel' | 'logPersonalData'>, destination?: pino.DestinationStream): Logger {
  const keys = redactedKeys(config.logPersonalData);
  return pino(
    {
      level: config.logLevel,
      base: { service: 'stadtkasse' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Top-level keys only (cheap: looked up per key), for what child loggers are bound to, which
      // pino does not pass through formatters.log; everything a line logs is walked there.
      redact: { paths: [...keys].map((k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`)), censor: CENSOR },
      serializers: {
        err: (err: Error) => {
          const s = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
          const plain = redacted({ ...s }, keys);
          return plain === s ? s : Object.assign(Object.create(Object.getPrototypeOf(s) as object) as object, plain);
        },
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redacted(obj, keys),
      },
    },
    destination,
  );
}
