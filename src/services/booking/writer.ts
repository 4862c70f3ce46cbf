/**
 * The one booking writer: stores what bookingFacts (facts.ts) decided, for one receipt or for five
 * hundred, with a handful of multi-row statements (src/db/bulk.ts), inside the caller's database
 * transaction, and then asserts the ledger in the database.
 *
 * Concurrency: receipts and items are claimed under the versions the decisions were made on; if
 * any row was changed by someone else meanwhile, fewer rows are updated than expected and the
 * whole write is refused (ConflictError) — the caller's transaction rolls back, nothing is half
 * booked.
 */
import type { Ctx } from '../../context.js';
import type { Database, Tx } from '../../db/database.js';
import { BULK_TABLES, bulkInsert, bulkUpdate, sqliteReadInTransaction, type Row } from '../../db/bulk.js';
import { ConflictError } from '../../errors.js';
import type { BookingFacts, ItemState, ReceiptState, SubscriptionState } from './facts.js';
import { indexWaitingReceipts } from './waitingReceipts.js';
import { PAID_BACK_REASONS } from './suspense.js';

/** What booking reads of an item. */
export const BOOKED_ITEM = {
  id: true, version: true, kassenzeichen: true, externalRef: true, status: true, amountMinor: true, paidMinor: true, currency: true, cancelledAt: true,
  issuerClientId: true, debtorName: true, debtorIban: true, category: true, description: true, dueDate: true, kassenzeichenAsIssued: true,
} as const;

/** What booking reads of a receipt (plus its suspense balance, read separately). */
export const BOOKED_RECEIPT = {
  id: true, version: true, matchState: true, entryRef: true, position: true, amountMinor: true, unappliedMinor: true, currency: true, creditDebit: true,
  remittanceLines: true, creditorReferences: true, endToEndId: true, debtorName: true, debtorIban: true, ultimateDebtorName: true,
} as const;

const ID_WINDOW = 500;

/** Items by id, read in windows (booking state for bookingFacts). */
export async function readItems(tx: Tx, ids: Iterable<string>): Promise<Map<string, ItemState>> {
  const all = [...new Set(ids)];
  const out = new Map<string, ItemState>();
  for (let i = 0; i < all.length; i += ID_WINDOW) {
    for (const it of await tx.openItem.findMany({ where: { id: { in: all.slice(i, i + ID_WINDOW) } }, select: BOOKED_ITEM })) out.set(it.id, it);
  }
  return out;
}

/** Active webhook subscriptions of the items' issuers (one query for a whole batch). */
export async function readSubscriptions(tx: Tx, items: Iterable<ItemState>): Promise<SubscriptionState[]> {
  const clients = [...new Set([...items].map((i) => i.issuerClientId).filter((c): c is string => c !== null))];
  if (clients.length === 0) return [];
  return tx.webhookSubscription.findMany({ where: { clientId: { in: clients }, active: true }, select: { id: true, clientId: true, eventTypes: true } });
}

/** Receipts by id with their suspense balance. */
export async function readReceipts(tx: Tx, ids: string[]): Promise<Map<string, ReceiptState>> {
  const out = new Map<string, ReceiptState>();
  for (let i = 0; i < ids.length; i += ID_WINDOW) {
    const slice = ids.slice(i, i + ID_WINDOW);
    const rows = await tx.bankTransaction.findMany({ where: { id: { in: slice } }, select: BOOKED_RECEIPT });
    const held = await tx.suspenseMovement.groupBy({ by: ['transactionId'], where: { transactionId: { in: slice } }, _sum: { amountMinor: true } });
    const heldBy = new Map(held.map((h) => [h.transactionId, h._sum.amountMinor ?? 0n]));
    for (const r of rows) out.set(r.id, { ...r, heldMinor: heldBy.get(r.id) ?? 0n });
  }
  return out;
}

