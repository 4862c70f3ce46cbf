/**
 * Builds the Stadtkasse HTTP application from injected dependencies. It imports nothing Node-only,
 * so the Node server (src/entry/node.ts), the Workers entry (src/entry/worker.ts) and the tests all
 * run this same app.
 */
import { requestId } from 'hono/request-id';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from './http/env.js';
import { router } from './http/openapi.js';
import { handleError, problemResponse } from './http/problem.js';
import { clientRoutes } from './http/clients/routes.js';
import { itemRoutes } from './http/items/routes.js';
import { paymentPageRoutes } from './http/paymentRequests/pages.js';
import { paymentRequestRoutes } from './http/paymentRequests/routes.js';
import { webhookRoutes } from './http/webhooks/routes.js';
import { eventRoutes } from './http/events/routes.js';
import { mountApiDocs, systemRoutes } from './http/system/routes.js';
import { statementRoutes } from './http/statements/routes.js';
import { refusedDeliveryRoutes } from './http/statements/refused.js';
import { reviewRoutes } from './http/review/routes.js';
import { approvalRoutes } from './http/approvals/routes.js';
import { exportRoutes } from './http/export/routes.js';
import { closingRoutes } from './http/closings/routes.js';
import { refundRunRoutes } from './http/refundRuns/routes.js';
import { mandateRoutes } from './http/mandates/routes.js';
import { collectionRoutes } from './http/collections/routes.js';
import { staffRoutes } from './http/staff/routes.js';
import { onlinePaymentPages } from './http/online/pages.js';
import { onlineRoutes } from './http/online/routes.js';
import { documentXbezahldienste, XBD_BASE_PATH, xbezahldiensteRoutes } from './http/xbezahldienste/routes.js';
import { SYSTEM_ACTOR } from './context.js';
import { unknownAddressPage, wantsPage } from './http/staff/unknownAddress.js';
import { limitBodies } from './http/bodyLimits.js';
import { Rematcher } from './services/booking/rematch.js';

export type App = OpenAPIHono<AppEnv>;

export interface CreateAppOptions {
  /**
   * Routes of one runtime, registered before the shared ones so they can answer first or pass on
   * with next() (Workers: large statement uploads go to a queue; see src/entry/workerRoutes.ts).
   */
  runtimeRoutes?: (app: App) => void;
}

export function createApp(deps: AppDeps, opts: CreateAppOptions = {}): App {
  const app = router();

  // New or changed open items: payments that came before their claim get another look, coalesced
  // over a short window and only those that could match (src/services/booking/rematch.ts).
  if (!deps.services.onItemsChanged) {
    const ctx = { db: deps.db, config: deps.config, clock: deps.clock, log: deps.logger, actor: SYSTEM_ACTOR };
    const rematcher = (deps.services.rematcher ??= new Rematcher(() => ctx, deps.services.matching));
    deps.services.onItemsChanged = (ids) => {
      const run = rematcher.itemsChanged(ids);
      if (deps.defer) deps.defer(run);
    };
  }

  app.use('*', requestId({ headerName: 'X-Request-Id', limitLength: 100 }));
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    const log = deps.logger.child({ requestId: c.get('requestId') });
    c.set('log', log);
    const started = performance.now();
    await next();
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const level = c.res.status >= 500 ? 'error' : 'info';
    // Payment links carry their secret token in the path: it never reaches the log.
    const path = c.req.path.replace(/^\/pay\/[^/]+/, '/pay/[token]');
    log[level]({ method: c.req.method, path, status: c.res.status, ms }, 'request');
  });

  app.use('*', limitBodies());

  opts.runtimeRoutes?.(app);
  app.route('/', systemRoutes());
  app.route('/', clientRoutes());
  app.route('/', itemRoutes());
  app.route('/', paymentRequestRoutes());
  app.route('/', paymentPageRoutes());
  app.route('/', webhookRoutes());
  app.route('/', eventRoutes());
  app.route('/', statementRoutes());
  app.route('/', refusedDeliveryRoutes());
  app.route('/', reviewRoutes());
  app.route('/', approvalRoutes());
  app.route('/', exportRoutes());
  app.route('/', closingRoutes());
  app.route('/', refundRunRoutes());
  app.route('/', mandateRoutes());
  app.route('/', collectionRoutes());
  // The treasury workplace (HTML pages with sessions; see src/http/staff/routes.ts).
  app.route('/', staffRoutes());
  app.route('/', onlineRoutes());
  app.route('/', onlinePaymentPages());
  app.route(XBD_BASE_PATH, xbezahldiensteRoutes());
  documentXbezahldienste(app);
  // The built-in test mode provider (only when no real provider is configured).
  const testProvider = deps.services.online?.testProvider;
  if (testProvider) app.route('/', testProvider.app);

  mountApiDocs(app);

  app.notFound((c) =>
    wantsPage(c) ? unknownAddressPage(c) : problemResponse(c, { type: 'about:blank', title: 'Not Found', status: 404, detail: `no route for ${c.req.method} ${c.req.path}` }),
  );
  app.onError((err, c) => handleError(err, c, c.get('log') ?? deps.logger));
  return app;
}
