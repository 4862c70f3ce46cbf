/** API shapes of the review queue, its actions and approvals. */
import { RETURN_SHORTFALLS } from '../../services/collections/returns.js';
import { z } from '@hono/zod-openapi';
import { LIMITS } from '../../limits.js';
import { QUEUE_STATES, REVIEW_FILTER_STATES } from '../../services/review/states.js';
import { AmountInput, AmountString, Paged } from '../openapi.js';

const DateString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-11-16');
const Note = z.string().min(1).max(500);

export const ReviewQuery = z.object({
  state: z.string().optional().openapi({ description: `One or several of ${REVIEW_FILTER_STATES.join(', ')}, comma-separated. Default: ${QUEUE_STATES.join(', ')} (those waiting for a person).` }),
  amountFrom: AmountInput.optional(),
  amountTo: AmountInput.optional(),
  bookedFrom: DateString.optional().openapi({ description: 'Bank booking date from (inclusive)' }),
  bookedTo: DateString.optional(),
  q: z.string().max(140).optional().openapi({ description: "Part of the payer's name, the remittance text or a structured reference" }),
  account: z.string().max(42).optional().openapi({ description: "IBAN of the city's account the statement is for" }),
  sort: z.enum(['age', 'amount']).default('age').openapi({ description: 'age: bank booking date, then arrival; amount' }),
  order: z.enum(['asc', 'desc']).default('asc'),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50),
  cursor: z.string().max(500).optional(),
});

const SuggestionSummary = z.object({ kassenzeichen: z.array(z.string()), amount: AmountString, confidenceBp: z.number().int() });

export const ReviewRowSchema = z
  .object({
    id: z.string(),
    ref: z.string().openapi({ description: 'entryRef#txIndex', example: '2026111600001#0' }),
    bookingDate: z.string().nullable(),
    amount: AmountString,
    unapplied: AmountString.openapi({ description: 'Still in suspense' }),
    currency: z.string(),
    creditDebit: z.string(),
    payer: z.object({ name: z.string().nullable(), iban: z.string().nullable().openapi({ description: 'masked', example: 'DE89 **** **** **** **30 00' }) }),
    remittance: z.string(),
    state: z.string(),
    topSuggestion: SuggestionSummary.nullable(),
    ageDays: z.number().int(),
    version: z.number().int(),
  })
  .openapi('ReviewQueueRow');

export const ReviewPage = Paged(ReviewRowSchema);

const ItemBrief = z.object({
  id: z.string(),
  kassenzeichen: z.string(),
  rfReference: z.string().nullable(),
  debtorName: z.string(),
  description: z.string(),
  amount: AmountString,
  open: AmountString,
  dueDate: z.string(),
  status: z.string(),
});

export const ApprovalSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['manual_allocation', 'confirm_suggestion', 'reversal', 'refund', 'return', 'refund_run']).openapi({ description: 'refund_run: the outgoing payment (transactionId) is the batch debit of a released refund run; approving books every refund of it' }),
    status: z.enum(['pending', 'approved', 'rejected', 'failed']),
    transactionId: z.string().nullable(),
    amount: AmountString,
    currency: z.string(),
    booking: z.object({
      reason: z.string(),
      allocations: z.array(z.object({ itemId: z.string(), kassenzeichen: z.string(), amount: AmountString })).optional(),
      suggestion: z.number().int().optional(),
      proposalId: z.string().optional(),
      allocationId: z.string().optional(),
      linkedTransactionId: z.string().optional().openapi({ description: 'refund: the outgoing payment that paid it back; return: the return debit' }),
      allocationIds: z.array(z.string()).optional().openapi({ description: 'return: the allocations it reverses' }),
      refundRun: z.object({ id: z.string(), number: z.number().int() }).optional().openapi({ description: 'refund_run: the run whose refunds the outgoing payment books' }),
    }),
    proposedBy: z.string(),
    proposedAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    decisionNote: z.string().nullable(),
    version: z.number().int(),
  })
  .openapi('Approval');

