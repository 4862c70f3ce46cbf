/**
 * A person says "this outgoing debit is refund run X": for a batch debit the statement did not book
 * by itself (src/services/refunds/settle.ts), because two released runs share its total, because the
 * bank put some other id where the end-to-end id goes, or because it came before the run's release.
 *
 * Always under four-eyes, whatever the amount: a clerk proposes (the debit is held for approval,
 * as a receipt is for any other booking, src/services/review/approvals.ts), a second person approves,
 * and then the run's refunds are booked by the same write the statement uses (carryOutRefundBatch),
 * with the same reason.
 *
 * The guards are settleRefunds' own, except those that only say the statement could not tell which
 * run it was (a person can): the debit is on the account the runs pay from, not linked to anything
 * yet; the run is released as one batch booking of exactly the debit's total and currency; the
 * bank's count of payments, where it gives one, is the run's; every refund of the run is still
 * `sent` and linked to no debit.
 */
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { formatMinor } from '../../money/money.js';
import { normalizeIban } from '../../references/iban.js';
import { assertLedger } from '../booking/writer.js';
import { holdForApproval, type ApprovalRequired } from './approvals.js';
import { carryOutRefundBatch, type DepartureOptions } from './departures.js';
import type { BookingPlan } from './plan.js';
import { entrySaysRun, type EntryEvidence, type RunFile } from '../shared/batchIdentity.js';
import { REFUND_DEBIT_STATES } from './states.js';

/** What banks write where no end-to-end id was given (as settleRefunds reads it). */
const NO_E2E = new Set(['NOTPROVIDED', 'NOT PROVIDED', '']);

/**
 * Why a run of the debit's total was not booked with it when the statement came:
 * otherAccount: the debit is on another account than the runs pay from · carriesId: it carries an
 * end-to-end id that is no refund's (only a debit without one is taken as a batch) · severalRuns:
 * more than one released run has this total · batchCount: the bank's count of payments differs ·
 * unnamed: the entry names neither the run's file (MsgId, PmtInfId) nor a batch of several payments,
 * so its amount is all that speaks for the run (any debit of that amount could be) ·
 * notAllSent: some refunds of the run are booked, came back or were linked already · fits: all of
 * it fits (the booking was refused as changed meanwhile, or the debit came before the release).
 */
export const BATCH_MISMATCHES = ['otherAccount', 'carriesId', 'severalRuns', 'batchCount', 'unnamed', 'notAllSent', 'fits'] as const;
export type BatchMismatch = (typeof BATCH_MISMATCHES)[number];

/** What only stopped the statement from choosing: a person who looked may say which run it is. */
export const PERSON_DECIDES: ReadonlySet<BatchMismatch> = new Set<BatchMismatch>(['carriesId', 'severalRuns', 'unnamed', 'fits']);

export interface DebitFacts {
  amountMinor: bigint;
  currency: string;
  endToEndId: string | null;
  remittanceLines: string | null;
  entry: { batchCount: number | null; statement: { accountIban: string | null } } & Omit<EntryEvidence, 'remittanceLines'>;
}

/** What a debit's entry says about the batch it books (settleRefunds reads the same). */
export const DEBIT_EVIDENCE = { remittanceLines: true, entry: { select: { batchCount: true, batchIds: true, entryReference: true, accountServicerReference: true, additionalInfo: true, statement: { select: { accountIban: true } } } } } as const;

/** Why `run` was not booked with the debit; `runsOfTotal`: released batch runs of the debit's total. */
export async function batchMismatches(db: Pick<Tx, 'refund'>, ctx: Pick<Ctx, 'config'>, debit: DebitFacts, run: { id: string; count: number } & RunFile, runsOfTotal: number): Promise<BatchMismatch[]> {
  const account = debit.entry.statement.accountIban;
  const e2e = (debit.endToEndId ?? '').trim();
  const notSent = await db.refund.count({ where: { runId: run.id, OR: [{ state: { not: 'sent' } }, { debitTransactionId: { not: null } }] } });
  const out: BatchMismatch[] = [
    ...(account === null || normalizeIban(account) !== normalizeIban(ctx.config.creditor.iban) ? (['otherAccount'] as const) : []),
    ...(!NO_E2E.has(e2e.toUpperCase()) ? (['carriesId'] as const) : []),
    ...(runsOfTotal > 1 ? (['severalRuns'] as const) : []),
    ...(debit.entry.batchCount !== null && debit.entry.batchCount !== run.count ? (['batchCount'] as const) : []),
    ...(!namesRun(debit, run) ? (['unnamed'] as const) : []),
    ...(notSent > 0 ? (['notAllSent'] as const) : []),
  ];
  return out.length > 0 ? out : ['fits'];
}

/** The entry says it is the run's: it names the run's file, or states a batch of several payments (and no other file). */
export function namesRun(debit: Pick<DebitFacts, 'remittanceLines' | 'entry'>, run: RunFile): boolean {
  return entrySaysRun(run, { ...debit.entry, remittanceLines: debit.remittanceLines });
}

/** A person may propose the run for the debit: nothing but the statement's doubt stands in the way. Pure. */
export function proposable(mismatches: readonly BatchMismatch[]): boolean {
  return mismatches.every((m) => PERSON_DECIDES.has(m));
}

const refOf = (r: { entryRef: string; position: number }) => `${r.entryRef}#${r.position}`;

