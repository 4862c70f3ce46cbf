/**
 * An open item's status is derived, never set: from the amount claimed, the sum of live
 * allocations and whether the claim was cancelled. Every writer goes through `itemStatus`, so the
 * stored column cannot disagree with the numbers next to it.
 */
export const ITEM_STATUSES = ['open', 'partly_paid', 'paid', 'overpaid', 'cancelled'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export function itemStatus(amountMinor: bigint, paidMinor: bigint, cancelled: boolean): ItemStatus {
  if (cancelled) return 'cancelled';
  if (paidMinor <= 0n) return 'open';
  if (paidMinor < amountMinor) return 'partly_paid';
  return paidMinor === amountMinor ? 'paid' : 'overpaid';
}

/** What is still owed; never negative (an overpayment is money in suspense, not a negative claim). */
export function outstandingMinor(amountMinor: bigint, paidMinor: bigint, cancelled: boolean): bigint {
  if (cancelled) return 0n;
  return paidMinor >= amountMinor ? 0n : amountMinor - paidMinor;
}
