-- A credit with the reversal indicator (a debit of ours the bank reversed, e.g. a refund sent back)
-- that the matcher could not place was stored in return_open with its money in neither place:
-- unapplied 0 and no suspense movement. No clerk could book, park or pay it back ("nothing left"),
-- and its entry fails the ledger equality checked after every booking write (assertLedger in
-- src/services/booking/writer.ts). The matcher now holds such money in suspense (bookReturn in
-- src/services/booking/runMatching.ts); this books the receipts stored before exactly as it would
-- have: the whole amount into suspense under the reason reversal_credit with the matcher's note,
-- unapplied = amount, the version moved (a form read before is stale), and, because suspense
-- movements are append-only facts, an audit entry on the payment naming this migration as the actor.
--
-- Only receipts still in the old shape are touched (return_open, a reversal credit, nothing
-- unapplied, no suspense movement, no allocation, nothing cleared), so a second run, or a database
-- that never had one, changes nothing. The movement is dated when it is written (now): it is a new
-- fact, and the closings age suspense by the receipt's booking date, not by the movement's date.
-- Timestamps are UTC without a zone, as Prisma writes them (TIMESTAMP(3)).

INSERT INTO "SuspenseMovement" ("id", "transactionId", "amountMinor", "currency", "reason", "note", "createdBy", "createdAt")
SELECT
  gen_random_uuid()::text,
  t."id", t."amountMinor", t."currency", 'reversal_credit', 'a reversed debit: no receipt is taken back; a person decides',
  'system:migration', (now() AT TIME ZONE 'UTC')::timestamp(3)
FROM "BankTransaction" t JOIN "Entry" e ON e."id" = t."entryId"
WHERE t."matchState" = 'return_open' AND t."creditDebit" = 'CRDT' AND e."reversal" = true
  AND t."unappliedMinor" = 0 AND t."amountMinor" > 0
  AND NOT EXISTS (SELECT 1 FROM "SuspenseMovement" s WHERE s."transactionId" = t."id")
  AND NOT EXISTS (SELECT 1 FROM "Allocation" a WHERE a."transactionId" = t."id")
  AND NOT EXISTS (SELECT 1 FROM "ClearingMovement" c WHERE c."bankTransactionId" = t."id");

-- The receipts just given a movement are the old-shape ones that hold this migration's movement
-- (they had none before). The audit entry first, while they still show unapplied 0.
INSERT INTO "AuditEntry" ("id", "at", "actorType", "actorId", "action", "subjectType", "subjectId", "reason", "requestId", "data")
SELECT
  gen_random_uuid()::text,
  s."createdAt", 'system', 'migration', 'payment.held_in_suspense', 'bank_transaction', t."id",
  'migration 0016: a reversed debit of ours, stored before such money was held in suspense, is held there now',
  NULL,
  '{"amount":"' || CASE
      WHEN t."currency" IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF')
        THEN t."amountMinor"::text
      WHEN t."currency" IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND')
        THEN (t."amountMinor" / 1000)::text || '.' || lpad((t."amountMinor" % 1000)::text, 3, '0')
      ELSE (t."amountMinor" / 100)::text || '.' || lpad((t."amountMinor" % 100)::text, 2, '0')
    END || '","suspenseMovementId":"' || s."id" || '","reason":"reversal_credit","migration":"0016_reversal_credits_in_suspense"}'
FROM "BankTransaction" t JOIN "SuspenseMovement" s ON s."transactionId" = t."id"
WHERE t."matchState" = 'return_open' AND t."creditDebit" = 'CRDT' AND t."unappliedMinor" = 0
  AND s."reason" = 'reversal_credit' AND s."createdBy" = 'system:migration';

UPDATE "BankTransaction" SET "unappliedMinor" = "amountMinor", "version" = "version" + 1
WHERE "matchState" = 'return_open' AND "creditDebit" = 'CRDT' AND "unappliedMinor" = 0
  AND EXISTS (SELECT 1 FROM "SuspenseMovement" s WHERE s."transactionId" = "BankTransaction"."id"
    AND s."reason" = 'reversal_credit' AND s."createdBy" = 'system:migration');
