/**
 * Stadtkasse as XBezahldienste payment service: the city's online forms send a PaymentRequest
 * exactly as they would to ePayBL or pmPayment. Each item becomes an open item (with its
 * bookingData), together they become a payment request, and the answer sends the citizen to our
 * payment page (/pay/{token}) as transactionRedirectUrl. The transaction's status is never stored:
 * it is read from the ledger each time (PAYED once the items are paid, by transfer or online).
 *
 * requestId is the idempotency key per originator and endpoint: the same request again answers the
 * same transaction; the same requestId with other content is PAYMENT_EXISTS. Creation is resumable:
 * items carry externalRef "{requestId}/{item id}", so a retry after a crash finds what was made.
 */
import type { Actor, Ctx } from '../../context.js';
import { isUniqueViolation } from '../../db/database.js';
import { ConflictError, DomainError, ValidationError } from '../../errors.js';
import { formatMinor } from '../../money/money.js';
import { createOpenItem } from '../items/createOpenItems.js';
import { createPaymentRequest, getPaymentRequest, type PaymentRequestView } from '../paymentRequests/paymentRequests.js';
import { cityDate } from '../review/dates.js';
import { writeAudit } from '../shared/audit.js';
import { newId, sha256Hex } from '../shared/ids.js';
import type { OriginatorConfig } from './config.js';
import { parseJsonExact } from './xbd/json.js';
import { requestAmounts, withoutNulls, xbdRequestEcho, XbdPaymentRequestSchema, type FunctionalCode, type XbdPaymentInformation, type XbdPaymentRequest } from './xbd/protocol.js';

