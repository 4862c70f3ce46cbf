/**
 * Online payments as the workplace shows them: a filtered list with its total, one payment with
 * what it paid, how it moved on the provider's clearing account and which payout settled it, and
 * the clearing account per provider. Read-only; the facts are written by src/services/online/.
 */
import type { Ctx } from '../../context.js';
import type { Prisma } from '../../db/generated/sqlite/client.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { parseMoney } from '../../money/money.js';
import { normalizeReference } from '../../references/kassenzeichen.js';
import { parseLines, ONLINE_PAYMENT_STATUSES, type OnlinePaymentStatus } from '../online/onlinePayments.js';
import { refundDue } from '../online/reversals.js';
import { CLEARING_REASONS, SETTLEMENT_STATUSES, type ClearingReason, type SettlementStatus } from '../online/settlement.js';
import { decodeTimeCursor, encodeTimeCursor, NEWEST_FIRST, afterCursorWhere, pageLimit, type Page } from '../shared/paging.js';
import { cityDayRange, isIsoDay } from '../review/dates.js';
import { kassenzeichenDisplayOf } from '../items/kassenzeichen.js';
import { actorNames } from '../users/users.js';

export interface OnlinePaymentFilter {
  status?: string;
  provider?: string;
  /** Started on or after / on or before this city day (YYYY-MM-DD). */
  from?: string;
  to?: string;
  /** "30.70": at least / at most this amount. */
  amountFrom?: string;
  amountTo?: string;
  /** Payments that (meant to) pay the item with this Kassenzeichen, in any spelling. */
  kassenzeichen?: string;
  cursor?: string;
  limit?: number;
}

export interface OnlinePaymentRow {
  id: string;
  reference: string;
  provider: string;
  providerName: string;
  status: OnlinePaymentStatus | string;
  amountMinor: bigint;
  currency: string;
  paymentMethod: string | null;
  createdAt: Date;
  payedAt: Date | null;
  /** What the provider still owes us for it (Σ clearing movements); 0 once its payout arrived. */
  inTransitMinor: bigint;
  /** Money to pay back to the citizen (no item could take it). */
  refundDueMinor: bigint;
  items: Array<{ id: string; kassenzeichen: string }>;
}

/** One download at most this many rows (the list pages by 50). */
export const ONLINE_CSV_ROWS = 20_000;

function providerName(ctx: Ctx, key: string): string {
  const p = ctx.config.online?.provider;
  return p && p.key === key ? p.name : key;
}

async function conditions(ctx: Ctx, input: OnlinePaymentFilter): Promise<Prisma.OnlinePaymentWhereInput[] | null> {
  const and: Prisma.OnlinePaymentWhereInput[] = [];
  if (input.status) {
    if (!(ONLINE_PAYMENT_STATUSES as readonly string[]).includes(input.status)) throw new ValidationError(`status: "${input.status}" is not a state of an online payment`, { field: 'status' });
    and.push({ status: input.status });
  }
  if (input.provider) and.push({ provider: input.provider });
  if (input.from !== undefined) {
    if (!isIsoDay(input.from)) throw new ValidationError(`from: "${input.from}" is not a date like 2026-11-16`, { field: 'from' });
    and.push({ createdAt: { gte: cityDayRange(input.from).from } });
  }
  if (input.to !== undefined) {
    if (!isIsoDay(input.to)) throw new ValidationError(`to: "${input.to}" is not a date like 2026-11-16`, { field: 'to' });
    and.push({ createdAt: { lt: cityDayRange(input.to).to } });
  }
  if (input.amountFrom !== undefined) and.push({ amountMinor: { gte: parseMoney(input.amountFrom, 'EUR', { field: 'amountFrom' }).minor } });
  if (input.amountTo !== undefined) and.push({ amountMinor: { lte: parseMoney(input.amountTo, 'EUR', { field: 'amountTo' }).minor } });
  if (input.kassenzeichen?.trim()) {
    const item = await ctx.db.prisma.openItem.findUnique({ where: { kassenzeichen: normalizeReference(input.kassenzeichen) }, select: { id: true } });
    // No such item: nothing can match (an empty list, not an error: the clerk may have mistyped).
    if (!item) return null;
    // lines is the JSON [{"itemId":…}] sent to the provider: every attempt for the item, paid or not.
    and.push({ lines: { contains: `"itemId":"${item.id}"` } });
  }
  return and;
}

