import { runFileResponse } from '../sepaRuns/file.js';
import { createRoute, z } from '@hono/zod-openapi';
import { LIMITS } from '../../limits.js';
import { announceDirectDebit, cancelDirectDebit, listDirectDebits } from '../../services/collections/debits.js';
import { cancelCollectionRun, collectionRunFile, gatherCollectionRuns, getCollectionRun, listCollectionRuns, listRunDebits, releaseCollectionRun } from '../../services/collections/runs.js';
import { COLLECTION_RUN_STATUSES, DIRECT_DEBIT_STATES } from '../../services/collections/states.js';
import { SEQUENCE_TYPES } from '../../services/mandates/model.js';
import { ctxOf, requireScope } from '../env.js';
import { AmountString, IdParam, Paged, bearer, conflict, notFound, router, standardErrors } from '../openapi.js';

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-12-15');
const PageQuery = z.object({ limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(100), cursor: z.string().max(500).optional() });

export const DirectDebitSchema = z
  .object({
    id: z.string(),
    itemId: z.string(),
    kassenzeichen: z.string().nullable(),
    mandateId: z.string(),
    state: z.enum(DIRECT_DEBIT_STATES).openapi({ description: 'announced (pre-notified), in_run, sent ("Einzug veranlasst"), collected, returned, cancelled' }),
    amount: AmountString,
    currency: z.string(),
    collectionDate: z.string(),
    announcedAt: z.string(),
    runId: z.string().nullable(),
    sequence: z.string().nullable(),
    endToEndId: z.string().nullable(),
    remittance: z.string(),
    creditTransactionId: z.string().nullable(),
    returnTransactionId: z.string().nullable(),
    returnReasonCode: z.string().nullable(),
    returnFee: AmountString.nullable(),
  })
  .openapi('DirectDebit');

const RunDebitSchema = DirectDebitSchema.extend({ mandateReference: z.string(), debtorName: z.string(), debtorIban: z.string().openapi({ description: 'masked' }) }).openapi('CollectionRunDebit');

export const CollectionRunSchema = z
  .object({
    id: z.string(),
    number: z.number().int(),
    status: z.enum(COLLECTION_RUN_STATUSES),
    collectionDate: z.string(),
    sequence: z.enum(SEQUENCE_TYPES),
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
    states: z.record(z.string(), z.number().int()),
  })
  .openapi('CollectionRun');

