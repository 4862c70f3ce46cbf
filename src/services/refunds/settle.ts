/**
 * What the statement says about refunds the city sent: run after the matcher has decided a page of
 * a statement's transactions (src/services/statements/importAndMatch.ts).
 *
 * - A debit carrying a refund's end-to-end id, of its amount, books that refund (the receipt becomes
 *   `refunded`, its suspense leaves) through the refund booking every person's booking uses
 *   (carryOut, src/services/review/departures.ts).
 * - A debit without usable end-to-end id (a run booked as one entry, no camt.054 details) of exactly
 *   the total of one released run whose refunds are all still `sent` books every refund of it, when
 *   the entry names the run's file (MsgId or PmtInfId) or states a batch of several payments, as
 *   many as the run has; otherwise a person decides (src/services/review/refundRunDebit.ts).
 * Only transactions on the account the runs pay from (the creditor account of the configuration,
 * the debtor of every released file) count: another account of the city can show a debit of the
 * same total, and a refund comes back to the account it left.
 *
 * - A credit with a return reason carrying a refund's end-to-end id is the refund coming back: the
 *   refund is `bounced` and the credit waits in review (where the matcher put it, with its money in
 *   suspense) for a person to decide: pay again to another account, or book it otherwise. The
 *   citizen's original receipt is never touched: its money left, and the new credit is new money.
 *
 * Each booking is its own transaction; one that cannot be made (changed meanwhile, an amount that
 * does not fit) is left for a person and logged, never half done.
 */
import { SYSTEM_ACTOR, type Ctx } from '../../context.js';
import { formatMinor } from '../../money/money.js';
import { normalizeIban } from '../../references/iban.js';
import { writeAudit } from '../shared/audit.js';
import { carryOut } from '../review/carryOut.js';
import { carryOutRefundBatch } from '../review/departures.js';
import { DEBIT_EVIDENCE, namesRun } from '../review/refundRunDebit.js';
import { REFUND, REFUND_DEBIT_STATES } from '../review/states.js';

const WINDOW = 500;
/** What banks write where no end-to-end id was given (the matcher's config lists the same word). */
const NO_E2E = new Set(['NOTPROVIDED', 'NOT PROVIDED', '']);

export interface RefundSettlement {
  booked: number;
  bounced: number;
}

