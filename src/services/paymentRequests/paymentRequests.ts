/**
 * Payment requests: what a citizen is asked to pay for one or several open items of one debtor,
 * with everything needed to pay (payee, amount, reference, GiroCode) and an unguessable link to a
 * public page.
 *
 * The link's token (32 base-62 characters, ~190 bits) is looked up by its SHA-256 hash, so the page
 * never compares secrets and a Kassenzeichen alone finds nothing. The token itself is also kept so
 * the issuing service can fetch the link again (GET /v1/payment-requests/{id}); whoever can read
 * that table can read the debtor data the page shows anyway.
 *
 * What is owed is always computed from the items as they are now: a request for two items of which
 * one has been paid asks, on the page and in its GiroCode, for the other one only.
 *
 * What to pay now leaves out items the city collects by SEPA direct debit (announced, in a run, or
 * sent to the bank): the GiroCode, the transfer amount and an online payment all ask for the rest
 * only, so a citizen who scans the code does not pay an item a second time.
 */
import type { Ctx } from '../../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { writeAudit } from '../shared/audit.js';
import { newId, randomToken, sha256Hex } from '../shared/ids.js';
import { kassenzeichenDisplay, schemesOf } from '../items/kassenzeichen.js';
import { seesAllItems, type OpenItemRow } from '../items/model.js';
import { readVisibleItems } from '../items/queries.js';
import { outstandingMinor, type ItemStatus } from '../items/status.js';
import { paymentInstruction, type Creditor } from './instruction.js';

/** Items per request: more would not fit the 140 characters of remittance anyway (12-character Kassenzeichen: 9). */
export const MAX_ITEMS_PER_REQUEST = 20;
export const TOKEN_LENGTH = 32;
const TOKEN_FORMAT = /^[0-9A-Za-z]{32}$/;
const DAY_MS = 86_400_000;

export type PaymentRequestStatus = 'open' | 'partly_paid' | 'paid' | 'cancelled';

export interface PaymentRequestItemView {
  id: string;
  kassenzeichen: string;
  kassenzeichenDisplay: string;
  rfReference: string | null;
  category: string;
  description: string;
  dueDate: string;
  /** What this request asked for this item (its outstanding amount when the request was made). */
  requestedMinor: bigint;
  /** What is owed on the item now. */
  outstandingMinor: bigint;
  status: ItemStatus;
  /** A SEPA direct debit of this item stands (announced, in a run, sent): it is not paid any other way. */
  collectedByDirectDebit: boolean;
}

export interface PaymentRequestView {
  id: string;
  token: string;
  createdAt: Date;
  expiresAt: Date;
  expired: boolean;
  /** The language the citizen page opens in, as the service that asked for the payment chose it; null: the browser's. */
  locale: 'de' | 'en' | null;
  creditor: { name: string; iban: string; bic: string | null };
  debtorName: string;
  currency: string;
  dueDate: string;
  /** As requested. */
  totalMinor: bigint;
  /** Owed now, over the items that are not cancelled. */
  outstandingMinor: bigint;
  /** What to pay now: owed, less the items collected by direct debit. The transfer and online amount. */
  payNowMinor: bigint;
  status: PaymentRequestStatus;
  /** The transfer to make now (items collected by direct debit left out): null when there is none to make. */
  current: { reference: string | null; remittance: string | null; epcPayload: string } | null;
  issued: { reference: string | null; remittance: string | null; epcPayload: string };
  items: PaymentRequestItemView[];
}

