/**
 * What a return of a direct debit (an R-transaction: a debit on our account carrying the debit's
 * end-to-end id) says about its money, and whether it can be booked without a person. Pure.
 *
 * Under the SEPA rulebook a return carries the original amount; the bank's return fee comes on top
 * (the debit is the amount plus the fee, or the fee is charged apart and named in Chrgs). Only
 * that is booked: the item is reversed by exactly what was collected and the fee is added to it.
 * Whatever else a return brings goes to a person, who sees both figures and the reason in words
 * (returnFigures): a return short of the collected amount, even where the entry states the original
 * amount and charges of exactly the difference (a fee is never taken off a return: booking it would
 * reverse more than left our account and charge the citizen a fee the city never paid), and a
 * return above the collected amount whose charges are not the excess.
 */
import { formatMinor, formatMoneyDe } from '../../money/money.js';
import type { ReasonLang } from '../../matching/reasons.js';

/** Why a short return is not booked automatically. */
export const RETURN_SHORTFALLS = ['noCharges', 'chargesDiffer', 'noOriginalAmount', 'originalDiffers', 'feeDeducted'] as const;
export type ReturnShortfall = (typeof RETURN_SHORTFALLS)[number];

/** A return's figures as the statement gave them, in minor units of the debit's currency. */
export interface ReturnEntry {
  /** What the return booked on our account. */
  returnedMinor: bigint;
  /** Σ charges of the transaction (Chrgs), null when the bank gave none. */
  chargesMinor: bigint | null;
  /** Every original amount the entry states in the debit's currency (InstdAmt, TxAmt, return details). */
  statedOriginalsMinor: bigint[];
}

export type ReturnReading =
  | { book: true; feeMinor: bigint }
  | { book: false; why: ReturnShortfall; differenceMinor: bigint };

/** Whether a return of a debit that collected `collectedMinor` is booked, and with which fee. */
export function readReturn(collectedMinor: bigint, r: ReturnEntry): ReturnReading {
  if (r.returnedMinor === collectedMinor) {
    // The collected amount; a fee the bank names is charged apart and still the citizen's to bear.
    return { book: true, feeMinor: r.chargesMinor ?? 0n };
  }
  if (r.returnedMinor > collectedMinor) {
    // The collected amount plus the bank's fee on the same entry: charges, where named, must be that excess.
    const excess = r.returnedMinor - collectedMinor;
    if (r.chargesMinor !== null && r.chargesMinor !== 0n && r.chargesMinor !== excess) return { book: false, why: 'chargesDiffer', differenceMinor: excess };
    return { book: true, feeMinor: excess };
  }
  const differenceMinor = collectedMinor - r.returnedMinor;
  if (r.statedOriginalsMinor.some((o) => o !== collectedMinor)) return { book: false, why: 'originalDiffers', differenceMinor };
  if (r.chargesMinor === null || r.chargesMinor === 0n) return { book: false, why: 'noCharges', differenceMinor };
  if (r.chargesMinor !== differenceMinor) return { book: false, why: 'chargesDiffer', differenceMinor };
  if (r.statedOriginalsMinor.length === 0) return { book: false, why: 'noOriginalAmount', differenceMinor };
  return { book: false, why: 'feeDeducted', differenceMinor };
}

/**
 * The original amount where a bank writes it into the return details' text (RtrInf/AddtlInf), as
 * "ORIGINALBETRAG 30,70 EUR" or "ORIGINAL AMOUNT EUR 30.70"; undefined when the text names none.
 */
