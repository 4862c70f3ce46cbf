/**
 * An import as the API and the CLI run it: read the file into the ledger (all or nothing), then let
 * the matcher book the new receipts. Matching runs after the import has committed: a statement is
 * stored even if matching is interrupted; its receipts stay `pending` and the sweep
 * (src/services/booking/sweep.ts) decides them later — or at once when the file is sent again.
 */
import type { Ctx } from '../../context.js';
import type { MatchingDeps } from '../booking/runMatching.js';
import type { AppDeps } from '../../http/env.js';
import { addToSummary, runMatching, type MatchingSummary } from '../booking/runMatching.js';
import { sweepPendingReceipts } from '../booking/sweep.js';
import { recognizeSettlements } from '../online/settlement.js';
import { settleRefunds } from '../refunds/settle.js';
import { recognizeCollections } from '../collections/settle.js';
import { importStatementFile, type ImportInput, type ImportResult } from './importStatementFile.js';
import { releaseMatchingLease, renewMatchingLease } from './matchingLease.js';

export type ImportAndMatchResult = Omit<ImportResult, 'newTransactions'> & {
  matching?: MatchingSummary;
  /** The statement is stored, but matching did not finish; it is retried automatically. */
  matchingPending?: boolean;
};

export async function importAndMatch({ ctx, deps, input }: { ctx: Ctx; deps: Pick<AppDeps, 'services'>; input: ImportInput }): Promise<ImportAndMatchResult> {
  const readAhead = input.readAhead ?? deps.services.readAhead;
  const { newTransactions, ...result } = await importStatementFile({ ctx, input: { ...input, ...(readAhead ? { readAhead } : {}) } });
  try {
    if (result.replayed) {
      // Sent again: whatever the first delivery left undecided is decided now.
      await sweepPendingReceipts({ ctx, deps: deps.services.matching, input: { importId: result.importId } });
      return result;
    }
    if (!newTransactions) return result;
    const matching = await matchImport({ ctx, deps: deps.services.matching, input: { importId: result.importId } });
    return { ...result, matching };
  } catch (err) {
    // The import itself is committed and must be answered as such: saying "failed" would make the
    // sender believe nothing was stored. The receipts wait for the sweep.
    ctx.log.error({ err, importId: result.importId }, 'statement stored, but matching its receipts failed; the sweep will retry');
    return { ...result, matchingPending: true };
  }
}

/** Entries whose new receipts are matched together (one refresh of the matcher's index each). */
const MATCH_PAGE_ENTRIES = 5_000;

/**
 * Matches the receipts an import stored, a page of entries at a time in the order the bank booked
 * them: the ids of a day of a million payments are never held at once, and no query's parameter
 * list grows with the file.
 */
export async function matchImport({ ctx, deps, input }: { ctx: Ctx; deps: MatchingDeps; input: { importId: string } }): Promise<MatchingSummary> {
  // The import's receipts are this run's while it renews its lease (matchingLease.ts).
  try {
    return await matchImportPages({ ctx, deps, input });
  } finally {
    // Not released, the lease runs out by itself: the sweep takes over a little later.
    await releaseMatchingLease(ctx, input.importId).catch((err: unknown) => ctx.log.warn({ err, importId: input.importId }, 'matching lease not released'));
  }
}

async function matchImportPages({ ctx, deps, input }: { ctx: Ctx; deps: MatchingDeps; input: { importId: string } }): Promise<MatchingSummary> {
  const total: MatchingSummary = { auto: 0, review: 0, unmatched: 0, return: 0, ignored: 0 };
  const db = ctx.db.prisma;
  const statements = await db.statement.findMany({ where: { importId: input.importId }, orderBy: { position: 'asc' }, select: { id: true } });
  for (const { id: statementId } of statements) {
    for (let after = -1; ; ) {
      const entries = await db.entry.findMany({ where: { statementId, position: { gt: after } }, orderBy: { position: 'asc' }, take: MATCH_PAGE_ENTRIES, select: { id: true, position: true } });
      if (entries.length === 0) break;
      after = entries[entries.length - 1]!.position;
      const transactionIds: string[] = [];
      for (let i = 0; i < entries.length; i += 500) {
        // The state is checked here, not in SQL: given both, SQLite takes the state index and walks
        // every pending receipt of the import for each window of 500 entries, which made matching a
        // statement of 10^6 entries quadratic (as loadReceipts in runMatching.ts found before).
        const rows = await db.bankTransaction.findMany({ where: { entryId: { in: entries.slice(i, i + 500).map((e) => e.id) } }, select: { id: true, matchState: true } });
        for (const r of rows) if (r.matchState === 'pending') transactionIds.push(r.id);
      }
      if (transactionIds.length === 0) continue;
      await renewMatchingLease(ctx, input.importId);
      // Payouts of the online payment provider clear its clearing account, never items: they are
      // taken out of the matcher's way first (the items were paid when the provider said PAYED).
      await recognizeSettlements({ ctx, input: { transactionIds } });
      // Credits and returns of the city's own direct debits (collection runs), likewise.
      await recognizeCollections({ ctx, input: { transactionIds } });
      const page = await runMatching({ ctx, deps, input: { transactionIds } });
      // Debits and returns of refunds the city sent itself (refund runs).
      await settleRefunds({ ctx, input: { transactionIds } });
      addToSummary(total, page);
    }
  }
  return total;
}
