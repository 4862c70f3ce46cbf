-- Entries whose transaction details contradict the entry amount; content digests that tell a
-- repeated statement from a changed one; deliveries refused for changed content.
ALTER TABLE "Entry" ADD COLUMN "detailsDisagree" TEXT;
ALTER TABLE "Entry" ADD COLUMN "contentDigest" TEXT;
ALTER TABLE "Statement" ADD COLUMN "contentDigest" TEXT;

CREATE TABLE "RefusedDelivery" (
    "id" TEXT NOT NULL,
    "fileName" TEXT,
    "sha256" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "bankStatementId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "accountIban" TEXT,
    "statementId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "differences" TEXT NOT NULL,
    "fileKept" BOOLEAN NOT NULL,
    "refusedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RefusedDelivery_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "RefusedDelivery_createdAt_idx" ON "RefusedDelivery"("createdAt");