export async function createPaymentRequest({ ctx, input }: { ctx: Ctx; input: { itemIds: string[]; locale?: 'de' | 'en' } }): Promise<PaymentRequestView> {
  const ids = [...new Set(input.itemIds)];
  if (ids.length !== input.itemIds.length) throw new ValidationError('itemIds: an item is listed twice', { field: 'itemIds' });
  if (ids.length === 0 || ids.length > MAX_ITEMS_PER_REQUEST) throw new ValidationError(`itemIds: 1 to ${MAX_ITEMS_PER_REQUEST} items per request`, { field: 'itemIds' });
  const creditor: Creditor = ctx.config.creditor;
  const token = randomToken(TOKEN_LENGTH);
  const id = newId();
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + ctx.config.paymentLinkTtlDays * DAY_MS);

  // Nothing here changes the items, so they are read before the transaction; a payment that
  // lands meanwhile shows on the page, which always computes what is owed now.
  const items = await readVisibleItems(ctx, ids);
  items.forEach((item, i) => {
    if (item.cancelledAt) throw new ConflictError(`itemIds.${i}: open item ${item.kassenzeichen} is cancelled and cannot be asked for`, { field: `itemIds.${i}` });
    if (outstandingOf(item) === 0n) throw new ConflictError(`itemIds.${i}: open item ${item.kassenzeichen} is already paid in full`, { field: `itemIds.${i}` });
  });
  const first = items[0]!;
  // "Müller, Jürgen" from the finance system and "Jürgen Müller" from a web form are one debtor:
  // the folded names are compared as sets of words.
  const other = items.findIndex((item) => debtorIdentity(item) !== debtorIdentity(first));
  if (other >= 0) {
    // Names are not repeated in the message: it goes into problem documents and client logs.
    throw new ValidationError(`itemIds.${other}: open item ${items[other]!.kassenzeichen} belongs to another debtor than ${first.kassenzeichen}; one request is for one debtor`, { field: `itemIds.${other}` });
  }
  const lines = items.map((item) => ({ kassenzeichen: item.kassenzeichen, printed: item.kassenzeichenAsIssued, rfReference: item.rfReference, amountMinor: outstandingOf(item) }));
  const instruction = paymentInstruction(lines, creditor);
  const tokenHash = await sha256Hex(token);
  await ctx.db.transaction(async (tx) => {
    await tx.paymentRequest.create({
      data: {
        id,
        tokenHash,
        token,
        creditorAccountId: null,
        creditorName: creditor.name,
        creditorIban: creditor.iban,
        creditorBic: creditor.bic ?? null,
        debtorName: first.debtorName,
        totalMinor: instruction.totalMinor,
        currency: 'EUR',
        dueDate: items.map((i) => i.dueDate).sort()[0]!,
        reference: instruction.reference,
        remittance: instruction.remittance ?? '',
        epcPayload: instruction.epcPayload,
        // 'auto': none was asked for, the browser's language decides.
        locale: input.locale ?? 'auto',
        expiresAt,
        createdByClientId: ctx.actor.type === 'client' ? ctx.actor.id : null,
        createdAt: now,
      },
    });
    await tx.paymentRequestItem.createMany({ data: lines.map((l, position) => ({ paymentRequestId: id, openItemId: items[position]!.id, amountMinor: l.amountMinor, position })) });
    await writeAudit(tx, ctx, {
      action: 'payment_request.created',
      subjectType: 'payment_request',
      subjectId: id,
      data: { itemIds: ids, totalMinor: instruction.totalMinor, expiresAt: expiresAt.toISOString() },
    });
  });
  return getPaymentRequest({ ctx, input: { id } });
}

export async function getPaymentRequest({ ctx, input }: { ctx: Ctx; input: { id: string } }): Promise<PaymentRequestView> {
  const row = await loadRequest(ctx, { id: input.id });
  if (!row || (!seesAllItems(ctx.actor) && row.createdByClientId !== ctx.actor.id)) throw new NotFoundError('payment request', input.id);
  return toView(ctx, row, await collectedItems(ctx, row));
}

export type PaymentPageLookup = { state: 'unknown' } | { state: 'expired'; expiredAt: Date } | { state: 'valid'; request: PaymentRequestView };

/** The public page's lookup: only the token finds a request. Malformed tokens never reach the database. */
export async function findPaymentRequestByToken({ ctx, input }: { ctx: Pick<Ctx, 'db' | 'config' | 'clock'>; input: { token: string } }): Promise<PaymentPageLookup> {
  if (!TOKEN_FORMAT.test(input.token)) return { state: 'unknown' };
  const row = await loadRequest(ctx, { tokenHash: await sha256Hex(input.token) });
  if (!row) return { state: 'unknown' };
  if (ctx.clock.now() >= row.expiresAt) return { state: 'expired', expiredAt: row.expiresAt };
  return { state: 'valid', request: toView(ctx, row, await collectedItems(ctx, row)) };
}

/**
 * The request's items a direct debit stands for (`standingFor` is the item's id while its debit is
 * announced, in a run or sent). At most MAX_ITEMS_PER_REQUEST ids.
 */
