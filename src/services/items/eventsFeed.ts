/**
 * The events feed (`GET /v1/events?after=<seq>`) for services that poll instead of receiving
 * webhooks: item events in `seq` order, the caller's own items only (admin keys see all).
 *
 * Why events younger than FEED_SETTLE_MS are held back: `seq` is taken when the row is inserted,
 * not when its transaction commits. On PostgreSQL a transaction that took seq 41 may commit after
 * one that took seq 42; a poller that had already moved past 42 would never see 41. Holding back
 * the last few seconds lets such a transaction commit before its seq is passed. Transactions that
 * write events are short (one item change or booking), far below this window.
 */
import type { Ctx } from '../../context.js';
import { ValidationError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { seesAllItems } from './model.js';

export const FEED_SETTLE_MS = 5_000;

export interface FeedEvent {
  seq: number;
  id: string;
  type: string;
  createdAt: Date;
  /** The event body as webhooks send it (JSON). */
  payload: unknown;
}

export async function listItemEvents({ ctx, input }: { ctx: Ctx; input: { after?: number; limit?: number } }): Promise<{ events: FeedEvent[]; next: number }> {
  const after = input.after ?? 0;
  const limit = input.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.pageSize) throw new ValidationError(`limit: must be 1 to ${LIMITS.pageSize}`, { field: 'limit' });
  const settled = new Date(ctx.clock.now().getTime() - FEED_SETTLE_MS);
  const rows = await ctx.db.prisma.itemEvent.findMany({
    where: { seq: { gt: after }, createdAt: { lte: settled }, ...(seesAllItems(ctx.actor) ? {} : { issuerClientId: ctx.actor.id }) },
    orderBy: { seq: 'asc' },
    take: limit,
  });
  return {
    events: rows.map((r) => ({ seq: r.seq, id: r.id, type: r.type, createdAt: r.createdAt, payload: JSON.parse(r.payload) as unknown })),
    next: rows.length > 0 ? rows[rows.length - 1]!.seq : after,
  };
}