/** An answer in the XBezahldienste error format, with its functionalCode. */
export class XbdError extends DomainError {
  readonly code = 'validation' as const;
  constructor(
    readonly functionalCode: FunctionalCode,
    readonly httpStatus: 400 | 403 | 404 | 409 | 500 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** A creation left half-done this long ago (a crashed process) is taken over by a retry. */
const STALE_CREATING_MS = 2 * 60_000;

export interface XbdPaymentTransaction {
  paymentInformation: XbdPaymentInformation;
  paymentRequest: unknown;
}

/** The actor an originator's calls act as: a client of its own, seeing only its own items. */
export function originatorActor(o: OriginatorConfig, endPointId: string): Actor {
  return { type: 'client', id: `xbd:${o.originatorId}:${endPointId}`, name: `XBezahldienste ${o.originatorId}/${endPointId}`, scopes: new Set(['items:read', 'items:write']) };
}

export function endpointAllowed(o: OriginatorConfig, endPointId: string): boolean {
  return o.endPointIds.includes('*') || o.endPointIds.includes(endPointId);
}

export async function createXbdTransaction({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { originator: OriginatorConfig; endPointId: string; body: string };
}): Promise<{ created: boolean; transaction: XbdPaymentTransaction }> {
  const { originator, endPointId } = input;
  const req = checkRequest(input.body, originator);
  const requestHash = await sha256Hex(stableJson(req));
  const key = { originatorId: originator.originatorId, endPointId, requestId: req.requestId };
  const now = ctx.clock.now();
  const id = newId();

  let row;
  try {
    row = await ctx.db.prisma.xbdTransaction.create({
      data: { id, ...key, requestHash, request: JSON.stringify(req), state: 'creating', returnUrl: req.redirectUrl, createdAt: now, updatedAt: now },
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const existing = await ctx.db.prisma.xbdTransaction.findUniqueOrThrow({ where: { originatorId_endPointId_requestId: key } });
    if (existing.requestHash !== requestHash) {
      throw new XbdError('PAYMENT_EXISTS', 409, `requestId ${req.requestId} was already used for a different PaymentRequest, transaction ${existing.id}`);
    }
    if (existing.state === 'created') return { created: false, transaction: await xbdTransactionView(ctx, existing) };
    const taken = now.getTime() - existing.updatedAt.getTime() > STALE_CREATING_MS && (await ctx.db.prisma.xbdTransaction.updateMany({ where: { id: existing.id, state: 'creating', updatedAt: existing.updatedAt }, data: { updatedAt: now } })).count === 1;
    if (!taken) throw new XbdError('UNSPECIFIED', 409, `the PaymentRequest ${req.requestId} is still being processed, retry in a moment`);
    row = { ...existing, updatedAt: now };
  }

  const amounts = requestAmounts(req);
  const itemIds: string[] = [];
  for (const [i, item] of req.items.entries()) {
    const externalRef = `${req.requestId}/${item.id}`;
    try {
      const created = await createOpenItem({
        ctx,
        input: {
          category: originator.category,
          amount: formatMinor(amounts.itemsMinor[i]!, 'EUR'),
          dueDate: cityDate(now),
          description: item.description ?? req.description ?? req.purpose ?? `Online-Antrag ${req.requestId}`,
          debtor: debtorOf(req),
          externalRef,
          bookingData: { ...(item.bookingData ?? {}), xbezahldienste: { originatorId: originator.originatorId, endPointId, requestId: req.requestId, itemId: item.id, ...(item.reference ? { reference: item.reference } : {}), ...(req.purpose ? { purpose: req.purpose } : {}), ...(req.requestor ? { requestor: req.requestor } : {}) } },
        },
      });
      itemIds.push(created.id);
    } catch (err) {
      // A retry after an interrupted creation: the item is there already.
      const existing = err instanceof ConflictError ? (err.details.existingItemId as string | undefined) : undefined;
      if (!existing) throw err;
      itemIds.push(existing);
    }
  }
  const pr = await createPaymentRequest({ ctx, input: { itemIds } });
  await ctx.db.transaction(async (tx) => {
    await tx.xbdTransaction.update({ where: { id: row.id }, data: { state: 'created', paymentRequestId: pr.id, updatedAt: ctx.clock.now() } });
    await writeAudit(tx, ctx, { action: 'xbezahldienste.transaction_created', subjectType: 'xbd_transaction', subjectId: row.id, data: { ...key, paymentRequestId: pr.id, itemIds, grosAmount: formatMinor(amounts.grossMinor, 'EUR') } });
  });
  const done = await ctx.db.prisma.xbdTransaction.findUniqueOrThrow({ where: { id: row.id } });
  return { created: true, transaction: await xbdTransactionView(ctx, done, pr) };
}

export async function getXbdTransaction({ ctx, input }: { ctx: Ctx; input: { originatorId: string; endPointId: string; transactionId: string } }): Promise<XbdPaymentTransaction> {
  const row = await ctx.db.prisma.xbdTransaction.findUnique({ where: { id: input.transactionId } });
  // Another originator's transaction is as unknown as one that does not exist.
  if (!row || row.originatorId !== input.originatorId || row.endPointId !== input.endPointId || row.state !== 'created') {
    throw new XbdError('VALIDATION_ERROR', 404, `no payment transaction ${input.transactionId} for this originator and endpoint`);
  }
  return xbdTransactionView(ctx, row);
}

type XbdRow = NonNullable<Awaited<ReturnType<Ctx['db']['prisma']['xbdTransaction']['findUnique']>>>;

/** The transaction as the ledger has it now. */
async function xbdTransactionView(ctx: Ctx, row: XbdRow, pr?: PaymentRequestView): Promise<XbdPaymentTransaction> {
  const request = pr ?? (await getPaymentRequest({ ctx, input: { id: row.paymentRequestId! } }));
  const base = `${ctx.config.publicBaseUrl}/xbezahldienste/v1/paymenttransaction/${encodeURIComponent(row.originatorId)}/${encodeURIComponent(row.endPointId)}/${row.id}`;
  const first = request.items[0]!;
  const info: XbdPaymentInformation = {
    transactionUrl: base,
    transactionId: row.id,
    // "Das fachliche Kennzeichen für eine Bezahlung … kann schon das Kassenzeichen sein."
    transactionReference: first.kassenzeichen.replace(/[^\w-]/g, '-').slice(0, 36),
    status: 'INITIAL',
  };
  if (request.status === 'paid') {
    const paid = await paidFacts(ctx, request.items.map((i) => i.id));
    info.status = 'PAYED';
    info.transactionTimestamp = paid.at.toISOString();
    info.paymentMethod = paid.method;
    if (paid.detail) info.paymentMethodDetail = paid.detail;
  } else if (request.status === 'cancelled') {
    info.status = 'CANCELED';
    info.statusDetail = 'CANCELLED-BY-AUTHORITY';
  } else if (request.expired) {
    info.status = 'FAILED';
    info.statusDetail = 'EXPIRED';
  } else {
    info.transactionRedirectUrl = `${ctx.config.publicBaseUrl}/pay/${request.token}`;
    if (request.status === 'partly_paid') info.statusDetail = 'PARTLY-PAID';
  }
  // Stored with amounts as decimal text; the interface writes them as JSON numbers.
  return { paymentInformation: info, paymentRequest: xbdRequestEcho(JSON.parse(row.request) as Record<string, unknown>) };
}

/** When and how the items were paid: the latest payment event, online or by transfer. */
async function paidFacts(ctx: Ctx, itemIds: string[]): Promise<{ at: Date; method: string; detail?: string }> {
  const last = await ctx.db.prisma.itemEvent.findFirst({ where: { openItemId: { in: itemIds }, type: { in: ['item.paid', 'item.overpaid'] } }, orderBy: { seq: 'desc' } });
  const online = await ctx.db.prisma.onlineAllocation.findFirst({ where: { openItemId: { in: itemIds } }, orderBy: { createdAt: 'desc' }, include: { onlinePayment: true } });
  const at = last?.createdAt ?? ctx.clock.now();
  if (online) {
    const method = online.onlinePayment.paymentMethod ?? 'OTHER';
    return { at, method, detail: online.onlinePayment.paymentMethodDetail ?? `online ${online.onlinePayment.provider}` };
  }
  return { at, method: 'OTHER', detail: 'Ueberweisung' };
}

function checkRequest(body: string, originator: OriginatorConfig): XbdPaymentRequest {
  let raw: unknown;
  try {
    raw = withoutNulls(parseJsonExact(body));
  } catch {
    throw new XbdError('VALIDATION_ERROR', 400, 'the body is not valid JSON');
  }
  const parsed = XbdPaymentRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new XbdError('VALIDATION_ERROR', 400, `${issue.path.join('.') || 'request'} ${issue.message}`);
  }
  const req = parsed.data;
  if (req.currency !== 'EUR') throw new XbdError('VALIDATION_ERROR', 400, `currency ${req.currency} is not supported, only EUR`);
  const ids = new Set(req.items.map((i) => i.id));
  if (ids.size !== req.items.length) throw new XbdError('VALIDATION_ERROR', 400, 'items carry the same id twice');
  let amounts;
  try {
    amounts = requestAmounts(req);
  } catch (err) {
    if (err instanceof ValidationError) throw new XbdError('VALIDATION_ERROR', 400, err.message);
    throw err;
  }
  if (amounts.sumMinor !== amounts.grossMinor) {
    throw new XbdError('CALCULATION_ERROR', 400, `grosAmount ${formatMinor(amounts.grossMinor, 'EUR')} is not the sum of the items (totalNetAmount plus totalTaxAmount) ${formatMinor(amounts.sumMinor, 'EUR')}`);
  }
  const zero = amounts.itemsMinor.findIndex((m) => m <= 0n);
  if (zero >= 0) throw new XbdError('VALIDATION_ERROR', 400, `items.${zero} has an amount of 0, nothing to pay`);
  const missing = req.items.flatMap((item, i) => {
    const absent = originator.requiredBookingData.filter((k) => !item.bookingData?.[k]?.trim());
    return absent.length > 0 ? [`items.${i} (${item.id}) lacks ${absent.join(', ')}`] : [];
  });
  if (missing.length > 0) throw new XbdError('BOOKING_DATA_MISSING', 400, `bookingData required for this originator is missing, ${missing.join('; ')}`);
  return req;
}

function debtorOf(req: XbdPaymentRequest): { name: string; address?: string } {
  const r = req.requestor;
  const family = r?.name ?? r?.lastName;
  const person = [r?.firstName, family].filter(Boolean).join(' ');
  const name = r?.isOrganization && r.organizationName ? (person ? `${r.organizationName} (${person})` : r.organizationName) : person || r?.organizationName;
  const a = r?.address;
  const address = a ? [[a.street, a.houseNumber].filter(Boolean).join(' '), ...(a.addressLine ?? []), [a.postalCode, a.city].filter(Boolean).join(' '), a.country].filter((x) => x && x.trim()).join(', ') : '';
  return { name: name && name.trim() ? name.trim().slice(0, 140) : 'Antragsteller (Online-Dienst)', ...(address ? { address: address.slice(0, 300) } : {}) };
}

/** JSON with sorted keys: the same request in another key order is the same request. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
