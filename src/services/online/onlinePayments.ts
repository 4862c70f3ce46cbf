/**
 * Paying a payment request online: the citizen's "Online bezahlen" asks the configured provider
 * for a transaction and is sent to the provider's hosted page (card data never reaches us). The
 * redirect back proves nothing: the status is always read from the provider (on return and by
 * polling), and only PAYED books anything.
 *
 * What PAYED books, in one database transaction:
 * - one OnlineAllocation per item, with the item's paid sum raised through applyItemBalanceChange
 *   (the item is paid, its issuing service is told);
 * - a ClearingMovement that puts the amount on the provider's clearing account: the provider owes
 *   it to us until its payout shows on a bank statement (settlement.ts clears it there).
 * Each item gets at most what it still owes when PAYED arrives: an item paid by a bank transfer (or
 * cancelled) while the citizen paid online gets less or nothing, and the rest stays on the payment
 * as `unallocatedMinor`, owed back to the citizen. Such a payment "needs attention" until a refund
 * is recorded (reversals.ts; GET /v1/online/payments?needsAttention=true, the staff dashboard).
 * Invariant, asserted after writing:
 *   amount = Σ online allocations + unallocatedMinor.
 */
import type { Actor, Ctx } from '../../context.js';
import { isUniqueViolation, type Tx } from '../../db/database.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { formatMinor } from '../../money/money.js';
import { applyItemBalanceChange } from '../items/changeOpenItem.js';
import { findPaymentRequestByToken, payableItems, type PaymentRequestView } from '../paymentRequests/paymentRequests.js';
import { writeAudit } from '../shared/audit.js';
import { newId } from '../shared/ids.js';
import { ProviderRejectedError, ProviderUnavailableError, type XbdClient } from './client.js';
import { checkStartNonce, onlineReturnUrl } from './signatures.js';
import { JsonDecimal } from './xbd/json.js';
import type { XbdPaymentInformation } from './xbd/protocol.js';

export const ONLINE_ACTOR: Actor = { type: 'system', id: 'online-payment', name: 'Online-Zahlung', scopes: new Set() };

/** The one list of an online payment's states (OnlinePayment.status). */
export const ONLINE_PAYMENT_STATUSES = ['created', 'initial', 'payed', 'failed', 'canceled', 'expired', 'unreachable', 'superseded'] as const;
export type OnlinePaymentStatus = (typeof ONLINE_PAYMENT_STATUSES)[number];
/** Statuses in which the provider may still report a payment: these are re-checked. */
export const OPEN_STATUSES: OnlinePaymentStatus[] = ['initial', 'expired', 'superseded'];
/** An expired or superseded payment is still asked about this long: a citizen who paid at the last moment is booked. */
export const EXPIRED_GRACE_MS = 24 * 3600_000;
/** Payments re-checked per polling round (put a limit on everything). */
export const POLL_BATCH = 100;

export interface OnlineDeps {
  client: XbdClient | null;
}

export interface OnlineLine {
  itemId: string;
  amountMinor: bigint;
}

type OnlinePaymentRow = NonNullable<Awaited<ReturnType<Tx['onlinePayment']['findUnique']>>>;

/** The start form was not one we issued for this request, too old, or used up: show the page again. */
export class StaleStartFormError extends ConflictError {}
/** An item of the attempt is collected by SEPA direct debit: paying it online would pay it twice. */
export class ItemCollectedByDebitError extends ConflictError {}
/** Another start for the same request is talking to the provider right now. */
export class OnlineStartInProgressError extends ConflictError {}

/** A start left in 'created' this long (a crashed process) no longer holds the request's live slot. */
const STALE_CREATED_MS = 2 * 60_000;

