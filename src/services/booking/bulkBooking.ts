/**
 * Books a window of matcher decisions with a handful of statements instead of a dozen per receipt.
 *
 * Same facts as the one-by-one path in ledger.ts (allocate) — proposals, receipt claims, allocations,
 * item paid sums and statuses, item events with their webhook deliveries, suspense movements, audit
 * entries — written as multi-row statements (src/db/bulk.ts). Concurrency is
 * handled the same way: receipts and items are claimed with version checks; if any row was changed
 * by someone else meanwhile, the whole window rolls back (ConflictError) and the caller books it one
 * by one, where each receipt gets its own answer.
 *
 * Returns (returned payments, receipts a person already touched) go the one-by-one way.
 */
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { BULK_TABLES, bulkInsert, bulkUpdate, sqliteReadInTransaction, type Row } from '../../db/bulk.js';
import { ConflictError } from '../../errors.js';
import type { MatchDecision } from '../../matching/types.js';
import { formatMinor } from '../../money/money.js';
import { buildItemEventBody, type ItemEventType } from '../items/events.js';
import { itemStatus, type ItemStatus } from '../items/status.js';
import { newId } from '../shared/ids.js';
import type { MatchingSummary } from './runMatching.js';
import { reasonTexts } from '../../matching/reasons.js';
import { indexWaitingReceipts, type WaitingReceiptFacts } from './waitingReceipts.js';

export interface BulkCandidate {
  receipt: {
    id: string;
    version: number;
    matchState: string;
    amountMinor: bigint;
    unappliedMinor: bigint;
    currency: string;
    creditDebit: string;
    debtorIban: string | null;
  } & WaitingReceiptFacts;
  decision: MatchDecision;
  proposalId?: string;
}

/** Whether a decision can be booked in bulk (returns and re-looked receipts cannot). */
export function bulkBookable(c: BulkCandidate): boolean {
  return c.receipt.matchState === 'pending' && c.decision.status !== 'return';
}

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));

/** The stored form of one matcher decision (MatchProposal row). */
export function proposalRow(transactionId: string, d: MatchDecision, engineVersion: string, now: Date) {
  return {
    id: newId(),
    transactionId,
    decision: d.status,
    confidenceBp: d.confidenceBp,
    reasons: json(d.reasons),
    allocations: json(d.allocations),
    surplusMinor: d.surplusMinor,
    suggestions: json(d.suggestions),
    returnOf: d.returnOf ? json(d.returnOf) : null,
    engineVersion,
    createdAt: now,
  };
}

/** What booking reads of an item: its balance, what its event says, what the matcher indexes. */
const BOOKED_ITEM = {
  id: true, version: true, kassenzeichen: true, externalRef: true, status: true, amountMinor: true, paidMinor: true, currency: true, cancelledAt: true,
  issuerClientId: true, debtorName: true, debtorIban: true, category: true, dueDate: true,
} as const;

/** An open item as this window left it (what the matcher's index learns after the commit). */
export type BookedItem = { id: string; version: number; kassenzeichen: string; externalRef: string | null; status: string; amountMinor: bigint; paidMinor: bigint; currency: string; cancelledAt: Date | null; issuerClientId: string | null; debtorName: string; debtorIban: string | null; category: string; dueDate: string };

/**
 * Books the window; returns the open items it paid, as they stand after the write (the caller
 * hands them to the matcher's index once the transaction has committed, without reading them again).
 */
