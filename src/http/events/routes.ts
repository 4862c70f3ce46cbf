import { createRoute, z } from '@hono/zod-openapi';
import { LIMITS } from '../../limits.js';
import { FEED_SETTLE_MS, listItemEvents } from '../../services/items/eventsFeed.js';
import { ctxOf, requireScope } from '../env.js';
import { ValidationError } from '../../errors.js';
import { decodeCursor, encodeCursor } from '../../services/shared/paging.js';
import { bearer, router, standardErrors } from '../openapi.js';

const EventSchema = z
  .object({ seq: z.number().int(), id: z.string(), type: z.string(), createdAt: z.string(), payload: z.unknown().openapi({ description: 'The body webhooks send for this event' }) })
  .openapi('ItemEvent');

/** The sequence number a cursor of this feed stands for. */
function seqOfCursor(cursor: string): number {
  const [seq] = decodeCursor(cursor, 1)!;
  if (!/^\d{1,15}$/.test(seq!)) throw new ValidationError('cursor: is not a cursor this API handed out; take "nextCursor" from the previous page', { field: 'cursor' });
  return Number(seq);
}

export function eventRoutes() {
  const app = router();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events',
      tags: ['Notifications'],
      summary: 'Item events after a sequence number, for services that poll instead of receiving webhooks',
      description: `Your items' events in order. Pages like every list of this API: pass the previous answer's nextCursor as cursor (it is there on an empty page too, to poll with). Events appear about ${FEED_SETTLE_MS / 1000} s after they happen, so one committed late is never skipped. Deduplicate by id. The earlier after/next (a sequence number) still work.`,
      security: bearer,
      middleware: [requireScope('items:read')] as const,
      request: {
        query: z.object({
          cursor: z.string().max(100).optional().openapi({ description: 'nextCursor of the previous page' }),
          after: z.coerce.number().int().min(0).optional().openapi({ param: { deprecated: true }, deprecated: true, description: 'Deprecated: use cursor. The sequence number to read after (the previous answer\'s next).' }),
          limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(100),
        }),
      },
      responses: {
        200: {
          description: 'events',
          content: { 'application/json': { schema: z.object({ events: z.array(EventSchema), nextCursor: z.string(), next: z.number().int().openapi({ deprecated: true, description: 'Deprecated: use nextCursor. The last sequence number served.' }) }) } },
        },
        ...standardErrors,
      },
    }),
    async (c) => {
      const { cursor, after, limit } = c.req.valid('query');
      const feed = await listItemEvents({ ctx: ctxOf(c), input: { after: cursor !== undefined ? seqOfCursor(cursor) : after ?? 0, limit } });
      return c.json({ events: feed.events.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })), nextCursor: encodeCursor([String(feed.next)]), next: feed.next }, 200);
    },
  );
  return app;
}
