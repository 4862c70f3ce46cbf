/**
 * What the statement says about direct debits the city sent, before the matcher looks at the
 * receipts (src/services/statements/importAndMatch.ts, like a payment provider's payouts):
 *
 * - The credit of a collection books every item it collected, through the booking writer
 *   (bookingFacts → storeBookingFacts, allocation kind `auto`): with camt.054 details (or single
 *   booking) each credit carries one debit's end-to-end id; as one batch entry without details it
 *   is the total of one released run's debits still `sent`, and only when the entry says so: it
 *   names the run's pain.008 (MsgId or PmtInfId, src/services/shared/batchIdentity.ts), or its
 *   batch count is several and equals the debits the run has out. Any other credit of that amount
 *   (a citizen's transfer) is left for the matcher and a person.
 * - A return or reject (a debit carrying a debit's end-to-end id: AC04, AC06, AM04, MD01, MD06, MS02,
 *   MS03, SL01 …) reverses exactly the item it concerns: its allocation on the collection credit is
 *   reversed (the item reopens, the issuing service hears `item.reversed` with the reason), the money
 *   leaves that credit (suspense reason `debit_returned`), the bank's fee (the return's charges, or
 *   what it took above the collected amount) is added to the item (`item.amount_changed`), and the
 *   mandate is blocked when the reason says it cannot be used again (MD01, AC04, AC06, MD07).
 *   A return of less than was collected is booked only when the entry explains the difference as
 *   the bank's fee (original amount stated, charges = the difference: returns.ts); otherwise it is
 *   left for a person, whose review detail shows both figures and why.
 * - A credit is booked only when every item it collects still owes at least its debit: an item paid
 *   (or reduced, or cancelled) between release and credit would be overpaid, so the credit is left
 *   for the matcher and a person, never allocated above what is open.
 */
import { SYSTEM_ACTOR, type Ctx } from '../../context.js';
import { bulkUpdate } from '../../db/bulk.js';
import type { Tx } from '../../db/database.js';
import { ConflictError } from '../../errors.js';
import { formatMinor } from '../../money/money.js';
import { bookingFacts, type BookingDecision } from '../booking/facts.js';
import { assertReceiptBalanced, moveSuspense, reverseAllocation } from '../booking/ledger.js';
import { assertLedger } from '../booking/writer.js';
import { readItems, readReceipts, readSubscriptions, storeBookingFacts } from '../booking/writer.js';
import { addChargeToItem } from '../items/changeOpenItem.js';
import { writeAudit } from '../shared/audit.js';
import { entrySaysRun } from '../shared/batchIdentity.js';
import { readReturn, RETURN_FIGURES, statedOriginals } from './returns.js';
import { MANDATE_BLOCKING_REASONS } from './states.js';

const WINDOW = 500;
const NO_E2E = new Set(['NOTPROVIDED', 'NOT PROVIDED', '']);

export interface CollectionSettlement {
  collected: number;
  returned: number;
}

type Debit = NonNullable<Awaited<ReturnType<Ctx['db']['prisma']['directDebit']['findUnique']>>>;

