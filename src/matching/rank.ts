import { foldText } from './names.js';
import type { GuessBasis } from './reasons.js';
import { payerRank, type ItemEvidence } from './score.js';

/**
 * Ranking of a payer's open items for a payment that names none of them (no reference, or none
 * that reaches an item). What tells one item of the same debtor from another, in the order it
 * counts:
 *
 * 1. The amount paid is the item's open amount (else its original amount).
 * 2. Whether the payer is the item's debtor: the payer's IBAN on file, or the same name from an
 *    account that does not contradict the one on file, above a name inside a longer name or a
 *    learned IBAN, above a stranger.
 * 3. What the text says: the words of the item's purpose ("Hundesteuer", "Jahresgebühr
 *    Stadtbibliothek"), a month or a quarter its due date falls in ("Januar", "Q1").
 * 4. A claim issued twice (same debtor, amount, due date and purpose: a notice sent again and
 *    booked as a second item). The payer was asked for it twice and pays it once; the first issue
 *    is the claim, the second the copy to be cancelled. The first issue ranks above a claim issued
 *    once, the copy below it.
 * 5. The payer's IBAN on file for this item rather than the same name alone: namesakes are told
 *    apart by their accounts. It comes after 3 and 4 because it says who the debtor is, not which of
 *    the debtor's claims is paid (which item got the account recorded is chance).
 * 6. The older item first (§ 366 Abs. 2 BGB: among equal claims the older one is paid), then the
 *    earlier due date.
 *
 * Steps 3 to 6 are guesses where 1 and 2 tie; the decision says so ("ambiguous").
 */
export interface RankedPayerItem {
  e: ItemEvidence;
  /** How strongly the payer points at the item's debtor (score.ts payerRank). */
  payer: number;
  /** Words of the text that name this item's purpose or period. */
  hint: number;
  /** 2 first issue of a claim issued twice, 1 issued once, 0 a second issue. */
  issue: 0 | 1 | 2;
  /** For a claim issued twice: the other issue. */
  twin: ItemEvidence | undefined;
}

export function rankPayerItems(items: readonly ItemEvidence[], remittance: readonly string[]): RankedPayerItem[] {
  const text = textWords(remittance);
  const ranked: RankedPayerItem[] = items.map((e) => {
    const payer = payerRank(e);
    let issue: RankedPayerItem['issue'] = 1;
    let twin: ItemEvidence | undefined;
    for (const o of items) {
      if (o === e || !sameClaim(e, o)) continue;
      const first = e.entry.seq < o.entry.seq;
      // Three or more issues: the first is the claim, every later one a copy.
      if (!first) {
        issue = 0;
        twin = o;
        break;
      }
      issue = 2;
      twin ??= o;
    }
    return { e, payer, hint: hintScore(e, text), issue, twin };
  });
  return ranked.sort(comparePayerItems);
}

/** Same place in the ranking up to the guesses (steps 1 and 2). */
export function tiedOnEvidence(a: RankedPayerItem, b: RankedPayerItem): boolean {
  return amountRank(a.e) === amountRank(b.e) && debtorRank(a.payer) === debtorRank(b.payer);
}

/** What put `top` before the others it is tied with (steps 3 to 6). */
export function guessBasis(top: RankedPayerItem, ties: readonly RankedPayerItem[]): GuessBasis {
  if (ties.some((r) => r.hint < top.hint)) return 'text';
  if (ties.some((r) => r.hint === top.hint && r.issue < top.issue)) return 'issuedTwice';
  if (ties.some((r) => r.hint === top.hint && r.issue === top.issue && r.payer < top.payer)) return 'ibanOnFile';
  return 'oldest';
}

function amountRank(e: ItemEvidence): number {
  return e.amount === 'open' ? 2 : e.amount === 'original' ? 1 : 0;
}

function comparePayerItems(a: RankedPayerItem, b: RankedPayerItem): number {
  const ka = [amountRank(a.e), debtorRank(a.payer), a.hint, a.issue, a.payer];
  const kb = [amountRank(b.e), debtorRank(b.payer), b.hint, b.issue, b.payer];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return kb[i]! - ka[i]!;
  if (a.e.entry.seq !== b.e.entry.seq) return a.e.entry.seq - b.e.entry.seq;
  const da = a.e.entry.item.dueDate;
  const db = b.e.entry.item.dueDate;
  return da === db ? 0 : da < db ? -1 : 1;
}

