/**
 * Money that leaves the city's account: a refund paid out, and a payment the bank took back. Both
 * end a receipt's stay in suspense and link it to the outgoing bank transaction that shows the money
 * leaving — nothing leaves the books before the bank says it left.
 *
 * - Refund: a receipt marked `refund` and the outgoing debit of a later statement (left `ignored` by
 *   the matcher). A suspense movement of −amount (reason `refunded`), the receipt's unapplied sum
 *   goes down by it, the receipt becomes `refunded` and the debit `refund_booked`.
 * - Return: a return the matcher could not place (`return_open`) and the receipt it returns. The
 *   receipt's live allocations are reversed with the return as their cause (the items reopen and
 *   their issuers are told), whatever waited in suspense leaves (reason `returned`), the receipt
 *   becomes `returned` and the return `return`.
 *
 * Called by carryOut (at once, or when a second person approved) inside the caller's transaction.
 */
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { formatMinor } from '../../money/money.js';
import { normalizeIban } from '../../references/iban.js';
import { assertReceiptBalanced, moveSuspense, PAID_BACK_REASONS, reverseAllocation, suspenseBalance } from '../booking/ledger.js';
import { assertLedger } from '../booking/writer.js';
import { writeAudit } from '../shared/audit.js';
import type { BookingPlan } from './plan.js';
import { REFUND, REFUND_DEBIT_STATES, RETURN_OPEN } from './states.js';

type Row = NonNullable<Awaited<ReturnType<Tx['bankTransaction']['findUnique']>>>;
type RefundPlan = Extract<BookingPlan, { kind: 'refund' }>;
type ReturnPlan = Extract<BookingPlan, { kind: 'return' }>;

export interface DepartureOptions {
  /** States the receipt may be in (the caller's view of it); anything else is a 409. */
  expectStates: string[];
  /** The receipt version the decision was made on; a different one is a 409. */
  expectVersion?: number;
  approvalId?: string;
}

const refOf = (r: { entryRef: string; position: number }) => `${r.entryRef}#${r.position}`;

async function row(tx: Tx, id: string, what: string): Promise<Row> {
  const r = await tx.bankTransaction.findUnique({ where: { id } });
  if (!r) throw new NotFoundError(what, id);
  return r;
}

function checkReceipt(r: Row, opts: DepartureOptions): void {
  if (!opts.expectStates.includes(r.matchState)) throw new ConflictError(`payment ${refOf(r)} is ${r.matchState} now (someone else decided it); reload it`, { state: r.matchState });
  if (opts.expectVersion !== undefined && r.version !== opts.expectVersion) {
    throw new ConflictError(`payment ${refOf(r)} changed since you read it (version ${opts.expectVersion}, now ${r.version}, ${r.matchState}); reload it`, { currentVersion: r.version, state: r.matchState });
  }
}

/** Claims a row under the version read: a concurrent writer makes this a 409, never a double booking. */
async function claimRow(tx: Tx, r: Row, data: { matchState: string; unappliedMinor?: bigint }, onlyFrom?: readonly string[]): Promise<void> {
  const n = await tx.bankTransaction.updateMany({
    where: { id: r.id, version: r.version, ...(onlyFrom ? { matchState: { in: [...onlyFrom] } } : {}) },
    data: { ...data, version: { increment: 1 } },
  });
  if (n.count !== 1) throw new ConflictError(`payment ${refOf(r)} was changed by someone else at the same moment; reload it`);
}

/**
 * The outgoing debit that pays back `receipt`: an outgoing payment nobody linked yet, of exactly the
 * amount marked for refund, to the account the refund was requested for (when the bank names it).
 */