export function collectionRoutes() {
  const app = router();
  const tags = ['Direct debits'];
  const security = bearer;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/direct-debits',
      tags,
      summary: 'Announce an open item for collection under a mandate (pre-notification)',
      description: 'Collected on its due date, at the earliest SEPA_PRE_NOTIFICATION_DAYS after today, never on a weekend. The issuing service receives item.collection_announced with date, amount, mandate reference and creditor identifier.',
      security,
      middleware: [requireScope('mandates')] as const,
      request: { body: { required: true, content: { 'application/json': { schema: z.object({ itemId: z.string().min(1).max(100), mandateId: z.string().min(1).max(100) }).openapi('AnnounceDirectDebit') } } } },
      responses: { 201: json(DirectDebitSchema, 'announced'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => c.json((await announceDirectDebit({ ctx: ctxOf(c), input: c.req.valid('json') })) as never, 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/direct-debits',
      tags,
      summary: 'Direct debits of an item or of a mandate',
      security,
      middleware: [requireScope('mandates')] as const,
      request: { query: PageQuery.extend({ itemId: z.string().max(100).optional(), mandateId: z.string().max(100).optional() }) },
      responses: { 200: json(Paged(DirectDebitSchema), 'a page of direct debits'), ...standardErrors },
    }),
    async (c) => c.json((await listDirectDebits({ ctx: ctxOf(c), input: c.req.valid('query') })) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/direct-debits/{id}/cancel',
      tags,
      summary: 'Take back an announcement not yet in a collection run',
      description: 'The issuing service receives item.collection_cancelled, as it received item.collection_announced, with a fixed reason; the reason given here is kept in the audit trail only.',
      security,
      middleware: [requireScope('mandates')] as const,
      request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: z.object({ reason: z.string().min(1).max(500) }).openapi('CancelDirectDebit') } } } },
      responses: { 200: json(DirectDebitSchema, 'taken back'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => c.json((await cancelDirectDebit({ ctx: ctxOf(c), input: { directDebitId: c.req.valid('param').id, reason: c.req.valid('json').reason } })) as never, 200),
  );

  const runTags = ['Collection runs'];
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/collection-runs',
      tags: runTags,
      summary: 'Gather the direct debits announced for a collection date into draft runs, one per sequence',
      security,
      middleware: [requireScope('mandates')] as const,
      request: { body: { required: true, content: { 'application/json': { schema: z.object({ collectionDate: Day }).openapi('GatherCollectionRuns') } } } },
      responses: { 201: json(z.object({ runs: z.array(CollectionRunSchema), skipped: z.array(z.object({ directDebitId: z.string(), reason: z.string() })) }), 'the draft runs'), ...standardErrors, ...conflict },
    }),
    async (c) => c.json((await gatherCollectionRuns({ ctx: ctxOf(c), input: c.req.valid('json') })) as never, 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/collection-runs',
      tags: runTags,
      summary: 'Collection runs, newest first, with totals, states and files',
      security,
      middleware: [requireScope('mandates')] as const,
      request: { query: PageQuery.extend({ status: z.enum(COLLECTION_RUN_STATUSES).optional() }) },
      responses: { 200: json(Paged(CollectionRunSchema), 'a page of runs'), ...standardErrors },
    }),
    async (c) => c.json((await listCollectionRuns({ ctx: ctxOf(c), input: c.req.valid('query') })) as never, 200),
  );

  app.openapi(
    createRoute({ method: 'get', path: '/v1/collection-runs/{id}', tags: runTags, summary: 'One collection run', security, middleware: [requireScope('mandates')] as const, request: { params: IdParam }, responses: { 200: json(CollectionRunSchema, 'the run'), ...standardErrors, ...notFound } }),
    async (c) => c.json((await getCollectionRun({ ctx: ctxOf(c), input: { runId: c.req.valid('param').id } })) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/collection-runs/{id}/debits',
      tags: runTags,
      summary: 'The direct debits of a run, in file order',
      security,
      middleware: [requireScope('mandates')] as const,
      request: { params: IdParam, query: PageQuery },
      responses: { 200: json(Paged(RunDebitSchema), 'a page of debits'), ...standardErrors, ...notFound },
    }),
    async (c) => c.json((await listRunDebits({ ctx: ctxOf(c), input: { runId: c.req.valid('param').id, ...c.req.valid('query') } })) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/collection-runs/{id}/release',
      tags: runTags,
      summary: 'Release the run into its pain.008.001.08 file (not by the person who gathered it: 403)',
      description: 'Every debit is checked again: still in the run, its item not cancelled and still owing at least the debit, its mandate usable. If any fails, nothing is released: 409 with `refused` (directDebitId, kassenzeichen, refusal, why; at most 100) and `refusedCount`; cancel the run and gather again.',
      security,
      middleware: [requireScope('approve')] as const,
      request: { params: IdParam, body: { required: false, content: { 'application/json': { schema: z.object({ version: z.number().int().optional() }).openapi('ReleaseCollectionRun') } } } },
      responses: { 200: json(z.object({ run: CollectionRunSchema }), 'released'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => {
      const body = (c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {}) as { version?: number };
      return c.json((await releaseCollectionRun({ ctx: ctxOf(c), input: { runId: c.req.valid('param').id, ...(body.version !== undefined ? { version: body.version } : {}) } })) as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/collection-runs/{id}/cancel',
      tags: runTags,
      summary: 'Cancel a run that is not released; its debits are announced again',
      security,
      middleware: [requireScope('mandates')] as const,
      request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: z.object({ note: z.string().min(1).max(500) }).openapi('CancelCollectionRun') } } } },
      responses: { 200: json(CollectionRunSchema, 'cancelled'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => c.json((await cancelCollectionRun({ ctx: ctxOf(c), input: { runId: c.req.valid('param').id, note: c.req.valid('json').note } })) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/collection-runs/{id}/file',
      tags: runTags,
      summary: 'The released pain.008 file, byte for byte as kept',
      description: 'Always the same bytes (X-Content-SHA256); every fetch after the first is a copy (X-File-Copy, file name).',
      security,
      middleware: [requireScope('mandates')] as const,
      request: { params: IdParam },
      responses: { 200: { description: 'the file', content: { 'application/xml': { schema: z.string() } } }, ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => {
      return runFileResponse(c, await collectionRunFile({ ctx: ctxOf(c), input: { runId: c.req.valid('param').id } }));
    },
  );

  return app;
}
