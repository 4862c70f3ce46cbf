/**
 * The treasury workplace in the browser: server-rendered pages at stable addresses. Sessions and
 * CSRF protection (src/http/session.ts) apply to these paths only; the /v1 API and the citizen
 * pages are untouched by them.
 */
import { Hono } from 'hono';
import { staffSession, type StaffEnv } from '../session.js';
import { mountAuthRoutes } from './auth.js';
import { mountPageRoutes } from './pages.js';
import { mountClosingPages } from '../closings/pages.js';
import { mountOnlinePages } from './online/routes.js';
import { mountBulkRoutes } from './review/bulk.js';
import { mountSepaPages } from './sepa/routes.js';
import { mountMandatePages } from './mandates/routes.js';
import { staffErrorPage } from './render.js';

/** Every path the staff area answers (and only these get the session middleware). */
export const STAFF_PATHS = ['/', '/login', '/logout', '/lang/*', '/statements', '/statements.csv', '/statements/*', '/refused-deliveries', '/refused-deliveries.csv', '/refused-deliveries/*', '/review', '/review.csv', '/review/*', '/items', '/items.csv', '/items/*', '/approvals', '/approvals.csv', '/approvals/*', '/import', '/import/*', '/closings', '/closings.csv', '/closings/*', '/online-payments', '/online-payments.csv', '/online-payments/*', '/clearing', '/sepa', '/sepa/*', '/mandates', '/mandates/*'];

export function staffRoutes(): Hono<StaffEnv> {
  const app = new Hono<StaffEnv>();
  for (const path of STAFF_PATHS) app.use(path, staffSession);
  mountAuthRoutes(app);
  // Before the page routes: /review/bulk is not a payment's id.
  mountBulkRoutes(app);
  mountPageRoutes(app);
  mountClosingPages(app);
  mountOnlinePages(app);
  mountSepaPages(app);
  mountMandatePages(app);
  app.onError((err, c) => staffErrorPage(c, err));
  return app;
}