/**
 * Starts (or resumes) paying a request online; answers where to send the citizen. Only through the
 * form's POST with its one-time nonce (never a GET: link prefetchers would start transactions).
 *
 * One live attempt per request (the unique `liveKey`): an attempt still open for the same amounts
 * is resumed, so a second click makes no second transaction. One for other amounts (an item paid
 * in part or changed meanwhile) is marked superseded first; XBezahldienste cannot cancel it at the
 * provider, so it is still asked about, and a late PAYED is booked like any other (only what the
 * items still owe; the rest is owed back).
 */
export async function startOnlinePayment({ ctx, deps, input }: { ctx: Ctx; deps: OnlineDeps; input: { token: string; nonce: string } }): Promise<{ redirectUrl: string; onlinePaymentId: string }> {
  const client = deps.client;
  if (!client) throw new ConflictError('paying online is not offered');
  const found = await findPaymentRequestByToken({ ctx, input: { token: input.token } });
  if (found.state !== 'valid') throw new NotFoundError('payment link');
  const request = found.request;
  if (!(await checkStartNonce(ctx.config.online.returnSecret, request.id, input.nonce, ctx.clock.now()))) throw new StaleStartFormError('the start form is not valid for this payment request (any more)');
  const used = await ctx.db.prisma.onlinePayment.findUnique({ where: { startNonce: input.nonce } });
  if (used) {
    // The same form sent twice (a double click, the back button): the attempt it started, if still open.
    if (used.status === 'initial' && used.redirectUrl && !isOverdue(ctx, used)) return { redirectUrl: used.redirectUrl, onlinePaymentId: used.id };
    throw new StaleStartFormError('this start form was used already');
  }
  // Items collected by SEPA direct debit are not paid online too: the citizen would pay them twice.
  const lines: OnlineLine[] = payableItems(request.items).map((i) => ({ itemId: i.id, amountMinor: i.outstandingMinor }));
  if (lines.length === 0) {
    if (request.outstandingMinor > 0n) throw new ItemCollectedByDebitError('everything owed on this payment request is collected by SEPA direct debit; there is nothing to pay online');
    throw new ConflictError('nothing is owed on this payment request any more');
  }
  const amountMinor = lines.reduce((s, l) => s + l.amountMinor, 0n);
  const provider = client.provider;
  const liveKey = `${provider.key}:${request.id}`;

  const live = await ctx.db.prisma.onlinePayment.findUnique({ where: { liveKey } });
  if (live) {
    const resumed = await resumeOrRetire(ctx, client, live, lines);
    if (resumed) return resumed;
  }

  const id = newId();
  const reference = onlineReference();
  const now = ctx.clock.now();
  try {
    await ctx.db.transaction(async (tx) => {
      // A collection announced since the page was read: refused here, not paid twice.
      const collected = await tx.directDebit.findFirst({ where: { standingFor: { in: lines.map((l) => l.itemId) } }, select: { openItemId: true } });
      if (collected) throw new ItemCollectedByDebitError(`item ${collected.openItemId} is collected by SEPA direct debit now; reload the payment page`);
      await tx.onlinePayment.create({
        data: { id, provider: provider.key, paymentRequestId: request.id, reference, amountMinor, currency: request.currency, lines: linesJson(lines), status: 'created', liveKey, startNonce: input.nonce, createdAt: now, updatedAt: now },
      });
      await writeAudit(tx, ctx, { action: 'online_payment.started', subjectType: 'online_payment', subjectId: id, data: { provider: provider.key, paymentRequestId: request.id, amount: formatMinor(amountMinor, request.currency), reference, ...(live ? { replaces: live.id } : {}) } });
    });
  } catch (err) {
    // Another start for this request (or this very form) won the race: it goes on, this one does not.
    if (isUniqueViolation(err)) throw new OnlineStartInProgressError('an online payment for this request is being started');
    throw err;
  }

  let info: XbdPaymentInformation;
  try {
    info = await client.createTransaction(providerRequest(ctx, { id, reference, request, lines, amountMinor, returnUrl: await onlineReturnUrl(ctx.config, id) }));
  } catch (err) {
    const status: OnlinePaymentStatus = err instanceof ProviderUnavailableError ? 'unreachable' : 'failed';
    const detail = err instanceof ProviderRejectedError ? (err.functionalCode ?? `HTTP-${err.httpStatus}`) : 'PROVIDER-UNREACHABLE';
    await ctx.db.prisma.onlinePayment.updateMany({ where: { id, status: 'created' }, data: { status, statusDetail: detail, liveKey: null, updatedAt: ctx.clock.now(), version: { increment: 1 } } });
    ctx.log.warn({ onlinePaymentId: id, provider: provider.key, err: (err as Error).message }, 'starting an online payment failed');
    throw err;
  }
  const row = await ctx.db.prisma.onlinePayment.findUniqueOrThrow({ where: { id } });
  const after = await applyProviderStatus(ctx, row, info);
  if (after.status !== 'initial' || !after.redirectUrl) {
    throw new ProviderRejectedError(provider.name, 200, info.statusDetail, `the new transaction is ${info.status}${info.transactionRedirectUrl ? '' : ' without a payment page'}`);
  }
  return { redirectUrl: after.redirectUrl, onlinePaymentId: id };
}

