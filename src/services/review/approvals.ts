/**
 * Four-eyes: a booking at or above `config.fourEyesThresholdMinor` does not take effect when a
 * person decides it. It is stored as a pending Approval holding the exact plan, and the receipt is
 * held (state `awaiting_approval`) so that nobody else, and no matching run, books it meanwhile.
 * A second person approves (the plan is booked in the same transaction) or rejects it (the receipt
 * returns to where it stood). The person who proposed can never approve.
 *
 * When the receipt changed anyway while the approval waited (the bank returned the payment, an item
 * was cancelled), approving cannot book what was proposed: the approval is marked `failed` with the
 * reason and the receipt released, and the approver gets a 409. It is not left pending because it
 * can never succeed as it stands; the clerk proposes again from the current state. A conflict that
 * is only a race (someone wrote the same item at that instant) leaves it pending to be tried again.
 */
import { actorLabel, type Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { formatMinor } from '../../money/money.js';
import { writeAudit } from '../shared/audit.js';
import { newId } from '../shared/ids.js';
import { decodeCursor, encodeCursor, pageLimit, type Page } from '../shared/paging.js';
import { approvalView, type ApprovalView } from './approvalView.js';
import { carryOut, type Booked } from './carryOut.js';
import { checkReturnOf, refundDebitFor } from './departures.js';
import { parsePayload, planAmount, serializePayload, type BookingPlan } from './plan.js';
import { refundRunStale } from './refundRunDebit.js';
import { onlyLeft, staleNote, type StaleFacts } from './stale.js';
import { AWAITING_APPROVAL } from './states.js';

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'failed'] as const;

export interface ApprovalRequired {
  outcome: 'approval_required';
  approval: ApprovalView;
}

/**
 * Holds the receipt and stores the plan as a pending approval. `receipt` is the row the caller
 * checked; a change since then (another clerk, the matcher) is a ConflictError.
 */
export async function holdForApproval(
  tx: Tx,
  ctx: Ctx,
  receipt: { id: string; version: number; matchState: string; currency: string },
  plan: BookingPlan,
): Promise<ApprovalRequired> {
  const held = await tx.bankTransaction.updateMany({
    where: { id: receipt.id, version: receipt.version },
    data: { matchState: AWAITING_APPROVAL, version: { increment: 1 } },
  });
  if (held.count !== 1) throw new ConflictError(`payment ${receipt.id} was changed by someone else at the same moment; reload it`);
  const now = ctx.clock.now();
  const amountMinor = planAmount(plan);
  const row = await tx.approval.create({
    data: {
      id: newId(),
      kind: plan.kind,
      transactionId: receipt.id,
      payload: serializePayload({ plan, previousState: receipt.matchState, receiptVersion: receipt.version + 1 }),
      amountMinor,
      currency: receipt.currency,
      status: 'pending',
      proposedBy: actorLabel(ctx.actor),
      proposedAt: now,
    },
  });
  await writeAudit(tx, ctx, {
    action: 'approval.proposed',
    subjectType: 'bank_transaction',
    subjectId: receipt.id,
    reason: plan.reason,
    data: { approvalId: row.id, kind: plan.kind, amount: formatMinor(amountMinor, receipt.currency), threshold: formatMinor(ctx.config.fourEyesThresholdMinor, receipt.currency) },
  });
  return { outcome: 'approval_required', approval: approvalView(row) };
}