export async function refundDebitFor(tx: Tx, receipt: Row, debitId: string, amountMinor: bigint): Promise<Row> {
  const field = 'refundTransactionId';
  const d = await tx.bankTransaction.findUnique({ where: { id: debitId } });
  if (!d) throw new ValidationError(`${field}: no bank transaction ${debitId}`, { field });
  if (d.id === receipt.id || d.creditDebit !== 'DBIT') throw new ValidationError(`${field}: ${refOf(d)} is not an outgoing payment (debit); a refund is booked with the debit that paid it back`, { field });
  if (!(REFUND_DEBIT_STATES as readonly string[]).includes(d.matchState)) {
    throw new ConflictError(`outgoing payment ${refOf(d)} is ${d.matchState}; only one not linked to anything yet can book a refund`, { state: d.matchState });
  }
  if (d.currency !== receipt.currency || d.amountMinor !== amountMinor) {
    throw new ValidationError(`${field}: ${refOf(d)} paid out ${formatMinor(d.amountMinor, d.currency)} ${d.currency}, but ${formatMinor(amountMinor, receipt.currency)} ${receipt.currency} of payment ${refOf(receipt)} is marked for refund`, { field });
  }
  const requested = await tx.auditEntry.findFirst({ where: { subjectType: 'bank_transaction', subjectId: receipt.id, action: 'payment.refund_requested' }, orderBy: { seq: 'desc' } });
  const to = normalizeIban((JSON.parse(requested?.data ?? '{}') as { iban?: string }).iban ?? '');
  const paidTo = normalizeIban(d.creditorIban ?? '');
  if (to && paidTo && to !== paidTo) throw new ValidationError(`${field}: ${refOf(d)} went to another account than the refund was requested for`, { field });
  return d;
}

/**
 * The return debit and the receipt it takes back belong together: a return still waiting for its
 * receipt, an incoming payment, the same money. (Which states the receipt may be in is the
 * caller's: RETURNABLE_STATES when a person asks, awaiting_approval when a second person approves.)
 */
export function checkReturnOf(ret: Row, receipt: Row): void {
  if (ret.creditDebit !== 'DBIT' || ret.matchState !== RETURN_OPEN) {
    throw new ConflictError(`payment ${refOf(ret)} is ${ret.creditDebit === 'DBIT' ? ret.matchState : 'incoming'}; only a return waiting for its receipt (return_open) is resolved here`, { state: ret.matchState });
  }
  const field = 'receiptId';
  if (receipt.creditDebit !== 'CRDT') throw new ValidationError(`${field}: ${refOf(receipt)} is not an incoming payment; a return takes back a receipt`, { field });
  // A SEPA return carries the original amount; charges come as separate entries.
  if (receipt.currency !== ret.currency || receipt.amountMinor !== ret.amountMinor) {
    throw new ValidationError(`${field}: the return is ${formatMinor(ret.amountMinor, ret.currency)} ${ret.currency}, payment ${refOf(receipt)} was ${formatMinor(receipt.amountMinor, receipt.currency)} ${receipt.currency}; a return takes back the whole payment`, { field });
  }
}

export async function carryOutRefund(tx: Tx, ctx: Ctx, plan: RefundPlan, opts: DepartureOptions): Promise<void> {
  const r = await row(tx, plan.transactionId, 'payment');
  checkReceipt(r, opts);
  if (r.unappliedMinor !== plan.amountMinor) {
    throw new ConflictError(`${formatMinor(plan.amountMinor, r.currency)} of payment ${refOf(r)} was to be refunded, but ${formatMinor(r.unappliedMinor, r.currency)} is left now; reload it`, { state: r.matchState });
  }
  const debit = await refundDebitFor(tx, r, plan.refundTransactionId, plan.amountMinor);
  await payBack(tx, ctx, debit, [{ receipt: r, amountMinor: plan.amountMinor }], plan.reason, opts.approvalId);
}

/**
 * A refund run the bank booked as one debit (batch booking, no details on the statement): every
 * refund of the run is paid back with that one debit, which must carry exactly the run's total.
 * Each receipt must still be marked for refund with exactly its refund's amount left.
 */