/** Stores the facts in the caller's transaction and asserts the ledger of every receipt touched. */
export async function storeBookingFacts(tx: Tx, ctx: Ctx, facts: BookingFacts): Promise<void> {
  await bulkInsert(tx, ctx.db, 'MatchProposal', BULK_TABLES.MatchProposal, facts.proposals as Row[]);
  const claimed = await bulkUpdate(
    tx,
    ctx.db,
    { table: 'BankTransaction', key: { id: 'text' }, set: { matchState: 'text', unappliedMinor: 'bigint' }, setExpressions: ['"version" = "BankTransaction"."version" + 1'], expect: { version: 'int', matchState: 'text' } },
    facts.claims as Row[],
  );
  if (claimed !== facts.claims.length) throw new ConflictError(`${facts.claims.length - claimed} of ${facts.claims.length} payments were decided by someone else meanwhile; reload`);
  await bulkInsert(tx, ctx.db, 'Allocation', BULK_TABLES.Allocation, facts.allocations as Row[]);
  const now = ctx.clock.now();
  const updates: Row[] = [...facts.items.values()].map(({ before, after }) => ({ id: after.id, paidMinor: after.paidMinor, status: after.status, updatedAt: now, expected_version: before, version: after.version }));
  const updated = await bulkUpdate(
    tx,
    ctx.db,
    // The version moves to what the facts counted (one step per allocation), so a reader comparing
    // versions sees every change.
    { table: 'OpenItem', key: { id: 'text' }, set: { paidMinor: 'bigint', status: 'text', updatedAt: 'timestamp', version: 'int' }, expect: { version: 'int' } },
    updates,
  );
  if (updated !== updates.length) throw new ConflictError(`${updates.length - updated} open items were changed by someone else meanwhile; the payments are decided again`);
  await bulkInsert(tx, ctx.db, 'ItemEvent', BULK_TABLES.ItemEvent, facts.events as Row[]);
  if (facts.deliveries.length > 0) await tx.webhookDelivery.createMany({ data: facts.deliveries as never });
  await bulkInsert(tx, ctx.db, 'SuspenseMovement', BULK_TABLES.SuspenseMovement, facts.suspense as Row[]);
  await bulkInsert(tx, ctx.db, 'AuditEntry', BULK_TABLES.AuditEntry, facts.audit as Row[]);
  await learnPayers(tx, ctx, facts.learned);
  await indexWaitingReceipts(tx, ctx, facts.startWaiting);
  for (let i = 0; i < facts.stopWaiting.length; i += ID_WINDOW) {
    await tx.waitingReceiptKey.deleteMany({ where: { transactionId: { in: facts.stopWaiting.slice(i, i + ID_WINDOW) } } });
  }
  await assertLedger(tx, ctx, [...new Set(facts.claims.map((c) => c.id as string))]);
}

/** IBANs seen paying for a debtor, counted once per booking. */
async function learnPayers(tx: Tx, ctx: Ctx, learned: BookingFacts['learned']): Promise<void> {
  if (learned.length === 0) return;
  const counts = new Map<string, { iban: string; debtorNameKey: string; confirmations: number }>();
  for (const l of learned) {
    const k = `${l.iban}\u0000${l.debtorNameKey}`;
    const c = counts.get(k) ?? { ...l, confirmations: 0 };
    c.confirmations++;
    counts.set(k, c);
  }
  const now = ctx.clock.now();
  await bulkInsert(tx, ctx.db, 'KnownPayer', { iban: 'text', debtorNameKey: 'text', confirmations: 'int', lastSeenAt: 'timestamp' }, [...counts.values()].map((c) => ({ ...c, lastSeenAt: now })), {
    onConflict: '("iban", "debtorNameKey") DO UPDATE SET "confirmations" = "KnownPayer"."confirmations" + excluded."confirmations", "lastSeenAt" = excluded."lastSeenAt"',
  });
}

/** The suspense reasons of money that left through the bank, as an SQL list (fixed words, no input). */
const PAID_BACK_SQL = PAID_BACK_REASONS.map((r) => `'${r}'`).join(', ');

/** Money of each incoming receipt, as the database holds it now. */
const RECEIPT_SUMS = (ids: string) => `SELECT t."id", t."entryId", t."matchState", t."amountMinor", t."unappliedMinor",
  COALESCE((SELECT SUM(a."amountMinor") FROM "Allocation" a WHERE a."transactionId" = t."id"
    AND NOT EXISTS (SELECT 1 FROM "AllocationReversal" r WHERE r."allocationId" = a."id")), 0) AS "allocated",
  COALESCE((SELECT SUM(s."amountMinor") FROM "SuspenseMovement" s WHERE s."transactionId" = t."id"), 0) AS "held",
  COALESCE((SELECT SUM(s."amountMinor") FROM "SuspenseMovement" s WHERE s."transactionId" = t."id" AND s."reason" IN (${PAID_BACK_SQL})), 0) AS "refunded",
  COALESCE((SELECT SUM(c."amountMinor") FROM "ClearingMovement" c WHERE c."bankTransactionId" = t."id"), 0) AS "clearing"
FROM "BankTransaction" t WHERE t."id" IN (${ids}) AND t."creditDebit" = 'CRDT'`;

