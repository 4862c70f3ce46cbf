/**
 * Raising claims: one at a time (`createOpenItem`) or the finance system's whole open-item list
 * (`importOpenItems`, all or nothing). Both write, per item, the item and an OpenItemChange
 * "created" row, plus an audit entry, in one transaction with the Kassenzeichen serials they use.
 */
import type { Ctx } from '../../context.js';
import { isUniqueViolation, type Tx } from '../../db/database.js';
import { ConflictError, ValidationError } from '../../errors.js';
import { auditRow, writeAudit } from '../shared/audit.js';
import { GroupCommit, type Outcome } from '../shared/groupCommit.js';
import { BULK_TABLES, bulkInsert } from '../../db/bulk.js';
import type { Database } from '../../db/database.js';
import { newId } from '../shared/ids.js';
import { actorLabel } from '../../context.js';
import { MAX_REPORTED_ROW_ERRORS, parseOpenItemsCsv, rowError, rowErrors, type RowError } from './csv.js';
import { foldName } from './foldName.js';
import { checkSuppliedKassenzeichen, generateKassenzeichenBatch, kassenzeichenFacts, schemesOf, type KassenzeichenFacts } from './kassenzeichen.js';
import { toItemView, type OpenItemView } from './model.js';
import { checkNewOpenItem, type CheckedOpenItem, type NewOpenItemInput } from './newItem.js';
import { itemStatus } from './status.js';
import { KassenzeichenError } from '../../references/kassenzeichen.js';
import { itemProblemText, type ItemProblem } from './problems.js';

/** Values per IN list of the checks before writing: far below PostgreSQL's 65 535 bind parameters. */
const IN_LIST_CHUNK = 500;
/** A 100 000-row import writes 200 000 rows; the default 60 s transaction timeout is too short. */
const IMPORT_TIMEOUT_MS = 10 * 60_000;

export async function createOpenItem({ ctx, input }: { ctx: Ctx; input: NewOpenItemInput }): Promise<OpenItemView> {
  const checked = checkNewOpenItem(input);
  if ('problems' in checked) {
    const first = checked.problems[0]!;
    throw new ValidationError(`${first.field}: ${first.message}`, { field: first.field }, checked.problems.map((p) => ({ message: `${p.field}: ${p.message}`, field: p.field, reason: p.problem })));
  }
  const item = checked.item;
  const supplied = item.suppliedKassenzeichen ? checkSuppliedKassenzeichen(schemesOf(ctx.config), item.suppliedKassenzeichen) : null;
  return itemGroupOf(ctx.db).submit({ ctx, item, supplied });
}

/** One `createOpenItem` call waiting to be written with the others of its moment. */
interface ItemJob {
  ctx: Ctx;
  item: CheckedOpenItem;
  supplied: KassenzeichenFacts | null;
}

/**
 * Items of one group commit: enough to share a transaction's price among a crowd of callers (10 at
 * a time fill a group of about 10), few enough that a group holds the writer for milliseconds.
 */
const ITEMS_PER_GROUP = 100;
const itemGroups = new WeakMap<Database, GroupCommit<ItemJob, OpenItemView>>();

function itemGroupOf(db: Database): GroupCommit<ItemJob, OpenItemView> {
  let group = itemGroups.get(db);
  if (!group) itemGroups.set(db, (group = new GroupCommit(writeItemGroup, ITEMS_PER_GROUP)));
  return group;
}

/**
 * Single items of concurrent calls in one transaction (see groupCommit.ts). Each item is checked
 * as if alone: a supplied Kassenzeichen or an externalRef already taken — in the database or by an
 * earlier item of the same group — refuses that item with 409 and stores the others.
 */