async function collectedItems(ctx: Pick<Ctx, 'db'>, row: LoadedRequest): Promise<Set<string>> {
  const ids = row.items.map((ri) => ri.openItemId);
  if (ids.length === 0) return new Set();
  const standing = await ctx.db.prisma.directDebit.findMany({ where: { standingFor: { in: ids } }, select: { openItemId: true } });
  return new Set(standing.map((d) => d.openItemId));
}

async function loadRequest(ctx: Pick<Ctx, 'db'>, where: { id: string } | { tokenHash: string }) {
  return ctx.db.prisma.paymentRequest.findUnique({ where, include: { items: { orderBy: { position: 'asc' }, include: { openItem: true } } } });
}

type LoadedRequest = NonNullable<Awaited<ReturnType<typeof loadRequest>>>;

function toView(ctx: Pick<Ctx, 'config' | 'clock'>, row: LoadedRequest, collected: ReadonlySet<string>): PaymentRequestView {
  const schemes = schemesOf(ctx.config);
  const items: PaymentRequestItemView[] = row.items.map((ri) => {
    const item = ri.openItem;
    return {
      id: item.id,
      kassenzeichen: item.kassenzeichen,
      kassenzeichenDisplay: kassenzeichenDisplay(schemes, item),
      rfReference: item.rfReference,
      category: item.category,
      description: item.description,
      dueDate: item.dueDate,
      requestedMinor: ri.amountMinor,
      outstandingMinor: outstandingOf(item),
      status: item.status as ItemStatus,
      collectedByDirectDebit: collected.has(item.id),
    };
  });
  const printedOf = new Map(row.items.map((ri) => [ri.openItem.id, ri.openItem.kassenzeichenAsIssued] as const));
  const live = items.filter((i) => i.status !== 'cancelled');
  const owed = live.filter((i) => i.outstandingMinor > 0n);
  const outstanding = owed.reduce((s, i) => s + i.outstandingMinor, 0n);
  const status: PaymentRequestStatus =
    live.length === 0 ? 'cancelled' : outstanding === 0n ? 'paid' : outstanding < live.reduce((s, i) => s + i.requestedMinor, 0n) ? 'partly_paid' : 'open';
  const creditor = { name: row.creditorName, iban: row.creditorIban, bic: row.creditorBic };
  const payable = payableItems(items);
  const payNow = payable.reduce((s, i) => s + i.outstandingMinor, 0n);
  let current: PaymentRequestView['current'] = null;
  if (payable.length > 0) {
    const unchanged = payNow === row.totalMinor && payable.length === items.length;
    // The issued payload is reused while nothing changed, so the page shows exactly what was sent out.
    current = unchanged
      ? { reference: row.reference, remittance: row.remittance || null, epcPayload: row.epcPayload }
      : pick(paymentInstruction(payable.map((i) => ({ kassenzeichen: i.kassenzeichen, printed: printedOf.get(i.id) ?? null, rfReference: i.rfReference, amountMinor: i.outstandingMinor })), creditor));
  }
  return {
    id: row.id,
    token: row.token,
    locale: row.locale === 'en' || row.locale === 'de' ? row.locale : null,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    expired: ctx.clock.now() >= row.expiresAt,
    creditor,
    debtorName: row.debtorName,
    currency: row.currency,
    dueDate: row.dueDate,
    totalMinor: row.totalMinor,
    outstandingMinor: outstanding,
    payNowMinor: payNow,
    status,
    current,
    issued: { reference: row.reference, remittance: row.remittance || null, epcPayload: row.epcPayload },
    items,
  };
}

/** The items to pay now, by transfer or online: owed, and not collected by direct debit. Pure. */
export function payableItems<I extends Pick<PaymentRequestItemView, 'status' | 'outstandingMinor' | 'collectedByDirectDebit'>>(items: readonly I[]): I[] {
  return items.filter((i) => i.status !== 'cancelled' && i.outstandingMinor > 0n && !i.collectedByDirectDebit);
}

function pick(i: { reference: string | null; remittance: string | null; epcPayload: string }) {
  return { reference: i.reference, remittance: i.remittance, epcPayload: i.epcPayload };
}

function outstandingOf(item: OpenItemRow): bigint {
  return outstandingMinor(item.amountMinor, item.paidMinor, item.cancelledAt !== null);
}

function debtorIdentity(item: OpenItemRow): string {
  return item.debtorNameKey.split(' ').sort().join(' ');
}
