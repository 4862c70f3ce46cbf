/**
 * Money of an online payment going back, and online payments that need a person.
 *
 * A provider can take a PAYED payment back (a card chargeback) or refund it to the citizen on our
 * request. Nothing booked is changed: an OnlineReversal row points at the OnlineAllocation it
 * undoes, the item's paid sum drops through applyItemBalanceChange (kind 'reversal': the item is
 * open again and its issuing service is told), and a ClearingMovement −amount ("reversed") says
 * the provider owes us that much less. Reversed after the payout, the position goes below zero:
 * we owe the provider, who deducts it from a later payout (a chargeback line, decided in review).
 *
 * The part of a PAYED payment no item could take (`unallocatedMinor`: the item was cancelled, or a
 * bank transfer paid it while the citizen paid online) is owed back to the citizen. It is not a
 * bank transaction, so it cannot sit in the review queue: such payments are listed with
 * `needsAttention` (GET /v1/online/payments?needsAttention=true and the staff dashboard) until a
 * refund without allocation is recorded here.
 *
 * Invariants (asserted after writing): each allocation is reversed at most once (unique
 * onlineAllocationId); refunds without allocation never exceed unallocatedMinor.
 */
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { formatMinor } from '../../money/money.js';
import { applyItemBalanceChange } from '../items/changeOpenItem.js';
import { writeAudit } from '../shared/audit.js';
import { newId } from '../shared/ids.js';

export const REVERSAL_KINDS = ['chargeback', 'refund'] as const;
export type ReversalKind = (typeof REVERSAL_KINDS)[number];

/** Payments looked at per needsAttention listing (put a limit on everything). */
const ATTENTION_SCAN = 1000;

type PaymentRow = NonNullable<Awaited<ReturnType<Tx['onlinePayment']['findUnique']>>>;
type AllocationRow = NonNullable<Awaited<ReturnType<Tx['onlineAllocation']['findUnique']>>>;
type ReversalRow = NonNullable<Awaited<ReturnType<Tx['onlineReversal']['findUnique']>>>;

export type OnlinePaymentDetail = PaymentRow & { allocations: Array<AllocationRow & { reversal: ReversalRow | null }>; reversals: ReversalRow[]; refundDueMinor: bigint };

const DETAIL = { allocations: { include: { reversal: true }, orderBy: { createdAt: 'asc' as const } }, reversals: { orderBy: { createdAt: 'asc' as const } } } as const;

/** Of the unallocated part, what has not been refunded yet. */
export function refundDue(p: Pick<PaymentRow, 'unallocatedMinor'> & { reversals: Array<Pick<ReversalRow, 'onlineAllocationId' | 'amountMinor'>> }): bigint {
  return p.unallocatedMinor - p.reversals.filter((r) => r.onlineAllocationId === null).reduce((s, r) => s + r.amountMinor, 0n);
}

function detail(p: PaymentRow & { allocations: Array<AllocationRow & { reversal: ReversalRow | null }>; reversals: ReversalRow[] }): OnlinePaymentDetail {
  return { ...p, refundDueMinor: refundDue(p) };
}

export async function getOnlinePayment({ ctx, input }: { ctx: Ctx; input: { id: string } }): Promise<OnlinePaymentDetail> {
  const p = await ctx.db.prisma.onlinePayment.findUnique({ where: { id: input.id }, include: DETAIL });
  if (!p) throw new NotFoundError('online payment', input.id);
  return detail(p);
}

/** Newest first; `needsAttention`: PAYED payments with money still to refund to the citizen. */
export async function listOnlinePayments({ ctx, input }: { ctx: Ctx; input: { status?: string; paymentRequestId?: string; needsAttention?: boolean; limit?: number } }): Promise<OnlinePaymentDetail[]> {
  const limit = Math.min(input.limit ?? 50, 200);
  const where = { ...(input.status ? { status: input.status } : {}), ...(input.paymentRequestId ? { paymentRequestId: input.paymentRequestId } : {}) };
  if (!input.needsAttention) {
    const rows = await ctx.db.prisma.onlinePayment.findMany({ where, orderBy: { createdAt: 'desc' }, take: limit, include: DETAIL });
    return rows.map(detail);
  }
  // Few payments ever have an unallocated part; refunds are subtracted here rather than kept in a flag.
  const rows = await ctx.db.prisma.onlinePayment.findMany({ where: { ...where, status: 'payed', unallocatedMinor: { gt: 0n } }, orderBy: { createdAt: 'desc' }, take: ATTENTION_SCAN, include: DETAIL });
  return rows.map(detail).filter((p) => p.refundDueMinor > 0n).slice(0, limit);
}

