-- The daily closing (Tagesabschluss): closings, explained differences, cash offices and their
-- day reports; the audit log gets its chain (chainPos, chainHash), filled when entries are sealed.

ALTER TABLE "AuditEntry" ADD COLUMN "chainPos" INTEGER;
ALTER TABLE "AuditEntry" ADD COLUMN "chainHash" TEXT;
CREATE UNIQUE INDEX "AuditEntry_chainPos_key" ON "AuditEntry"("chainPos");

CREATE TABLE "Closing" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" INTEGER,
    "kind" TEXT NOT NULL,
    "followsId" TEXT,
    "periodFrom" TEXT NOT NULL,
    "periodTo" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "basisHash" TEXT NOT NULL,
    "determinedBy" TEXT NOT NULL,
    "determinedByName" TEXT NOT NULL,
    "determinedAt" DATETIME NOT NULL,
    "signedBy" TEXT,
    "signedByName" TEXT,
    "signedAt" DATETIME,
    "prevHash" TEXT,
    "hash" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX "Closing_number_key" ON "Closing"("number");
CREATE INDEX "Closing_periodTo_status_idx" ON "Closing"("periodTo", "status");
CREATE INDEX "Closing_status_determinedAt_idx" ON "Closing"("status", "determinedAt");
CREATE INDEX "Closing_followsId_idx" ON "Closing"("followsId");

CREATE TABLE "ClosingExplanation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "day" TEXT NOT NULL,
    "accountKey" TEXT NOT NULL,
    "suspenseType" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "ClosingExplanation_day_accountKey_idx" ON "ClosingExplanation"("day", "accountKey");
CREATE INDEX "ClosingExplanation_suspenseType_day_idx" ON "ClosingExplanation"("suspenseType", "day");

CREATE TABLE "CashOffice" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "depositIban" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "CashOffice_code_key" ON "CashOffice"("code");

CREATE TABLE "CashOfficeReport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "cashOfficeId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "receipts" TEXT NOT NULL,
    "expectedMinor" BIGINT NOT NULL,
    "depositMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'EUR',
    "depositReference" TEXT NOT NULL,
    "inForce" BOOLEAN NOT NULL DEFAULT true,
    "depositTransactionId" TEXT,
    "depositBookedOn" TEXT,
    "source" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CashOfficeReport_cashOfficeId_fkey" FOREIGN KEY ("cashOfficeId") REFERENCES "CashOffice" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "CashOfficeReport_cashOfficeId_day_revision_key" ON "CashOfficeReport"("cashOfficeId", "day", "revision");
CREATE INDEX "CashOfficeReport_day_idx" ON "CashOfficeReport"("day");
CREATE INDEX "CashOfficeReport_cashOfficeId_inForce_day_idx" ON "CashOfficeReport"("cashOfficeId", "inForce", "day");
CREATE INDEX "CashOfficeReport_depositTransactionId_idx" ON "CashOfficeReport"("depositTransactionId");
