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

function paths(keys: string[]): string[] {
  // pino's redaction matches fixed depths; three levels cover every object we log.
  return keys.flatMap((k) => {
    const q = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`;
    const dot = q.startsWith('[') ? q : `.${q}`;
    return [q, `*${dot}`, `*.*${dot}`, `*.*.*${dot}`];
  });
}

export function redactionPaths(logPersonalData: boolean): string[] {
  return paths(logPersonalData ? SECRET_KEYS : [...SECRET_KEYS, ...PERSONAL_KEYS]);
}

export function createLogger(config: Pick<Config, 'logLevel' | 'logPersonalData'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'stadtkasse' },
      redact: { paths: redactionPaths(config.logPersonalData), censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
