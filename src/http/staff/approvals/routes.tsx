/** @jsxImportSource hono/jsx */
/** The approvals inbox, its download, and approving or rejecting. */
import type { Hono } from 'hono';
import { actorLabel } from '../../../context.js';
import { formatMinor } from '../../../money/money.js';
import { approve, countApprovals, listApprovals, reject } from '../../../services/review/approvals.js';
import { approvalContexts, listRecentDecisions, type ApprovalContext } from '../../../services/workplace/approvals.js';
import { ApprovalsPage, approvalsCsv } from '../../../ui/staff/approvals.js';
import { money } from '../../../ui/staff/i18n.js';
import { messages } from '../../../ui/staff/frame.js';
import { allPages } from '../../../services/shared/paging.js';
import { LIST_CSV_ROWS } from '../../../ui/staff/csv.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../../session.js';
import { act, csrfRefusedPage, forbiddenPage, formFields, html, pageContext, whoResolver, staffCtx, csvDownload } from '../render.js';

const staff = (scope?: Parameters<typeof requireStaff>[0]) => requireStaff(scope, forbiddenPage);
const post = (scope: Parameters<typeof requireStaff>[0]) => [requireStaff(scope, forbiddenPage), csrfProtect(csrfRefusedPage)] as const;

export function mountApprovalPages(app: Hono<StaffEnv>): void {
  // ---- approvals
  app.get('/approvals', staff('approve'), async (c) => {
    const ctx = staffCtx(c);
    const pending = await listApprovals({ ctx, input: { status: 'pending', limit: 100 } });
    const recent = await listRecentDecisions({ ctx, input: { limit: 20 } });
    const contexts = await approvalContexts({ ctx, input: { approvals: pending.items, lang: c.get('lang') } });
    const who = await whoResolver(c, [...pending.items, ...recent].flatMap((a) => [a.proposedBy, ...(a.decidedBy ? [a.decidedBy] : [])]));
    const threshold = formatMinor(c.get('deps').config.fourEyesThresholdMinor, 'EUR');
    const total = await countApprovals({ ctx, input: { status: 'pending' } });
    return html(c, <ApprovalsPage {...(await pageContext(c))} pending={pending.items} decided={recent} me={actorLabel(ctx.actor)} who={who} threshold={threshold} contexts={contexts} total={total} />);
  });

  app.get('/approvals.csv', staff('approve'), async (c) => {
    const ctx = staffCtx(c);
    return csvDownload(c, {
      name: { de: 'freigaben', en: 'approvals' },
      total: await countApprovals({ ctx, input: { status: 'pending' } }),
      rows: async () => {
        const pending = await allPages(async (cursor) => {
          const p = await listApprovals({ ctx, input: { status: 'pending', limit: 200, ...(cursor ? { cursor } : {}) } });
          return { rows: p.items, nextCursor: p.nextCursor };
        }, LIST_CSV_ROWS);
        // The approvers' context, a page's worth at a time (approvalContexts reads two queries per call).
        const contexts = new Map<string, ApprovalContext>();
        for (let i = 0; i < pending.length; i += 200) for (const [k, v] of await approvalContexts({ ctx, input: { approvals: pending.slice(i, i + 200), lang: c.get('lang') } })) contexts.set(k, v);
        const who = await whoResolver(c, pending.map((a) => a.proposedBy));
        return approvalsCsv(c.get('lang'), pending, contexts, who);
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