export async function countOnlinePaymentsFor({ ctx, input }: { ctx: Ctx; input: OnlinePaymentFilter }): Promise<number> {
  const and = await conditions(ctx, input);
  return and ? ctx.db.prisma.onlinePayment.count({ where: { AND: and } }) : 0;
}

/** Newest first, a page of `limit`, with the items each payment is for. */
export async function listOnlinePaymentsFor({ ctx, input }: { ctx: Ctx; input: OnlinePaymentFilter }): Promise<Page<OnlinePaymentRow>> {
  const limit = pageLimit(input.limit);
  const and = await conditions(ctx, input);
  if (!and) return { items: [], nextCursor: null };
  const cursor = decodeTimeCursor(input.cursor);
  const rows = await ctx.db.prisma.onlinePayment.findMany({
    where: { AND: [...and, afterCursorWhere(cursor)] },
    orderBy: NEWEST_FIRST,
    take: limit + 1,
    include: { reversals: { select: { onlineAllocationId: true, amountMinor: true } } },
  });
  const page = rows.slice(0, limit);
  const ids = page.map((p) => p.id);
  const clearing = ids.length ? await ctx.db.prisma.clearingMovement.groupBy({ by: ['onlinePaymentId'], where: { onlinePaymentId: { in: ids } }, _sum: { amountMinor: true } }) : [];
  const open = new Map(clearing.map((c) => [c.onlinePaymentId, c._sum.amountMinor ?? 0n]));
  const itemIds = [...new Set(page.flatMap((p) => parseLines(p.lines).map((l) => l.itemId)))];
  const items = itemIds.length ? await ctx.db.prisma.openItem.findMany({ where: { id: { in: itemIds } }, select: { id: true, kassenzeichen: true, kassenzeichenAsIssued: true } }) : [];
  const kz = new Map(items.map((i) => [i.id, kassenzeichenDisplayOf(ctx.config, i)]));
  const last = rows.length > limit ? page[page.length - 1] : undefined;
  return {
    items: page.map((p) => ({
      id: p.id,
      reference: p.reference,
      provider: p.provider,
      providerName: providerName(ctx, p.provider),
      status: p.status,
      amountMinor: p.amountMinor,
      currency: p.currency,
      paymentMethod: p.paymentMethod,
      createdAt: p.createdAt,
      payedAt: p.payedAt,
      inTransitMinor: open.get(p.id) ?? 0n,
      refundDueMinor: p.status === 'payed' ? refundDue(p) : 0n,
      items: parseLines(p.lines).map((l) => ({ id: l.itemId, kassenzeichen: kz.get(l.itemId) ?? '–' })),
    })),
    nextCursor: last ? encodeTimeCursor({ at: last.createdAt, id: last.id }) : null,
  };
}

/** Every row the filter finds (for the CSV), up to ONLINE_CSV_ROWS, read page by page. */
export async function allOnlinePaymentsFor({ ctx, input }: { ctx: Ctx; input: OnlinePaymentFilter }): Promise<OnlinePaymentRow[]> {
  const out: OnlinePaymentRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await listOnlinePaymentsFor({ ctx, input: { ...input, limit: 500, ...(cursor ? { cursor } : {}) } });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < ONLINE_CSV_ROWS);
  return out;
}

/** One step in an online payment's life, oldest first. */
export type OnlineHistoryKind = 'started' | 'payed' | 'allocated' | 'unallocated' | 'chargeback' | 'refund' | ClearingReason;
export interface OnlineHistoryStep {
  at: Date;
  kind: OnlineHistoryKind;
  /** Signed: money to the item, onto the clearing account (+) or off it (−). */
  amountMinor: bigint | null;
  item?: { id: string; kassenzeichen: string };
  settlement?: { id: string; reference: string };
  bankTransactionId?: string | null;
  actor?: string;
}