export const ReviewItemSchema = z
  .object({
    id: z.string(),
    ref: z.string(),
    state: z.string(),
    version: z.number().int().openapi({ description: 'Send back with an action to refuse it if the payment changed meanwhile' }),
    amount: AmountString,
    unapplied: AmountString,
    currency: z.string(),
    creditDebit: z.string(),
    ageDays: z.number().int(),
    payment: z.object({
      payer: z.object({ name: z.string().nullable(), iban: z.string().nullable(), bic: z.string().nullable() }),
      ultimateDebtor: z.string().nullable(),
      remittance: z.object({ lines: z.array(z.string()), text: z.string().openapi({ description: 'The lines joined with a space; highlights index into it' }) }),
      structuredReferences: z.array(z.object({ reference: z.string(), type: z.string().optional() })),
      endToEndId: z.string().nullable(),
      mandateId: z.string().nullable(),
      bankTransactionCode: z.string().nullable(),
      proprietaryCode: z.string().nullable(),
      gvc: z.string().nullable(),
      purposeCode: z.string().nullable(),
      returnReason: z.object({ code: z.string(), text: z.string().nullable() }).nullable(),
      bookingDate: z.string().nullable(),
      valueDate: z.string().nullable(),
    }),
    statement: z.object({ id: z.string(), bankStatementId: z.string(), accountIban: z.string().nullable(), kind: z.string() }),
    entry: z.object({
      id: z.string(),
      position: z.number().int(),
      accountServicerReference: z.string().nullable(),
      entryReference: z.string().nullable(),
      amount: AmountString,
      creditDebit: z.string(),
      bookingDate: z.string().nullable(),
      valueDate: z.string().nullable(),
      batchCount: z.number().int().nullable(),
      additionalInfo: z.string().nullable(),
    }),
    proposal: z.object({ id: z.string(), decision: z.string(), confidenceBp: z.number().int(), reasons: z.array(z.string()), engineVersion: z.string(), createdAt: z.string() }).nullable(),
    suggestions: z.array(
      z.object({
        index: z.number().int(),
        confidenceBp: z.number().int(),
        reasons: z.array(z.string()),
        total: AmountString,
        allocations: z.array(z.object({ itemId: z.string(), kassenzeichen: z.string(), amount: AmountString, item: ItemBrief.nullable() })),
      }),
    ),
    highlights: z.array(
      z.object({ start: z.number().int(), end: z.number().int(), text: z.string(), itemId: z.string(), kassenzeichen: z.string() }).openapi({ description: 'Where a suggested reference appears in payment.remittance.text: [start, end)' }),
    ),
    allocations: z.array(
      z.object({
        id: z.string(),
        itemId: z.string(),
        kassenzeichen: z.string(),
        amount: AmountString,
        kind: z.string(),
        reason: z.string(),
        createdBy: z.string(),
        createdAt: z.string(),
        approvalId: z.string().nullable(),
        reversal: z.object({ id: z.string(), reason: z.string(), createdBy: z.string(), createdAt: z.string(), causedByTransactionId: z.string().nullable() }).nullable(),
      }),
    ),
    suspense: z.object({
      balance: AmountString,
      movements: z.array(z.object({ id: z.string(), amount: AmountString, reason: z.string(), note: z.string().nullable(), createdBy: z.string(), createdAt: z.string() })),
    }),
    pendingApproval: ApprovalSchema.nullable(),
    refund: z.object({ recipientName: z.string().nullable(), iban: z.string(), amount: AmountString, note: z.string(), requestedBy: z.string(), requestedAt: z.string() }).nullable(),
    parked: z.object({ note: z.string(), by: z.string(), at: z.string() }).nullable(),
    availableActions: z
      .array(z.enum(['confirm', 'allocate', 'park', 'mark_refund', 'book_refund', 'unmark_refund', 'resolve_return', 'reverse']))
      .openapi({ description: 'What can be done with the payment as it stands: confirm, allocate, park, mark_refund (/refund), book_refund, unmark_refund, resolve_return, reverse (/v1/allocations/{id}/reverse)' }),
    directDebitReturn: z
      .object({
        endToEndId: z.string(),
        collected: AmountString,
        returned: AmountString,
        difference: AmountString,
        charges: AmountString.nullable(),
        statedOriginal: z.array(AmountString),
        currency: z.string(),
        explained: z.boolean(),
        shortfall: z.enum(RETURN_SHORTFALLS).nullable(),
        reason: z.string(),
      })
      .nullable()
      .openapi({ description: "A return of one of the city's direct debits: what was collected and what the return booked, side by side. explained: booked without a person (any difference is the bank's stated fee); otherwise shortfall says why it waits, and reason says it in words (German with ?lang=de in the workplace)" }),
    linked: z
      .array(z.object({ transactionId: z.string(), ref: z.string(), relation: z.enum(['refunded_with', 'refund_of', 'returned_with', 'return_of']) }))
      .openapi({ description: 'Bank transactions booked together with this one: the refund that paid it back, the receipt a return took back, and the other way round' }),
    audit: z.array(z.object({ at: z.string(), actor: z.string(), action: z.string(), subjectType: z.string(), subjectId: z.string(), reason: z.string().nullable(), data: z.unknown() })),
  })
  .openapi('ReviewItem');