export async function bookInBulk(tx: Tx, ctx: Ctx, window: BulkCandidate[], engineVersion: string, summary: MatchingSummary, basis: ReadonlyMap<string, number> = new Map()): Promise<BookedItem[]> {
  if (window.length === 0) return [];
  const now = ctx.clock.now();
  const actor = `${ctx.actor.type}:${ctx.actor.id}`;

  const proposals: Row[] = [];
  const claims: Row[] = [];
  const allocations: Row[] = [];
  const suspense: Row[] = [];
  const audit: Row[] = [];
  const perItem = new Map<string, Array<{ allocationId: string; amountMinor: bigint; reason: string }>>();
  const waiting: WaitingReceiptFacts[] = [];

  for (const { receipt, decision: d } of window) {
    const proposal = proposalRow(receipt.id, d, engineVersion, now);
    const proposalId = proposal.id;
    proposals.push(proposal);
    if (d.status === 'auto') {
      const total = d.allocations.reduce((s, a) => s + a.amountMinor, 0n);
      const surplus = receipt.amountMinor - total;
      // Asserted before writing: the decision never books more than the payment brought.
      if (surplus < 0n || receipt.creditDebit !== 'CRDT') throw new Error(`invariant: automatic booking of ${total} from payment ${receipt.id} of ${receipt.amountMinor}`);
      claims.push({ id: receipt.id, matchState: 'auto', unappliedMinor: surplus, expected_version: receipt.version, expected_matchState: 'pending' });
      const reason = reasonTexts(d.reasons, 'en').join('; ');
      const lines = d.allocations.map((a) => {
        const allocationId = newId();
        allocations.push({ id: allocationId, transactionId: receipt.id, openItemId: a.itemId, amountMinor: a.amountMinor, currency: receipt.currency, kind: 'auto', proposalId, approvalId: null, reason, createdBy: actor, createdAt: now });
        const list = perItem.get(a.itemId) ?? [];
        list.push({ allocationId, amountMinor: a.amountMinor, reason });
        perItem.set(a.itemId, list);
        return { allocationId, itemId: a.itemId, amount: formatMinor(a.amountMinor, receipt.currency) };
      });
      if (surplus > 0n) suspense.push({ id: newId(), transactionId: receipt.id, amountMinor: surplus, currency: receipt.currency, reason: 'overpayment', note: 'paid more than was open', createdBy: actor, createdAt: now });
      audit.push({ id: newId(), at: now, actorType: ctx.actor.type, actorId: ctx.actor.id, action: 'allocation.auto', subjectType: 'bank_transaction', subjectId: receipt.id, reason, requestId: ctx.requestId ?? null, data: json({ allocations: lines, surplus: formatMinor(surplus, receipt.currency) }) });
      summary.auto++;
    } else {
      claims.push({ id: receipt.id, matchState: d.status, unappliedMinor: receipt.unappliedMinor, expected_version: receipt.version, expected_matchState: 'pending' });
      if ((d.status === 'review' || d.status === 'unmatched') && receipt.creditDebit === 'CRDT' && receipt.unappliedMinor > 0n) {
        // Money nobody could assign yet is held in suspense (Verwahrung) until a person decides.
        suspense.push({ id: newId(), transactionId: receipt.id, amountMinor: receipt.unappliedMinor, currency: receipt.currency, reason: 'unassigned', note: d.status === 'review' ? 'waiting for review' : 'no matching open item', createdBy: actor, createdAt: now });
        waiting.push(receipt);
      }
      summary[d.status]++;
    }
  }

  await bulkInsert(tx, ctx.db, 'MatchProposal', BULK_TABLES.MatchProposal, proposals);
  const claimed = await bulkUpdate(
    tx,
    ctx.db,
    { table: 'BankTransaction', key: { id: 'text' }, set: { matchState: 'text', unappliedMinor: 'bigint' }, setExpressions: ['"version" = "BankTransaction"."version" + 1'], expect: { version: 'int', matchState: 'text' } },
    claims,
  );
  if (claimed !== claims.length) throw new ConflictError(`${claims.length - claimed} of ${claims.length} payments were decided by someone else meanwhile`);
  await bulkInsert(tx, ctx.db, 'Allocation', BULK_TABLES.Allocation, allocations);
  await indexWaitingReceipts(tx, ctx, waiting);

  const items = perItem.size > 0 ? await applyItemBalances(tx, ctx, perItem, now, basis) : [];
  await bulkInsert(tx, ctx.db, 'SuspenseMovement', BULK_TABLES.SuspenseMovement, suspense);
  await bulkInsert(tx, ctx.db, 'AuditEntry', BULK_TABLES.AuditEntry, audit);
  // No payer IBAN is learned here: an automatic booking is no person's confirmation, and one the
  // IBAN alone supported would keep teaching itself (runMatching.ts learnPayer).
  await assertWindowBalanced(tx, ctx, window.map((c) => c.receipt.id));
  return items;
}

/**
 * Paid sums and statuses of the items, one event per allocation (as allocate() writes them).
 * Returns the items as written (paid sum, status, version + 1, updatedAt).
 */
