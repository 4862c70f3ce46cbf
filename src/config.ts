/**
 * Configuration from environment variables, validated once at start. A bad or missing value stops
 * the service with one line naming the variable and what is wrong. Runtime-neutral: the caller
 * passes the environment (process.env on Node, the bindings on Workers).
 */
import { parseMoney } from './money/money.js';
import { isValidCreditorId, normalizeCreditorId } from './sepa/creditorId.js';
import { CREDIT_TRANSFER_FORMATS, type CreditTransferFormat } from './sepa/formats.js';
import { isValidBic, isValidIban, normalizeIban } from './references/iban.js';
import { loadOnlineConfig, ONLINE_CONFIG_VARIABLES, type OnlineConfig } from './services/online/config.js';
import { WEBHOOK_CONFIG_VARIABLES, type WebhookConfig } from './services/webhooks/targets.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  databaseUrl: string;
  logLevel: LogLevel;
  /** Log names and IBANs in clear (only for local debugging); redacted by default. */
  logPersonalData: boolean;
  /** Bootstrap admin API key (e.g. for the first deployment), stored hashed on start. */
  adminApiKey?: string;
  /** Base URL citizens reach the service under (payment links). */
  publicBaseUrl: string;
  /** The city's receiving account used on payment requests. */
  creditor: { iban: string; bic?: string; name: string };
  paymentLinkTtlDays: number;
  /** Whom citizens contact about a payment link (shown on the expired and unknown-link pages). */
  citizenContact: string;
  /** Manual bookings at or above this amount (minor units, EUR) need a second person. */
  fourEyesThresholdMinor: bigint;
  /** JSON of Kassenzeichen schemes (src/references/kassenzeichen.ts), or undefined for the default. */
  kassenzeichenSchemes?: string;
  /** JSON of matching rules and thresholds (src/matching), or undefined for the default. */
  matchConfig?: string;
  /** Run the webhook outbox worker in this process. */
  outboxWorker: boolean;
  /** Where webhooks may go (src/services/webhooks/targets.ts). */
  webhooks: WebhookConfig;
  /** Paying online (XBezahldienste): the provider we use, and the online services using us. */
  online: OnlineConfig;
  /** Staff sessions end after this many minutes without a request. */
  sessionIdleMinutes: number;
  /** Staff sessions end this many hours after sign-in, however active. */
  sessionMaxHours: number;
  /** Session cookies carry Secure (and the __Host- prefix): true when PUBLIC_BASE_URL is https. */
  cookieSecure: boolean;
  /** Statement uploads up to this many bytes are answered with the import; larger ones with 202 (a job). */
  inlineImportMaxBytes: number;
  /** Node: where uploads are spooled before they are imported; default a folder in the system's temp dir. */
  uploadDir?: string;
  /** The Kasse closes every booking day, or (small Kassen, where the Land allows it) every week. */
  closingMode: 'day' | 'week';
  /** Files the city sends its bank itself (refunds by credit transfer). */
  sepa: SepaConfig;
}

