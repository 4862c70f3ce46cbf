/**
 * Direct debits of open items: an item of a debtor with a valid mandate is announced for collection
 * (pre-notification): the collection date is its due date, but never earlier than the
 * pre-notification period (SEPA_PRE_NOTIFICATION_DAYS, 14 by default) from the announcement, and
 * never on a weekend. The issuing service hears it as the event `item.collection_announced` (date,
 * amount, mandate reference, creditor identifier), in the same transaction.
 */
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { formatMinor } from '../../money/money.js';
import { maskIban } from '../../references/iban.js';
import { sepaText } from '../../sepa/charset.js';
import { recordItemEvent } from '../items/events.js';
import { assertVisible } from '../items/model.js';
import type { ItemStatus } from '../items/status.js';
import { expiresOn, mandateStanding } from '../mandates/model.js';
import { cityDate } from '../review/dates.js';
import { writeAudit } from '../shared/audit.js';
import { newId } from '../shared/ids.js';
import { pageLimit, decodeCursor, encodeCursor, type Page } from '../shared/paging.js';
import type { DirectDebitState } from './states.js';

export interface DirectDebitView {
  id: string;
  itemId: string;
  kassenzeichen: string | null;
  mandateId: string;
  state: DirectDebitState;
  amount: string;
  currency: string;
  collectionDate: string;
  announcedAt: string;
  runId: string | null;
  sequence: string | null;
  endToEndId: string | null;
  remittance: string;
  creditTransactionId: string | null;
  returnTransactionId: string | null;
  returnReasonCode: string | null;
  returnFee: string | null;
}

type Row = NonNullable<Awaited<ReturnType<Tx['directDebit']['findUnique']>>>;

