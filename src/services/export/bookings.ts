/**
 * The booking export for the finance system: every allocation, reversal and suspense movement, and
 * every booking of paying online — the online allocation that paid an item, its reversal, and the
 * provider's clearing account (received, settled by a payout on the statement, fee, reversed) — in
 * the order they were booked, each line traceable to its bank entry (where there is one), its open
 * item and its online payment.
 *
 * Two forms: one day as CSV (for people and for file-based imports) and a cursor-paged JSON feed
 * (for systems that poll). The feed's order is (bookedAt, id) across all kinds of rows.
 *
 * Why lines younger than EXPORT_SETTLE_MS are held back: `bookedAt` is stamped inside the booking's
 * database transaction, not at its commit. A matching run books up to 200 receipts per transaction
 * and a transaction may take up to its 60 s timeout, so a row stamped 10:00:00 can become visible
 * at 10:00:59, after a poller has moved its cursor past 10:00:30. Serving only rows older than the
 * longest transaction (plus margin for clock skew between instances) means a cursor never passes a
 * row that is still to appear: no gaps, and no repeats because the cursor is strictly "after".
 */
import type { Ctx } from '../../context.js';
import { LimitExceededError, ValidationError } from '../../errors.js';
import { formatMinor } from '../../money/money.js';
import type { KassenzeichenSchemes } from '../../references/kassenzeichen.js';
import { kassenzeichenDisplay, schemesOf } from '../items/kassenzeichen.js';
import { decodeCursor, encodeCursor, pageLimit } from '../shared/paging.js';
import { cityDayRange, isIsoDay } from '../review/dates.js';

export const EXPORT_SETTLE_MS = 120_000;
/** Lines in one day's CSV; a busier day is read through the JSON feed. */
export const EXPORT_DAY_MAX_LINES = 100_000;

export const LINE_TYPES = [
  'allocation',
  'reversal',
  'suspense_in',
  'suspense_out',
  /** An online payment PAYED, booked to an item (no bank entry: the provider collected it). */
  'online_allocation',
  /** A chargeback or refund by the provider: undoes an online allocation, or refunds its unallocated part. */
  'online_reversal',
  /** The provider's clearing account: it owes us an online payment PAYED (+). */
  'clearing_received',
  /** … its payout on our bank statement cleared it (−, with the bank entry). */
  'clearing_settled',
  /** … the provider kept its fee (−). */
  'clearing_fee',
  /** … a chargeback or refund: it owes us that much less (−). */
  'clearing_reversed',
  'clearing_written_off',
] as const;
export type LineType = (typeof LINE_TYPES)[number];

const CLEARING_TYPES: Record<string, LineType> = { payment_received: 'clearing_received', settled: 'clearing_settled', fee: 'clearing_fee', reversed: 'clearing_reversed', written_off: 'clearing_written_off' };

export interface BookingLine {
  type: LineType;
  /** The row's id: allocation, reversal, suspense movement, online allocation or reversal, clearing movement. */
  id: string;
  bookedAt: string;
  /** Signed: reversals and money leaving suspense are negative. */
  amount: string;
  currency: string;
  /** The allocation a reversal undoes (and the allocation itself for an allocation line); online allocations alike. */
  allocationId: string | null;
  itemId: string | null;
  kassenzeichen: string | null;
  /** As the finance system printed it ("GEB-2026-4711"), or the scheme's grouping of a generated one. */
  kassenzeichenDisplay: string | null;
  itemExternalRef: string | null;
  /** The item's booking data as the issuing service gave it (Haushaltsstelle, Sachkonto …). */
  bookingData: Record<string, unknown>;
  /** For suspense lines: unassigned, overpayment, allocated … */
  suspenseReason: string | null;
  /** The bank fields are null for a line without a bank entry (online allocations, fees, clearing received). */
  transactionId: string | null;
  statementBankId: string | null;
  accountIban: string | null;
  entryAccountServicerRef: string | null;
  /** entryRef#txIndex, as in the review queue and the reconcile contract. */
  entryRef: string | null;
  bookingDate: string | null;
  valueDate: string | null;
  payerName: string | null;
  /** Who decided the booking (the proposer, for a booking that needed approval). */
  who: string;
  approvedBy: string | null;
  reason: string;
  /** For the lines of paying online: the online payment and its provider (key as configured). */
  onlinePaymentId: string | null;
  provider: string | null;
}

interface Key {
  at: Date;
  id: string;
}

