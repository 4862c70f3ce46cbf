/**
 * Booking lines as CSV (RFC 4180): CRLF line ends, a field quoted when it holds the separator, a
 * quote or a line break, quotes doubled. Pure: lines in, text out.
 *
 * Decisions for the people who open it in Excel:
 * - UTF-8 with a byte order mark by default: without it German Excel reads the file as Windows-1252
 *   and "Müller" becomes "MÃ¼ller". Machines that do not want it ask for `bom=false`.
 * - Semicolon by default: German Excel splits on ";" (its list separator, since "," is the decimal
 *   comma). `separator=,` gives the comma form for tools that expect it.
 * - Amounts stay "30.70" (the API's form, what the finance system parses), never "30,70".
 * - Text a payer wrote (names, remittance, notes) can start with "=", "+", "-" or "@", which Excel
 *   would run as a formula ("CSV injection"). Such text fields get a leading apostrophe, which
 *   Excel shows as text; amounts and ids are never changed.
 */
import type { BookingLine } from './bookings.js';

export type Separator = ';' | ',';

const FIXED: Array<{ header: string; value: (l: BookingLine) => string | null; text?: boolean }> = [
  { header: 'line_type', value: (l) => l.type },
  { header: 'id', value: (l) => l.id },
  { header: 'booked_at', value: (l) => l.bookedAt },
  { header: 'amount', value: (l) => l.amount },
  { header: 'currency', value: (l) => l.currency },
  { header: 'kassenzeichen', value: (l) => l.kassenzeichen },
  // As the finance system printed it: the column a person or the finance system compares with the notice.
  { header: 'kassenzeichen_display', value: (l) => l.kassenzeichenDisplay, text: true },
  { header: 'item_external_ref', value: (l) => l.itemExternalRef, text: true },
  { header: 'item_id', value: (l) => l.itemId },
  { header: 'allocation_id', value: (l) => l.allocationId },
  { header: 'suspense_reason', value: (l) => l.suspenseReason },
  { header: 'statement_bank_id', value: (l) => l.statementBankId, text: true },
  { header: 'account_iban', value: (l) => l.accountIban },
  { header: 'entry_acct_svcr_ref', value: (l) => l.entryAccountServicerRef, text: true },
  { header: 'entry_ref', value: (l) => l.entryRef, text: true },
  { header: 'transaction_id', value: (l) => l.transactionId },
  { header: 'booking_date', value: (l) => l.bookingDate },
  { header: 'value_date', value: (l) => l.valueDate },
  { header: 'payer_name', value: (l) => l.payerName, text: true },
  { header: 'who', value: (l) => l.who },
  { header: 'approved_by', value: (l) => l.approvedBy },
  { header: 'reason', value: (l) => l.reason, text: true },
  { header: 'online_payment_id', value: (l) => l.onlinePaymentId },
  { header: 'provider', value: (l) => l.provider },
];

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string | null, separator: Separator, text = false): string {
  let v = value ?? '';
  if (text && FORMULA_START.test(v)) v = `'${v}`;
  return v.includes(separator) || v.includes('"') || v.includes('\n') || v.includes('\r') ? `"${v.replaceAll('"', '""')}"` : v;
}

function bookingValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * The CSV text. Booking data keys (Haushaltsstelle, Sachkonto …) differ per issuing service: each key
 * found in the lines becomes a column `booking.<key>`, sorted, after the fixed columns.
 */
export function bookingLinesCsv(lines: readonly BookingLine[], opts: { separator: Separator; bom: boolean }): string {
  const keys = [...new Set(lines.flatMap((l) => Object.keys(l.bookingData)))].sort();
  const sep = opts.separator;
  const header = [...FIXED.map((c) => c.header), ...keys.map((k) => `booking.${k}`)].map((h) => csvField(h, sep, true)).join(sep);
  const rows = lines.map((l) =>
    [...FIXED.map((c) => csvField(c.value(l), sep, c.text)), ...keys.map((k) => csvField(bookingValue(l.bookingData[k]), sep, true))].join(sep),
  );
  return (opts.bom ? '\uFEFF' : '') + [header, ...rows].map((r) => r + '\r\n').join('');
}
