/** Reading open items: one by id or Kassenzeichen, and filtered lists in cursor pages. */
import type { Ctx } from '../../context.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { parseAmountInput } from '../../money/money.js';
import { normalizeReference } from '../../references/kassenzeichen.js';
import { afterCursorWhere, decodeTimeCursor, encodeTimeCursor, NEWEST_FIRST } from '../shared/paging.js';
import { foldName } from './foldName.js';
import { assertVisible, toItemView, visibleItemsWhere, type OpenItemRow, type OpenItemView } from './model.js';
import { BULK_TABLES } from '../../db/bulk.js';
import { sqliteFindByKey } from '../../db/rawRead.js';
import { isIsoDate } from './newItem.js';
import { ITEM_STATUSES } from './status.js';

export async function getOpenItem({ ctx, input }: { ctx: Ctx; input: { id: string } }): Promise<OpenItemView> {
  // The API's most frequent read: by key straight from SQLite where it can (src/db/rawRead.ts).
  const raw = sqliteFindByKey<OpenItemRow>(ctx.db, 'OpenItem', BULK_TABLES.OpenItem, 'id', input.id);
  const row = raw !== undefined ? raw : await ctx.db.prisma.openItem.findUnique({ where: { id: input.id } });
  return toItemView(ctx, assertVisible(ctx.actor, row, input.id));
}

export async function getOpenItemByKassenzeichen({ ctx, input }: { ctx: Ctx; input: { kassenzeichen: string } }): Promise<OpenItemView> {
  const kassenzeichen = normalizeReference(input.kassenzeichen);
  const row = await ctx.db.prisma.openItem.findUnique({ where: { kassenzeichen } });
  return toItemView(ctx, assertVisible(ctx.actor, row, `with Kassenzeichen ${kassenzeichen}`));
}

export interface ItemFilters {
  /** One status or several, comma-separated. */
  status?: string;
  category?: string;
  /** Due on or before this day (YYYY-MM-DD). */
  dueBefore?: string;
  /** Due on or after this day. */
  dueAfter?: string;
  /** Part of the debtor's name; compared folded (case, umlauts, accents, punctuation ignored). */
  debtorName?: string;
  kassenzeichen?: string;
  externalRef?: string;
  /** Exactly this amount claimed, "30.70". */
  amount?: string;
  limit?: number;
  cursor?: string;
}

/** The filter's conditions (without paging): the list, its count and its download read the same rows. */
function itemsWhere(ctx: Ctx, input: ItemFilters): Record<string, unknown> {
  const where: Record<string, unknown> = { ...visibleItemsWhere(ctx.actor) };
  if (input.status) {
    const statuses = input.status.split(',').map((s) => s.trim());
    const bad = statuses.filter((s) => !(ITEM_STATUSES as readonly string[]).includes(s));
    if (bad.length) throw new ValidationError(`status: unknown ${bad.join(', ')}; known are ${ITEM_STATUSES.join(', ')}`, { field: 'status' });
    where.status = { in: statuses };
  }
  if (input.category) where.category = input.category;
  for (const [field, op] of [['dueBefore', 'lte'], ['dueAfter', 'gte']] as const) {
    const v = input[field];
    if (v === undefined) continue;
    if (!isIsoDate(v)) throw new ValidationError(`${field}: "${v}" is not a date like 2026-12-31`, { field });
    where.dueDate = { ...(where.dueDate as object | undefined), [op]: v };
  }
  if (input.debtorName) {
    const key = foldName(input.debtorName);
    if (key) where.debtorNameKey = { contains: key };
  }
  if (input.kassenzeichen) where.kassenzeichen = normalizeReference(input.kassenzeichen);
  if (input.externalRef) where.externalRef = input.externalRef;
  if (input.amount) where.amountMinor = parseAmountInput(input.amount, 'EUR', { field: 'amount' }).minor;
  return where;
}

/** How many items the filter finds in all (the list shows a page of them). */
export async function countOpenItems({ ctx, input }: { ctx: Ctx; input: ItemFilters }): Promise<number> {
  return ctx.db.prisma.openItem.count({ where: itemsWhere(ctx, input) });
}

export async function listOpenItems({ ctx, input }: { ctx: Ctx; input: ItemFilters }): Promise<{ items: OpenItemView[]; nextCursor: string | null }> {
  const limit = input.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.pageSize) throw new ValidationError(`limit: must be 1 to ${LIMITS.pageSize}`, { field: 'limit' });
  const where = itemsWhere(ctx, input);
  const cursor = decodeTimeCursor(input.cursor);
  const rows = await ctx.db.prisma.openItem.findMany({
    where: { AND: [where, afterCursorWhere(cursor)] },
    orderBy: NEWEST_FIRST,
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map((r) => toItemView(ctx, r)), nextCursor: rows.length > limit && last ? encodeTimeCursor({ at: last.createdAt, id: last.id }) : null };
}

/** Used by payment requests: the rows behind ids, in the order asked, each visible to the actor. */
export async function readVisibleItems(ctx: Ctx, ids: string[]) {
  const rows = await ctx.db.prisma.openItem.findMany({ where: { id: { in: ids } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const row = byId.get(id);
    if (!row) throw new NotFoundError('open item', id);
    return assertVisible(ctx.actor, row, id);
  });
}
