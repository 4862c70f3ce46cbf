/**
 * A booking a person decided, as plain data: what `carryOut` books, and what an Approval stores
 * (`payload`) when the amount needs a second person. The same plan is booked whether it takes
 * effect at once or when approved, so an approver approves exactly what was proposed.
 */

export interface PlanLine {
  itemId: string;
  kassenzeichen: string;
  amountMinor: bigint;
}

export type BookingPlan =
  | { kind: 'confirm_suggestion'; transactionId: string; proposalId: string; suggestion: number; lines: PlanLine[]; reason: string }
  | { kind: 'manual_allocation'; transactionId: string; lines: PlanLine[]; reason: string }
  | { kind: 'reversal'; transactionId: string; allocationId: string; itemId: string; kassenzeichen: string; amountMinor: bigint; reason: string }
  /** What was marked for refund left the bank with `refundTransactionId` (an outgoing debit). */
  | { kind: 'refund'; transactionId: string; refundTransactionId: string; amountMinor: bigint; reason: string }
  /**
   * The bank took receipt `transactionId` back with `returnTransactionId` (a return debit): its
   * live allocations (exactly these, as the person saw them) are reversed and its suspense leaves.
   */
  | { kind: 'return'; transactionId: string; returnTransactionId: string; allocationIds: string[]; amountMinor: bigint; reason: string }
  /**
   * Outgoing debit `transactionId` is refund run `runId`, paid out as one batch booking: every refund
   * of the run is booked with it (src/services/review/refundRunDebit.ts). Always four-eyes.
   */
  | { kind: 'refund_run'; transactionId: string; runId: string; runNumber: number; amountMinor: bigint; reason: string };

export type BookingKind = BookingPlan['kind'];

/** What an Approval row keeps besides the plan: where the receipt stood, to restore or detect change. */
export interface ApprovalPayload {
  plan: BookingPlan;
  /** The receipt's state before it was held for approval; restored when the approval is rejected or fails. */
  previousState: string;
  /** The receipt's version right after it was held: any other change to it makes the approval stale. */
  receiptVersion: number;
}

/** The money a plan moves: what is compared with the four-eyes threshold. */
export function planAmount(plan: BookingPlan): bigint {
  return 'lines' in plan ? plan.lines.reduce((sum, l) => sum + l.amountMinor, 0n) : plan.amountMinor;
}

export function serializePayload(p: ApprovalPayload): string {
  return JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

export function parsePayload(text: string): ApprovalPayload {
  const raw = JSON.parse(text) as { plan: Record<string, unknown> & { lines?: Array<Record<string, unknown>> }; previousState: string; receiptVersion: number };
  const plan = raw.plan;
  const restored = {
    ...plan,
    ...(plan.lines ? { lines: plan.lines.map((l) => ({ ...l, amountMinor: BigInt(l.amountMinor as string) })) } : {}),
    ...(plan.amountMinor !== undefined ? { amountMinor: BigInt(plan.amountMinor as string) } : {}),
  } as unknown as BookingPlan;
  return { plan: restored, previousState: raw.previousState, receiptVersion: raw.receiptVersion };
}