/** The plan still describes the world: the receipt is as it was held, the items and allocation still there. Null: still good; otherwise why not, as facts. */
async function staleReason(tx: Tx, ctx: Ctx, plan: BookingPlan, receiptVersion: number): Promise<StaleFacts | null> {
  const r = await tx.bankTransaction.findUnique({ where: { id: plan.transactionId } });
  if (!r) return { code: 'paymentGone' };
  if (r.matchState !== AWAITING_APPROVAL || r.version !== receiptVersion) return { code: 'paymentChanged', state: r.matchState };
  if (plan.kind === 'reversal') {
    const a = await tx.allocation.findUnique({ where: { id: plan.allocationId }, include: { reversal: true } });
    if (!a) return { code: 'allocationGone', kassenzeichen: plan.kassenzeichen };
    if (a.reversal) return { code: 'allocationReversed', kassenzeichen: plan.kassenzeichen };
    return null;
  }
  if (plan.kind === 'refund') {
    if (r.unappliedMinor !== plan.amountMinor) return onlyLeft(r.unappliedMinor, r.currency);
    return refusal(() => refundDebitFor(tx, r, plan.refundTransactionId, plan.amountMinor));
  }
  if (plan.kind === 'refund_run') return refusal(() => refundRunStale(tx, ctx, plan));
  if (plan.kind === 'return') {
    const ret = await tx.bankTransaction.findUnique({ where: { id: plan.returnTransactionId } });
    if (!ret) return { code: 'returnGone' };
    const live = await tx.allocation.findMany({ where: { transactionId: r.id, reversal: null }, select: { id: true } });
    if (live.length !== plan.allocationIds.length || live.some((a) => !plan.allocationIds.includes(a.id))) return { code: 'bookingsChanged' };
    return refusal(async () => checkReturnOf(ret, r));
  }
  const items = await tx.openItem.findMany({ where: { id: { in: plan.lines.map((l) => l.itemId) } }, select: { id: true, kassenzeichen: true, cancelledAt: true } });
  for (const l of plan.lines) {
    const item = items.find((i) => i.id === l.itemId);
    if (!item) return { code: 'itemGone', kassenzeichen: l.kassenzeichen };
    if (item.cancelledAt) return { code: 'itemCancelled', kassenzeichen: item.kassenzeichen };
  }
  const total = plan.lines.reduce((s, l) => s + l.amountMinor, 0n);
  if (total > r.unappliedMinor) return onlyLeft(r.unappliedMinor, r.currency);
  return null;
}

/** A check that refuses with a domain error, as the reason the plan went stale (null: still good). */
async function refusal(check: () => Promise<unknown>): Promise<StaleFacts | null> {
  try {
    await check();
    return null;
  } catch (err) {
    if (err instanceof DomainError) return { code: 'departureRefused', detail: err.message };
    throw err;
  }
}

class StaleApproval extends Error {
  constructor(readonly facts: StaleFacts) {
    super(staleNote(facts));
  }
}

async function readPending(ctx: Ctx, approvalId: string) {
  const a = await ctx.db.prisma.approval.findUnique({ where: { id: approvalId } });
  if (!a) throw new NotFoundError('approval', approvalId);
  if (a.status !== 'pending') throw new ConflictError(`approval ${a.id} is ${a.status} already (by ${a.decidedBy ?? 'nobody'})`, { approval: approvalView(a) });
  return a;
}

function checkNote(note: string | undefined, required: boolean): string | undefined {
  const n = note?.trim();
  if (required && !n) throw new ValidationError('note: say why, in 1 to 500 characters', { field: 'note' });
  if (n && n.length > 500) throw new ValidationError('note: at most 500 characters', { field: 'note' });
  return n || undefined;
}

/** Carries out a pending approval's booking, in one transaction with marking it approved. */
export async function approve({ ctx, input }: { ctx: Ctx; input: { approvalId: string; note?: string } }): Promise<Booked & { approval: ApprovalView }> {
  const note = checkNote(input.note, false);
  const a = await readPending(ctx, input.approvalId);
  // Four eyes means two people: the proposer's own approval would be one pair of eyes twice.
  if (a.proposedBy === actorLabel(ctx.actor)) throw new ForbiddenError('you proposed this booking; a second person has to approve it');
  const payload = parsePayload(a.payload);
  try {
    return await ctx.db.transaction(async (tx) => {
      const now = ctx.clock.now();
      const claimed = await tx.approval.updateMany({
        where: { id: a.id, status: 'pending', version: a.version },
        data: { status: 'approved', decidedBy: actorLabel(ctx.actor), decidedAt: now, decisionNote: note ?? null, version: { increment: 1 } },
      });
      if (claimed.count !== 1) throw new ConflictError(`approval ${a.id} was decided by someone else at the same moment; reload it`);
      const stale = await staleReason(tx, ctx, payload.plan, payload.receiptVersion);
      if (stale) throw new StaleApproval(stale);
      const booked = await carryOut(tx, ctx, payload.plan, { expectStates: [AWAITING_APPROVAL], expectVersion: payload.receiptVersion, approvalId: a.id });
      await writeAudit(tx, ctx, {
        action: 'approval.approved',
        subjectType: 'approval',
        subjectId: a.id,
        ...(note ? { reason: note } : {}),
        data: { transactionId: a.transactionId, kind: a.kind, amount: formatMinor(a.amountMinor, a.currency), proposedBy: a.proposedBy },
      });
      const row = await tx.approval.findUniqueOrThrow({ where: { id: a.id } });
      return { ...booked, approval: approvalView(row) };
    });
  } catch (err) {
    if (!(err instanceof StaleApproval)) throw err;
    const failed = await ctx.db.transaction(async (tx) => settle(tx, ctx, a, payload, 'failed', err.message, { stale: err.facts }));
    throw new ConflictError(`approval ${a.id} cannot be carried out: ${err.message}. It is marked failed; propose the booking again from the payment's current state`, {
      approval: failed,
      refusal: { code: 'approvalFailed', stale: err.facts },
    });
  }
}

