/**
 * Checks one claim as a calling service or a CSV row describes it and turns it into what is
 * stored. Collects every problem of the item (not just the first), so a bulk import can report all
 * of them per row; the API's zod schema catches the shape, this checks the meaning.
 */
import { parseMoney } from '../../money/money.js';
import { EPC_LIMITS } from '../../references/epc.js';
import { isValidIban, normalizeIban } from '../../references/iban.js';
import { ValidationError } from '../../errors.js';

export interface NewOpenItemInput {
  /** fee | fine | library | other; other lower-case words are kept but need a supplied Kassenzeichen. */
  category: string;
  /** Decimal text, "30.70". */
  amount: string;
  currency?: string;
  /** YYYY-MM-DD */
  dueDate: string;
  description: string;
  debtor: { name: string; address?: string | null; email?: string | null; iban?: string | null };
  externalRef?: string | null;
  bookingData?: Record<string, unknown> | null;
  /** When the issuing service already printed one; generated otherwise. */
  kassenzeichen?: string | null;
}

export interface CheckedOpenItem {
  category: string;
  amountMinor: bigint;
  currency: string;
  dueDate: string;
  description: string;
  debtorName: string;
  debtorAddress: string | null;
  debtorEmail: string | null;
  debtorIban: string | null;
  externalRef: string | null;
  bookingData: string;
  suppliedKassenzeichen: string | null;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * The largest claim: what one EPC QR code (and so one payment request) can carry. A larger claim
 * would be an item nobody can be asked to pay in one transfer.
 */
export const MAX_ITEM_AMOUNT_MINOR = EPC_LIMITS.maxAmountMinor;
/** JSON text of the free booking data (Haushaltsstelle, Produkt, Sachkonto …). */
export const MAX_BOOKING_DATA_BYTES = 4096;

const CATEGORY = /^[a-z][a-z0-9_]{0,29}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkNewOpenItem(input: NewOpenItemInput): { item: CheckedOpenItem } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const fail = (field: string, message: string) => problems.push({ field, message });

  const category = input.category.trim();
  if (!CATEGORY.test(category)) fail('category', `"${truncate(category)}" is not a category (fee, fine, library, other)`);

  const currency = (input.currency ?? 'EUR').trim() || 'EUR';
  if (currency !== 'EUR') fail('currency', `only EUR can be claimed (SEPA), got "${truncate(currency)}"`);

  let amountMinor = 0n;
  try {
    amountMinor = parseMoney(input.amount, 'EUR', { field: 'amount' }).minor;
    if (amountMinor <= 0n) fail('amount', 'must be more than 0.00');
    else if (amountMinor > MAX_ITEM_AMOUNT_MINOR) fail('amount', 'must be at most 999999999.99 (the most one SEPA transfer and GiroCode carry)');
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    fail('amount', e.message.replace(/^amount: /, ''));
  }

  const dueDate = input.dueDate.trim();
  if (!isIsoDate(dueDate)) fail('dueDate', `"${truncate(dueDate)}" is not a date like 2026-12-31`);

  const description = input.description.trim();
  if (description.length > 500) fail('description', `has ${description.length} characters, at most 500 allowed`);

  const debtorName = input.debtor.name.trim();
  if (debtorName.length === 0) fail('debtor.name', 'is required');
  else if (debtorName.length > 140) fail('debtor.name', `has ${debtorName.length} characters, at most 140 allowed`);

  const debtorAddress = blankToNull(input.debtor.address);
  if (debtorAddress && debtorAddress.length > 300) fail('debtor.address', 'has more than 300 characters');

  const debtorEmail = blankToNull(input.debtor.email);
  if (debtorEmail && (debtorEmail.length > 254 || !EMAIL.test(debtorEmail))) fail('debtor.email', 'is not an e-mail address');

  let debtorIban = blankToNull(input.debtor.iban);
  if (debtorIban) {
    // The value is personal data: the message says what is wrong without echoing it.
    if (!isValidIban(debtorIban)) fail('debtor.iban', 'is not a valid IBAN (check digits or length wrong)');
    else debtorIban = normalizeIban(debtorIban);
  }

  const externalRef = blankToNull(input.externalRef);
  if (externalRef && (externalRef.length > 100 || /[\u0000-\u001f\u007f]/.test(externalRef))) {
    fail('externalRef', 'must be at most 100 printable characters');
  }

  let bookingData = '{}';
  if (input.bookingData !== undefined && input.bookingData !== null) {
    if (typeof input.bookingData !== 'object' || Array.isArray(input.bookingData)) fail('bookingData', 'must be a JSON object');
    else {
      bookingData = JSON.stringify(input.bookingData);
      const bytes = new TextEncoder().encode(bookingData).length;
      if (bytes > MAX_BOOKING_DATA_BYTES) fail('bookingData', `is ${bytes} bytes as JSON, at most ${MAX_BOOKING_DATA_BYTES} allowed`);
    }
  }

  if (problems.length > 0) return { problems };
  return {
    item: {
      category,
      amountMinor,
      currency,
      dueDate,
      description,
      debtorName,
      debtorAddress,
      debtorEmail,
      debtorIban,
      externalRef,
      bookingData,
      suppliedKassenzeichen: blankToNull(input.kassenzeichen),
    },
  };
}

/** A real calendar day in YYYY-MM-DD (2026-02-30 is refused). */
export function isIsoDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

function blankToNull(v: string | null | undefined): string | null {
  if (v === undefined || v === null) return null;
  const t = v.trim();
  return t === '' ? null : t;
}

function truncate(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}
