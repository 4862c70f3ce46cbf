/**
 * Stadtkasse on Cloudflare Workers: the same Hono app as on Node (src/app.ts), on PostgreSQL
 * through Hyperdrive (src/db/worker.ts), configured from the Worker's vars and secrets through the
 * same loadConfig as on Node.
 *
 * - fetch:     the API. Statement files above INLINE_IMPORT_MAX_BYTES are streamed to R2 and
 *              answered 202; smaller ones are imported inline (src/entry/workerRoutes.ts).
 * - queue:     runs queued imports, one message per invocation (src/services/jobs/queuedImports.ts).
 * - scheduled: the Cron Trigger: webhook outbox and another matching run over waiting receipts
 *              (src/services/jobs/scheduled.ts).
 *
 * Each invocation opens its own database client and closes it when its work (including work
 * deferred with waitUntil) is done: workerd does not let one request use another's connection.
 * Migrations run once per isolate, on its first invocation, under a transaction-scoped lock.
 */
import { createApp } from '../app.js';
import { loadConfig, type Config } from '../config.js';
import { systemClock } from '../context.js';
import type { Database } from '../db/database.js';
import { migrateWorkerDatabase, openWorkerDatabase } from '../db/worker.js';
import { createLogger, type Logger } from '../logger.js';
import { ensureBootstrapAdmin } from '../services/clients/apiKeys.js';
import { runQueuedImport, type QueuedImportMessage, type QueuedImportStatus, type UploadStore } from '../services/jobs/queuedImports.js';
import { runScheduledJobs } from '../services/jobs/scheduled.js';
import { createServices, type Services } from '../services/registry.js';
import { queuedImportRoutes } from './workerRoutes.js';

// The few binding shapes used here, written out instead of pulling @cloudflare/workers-types'
// globals into the Node-typed project.
interface R2ObjectBodyLike {
  body: ReadableStream<Uint8Array>;
  text(): Promise<string>;
}
interface R2BucketLike {
  put(key: string, value: ReadableStream<Uint8Array> | string, options?: { httpMetadata?: { contentType?: string }; customMetadata?: Record<string, string> }): Promise<unknown>;
  get(key: string): Promise<R2ObjectBodyLike | null>;
}
interface QueueLike<T> {
  send(body: T): Promise<void>;
}
interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}
interface QueueMessageLike<T> {
  body: T;
  attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}
interface MessageBatchLike<T> {
  queue: string;
  messages: readonly QueueMessageLike<T>[];
}

export interface WorkerEnv {
  /** Hyperdrive binding in front of the PostgreSQL database. */
  HYPERDRIVE: { connectionString: string };
  /** R2 bucket holding uploaded statement files and the status of queued imports. */
  UPLOADS?: R2BucketLike;
  /** Queue the consumer below reads. */
  IMPORT_QUEUE?: QueueLike<QueuedImportMessage>;
  /** Files up to this many bytes are imported inline (default 4 MiB). */
  INLINE_IMPORT_MAX_BYTES?: string;
  /** "false": do not migrate on an isolate's first invocation (run bin/stadtkasse migrate instead). */
  MIGRATE_ON_START?: string;
  /** Everything else: the variables of README's configuration table, as vars and secrets. */
  [name: string]: unknown;
}

/** Must match max_retries of the queue consumer in wrangler.toml: the last delivery records a failure. */
const QUEUE_MAX_RETRIES = 3;
const DEFAULT_INLINE_IMPORT_MAX_BYTES = 4 * 1024 * 1024;
/** A cron invocation may run for minutes; the outbox stops taking new rounds after this. */
const SCHEDULED_BUDGET_MS = 60_000;
/** Two cron intervals (wrangler.toml: every minute) plus slack: no item change goes unnoticed. */
const REMATCH_WINDOW_MS = 3 * 60_000;

let isolateReady = false;

interface Invocation {
  config: Config;
  logger: Logger;
  db: Database;
  services: Services;
  defer(work: Promise<unknown>): void;
  /** Closes the database once everything deferred has finished. */
  finish(): void;
}

function configOf(env: WorkerEnv): Config {
  const vars: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') vars[k] = v;
  // STADTKASSE_RUNTIME: secrets that Node may generate once per process are required here (config.ts).
  return loadConfig({ ...vars, DATABASE_URL: env.HYPERDRIVE.connectionString, STADTKASSE_RUNTIME: 'workers' });
}

