/**
 * Runs the matcher over receipts that wait for a decision and books what it may book by itself.
 * Runs after every import, and again when new open items arrive (a payment that came before its
 * claim was entered is matched then). Safe to run twice or on two instances at once: a receipt is
 * claimed with a version check before anything is booked from it.
 */
import type { Ctx } from '../../context.js';
import { ConflictError } from '../../errors.js';
import type { Tx } from '../../db/database.js';
import { matchBatch } from '../../matching/engine.js';
import type { MatchConfig } from '../../matching/config.js';
import type { ItemIndex } from '../../matching/index.js';
import { debtorNameKey, normalizeIban } from '../../matching/names.js';
import type { KnownPayer, MatchDecision, MatchableTransaction } from '../../matching/types.js';
import { formatMinor, parseMoney } from '../../money/money.js';
import { writeAudit } from '../shared/audit.js';
import { assertReceiptBalanced, moveSuspense, reverseAllocation, suspenseBalance } from './ledger.js';
import { bookingFacts, proposalRow, type BookingDecision, type ItemState, type ReceiptState } from './facts.js';
import { assertLedger, readItems, readSubscriptions, storeBookingFacts } from './writer.js';
import type { MatchingIndex } from './matchingIndex.js';
import { reasonTexts } from '../../matching/reasons.js';

export const ENGINE_VERSION = 'stadtkasse-matcher/1';

/** Decisions booked per database transaction: one round of writes for many receipts. */
const BOOKING_CHUNK = 500;
/**
 * A booking transaction may not run longer than this: the booking export serves lines only once
 * they are older than the longest booking transaction (EXPORT_SETTLE_MS), and the matcher index of
 * other instances re-reads items changed within a window longer than it.
 */
export const BOOKING_TIMEOUT_MS = 60_000;
/** Receipts read at once, and ids per `IN (…)` list (SQLite allows only so many parameters). */
const ID_WINDOW = 500;

export interface MatchingSummary {
  auto: number;
  review: number;
  unmatched: number;
  return: number;
  ignored: number;
}

/** Adds the decisions of one page of matching to a run's total. */
export function addToSummary(total: MatchingSummary, page: MatchingSummary): void {
  for (const k of Object.keys(total) as Array<keyof MatchingSummary>) total[k] += page[k];
}

export interface MatchingDeps {
  index: MatchingIndex;
  config: MatchConfig;
}

type ReceiptRow = Awaited<ReturnType<typeof loadReceipts>>[number];

const RECEIPT_SELECT = {
  id: true,
  version: true,
  matchState: true,
  entryRef: true,
  position: true,
  amountMinor: true,
  unappliedMinor: true,
  currency: true,
  creditDebit: true,
  endToEndId: true,
  debtorName: true,
  debtorIban: true,
  ultimateDebtorName: true,
  returnReasonCode: true,
  bankTransactionCode: true,
  remittanceLines: true,
  creditorReferences: true,
  entry: { select: { reversal: true, gvc: true, proprietaryCode: true, additionalInfo: true, batchCount: true, bankTransactionCode: true, detailsDisagree: true } },
} as const;

async function loadReceipts(ctx: Ctx, where: { ids?: string[]; states: string[]; cursor?: string; olderThan?: Date }) {
  const rows = await ctx.db.prisma.bankTransaction.findMany({
    ...(where.cursor ? { cursor: { id: where.cursor }, skip: 1 } : {}),
    ...(where.ids ? {} : { take: ID_WINDOW }),
    where: {
      // With ids, the state is checked below, not in SQL: given both, SQLite walks the state index
      // over every pending receipt of the import for each window, which made a day of 100,000
      // payments quadratic. The primary key finds 500 rows directly.
      ...(where.ids ? { id: { in: where.ids } } : { matchState: { in: where.states }, ...(where.olderThan ? { createdAt: { lt: where.olderThan } } : {}) }),
      // A payment a person has started to book is theirs to finish.
      ...(where.states.includes('pending') ? {} : { creditDebit: 'CRDT', allocations: { none: {} } }),
    },
    // Only what matching and booking read: Prisma's cost is per column and row, and a window of
    // receipts is read for every 500 payments.
    select: RECEIPT_SELECT,
    // In the order the bank booked them: a second payment of an item on the same day must find it
    // paid by the first (and become a double payment), not the other way round.
    orderBy: [{ createdAt: 'asc' }, { entry: { statement: { position: 'asc' } } }, { entry: { position: 'asc' } }, { position: 'asc' }],
  });
  return where.ids ? rows.filter((r) => where.states.includes(r.matchState)) : rows;
}

