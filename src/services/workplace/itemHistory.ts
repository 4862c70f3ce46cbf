/**
 * Everything that happened to one open item, for the staff page: the payment requests sent for it,
 * the money booked to it and undone, changes of the claim, the notifications sent to its issuing
 * service, and the audit trail; and the items list with its total. Read-only.
 */
import { hasScope, type Ctx } from '../../context.js';
import { usableMandatesOf, type MandateView } from '../mandates/mandates.js';
import { countOpenItems, getOpenItem, listOpenItems, type ItemFilters } from '../items/queries.js';
import { listDirectDebits, type DirectDebitView } from '../collections/debits.js';
import { actorNames } from '../users/users.js';
import type { OpenItemView } from '../items/model.js';
import { bookingReasonsIn } from '../review/bookingReasons.js';
import { printedKassenzeichen } from './kassenzeichen.js';
import type { ReasonLang } from '../../matching/reasons.js';

export interface ItemHistory {
  item: OpenItemView;
  /** Payments made online for this item (through a payment provider), with their state at the provider. */
  online: Array<{ id: string; onlinePaymentId: string; provider: string; reference: string; status: string; payedAt: Date | null; amountMinor: bigint; currency: string; reversed: boolean; createdAt: Date }>;
  paymentRequests: Array<{ id: string; createdAt: Date; expiresAt: Date; totalMinor: bigint; currency: string; itemCount: number }>;
  allocations: Array<{
    id: string;
    transactionId: string;
    paymentRef: string;
    payer: string | null;
    bookingDate: string | null;
    amountMinor: bigint;
    currency: string;
    kind: string;
    reason: string;
    createdBy: string;
    createdAt: Date;
    reversal: { reason: string; createdBy: string; createdAt: Date } | null;
  }>;
  changes: Array<{ kind: string; oldAmountMinor: bigint | null; newAmountMinor: bigint | null; reason: string | null; actor: string; createdAt: Date }>;
  events: Array<{ id: string; type: string; createdAt: Date }>;
  audit: Array<{ at: Date; actor: string; action: string; reason: string | null }>;
}

