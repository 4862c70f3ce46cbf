/**
 * Imports that run after the upload has been answered: a runtime stores the uploaded file (R2 on
 * Workers), queues its id, and a consumer runs the very same importAndMatch as the inline API, in
 * one database transaction. The caller got the import id with 202 and follows the status.
 *
 * Why the id is handed out before the import runs: the import is stored under it (ImportInput
 * .importId), so GET /v1/statement-imports/{id} shows the result there once it has committed; until
 * then (and for a failure, which stores nothing in the database) the status record says where the
 * upload stands.
 *
 * Delivery is at least once (a queue redelivers when the consumer dies): a second run of the same
 * upload finds the first's import (same id, same file hash) and answers its result; a run killed
 * mid-way stored nothing, so the next one imports the file whole.
 *
 * Runtime-neutral: storage and queue are interfaces the entry implements.
 */
import type { Actor, Ctx } from '../../context.js';
import { DomainError } from '../../errors.js';
import type { AppDeps } from '../../http/env.js';
import { importAndMatch } from '../statements/importAndMatch.js';

export type QueuedImportState = 'queued' | 'running' | 'completed' | 'failed';

export interface QueuedImportStatus {
  /** The upload's id; the import is stored under it (or answers with an earlier import of the same file). */
  importId: string;
  state: QueuedImportState;
  fileName: string | null;
  bytes: number;
  /** `client:<id>` of the uploader; the import is booked in their name. */
  queuedBy: string;
  queuedAt: string;
  updatedAt: string;
  /** Runs started (a queue may redeliver after a crash or a transient failure). */
  attempts: number;
  /** While running: what has been read so far (not yet stored: the import commits at the end). */
  progress?: { bytes: number; entries: number };
  /** Completed: the import holding the result (this id, or the first import of the same file). */
  resultImportId?: string;
  /** Failed: why. Nothing of the file was stored. */
  error?: { code: string; detail: string; [location: string]: unknown };
  /** A transient failure that will be retried. */
  lastError?: string;
}

export interface UploadStore {
  /** Stores the uploaded bytes and the first status record. */
  put(importId: string, body: ReadableStream<Uint8Array>, bytes: number, status: QueuedImportStatus): Promise<void>;
  /** The uploaded file, or null when it is not (or no longer) stored. */
  open(importId: string): Promise<AsyncIterable<Uint8Array> | null>;
  status(importId: string): Promise<QueuedImportStatus | null>;
  setStatus(status: QueuedImportStatus): Promise<void>;
}

export interface ImportQueue {
  send(message: QueuedImportMessage): Promise<void>;
}

export interface QueuedImportMessage {
  importId: string;
}

/** Progress is written at most this often (each write is a storage round trip). */
const PROGRESS_EVERY_MS = 2_000;

export type QueuedImportOutcome = 'completed' | 'failed' | 'retry';

/**
 * Runs one queued import. Returns `retry` when the failure may pass (database unreachable …) and
 * the queue should deliver the message again; `failed` for a file that can never be imported as
 * sent (malformed, balances broken, a limit) — the status says why.
 */
export async function runQueuedImport({
  ctx,
  deps,
  store,
  input,
}: {
  ctx: Omit<Ctx, 'actor'>;
  deps: Pick<AppDeps, 'services'>;
  store: UploadStore;
  input: { importId: string; finalAttempt: boolean };
}): Promise<QueuedImportOutcome> {
  const status = await store.status(input.importId);
  if (!status) {
    ctx.log.error({ importId: input.importId }, 'queued import has no status record; dropped');
    return 'failed';
  }
  if (status.state === 'completed' || status.state === 'failed') return status.state;
  const source = await store.open(input.importId);
  const now = () => ctx.clock.now().toISOString();
  if (!source) {
    await store.setStatus({ ...status, state: 'failed', updatedAt: now(), error: { code: 'not_found', detail: 'the uploaded file is no longer stored; upload it again' } });
    return 'failed';
  }
  const running: QueuedImportStatus = { ...status, state: 'running', attempts: status.attempts + 1, updatedAt: now() };
  await store.setStatus(running);
  let lastProgress = 0;
  let progressWrite: Promise<void> = Promise.resolve();
  try {
    const result = await importAndMatch({
      ctx: { ...ctx, actor: await uploader(ctx, status.queuedBy) },
      deps,
      input: {
        source,
        totalBytes: status.bytes,
        reopen: () => store.open(input.importId),
        importId: input.importId,
        ...(status.fileName ? { fileName: status.fileName } : {}),
        onProgress: (p) => {
          const t = Date.now();
          if (t - lastProgress < PROGRESS_EVERY_MS) return;
          lastProgress = t;
          // One write at a time; a slow store must not pile up writes behind the import.
          progressWrite = progressWrite.then(() => store.setStatus({ ...running, progress: { bytes: p.bytes, entries: p.entries }, updatedAt: now() })).catch(() => {});
        },
      },
    });
    await progressWrite;
    await store.setStatus({ ...running, state: 'completed', resultImportId: result.importId, updatedAt: now() });
    ctx.log.info({ importId: input.importId, resultImportId: result.importId, replayed: result.replayed, entries: result.entries }, 'queued import completed');
    return 'completed';
  } catch (err) {
    await progressWrite;
    // A duplicate delivery running alongside the first loses the race on the import id; the
    // first one's result stands and must not be overwritten.
    if ((await store.status(input.importId))?.state === 'completed') return 'completed';
    if (err instanceof DomainError && err.code !== 'unavailable') {
      await store.setStatus({ ...running, state: 'failed', updatedAt: now(), error: { ...locationOf(err), code: err.code, detail: err.message } });
      ctx.log.warn({ importId: input.importId, code: err.code }, 'queued import refused');
      return 'failed';
    }
    ctx.log.error({ err, importId: input.importId }, 'queued import failed');
    if (input.finalAttempt) {
      await store.setStatus({ ...running, state: 'failed', updatedAt: now(), error: { code: 'internal', detail: 'the import failed repeatedly for a reason on our side; nothing was stored; upload the file again or ask the operators' } });
      return 'failed';
    }
    await store.setStatus({ ...running, state: 'queued', updatedAt: now(), lastError: 'interrupted; will be retried' });
    return 'retry';
  }
}

function locationOf(err: DomainError): Record<string, unknown> {
  const loc = (err as { location?: Record<string, unknown> }).location ?? {};
  return Object.fromEntries(Object.entries(loc).filter(([, v]) => v !== undefined));
}

/** The uploader as an actor: the import and its audit entry name who sent the file. */
async function uploader(ctx: Omit<Ctx, 'actor'>, queuedBy: string): Promise<Actor> {
  const id = queuedBy.replace(/^client:/, '');
  const client = await ctx.db.prisma.apiClient.findUnique({ where: { id }, select: { id: true, name: true } });
  return { type: 'client', id, name: client?.name ?? id, scopes: new Set(['statements:import']) };
}