export function matchableOf(r: ReceiptRow): MatchableTransaction {
  const code = (r.bankTransactionCode ?? r.entry.bankTransactionCode)?.split('/');
  const t: MatchableTransaction = {
    key: r.id,
    amountMinor: r.amountMinor,
    currency: r.currency,
    creditDebit: r.creditDebit as 'CRDT' | 'DBIT',
    reversal: r.entry.reversal,
    remittanceLines: JSON.parse(r.remittanceLines) as string[],
    creditorReferences: JSON.parse(r.creditorReferences) as Array<{ reference: string; type?: string }>,
  };
  if (r.endToEndId) t.endToEndId = r.endToEndId;
  if (r.debtorName) t.debtorName = r.debtorName;
  if (r.debtorIban) t.debtorIban = r.debtorIban;
  if (r.ultimateDebtorName) t.ultimateDebtorName = r.ultimateDebtorName;
  if (r.returnReasonCode) t.returnReasonCode = r.returnReasonCode;
  if (code && code.length === 3) t.bankTransactionCode = { domain: code[0]!, family: code[1]!, subFamily: code[2]! };
  if (r.entry.proprietaryCode) t.proprietaryCode = r.entry.proprietaryCode;
  if (r.entry.gvc) t.gvc = r.entry.gvc;
  if (r.entry.additionalInfo) t.additionalInfo = r.entry.additionalInfo;
  if (r.entry.batchCount && r.entry.batchCount > 1) t.batch = { count: r.entry.batchCount };
  if (r.entry.detailsDisagree) t.entryDisagrees = entryDisagreesOf(r.entry.detailsDisagree);
  return t;
}

/** Entry.detailsDisagree as stored (src/services/statements/rows.ts) → what the matcher reads. */
function entryDisagreesOf(json: string): NonNullable<MatchableTransaction['entryDisagrees']> {
  const d = JSON.parse(json) as { kind: NonNullable<MatchableTransaction['entryDisagrees']>['kind']; currency: string; entryAmount: string; detailsAmount?: string; details: number };
  const minor = (v: string): bigint => parseMoney(v, d.currency, { allowNegative: true }).minor;
  return { kind: d.kind, currency: d.currency, entryMinor: minor(d.entryAmount), details: d.details, ...(d.detailsAmount !== undefined ? { detailsMinor: minor(d.detailsAmount) } : {}) };
}

/**
 * Matches the given receipts (or every receipt still pending) and books the automatic decisions.
 * Returns how many ended in each state.
 */