/** An item with everything that happened to it; the matcher's reasons for its bookings in `lang` (default English). */
export async function getItemHistory({ ctx, input }: { ctx: Ctx; input: { id: string; lang?: ReasonLang } }): Promise<ItemHistory> {
  const item = await getOpenItem({ ctx, input });
  const db = ctx.db.prisma;
  const requests = await db.paymentRequestItem.findMany({
    where: { openItemId: item.id },
    include: { paymentRequest: { include: { _count: { select: { items: true } } } } },
    orderBy: { paymentRequest: { createdAt: 'asc' } },
  });
  const allocations = await db.allocation.findMany({
    where: { openItemId: item.id },
    include: { reversal: true, transaction: { select: { entryRef: true, position: true, debtorName: true, bookingDate: true } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  // The matcher's reasons in the reader's language, each Kassenzeichen in them as printed.
  const explained = await bookingReasonsIn(ctx.db, allocations, input.lang ?? 'en', (kassenzeichen) => printedKassenzeichen({ ctx, input: { kassenzeichen } }));
  // An item has few online attempts; a bound all the same.
  const online = await db.onlineAllocation.findMany({
    where: { openItemId: item.id },
    include: { reversal: { select: { id: true } }, onlinePayment: { select: { id: true, provider: true, reference: true, status: true, payedAt: true } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: 100,
  });
  const changes = await db.openItemChange.findMany({ where: { openItemId: item.id }, orderBy: { createdAt: 'asc' } });
  const events = await db.itemEvent.findMany({ where: { openItemId: item.id }, orderBy: { seq: 'asc' }, select: { id: true, type: true, createdAt: true } });
  const audit = await db.auditEntry.findMany({
    where: { OR: [{ subjectType: 'open_item', subjectId: item.id }, { subjectType: 'allocation', subjectId: { in: allocations.map((a) => a.id) } }] },
    orderBy: { seq: 'asc' },
    take: 200,
  });
  return {
    item,
    online: online.map((o) => ({
      id: o.id,
      onlinePaymentId: o.onlinePayment.id,
      provider: o.onlinePayment.provider,
      reference: o.onlinePayment.reference,
      status: o.onlinePayment.status,
      payedAt: o.onlinePayment.payedAt,
      amountMinor: o.amountMinor,
      currency: o.currency,
      reversed: o.reversal !== null,
      createdAt: o.createdAt,
    })),
    paymentRequests: requests.map((r) => ({
      id: r.paymentRequest.id,
      createdAt: r.paymentRequest.createdAt,
      expiresAt: r.paymentRequest.expiresAt,
      totalMinor: r.paymentRequest.totalMinor,
      currency: r.paymentRequest.currency,
      itemCount: r.paymentRequest._count.items,
    })),
    allocations: allocations.map((a) => ({
      id: a.id,
      transactionId: a.transactionId,
      paymentRef: `${a.transaction.entryRef}#${a.transaction.position}`,
      payer: a.transaction.debtorName,
      bookingDate: a.transaction.bookingDate,
      amountMinor: a.amountMinor,
      currency: a.currency,
      kind: a.kind,
      reason: explained.get(a.id) ?? a.reason,
      createdBy: a.createdBy,
      createdAt: a.createdAt,
      reversal: a.reversal ? { reason: a.reversal.reason, createdBy: a.reversal.createdBy, createdAt: a.reversal.createdAt } : null,
    })),
    changes: changes.map((c) => ({ kind: c.kind, oldAmountMinor: c.oldAmountMinor, newAmountMinor: c.newAmountMinor, reason: c.reason, actor: c.actor, createdAt: c.createdAt })),
    events,
    audit: audit.map((a) => ({ at: a.at, actor: `${a.actorType}:${a.actorId}`, action: a.action, reason: a.reason })),
  };
}

/** The items list: a page of the filter and how many it finds in all. */
export async function itemListPage({ ctx, input }: { ctx: Ctx; input: ItemFilters }): Promise<{ items: OpenItemView[]; nextCursor: string | null; total: number }> {
  const { limit: _limit, cursor: _cursor, ...filter } = input;
  const page = await listOpenItems({ ctx, input });
  return { items: page.items, nextCursor: page.nextCursor, total: await countOpenItems({ ctx, input: filter }) };
}

export interface ItemPageView {
  history: ItemHistory;
  /** The item's latest direct debit (announced, "Einzug veranlasst", collected, returned), if any. */
  directDebit: DirectDebitView | null;
  /** Collecting it by direct debit: offered to whoever keeps mandates, for what is open and has no standing debit. */
  directDebitForms?: { mandates: MandateView[]; debit: DirectDebitView | null; preNotificationDays: number };
  /** Display names of the people and clients on the page, by actor label. */
  names: Map<string, string>;
}

/** Everything an item's page shows. */
export async function itemPage({ ctx, input }: { ctx: Ctx; input: { id: string; lang: ReasonLang } }): Promise<ItemPageView> {
  const history = await getItemHistory({ ctx, input });
  const names = await actorNames(ctx, [
    ...history.allocations.flatMap((a) => [a.createdBy, ...(a.reversal ? [a.reversal.createdBy] : [])]),
    ...history.changes.map((x) => x.actor),
    ...history.audit.map((a) => a.actor),
  ]);
  const debits = await listDirectDebits({ ctx, input: { itemId: history.item.id, limit: 100 } });
  const debit = debits.items.filter((d) => d.state !== 'cancelled').at(-1) ?? null;
  const standing = debit && ['announced', 'in_run', 'sent'].includes(debit.state) ? debit : null;
  const collectable = hasScope(ctx.actor, 'mandates') && !history.item.cancelledAt && (history.item.status === 'open' || history.item.status === 'partly_paid');
  if (!collectable) return { history, directDebit: debit, names };
  const mandates = standing ? [] : await usableMandatesOf({ ctx, input: { debtorName: history.item.debtor.name } });
  return { history, directDebit: debit, directDebitForms: { mandates, debit: standing, preNotificationDays: ctx.config.sepa.preNotificationDays }, names };
}