/** For the staff dashboard: how many PAYED payments have money to refund, and how much. */
export async function onlineRefundsDue({ ctx }: { ctx: Ctx }): Promise<{ count: number; totalMinor: bigint }> {
  const rows = await ctx.db.prisma.onlinePayment.findMany({ where: { status: 'payed', unallocatedMinor: { gt: 0n } }, select: { unallocatedMinor: true, reversals: { select: { onlineAllocationId: true, amountMinor: true } } }, take: ATTENTION_SCAN });
  const due = rows.map(refundDue).filter((m) => m > 0n);
  return { count: due.length, totalMinor: due.reduce((s, m) => s + m, 0n) };
}

/**
 * Records that the provider took back (chargeback) or refunded money of a PAYED online payment:
 * with `allocationId` that allocation is undone and its item is open again; without, the payment's
 * unallocated part (what no item could take) is refunded, all of it.
 */
export async function reverseOnlinePayment({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { id: string; kind: ReversalKind; reason: string; allocationId?: string; expectedVersion?: number };
}): Promise<OnlinePaymentDetail> {
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 500) throw new ValidationError('reason: say why, in 1 to 500 characters', { field: 'reason' });
  if (!(REVERSAL_KINDS as readonly string[]).includes(input.kind)) throw new ValidationError('kind: chargeback or refund', { field: 'kind' });
  await ctx.db.transaction(async (tx) => {
    const p = await tx.onlinePayment.findUnique({ where: { id: input.id }, include: DETAIL });
    if (!p) throw new NotFoundError('online payment', input.id);
    if (p.status !== 'payed') throw new ConflictError(`online payment ${p.reference} is ${p.status}; only a PAYED payment can be charged back or refunded`);
    if (input.expectedVersion !== undefined && input.expectedVersion !== p.version) throw new ConflictError(`online payment ${p.reference} changed since you read it; reload it`);
    let amountMinor: bigint;
    let allocation: AllocationRow | undefined;
    if (input.allocationId !== undefined) {
      const a = p.allocations.find((x) => x.id === input.allocationId);
      if (!a) throw new NotFoundError('online allocation', input.allocationId);
      if (a.reversal) throw new ConflictError(`online allocation ${a.id} was already reversed (${a.reversal.kind}, ${a.reversal.createdAt.toISOString()})`);
      allocation = a;
      amountMinor = a.amountMinor;
    } else {
      amountMinor = refundDue(p);
      if (amountMinor <= 0n) throw new ConflictError(`online payment ${p.reference} has nothing unallocated to refund; name the allocation to reverse (allocationId)`);
    }
    // Claimed under the version read: two people recording the same refund book it once.
    const claimed = await tx.onlinePayment.updateMany({ where: { id: p.id, version: p.version }, data: { version: { increment: 1 }, updatedAt: ctx.clock.now() } });
    if (claimed.count !== 1) throw new ConflictError(`online payment ${p.reference} was changed at the same moment; reload it`);

    const now = ctx.clock.now();
    const createdBy = `${ctx.actor.type}:${ctx.actor.id}`;
    const id = newId();
    const what = input.kind === 'chargeback' ? 'charged back by the provider' : 'refunded by the provider';
    await tx.onlineReversal.create({ data: { id, onlinePaymentId: p.id, onlineAllocationId: allocation?.id ?? null, amountMinor, currency: p.currency, kind: input.kind, reason, createdBy, createdAt: now } });
    if (allocation) {
      await applyItemBalanceChange(tx, ctx, allocation.openItemId, -amountMinor, { kind: 'reversal', allocationId: allocation.id, reason: `online payment ${p.reference} ${what}: ${reason}` });
    }
    await tx.clearingMovement.create({ data: { id: newId(), provider: p.provider, amountMinor: -amountMinor, currency: p.currency, reason: 'reversed', onlinePaymentId: p.id, note: `${input.kind}: ${reason}`, createdBy, createdAt: now } });
    await writeAudit(tx, ctx, {
      action: `online_payment.${input.kind}`,
      subjectType: 'online_payment',
      subjectId: p.id,
      reason,
      data: { reversalId: id, amount: formatMinor(amountMinor, p.currency), ...(allocation ? { allocationId: allocation.id, itemId: allocation.openItemId } : { unallocated: true }), provider: p.provider },
    });
    await assertReversalsWithinPayment(tx, p.id);
  });
  return getOnlinePayment({ ctx, input: { id: input.id } });
}

/** Asserted after writing: refunds without allocation stay within the unallocated part. */
async function assertReversalsWithinPayment(tx: Tx, id: string): Promise<void> {
  const p = await tx.onlinePayment.findUniqueOrThrow({ where: { id }, include: { reversals: true } });
  if (refundDue(p) < 0n) throw new Error(`invariant: online payment ${id} refunds more than its unallocated ${p.unallocatedMinor}`);
}