export async function runMatching({
  ctx,
  deps,
  input,
}: {
  ctx: Ctx;
  deps: MatchingDeps;
  /** `olderThan`: only receipts stored before then (a sweep must not race an import's own run). */
  input: { transactionIds?: string[]; waiting?: boolean; olderThan?: Date };
}): Promise<MatchingSummary> {
  const summary: MatchingSummary = { auto: 0, review: 0, unmatched: 0, return: 0, ignored: 0 };
  // `waiting`: receipts a person has not decided yet are looked at again (new open items arrived).
  const states = input.waiting ? ['review', 'unmatched'] : ['pending'];
  let seen = 0;
  // One refresh per run: what this run books is applied to the index as it goes (upsertRows).
  const index = await deps.index.current(ctx.db, ctx.clock);
  // Receipts are read and booked in windows, in booking order: memory stays bounded on a day
  // with 100,000 payments, and every query stays below the database's parameter limit.
  if (input.transactionIds) {
    for (let i = 0; i < input.transactionIds.length; i += ID_WINDOW) {
      const receipts = await loadReceipts(ctx, { ids: input.transactionIds.slice(i, i + ID_WINDOW), states });
      seen += receipts.length;
      await matchAndBook(ctx, deps, index, receipts, summary);
    }
  } else {
    let cursor: string | undefined;
    for (;;) {
      const receipts = await loadReceipts(ctx, { states, ...(cursor ? { cursor } : {}), ...(input.olderThan ? { olderThan: input.olderThan } : {}) });
      if (receipts.length === 0) break;
      seen += receipts.length;
      await matchAndBook(ctx, deps, index, receipts, summary);
      if (receipts.length < ID_WINDOW) break;
      cursor = receipts[receipts.length - 1]!.id;
    }
  }
  if (seen > 0) ctx.log.info({ receipts: seen, ...summary }, 'matching run booked');
  return summary;
}

async function matchAndBook(ctx: Ctx, deps: MatchingDeps, index: ItemIndex, receipts: ReceiptRow[], summary: MatchingSummary, retry = true): Promise<void> {
  if (receipts.length === 0) return;
  const ibans = [...new Set(receipts.map((r) => normalizeIban(r.debtorIban ?? undefined)).filter((x): x is string => Boolean(x)))];
  const known = new Map<string, KnownPayer[]>();
  for (let i = 0; i < ibans.length; i += ID_WINDOW) {
    for (const k of await ctx.db.prisma.knownPayer.findMany({ where: { iban: { in: ibans.slice(i, i + ID_WINDOW) } } })) {
      const list = known.get(k.iban) ?? [];
      list.push({ debtorNameKey: k.debtorNameKey, confirmations: k.confirmations });
      known.set(k.iban, list);
    }
  }
  const decisions = matchBatch(receipts.map(matchableOf), index, deps.config, (iban) => known.get(normalizeIban(iban) ?? '') ?? []);
  // The versions of the items as the matcher saw them: booking checks them, so an item paid by
  // someone else meanwhile makes the decision void instead of overpaying it.
  const basis = new Map<string, number>();
  for (const d of decisions) for (const a of d.allocations) basis.set(a.itemId, deps.index.versionOf(a.itemId) ?? -1);

  const conflicted: ReceiptRow[] = [];
  for (let i = 0; i < receipts.length; i += BOOKING_CHUNK) {
    const chunk = receipts.slice(i, i + BOOKING_CHUNK).map((r, j) => ({ receipt: r, decision: decisions[i + j]! }));
    const tally: MatchingSummary = { auto: 0, review: 0, unmatched: 0, return: 0, ignored: 0 };
    // Items this chunk changed: as the booking wrote them, and ids of those to read again.
    let bookedItems: ItemState[] = [];
    let changedItems: string[] = [];
    try {
      [bookedItems, changedItems] = await ctx.db.transaction(
        async (tx) => {
          const booked = await bookDecisions(tx, ctx, chunk.filter((c) => c.decision.status !== 'return'), basis, tally);
          const changed: string[] = [];
          // Returns go one by one, after the rest (a return may undo a booking made a moment ago
          // in the same statement).
          for (const { receipt, decision } of chunk.filter((c) => c.decision.status === 'return')) {
            const outcome = await bookReturn(tx, ctx, receipt, decision);
            tally[outcome.status]++;
            changed.push(...outcome.itemIds);
          }
          return [booked, changed] as const;
        },
        { timeoutMs: BOOKING_TIMEOUT_MS },
      );
    } catch (err) {
      if ((err as { code?: string }).code !== 'conflict') throw err;
      // Someone else touched a receipt or item of this window: nothing of it was stored. Each
      // receipt now gets its own transaction (the same writer, a batch of one), so one conflict
      // costs only that receipt.
      for (const k of Object.keys(tally) as Array<keyof MatchingSummary>) tally[k] = 0;
      bookedItems = [];
      for (const one of chunk) {
        try {
          await ctx.db.transaction(
            async (tx) => {
              if (one.decision.status === 'return') {
                const outcome = await bookReturn(tx, ctx, one.receipt, one.decision);
                tally[outcome.status]++;
                changedItems.push(...outcome.itemIds);
              } else {
                changedItems.push(...(await bookDecisions(tx, ctx, [one], basis, tally)).map((b) => b.id));
              }
            },
            { timeoutMs: BOOKING_TIMEOUT_MS },
          );
        } catch (e) {
          if ((e as { code?: string }).code !== 'conflict') throw e;
          conflicted.push(one.receipt);
        }
      }
    }
    for (const k of Object.keys(tally) as Array<keyof MatchingSummary>) summary[k] += tally[k];
    // The index learns what this chunk booked before the next chunk is matched (a second payment
    // of the same item later in the statement must see it paid). What the bulk booking wrote is
    // known as written; an item it wrote that the one-by-one part changed after it is read again.
    const again = new Set(changedItems);
    deps.index.upsertRows(bookedItems.filter((i) => !again.has(i.id)));
    const ids = [...again];
    for (let j = 0; j < ids.length; j += ID_WINDOW) {
      deps.index.upsertRows(await ctx.db.prisma.openItem.findMany({ where: { id: { in: ids.slice(j, j + ID_WINDOW) } } }));
    }
  }
  if (conflicted.length > 0 && retry) {
    // Decided on items that changed meanwhile: look again with what the database holds now.
    const fresh = await deps.index.current(ctx.db, ctx.clock);
    const again = await loadReceipts(ctx, { ids: conflicted.map((r) => r.id), states: [...new Set(conflicted.map((r) => r.matchState))] });
    await matchAndBook(ctx, deps, fresh, again, summary, false);
  } else if (conflicted.length > 0) {
    // Left as they are (pending, or waiting for a person); the next sweep decides them.
    ctx.log.warn({ receipts: conflicted.length }, 'payments changed twice while being matched; left for the next run');
  }
}

