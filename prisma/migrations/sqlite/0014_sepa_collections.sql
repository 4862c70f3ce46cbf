-- SEPA core direct debits: one row per item collected under a mandate, and collection runs (one
-- pain.008 file per collection date and sequence, released under four-eyes, kept with its hash).

CREATE TABLE "DirectDebit" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "openItemId" TEXT NOT NULL,
    "mandateId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "collectionDate" TEXT NOT NULL,
    "announcedAt" DATETIME NOT NULL,
    "standingFor" TEXT,
    "runId" TEXT,
    "position" INTEGER,
    "sequence" TEXT,
    "endToEndId" TEXT,
    "remittance" TEXT NOT NULL,
    "creditTransactionId" TEXT,
    "returnTransactionId" TEXT,
    "returnReasonCode" TEXT,
    "returnFeeMinor" BIGINT,
    "updatedAt" DATETIME NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX "DirectDebit_standingFor_key" ON "DirectDebit"("standingFor");
CREATE UNIQUE INDEX "DirectDebit_endToEndId_key" ON "DirectDebit"("endToEndId");
CREATE INDEX "DirectDebit_state_collectionDate_idx" ON "DirectDebit"("state", "collectionDate");
CREATE INDEX "DirectDebit_runId_position_idx" ON "DirectDebit"("runId", "position");
CREATE INDEX "DirectDebit_mandateId_idx" ON "DirectDebit"("mandateId");
CREATE INDEX "DirectDebit_openItemId_idx" ON "DirectDebit"("openItemId");

CREATE TABLE "CollectionRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "collectionDate" TEXT NOT NULL,
    "sequence" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "totalMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "paymentInformationId" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdByName" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "releasedBy" TEXT,
    "releasedByName" TEXT,
    "releasedAt" DATETIME,
    "cancelledBy" TEXT,
    "cancelledAt" DATETIME,
    "fileName" TEXT,
    "fileContent" TEXT,
    "fileSha256" TEXT,
    "downloads" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX "CollectionRun_number_key" ON "CollectionRun"("number");
CREATE UNIQUE INDEX "CollectionRun_messageId_key" ON "CollectionRun"("messageId");
CREATE INDEX "CollectionRun_status_collectionDate_idx" ON "CollectionRun"("status", "collectionDate");
CREATE INDEX "CollectionRun_totalMinor_idx" ON "CollectionRun"("totalMinor");
