/**
 * Routes only the Workers entry mounts (before the shared ones, see createApp's runtimeRoutes):
 *
 * - POST /v1/statements with a body above `inlineMaxBytes`: the file is streamed into the upload
 *   store (R2), its id queued, and the answer is 202 with the import id. A Queue consumer runs the
 *   import (src/services/jobs/queuedImports.ts). Smaller files pass on to the shared route and are
 *   imported inline, as on Node.
 * - GET /v1/statement-imports/{id}: the shared route answers once the import has committed; before
 *   that (or after a refusal, which stores nothing) the upload's status record answers: 202 with
 *   state queued/running and progress, or 200 with state failed and why.
 *
 * Why not import large files inline on Workers: a request may only use so much CPU time, and the
 * client connection would have to stay open for minutes. A queue consumer has its own, longer
 * limits, and a retry after a crash is the queue's redelivery.
 */
import { HTTPException } from 'hono/http-exception';
import type { App } from '../app.js';
import { LimitExceededError } from '../errors.js';
import { ctxOf, requireScope } from '../http/env.js';
import { LIMITS } from '../limits.js';
import type { ImportQueue, QueuedImportStatus, UploadStore } from '../services/jobs/queuedImports.js';
import { getImport } from '../services/statements/queries.js';
import { newId } from '../services/shared/ids.js';

export interface QueuedImportBindings {
  store: UploadStore;
  queue: ImportQueue;
  /** Bodies up to this many bytes are imported inline; larger ones (or without a length) are queued. */
  inlineMaxBytes: number;
}

export function queuedImportRoutes(b: QueuedImportBindings) {
  return (app: App): void => {
    app.post('/v1/statements', requireScope('statements:import'), async (c, next) => {
      const header = c.req.header('content-length');
      const length = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
      if (length !== undefined && length <= b.inlineMaxBytes) return next();
      if (length === undefined) {
        // The store needs the size up front to take the body as a stream without buffering it.
        throw new HTTPException(411, { message: 'Length Required: send the file with a Content-Length header (curl --data-binary @file does)' });
      }
      if (length > LIMITS.statementFileBytes) throw new LimitExceededError('statementFileBytes', LIMITS.statementFileBytes, length);
      const body = c.req.raw.body;
      if (!body) return next();
      const actor = c.get('actor')!;
      const importId = newId();
      const now = c.get('deps').clock.now().toISOString();
      const fileName = c.req.query('fileName') ?? null;
      const status: QueuedImportStatus = { importId, state: 'queued', fileName, bytes: length, queuedBy: `client:${actor.id}`, queuedAt: now, updatedAt: now, attempts: 0 };
      await b.store.put(importId, body, length, status);
      await b.queue.send({ importId });
      c.get('log').info({ importId, bytes: length }, 'statement upload queued for import');
      const location = `/v1/statement-imports/${importId}`;
      return c.json({ importId, state: 'queued' as const, statusUrl: location }, 202, { location });
    });

    queuedImportStatusRoute(b.store)(app);
  };
}

/**
 * GET /v1/statement-imports/{id} for an upload queued in `store`: the shared route answers once the
 * import has committed; before that (or after a refusal, which stores nothing) the status record.
 */
export function queuedImportStatusRoute(store: Pick<UploadStore, 'status'>) {
  return (app: App): void => {
    app.get('/v1/statement-imports/:id', requireScope('statements:read'), async (c, next) => {
      await next();
      if (c.res.status !== 404) return;
      const status = await store.status(c.req.param('id'));
      if (!status) return;
      if (status.state === 'completed' && status.resultImportId) {
        // The same file had been imported before: its first import holds the result.
        const result = await getImport({ ctx: ctxOf(c), input: { id: status.resultImportId } });
        c.res = c.json({ ...result, replayed: true }, 200);
        return;
      }
      const { queuedBy: _by, ...visible } = status;
      c.res = c.json(visible, status.state === 'failed' ? 200 : 202);
    });
  };
}