/**
 * Matcher decisions (other than returns) through the one booking path: bookingFacts decides the
 * rows, storeBookingFacts writes them for the whole window. A conflict (a receipt or item changed
 * since the decision) is thrown, never caught here: the caller's transaction rolls back whole.
 * Returns the items as booked (for the matcher's index).
 */
async function bookDecisions(tx: Tx, ctx: Ctx, window: Array<{ receipt: ReceiptRow; decision: MatchDecision }>, basis: ReadonlyMap<string, number>, tally: MatchingSummary): Promise<ItemState[]> {
  if (window.length === 0) return [];
  const now = ctx.clock.now();
  // Receipts waiting for a person hold their money in suspense; pending ones hold nothing yet.
  const waitingIds = window.filter((c) => c.receipt.matchState !== 'pending').map((c) => c.receipt.id);
  const held = new Map<string, bigint>();
  if (waitingIds.length > 0) {
    for (const h of await tx.suspenseMovement.groupBy({ by: ['transactionId'], where: { transactionId: { in: waitingIds } }, _sum: { amountMinor: true } })) held.set(h.transactionId, h._sum.amountMinor ?? 0n);
  }
  const receipts = new Map<string, ReceiptState>(window.map(({ receipt: r }) => [r.id, { ...r, heldMinor: held.get(r.id) ?? 0n }]));
  const items = await readItems(tx, window.flatMap((c) => (c.decision.status === 'auto' ? c.decision.allocations.map((a) => a.itemId) : [])));
  // A waiting receipt decided as its latest proposal already says stays as it is: storing the same
  // proposal again would move its version and turn the confirmation of a clerk looking at it into a
  // 409 for nothing (a re-match runs whenever an item it could match changes).
  const again = window.filter((c) => c.receipt.matchState !== 'pending' && c.decision.status === c.receipt.matchState).map((c) => c.receipt.id);
  const latest = await latestProposals(tx, again);
  const decisions: BookingDecision[] = [];
  for (const { receipt: r, decision: d } of window) {
    const proposal = proposalRow(r.id, d, ENGINE_VERSION, now);
    if (d.status !== 'auto') {
      const stored = latest.get(r.id);
      if (stored !== undefined && d.status === r.matchState && stored === proposalContent(proposal)) continue;
      decisions.push({ type: 'wait', transactionId: r.id, status: d.status as 'review' | 'unmatched' | 'ignored', proposal, expectVersion: r.version });
      continue;
    }
    const lines = d.allocations.map((a) => ({ itemId: a.itemId, amountMinor: a.amountMinor }));
    for (const l of lines) if (!items.has(l.itemId)) throw new ConflictError('an open item the matcher chose no longer exists');
    decisions.push({
      type: 'allocate',
      transactionId: r.id,
      lines,
      kind: 'auto',
      reason: reasonTexts(d.reasons, 'en').join('; '),
      proposal,
      matchState: 'auto',
      expectStates: [r.matchState],
      expectVersion: r.version,
      // The versions of the items as the matcher saw them: an item paid by someone else
      // meanwhile makes the decision void instead of overpaying it.
      expectItemVersions: new Map(lines.map((l) => [l.itemId, basis.get(l.itemId) ?? -1])),
      // Whatever the allocations leave of the receipt is the overpayment (held in suspense).
      surplusMinor: r.matchState === 'pending' ? r.amountMinor - lines.reduce((sum, l) => sum + l.amountMinor, 0n) : 0n,
      // No payer IBAN is learned: an automatic booking is no person's confirmation (learnPayer).
    });
  }
  const facts = bookingFacts({ receipts, items, subscriptions: await readSubscriptions(tx, items.values()) }, decisions, { actor: ctx.actor, requestId: ctx.requestId ?? null, now });
  await storeBookingFacts(tx, ctx, facts);
  for (const { decision: d } of window) tally[d.status]++;
  return [...facts.items.values()].map((x) => x.after);
}

