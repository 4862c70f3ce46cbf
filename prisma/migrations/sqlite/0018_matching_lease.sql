-- While an import's own run matches its receipts, it holds a lease on the import until this time and
-- renews it page by page. The sweep of receipts left pending (src/services/booking/sweep.ts) leaves
-- an import with a live lease alone: matching 800,000 receipts takes minutes, and the sweep, which
-- took every receipt pending for a minute, matched them a second time alongside the run. A run that
-- stops (crash, shutdown) lets the lease run out, and the sweep takes over.
ALTER TABLE "StatementImport" ADD COLUMN "matchingUntil" DATETIME;