const before = (a: Key, b: Key) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function afterWhere(after: Key | undefined) {
  return after ? { OR: [{ createdAt: { gt: after.at } }, { createdAt: after.at, id: { gt: after.id } }] } : {};
}

const RECEIPT = { include: { entry: { include: { statement: { select: { bankStatementId: true, accountIban: true } } } } } } as const;
const ITEM = { select: { id: true, kassenzeichen: true, kassenzeichenAsIssued: true, externalRef: true, bookingData: true } } as const;

type ReceiptWithEntry = {
  id: string;
  entryRef: string;
  position: number;
  debtorName: string | null;
  ultimateDebtorName: string | null;
  bookingDate: string | null;
  entry: { accountServicerReference: string | null; bookingDate: string | null; valueDate: string | null; statement: { bankStatementId: string; accountIban: string | null } };
};

const NO_BANK = { transactionId: null, statementBankId: null, accountIban: null, entryAccountServicerRef: null, entryRef: null, bookingDate: null, valueDate: null, payerName: null };
const NOT_ONLINE = { onlinePaymentId: null, provider: null };

function traced(t: ReceiptWithEntry) {
  return {
    transactionId: t.id,
    statementBankId: t.entry.statement.bankStatementId,
    accountIban: t.entry.statement.accountIban,
    entryAccountServicerRef: t.entry.accountServicerReference,
    entryRef: `${t.entryRef}#${t.position}`,
    bookingDate: t.bookingDate ?? t.entry.bookingDate,
    valueDate: t.entry.valueDate,
    payerName: t.debtorName ?? t.ultimateDebtorName,
  };
}

function itemFields(schemes: KassenzeichenSchemes, i: { id: string; kassenzeichen: string; kassenzeichenAsIssued: string | null; externalRef: string | null; bookingData: string } | null) {
  if (!i) return { itemId: null, kassenzeichen: null, kassenzeichenDisplay: null, itemExternalRef: null, bookingData: {} };
  let bookingData: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(i.bookingData) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) bookingData = parsed as Record<string, unknown>;
  } catch {
    // Stored by the items API as JSON; anything else is shown as empty rather than failing the export.
  }
  return { itemId: i.id, kassenzeichen: i.kassenzeichen, kassenzeichenDisplay: kassenzeichenDisplay(schemes, i), itemExternalRef: i.externalRef, bookingData };
}

/**
 * Up to `limit` lines after `after` with bookedAt in [from, to), merged from the six ledgers. Each is
 * read in (createdAt, id) order with limit + 1 rows, so the first `limit` of the merge are exactly
 * the first `limit` overall: no row can be skipped, whichever ledger it is in.
 */