/**
 * Per entry of those receipts: the entry's amount, where the money of its transactions is (signed:
 * in for a credit, out for a debit), and how many of them the matcher has not decided yet.
 * A credit's money is on items (live allocations), in suspense, paid back through the bank (a
 * booked refund, a returned direct debit: suspense movements out with those reasons, counted back
 * in), cleared against a provider's clearing account, or — once the bank took the whole receipt
 * back with a return debit (`returned`, nothing left anywhere, asserted per receipt) — gone with
 * that debit. A debit's money left: its amount.
 */
const ENTRY_SUMS = (ids: string) => `SELECT e."id", e."amountMinor", e."creditDebit", e."statementId", e."status", e."duplicateOfEntryId",
  COALESCE(SUM(x."accounted"), 0) AS "accounted", COALESCE(SUM(x."undecided"), 0) AS "undecided"
FROM "Entry" e JOIN (
  SELECT t."entryId",
    CASE WHEN t."creditDebit" <> 'CRDT' THEN -t."amountMinor"
      WHEN t."matchState" = 'returned' THEN t."amountMinor"
      ELSE COALESCE((SELECT SUM(a."amountMinor") FROM "Allocation" a WHERE a."transactionId" = t."id"
        AND NOT EXISTS (SELECT 1 FROM "AllocationReversal" r WHERE r."allocationId" = a."id")), 0)
      + COALESCE((SELECT SUM(s."amountMinor") FROM "SuspenseMovement" s WHERE s."transactionId" = t."id"), 0)
      - COALESCE((SELECT SUM(s."amountMinor") FROM "SuspenseMovement" s WHERE s."transactionId" = t."id" AND s."reason" IN (${PAID_BACK_SQL})), 0)
      - COALESCE((SELECT SUM(c."amountMinor") FROM "ClearingMovement" c WHERE c."bankTransactionId" = t."id"), 0) END AS "accounted",
    CASE WHEN t."matchState" = 'pending' THEN 1 ELSE 0 END AS "undecided"
  FROM "BankTransaction" t
  WHERE t."entryId" IN (SELECT b."entryId" FROM "BankTransaction" b WHERE b."id" IN (${ids}))
) x ON x."entryId" = e."id"
GROUP BY e."id", e."amountMinor", e."creditDebit", e."statementId", e."status", e."duplicateOfEntryId"`;

/** Per statement whose balances were found to add up when read: opening, booked entries, closing. */
const STATEMENT_SUMS = (ids: string) => `SELECT s."id", s."openingBalanceMinor", s."closingBalanceMinor",
  COALESCE((SELECT SUM(CASE WHEN e."creditDebit" = 'CRDT' THEN e."amountMinor" ELSE -e."amountMinor" END) FROM "Entry" e WHERE e."statementId" = s."id" AND e."status" = 'BOOK'), 0) AS "booked"
FROM "Statement" s WHERE s."id" IN (${ids}) AND s."balanceCheck" = 'ok' AND s."openingBalanceMinor" IS NOT NULL AND s."closingBalanceMinor" IS NOT NULL`;

type Sums = Record<string, unknown>;

async function read(tx: Tx, db: Database, sql: (ids: string) => string, ids: string[]): Promise<Sums[]> {
  const param = JSON.stringify(ids);
  const direct = sqliteReadInTransaction(tx, db, sql('SELECT value FROM json_each(?)'), [param]);
  if (direct) return direct;
  if (db.backend === 'postgresql') return tx.$queryRawUnsafe<Sums[]>(sql('SELECT jsonb_array_elements_text($1::jsonb)'), param);
  return tx.$queryRawUnsafe<Sums[]>(sql('SELECT value FROM json_each(?)'), param);
}

const big = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as string | number));

