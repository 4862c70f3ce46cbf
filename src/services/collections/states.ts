/** Where a direct debit and a collection run stand (typed lists; labels are Record<State, …>). */
export const DIRECT_DEBIT_STATES = ['announced', 'in_run', 'sent', 'collected', 'returned', 'cancelled'] as const;
export type DirectDebitState = (typeof DIRECT_DEBIT_STATES)[number];

export const COLLECTION_RUN_STATUSES = ['draft', 'released', 'cancelled'] as const;
export type CollectionRunStatus = (typeof COLLECTION_RUN_STATUSES)[number];

/**
 * Return reasons after which the mandate must not be used again (the rulebook's and the DK's
 * advice): no mandate (MD01), account closed (AC04), account blocked for direct debits (AC06),
 * debtor deceased (MD07). Others (AM04 insufficient funds, MD06 refund on request, MS02/MS03,
 * SL01 …) concern this collection only.
 */
export const MANDATE_BLOCKING_REASONS: Readonly<Record<string, string>> = {
  MD01: 'no valid mandate (MD01)',
  AC04: 'account closed (AC04)',
  AC06: 'account blocked for direct debits (AC06)',
  MD07: 'debtor deceased (MD07)',
};