/**
 * The request's live attempt: resumed when it is still open at the provider for the same amounts;
 * otherwise it gives up the live slot (expired, superseded, or whatever the provider says now).
 */
async function resumeOrRetire(ctx: Ctx, client: XbdClient, live: OnlinePaymentRow, lines: OnlineLine[]): Promise<{ redirectUrl: string; onlinePaymentId: string } | undefined> {
  if (live.status === 'created') {
    if (ctx.clock.now().getTime() - live.createdAt.getTime() < STALE_CREATED_MS) throw new OnlineStartInProgressError('an online payment for this request is being started');
    await retire(ctx, live, 'unreachable', 'START-INTERRUPTED');
    return undefined;
  }
  if (live.providerTransactionId && sameLines(live.lines, lines) && !isOverdue(ctx, live)) {
    const info = await client.getTransaction(live.providerTransactionId);
    const after = await applyProviderStatus(ctx, live, info);
    if (after.status === 'initial' && after.redirectUrl) return { redirectUrl: after.redirectUrl, onlinePaymentId: live.id };
    if (after.status === 'payed') throw new ConflictError('this payment request was just paid online');
    return undefined;
  }
  if (isOverdue(ctx, live)) await retire(ctx, live, 'expired');
  else await retire(ctx, live, 'superseded', 'SUPERSEDED');
  return undefined;
}

async function retire(ctx: Ctx, row: OnlinePaymentRow, status: OnlinePaymentStatus, statusDetail?: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const n = await tx.onlinePayment.updateMany({ where: { id: row.id, version: row.version, liveKey: { not: null } }, data: { status, ...(statusDetail ? { statusDetail } : {}), liveKey: null, redirectUrl: null, updatedAt: ctx.clock.now(), version: { increment: 1 } } });
    if (n.count !== 1) throw new OnlineStartInProgressError(`online payment ${row.reference} changed at the same moment`);
    if (status === 'superseded') {
      await writeAudit(tx, { ...ctx, actor: ONLINE_ACTOR }, { action: 'online_payment.superseded', subjectType: 'online_payment', subjectId: row.id, reason: 'the amounts owed changed while it was open; a new attempt replaces it', data: { reference: row.reference, providerTransactionId: row.providerTransactionId } });
    }
  });
  ctx.log.info({ onlinePaymentId: row.id, from: row.status, to: status }, 'online payment status changed');
}

