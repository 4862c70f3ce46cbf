-- SEPA core direct debit mandates: reference, debtor account, signature, status, sequence state
-- and the amendment the next collection carries.

CREATE TABLE "Mandate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "reference" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "debtorName" TEXT NOT NULL,
    "debtorIban" TEXT NOT NULL,
    "debtorBic" TEXT,
    "debtorRef" TEXT,
    "issuerClientId" TEXT,
    "signedOn" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "statusReason" TEXT,
    "lastCollectedOn" TEXT,
    "finalRequested" BOOLEAN NOT NULL DEFAULT false,
    "pendingAmendment" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX "Mandate_reference_key" ON "Mandate"("reference");
CREATE INDEX "Mandate_status_idx" ON "Mandate"("status");
CREATE INDEX "Mandate_debtorIban_idx" ON "Mandate"("debtorIban");
CREATE INDEX "Mandate_issuerClientId_debtorRef_idx" ON "Mandate"("issuerClientId", "debtorRef");
