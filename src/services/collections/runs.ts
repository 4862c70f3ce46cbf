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
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { formatMinor } from '../../money/money.js';
import { maskIban } from '../../references/iban.js';
import { sepaText } from '../../sepa/charset.js';
import { writeDirectDebit, type DirectDebitTransaction } from '../../sepa/pain008.js';
import { expiresOn, mandateStanding, nextSequence, type Amendment, type SequenceType } from '../mandates/model.js';
import { cityDate, isIsoDay } from '../review/dates.js';
import { writeAudit } from '../shared/audit.js';
import { newId, sha256Hex } from '../shared/ids.js';
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

async function runRow(tx: Tx, id: string): Promise<RunRow> {
  const r = await tx.collectionRun.findUnique({ where: { id } });
  if (!r) throw new NotFoundError('collection run', id);
  return r;
}

async function inWindows<T, R>(ids: T[], read: (slice: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < ids.length; i += WINDOW) out.push(...(await read(ids.slice(i, i + WINDOW))));
  return out;
}

export interface GatherCollectionsResult {
  runs: CollectionRunView[];
  /** Announced debits not gathered, and why (they stay announced for a person to take back). */
  skipped: Array<{ directDebitId: string; reason: string }>;
}

/**
 * Gathers the debits announced for `collectionDate` into draft runs, one per sequence. A debit whose
 * mandate is no longer usable (revoked, blocked, expired by then) or whose item changed (paid,
 * cancelled, another amount open) is skipped and named.
 */