/** Refuses a pending approval; the receipt goes back to where it stood. The proposer may withdraw their own. */
export async function reject({ ctx, input }: { ctx: Ctx; input: { approvalId: string; note: string } }): Promise<ApprovalView> {
  const note = checkNote(input.note, true)!;
  const a = await readPending(ctx, input.approvalId);
  return ctx.db.transaction(async (tx) => settle(tx, ctx, a, parsePayload(a.payload), 'rejected', note));
}

/** Marks an approval rejected or failed and releases the receipt if it is still held for it. */
async function settle(tx: Tx, ctx: Ctx, a: { id: string; version: number; transactionId: string | null; kind: string; amountMinor: bigint; currency: string }, payload: ReturnType<typeof parsePayload>, status: 'rejected' | 'failed', note: string, facts: Record<string, unknown> = {}): Promise<ApprovalView> {
  const claimed = await tx.approval.updateMany({
    where: { id: a.id, status: 'pending', version: a.version },
    data: { status, decidedBy: actorLabel(ctx.actor), decidedAt: ctx.clock.now(), decisionNote: note, version: { increment: 1 } },
  });
  if (claimed.count !== 1) throw new ConflictError(`approval ${a.id} was decided by someone else at the same moment; reload it`);
  if (a.transactionId) {
    await tx.bankTransaction.updateMany({
      where: { id: a.transactionId, matchState: AWAITING_APPROVAL, version: payload.receiptVersion },
      data: { matchState: payload.previousState, version: { increment: 1 } },
    });
  }
  await writeAudit(tx, ctx, {
    action: `approval.${status}`,
    subjectType: 'approval',
    subjectId: a.id,
    reason: note,
    data: { transactionId: a.transactionId, kind: a.kind, amount: formatMinor(a.amountMinor, a.currency), restoredState: payload.previousState, ...facts },
  });
  return approvalView(await tx.approval.findUniqueOrThrow({ where: { id: a.id } }));
}

export async function getApproval({ ctx, input }: { ctx: Ctx; input: { approvalId: string } }): Promise<ApprovalView> {
  const a = await ctx.db.prisma.approval.findUnique({ where: { id: input.approvalId } });
  if (!a) throw new NotFoundError('approval', input.approvalId);
  return approvalView(a);
}

/** Approvals oldest first (the longest waiting on top), optionally of one status. */
/** How many approvals are in `status` (all of them without). */
export async function countApprovals({ ctx, input }: { ctx: Ctx; input: { status?: string } }): Promise<number> {
  return ctx.db.prisma.approval.count({ where: input.status ? { status: input.status } : {} });
}

export async function listApprovals({ ctx, input }: { ctx: Ctx; input: { status?: string; limit?: number; cursor?: string } }): Promise<Page<ApprovalView>> {
  const limit = pageLimit(input.limit);
  if (input.status && !(APPROVAL_STATUSES as readonly string[]).includes(input.status)) {
    throw new ValidationError(`status: one of ${APPROVAL_STATUSES.join(', ')}`, { field: 'status' });
  }
  const after = decodeCursor(input.cursor, 2);
  const rows = await ctx.db.prisma.approval.findMany({
    where: {
      ...(input.status ? { status: input.status } : {}),
      ...(after ? { OR: [{ proposedAt: { gt: new Date(after[0]!) } }, { proposedAt: new Date(after[0]!), id: { gt: after[1]! } }] } : {}),
    },
    orderBy: [{ proposedAt: 'asc' }, { id: 'asc' }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = rows.length > limit ? page[page.length - 1]! : undefined;
  return { items: page.map(approvalView), nextCursor: last ? encodeCursor([last.proposedAt.toISOString(), last.id]) : null };
}
