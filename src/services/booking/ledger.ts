/**
 * The booking primitives: applying a receipt to open items, undoing that, and moving money in and
 * out of suspense (Verwahrung). Every fact is a new row (allocations, reversals, suspense movements,
 * audit entries); the only updated columns are the derived balances next to them (an item's paid
 * sum, a receipt's unapplied amount), always under a version check and asserted after writing.
 *
 * Invariant per receipt (credit transaction), after any of these:
 *   amount = Σ live allocations + unappliedMinor, and Σ suspense movements = unappliedMinor.
 */
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { formatMinor } from '../../money/money.js';
import { applyItemBalanceChange } from '../items/changeOpenItem.js';
import { bookingFacts, type AllocationKind } from './facts.js';
import { readItems, readReceipts, readSubscriptions, storeBookingFacts } from './writer.js';
import { writeAudit } from '../shared/audit.js';
import { newId } from '../shared/ids.js';
import { indexWaitingReceipts, WAITING_STATES } from './waitingReceipts.js';
import { PAID_BACK_REASONS, type SuspenseReason } from './suspense.js';

export { PAID_BACK_REASONS, SUSPENSE_REASONS, type SuspenseReason } from './suspense.js';

export interface AllocationLine {
  itemId: string;
  amountMinor: bigint;
}

export type { AllocationKind } from './facts.js';

export interface AllocateInput {
  transactionId: string;
  lines: AllocationLine[];
  kind: AllocationKind;
  reason: string;
  proposalId?: string;
  approvalId?: string;
  /** New state of the receipt afterwards (auto, manual …). */
  matchState: string;
  /** Receipt states this booking may start from (the caller's view of it); anything else is a 409. */
  expectStates: string[];
  /** For auto-bookings: the part that goes to suspense as an overpayment. */
  surplusMinor?: bigint;
  /** The receipt version the decision was made on (a clerk's screen, a matcher run). */
  expectVersion?: number;
  /** Item versions the decision was made on: an item changed since (paid by someone else) is a 409. */
  expectItemVersions?: ReadonlyMap<string, number>;
  /** The payer's IBAN is remembered for the debtors paid. */
  learnPayer?: boolean;
}

export interface AllocatedItem {
  id: string;
  kassenzeichen: string;
  status: string;
}

/**
 * Applies a receipt to items: the one booking path (facts.ts decides, writer.ts stores), here for
 * a single receipt. The receipt must still be in one of `expectStates` (two clerks, or a clerk and
 * the matcher, racing for the same receipt: one wins, the other gets a ConflictError).
 */
export async function allocate(tx: Tx, ctx: Ctx, input: AllocateInput): Promise<{ allocationIds: string[]; items: AllocatedItem[] }> {
  const receipts = await readReceipts(tx, [input.transactionId]);
  if (!receipts.has(input.transactionId)) throw new NotFoundError('bank transaction', input.transactionId);
  const items = await readItems(tx, input.lines.map((l) => l.itemId));
  for (const l of input.lines) if (!items.has(l.itemId)) throw new NotFoundError('open item', l.itemId);
  const facts = bookingFacts(
    { receipts, items, subscriptions: await readSubscriptions(tx, items.values()) },
    [{ type: 'allocate', ...input }],
    { actor: ctx.actor, requestId: ctx.requestId ?? null, now: ctx.clock.now() },
  );
  await storeBookingFacts(tx, ctx, facts);
  const outcome = facts.outcomes[0]!;
  return { allocationIds: outcome.allocationIds, items: outcome.items.map((i) => ({ id: i.id, kassenzeichen: i.kassenzeichen, status: i.status })) };
}

/**
 * Undoes one allocation with a reversal row; the item's paid sum goes down and it reopens. When the
 * money is still ours (a clerk's correction), it goes back to suspense; when the bank took it back
 * (a returned payment), it does not.
 */