export async function gatherCollectionRuns({ ctx, input }: { ctx: Ctx; input: { collectionDate: string } }): Promise<GatherCollectionsResult> {
  if (!isIsoDay(input.collectionDate)) throw new ValidationError('collectionDate: a day like 2026-12-15', { field: 'collectionDate' });
  const today = cityDate(ctx.clock.now());
  if (input.collectionDate < today) throw new ValidationError(`collectionDate: ${input.collectionDate} has passed`, { field: 'collectionDate' });
  try {
    return await ctx.db.transaction(
      async (tx) => {
        const debits = await tx.directDebit.findMany({ where: { state: 'announced', collectionDate: input.collectionDate }, orderBy: [{ announcedAt: 'asc' }, { id: 'asc' }], take: LIMITS.debitsPerRun });
        const mandates = new Map((await inWindows([...new Set(debits.map((d) => d.mandateId))], (ids) => tx.mandate.findMany({ where: { id: { in: ids } } }))).map((m) => [m.id, m]));
        const items = new Map(
          (await inWindows([...new Set(debits.map((d) => d.openItemId))], (ids) => tx.openItem.findMany({ where: { id: { in: ids } }, select: { id: true, amountMinor: true, paidMinor: true, cancelledAt: true, kassenzeichen: true } }))).map((i) => [i.id, i]),
        );
        const skipped: GatherCollectionsResult['skipped'] = [];
        const groups = new Map<SequenceType, typeof debits>();
        for (const d of debits) {
          const m = mandates.get(d.mandateId)!;
          const it = items.get(d.openItemId)!;
          const standing = mandateStanding(m, input.collectionDate);
          if (standing !== 'active' || input.collectionDate > expiresOn(m)) {
            skipped.push({ directDebitId: d.id, reason: `mandate ${m.reference} is ${standing === 'active' ? 'expired by then' : standing}` });
            continue;
          }
          if (it.cancelledAt || it.amountMinor - it.paidMinor !== d.amountMinor) {
            skipped.push({ directDebitId: d.id, reason: `item ${it.kassenzeichen} has ${formatMinor(it.amountMinor - it.paidMinor, d.currency)} open now, not the ${formatMinor(d.amountMinor, d.currency)} announced; take the announcement back and announce again` });
            continue;
          }
          const seq = nextSequence(m);
          const group = groups.get(seq);
          if (group) group.push(d);
          else groups.set(seq, [d]);
        }
        if (groups.size === 0) throw new ConflictError(`no direct debit announced for ${input.collectionDate} can be collected${skipped.length ? ` (${skipped.length} skipped)` : ''}`, { skipped });
        const last = await tx.collectionRun.findFirst({ orderBy: { number: 'desc' }, select: { number: true } });
        let number = last?.number ?? 0;
        const now = ctx.clock.now();
        const runs: CollectionRunView[] = [];
        for (const sequence of ['FRST', 'RCUR', 'OOFF', 'FNAL'] as const) {
          const list = groups.get(sequence);
          if (!list) continue;
          number++;
          const messageId = `STK-D-${today.replaceAll('-', '')}-${number}`;
          const total = list.reduce((s, d) => s + d.amountMinor, 0n);
          const run = await tx.collectionRun.create({
            data: {
              id: newId(), number, status: 'draft', collectionDate: input.collectionDate, sequence, count: list.length, totalMinor: total, currency: 'EUR', messageId, paymentInformationId: `${messageId}-1`,
              createdBy: actorLabel(ctx.actor), createdByName: ctx.actor.name, createdAt: now,
            },
          });
          const n = await bulkUpdate(
            tx,
            ctx.db,
            { table: 'DirectDebit', key: { id: 'text' }, set: { state: 'text', runId: 'text', position: 'int', sequence: 'text', endToEndId: 'text', updatedAt: 'timestamp' }, setExpressions: ['"version" = "DirectDebit"."version" + 1'], expect: { version: 'int' } },
            list.map((d, i) => ({ id: d.id, state: 'in_run', runId: run.id, position: i + 1, sequence, endToEndId: `STK-D${number}-${i + 1}`, updatedAt: now, expected_version: d.version })),
          );
          if (n !== list.length) throw new ConflictError('direct debits were changed while they were gathered; gather again');
          await writeAudit(tx, ctx, { action: 'collection_run.gathered', subjectType: 'collection_run', subjectId: run.id, data: { number, sequence, collectionDate: input.collectionDate, count: list.length, total: formatMinor(total, 'EUR') } });
          runs.push(await runView(tx, run));
        }
        return { runs, skipped };
      },
      { timeoutMs: 600_000 },
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('someone gathered collections at the same moment; look at the collection runs');
    throw err;
  }
}

/**
 * Releases a draft run under four-eyes into its pain.008.001.08 file. The debits must still be as
 * gathered and their mandates usable; each mandate then records its use: the collection date as
 * last use (expiry runs from it), its amendment cleared (the file reported it), and a one-off or
 * final mandate is finished.
 */
export async function releaseCollectionRun({ ctx, input }: { ctx: Ctx; input: { runId: string; version?: number } }): Promise<{ run: CollectionRunView }> {
  return ctx.db.transaction(
    async (tx) => {
      const run = await runRow(tx, input.runId);
      if (run.status === 'released') throw new ConflictError(`collection run ${run.number} was released by ${run.releasedByName} at ${run.releasedAt?.toISOString()}; its file is sent once (fetch a copy from /file)`, { runStatus: run.status });
      if (run.status !== 'draft') throw new ConflictError(`collection run ${run.number} is ${run.status}`, { runStatus: run.status });
      if (input.version !== undefined && input.version !== run.version) throw new ConflictError(`collection run ${run.number} changed since you read it; reload it`, { currentVersion: run.version });
      if (run.createdBy === actorLabel(ctx.actor)) throw new ForbiddenError(`collection run ${run.number} was gathered by you; a second person releases it`);
      const today = cityDate(ctx.clock.now());
      if (run.collectionDate < today) throw new ConflictError(`collection run ${run.number} was for ${run.collectionDate}, which has passed; cancel it and announce again`);
      const debits = await tx.directDebit.findMany({ where: { runId: run.id }, orderBy: { position: 'asc' } });
      if (debits.length !== run.count || debits.some((d) => d.state !== 'in_run')) throw new ConflictError(`the direct debits of run ${run.number} changed since it was gathered; cancel it and gather again`);
      const mandates = new Map((await inWindows([...new Set(debits.map((d) => d.mandateId))], (ids) => tx.mandate.findMany({ where: { id: { in: ids } } }))).map((m) => [m.id, m]));
      for (const m of mandates.values()) {
        if (mandateStanding(m, run.collectionDate) !== 'active' || nextSequence(m) !== run.sequence) {
          throw new ConflictError(`mandate ${m.reference} changed since run ${run.number} was gathered (it is ${mandateStanding(m, run.collectionDate)}, next sequence ${nextSequence(m)}); cancel the run and gather again`);
        }
      }
      const now = ctx.clock.now();
      const transactions: DirectDebitTransaction[] = debits.map((d) => {
        const m = mandates.get(d.mandateId)!;
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
      });
      const xml = writeDirectDebit({
        messageId: run.messageId,
        paymentInformationId: run.paymentInformationId,
        createdAt: now,
        collectionDate: run.collectionDate,
        sequence: run.sequence as SequenceType,
        batchBooking: ctx.config.sepa.batchBooking,
        initiatorName: sepaText(ctx.config.creditor.name, 70),
        creditor: { name: sepaText(ctx.config.creditor.name, 70), iban: ctx.config.creditor.iban, bic: ctx.config.creditor.bic, creditorId: ctx.config.sepa.creditorId },
        transactions,
      });
      const sha256 = await sha256Hex(xml);
      const fileName = `${run.messageId}.xml`;
      const claimed = await tx.collectionRun.updateMany({
        where: { id: run.id, version: run.version, status: 'draft' },
        data: { status: 'released', releasedBy: actorLabel(ctx.actor), releasedByName: ctx.actor.name, releasedAt: now, fileName, fileContent: xml, fileSha256: sha256, version: { increment: 1 } },
      });
      if (claimed.count !== 1) throw new ConflictError(`collection run ${run.number} was released or changed by someone else at the same moment`);
      const sent = await bulkUpdate(
        tx,
        ctx.db,
        { table: 'DirectDebit', key: { id: 'text' }, set: { state: 'text', updatedAt: 'timestamp' }, setExpressions: ['"version" = "DirectDebit"."version" + 1'], expect: { version: 'int', state: 'text' } },
        debits.map((d) => ({ id: d.id, state: 'sent', updatedAt: now, expected_version: d.version, expected_state: 'in_run' })),
      );
      if (sent !== debits.length) throw new ConflictError(`direct debits of run ${run.number} changed at the same moment; reload it`);
      const finishes = run.sequence === 'OOFF' || run.sequence === 'FNAL';
      const used = await bulkUpdate(
        tx,
        ctx.db,
        { table: 'Mandate', key: { id: 'text' }, set: { lastCollectedOn: 'text', pendingAmendment: 'text', status: 'text', updatedAt: 'timestamp' }, setExpressions: ['"version" = "Mandate"."version" + 1'], expect: { version: 'int' } },
        [...mandates.values()].map((m) => ({ id: m.id, lastCollectedOn: run.collectionDate, pendingAmendment: null, status: finishes ? 'finished' : m.status, updatedAt: now, expected_version: m.version })),
      );
      if (used !== mandates.size) throw new ConflictError(`mandates of run ${run.number} changed at the same moment; reload it`);
      await writeAudit(tx, ctx, {
        action: 'collection_run.released',
        subjectType: 'collection_run',
        subjectId: run.id,
        data: { number: run.number, sequence: run.sequence, collectionDate: run.collectionDate, count: run.count, total: formatMinor(run.totalMinor, run.currency), fileName, sha256, gatheredBy: run.createdBy, amendmentsReported: transactions.filter((t) => t.amendment).length },
      });
      ctx.log.info({ run: run.number, count: run.count, total: formatMinor(run.totalMinor, run.currency), sequence: run.sequence }, 'collection run released');
      return { run: await runView(tx, await runRow(tx, run.id)) };
    },
    { timeoutMs: 600_000 },
  );
}

/** Cancels a draft run: its debits are announced again (a person takes them back or gathers again). */
export async function cancelCollectionRun({ ctx, input }: { ctx: Ctx; input: { runId: string; note: string } }): Promise<CollectionRunView> {
  const note = input.note.trim();
  if (note.length === 0 || note.length > 500) throw new ValidationError('note: say why, in 1 to 500 characters', { field: 'note' });
  return ctx.db.transaction(async (tx) => {
    const run = await runRow(tx, input.runId);
    if (run.status !== 'draft') throw new ConflictError(`collection run ${run.number} is ${run.status}; only a run not released can be cancelled`, { runStatus: run.status });
    const now = ctx.clock.now();
    const n = await tx.collectionRun.updateMany({ where: { id: run.id, version: run.version, status: 'draft' }, data: { status: 'cancelled', cancelledBy: actorLabel(ctx.actor), cancelledAt: now, version: { increment: 1 } } });
    if (n.count !== 1) throw new ConflictError(`collection run ${run.number} was changed by someone else at the same moment`);
    await tx.directDebit.updateMany({ where: { runId: run.id, state: 'in_run' }, data: { state: 'announced', runId: null, position: null, sequence: null, endToEndId: null, updatedAt: now, version: { increment: 1 } } });
    await writeAudit(tx, ctx, { action: 'collection_run.cancelled', subjectType: 'collection_run', subjectId: run.id, reason: note, data: { number: run.number } });
    return runView(tx, await runRow(tx, run.id));
  });
}

export async function getCollectionRun({ ctx, input }: { ctx: Ctx; input: { runId: string } }): Promise<CollectionRunView> {
  const tx: Tx = ctx.db.prisma;
  return runView(tx, await runRow(tx, input.runId));
}

export async function listCollectionRuns({ ctx, input }: { ctx: Ctx; input: { status?: CollectionRunStatus; limit?: number; cursor?: string } }): Promise<Page<CollectionRunView>> {
  const limit = pageLimit(input.limit);
  const after = decodeCursor(input.cursor, 1);
  const tx: Tx = ctx.db.prisma;
  const rows = await tx.collectionRun.findMany({ where: { ...(input.status ? { status: input.status } : {}), ...(after ? { number: { lt: Number.parseInt(after[0]!, 10) } } : {}) }, orderBy: { number: 'desc' }, take: limit + 1 });
  const page = rows.slice(0, limit);
  return { items: await Promise.all(page.map((r) => runView(tx, r))), nextCursor: rows.length > limit ? encodeCursor([String(page.at(-1)!.number)]) : null };
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

/** The released file as kept (hash checked on read); every fetch after the first is a copy. */
export async function collectionRunFile({ ctx, input }: { ctx: Ctx; input: { runId: string } }): Promise<{ fileName: string; content: string; sha256: string; copy: number }> {
  return ctx.db.transaction(async (tx) => {
    const run = await runRow(tx, input.runId);
    if (run.status !== 'released' || !run.fileContent || !run.fileSha256 || !run.fileName) throw new ConflictError(`collection run ${run.number} is ${run.status}; a file exists only once it is released`, { runStatus: run.status });
    if ((await sha256Hex(run.fileContent)) !== run.fileSha256) throw new Error(`invariant: the kept file of collection run ${run.number} no longer has its SHA-256`);
    const n = await tx.collectionRun.updateMany({ where: { id: run.id, downloads: run.downloads }, data: { downloads: { increment: 1 } } });
    if (n.count !== 1) throw new ConflictError(`the file of collection run ${run.number} was fetched at the same moment; fetch it again (as a copy)`);
    await writeAudit(tx, ctx, { action: run.downloads === 0 ? 'collection_run.file_fetched' : 'collection_run.copy_fetched', subjectType: 'collection_run', subjectId: run.id, data: { number: run.number, sha256: run.fileSha256, copy: run.downloads } });
    return { fileName: run.fileName, content: run.fileContent, sha256: run.fileSha256, copy: run.downloads };
  });
}
