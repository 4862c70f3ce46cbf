/**
 * The open item as services hand it to the edges (API, citizen page, events): amounts in minor
 * units, the Kassenzeichen in stored and display form, booking data as an object.
 */
import type { Actor, Ctx } from '../../context.js';
import type { OpenItem } from '../../db/generated/sqlite/client.js';
import { NotFoundError } from '../../errors.js';
import { kassenzeichenDisplay, schemesOf } from './kassenzeichen.js';
import { outstandingMinor, type ItemStatus } from './status.js';

export type OpenItemRow = OpenItem;

export interface OpenItemView {
  id: string;
  kassenzeichen: string;
  kassenzeichenDisplay: string;
  rfReference: string | null;
  category: string;
  description: string;
  amountMinor: bigint;
  paidMinor: bigint;
  outstandingMinor: bigint;
  currency: string;
  dueDate: string;
  status: ItemStatus;
  debtor: { name: string; address: string | null; email: string | null; iban: string | null };
  externalRef: string | null;
  bookingData: Record<string, unknown>;
  issuerClientId: string | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export function toItemView(ctx: Pick<Ctx, 'config'>, row: OpenItemRow): OpenItemView {
  return {
    id: row.id,
    kassenzeichen: row.kassenzeichen,
    kassenzeichenDisplay: kassenzeichenDisplay(schemesOf(ctx.config), row),
    rfReference: row.rfReference,
    category: row.category,
    description: row.description,
    amountMinor: row.amountMinor,
    paidMinor: row.paidMinor,
    outstandingMinor: outstandingMinor(row.amountMinor, row.paidMinor, row.cancelledAt !== null),
    currency: row.currency,
    dueDate: row.dueDate,
    status: row.status as ItemStatus,
    debtor: { name: row.debtorName, address: row.debtorAddress, email: row.debtorEmail, iban: row.debtorIban },
    externalRef: row.externalRef,
    bookingData: JSON.parse(row.bookingData) as Record<string, unknown>,
    issuerClientId: row.issuerClientId,
    cancelledAt: row.cancelledAt,
    cancelReason: row.cancelReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
  };
}

/**
 * An issuing service sees the items it raised; staff, the system and admin keys see all. Someone
 * else's item answers 404, not 403, so ids and Kassenzeichen cannot be probed across services.
 */
export function seesAllItems(actor: Actor): boolean {
  return actor.type !== 'client' || actor.scopes.has('admin');
}

export function assertVisible(actor: Actor, row: OpenItemRow | null, what: string): OpenItemRow {
  if (!row || (!seesAllItems(actor) && row.issuerClientId !== actor.id)) throw new NotFoundError('open item', what);
  return row;
}

/** Where-clause restricting a query to the items the actor may see. */
export function visibleItemsWhere(actor: Actor): { issuerClientId?: string } {
  return seesAllItems(actor) ? {} : { issuerClientId: actor.id };
}