export async function reverseAllocation(
  tx: Tx,
  ctx: Ctx,
  input: { allocationId: string; reason: string; causedByTransactionId?: string; moneyStays: boolean; newReceiptState?: string },
): Promise<void> {
  const allocation = await tx.allocation.findUnique({ where: { id: input.allocationId }, include: { reversal: true, transaction: true } });
  if (!allocation) throw new NotFoundError('allocation', input.allocationId);
  if (allocation.reversal) throw new ConflictError(`allocation ${allocation.id} was already reversed on ${allocation.reversal.createdAt.toISOString()}`);
  await tx.allocationReversal.create({
    data: {
      id: newId(),
      allocationId: allocation.id,
      reason: input.reason,
      causedByTransactionId: input.causedByTransactionId ?? null,
      createdBy: `${ctx.actor.type}:${ctx.actor.id}`,
      createdAt: ctx.clock.now(),
    },
  });
  await applyItemBalanceChange(tx, ctx, allocation.openItemId, -allocation.amountMinor, { kind: 'reversal', allocationId: allocation.id, reason: input.reason });
  const receipt = allocation.transaction;
  const n = await tx.bankTransaction.updateMany({
    where: { id: receipt.id, version: receipt.version },
    data: {
      unappliedMinor: input.moneyStays ? receipt.unappliedMinor + allocation.amountMinor : receipt.unappliedMinor,
      matchState: input.newReceiptState ?? (input.moneyStays ? 'review' : 'returned'),
      version: { increment: 1 },
    },
  });
  if (n.count !== 1) throw new ConflictError(`payment ${receipt.entryRef}#${receipt.position} was changed at the same moment; reload it`);
  if (input.moneyStays) {
    await moveSuspense(tx, ctx, { transactionId: receipt.id, amountMinor: allocation.amountMinor, currency: allocation.currency, reason: 'unassigned', note: `allocation reversed: ${input.reason}` });
  }
  // Waiting again: new or changed items may claim it (waitingReceipts.ts).
  if (input.moneyStays && (WAITING_STATES as readonly string[]).includes(input.newReceiptState ?? 'review')) await indexWaitingReceipts(tx, ctx, [receipt]);
  await writeAudit(tx, ctx, {
    action: 'allocation.reversed',
    subjectType: 'allocation',
    subjectId: allocation.id,
    reason: input.reason,
    data: { itemId: allocation.openItemId, amount: formatMinor(allocation.amountMinor, allocation.currency), causedByTransactionId: input.causedByTransactionId },
  });
  if (input.moneyStays) await assertReceiptBalanced(tx, receipt.id);
}

export async function moveSuspense(
  tx: Tx,
  ctx: Ctx,
  input: { transactionId: string; amountMinor: bigint; currency: string; reason: SuspenseReason; note?: string },
): Promise<void> {
  if (input.amountMinor === 0n) return;
  await tx.suspenseMovement.create({
    data: {
      id: newId(),
      transactionId: input.transactionId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      reason: input.reason,
      note: input.note ?? null,
      createdBy: `${ctx.actor.type}:${ctx.actor.id}`,
      createdAt: ctx.clock.now(),
    },
  });
}

export async function suspenseBalance(tx: Tx, transactionId: string): Promise<bigint> {
  const agg = await tx.suspenseMovement.aggregate({ where: { transactionId }, _sum: { amountMinor: true } });
  return agg._sum.amountMinor ?? 0n;
}

/** Asserted after every write: the receipt's money is fully accounted for, to the cent. */
export async function assertReceiptBalanced(tx: Tx, transactionId: string): Promise<void> {
  const r = await tx.bankTransaction.findUniqueOrThrow({ where: { id: transactionId } });
  if (r.creditDebit !== 'CRDT') return;
  const live = await tx.allocation.aggregate({ where: { transactionId, reversal: null }, _sum: { amountMinor: true } });
  const allocated = live._sum.amountMinor ?? 0n;
  const held = await suspenseBalance(tx, transactionId);
  // A provider's payout clears its clearing account instead of items (src/services/online/settlement.ts).
  const clearing = await tx.clearingMovement.aggregate({ where: { bankTransactionId: transactionId }, _sum: { amountMinor: true } });
  const cleared = -(clearing._sum.amountMinor ?? 0n);
  if (r.matchState === 'returned') {
    // The bank took the whole payment back: nothing of it may stay on an item or in suspense.
    if (allocated !== 0n || r.unappliedMinor !== 0n || held !== 0n) {
      throw new Error(`invariant: returned payment ${r.id} still has ${allocated} allocated, ${r.unappliedMinor} unapplied, ${held} in suspense`);
    }
    return;
  }
  // Money paid back to the payer (a booked refund) or taken back by the payer's bank (a returned
  // direct debit of a collection credit) left through the bank: it is accounted for too.
  const refunds = await tx.suspenseMovement.aggregate({ where: { transactionId, reason: { in: [...PAID_BACK_REASONS] } }, _sum: { amountMinor: true } });
  const paidBack = -(refunds._sum.amountMinor ?? 0n);
  if (allocated + cleared + paidBack + r.unappliedMinor !== r.amountMinor) {
    throw new Error(`invariant: payment ${r.id} of ${r.amountMinor} has ${allocated} allocated, ${cleared} cleared, ${paidBack} paid back and ${r.unappliedMinor} unapplied`);
  }
  if (held !== r.unappliedMinor) {
    throw new Error(`invariant: payment ${r.id} has ${r.unappliedMinor} unapplied but ${held} in suspense`);
  }
}
