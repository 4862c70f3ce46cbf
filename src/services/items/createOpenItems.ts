/**
 * Raising claims: one at a time (`createOpenItem`) or the finance system's whole open-item list
 * (`importOpenItems`, all or nothing). Both write, per item, the item and an OpenItemChange
 * "created" row, plus an audit entry, in one transaction with the Kassenzeichen serials they use.
 */
import type { Ctx } from '../../context.js';
import { isUniqueViolation, type Tx } from '../../db/database.js';
import { ConflictError, ValidationError } from '../../errors.js';
import { writeAudit } from '../shared/audit.js';
import { newId } from '../shared/ids.js';
import { actorLabel } from '../../context.js';
import { MAX_REPORTED_ROW_ERRORS, parseOpenItemsCsv, rowError, rowErrors, type RowError } from './csv.js';
import { foldName } from './foldName.js';
import { checkSuppliedKassenzeichen, generateKassenzeichenBatch, kassenzeichenFacts, schemesOf, type KassenzeichenFacts } from './kassenzeichen.js';
import { toItemView, type OpenItemView } from './model.js';
import { checkNewOpenItem, type CheckedOpenItem, type NewOpenItemInput } from './newItem.js';
import { itemStatus } from './status.js';
import { validateSuppliedReference } from '../../references/kassenzeichen.js';

/** Rows per INSERT: 27 columns × 500 stays far below PostgreSQL's 65 535 bind parameters. */
const INSERT_CHUNK = 500;
/** A 100 000-row import writes 200 000 rows; the default 60 s transaction timeout is too short. */
const IMPORT_TIMEOUT_MS = 10 * 60_000;

