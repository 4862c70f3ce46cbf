import { createRoute, z } from '@hono/zod-openapi';
import { LIMITS } from '../../limits.js';
import {
  createWebhookSubscription,
  deactivateWebhookSubscription,
  listDeliveries,
  listWebhookSubscriptions,
  replayDelivery,
  replayFailedDeliveries,
  WEBHOOK_EVENT_TYPES,
  type SubscriptionView,
} from '../../services/webhooks/subscriptions.js';
import { ctxOf, requireScope } from '../env.js';
import { idempotencyHeaderDoc, idempotent } from '../idempotency.js';
import { IdParam, bearer, notFound, router, standardErrors } from '../openapi.js';

const SubscriptionSchema = z
  .object({ id: z.string(), url: z.string(), eventTypes: z.array(z.string()), active: z.boolean(), createdAt: z.string() })
  .openapi('WebhookSubscription');

const CreatedSchema = SubscriptionSchema.extend({
  secret: z.string().openapi({ description: 'Signing secret, shown once: verify Stadtkasse-Signature (t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>) with it' }),
}).openapi('CreatedWebhookSubscription');

const DeliverySchema = z
  .object({
    id: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    state: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
    attemptLog: z.array(z.object({ attempt: z.number().int(), at: z.string(), statusCode: z.number().int().nullable(), error: z.string().nullable(), durationMs: z.number().int() })),
  })
  .openapi('WebhookDelivery');

const iso = (d: Date | null) => d?.toISOString() ?? null;
const subscriptionJson = (s: SubscriptionView) => ({ id: s.id, url: s.url, eventTypes: s.eventTypes, active: s.active, createdAt: s.createdAt.toISOString() });

export function webhookRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/webhooks',
      tags: ['Notifications'],
      summary: "Subscribe to events about the calling service's items; answers the signing secret once",
      description: `Events: ${WEBHOOK_EVENT_TYPES.join(', ')}. Each is POSTed as JSON with headers Stadtkasse-Event-Id, Stadtkasse-Timestamp and Stadtkasse-Signature, at least once (deduplicate by the event id), retried with exponential backoff for three days.`,
      security: bearer,
      middleware: [requireScope('items:write'), idempotent()] as const,
      request: {
        headers: z.object({ 'idempotency-key': z.string().optional().openapi(idempotencyHeaderDoc) }),
        body: { required: true, content: { 'application/json': { schema: z.object({ url: z.string().min(1).max(2000), eventTypes: z.array(z.string()).max(20).optional() }).openapi('CreateWebhookSubscription') } } },
      },
      responses: { 201: { description: 'created', content: { 'application/json': { schema: CreatedSchema } } }, ...standardErrors },
    }),
    async (c) => {
      const created = await createWebhookSubscription({ ctx: ctxOf(c), input: c.req.valid('json') });
      return c.json({ ...subscriptionJson(created), secret: created.secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/webhooks',
      tags: ['Notifications'],
      summary: 'List webhook subscriptions (never their secrets)',
      security: bearer,
      middleware: [requireScope('items:read')] as const,
      responses: { 200: { description: 'subscriptions', content: { 'application/json': { schema: z.object({ subscriptions: z.array(SubscriptionSchema) }) } } }, ...standardErrors },
    }),
    async (c) => c.json({ subscriptions: (await listWebhookSubscriptions({ ctx: ctxOf(c) })).map(subscriptionJson) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/webhooks/{id}',
      tags: ['Notifications'],
      summary: 'Stop a subscription (it and its delivery log are kept)',
      security: bearer,
      middleware: [requireScope('items:write')] as const,
      request: { params: IdParam },
      responses: { 204: { description: 'stopped' }, ...standardErrors, ...notFound },
    }),
    async (c) => {
      await deactivateWebhookSubscription({ ctx: ctxOf(c), input: c.req.valid('param') });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/webhooks/{id}/deliveries',
      tags: ['Notifications'],
      summary: 'Delivery log of a subscription, newest first, with every attempt',
      security: bearer,
      middleware: [requireScope('items:read')] as const,
      request: {
        params: IdParam,
        query: z.object({ state: z.enum(['pending', 'delivered', 'failed']).optional(), limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50), cursor: z.string().max(500).optional() }),
      },
      responses: { 200: { description: 'deliveries', content: { 'application/json': { schema: z.object({ deliveries: z.array(DeliverySchema), nextCursor: z.string().nullable() }) } } }, ...standardErrors, ...notFound },
    }),
    async (c) => {
      const page = await listDeliveries({ ctx: ctxOf(c), input: { subscriptionId: c.req.valid('param').id, ...c.req.valid('query') } });
      const deliveries = page.deliveries.map((d) => ({
        ...d,
        state: d.state as 'pending' | 'delivered' | 'failed',
        nextAttemptAt: iso(d.nextAttemptAt),
        deliveredAt: iso(d.deliveredAt),
        createdAt: d.createdAt.toISOString(),
        attemptLog: d.attemptLog.map((a) => ({ ...a, at: a.at.toISOString() })),
      }));
      return c.json({ deliveries, nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/webhooks/{id}/deliveries/{deliveryId}/replay',
      tags: ['Notifications'],
      summary: 'Send one delivery again (same event id), now',
      security: bearer,
      middleware: [requireScope('items:write')] as const,
      request: { params: IdParam.extend({ deliveryId: z.string().min(1).max(100) }) },
      responses: { 202: { description: 'queued' }, ...standardErrors, ...notFound },
    }),
    async (c) => {
      const { id, deliveryId } = c.req.valid('param');
      await replayDelivery({ ctx: ctxOf(c), input: { subscriptionId: id, deliveryId } });
      return c.body(null, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/webhooks/{id}/replay-failed',
      tags: ['Notifications'],
      summary: 'Send every failed delivery of the subscription again (after the receiver is back)',
      security: bearer,
      middleware: [requireScope('items:write')] as const,
      request: { params: IdParam },
      responses: { 202: { description: 'queued', content: { 'application/json': { schema: z.object({ replayed: z.number().int() }) } } }, ...standardErrors, ...notFound },
    }),
    async (c) => c.json(await replayFailedDeliveries({ ctx: ctxOf(c), input: { subscriptionId: c.req.valid('param').id } }), 202),
  );
  return app;
}
