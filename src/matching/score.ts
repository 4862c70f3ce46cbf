import type { MatchConfig } from './config.js';
import type { RefCandidate } from './extract.js';
import { signatureOf, type IndexedItem, type ItemIndex, type NearMissKind } from './index.js';
import { compareSignatures, normalizeIban, payerSignature, type NameMatch, type NameToken } from './names.js';
import { passes, shapeOf, type SchemeAlgorithm } from './schemes.js';
import type { KnownPayer, KnownPayers, MatchableTransaction } from './types.js';
import { reason, type NameRole, type Reason } from './reasons.js';

/** How the transaction points at an item by reference. */
export type RefEvidence =
  | { kind: 'exact'; candidate: RefCandidate; protectedBy?: SchemeAlgorithm }
  | {
      kind: 'near';
      candidate: RefCandidate;
      nearKind: NearMissKind;
      /** The quoted token itself passes the check digit of its class: a real-looking reference that was never issued. */
      tokenWellFormed: boolean;
      protectedBy?: SchemeAlgorithm;
    }
  | { kind: 'none' };

export type AmountFit = 'open' | 'original' | 'less' | 'more';

export interface ItemEvidence {
  entry: IndexedItem;
  /** Open amount as the matcher sees it (after earlier bookings of the same run). */
  openMinor: bigint;
  ref: RefEvidence;
  amount: AmountFit;
  payer: NameMatch;
  ultimate: NameMatch;
  iban: 'item' | 'known' | 'none';
  knownConfirmations: number;
  /** The item has an IBAN on file and the payer paid from another account. */
  ibanDiffers: boolean;
}

export interface ScoreContext {
  index: ItemIndex;
  config: MatchConfig;
  knownPayers: KnownPayers;
  openOf: (e: IndexedItem) => bigint;
  /** The payer as every item is compared with it, worked out once per transaction (payerView). */
  payer: PayerView;
}

export interface PayerView {
  name: NameToken[] | undefined;
  ultimate: NameToken[] | undefined;
  iban: string | undefined;
  /** Learned accounts of the payer's IBAN with enough confirmations. */
  known: readonly KnownPayer[];
}

export function payerView(tx: MatchableTransaction, knownPayers: KnownPayers, config: MatchConfig): PayerView {
  const iban = normalizeIban(tx.debtorIban);
  return {
    name: tx.debtorName ? payerSignature(tx.debtorName) : undefined,
    ultimate: tx.ultimateDebtorName ? payerSignature(tx.ultimateDebtorName) : undefined,
    iban,
    known: iban ? knownPayers(iban).filter((k) => k.confirmations >= config.knownPayerMinConfirmations) : [],
  };
}

/**
 * The check digit that protects this one reference, if any. Judged per reference: the class must
 * use a check digit AND the reference itself must pass it (a hand-keyed legacy item that fails
 * its class's check digit is not protected by it). Under mod 11 with remainder 10 written as 0, a
 * trailing 0 is reached from two remainders, so such a reference is not protected either.
 */
export function protectionOf(index: ItemIndex, normalized: string): SchemeAlgorithm | undefined {
  const s = shapeOf(normalized);
  if (!s) return undefined;
  const alg = index.schemes.verdict(s).algorithm;
  if (alg === undefined || !passes(alg, s.digits)) return undefined;
  if (alg === 'mod11-r10z' && s.digits.endsWith('0')) return undefined;
  // A supplied number may share the shape of a class our own numbers protect and pass by chance;
  // the numbers issued beside it carried no such digit, so a slip of one of them can land on it.
  if (index.byReference(normalized).some((e) => e.item.referenceUnchecked === true)) return undefined;
  return alg;
}

/** Does the token pass the check digit of the class it would belong to? */
export function tokenWellFormed(index: ItemIndex, normalized: string): boolean {
  const s = shapeOf(normalized);
  if (!s) return false;
  const v = index.schemes.verdict(s);
  if (v.algorithm === undefined || !passes(v.algorithm, s.digits)) return false;
  // Under mod 11 with 10 written as 0, a trailing 0 is reached from two remainders, so a slip can
  // keep it valid (sample day 12: 330060465860 for 330000465860). Such a token proves nothing.
  if (v.algorithm === 'mod11-r10z' && s.digits.endsWith('0')) return false;
  return true;
}