export async function createOpenItem({ ctx, input }: { ctx: Ctx; input: NewOpenItemInput }): Promise<OpenItemView> {
  const checked = checkNewOpenItem(input);
  if ('problems' in checked) {
    const first = checked.problems[0]!;
    throw new ValidationError(`${first.field}: ${first.message}`, { field: first.field }, checked.problems.map((p) => ({ message: `${p.field}: ${p.message}`, field: p.field })));
  }
  const item = checked.item;
  const supplied = item.suppliedKassenzeichen ? checkSuppliedKassenzeichen(schemesOf(ctx.config), item.suppliedKassenzeichen) : null;
  const issuer = issuerOf(ctx);
  const facts = await assignKassenzeichen(ctx, [{ item, supplied }]);
  const [row] = await ctx.db
    .transaction(async (tx) => {
      if (supplied && (await tx.openItem.findUnique({ where: { kassenzeichen: supplied.kassenzeichen }, select: { id: true } }))) {
        throw new ConflictError(`kassenzeichen: ${supplied.kassenzeichen} is already taken by another open item`, { field: 'kassenzeichen' });
      }
      if (item.externalRef !== null) {
        const existing = await tx.openItem.findFirst({ where: { issuerClientId: issuer, externalRef: item.externalRef }, select: { id: true } });
        if (existing) throw new ConflictError(`externalRef: "${item.externalRef}" was already used for open item ${existing.id}`, { field: 'externalRef', existingItemId: existing.id });
      }
      const rows = await insertItems(tx, ctx, [{ item }], facts, undefined);
      await writeAudit(tx, ctx, { action: 'open_item.created', subjectType: 'open_item', subjectId: rows[0]!.id, data: auditData(rows[0]!) });
      return rows;
    })
    .catch(uniqueToConflict);
  return toItemView(ctx, row!);
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
    /**
     * The Kassenzeichen were issued by the finance system (its open-item list, the reconcile
     * command): they are taken as issued, checked for form only, not against our own schemes,
     * whose check digits the finance system need not follow.
     */
    referencesIssuedElsewhere?: boolean;
  };
}): Promise<ImportedItem[]> {
  const { rows, fileName: file } = input;
  const schemes = schemesOf(ctx.config);
  const issuer = issuerOf(ctx);
  const errors: RowError[] = [];
  const err = (field: string, message: string, row: number) => errors.push(rowError(field, message, row, undefined, undefined, file));

  const prepared: Array<{ row: number; item: CheckedOpenItem; supplied: KassenzeichenFacts | null }> = [];
  const seenKz = new Map<string, number>();
  const seenRef = new Map<string, number>();
  for (const { row, item } of rows) {
    let supplied: KassenzeichenFacts | null = null;
    if (item.suppliedKassenzeichen) {
      try {
        supplied = input.referencesIssuedElsewhere
          ? kassenzeichenFacts(schemes, validateSuppliedReference(item.suppliedKassenzeichen, 'kassenzeichen'))
          : checkSuppliedKassenzeichen(schemes, item.suppliedKassenzeichen);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        err('kassenzeichen', e.message.replace(/^kassenzeichen: /, ''), row);
      }
      if (supplied) {
        const first = seenKz.get(supplied.kassenzeichen);
        if (first !== undefined) err('kassenzeichen', `${supplied.kassenzeichen} also appears in row ${first}`, row);
        else seenKz.set(supplied.kassenzeichen, row);
      }
    }
    if (item.externalRef !== null) {
      const first = seenRef.get(item.externalRef);
      if (first !== undefined) err('externalRef', `"${item.externalRef}" also appears in row ${first}`, row);
      else seenRef.set(item.externalRef, row);
    }
    prepared.push({ row, item, supplied });
  }
  for (const chunk of chunks([...seenKz.keys()], INSERT_CHUNK)) {
    const taken = await ctx.db.prisma.openItem.findMany({ where: { kassenzeichen: { in: chunk } }, select: { kassenzeichen: true } });
    for (const t of taken) err('kassenzeichen', `${t.kassenzeichen} is already taken by an open item`, seenKz.get(t.kassenzeichen)!);
  }
  for (const chunk of chunks([...seenRef.keys()], INSERT_CHUNK)) {
    const taken = await ctx.db.prisma.openItem.findMany({ where: { issuerClientId: issuer, externalRef: { in: chunk } }, select: { externalRef: true, id: true } });
    for (const t of taken) err('externalRef', `"${t.externalRef}" was already used for open item ${t.id}`, seenRef.get(t.externalRef!)!);
  }
  if (errors.length > 0) {
    errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    throw rowErrors(errors.slice(0, MAX_REPORTED_ROW_ERRORS), errors.length, file);
  }

  const facts = await assignKassenzeichen(ctx, prepared);
  const created = await ctx.db
    .transaction(async (tx) => {
      const inserted = await insertItems(tx, ctx, prepared, facts, file);
      await writeAudit(tx, ctx, {
        action: 'open_items.imported',
        subjectType: 'open_item_import',
        subjectId: newId(),
        data: { count: inserted.length, source: input.source, ...(file ? { fileName: file } : {}), firstItemId: inserted[0]?.id ?? null },
      });
      return inserted;
    }, { timeoutMs: IMPORT_TIMEOUT_MS })
    .catch(uniqueToConflict);
  return created.map((r, i) => ({ row: prepared[i]!.row, id: r.id, kassenzeichen: r.kassenzeichen, rfReference: r.rfReference, externalRef: r.externalRef }));
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
      for (const chunk of chunks(candidates, INSERT_CHUNK)) {
        for (const t of await ctx.db.prisma.openItem.findMany({ where: { kassenzeichen: { in: chunk } }, select: { kassenzeichen: true } })) taken.add(t.kassenzeichen);
      }
      return taken;
    });
    indexes.forEach((idx, j) => (facts[idx] = kassenzeichenFacts(schemes, generated[j]!)));
  }
  return facts;
}

/** Writes items and their "created" change rows; answers the rows in input order. */
async function insertItems(tx: Tx, ctx: Ctx, items: Array<{ item: CheckedOpenItem }>, facts: KassenzeichenFacts[], fileName: string | undefined) {
  const now = ctx.clock.now();
  const issuer = issuerOf(ctx);
  const rows = items.map(({ item }, i) => ({
    id: newId(),
    kassenzeichen: facts[i]!.kassenzeichen,
    rfReference: facts[i]!.rfReference,
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
    issuerClientId: issuer,
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
    listPosition: i,
    version: 0,
  }));
  const actor = actorLabel(ctx.actor);
  for (const chunk of chunks(rows, INSERT_CHUNK)) {
    await tx.openItem.createMany({ data: chunk });
    await tx.openItemChange.createMany({
      data: chunk.map((r) => ({ id: newId(), openItemId: r.id, kind: 'created', oldAmountMinor: null, newAmountMinor: r.amountMinor, reason: fileName ? `imported from ${fileName}` : null, actor, createdAt: now })),
    });
  }
  return rows;
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
      for (const p of checked.problems) errors.push({ message: `item ${i + 1}, ${p.field}: ${p.message}`, row: i + 1, field: `items.${i}.${p.field}` });
    } else rows.push({ row: i + 1, item: checked.item });
  });
  if (errors.length > 0) throw rowErrors(errors.slice(0, MAX_REPORTED_ROW_ERRORS), errors.length, undefined);
  return importOpenItems({ ctx, input: { rows, source: 'json' } });
}
