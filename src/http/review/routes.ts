import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  allocateManually,
  bookRefund,
  confirmSuggestion,
  markForRefund,
  parkPayment,
  resolveReturn,
  reverseBooking,
  unmarkRefund,
  type BookingOutcome,
} from '../../services/review/actions.js';
import { getReviewItem, listReviewQueue } from '../../services/review/queue.js';
import { ctxOf, requireScope, type AppEnv } from '../env.js';
import { bearer, conflict, notFound, router, standardErrors } from '../openapi.js';
import {
  AllocateBody,
  ApprovalRequiredSchema,
  BookedSchema,
  BookRefundBody,
  ConfirmBody,
  ParkBody,
  PaymentStateSchema,
  RefundBody,
  RefundResultSchema,
  ResolveReturnBody,
  ReverseBody,
  ReviewItemSchema,
  ReviewPage,
  ReviewQuery,
  RefundRunDebitBody,
  UnmarkRefundBody,
} from './schema.js';
import { proposeRefundRunDebit } from '../../services/review/refundRunDebit.js';

const TxParam = z.object({ transactionId: z.string().min(1).max(100) });
const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const bookingResponses = {
  200: json(BookedSchema, 'booked'),
  202: json(ApprovalRequiredSchema, 'at or above the four-eyes threshold: nothing booked yet, an approval is pending'),
  ...standardErrors,
  ...notFound,
  ...conflict,
} as const;

/** 200 with what was booked, or 202 with the approval that now waits for a second person. */
function answer(c: Context<AppEnv>, result: BookingOutcome) {
  return result.outcome === 'booked' ? c.json(result, 200) : c.json(result, 202);
}

