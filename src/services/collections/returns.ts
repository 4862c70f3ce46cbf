/**
 * What a return of a direct debit (an R-transaction: a debit on our account carrying the debit's
 * end-to-end id) says about its money, and whether it can be booked without a person. Pure.
 *
 * Under the SEPA rulebook a return carries the original amount. Banks may take their return fee
 * on the same entry: above the collected amount (the debit is the amount plus the fee), or, as some
 * banks book it, net: the entry is the collected amount less the fee, and the entry explains the
 * difference by stating the original amount (AmtDtls/InstdAmt or AmtDtls/TxAmt, or in the return
 * details' text) and the fee (Chrgs, Chrgs/Rcrd). Only such an explained difference is booked:
 * the item is reversed by exactly what was collected and the charges become the fee. A return
 * short of the collected amount that does not say why stays with a person, who sees both figures
 * and the reason in words (returnFigures).
 */
import { formatMinor, formatMoneyDe } from '../../money/money.js';
import type { ReasonLang } from '../../matching/reasons.js';

/** Why a short return is not booked automatically. */
export const RETURN_SHORTFALLS = ['noCharges', 'chargesDiffer', 'noOriginalAmount', 'originalDiffers'] as const;
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
  | { book: true; feeMinor: bigint; netOfFee: boolean }
  | { book: false; why: ReturnShortfall; differenceMinor: bigint };

/** Whether a return of a debit that collected `collectedMinor` is booked, and with which fee. */
export function readReturn(collectedMinor: bigint, r: ReturnEntry): ReturnReading {
  const charges = r.chargesMinor ?? 0n;
  if (r.returnedMinor >= collectedMinor) {
    // The collected amount, plus the bank's fee when it is charged on the same entry.
    return { book: true, feeMinor: charges > 0n ? charges : r.returnedMinor - collectedMinor, netOfFee: false };
  }
  const differenceMinor = collectedMinor - r.returnedMinor;
  if (r.statedOriginalsMinor.some((o) => o !== collectedMinor)) return { book: false, why: 'originalDiffers', differenceMinor };
  if (r.chargesMinor === null || r.chargesMinor === 0n) return { book: false, why: 'noCharges', differenceMinor };
  if (r.chargesMinor !== differenceMinor) return { book: false, why: 'chargesDiffer', differenceMinor };
  if (r.statedOriginalsMinor.length === 0) return { book: false, why: 'noOriginalAmount', differenceMinor };
  return { book: true, feeMinor: r.chargesMinor, netOfFee: true };
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
  },
  en: {
    noCharges: (f, m) => `the return brings ${m(f.returned)} instead of the ${m(f.collected)} collected; the bank names no charges that explain the difference of ${m(f.difference)}`,
    chargesDiffer: (f, m) => `the return brings ${m(f.returned)} instead of the ${m(f.collected)} collected; the bank's charges of ${m(f.charges ?? 0n)} are not the difference of ${m(f.difference)}`,
    noOriginalAmount: (f, m) => `the return brings ${m(f.returned)} instead of the ${m(f.collected)} collected; it does not state the original amount (AmtDtls/InstdAmt, TxAmt or return details)`,
    originalDiffers: (f, m) => `the return states an original amount of ${f.originals.filter((o) => o !== f.collected).map(m).join(', ')}, but ${m(f.collected)} was collected`,
  },
};

const BOOKED: Record<ReasonLang, (f: Figures, fee: bigint, net: boolean, m: (x: bigint) => string) => string> = {
  de: (f, fee, net, m) => (net ? `Rücklastschrift über ${m(f.collected)}, abzüglich des Bankentgelts von ${m(fee)} gebucht (${m(f.returned)}).` : `Rücklastschrift über ${m(f.collected)}${fee > 0n ? `, Bankentgelt ${m(fee)}` : ''}.`),
  en: (f, fee, net, m) => (net ? `return of ${m(f.collected)} booked net of the bank's fee of ${m(fee)} (${m(f.returned)})` : `return of ${m(f.collected)}${fee > 0n ? `, bank fee ${m(fee)}` : ''}`),
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
  /** Booked without a person (the difference, if any, is the bank's stated fee). */
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
    reason: reading.book ? BOOKED[input.lang](f, reading.feeMinor, reading.netOfFee, money) : WHY[input.lang][reading.why](f, money),
  };
}
