/**
 * The treasury workplace in the browser: server-rendered pages at stable addresses, one folder per
 * resource like the API (src/http/staff/<resource>/routes.tsx). Each handler reads the request,
 * calls one service verb that assembles the page (src/services/workplace/, with the signed-in
 * person as the actor, so the same scope and four-eyes checks apply as in the API), and renders
 * it or redirects with a message. A refusal becomes a message on the page it came from (act); any
 * other error is turned into a page in one place (staffErrorPage).
 *
 * Sessions and CSRF protection (src/http/session.ts) apply to these paths only; the /v1 API and
 * the citizen pages are untouched by them.
 */
import { Hono } from 'hono';
import { staffSession, type StaffEnv } from '../session.js';
import { mountApprovalPages } from './approvals/routes.js';
import { mountAuthRoutes } from './auth.js';
import { mountClosingPages } from './closings/routes.js';
import { mountDashboardPages } from './dashboard/routes.js';
import { mountImportPages } from './import/routes.js';
import { mountItemPages } from './items/routes.js';
import { mountOnlinePages } from './online/routes.js';
import { mountBulkRoutes } from './review/bulk.js';
import { mountReviewPages } from './review/routes.js';
import { mountSepaPages } from './sepa/routes.js';
import { mountStatementPages } from './statements/routes.js';
import { mountMandatePages } from './mandates/routes.js';
import { staffErrorPage } from './render.js';

/** Every path the staff area answers (and only these get the session middleware). */
export const STAFF_PATHS = ['/', '/login', '/logout', '/lang/*', '/statements', '/statements.csv', '/statements/*', '/refused-deliveries', '/refused-deliveries.csv', '/refused-deliveries/*', '/review', '/review.csv', '/review/*', '/items', '/items.csv', '/items/*', '/approvals', '/approvals.csv', '/approvals/*', '/import', '/import/*', '/closings', '/closings.csv', '/closings/*', '/online-payments', '/online-payments.csv', '/online-payments/*', '/clearing', '/sepa', '/sepa/*', '/mandates', '/mandates/*'];

export function staffRoutes(): Hono<StaffEnv> {
  const app = new Hono<StaffEnv>();
  for (const path of STAFF_PATHS) app.use(path, staffSession);
  mountAuthRoutes(app);
  // Before the review pages: /review/bulk is not a payment's id.
  mountBulkRoutes(app);
  mountDashboardPages(app);
  mountStatementPages(app);
  mountReviewPages(app);
  mountItemPages(app);
  mountApprovalPages(app);
  mountImportPages(app);
  mountClosingPages(app);
  mountOnlinePages(app);
  mountSepaPages(app);
  mountMandatePages(app);
  app.onError((err, c) => staffErrorPage(c, err));
  return app;
}