export async function settleRefunds({ ctx, input }: { ctx: Ctx; input: { transactionIds: string[] } }): Promise<RefundSettlement> {
  const out: RefundSettlement = { booked: 0, bounced: 0 };
  if (!(await ctx.db.prisma.refundRun.findFirst({ where: { status: 'released' }, select: { id: true } }))) return out;
  const sys: Ctx = { ...ctx, actor: SYSTEM_ACTOR };
  const payingAccount = normalizeIban(ctx.config.creditor.iban);
  for (let i = 0; i < input.transactionIds.length; i += WINDOW) {
    const rows = await ctx.db.prisma.bankTransaction.findMany({
      where: { id: { in: input.transactionIds.slice(i, i + WINDOW) } },
      select: { id: true, creditDebit: true, matchState: true, endToEndId: true, amountMinor: true, currency: true, returnReasonCode: true, entryRef: true, position: true, ...DEBIT_EVIDENCE },
    });
    const ours = rows.filter((r) => r.entry.statement.accountIban !== null && normalizeIban(r.entry.statement.accountIban) === payingAccount);
    const debits = ours.filter((r) => r.creditDebit === 'DBIT' && (REFUND_DEBIT_STATES as readonly string[]).includes(r.matchState));
    // Only a return says the money came back: any payer can put a refund's end-to-end id on a transfer of their own.
    const credits = ours.filter((r) => r.creditDebit === 'CRDT' && r.returnReasonCode && r.endToEndId && !NO_E2E.has(r.endToEndId.trim().toUpperCase()));
    const e2e = [...new Set([...debits, ...credits].map((r) => r.endToEndId?.trim() ?? '').filter((x) => !NO_E2E.has(x.toUpperCase())))];
    const refunds = new Map((await ctx.db.prisma.refund.findMany({ where: { endToEndId: { in: e2e } }, include: { run: { select: { number: true, status: true } } } })).map((r) => [r.endToEndId, r]));

    for (const d of debits) {
      const id = d.endToEndId?.trim() ?? '';
      const refund = refunds.get(id);
      if (refund) {
        if (refund.debitTransactionId || (refund.state !== 'sent' && refund.state !== 'bounced')) continue;
        if (refund.amountMinor !== d.amountMinor || refund.currency !== d.currency) {
          ctx.log.warn({ refund: refund.endToEndId, debit: d.id }, 'a debit carries a refund’s end-to-end id but another amount; left for a person');
          continue;
        }
        try {
          await ctx.db.transaction((tx) =>
            carryOut(tx, sys, { kind: 'refund', transactionId: refund.transactionId, refundTransactionId: d.id, amountMinor: refund.amountMinor, reason: `refund run ${refund.run.number} paid out (end-to-end id ${refund.endToEndId})` }, { expectStates: [REFUND] }),
          );
          out.booked++;
        } catch (err) {
          if ((err as { code?: string }).code !== 'conflict' && (err as { code?: string }).code !== 'validation') throw err;
          ctx.log.warn({ refund: refund.endToEndId, debit: d.id, err: (err as Error).message }, 'refund debit not booked automatically; left for a person');
        }
        continue;
      }
      if (!NO_E2E.has(id.toUpperCase())) continue;
      // A run booked as one debit: exactly one released run of this total, all of it still on its way,
      // and the entry says it is that run's: it names the run's pain.001 (MsgId or PmtInfId), or it
      // states a batch of several payments, as many as the run has. The amount alone is no proof: any
      // debit of a one-refund run's amount on the paying account would be booked as the refund. A
      // person can still book a candidate run by hand (src/services/review/refundRunDebit.ts).
      const runs = await ctx.db.prisma.refundRun.findMany({ where: { status: 'released', batchBooking: true, totalMinor: d.amountMinor, currency: d.currency }, select: { id: true, number: true, count: true, messageId: true, paymentInformationId: true }, take: 2 });
      const candidates = [];
      for (const run of runs) {
        if (d.entry.batchCount !== null && d.entry.batchCount !== run.count) continue;
        if (!namesRun(d, run)) continue;
        const notSent = await ctx.db.prisma.refund.count({ where: { runId: run.id, OR: [{ state: { not: 'sent' } }, { debitTransactionId: { not: null } }] } });
        if (notSent === 0) candidates.push(run);
      }
      if (candidates.length !== 1) continue;
      const run = candidates[0]!;
      try {
        const n = await ctx.db.transaction(async (tx) => {
          const parts = await tx.refund.findMany({ where: { runId: run.id }, select: { transactionId: true, amountMinor: true }, orderBy: { position: 'asc' } });
          await carryOutRefundBatch(tx, sys, { debitTransactionId: d.id, refunds: parts, reason: `refund run ${run.number} paid out as one debit of ${formatMinor(d.amountMinor, d.currency)}` });
          return parts.length;
        });
        out.booked += n;
      } catch (err) {
        if ((err as { code?: string }).code !== 'conflict') throw err;
        ctx.log.warn({ run: run.number, debit: d.id, err: (err as Error).message }, 'refund run debit not booked automatically; left for a person');
      }
    }

    for (const c of credits) {
      const refund = refunds.get(c.endToEndId!.trim());
      if (!refund || refund.bounceTransactionId || (refund.state !== 'sent' && refund.state !== 'booked')) continue;
      await ctx.db.transaction(async (tx) => {
        const n = await tx.refund.updateMany({
          where: { id: refund.id, version: refund.version },
          data: { state: 'bounced', bounceTransactionId: c.id, returnReasonCode: c.returnReasonCode, updatedAt: ctx.clock.now(), version: { increment: 1 } },
        });
        if (n.count !== 1) return;
        await writeAudit(tx, sys, {
          action: 'refund.bounced',
          subjectType: 'bank_transaction',
          subjectId: c.id,
          reason: `refund ${refund.endToEndId} of run ${refund.run.number} came back${c.returnReasonCode ? ` (${c.returnReasonCode})` : ''}; decide what happens to the money`,
          data: { refundId: refund.id, refundOf: refund.transactionId, endToEndId: refund.endToEndId, amount: formatMinor(c.amountMinor, c.currency), returnReasonCode: c.returnReasonCode },
        });
        out.bounced++;
      });
    }
  }
  if (out.booked + out.bounced > 0) ctx.log.info(out, 'refunds settled from the statement');
  return out;
}
