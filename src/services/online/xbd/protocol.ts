/**
 * The XBezahldienste 1.0.0 interface (FITKO), as both sides of Stadtkasse speak it: as payment
 * service for the city's online forms (src/http/xbezahldienste), as client of a payment provider
 * (client.ts), and in the built-in test mode provider.
 *
 * From the published API documentation (docs.fitko.de/xbezahldienste, v1.0.0):
 * - POST /paymenttransaction/{originatorId}/{endPointId} with a PaymentRequest creates a
 *   PaymentTransaction; GET …/{transactionId} reads its status; GET /status/{originatorId}/{endPointId}
 *   answers 200, 403 or 503 for the configuration's availability.
 * - originatorId, endPointId, requestId, item id and reference: 1–36 of [A-Za-z0-9_-].
 * - currency only "EUR"; grosAmount ≤ 999999 "serves to validate the items"; purpose ≤ 27 of
 *   [\w\s-] (Verwendungszweck / Buchungstext); description ≤ 250; redirectUrl ≤ 2082 ("the status
 *   must be read with GET", never trusted from the redirect); 1–99 items.
 * - status INITIAL | PAYED | FAILED | CANCELED; transactionRedirectUrl only while INITIAL.
 * - errors are application/problem+json with a functionalCode (below).
 *
 * Amounts are JSON numbers on the wire; here they are decimal text (see json.ts) and minor units.
 */
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { parseMoney } from '../../../money/money.js';
import { JsonDecimal } from './json.js';

export const XBD_STATUSES = ['INITIAL', 'PAYED', 'FAILED', 'CANCELED'] as const;
export type XbdStatus = (typeof XBD_STATUSES)[number];

export const XBD_PAYMENT_METHODS = ['GIROPAY', 'PAYDIRECT', 'CREDITCARD', 'PAYPAL', 'OTHER'] as const;

export const FUNCTIONAL_CODES = [
  'NO_VALID_ORIGINATOR_OR_ENDPOINT',
  'PAYMENT_EXISTS',
  'CALCULATION_ERROR',
  'BOOKING_DATA_MISSING',
  'VALIDATION_ERROR',
  'UNSPECIFIED',
  'FORBIDDEN',
] as const;
export type FunctionalCode = (typeof FUNCTIONAL_CODES)[number];

export const ID_PATTERN = /^[\w-]{1,36}$/;
const PURPOSE = /^[\w\s-]{0,27}$/;
const TEXT_250 = /^[\w\s\-,.\u00C0-\u017F]{0,250}$/;

/**
 * A JSON number as the exact-JSON reader hands it over: its source text, read with decimal.js.
 * Java clients write BigDecimal as they hold it ("37.50", "37.500", "1E+2" for a scale of -2), so
 * any notation is taken when its value is exact in cents; the result is plain decimal text.
 */
const exactNumber = (what: string, max: string, places: number, integer = false) =>
  z.string().transform((text, ctx) => {
    let d: Decimal;
    try {
      if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text.trim())) throw new Error('not a number');
      d = new Decimal(text.trim());
    } catch {
      ctx.addIssue({ code: 'custom', message: `${what}: "${text.slice(0, 40)}" is not a number` });
      return z.NEVER;
    }
    if (d.isNegative() || d.greaterThan(max) || d.decimalPlaces() > places || (integer && (!d.isInteger() || d.lessThan(1)))) {
      ctx.addIssue({ code: 'custom', message: integer ? `${what}: must be a whole number between 1 and ${max}` : `must be an amount between 0 and ${max} with at most ${places} decimals` });
      return z.NEVER;
    }
    // As written where that is plain decimal text (30.70 stays 30.70); other notations in plain form.
    const plain = /^\d+(\.\d+)?$/.exec(text.trim());
    return plain && (plain[1] ?? '.').length - 1 <= places ? text.trim() : d.toFixed();
  });

const Amount = exactNumber('amount', '999999', 2);

/**
 * Absent, as the Java clients say it: Jackson writes every unset field as null by default
 * ("reference":null, "bookingData":null). null and a missing field mean the same here.
 */
export function withoutNulls(value: unknown, depth = 0): unknown {
  if (depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => withoutNulls(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v, depth + 1);
    return out;
  }
  return value;
}

/**
 * An address the citizen's browser is sent to (our payment page links it as "Zurück zum Online-Dienst"):
 * only http(s). zod's .url() accepts any scheme the URL parser knows, javascript: and data: included.
 */
const WebUrl = (what: string) =>
  z
    .string()
    .min(1)
    .max(2082)
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
      } catch {
        return false;
      }
    }, `${what}: must be an http or https address`);

const Id = (what: string) => z.string().regex(ID_PATTERN, `${what}: 1 to 36 letters, digits, _ or -`);

export const XbdItemSchema = z.object({
  id: Id('id'),
  reference: Id('reference').optional(),
  description: z.string().max(250).regex(TEXT_250, 'description: letters, digits, spaces and - , . only').optional(),
  taxRate: exactNumber('taxRate', '100', 4).optional(),
  quantity: exactNumber('quantity', '999999', 0, true).optional(),
  totalNetAmount: Amount,
  totalTaxAmount: Amount.optional(),
  singleNetAmount: Amount.optional(),
  singleTaxAmount: Amount.optional(),
  bookingData: z.record(z.string().max(100), z.string().max(250)).optional(),
});