export interface SepaConfig {
  /** pain.001 version of refund runs: .09 (current DK rules) or .03 for banks that still need it. */
  creditTransferFormat: CreditTransferFormat;
  /** Ask the bank to book a run as one debit (true) or each refund on its own. */
  batchBooking: boolean;
  /** Node: folder the bank's EBICS client picks released files up from (bin/stadtkasse sepa outbox). */
  outboxDir?: string;
  /** The city's SEPA creditor identifier (Gläubiger-ID), check digits verified at start. */
  creditorId: string;
  /** Days between the pre-notification of a direct debit and its collection. */
  preNotificationDays: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** The documented variables, with defaults; README's configuration table lists the same. */
export const CONFIG_VARIABLES = [
  ['PORT', '8787', 'TCP port of the HTTP service'],
  ['DATABASE_URL', 'file:./data/stadtkasse.db', 'file:PATH for the embedded SQLite database, or postgresql://user@host:5432/db[?schema=name]'],
  ['LOG_LEVEL', 'info', 'fatal, error, warn, info, debug, trace or silent'],
  ['LOG_PERSONAL_DATA', 'false', 'true logs names and IBANs in clear (never in production)'],
  ['STADTKASSE_ADMIN_KEY', '', 'bootstrap admin API key (sk_…); stored hashed at start'],
  ['PUBLIC_BASE_URL', 'http://localhost:PORT', 'address citizens reach the payment pages under'],
  ['CREDITOR_IBAN', 'DE02120300000000202051', "the city's receiving account on payment requests (the default is a well-known test IBAN)"],
  ['CREDITOR_BIC', 'BYLADEM1001', 'BIC of that account (optional in the EEA)'],
  ['CREDITOR_NAME', 'Stadtkasse Musterstadt', 'account holder shown to citizens and in the GiroCode'],
  ['PAYMENT_LINK_TTL_DAYS', '60', 'days a payment link stays valid'],
  ['CITIZEN_CONTACT', 'CREDITOR_NAME', 'whom citizens contact about an expired or unknown payment link (e.g. "Stadtkasse Musterstadt, Tel. 0123 456-0, stadtkasse@musterstadt.de")'],
  ['FOUR_EYES_THRESHOLD', '1000.00', 'manual bookings from this amount (EUR) need approval by a second person'],
  ['KASSENZEICHEN_SCHEMES', '', 'JSON: Kassenzeichen schemes per category (see README)'],
  ['MATCH_CONFIG', '', 'JSON: matching thresholds and rules (see README)'],
  ['OUTBOX_WORKER', 'true', 'deliver webhooks from this process'],
  ...WEBHOOK_CONFIG_VARIABLES,
  ...ONLINE_CONFIG_VARIABLES,
  ['SESSION_IDLE_MINUTES', '30', 'staff sessions end after this many minutes without a request'],
  ['SESSION_MAX_HOURS', '10', 'staff sessions end this many hours after sign-in, however active'],
  ['INLINE_IMPORT_MAX_BYTES', '4194304', 'statement uploads up to this size are answered with the import (201); larger ones with 202 and a status URL'],
  ['UPLOAD_DIR', 'TMPDIR/stadtkasse-uploads', 'Node: folder where uploads are received completely before they are imported, and where queued imports wait'],
  ['SEPA_CREDIT_TRANSFER_FORMAT', 'pain.001.001.09', 'version of the refund files: pain.001.001.09, or pain.001.001.03 for banks that still need it'],
  ['SEPA_BATCH_BOOKING', 'true', 'the bank books a refund run as one debit (true) or every refund on its own (false)'],
  ['SEPA_CREDITOR_ID', 'DE98ZZZ09999999999', "the city's SEPA creditor identifier (Gläubiger-ID) for direct debits; the default is the Bundesbank's test identifier"],
  ['SEPA_PRE_NOTIFICATION_DAYS', '14', 'days a direct debit is announced to the debtor before it is collected (1 to 60; the rulebook default is 14)'],
  ['SEPA_OUTBOX_DIR', '', 'folder bin/stadtkasse sepa outbox writes released files to, for the bank\'s EBICS client'],
  ['CLOSING_MODE', 'day', 'day: a closing (Tagesabschluss) per booking day; week: one per calendar week, for small Kassen where the Land allows it'],
] as const;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env): Config {
  // 0 asks the operating system for a free port (tests, side-by-side instances).
  const port = integer(env, 'PORT', 8787, 0, 65535);
  const databaseUrl = text(env, 'DATABASE_URL') ?? 'file:./data/stadtkasse.db';
  if (!/^(file:.+|postgres(ql)?:\/\/.+)$/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', `must be file:PATH (SQLite) or postgresql://… (got "${databaseUrl.split(':')[0]}:…")`);
  }
  const logLevel = (text(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const adminApiKey = text(env, 'STADTKASSE_ADMIN_KEY');
  if (adminApiKey !== undefined && !/^sk_[A-Za-z0-9]{8,}_[A-Za-z0-9]{24,}$/.test(adminApiKey)) {
    throw new ConfigError('STADTKASSE_ADMIN_KEY', 'must look like sk_<8+ letters/digits>_<24+ letters/digits> (make one with bin/stadtkasse clients create)');
  }
  const publicBaseUrl = (text(env, 'PUBLIC_BASE_URL') ?? `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    const u = new URL(publicBaseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new ConfigError('PUBLIC_BASE_URL', `must be an http(s) URL (got "${publicBaseUrl}")`);
  }
  const iban = normalizeIban(text(env, 'CREDITOR_IBAN') ?? 'DE02120300000000202051');
  if (!isValidIban(iban)) throw new ConfigError('CREDITOR_IBAN', 'is not a valid IBAN (check digits or length wrong)');
  const bic = text(env, 'CREDITOR_BIC') ?? (env.CREDITOR_IBAN ? undefined : 'BYLADEM1001');
  if (bic !== undefined && !isValidBic(bic)) throw new ConfigError('CREDITOR_BIC', 'is not a valid BIC (8 or 11 characters)');
  const name = text(env, 'CREDITOR_NAME') ?? 'Stadtkasse Musterstadt';
  if (name.length > 70) throw new ConfigError('CREDITOR_NAME', 'must be at most 70 characters (EPC limit)');
  let fourEyesThresholdMinor: bigint;
  try {
    fourEyesThresholdMinor = parseMoney(text(env, 'FOUR_EYES_THRESHOLD') ?? '1000.00', 'EUR', { field: 'FOUR_EYES_THRESHOLD' }).minor;
  } catch {
    throw new ConfigError('FOUR_EYES_THRESHOLD', 'must be an amount like 1000.00');
  }
  const kassenzeichenSchemes = json(env, 'KASSENZEICHEN_SCHEMES');
  const matchConfig = json(env, 'MATCH_CONFIG');
  return {
    port,
    databaseUrl,
    logLevel,
    logPersonalData: bool(env, 'LOG_PERSONAL_DATA', false),
    ...(adminApiKey ? { adminApiKey } : {}),
    publicBaseUrl,
    creditor: { iban, name, ...(bic ? { bic: bic.toUpperCase() } : {}) },
    paymentLinkTtlDays: integer(env, 'PAYMENT_LINK_TTL_DAYS', 60, 1, 3650),
    citizenContact: citizenContact(env, name),
    fourEyesThresholdMinor,
    ...(kassenzeichenSchemes ? { kassenzeichenSchemes } : {}),
    ...(matchConfig ? { matchConfig } : {}),
    outboxWorker: bool(env, 'OUTBOX_WORKER', true),
    webhooks: { allowPrivateNetworks: bool(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false) },
    online: loadOnlineConfig(env, publicBaseUrl),
    sessionIdleMinutes: integer(env, 'SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionMaxHours: integer(env, 'SESSION_MAX_HOURS', 10, 1, 24 * 7),
    cookieSecure: publicBaseUrl.startsWith('https:'),
    inlineImportMaxBytes: integer(env, 'INLINE_IMPORT_MAX_BYTES', 4 * 1024 * 1024, 0, 1024 * 1024 * 1024),
    ...(text(env, 'UPLOAD_DIR') ? { uploadDir: text(env, 'UPLOAD_DIR')! } : {}),
    closingMode: closingMode(env),
    sepa: sepaConfig(env),
  };
}

function closingMode(env: Env): 'day' | 'week' {
  const v = text(env, 'CLOSING_MODE') ?? 'day';
  if (v !== 'day' && v !== 'week') throw new ConfigError('CLOSING_MODE', `must be day or week (got "${v}")`);
  return v;
}

function sepaConfig(env: Env): SepaConfig {
  const format = text(env, 'SEPA_CREDIT_TRANSFER_FORMAT') ?? 'pain.001.001.09';
  if (!(CREDIT_TRANSFER_FORMATS as readonly string[]).includes(format)) throw new ConfigError('SEPA_CREDIT_TRANSFER_FORMAT', `must be one of ${CREDIT_TRANSFER_FORMATS.join(', ')} (got "${format}")`);
  const outboxDir = text(env, 'SEPA_OUTBOX_DIR');
  const creditorId = normalizeCreditorId(text(env, 'SEPA_CREDITOR_ID') ?? 'DE98ZZZ09999999999');
  if (!isValidCreditorId(creditorId)) throw new ConfigError('SEPA_CREDITOR_ID', 'is not a valid SEPA creditor identifier (check digits or shape wrong)');
  return { creditTransferFormat: format as CreditTransferFormat, batchBooking: bool(env, 'SEPA_BATCH_BOOKING', true), creditorId, preNotificationDays: integer(env, 'SEPA_PRE_NOTIFICATION_DAYS', 14, 1, 60), ...(outboxDir ? { outboxDir } : {}) };
}

function text(env: Env, name: string): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

function integer(env: Env, name: string, dflt: number, min: number, max: number): number {
  const v = text(env, name);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `must be a whole number (got "${v}")`);
  const n = Number.parseInt(v, 10);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max} (got ${n})`);
  return n;
}

function bool(env: Env, name: string, dflt: boolean): boolean {
  const v = text(env, name);
  if (v === undefined) return dflt;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ConfigError(name, `must be true or false (got "${v}")`);
}

function json(env: Env, name: string): string | undefined {
  const v = text(env, name);
  if (v === undefined) return undefined;
  try {
    JSON.parse(v);
  } catch (err) {
    throw new ConfigError(name, `is not valid JSON (${(err as Error).message})`);
  }
  return v;
}

function citizenContact(env: Env, creditorName: string): string {
  const v = text(env, 'CITIZEN_CONTACT') ?? creditorName;
  if (v.length > 300) throw new ConfigError('CITIZEN_CONTACT', 'must be at most 300 characters');
  return v;
}