async function writeItemGroup(jobs: ItemJob[]): Promise<Array<Outcome<OpenItemView>>> {
  const ctx = jobs[0]!.ctx;
  const facts = await assignKassenzeichen(ctx, jobs);
  return ctx.db
    .transaction(async (tx) => {
      const outcomes: Array<Outcome<OpenItemView> | undefined> = new Array(jobs.length);
      const suppliedKz = jobs.flatMap((j) => (j.supplied ? [j.supplied.kassenzeichen] : []));
      // Normalized → as printed on the item that holds it (what a 409 names).
      const takenKz = new Map(
        suppliedKz.length === 0
          ? []
          : (await tx.openItem.findMany({ where: { kassenzeichen: { in: suppliedKz } }, select: { kassenzeichen: true, kassenzeichenAsIssued: true } })).map((r) => [r.kassenzeichen, r.kassenzeichenAsIssued ?? r.kassenzeichen] as const),
      );
      const refKey = (issuer: string | null, ref: string) => `${issuer ?? ''}\u0000${ref}`;
      const takenRefs = new Map<string, string>();
      const refsByIssuer = new Map<string | null, string[]>();
      for (const j of jobs) {
        if (j.item.externalRef === null) continue;
        const issuer = issuerOf(j.ctx);
        refsByIssuer.set(issuer, [...(refsByIssuer.get(issuer) ?? []), j.item.externalRef]);
      }
      for (const [issuer, refs] of refsByIssuer) {
        for (const r of await tx.openItem.findMany({ where: { issuerClientId: issuer, externalRef: { in: refs } }, select: { id: true, externalRef: true } })) {
          takenRefs.set(refKey(issuer, r.externalRef!), r.id);
        }
      }
      const accepted: Array<{ job: ItemJob; index: number; id: string }> = [];
      jobs.forEach((j, index) => {
        const kz = facts[index]!.kassenzeichen;
        const theirs = takenKz.get(kz);
        if (j.supplied && theirs !== undefined) {
          // One number in another spelling is the same number: name the one it collides with, as printed.
          const mine = j.supplied.display;
          outcomes[index] = { ok: false, error: new ConflictError(`kassenzeichen: ${mine} is already taken by another open item${theirs !== mine ? ` (${theirs})` : ''}`, { field: 'kassenzeichen' }) };
          return;
        }
        const ref = j.item.externalRef;
        const existing = ref === null ? undefined : takenRefs.get(refKey(issuerOf(j.ctx), ref));
        if (existing) {
          outcomes[index] = { ok: false, error: new ConflictError(`externalRef: "${ref}" was already used for open item ${existing}`, { field: 'externalRef', existingItemId: existing }) };
          return;
        }
        const id = newId();
        takenKz.set(kz, facts[index]!.display);
        if (ref !== null) takenRefs.set(refKey(issuerOf(j.ctx), ref), id);
        accepted.push({ job: j, index, id });
      });
      const rows = accepted.map(({ job, index, id }) => itemRow(job.ctx, job.item, facts[index]!, id, 0));
      await writeItemRows(tx, ctx.db, rows, accepted.map(({ job }) => job.ctx), undefined);
      await bulkInsert(
        tx,
        ctx.db,
        'AuditEntry',
        BULK_TABLES.AuditEntry,
        rows.map((r, i) => auditRow(accepted[i]!.job.ctx, { action: 'open_item.created', subjectType: 'open_item', subjectId: r.id, data: auditData(r) })),
      );
      rows.forEach((r, i) => (outcomes[accepted[i]!.index] = { ok: true, value: toItemView(accepted[i]!.job.ctx, r) }));
      return outcomes as Array<Outcome<OpenItemView>>;
    })
    .catch(uniqueToConflict);
}

export interface ImportRow {
  /** Row number reported in errors (CSV: header is row 1; JSON: 1-based position). */
  row: number;
  item: CheckedOpenItem;
}

export interface ImportedItem {
  row: number;
  id: string;
  kassenzeichen: string;
  /** As the finance system printed it, or the scheme's grouping of a generated one. */
  kassenzeichenDisplay: string;
  rfReference: string | null;
  externalRef: string | null;
}

/**
 * Imports checked rows all or nothing. Every row's Kassenzeichen and externalRef is checked for
 * format and for duplicates (in the file and in the database) before anything is written, so the
 * answer lists all problems at once with row and column.
 */
