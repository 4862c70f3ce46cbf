/**
 * Item events: what an issuing service is told about its claims. Each event is written in the same
 * transaction as the change it reports, together with one WebhookDelivery per matching
 * subscription (the transactional outbox), so a change is never committed without its notice and a
 * notice is never sent for a change that rolled back.
 *
 * Payloads carry no personal data (no debtor name, IBAN or address): the receiver has those, and a
 * webhook body ends up in other systems' logs.
 */
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { formatMinor } from '../../money/money.js';
import { newId } from '../shared/ids.js';
import { enqueueDeliveries } from '../webhooks/subscriptions.js';
import type { OpenItemRow } from './model.js';
import { outstandingMinor, type ItemStatus } from './status.js';

export const ITEM_EVENT_TYPES = [
  'item.paid',
  'item.partly_paid',
  'item.overpaid',
  'item.reversed',
  'item.cancelled',
  'item.amount_changed',
  'item.collection_announced',
  'item.collection_cancelled',
] as const;
export type ItemEventType = (typeof ITEM_EVENT_TYPES)[number];

export interface ItemEventBody {
  id: string;
  type: ItemEventType;
  createdAt: string;
  data: {
    item: {
      id: string;
      kassenzeichen: string;
      externalRef: string | null;
      status: ItemStatus;
      previousStatus: ItemStatus;
      amount: string;
      paid: string;
      outstanding: string;
      currency: string;
    };
    reason?: string;
    allocationId?: string;
    previousAmount?: string;
    /** Pre-notification of a SEPA direct debit (or the one taken back): when, how much, under which mandate and creditor id. */
    collection?: CollectionNotice;
  };
}

export interface CollectionNotice {
  collectionDate: string;
  amount: string;
  mandateReference: string;
  creditorId: string;
}

export interface ItemEventExtra {
  previousStatus: ItemStatus;
  reason?: string;
  allocationId?: string;
  previousAmountMinor?: bigint;
  collection?: CollectionNotice;
}

export async function recordItemEvent(tx: Tx, ctx: Ctx, item: OpenItemRow, type: ItemEventType, extra: ItemEventExtra): Promise<ItemEventBody> {
  const now = ctx.clock.now();
  const body = buildItemEventBody(item, type, extra, now);
  await tx.itemEvent.create({
    data: { id: body.id, openItemId: item.id, type, issuerClientId: item.issuerClientId, payload: JSON.stringify(body), createdAt: now },
  });
  if (item.issuerClientId) await enqueueDeliveries(tx, { eventId: body.id, type, clientId: item.issuerClientId, now });
  return body;
}

/** The event as sent to subscribers; pure, so bulk booking writes exactly the same bodies. */
export function buildItemEventBody(
  item: Pick<OpenItemRow, 'id' | 'kassenzeichen' | 'externalRef' | 'status' | 'amountMinor' | 'paidMinor' | 'currency' | 'cancelledAt'>,
  type: ItemEventType,
  extra: ItemEventExtra,
  now: Date,
): ItemEventBody {
  const cur = item.currency;
  const body: ItemEventBody = {
    id: newId(),
    type,
    createdAt: now.toISOString(),
    data: {
      item: {
        id: item.id,
        kassenzeichen: item.kassenzeichen,
        externalRef: item.externalRef,
        status: item.status as ItemStatus,
        previousStatus: extra.previousStatus,
        amount: formatMinor(item.amountMinor, cur),
        paid: formatMinor(item.paidMinor, cur),
        outstanding: formatMinor(outstandingMinor(item.amountMinor, item.paidMinor, item.cancelledAt !== null), cur),
        currency: cur,
      },
      ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
      ...(extra.allocationId !== undefined ? { allocationId: extra.allocationId } : {}),
      ...(extra.previousAmountMinor !== undefined ? { previousAmount: formatMinor(extra.previousAmountMinor, cur) } : {}),
      ...(extra.collection !== undefined ? { collection: extra.collection } : {}),
    },
  };
  return body;
}
