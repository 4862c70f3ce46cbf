/**
 * Imports on Node run in a worker thread with its own database connections: reading a 500 MB file
 * and writing it keeps that thread busy for minutes, and the better-sqlite3 driver is synchronous,
 * so in the server's own thread it would stall every API request (measured: reads waited up to 4 s
 * during a 20 MB import).
 *
 * The upload is received completely into a file first (uploads.ts), then the thread imports from
 * that file: the import's transaction never waits on the network, and a file the reader refuses
 * early cannot leave the request waiting for a thread that stopped taking chunks. Large uploads are
 * queued (202) and run one after the other in the same thread (queuedImports.ts).
 */
import { rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Ctx } from '../context.js';
import { queryCompilers } from '../db/queryCompilers.js';
import { reviveDomainError, type TransferableError } from '../errors.revive.js';
import { LIMITS } from '../limits.js';
import type { Logger } from '../logger.js';
import type { ImportAndMatchResult } from '../services/statements/importAndMatch.js';
import type { ImportInput } from '../services/statements/importStatementFile.js';
import type { StatementImporter } from '../services/statements/importer.js';
import { newId } from '../services/shared/ids.js';
import { spoolToFile, type FileUploadStore } from './uploads.js';

export type ToWorker =
  | { type: 'start'; job: number; path: string; fileName?: string; actor: { type: string; id: string; name: string; scopes: string[] }; requestId?: string }
  | { type: 'queued'; importId: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'failedToStart'; error: TransferableError }
  | { type: 'progress'; job: number; bytes: number; entries: number }
  | { type: 'done'; job: number; result: ImportAndMatchResult }
  | { type: 'error'; job: number; error: TransferableError }
  | { type: 'queuedDone'; importId: string };

interface Job {
  resolve(r: ImportAndMatchResult): void;
  reject(e: Error): void;
  onProgress?: ImportInput['onProgress'];
}

export class WorkerImporter implements StatementImporter {
  private nextJob = 1;
  private readonly jobs = new Map<number, Job>();
  private readonly queued = new Set<string>();
  private readonly ready: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly store: FileUploadStore,
    private readonly log: Logger,
  ) {
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') return resolve();
        if (msg.type === 'failedToStart') return reject(reviveDomainError(msg.error));
        if (msg.type === 'queuedDone') {
          this.queued.delete(msg.importId);
          return;
        }
        const job = this.jobs.get(msg.job);
        if (!job) return;
        if (msg.type === 'progress') job.onProgress?.({ bytes: msg.bytes, entries: msg.entries });
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

  static async start(env: Record<string, string | undefined>, store: FileUploadStore, log: Logger): Promise<WorkerImporter> {
    // Compiled (npm start, bin/stadtkasse: this file is .js) the thread loads the compiled worker;
    // run as TypeScript (tests) its boot file registers tsx in the thread first.
    const script = import.meta.url.endsWith('.js') ? './importWorker.js' : './importWorkerBoot.mjs';
    // The thread runs the query compiler this thread compiled when it opened the database
    // (queryCompilers.ts) instead of compiling a copy of its own.
    const worker = new Worker(fileURLToPath(new URL(script, import.meta.url)), {
      workerData: { env, uploadDir: store.dir, queryCompilers: queryCompilers() },
    });
    const importer = new WorkerImporter(worker, store, log);
    await importer.ready;
    return importer;
  }

  /** Receives the upload completely (byte limit enforced as it arrives), then imports it. */
  async run(ctx: Ctx, input: ImportInput): Promise<ImportAndMatchResult> {
    const path = this.store.spoolPath(newId());
    await spoolToFile(input.source, path, LIMITS.statementFileBytes, input.fileName ?? 'upload');
    try {
      return await this.runFile(ctx, path, input);
    } finally {
      rmSync(path, { force: true });
    }
  }

  /** Imports a file already received completely; the caller removes it afterwards. */
  runFile(ctx: Ctx, path: string, input: Omit<ImportInput, 'source'>): Promise<ImportAndMatchResult> {
    const job = this.nextJob++;
    const done = new Promise<ImportAndMatchResult>((resolve, reject) => {
      this.jobs.set(job, { resolve, reject, ...(input.onProgress ? { onProgress: input.onProgress } : {}) });
    });
    const a = ctx.actor;
    this.worker.postMessage({
      type: 'start',
      job,
      path,
      ...(input.fileName ? { fileName: input.fileName } : {}),
      actor: { type: a.type, id: a.id, name: a.name, scopes: [...a.scopes] },
      ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
    } satisfies ToWorker);
    return done;
  }

  /** Hands a queued upload (stored in the upload folder with its status) to the thread. */
  enqueue(importId: string): void {
    if (this.queued.has(importId)) return;
    this.queued.add(importId);
    this.worker.postMessage({ type: 'queued', importId } satisfies ToWorker);
  }

  /**
   * Lets the imports whose senders wait for the answer finish, then stops the thread. A queued
   * import still running is cut: its transaction stores nothing, its status stays `running`, and
   * the next start runs it again from the spooled file.
   */
  async stop(): Promise<void> {
    while (this.jobs.size > 0) await new Promise((r) => setTimeout(r, 50));
    await this.worker.terminate();
  }
}
