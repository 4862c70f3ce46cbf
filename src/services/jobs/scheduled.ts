/**
 * Work that runs on a timer rather than in a request: the webhook outbox, the re-check of online
 * payments a citizen left unfinished at the provider, and, after open items changed, another
 * matching run over receipts still waiting for a claim. On Node these loop inside the process; on
 * Workers a Cron Trigger calls this (each run is a fresh invocation with its own time budget).
 *
 * All parts are safe on several instances at once: deliveries are claimed under a lease, receipts
 * and online payments under a version check (see outbox.ts, runMatching.ts, onlinePayments.ts).
 */
import { SYSTEM_ACTOR, type Ctx } from '../../context.js';
import type { Services } from '../registry.js';
import { runMatching, type MatchingSummary } from '../booking/runMatching.js';
import { sweepPendingReceipts } from '../booking/sweep.js';
import type { OutboxRound } from '../webhooks/outbox.js';
import { pollOnlinePayments } from '../online/onlinePayments.js';

export interface ScheduledRun {
  outbox: OutboxRound & { rounds: number };
  matching: MatchingSummary | null;
  /** Receipts an interrupted import left undecided, matched now. */
  swept: MatchingSummary | null;
  /** Online payments still open at the provider, asked again (null: no provider configured). */
  online: { checked: number; changed: number; unreachable: boolean } | null;
}

/**
 * One scheduled run. The outbox goes round after round until nothing is due or `budgetMs` is
 * spent (a cron invocation has limited time; what is left waits for the next one).
 */
export async function runScheduledJobs({
  ctx,
  services,
  input,
}: {
  ctx: Omit<Ctx, 'actor'>;
  services: Services;
  input: {
    outbox: boolean;
    /**
     * Match waiting receipts again when open items changed within this window (normally a little
     * more than the cron interval), null: never. The request that changed the items already
     * triggered a run (deferred); this catches one cut short. Not unconditional: every run writes a
     * fresh proposal per waiting receipt, which must not happen every minute for nothing.
     */
    rematchWindowMs: number | null;
    budgetMs: number;
  };
}): Promise<ScheduledRun> {
  const started = Date.now();
  const outbox = { attempted: 0, delivered: 0, retrying: 0, failed: 0, rounds: 0 };
  if (input.outbox && services.outbox) {
    while (Date.now() - started < input.budgetMs) {
      const round = await services.outbox.runOnce();
      outbox.rounds++;
      outbox.attempted += round.attempted;
      outbox.delivered += round.delivered;
      outbox.retrying += round.retrying;
      outbox.failed += round.failed;
      if (round.attempted === 0) break;
    }
  }
  const swept = await sweepPendingReceipts({ ctx: { ...ctx, actor: SYSTEM_ACTOR }, deps: services.matching });
  // A citizen who paid and closed the browser never comes back to the return page: the provider is asked.
  const online = services.online?.client ? await pollOnlinePayments({ ctx: { ...ctx, actor: SYSTEM_ACTOR }, deps: services.online }) : null;
  let matching: MatchingSummary | null = null;
  if (input.rematchWindowMs !== null) {
    const since = new Date(ctx.clock.now().getTime() - input.rematchWindowMs);
    const changed = await ctx.db.prisma.openItem.findFirst({ where: { updatedAt: { gte: since } }, select: { id: true } });
    if (changed) matching = await runMatching({ ctx: { ...ctx, actor: SYSTEM_ACTOR }, deps: services.matching, input: { waiting: true } });
  }
  ctx.log.info({ outbox, matching, swept, online }, 'scheduled run done');
  return { outbox, matching, swept, online };
}
