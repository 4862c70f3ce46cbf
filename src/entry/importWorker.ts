/**
 * The import thread (see importThread.ts): its own configuration, database connections and matcher
 * index; runs the same importAndMatch as everywhere else, reading files already received completely.
 */
import { createReadStream, statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../config.js';
import { systemClock, type Actor, type Ctx, type Scope } from '../context.js';
import { openDatabase } from '../db/node.js';
import { adoptQueryCompilers, type QueryCompilers } from '../db/queryCompilers.js';
import { toTransferable } from '../errors.revive.js';
import { createLogger } from '../logger.js';
import { createImportServices } from '../services/importServices.js';
import type { Services } from '../services/registry.js';
import { importAndMatch } from '../services/statements/importAndMatch.js';
import { CHUNK_BYTES } from '../services/statements/originalFile.js';
import type { FromWorker, ToWorker } from './importThread.js';
import { SerialImportQueue } from './serialImportQueue.js';
import { fileReadAhead } from './readAheadFile.js';
import { FileUploadStore } from './uploads.js';

const port = parentPort!;

/**
 * The page cache of each of this thread's two SQLite connections, in KiB: 4 MiB instead of the 16
 * of the API thread and the command line. An import of 10^5 entries or more fills the writing
 * connection's cache with its own pages, and matching the reading one's; in the server those pages
 * sit on top of a second V8 isolate the command line does not have. Measured (peak RSS of the
 * server, two runs each): a 10^6-entry job until committed 185 and 193 MB against 197 and 199 MB; a
 * 10^5-entry job through matching 208 and 206 MB against 211 and 216 MB; neither slower. Pages
 * beyond the cache are read from the operating system's file cache.
 */
const IMPORT_CACHE_KIB = 4 * 1024;
const send = (m: FromWorker) => port.postMessage(m);

async function main(): Promise<void> {
  const { env, uploadDir, queryCompilers } = workerData as { env: Record<string, string | undefined>; uploadDir: string; queryCompilers?: QueryCompilers };
  let ctxBase: Omit<Ctx, 'actor' | 'requestId'>;
  let services: Services;
  const uploads = new FileUploadStore(uploadDir);
  try {
    const config = loadConfig(env);
    const log = createLogger(config).child({ component: 'import-thread' });
    // The server migrated the database already; this thread only opens it, with the query
    // compiler the server compiled.
    adoptQueryCompilers(queryCompilers);
    const db = await openDatabase(config.databaseUrl, { migrate: false, cacheKiB: IMPORT_CACHE_KIB });
    services = createImportServices(config);
    services.readAhead = fileReadAhead((id) => uploads.spoolPath(id));
    ctxBase = { db, config, clock: systemClock, log };
  } catch (err) {
    send({ type: 'failedToStart', error: toTransferable(err) });
    return;
  }
  const queue = new SerialImportQueue(ctxBase, { services }, uploads, (importId) => send({ type: 'queuedDone', importId }));
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'queued') {
      queue.enqueue(msg.importId);
      return;
    }
    const actor: Actor = { type: msg.actor.type as Actor['type'], id: msg.actor.id, name: msg.actor.name, scopes: new Set(msg.actor.scopes as Scope[]) };
    const ctx: Ctx = { ...ctxBase, actor, ...(msg.requestId ? { requestId: msg.requestId, log: ctxBase.log.child({ requestId: msg.requestId }) } : {}) };
    let lastProgress = 0;
    importAndMatch({
      ctx,
      deps: { services },
      input: {
        source: createReadStream(msg.path, { highWaterMark: 256 * 1024 }),
        totalBytes: statSync(msg.path).size,
        reopen: () => createReadStream(msg.path, { highWaterMark: CHUNK_BYTES }),
        ...(msg.fileName ? { fileName: msg.fileName } : {}),
        onProgress: (p) => {
          const now = Date.now();
          if (now - lastProgress < 250) return;
          lastProgress = now;
          send({ type: 'progress', job: msg.job, ...p });
        },
      },
    }).then(
      (result) => send({ type: 'done', job: msg.job, result }),
      (err) => send({ type: 'error', job: msg.job, error: toTransferable(err) }),
    );
  });
  send({ type: 'ready' });
}

void main();