export async function carryOutRefundBatch(tx: Tx, ctx: Ctx, input: { debitTransactionId: string; refunds: Array<{ transactionId: string; amountMinor: bigint }>; reason: string; approvalId?: string }): Promise<void> {
  const debit = await row(tx, input.debitTransactionId, 'payment');
  if (debit.creditDebit !== 'DBIT' || !(REFUND_DEBIT_STATES as readonly string[]).includes(debit.matchState)) {
    throw new ConflictError(`outgoing payment ${refOf(debit)} is ${debit.matchState}; only one not linked to anything yet can book refunds`, { state: debit.matchState });
  }
  const total = input.refunds.reduce((s, p) => s + p.amountMinor, 0n);
  if (debit.amountMinor !== total) throw new ConflictError(`outgoing payment ${refOf(debit)} of ${formatMinor(debit.amountMinor, debit.currency)} is not the run's total ${formatMinor(total, debit.currency)}`);
  const parts: Array<{ receipt: Row; amountMinor: bigint }> = [];
  for (const p of input.refunds) {
    const r = await row(tx, p.transactionId, 'payment');
    checkReceipt(r, { expectStates: [REFUND] });
    if (r.unappliedMinor !== p.amountMinor || r.currency !== debit.currency) throw new ConflictError(`payment ${refOf(r)} has ${formatMinor(r.unappliedMinor, r.currency)} left, not the ${formatMinor(p.amountMinor, r.currency)} of its refund`);
    parts.push({ receipt: r, amountMinor: p.amountMinor });
  }
  await payBack(tx, ctx, debit, parts, input.reason, input.approvalId);
  await assertLedger(tx, ctx, [debit.id, ...parts.map((p) => p.receipt.id)]);
}

/**
 * The one write of money paid back: each receipt becomes `refunded` and its suspense leaves
 * (reason `refunded`), the debit becomes `refund_booked`, a refund of a released run is booked
 * with it. A refund still in a run nobody released is refused: its file may yet go to the bank.
 */
async function payBack(tx: Tx, ctx: Ctx, debit: Row, parts: Array<{ receipt: Row; amountMinor: bigint }>, reason: string, approvalId?: string): Promise<void> {
  for (const { receipt: r, amountMinor } of parts) {
    const standing = await tx.refund.findUnique({ where: { standingFor: r.id }, include: { run: { select: { number: true } } } });
    if (standing?.state === 'in_run') {
      throw new ConflictError(`payment ${refOf(r)} is in refund run ${standing.run.number}, which is not released; release or cancel the run first`, { state: r.matchState });
    }
    await claimRow(tx, r, { matchState: 'refunded', unappliedMinor: r.unappliedMinor - amountMinor });
    await moveSuspense(tx, ctx, { transactionId: r.id, amountMinor: -amountMinor, currency: r.currency, reason: 'refunded', note: `paid back with ${refOf(debit)}` });
    if (standing) {
      const n = await tx.refund.updateMany({
        where: { id: standing.id, version: standing.version },
        data: { state: standing.state === 'sent' ? 'booked' : standing.state, debitTransactionId: debit.id, updatedAt: ctx.clock.now(), version: { increment: 1 } },
      });
      if (n.count !== 1) throw new ConflictError(`refund ${standing.endToEndId} was changed at the same moment; try again`);
    }
    const amount = formatMinor(amountMinor, r.currency);
    await writeAudit(tx, ctx, {
      action: 'payment.refunded',
      subjectType: 'bank_transaction',
      subjectId: r.id,
      reason,
      data: { amount, currency: r.currency, refundTransactionId: debit.id, refundRef: refOf(debit), approvalId, ...(standing ? { refundId: standing.id, endToEndId: standing.endToEndId } : {}) },
    });
    await assertPaidBackBalanced(tx, r.id);
  }
  await claimRow(tx, debit, { matchState: 'refund_booked' }, REFUND_DEBIT_STATES);
  const total = parts.reduce((s, p) => s + p.amountMinor, 0n);
  await writeAudit(tx, ctx, {
    action: 'payment.refund_booked',
    subjectType: 'bank_transaction',
    subjectId: debit.id,
    reason,
    data: {
      amount: formatMinor(total, debit.currency),
      currency: debit.currency,
      // One receipt (a person's booking), or every receipt of a run booked as one debit.
      ...(parts.length === 1 ? { refundOf: parts[0]!.receipt.id, refundOfRef: refOf(parts[0]!.receipt) } : { refundsOf: parts.map((p) => p.receipt.id) }),
      approvalId,
    },
  });
}

