/**
 * Re-matching after open items change, coalesced and incremental.
 *
 * A request that raises or changes items only records their ids and returns; a short window later
 * one run takes every id recorded meanwhile, looks up the waiting payments that could match them
 * (waitingReceipts.ts: by key, bounded per item) and matches only those. A hundred POSTs within the
 * window are one run; a run going on collects the next window's ids. The cost of a run follows the
 * number of changed items, not the number of payments waiting.
 */
import type { Ctx } from '../../context.js';
import { runMatching, type MatchingDeps, type MatchingSummary } from './runMatching.js';
import { waitingReceiptsForItems } from './waitingReceipts.js';

/** Changes within this window are one run. Short: a payment quoting a new item is booked within it. */
export const REMATCH_WINDOW_MS = 50;
/** Items looked at per round of one run (their payments are matched before the next round). */
const ITEMS_PER_ROUND = 1000;

export interface RematchRun {
  items: number;
  /** Waiting payments the run matched again (what it read of the receipts). */
  receipts: number;
  summary: MatchingSummary | null;
}

export class Rematcher {
  private readonly pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  /** Resolved when the run that takes the currently pending ids has finished. */
  private next: { promise: Promise<void>; resolve: () => void } | undefined;
  /** What the last run did (for the log and for tests). */
  lastRun: RematchRun | undefined;

  constructor(
    private readonly ctx: () => Ctx,
    private readonly deps: MatchingDeps,
    private readonly windowMs = REMATCH_WINDOW_MS,
  ) {}

  /** Records changed items; the returned promise settles when a run has looked at them. */
  itemsChanged(ids: string[]): Promise<void> {
    for (const id of ids) this.pending.add(id);
    if (!this.next) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.next = { promise, resolve };
    }
    const waitFor = this.next.promise;
    this.schedule();
    return waitFor;
  }

  /** Runs at once whatever is pending and waits until nothing is (tests, shutdown). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (;;) {
      if (this.running) await this.running;
      else if (this.pending.size > 0) this.start();
      else return;
    }
  }

  private schedule(): void {
    if (this.timer || this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, this.windowMs);
  }

  private start(): void {
    const ids = [...this.pending];
    this.pending.clear();
    const done = this.next;
    this.next = undefined;
    this.running = this.run(ids)
      .catch((err) => this.ctx().log.error({ err, items: ids.length }, 'matching waiting payments again failed'))
      .finally(() => {
        this.running = undefined;
        done?.resolve();
        if (this.pending.size > 0) this.schedule();
      });
  }

  private async run(ids: string[]): Promise<void> {
    const ctx = this.ctx();
    const run: RematchRun = { items: ids.length, receipts: 0, summary: null };
    for (let i = 0; i < ids.length; i += ITEMS_PER_ROUND) {
      const receipts = await waitingReceiptsForItems(ctx, ids.slice(i, i + ITEMS_PER_ROUND));
      run.receipts += receipts.length;
      if (receipts.length === 0) continue;
      const summary = await runMatching({ ctx, deps: this.deps, input: { transactionIds: receipts, waiting: true } });
      if (!run.summary) run.summary = summary;
      else for (const k of Object.keys(summary) as Array<keyof MatchingSummary>) run.summary[k] += summary[k];
    }
    this.lastRun = run;
  }
}
