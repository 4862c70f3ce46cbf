import { createRoute, z } from '@hono/zod-openapi';
import { importStatement } from '../../services/statements/importer.js';
import { getImport, getStatement, listEntries, listStatements } from '../../services/statements/queries.js';
import { ValidationError } from '../../errors.js';
import { ctxOf, requireScope } from '../env.js';
import { uploadRefusal } from './uploadChecks.js';
import { Paged, bearer, conflict, notFound, router, standardErrors } from '../openapi.js';

const BalanceCheckSchema = z.object({ status: z.enum(['ok', 'broken', 'not_checked']), difference: z.string() });
const StatementSchema = z
  .object({
    id: z.string(),
    importId: z.string(),
    kind: z.enum(['camt.052', 'camt.053', 'camt.054']),
    version: z.string(),
    messageId: z.string(),
    bankStatementId: z.string(),
    account: z.object({ iban: z.string().nullable(), other: z.string().nullable(), currency: z.string() }),
    electronicSequenceNumber: z.string().nullable(),
    legalSequenceNumber: z.string().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    bankCreatedAt: z.string().nullable(),
    openingBalance: z.string().nullable(),
    openingBalanceDate: z.string().nullable(),
    closingBalance: z.string().nullable(),
    closingBalanceDate: z.string().nullable(),
    balanceCheck: BalanceCheckSchema,
    sequenceGaps: z.array(z.object({ from: z.string(), to: z.string() })),
    entryCount: z.number().int(),
    importedAt: z.string(),
  })
  .openapi('Statement');

const ImportResultSchema = z
  .object({
    importId: z.string(),
    fileName: z.string().nullable(),
    sha256: z.string(),
    bytes: z.number().int(),
    replayed: z.boolean().openapi({ description: 'true when the same file or statements had been imported before: this is the first import’s result' }),
    statements: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        version: z.string(),
        bankStatementId: z.string(),
        accountIban: z.string().nullable(),
        electronicSequenceNumber: z.string().nullable(),
        file: z.string(),
        entries: z.number().int(),
        balanceCheck: z.object({ status: z.string(), difference: z.string(), reason: z.string() }),
        sequenceGaps: z.array(z.object({ from: z.string(), to: z.string() })),
        alreadyImported: z.object({ statementId: z.string(), importId: z.string() }).optional(),
      }),
    ),
    entries: z.object({ read: z.number().int(), new: z.number().int(), duplicates: z.number().int(), notBooked: z.number().int() }),
    transactions: z.number().int(),
    warnings: z.array(z.string()),
    matching: z.record(z.string(), z.number().int()).optional(),
    matchingPending: z.boolean().optional().openapi({ description: 'the statement is stored, but matching did not finish; it is retried automatically within minutes' }),
  })
  .openapi('StatementImportResult');