export async function carryOutReturn(tx: Tx, ctx: Ctx, plan: ReturnPlan, opts: DepartureOptions): Promise<void> {
  const r = await row(tx, plan.transactionId, 'payment');
  checkReceipt(r, opts);
  const ret = await row(tx, plan.returnTransactionId, 'payment');
  checkReturnOf(ret, r);
  const live = await tx.allocation.findMany({ where: { transactionId: r.id, reversal: null }, select: { id: true }, orderBy: { id: 'asc' } });
  const expected = [...plan.allocationIds].sort();
  if (live.length !== expected.length || live.some((a, i) => a.id !== expected[i])) {
    throw new ConflictError(`the bookings of payment ${refOf(r)} changed since you read them; reload it`, { state: r.matchState });
  }
  // The receipt first, under the version read: a second clerk (or the matcher) racing for it stops here.
  await claimRow(tx, r, { matchState: 'returned' });
  for (const a of live) {
    await reverseAllocation(tx, ctx, { allocationId: a.id, reason: plan.reason, causedByTransactionId: ret.id, moneyStays: false, newReceiptState: 'returned' });
  }
  const held = await suspenseBalance(tx, r.id);
  await moveSuspense(tx, ctx, { transactionId: r.id, amountMinor: -held, currency: r.currency, reason: 'returned', note: `returned by the bank with ${refOf(ret)}` });
  const now = await row(tx, r.id, 'payment');
  await claimRow(tx, now, { matchState: 'returned', unappliedMinor: 0n });
  await claimRow(tx, ret, { matchState: 'return' }, [RETURN_OPEN]);
  const amount = formatMinor(r.amountMinor, r.currency);
  // The same action the matcher writes when it places a return itself (src/services/booking/runMatching.ts).
  await writeAudit(tx, ctx, {
    action: 'return.booked',
    subjectType: 'bank_transaction',
    subjectId: ret.id,
    reason: plan.reason,
    data: { reversedAllocations: live.map((a) => a.id), amount, returnOf: r.id, returnOfRef: refOf(r), fromSuspense: formatMinor(held, r.currency), approvalId: opts.approvalId },
  });
  await writeAudit(tx, ctx, {
    action: 'payment.returned',
    subjectType: 'bank_transaction',
    subjectId: r.id,
    reason: plan.reason,
    data: { amount, returnTransactionId: ret.id, returnRef: refOf(ret), reversedAllocations: live.map((a) => a.id), fromSuspense: formatMinor(held, r.currency), previousState: r.matchState, approvalId: opts.approvalId },
  });
  await assertReceiptBalanced(tx, r.id);
}

/**
 * The receipt invariant with the money paid back counted: amount = live allocations + cleared +
 * unapplied + paid back, and suspense = unapplied. ledger.assertReceiptBalanced does not know
 * paid-back money yet (asked of the booking core); until it does, a refunded receipt is checked here.
 */
export async function assertPaidBackBalanced(tx: Tx, transactionId: string): Promise<void> {
  const r = await tx.bankTransaction.findUniqueOrThrow({ where: { id: transactionId } });
  const live = await tx.allocation.aggregate({ where: { transactionId, reversal: null }, _sum: { amountMinor: true } });
  const clearing = await tx.clearingMovement.aggregate({ where: { bankTransactionId: transactionId }, _sum: { amountMinor: true } });
  const paidBack = await tx.suspenseMovement.aggregate({ where: { transactionId, reason: { in: [...PAID_BACK_REASONS] } }, _sum: { amountMinor: true } });
  const held = await suspenseBalance(tx, transactionId);
  const accounted = (live._sum.amountMinor ?? 0n) - (clearing._sum.amountMinor ?? 0n) + r.unappliedMinor - (paidBack._sum.amountMinor ?? 0n);
  if (accounted !== r.amountMinor || held !== r.unappliedMinor) {
    throw new Error(`invariant: refunded payment ${r.id} of ${r.amountMinor} accounts for ${accounted}, with ${r.unappliedMinor} unapplied and ${held} in suspense`);
  }
}