/**
 * The payer rank as far as it says whose item it is: the IBAN on file and the same name from an
 * account that does not contradict it (payerStrong) both say "the debtor", and count alike here.
 */
function debtorRank(payer: number): number {
  return Math.min(payer, 4);
}

/** Both items belong to one debtor: the same name, and no two different IBANs on file. */
export function sameDebtor(a: ItemEvidence, b: ItemEvidence): boolean {
  if (a.entry.nameKey !== b.entry.nameKey) return false;
  const ia = a.entry.item.debtorIban?.replace(/\s+/g, '').toUpperCase();
  const ib = b.entry.item.debtorIban?.replace(/\s+/g, '').toUpperCase();
  return !ia || !ib || ia === ib;
}

/** One claim booked twice: same debtor, amount, currency, due date, category and purpose. */
function sameClaim(a: ItemEvidence, b: ItemEvidence): boolean {
  const x = a.entry.item;
  const y = b.entry.item;
  return (
    sameDebtor(a, b) &&
    x.amountMinor === y.amountMinor &&
    x.currency === y.currency &&
    x.dueDate === y.dueDate &&
    x.category === y.category &&
    (x.description ?? '') === (y.description ?? '')
  );
}

interface TextWords {
  words: Set<string>;
  months: Set<number>;
}

/** German month names as banks fold them (ä → AE), with the usual abbreviations. */
const MONTHS: ReadonlyArray<readonly string[]> = [
  ['JANUAR', 'JAN', 'JAENNER'],
  ['FEBRUAR', 'FEB'],
  ['MAERZ', 'MRZ', 'MAR'],
  ['APRIL', 'APR'],
  ['MAI'],
  ['JUNI', 'JUN'],
  ['JULI', 'JUL'],
  ['AUGUST', 'AUG'],
  ['SEPTEMBER', 'SEP', 'SEPT'],
  ['OKTOBER', 'OKT'],
  ['NOVEMBER', 'NOV'],
  ['DEZEMBER', 'DEZ'],
];
const MONTH_OF = new Map<string, number>(MONTHS.flatMap((names, i) => names.map((n) => [n, i + 1] as const)));

/** Words of the purpose that say nothing about which claim it is. */
const FILLER = new Set(['GEBUEHR', 'GEBUEHREN', 'ZAHLUNG', 'BETRAG', 'RECHNUNG', 'BESCHEID', 'STADT', 'KASSE', 'STADTKASSE', 'FUER', 'VOM', 'DEN', 'DER', 'DIE', 'DAS', 'UND']);

function textWords(lines: readonly string[]): TextWords {
  const folded = foldText(lines.join(' '));
  const words = new Set(folded.split(/[^A-Z0-9]+/).filter((w) => w.length > 0));
  const months = new Set<number>();
  for (const w of words) {
    const m = MONTH_OF.get(w);
    if (m !== undefined) months.add(m);
  }
  // Quarters: "Q1", "1. Quartal", "I. Quartal".
  for (const q of folded.matchAll(/\bQ\s?([1-4])\b|\b([1-4]|I{1,3}|IV)\.?\s*QUARTAL\b/g)) {
    const n = q[1] ?? q[2]!;
    const k = /^\d$/.test(n) ? Number(n) : ({ I: 1, II: 2, III: 3, IV: 4 } as Record<string, number>)[n]!;
    for (let m = 3 * k - 2; m <= 3 * k; m++) months.add(m);
  }
  return { words, months };
}

/**
 * How many words of the text name this item: words of its purpose (four letters or more, not
 * filler), and a month or quarter that its due date or purpose falls in.
 */
function hintScore(e: ItemEvidence, text: TextWords): number {
  if (text.words.size === 0) return 0;
  let score = 0;
  const purpose = foldText(`${e.entry.item.description ?? ''} ${e.entry.item.category}`)
    .split(/[^A-Z0-9]+/)
    .filter((w) => w.length >= 4 && !FILLER.has(w) && !MONTH_OF.has(w));
  for (const w of new Set(purpose)) if (text.words.has(w)) score++;
  if (text.months.size > 0) {
    const due = /^\d{4}-(\d{2})/.exec(e.entry.item.dueDate);
    const purposeMonths = foldText(e.entry.item.description ?? '')
      .split(/[^A-Z]+/)
      .map((w) => MONTH_OF.get(w))
      .filter((m): m is number => m !== undefined);
    const months = purposeMonths.length > 0 ? purposeMonths : due ? [Number(due[1])] : [];
    if (months.some((m) => text.months.has(m))) score++;
  }
  return score;
}
