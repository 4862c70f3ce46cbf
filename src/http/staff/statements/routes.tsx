/** @jsxImportSource hono/jsx */
/** Bank statements, their original files, and the deliveries refused for carrying a statement read before with other content. */
import type { Hono } from 'hono';
import { getStatementOriginalFile } from '../../../services/statements/originalFile.js';
import { refusedDeliveriesPage, statementListPage, statementPage } from '../../../services/workplace/statements.js';
import { countRefusedDeliveries, getRefusedDeliveryFile, listRefusedDeliveries } from '../../../services/statements/refusedDeliveries.js';
import { RefusedDeliveriesPage, refusedDeliveriesCsv } from '../../../ui/staff/refusedDeliveries.js';
import { countStatements, listStatements } from '../../../services/statements/queries.js';
import { StatementPage, StatementsPage, statementsCsv } from '../../../ui/staff/statements.js';
import { allPages } from '../../../services/shared/paging.js';
import { LIST_CSV_ROWS } from '../../../ui/staff/csv.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../../session.js';
import { csrfRefusedPage, forbiddenPage, html, pageContext, staffCtx, csvDownload } from '../render.js';

const staff = (scope?: Parameters<typeof requireStaff>[0]) => requireStaff(scope, forbiddenPage);
const post = (scope: Parameters<typeof requireStaff>[0]) => [requireStaff(scope, forbiddenPage), csrfProtect(csrfRefusedPage)] as const;

export function mountStatementPages(app: Hono<StaffEnv>): void {
  // ---- statements
  app.get('/statements', staff('statements:read'), async (c) => {
    const cursor = c.req.query('cursor');
    const page = await statementListPage({ ctx: staffCtx(c), input: { limit: 50, ...(cursor ? { cursor } : {}) } });
    return html(c, <StatementsPage {...(await pageContext(c))} {...page} />);
  });

  app.get('/statements.csv', staff('statements:read'), async (c) => {
    const ctx = staffCtx(c);
    return csvDownload(c, {
      name: { de: 'kontoauszuege', en: 'statements' },
      total: await countStatements({ ctx, input: {} }),
      rows: async () => statementsCsv(c.get('lang'), await allPages(async (cursor) => {
        const p = await listStatements({ ctx, input: { limit: 500, ...(cursor ? { cursor } : {}) } });
        return { rows: p.items, nextCursor: p.nextCursor };
      }, LIST_CSV_ROWS)),
    });
  });

  app.get('/statements/:id', staff('statements:read'), async (c) => {
    const cursor = c.req.query('cursor');
    const page = await statementPage({ ctx: staffCtx(c), input: { id: c.req.param('id'), limit: 200, ...(cursor ? { cursor } : {}) } });
    return html(c, <StatementPage {...(await pageContext(c))} {...page} />);
  });

  app.get('/statements/:id/file', staff('statements:read'), async (c) => {
    const file = await getStatementOriginalFile({ ctx: staffCtx(c), input: { statementId: c.req.param('id') } });
    const ascii = file.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
    return c.body(file.bytes as never, 200, {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    });
  });

  // ---- deliveries refused for carrying a statement read before with other content
  app.get('/refused-deliveries', staff('statements:read'), async (c) => {
    const cursor = c.req.query('cursor');
    const page = await refusedDeliveriesPage({ ctx: staffCtx(c), input: { limit: 50, ...(cursor ? { cursor } : {}) } });
    return html(c, <RefusedDeliveriesPage {...(await pageContext(c))} {...page} />);
  });

  app.get('/refused-deliveries.csv', staff('statements:read'), async (c) => {
    const ctx = staffCtx(c);
    return csvDownload(c, {
      name: { de: 'abgewiesene-lieferungen', en: 'refused-deliveries' },
      total: await countRefusedDeliveries({ ctx }),
      rows: async () => refusedDeliveriesCsv(c.get('lang'), await allPages(async (cursor) => {
        const p = await listRefusedDeliveries({ ctx, input: { limit: 200, ...(cursor ? { cursor } : {}) } });
        return { rows: p.data, nextCursor: p.nextCursor };
      }, LIST_CSV_ROWS)),
    });
  });

  app.get('/refused-deliveries/:id/file', staff('statements:read'), async (c) => {
    const file = await getRefusedDeliveryFile({ ctx: staffCtx(c), input: { id: c.req.param('id') } });
    const ascii = file.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
    return c.body(file.bytes as never, 200, {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    });
  });

}