export function evidenceFor(tx: MatchableTransaction, entry: IndexedItem, ref: RefEvidence, ctx: ScoreContext): ItemEvidence {
  const open = ctx.openOf(entry);
  const amt = tx.amountMinor;
  const amount: AmountFit = amt === open && open > 0n ? 'open' : amt === entry.item.amountMinor ? 'original' : amt < open ? 'less' : 'more';
  const p = ctx.payer;
  const sameMin = ctx.config.nameSameMin;
  const payer = p.name ? compareSignatures(p.name, signatureOf(entry), sameMin) : 'none';
  const ultimate = p.ultimate ? compareSignatures(p.ultimate, signatureOf(entry), sameMin) : 'none';
  let iban: ItemEvidence['iban'] = 'none';
  let knownConfirmations = 0;
  if (p.iban) {
    if (entry.iban === p.iban) iban = 'item';
    else {
      for (const k of p.known) {
        if (k.debtorNameKey === entry.nameKey) {
          iban = 'known';
          knownConfirmations = Math.max(knownConfirmations, k.confirmations);
        }
      }
    }
  }
  const ibanDiffers = p.iban !== undefined && entry.iban !== undefined && entry.iban !== p.iban;
  return { entry, openMinor: open, ref, amount, payer, ultimate, iban, knownConfirmations, ibanDiffers };
}

/** Some sign that the payer is the debtor or pays for them (weak signs included). */
export function payerCorroborates(e: ItemEvidence): boolean {
  return e.payer === 'same' || e.payer === 'contains' || e.ultimate === 'same' || e.ultimate === 'contains' || e.iban !== 'none';
}

/**
 * The payer is this item's debtor as far as the statement can tell: the IBAN on file, or the same
 * name paid from an account that does not contradict the one on file (a namesake pays from their
 * own account). A name inside a longer name, a shared surname or a learned IBAN is not enough: a
 * relative, a property manager or a parent pays for several people.
 */
export function payerStrong(e: ItemEvidence): boolean {
  if (e.iban === 'item') return true;
  return (e.payer === 'same' || e.ultimate === 'same') && !e.ibanDiffers;
}

/** Any sign at all that the payer belongs to this item's debtor (a shared surname included). */
export function payerRelated(e: ItemEvidence): boolean {
  return payerCorroborates(e) || e.payer === 'family' || e.ultimate === 'family';
}

export function amountCorroborates(e: ItemEvidence): boolean {
  return e.amount === 'open';
}

/**
 * Confidence in basis points. Used to rank suggestions and shown to staff; the auto/review
 * decision itself is made by explicit rules in decide.ts, not by a threshold on this number.
 */
export function confidenceOf(e: ItemEvidence): number {
  let bp: number;
  switch (e.ref.kind) {
    case 'exact':
      bp = e.ref.protectedBy ? 9300 : 8200;
      if (e.ref.candidate.source === 'structured' || e.ref.candidate.source === 'rf') bp += 300;
      break;
    case 'near':
      bp = e.ref.tokenWellFormed ? 4000 : 6500;
      break;
    case 'none':
      bp = 2000;
      break;
  }
  if (e.amount === 'open') bp += 400;
  else if (e.amount === 'original') bp += 200;
  else if (e.openMinor === 0n) bp -= 1500;
  else bp -= 300;
  if (e.payer === 'same' || e.ultimate === 'same') bp += 300;
  else if (e.payer === 'contains' || e.ultimate === 'contains') bp += 200;
  else if (e.payer === 'family' || e.ultimate === 'family') bp += 50;
  if (e.iban !== 'none') bp += 250;
  return Math.max(0, Math.min(9990, bp));
}

function refRank(e: ItemEvidence): number {
  if (e.ref.kind === 'exact') return e.ref.protectedBy ? 4 : 3;
  if (e.ref.kind === 'near') return e.ref.tokenWellFormed ? 1 : 2;
  return 0;
}

/** How strongly the payer points at this item's debtor (ranking; 5 = IBAN on file). */
export function payerRank(e: ItemEvidence): number {
  if (payerStrong(e)) return e.iban === 'item' ? 5 : 4;
  if (e.payer === 'same' || e.ultimate === 'same') return 3;
  if (payerCorroborates(e)) return e.ibanDiffers ? 1 : 2;
  return e.payer === 'family' || e.ultimate === 'family' ? 1 : 0;
}

/**
 * Ranking of the items a payment may be meant for: reference strength, then amount fit, then
 * whether the payer fits (the IBAN on file above the same name alone; the same name paid from
 * another account than the one on file ranks lower, as namesakes are told apart by their
 * accounts), then the older item first (the debtor most likely pays the claim they received
 * first; re-issued duplicates come later), then the earlier due date.
 */
export function compareEvidence(a: ItemEvidence, b: ItemEvidence): number {
  const keys = (e: ItemEvidence): number[] => [refRank(e), e.amount === 'open' ? 2 : e.amount === 'original' ? 1 : 0, payerRank(e)];
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return kb[i]! - ka[i]!;
  if (a.entry.seq !== b.entry.seq) return a.entry.seq - b.entry.seq;
  if (a.entry.item.dueDate !== b.entry.item.dueDate) return a.entry.item.dueDate < b.entry.item.dueDate ? -1 : 1;
  return 0;
}

export function nameReason(role: NameRole, m: NameMatch, debtor: string): Reason | undefined {
  return m === 'same' || m === 'contains' || m === 'family' ? reason('nameAgrees', { role, agreement: m, debtor }) : undefined;
}
