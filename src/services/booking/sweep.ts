/**
 * Receipts left `pending`: an import commits first and matches afterwards, so a crash, a shutdown
 * or an error between the two leaves its receipts undecided — not booked, not in suspense, not in
 * the review queue. The sweep finds them and runs the same recognition and matching as the import
 * would have. It runs on a timer (Node: every minute in the server; Workers: the Cron Trigger) and
 * when the same file is delivered again.
 */
import type { Ctx } from '../../context.js';
import { settleRefunds } from '../refunds/settle.js';
import { recognizeCollections } from '../collections/settle.js';
import { recognizeSettlements } from '../online/settlement.js';
import { indexUnkeyedWaitingReceipts } from './waitingReceipts.js';
import { addToSummary, runMatching, type MatchingDeps, type MatchingSummary } from './runMatching.js';
import { notBeingMatched } from '../statements/matchingLease.js';

/** Receipts younger than this belong to an import whose own matching run may still be going. */
export const SWEEP_GRACE_MS = 60_000;

/** Receipts decided per round (one refresh of the matcher's index each); a page, never the backlog. */
const SWEEP_PAGE = 5_000;

/** Rounds per sweep: what is left of a larger backlog goes to the next sweep. */
const SWEEP_ROUNDS = 20;

export async function sweepPendingReceipts({ ctx, deps, input = {} }: { ctx: Ctx; deps: MatchingDeps; input?: { importId?: string } }): Promise<MatchingSummary | null> {
  // Payments that started to wait before they were given keys (waitingReceipts.ts), a page a round.
  if (!input.importId) await indexUnkeyedWaitingReceipts(ctx);
  let total: MatchingSummary | null = null;
  let previous = new Set<string>();
  for (let round = 0; round < SWEEP_ROUNDS; round++) {
    const now = ctx.clock.now();
    const olderThan = new Date(now.getTime() - (input.importId ? 0 : SWEEP_GRACE_MS));
    const pending = await ctx.db.prisma.bankTransaction.findMany({
      where: {
        matchState: 'pending',
        createdAt: { lt: olderThan },
        // Never the receipts an import's own run is matching now (matchingLease.ts).
        entry: { statement: { ...(input.importId ? { importId: input.importId } : {}), import: notBeingMatched(now) } },
      },
      select: { id: true },
      // In the order the bank booked them, as the import's own run would have gone.
      orderBy: [{ createdAt: 'asc' }, { entry: { statement: { position: 'asc' } } }, { entry: { position: 'asc' } }, { position: 'asc' }],
      take: SWEEP_PAGE,
    });
    const ids = pending.map((p) => p.id);
    // A receipt still pending after a round was not decided (it is left to the next sweep).
    if (ids.length === 0 || ids.some((id) => previous.has(id))) break;
    previous = new Set(ids);
    ctx.log.warn({ receipts: ids.length, importId: input.importId }, 'matching receipts an earlier run left undecided');
    await recognizeSettlements({ ctx, input: { transactionIds: ids } });
    await recognizeCollections({ ctx, input: { transactionIds: ids } });
    const summary = await runMatching({ ctx, deps, input: { transactionIds: ids } });
    await settleRefunds({ ctx, input: { transactionIds: ids } });
    if (total) addToSummary(total, summary);
    else total = summary;
    if (ids.length < SWEEP_PAGE) break;
  }
  return total;
}
