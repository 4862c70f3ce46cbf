/** @jsxImportSource hono/jsx */
/** Open items: the list and its download, and one item with its history. */
import type { Hono } from 'hono';
import { countOpenItems, listOpenItems, type ItemFilters } from '../../../services/items/queries.js';
import { itemListPage, itemPage } from '../../../services/workplace/itemHistory.js';
import { ItemPage, ItemsPage, itemsCsv, type ItemSearch } from '../../../ui/staff/items.js';
import { allPages } from '../../../services/shared/paging.js';
import { LIST_CSV_ROWS } from '../../../ui/staff/csv.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../../session.js';
import { amountParam, queryOf } from '../query.js';
import { csrfRefusedPage, forbiddenPage, html, pageContext, whoOf, staffCtx, csvDownload } from '../render.js';

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
    const page = await itemListPage({ ctx: staffCtx(c), input: { ...itemFilterOf(q), limit: 50, ...(q.cursor ? { cursor: q.cursor } : {}) } });
    const query = queryOf({ kassenzeichen: q.kassenzeichen, debtor: q.debtor, amount: q.amount, status: q.status });
    return html(c, <ItemsPage {...(await pageContext(c))} items={page.items} nextCursor={page.nextCursor} search={search} query={query} total={page.total} />);
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
    const page = await itemPage({ ctx: staffCtx(c), input: { id: c.req.param('id'), lang: c.get('lang') } });
    return html(c, <ItemPage {...(await pageContext(c))} history={page.history} who={whoOf(c, page.names)} directDebit={page.directDebit} {...(page.directDebitForms ? { directDebitForms: page.directDebitForms } : {})} />);
  });

}
