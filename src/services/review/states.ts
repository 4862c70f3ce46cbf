/**
 * Where a receipt stands, as far as the review queue is concerned. The queue is not a flag: it is
 * every receipt whose latest decision or action left it for a person (BankTransaction.matchState).
 *
 * This file is the one list of those states: the queue, its filter, the verbs and the detail view's
 * available actions all read it, so a state added here is known everywhere and a state used
 * anywhere else is a typo.
 */

/** Every state a bank transaction can be in, with what it means for the treasury. */
export const RECEIPT_STATES = {
  pending: 'imported, not matched yet',
  auto: 'booked by the matcher',
  manual: 'booked by a person; nothing left in suspense',
  review: 'the matcher has suggestions; a person decides',
  unmatched: 'nothing found; a person decides',
  parked: 'a person looked and waits for something; the money stays in suspense',
  awaiting_approval: 'a booking at or above the four-eyes threshold waits for a second person',
  // A payment provider's payout line with a difference (fee, unknown or missing payment); decided
  // with /v1/online/settlements/{id}/accept or /release (src/services/online).
  settlement_review: "a provider's payout with a difference",
  // A provider's payout whose money cleared the provider's clearing account (src/services/online/settlement.ts).
  clearing: "a provider's payout that cleared its online payments",
  refund: 'marked for refund; the money stays in suspense until the bank shows the refund leaving',
  refunded: 'paid back: the refund left the bank (linked debit), suspense is cleared',
  refund_booked: 'an outgoing payment that is the refund of a receipt (linked credit)',
  return: "a returned payment (R-transaction) booked against the receipt it returns",
  // A debit: the return of a receipt the matcher could not find. A credit (the reversal indicator: a
  // debit of ours reversed, e.g. a refund sent back): new money, held in suspense (reason
  // reversal_credit) until a person books, parks or pays it back.
  return_open: "a return whose receipt was not found (a person links it), or a reversed debit of ours whose money waits in suspense",
  returned: 'the bank took this payment back: its bookings are reversed, nothing is in suspense',
  ignored: 'an outgoing payment or bank charge: not a receipt for the receivables ledger',
  duplicate: 'the same entry arrived on an earlier statement',
  not_booked: 'an entry the bank has not booked yet (pending)',
} as const;
export type ReceiptState = keyof typeof RECEIPT_STATES;
export const RECEIPT_STATE_LIST = Object.keys(RECEIPT_STATES) as ReceiptState[];

export function isReceiptState(s: string): s is ReceiptState {
  return Object.hasOwn(RECEIPT_STATES, s);
}

/** States a person is asked to decide; the queue shows these unless told otherwise. */
export const QUEUE_STATES = ['review', 'unmatched', 'return_open', 'parked', 'awaiting_approval', 'settlement_review'] as const satisfies readonly ReceiptState[];

/**
 * Every state the queue can be filtered by: the above, receipts marked for refund, and where
 * refunds and returns ended (to find the receipt a debit belongs to, and for the record).
 */
export const REVIEW_FILTER_STATES = [...QUEUE_STATES, 'refund', 'refunded', 'refund_booked', 'return', 'returned'] as const satisfies readonly ReceiptState[];
export type ReviewState = (typeof REVIEW_FILTER_STATES)[number];

/**
 * States from which a person may book money that is still in suspense (confirm, allocate, park,
 * refund). `auto` and `manual` are here for what an earlier booking left over (an overpayment):
 * the verbs also require money left (`unappliedMinor` > 0). `return_open` for a credit (a reversed
 * debit of ours held in suspense); a debit in it is never decided here (only incoming money is).
 */
export const DECIDABLE_STATES = ['review', 'unmatched', 'parked', 'auto', 'manual', 'return_open'] as const satisfies readonly ReceiptState[];

/** Where the matcher's suggestions can be confirmed from. */
export const CONFIRMABLE_STATES = ['review', 'unmatched', 'parked'] as const satisfies readonly ReceiptState[];

/** A booking above the four-eyes threshold holds the receipt in this state until approved or rejected. */
export const AWAITING_APPROVAL = 'awaiting_approval' satisfies ReceiptState;

/** Marked for refund: waits for the outgoing debit on a later statement (bookRefund) or to be un-marked. */
export const REFUND = 'refund' satisfies ReceiptState;

/**
 * The outgoing payment a refund is booked with: the matcher leaves debits `ignored`. Only those
 * can be linked, so one debit never pays back two receipts.
 */
export const REFUND_DEBIT_STATES = ['ignored'] as const satisfies readonly ReceiptState[];

/** A return whose receipt the matcher could not find; resolveReturn links it by hand. */
export const RETURN_OPEN = 'return_open' satisfies ReceiptState;

/**
 * Receipts a return can take back: the money was ours (booked, in suspense, marked for refund).
 * Not one already returned or refunded (the money is gone already), nor a provider's payout
 * (its money clears the provider's account, src/services/online), nor one held for approval.
 */
export const RETURNABLE_STATES = ['auto', 'manual', 'review', 'unmatched', 'parked', 'refund'] as const satisfies readonly ReceiptState[];

/** Bookings on these receipts cannot be undone one by one: the money left, or is about to. */
export const NOT_REVERSIBLE_STATES = ['refund', 'refunded', 'returned', 'return'] as const satisfies readonly ReceiptState[];

/** The state after a person booked: done when nothing is left, otherwise still waiting for a decision. */
export function stateAfterBooking(unappliedAfterMinor: bigint): 'manual' | 'review' {
  return unappliedAfterMinor === 0n ? 'manual' : 'review';
}

/** What a person can do with a payment from its detail view (the API's `availableActions`). */
export const REVIEW_ACTIONS = ['confirm', 'allocate', 'park', 'mark_refund', 'book_refund', 'unmark_refund', 'resolve_return', 'reverse'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export interface ActionFacts {
  state: string;
  creditDebit: string;
  unappliedMinor: bigint;
  hasSuggestions: boolean;
  liveAllocations: number;
}

/**
 * The verbs that can succeed on a payment as it stands, in the order a clerk would consider them.
 * Pure, so the detail view and the verbs cannot disagree: each entry mirrors a verb's own check.
 */
export function availableActions(f: ActionFacts): ReviewAction[] {
  const is = (list: readonly string[]) => list.includes(f.state);
  const out: ReviewAction[] = [];
  if (f.creditDebit === 'DBIT') {
    if (f.state === RETURN_OPEN) out.push('resolve_return');
    return out;
  }
  if (is(DECIDABLE_STATES) && f.unappliedMinor > 0n) {
    if (f.hasSuggestions && is(CONFIRMABLE_STATES)) out.push('confirm');
    out.push('allocate', 'park', 'mark_refund');
  }
  if (f.state === REFUND) out.push('book_refund', 'unmark_refund');
  if (f.liveAllocations > 0 && f.state !== AWAITING_APPROVAL && !is(NOT_REVERSIBLE_STATES)) out.push('reverse');
  return out;
}