export interface OnlinePaymentPage {
  payment: OnlinePaymentRow & {
    providerTransactionId: string | null;
    statusDetail: string | null;
    paymentMethodDetail: string | null;
    lastCheckedAt: Date | null;
    checks: number;
    unallocatedMinor: bigint;
    paymentRequestId: string;
  };
  /** The items it was for: what was asked for each, what was booked, and whether that was undone. */
  items: Array<{ id: string; kassenzeichen: string; debtorName: string; description: string; itemStatus: string; askedMinor: bigint; bookedMinor: bigint; reversed: boolean }>;
  history: OnlineHistoryStep[];
  /** The payouts (settlements) it appears in, with how its line came out. */
  settlements: Array<{ id: string; reference: string; status: SettlementStatus | string; createdAt: Date; lineOutcome: string; grossMinor: bigint; feeMinor: bigint; netMinor: bigint; bankTransactionId: string | null }>;
}

export async function getOnlinePaymentPage({ ctx, input }: { ctx: Ctx; input: { id: string } }): Promise<OnlinePaymentPage> {
  const db = ctx.db.prisma;
  const p = await db.onlinePayment.findUnique({
    where: { id: input.id },
    include: { allocations: { include: { reversal: true }, orderBy: { createdAt: 'asc' } }, reversals: { orderBy: { createdAt: 'asc' } } },
  });
  if (!p) throw new NotFoundError('online payment', input.id);
  const lines = parseLines(p.lines);
  const rows = await db.openItem.findMany({ where: { id: { in: lines.map((l) => l.itemId) } }, select: { id: true, kassenzeichen: true, kassenzeichenAsIssued: true, debtorName: true, description: true, status: true } });
  const byId = new Map(rows.map(({ kassenzeichenAsIssued, ...r }) => [r.id, { ...r, kassenzeichen: kassenzeichenDisplayOf(ctx.config, { kassenzeichen: r.kassenzeichen, kassenzeichenAsIssued }) }]));
  // An online payment has a handful of movements and payout lines; bounded all the same.
  const movements = await db.clearingMovement.findMany({ where: { onlinePaymentId: p.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: 100 });
  const settlementLines = await db.pspSettlementLine.findMany({ where: { onlinePaymentId: p.id }, include: { settlement: true }, orderBy: { settlement: { createdAt: 'asc' } }, take: 50 });
  const settlementIds = new Set([...settlementLines.map((l) => l.settlementId), ...movements.map((m) => m.settlementId).filter((x): x is string => Boolean(x))]);
  const settlementRows = settlementIds.size ? await db.pspSettlement.findMany({ where: { id: { in: [...settlementIds] } }, select: { id: true, reference: true } }) : [];
  const settlementRef = new Map(settlementRows.map((s) => [s.id, s.reference]));
  const item = (id: string) => ({ id, kassenzeichen: byId.get(id)?.kassenzeichen ?? '–' });

  const history: OnlineHistoryStep[] = [{ at: p.createdAt, kind: 'started', amountMinor: p.amountMinor }];
  if (p.payedAt) history.push({ at: p.payedAt, kind: 'payed', amountMinor: p.amountMinor });
  for (const a of p.allocations) history.push({ at: a.createdAt, kind: 'allocated', amountMinor: a.amountMinor, item: item(a.openItemId), actor: a.createdBy });
  if (p.unallocatedMinor > 0n) history.push({ at: p.payedAt ?? p.updatedAt, kind: 'unallocated', amountMinor: p.unallocatedMinor });
  for (const r of p.reversals) {
    const alloc = p.allocations.find((a) => a.id === r.onlineAllocationId);
    history.push({ at: r.createdAt, kind: r.kind === 'chargeback' ? 'chargeback' : 'refund', amountMinor: -r.amountMinor, ...(alloc ? { item: item(alloc.openItemId) } : {}), actor: r.createdBy });
  }
  for (const m of movements) {
    const reason = (CLEARING_REASONS as readonly string[]).includes(m.reason) ? (m.reason as ClearingReason) : 'settled';
    history.push({
      at: m.createdAt,
      kind: reason,
      amountMinor: m.amountMinor,
      ...(m.settlementId ? { settlement: { id: m.settlementId, reference: settlementRef.get(m.settlementId) ?? m.settlementId } } : {}),
      bankTransactionId: m.bankTransactionId,
      actor: m.createdBy,
    });
  }
  history.sort((a, b) => a.at.getTime() - b.at.getTime());

  const inTransit = movements.reduce((s, m) => s + m.amountMinor, 0n);
  return {
    payment: {
      id: p.id,
      reference: p.reference,
      provider: p.provider,
      providerName: providerName(ctx, p.provider),
      status: p.status,
      amountMinor: p.amountMinor,
      currency: p.currency,
      paymentMethod: p.paymentMethod,
      createdAt: p.createdAt,
      payedAt: p.payedAt,
      inTransitMinor: inTransit,
      refundDueMinor: p.status === 'payed' ? refundDue(p) : 0n,
      items: lines.map((l) => item(l.itemId)),
      providerTransactionId: p.providerTransactionId,
      statusDetail: p.statusDetail,
      paymentMethodDetail: p.paymentMethodDetail,
      lastCheckedAt: p.lastCheckedAt,
      checks: p.checks,
      unallocatedMinor: p.unallocatedMinor,
      paymentRequestId: p.paymentRequestId,
    },
    items: lines.map((l) => {
      const r = byId.get(l.itemId);
      const allocs = p.allocations.filter((a) => a.openItemId === l.itemId);
      return {
        id: l.itemId,
        kassenzeichen: r?.kassenzeichen ?? '–',
        debtorName: r?.debtorName ?? '–',
        description: r?.description ?? '',
        itemStatus: r?.status ?? 'open',
        askedMinor: l.amountMinor,
        bookedMinor: allocs.filter((a) => !a.reversal).reduce((s, a) => s + a.amountMinor, 0n),
        reversed: allocs.some((a) => a.reversal !== null),
      };
    }),
    history,
    settlements: settlementLines.map((l) => ({
      id: l.settlementId,
      reference: l.settlement.reference,
      status: l.settlement.status,
      createdAt: l.settlement.createdAt,
      lineOutcome: l.outcome,
      grossMinor: l.grossMinor,
      feeMinor: l.feeMinor,
      netMinor: l.netMinor,
      bankTransactionId: l.bankTransactionId ?? l.settlement.bankTransactionId,
    })),
  };
}

export interface ClearingAccount {
  provider: string;
  providerName: string;
  currency: string;
  /** Σ of every movement: what the provider owes us now (negative: we owe it). */
  balanceMinor: bigint;
  /** Paid online, payout not arrived yet: the payments still open on the account (up to IN_TRANSIT_SHOWN). */
  inTransit: Array<{ id: string; reference: string; openMinor: bigint; payedAt: Date | null }>;
  inTransitCount: number;
  /** Money in by reason: received, settled, fees, reversed … */
  byReason: Partial<Record<ClearingReason, bigint>>;
  settlements: Array<{ id: string; reference: string; source: string; status: SettlementStatus | string; grossMinor: bigint; feeMinor: bigint; netMinor: bigint; createdAt: Date; bankTransactionId: string | null }>;
}

const IN_TRANSIT_SHOWN = 200;
const SETTLEMENTS_SHOWN = 50;

/** The clearing account (Verrechnungskonto) of every provider that ever had a movement or a payout. */
export async function getClearingAccounts({ ctx }: { ctx: Ctx }): Promise<ClearingAccount[]> {
  const db = ctx.db.prisma;
  const byReason = await db.clearingMovement.groupBy({ by: ['provider', 'reason'], _sum: { amountMinor: true } });
  const settlementProviders = await db.pspSettlement.groupBy({ by: ['provider'], _count: { _all: true } });
  const providers = [...new Set([...byReason.map((r) => r.provider), ...settlementProviders.map((s) => s.provider), ...(ctx.config.online?.provider ? [ctx.config.online.provider.key] : [])])].sort();
  const out: ClearingAccount[] = [];
  for (const provider of providers) {
    // Open positions per payment: the sum is grouped in the database, the rows read are only the open ones.
    const perPayment = await db.clearingMovement.groupBy({ by: ['onlinePaymentId'], where: { provider, onlinePaymentId: { not: null } }, _sum: { amountMinor: true }, having: { amountMinor: { _sum: { not: 0n } } } });
    const openIds = perPayment.map((p) => p.onlinePaymentId!).slice(0, IN_TRANSIT_SHOWN);
    const payments = openIds.length ? await db.onlinePayment.findMany({ where: { id: { in: openIds } }, select: { id: true, reference: true, payedAt: true } }) : [];
    const openOf = new Map(perPayment.map((p) => [p.onlinePaymentId, p._sum.amountMinor ?? 0n]));
    const settlements = await db.pspSettlement.findMany({ where: { provider }, orderBy: NEWEST_FIRST, take: SETTLEMENTS_SHOWN });
    const reasons: Partial<Record<ClearingReason, bigint>> = {};
    for (const r of byReason.filter((x) => x.provider === provider)) {
      const key = (CLEARING_REASONS as readonly string[]).includes(r.reason) ? (r.reason as ClearingReason) : 'settled';
      reasons[key] = (reasons[key] ?? 0n) + (r._sum.amountMinor ?? 0n);
    }
    out.push({
      provider,
      providerName: providerName(ctx, provider),
      currency: 'EUR',
      balanceMinor: Object.values(reasons).reduce((s, v) => s + (v ?? 0n), 0n),
      inTransit: payments.map((p) => ({ id: p.id, reference: p.reference, openMinor: openOf.get(p.id) ?? 0n, payedAt: p.payedAt })).sort((a, b) => (b.payedAt?.getTime() ?? 0) - (a.payedAt?.getTime() ?? 0)),
      inTransitCount: perPayment.length,
      byReason: reasons,
      settlements: settlements.map((s) => ({ id: s.id, reference: s.reference, source: s.source, status: s.status, grossMinor: s.grossMinor, feeMinor: s.feeMinor, netMinor: s.netMinor, createdAt: s.createdAt, bankTransactionId: s.bankTransactionId })),
    });
  }
  return out;
}

export { SETTLEMENT_STATUSES };

/** The providers a filter can choose: the configured one and every one that has payments. */
export async function onlineProviders({ ctx }: { ctx: Ctx }): Promise<Array<{ key: string; name: string }>> {
  const rows = await ctx.db.prisma.onlinePayment.groupBy({ by: ['provider'], _count: { _all: true } });
  const keys = new Set([...rows.map((r) => r.provider), ...(ctx.config.online?.provider ? [ctx.config.online.provider.key] : [])]);
  return [...keys].sort().map((key) => ({ key, name: providerName(ctx, key) }));
}

/** The online payments list: a page of the filter, how many it finds in all, and the providers to filter by. */
export async function onlinePaymentsListPage({ ctx, input }: { ctx: Ctx; input: OnlinePaymentFilter }): Promise<{ rows: OnlinePaymentRow[]; nextCursor: string | null; total: number; providers: Array<{ key: string; name: string }> }> {
  const { cursor: _cursor, limit: _limit, ...filter } = input;
  const page = await listOnlinePaymentsFor({ ctx, input });
  return { rows: page.items, nextCursor: page.nextCursor, total: await countOnlinePaymentsFor({ ctx, input: filter }), providers: await onlineProviders({ ctx }) };
}

/** One online payment's page, with the names of the people on its history. */
export async function onlinePaymentView({ ctx, input }: { ctx: Ctx; input: { id: string } }): Promise<{ page: OnlinePaymentPage; names: Map<string, string> }> {
  const page = await getOnlinePaymentPage({ ctx, input });
  return { page, names: await actorNames(ctx, page.history.flatMap((h) => (h.actor ? [h.actor] : []))) };
}
