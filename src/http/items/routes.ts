import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { Context } from 'hono';
import { LimitExceededError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { cancelOpenItem, changeOpenItemAmount } from '../../services/items/changeOpenItem.js';
import { createOpenItem, importOpenItemsCsv, importOpenItemsJson } from '../../services/items/createOpenItems.js';
import { getOpenItem, listOpenItems } from '../../services/items/queries.js';
import { ctxOf, requireScope, type AppEnv } from '../env.js';
import { idempotencyHeaderDoc, idempotent } from '../idempotency.js';
import { IdParam, Paged, bearer, conflict, notFound, router, standardErrors } from '../openapi.js';
import { AmountChangeBody, BulkJsonBody, BulkResultSchema, ChangeBody, CreateItemBody, ItemSchema, itemJson, ListItemsQuery } from './schema.js';

const IdempotencyHeaders = z.object({ 'idempotency-key': z.string().optional().openapi(idempotencyHeaderDoc) });
const item = (description: string) => ({ description, content: { 'application/json': { schema: ItemSchema } } });

/** After commit: receipts waiting for a claim are matched again (the matcher's hook, if wired). */
function itemsChanged(c: Context<AppEnv>, ids: string[]): void {
  if (ids.length > 0) c.get('deps').services.onItemsChanged?.(ids);
}

export function itemRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/items',
      tags: ['Open items'],
      summary: 'Raise a claim (open item); a Kassenzeichen and RF reference are generated unless supplied',
      security: bearer,
      middleware: [requireScope('items:write'), idempotent()] as const,
      request: { headers: IdempotencyHeaders, body: { required: true, content: { 'application/json': { schema: CreateItemBody } } } },
      responses: { 201: item('created'), ...standardErrors, ...conflict },
    }),
    async (c) => {
      const created = await createOpenItem({ ctx: ctxOf(c), input: c.req.valid('json') });
      itemsChanged(c, [created.id]);
      return c.json(itemJson(created), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/items/bulk',
      tags: ['Open items'],
      summary: "Import the finance system's open-item list (CSV with the reconcile columns, or JSON), all or nothing",
      description:
        'CSV (text/csv, UTF-8, header kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref) or JSON {"items":[…]}. Nothing is imported when any row is wrong; the 422 problem lists every problem in `errors` with row, column and message.',
      security: bearer,
      middleware: [
        requireScope('items:write'),
        bodyLimit({ maxSize: LIMITS.requestBodyBytes, onError: () => { throw new LimitExceededError('requestBodyBytes', LIMITS.requestBodyBytes, undefined); } }),
        idempotent(),
      ] as const,
      request: {
        headers: IdempotencyHeaders,
        query: z.object({ fileName: z.string().max(200).optional().openapi({ description: 'Shown in errors and the audit log' }) }),
        body: { required: false, content: { 'application/json': { schema: BulkJsonBody }, 'text/csv': { schema: z.string() } } },
      },
      responses: { 201: { description: 'all imported', content: { 'application/json': { schema: BulkResultSchema } } }, ...standardErrors, ...conflict },
    }),
    async (c) => {
      const ctx = ctxOf(c);
      const { fileName } = c.req.valid('query');
      const imported = /^text\/csv/i.test(c.req.header('content-type') ?? '')
        ? await importOpenItemsCsv({ ctx, input: { text: await c.req.text(), ...(fileName ? { fileName } : {}) } })
        : await importOpenItemsJson({ ctx, input: c.req.valid('json') as z.infer<typeof BulkJsonBody> });
      itemsChanged(c, imported.map((i) => i.id));
      return c.json({ imported: imported.length, items: imported }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/items',
      tags: ['Open items'],
      summary: 'List open items with filters, newest first, in cursor pages (also: find one by ?kassenzeichen=)',
      security: bearer,
      middleware: [requireScope('items:read')] as const,
      request: { query: ListItemsQuery },
      responses: {
        200: { description: 'one page', content: { 'application/json': { schema: Paged(ItemSchema) } } },
        ...standardErrors,
      },
    }),
    async (c) => {
      const page = await listOpenItems({ ctx: ctxOf(c), input: c.req.valid('query') });
      return c.json({ items: page.items.map(itemJson), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/items/{id}',
      tags: ['Open items'],
      summary: 'Read one open item',
      security: bearer,
      middleware: [requireScope('items:read')] as const,
      request: { params: IdParam },
      responses: { 200: item('the item'), ...standardErrors, ...notFound },
    }),
    async (c) => c.json(itemJson(await getOpenItem({ ctx: ctxOf(c), input: c.req.valid('param') })), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/items/{id}/cancel',
      tags: ['Open items'],
      summary: 'Cancel a claim, with a reason (only while nothing is booked to it)',
      security: bearer,
      middleware: [requireScope('items:write'), idempotent()] as const,
      request: { headers: IdempotencyHeaders, params: IdParam, body: { required: true, content: { 'application/json': { schema: ChangeBody } } } },
      responses: { 200: item('cancelled'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => {
      const cancelled = await cancelOpenItem({ ctx: ctxOf(c), input: { ...c.req.valid('json'), id: c.req.valid('param').id } });
      itemsChanged(c, [cancelled.id]);
      return c.json(itemJson(cancelled), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/items/{id}/amount',
      tags: ['Open items'],
      summary: 'Change the amount claimed (e.g. add a dunning fee), with a reason',
      security: bearer,
      middleware: [requireScope('items:write'), idempotent()] as const,
      request: { headers: IdempotencyHeaders, params: IdParam, body: { required: true, content: { 'application/json': { schema: AmountChangeBody } } } },
      responses: { 200: item('changed'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => {
      const changed = await changeOpenItemAmount({ ctx: ctxOf(c), input: { ...c.req.valid('json'), id: c.req.valid('param').id } });
      itemsChanged(c, [changed.id]);
      return c.json(itemJson(changed), 200);
    },
  );

  return app;
}
