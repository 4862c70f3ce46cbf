/**
 * /v1/closings: the daily closing (Tagesabschluss) through the API, and /v1/cash-offices for the
 * cash offices (Zahlstellen) that deliver their own day closing.
 *
 * Scopes: reading needs statements:read; determining a closing and explaining a difference need
 * review (the clerk who prepares the day); signing needs approve (the Kassenverwalter), and never
 * by the one who determined it; the HKR export needs export; a cash office delivers with
 * statements:import; setting one up needs admin.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { LimitExceededError, ValidationError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { createCashOffice, deliverCashReport, listCashOffices, matchCashDeposits, MAX_REPORT_BYTES, parseCashReportCsv, parseCashReportJson } from '../../services/closings/cashOffices.js';
import { determineClosing, explainDifference, getClosing, listClosings, openPeriods, previewClosing, signClosing } from '../../services/closings/closings.js';
import { suspenseFigures } from '../../services/closings/compute.js';
import { closingCsv, closingJson } from '../../services/closings/exports.js';
import { closingPdf, closingPrintHtml } from '../../services/closings/print.js';
import { SUSPENSE_TYPES } from '../../services/closings/model.js';
import { ctxOf, requireScope } from '../env.js';
import { AmountString, IdParam, bearer, conflict, notFound, router, standardErrors } from '../openapi.js';

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day YYYY-MM-DD').openapi({ example: '2026-11-16' });
const Blocker = z.object({ kind: z.string(), account: z.string().optional(), detail: z.string() }).openapi('ClosingBlocker');
const Content = z.object({}).passthrough().openapi('ClosingContent', { description: 'accounts (opening, receipts and payments by kind, ledgerClosing, explained, bankClosing, inTransit, difference), suspense with ageing, totals' });
const Closing = z
  .object({
    id: z.string(),
    number: z.number().int().nullable(),
    kind: z.enum(['regular', 'follow_up']),
    followsId: z.string().nullable(),
    periodFrom: z.string(),
    periodTo: z.string(),
    status: z.enum(['determined', 'signed', 'withdrawn']),
    determinedBy: z.string(),
    determinedByName: z.string(),
    determinedAt: z.string(),
    signedBy: z.string().nullable(),
    signedByName: z.string().nullable(),
    signedAt: z.string().nullable(),
    contentHash: z.string(),
    prevHash: z.string().nullable(),
    hash: z.string().nullable(),
    version: z.number().int(),
    content: Content,
  })
  .openapi('Closing');

export function closingRoutes() {
  const app = router();
  const tags = ['Closings'];
  const security = bearer;

  app.openapi(
    createRoute({ method: 'get', path: '/v1/closings', tags, summary: 'Closings, newest period first', security, middleware: [requireScope('statements:read')] as const, request: { query: z.object({ status: z.enum(['determined', 'signed', 'withdrawn']).optional(), limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50), cursor: Day.optional() }) }, responses: { 200: json(z.object({ items: z.array(Closing.omit({ content: true }).extend({ totals: z.object({}).passthrough() })), nextCursor: z.string().nullable() }), 'a page of closings'), ...standardErrors } }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listClosings({ ctx: ctxOf(c), input: { limit: q.limit, ...(q.status ? { status: q.status } : {}), ...(q.cursor ? { before: q.cursor } : {}) } }) as never, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/v1/closings/preview', tags, summary: 'What the closing of the period containing `day` says now, and what keeps it open (nothing is written)', security, middleware: [requireScope('statements:read')] as const, request: { query: z.object({ day: Day }) }, responses: { 200: json(z.object({ period: z.object({ from: z.string(), to: z.string() }), kind: z.string(), closed: z.boolean(), blockers: z.array(Blocker), content: Content, basisHash: z.string(), determinedId: z.string().nullable() }), 'the figures and blockers'), ...standardErrors } }),
    async (c) => c.json((await previewClosing({ ctx: ctxOf(c), input: { day: c.req.valid('query').day } })) as never, 200),
  );

  app.openapi(
    createRoute({ method: 'get', path: '/v1/closings/open', tags, summary: 'Periods still to close (and follow-ups due), each with why it is open', security, middleware: [requireScope('statements:read')] as const, responses: { 200: json(z.object({ periods: z.array(z.object({ period: z.object({ from: z.string(), to: z.string() }), kind: z.string(), blockers: z.array(Blocker), determinedId: z.string().nullable() })) }), 'open periods'), ...standardErrors } }),
    async (c) => c.json({ periods: await openPeriods({ ctx: ctxOf(c), input: {} }) } as never, 200),
  );

  app.openapi(
    createRoute({ method: 'get', path: '/v1/closings/suspense-ageing', tags, summary: 'Typed suspense balances (Verwahrgeld, Vorschuss, unclear receipts, refunds due) aged at a day; the year-end report with asOf=YYYY-12-31', security, middleware: [requireScope('statements:read')] as const, request: { query: z.object({ asOf: Day }) }, responses: { 200: json(z.object({ asOf: z.string(), suspense: z.array(z.object({ type: z.enum(SUSPENSE_TYPES), balance: AmountString, count: z.number().int(), ageing: z.object({ upTo30: AmountString, upTo90: AmountString, upTo365: AmountString, older: AmountString }) })) }), 'suspense by type and age'), ...standardErrors } }),
    async (c) => {
      const asOf = c.req.valid('query').asOf;
      return c.json({ asOf, suspense: await suspenseFigures(ctxOf(c), asOf) } as never, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'post', path: '/v1/closings', tags, summary: 'Determine the closing of the period containing `day` (first signature); 409 with `blockers` while it does not add up', description: 'A period already signed gets a follow-up closing when something arrived since (a late statement, a corrected cash office report); otherwise 409.', security, middleware: [requireScope('review')] as const, request: { body: { required: true, content: { 'application/json': { schema: z.object({ day: Day }) } } } }, responses: { 201: json(Closing, 'determined; waits for the Kassenverwalter'), ...standardErrors, ...conflict } }),
    async (c) => c.json((await determineClosing({ ctx: ctxOf(c), input: { day: c.req.valid('json').day } })) as never, 201),
  );

  app.openapi(
    createRoute({ method: 'post', path: '/v1/closings/explanations', tags, summary: 'Explain (part of) a difference by booking it to a typed suspense account, with a reason', description: 'A surplus (positive) goes to verwahrgeld, unclear_receipt or refund_due; a shortfall (negative) to vorschuss. Never more than the unexplained difference of the account. Append-only and audited.', security, middleware: [requireScope('review')] as const, request: { body: { required: true, content: { 'application/json': { schema: z.object({ day: Day, account: z.string().min(3).max(200).openapi({ example: 'cash:BUERGERAMT' }), suspenseType: z.enum(SUSPENSE_TYPES), amount: AmountString, reason: z.string().min(1).max(1000) }) } } } }, responses: { 201: json(z.object({ id: z.string(), account: z.string(), suspenseType: z.string(), amount: AmountString, reason: z.string() }).passthrough(), 'booked to suspense'), ...standardErrors, ...notFound } }),
    async (c) => c.json((await explainDifference({ ctx: ctxOf(c), input: c.req.valid('json') })) as never, 201),
  );

  app.openapi(
    createRoute({ method: 'get', path: '/v1/closings/{id}', tags, summary: 'One closing with its figures', security, middleware: [requireScope('statements:read')] as const, request: { params: IdParam }, responses: { 200: json(Closing, 'the closing'), ...standardErrors, ...notFound } }),
    async (c) => c.json((await getClosing({ ctx: ctxOf(c), input: c.req.valid('param') })) as never, 200),
  );

  app.openapi(
    createRoute({ method: 'post', path: '/v1/closings/{id}/sign', tags, summary: 'Sign as Kassenverwalter (second signature; 403 for the one who determined it). Numbers and chains the closing; immutable from then on', security, middleware: [requireScope('approve')] as const, request: { params: IdParam, body: { required: false, content: { 'application/json': { schema: z.object({ expectedVersion: z.number().int().optional() }) } } } }, responses: { 200: json(Closing, 'signed'), ...standardErrors, ...notFound, ...conflict } }),
    async (c) => {
      const body = (c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {}) as { expectedVersion?: number };
      return c.json((await signClosing({ ctx: ctxOf(c), input: { id: c.req.valid('param').id, ...(body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {}) } })) as never, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/v1/closings/{id}/export', tags, summary: 'The closing for the finance system (HKR): CSV (one row per figure) or JSON (content with hashes)', security, middleware: [requireScope('export')] as const, request: { params: IdParam, query: z.object({ format: z.enum(['csv', 'json']).default('csv'), separator: z.enum([';', ',']).default(';'), bom: z.enum(['true', 'false']).default('true') }) }, responses: { 200: { description: 'the export', content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: z.object({}).passthrough() } } }, ...standardErrors, ...notFound } }),
    async (c) => {
      const q = c.req.valid('query');
      const closing = await getClosing({ ctx: ctxOf(c), input: c.req.valid('param') });
      const name = `tagesabschluss-${closing.number ?? 'entwurf'}-${closing.periodTo}`;
      if (q.format === 'json') return c.body(closingJson(closing), 200, { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="${name}.json"` });
      return c.body(closingCsv(closing, { separator: q.separator, bom: q.bom === 'true' }), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` });
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/v1/closings/{id}/print', tags, summary: 'The Tagesabschlussbuch page (German): HTML for printing, or PDF with format=pdf', security, middleware: [requireScope('statements:read')] as const, request: { params: IdParam, query: z.object({ format: z.enum(['html', 'pdf']).default('html') }) }, responses: { 200: { description: 'the page', content: { 'text/html': { schema: z.string() }, 'application/pdf': { schema: z.string() } } }, ...standardErrors, ...notFound } }),
    async (c) => {
      const closing = await getClosing({ ctx: ctxOf(c), input: c.req.valid('param') });
      if (c.req.valid('query').format === 'pdf') {
        const bytes = await closingPdf(closing);
        return c.body(bytes as unknown as ArrayBuffer, 200, { 'content-type': 'application/pdf', 'content-disposition': `inline; filename="tagesabschluss-${closing.number ?? 'entwurf'}-${closing.periodTo}.pdf"` });
      }
      return c.html(closingPrintHtml(closing), 200);
    },
  );

  // ---- Cash offices (Zahlstellen)
  const CashReport = z.object({ day: Day, receipts: z.array(z.object({ kind: z.string().min(1).max(60), amount: AmountString })).max(1000), deposit: z.object({ amount: AmountString, reference: z.string().max(35) }) });
  const CashOffice = z.object({ id: z.string(), code: z.string(), name: z.string(), depositIban: z.string().nullable() }).openapi('CashOffice');
  app.openapi(
    createRoute({ method: 'post', path: '/v1/cash-offices', tags, summary: 'Set up a cash office (Zahlstelle)', security, middleware: [requireScope('admin')] as const, request: { body: { required: true, content: { 'application/json': { schema: z.object({ code: z.string().min(2).max(20), name: z.string().min(2).max(100), depositIban: z.string().max(40).optional() }) } } } }, responses: { 201: json(CashOffice, 'created'), ...standardErrors, ...conflict } }),
    async (c) => c.json((await createCashOffice({ ctx: ctxOf(c), input: c.req.valid('json') })) as never, 201),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/cash-offices', tags, summary: 'The cash offices', security, middleware: [requireScope('statements:read')] as const, responses: { 200: json(z.object({ cashOffices: z.array(CashOffice) }), 'cash offices'), ...standardErrors } }),
    async (c) => c.json({ cashOffices: await listCashOffices({ ctx: ctxOf(c) }) } as never, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/cash-offices/{code}/reports',
      tags,
      summary: "Deliver a cash office's day closing (CSV or JSON); a second delivery for the same day is a correction",
      description: 'CSV (text/csv, comma or semicolon): day,line,kind,amount,reference with line = receipt (by kind) or deposit (once, with the reference the deposit slip carries). JSON: {"day":"2026-11-16","receipts":[{"kind":"Gebühren","amount":"120.00"}],"deposit":{"amount":"150.00","reference":"ZST-BA-20261116"}}.',
      security,
      middleware: [requireScope('statements:import'), bodyLimit({ maxSize: MAX_REPORT_BYTES, onError: () => { throw new LimitExceededError('cashReportBytes', MAX_REPORT_BYTES, undefined); } })] as const,
      request: { params: z.object({ code: z.string().min(2).max(20) }), body: { required: true, content: { 'application/json': { schema: z.object({}).passthrough().openapi({ description: 'see CashReport' }) }, 'text/csv': { schema: z.string() } } } },
      responses: { 201: json(z.object({ id: z.string(), revision: z.number().int(), replayed: z.boolean(), expected: AmountString, deposit: AmountString, difference: AmountString, matched: z.number().int() }).passthrough(), 'stored'), 200: json(z.object({}).passthrough(), 'the same report again'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => {
      const csv = /^text\/csv/i.test(c.req.header('content-type') ?? '');
      let report;
      if (csv) report = parseCashReportCsv(await c.req.text());
      else {
        const parsed = CashReport.safeParse(c.req.valid('json'));
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new ValidationError(`${issue.path.join('.') || 'body'}: ${issue.message}`, { field: issue.path.join('.') });
        }
        report = parseCashReportJson(parsed.data);
      }
      const r = await deliverCashReport({ ctx: ctxOf(c), input: { code: c.req.valid('param').code, report, source: csv ? 'csv' : 'api' } });
      return c.json(r as never, r.replayed ? 200 : 201);
    },
  );
  app.openapi(
    createRoute({ method: 'post', path: '/v1/cash-offices/match-deposits', tags, summary: "Look for cash offices' deposits on the bank statements now (also done on every delivery and before every closing)", security, middleware: [requireScope('review')] as const, responses: { 200: json(z.object({ matched: z.number().int(), ambiguous: z.number().int() }), 'result'), ...standardErrors } }),
    async (c) => c.json(await matchCashDeposits({ ctx: ctxOf(c) }), 200),
  );
  return app;
}