async function open(env: WorkerEnv, ctx: ExecutionContextLike): Promise<Invocation> {
  const config = configOf(env);
  const logger = createLogger(config);
  if (!isolateReady) {
    // Not a shared promise: concurrent first requests each check (cheap, and safe under the lock);
    // workerd does not let one request wait on I/O another request started.
    if (env.MIGRATE_ON_START !== 'false') {
      const applied = await migrateWorkerDatabase(env.HYPERDRIVE.connectionString);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
  }
  const db = openWorkerDatabase(env.HYPERDRIVE.connectionString);
  if (!isolateReady) {
    if (config.adminApiKey) await ensureBootstrapAdmin(db, config.adminApiKey, systemClock.now());
    isolateReady = true;
  }
  const services = createServices(config, { db, clock: systemClock, logger });
  const pending: Promise<unknown>[] = [];
  const defer = (work: Promise<unknown>) => {
    const guarded = work.catch((err) => logger.error({ err }, 'deferred work failed'));
    pending.push(guarded);
    ctx.waitUntil(guarded);
  };
  const finish = () => {
    const drain = async () => {
      while (pending.length > 0) await Promise.allSettled(pending.splice(0));
      await db.close();
    };
    ctx.waitUntil(drain().catch((err) => logger.error({ err }, 'closing the database failed')));
  };
  return { config, logger, db, services, defer, finish };
}

/** Uploaded files and the status of their imports, in R2. */
function r2UploadStore(bucket: R2BucketLike): UploadStore {
  const fileKey = (id: string) => `uploads/${id}`;
  const statusKey = (id: string) => `imports/${id}.json`;
  return {
    async put(id, body, bytes, status) {
      // R2 takes a stream only when its length is known; a request body with Content-Length is.
      const Fixed = (globalThis as { FixedLengthStream?: new (n: number) => TransformStream<Uint8Array, Uint8Array> }).FixedLengthStream;
      const stream = Fixed ? body.pipeThrough(new Fixed(bytes)) : body;
      await bucket.put(fileKey(id), stream, { httpMetadata: { contentType: 'application/octet-stream' }, customMetadata: { fileName: status.fileName ?? '' } });
      await bucket.put(statusKey(id), JSON.stringify(status), { httpMetadata: { contentType: 'application/json' } });
    },
    async open(id) {
      const obj = await bucket.get(fileKey(id));
      return obj ? (obj.body as unknown as AsyncIterable<Uint8Array>) : null;
    },
    async status(id) {
      if (!/^[0-9a-f-]{36}$/.test(id)) return null;
      const obj = await bucket.get(statusKey(id));
      return obj ? (JSON.parse(await obj.text()) as QueuedImportStatus) : null;
    },
    async setStatus(status) {
      await bucket.put(statusKey(status.importId), JSON.stringify(status), { httpMetadata: { contentType: 'application/json' } });
    },
  };
}

function inlineMaxBytes(env: WorkerEnv): number {
  const v = env.INLINE_IMPORT_MAX_BYTES;
  if (v === undefined || v === '') return DEFAULT_INLINE_IMPORT_MAX_BYTES;
  if (!/^\d+$/.test(v)) throw new Error(`configuration: INLINE_IMPORT_MAX_BYTES must be a whole number of bytes (got "${v}")`);
  return Number(v);
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContextLike): Promise<Response> {
    const inv = await open(env, ctx);
    try {
      const app = createApp(
        { db: inv.db, config: inv.config, clock: systemClock, logger: inv.logger, services: inv.services, defer: inv.defer },
        env.UPLOADS && env.IMPORT_QUEUE ? { runtimeRoutes: queuedImportRoutes({ store: r2UploadStore(env.UPLOADS), queue: env.IMPORT_QUEUE, inlineMaxBytes: inlineMaxBytes(env) }) } : {},
      );
      // The response is complete here (no route streams from the database after answering).
      return await app.fetch(request);
    } finally {
      inv.finish();
    }
  },

  async queue(batch: MessageBatchLike<QueuedImportMessage>, env: WorkerEnv, ctx: ExecutionContextLike): Promise<void> {
    if (!env.UPLOADS) throw new Error('the import queue needs the UPLOADS R2 binding');
    const inv = await open(env, ctx);
    try {
      const store = r2UploadStore(env.UPLOADS);
      for (const message of batch.messages) {
        const outcome = await runQueuedImport({
          ctx: { db: inv.db, config: inv.config, clock: systemClock, log: inv.logger },
          deps: { services: inv.services },
          store,
          input: { importId: message.body.importId, finalAttempt: message.attempts > QUEUE_MAX_RETRIES },
        });
        if (outcome === 'retry') message.retry({ delaySeconds: 30 });
        else message.ack();
      }
    } finally {
      inv.finish();
    }
  },

  async scheduled(_controller: { cron: string; scheduledTime: number }, env: WorkerEnv, ctx: ExecutionContextLike): Promise<void> {
    const inv = await open(env, ctx);
    try {
      await runScheduledJobs({
        ctx: { db: inv.db, config: inv.config, clock: systemClock, log: inv.logger },
        services: inv.services,
        input: { outbox: inv.config.outboxWorker, rematchWindowMs: REMATCH_WINDOW_MS, budgetMs: SCHEDULED_BUDGET_MS },
      });
    } finally {
      inv.finish();
    }
  },
};
