/**
 * The matcher's suggestions are computed once, when the statement is matched; the items they name
 * go on living (paid by another payment, cancelled, changed). Every time a suggestion is shown or
 * confirmed it is looked at again against the items as they are now, so a clerk never books 35.00
 * onto a fine that someone else paid an hour ago without being told. Pure: suggestion and items in,
 * a verdict out; the review view and the confirm verb both use it, so they cannot disagree.
 */
import type { ReasonCode } from '../../matching/reasons.js';
import { outstandingMinor } from '../items/status.js';

/** An item as it stands now, as far as a suggestion cares. */
export interface ItemNow {
  id: string;
  kassenzeichen: string;
  amountMinor: bigint;
  paidMinor: bigint;
  cancelled: boolean;
}

export interface SuggestedLine {
  itemId: string;
  kassenzeichen: string;
  amountMinor: bigint;
}

/**
 * What became of one line: `fits` (the item still has at least that much open), `exceeds` (less is
 * open than the line books: confirming overpays it), `closed` (nothing open any more: paid since),
 * `cancelled` (the claim was withdrawn), `missing` (the item is gone, e.g. erased by its issuer).
 */
export type LineStanding = 'fits' | 'exceeds' | 'closed' | 'cancelled' | 'missing';

export interface ReassessedLine extends SuggestedLine {
  standing: LineStanding;
  /** What the item has open now (0 for closed, cancelled or missing). */
  openMinor: bigint;
  /** How much confirming the line would pay beyond what is open (0 when it fits). */
  overpayMinor: bigint;
}

/**
 * The whole suggestion: `bookable` as proposed, `overpays` (bookable only when the person says so
 * explicitly), `stale` (an item is cancelled or gone, or every item is already paid: it cannot be
 * confirmed; the person allocates by hand).
 */
export type SuggestionStanding = 'bookable' | 'overpays' | 'stale';

export interface Reassessed {
  standing: SuggestionStanding;
  lines: ReassessedLine[];
  overpayMinor: bigint;
  /** The matcher itself doubts it: the quick keys alone do not book it (see DOUBT below). */
  doubtful: boolean;
  /** The reasons that speak against it (codes), for the page to name. */
  against: ReasonCode[];
}

/**
 * Below this confidence a suggestion is a guess the person has to look at, not a proposal to accept
 * with two keys: the matcher books on its own from 95 %, and what it leaves between 70 % and 95 % has
 * its reference or amount confirmed by at least one other fact; under 70 % one fact stands alone.
 */
export const DOUBT_BELOW_BP = 7000;

/**
 * Which reasons count for, against, or say nothing about a suggestion. A `Record` over every code,
 * so a reason the matcher learns to give does not compile until someone decided what it means here.
 */
export const REASON_WEIGHT: Record<ReasonCode, 'for' | 'against' | 'neutral'> = {
  referenceFound: 'for',
  checkDigitProtects: 'for',
  nearMiss: 'neutral',
  amountEqualsOpen: 'for',
  amountEqualsOriginal: 'neutral',
  nothingOpen: 'against',
  partialPayment: 'neutral',
  amountExceedsOpen: 'neutral',
  nameAgrees: 'for',
  ibanOnFile: 'for',
  ibanLearned: 'for',
  tooManyCandidates: 'neutral',
  doublePayment: 'against',
  unprotectedUncorroborated: 'against',
  partialNotAutomatic: 'neutral',
  overpaymentNotAutomatic: 'neutral',
  amountCoversMistypedItem: 'against',
  overpaymentWithUnknownReference: 'against',
  payersItemOneSlipAway: 'neutral',
  overpaymentToSuspense: 'neutral',
  severalReferences: 'neutral',
  amountEqualsSum: 'for',
  alreadyPaid: 'against',
  someItemsAddUp: 'neutral',
  amountExceedsSum: 'neutral',
  splitInQuotedOrder: 'neutral',
  ambiguousNearMiss: 'against',
  wellFormedUnknownReference: 'against',
  itemAlreadyPaid: 'against',
  nearMissNotAutomatic: 'neutral',
  amountNotOpen: 'against',
  payerNotDebtor: 'against',
  referenceNotFound: 'against',
  noReference: 'against',
  payersOpenItems: 'neutral',
  noItemOfPayer: 'against',
  splitOver: 'neutral',
  leftForSuspense: 'neutral',
  bankCharges: 'against',
  outgoingPayment: 'against',
  batchWithoutDetails: 'against',
  detailsDisagreeWithEntry: 'against',
  returnedWithCode: 'against',
  returnedReversal: 'against',
  returnedByTransactionCode: 'against',
  returnRefersTo: 'neutral',
  returnEndToEndId: 'neutral',
  returnedInWords: 'against',
  outgoingPaymentReturned: 'against',
  slipNeighbour: 'against',
  sameAmountNoEvidence: 'against',
  surplusPaysOtherItem: 'neutral',
  ambiguousChoice: 'against',
  issuedTwice: 'neutral',
};

/** Reasons as stored: facts with a code, or (older proposals) plain sentences, which weigh nothing. */
export function reasonsAgainst(reasons: ReadonlyArray<{ code: ReasonCode } | string>): ReasonCode[] {
  return reasons.flatMap((r) => (typeof r !== 'string' && REASON_WEIGHT[r.code] === 'against' ? [r.code] : []));
}

export function reassessSuggestion(s: { lines: readonly SuggestedLine[]; confidenceBp: number; reasons: ReadonlyArray<{ code: ReasonCode } | string> }, items: ReadonlyMap<string, ItemNow>): Reassessed {
  // Two lines on one item (never proposed, but a stored proposal is data) share what is open.
  const left = new Map<string, bigint>();
  const lines = s.lines.map((l): ReassessedLine => {
    const item = items.get(l.itemId);
    if (!item) return { ...l, standing: 'missing', openMinor: 0n, overpayMinor: 0n };
    if (item.cancelled) return { ...l, standing: 'cancelled', openMinor: 0n, overpayMinor: 0n };
    const open = left.get(item.id) ?? outstandingMinor(item.amountMinor, item.paidMinor, false);
    left.set(item.id, open > l.amountMinor ? open - l.amountMinor : 0n);
    if (open === 0n) return { ...l, standing: 'closed', openMinor: 0n, overpayMinor: l.amountMinor };
    if (l.amountMinor > open) return { ...l, standing: 'exceeds', openMinor: open, overpayMinor: l.amountMinor - open };
    return { ...l, standing: 'fits', openMinor: open, overpayMinor: 0n };
  });
  const overpayMinor = lines.reduce((sum, l) => sum + l.overpayMinor, 0n);
  const gone = lines.some((l) => l.standing === 'cancelled' || l.standing === 'missing') || lines.every((l) => l.standing === 'closed');
  const standing: SuggestionStanding = gone ? 'stale' : overpayMinor > 0n ? 'overpays' : 'bookable';
  const against = reasonsAgainst(s.reasons);
  return { standing, lines, overpayMinor, doubtful: against.length > 0 || s.confidenceBp < DOUBT_BELOW_BP, against };
}

/** Suggestions in the order to show them: the most confident first; equal ones as the matcher ranked them. */
export function byConfidence<T extends { confidenceBp: number; index: number }>(suggestions: readonly T[]): T[] {
  return [...suggestions].sort((a, b) => b.confidenceBp - a.confidenceBp || a.index - b.index);
}
