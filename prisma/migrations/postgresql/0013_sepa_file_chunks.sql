-- SEPA files of refund and collection runs are kept in chunks, written while the file is produced
-- (a pain.008 of 100,000 debits is 50 MB; as one text column it had to exist whole in memory, twice).
-- Runs released before keep their file in "fileContent". No foreign key: the run tables come from
-- migrations numbered after this one, and a chunk is found by its run's id either way.
--
-- Returns of direct debits: the transaction amount (AmtDtls/TxAmt) is kept beside the instructed
-- amount, so a return booked net of the bank's fee can be told from one that is short.

CREATE TABLE "SepaFileChunk" (
    "runId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,
    CONSTRAINT "SepaFileChunk_pkey" PRIMARY KEY ("runId", "position")
);

ALTER TABLE "BankTransaction" ADD COLUMN "transactionAmountMinor" BIGINT;
ALTER TABLE "BankTransaction" ADD COLUMN "transactionAmountCurrency" TEXT;
