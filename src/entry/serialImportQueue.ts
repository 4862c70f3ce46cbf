/**
 * Runs the queued imports of the Node server one after the other, in the import thread (or in the
 * server's own thread without one). Apart from the upload routes (nodeImports.ts), so that the
 * import thread does not load the HTTP layer.
 */
import type { Ctx } from '../context.js';
import type { AppDeps } from '../http/env.js';
import { runQueuedImport } from '../services/jobs/queuedImports.js';
import type { FileUploadStore } from './uploads.js';

/** Attempts of one queued import before it is given up (a crash during each, say). */
const MAX_ATTEMPTS = 3;

/**
 * Runs queued imports one after the other (one statement import at a time is what the database
 * serves best; a second would wait for the first's writes anyway).
 */
export class SerialImportQueue {
  private chain: Promise<void> = Promise.resolve();
  private readonly pending = new Set<string>();

  constructor(
    private readonly ctx: Omit<Ctx, 'actor' | 'requestId'>,
    private readonly deps: Pick<AppDeps, 'services'>,
    private readonly store: FileUploadStore,
    private readonly onDone: (importId: string) => void = () => {},
  ) {}

  enqueue(importId: string): void {
    if (this.pending.has(importId)) return;
    this.pending.add(importId);
    this.chain = this.chain.then(async () => {
      try {
        const status = await this.store.status(importId);
        const finalAttempt = (status?.attempts ?? 0) + 1 >= MAX_ATTEMPTS;
        await runQueuedImport({ ctx: this.ctx, deps: this.deps, store: this.store, input: { importId, finalAttempt } });
      } catch (err) {
        this.ctx.log.error({ err, importId }, 'queued import could not be run');
      } finally {
        this.pending.delete(importId);
        this.onDone(importId);
      }
    });
  }

  /** Resolves when everything queued so far has run. */
  async idle(): Promise<void> {
    await this.chain;
  }
}
