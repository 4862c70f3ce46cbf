/**
 * Refund runs: receipts marked for refund are gathered into a run by one person and released by a
 * second (four-eyes: never the person who gathered it) into one SEPA credit transfer file. The file
 * is written once, at release, kept with its SHA-256 and handed out as those same bytes every time
 * after; every fetch after the first is counted and marked as a copy. A run is released at most once
 * (claimed under its version and status), so nothing is sent twice.
 */
import { actorLabel, type Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/database.js';
import { ConflictError, ForbiddenError, LimitExceededError, ValidationError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { formatMinor } from '../../money/money.js';
import { isValidBic, isValidIban, maskIban, normalizeIban } from '../../references/iban.js';
import { sepaText } from '../../sepa/charset.js';
import type { CreditTransferFormat } from '../../sepa/formats.js';
import { checkCreditTransferStream, writeCreditTransfer, type CreditTransfer, type CreditTransferHeader } from '../../sepa/pain001.js';
import { utf8Text } from '../../sepa/readBack.js';
import { RunFileWriter, runFileChunks, type RunFile } from '../sepaRuns/file.js';
import { assertReleasable, cancelRun, claimRelease, fetchRunFile, listRuns, recordFileHash, runByNumber, runRowOf, unfetchedRuns, type RunStore } from '../sepaRuns/lifecycle.js';
import { cityDate, isIsoDay } from '../review/dates.js';
import { REFUND } from '../review/states.js';
import { writeAudit } from '../shared/audit.js';
import { newId } from '../shared/ids.js';
import { decodeCursor, encodeCursor, pageLimit, type Page } from '../shared/paging.js';
import type { RefundRunStatus, RefundState } from './states.js';

export interface RefundRunView {
  id: string;
  number: number;
  status: RefundRunStatus;
  format: string;
  batchBooking: boolean;
  executionDate: string;
  count: number;
  total: string;
  currency: string;
  messageId: string;
  createdBy: string;
  /** Who gathered it, as the audit log names actors ("user:…"): the one who may not release it. */
  createdByActor: string;
  createdAt: string;
  releasedBy: string | null;
  releasedAt: string | null;
  file: { name: string; sha256: string; downloads: number } | null;
  /** Refunds per state (booked, bounced … as the statements showed them). */
  states: Partial<Record<RefundState, number>>;
}

export interface RefundView {
  id: string;
  position: number;
  transactionId: string;
  endToEndId: string;
  amount: string;
  currency: string;
  creditorName: string;
  /** Masked: the full account is in the file and on the receipt's refund mark. */
  creditorIban: string;
  remittance: string;
  kassenzeichen: string | null;
  state: RefundState;
  debitTransactionId: string | null;
  bounceTransactionId: string | null;
  returnReasonCode: string | null;
}

type RunRow = NonNullable<Awaited<ReturnType<Tx['refundRun']['findUnique']>>>;
type RefundRow = NonNullable<Awaited<ReturnType<Tx['refund']['findUnique']>>>;

async function runView(tx: Tx, r: RunRow): Promise<RefundRunView> {
  const byState = await tx.refund.groupBy({ by: ['state'], where: { runId: r.id }, _count: { _all: true } });
  return {
    id: r.id,
    number: r.number,
    status: r.status as RefundRunStatus,
    format: r.format,
    batchBooking: r.batchBooking,
    executionDate: r.executionDate,
    count: r.count,
    total: formatMinor(r.totalMinor, r.currency),
    currency: r.currency,
    messageId: r.messageId,
    createdBy: r.createdByName,
    createdByActor: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    releasedBy: r.releasedByName,
    releasedAt: r.releasedAt?.toISOString() ?? null,
    file: r.fileName && r.fileSha256 ? { name: r.fileName, sha256: r.fileSha256, downloads: r.downloads } : null,
    states: Object.fromEntries(byState.map((s) => [s.state, s._count._all])),
  };
}

export function refundView(r: RefundRow): RefundView {
  return {
    id: r.id,
    position: r.position,
    transactionId: r.transactionId,
    endToEndId: r.endToEndId,
    amount: formatMinor(r.amountMinor, r.currency),
    currency: r.currency,
    creditorName: r.creditorName,
    creditorIban: maskIban(r.creditorIban),
    remittance: r.remittance,
    kassenzeichen: r.kassenzeichen,
    state: r.state as RefundState,
    debitTransactionId: r.debitTransactionId,
    bounceTransactionId: r.bounceTransactionId,
    returnReasonCode: r.returnReasonCode,
  };
}

/** The next weekday from `today` on (banks execute on TARGET2 business days; weekends never). */
function nextWeekday(today: string): string {
  const d = new Date(`${today}T12:00:00Z`);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const dayDe = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;

export interface GatherInput {
  /** Requested execution date; the next weekday from today when left out. Never in the past. */
  executionDate?: string;
  /** Only these receipts (each must be marked for refund); every marked receipt when left out. */
  transactionIds?: string[];
}

export interface GatherResult {
  run: RefundRunView;
  /** Marked receipts that could not be gathered, and why (a person fixes the mark). */
  skipped: Array<{ transactionId: string; reason: string }>;
}

/**
 * Gathers receipts marked for refund (not in another run) into a draft run: per receipt the amount
 * left, the recipient and account of its refund mark, one end-to-end id, and the remittance text
 * with the Kassenzeichen the money was paid for (when it was booked to an item in part).
 */
export async function gatherRefundRun({ ctx, input }: { ctx: Ctx; input: GatherInput }): Promise<GatherResult> {
  const today = cityDate(ctx.clock.now());
  const executionDate = input.executionDate ?? nextWeekday(today);
  if (!isIsoDay(executionDate)) throw new ValidationError('executionDate: a day like 2026-12-07', { field: 'executionDate' });
  if (executionDate < today) throw new ValidationError(`executionDate: ${executionDate} is in the past`, { field: 'executionDate' });
  if (input.transactionIds && input.transactionIds.length > LIMITS.refundsPerRun) throw new LimitExceededError('refundsPerRun', LIMITS.refundsPerRun, input.transactionIds.length, { field: 'transactionIds' });
  const { config } = ctx;
  try {
    return await ctx.db.transaction(async (tx) => {
      const marked = await tx.bankTransaction.findMany({
        where: { matchState: REFUND, creditDebit: 'CRDT', unappliedMinor: { gt: 0n }, ...(input.transactionIds ? { id: { in: input.transactionIds } } : {}) },
        // In the order the bank booked them (as the matcher goes).
        orderBy: [{ createdAt: 'asc' }, { entry: { statement: { position: 'asc' } } }, { entry: { position: 'asc' } }, { position: 'asc' }],
        take: LIMITS.refundsPerRun + 1,
      });
      if (input.transactionIds) {
        const found = new Set(marked.map((m) => m.id));
        const missing = input.transactionIds.find((id) => !found.has(id));
        if (missing) throw new ValidationError(`transactionIds: payment ${missing} is not marked for refund`, { field: 'transactionIds' });
      }
      const standing = new Set((await tx.refund.findMany({ where: { standingFor: { in: marked.map((m) => m.id) } }, select: { transactionId: true } })).map((r) => r.transactionId));
      const open = marked.filter((m) => !standing.has(m.id)).slice(0, LIMITS.refundsPerRun);
      const skipped: GatherResult['skipped'] = [];
      const lines: Array<Omit<RefundRow, 'runId' | 'position' | 'endToEndId' | 'updatedAt' | 'version'>> = [];
      // The refund mark says to whom and which account (src/services/review/actions.ts markForRefund).
      const marks = await latestRefundMarks(tx, open.map((r) => r.id));
      for (const r of open) {
        const m = JSON.parse(marks.get(r.id)?.data ?? '{}') as { iban?: string; bic?: string | null; recipientName?: string | null };
        const iban = normalizeIban(m.iban ?? '');
        const name = sepaText(m.recipientName ?? '', 70);
        if (!isValidIban(iban)) {
          skipped.push({ transactionId: r.id, reason: 'the refund mark carries no valid IBAN; take the mark back and mark again with the account' });
          continue;
        }
        if (name.length === 0) {
          skipped.push({ transactionId: r.id, reason: 'no recipient name: the payment names no payer' });
          continue;
        }
        if (r.currency !== 'EUR') {
          skipped.push({ transactionId: r.id, reason: `a SEPA credit transfer pays euros; this payment is in ${r.currency}` });
          continue;
        }
        const live = await tx.allocation.findFirst({ where: { transactionId: r.id, reversal: null }, orderBy: { createdAt: 'asc' }, select: { openItem: { select: { kassenzeichen: true } } } });
        const kassenzeichen = live?.openItem.kassenzeichen ?? null;
        const paidOn = r.bookingDate ? ` Ihre Zahlung vom ${dayDe(r.bookingDate)}` : '';
        const remittance = sepaText(`Rueckzahlung${kassenzeichen ? ` Kassenzeichen ${kassenzeichen}` : ''}${paidOn} ${config.creditor.name}`, 140);
        const bic = m.bic && isValidBic(m.bic) ? m.bic : null;
        lines.push({ id: newId(), transactionId: r.id, standingFor: r.id, amountMinor: r.unappliedMinor, currency: r.currency, creditorName: name, creditorIban: iban, creditorBic: bic, remittance, kassenzeichen, state: 'in_run', debitTransactionId: null, bounceTransactionId: null, returnReasonCode: null });
      }
      if (lines.length === 0) throw new ConflictError(skipped.length > 0 ? `no marked payment can be paid back as it stands: ${skipped.map((s) => s.reason).join('; ')}` : 'no payment is marked for refund and outside a run', { skipped });
      const last = await tx.refundRun.findFirst({ orderBy: { number: 'desc' }, select: { number: true } });
      const number = (last?.number ?? 0) + 1;
      // Unique per creditor for the bank: the day and the run's serial number.
      const messageId = `STK-R-${today.replaceAll('-', '')}-${number}`;
      const now = ctx.clock.now();
      const total = lines.reduce((s, l) => s + l.amountMinor, 0n);
      const run = await tx.refundRun.create({
        data: {
          id: newId(), number, status: 'draft', format: config.sepa.creditTransferFormat, batchBooking: config.sepa.batchBooking, executionDate, count: lines.length, totalMinor: total, currency: 'EUR',
          messageId, paymentInformationId: `${messageId}-1`, createdBy: actorLabel(ctx.actor), createdByName: ctx.actor.name, createdAt: now,
        },
      });
      await tx.refund.createMany({ data: lines.map((l, i) => ({ ...l, runId: run.id, position: i + 1, endToEndId: `STK-R${number}-${i + 1}`, updatedAt: now })) });
      await writeAudit(tx, ctx, { action: 'refund_run.gathered', subjectType: 'refund_run', subjectId: run.id, data: { number, count: lines.length, total: formatMinor(total, 'EUR'), executionDate, skipped: skipped.length } });
      return { run: await runView(tx, run), skipped };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('someone gathered refunds at the same moment; look at the refund runs and gather again');
    throw err;
  }
}

const RUNS: RunStore<RunRow> = {
  what: 'refund run',
  subject: 'refund_run',
  find: (tx, id) => tx.refundRun.findUnique({ where: { id } }),
  findByNumber: (tx, number) => tx.refundRun.findUnique({ where: { number } }),
  findMany: (tx, args) => tx.refundRun.findMany(args),
  updateMany: async (tx, where, data) => (await tx.refundRun.updateMany({ where, data })).count,
};

const runRow = (tx: Tx, runId: string) => runRowOf(RUNS, tx, runId);

function transferOf(f: RefundRow): CreditTransfer {
  return { endToEndId: f.endToEndId, amountMinor: f.amountMinor, creditorName: f.creditorName, creditorIban: f.creditorIban, creditorBic: f.creditorBic, remittance: f.remittance };
}

interface RefundMark {
  actorType: string;
  actorId: string;
  data: string;
}

/** The latest refund mark of each receipt (a receipt marked again counts by its newest mark). */
async function latestRefundMarks(tx: Tx, transactionIds: string[]): Promise<Map<string, RefundMark>> {
  const latest = new Map<string, RefundMark>();
  for (let i = 0; i < transactionIds.length; i += 500) {
    const marks = await tx.auditEntry.findMany({
      where: { subjectType: 'bank_transaction', subjectId: { in: transactionIds.slice(i, i + 500) }, action: 'payment.refund_requested' },
      orderBy: { seq: 'desc' },
      select: { subjectId: true, actorType: true, actorId: true, data: true },
    });
    for (const m of marks) if (!latest.has(m.subjectId)) latest.set(m.subjectId, m);
  }
  return latest;
}

/**
 * Four-eyes covers the account, not only the run: whoever marked a refund named the account the
 * money goes to, so they may not be the one who sends it either.
 */
async function refuseReleaseByMarker(tx: Tx, ctx: Ctx, runNumber: number, transactionIds: string[]): Promise<void> {
  for (const m of (await latestRefundMarks(tx, transactionIds)).values()) {
    if (m.actorType === ctx.actor.type && m.actorId === ctx.actor.id) {
      throw new ForbiddenError(`refund run ${runNumber} pays back a payment you marked for refund (you named its account); a second person releases it`);
    }
  }
}

export type { RunFile };

export interface ReleaseResult {
  run: RefundRunView;
}

/**
 * Releases a draft run: a second person (never who gathered it) checks it, the pain.001 file is
 * written, read back and compared with the run, kept with its hash, and every refund becomes
 * `sent`. Released twice is refused (409); so is a run whose receipts changed since gathering.
 */
export async function releaseRefundRun({ ctx, input }: { ctx: Ctx; input: { runId: string; version?: number } }): Promise<ReleaseResult> {
  return ctx.db.transaction(async (tx) => {
    const run = await runRow(tx, input.runId);
    assertReleasable(RUNS, ctx, run, input.version, run.executionDate < cityDate(ctx.clock.now()) ? `was to be executed on ${run.executionDate}, which has passed; cancel it and gather again` : null);
    const refunds = await tx.refund.findMany({ where: { runId: run.id }, orderBy: { position: 'asc' } });
    await refuseReleaseByMarker(tx, ctx, run.number, refunds.map((f) => f.transactionId));
    // The receipts must still be as gathered: marked for refund with exactly that much left.
    for (let i = 0; i < refunds.length; i += 500) {
      const slice = refunds.slice(i, i + 500);
      const receipts = new Map((await tx.bankTransaction.findMany({ where: { id: { in: slice.map((r) => r.transactionId) } }, select: { id: true, matchState: true, unappliedMinor: true, entryRef: true, position: true } })).map((r) => [r.id, r]));
      for (const f of slice) {
        const r = receipts.get(f.transactionId);
        if (!r || r.matchState !== REFUND || r.unappliedMinor !== f.amountMinor) {
          throw new ConflictError(`payment ${r ? `${r.entryRef}#${r.position}` : f.transactionId} changed since run ${run.number} was gathered (it is ${r?.matchState ?? 'gone'}); cancel the run and gather again`);
        }
      }
    }
    const now = ctx.clock.now();
    const fileName = await claimRelease(RUNS, tx, ctx, run, now);
    const header: CreditTransferHeader = {
      format: run.format as CreditTransferFormat,
      messageId: run.messageId,
      paymentInformationId: run.paymentInformationId,
      createdAt: now,
      executionDate: run.executionDate,
      batchBooking: run.batchBooking,
      initiatorName: sepaText(ctx.config.creditor.name, 70),
      debtor: { name: sepaText(ctx.config.creditor.name, 70), iban: ctx.config.creditor.iban, bic: ctx.config.creditor.bic },
      count: run.count,
      totalMinor: run.totalMinor,
    };
    const transfers = refunds.map(transferOf);
    // The `sepa` library writes the document whole (a run holds at most LIMITS.refundsPerRun
    // refunds, a few MB); it is kept in chunks and read back from there like a collection run's.
    const file = new RunFileWriter(tx, run.id);
    await file.write(writeCreditTransfer({ ...header, transfers }));
    const kept = await file.end();
    await checkCreditTransferStream(utf8Text(runFileChunks(tx, { id: run.id, fileContent: null })), header, (async function* () {
      yield* transfers;
    })());
    await recordFileHash(RUNS, tx, run, kept.sha256);
    const sha256 = kept.sha256;
    const sent = await tx.refund.updateMany({ where: { runId: run.id, state: 'in_run' }, data: { state: 'sent', updatedAt: now, version: { increment: 1 } } });
    if (sent.count !== refunds.length) throw new ConflictError(`refunds of run ${run.number} changed at the same moment; reload it`);
    await writeAudit(tx, ctx, { action: 'refund_run.released', subjectType: 'refund_run', subjectId: run.id, data: { number: run.number, count: run.count, total: formatMinor(run.totalMinor, run.currency), fileName, sha256, format: run.format, gatheredBy: run.createdBy } });
    ctx.log.info({ run: run.number, count: run.count, total: formatMinor(run.totalMinor, run.currency) }, 'refund run released');
    return { run: await runView(tx, await runRow(tx, run.id)) };
  });
}

/** Cancels a draft run: its receipts stay marked for refund and can be gathered again. */
export async function cancelRefundRun({ ctx, input }: { ctx: Ctx; input: { runId: string; note: string } }): Promise<RefundRunView> {
  const run = await cancelRun(RUNS, ctx, input, async (tx, r, now) => {
    await tx.refund.updateMany({ where: { runId: r.id }, data: { state: 'cancelled', standingFor: null, updatedAt: now, version: { increment: 1 } } });
  });
  return runView(ctx.db.prisma, run);
}

export async function getRefundRun({ ctx, input }: { ctx: Ctx; input: { runId: string } }): Promise<RefundRunView> {
  const tx: Tx = ctx.db.prisma;
  return runView(tx, await runRow(tx, input.runId));
}

/** Runs newest first (by number), a page at a time. */
export async function listRefundRuns({ ctx, input }: { ctx: Ctx; input: { status?: RefundRunStatus; limit?: number; cursor?: string } }): Promise<Page<RefundRunView>> {
  return listRuns(RUNS, ctx, input, runView);
}

/** The refunds of a run in file order, a page at a time. */
export async function listRunRefunds({ ctx, input }: { ctx: Ctx; input: { runId: string; limit?: number; cursor?: string } }): Promise<Page<RefundView>> {
  const limit = pageLimit(input.limit);
  const after = decodeCursor(input.cursor, 1);
  const tx: Tx = ctx.db.prisma;
  await runRow(tx, input.runId);
  const rows = await tx.refund.findMany({ where: { runId: input.runId, ...(after ? { position: { gt: Number.parseInt(after[0]!, 10) } } : {}) }, orderBy: { position: 'asc' }, take: limit + 1 });
  const page = rows.slice(0, limit);
  return { items: page.map(refundView), nextCursor: rows.length > limit ? encodeCursor([String(page.at(-1)!.position)]) : null };
}

/** The released file, exactly as kept (lifecycle.ts, fetchRunFile): every fetch after the first is a copy. */
export async function refundRunFile({ ctx, input }: { ctx: Ctx; input: { runId: string } }): Promise<RunFile> {
  return fetchRunFile(RUNS, ctx, input.runId);
}

/** A run by its number (the operator's handle on the command line). */
export async function refundRunByNumber({ ctx, input }: { ctx: Ctx; input: { number: number } }): Promise<RefundRunView> {
  return runView(ctx.db.prisma, await runByNumber(RUNS, ctx, input.number));
}

/** Released runs whose file nobody fetched yet: what goes to the bank's outbox folder. */
export async function unfetchedRefundRuns({ ctx }: { ctx: Ctx }): Promise<RefundRunView[]> {
  return Promise.all((await unfetchedRuns(RUNS, ctx)).map((r) => runView(ctx.db.prisma, r)));
}