export async function importOpenItems({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: {
    rows: ImportRow[];
    fileName?: string;
    source: 'csv' | 'json';
  };
}): Promise<ImportedItem[]> {
  const { rows, fileName: file } = input;
  const schemes = schemesOf(ctx.config);
  const issuer = issuerOf(ctx);
  const errors: RowError[] = [];
  const err = (field: string, problem: ItemProblem, row: number) => errors.push(rowError(field, itemProblemText(problem, 'en'), row, undefined, undefined, file, problem));

  const prepared: Array<{ row: number; item: CheckedOpenItem; supplied: KassenzeichenFacts | null }> = [];
  // Normalized Kassenzeichen → the first row that has it, and its printed form there.
  const seenKz = new Map<string, { row: number; display: string }>();
  const seenRef = new Map<string, number>();
  for (const { row, item } of rows) {
    let supplied: KassenzeichenFacts | null = null;
    if (item.suppliedKassenzeichen) {
      try {
        supplied = checkSuppliedKassenzeichen(schemes, item.suppliedKassenzeichen);
      } catch (e) {
        if (!(e instanceof KassenzeichenError)) throw e;
        err('kassenzeichen', { code: 'kassenzeichen', value: item.suppliedKassenzeichen, fault: e.fault }, row);
      }
      if (supplied) {
        // "GEB-2026-4711" and "GEB 2026 4711" are one number: the normalized form decides.
        const first = seenKz.get(supplied.kassenzeichen);
        if (first !== undefined) err('kassenzeichen', { code: 'duplicateInList', value: supplied.display, firstRow: first.row }, row);
        else seenKz.set(supplied.kassenzeichen, { row, display: supplied.display });
      }
    }
    if (item.externalRef !== null) {
      const first = seenRef.get(item.externalRef);
      if (first !== undefined) err('externalRef', { code: 'duplicateInList', value: `"${item.externalRef}"`, firstRow: first }, row);
      else seenRef.set(item.externalRef, row);
    }
    prepared.push({ row, item, supplied });
  }
  for (const chunk of chunks([...seenKz.keys()], IN_LIST_CHUNK)) {
    const taken = await ctx.db.prisma.openItem.findMany({ where: { kassenzeichen: { in: chunk } }, select: { kassenzeichen: true } });
    for (const t of taken) {
      const at = seenKz.get(t.kassenzeichen)!;
      err('kassenzeichen', { code: 'kassenzeichenTaken', value: at.display }, at.row);
    }
  }
  for (const chunk of chunks([...seenRef.keys()], IN_LIST_CHUNK)) {
    const taken = await ctx.db.prisma.openItem.findMany({ where: { issuerClientId: issuer, externalRef: { in: chunk } }, select: { externalRef: true, id: true } });
    for (const t of taken) err('externalRef', { code: 'externalRefUsed', value: t.externalRef!, itemId: t.id }, seenRef.get(t.externalRef!)!);
  }
  if (errors.length > 0) {
    errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    throw rowErrors(errors.slice(0, MAX_REPORTED_ROW_ERRORS), errors.length, file);
  }

  const facts = await assignKassenzeichen(ctx, prepared);
  const now = ctx.clock.now();
  const created = await ctx.db
    .transaction(async (tx) => {
      const inserted = prepared.map(({ item }, i) => itemRow(ctx, item, facts[i]!, newId(), i, now));
      await writeItemRows(tx, ctx.db, inserted, inserted.map(() => ctx), file);
      await writeAudit(tx, ctx, {
        action: 'open_items.imported',
        subjectType: 'open_item_import',
        subjectId: newId(),
        data: { count: inserted.length, source: input.source, ...(file ? { fileName: file } : {}), firstItemId: inserted[0]?.id ?? null },
      });
      return inserted;
    }, { timeoutMs: IMPORT_TIMEOUT_MS })
    .catch(uniqueToConflict);
  return created.map((r, i) => ({ row: prepared[i]!.row, id: r.id, kassenzeichen: r.kassenzeichen, kassenzeichenDisplay: facts[i]!.display, rfReference: r.rfReference, externalRef: r.externalRef }));
}

/**
 * The Kassenzeichen of each item: as supplied, or generated. Runs before the items' transaction
 * (serials are taken outside it, see reserveSerials); answers in input order.
 */
async function assignKassenzeichen(ctx: Ctx, items: Array<{ item: CheckedOpenItem; supplied: KassenzeichenFacts | null }>): Promise<KassenzeichenFacts[]> {
  const schemes = schemesOf(ctx.config);
  const facts: KassenzeichenFacts[] = new Array(items.length);
  const needByCategory = new Map<string, number[]>();
  items.forEach((x, i) => {
    if (x.supplied) facts[i] = x.supplied;
    else needByCategory.set(x.item.category, [...(needByCategory.get(x.item.category) ?? []), i]);
  });
  for (const [category, indexes] of needByCategory) {
    const generated = await generateKassenzeichenBatch(ctx.db, schemes, category, indexes.length, async (candidates) => {
      const taken = new Set<string>();
      for (const chunk of chunks(candidates, IN_LIST_CHUNK)) {
        for (const t of await ctx.db.prisma.openItem.findMany({ where: { kassenzeichen: { in: chunk } }, select: { kassenzeichen: true } })) taken.add(t.kassenzeichen);
      }
      return taken;
    });
    indexes.forEach((idx, j) => (facts[idx] = kassenzeichenFacts(schemes, generated[j]!)));
  }
  return facts;
}

