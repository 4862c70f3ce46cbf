/**
 * Where a refund run and its refunds stand. One list per kind; labels are typed Record<State, …>
 * so a new state without a label does not compile.
 */
export const REFUND_RUN_STATUSES = ['draft', 'released', 'cancelled'] as const;
export type RefundRunStatus = (typeof REFUND_RUN_STATUSES)[number];

/**
 * in_run: gathered into a run nobody released yet · sent: in a released file, on its way ·
 * booked: the statement shows the debit · bounced: the payee's bank sent it back (a person decides
 * about the credit that brought it back) · cancelled: its run was cancelled before release.
 */
export const REFUND_STATES = ['in_run', 'sent', 'booked', 'bounced', 'cancelled'] as const;
export type RefundState = (typeof REFUND_STATES)[number];

/** Refunds that stand for their receipt: the receipt cannot be gathered again nor un-marked. */
export const STANDING_REFUND_STATES = ['in_run', 'sent', 'booked', 'bounced'] as const satisfies readonly RefundState[];
