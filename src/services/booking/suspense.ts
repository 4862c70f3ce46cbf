/** The kinds of suspense movement (Verwahrung): one word per reason money moves in or out. */

/**
 * Why money moves into or out of suspense (Verwahrung), one word per kind of movement. Positive
 * movements put money in, negative ones take it out; a receipt's suspense balance is their sum.
 */
export const SUSPENSE_REASONS = {
  /** In: nobody could assign the receipt yet (review, unmatched), or a booking was undone. */
  unassigned: 'in: not assigned to an item yet',
  /** In: what a receipt brought beyond the items it paid. */
  overpayment: 'in: paid more than was open',
  /**
   * In: a credit with the reversal indicator (a debit of ours reversed by the bank, e.g. a refund
   * sent back) that no receipt takes back: money arrived, a person decides what it is for.
   */
  reversal_credit: 'in: a reversed debit of ours, money back on the account',
  parked: 'a person parked it (no money moves)',
  refund_requested: 'marked for refund (no money moves)',
  /** Out: booked to items from suspense. */
  allocated: 'out: booked to items',
  /** Out: paid back to the payer (the refund debit left the bank). */
  refunded: 'out: paid back',
  /** Out: the payer's bank took a collected direct debit back. */
  debit_returned: 'out: a collected direct debit returned',
  /** Out: the bank took the whole receipt back (a return). */
  returned: 'out: the bank took the payment back',
} as const;
export type SuspenseReason = keyof typeof SUSPENSE_REASONS;

/** Reasons of money that left through the bank: accounted for as paid back, not as held. */
export const PAID_BACK_REASONS = ['refunded', 'debit_returned'] as const satisfies readonly SuspenseReason[];
