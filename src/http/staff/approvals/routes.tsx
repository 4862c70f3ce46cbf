/** @jsxImportSource hono/jsx */
/** The approvals inbox, its download, and approving or rejecting. */
import type { Hono } from 'hono';
import { actorLabel } from '../../../context.js';
import { approve, countApprovals, reject } from '../../../services/review/approvals.js';
import { approvalsDownload, approvalsPage } from '../../../services/workplace/approvals.js';
import { ApprovalsPage, approvalsCsv } from '../../../ui/staff/approvals.js';
import { money } from '../../../ui/staff/i18n.js';
import { messages } from '../../../ui/staff/frame.js';
import { LIST_CSV_ROWS } from '../../../ui/staff/csv.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../../session.js';
import { act, csrfRefusedPage, forbiddenPage, formFields, html, pageContext, whoOf, staffCtx, csvDownload } from '../render.js';

const staff = (scope?: Parameters<typeof requireStaff>[0]) => requireStaff(scope, forbiddenPage);
const post = (scope: Parameters<typeof requireStaff>[0]) => [requireStaff(scope, forbiddenPage), csrfProtect(csrfRefusedPage)] as const;

export function mountApprovalPages(app: Hono<StaffEnv>): void {
  // ---- approvals
  app.get('/approvals', staff('approve'), async (c) => {
    const ctx = staffCtx(c);
    const page = await approvalsPage({ ctx, input: { lang: c.get('lang') } });
    return html(
      c,
      <ApprovalsPage {...(await pageContext(c))} pending={page.pending} decided={page.decided} me={actorLabel(ctx.actor)} who={whoOf(c, page.names)} threshold={page.threshold} contexts={page.contexts} total={page.total} failures={page.failures} />,
    );
  });

  app.get('/approvals.csv', staff('approve'), async (c) => {
    const ctx = staffCtx(c);
    return csvDownload(c, {
      name: { de: 'freigaben', en: 'approvals' },
      total: await countApprovals({ ctx, input: { status: 'pending' } }),
      rows: async () => {
        const d = await approvalsDownload({ ctx, input: { lang: c.get('lang'), max: LIST_CSV_ROWS } });
        return approvalsCsv(c.get('lang'), d.pending, d.contexts, whoOf(c, d.names));
      },
    });
  });

  app.post('/approvals/:id/approve', ...post('approve'), async (c) => {
    const form = await formFields(c);
    const t = messages(c.get('lang'));
    return act(c, '/approvals', async () => {
      const note = (form.note ?? '').trim();
      const done = await approve({ ctx: staffCtx(c), input: { approvalId: c.req.param('id'), ...(note ? { note } : {}) } });
      return { flash: { kind: 'ok', text: t.flashApproved(money(c.get('lang'), done.approval.amount, done.approval.currency)) } };
    });
  });

  app.post('/approvals/:id/reject', ...post('approve'), async (c) => {
    const form = await formFields(c);
    const t = messages(c.get('lang'));
    return act(c, '/approvals', async () => {
      await reject({ ctx: staffCtx(c), input: { approvalId: c.req.param('id'), note: form.note ?? '' } });
      return { flash: { kind: 'ok', text: t.flashRejected } };
    });
  });

}