/** The stored row of a new item (`now`: one moment for a whole imported list). */
function itemRow(ctx: Ctx, item: CheckedOpenItem, facts: KassenzeichenFacts, id: string, listPosition: number, now: Date = ctx.clock.now()) {
  return {
    id,
    kassenzeichen: facts.kassenzeichen,
    rfReference: facts.rfReference,
    category: item.category,
    description: item.description,
    amountMinor: item.amountMinor,
    currency: item.currency,
    dueDate: item.dueDate,
    debtorName: item.debtorName,
    debtorNameKey: foldName(item.debtorName),
    debtorAddress: item.debtorAddress,
    debtorEmail: item.debtorEmail,
    debtorIban: item.debtorIban,
    issuerClientId: issuerOf(ctx),
    externalRef: item.externalRef,
    bookingData: item.bookingData,
    status: itemStatus(item.amountMinor, 0n, false),
    paidMinor: 0n,
    cancelledAt: null,
    cancelReason: null,
    createdAt: now,
    updatedAt: now,
    // Claims raised at the same moment keep the order of the list they came in: the matcher
    // suggests a payer's oldest equal claim first, and the finance system lists them oldest first.
    listPosition,
    version: 0,
    kassenzeichenAsIssued: facts.asIssued,
  };
}

/**
 * Writes items and their "created" change rows (`ctxs[i]`: who raised row i). Through bulkInsert:
 * on SQLite prepared statements on the transaction's connection, elsewhere one JSON parameter per
 * thousand rows; Prisma's createMany cost more than the inserts themselves.
 */
async function writeItemRows(tx: Tx, db: Database, rows: Array<ReturnType<typeof itemRow>>, ctxs: Ctx[], fileName: string | undefined): Promise<void> {
  await bulkInsert(tx, db, 'OpenItem', BULK_TABLES.OpenItem, rows);
  await bulkInsert(
    tx,
    db,
    'OpenItemChange',
    BULK_TABLES.OpenItemChange,
    rows.map((r, i) => ({ id: newId(), openItemId: r.id, kind: 'created', oldAmountMinor: null, newAmountMinor: r.amountMinor, reason: fileName ? `imported from ${fileName}` : null, actor: actorLabel(ctxs[i]!.actor), createdAt: r.createdAt })),
  );
}

/** Items raised by an API client belong to it; staff and the command line raise items of no client. */
function issuerOf(ctx: Ctx): string | null {
  return ctx.actor.type === 'client' ? ctx.actor.id : null;
}

function auditData(r: { kassenzeichen: string; amountMinor: bigint; currency: string; category: string; externalRef: string | null }) {
  // No debtor data in the audit log: the item holds it, the log says what happened.
  return { kassenzeichen: r.kassenzeichen, amountMinor: r.amountMinor, currency: r.currency, category: r.category, externalRef: r.externalRef };
}

/** A concurrent insert won the race for a Kassenzeichen or externalRef after our check. */
function uniqueToConflict(err: unknown): never {
  if (isUniqueViolation(err)) throw new ConflictError('kassenzeichen or externalRef was taken by a request at the same moment; nothing was created');
  throw err;
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}


/** `POST /v1/items/bulk` with a CSV body: the reconcile contract's columns, all or nothing. */
export async function importOpenItemsCsv({ ctx, input }: { ctx: Ctx; input: { text: string; fileName?: string } }): Promise<ImportedItem[]> {
  const rows = parseOpenItemsCsv(input.text, input.fileName ? { fileName: input.fileName } : {});
  return importOpenItems({ ctx, input: { rows, source: 'csv', ...(input.fileName ? { fileName: input.fileName } : {}) } });
}

/** `POST /v1/items/bulk` with `{ items: [...] }`: rows are numbered from 1 in the order given. */
export async function importOpenItemsJson({ ctx, input }: { ctx: Ctx; input: { items: NewOpenItemInput[] } }): Promise<ImportedItem[]> {
  const rows: ImportRow[] = [];
  const errors: RowError[] = [];
  input.items.forEach((raw, i) => {
    const checked = checkNewOpenItem(raw);
    if ('problems' in checked) {
      for (const p of checked.problems) errors.push({ message: `item ${i + 1}, ${p.field}: ${p.message}`, row: i + 1, field: `items.${i}.${p.field}`, reason: p.problem });
    } else rows.push({ row: i + 1, item: checked.item });
  });
  if (errors.length > 0) throw rowErrors(errors.slice(0, MAX_REPORTED_ROW_ERRORS), errors.length, undefined);
  return importOpenItems({ ctx, input: { rows, source: 'json' } });
}