async function readLines(ctx: Ctx, range: { from?: Date; to: Date; after?: Key }, limit: number): Promise<{ lines: BookingLine[]; more: boolean }> {
  const db = ctx.db.prisma;
  const schemes = schemesOf(ctx.config);
  const time = { createdAt: { ...(range.from ? { gte: range.from } : {}), lt: range.to } };
  const where = { AND: [time, afterWhere(range.after)] };
  const orderBy = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];
  const take = limit + 1;
  const [allocations, reversals, movements, onlineAllocations, onlineReversals, clearing] = await Promise.all([
    db.allocation.findMany({ where, orderBy, take, include: { openItem: ITEM, transaction: RECEIPT } }),
    db.allocationReversal.findMany({ where, orderBy, take, include: { allocation: { include: { openItem: ITEM, transaction: RECEIPT } } } }),
    db.suspenseMovement.findMany({ where, orderBy, take, include: { transaction: RECEIPT } }),
    db.onlineAllocation.findMany({ where, orderBy, take, include: { onlinePayment: { select: { provider: true } } } }),
    db.onlineReversal.findMany({ where, orderBy, take, include: { onlineAllocation: true, onlinePayment: { select: { provider: true } } } }),
    db.clearingMovement.findMany({ where, orderBy, take }),
  ]);
  // Online allocations name their item by id only, clearing movements their bank receipt.
  const itemIds = [...new Set([...onlineAllocations.map((a) => a.openItemId), ...onlineReversals.flatMap((r) => (r.onlineAllocation ? [r.onlineAllocation.openItemId] : []))])];
  const items = new Map((itemIds.length > 0 ? await db.openItem.findMany({ where: { id: { in: itemIds } }, ...ITEM }) : []).map((i) => [i.id, i]));
  const receiptIds = [...new Set(clearing.map((m) => m.bankTransactionId).filter((x): x is string => Boolean(x)))];
  const receipts = new Map((receiptIds.length > 0 ? await db.bankTransaction.findMany({ where: { id: { in: receiptIds } }, ...RECEIPT }) : []).map((r) => [r.id, r]));

  // Bookings that needed four eyes: who proposed and who approved them.
  const txIds = [...new Set([...allocations.map((a) => a.transactionId), ...reversals.map((r) => r.allocation.transactionId)])];
  const approvals = txIds.length > 0 ? await db.approval.findMany({ where: { transactionId: { in: txIds }, status: 'approved' } }) : [];
  const byId = new Map(approvals.map((a) => [a.id, a]));
  const reversalApproval = new Map<string, (typeof approvals)[number]>();
  for (const a of approvals) {
    if (a.kind !== 'reversal') continue;
    const allocationId = (JSON.parse(a.payload) as { plan?: { allocationId?: string } }).plan?.allocationId;
    if (allocationId) reversalApproval.set(allocationId, a);
  }

  const lines: Array<BookingLine & { key: Key }> = [];
  for (const a of allocations) {
    const approval = a.approvalId ? byId.get(a.approvalId) : undefined;
    lines.push({
      key: { at: a.createdAt, id: a.id },
      type: 'allocation',
      id: a.id,
      bookedAt: a.createdAt.toISOString(),
      amount: formatMinor(a.amountMinor, a.currency),
      currency: a.currency,
      allocationId: a.id,
      ...itemFields(schemes, a.openItem),
      suspenseReason: null,
      ...traced(a.transaction),
      who: approval?.proposedBy ?? a.createdBy,
      approvedBy: approval?.decidedBy ?? null,
      reason: a.reason,
      ...NOT_ONLINE,
    });
  }
  for (const r of reversals) {
    const a = r.allocation;
    const approval = reversalApproval.get(a.id);
    lines.push({
      key: { at: r.createdAt, id: r.id },
      type: 'reversal',
      id: r.id,
      bookedAt: r.createdAt.toISOString(),
      amount: formatMinor(-a.amountMinor, a.currency),
      currency: a.currency,
      allocationId: a.id,
      ...itemFields(schemes, a.openItem),
      suspenseReason: null,
      ...traced(a.transaction),
      who: approval?.proposedBy ?? r.createdBy,
      approvedBy: approval?.decidedBy ?? null,
      reason: r.reason,
      ...NOT_ONLINE,
    });
  }
  for (const m of movements) {
    lines.push({
      key: { at: m.createdAt, id: m.id },
      type: m.amountMinor >= 0n ? 'suspense_in' : 'suspense_out',
      id: m.id,
      bookedAt: m.createdAt.toISOString(),
      amount: formatMinor(m.amountMinor, m.currency),
      currency: m.currency,
      allocationId: null,
      ...itemFields(schemes, null),
      suspenseReason: m.reason,
      ...traced(m.transaction),
      who: m.createdBy,
      approvedBy: null,
      reason: m.note ?? m.reason,
      ...NOT_ONLINE,
    });
  }
  for (const a of onlineAllocations) {
    lines.push({
      key: { at: a.createdAt, id: a.id },
      type: 'online_allocation',
      id: a.id,
      bookedAt: a.createdAt.toISOString(),
      amount: formatMinor(a.amountMinor, a.currency),
      currency: a.currency,
      allocationId: a.id,
      ...itemFields(schemes, items.get(a.openItemId) ?? null),
      suspenseReason: null,
      ...NO_BANK,
      who: a.createdBy,
      approvedBy: null,
      reason: a.reason,
      onlinePaymentId: a.onlinePaymentId,
      provider: a.onlinePayment.provider,
    });
  }
  for (const r of onlineReversals) {
    const a = r.onlineAllocation;
    lines.push({
      key: { at: r.createdAt, id: r.id },
      type: 'online_reversal',
      id: r.id,
      bookedAt: r.createdAt.toISOString(),
      amount: formatMinor(-r.amountMinor, r.currency),
      currency: r.currency,
      allocationId: a?.id ?? null,
      ...itemFields(schemes, a ? (items.get(a.openItemId) ?? null) : null),
      suspenseReason: null,
      ...NO_BANK,
      who: r.createdBy,
      approvedBy: null,
      reason: `${r.kind}: ${r.reason}`,
      onlinePaymentId: r.onlinePaymentId,
      provider: r.onlinePayment.provider,
    });
  }
  for (const m of clearing) {
    const receipt = m.bankTransactionId ? receipts.get(m.bankTransactionId) : undefined;
    lines.push({
      key: { at: m.createdAt, id: m.id },
      type: CLEARING_TYPES[m.reason] ?? 'clearing_written_off',
      id: m.id,
      bookedAt: m.createdAt.toISOString(),
      amount: formatMinor(m.amountMinor, m.currency),
      currency: m.currency,
      allocationId: null,
      ...itemFields(schemes, null),
      suspenseReason: null,
      ...(receipt ? traced(receipt) : NO_BANK),
      who: m.createdBy,
      approvedBy: null,
      reason: m.note ?? m.reason,
      onlinePaymentId: m.onlinePaymentId,
      provider: m.provider,
    });
  }
  lines.sort((x, y) => before(x.key, y.key));
  const more = lines.length > limit;
  return { lines: lines.slice(0, limit).map(({ key: _key, ...line }) => line), more };
}

