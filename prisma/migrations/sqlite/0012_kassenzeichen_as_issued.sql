-- A supplied Kassenzeichen is kept as its issuer printed it, for display; the normalized
-- "kassenzeichen" stays the unique key the matcher looks up. The built-in test provider keeps its
-- transactions in the database, so every instance (and every Workers invocation) sees them.

ALTER TABLE "OpenItem" ADD COLUMN "kassenzeichenAsIssued" TEXT;

CREATE TABLE "TestProviderTransaction" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "originatorId" TEXT NOT NULL,
    "endPointId" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "requestBody" TEXT NOT NULL,
    "grossMinor" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "statusDetail" TEXT,
    "paymentMethod" TEXT,
    "payedAt" DATETIME,
    "settled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "TestProviderTransaction_originatorId_endPointId_requestId_key" ON "TestProviderTransaction"("originatorId", "endPointId", "requestId");
CREATE INDEX "TestProviderTransaction_status_settled_idx" ON "TestProviderTransaction"("status", "settled");