async function applyItemBalances(tx: Tx, ctx: Ctx, perItem: Map<string, Array<{ allocationId: string; amountMinor: bigint; reason: string }>>, now: Date, basis: ReadonlyMap<string, number>): Promise<BookedItem[]> {
  const ids = [...perItem.keys()];
  const items = [];
  for (let i = 0; i < ids.length; i += 500) items.push(...(await tx.openItem.findMany({ where: { id: { in: ids.slice(i, i + 500) } }, select: BOOKED_ITEM })));
  if (items.length !== ids.length) throw new ConflictError('an open item the matcher chose no longer exists');
  const updates: Row[] = [];
  const written: BookedItem[] = [];
  const events: Row[] = [];
  const deliveriesFor: Array<{ eventId: string; type: ItemEventType; clientId: string }> = [];
  for (const item of items) {
    if (item.cancelledAt) throw new ConflictError(`open item ${item.kassenzeichen} was cancelled meanwhile`);
    // The decision was made on the item as the matcher's index had it; paid since by someone else,
    // the payment is decided again instead of overpaying the item.
    const seen = basis.get(item.id);
    if (seen !== undefined && seen !== item.version) throw new ConflictError(`open item ${item.kassenzeichen} changed after the decision was made`);
    let paid = item.paidMinor;
    let status = item.status as ItemStatus;
    for (const a of perItem.get(item.id)!) {
      const previousStatus = status;
      paid += a.amountMinor;
      status = itemStatus(item.amountMinor, paid, false);
      const type: ItemEventType = status === 'paid' ? 'item.paid' : status === 'overpaid' ? 'item.overpaid' : 'item.partly_paid';
      const body = buildItemEventBody({ ...item, paidMinor: paid, status }, type, { previousStatus, reason: a.reason, allocationId: a.allocationId }, now);
      events.push({ id: body.id, openItemId: item.id, type, issuerClientId: item.issuerClientId, payload: JSON.stringify(body), createdAt: now });
      if (item.issuerClientId) deliveriesFor.push({ eventId: body.id, type, clientId: item.issuerClientId });
    }
    updates.push({ id: item.id, paidMinor: paid, status, updatedAt: now, expected_version: item.version });
    written.push({ ...item, paidMinor: paid, status, version: item.version + 1 });
  }
  const updated = await bulkUpdate(
    tx,
    ctx.db,
    { table: 'OpenItem', key: { id: 'text' }, set: { paidMinor: 'bigint', status: 'text', updatedAt: 'timestamp' }, setExpressions: ['"version" = "OpenItem"."version" + 1'], expect: { version: 'int' } },
    updates,
  );
  if (updated !== updates.length) throw new ConflictError(`${updates.length - updated} open items were changed by someone else meanwhile`);
  await bulkInsert(tx, ctx.db, 'ItemEvent', BULK_TABLES.ItemEvent, events);
  if (deliveriesFor.length > 0) {
    // Webhook outbox: one delivery per event and subscription, in this same transaction.
    const clients = [...new Set(deliveriesFor.map((d) => d.clientId))];
    const subs = await tx.webhookSubscription.findMany({ where: { clientId: { in: clients }, active: true }, select: { id: true, clientId: true, eventTypes: true } });
    const rows = deliveriesFor.flatMap((d) =>
      subs
        .filter((s) => s.clientId === d.clientId && (s.eventTypes === '*' || s.eventTypes.split(' ').some((t) => t === '*' || t === d.type)))
        .map((s) => ({ id: newId(), subscriptionId: s.id, eventId: d.eventId, state: 'pending', nextAttemptAt: now, cycleStartedAt: now, createdAt: now })),
    );
    if (rows.length > 0) await tx.webhookDelivery.createMany({ data: rows });
  }
  return written;
}

/** Per incoming receipt: amount, unapplied rest, live allocations (not reversed), suspense held. */
const BALANCE_SQL = `SELECT t."id", t."amountMinor", t."unappliedMinor",
  COALESCE((SELECT SUM(a."amountMinor") FROM "Allocation" a WHERE a."transactionId" = t."id"
    AND NOT EXISTS (SELECT 1 FROM "AllocationReversal" r WHERE r."allocationId" = a."id")), 0) AS "allocated",
  COALESCE((SELECT SUM(s."amountMinor") FROM "SuspenseMovement" s WHERE s."transactionId" = t."id"), 0) AS "held"
FROM "BankTransaction" t WHERE t."id" IN (SELECT value FROM json_each(?)) AND t."creditDebit" = 'CRDT'`;

/**
 * Asserted after writing, from what the database now holds: for every receipt of the window,
 * live allocations + unapplied = amount, and suspense holds exactly the unapplied rest.
 */
async function assertWindowBalanced(tx: Tx, ctx: Ctx, ids: string[]): Promise<void> {
  const fail = (r: { id: string; amountMinor: bigint; unappliedMinor: bigint }, a: bigint, s: bigint) =>
    new Error(`invariant: payment ${r.id} of ${r.amountMinor}: allocated ${a}, unapplied ${r.unappliedMinor}, in suspense ${s}`);
  // SQLite under Node: the same sums in one statement on the transaction's connection, instead of
  // three queries through Prisma per window.
  const summed = sqliteReadInTransaction(tx, ctx.db, BALANCE_SQL, [JSON.stringify(ids)]);
  if (summed) {
    for (const r of summed as Array<{ id: string; amountMinor: bigint; unappliedMinor: bigint; allocated: bigint; held: bigint }>) {
      if (r.allocated + r.unappliedMinor !== r.amountMinor || r.held !== r.unappliedMinor) throw fail(r, r.allocated, r.held);
    }
    return;
  }
  for (let i = 0; i < ids.length; i += 500) {
    const slice = ids.slice(i, i + 500);
    const receipts = await tx.bankTransaction.findMany({ where: { id: { in: slice }, creditDebit: 'CRDT' }, select: { id: true, amountMinor: true, unappliedMinor: true } });
    const alloc = await tx.allocation.groupBy({ by: ['transactionId'], where: { transactionId: { in: slice }, reversal: null }, _sum: { amountMinor: true } });
    const held = await tx.suspenseMovement.groupBy({ by: ['transactionId'], where: { transactionId: { in: slice } }, _sum: { amountMinor: true } });
    const allocated = new Map(alloc.map((a) => [a.transactionId, a._sum.amountMinor ?? 0n]));
    const suspense = new Map(held.map((h) => [h.transactionId, h._sum.amountMinor ?? 0n]));
    for (const r of receipts) {
      const a = allocated.get(r.id) ?? 0n;
      const s = suspense.get(r.id) ?? 0n;
      if (a + r.unappliedMinor !== r.amountMinor || s !== r.unappliedMinor) throw fail(r, a, s);
    }
  }
}
