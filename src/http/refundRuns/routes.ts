import { runFileResponse } from '../sepaRuns/file.js';
import { createRoute, z } from '@hono/zod-openapi';
import { LIMITS } from '../../limits.js';
import { cancelRefundRun, gatherRefundRun, getRefundRun, listRefundRuns, listRunRefunds, refundRunFile, releaseRefundRun } from '../../services/refunds/runs.js';
import { REFUND_RUN_STATUSES, REFUND_STATES } from '../../services/refunds/states.js';
import { ctxOf, requireScope } from '../env.js';
import { AmountString, IdParam, Paged, bearer, conflict, notFound, router, standardErrors } from '../openapi.js';

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export const RefundRunSchema = z
  .object({
    id: z.string(),
    number: z.number().int(),
    status: z.enum(REFUND_RUN_STATUSES),
    format: z.string().openapi({ example: 'pain.001.001.09' }),
    batchBooking: z.boolean(),
    executionDate: z.string().openapi({ example: '2026-12-07' }),
    count: z.number().int(),
    total: AmountString,
    currency: z.string(),
    messageId: z.string(),
    createdBy: z.string(),
    createdByActor: z.string().openapi({ description: 'who gathered it (client:… or user:…); never the one who releases it' }),
    createdAt: z.string(),
    releasedBy: z.string().nullable(),
    releasedAt: z.string().nullable(),
    file: z.object({ name: z.string(), sha256: z.string(), downloads: z.number().int() }).nullable(),
    states: z.record(z.string(), z.number().int()).openapi({ description: 'refunds per state (in_run, sent, booked, bounced, cancelled)' }),
  })
  .openapi('RefundRun');

export const RefundSchema = z
  .object({
    id: z.string(),
    position: z.number().int(),
    transactionId: z.string().openapi({ description: 'the receipt whose money is paid back' }),
    endToEndId: z.string(),
    amount: AmountString,
    currency: z.string(),
    creditorName: z.string(),
    creditorIban: z.string().openapi({ description: 'masked' }),
    remittance: z.string(),
    kassenzeichen: z.string().nullable(),
    state: z.enum(REFUND_STATES),
    debitTransactionId: z.string().nullable(),
    bounceTransactionId: z.string().nullable(),
    returnReasonCode: z.string().nullable(),
  })
  .openapi('Refund');

const GatherBody = z
  .object({
    executionDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-12-07').optional(),
    transactionIds: z.array(z.string().min(1).max(100)).min(1).max(LIMITS.refundsPerRun).optional(),
  })
  .openapi('GatherRefundRun');

export function refundRunRoutes() {
  const app = router();
  const tags = ['Refund runs'];
  const security = bearer;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/refund-runs',
      tags,
      summary: 'Gather the payments marked for refund into a new run (a draft, released by a second person)',
      description: 'Every receipt marked for refund and not in another run, or only those named. Receipts whose mark cannot be paid (no valid IBAN, no name) are listed in `skipped`.',
      security,
      middleware: [requireScope('refunds')] as const,
      request: { body: { required: false, content: { 'application/json': { schema: GatherBody } } } },
      responses: { 201: json(z.object({ run: RefundRunSchema, skipped: z.array(z.object({ transactionId: z.string(), reason: z.string() })) }), 'the draft run'), ...standardErrors, ...conflict },
    }),
    async (c) => {
      const body = (c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {}) as z.infer<typeof GatherBody>;
      return c.json((await gatherRefundRun({ ctx: ctxOf(c), input: body })) as never, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/refund-runs',
      tags,
      summary: 'Refund runs, newest first, with their totals, states and files',
      security,
      middleware: [requireScope('refunds')] as const,
      request: {
        query: z.object({
          status: z.enum(REFUND_RUN_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50),
          cursor: z.string().max(500).optional(),
        }),
      },
      responses: { 200: json(Paged(RefundRunSchema), 'a page of runs'), ...standardErrors },
    }),
    async (c) => c.json((await listRefundRuns({ ctx: ctxOf(c), input: c.req.valid('query') })) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/refund-runs/{id}',
      tags,
      summary: 'One refund run',
      security,
      middleware: [requireScope('refunds')] as const,
      request: { params: IdParam },
      responses: { 200: json(RefundRunSchema, 'the run'), ...standardErrors, ...notFound },
    }),
    async (c) => c.json((await getRefundRun({ ctx: ctxOf(c), input: { runId: c.req.valid('param').id } })) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/refund-runs/{id}/refunds',
      tags,
      summary: 'The refunds of a run, in file order',
      security,
      middleware: [requireScope('refunds')] as const,
      request: { params: IdParam, query: z.object({ limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(100), cursor: z.string().max(500).optional() }) },
      responses: { 200: json(Paged(RefundSchema), 'a page of refunds'), ...standardErrors, ...notFound },
    }),
    async (c) => c.json((await listRunRefunds({ ctx: ctxOf(c), input: { runId: c.req.valid('param').id, ...c.req.valid('query') } })) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/refund-runs/{id}/release',
      tags,
      summary: 'Release the run into its SEPA credit transfer file (not by the person who gathered it: 403)',
      description: 'The pain.001 file is written once, read back and compared with the run, and kept with its SHA-256; every refund becomes sent. A second release is refused (409).',
      security,
      middleware: [requireScope('approve')] as const,
      request: { params: IdParam, body: { required: false, content: { 'application/json': { schema: z.object({ version: z.number().int().optional() }).openapi('ReleaseRefundRun') } } } },
      responses: { 200: json(z.object({ run: RefundRunSchema }), 'released'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => {
      const body = (c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {}) as { version?: number };
      return c.json((await releaseRefundRun({ ctx: ctxOf(c), input: { runId: c.req.valid('param').id, ...(body.version !== undefined ? { version: body.version } : {}) } })) as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/refund-runs/{id}/cancel',
      tags,
      summary: 'Cancel a run that is not released; its payments stay marked for refund',
      security,
      middleware: [requireScope('refunds')] as const,
      request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: z.object({ note: z.string().min(1).max(500) }).openapi('CancelRefundRun') } } } },
      responses: { 200: json(RefundRunSchema, 'cancelled'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => c.json((await cancelRefundRun({ ctx: ctxOf(c), input: { runId: c.req.valid('param').id, note: c.req.valid('json').note } })) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/refund-runs/{id}/file',
      tags,
      summary: 'The released pain.001 file, byte for byte as kept',
      description: 'Always the same bytes (X-Content-SHA256). The first fetch is the original; every later one is a copy: X-File-Copy counts it and the file name says so. The bank refuses the same MsgId twice.',
      security,
      middleware: [requireScope('refunds')] as const,
      request: { params: IdParam },
      responses: { 200: { description: 'the file', content: { 'application/xml': { schema: z.string() } } }, ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => {
      return runFileResponse(c, await refundRunFile({ ctx: ctxOf(c), input: { runId: c.req.valid('param').id } }));
    },
  );

  return app;
}
