/** @jsxImportSource hono/jsx */
/**
 * The closing in the workplace (/closings): the same verbs as /v1/closings with the signed-in
 * person as the actor, so the same scopes and the four-eyes rule apply.
 */
import type { Hono } from 'hono';
import { actorLabel } from '../../../context.js';
import { countClosings, determineClosing, explainDifference, getClosing, listClosings, previewClosing, signClosing } from '../../../services/closings/closings.js';
import { closingPage, closingsPage } from '../../../services/workplace/closings.js';
import { suspenseFigures } from '../../../services/closings/compute.js';
import { closingCsv, closingJson } from '../../../services/closings/exports.js';
import { closingPdf, closingPrintHtml } from '../../../services/closings/print.js';
import { isIsoDay } from '../../../services/review/dates.js';
import { AgeingPage, ClosingDayPage, ClosingPage, ClosingsPage, closingsCsv } from '../../../ui/staff/closings/pages.js';
import { allPages } from '../../../services/shared/paging.js';
import { LIST_CSV_ROWS } from '../../../ui/staff/csv.js';
import { amountFromInput } from '../../../ui/staff/i18n.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../../session.js';
import { act, can, csrfRefusedPage, csvDownload, forbiddenPage, formError, formFields, html, pageContext, staffCtx, whoOf, whoResolver, type StaffContext } from '../render.js';

const staff = (scope?: Parameters<typeof requireStaff>[0]) => requireStaff(scope, forbiddenPage);
const post = (scope: Parameters<typeof requireStaff>[0]) => [requireStaff(scope, forbiddenPage), csrfProtect(csrfRefusedPage)] as const;

function dayParam(c: StaffContext, value: string | undefined): string {
  if (!value || !isIsoDay(value)) throw formError(`"${value ?? ''}" is not a day (YYYY-MM-DD)`, 'day');
  return value;
}

export function mountClosingPages(app: Hono<StaffEnv>): void {
  app.get('/closings', staff('statements:read'), async (c) => {
    const page = await closingsPage({ ctx: staffCtx(c) });
    return html(c, <ClosingsPage {...(await pageContext(c))} open={page.open} closings={page.closings} who={whoOf(c, page.names)} today={page.today} total={page.total} />);
  });

  app.get('/closings.csv', staff('statements:read'), async (c) => {
    const ctx = staffCtx(c);
    return csvDownload(c, {
      name: { de: 'abschlussbuch', en: 'closings' },
      total: await countClosings({ ctx }),
      rows: async () => {
        const rows = await allPages(async (before) => {
          const p = await listClosings({ ctx, input: { limit: 200, ...(before ? { before } : {}) } });
          return { rows: p.items, nextCursor: p.nextCursor };
        }, LIST_CSV_ROWS);
        const who = await whoResolver(c, rows.flatMap((i) => [i.determinedBy, ...(i.signedBy ? [i.signedBy] : [])]));
        return closingsCsv(c.get('lang'), rows, who);
      },
    });
  });

  app.get('/closings/day', staff('statements:read'), async (c) => c.redirect(`/closings/day/${dayParam(c, c.req.query('day'))}`, 303));

  app.get('/closings/ageing', staff('statements:read'), async (c) => {
    const asOf = dayParam(c, c.req.query('asOf'));
    return html(c, <AgeingPage {...(await pageContext(c))} asOf={asOf} suspense={await suspenseFigures(staffCtx(c), asOf)} />);
  });

  app.get('/closings/day/:day', staff('statements:read'), async (c) => {
    const day = dayParam(c, c.req.param('day'));
    const preview = await previewClosing({ ctx: staffCtx(c), input: { day } });
    return html(c, <ClosingDayPage {...(await pageContext(c))} day={day} preview={preview} canReview={can(c, 'review')} />);
  });

  app.post('/closings/day/:day/explain', ...post('review'), async (c) => {
    const day = dayParam(c, c.req.param('day'));
    const back = `/closings/day/${day}`;
    return act(c, back, async () => {
      const f = await formFields(c);
      // A shortfall is typed with its minus ("-1,50"); the workplace's amount reader takes the rest.
      const typed = (f.amount ?? '').trim().replace(/^[−–]/, '-');
      const negative = typed.startsWith('-');
      const amount = ((negative ? '-' : '') + (amountFromInput(negative ? typed.slice(1) : typed) ?? typed.replace(/^-/, ''))).replace(/^--/, '-');
      await explainDifference({ ctx: staffCtx(c), input: { day, account: f.account ?? '', suspenseType: f.suspenseType ?? '', amount, reason: f.reason ?? '' } });
      return { flash: { kind: 'ok', text: c.get('lang') === 'de' ? 'Die Differenz ist mit Begründung gebucht.' : 'The difference is booked with its reason.' } };
    });
  });

  app.post('/closings/day/:day/determine', ...post('review'), async (c) => {
    const day = dayParam(c, c.req.param('day'));
    return act(c, `/closings/day/${day}`, async () => {
      const closing = await determineClosing({ ctx: staffCtx(c), input: { day } });
      return { flash: { kind: 'ok', text: c.get('lang') === 'de' ? 'Der Abschluss ist festgestellt; eine zweite Person zeichnet gegen.' : 'The closing is determined; a second person signs it.' }, to: `/closings/${closing.id}` };
    });
  });

  app.get('/closings/:id', staff('statements:read'), async (c) => {
    const { closing, names } = await closingPage({ ctx: staffCtx(c), input: { id: c.req.param('id') } });
    return html(c, <ClosingPage {...(await pageContext(c))} closing={closing} who={whoOf(c, names)} me={actorLabel(staffCtx(c).actor)} canApprove={can(c, 'approve')} canExport={can(c, 'export')} />);
  });

  app.post('/closings/:id/sign', ...post('approve'), async (c) => {
    const id = c.req.param('id');
    return act(c, `/closings/${id}`, async () => {
      const f = await formFields(c);
      const version = f.version && /^\d{1,9}$/.test(f.version) ? Number.parseInt(f.version, 10) : undefined;
      const signed = await signClosing({ ctx: staffCtx(c), input: { id, ...(version !== undefined ? { expectedVersion: version } : {}) } });
      return { flash: { kind: 'ok', text: c.get('lang') === 'de' ? `Abschluss Nr. ${signed.number} ist unterzeichnet.` : `Closing no. ${signed.number} is signed.` } };
    });
  });

  app.get('/closings/:id/print', staff('statements:read'), async (c) => {
    const closing = await getClosing({ ctx: staffCtx(c), input: { id: c.req.param('id') } });
    if (c.req.query('format') === 'pdf') {
      const bytes = await closingPdf(closing);
      return c.body(bytes as unknown as ArrayBuffer, 200, { 'content-type': 'application/pdf', 'content-disposition': `inline; filename="tagesabschluss-${closing.number ?? 'entwurf'}-${closing.periodTo}.pdf"` });
    }
    return c.html(closingPrintHtml(closing));
  });

  app.get('/closings/:id/export', staff('export'), async (c) => {
    const closing = await getClosing({ ctx: staffCtx(c), input: { id: c.req.param('id') } });
    const name = `tagesabschluss-${closing.number ?? 'entwurf'}-${closing.periodTo}`;
    if (c.req.query('format') === 'json') return c.body(closingJson(closing), 200, { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="${name}.json"` });
    return c.body(closingCsv(closing), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` });
  });
}

