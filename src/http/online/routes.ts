/**
 * Staff API for paying online: online payments (and re-checking one with the provider), the
 * providers' clearing positions, and settlements — uploading a provider's settlement report,
 * accepting a payout with a difference (the fee), or releasing it to the ordinary review.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { Context } from 'hono';
import { LimitExceededError } from '../../errors.js';
import { formatMinor } from '../../money/money.js';
import { refreshOnlinePayment } from '../../services/online/onlinePayments.js';
import { getOnlinePayment, listOnlinePayments, REVERSAL_KINDS, reverseOnlinePayment, type OnlinePaymentDetail } from '../../services/online/reversals.js';
import { acceptSettlement, clearingPositions, getSettlement, importSettlementReport, listSettlements, MAX_REPORT_BYTES, releaseSettlement, type SettlementView } from '../../services/online/settlement.js';
import { ctxOf, requireScope, type AppEnv } from '../env.js';
import { IdParam, bearer, conflict, notFound, router, standardErrors } from '../openapi.js';

const Decision = z.object({ reason: z.string().min(1).max(500), expectedVersion: z.number().int().optional() });

const OnlinePaymentSchema = z
  .object({
    id: z.string(),
    provider: z.string(),
    paymentRequestId: z.string(),
    reference: z.string(),
    providerTransactionId: z.string().nullable(),
    status: z.string(),
    statusDetail: z.string().nullable(),
    paymentMethod: z.string().nullable(),
    amount: z.string(),
    unallocated: z.string().openapi({ description: 'What no item could take when PAYED arrived (cancelled, or paid by a bank transfer meanwhile): owed back to the citizen' }),
    refundDue: z.string().openapi({ description: 'Of unallocated, what has not been refunded yet' }),
    needsAttention: z.boolean().openapi({ description: 'refundDue is above 0.00: a person has the money refunded and records it (POST …/reversals without allocationId)' }),
    currency: z.string(),
    createdAt: z.string(),
    payedAt: z.string().nullable(),
    lastCheckedAt: z.string().nullable(),
    version: z.number().int(),
    allocations: z.array(z.object({ id: z.string(), itemId: z.string(), amount: z.string(), reversal: z.object({ id: z.string(), kind: z.string(), reason: z.string(), createdAt: z.string() }).nullable() })),
    reversals: z.array(z.object({ id: z.string(), allocationId: z.string().nullable(), kind: z.string(), amount: z.string(), reason: z.string(), createdBy: z.string(), createdAt: z.string() })),
  })
  .openapi('OnlinePayment');

const ReversalBody = z.object({
  kind: z.enum(REVERSAL_KINDS).openapi({ description: 'chargeback: the provider took the money back; refund: it paid it back to the citizen' }),
  reason: z.string().min(1).max(500),
  allocationId: z.string().max(100).optional().openapi({ description: 'The allocation to undo (its item is open again); without it, the unallocated part is refunded' }),
  expectedVersion: z.number().int().optional(),
});

const SettlementSchema = z
  .object({
    id: z.string(),
    provider: z.string(),
    reference: z.string(),
    source: z.enum(['camt054', 'report']),
    status: z.string().openapi({ description: 'cleared | review | awaiting_credit | accepted | released' }),
    gross: z.string(),
    fee: z.string(),
    net: z.string(),
    currency: z.string(),
    bankTransactionId: z.string().nullable(),
    reasons: z.array(z.string()),
    version: z.number().int(),
    lines: z.array(z.object({ position: z.number().int(), kind: z.string(), outcome: z.string(), onlinePaymentId: z.string().nullable(), bankTransactionId: z.string().nullable(), providerTransactionId: z.string().nullable(), reference: z.string().nullable(), gross: z.string(), fee: z.string(), net: z.string(), note: z.string().nullable() })),
  })
  .openapi('PspSettlement');

function paymentJson(p: OnlinePaymentDetail) {
  const m = (x: bigint) => formatMinor(x, p.currency);
  return {
    id: p.id,
    provider: p.provider,
    paymentRequestId: p.paymentRequestId,
    reference: p.reference,
    providerTransactionId: p.providerTransactionId,
    status: p.status,
    statusDetail: p.statusDetail,
    paymentMethod: p.paymentMethod,
    amount: m(p.amountMinor),
    unallocated: m(p.unallocatedMinor),
    refundDue: m(p.refundDueMinor),
    needsAttention: p.refundDueMinor > 0n,
    currency: p.currency,
    createdAt: p.createdAt.toISOString(),
    payedAt: p.payedAt?.toISOString() ?? null,
    lastCheckedAt: p.lastCheckedAt?.toISOString() ?? null,
    version: p.version,
    allocations: p.allocations.map((a) => ({ id: a.id, itemId: a.openItemId, amount: m(a.amountMinor), reversal: a.reversal ? { id: a.reversal.id, kind: a.reversal.kind, reason: a.reversal.reason, createdAt: a.reversal.createdAt.toISOString() } : null })),
    reversals: p.reversals.map((r) => ({ id: r.id, allocationId: r.onlineAllocationId, kind: r.kind, amount: m(r.amountMinor), reason: r.reason, createdBy: r.createdBy, createdAt: r.createdAt.toISOString() })),
  };
}

function settlementJson(s: SettlementView) {
  const m = (x: bigint) => formatMinor(x, s.currency);
  return {
    id: s.id,
    provider: s.provider,
    reference: s.reference,
    source: s.source as 'camt054' | 'report',
    status: s.status,
    gross: m(s.grossMinor),
    fee: m(s.feeMinor),
    net: m(s.netMinor),
    currency: s.currency,
    bankTransactionId: s.bankTransactionId,
    reasons: s.reasons,
    version: s.version,
    lines: s.lines.map((l) => ({ position: l.position, kind: l.kind, outcome: l.outcome, onlinePaymentId: l.onlinePaymentId, bankTransactionId: l.bankTransactionId, providerTransactionId: l.providerTransactionId, reference: l.reference, gross: m(l.grossMinor), fee: m(l.feeMinor), net: m(l.netMinor), note: l.note })),
  };
}

const settlement = (description: string) => ({ description, content: { 'application/json': { schema: SettlementSchema } } });

function online(c: Context<AppEnv>) {
  return { client: c.get('deps').services.online?.client ?? null };
}

export function onlineRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/online/payments',
      tags: ['Paying online'],
      summary: 'Online payments, newest first (filter by status or payment request; needsAttention=true: money to refund to the citizen)',
      description:
        'needsAttention=true lists PAYED payments whose items could not take all of it (cancelled, or paid by a bank transfer while the citizen paid online): the rest is owed back. These are not bank transactions and so not in the review queue; the staff overview counts them too.',
      security: bearer,
      middleware: [requireScope('statements:read')] as const,
      request: { query: z.object({ status: z.string().max(20).optional(), paymentRequestId: z.string().max(100).optional(), needsAttention: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(200).optional() }) },
      responses: { 200: { description: 'the payments', content: { 'application/json': { schema: z.object({ payments: z.array(OnlinePaymentSchema) }) } } }, ...standardErrors },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await listOnlinePayments({ ctx: ctxOf(c), input: { ...(q.status ? { status: q.status } : {}), ...(q.paymentRequestId ? { paymentRequestId: q.paymentRequestId } : {}), needsAttention: q.needsAttention === 'true', ...(q.limit ? { limit: q.limit } : {}) } });
      return c.json({ payments: rows.map(paymentJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/online/payments/{id}/reversals',
      tags: ['Paying online'],
      summary: 'Record a chargeback or a refund by the provider: undoes an allocation (its item is open again) or refunds the unallocated part',
      description:
        'Append-only: a reversal row points at the online allocation; the item is reopened and its issuing service told (item.reversed); the clearing account shows that the provider owes that much less. Audited with the reason.',
      security: bearer,
      middleware: [requireScope('review')] as const,
      request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: ReversalBody } } } },
      responses: { 201: { description: 'recorded; the payment as it is now', content: { 'application/json': { schema: OnlinePaymentSchema } } }, ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const view = await reverseOnlinePayment({ ctx: ctxOf(c), input: { id: c.req.valid('param').id, kind: b.kind, reason: b.reason, ...(b.allocationId !== undefined ? { allocationId: b.allocationId } : {}), ...(b.expectedVersion !== undefined ? { expectedVersion: b.expectedVersion } : {}) } });
      return c.json(paymentJson(view), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/online/payments/{id}/refresh',
      tags: ['Paying online'],
      summary: 'Ask the provider for the status of an online payment now (books it when PAYED)',
      security: bearer,
      middleware: [requireScope('review')] as const,
      request: { params: IdParam },
      responses: { 200: { description: 'the payment as it is now', content: { 'application/json': { schema: OnlinePaymentSchema } } }, ...standardErrors, ...notFound, ...conflict, 503: { description: 'the provider is not reachable' } },
    }),
    async (c) => {
      const ctx = ctxOf(c);
      const row = await refreshOnlinePayment({ ctx, deps: online(c), input: c.req.valid('param') });
      return c.json(paymentJson(await getOnlinePayment({ ctx, input: { id: row.id } })), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/online/clearing',
      tags: ['Paying online'],
      summary: "Each provider's clearing position: online payments PAYED and not yet paid out to us",
      security: bearer,
      middleware: [requireScope('statements:read')] as const,
      responses: {
        200: {
          description: 'open positions per provider',
          content: { 'application/json': { schema: z.object({ providers: z.array(z.object({ provider: z.string(), open: z.string(), currency: z.string(), openPayments: z.array(z.object({ id: z.string(), reference: z.string(), open: z.string(), payedAt: z.string().nullable() })) })) }) } },
        },
        ...standardErrors,
      },
    }),
    async (c) => {
      const positions = await clearingPositions({ ctx: ctxOf(c) });
      return c.json({ providers: positions.map((p) => ({ provider: p.provider, open: formatMinor(p.openMinor, p.currency), currency: p.currency, openPayments: p.openPayments.map((x) => ({ id: x.id, reference: x.reference, open: formatMinor(x.openMinor, p.currency), payedAt: x.payedAt?.toISOString() ?? null })) })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/online/settlements',
      tags: ['Paying online'],
      summary: "Upload a provider's settlement report (JSON or CSV): matched to its online payments and to the payout on the bank statement",
      description:
        'JSON: {"reference":"PAYOUT-1","currency":"EUR","lines":[{"type":"payment","transactionId":"…","requestId":"…","reference":"OP-…","gross":"50.00","fee":"0.50","net":"49.50"}]}. CSV (text/csv, comma or semicolon): payout_reference,type,transaction_id,request_id,reference,gross,fee,net. The same file again answers the first settlement.',
      security: bearer,
      middleware: [requireScope('statements:import'), bodyLimit({ maxSize: MAX_REPORT_BYTES, onError: () => { throw new LimitExceededError('settlementReportBytes', MAX_REPORT_BYTES, undefined); } })] as const,
      request: { body: { required: true, content: { 'application/json': { schema: z.object({}).passthrough() }, 'text/csv': { schema: z.string() } } } },
      responses: { 201: settlement('read (cleared, in review, or waiting for its credit)'), 200: settlement('the same report again'), ...standardErrors, ...conflict },
    }),
    async (c) => {
      const format = /^text\/csv/i.test(c.req.header('content-type') ?? '') ? 'csv' : 'json';
      const ctx = ctxOf(c);
      const r = await importSettlementReport({ ctx, input: { text: await c.req.text(), format } });
      return c.json(settlementJson(await getSettlement({ ctx, input: { id: r.settlementId } })), r.replayed ? 200 : 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/online/settlements',
      tags: ['Paying online'],
      summary: 'Provider payouts, newest first',
      security: bearer,
      middleware: [requireScope('statements:read')] as const,
      request: { query: z.object({ status: z.string().max(20).optional(), limit: z.coerce.number().int().min(1).max(200).optional() }) },
      responses: { 200: { description: 'payouts', content: { 'application/json': { schema: z.object({ settlements: z.array(SettlementSchema) }) } } }, ...standardErrors },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const list = await listSettlements({ ctx: ctxOf(c), input: { ...(q.status ? { status: q.status } : {}), ...(q.limit ? { limit: q.limit } : {}) } });
      return c.json({ settlements: list.map(settlementJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/online/settlements/{id}',
      tags: ['Paying online'],
      summary: 'One payout with its lines and reasons',
      security: bearer,
      middleware: [requireScope('statements:read')] as const,
      request: { params: IdParam },
      responses: { 200: settlement('the payout'), ...standardErrors, ...notFound },
    }),
    async (c) => c.json(settlementJson(await getSettlement({ ctx: ctxOf(c), input: c.req.valid('param') })), 200),
  );

  for (const [verb, action, summary] of [
    ['accept', acceptSettlement, 'Accept a payout in review: clear its payments with what arrived, book the difference as the provider fee'],
    ['release', releaseSettlement, 'Release a payout in review to the ordinary review queue (it is not what it seemed)'],
  ] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/online/settlements/{id}/${verb}`,
        tags: ['Paying online'],
        summary,
        security: bearer,
        middleware: [requireScope('review')] as const,
        request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: Decision } } } },
        responses: { 200: settlement('decided'), ...standardErrors, ...notFound, ...conflict },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const view = await action({ ctx: ctxOf(c), input: { id: c.req.valid('param').id, reason: body.reason, ...(body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {}) } });
        return c.json(settlementJson(view), 200);
      },
    );
  }

  return app;
}