/** The payer's address; lengths as the form servers cut them (street, city and lines to 250). */
export const XbdAddressSchema = z.object({
  street: z.string().max(250).optional(),
  houseNumber: z.string().max(20).optional(),
  addressLine: z.array(z.string().max(250)).max(9).optional(),
  postalCode: z.string().max(20).optional(),
  city: z.string().max(250).optional(),
  country: z.string().regex(/^[A-Za-z]{2}$/, 'country: an ISO 3166-1 alpha-2 code').optional(),
});

/**
 * The payer (requestor). The interface calls the family name `name`; some clients' models call
 * it lastName and a few send it so, which is taken as the same field.
 */
export const XbdRequestorSchema = z.object({
  name: z.string().max(250).optional(),
  lastName: z.string().max(250).optional(),
  firstName: z.string().max(250).optional(),
  gender: z.enum(['M', 'F', 'D']).optional(),
  isOrganization: z.boolean().optional(),
  organizationName: z.string().max(250).optional(),
  address: XbdAddressSchema.optional(),
});
export type XbdRequestor = z.infer<typeof XbdRequestorSchema>;

export const XbdPaymentRequestSchema = z.object({
  requestId: Id('requestId'),
  requestTimestamp: z.string().max(40).optional(),
  currency: z.string().regex(/^\w{3}$/),
  grosAmount: Amount,
  purpose: z.string().regex(PURPOSE, 'purpose: at most 27 letters, digits, spaces or -').optional(),
  description: z.string().regex(TEXT_250, 'description: at most 250 letters, digits, spaces and - , .').optional(),
  redirectUrl: WebUrl('redirectUrl'),
  items: z.array(XbdItemSchema).min(1).max(99),
  requestor: XbdRequestorSchema.optional(),
});
export type XbdPaymentRequest = z.infer<typeof XbdPaymentRequestSchema>;
export type XbdItem = z.infer<typeof XbdItemSchema>;

export interface XbdPaymentInformation {
  transactionUrl?: string;
  transactionRedirectUrl?: string;
  transactionId: string;
  transactionReference?: string;
  transactionTimestamp?: string;
  paymentMethod?: string;
  paymentMethodDetail?: string;
  status: XbdStatus;
  statusDetail?: string;
}

export const XbdPaymentInformationSchema = z.object({
  transactionUrl: z.string().max(2082).optional().nullable(),
  transactionRedirectUrl: z.string().max(2082).optional().nullable(),
  transactionId: z.string().min(1).max(44),
  transactionReference: z.string().max(36).optional().nullable(),
  transactionTimestamp: z.string().max(40).optional().nullable(),
  paymentMethod: z.string().max(20).optional().nullable(),
  paymentMethodDetail: z.string().max(100).optional().nullable(),
  status: z.enum(XBD_STATUSES),
  statusDetail: z.string().max(99).optional().nullable(),
});

/** What a provider answers to POST and GET: the request as it stored it and where it stands. */
export const XbdPaymentTransactionSchema = z.object({
  paymentInformation: XbdPaymentInformationSchema,
  paymentRequest: z.unknown().optional(),
});

export const XbdProblemSchema = z.object({
  type: z.string().optional(),
  status: z.union([z.number(), z.string()]).optional(),
  title: z.string().optional(),
  detail: z.string().optional(),
  functionalCode: z.string().optional(),
});

/** Fields the interface defines as JSON numbers: echoed as numbers, never as strings. */
const NUMBER_FIELDS = ['taxRate', 'quantity', 'totalNetAmount', 'totalTaxAmount', 'singleNetAmount', 'singleTaxAmount'] as const;

/** A stored request (amounts as decimal text) as the interface writes it: amounts as JSON numbers. */
export function xbdRequestEcho(req: Record<string, unknown>): Record<string, unknown> {
  const num = (v: unknown) => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? new JsonDecimal(v) : v);
  const items = Array.isArray(req.items)
    ? req.items.map((item: Record<string, unknown>) => {
        const out: Record<string, unknown> = { ...item };
        for (const k of NUMBER_FIELDS) if (k in out) out[k] = num(out[k]);
        return out;
      })
    : req.items;
  return { ...req, ...('grosAmount' in req ? { grosAmount: num(req.grosAmount) } : {}), items };
}

/** Amounts of a request in minor units, and whether grosAmount is the sum of the items. */
export function requestAmounts(req: XbdPaymentRequest): { grossMinor: bigint; itemsMinor: bigint[]; sumMinor: bigint } {
  const minor = (text: string | undefined, field: string) => (text === undefined ? 0n : parseMoney(text, 'EUR', { field }).minor);
  const itemsMinor = req.items.map((item, i) => minor(item.totalNetAmount, `items.${i}.totalNetAmount`) + minor(item.totalTaxAmount, `items.${i}.totalTaxAmount`));
  return { grossMinor: minor(req.grosAmount, 'grosAmount'), itemsMinor, sumMinor: itemsMinor.reduce((s, x) => s + x, 0n) };
}

/** Statuses after which nothing changes any more at the provider. */
export function isFinal(status: XbdStatus): boolean {
  return status !== 'INITIAL';
}
