import { createRoute, z } from '@hono/zod-openapi';
import { SCOPES } from '../../context.js';
import { createApiClient, listApiClients, revokeApiClient } from '../../services/clients/apiKeys.js';
import { ctxOf, requireScope } from '../env.js';
import { bearer, notFound, router, standardErrors } from '../openapi.js';

const ClientSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiClient');

const CreatedClientSchema = z
  .object({ id: z.string(), name: z.string(), scopes: z.array(z.string()), createdAt: z.string(), apiKey: z.string().openapi({ description: 'Shown once; only a hash is stored.' }) })
  .openapi('CreatedApiClient');

const CreateClientBody = z
  .object({ name: z.string().min(1).max(100), scopes: z.array(z.enum(SCOPES)).min(1) })
  .openapi('CreateApiClient');

export function clientRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/clients',
      tags: ['Administration'],
      summary: 'Create an API client for a municipal service; answers its key once',
      security: bearer,
      middleware: [requireScope('admin')] as const,
      request: { body: { required: true, content: { 'application/json': { schema: CreateClientBody } } } },
      responses: { 201: { description: 'created', content: { 'application/json': { schema: CreatedClientSchema } } }, ...standardErrors },
    }),
    async (c) => {
      const created = await createApiClient({ ctx: ctxOf(c), input: c.req.valid('json') });
      return c.json({ ...created, createdAt: created.createdAt.toISOString() }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/clients',
      tags: ['Administration'],
      summary: 'List API clients (never their keys)',
      security: bearer,
      middleware: [requireScope('admin')] as const,
      responses: { 200: { description: 'clients', content: { 'application/json': { schema: z.object({ clients: z.array(ClientSchema) }) } } }, ...standardErrors },
    }),
    async (c) => {
      const clients = await listApiClients({ ctx: ctxOf(c) });
      return c.json({ clients: clients.map((x) => ({ ...x, createdAt: x.createdAt.toISOString(), revokedAt: x.revokedAt?.toISOString() ?? null })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/clients/{id}',
      tags: ['Administration'],
      summary: 'Revoke an API client; its key stops working at once',
      security: bearer,
      middleware: [requireScope('admin')] as const,
      request: { params: z.object({ id: z.string() }), query: z.object({ reason: z.string().min(1).max(500).default('revoked by administrator') }) },
      responses: { 204: { description: 'revoked' }, ...standardErrors, ...notFound },
    }),
    async (c) => {
      await revokeApiClient({ ctx: ctxOf(c), input: { id: c.req.valid('param').id, reason: c.req.valid('query').reason } });
      return c.body(null, 204);
    },
  );
  return app;
}
