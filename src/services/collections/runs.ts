/**
 * Collection runs: the direct debits announced for one collection date are gathered by one person
 * into one run per sequence (FRST, RCUR, OOFF, FNAL: one pain.008 file each, as the banks want) and
 * released by a second person. The file is written once, read back and compared, kept with its
 * SHA-256 and handed out as the same bytes every time (later fetches are copies). At release every
 * debit becomes `sent` ("Einzug veranlasst"), each mandate records its use (sequence, expiry) and
 * the amendment the file reported is cleared. Released twice is refused.
 */
import { actorLabel, type Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/database.js';
import { bulkUpdate } from '../../db/bulk.js';
import { ConflictError, ValidationError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { formatMinor } from '../../money/money.js';
import { maskIban } from '../../references/iban.js';
import { sepaText } from '../../sepa/charset.js';
import { checkDirectDebitStream, DIRECT_DEBIT_TAIL, directDebitHead, directDebitTransaction, type DirectDebitHeader, type DirectDebitTransaction } from '../../sepa/pain008.js';
import { utf8Text } from '../../sepa/readBack.js';
import { RunFileWriter, runFileChunks, type RunFile } from '../sepaRuns/file.js';
import { assertReleasable, cancelRun, claimRelease, fetchRunFile, listRuns, recordFileHash, runByNumber, runRowOf, unfetchedRuns, type RunStore } from '../sepaRuns/lifecycle.js';
import { expiresOn, mandateStanding, nextSequence, type Amendment, type SequenceType } from '../mandates/model.js';
import { cityDate, isIsoDay } from '../review/dates.js';
import { writeAudit } from '../shared/audit.js';
import { newId } from '../shared/ids.js';
import { decodeCursor, encodeCursor, pageLimit, type Page } from '../shared/paging.js';
import { directDebitView, type DirectDebitView } from './debits.js';
import type { CollectionRunStatus, DirectDebitState } from './states.js';

const WINDOW = 500;

export interface CollectionRunView {
  id: string;
  number: number;
  status: CollectionRunStatus;
  collectionDate: string;
  sequence: SequenceType;
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
  states: Partial<Record<DirectDebitState, number>>;
}

type RunRow = NonNullable<Awaited<ReturnType<Tx['collectionRun']['findUnique']>>>;

async function runView(tx: Tx, r: RunRow): Promise<CollectionRunView> {
  const byState = await tx.directDebit.groupBy({ by: ['state'], where: { runId: r.id }, _count: { _all: true } });
  return {
    id: r.id,
    number: r.number,
    status: r.status as CollectionRunStatus,
    collectionDate: r.collectionDate,
    sequence: r.sequence as SequenceType,
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

const RUNS: RunStore<RunRow> = {
  what: 'collection run',
  subject: 'collection_run',
  find: (tx, id) => tx.collectionRun.findUnique({ where: { id } }),
  findByNumber: (tx, number) => tx.collectionRun.findUnique({ where: { number } }),
  findMany: (tx, args) => tx.collectionRun.findMany(args),
  updateMany: async (tx, where, data) => (await tx.collectionRun.updateMany({ where, data })).count,
};

const runRow = (tx: Tx, id: string) => runRowOf(RUNS, tx, id);



type Classified = { skip: string } | { sequence: SequenceType };

/** Whether an announced debit can be collected on `collectionDate` as it stands, and in which sequence. */
function classify(
  d: { amountMinor: bigint; currency: string },
  m: { reference: string; status: string; lastCollectedOn: string | null; finalRequested: boolean; kind: string; signedOn: string; createdAt: Date },
  it: { amountMinor: bigint; paidMinor: bigint; cancelledAt: Date | null; kassenzeichen: string },
  collectionDate: string,
): Classified {
  const standing = mandateStanding(m, collectionDate);
  if (standing !== 'active' || collectionDate > expiresOn(m)) return { skip: `mandate ${m.reference} is ${standing === 'active' ? 'expired by then' : standing}` };
  if (it.cancelledAt || it.amountMinor - it.paidMinor !== d.amountMinor) {
    return { skip: `item ${it.kassenzeichen} has ${formatMinor(it.amountMinor - it.paidMinor, d.currency)} open now, not the ${formatMinor(d.amountMinor, d.currency)} announced; take the announcement back and announce again` };
  }
  return { sequence: nextSequence(m) };
}

/** Why a debit of a draft run cannot go to the bank as gathered (release re-checks every one). */
export const RELEASE_REFUSALS = ['debit_changed', 'item_cancelled', 'item_short', 'mandate_unusable'] as const;
export type ReleaseRefusal = (typeof RELEASE_REFUSALS)[number];

export interface RefusedDebit {
  directDebitId: string;
  kassenzeichen: string;
  refusal: ReleaseRefusal;
  why: string;
}

/** Debits named in a refused release at most (the count says how many there were). */
export const REFUSED_DEBITS_NAMED = 100;

/**
 * Whether a debit of a draft run may still go to the bank: still in the run, its item not cancelled
 * and owing at least the debit's amount (an item paid by transfer or online, or reduced, since it
 * was gathered would be collected twice), and its mandate usable for the run's date and sequence.
 * More owing than announced is no harm: the debit collects what the citizen was told.
 */
export function releaseRefusal(
  d: { state: string; amountMinor: bigint; currency: string },
  m: { reference: string; status: string; lastCollectedOn: string | null; finalRequested: boolean; kind: string; signedOn: string },
  it: { amountMinor: bigint; paidMinor: bigint; cancelledAt: Date | null },
  run: { collectionDate: string; sequence: SequenceType },
  mandateRecorded: boolean,
): { refusal: ReleaseRefusal; why: string } | null {
  if (d.state !== 'in_run') return { refusal: 'debit_changed', why: `the direct debit is ${d.state} now` };
  if (it.cancelledAt) return { refusal: 'item_cancelled', why: 'the item was cancelled' };
  const open = it.amountMinor - it.paidMinor;
  if (open < d.amountMinor) return { refusal: 'item_short', why: `${formatMinor(open < 0n ? 0n : open, d.currency)} open now, not the ${formatMinor(d.amountMinor, d.currency)} announced (paid or reduced meanwhile)` };
  // A mandate this release recorded already (an earlier page) carries its new use; it was checked then.
  if (!mandateRecorded) {
    const standing = mandateStanding(m, run.collectionDate);
    if (standing !== 'active' || nextSequence(m) !== run.sequence) return { refusal: 'mandate_unusable', why: `mandate ${m.reference} is ${standing}, next sequence ${nextSequence(m)}` };
  }
  return null;
}

/**
 * The ids of the debits announced for a date, in the order they were announced: at most
 * LIMITS.debitsPerRun (the rest waits for a further run). Only the ids are held (about 8 MB for
 * 100,000); the debits themselves are read a page at a time (announcedPages). Paging the query
 * itself by (announcedAt, id) would sort what is left of the day's announcements for every page:
 * no index orders them so.
 */
async function announcedIds(tx: Tx, collectionDate: string): Promise<string[]> {
  const rows = await tx.directDebit.findMany({ where: { state: 'announced', collectionDate }, orderBy: [{ announcedAt: 'asc' }, { id: 'asc' }], take: LIMITS.debitsPerRun, select: { id: true } });
  return rows.map((r) => r.id);
}

/** The debits of `ids`, WINDOW at a time in that order, each with whether and how it is collected. */
async function* announcedPages(tx: Tx, ids: string[], collectionDate: string): AsyncGenerator<Array<{ d: DebitRow; c: Classified }>> {
  for (let i = 0; i < ids.length; i += WINDOW) {
    const slice = ids.slice(i, i + WINDOW);
    const byId = new Map((await tx.directDebit.findMany({ where: { id: { in: slice } } })).map((d) => [d.id, d]));
    const page = slice.map((id) => byId.get(id));
    if (page.some((d) => !d || d.state !== 'announced' || d.collectionDate !== collectionDate)) throw new ConflictError('direct debits were changed while they were gathered; gather again');
    const debits = page as DebitRow[];
    const mandates = await mandatesOf(tx, debits);
    const items = new Map((await tx.openItem.findMany({ where: { id: { in: [...new Set(debits.map((d) => d.openItemId))] } }, select: { id: true, amountMinor: true, paidMinor: true, cancelledAt: true, kassenzeichen: true } })).map((it) => [it.id, it]));
    yield debits.map((d) => ({ d, c: classify(d, mandates.get(d.mandateId)!, items.get(d.openItemId)!, collectionDate) }));
  }
}

export interface GatherCollectionsResult {
  runs: CollectionRunView[];
  /** Announced debits not gathered, and why (they stay announced for a person to take back). */
  skipped: Array<{ directDebitId: string; reason: string }>;
}

const SEQUENCES = ['FRST', 'RCUR', 'OOFF', 'FNAL'] as const;

/**
 * Gathers the debits announced for `collectionDate` into draft runs, one per sequence. A debit whose
 * mandate is no longer usable (revoked, blocked, expired by then) or whose item changed (paid,
 * cancelled, another amount open) is skipped and named.
 *
 * Two passes over the announced debits, a page at a time: the first reads and decides each (and
 * counts what each sequence's run will hold: the runs are numbered in sequence order before any
 * debit is placed), the second places each at its position under the version the first read.
 */
export async function gatherCollectionRuns({ ctx, input }: { ctx: Ctx; input: { collectionDate: string } }): Promise<GatherCollectionsResult> {
  if (!isIsoDay(input.collectionDate)) throw new ValidationError('collectionDate: a day like 2026-12-15', { field: 'collectionDate' });
  const today = cityDate(ctx.clock.now());
  if (input.collectionDate < today) throw new ValidationError(`collectionDate: ${input.collectionDate} has passed`, { field: 'collectionDate' });
  try {
    return await ctx.db.transaction(
      async (tx) => {
        const ids = await announcedIds(tx, input.collectionDate);
        // What the first pass decided of each debit, by its place in `ids`: its sequence (an index
        // of SEQUENCES, SKIPPED for one left announced) and the version it was read at. Two bytes
        // and four per debit, so the second pass places them without reading anything again.
        const SKIPPED = 255;
        const decided = new Uint8Array(ids.length);
        const versions = new Int32Array(ids.length);
        const skipped: GatherCollectionsResult['skipped'] = [];
        const counted = new Map<SequenceType, { count: number; total: bigint }>();
        let at = 0;
        for await (const page of announcedPages(tx, ids, input.collectionDate)) {
          for (const { d, c } of page) {
            versions[at] = d.version;
            if ('skip' in c) {
              decided[at++] = SKIPPED;
              skipped.push({ directDebitId: d.id, reason: c.skip });
              continue;
            }
            decided[at++] = SEQUENCES.indexOf(c.sequence);
            const g = counted.get(c.sequence) ?? { count: 0, total: 0n };
            g.count++;
            g.total += d.amountMinor;
            counted.set(c.sequence, g);
          }
        }
        if (counted.size === 0) throw new ConflictError(`no direct debit announced for ${input.collectionDate} can be collected${skipped.length ? ` (${skipped.length} skipped)` : ''}`, { skipped });
        const last = await tx.collectionRun.findFirst({ orderBy: { number: 'desc' }, select: { number: true } });
        let number = last?.number ?? 0;
        const now = ctx.clock.now();
        const runs = new Map<SequenceType, { id: string; number: number; placed: number }>();
        for (const sequence of SEQUENCES) {
          const g = counted.get(sequence);
          if (!g) continue;
          number++;
          const messageId = `STK-D-${today.replaceAll('-', '')}-${number}`;
          const run = await tx.collectionRun.create({
            data: {
              id: newId(), number, status: 'draft', collectionDate: input.collectionDate, sequence, count: g.count, totalMinor: g.total, currency: 'EUR', messageId, paymentInformationId: `${messageId}-1`,
              createdBy: actorLabel(ctx.actor), createdByName: ctx.actor.name, createdAt: now,
            },
          });
          runs.set(sequence, { id: run.id, number, placed: 0 });
        }
        // The second pass: each debit placed at its position, under the version the first pass read.
        for (let i = 0; i < ids.length; i += WINDOW) {
          const rows = [];
          for (let j = i; j < Math.min(i + WINDOW, ids.length); j++) {
            if (decided[j] === SKIPPED) continue;
            const sequence = SEQUENCES[decided[j]!]!;
            const run = runs.get(sequence)!;
            run.placed++;
            rows.push({ id: ids[j]!, state: 'in_run', runId: run.id, position: run.placed, sequence, endToEndId: `STK-D${run.number}-${run.placed}`, updatedAt: now, expected_version: versions[j]! });
          }
          const n = await bulkUpdate(
            tx,
            ctx.db,
            { table: 'DirectDebit', key: { id: 'text' }, set: { state: 'text', runId: 'text', position: 'int', sequence: 'text', endToEndId: 'text', updatedAt: 'timestamp' }, setExpressions: ['"version" = "DirectDebit"."version" + 1'], expect: { version: 'int' } },
            rows,
          );
          if (n !== rows.length) throw new ConflictError('direct debits were changed while they were gathered; gather again');
        }
        const views: CollectionRunView[] = [];
        for (const [sequence, run] of runs) {
          const g = counted.get(sequence)!;
          if (run.placed !== g.count) throw new Error(`invariant: run ${run.number} placed ${run.placed} of ${g.count} debits`);
          await writeAudit(tx, ctx, { action: 'collection_run.gathered', subjectType: 'collection_run', subjectId: run.id, data: { number: run.number, sequence, collectionDate: input.collectionDate, count: g.count, total: formatMinor(g.total, 'EUR') } });
          views.push(await runView(tx, await runRow(tx, run.id)));
        }
        return { runs: views, skipped };
      },
      { timeoutMs: 600_000 },
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('someone gathered collections at the same moment; look at the collection runs');
    throw err;
  }
}

type DebitRow = NonNullable<Awaited<ReturnType<Tx['directDebit']['findUnique']>>>;
type MandateRow = NonNullable<Awaited<ReturnType<Tx['mandate']['findUnique']>>>;

/** The debits of a run in file order, WINDOW at a time (by position). */
async function* debitPages(tx: Tx, runId: string): AsyncGenerator<DebitRow[]> {
  for (let after = 0; ; ) {
    const page = await tx.directDebit.findMany({ where: { runId, position: { gt: after } }, orderBy: { position: 'asc' }, take: WINDOW });
    if (page.length === 0) return;
    after = page.at(-1)!.position!;
    yield page;
  }
}

async function mandatesOf(tx: Tx, debits: DebitRow[]): Promise<Map<string, MandateRow>> {
  return new Map((await tx.mandate.findMany({ where: { id: { in: [...new Set(debits.map((d) => d.mandateId))] } } })).map((m) => [m.id, m]));
}

function transactionOf(d: DebitRow, m: MandateRow): DirectDebitTransaction {
  return {
    endToEndId: d.endToEndId!,
    amountMinor: d.amountMinor,
    mandateReference: m.reference,
    signedOn: m.signedOn,
    amendment: m.pendingAmendment ? (JSON.parse(m.pendingAmendment) as Amendment) : null,
    debtorName: sepaText(m.debtorName, 70),
    debtorIban: m.debtorIban,
    debtorBic: m.debtorBic,
    remittance: d.remittance,
  };
}

/** The transactions of a run's file, read again from the debits and mandates, in file order. */
async function* runTransactions(tx: Tx, runId: string): AsyncGenerator<DirectDebitTransaction> {
  for await (const page of debitPages(tx, runId)) {
    const mandates = await mandatesOf(tx, page);
    for (const d of page) yield transactionOf(d, mandates.get(d.mandateId)!);
  }
}

/**
 * Releases a draft run under four-eyes into its pain.008.001.08 file. Every debit is checked again
 * (releaseRefusal): still in the run, its item not cancelled and still owing at least the debit's
 * amount, its mandate usable. If any fails, nothing is released: the answer is a conflict naming
 * the debits (Kassenzeichen) and why, and the clerk cancels the run and gathers again. Dropping
 * them from the run instead would change a total and a file the second person did not look at.
 * Each mandate then records its use: the collection date as last use (expiry runs from it), its
 * amendment cleared (the file reported it), and a one-off or final mandate is finished.
 *
 * Nothing of the run is held whole: the debits are read a page at a time, their transactions
 * written into the kept file as they come (file.ts: chunks, hash as the bytes pass), the file read
 * back from where it is kept and compared with the debits read again, and the mandates recorded a
 * page at a time. All of it in one transaction: a file that does not read back as the run is never
 * kept, and no debit is sent without it.
 */
export async function releaseCollectionRun({ ctx, input }: { ctx: Ctx; input: { runId: string; version?: number } }): Promise<{ run: CollectionRunView }> {
  return ctx.db.transaction(
    async (tx) => {
      const run = await runRow(tx, input.runId);
      assertReleasable(RUNS, ctx, run, input.version, run.collectionDate < cityDate(ctx.clock.now()) ? `was for ${run.collectionDate}, which has passed; cancel it and announce again` : null);
      const now = ctx.clock.now();
      const fileName = await claimRelease(RUNS, tx, ctx, run, now);
      const sequence = run.sequence as SequenceType;
      const header: DirectDebitHeader = {
        messageId: run.messageId,
        paymentInformationId: run.paymentInformationId,
        createdAt: now,
        collectionDate: run.collectionDate,
        sequence,
        batchBooking: ctx.config.sepa.batchBooking,
        initiatorName: sepaText(ctx.config.creditor.name, 70),
        creditor: { name: sepaText(ctx.config.creditor.name, 70), iban: ctx.config.creditor.iban, bic: ctx.config.creditor.bic, creditorId: ctx.config.sepa.creditorId },
        count: run.count,
        totalMinor: run.totalMinor,
      };

      // The file, written as the debits are read; each page of debits becomes `sent` with it, and
      // each mandate records its use (last collected on the date, amendment cleared, a one-off or
      // final mandate finished) once, however many of its debits the run holds: a mandate recorded
      // on an earlier page carries this release's mark (collected on the date, at this instant),
      // and the amendment it had is remembered for its further debits (the file reports it on each).
      const finishes = run.sequence === 'OOFF' || run.sequence === 'FNAL';
      const recorded = (m: MandateRow) => m.lastCollectedOn === run.collectionDate && m.updatedAt.getTime() === now.getTime() && m.pendingAmendment === null;
      const amendmentsOf = new Map<string, string>();
      const file = new RunFileWriter(tx, run.id);
      await file.write(directDebitHead(header));
      let count = 0;
      let total = 0n;
      let amendments = 0;
      let mandatesUsed = 0;
      // Every debit is checked, also after the first refusal, so the answer names all of them (up to
      // REFUSED_DEBITS_NAMED); once one is refused nothing more is written (the transaction is undone).
      const refused: RefusedDebit[] = [];
      let refusedCount = 0;
      for await (const page of debitPages(tx, run.id)) {
        const mandates = await mandatesOf(tx, page);
        const items = new Map((await tx.openItem.findMany({ where: { id: { in: page.map((d) => d.openItemId) } }, select: { id: true, kassenzeichen: true, amountMinor: true, paidMinor: true, cancelledAt: true } })).map((it) => [it.id, it]));
        for (const d of page) {
          const m = mandates.get(d.mandateId)!;
          const it = items.get(d.openItemId)!;
          const no = releaseRefusal(d, m, it, { collectionDate: run.collectionDate, sequence }, recorded(m));
          if (!no) continue;
          refusedCount++;
          if (refused.length < REFUSED_DEBITS_NAMED) refused.push({ directDebitId: d.id, kassenzeichen: it.kassenzeichen, ...no });
        }
        if (refusedCount > 0) continue;
        const open = [...mandates.values()].filter((m) => !recorded(m));
        for (const m of open) if (m.pendingAmendment) amendmentsOf.set(m.id, m.pendingAmendment);
        for (const d of page) {
          const m = mandates.get(d.mandateId)!;
          const t = transactionOf(d, { ...m, pendingAmendment: amendmentsOf.get(m.id) ?? m.pendingAmendment });
          if (t.amendment) amendments++;
          await file.write(directDebitTransaction(t));
          count++;
          total += d.amountMinor;
        }
        const sent = await bulkUpdate(
          tx,
          ctx.db,
          { table: 'DirectDebit', key: { id: 'text' }, set: { state: 'text', updatedAt: 'timestamp' }, setExpressions: ['"version" = "DirectDebit"."version" + 1'], expect: { version: 'int', state: 'text' } },
          page.map((d) => ({ id: d.id, state: 'sent', updatedAt: now, expected_version: d.version, expected_state: 'in_run' })),
        );
        if (sent !== page.length) throw new ConflictError(`direct debits of run ${run.number} changed at the same moment; reload it`);
        const used = await bulkUpdate(
          tx,
          ctx.db,
          { table: 'Mandate', key: { id: 'text' }, set: { lastCollectedOn: 'text', pendingAmendment: 'text', status: 'text', updatedAt: 'timestamp' }, setExpressions: ['"version" = "Mandate"."version" + 1'], expect: { version: 'int' } },
          open.map((m) => ({ id: m.id, lastCollectedOn: run.collectionDate, pendingAmendment: null, status: finishes ? 'finished' : m.status, updatedAt: now, expected_version: m.version })),
        );
        if (used !== open.length) throw new ConflictError(`mandates of run ${run.number} changed at the same moment; reload it`);
        mandatesUsed += used;
      }
      if (refusedCount > 0) {
        const named = refused.slice(0, 5).map((r) => `${r.kassenzeichen}: ${r.why}`).join('; ');
        throw new ConflictError(
          `collection run ${run.number} is not released: ${refusedCount} of its direct debits cannot be collected as gathered (${named}${refusedCount > 5 ? '; …' : ''}); cancel the run and gather again`,
          { refusedCount, refused },
        );
      }
      if (count !== run.count || total !== run.totalMinor) throw new ConflictError(`the direct debits of run ${run.number} changed since it was gathered; cancel it and gather again`);
      await file.write(DIRECT_DEBIT_TAIL);
      const kept = await file.end();
      // Read back as kept, as the bank will get it, against the debits and mandates read once more
      // (what the file says of a mandate, its reference, signature date, debtor and account, is
      // not what recording its use changed).
      await checkDirectDebitStream(utf8Text(runFileChunks(tx, { id: run.id, fileContent: null })), header, runTransactions(tx, run.id));
      await recordFileHash(RUNS, tx, run, kept.sha256);
      await writeAudit(tx, ctx, {
        action: 'collection_run.released',
        subjectType: 'collection_run',
        subjectId: run.id,
        data: { number: run.number, sequence: run.sequence, collectionDate: run.collectionDate, count: run.count, total: formatMinor(run.totalMinor, run.currency), fileName, sha256: kept.sha256, gatheredBy: run.createdBy, amendmentsReported: amendments },
      });
      ctx.log.info({ run: run.number, count: run.count, total: formatMinor(run.totalMinor, run.currency), sequence: run.sequence, bytes: kept.bytes, mandates: mandatesUsed }, 'collection run released');
      return { run: await runView(tx, await runRow(tx, run.id)) };
    },
    { timeoutMs: 600_000 },
  );
}

/** Cancels a draft run: its debits are announced again (a person takes them back or gathers again). */
export async function cancelCollectionRun({ ctx, input }: { ctx: Ctx; input: { runId: string; note: string } }): Promise<CollectionRunView> {
  const run = await cancelRun(RUNS, ctx, input, async (tx, r, now) => {
    await tx.directDebit.updateMany({ where: { runId: r.id, state: 'in_run' }, data: { state: 'announced', runId: null, position: null, sequence: null, endToEndId: null, updatedAt: now, version: { increment: 1 } } });
  });
  return runView(ctx.db.prisma, run);
}

export async function getCollectionRun({ ctx, input }: { ctx: Ctx; input: { runId: string } }): Promise<CollectionRunView> {
  const tx: Tx = ctx.db.prisma;
  return runView(tx, await runRow(tx, input.runId));
}

export async function listCollectionRuns({ ctx, input }: { ctx: Ctx; input: { status?: CollectionRunStatus; limit?: number; cursor?: string } }): Promise<Page<CollectionRunView>> {
  return listRuns(RUNS, ctx, input, runView);
}

/** The debits of a run in file order, with the debtor's account masked. */
export async function listRunDebits({ ctx, input }: { ctx: Ctx; input: { runId: string; limit?: number; cursor?: string } }): Promise<Page<DirectDebitView & { mandateReference: string; debtorName: string; debtorIban: string }>> {
  const limit = pageLimit(input.limit);
  const after = decodeCursor(input.cursor, 1);
  const tx: Tx = ctx.db.prisma;
  await runRow(tx, input.runId);
  const rows = await tx.directDebit.findMany({ where: { runId: input.runId, ...(after ? { position: { gt: Number.parseInt(after[0]!, 10) } } : {}) }, orderBy: { position: 'asc' }, take: limit + 1 });
  const page = rows.slice(0, limit);
  const items = new Map((await tx.openItem.findMany({ where: { id: { in: page.map((d) => d.openItemId) } }, select: { id: true, kassenzeichen: true } })).map((i) => [i.id, i.kassenzeichen]));
  const mandates = new Map((await tx.mandate.findMany({ where: { id: { in: [...new Set(page.map((d) => d.mandateId))] } }, select: { id: true, reference: true, debtorName: true, debtorIban: true } })).map((m) => [m.id, m]));
  return {
    items: page.map((d) => {
      const m = mandates.get(d.mandateId)!;
      return { ...directDebitView(d, items.get(d.openItemId) ?? null), mandateReference: m.reference, debtorName: m.debtorName, debtorIban: maskIban(m.debtorIban) };
    }),
    nextCursor: rows.length > limit ? encodeCursor([String(page.at(-1)!.position)]) : null,
  };
}

/** The released file as kept (lifecycle.ts, fetchRunFile): every fetch after the first is a copy. */
export async function collectionRunFile({ ctx, input }: { ctx: Ctx; input: { runId: string } }): Promise<RunFile> {
  return fetchRunFile(RUNS, ctx, input.runId);
}

/** A run by its number (the operator's handle on the command line). */
export async function collectionRunByNumber({ ctx, input }: { ctx: Ctx; input: { number: number } }): Promise<CollectionRunView> {
  return runView(ctx.db.prisma, await runByNumber(RUNS, ctx, input.number));
}

/** Released runs whose file nobody fetched yet: what goes to the bank's outbox folder. */
export async function unfetchedCollectionRuns({ ctx }: { ctx: Ctx }): Promise<CollectionRunView[]> {
  return Promise.all((await unfetchedRuns(RUNS, ctx)).map((r) => runView(ctx.db.prisma, r)));
}