export function reviewRoutes() {
  const app = router();
  const tags = ['Review'];
  const security = bearer;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review',
      tags,
      summary: 'The review queue: payments waiting for a person, filtered, sorted and paged',
      security,
      middleware: [requireScope('review')] as const,
      request: { query: ReviewQuery },
      responses: { 200: json(ReviewPage, 'a page of payments'), ...standardErrors },
    }),
    async (c) => c.json(await listReviewQueue({ ctx: ctxOf(c), input: c.req.valid('query') }), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/{transactionId}',
      tags,
      summary: 'One payment with ranked suggestions, highlights, bookings, suspense and audit trail',
      security,
      middleware: [requireScope('review')] as const,
      request: { params: TxParam },
      responses: { 200: json(ReviewItemSchema, 'the payment'), ...standardErrors, ...notFound },
    }),
    async (c) => c.json(await getReviewItem({ ctx: ctxOf(c), input: c.req.valid('param') }) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/{transactionId}/confirm',
      tags,
      summary: "Book one of the matcher's suggestions as proposed",
      description: 'Two people confirming at the same moment: one booking, the other gets 409.',
      security,
      middleware: [requireScope('review')] as const,
      request: { params: TxParam, body: { required: true, content: { 'application/json': { schema: ConfirmBody } } } },
      responses: bookingResponses,
    }),
    async (c) => {
      const body = c.req.valid('json');
      return answer(c, await confirmSuggestion({ ctx: ctxOf(c), input: { transactionId: c.req.valid('param').transactionId, ...body } }));
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/{transactionId}/allocate',
      tags,
      summary: 'Book the payment to one or several items by hand; what is left stays in suspense',
      security,
      middleware: [requireScope('review')] as const,
      request: { params: TxParam, body: { required: true, content: { 'application/json': { schema: AllocateBody } } } },
      responses: bookingResponses,
    }),
    async (c) => {
      const body = c.req.valid('json');
      return answer(c, await allocateManually({ ctx: ctxOf(c), input: { transactionId: c.req.valid('param').transactionId, ...body } as never }));
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/{transactionId}/park',
      tags,
      summary: 'Leave the money in suspense with a note (state parked)',
      security,
      middleware: [requireScope('review')] as const,
      request: { params: TxParam, body: { required: true, content: { 'application/json': { schema: ParkBody } } } },
      responses: { 200: json(PaymentStateSchema, 'parked'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => c.json(await parkPayment({ ctx: ctxOf(c), input: { transactionId: c.req.valid('param').transactionId, ...c.req.valid('json') } as never }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/{transactionId}/refund',
      tags,
      summary: 'Mark what is left of the payment for refund (state refund); suspense keeps it until the refund is booked',
      security,
      middleware: [requireScope('review')] as const,
      request: { params: TxParam, body: { required: true, content: { 'application/json': { schema: RefundBody } } } },
      responses: { 200: json(RefundResultSchema, 'marked for refund'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => c.json(await markForRefund({ ctx: ctxOf(c), input: { transactionId: c.req.valid('param').transactionId, ...c.req.valid('json') } as never }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/allocations/{allocationId}/reverse',
      tags,
      summary: 'Undo a booking: the item reopens, the money goes back to suspense and the payment to review',
      security,
      middleware: [requireScope('review')] as const,
      request: { params: z.object({ allocationId: z.string().min(1).max(100) }), body: { required: true, content: { 'application/json': { schema: ReverseBody } } } },
      responses: bookingResponses,
    }),
    async (c) => answer(c, await reverseBooking({ ctx: ctxOf(c), input: { allocationId: c.req.valid('param').allocationId, ...c.req.valid('json') } })),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/{transactionId}/refund-run',
      tags,
      summary: 'Propose that an outgoing payment is the batch debit of a released refund run (four-eyes, always)',
      description:
        'For a debit the statement did not book by itself because it could not tell which run it was (two released runs of its total, an id that is no refund’s, a debit before the release). The run must be released as one batch booking of exactly the debit’s total, on the account runs pay from, with the bank’s payment count (if given) and every refund still sent. The debit is held (awaiting_approval) and 202 answers the approval; when a second person approves (/v1/approvals/{id}/approve), every refund of the run is booked with the debit, as the statement books it.',
      security,
      middleware: [requireScope('review')] as const,
      request: { params: TxParam, body: { required: true, content: { 'application/json': { schema: RefundRunDebitBody } } } },
      responses: { 202: json(ApprovalRequiredSchema, 'nothing booked yet: an approval is pending'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => c.json((await proposeRefundRunDebit({ ctx: ctxOf(c), input: { transactionId: c.req.valid('param').transactionId, ...c.req.valid('json') } as never })) as never, 202),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/{transactionId}/book-refund',
      tags,
      summary: 'Book the refund of a payment marked for refund, with the outgoing payment that paid it back',
      description:
        'The outgoing payment (a debit on a later statement, left `ignored` by the matcher) must be of exactly the amount marked for refund. The money leaves suspense (reason refunded), the payment becomes refunded and the debit refund_booked. At or above the four-eyes threshold: 202 and an approval.',
      security,
      middleware: [requireScope('review')] as const,
      request: { params: TxParam, body: { required: true, content: { 'application/json': { schema: BookRefundBody } } } },
      responses: bookingResponses,
    }),
    async (c) => answer(c, await bookRefund({ ctx: ctxOf(c), input: { transactionId: c.req.valid('param').transactionId, ...c.req.valid('json') } })),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/{transactionId}/unmark-refund',
      tags,
      summary: 'Take back a refund mark: the payment goes back to review, its money stays in suspense',
      security,
      middleware: [requireScope('review')] as const,
      request: { params: TxParam, body: { required: true, content: { 'application/json': { schema: UnmarkRefundBody } } } },
      responses: { 200: json(PaymentStateSchema, 'back in review'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => c.json(await unmarkRefund({ ctx: ctxOf(c), input: { transactionId: c.req.valid('param').transactionId, ...c.req.valid('json') } }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/{transactionId}/resolve-return',
      tags,
      summary: 'Place a return the matcher could not place (return_open) on the receipt it takes back',
      description:
        "The receipt's live allocations are reversed (the items reopen, their issuers are told) and whatever of it waits in suspense leaves (reason returned); the receipt becomes returned, the return return. At or above the four-eyes threshold: 202 and an approval.",
      security,
      middleware: [requireScope('review')] as const,
      request: { params: TxParam, body: { required: true, content: { 'application/json': { schema: ResolveReturnBody } } } },
      responses: bookingResponses,
    }),
    async (c) => answer(c, await resolveReturn({ ctx: ctxOf(c), input: { transactionId: c.req.valid('param').transactionId, ...c.req.valid('json') } })),
  );

  return app;
}
