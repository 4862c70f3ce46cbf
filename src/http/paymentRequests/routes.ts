import { createRoute, z } from '@hono/zod-openapi';
import { formatMinor } from '../../money/money.js';
import { createPaymentRequest, getPaymentRequest, MAX_ITEMS_PER_REQUEST, type PaymentRequestView } from '../../services/paymentRequests/paymentRequests.js';
import { paymentRequestQr } from '../../services/paymentRequests/qr.js';
import { EPC_LIMITS } from '../../references/epc.js';
import { ctxOf, requireScope } from '../env.js';
import { idempotencyHeaderDoc, idempotent } from '../idempotency.js';
import { AmountString, bearer, conflict, notFound, router, standardErrors } from '../openapi.js';

const CreateBody = z
  .object({
    itemIds: z.array(z.string().min(1).max(100)).min(1).max(MAX_ITEMS_PER_REQUEST).openapi({ description: 'Open items of one debtor, neither cancelled nor paid in full' }),
    locale: z.enum(['de', 'en']).optional().openapi({ description: "Language the citizen page opens in, whatever the browser prefers (the page offers a switch to the other). Left out: the browser's language, else German." }),
  })
  .openapi('CreatePaymentRequest');

const PaymentRequestSchema = z
  .object({
    id: z.string(),
    status: z.enum(['open', 'partly_paid', 'paid', 'cancelled']),
    total: AmountString.openapi({ description: 'What was asked for when the request was made' }),
    outstanding: AmountString.openapi({ description: 'What is owed now' }),
    payNow: AmountString.openapi({ description: 'What to transfer or pay online now: what is owed, less the items collected by SEPA direct debit (the amount of epcPayload)' }),
    currency: z.string(),
    dueDate: z.string(),
    debtorName: z.string(),
    creditor: z.object({ name: z.string(), iban: z.string(), bic: z.string().nullable() }).openapi({ description: "The city's account to pay to" }),
    kassenzeichen: z.array(z.string()),
    reference: z.string().nullable().openapi({ description: 'ISO 11649 RF reference to give as structured reference (one item)' }),
    remittance: z.string().nullable().openapi({ description: `Remittance text to give instead when there is no RF reference (at most ${EPC_LIMITS.remittanceChars} characters)` }),
    epcPayload: z.string().nullable().openapi({ description: 'EPC QR (GiroCode) payload, BCD version 002, for what to pay now (items collected by direct debit left out); null when there is nothing to pay now' }),
    qr: z.object({ svg: z.string(), png: z.string() }).openapi({ description: 'GiroCode images (API, with the key)' }),
    paymentUrl: z.string().openapi({ description: 'The citizen page; its token is the only way to find it' }),
    publicQr: z.object({ svg: z.string(), png: z.string() }).openapi({ description: 'GiroCode images under the payment link, for e-mails and letters' }),
    expiresAt: z.string(),
    createdAt: z.string(),
    items: z.array(
      z.object({
        id: z.string(),
        kassenzeichen: z.string(),
        kassenzeichenDisplay: z.string(),
        rfReference: z.string().nullable(),
        description: z.string(),
        dueDate: z.string(),
        amount: AmountString.openapi({ description: 'Asked for this item in this request' }),
        outstanding: AmountString,
        status: z.string(),
        collectedByDirectDebit: z.boolean().openapi({ description: 'A SEPA direct debit of the item is announced or sent: it is not part of payNow' }),
      }),
    ),
  })
  .openapi('PaymentRequest');

function paymentRequestJson(r: PaymentRequestView, publicBaseUrl: string): z.infer<typeof PaymentRequestSchema> {
  const m = (minor: bigint) => formatMinor(minor, r.currency);
  const pay = `${publicBaseUrl}/pay/${r.token}`;
  return {
    id: r.id,
    status: r.status,
    total: m(r.totalMinor),
    outstanding: m(r.outstandingMinor),
    payNow: m(r.payNowMinor),
    currency: r.currency,
    dueDate: r.dueDate,
    debtorName: r.debtorName,
    creditor: r.creditor,
    kassenzeichen: r.items.map((i) => i.kassenzeichen),
    reference: r.current?.reference ?? null,
    remittance: r.current?.remittance ?? null,
    epcPayload: r.current?.epcPayload ?? null,
    qr: { svg: `/v1/payment-requests/${r.id}/qr.svg`, png: `/v1/payment-requests/${r.id}/qr.png` },
    paymentUrl: pay,
    publicQr: { svg: `${pay}/qr.svg`, png: `${pay}/qr.png` },
    expiresAt: r.expiresAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
    items: r.items.map((i) => ({
      id: i.id,
      kassenzeichen: i.kassenzeichen,
      kassenzeichenDisplay: i.kassenzeichenDisplay,
      rfReference: i.rfReference,
      description: i.description,
      dueDate: i.dueDate,
      amount: m(i.requestedMinor),
      outstanding: m(i.outstandingMinor),
      status: i.status,
      collectedByDirectDebit: i.collectedByDirectDebit,
    })),
  };
}

const answer = (description: string) => ({ description, content: { 'application/json': { schema: PaymentRequestSchema } } });

export function paymentRequestRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/payment-requests',
      tags: ['Payment requests'],
      summary: 'Ask a citizen to pay one or several open items: bank details, reference, GiroCode and a payment link',
      security: bearer,
      middleware: [requireScope('items:write'), idempotent()] as const,
      request: {
        headers: z.object({ 'idempotency-key': z.string().optional().openapi(idempotencyHeaderDoc) }),
        body: { required: true, content: { 'application/json': { schema: CreateBody } } },
      },
      responses: { 201: answer('created'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => {
      const created = await createPaymentRequest({ ctx: ctxOf(c), input: c.req.valid('json') });
      return c.json(paymentRequestJson(created, c.get('deps').config.publicBaseUrl), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/payment-requests/{id}',
      tags: ['Payment requests'],
      summary: 'Read a payment request with what is owed now',
      security: bearer,
      middleware: [requireScope('items:read')] as const,
      request: { params: z.object({ id: z.string().min(1).max(100) }) },
      responses: { 200: answer('the request'), ...standardErrors, ...notFound },
    }),
    async (c) => c.json(paymentRequestJson(await getPaymentRequest({ ctx: ctxOf(c), input: c.req.valid('param') }), c.get('deps').config.publicBaseUrl), 200),
  );

  for (const format of ['svg', 'png'] as const) {
    app.openapi(
      createRoute({
        method: 'get',
        path: `/v1/payment-requests/{id}/qr.${format}`,
        tags: ['Payment requests'],
        summary: `The GiroCode (EPC QR code) for what is owed now, as ${format.toUpperCase()}`,
        security: bearer,
        middleware: [requireScope('items:read')] as const,
        request: {
          params: z.object({ id: z.string().min(1).max(100) }),
          query: z.object({ scale: z.coerce.number().int().min(1).max(EPC_LIMITS.maxPngScale).optional().openapi({ description: 'Pixels per module' }) }),
        },
        responses: { 200: { description: 'the image', content: { [format === 'svg' ? 'image/svg+xml' : 'image/png']: { schema: z.any() } } }, ...standardErrors, ...notFound, ...conflict },
      }),
      async (c) => {
        const { scale } = c.req.valid('query');
        const image = await paymentRequestQr({ ctx: ctxOf(c), input: { id: c.req.valid('param').id, format, ...(scale ? { scale } : {}) } });
        return c.body(image.body as never, 200, { 'content-type': image.contentType, 'cache-control': 'no-store' });
      },
    );
  }
  return app;
}
