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
import { runMatching, type MatchingDeps, type MatchingSummary } from './runMatching.js';

/** Receipts younger than this belong to an import whose own matching run may still be going. */
export const SWEEP_GRACE_MS = 60_000;

export async function sweepPendingReceipts({ ctx, deps, input = {} }: { ctx: Ctx; deps: MatchingDeps; input?: { importId?: string } }): Promise<MatchingSummary | null> {
  // Payments that started to wait before they were given keys (waitingReceipts.ts), a page a round.
  if (!input.importId) await indexUnkeyedWaitingReceipts(ctx);
  const olderThan = new Date(ctx.clock.now().getTime() - (input.importId ? 0 : SWEEP_GRACE_MS));
  const pending = await ctx.db.prisma.bankTransaction.findMany({
    where: { matchState: 'pending', createdAt: { lt: olderThan }, ...(input.importId ? { entry: { statement: { importId: input.importId } } } : {}) },
    select: { id: true },
    // In the order the bank booked them, as the import's own run would have gone.
    orderBy: [{ createdAt: 'asc' }, { entry: { statement: { position: 'asc' } } }, { entry: { position: 'asc' } }, { position: 'asc' }],
    take: 100_000,
  });
  if (pending.length === 0) return null;
  const ids = pending.map((p) => p.id);
  ctx.log.warn({ receipts: ids.length, importId: input.importId }, 'matching receipts an earlier run left undecided');
  await recognizeSettlements({ ctx, input: { transactionIds: ids } });
  await recognizeCollections({ ctx, input: { transactionIds: ids } });
  const summary = await runMatching({ ctx, deps, input: { transactionIds: ids } });
  await settleRefunds({ ctx, input: { transactionIds: ids } });
  return summary;
}
