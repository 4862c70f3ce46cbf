/** @jsxImportSource hono/jsx */
/** The overview (dashboard). */
import type { Hono } from 'hono';
import { getDashboard } from '../../../services/workplace/dashboard.js';
import { openPeriods } from '../../../services/closings/closings.js';
import { DashboardPage } from '../../../ui/staff/dashboard.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../../session.js';
import { can, csrfRefusedPage, forbiddenPage, html, pageContext, staffCtx } from '../render.js';

const staff = (scope?: Parameters<typeof requireStaff>[0]) => requireStaff(scope, forbiddenPage);
const post = (scope: Parameters<typeof requireStaff>[0]) => [requireStaff(scope, forbiddenPage), csrfProtect(csrfRefusedPage)] as const;

export function mountDashboardPages(app: Hono<StaffEnv>): void {
  app.get('/', staff(), async (c) => {
    const data = await getDashboard({ ctx: staffCtx(c) });
    const openClosings = can(c, 'statements:read') ? await openPeriods({ ctx: staffCtx(c), input: { limit: 3 } }) : undefined;
    return html(c, <DashboardPage {...(await pageContext(c))} data={data} canApprove={can(c, 'approve')} {...(openClosings ? { openClosings } : {})} />);
  });

}
