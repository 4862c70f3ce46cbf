/**
 * The import thread (see importThread.ts): its own configuration, database connections and matcher
 * index; runs the same importAndMatch as everywhere else.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../config.js';
import { systemClock, type Actor, type Ctx, type Scope } from '../context.js';
import { openDatabase } from '../db/node.js';
import { toTransferable } from '../errors.revive.js';
import { createLogger } from '../logger.js';
import { createServices } from '../services/registry.js';
import { importAndMatch } from '../services/statements/importAndMatch.js';
import type { FromWorker, ToWorker } from './importThread.js';

const port = parentPort!;
const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

/** Chunks of one upload, handed to the reader as an async iterable as they arrive. */
class ChunkQueue implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  constructor(private readonly onTaken: () => void) {}
  push(c: Uint8Array): void {
    this.chunks.push(c);
    this.wake?.();
  }
  end(): void {
    this.ended = true;
    this.wake?.();
  }
  fail(e: Error): void {
    this.failure = e;
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.failure) throw this.failure;
      const c = this.chunks.shift();
      if (c) {
        this.onTaken();
        yield c;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}

async function main(): Promise<void> {
  const env = (workerData as { env: Record<string, string | undefined> }).env;
  let ctxBase: Omit<Ctx, 'actor' | 'requestId'>;
  let services: ReturnType<typeof createServices>;
  try {
    const config = loadConfig(env);
    const log = createLogger(config).child({ component: 'import-thread' });
    // The server migrated the database already; this thread only opens it.
    const db = await openDatabase(config.databaseUrl, { migrate: false });
    services = createServices(config);
    ctxBase = { db, config, clock: systemClock, log };
  } catch (err) {
    send({ type: 'failedToStart', error: toTransferable(err) });
    return;
  }
  const queues = new Map<number, ChunkQueue>();
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'start') {
      const queue = new ChunkQueue(() => send({ type: 'ack', job: msg.job }));
      queues.set(msg.job, queue);
      const actor: Actor = { type: msg.actor.type as Actor['type'], id: msg.actor.id, name: msg.actor.name, scopes: new Set(msg.actor.scopes as Scope[]) };
      const ctx: Ctx = { ...ctxBase, actor, ...(msg.requestId ? { requestId: msg.requestId, log: ctxBase.log.child({ requestId: msg.requestId }) } : {}) };
      let lastProgress = 0;
      importAndMatch({
        ctx,
        deps: { services },
        input: {
          source: queue,
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
      ).finally(() => queues.delete(msg.job));
    } else if (msg.type === 'chunk') queues.get(msg.job)?.push(msg.bytes);
    else if (msg.type === 'end') queues.get(msg.job)?.end();
    else if (msg.type === 'abort') queues.get(msg.job)?.fail(new Error(`upload interrupted: ${msg.message}`));
  });
  send({ type: 'ready' });
}

void main();