/** The run as a person names it for the debit: refused with the reasons when it cannot be this debit. */
async function runForDebit(tx: Tx, ctx: Pick<Ctx, 'config'>, debitId: string, runId: string) {
  const t = await tx.bankTransaction.findUnique({
    where: { id: debitId },
    select: { id: true, creditDebit: true, matchState: true, version: true, entryRef: true, position: true, amountMinor: true, currency: true, endToEndId: true, ...DEBIT_EVIDENCE },
  });
  if (!t || t.creditDebit !== 'DBIT') throw new NotFoundError('outgoing payment', debitId);
  const run = await tx.refundRun.findUnique({ where: { id: runId }, select: { id: true, number: true, status: true, batchBooking: true, totalMinor: true, currency: true, count: true, messageId: true, paymentInformationId: true } });
  if (!run) throw new NotFoundError('refund run', runId);
  if (run.status !== 'released' || !run.batchBooking) throw new ConflictError(`refund run ${run.number} is ${run.status}${run.batchBooking ? '' : ' with single bookings'}; only a released run booked as one batch is one debit`, { runStatus: run.status });
  if (run.totalMinor !== t.amountMinor || run.currency !== t.currency) {
    throw new ConflictError(`refund run ${run.number} pays out ${formatMinor(run.totalMinor, run.currency)}, the debit ${refOf(t)} is ${formatMinor(t.amountMinor, t.currency)}`);
  }
  const runsOfTotal = await tx.refundRun.count({ where: { status: 'released', batchBooking: true, totalMinor: t.amountMinor, currency: t.currency } });
  const mismatches = await batchMismatches(tx, ctx, t, run, runsOfTotal);
  const refused = mismatches.filter((m) => !PERSON_DECIDES.has(m));
  if (refused.length > 0) throw new ConflictError(`refund run ${run.number} cannot be the debit ${refOf(t)}: ${refused.join(', ')}`, { mismatches: refused });
  return { debit: t, run, mismatches };
}

export type RefundRunPlan = Extract<BookingPlan, { kind: 'refund_run' }>;

/** The clerk's half: the debit is held, and the plan waits for a second person. */
export async function proposeRefundRunDebit({ ctx, input }: { ctx: Ctx; input: { transactionId: string; runId: string; note?: string; version?: number } }): Promise<ApprovalRequired> {
  const note = input.note?.trim();
  if (note && note.length > 500) throw new ValidationError('note: at most 500 characters', { field: 'note' });
  return ctx.db.transaction(async (tx) => {
    const { debit, run } = await runForDebit(tx, ctx, input.transactionId, input.runId);
    if (input.version !== undefined && input.version !== debit.version) throw new ConflictError(`payment ${refOf(debit)} changed since you read it; reload it`, { currentVersion: debit.version, state: debit.matchState });
    if (!(REFUND_DEBIT_STATES as readonly string[]).includes(debit.matchState)) {
      throw new ConflictError(`outgoing payment ${refOf(debit)} is ${debit.matchState}; only one not linked to anything yet can book a refund run`, { state: debit.matchState });
    }
    // The statement's own words (settleRefunds), so the booking reads the same whoever made it.
    const reason = `refund run ${run.number} paid out as one debit of ${formatMinor(debit.amountMinor, debit.currency)}${note ? ` — ${note}` : ''}`;
    return holdForApproval(tx, ctx, debit, { kind: 'refund_run', transactionId: debit.id, runId: run.id, runNumber: run.number, amountMinor: debit.amountMinor, reason });
  });
}

/** Why an approved plan can no longer be booked (null: it still can); the debit is the held one. */
export async function refundRunStale(tx: Tx, ctx: Pick<Ctx, 'config'>, plan: RefundRunPlan): Promise<void> {
  await runForDebit(tx, ctx, plan.transactionId, plan.runId);
}

/** The second person's half, in the approval's transaction: the run's refunds booked with the debit. */
export async function carryOutRefundRun(tx: Tx, ctx: Ctx, plan: RefundRunPlan, opts: DepartureOptions): Promise<void> {
  const { debit, run } = await runForDebit(tx, ctx, plan.transactionId, plan.runId);
  if (!opts.expectStates.includes(debit.matchState) || (opts.expectVersion !== undefined && opts.expectVersion !== debit.version)) {
    throw new ConflictError(`payment ${refOf(debit)} changed since the proposal (it is ${debit.matchState} now); reload it`, { state: debit.matchState, currentVersion: debit.version });
  }
  // The hold is lifted first: the batch booking takes the debit as the matcher left it, as it does from the statement.
  const lifted = await tx.bankTransaction.updateMany({ where: { id: debit.id, version: debit.version }, data: { matchState: REFUND_DEBIT_STATES[0], version: { increment: 1 } } });
  if (lifted.count !== 1) throw new ConflictError(`payment ${refOf(debit)} was changed by someone else at the same moment; reload it`);
  const parts = await tx.refund.findMany({ where: { runId: run.id }, select: { transactionId: true, amountMinor: true }, orderBy: { position: 'asc' }, take: LIMITS.refundsPerRun });
  await carryOutRefundBatch(tx, ctx, { debitTransactionId: debit.id, refunds: parts, reason: plan.reason, ...(opts.approvalId ? { approvalId: opts.approvalId } : {}) });
  // Asserted again after the write, over every receipt paid back and the debit.
  await assertLedger(tx, ctx, [...parts.map((p) => p.transactionId), debit.id]);
}
