/**
 * Books a plan with the ledger's primitives, inside the caller's transaction. Called by the verbs
 * when a booking may take effect at once, and by `approve` when a second person agreed to it.
 */
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/database.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { formatMinor } from '../../money/money.js';
import { allocate, reverseAllocation } from '../booking/ledger.js';
import { forgetPayer, learnPayer } from '../booking/runMatching.js';
import { assertLedger } from '../booking/writer.js';
import { carryOutRefund, carryOutReturn } from './departures.js';
import type { BookingPlan } from './plan.js';
import { carryOutRefundRun } from './refundRunDebit.js';
import { stateAfterBooking } from './states.js';

export interface PaymentState {
  transactionId: string;
  ref: string;
  state: string;
  version: number;
  unapplied: string;
  currency: string;
}

export interface Booked extends PaymentState {
  outcome: 'booked';
  /** Allocations made by this booking (none for a reversal). */
  allocations: Array<{ id: string; itemId: string; kassenzeichen: string; amount: string; itemStatus: string }>;
  /** The allocation undone by a reversal. */
  reversedAllocationId?: string;
  /** The allocations undone by a return. */
  reversedAllocationIds?: string[];
  /** The outgoing payment a refund or return was booked with. */
  linkedTransactionId?: string;
}

export async function paymentState(tx: Tx, transactionId: string): Promise<PaymentState> {
  const r = await tx.bankTransaction.findUnique({ where: { id: transactionId } });
  if (!r) throw new NotFoundError('payment', transactionId);
  return { transactionId: r.id, ref: `${r.entryRef}#${r.position}`, state: r.matchState, version: r.version, unapplied: formatMinor(r.unappliedMinor, r.currency), currency: r.currency };
}

export interface CarryOutOptions {
  /** Receipt states the booking may start from (the caller's view of it); anything else is a 409. */
  expectStates: string[];
  /**
   * The receipt version the decision was made on (what the clerk saw, or what the approval held):
   * a booking on top of someone else's change since is a 409.
   */
  expectVersion?: number;
  approvalId?: string;
}

/**
 * Carries out a person's booking (or the one a second person approved) and asserts the ledger of
 * every payment it touched in the database (writer.ts assertLedger), whatever the kind of booking.
 */
export async function carryOut(tx: Tx, ctx: Ctx, plan: BookingPlan, opts: CarryOutOptions): Promise<Booked> {
  const booked = await carryOutPlan(tx, ctx, plan, opts);
  await assertLedger(tx, ctx, [plan.transactionId, ...(booked.linkedTransactionId ? [booked.linkedTransactionId] : [])]);
  return booked;
}

async function carryOutPlan(tx: Tx, ctx: Ctx, plan: BookingPlan, opts: CarryOutOptions): Promise<Booked> {
  if (plan.kind === 'refund') {
    await carryOutRefund(tx, ctx, plan, opts);
    return { outcome: 'booked', ...(await paymentState(tx, plan.transactionId)), allocations: [], linkedTransactionId: plan.refundTransactionId };
  }
  if (plan.kind === 'return') {
    await carryOutReturn(tx, ctx, plan, opts);
    return { outcome: 'booked', ...(await paymentState(tx, plan.transactionId)), allocations: [], reversedAllocationIds: plan.allocationIds, linkedTransactionId: plan.returnTransactionId };
  }
  if (plan.kind === 'refund_run') {
    await carryOutRefundRun(tx, ctx, plan, opts);
    return { outcome: 'booked', ...(await paymentState(tx, plan.transactionId)), allocations: [] };
  }
  if (plan.kind === 'reversal') {
    const r = await tx.bankTransaction.findUnique({ where: { id: plan.transactionId } });
    if (!r) throw new NotFoundError('payment', plan.transactionId);
    if (!opts.expectStates.includes(r.matchState) || (opts.expectVersion !== undefined && opts.expectVersion !== r.version)) {
      throw new ConflictError(`payment ${r.entryRef}#${r.position} changed since it was looked at (it is ${r.matchState} now); reload it`, { state: r.matchState, currentVersion: r.version });
    }
    try {
      await reverseAllocation(tx, ctx, { allocationId: plan.allocationId, reason: plan.reason, moneyStays: true, newReceiptState: 'review' });
    } catch (err) {
      // Two clerks undoing the same allocation: the reversal row is unique per allocation.
      if (isUniqueViolation(err)) throw new ConflictError(`allocation ${plan.allocationId} was reversed by someone else at the same moment; reload it`);
      throw err;
    }
    // A person undid this booking: the payer's IBAN no longer says it pays for that debtor.
    await forgetPayer(tx, r, [plan.itemId]);
    return { outcome: 'booked', ...(await paymentState(tx, plan.transactionId)), allocations: [], reversedAllocationId: plan.allocationId };
  }

  const receipt = await tx.bankTransaction.findUnique({ where: { id: plan.transactionId } });
  if (!receipt) throw new NotFoundError('payment', plan.transactionId);
  // The payment row is locked (PostgreSQL) or the only writer (SQLite) from here to the claim in
  // allocate(), so the version checked here is the version claimed.
  if (opts.expectVersion !== undefined && opts.expectVersion !== receipt.version) {
    throw new ConflictError(`payment ${receipt.entryRef}#${receipt.position} changed since it was looked at (it is ${receipt.matchState} now); reload it`, { state: receipt.matchState, currentVersion: receipt.version });
  }
  const total = plan.lines.reduce((sum, l) => sum + l.amountMinor, 0n);
  const booked = await allocate(tx, ctx, {
    transactionId: plan.transactionId,
    lines: plan.lines.map((l) => ({ itemId: l.itemId, amountMinor: l.amountMinor })),
    kind: plan.kind === 'confirm_suggestion' ? 'confirmed' : 'manual',
    reason: plan.reason,
    ...(plan.kind === 'confirm_suggestion' ? { proposalId: plan.proposalId } : {}),
    ...(opts.approvalId ? { approvalId: opts.approvalId } : {}),
    // What the allocation leaves stays in suspense and in the queue, waiting for its own decision.
    matchState: stateAfterBooking(receipt.unappliedMinor - total),
    expectStates: opts.expectStates,
  });
  // A person confirmed that this account pays for this debtor: later near-misses from it score higher.
  if (plan.kind === 'confirm_suggestion') await learnPayer(tx, receipt, booked.items.map((i) => i.id));
  return {
    outcome: 'booked',
    ...(await paymentState(tx, plan.transactionId)),
    allocations: booked.allocationIds.map((id, i) => ({
      id,
      itemId: booked.items[i]!.id,
      kassenzeichen: booked.items[i]!.kassenzeichen,
      amount: formatMinor(plan.lines[i]!.amountMinor, receipt.currency),
      itemStatus: booked.items[i]!.status,
    })),
  };
}
