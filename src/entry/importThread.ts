/**
 * Imports on Node run in a worker thread with its own database connections: reading a 500 MB file
 * and writing it in one transaction keeps that thread busy for minutes, and the better-sqlite3
 * driver is synchronous, so in the server's own thread it would stall every API request (measured:
 * reads waited up to 4 s during a 20 MB import). The upload is streamed to the worker chunk by
 * chunk with flow control; the answer, or the typed error, comes back as a message.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Ctx } from '../context.js';
import { reviveDomainError, type TransferableError } from '../errors.revive.js';
import type { Logger } from '../logger.js';
import type { ImportAndMatchResult } from '../services/statements/importAndMatch.js';
import type { ImportInput } from '../services/statements/importStatementFile.js';
import type { StatementImporter } from '../services/statements/importer.js';

/** Chunks the main thread may have sent ahead of what the worker has taken (bounds memory). */
const CHUNKS_AHEAD = 8;

export type ToWorker =
  | { type: 'start'; job: number; fileName?: string; actor: { type: string; id: string; name: string; scopes: string[] }; requestId?: string }
  | { type: 'chunk'; job: number; bytes: Uint8Array }
  | { type: 'end'; job: number }
  | { type: 'abort'; job: number; message: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'failedToStart'; error: TransferableError }
  | { type: 'ack'; job: number }
  | { type: 'progress'; job: number; bytes: number; entries: number }
  | { type: 'done'; job: number; result: ImportAndMatchResult }
  | { type: 'error'; job: number; error: TransferableError };

interface Job {
  resolve(r: ImportAndMatchResult): void;
  reject(e: Error): void;
  acked: () => void;
  onProgress?: ImportInput['onProgress'];
}

export class WorkerImporter implements StatementImporter {
  private nextJob = 1;
  private readonly jobs = new Map<number, Job>();
  private readonly ready: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly log: Logger,
  ) {
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') return resolve();
        if (msg.type === 'failedToStart') return reject(reviveDomainError(msg.error));
        const job = this.jobs.get(msg.job);
        if (!job) return;
        if (msg.type === 'ack') job.acked();
        else if (msg.type === 'progress') job.onProgress?.({ bytes: msg.bytes, entries: msg.entries });
        else if (msg.type === 'done') {
          this.jobs.delete(msg.job);
          job.resolve(msg.result);
        } else if (msg.type === 'error') {
          this.jobs.delete(msg.job);
          job.reject(reviveDomainError(msg.error));
        }
      });
      worker.on('error', (err) => {
        this.log.error({ err }, 'import thread failed');
        reject(err);
        for (const [id, job] of this.jobs) {
          this.jobs.delete(id);
          job.reject(err);
        }
      });
    });
  }

  static async start(env: Record<string, string | undefined>, log: Logger): Promise<WorkerImporter> {
    // The worker is TypeScript like the rest; its boot file registers tsx (a runtime dependency).
    const worker = new Worker(fileURLToPath(new URL('./importWorkerBoot.mjs', import.meta.url)), { workerData: { env } });
    const importer = new WorkerImporter(worker, log);
    await importer.ready;
    return importer;
  }

  async run(ctx: Ctx, input: ImportInput): Promise<ImportAndMatchResult> {
    const job = this.nextJob++;
    let inFlight = 0;
    let wake: (() => void) | undefined;
    const done = new Promise<ImportAndMatchResult>((resolve, reject) => {
      this.jobs.set(job, {
        resolve,
        reject,
        acked: () => {
          inFlight--;
          wake?.();
        },
        ...(input.onProgress ? { onProgress: input.onProgress } : {}),
      });
    });
    const a = ctx.actor;
    this.worker.postMessage({ type: 'start', job, ...(input.fileName ? { fileName: input.fileName } : {}), actor: { type: a.type, id: a.id, name: a.name, scopes: [...a.scopes] }, ...(ctx.requestId ? { requestId: ctx.requestId } : {}) } satisfies ToWorker);
    const finished = { value: false };
    void done.then(
      () => (finished.value = true),
      () => (finished.value = true),
    );
    try {
      const source = input.source instanceof Uint8Array ? [input.source] : input.source;
      for await (const chunk of source) {
        if (finished.value) break; // the worker already refused the file (e.g. a limit)
        while (inFlight >= CHUNKS_AHEAD && !finished.value) await new Promise<void>((r) => (wake = r));
        // A copy the worker owns: the stream's chunk may share its memory with other chunks.
        const bytes = new Uint8Array(chunk);
        inFlight++;
        this.worker.postMessage({ type: 'chunk', job, bytes } satisfies ToWorker, [bytes.buffer]);
      }
      if (!finished.value) this.worker.postMessage({ type: 'end', job } satisfies ToWorker);
    } catch (err) {
      this.worker.postMessage({ type: 'abort', job, message: (err as Error).message } satisfies ToWorker);
    }
    return done;
  }

  /** Lets running imports finish, then stops the thread. */
  async stop(): Promise<void> {
    while (this.jobs.size > 0) await new Promise((r) => setTimeout(r, 50));
    await this.worker.terminate();
  }
}
