import { createRoute, z } from '@hono/zod-openapi';
import { LIMITS } from '../../limits.js';
import { amendMandate, blockMandate, createMandate, getMandate, listMandates, MAX_DEBITS_TAKEN_BACK, requestFinalCollection, revokeMandate } from '../../services/mandates/mandates.js';
import { MANDATE_KINDS, MANDATE_STANDINGS, SEQUENCE_TYPES } from '../../services/mandates/model.js';
import { ctxOf, requireScope } from '../env.js';
import { IdParam, Paged, bearer, conflict, notFound, router, standardErrors } from '../openapi.js';

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-11-30');

export const MandateSchema = z
  .object({
    id: z.string(),
    reference: z.string().openapi({ example: 'HUNDESTEUER-4711' }),
    kind: z.enum(MANDATE_KINDS),
    debtor: z.object({ name: z.string(), iban: z.string(), bic: z.string().nullable(), ref: z.string().nullable() }),
    signedOn: z.string(),
    status: z.enum(MANDATE_STANDINGS),
    statusReason: z.string().nullable(),
    lastCollectedOn: z.string().nullable(),
    expiresOn: z.string().openapi({ description: '36 months after signature or the last collection' }),
    nextSequence: z.enum(SEQUENCE_TYPES),
    pendingAmendment: z.object({ originalReference: z.string().optional(), originalIban: z.string().optional() }).nullable(),
    createdAt: z.string(),
    version: z.number().int(),
  })
  .openapi('Mandate');

const Debtor = z.object({ name: z.string().min(1).max(70), iban: z.string().min(15).max(42), bic: z.string().max(11).optional(), ref: z.string().max(100).optional() });

const CreateBody = z
  .object({ reference: z.string().min(1).max(35).optional(), kind: z.enum(MANDATE_KINDS).default('recurrent'), debtor: Debtor, signedOn: Day })
  .openapi('CreateMandate');

const AmendBody = z
  .object({
    version: z.number().int().optional(),
    debtor: z.object({ name: z.string().min(1).max(70).optional(), iban: z.string().min(15).max(42).optional(), bic: z.string().max(11).optional() }).optional(),
    reference: z.string().min(1).max(35).optional(),
    note: z.string().max(500).optional(),
  })
  .openapi('AmendMandate');

const BlockBody = z
  .object({
    reason: z.string().min(1).max(500).openapi({ example: 'Die Bank des Zahlungspflichtigen meldet telefonisch: Konto gesperrt' }),
    version: z.number().int().optional().openapi({ description: 'The version you read: a mandate changed since is refused (409)' }),
  })
  .openapi('BlockMandate');

const MandateBlockedSchema = z
  .object({
    mandate: MandateSchema,
    takenBack: z
      .array(z.object({ directDebitId: z.string(), itemId: z.string(), kassenzeichen: z.string(), amount: z.string(), collectionDate: z.string(), runId: z.string().nullable() }))
      .openapi({ description: 'Collections announced or in a run nobody released, taken back: each item is open again, and its issuing service received item.collection_cancelled' }),
    draftRuns: z.array(z.number().int()).openapi({ description: 'Numbers of draft collection runs that held one of them: they cannot be released any more; cancel and gather again' }),
    atBank: z.number().int().openapi({ description: 'Collections already released to the bank: they stand until the credit or a return settles them' }),
  })
  .openapi('MandateBlocked');

export function mandateRoutes() {
  const app = router();
  const tags = ['Mandates'];
  const security = bearer;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/mandates',
      tags,
      summary: 'Record a SEPA core direct debit mandate the debtor signed',
      description: 'The reference (≤ 35 characters of the DK character set) is unique; one is made when left out. The IBAN is checked (check digits, length).',
      security,
      middleware: [requireScope('mandates')] as const,
      request: { body: { required: true, content: { 'application/json': { schema: CreateBody } } } },
      responses: { 201: json(MandateSchema, 'the mandate'), ...standardErrors, ...conflict },
    }),
    async (c) => c.json((await createMandate({ ctx: ctxOf(c), input: c.req.valid('json') })) as never, 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/mandates',
      tags,
      summary: 'Mandates, newest first',
      security,
      middleware: [requireScope('mandates')] as const,
      request: {
        query: z.object({
          status: z.enum(MANDATE_STANDINGS).optional(),
          debtorRef: z.string().max(100).optional(),
          limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50),
          cursor: z.string().max(500).optional(),
        }),
      },
      responses: { 200: json(Paged(MandateSchema), 'a page of mandates'), ...standardErrors },
    }),
    async (c) => c.json((await listMandates({ ctx: ctxOf(c), input: c.req.valid('query') })) as never, 200),
  );

  app.openapi(
    createRoute({ method: 'get', path: '/v1/mandates/{id}', tags, summary: 'One mandate', security, middleware: [requireScope('mandates')] as const, request: { params: IdParam }, responses: { 200: json(MandateSchema, 'the mandate'), ...standardErrors, ...notFound } }),
    async (c) => c.json((await getMandate({ ctx: ctxOf(c), input: { mandateId: c.req.valid('param').id } })) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/mandates/{id}/amend',
      tags,
      summary: "Amend a mandate: the debtor's new account or name, or a new reference",
      description: 'A new account or reference of a mandate already used is reported with the next collection (amendment indicator, original account or reference).',
      security,
      middleware: [requireScope('mandates')] as const,
      request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: AmendBody } } } },
      responses: { 200: json(MandateSchema, 'the amended mandate'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => c.json((await amendMandate({ ctx: ctxOf(c), input: { mandateId: c.req.valid('param').id, ...c.req.valid('json') } as never })) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/mandates/{id}/revoke',
      tags,
      summary: 'End a mandate; it is never used again',
      security,
      middleware: [requireScope('mandates')] as const,
      request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: z.object({ reason: z.string().min(1).max(500) }).openapi('RevokeMandate') } } } },
      responses: { 200: json(MandateSchema, 'the revoked mandate'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => c.json((await revokeMandate({ ctx: ctxOf(c), input: { mandateId: c.req.valid('param').id, reason: c.req.valid('json').reason } })) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/mandates/{id}/block',
      tags,
      summary: 'Block a mandate by hand; it is never used again',
      description: `As a return with MD01, AC04, AC06 or MD07 blocks it, with your reason (audited). Collections under it that did not go to the bank (announced, or in a draft run) are taken back, and the issuing service receives item.collection_cancelled for each; at most ${MAX_DEBITS_TAKEN_BACK}. Only an active mandate can be blocked; a block is not lifted (the debtor signs a new mandate).`,
      security,
      middleware: [requireScope('mandates')] as const,
      request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: BlockBody } } } },
      responses: { 200: json(MandateBlockedSchema, 'the blocked mandate and the collections taken back'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json((await blockMandate({ ctx: ctxOf(c), input: { mandateId: c.req.valid('param').id, reason: body.reason, ...(body.version !== undefined ? { version: body.version } : {}) } })) as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/mandates/{id}/final',
      tags,
      summary: 'The next collection under this mandate is its last (FNAL)',
      security,
      middleware: [requireScope('mandates')] as const,
      request: { params: IdParam },
      responses: { 200: json(MandateSchema, 'the mandate'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => c.json((await requestFinalCollection({ ctx: ctxOf(c), input: { mandateId: c.req.valid('param').id } })) as never, 200),
  );

  return app;
}