/** Reads the payment's status from the provider and books what it says. */
export async function refreshOnlinePayment({ ctx, deps, input }: { ctx: Ctx; deps: OnlineDeps; input: { id: string } }): Promise<OnlinePaymentRow> {
  const row = await ctx.db.prisma.onlinePayment.findUnique({ where: { id: input.id } });
  if (!row) throw new NotFoundError('online payment', input.id);
  if (!OPEN_STATUSES.includes(row.status as OnlinePaymentStatus) || !row.providerTransactionId) return row;
  const client = deps.client;
  if (!client || client.provider.key !== row.provider) throw new ConflictError(`online payment ${row.id} belongs to provider ${row.provider}, which is not configured`);
  const info = await client.getTransaction(row.providerTransactionId);
  return applyProviderStatus(ctx, row, info);
}

/** One polling round over unfinished payments; a provider that is down just leaves them for the next. */
export async function pollOnlinePayments({ ctx, deps }: { ctx: Ctx; deps: OnlineDeps }): Promise<{ checked: number; changed: number; unreachable: boolean }> {
  const client = deps.client;
  if (!client) return { checked: 0, changed: 0, unreachable: false };
  const now = ctx.clock.now();
  const due = await ctx.db.prisma.onlinePayment.findMany({
    where: {
      provider: client.provider.key,
      OR: [{ status: 'initial' }, { status: { in: ['expired', 'superseded'] }, createdAt: { gte: new Date(now.getTime() - EXPIRED_GRACE_MS) } }],
    },
    orderBy: [{ lastCheckedAt: { sort: 'asc', nulls: 'first' } }, { createdAt: 'asc' }],
    take: POLL_BATCH,
  });
  let changed = 0;
  for (const row of due) {
    try {
      const after = await refreshOnlinePayment({ ctx, deps, input: { id: row.id } });
      if (after.status !== row.status) changed++;
    } catch (err) {
      if (err instanceof ProviderUnavailableError) return { checked: due.indexOf(row), changed, unreachable: true };
      ctx.log.warn({ onlinePaymentId: row.id, err: (err as Error).message }, 're-checking an online payment failed');
    }
  }
  return { checked: due.length, changed, unreachable: false };
}

/** Moves the payment to what the provider reports; PAYED books it. Returns the row as it is now. */
export async function applyProviderStatus(ctx: Ctx, row: OnlinePaymentRow, info: XbdPaymentInformation): Promise<OnlinePaymentRow> {
  const now = ctx.clock.now();
  const common = { lastCheckedAt: now, checks: { increment: 1 }, updatedAt: now, version: { increment: 1 } };
  const facts = {
    providerTransactionId: row.providerTransactionId ?? info.transactionId,
    ...(info.transactionReference ? { transactionReference: info.transactionReference } : {}),
    ...(info.statusDetail ? { statusDetail: info.statusDetail } : {}),
    ...(info.paymentMethod ? { paymentMethod: info.paymentMethod } : {}),
    ...(info.paymentMethodDetail ? { paymentMethodDetail: info.paymentMethodDetail } : {}),
  };
  if (row.providerTransactionId && info.transactionId !== row.providerTransactionId) {
    throw new ConflictError(`provider answered transaction ${info.transactionId} for online payment ${row.id}, which is ${row.providerTransactionId}`);
  }
  if (info.status === 'PAYED') {
    await ctx.db.transaction((tx) => bookPayed(tx, { ...ctx, actor: ONLINE_ACTOR }, row, { ...facts, ...common }));
  } else {
    let status: OnlinePaymentStatus = info.status === 'FAILED' ? 'failed' : info.status === 'CANCELED' ? 'canceled' : row.status === 'created' ? 'initial' : (row.status as OnlinePaymentStatus);
    if (status === 'initial' && isOverdue(ctx, row)) status = 'expired';
    const redirectUrl = info.status === 'INITIAL' && status === 'initial' ? (info.transactionRedirectUrl ?? row.redirectUrl) : null;
    // Only a created or initial attempt holds the request's live slot.
    const liveKey = status === 'initial' ? row.liveKey : null;
    const n = await ctx.db.prisma.onlinePayment.updateMany({ where: { id: row.id, version: row.version }, data: { ...facts, ...common, status, redirectUrl, liveKey } });
    if (n.count === 1 && status !== row.status) ctx.log.info({ onlinePaymentId: row.id, from: row.status, to: status }, 'online payment status changed');
  }
  return ctx.db.prisma.onlinePayment.findUniqueOrThrow({ where: { id: row.id } });
}

