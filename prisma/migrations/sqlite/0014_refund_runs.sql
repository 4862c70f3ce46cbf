-- Refunds paid out by SEPA credit transfer: runs (gathered, released under four-eyes into one
-- pain.001 file kept with its hash) and their refunds, one per receipt paid back.

CREATE TABLE "RefundRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "batchBooking" BOOLEAN NOT NULL,
    "executionDate" TEXT NOT NULL,
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
CREATE UNIQUE INDEX "RefundRun_number_key" ON "RefundRun"("number");
CREATE UNIQUE INDEX "RefundRun_messageId_key" ON "RefundRun"("messageId");
CREATE INDEX "RefundRun_status_createdAt_idx" ON "RefundRun"("status", "createdAt");
CREATE INDEX "RefundRun_totalMinor_idx" ON "RefundRun"("totalMinor");

CREATE TABLE "Refund" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "transactionId" TEXT NOT NULL,
    "standingFor" TEXT,
    "endToEndId" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "creditorName" TEXT NOT NULL,
    "creditorIban" TEXT NOT NULL,
    "creditorBic" TEXT,
    "remittance" TEXT NOT NULL,
    "kassenzeichen" TEXT,
    "state" TEXT NOT NULL,
    "debitTransactionId" TEXT,
    "bounceTransactionId" TEXT,
    "returnReasonCode" TEXT,
    "updatedAt" DATETIME NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "Refund_runId_fkey" FOREIGN KEY ("runId") REFERENCES "RefundRun" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "Refund_standingFor_key" ON "Refund"("standingFor");
CREATE UNIQUE INDEX "Refund_endToEndId_key" ON "Refund"("endToEndId");
CREATE UNIQUE INDEX "Refund_runId_position_key" ON "Refund"("runId", "position");
CREATE INDEX "Refund_transactionId_idx" ON "Refund"("transactionId");
CREATE INDEX "Refund_state_idx" ON "Refund"("state");