export async function recognizeCollections({ ctx, input }: { ctx: Ctx; input: { transactionIds: string[] } }): Promise<CollectionSettlement> {
  const out: CollectionSettlement = { collected: 0, returned: 0 };
  const db = ctx.db.prisma;
  if (!(await db.collectionRun.findFirst({ where: { status: 'released' }, select: { id: true } }))) return out;
  const sys: Ctx = { ...ctx, actor: SYSTEM_ACTOR };
  for (let i = 0; i < input.transactionIds.length; i += WINDOW) {
    // By id alone, the state checked below: with the state in SQL as well, SQLite walks the state
    // index over every pending receipt of the import for each window of ids.
    const rows = (await db.bankTransaction.findMany({
      where: { id: { in: input.transactionIds.slice(i, i + WINDOW) } },
      select: { id: true, matchState: true, creditDebit: true, endToEndId: true, amountMinor: true, currency: true, chargesMinor: true, returnReasonCode: true, ...RETURN_FIGURES, version: true, remittanceLines: true, entry: { select: { batchCount: true, batchIds: true, entryReference: true, accountServicerReference: true, additionalInfo: true } } },
    })).filter((r) => r.matchState === 'pending');
    const e2e = [...new Set(rows.map((r) => r.endToEndId?.trim() ?? '').filter((x) => !NO_E2E.has(x.toUpperCase())))];
    const debits = new Map((await db.directDebit.findMany({ where: { endToEndId: { in: e2e } } })).map((d) => [d.endToEndId!, d]));

    for (const r of rows) {
      const d = r.endToEndId ? debits.get(r.endToEndId.trim()) : undefined;
      if (r.creditDebit === 'DBIT') {
        if (d && (d.state === 'sent' || d.state === 'collected')) {
          if (await bookReturn(sys, r, d)) out.returned++;
        }
        continue;
      }
      if (d) {
        if (d.state === 'sent' && d.amountMinor === r.amountMinor && d.currency === r.currency) out.collected += await bookCollection(sys, r.id, async function* () {
          yield [d];
        }, `direct debit ${d.endToEndId} collected`);
        continue;
      }
      if (!NO_E2E.has((r.endToEndId ?? '').trim().toUpperCase())) continue;
      // One batch entry without details: the sum of one released run's debits still on their way,
      // and the entry says it is that run's: it names the run's file (MsgId or PmtInfId), or it
      // states a batch of several debits, as many as the run has out. The amount alone is no proof:
      // a citizen's own transfer of a one-debit run's amount would be booked as the collection.
      // The newest released runs are where an uncredited collection is (a credit comes days after release).
      const runs = await db.collectionRun.findMany({ where: { status: 'released', currency: r.currency }, select: { id: true, number: true, messageId: true, paymentInformationId: true }, orderBy: { number: 'desc' }, take: 50 });
      const evidence = { ...r.entry, remittanceLines: r.remittanceLines };
      const fits: Array<{ id: string; number: number }> = [];
      for (const run of runs) {
        const sent = await db.directDebit.aggregate({ where: { runId: run.id, state: 'sent' }, _sum: { amountMinor: true }, _count: { _all: true } });
        if ((sent._sum.amountMinor ?? 0n) !== r.amountMinor || sent._count._all === 0) continue;
        if (r.entry.batchCount !== null && r.entry.batchCount !== sent._count._all) continue;
        // A batch that names another file is another batch, whatever its count.
        if (entrySaysRun(run, evidence)) fits.push(run);
      }
      if (fits.length === 1) out.collected += await bookCollection(sys, r.id, runDebits(fits[0]!.id), `collection run ${fits[0]!.number} collected as one credit`);
    }
  }
  if (out.collected + out.returned > 0) ctx.log.info(out, 'direct debits settled from the statement');
  return out;
}

/** Debits booked per step of one credit: the ledger of the credit is asserted after each step. */
const BOOKING_PAGE = 5_000;

/** The debits of a run still `sent`, in file order, BOOKING_PAGE at a time (read WINDOW per query). */
function runDebits(runId: string): (tx: Tx) => AsyncGenerator<Debit[]> {
  return async function* (tx) {
    for (let after = 0; ; ) {
      const page: Debit[] = [];
      while (page.length < BOOKING_PAGE) {
        // By run and position alone, the state checked after reading: with the state in SQL as well,
        // SQLite may walk the state index over every debit in that state for each window.
        const rows = await tx.directDebit.findMany({ where: { runId, position: { gt: after } }, orderBy: { position: 'asc' }, take: WINDOW });
        if (rows.length === 0) break;
        after = rows.at(-1)!.position!;
        for (const d of rows) if (d.state === 'sent') page.push(d);
      }
      if (page.length === 0) return;
      yield page;
    }
  };
}

/**
 * One credit books its debits' items (the booking writer), and the debits become `collected`. A
 * run's credit books a page of debits at a time, in one transaction: each page is one decision on
 * the credit (the first takes it from `pending`, the next find it `auto`), so the items, the
 * allocations and their events of 100,000 debits are never in memory at once.
 */