export function statementRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/statements',
      tags: ['Bank statements'],
      summary: 'Import a bank statement file (camt.052/053/054 XML, or a ZIP of them)',
      description:
        'Send the file as the raw body. The body is received completely before the import starts. All or nothing: a malformed file, a limit exceeded or balances that do not add up store nothing and answer 422 naming file, line/column or element. The same file or statement again answers 200 with the first import’s result (replayed: true). New receipts are matched right after the import. Files above INLINE_IMPORT_MAX_BYTES (default 4 MiB) are imported as a job: 202 with the import id and a status URL (also in Location); GET it for state and progress. A content type that is no statement file answers 415, a body above the file limit 413, at once, and the connection is closed.',
      security: bearer,
      middleware: [requireScope('statements:import')] as const,
      request: {
        query: z.object({ fileName: z.string().max(255).optional().openapi({ description: 'name shown in errors and lists' }) }),
        body: {
          required: true,
          content: {
            'application/xml': { schema: z.string().openapi({ format: 'binary' }) },
            'application/zip': { schema: z.string().openapi({ format: 'binary' }) },
            'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) },
          },
        },
      },
      responses: {
        201: { description: 'imported', content: { 'application/json': { schema: ImportResultSchema } } },
        200: { description: 'already imported: the first import’s result', content: { 'application/json': { schema: ImportResultSchema } } },
        202: {
          description: 'a large file, received and queued for import; follow statusUrl (also the Location header)',
          content: { 'application/json': { schema: z.object({ importId: z.string(), state: z.literal('queued'), bytes: z.number().int().optional(), statusUrl: z.string() }) } },
        },
        ...standardErrors,
        ...conflict,
      },
    }),
    async (c) => {
      const refused = uploadRefusal(c);
      if (refused) return refused as never;
      const body = c.req.raw.body;
      if (!body) throw new ValidationError('the request has no body: send the camt file as the body', { field: 'body' });
      const fileName = c.req.valid('query').fileName ?? fileNameFromDisposition(c.req.header('content-disposition'));
      const result = await importStatement({ ctx: ctxOf(c), deps: c.get('deps'), input: { source: body as unknown as AsyncIterable<Uint8Array>, ...(fileName ? { fileName } : {}) } });
      return c.json(result, result.replayed ? 200 : 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/statements',
      tags: ['Bank statements'],
      summary: 'List statements, newest first',
      security: bearer,
      middleware: [requireScope('statements:read')] as const,
      request: {
        query: z.object({
          accountIban: z.string().optional(),
          kind: z.enum(['camt.052', 'camt.053', 'camt.054']).optional(),
          balanceCheck: z.enum(['ok', 'broken', 'not_checked']).optional(),
          bookedFrom: z.string().date().optional().openapi({ description: 'closing balance date from (YYYY-MM-DD)' }),
          bookedTo: z.string().date().optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
          cursor: z.string().optional(),
        }),
      },
      responses: { 200: { description: 'a page of statements', content: { 'application/json': { schema: Paged(StatementSchema) } } }, ...standardErrors },
    }),
    async (c) => c.json(await listStatements({ ctx: ctxOf(c), input: c.req.valid('query') }), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/statements/{id}',
      tags: ['Bank statements'],
      summary: 'One statement with its balance check and sequence gaps',
      security: bearer,
      middleware: [requireScope('statements:read')] as const,
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: { description: 'the statement', content: { 'application/json': { schema: StatementSchema } } }, ...standardErrors, ...notFound },
    }),
    async (c) => c.json(await getStatement({ ctx: ctxOf(c), input: c.req.valid('param') }), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/statements/{id}/entries',
      tags: ['Bank statements'],
      summary: 'Entries of a statement with their transactions',
      security: bearer,
      middleware: [requireScope('statements:read')] as const,
      request: {
        params: z.object({ id: z.string() }),
        query: z.object({
          creditDebit: z.enum(['CRDT', 'DBIT']).optional(),
          status: z.enum(['BOOK', 'PDNG', 'INFO']).optional(),
          matchState: z.string().optional().openapi({ description: 'pending, auto, review, unmatched, return, ignored, manual, duplicate, not_booked' }),
          duplicates: z.enum(['true', 'false']).optional().transform((v) => (v === undefined ? undefined : v === 'true')),
          limit: z.coerce.number().int().min(1).max(500).optional(),
          cursor: z.string().optional(),
        }),
      },
      responses: { 200: { description: 'a page of entries', content: { 'application/json': { schema: Paged(z.record(z.string(), z.unknown())) } } }, ...standardErrors, ...notFound },
    }),
    async (c) => c.json(await listEntries({ ctx: ctxOf(c), input: { statementId: c.req.valid('param').id, ...c.req.valid('query') } }), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/statement-imports/{id}',
      tags: ['Bank statements'],
      summary: 'The result of an import, as answered when it ran',
      security: bearer,
      middleware: [requireScope('statements:read')] as const,
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: { description: 'the import result', content: { 'application/json': { schema: ImportResultSchema } } }, ...standardErrors, ...notFound },
    }),
    async (c) => c.json((await getImport({ ctx: ctxOf(c), input: c.req.valid('param') })) as never, 200),
  );
  return app;
}

function fileNameFromDisposition(header: string | undefined): string | undefined {
  const m = header?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  return m ? decodeURIComponent(m[1]!) : undefined;
}