export const PaymentStateSchema = z.object({
  transactionId: z.string(),
  ref: z.string(),
  state: z.string(),
  version: z.number().int(),
  unapplied: AmountString,
  currency: z.string(),
});

export const BookedSchema = PaymentStateSchema.extend({
  outcome: z.literal('booked'),
  allocations: z.array(z.object({ id: z.string(), itemId: z.string(), kassenzeichen: z.string(), amount: AmountString, itemStatus: z.string() })),
  reversedAllocationId: z.string().optional(),
  reversedAllocationIds: z.array(z.string()).optional(),
  linkedTransactionId: z.string().optional(),
}).openapi('Booked');

export const ApprovalRequiredSchema = z.object({ outcome: z.literal('approval_required'), approval: ApprovalSchema }).openapi('ApprovalRequired');

export const ConfirmBody = z
  .object({
    suggestion: z.number().int().min(0).max(99).default(0).openapi({ description: 'Index of the suggestion in the detail view (0 = best)' }),
    version: z.number().int().min(0).optional().openapi({ description: 'The payment version you saw; a changed payment answers 409' }),
    note: z.string().max(500).optional(),
    acceptOverpayment: z.boolean().optional().openapi({ description: 'Book even though an item has less open now than the suggestion books (the surplus overpays it); without it such a confirmation answers 409 and says by how much' }),
  })
  .openapi('ConfirmSuggestion');

export const AllocateBody = z
  .object({
    allocations: z
      .array(
        z.object({
          itemId: z.string().max(100).optional(),
          kassenzeichen: z.string().max(60).optional(),
          amount: AmountInput,
        }),
      )
      .min(1)
      .max(100),
    note: Note,
    version: z.number().int().min(0).optional(),
  })
  .openapi('ManualAllocation');

export const ParkBody = z.object({ note: Note, version: z.number().int().min(0).optional() }).openapi('ParkPayment');
export const RefundBody = z
  .object({ note: Note, iban: z.string().max(42).optional().openapi({ description: "Account to refund to; the payer's IBAN when left out" }), version: z.number().int().min(0).optional() })
  .openapi('MarkForRefund');
export const RefundResultSchema = PaymentStateSchema.extend({ refund: z.object({ recipientName: z.string().nullable(), iban: z.string(), amount: AmountString }) });
const Version = z.number().int().min(0).optional().openapi({ description: 'The payment version you saw (detail view); a changed payment answers 409' });
export const ReverseBody = z.object({ reason: Note, version: Version }).openapi('ReverseAllocation');
export const BookRefundBody = z
  .object({
    refundTransactionId: z.string().min(1).max(100).openapi({ description: 'The outgoing payment (debit) on a later statement that paid the refund' }),
    note: z.string().max(500).optional(),
    version: Version,
  })
  .openapi('BookRefund');
export const RefundRunDebitBody = z
  .object({
    runId: z.string().min(1).max(100).openapi({ description: 'The released refund run (batch booking) this outgoing payment paid out' }),
    note: z.string().max(500).optional(),
    version: Version,
  })
  .openapi('RefundRunDebit');
export const UnmarkRefundBody = z.object({ note: Note, version: Version }).openapi('UnmarkRefund');
export const ResolveReturnBody = z
  .object({
    receiptId: z.string().min(1).max(100).openapi({ description: 'The incoming payment the return takes back' }),
    allocationIds: z.array(z.string().max(100)).max(100).optional().openapi({ description: "The receipt's live allocations as you saw them; any other set answers 409" }),
    note: z.string().max(500).optional(),
    version: Version.openapi({ description: "The return's version you saw; a changed return answers 409" }),
  })
  .openapi('ResolveReturn');
export const DecisionBody = z.object({ note: z.string().max(500).optional() });
export const RejectBody = z.object({ note: Note });