async function bookCollection(ctx: Ctx, transactionId: string, pages: (tx: Tx) => AsyncIterable<Debit[]>, reason: string): Promise<number> {
  try {
    return await ctx.db.transaction(
      async (tx) => {
        let booked = 0;
        for await (const debits of pages(tx)) {
          let receipts = await readReceipts(tx, [transactionId]);
          const receipt = receipts.get(transactionId)!;
          const pageTotal = debits.reduce((sum, d) => sum + d.amountMinor, 0n);
          if (booked === 0 && pageTotal < receipt.unappliedMinor && receipt.heldMinor === 0n) {
            // Booked in steps: what the steps have not booked yet is the credit's unapplied money, and
            // unapplied money is held in suspense (the ledger's rule, asserted after every step);
            // each step takes its part out again, and the last leaves nothing (same transaction).
            await moveSuspense(tx, ctx, { transactionId, amountMinor: receipt.unappliedMinor, currency: receipt.currency, reason: 'unassigned', note: `${reason}: booked in steps of ${BOOKING_PAGE} debits` });
            receipts = await readReceipts(tx, [transactionId]);
          }
          const items = await readItems(tx, debits.map((d) => d.openItemId));
          // The bank collected what the release checked was owed; an item paid, reduced or cancelled
          // since (a transfer, online, by hand) would be overpaid by booking it. A person decides
          // (pay back, or keep against another claim): the whole credit is left for the review queue.
          for (const d of debits) {
            const it = items.get(d.openItemId);
            const open = it ? it.amountMinor - it.paidMinor : 0n;
            if (!it || it.cancelledAt || open < d.amountMinor) {
              throw new ConflictError(`item ${it?.kassenzeichen ?? d.openItemId} ${it?.cancelledAt ? 'was cancelled' : `has ${formatMinor(open < 0n ? 0n : open, d.currency)} open`} since direct debit ${d.endToEndId} of ${formatMinor(d.amountMinor, d.currency)} was released; booking it would overpay it`);
            }
          }
          const decision: BookingDecision = {
            type: 'allocate',
            transactionId,
            lines: debits.map((d) => ({ itemId: d.openItemId, amountMinor: d.amountMinor })),
            kind: 'auto',
            reason,
            matchState: 'auto',
            expectStates: booked === 0 ? ['pending'] : ['auto'],
            expectVersion: receipts.get(transactionId)!.version,
            surplusMinor: 0n,
          };
          const now = ctx.clock.now();
          const facts = bookingFacts({ receipts, items, subscriptions: await readSubscriptions(tx, items.values()) }, [decision], { actor: ctx.actor, requestId: ctx.requestId ?? null, now });
          await storeBookingFacts(tx, ctx, facts);
          const n = await bulkUpdate(
            tx,
            ctx.db,
            { table: 'DirectDebit', key: { id: 'text' }, set: { state: 'text', creditTransactionId: 'text', updatedAt: 'timestamp' }, setExpressions: ['"version" = "DirectDebit"."version" + 1'], expect: { version: 'int', state: 'text' } },
            debits.map((d) => ({ id: d.id, state: 'collected', creditTransactionId: transactionId, updatedAt: now, expected_version: d.version, expected_state: 'sent' })),
          );
          if (n !== debits.length) throw new ConflictError('direct debits changed while their credit was booked');
          booked += debits.length;
        }
        // The credit was the sum of the debits: nothing of it may be left over.
        const left = await tx.bankTransaction.findUniqueOrThrow({ where: { id: transactionId }, select: { unappliedMinor: true } });
        if (left.unappliedMinor !== 0n) throw new ConflictError(`the collection credit keeps ${left.unappliedMinor} unapplied after booking its debits`);
        return booked;
      },
      { timeoutMs: 600_000 },
    );
  } catch (err) {
    if ((err as { code?: string }).code !== 'conflict' && (err as { code?: string }).code !== 'validation') throw err;
    ctx.log.warn({ transactionId, err: (err as Error).message }, 'collection credit not booked automatically; left for the matcher and a person');
    return 0;
  }
}

type ReturnRow = { id: string; amountMinor: bigint; currency: string; chargesMinor: bigint | null; returnReasonCode: string | null; version: number } & Parameters<typeof statedOriginals>[0];