const PROPOSAL_CONTENT = { transactionId: true, decision: true, confidenceBp: true, reasons: true, allocations: true, surplusMinor: true, suggestions: true, returnOf: true, engineVersion: true } as const;

/** What a proposal says, without when or under which id it was stored. */
function proposalContent(p: Partial<Record<keyof typeof PROPOSAL_CONTENT, unknown>>): string {
  return JSON.stringify([p.decision, p.confidenceBp, p.reasons, p.allocations, String(p.surplusMinor), p.suggestions, p.returnOf ?? null, p.engineVersion]);
}

/** The content of each receipt's latest proposal (the one in force), read in the caller's transaction. */
async function latestProposals(tx: Tx, transactionIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (transactionIds.length === 0) return out;
  // Newest first per receipt; a waiting receipt has a few proposals, one per decision that differed.
  const rows = await tx.matchProposal.findMany({ where: { transactionId: { in: transactionIds } }, orderBy: [{ transactionId: 'asc' }, { createdAt: 'desc' }, { id: 'desc' }], select: PROPOSAL_CONTENT });
  for (const p of rows) if (!out.has(p.transactionId)) out.set(p.transactionId, proposalContent(p));
  return out;
}

/**
 * A return: stored as a proposal, the receipt it returns reversed (reverseReturnedReceipt), the
 * return claimed. Whole or not at all, like every booking.
 */
