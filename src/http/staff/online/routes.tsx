/** @jsxImportSource hono/jsx */
/** Online payments and the providers' clearing accounts in the workplace (read-only pages and a CSV). */
import type { Hono } from 'hono';
import { allOnlinePaymentsFor, countOnlinePaymentsFor, getClearingAccounts, onlinePaymentsListPage, onlinePaymentView, type OnlinePaymentFilter } from '../../../services/workplace/onlinePayments.js';
import { ClearingPage, OnlinePaymentDetailPage, OnlinePaymentsPage, onlinePaymentsCsv } from '../../../ui/staff/online/pages.js';
import { requireStaff, type StaffEnv } from '../../session.js';
import { amountParam, dayParam, queryOf } from '../query.js';
import { csvDownload, forbiddenPage, html, pageContext, staffCtx, whoOf } from '../render.js';

const staff = () => requireStaff('statements:read', forbiddenPage);

/** The list's filter as its form sends it: days and amounts as typed ("16.11.2026", "1.234,50"). */
function filterOf(q: Record<string, string>): OnlinePaymentFilter {
  const pick = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
  const out: OnlinePaymentFilter = {};
  if (pick(q.status)) out.status = pick(q.status)!;
  if (pick(q.provider)) out.provider = pick(q.provider)!;
  if (dayParam(q.from)) out.from = dayParam(q.from)!;
  if (dayParam(q.to)) out.to = dayParam(q.to)!;
  if (amountParam(q.amountFrom)) out.amountFrom = amountParam(q.amountFrom)!;
  if (amountParam(q.amountTo)) out.amountTo = amountParam(q.amountTo)!;
  if (pick(q.kassenzeichen)) out.kassenzeichen = pick(q.kassenzeichen)!;
  return out;
}

const queryOfFilter = (q: Record<string, string>) => queryOf({ kassenzeichen: q.kassenzeichen, status: q.status, provider: q.provider, from: q.from, to: q.to, amountFrom: q.amountFrom, amountTo: q.amountTo });

export function mountOnlinePages(app: Hono<StaffEnv>): void {
  app.get('/online-payments', staff(), async (c) => {
    const q = c.req.query();
    const ctx = staffCtx(c);
    const filter = filterOf(q);
    const page = await onlinePaymentsListPage({ ctx, input: { ...filter, limit: 50, ...(q.cursor ? { cursor: q.cursor } : {}) } });
    // The form shows what was typed, not its normalized form.
    const shown: OnlinePaymentFilter = { ...filter, ...Object.fromEntries((['from', 'to', 'amountFrom', 'amountTo'] as const).filter((k) => q[k]).map((k) => [k, q[k]])) };
    return html(c, <OnlinePaymentsPage {...(await pageContext(c))} {...page} filter={shown} query={queryOfFilter(q)} />);
  });

  app.get('/online-payments.csv', staff(), async (c) => {
    const ctx = staffCtx(c);
    const filter = filterOf(c.req.query());
    return csvDownload(c, {
      name: { de: 'online-zahlungen', en: 'online-payments' },
      total: await countOnlinePaymentsFor({ ctx, input: filter }),
      rows: async () => onlinePaymentsCsv(c.get('lang'), await allOnlinePaymentsFor({ ctx, input: filter })),
    });
  });

  app.get('/online-payments/:id', staff(), async (c) => {
    const view = await onlinePaymentView({ ctx: staffCtx(c), input: { id: c.req.param('id') } });
    return html(c, <OnlinePaymentDetailPage {...(await pageContext(c))} page={view.page} who={whoOf(c, view.names)} />);
  });

  app.get('/clearing', staff(), async (c) => {
    const accounts = await getClearingAccounts({ ctx: staffCtx(c) });
    return html(c, <ClearingPage {...(await pageContext(c))} accounts={accounts} />);
  });
}
