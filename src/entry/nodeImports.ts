/**
 * Statement uploads on Node (mounted before the shared routes, see createApp's runtimeRoutes):
 *
 * - POST /v1/statements: the content type and a declared length are checked before the body is
 *   read (a refusal is answered at once and the connection closed); then the body is received
 *   completely into the upload folder, the byte limit enforced as it arrives; only then does the
 *   import start. Up to `inlineMaxBytes` the import runs at once and the answer is its result
 *   (201, or 200 for a repeat), as before. Larger files are queued: 202 with the import id and a
 *   status URL (body and Location), and imported one after the other in the import thread.
 * - GET /v1/statement-imports/{id}: before a queued import has committed (or after it was refused,
 *   which stores nothing), the upload's status answers, with progress (as on Workers).
 *
 * Why a job for large files: a 170 MB statement takes minutes to import; no client, proxy or load
 * balancer keeps a request open that long (one was cut at 300 s), and a retry of a cut request would
 * send the whole file again.
 */
import type { App } from '../app.js';
import type { Ctx } from '../context.js';
import { LimitExceededError } from '../errors.js';
import { ctxOf, requireScope } from '../http/env.js';
import { declaredLength, refuseUpload, tooLarge, uploadRefusal } from '../http/statements/uploadChecks.js';
import { LIMITS } from '../limits.js';
import type { QueuedImportStatus } from '../services/jobs/queuedImports.js';
import type { ImportAndMatchResult } from '../services/statements/importAndMatch.js';
import type { ImportInput } from '../services/statements/importStatementFile.js';
import { newId } from '../services/shared/ids.js';
import { queuedImportStatusRoute } from './workerRoutes.js';
import { spoolToFile, type FileUploadStore } from './uploads.js';
import { rmSync } from 'node:fs';

export { SerialImportQueue } from './serialImportQueue.js';

export interface NodeImportBindings {
  store: FileUploadStore;
  inlineMaxBytes: number;
  /** Imports a file received completely (in the import thread, or here). */
  runFile(ctx: Ctx, path: string, input: Omit<ImportInput, 'source'>): Promise<ImportAndMatchResult>;
  /** Queues an upload stored in the store with its status. */
  enqueue(importId: string): void;
}

export function nodeImportRoutes(b: NodeImportBindings) {
  return (app: App): void => {
    app.post('/v1/statements', requireScope('statements:import'), async (c) => {
      const refused = uploadRefusal(c);
      if (refused) return refused;
      const body = c.req.raw.body;
      const fileName = c.req.query('fileName') ?? fileNameFromDisposition(c.req.header('content-disposition')) ?? null;
      const id = newId();
      const path = b.store.spoolPath(id);
      let bytes: number;
      try {
        bytes = await spoolToFile(body ? (body as unknown as AsyncIterable<Uint8Array>) : new Uint8Array(0), path, LIMITS.statementFileBytes, fileName ?? 'upload');
      } catch (err) {
        // Above the limit: answered now, the rest of the body is never read.
        if (err instanceof LimitExceededError) return refuseUpload(c, 413, tooLarge(Number(err.actual ?? 0)));
        throw err;
      }
      if (bytes <= b.inlineMaxBytes) {
        try {
          const result = await b.runFile(ctxOf(c), path, fileName ? { fileName } : {});
          return c.json(result, result.replayed ? 200 : 201);
        } finally {
          rmSync(path, { force: true });
        }
      }
      const actor = c.get('actor')!;
      const now = c.get('deps').clock.now().toISOString();
      const status: QueuedImportStatus = { importId: id, state: 'queued', fileName, bytes, queuedBy: `client:${actor.id}`, queuedAt: now, updatedAt: now, attempts: 0 };
      b.store.adopt(path, status);
      b.enqueue(id);
      c.get('log').info({ importId: id, bytes }, 'statement upload queued for import');
      const location = `/v1/statement-imports/${id}`;
      return c.json({ importId: id, state: 'queued' as const, bytes, statusUrl: location }, 202, { location });
    });
    queuedImportStatusRoute(b.store)(app);
  };
}

function fileNameFromDisposition(header: string | undefined): string | undefined {
  const m = header?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  return m ? decodeURIComponent(m[1]!) : undefined;
}
