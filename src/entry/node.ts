/**
 * Stadtkasse on Node: reads the configuration, opens (and migrates) the database, serves the app,
 * and on SIGTERM/SIGINT stops taking new connections, lets in-flight requests finish, then closes
 * the database.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Server as HttpServer } from 'node:http';
import { createApp } from '../app.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { SYSTEM_ACTOR, systemClock, type Clock } from '../context.js';
import { sweepPendingReceipts } from '../services/booking/sweep.js';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/node.js';
import { createLogger, type Logger } from '../logger.js';
import { ensureBootstrapAdmin } from '../services/clients/apiKeys.js';
import { createServices } from '../services/registry.js';
import { createWebhookFetch } from '../services/webhooks/nodeTargets.js';
import { createReadStream } from 'node:fs';
import { importAndMatch } from '../services/statements/importAndMatch.js';
import { WorkerImporter } from './importThread.js';
import { nodeImportRoutes, SerialImportQueue, type NodeImportBindings } from './nodeImports.js';
import { fileReadAhead } from './readAheadFile.js';
import { defaultUploadDir, FileUploadStore } from './uploads.js';

const SWEEP_INTERVAL_MS = 60_000;
/** Longer than the 60 s idle timeout of common reverse proxies and load balancers. */
const KEEP_ALIVE_MS = 65_000;

export interface RunningService {
  url: string;
  port: number;
  db: Database;
  config: Config;
  logger: Logger;
  /** Waits until the work started after answering (re-matching for changed items) has finished. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startService(opts: { env?: Record<string, string | undefined>; clock?: Clock; logger?: Logger } = {}): Promise<RunningService> {
  const config = loadConfig(opts.env ?? process.env);
  const logger = opts.logger ?? createLogger(config);
  const db = await openDatabase(config.databaseUrl);
  const clock = opts.clock ?? systemClock;
  if (config.adminApiKey) await ensureBootstrapAdmin(db, config.adminApiKey, clock.now());
  const services = createServices(config, { db, clock, logger, webhookFetch: createWebhookFetch(config.webhooks) });
  // Uploads are received completely into this folder before they are imported (uploads.ts).
  const uploads = new FileUploadStore(config.uploadDir ?? defaultUploadDir(config.databaseUrl));
  uploads.removeStaleSpools();
  // Imports read the whole file before they write (readAhead.ts); in the import thread as well.
  services.readAhead = fileReadAhead((id) => uploads.spoolPath(id));
  // Imports run in their own thread with their own connections (see importThread.ts). A test clock
  // cannot cross into that thread, so with one the import stays here.
  let imports: Pick<NodeImportBindings, 'runFile' | 'enqueue'>;
  if (!opts.clock) {
    const importer = await WorkerImporter.start({ ...process.env, ...opts.env, LOG_LEVEL: logger.level }, uploads, logger); // the thread logs at the level of the logger it serves
    services.importer = importer;
    imports = { runFile: (ctx, path, input) => importer.runFile(ctx, path, input), enqueue: (id) => importer.enqueue(id) };
  } else {
    const queue = new SerialImportQueue({ db, config, clock, log: logger.child({ component: 'import-queue' }) }, { services }, uploads);
    imports = { runFile: (ctx, path, input) => importAndMatch({ ctx, deps: { services }, input: { ...input, source: createReadStream(path) } }), enqueue: (id) => queue.enqueue(id) };
  }
  if (config.outboxWorker) services.outbox?.start();
  services.online?.poller?.start();
  const app = createApp(
    { db, config, clock, logger, services, defer: (p) => void p.catch((err) => logger.error({ err }, 'deferred work failed')) },
    { runtimeRoutes: nodeImportRoutes({ store: uploads, inlineMaxBytes: config.inlineImportMaxBytes, ...imports }) },
  );
  // Queued uploads a stop or crash interrupted are imported again (their transaction stored nothing).
  for (const s of uploads.unfinished()) imports.enqueue(s.importId);

  // Receipts an interrupted import left undecided are matched a few minutes later, once the
  // stopped run's lease on them has run out (matchingLease.ts).
  const sweepCtx = { db, config, clock, log: logger.child({ component: 'sweep' }), actor: SYSTEM_ACTOR };
  const sweep = setInterval(() => {
    sweepPendingReceipts({ ctx: sweepCtx, deps: services.matching }).catch((err) => logger.error({ err }, 'sweep of undecided receipts failed'));
  }, SWEEP_INTERVAL_MS);
  sweep.unref();

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: '0.0.0.0' }, () => resolve(s));
  });
  // A client reusing a kept-alive connection at the moment the server drops it as idle gets a reset
  // ("other side closed"). Reverse proxies and load balancers keep idle connections for up to 60 s,
  // so the server keeps them longer and the client side is always the one to close first.
  const http = server as HttpServer;
  http.keepAliveTimeout = KEEP_ALIVE_MS;
  http.headersTimeout = KEEP_ALIVE_MS + 1_000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, backend: db.backend }, `Stadtkasse listening on http://localhost:${port} (API reference at /docs)`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Stop listening before saying so: whoever reads the line may rely on new connections being refused.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      logger.info('shutting down: finishing in-flight requests');
      clearInterval(sweep);
      await closed;
      await (services.importer as WorkerImporter | undefined)?.stop();
      await services.outbox?.stop();
      await services.online?.poller?.stop();
      await services.rematcher?.flush();
      await db.close();
      logger.info('stopped');
    })());
  const settled = async () => {
    await services.rematcher?.flush();
  };
  return { url: `http://127.0.0.1:${port}`, port, db, config, logger, settled, stop };
}

async function main(): Promise<void> {
  let service: RunningService;
  try {
    service = await startService();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`stadtkasse: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    process.stderr.write(`stadtkasse: cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      service.stop().then(
        () => process.exit(0),
        (err) => {
          process.stderr.write(`stadtkasse: shutdown failed: ${(err as Error).message}\n`);
          process.exit(1);
        },
      );
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
