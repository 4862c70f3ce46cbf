/** @jsxImportSource hono/jsx */
/** The overview (dashboard). */
import type { Hono } from 'hono';
import { dashboardPage } from '../../../services/workplace/dashboard.js';
import { DashboardPage } from '../../../ui/staff/dashboard.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../../session.js';
import { can, csrfRefusedPage, forbiddenPage, html, pageContext, staffCtx } from '../render.js';

const staff = (scope?: Parameters<typeof requireStaff>[0]) => requireStaff(scope, forbiddenPage);
const post = (scope: Parameters<typeof requireStaff>[0]) => [requireStaff(scope, forbiddenPage), csrfProtect(csrfRefusedPage)] as const;

export function mountDashboardPages(app: Hono<StaffEnv>): void {
  app.get('/', staff(), async (c) => {
    const page = await dashboardPage({ ctx: staffCtx(c) });
    return html(c, <DashboardPage {...(await pageContext(c))} {...page} canApprove={can(c, 'approve')} />);
  });

}