async function bookReturn(ctx: Ctx, ret: ReturnRow, d: Debit): Promise<boolean> {
  const reading = ret.currency === d.currency ? readReturn(d.amountMinor, { returnedMinor: ret.amountMinor, chargesMinor: ret.chargesMinor, statedOriginalsMinor: statedOriginals(ret, d.currency) }) : null;
  if (!reading?.book) {
    // The review detail shows both figures and this reason (returns.ts, returnFigures).
    ctx.log.warn({ debit: d.endToEndId, transactionId: ret.id, why: reading?.why ?? 'currency' }, 'a return names a direct debit but carries another amount than it collected, unexplained; left for a person');
    return false;
  }
  const fee = reading.feeMinor;
  const code = ret.returnReasonCode?.toUpperCase() ?? null;
  const reason = `direct debit ${d.endToEndId} returned by the debtor's bank${code ? ` (${code})` : ''}`;
  try {
    await ctx.db.transaction(async (tx) => {
      if (d.state === 'collected' && d.creditTransactionId) {
        const allocation = await tx.allocation.findFirst({ where: { transactionId: d.creditTransactionId, openItemId: d.openItemId, amountMinor: d.amountMinor, reversal: null }, select: { id: true } });
        if (!allocation) throw new ConflictError(`the booking of direct debit ${d.endToEndId} was undone already`);
        const credit = await tx.bankTransaction.findUniqueOrThrow({ where: { id: d.creditTransactionId } });
        // The item reopens; the money comes off the credit it was collected with and leaves it again.
        await reverseAllocation(tx, ctx, { allocationId: allocation.id, reason, causedByTransactionId: ret.id, moneyStays: true, newReceiptState: credit.matchState });
        await moveSuspense(tx, ctx, { transactionId: credit.id, amountMinor: -d.amountMinor, currency: d.currency, reason: 'debit_returned', note: reason });
        const now = await tx.bankTransaction.findUniqueOrThrow({ where: { id: credit.id }, select: { version: true, unappliedMinor: true } });
        const n = await tx.bankTransaction.updateMany({ where: { id: credit.id, version: now.version }, data: { unappliedMinor: now.unappliedMinor - d.amountMinor, version: { increment: 1 } } });
        if (n.count !== 1) throw new ConflictError('the collection credit changed at the same moment');
        await assertReceiptBalanced(tx, credit.id);
        await assertLedger(tx, ctx, [credit.id]);
      }
      if (fee > 0n) await addChargeToItem(tx, ctx, d.openItemId, fee, `bank fee for the returned direct debit${code ? ` (${code})` : ''}`);
      const claimed = await tx.bankTransaction.updateMany({ where: { id: ret.id, version: ret.version, matchState: 'pending' }, data: { matchState: 'return', version: { increment: 1 } } });
      if (claimed.count !== 1) throw new ConflictError('the return was decided by someone else meanwhile');
      const updated = await tx.directDebit.updateMany({
        where: { id: d.id, version: d.version },
        data: { state: 'returned', standingFor: null, returnTransactionId: ret.id, returnReasonCode: code, returnFeeMinor: fee, updatedAt: ctx.clock.now(), version: { increment: 1 } },
      });
      if (updated.count !== 1) throw new ConflictError('the direct debit changed at the same moment');
      const block = code ? MANDATE_BLOCKING_REASONS[code] : undefined;
      if (block) await tx.mandate.updateMany({ where: { id: d.mandateId, status: 'active' }, data: { status: 'blocked', statusReason: block, updatedAt: ctx.clock.now(), version: { increment: 1 } } });
      await writeAudit(tx, ctx, {
        action: 'direct_debit.returned',
        subjectType: 'open_item',
        subjectId: d.openItemId,
        reason,
        data: { directDebitId: d.id, endToEndId: d.endToEndId, returnTransactionId: ret.id, reasonCode: code, amount: formatMinor(d.amountMinor, d.currency), returned: formatMinor(ret.amountMinor, ret.currency), fee: formatMinor(fee, d.currency), wasCollected: d.state === 'collected', ...(block ? { mandateBlocked: block } : {}) },
      });
    });
    return true;
  } catch (err) {
    if ((err as { code?: string }).code !== 'conflict') throw err;
    ctx.log.warn({ debit: d.endToEndId, transactionId: ret.id, err: (err as Error).message }, 'direct debit return not booked automatically; left for a person');
    return false;
  }
}
