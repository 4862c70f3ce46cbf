import { createRoute, z } from '@hono/zod-openapi';
import { router } from '../openapi.js';
import { renderApiReference } from '../../ui/apiReference.js';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.js';

const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health');
const ReadySchema = z.object({ status: z.enum(['ready', 'unavailable']), database: z.enum(['ok', 'unreachable']), backend: z.string() }).openapi('Readiness');

export function systemRoutes() {
  const app = router();

  app.openapi(
    createRoute({ method: 'get', path: '/healthz', tags: ['System'], summary: 'Liveness: the process answers', responses: { 200: { description: 'alive', content: { 'application/json': { schema: HealthSchema } } } } }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      tags: ['System'],
      summary: 'Readiness: the database answers',
      responses: {
        200: { description: 'ready', content: { 'application/json': { schema: ReadySchema } } },
        503: { description: 'database unreachable', content: { 'application/json': { schema: ReadySchema } } },
      },
    }),
    async (c) => {
      const { db } = c.get('deps');
      try {
        await db.ping();
        return c.json({ status: 'ready' as const, database: 'ok' as const, backend: db.backend }, 200);
      } catch (err) {
        c.get('log').warn({ err }, 'readiness check: database unreachable');
        return c.json({ status: 'unavailable' as const, database: 'unreachable' as const, backend: db.backend }, 503);
      }
    },
  );
  return app;
}

/** /openapi.json and /docs, for the app that holds every route. */
export function mountApiDocs(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'API key of a client (sk_…), created with `bin/stadtkasse clients create` or POST /v1/clients',
  });
  const info = {
    openapi: '3.1.0',
    info: {
      title: 'Stadtkasse API',
      version: '1',
      license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
      description:
        'Open items and payment requests for municipal services, bank statement import (camt.052/053/054), automatic matching and the review queue of the city treasury. Amounts are decimal strings in the currency ("30.70").',
    },
  };
  // The server is this installation's own public address: generated clients call it, not a guess.
  const withServer = (c: { get(k: 'deps'): AppEnv['Variables']['deps'] }) => ({ ...info, servers: [{ url: c.get('deps').config.publicBaseUrl, description: 'this Stadtkasse (PUBLIC_BASE_URL)' }] });
  app.doc31('/openapi.json', (c) => withServer(c));
  app.get('/docs', (c) => c.html(renderApiReference(app.getOpenAPI31Document(withServer(c)))));
}