async function bookReturn(tx: Tx, ctx: Ctx, receipt: ReceiptRow, d: MatchDecision): Promise<{ status: MatchDecision['status']; itemIds: string[] }> {
  const proposal = proposalRow(receipt.id, d, ENGINE_VERSION, ctx.clock.now());
  await tx.matchProposal.create({ data: proposal as never });
  if (receipt.matchState !== 'pending') {
    // A new proposal for a waiting receipt moves its version like any decision (facts.ts, wait).
    const n = await tx.bankTransaction.updateMany({ where: { id: receipt.id, version: receipt.version, matchState: receipt.matchState }, data: { version: { increment: 1 } } });
    if (n.count !== 1) throw new ConflictError(`payment ${receipt.entryRef}#${receipt.position} was decided by someone else meanwhile`);
    return { status: d.status, itemIds: [] };
  }
  const reversed = await reverseReturnedReceipt(tx, ctx, receipt, d);
  // A credit read as a return (the reversal indicator: a debit of ours that the bank reversed, e.g.
  // a refund sent back) takes back no receipt: its money arrived. It is held in suspense under its
  // own reason until a person decides what it is for (book it to items, park it, pay it back),
  // never left on the account in neither place.
  const heldMinor = !reversed.resolved && receipt.creditDebit === 'CRDT' ? receipt.amountMinor : 0n;
  const claimed = await tx.bankTransaction.updateMany({
    where: { id: receipt.id, version: receipt.version, matchState: 'pending' },
    data: { matchState: reversed.resolved ? 'return' : 'return_open', ...(receipt.creditDebit === 'CRDT' ? { unappliedMinor: heldMinor } : {}), version: { increment: 1 } },
  });
  if (claimed.count !== 1) throw new ConflictError(`payment ${receipt.entryRef}#${receipt.position} was decided by someone else meanwhile`);
  if (heldMinor > 0n) {
    await moveSuspense(tx, ctx, { transactionId: receipt.id, amountMinor: heldMinor, currency: receipt.currency, reason: 'reversal_credit', note: 'a reversed debit: no receipt is taken back; a person decides' });
  }
  await assertLedger(tx, ctx, [receipt.id, ...reversed.receiptIds]);
  return { status: d.status, itemIds: reversed.itemIds };
}

/**
 * A returned payment (R-transaction) takes back money that we had booked: find the receipt it
 * returns (by end-to-end id, else one earlier receipt of exactly this amount on the named item),
 * reverse all its allocations so the items reopen and their issuers are told, and take what the
 * receipt still held in suspense (an overpayment) out: the bank has the money back.
 * A return of a different amount, or one that fits several receipts, is left to a person.
 */
