/** @jsxImportSource hono/jsx */
/** Open items: the list and its download, and one item with its history. */
import { listDirectDebits } from '../../../services/collections/debits.js';
import { usableMandatesOf } from '../../../services/mandates/mandates.js';
import type { Hono } from 'hono';
import { countOpenItems, listOpenItems, type ItemFilters } from '../../../services/items/queries.js';
import { getItemHistory } from '../../../services/workplace/itemHistory.js';
import { ItemPage, ItemsPage, itemsCsv, type ItemSearch } from '../../../ui/staff/items.js';
import { allPages } from '../../../services/shared/paging.js';
import { LIST_CSV_ROWS } from '../../../ui/staff/csv.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../../session.js';
import { amountParam, queryOf } from '../query.js';
import { can, csrfRefusedPage, forbiddenPage, html, pageContext, whoResolver, staffCtx, csvDownload } from '../render.js';

const staff = (scope?: Parameters<typeof requireStaff>[0]) => requireStaff(scope, forbiddenPage);
const post = (scope: Parameters<typeof requireStaff>[0]) => [requireStaff(scope, forbiddenPage), csrfProtect(csrfRefusedPage)] as const;

/** The items list's filter as its form sends it. */
function itemFilterOf(q: Record<string, string>): ItemFilters {
  const amount = amountParam(q.amount);
  return {
    ...(q.kassenzeichen?.trim() ? { kassenzeichen: q.kassenzeichen.trim() } : {}),
    ...(q.debtor?.trim() ? { debtorName: q.debtor.trim() } : {}),
    ...(amount ? { amount } : {}),
    ...(q.status ? { status: q.status } : {}),
  };
}


export function mountItemPages(app: Hono<StaffEnv>): void {
  // ---- open items
  app.get('/items', staff('items:read'), async (c) => {
    const q = c.req.query();
    const search: ItemSearch = { ...(q.kassenzeichen ? { kassenzeichen: q.kassenzeichen } : {}), ...(q.debtor ? { debtor: q.debtor } : {}), ...(q.amount ? { amount: q.amount } : {}), ...(q.status ? { status: q.status } : {}) };
    const page = await listOpenItems({ ctx: staffCtx(c), input: { ...itemFilterOf(q), limit: 50, ...(q.cursor ? { cursor: q.cursor } : {}) } });
    const query = queryOf({ kassenzeichen: q.kassenzeichen, debtor: q.debtor, amount: q.amount, status: q.status });
    const total = await countOpenItems({ ctx: staffCtx(c), input: itemFilterOf(q) });
    return html(c, <ItemsPage {...(await pageContext(c))} items={page.items} nextCursor={page.nextCursor} search={search} query={query} total={total} />);
  });

  app.get('/items.csv', staff('items:read'), async (c) => {
    const ctx = staffCtx(c);
    const filter = itemFilterOf(c.req.query());
    return csvDownload(c, {
      name: { de: 'offene-posten', en: 'open-items' },
      total: await countOpenItems({ ctx, input: filter }),
      rows: async () => itemsCsv(c.get('lang'), await allPages(async (cursor) => {
        const p = await listOpenItems({ ctx, input: { ...filter, limit: 500, ...(cursor ? { cursor } : {}) } });
        return { rows: p.items, nextCursor: p.nextCursor };
      }, LIST_CSV_ROWS)),
    });
  });

  app.get('/items/:id', staff('items:read'), async (c) => {
    const history = await getItemHistory({ ctx: staffCtx(c), input: { id: c.req.param('id'), lang: c.get('lang') } });
    const who = await whoResolver(c, [
      ...history.allocations.flatMap((a) => [a.createdBy, ...(a.reversal ? [a.reversal.createdBy] : [])]),
      ...history.changes.map((x) => x.actor),
      ...history.audit.map((a) => a.actor),
    ]);
    // The item's latest direct debit (announced, "Einzug veranlasst", collected, returned), if any.
    const debits = await listDirectDebits({ ctx: staffCtx(c), input: { itemId: history.item.id, limit: 100 } });
    const debit = debits.items.filter((d) => d.state !== 'cancelled').at(-1) ?? null;
    // Collecting it by direct debit: offered to whoever keeps mandates, for what is open and has no standing debit.
    const standing = debit && ['announced', 'in_run', 'sent'].includes(debit.state) ? debit : null;
    const collectable = can(c, 'mandates') && !history.item.cancelledAt && (history.item.status === 'open' || history.item.status === 'partly_paid');
    const directDebitForms = collectable
      ? { mandates: standing ? [] : await usableMandatesOf({ ctx: staffCtx(c), input: { debtorName: history.item.debtor.name } }), debit: standing, preNotificationDays: c.get('deps').config.sepa.preNotificationDays }
      : undefined;
    return html(c, <ItemPage {...(await pageContext(c))} history={history} who={who} directDebit={debit} {...(directDebitForms ? { directDebitForms } : {})} />);
  });

}
