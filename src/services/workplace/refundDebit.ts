/**
 * An outgoing payment on the account refund runs pay from, seen from the review page: which refund
 * run it paid (booked with it, src/services/refunds/settle.ts) or could have paid as one batch debit
 * without details (a released batch run of exactly its total), with that run's refunds, their
 * receipts and Kassenzeichen as printed, and the refunds' sum against the debit. For a candidate,
 * why the statement did not book it by itself, in the terms settleRefunds decides by.
 *
 * A run holds up to LIMITS.refundsPerRun refunds: the page shows the first REFUNDS_SHOWN in file
 * order and counts and sums all of them in the database.
 */
import type { Ctx } from '../../context.js';
import { batchMismatches, DEBIT_EVIDENCE, proposable, type BatchMismatch } from '../review/refundRunDebit.js';
import { REFUND_DEBIT_STATES } from '../review/states.js';
import type { RefundRunStatus, RefundState } from '../refunds/states.js';
import { printedKassenzeichen } from './kassenzeichen.js';

export const REFUNDS_SHOWN = 200;
/** Runs of the debit's total looked at: more than one is already the reason it was not booked. */
const CANDIDATE_RUNS = 5;
export { BATCH_MISMATCHES, type BatchMismatch } from '../review/refundRunDebit.js';

export interface RefundDebitRun {
  runId: string;
  number: number;
  status: RefundRunStatus;
  executionDate: string;
  batchBooking: boolean;
  /** The run as released: all its refunds. */
  runCount: number;
  runTotalMinor: bigint;
  /** The refunds that belong to this debit: booked with it, or (a candidate) all of the run. */
  count: number;
  sumMinor: bigint;
  /** sumMinor − the debit's amount: 0 when they agree. */
  differenceMinor: bigint;
  /** For a candidate: why it was not booked with the debit (empty for a booked one). */
  mismatches: BatchMismatch[];
  /**
   * A person may propose this run for the debit (four-eyes, src/services/review/refundRunDebit.ts):
   * only the statement's doubt stood in the way, and the debit is linked to nothing yet.
   */
  proposable: boolean;
  refunds: Array<{
    refundId: string;
    position: number;
    endToEndId: string;
    state: RefundState;
    amountMinor: bigint;
    recipientName: string;
    kassenzeichen: string | null;
    receipt: { transactionId: string; ref: string; amountMinor: bigint; bookingDate: string | null; payer: string | null } | null;
  }>;
}

export interface RefundDebitView {
  /** booked: the debit booked these refunds · candidate: it could be the run's batch debit, nothing was booked. */
  relation: 'booked' | 'candidate';
  /** The debit's version, for a proposal made from the page. */
  debitVersion: number;
  debitAmountMinor: bigint;
  currency: string;
  runs: RefundDebitRun[];
}

