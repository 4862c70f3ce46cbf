/** The one mapping from an Approval row to what the API and the UI show. */
import type { Approval } from '../../db/generated/sqlite/client.js';
import { formatMinor } from '../../money/money.js';
import { parsePayload, type BookingKind } from './plan.js';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'failed';

export interface ApprovalView {
  id: string;
  kind: BookingKind;
  status: ApprovalStatus;
  transactionId: string | null;
  amount: string;
  currency: string;
  /** The booking that takes effect when approved, exactly as proposed. */
  booking: {
    reason: string;
    allocations?: Array<{ itemId: string; kassenzeichen: string; amount: string }>;
    suggestion?: number;
    proposalId?: string;
    allocationId?: string;
    /** Refund: the outgoing payment that paid it back; return: the return debit. */
    linkedTransactionId?: string;
    /** Return: the allocations it reverses. */
    allocationIds?: string[];
    /** Refund run: the run whose refunds the outgoing payment (transactionId) books. */
    refundRun?: { id: string; number: number };
  };
  proposedBy: string;
  proposedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  version: number;
}

export function approvalView(a: Approval): ApprovalView {
  const { plan } = parsePayload(a.payload);
  const fmt = (m: bigint) => formatMinor(m, a.currency);
  const booking: ApprovalView['booking'] =
    plan.kind === 'reversal'
      ? { reason: plan.reason, allocationId: plan.allocationId, allocations: [{ itemId: plan.itemId, kassenzeichen: plan.kassenzeichen, amount: fmt(plan.amountMinor) }] }
      : plan.kind === 'refund'
        ? { reason: plan.reason, linkedTransactionId: plan.refundTransactionId }
        : plan.kind === 'return'
          ? { reason: plan.reason, linkedTransactionId: plan.returnTransactionId, allocationIds: plan.allocationIds }
          : plan.kind === 'refund_run'
            ? { reason: plan.reason, refundRun: { id: plan.runId, number: plan.runNumber } }
            : {
              reason: plan.reason,
              allocations: plan.lines.map((l) => ({ itemId: l.itemId, kassenzeichen: l.kassenzeichen, amount: fmt(l.amountMinor) })),
              ...(plan.kind === 'confirm_suggestion' ? { suggestion: plan.suggestion, proposalId: plan.proposalId } : {}),
            };
  return {
    id: a.id,
    kind: plan.kind,
    status: a.status as ApprovalStatus,
    transactionId: a.transactionId,
    amount: fmt(a.amountMinor),
    currency: a.currency,
    booking,
    proposedBy: a.proposedBy,
    proposedAt: a.proposedAt.toISOString(),
    decidedBy: a.decidedBy,
    decidedAt: a.decidedAt?.toISOString() ?? null,
    decisionNote: a.decisionNote,
    version: a.version,
  };
}