async function bookPayed(tx: Tx, ctx: Ctx, row: OnlinePaymentRow, data: Record<string, unknown>): Promise<void> {
  // Claimed under the version read: two pollers (or a poll and the citizen's return) book it once.
  const claimed = await tx.onlinePayment.updateMany({
    where: { id: row.id, version: row.version, status: { in: ['created', ...OPEN_STATUSES] } },
    data: { ...data, status: 'payed', payedAt: ctx.clock.now(), redirectUrl: null, liveKey: null },
  });
  if (claimed.count !== 1) return;
  const now = ctx.clock.now();
  const createdBy = `${ctx.actor.type}:${ctx.actor.id}`;
  const reason = `paid online via ${row.provider} (transaction ${String(data.providerTransactionId)}, reference ${row.reference})`;
  let unallocated = 0n;
  const booked: Array<{ itemId: string; allocationId: string; amount: string }> = [];
  const surplus: Array<{ itemId: string; amount: string; why: string }> = [];
  const lines = parseLines(row.lines);
  // An attempt started before the item's direct debit went to the bank (a late PAYED of a superseded
  // attempt): the bank collects the item, so this money is owed back rather than paying it twice.
  const atBank = new Set((await tx.directDebit.findMany({ where: { standingFor: { in: lines.map((l) => l.itemId) }, state: 'sent' }, select: { openItemId: true } })).map((d) => d.openItemId));
  for (const line of lines) {
    const item = await tx.openItem.findUnique({ where: { id: line.itemId } });
    // What the item still owes now, not what it owed when the citizen started: a bank transfer may
    // have paid it meanwhile. applyItemBalanceChange checks the item's version, so a transfer booked
    // at the same moment makes this transaction fail and the next check books it again.
    const outstanding = !item || item.cancelledAt || atBank.has(line.itemId) ? 0n : item.amountMinor - item.paidMinor;
    const amount = line.amountMinor < outstanding ? line.amountMinor : outstanding > 0n ? outstanding : 0n;
    if (amount < line.amountMinor) {
      unallocated += line.amountMinor - amount;
      const why = !item ? 'item unknown' : item.cancelledAt ? 'item cancelled' : atBank.has(line.itemId) ? 'item collected by SEPA direct debit' : 'item already paid';
      surplus.push({ itemId: line.itemId, amount: formatMinor(line.amountMinor - amount, row.currency), why });
    }
    if (amount === 0n) continue;
    const allocationId = newId();
    await tx.onlineAllocation.create({ data: { id: allocationId, onlinePaymentId: row.id, openItemId: line.itemId, amountMinor: amount, currency: row.currency, reason, createdBy, createdAt: now } });
    await applyItemBalanceChange(tx, ctx, line.itemId, amount, { kind: 'allocation', allocationId, reason });
    booked.push({ itemId: line.itemId, allocationId, amount: formatMinor(amount, row.currency) });
  }
  if (unallocated > 0n) {
    await tx.onlinePayment.update({ where: { id: row.id }, data: { unallocatedMinor: unallocated } });
    ctx.log.warn({ onlinePaymentId: row.id, unallocated: formatMinor(unallocated, row.currency), surplus }, 'online payment PAYED for items no longer owing it: the rest is to be refunded');
  }
  await tx.clearingMovement.create({
    data: { id: newId(), provider: row.provider, amountMinor: row.amountMinor, currency: row.currency, reason: 'payment_received', onlinePaymentId: row.id, note: `online payment ${row.reference}`, createdBy, createdAt: now },
  });
  await writeAudit(tx, ctx, {
    action: 'online_payment.payed',
    subjectType: 'online_payment',
    subjectId: row.id,
    reason,
    data: { allocations: booked, unallocated: formatMinor(unallocated, row.currency), surplus, clearing: formatMinor(row.amountMinor, row.currency), provider: row.provider },
  });
  await assertOnlinePaymentBalanced(tx, row.id);
}