export async function refundRunsOfDebit({ ctx, input }: { ctx: Ctx; input: { transactionId: string } }): Promise<RefundDebitView | null> {
  const db = ctx.db.prisma;
  const t = await db.bankTransaction.findUnique({
    where: { id: input.transactionId },
    select: { id: true, creditDebit: true, matchState: true, version: true, amountMinor: true, currency: true, endToEndId: true, ...DEBIT_EVIDENCE },
  });
  if (!t || t.creditDebit !== 'DBIT') return null;

  // Booked with it: the audit entry of the booking names its receipts; one of them finds the run.
  const bookedEntry = await db.auditEntry.findFirst({ where: { subjectType: 'bank_transaction', subjectId: t.id, action: 'payment.refund_booked' }, orderBy: { seq: 'desc' }, select: { data: true } });
  if (bookedEntry) {
    const data = JSON.parse(bookedEntry.data ?? '{}') as { refundOf?: string; refundsOf?: string[] };
    const receipts = (data.refundsOf ?? (data.refundOf ? [data.refundOf] : [])).slice(0, CANDIDATE_RUNS);
    const some = receipts.length === 0 ? [] : await db.refund.findMany({ where: { transactionId: { in: receipts }, debitTransactionId: t.id }, select: { runId: true } });
    const runIds = [...new Set(some.map((r) => r.runId))];
    if (runIds.length === 0) return null;
    const runs = await db.refundRun.findMany({ where: { id: { in: runIds } }, orderBy: { number: 'asc' } });
    return { relation: 'booked', debitVersion: t.version, debitAmountMinor: t.amountMinor, currency: t.currency, runs: await Promise.all(runs.map((r) => describeRun(ctx, r, t, { debitTransactionId: t.id }, [], false))) };
  }

  // Could be a run's batch debit: released with batch booking, of exactly this total.
  const candidates = await db.refundRun.findMany({ where: { status: 'released', batchBooking: true, totalMinor: t.amountMinor, currency: t.currency }, orderBy: { number: 'asc' }, take: CANDIDATE_RUNS });
  if (candidates.length === 0) return null;
  const open = (REFUND_DEBIT_STATES as readonly string[]).includes(t.matchState);
  const runs = await Promise.all(
    candidates.map(async (r) => {
      const mismatches = await batchMismatches(db, ctx, t, r, candidates.length);
      return describeRun(ctx, r, t, {}, mismatches, open && proposable(mismatches));
    }),
  );
  return { relation: 'candidate', debitVersion: t.version, debitAmountMinor: t.amountMinor, currency: t.currency, runs };
}

type RunRow = NonNullable<Awaited<ReturnType<Ctx['db']['prisma']['refundRun']['findUnique']>>>;

async function describeRun(ctx: Ctx, r: RunRow, debit: { amountMinor: bigint }, only: { debitTransactionId?: string }, mismatches: BatchMismatch[], canPropose: boolean): Promise<RefundDebitRun> {
  const db = ctx.db.prisma;
  const where = { runId: r.id, ...only };
  const [rows, totals] = await Promise.all([
    db.refund.findMany({ where, orderBy: { position: 'asc' }, take: REFUNDS_SHOWN }),
    db.refund.aggregate({ where, _count: { _all: true }, _sum: { amountMinor: true } }),
  ]);
  const receipts = new Map(
    (await db.bankTransaction.findMany({
      where: { id: { in: rows.map((x) => x.transactionId) } },
      select: { id: true, entryRef: true, position: true, amountMinor: true, bookingDate: true, debtorName: true, entry: { select: { bookingDate: true } } },
    })).map((x) => [x.id, x]),
  );
  const printed = await printedKassenzeichen({ ctx, input: { kassenzeichen: rows.flatMap((x) => (x.kassenzeichen ? [x.kassenzeichen] : [])) } });
  const sumMinor = totals._sum.amountMinor ?? 0n;
  return {
    runId: r.id,
    number: r.number,
    status: r.status as RefundRunStatus,
    executionDate: r.executionDate,
    batchBooking: r.batchBooking,
    runCount: r.count,
    runTotalMinor: r.totalMinor,
    count: totals._count._all,
    sumMinor,
    differenceMinor: sumMinor - debit.amountMinor,
    mismatches,
    proposable: canPropose,
    refunds: rows.map((x) => {
      const rc = receipts.get(x.transactionId);
      return {
        refundId: x.id,
        position: x.position,
        endToEndId: x.endToEndId,
        state: x.state as RefundState,
        amountMinor: x.amountMinor,
        recipientName: x.creditorName,
        kassenzeichen: x.kassenzeichen ? printed(x.kassenzeichen) : null,
        receipt: rc ? { transactionId: rc.id, ref: `${rc.entryRef}#${rc.position}`, amountMinor: rc.amountMinor, bookingDate: rc.bookingDate ?? rc.entry.bookingDate, payer: rc.debtorName } : null,
      };
    }),
  };
}