async function reverseReturnedReceipt(tx: Tx, ctx: Ctx, ret: ReceiptRow, d: MatchDecision): Promise<{ resolved: boolean; itemIds: string[]; receiptIds: string[] }> {
  const unresolved = { resolved: false, itemIds: [], receiptIds: [] };
  // Only a debit takes a receipt back. A credit with the reversal indicator is a reversed debit
  // (ISO 20022 RvslInd), e.g. a refund of ours sent back, whose text names the item it was paid on:
  // money in, for a person, never the return of another receipt of that amount on the item.
  if (ret.creditDebit !== 'DBIT') return unresolved;
  const of = d.returnOf ?? {};
  let receiptIds: string[] = [];
  if (of.endToEndId) {
    const byE2e = await tx.bankTransaction.findMany({ where: { endToEndId: of.endToEndId, creditDebit: 'CRDT', id: { not: ret.id }, matchState: { not: 'returned' } }, select: { id: true } });
    receiptIds = byE2e.map((r) => r.id);
  }
  if (receiptIds.length === 0 && of.itemId) {
    const candidates = await tx.allocation.findMany({
      where: { reversal: null, openItemId: of.itemId, transaction: { amountMinor: ret.amountMinor, creditDebit: 'CRDT', matchState: { not: 'returned' } } },
      select: { transactionId: true },
    });
    receiptIds = [...new Set(candidates.map((c) => c.transactionId))];
  }
  if (receiptIds.length !== 1) return unresolved;
  const receipt = await tx.bankTransaction.findUniqueOrThrow({ where: { id: receiptIds[0]! } });
  if (receipt.amountMinor !== ret.amountMinor || receipt.currency !== ret.currency) return unresolved;
  // Money of it paid back, or about to be (a refund run): the bank taking it all back makes the
  // city pay twice, which a person has to see and settle, not the books absorb.
  if (receipt.matchState === 'refund' || receipt.matchState === 'refunded') return unresolved;
  const allocations = await tx.allocation.findMany({ where: { transactionId: receipt.id, reversal: null }, select: { id: true, openItemId: true, amountMinor: true } });
  const reason = `payment returned by the bank${of.reasonCode ? ` (${of.reasonCode})` : ''}`;
  for (const a of allocations) {
    await reverseAllocation(tx, ctx, { allocationId: a.id, reason, causedByTransactionId: ret.id, moneyStays: false, newReceiptState: 'returned' });
  }
  const held = await suspenseBalance(tx, receipt.id);
  if (held !== 0n) await moveSuspense(tx, ctx, { transactionId: receipt.id, amountMinor: -held, currency: receipt.currency, reason: 'returned', note: reason });
  const current = await tx.bankTransaction.findUniqueOrThrow({ where: { id: receipt.id }, select: { version: true } });
  const n = await tx.bankTransaction.updateMany({ where: { id: receipt.id, version: current.version }, data: { matchState: 'returned', unappliedMinor: 0n, version: { increment: 1 } } });
  if (n.count !== 1) throw new ConflictError(`payment ${receipt.entryRef}#${receipt.position} was changed at the same moment; reload it`);
  await assertReceiptBalanced(tx, receipt.id);
  await writeAudit(tx, ctx, {
    action: 'return.booked',
    subjectType: 'bank_transaction',
    subjectId: ret.id,
    reason,
    data: { returnedReceipt: receipt.id, reversedAllocations: allocations.map((a) => a.id), fromSuspense: formatMinor(held, ret.currency), amount: formatMinor(ret.amountMinor, ret.currency) },
  });
  // Resolved even when the receipt had no allocation (all of it was waiting in suspense).
  return { resolved: true, itemIds: allocations.map((a) => a.openItemId), receiptIds: [receipt.id] };
}

/**
 * Remembers that this IBAN paid for these debtors, to corroborate later near-misses. Only what a
 * person confirmed teaches it (review: confirming a suggestion); an automatic booking does not,
 * or a booking the learned IBAN alone supported would keep teaching itself.
 */
export async function learnPayer(tx: Tx, receipt: { debtorIban: string | null }, itemIds: string[]): Promise<void> {
  const iban = normalizeIban(receipt.debtorIban ?? undefined);
  if (!iban || itemIds.length === 0) return;
  const items = await tx.openItem.findMany({ where: { id: { in: itemIds } }, select: { debtorName: true } });
  for (const key of new Set(items.map((i) => debtorNameKey(i.debtorName)))) {
    await tx.knownPayer.upsert({
      where: { iban_debtorNameKey: { iban, debtorNameKey: key } },
      create: { iban, debtorNameKey: key, confirmations: 1, lastSeenAt: new Date() },
      update: { confirmations: { increment: 1 }, lastSeenAt: new Date() },
    });
  }
}

/**
 * Takes back what was learned when a person contradicts it: a booking from this IBAN to these
 * items was undone, so the IBAN no longer says it pays for their debtors.
 */
export async function forgetPayer(tx: Tx, receipt: { debtorIban: string | null }, itemIds: string[]): Promise<void> {
  const iban = normalizeIban(receipt.debtorIban ?? undefined);
  if (!iban || itemIds.length === 0) return;
  const items = await tx.openItem.findMany({ where: { id: { in: itemIds } }, select: { debtorName: true } });
  const keys = [...new Set(items.map((i) => debtorNameKey(i.debtorName)))];
  if (keys.length > 0) await tx.knownPayer.deleteMany({ where: { iban, debtorNameKey: { in: keys } } });
}
