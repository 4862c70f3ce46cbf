import { createRoute, z } from '@hono/zod-openapi';
import { LIMITS } from '../../limits.js';
import { FEED_SETTLE_MS, listItemEvents } from '../../services/items/eventsFeed.js';
import { ctxOf, requireScope } from '../env.js';
import { bearer, router, standardErrors } from '../openapi.js';

const EventSchema = z
  .object({ seq: z.number().int(), id: z.string(), type: z.string(), createdAt: z.string(), payload: z.unknown().openapi({ description: 'The body webhooks send for this event' }) })
  .openapi('ItemEvent');

export function eventRoutes() {
  const app = router();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events',
      tags: ['Notifications'],
      summary: 'Item events after a sequence number, for services that poll instead of receiving webhooks',
      description: `Your items' events in order. Poll with after = the previous answer's next. Events appear about ${FEED_SETTLE_MS / 1000} s after they happen, so one committed late is never skipped. Deduplicate by id.`,
      security: bearer,
      middleware: [requireScope('items:read')] as const,
      request: { query: z.object({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(100) }) },
      responses: { 200: { description: 'events', content: { 'application/json': { schema: z.object({ events: z.array(EventSchema), next: z.number().int() }) } } }, ...standardErrors },
    }),
    async (c) => {
      const feed = await listItemEvents({ ctx: ctxOf(c), input: c.req.valid('query') });
      return c.json({ events: feed.events.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })), next: feed.next }, 200);
    },
  );
  return app;
}
