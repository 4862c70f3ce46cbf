/**
 * An import as the API and the CLI run it: read the file into the ledger (all or nothing), then let
 * the matcher book the new receipts. Matching runs after the import has committed: a statement is
 * stored even if matching is interrupted; its receipts stay `pending` and the sweep
 * (src/services/booking/sweep.ts) decides them later — or at once when the file is sent again.
 */
import type { Ctx } from '../../context.js';
import type { AppDeps } from '../../http/env.js';
import { runMatching, type MatchingSummary } from '../booking/runMatching.js';
import { sweepPendingReceipts } from '../booking/sweep.js';
import { recognizeSettlements } from '../online/settlement.js';
import { importStatementFile, type ImportInput, type ImportResult } from './importStatementFile.js';

export type ImportAndMatchResult = Omit<ImportResult, 'newTransactionIds'> & {
  matching?: MatchingSummary;
  /** The statement is stored, but matching did not finish; it is retried automatically. */
  matchingPending?: boolean;
};

export async function importAndMatch({ ctx, deps, input }: { ctx: Ctx; deps: Pick<AppDeps, 'services'>; input: ImportInput }): Promise<ImportAndMatchResult> {
  const { newTransactionIds, ...result } = await importStatementFile({ ctx, input });
  try {
    if (result.replayed) {
      // Sent again: whatever the first delivery left undecided is decided now.
      await sweepPendingReceipts({ ctx, deps: deps.services.matching, input: { importId: result.importId } });
      return result;
    }
    if (!newTransactionIds || newTransactionIds.length === 0) return result;
    // Payouts of the online payment provider clear its clearing account, never items: they are
    // taken out of the matcher's way first (the items were paid when the provider said PAYED).
    await recognizeSettlements({ ctx, input: { transactionIds: newTransactionIds } });
    const matching = await runMatching({ ctx, deps: deps.services.matching, input: { transactionIds: newTransactionIds } });
    return { ...result, matching };
  } catch (err) {
    // The import itself is committed and must be answered as such: saying "failed" would make the
    // sender believe nothing was stored. The receipts wait for the sweep.
    ctx.log.error({ err, importId: result.importId }, 'statement stored, but matching its receipts failed; the sweep will retry');
    return { ...result, matchingPending: true };
  }
}