/** Asserted after booking: every cent of a PAYED payment is on an item or owed back. */
export async function assertOnlinePaymentBalanced(tx: Tx, id: string): Promise<void> {
  const p = await tx.onlinePayment.findUniqueOrThrow({ where: { id } });
  const agg = await tx.onlineAllocation.aggregate({ where: { onlinePaymentId: id }, _sum: { amountMinor: true } });
  const allocated = agg._sum.amountMinor ?? 0n;
  if (p.status === 'payed' && allocated + p.unallocatedMinor !== p.amountMinor) {
    throw new Error(`invariant: online payment ${id} of ${p.amountMinor} has ${allocated} allocated and ${p.unallocatedMinor} unallocated`);
  }
}

function isOverdue(ctx: Ctx, row: { createdAt: Date }): boolean {
  return ctx.clock.now().getTime() - row.createdAt.getTime() > ctx.config.online.paymentTtlMinutes * 60_000;
}

function providerRequest(ctx: Ctx, p: { id: string; reference: string; request: PaymentRequestView; lines: OnlineLine[]; amountMinor: bigint; returnUrl: string }) {
  const byId = new Map(p.request.items.map((i) => [i.id, i]));
  const dec = (minor: bigint) => new JsonDecimal(formatMinor(minor, 'EUR'));
  return {
    requestId: p.id,
    requestTimestamp: ctx.clock.now().toISOString(),
    currency: 'EUR',
    grosAmount: dec(p.amountMinor),
    purpose: p.reference,
    description: xbdText(`${p.request.creditor.name} ${p.lines.map((l) => byId.get(l.itemId)!.kassenzeichenDisplay).join(' ')}`, 250),
    redirectUrl: p.returnUrl,
    items: p.lines.map((l) => {
      const item = byId.get(l.itemId)!;
      return {
        id: item.id,
        reference: item.kassenzeichen.replace(/[^\w-]/g, '-').slice(0, 36),
        description: xbdText(item.description || item.kassenzeichenDisplay, 250),
        taxRate: new JsonDecimal('0'),
        quantity: new JsonDecimal('1'),
        totalNetAmount: dec(l.amountMinor),
        totalTaxAmount: dec(0n),
        singleNetAmount: dec(l.amountMinor),
        singleTaxAmount: dec(0n),
        bookingData: { kassenzeichen: item.kassenzeichen },
      };
    }),
    requestor: { name: xbdText(p.request.debtorName, 100) },
  };
}

/** Text as XBezahldienste allows it (letters incl. umlauts, digits, spaces, - , .). */
export function xbdText(text: string, max: number): string {
  return text.replace(/[^\w\s\-,.\u00C0-\u017F]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max);
}

const REF_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** "OP-7K2M9QX4TB": short enough for purpose (27), unambiguous when a bank upper-cases it. */
export function onlineReference(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return `OP-${[...bytes].map((b) => REF_ALPHABET[b % 32]).join('')}`;
}

export function linesJson(lines: OnlineLine[]): string {
  return JSON.stringify(lines.map((l) => ({ itemId: l.itemId, amountMinor: l.amountMinor.toString() })));
}

export function parseLines(json: string): OnlineLine[] {
  return (JSON.parse(json) as Array<{ itemId: string; amountMinor: string }>).map((l) => ({ itemId: l.itemId, amountMinor: BigInt(l.amountMinor) }));
}

function sameLines(json: string, lines: OnlineLine[]): boolean {
  return json === linesJson(lines);
}
