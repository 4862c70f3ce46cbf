-- The ids a bank entry gives for the batch it books (NtryDtls/Btch/MsgId and PmtInfId, and the
-- MsgId and PmtInfId of its details' references), as a JSON array. A credit without end-to-end ids
-- is booked as a collection run's credit only when it names the run's file (or states a batch count
-- of several debits equal to the run's): an amount alone is no proof (src/services/collections/settle.ts).
-- Entries stored before keep NULL: they were decided already.
ALTER TABLE "Entry" ADD COLUMN "batchIds" TEXT;
