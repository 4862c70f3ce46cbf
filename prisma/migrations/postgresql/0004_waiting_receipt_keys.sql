-- What a payment waiting for a person could be matched by (reference tokens, payer, name with
-- amount): a new or changed open item looks up only the payments that share one of its keys.
CREATE TABLE "WaitingReceiptKey" (
    "key" TEXT NOT NULL,
    "transactionId" TEXT NOT NULL,
    CONSTRAINT "WaitingReceiptKey_pkey" PRIMARY KEY ("key", "transactionId")
);
CREATE INDEX "WaitingReceiptKey_transactionId_idx" ON "WaitingReceiptKey"("transactionId");
ALTER TABLE "WaitingReceiptKey" ADD CONSTRAINT "WaitingReceiptKey_transactionId_fkey" FOREIGN KEY ("transactionId") REFERENCES "BankTransaction" ("id") ON DELETE CASCADE ON UPDATE CASCADE;