export function originalAmountInText(text: string | null): bigint | undefined {
  if (!text) return undefined;
  const m = /\bORIGINAL[\s-]?(?:BETRAG|AMOUNT)\b\s*:?\s*(?:EUR\s*)?(\d{1,3}(?:[.,' ]\d{3})*[.,]\d{2}|\d+[.,]\d{2})(?!\d)/i.exec(text);
  if (!m) return undefined;
  const digits = m[1]!.replace(/[^\d]/g, '');
  return BigInt(digits);
}

/** What of a bank transaction a return's reading needs besides its amount and charges (a Prisma select). */
export const RETURN_FIGURES = { instructedAmountMinor: true, instructedCurrency: true, transactionAmountMinor: true, transactionAmountCurrency: true, returnReasonText: true } as const;

/** The stated original amounts of a return row, in the debit's currency. */
export function statedOriginals(row: { instructedAmountMinor: bigint | null; instructedCurrency: string | null; transactionAmountMinor: bigint | null; transactionAmountCurrency: string | null; returnReasonText: string | null }, currency: string): bigint[] {
  const out: bigint[] = [];
  if (row.instructedAmountMinor !== null && (row.instructedCurrency ?? currency) === currency) out.push(row.instructedAmountMinor);
  if (row.transactionAmountMinor !== null && (row.transactionAmountCurrency ?? currency) === currency) out.push(row.transactionAmountMinor);
  const inText = originalAmountInText(row.returnReasonText);
  if (inText !== undefined) out.push(inText);
  return out;
}

type Figures = { collected: bigint; returned: bigint; difference: bigint; charges: bigint | null; originals: bigint[]; currency: string };

const WHY: Record<ReasonLang, Record<ReturnShortfall, (f: Figures, money: (m: bigint) => string) => string>> = {
  de: {
    noCharges: (f, m) => `Die Rücklastschrift bringt ${m(f.returned)} statt der eingezogenen ${m(f.collected)}; die Bank nennt keine Entgelte, die den Unterschied von ${m(f.difference)} erklären.`,
    chargesDiffer: (f, m) => `Die Rücklastschrift bringt ${m(f.returned)} statt der eingezogenen ${m(f.collected)}; die Entgelte der Bank (${m(f.charges ?? 0n)}) sind nicht der Unterschied von ${m(f.difference)}.`,
    noOriginalAmount: (f, m) => `Die Rücklastschrift bringt ${m(f.returned)} statt der eingezogenen ${m(f.collected)}; sie nennt den ursprünglichen Betrag nicht (AmtDtls/InstdAmt, TxAmt oder Rückgabegrund).`,
    originalDiffers: (f, m) => `Die Rücklastschrift nennt als ursprünglichen Betrag ${f.originals.filter((o) => o !== f.collected).map(m).join(', ')}, eingezogen wurden ${m(f.collected)}.`,
    feeDeducted: (f, m) => `Die Rücklastschrift bringt ${m(f.returned)} statt der eingezogenen ${m(f.collected)} und nennt Entgelte von ${m(f.charges ?? 0n)}. Entgelte kommen zu einer Rücklastschrift hinzu und werden nicht abgezogen: bitte mit der Bank klären, was sie gebucht hat.`,
  },
  en: {
    noCharges: (f, m) => `the return brings ${m(f.returned)} instead of the ${m(f.collected)} collected; the bank names no charges that explain the difference of ${m(f.difference)}`,
    chargesDiffer: (f, m) => `the return brings ${m(f.returned)} instead of the ${m(f.collected)} collected; the bank's charges of ${m(f.charges ?? 0n)} are not the difference of ${m(f.difference)}`,
    noOriginalAmount: (f, m) => `the return brings ${m(f.returned)} instead of the ${m(f.collected)} collected; it does not state the original amount (AmtDtls/InstdAmt, TxAmt or return details)`,
    originalDiffers: (f, m) => `the return states an original amount of ${f.originals.filter((o) => o !== f.collected).map(m).join(', ')}, but ${m(f.collected)} was collected`,
    feeDeducted: (f, m) => `the return brings ${m(f.returned)} instead of the ${m(f.collected)} collected and names charges of ${m(f.charges ?? 0n)}; a fee comes on top of a return, never off it: check with the bank what it booked`,
  },
};

const BOOKED: Record<ReasonLang, (f: Figures, fee: bigint, m: (x: bigint) => string) => string> = {
  de: (f, fee, m) => `Rücklastschrift über ${m(f.collected)}${fee > 0n ? `, Bankentgelt ${m(fee)}` : ''}.`,
  en: (f, fee, m) => `return of ${m(f.collected)}${fee > 0n ? `, bank fee ${m(fee)}` : ''}`,
};

/** A direct debit return as the review detail shows it: both figures side by side, and why. */
export interface ReturnFiguresView {
  endToEndId: string;
  collected: string;
  returned: string;
  difference: string;
  charges: string | null;
  statedOriginal: string[];
  currency: string;
  /** Booked without a person (the excess, if any, is the bank's fee). */
  explained: boolean;
  shortfall: ReturnShortfall | null;
  /** The reading in words, in the reader's language. */
  reason: string;
}

export function returnFigures(input: { endToEndId: string; collectedMinor: bigint; currency: string; entry: ReturnEntry; lang: ReasonLang }): ReturnFiguresView {
  const { entry, currency } = input;
  const reading = readReturn(input.collectedMinor, entry);
  const money = input.lang === 'de' ? (m: bigint) => formatMoneyDe({ minor: m, currency }) : (m: bigint) => `${formatMinor(m, currency)} ${currency}`;
  const f: Figures = { collected: input.collectedMinor, returned: entry.returnedMinor, difference: input.collectedMinor > entry.returnedMinor ? input.collectedMinor - entry.returnedMinor : entry.returnedMinor - input.collectedMinor, charges: entry.chargesMinor, originals: entry.statedOriginalsMinor, currency };
  return {
    endToEndId: input.endToEndId,
    collected: formatMinor(input.collectedMinor, currency),
    returned: formatMinor(entry.returnedMinor, currency),
    difference: formatMinor(f.difference, currency),
    charges: entry.chargesMinor === null ? null : formatMinor(entry.chargesMinor, currency),
    statedOriginal: entry.statedOriginalsMinor.map((o) => formatMinor(o, currency)),
    currency,
    explained: reading.book,
    shortfall: reading.book ? null : reading.why,
    reason: reading.book ? BOOKED[input.lang](f, reading.feeMinor, money) : WHY[input.lang][reading.why](f, money),
  };
}
