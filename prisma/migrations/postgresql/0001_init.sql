-- Stadtkasse initial schema (postgresql), drafted from prisma/schema.prisma by bin/regenerate-initial-migration.ts.
-- Migrations are append-only once released: then never edit an applied file, add the next number.

CREATE TABLE "CreditorAccount" (
    "id" TEXT NOT NULL,
    "iban" TEXT NOT NULL,
    "bic" TEXT,
    "holderName" TEXT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'EUR',
    "label" TEXT,
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CreditorAccount_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "OpenItem" (
    "id" TEXT NOT NULL,
    "kassenzeichen" TEXT NOT NULL,
    "rfReference" TEXT,
    "category" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'EUR',
    "dueDate" TEXT NOT NULL,
    "debtorName" TEXT NOT NULL,
    "debtorNameKey" TEXT NOT NULL,
    "debtorAddress" TEXT,
    "debtorEmail" TEXT,
    "debtorIban" TEXT,
    "issuerClientId" TEXT,
    "externalRef" TEXT,
    "bookingData" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'open',
    "paidMinor" BIGINT NOT NULL DEFAULT 0,
    "cancelledAt" TIMESTAMP(3),
    "cancelReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "listPosition" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "OpenItem_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "OpenItemChange" (
    "id" TEXT NOT NULL,
    "openItemId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "oldAmountMinor" BIGINT,
    "newAmountMinor" BIGINT,
    "reason" TEXT,
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "OpenItemChange_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "SerialCounter" (
    "name" TEXT NOT NULL,
    "value" BIGINT NOT NULL,
    CONSTRAINT "SerialCounter_pkey" PRIMARY KEY ("name")
);

CREATE TABLE "PaymentRequest" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "creditorAccountId" TEXT,
    "creditorName" TEXT NOT NULL,
    "creditorIban" TEXT NOT NULL,
    "creditorBic" TEXT,
    "debtorName" TEXT NOT NULL,
    "totalMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'EUR',
    "dueDate" TEXT NOT NULL,
    "reference" TEXT,
    "remittance" TEXT NOT NULL,
    "epcPayload" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'de',
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdByClientId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PaymentRequest_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "PaymentRequestItem" (
    "paymentRequestId" TEXT NOT NULL,
    "openItemId" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "position" INTEGER NOT NULL,
    CONSTRAINT "PaymentRequestItem_pkey" PRIMARY KEY ("paymentRequestId", "openItemId")
);

CREATE TABLE "StatementImport" (
    "id" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "fileName" TEXT,
    "bytes" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "result" TEXT,
    "importedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),
    CONSTRAINT "StatementImport_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Statement" (
    "id" TEXT NOT NULL,
    "importId" TEXT NOT NULL,
    "creditorAccountId" TEXT,
    "kind" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "bankStatementId" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "accountIban" TEXT,
    "accountOther" TEXT,
    "currency" TEXT NOT NULL,
    "electronicSequenceNumber" BIGINT,
    "legalSequenceNumber" BIGINT,
    "fromDateTime" TEXT,
    "toDateTime" TEXT,
    "bankCreatedAt" TEXT,
    "openingBalanceMinor" BIGINT,
    "closingBalanceMinor" BIGINT,
    "openingBalanceDate" TEXT,
    "closingBalanceDate" TEXT,
    "balances" TEXT NOT NULL,
    "balanceCheck" TEXT NOT NULL,
    "balanceDifferenceMinor" BIGINT NOT NULL DEFAULT 0,
    "sequenceGaps" TEXT NOT NULL DEFAULT '[]',
    "entryCount" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Statement_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Entry" (
    "id" TEXT NOT NULL,
    "statementId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "entryReference" TEXT,
    "accountServicerReference" TEXT,
    "dedupeKey" TEXT NOT NULL,
    "duplicateOfEntryId" TEXT,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "creditDebit" TEXT NOT NULL,
    "reversal" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL,
    "bookingDate" TEXT,
    "valueDate" TEXT,
    "bankTransactionCode" TEXT,
    "proprietaryCode" TEXT,
    "gvc" TEXT,
    "additionalInfo" TEXT,
    "batchCount" INTEGER,
    "batchTotalMinor" BIGINT,
    CONSTRAINT "Entry_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "BankTransaction" (
    "id" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "entryRef" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "creditDebit" TEXT NOT NULL,
    "endToEndId" TEXT,
    "mandateId" TEXT,
    "transactionId" TEXT,
    "accountServicerReference" TEXT,
    "instructionId" TEXT,
    "instructedAmountMinor" BIGINT,
    "instructedCurrency" TEXT,
    "chargesMinor" BIGINT,
    "exchangeRate" TEXT,
    "debtorName" TEXT,
    "debtorIban" TEXT,
    "debtorBic" TEXT,
    "ultimateDebtorName" TEXT,
    "creditorName" TEXT,
    "creditorIban" TEXT,
    "ultimateCreditorName" TEXT,
    "remittanceLines" TEXT NOT NULL,
    "creditorReferences" TEXT NOT NULL DEFAULT '[]',
    "purposeCode" TEXT,
    "returnReasonCode" TEXT,
    "returnReasonText" TEXT,
    "bankTransactionCode" TEXT,
    "bookingDate" TEXT,
    "matchState" TEXT NOT NULL DEFAULT 'pending',
    "unappliedMinor" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "BankTransaction_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Allocation" (
    "id" TEXT NOT NULL,
    "transactionId" TEXT NOT NULL,
    "openItemId" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "proposalId" TEXT,
    "approvalId" TEXT,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Allocation_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "AllocationReversal" (
    "id" TEXT NOT NULL,
    "allocationId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "causedByTransactionId" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AllocationReversal_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "MatchProposal" (
    "id" TEXT NOT NULL,
    "transactionId" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "confidenceBp" INTEGER NOT NULL,
    "reasons" TEXT NOT NULL,
    "allocations" TEXT NOT NULL DEFAULT '[]',
    "surplusMinor" BIGINT NOT NULL DEFAULT 0,
    "suggestions" TEXT NOT NULL,
    "returnOf" TEXT,
    "engineVersion" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MatchProposal_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "SuspenseMovement" (
    "id" TEXT NOT NULL,
    "transactionId" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "note" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SuspenseMovement_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "KnownPayer" (
    "iban" TEXT NOT NULL,
    "debtorNameKey" TEXT NOT NULL,
    "confirmations" INTEGER NOT NULL DEFAULT 1,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "KnownPayer_pkey" PRIMARY KEY ("iban", "debtorNameKey")
);

CREATE TABLE "Approval" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "transactionId" TEXT,
    "payload" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "proposedBy" TEXT NOT NULL,
    "proposedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "decisionNote" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "Approval_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ApiClient" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "keyPrefix" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    CONSTRAINT "ApiClient_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "IdempotencyRecord" (
    "clientId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "responseStatus" INTEGER,
    "responseContentType" TEXT,
    "responseBody" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),
    CONSTRAINT "IdempotencyRecord_pkey" PRIMARY KEY ("clientId", "key")
);

CREATE TABLE "AuditEntry" (
    "seq" SERIAL NOT NULL,
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "reason" TEXT,
    "requestId" TEXT,
    "data" TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("seq")
);

CREATE TABLE "ItemEvent" (
    "seq" SERIAL NOT NULL,
    "id" TEXT NOT NULL,
    "openItemId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "issuerClientId" TEXT,
    "payload" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ItemEvent_pkey" PRIMARY KEY ("seq")
);

CREATE TABLE "WebhookSubscription" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "eventTypes" TEXT NOT NULL DEFAULT '*',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "WebhookSubscription_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cycleStartedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lastStatusCode" INTEGER,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "WebhookAttempt" (
    "id" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "statusCode" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,
    CONSTRAINT "WebhookAttempt_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "passwordHash" TEXT,
    "provider" TEXT NOT NULL DEFAULT 'local',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabledAt" TIMESTAMP(3),
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "StaffSession" (
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "flash" TEXT,
    CONSTRAINT "StaffSession_pkey" PRIMARY KEY ("tokenHash")
);

CREATE TABLE "LoginAttempt" (
    "id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "userId" TEXT,
    "succeeded" BOOLEAN NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "LoginAttempt_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "StatementFileChunk" (
    "importId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,
    CONSTRAINT "StatementFileChunk_pkey" PRIMARY KEY ("importId", "position")
);

CREATE TABLE "OnlinePayment" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "paymentRequestId" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "providerTransactionId" TEXT,
    "transactionReference" TEXT,
    "redirectUrl" TEXT,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'EUR',
    "lines" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "statusDetail" TEXT,
    "paymentMethod" TEXT,
    "paymentMethodDetail" TEXT,
    "payedAt" TIMESTAMP(3),
    "unallocatedMinor" BIGINT NOT NULL DEFAULT 0,
    "lastCheckedAt" TIMESTAMP(3),
    "checks" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 0,
    "liveKey" TEXT,
    "startNonce" TEXT,
    CONSTRAINT "OnlinePayment_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "OnlineAllocation" (
    "id" TEXT NOT NULL,
    "onlinePaymentId" TEXT NOT NULL,
    "openItemId" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "OnlineAllocation_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "OnlineReversal" (
    "id" TEXT NOT NULL,
    "onlinePaymentId" TEXT NOT NULL,
    "onlineAllocationId" TEXT,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "OnlineReversal_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ClearingMovement" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "onlinePaymentId" TEXT,
    "bankTransactionId" TEXT,
    "settlementId" TEXT,
    "note" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ClearingMovement_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "PspSettlement" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "reportSha256" TEXT,
    "grossMinor" BIGINT NOT NULL,
    "feeMinor" BIGINT NOT NULL,
    "netMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'EUR',
    "bankTransactionId" TEXT,
    "status" TEXT NOT NULL,
    "reasons" TEXT NOT NULL DEFAULT '[]',
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "decisionNote" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "PspSettlement_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "PspSettlementLine" (
    "id" TEXT NOT NULL,
    "settlementId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "providerTransactionId" TEXT,
    "reference" TEXT,
    "onlinePaymentId" TEXT,
    "bankTransactionId" TEXT,
    "grossMinor" BIGINT NOT NULL,
    "feeMinor" BIGINT NOT NULL,
    "netMinor" BIGINT NOT NULL,
    "outcome" TEXT NOT NULL,
    "note" TEXT,
    CONSTRAINT "PspSettlementLine_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "XbdTransaction" (
    "id" TEXT NOT NULL,
    "originatorId" TEXT NOT NULL,
    "endPointId" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "request" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "paymentRequestId" TEXT,
    "returnUrl" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "XbdTransaction_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "CreditorAccount_iban_key" ON "CreditorAccount"("iban");

CREATE UNIQUE INDEX "OpenItem_kassenzeichen_key" ON "OpenItem"("kassenzeichen");

CREATE UNIQUE INDEX "OpenItem_rfReference_key" ON "OpenItem"("rfReference");

CREATE UNIQUE INDEX "OpenItem_issuerClientId_externalRef_key" ON "OpenItem"("issuerClientId", "externalRef");

CREATE INDEX "OpenItem_status_dueDate_idx" ON "OpenItem"("status", "dueDate");

CREATE INDEX "OpenItem_debtorNameKey_idx" ON "OpenItem"("debtorNameKey");

CREATE INDEX "OpenItem_amountMinor_idx" ON "OpenItem"("amountMinor");

CREATE INDEX "OpenItem_updatedAt_idx" ON "OpenItem"("updatedAt");

CREATE INDEX "OpenItem_createdAt_listPosition_id_idx" ON "OpenItem"("createdAt", "listPosition", "id");

CREATE INDEX "OpenItemChange_openItemId_idx" ON "OpenItemChange"("openItemId");

CREATE UNIQUE INDEX "PaymentRequest_tokenHash_key" ON "PaymentRequest"("tokenHash");

CREATE UNIQUE INDEX "PaymentRequest_token_key" ON "PaymentRequest"("token");

CREATE INDEX "PaymentRequestItem_openItemId_idx" ON "PaymentRequestItem"("openItemId");

CREATE UNIQUE INDEX "StatementImport_sha256_key" ON "StatementImport"("sha256");

CREATE UNIQUE INDEX "Statement_fingerprint_key" ON "Statement"("fingerprint");

CREATE INDEX "Statement_accountIban_kind_electronicSequenceNumber_idx" ON "Statement"("accountIban", "kind", "electronicSequenceNumber");

CREATE INDEX "Statement_createdAt_idx" ON "Statement"("createdAt");

CREATE UNIQUE INDEX "Entry_statementId_position_key" ON "Entry"("statementId", "position");

CREATE INDEX "Entry_dedupeKey_idx" ON "Entry"("dedupeKey");

CREATE INDEX "Entry_accountServicerReference_idx" ON "Entry"("accountServicerReference");

CREATE INDEX "Entry_bookingDate_idx" ON "Entry"("bookingDate");

CREATE UNIQUE INDEX "BankTransaction_entryId_position_key" ON "BankTransaction"("entryId", "position");

CREATE INDEX "BankTransaction_matchState_createdAt_idx" ON "BankTransaction"("matchState", "createdAt");

CREATE INDEX "BankTransaction_debtorIban_idx" ON "BankTransaction"("debtorIban");

CREATE INDEX "BankTransaction_endToEndId_idx" ON "BankTransaction"("endToEndId");

CREATE INDEX "Allocation_openItemId_idx" ON "Allocation"("openItemId");

CREATE INDEX "Allocation_transactionId_idx" ON "Allocation"("transactionId");

CREATE INDEX "Allocation_createdAt_idx" ON "Allocation"("createdAt");

CREATE UNIQUE INDEX "AllocationReversal_allocationId_key" ON "AllocationReversal"("allocationId");

CREATE INDEX "AllocationReversal_createdAt_idx" ON "AllocationReversal"("createdAt");

CREATE INDEX "MatchProposal_transactionId_createdAt_idx" ON "MatchProposal"("transactionId", "createdAt");

CREATE INDEX "SuspenseMovement_transactionId_idx" ON "SuspenseMovement"("transactionId");

CREATE INDEX "SuspenseMovement_createdAt_idx" ON "SuspenseMovement"("createdAt");

CREATE INDEX "Approval_status_proposedAt_idx" ON "Approval"("status", "proposedAt");

CREATE UNIQUE INDEX "ApiClient_keyPrefix_key" ON "ApiClient"("keyPrefix");

CREATE UNIQUE INDEX "AuditEntry_id_key" ON "AuditEntry"("id");

CREATE INDEX "AuditEntry_subjectType_subjectId_idx" ON "AuditEntry"("subjectType", "subjectId");

CREATE INDEX "AuditEntry_at_idx" ON "AuditEntry"("at");

CREATE UNIQUE INDEX "ItemEvent_id_key" ON "ItemEvent"("id");

CREATE INDEX "ItemEvent_issuerClientId_seq_idx" ON "ItemEvent"("issuerClientId", "seq");

CREATE INDEX "ItemEvent_openItemId_idx" ON "ItemEvent"("openItemId");

CREATE INDEX "WebhookSubscription_clientId_idx" ON "WebhookSubscription"("clientId");

CREATE UNIQUE INDEX "WebhookDelivery_subscriptionId_eventId_key" ON "WebhookDelivery"("subscriptionId", "eventId");

CREATE INDEX "WebhookDelivery_state_nextAttemptAt_idx" ON "WebhookDelivery"("state", "nextAttemptAt");

CREATE INDEX "WebhookAttempt_deliveryId_idx" ON "WebhookAttempt"("deliveryId");

CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

CREATE INDEX "StaffSession_userId_idx" ON "StaffSession"("userId");

CREATE INDEX "StaffSession_expiresAt_idx" ON "StaffSession"("expiresAt");

CREATE INDEX "LoginAttempt_username_at_idx" ON "LoginAttempt"("username", "at");

CREATE UNIQUE INDEX "OnlinePayment_reference_key" ON "OnlinePayment"("reference");

CREATE UNIQUE INDEX "OnlinePayment_liveKey_key" ON "OnlinePayment"("liveKey");

CREATE UNIQUE INDEX "OnlinePayment_startNonce_key" ON "OnlinePayment"("startNonce");

CREATE UNIQUE INDEX "OnlinePayment_provider_providerTransactionId_key" ON "OnlinePayment"("provider", "providerTransactionId");

CREATE INDEX "OnlinePayment_paymentRequestId_createdAt_idx" ON "OnlinePayment"("paymentRequestId", "createdAt");

CREATE INDEX "OnlinePayment_status_createdAt_idx" ON "OnlinePayment"("status", "createdAt");

CREATE INDEX "OnlineAllocation_openItemId_idx" ON "OnlineAllocation"("openItemId");

CREATE INDEX "OnlineAllocation_onlinePaymentId_idx" ON "OnlineAllocation"("onlinePaymentId");

CREATE INDEX "OnlineAllocation_createdAt_idx" ON "OnlineAllocation"("createdAt");

CREATE UNIQUE INDEX "OnlineReversal_onlineAllocationId_key" ON "OnlineReversal"("onlineAllocationId");

CREATE INDEX "OnlineReversal_onlinePaymentId_idx" ON "OnlineReversal"("onlinePaymentId");

CREATE INDEX "OnlineReversal_createdAt_idx" ON "OnlineReversal"("createdAt");

CREATE INDEX "ClearingMovement_provider_createdAt_idx" ON "ClearingMovement"("provider", "createdAt");

CREATE INDEX "ClearingMovement_createdAt_idx" ON "ClearingMovement"("createdAt");

CREATE INDEX "ClearingMovement_onlinePaymentId_idx" ON "ClearingMovement"("onlinePaymentId");

CREATE INDEX "ClearingMovement_bankTransactionId_idx" ON "ClearingMovement"("bankTransactionId");

CREATE INDEX "ClearingMovement_settlementId_idx" ON "ClearingMovement"("settlementId");

CREATE UNIQUE INDEX "PspSettlement_reportSha256_key" ON "PspSettlement"("reportSha256");

CREATE UNIQUE INDEX "PspSettlement_provider_source_reference_key" ON "PspSettlement"("provider", "source", "reference");

CREATE INDEX "PspSettlement_status_createdAt_idx" ON "PspSettlement"("status", "createdAt");

CREATE UNIQUE INDEX "PspSettlementLine_settlementId_position_key" ON "PspSettlementLine"("settlementId", "position");

CREATE INDEX "PspSettlementLine_onlinePaymentId_idx" ON "PspSettlementLine"("onlinePaymentId");

CREATE UNIQUE INDEX "XbdTransaction_originatorId_endPointId_requestId_key" ON "XbdTransaction"("originatorId", "endPointId", "requestId");

CREATE INDEX "XbdTransaction_paymentRequestId_idx" ON "XbdTransaction"("paymentRequestId");

ALTER TABLE "OpenItemChange" ADD CONSTRAINT "OpenItemChange_openItemId_fkey" FOREIGN KEY ("openItemId") REFERENCES "OpenItem" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "PaymentRequestItem" ADD CONSTRAINT "PaymentRequestItem_paymentRequestId_fkey" FOREIGN KEY ("paymentRequestId") REFERENCES "PaymentRequest" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "PaymentRequestItem" ADD CONSTRAINT "PaymentRequestItem_openItemId_fkey" FOREIGN KEY ("openItemId") REFERENCES "OpenItem" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Statement" ADD CONSTRAINT "Statement_importId_fkey" FOREIGN KEY ("importId") REFERENCES "StatementImport" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Statement" ADD CONSTRAINT "Statement_creditorAccountId_fkey" FOREIGN KEY ("creditorAccountId") REFERENCES "CreditorAccount" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Entry" ADD CONSTRAINT "Entry_statementId_fkey" FOREIGN KEY ("statementId") REFERENCES "Statement" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "BankTransaction" ADD CONSTRAINT "BankTransaction_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "Entry" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Allocation" ADD CONSTRAINT "Allocation_transactionId_fkey" FOREIGN KEY ("transactionId") REFERENCES "BankTransaction" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Allocation" ADD CONSTRAINT "Allocation_openItemId_fkey" FOREIGN KEY ("openItemId") REFERENCES "OpenItem" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "AllocationReversal" ADD CONSTRAINT "AllocationReversal_allocationId_fkey" FOREIGN KEY ("allocationId") REFERENCES "Allocation" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "MatchProposal" ADD CONSTRAINT "MatchProposal_transactionId_fkey" FOREIGN KEY ("transactionId") REFERENCES "BankTransaction" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "SuspenseMovement" ADD CONSTRAINT "SuspenseMovement_transactionId_fkey" FOREIGN KEY ("transactionId") REFERENCES "BankTransaction" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "ItemEvent" ADD CONSTRAINT "ItemEvent_openItemId_fkey" FOREIGN KEY ("openItemId") REFERENCES "OpenItem" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "WebhookSubscription" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "ItemEvent" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "WebhookAttempt" ADD CONSTRAINT "WebhookAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "WebhookDelivery" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "StaffSession" ADD CONSTRAINT "StaffSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "OnlineAllocation" ADD CONSTRAINT "OnlineAllocation_onlinePaymentId_fkey" FOREIGN KEY ("onlinePaymentId") REFERENCES "OnlinePayment" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "OnlineReversal" ADD CONSTRAINT "OnlineReversal_onlinePaymentId_fkey" FOREIGN KEY ("onlinePaymentId") REFERENCES "OnlinePayment" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "OnlineReversal" ADD CONSTRAINT "OnlineReversal_onlineAllocationId_fkey" FOREIGN KEY ("onlineAllocationId") REFERENCES "OnlineAllocation" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "PspSettlementLine" ADD CONSTRAINT "PspSettlementLine_settlementId_fkey" FOREIGN KEY ("settlementId") REFERENCES "PspSettlement" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;
