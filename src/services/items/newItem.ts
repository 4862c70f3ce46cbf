/**
 * Checks one claim as a calling service or a CSV row describes it and turns it into what is
 * stored. Collects every problem of the item (not just the first), so a bulk import can report all
 * of them per row; the API's zod schema catches the shape, this checks the meaning.
 */
import { parseAmountInput } from '../../money/money.js';
import { EPC_LIMITS } from '../../references/epc.js';
import { isValidIban, normalizeIban } from '../../references/iban.js';
import { ValidationError } from '../../errors.js';
import { itemProblemText, type ItemProblem } from './problems.js';

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
  /** English, as the API answers it. */
  message: string;
  problem: ItemProblem;
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
  const fail = (field: string, problem: ItemProblem) => problems.push({ field, message: itemProblemText(problem, 'en'), problem });

  const category = input.category.trim();
  if (!CATEGORY.test(category)) fail('category', { code: 'category', value: category });

  const currency = (input.currency ?? 'EUR').trim() || 'EUR';
  if (currency !== 'EUR') fail('currency', { code: 'currency', value: currency });

  let amountMinor = 0n;
  try {
    amountMinor = parseAmountInput(input.amount, 'EUR', { field: 'amount' }).minor;
    if (amountMinor <= 0n) fail('amount', { code: 'amountNotPositive' });
    else if (amountMinor > MAX_ITEM_AMOUNT_MINOR) fail('amount', { code: 'amountTooLarge' });
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    fail('amount', { code: 'amount', value: input.amount, detail: e.message.replace(/^amount: /, '') });
  }

  const dueDate = input.dueDate.trim();
  if (!isIsoDate(dueDate)) fail('dueDate', { code: 'dueDate', value: dueDate });

  const description = input.description.trim();
  if (description.length > 500) fail('description', { code: 'tooLong', length: description.length, max: 500 });

  const debtorName = input.debtor.name.trim();
  if (debtorName.length === 0) fail('debtor.name', { code: 'required' });
  else if (debtorName.length > 140) fail('debtor.name', { code: 'tooLong', length: debtorName.length, max: 140 });

  const debtorAddress = blankToNull(input.debtor.address);
  if (debtorAddress && debtorAddress.length > 300) fail('debtor.address', { code: 'tooLong', length: debtorAddress.length, max: 300 });

  const debtorEmail = blankToNull(input.debtor.email);
  if (debtorEmail && (debtorEmail.length > 254 || !EMAIL.test(debtorEmail))) fail('debtor.email', { code: 'email' });

  let debtorIban = blankToNull(input.debtor.iban);
  if (debtorIban) {
    // The value is personal data: the problem says what is wrong without echoing it.
    if (!isValidIban(debtorIban)) fail('debtor.iban', { code: 'iban' });
    else debtorIban = normalizeIban(debtorIban);
  }

  const externalRef = blankToNull(input.externalRef);
  if (externalRef && (externalRef.length > 100 || /[\u0000-\u001f\u007f]/.test(externalRef))) {
    fail('externalRef', { code: 'externalRef', max: 100 });
  }

  let bookingData = '{}';
  if (input.bookingData !== undefined && input.bookingData !== null) {
    if (typeof input.bookingData !== 'object' || Array.isArray(input.bookingData)) fail('bookingData', { code: 'bookingDataNotObject' });
    else {
      bookingData = JSON.stringify(input.bookingData);
      const bytes = new TextEncoder().encode(bookingData).length;
      if (bytes > MAX_BOOKING_DATA_BYTES) fail('bookingData', { code: 'bookingDataTooLarge', bytes, max: MAX_BOOKING_DATA_BYTES });
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
