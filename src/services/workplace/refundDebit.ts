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
import { normalizeIban } from '../../references/iban.js';
import type { RefundRunStatus, RefundState } from '../refunds/states.js';
import { printedKassenzeichen } from './kassenzeichen.js';

export const REFUNDS_SHOWN = 200;
/** Runs of the debit's total looked at: more than one is already the reason it was not booked. */
const CANDIDATE_RUNS = 5;
/** What banks write where no end-to-end id was given (as settleRefunds reads it). */
const NO_E2E = new Set(['NOTPROVIDED', 'NOT PROVIDED', '']);

/**
 * Why a run of the debit's total was not booked with it when the statement came:
 * otherAccount: the debit is on another account than the runs pay from · carriesId: it carries an
 * end-to-end id that is no refund's (only a debit without one is taken as a batch) · severalRuns:
 * more than one released run has this total · batchCount: the bank's count of payments differs ·
 * notAllSent: some refunds of the run are booked, came back or were linked already · fits: all of
 * it fits (the booking was refused as changed meanwhile, or the debit came before the release).
 */
export const BATCH_MISMATCHES = ['otherAccount', 'carriesId', 'severalRuns', 'batchCount', 'notAllSent', 'fits'] as const;
export type BatchMismatch = (typeof BATCH_MISMATCHES)[number];

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
  debitAmountMinor: bigint;
  currency: string;
  runs: RefundDebitRun[];
}

export async function refundRunsOfDebit({ ctx, input }: { ctx: Ctx; input: { transactionId: string } }): Promise<RefundDebitView | null> {
  const db = ctx.db.prisma;
  const t = await db.bankTransaction.findUnique({
    where: { id: input.transactionId },
    select: { id: true, creditDebit: true, amountMinor: true, currency: true, endToEndId: true, entry: { select: { batchCount: true, statement: { select: { accountIban: true } } } } },
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
    return { relation: 'booked', debitAmountMinor: t.amountMinor, currency: t.currency, runs: await Promise.all(runs.map((r) => describeRun(ctx, r, t, { debitTransactionId: t.id }, []))) };
  }

  // Could be a run's batch debit: released with batch booking, of exactly this total.
  const candidates = await db.refundRun.findMany({ where: { status: 'released', batchBooking: true, totalMinor: t.amountMinor, currency: t.currency }, orderBy: { number: 'asc' }, take: CANDIDATE_RUNS });
  if (candidates.length === 0) return null;
  const payingAccount = normalizeIban(ctx.config.creditor.iban);
  const account = t.entry.statement.accountIban;
  const e2e = (t.endToEndId ?? '').trim();
  const general: BatchMismatch[] = [
    ...(account === null || normalizeIban(account) !== payingAccount ? (['otherAccount'] as const) : []),
    ...(!NO_E2E.has(e2e.toUpperCase()) ? (['carriesId'] as const) : []),
    ...(candidates.length > 1 ? (['severalRuns'] as const) : []),
  ];
  const runs = await Promise.all(
    candidates.map(async (r) => {
      const notSent = await db.refund.count({ where: { runId: r.id, OR: [{ state: { not: 'sent' } }, { debitTransactionId: { not: null } }] } });
      const mismatches: BatchMismatch[] = [...general, ...(t.entry.batchCount !== null && t.entry.batchCount !== r.count ? (['batchCount'] as const) : []), ...(notSent > 0 ? (['notAllSent'] as const) : [])];
      return describeRun(ctx, r, t, {}, mismatches.length > 0 ? mismatches : ['fits']);
    }),
  );
  return { relation: 'candidate', debitAmountMinor: t.amountMinor, currency: t.currency, runs };
}

type RunRow = NonNullable<Awaited<ReturnType<Ctx['db']['prisma']['refundRun']['findUnique']>>>;

async function describeRun(ctx: Ctx, r: RunRow, debit: { amountMinor: bigint }, only: { debitTransactionId?: string }, mismatches: BatchMismatch[]): Promise<RefundDebitRun> {
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
