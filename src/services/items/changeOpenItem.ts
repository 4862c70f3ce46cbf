/**
 * Changing a claim after it was raised: cancelling it, or changing its amount (a dunning fee, a
 * reduced fine). Nothing is deleted: each change writes an OpenItemChange row, an audit entry and an
 * item event (with its webhook deliveries) in the same transaction as the change itself.
 */
import { actorLabel, type Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { formatMinor, parseAmountInput } from '../../money/money.js';
import { writeAudit } from '../shared/audit.js';
import { newId } from '../shared/ids.js';
import { recordItemEvent } from './events.js';
import { assertVisible, toItemView, type OpenItemRow, type OpenItemView } from './model.js';
import { MAX_ITEM_AMOUNT_MINOR } from './newItem.js';
import { itemStatus, type ItemStatus } from './status.js';

export interface ChangeInput {
  id: string;
  reason: string;
  /** The version the caller last read; a different current version answers 409 instead of overwriting. */
  expectedVersion?: number;
}

export async function cancelOpenItem({ ctx, input }: { ctx: Ctx; input: ChangeInput }): Promise<OpenItemView> {
  const reason = checkReason(input.reason);
  const row = await ctx.db.transaction(async (tx) => {
    const item = await readForChange(tx, ctx, input);
    if (item.cancelledAt) throw new ConflictError(`open item ${item.id} is already cancelled`);
    if (item.paidMinor !== 0n) {
      // The money booked to it must go somewhere first (refund or another item): that is a booking decision.
      throw new ConflictError(`open item ${item.id} has ${formatMinor(item.paidMinor, item.currency)} ${item.currency} booked to it; reverse those allocations before cancelling`);
    }
    const now = ctx.clock.now();
    const updated = await updateVersioned(tx, ctx, item, { status: 'cancelled', cancelledAt: now, cancelReason: reason });
    await tx.openItemChange.create({ data: { id: newId(), openItemId: item.id, kind: 'cancelled', oldAmountMinor: item.amountMinor, newAmountMinor: null, reason, actor: actorLabel(ctx.actor), createdAt: now } });
    await writeAudit(tx, ctx, { action: 'open_item.cancelled', subjectType: 'open_item', subjectId: item.id, reason, data: { kassenzeichen: item.kassenzeichen } });
    await recordItemEvent(tx, ctx, updated, 'item.cancelled', { previousStatus: item.status as ItemStatus, reason });
    return updated;
  });
  return toItemView(ctx, row);
}

export async function changeOpenItemAmount({ ctx, input }: { ctx: Ctx; input: ChangeInput & { amount: string } }): Promise<OpenItemView> {
  const reason = checkReason(input.reason);
  const row = await ctx.db.transaction(async (tx) => {
    const item = await readForChange(tx, ctx, input);
    if (item.cancelledAt) throw new ConflictError(`open item ${item.id} is cancelled; its amount cannot change`);
    const amountMinor = parseAmountInput(input.amount, item.currency, { field: 'amount' }).minor;
    if (amountMinor <= 0n) throw new ValidationError('amount: must be more than 0.00; to withdraw a claim, cancel it', { field: 'amount' });
    return changeAmountIn(tx, ctx, item, amountMinor, reason);
  });
  return toItemView(ctx, row);
}

/**
 * A charge added to a claim inside the caller's transaction (a returned direct debit's bank fee):
 * the same change, record, audit entry and event as a change by the issuing service.
 */
export async function addChargeToItem(tx: Tx, ctx: Ctx, itemId: string, chargeMinor: bigint, reason: string): Promise<OpenItemRow> {
  const item = await tx.openItem.findUnique({ where: { id: itemId } });
  if (!item) throw new NotFoundError('open item', itemId);
  if (item.cancelledAt) throw new ConflictError(`open item ${item.kassenzeichen} is cancelled; no charge can be added`);
  if (chargeMinor <= 0n) throw new Error(`invariant: a charge of ${chargeMinor} added to open item ${itemId}`);
  return changeAmountIn(tx, ctx, item, item.amountMinor + chargeMinor, checkReason(reason));
}

async function changeAmountIn(tx: Tx, ctx: Ctx, item: OpenItemRow, amountMinor: bigint, reason: string): Promise<OpenItemRow> {
  if (amountMinor > MAX_ITEM_AMOUNT_MINOR) throw new ValidationError('amount: must be at most 999999999.99', { field: 'amount' });
  if (amountMinor === item.amountMinor) throw new ValidationError(`amount: is already ${formatMinor(amountMinor, item.currency)}`, { field: 'amount' });
  const now = ctx.clock.now();
  const updated = await updateVersioned(tx, ctx, item, { amountMinor, status: itemStatus(amountMinor, item.paidMinor, false) });
  await tx.openItemChange.create({ data: { id: newId(), openItemId: item.id, kind: 'amount_changed', oldAmountMinor: item.amountMinor, newAmountMinor: amountMinor, reason, actor: actorLabel(ctx.actor), createdAt: now } });
  await writeAudit(tx, ctx, { action: 'open_item.amount_changed', subjectType: 'open_item', subjectId: item.id, reason, data: { kassenzeichen: item.kassenzeichen, oldAmountMinor: item.amountMinor, newAmountMinor: amountMinor } });
  await recordItemEvent(tx, ctx, updated, 'item.amount_changed', { previousStatus: item.status as ItemStatus, reason, previousAmountMinor: item.amountMinor });
  // A lower amount can make what was paid enough or too much: subscribers to item.overpaid (a
  // refund to arrange) and item.paid hear it as they do when a payment does it.
  if (updated.status !== item.status && (updated.status === 'overpaid' || updated.status === 'paid')) {
    await recordItemEvent(tx, ctx, updated, updated.status === 'overpaid' ? 'item.overpaid' : 'item.paid', { previousStatus: item.status as ItemStatus, reason });
  }
  return updated;
}

/** What caused a change of the paid sum: an allocation booked to the item, or its reversal. */
export interface BalanceChangeCause {
  kind: 'allocation' | 'reversal';
  allocationId?: string;
  reason?: string;
}

/**
 * The one way the paid sum of an item changes. The booking code calls it in its own transaction,
 * once per allocation (`deltaMinor` > 0) or reversal (`deltaMinor` < 0): it updates `paidMinor`
 * and the derived status under the item's optimistic version (ConflictError when the item changed
 * under the caller: retry the booking) and writes the item event with its webhook deliveries.
 *
 * It writes no audit entry: the allocation or reversal row and its audit entry are the record; this
 * is their consequence. Refuses money on a cancelled item (ConflictError) and a paid sum below zero
 * (a bug in the caller: Error).
 */
export async function applyItemBalanceChange(tx: Tx, ctx: Ctx, itemId: string, deltaMinor: bigint, cause: BalanceChangeCause): Promise<OpenItemRow> {
  const item = await tx.openItem.findUnique({ where: { id: itemId } });
  if (!item) throw new NotFoundError('open item', itemId);
  if (deltaMinor === 0n) return item;
  if (item.cancelledAt && deltaMinor > 0n) throw new ConflictError(`open item ${item.kassenzeichen} is cancelled; no payment can be allocated to it`);
  const paidMinor = item.paidMinor + deltaMinor;
  if (paidMinor < 0n) throw new Error(`invariant: reversing ${-deltaMinor} from open item ${itemId} would leave a paid sum of ${paidMinor}`);
  const status = itemStatus(item.amountMinor, paidMinor, item.cancelledAt !== null);
  const updated = await updateVersioned(tx, ctx, item, { paidMinor, status });
  const type = cause.kind === 'reversal' ? 'item.reversed' : status === 'paid' ? 'item.paid' : status === 'overpaid' ? 'item.overpaid' : 'item.partly_paid';
  await recordItemEvent(tx, ctx, updated, type, {
    previousStatus: item.status as ItemStatus,
    ...(cause.reason !== undefined ? { reason: cause.reason } : {}),
    ...(cause.allocationId !== undefined ? { allocationId: cause.allocationId } : {}),
  });
  return updated;
}

async function readForChange(tx: Tx, ctx: Ctx, input: ChangeInput): Promise<OpenItemRow> {
  const item = assertVisible(ctx.actor, await tx.openItem.findUnique({ where: { id: input.id } }), input.id);
  if (input.expectedVersion !== undefined && input.expectedVersion !== item.version) {
    throw new ConflictError(`open item ${item.id} is at version ${item.version}, not ${input.expectedVersion}; read it again`, { currentVersion: item.version });
  }
  return item;
}

/** Writes under the version read; another writer in between makes this a ConflictError, never a lost update. */
async function updateVersioned(tx: Tx, ctx: Ctx, item: OpenItemRow, data: Partial<Pick<OpenItemRow, 'amountMinor' | 'paidMinor' | 'status' | 'cancelledAt' | 'cancelReason'>>): Promise<OpenItemRow> {
  const now = ctx.clock.now();
  const n = await tx.openItem.updateMany({ where: { id: item.id, version: item.version }, data: { ...data, updatedAt: now, version: { increment: 1 } } });
  if (n.count !== 1) throw new ConflictError(`open item ${item.id} was changed at the same moment by someone else; read it again and retry`);
  const after = await tx.openItem.findUniqueOrThrow({ where: { id: item.id } });
  // Asserted after the read as well as computed before the write: the stored status must follow the numbers.
  if (after.status !== itemStatus(after.amountMinor, after.paidMinor, after.cancelledAt !== null)) throw new Error(`invariant: open item ${item.id} stored status ${after.status} disagrees with its amounts`);
  return after;
}

function checkReason(reason: string): string {
  const r = reason.trim();
  if (r.length === 0 || r.length > 500) throw new ValidationError('reason: say why, in 1 to 500 characters', { field: 'reason' });
  return r;
}
