/** @jsxImportSource hono/jsx */
/**
 * The treasury workplace's pages and form posts. Each handler reads the request, calls the same
 * service verbs as the API (with the signed-in person as the actor, so the same scope and
 * four-eyes checks apply), and renders a page or redirects with a message.
 */
import type { Hono } from 'hono';
import type { StaffEnv } from '../session.js';
import { mountApprovalPages } from './approvals/routes.js';
import { mountDashboardPages } from './dashboard/routes.js';
import { mountImportPages } from './import/routes.js';
import { mountItemPages } from './items/routes.js';
import { mountReviewPages } from './review/routes.js';
import { mountStatementPages } from './statements/routes.js';

/** Every resource's pages, one folder each, in the order their addresses are matched. */
export function mountPageRoutes(app: Hono<StaffEnv>): void {
  mountDashboardPages(app);
  mountStatementPages(app);
  mountReviewPages(app);
  mountItemPages(app);
  mountApprovalPages(app);
  mountImportPages(app);
}