function instant(text: string, field: string, endOfDay: boolean): Date {
  if (isIsoDay(text)) return endOfDay ? cityDayRange(text).to : cityDayRange(text).from;
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(t)) throw new ValidationError(`${field}: "${text}" is neither a date (2026-11-20) nor an instant (2026-11-20T08:00:00Z)`, { field });
  return new Date(t);
}

export interface BookingFeedPage {
  lines: BookingLine[];
  /** Pass as `cursor` to read on; also when `lines` is empty (poll again later with it), the first page included. */
  nextCursor: string;
  /** True when more settled lines are waiting right now. */
  hasMore: boolean;
  /** Lines booked up to this instant are served; younger ones appear once they are this old. */
  settledUntil: string;
}

/**
 * The JSON feed: lines in (bookedAt, id) order after `cursor`, within [from, to). A date for `from`
 * means the start of that local day, a date for `to` the end of it.
 */
export async function listBookingLines({ ctx, input }: { ctx: Ctx; input: { from?: string; to?: string; cursor?: string; limit?: number } }): Promise<BookingFeedPage> {
  const limit = pageLimit(input.limit);
  const settled = new Date(ctx.clock.now().getTime() - EXPORT_SETTLE_MS);
  const from = input.from ? instant(input.from, 'from', false) : undefined;
  const requestedTo = input.to ? instant(input.to, 'to', true) : undefined;
  const to = requestedTo && requestedTo < settled ? requestedTo : settled;
  const c = decodeCursor(input.cursor, 2);
  const after = c ? { at: new Date(c[0]!), id: c[1]! } : undefined;
  if (after && Number.isNaN(after.at.getTime())) throw new ValidationError('cursor is not one this service handed out', { field: 'cursor' });
  const { lines, more } = await readLines(ctx, { ...(from ? { from } : {}), to, ...(after ? { after } : {}) }, limit);
  const last = lines[lines.length - 1];
  return {
    lines,
    // An empty first page still hands out a cursor to poll with: the start of the range, before any id.
    nextCursor: last ? encodeCursor([last.bookedAt, last.id]) : input.cursor ?? encodeCursor([(from ?? new Date(0)).toISOString(), '']),
    hasMore: more,
    settledUntil: to.toISOString(),
  };
}

/** Every line of one local day (Europe/Berlin), and whether the day is over and settled. */
export async function bookingLinesOfDay({ ctx, input }: { ctx: Ctx; input: { date: string } }): Promise<{ lines: BookingLine[]; complete: boolean }> {
  if (!isIsoDay(input.date)) throw new ValidationError(`date: "${input.date}" is not a date like 2026-11-20`, { field: 'date' });
  const { from, to } = cityDayRange(input.date);
  const out: BookingLine[] = [];
  let after: Key | undefined;
  for (;;) {
    const page = await readLines(ctx, { from, to, ...(after ? { after } : {}) }, 1000);
    out.push(...page.lines);
    if (out.length > EXPORT_DAY_MAX_LINES) throw new LimitExceededError('exportDayLines', EXPORT_DAY_MAX_LINES, undefined, { field: 'date' }, `more than ${EXPORT_DAY_MAX_LINES} booking lines on ${input.date}; read them through GET /v1/export/bookings`);
    if (!page.more) break;
    const last = page.lines[page.lines.length - 1]!;
    after = { at: new Date(last.bookedAt), id: last.id };
  }
  return { lines: out, complete: to.getTime() <= ctx.clock.now().getTime() - EXPORT_SETTLE_MS };
}