/** Statements whose balances this process has already seen add up (entries never change after import). */
const statementsChecked = new WeakMap<Database, Set<string>>();

/**
 * Asserted after every booking write, from what the database holds (TigerBeetle's habit: the
 * ledger is checked where it is stored, not only where it was computed):
 * - per incoming receipt: amount = live allocations + cleared + paid back + unapplied, and the
 *   suspense it holds = unapplied (a returned receipt holds nothing anywhere);
 * - per entry the bank booked here (status BOOK, not a repeat of an earlier statement's): once the
 *   matcher has decided every transaction of it, its money is all accounted for, to the cent —
 *   allocations + suspense + paid back + cleared + taken back by a return = the entry amount (a
 *   debit's parts count as money out); before that, its credits account for no more than it booked;
 * - per statement read as adding up: opening + booked entries = closing.
 * A violation throws: the caller's transaction rolls back, nothing of the write is stored.
 */
export async function assertLedger(tx: Tx, ctx: Ctx, receiptIds: string[]): Promise<void> {
  for (let i = 0; i < receiptIds.length; i += ID_WINDOW) {
    const ids = receiptIds.slice(i, i + ID_WINDOW);
    for (const r of await read(tx, ctx.db, RECEIPT_SUMS, ids)) {
      const amount = big(r.amountMinor);
      const unapplied = big(r.unappliedMinor);
      const allocated = big(r.allocated);
      const held = big(r.held);
      const paidBack = -big(r.refunded);
      const cleared = -big(r.clearing);
      if (r.matchState === 'returned') {
        if (allocated !== 0n || unapplied !== 0n || held !== 0n) throw new LedgerInvariantError(`returned payment ${r.id} still has ${allocated} allocated, ${unapplied} unapplied, ${held} in suspense`);
        continue;
      }
      if (allocated + cleared + paidBack + unapplied !== amount) {
        throw new LedgerInvariantError(`payment ${r.id} of ${amount} has ${allocated} allocated, ${cleared} cleared, ${paidBack} paid back and ${unapplied} unapplied`);
      }
      if (held !== unapplied) throw new LedgerInvariantError(`payment ${r.id} has ${unapplied} unapplied but ${held} in suspense`);
    }
    const statements = new Set<string>();
    for (const e of await read(tx, ctx.db, ENTRY_SUMS, ids)) {
      statements.add(e.statementId as string);
      const amount = big(e.amountMinor);
      const accounted = big(e.accounted);
      // An entry not booked (PDNG, INFO) or booked on an earlier statement (a repeat) carries no
      // money of this ledger: its transactions stay `not_booked` / `duplicate`, never decided.
      if (e.status !== 'BOOK' || e.duplicateOfEntryId !== null) continue;
      if (big(e.undecided) === 0n) {
        const expected = e.creditDebit === 'CRDT' ? amount : -amount;
        if (accounted !== expected) {
          throw new LedgerInvariantError(`entry ${e.id} booked ${e.creditDebit === 'CRDT' ? '' : '-'}${amount} but its transactions account for ${accounted} (allocations, suspense, paid back, cleared, returned)`);
        }
      } else if (e.creditDebit === 'CRDT' && accounted > amount) {
        throw new LedgerInvariantError(`entry ${e.id} booked ${amount} but its payments account for ${accounted} (allocations and suspense)`);
      }
    }
    let checked = statementsChecked.get(ctx.db);
    if (!checked) statementsChecked.set(ctx.db, (checked = new Set()));
    const unchecked = [...statements].filter((s) => !checked.has(s));
    if (unchecked.length === 0) continue;
    for (const s of await read(tx, ctx.db, STATEMENT_SUMS, unchecked)) {
      const opening = big(s.openingBalanceMinor);
      const closing = big(s.closingBalanceMinor);
      if (opening + big(s.booked) !== closing) throw new LedgerInvariantError(`statement ${s.id}: opening ${opening} + booked entries ${big(s.booked)} ≠ closing ${closing}`);
    }
    for (const s of unchecked) checked.add(s);
  }
}

/** The ledger as stored contradicts itself: a bug, never a user's mistake. Aborts the write. */
export class LedgerInvariantError extends Error {
  constructor(message: string) {
    super(`invariant: ${message}`);
    this.name = 'LedgerInvariantError';
  }
}
