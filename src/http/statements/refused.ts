import { createRoute, z } from '@hono/zod-openapi';
import { getRefusedDeliveryFile, listRefusedDeliveries } from '../../services/statements/refusedDeliveries.js';
import { ctxOf, requireScope } from '../env.js';
import { Paged, bearer, notFound, router, standardErrors } from '../openapi.js';

/**
 * Deliveries refused because they carried a statement already read with other content (409 on
 * upload): listed with what differed, and downloadable as they arrived, for a person to settle.
 */
const DifferenceSchema = z.object({
  file: z.string(),
  kind: z.string(),
  bankStatementId: z.string(),
  accountIban: z.string().nullable(),
  electronicSequenceNumber: z.string().nullable(),
  statementId: z.string().openapi({ description: 'the statement read before under this identity' }),
  importId: z.string(),
  header: z.array(z.string()).openapi({ description: 'statement field groups that differ: account, balances, period' }),
  entries: z.array(z.object({ entry: z.number().int(), reference: z.string().optional(), fields: z.array(z.string()) })).openapi({
    description: 'entries that differ (1-based) with the field groups that differ: amount, status, dates, references, transactionCodes, details, remittance, parties, returns, information',
  }),
  moreEntries: z.number().int(),
  entriesBefore: z.number().int(),
  entriesNow: z.number().int(),
});

const RefusedDeliverySchema = z
  .object({
    id: z.string(),
    fileName: z.string().nullable(),
    sha256: z.string(),
    bytes: z.number().int(),
    kind: z.string(),
    bankStatementId: z.string(),
    accountIban: z.string().nullable(),
    statementId: z.string(),
    reason: z.string(),
    differences: z.array(DifferenceSchema),
    fileKept: z.boolean(),
    refusedBy: z.string(),
    refusedAt: z.string(),
  })
  .openapi('RefusedDelivery');

export function refusedDeliveryRoutes() {
  const app = router();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/refused-deliveries',
      tags: ['Bank statements'],
      summary: 'Deliveries refused for carrying a statement read before with other content, newest first',
      security: bearer,
      middleware: [requireScope('statements:read')] as const,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().optional() }) },
      responses: { 200: { description: 'a page of refused deliveries', content: { 'application/json': { schema: Paged(RefusedDeliverySchema) } } }, ...standardErrors },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await listRefusedDeliveries({ ctx: ctxOf(c), input: { limit: q.limit ?? 50, ...(q.cursor ? { cursor: q.cursor } : {}) } });
      return c.json({ items: page.data, nextCursor: page.nextCursor }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/refused-deliveries/{id}/file',
      tags: ['Bank statements'],
      summary: 'The refused file as it arrived',
      security: bearer,
      middleware: [requireScope('statements:read')] as const,
      request: { params: z.object({ id: z.string() }) },
      responses: {
        200: { description: 'the file', content: { 'application/xml': { schema: z.string() }, 'application/zip': { schema: z.string() } } },
        ...standardErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const file = await getRefusedDeliveryFile({ ctx: ctxOf(c), input: c.req.valid('param') });
      const ascii = file.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
      return c.body(file.bytes as never, 200, {
        'content-type': file.contentType,
        'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      }) as never;
    },
  );
  return app;
}