export function directDebitView(d: Row, kassenzeichen: string | null = null): DirectDebitView {
  return {
    id: d.id,
    itemId: d.openItemId,
    kassenzeichen,
    mandateId: d.mandateId,
    state: d.state as DirectDebitState,
    amount: formatMinor(d.amountMinor, d.currency),
    currency: d.currency,
    collectionDate: d.collectionDate,
    announcedAt: d.announcedAt.toISOString(),
    runId: d.runId,
    sequence: d.sequence,
    endToEndId: d.endToEndId,
    remittance: d.remittance,
    creditTransactionId: d.creditTransactionId,
    returnTransactionId: d.returnTransactionId,
    returnReasonCode: d.returnReasonCode,
    returnFee: d.returnFeeMinor === null ? null : formatMinor(d.returnFeeMinor, d.currency),
  };
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function weekday(day: string): string {
  let d = day;
  while ([0, 6].includes(new Date(`${d}T12:00:00Z`).getUTCDay())) d = addDays(d, 1);
  return d;
}

/** The collection date of an item due on `dueDate`, announced today. */
export function collectionDateFor(dueDate: string, today: string, preNotificationDays: number): string {
  const earliest = addDays(today, preNotificationDays);
  return weekday(dueDate > earliest ? dueDate : earliest);
}

export async function announceDirectDebit({ ctx, input }: { ctx: Ctx; input: { itemId: string; mandateId: string } }): Promise<DirectDebitView> {
  const today = cityDate(ctx.clock.now());
  try {
    return await ctx.db.transaction(async (tx) => {
      const item = assertVisible(ctx.actor, await tx.openItem.findUnique({ where: { id: input.itemId } }), input.itemId);
      const mandate = await tx.mandate.findUnique({ where: { id: input.mandateId } });
      if (!mandate) throw new NotFoundError('mandate', input.mandateId);
      const standing = mandateStanding(mandate, today);
      if (standing !== 'active') throw new ConflictError(`mandate ${mandate.reference} is ${standing}; nothing can be collected under it`, { mandateStatus: standing });
      if (item.cancelledAt || (item.status !== 'open' && item.status !== 'partly_paid')) throw new ConflictError(`open item ${item.kassenzeichen} is ${item.status}; only what is open is collected`);
      if (item.currency !== 'EUR') throw new ValidationError(`a SEPA direct debit collects euros; item ${item.kassenzeichen} is in ${item.currency}`, { field: 'itemId' });
      if (mandate.kind === 'one_off' && (await tx.directDebit.count({ where: { mandateId: mandate.id, state: { notIn: ['cancelled'] } } })) > 0) {
        throw new ConflictError(`mandate ${mandate.reference} is for one collection (OOFF) and was used already`);
      }
      const amountMinor = item.amountMinor - item.paidMinor;
      const collectionDate = collectionDateFor(item.dueDate, today, ctx.config.sepa.preNotificationDays);
      if (collectionDate > expiresOn(mandate)) throw new ConflictError(`mandate ${mandate.reference} expires on ${expiresOn(mandate)}, before the collection date ${collectionDate}`);
      const now = ctx.clock.now();
      const remittance = sepaText(`Kassenzeichen ${item.kassenzeichen} ${item.description}`, 140);
      const d = await tx.directDebit.create({
        data: { id: newId(), openItemId: item.id, mandateId: mandate.id, state: 'announced', amountMinor, currency: item.currency, collectionDate, announcedAt: now, standingFor: item.id, remittance, updatedAt: now },
      });
      const amount = formatMinor(amountMinor, item.currency);
      await recordItemEvent(tx, ctx, item, 'item.collection_announced', {
        previousStatus: item.status as ItemStatus,
        reason: `collected by SEPA direct debit on ${collectionDate}`,
        collection: { collectionDate, amount, mandateReference: mandate.reference, creditorId: ctx.config.sepa.creditorId },
      });
      await writeAudit(tx, ctx, { action: 'direct_debit.announced', subjectType: 'open_item', subjectId: item.id, data: { directDebitId: d.id, mandate: mandate.reference, account: maskIban(mandate.debtorIban), amount, collectionDate } });
      return directDebitView(d, item.kassenzeichen);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`open item ${input.itemId} is announced for collection already`);
    throw err;
  }
}

/**
 * Takes back an announcement not yet in a run (the debtor paid otherwise, the claim changed). The
 * issuing service hears `item.collection_cancelled`, as it heard the announcement and as it hears
 * it when a blocked mandate takes its collections back (mandates.ts, blockMandate), with a fixed
 * reason; the clerk's reason is kept in the audit trail only.
 */
export async function cancelDirectDebit({ ctx, input }: { ctx: Ctx; input: { directDebitId: string; reason: string } }): Promise<DirectDebitView> {
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 500) throw new ValidationError('reason: say why, in 1 to 500 characters', { field: 'reason' });
  return ctx.db.transaction(async (tx) => {
    const d = await tx.directDebit.findUnique({ where: { id: input.directDebitId } });
    if (!d) throw new NotFoundError('direct debit', input.directDebitId);
    if (d.state !== 'announced') throw new ConflictError(`the direct debit is ${d.state}; only one not yet in a run can be taken back`, { debitState: d.state });
    const n = await tx.directDebit.updateMany({ where: { id: d.id, version: d.version }, data: { state: 'cancelled', standingFor: null, updatedAt: ctx.clock.now(), version: { increment: 1 } } });
    if (n.count !== 1) throw new ConflictError('the direct debit was changed at the same moment; reload it');
    const item = await tx.openItem.findUniqueOrThrow({ where: { id: d.openItemId } });
    const mandate = await tx.mandate.findUniqueOrThrow({ where: { id: d.mandateId }, select: { reference: true } });
    await recordItemEvent(tx, ctx, item, 'item.collection_cancelled', {
      previousStatus: item.status as ItemStatus,
      // A fixed sentence, as for a blocked mandate: the clerk's words may name the debtor's
      // circumstances and stay in the audit trail of the city; the issuing service hears the fact.
      reason: `the SEPA direct debit on ${d.collectionDate} is taken back by the city treasury`,
      collection: { collectionDate: d.collectionDate, amount: formatMinor(d.amountMinor, d.currency), mandateReference: mandate.reference, creditorId: ctx.config.sepa.creditorId },
    });
    await writeAudit(tx, ctx, { action: 'direct_debit.cancelled', subjectType: 'open_item', subjectId: d.openItemId, reason, data: { directDebitId: d.id } });
    return directDebitView((await tx.directDebit.findUnique({ where: { id: d.id } }))!, item.kassenzeichen);
  });
}

/** Direct debits of an item or a mandate (one of them), a page at a time. */
export async function listDirectDebits({ ctx, input }: { ctx: Ctx; input: { itemId?: string; mandateId?: string; limit?: number; cursor?: string } }): Promise<Page<DirectDebitView>> {
  const limit = pageLimit(input.limit);
  const after = decodeCursor(input.cursor, 1);
  if ([input.itemId, input.mandateId].filter(Boolean).length !== 1) throw new ValidationError('give itemId or mandateId', { field: 'itemId' });
  const rows = await ctx.db.prisma.directDebit.findMany({
    where: { ...(input.itemId ? { openItemId: input.itemId } : {}), ...(input.mandateId ? { mandateId: input.mandateId } : {}), ...(after ? { id: { gt: after[0]! } } : {}) },
    orderBy: { id: 'asc' },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const items = new Map((await ctx.db.prisma.openItem.findMany({ where: { id: { in: [...new Set(page.map((d) => d.openItemId))] } }, select: { id: true, kassenzeichen: true } })).map((i) => [i.id, i.kassenzeichen]));
  return { items: page.map((d) => directDebitView(d, items.get(d.openItemId) ?? null)), nextCursor: rows.length > limit ? encodeCursor([page.at(-1)!.id]) : null };
}
