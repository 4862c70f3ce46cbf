/**
 * Webhook subscriptions of issuing services, the outbox rows (deliveries) written with each item
 * event, the delivery log and replays. Sending is src/services/webhooks/outbox.ts.
 */
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { writeAudit } from '../shared/audit.js';
import { newId, randomToken } from '../shared/ids.js';
import { afterCursorWhere, decodeTimeCursor, encodeTimeCursor, NEWEST_FIRST } from '../shared/paging.js';
import { checkWebhookTarget } from './targets.js';

/** Event types a subscription can ask for; "*" means all. Kept here so webhooks do not import items. */
export const WEBHOOK_EVENT_TYPES = ['item.paid', 'item.partly_paid', 'item.overpaid', 'item.reversed', 'item.cancelled', 'item.amount_changed', 'item.collection_announced', 'item.collection_cancelled'] as const;

/** Subscriptions per client: more is a misconfiguration, and each one multiplies every event. */
export const MAX_SUBSCRIPTIONS_PER_CLIENT = 20;

export interface SubscriptionView {
  id: string;
  clientId: string;
  url: string;
  eventTypes: string[];
  active: boolean;
  createdAt: Date;
}

export async function createWebhookSubscription({ ctx, input }: { ctx: Ctx; input: { url: string; eventTypes?: string[] } }): Promise<SubscriptionView & { secret: string }> {
  const url = checkUrl(input.url, { allowPrivateNetworks: ctx.config.webhooks?.allowPrivateNetworks ?? false });
  const types = input.eventTypes && input.eventTypes.length > 0 ? [...new Set(input.eventTypes)] : ['*'];
  const unknown = types.filter((t) => t !== '*' && !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) throw new ValidationError(`eventTypes: unknown ${unknown.join(', ')}; known are ${WEBHOOK_EVENT_TYPES.join(', ')} or "*"`, { field: 'eventTypes' });
  const secret = `whsec_${randomToken(32)}`;
  const id = newId();
  const createdAt = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    const count = await tx.webhookSubscription.count({ where: { clientId: ctx.actor.id, active: true } });
    if (count >= MAX_SUBSCRIPTIONS_PER_CLIENT) throw new ValidationError(`a client may have at most ${MAX_SUBSCRIPTIONS_PER_CLIENT} active webhook subscriptions; delete one first`, { field: 'url' });
    await tx.webhookSubscription.create({ data: { id, clientId: ctx.actor.id, url, secret, eventTypes: types.join(' '), active: true, createdAt } });
    await writeAudit(tx, ctx, { action: 'webhook_subscription.created', subjectType: 'webhook_subscription', subjectId: id, data: { url: redactUrl(url), eventTypes: types } });
  });
  return { id, clientId: ctx.actor.id, url, eventTypes: types, active: true, createdAt, secret };
}

export async function listWebhookSubscriptions({ ctx }: { ctx: Ctx }): Promise<SubscriptionView[]> {
  const rows = await ctx.db.prisma.webhookSubscription.findMany({ where: ownWhere(ctx), orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map(toView);
}

/** Stops deliveries to the subscription; it and its delivery log stay for the record. */
export async function deactivateWebhookSubscription({ ctx, input }: { ctx: Ctx; input: { id: string } }): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await visibleSubscription(tx, ctx, input.id);
    await tx.webhookSubscription.update({ where: { id: input.id }, data: { active: false } });
    await writeAudit(tx, ctx, { action: 'webhook_subscription.deactivated', subjectType: 'webhook_subscription', subjectId: input.id });
  });
}

/** Outbox: one pending delivery per active subscription of `clientId` that wants `type`. */
export async function enqueueDeliveries(tx: Tx, event: { eventId: string; type: string; clientId: string; now: Date }): Promise<number> {
  const subs = await tx.webhookSubscription.findMany({ where: { clientId: event.clientId, active: true }, select: { id: true, eventTypes: true } });
  const wanted = subs.filter((s) => s.eventTypes === '*' || s.eventTypes.split(' ').includes(event.type) || s.eventTypes.split(' ').includes('*'));
  if (wanted.length === 0) return 0;
  await tx.webhookDelivery.createMany({
    data: wanted.map((s) => ({ id: newId(), subscriptionId: s.id, eventId: event.eventId, state: 'pending', nextAttemptAt: event.now, cycleStartedAt: event.now, createdAt: event.now })),
  });
  return wanted.length;
}

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  state: string;
  attempts: number;
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
  attemptLog: Array<{ attempt: number; at: Date; statusCode: number | null; error: string | null; durationMs: number }>;
}

export async function listDeliveries({ ctx, input }: { ctx: Ctx; input: { subscriptionId: string; state?: string; limit?: number; cursor?: string } }): Promise<{ deliveries: DeliveryView[]; nextCursor: string | null }> {
  await visibleSubscription(ctx.db.prisma, ctx, input.subscriptionId);
  const limit = Math.min(input.limit ?? 50, LIMITS.pageSize);
  const rows = await ctx.db.prisma.webhookDelivery.findMany({
    where: { subscriptionId: input.subscriptionId, ...(input.state ? { state: input.state } : {}), ...afterCursorWhere(decodeTimeCursor(input.cursor)) },
    orderBy: NEWEST_FIRST,
    take: limit + 1,
    include: { event: { select: { type: true } }, attemptLog: { orderBy: { attempt: 'asc' } } },
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    deliveries: page.map((d) => ({
      id: d.id,
      eventId: d.eventId,
      eventType: d.event.type,
      state: d.state,
      attempts: d.attempts,
      nextAttemptAt: d.state === 'pending' ? d.nextAttemptAt : null,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      deliveredAt: d.deliveredAt,
      createdAt: d.createdAt,
      attemptLog: d.attemptLog.map((a) => ({ attempt: a.attempt, at: a.at, statusCode: a.statusCode, error: a.error, durationMs: a.durationMs })),
    })),
    nextCursor: rows.length > limit && last ? encodeTimeCursor({ at: last.createdAt, id: last.id }) : null,
  };
}

/**
 * Sends a delivery again (delivered or failed): back to pending, due now, with a fresh retry window.
 * The event id stays the same, so a receiver that saw it already can tell.
 */
export async function replayDelivery({ ctx, input }: { ctx: Ctx; input: { subscriptionId: string; deliveryId: string } }): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await visibleSubscription(tx, ctx, input.subscriptionId);
    const n = await tx.webhookDelivery.updateMany({
      where: { id: input.deliveryId, subscriptionId: input.subscriptionId },
      data: resetForReplay(ctx.clock.now()),
    });
    if (n.count === 0) throw new NotFoundError('webhook delivery', input.deliveryId);
    await writeAudit(tx, ctx, { action: 'webhook_delivery.replayed', subjectType: 'webhook_delivery', subjectId: input.deliveryId });
  });
}

/** Replays every failed delivery of the subscription (after the receiver's outage is over). */
export async function replayFailedDeliveries({ ctx, input }: { ctx: Ctx; input: { subscriptionId: string } }): Promise<{ replayed: number }> {
  return ctx.db.transaction(async (tx) => {
    await visibleSubscription(tx, ctx, input.subscriptionId);
    const n = await tx.webhookDelivery.updateMany({ where: { subscriptionId: input.subscriptionId, state: 'failed' }, data: resetForReplay(ctx.clock.now()) });
    await writeAudit(tx, ctx, { action: 'webhook_delivery.replayed_failed', subjectType: 'webhook_subscription', subjectId: input.subscriptionId, data: { replayed: n.count } });
    return { replayed: n.count };
  });
}

function resetForReplay(now: Date) {
  return { state: 'pending', nextAttemptAt: now, cycleStartedAt: now, lockedUntil: null };
}

type Reader = Pick<Tx, 'webhookSubscription'>;

async function visibleSubscription(db: Reader, ctx: Ctx, id: string) {
  const sub = await db.webhookSubscription.findUnique({ where: { id } });
  if (!sub || (!ctx.actor.scopes.has('admin') && sub.clientId !== ctx.actor.id)) throw new NotFoundError('webhook subscription', id);
  return sub;
}

function ownWhere(ctx: Ctx) {
  return ctx.actor.scopes.has('admin') ? {} : { clientId: ctx.actor.id };
}

function toView(r: { id: string; clientId: string; url: string; eventTypes: string; active: boolean; createdAt: Date }): SubscriptionView {
  return { id: r.id, clientId: r.clientId, url: r.url, eventTypes: r.eventTypes.split(' '), active: r.active, createdAt: r.createdAt };
}

/**
 * http(s) only, no user:password in the URL (it would be stored and shown in clear), and a public
 * address unless private networks are allowed (targets.ts). Plain http is accepted; the signature
 * protects integrity, not secrecy.
 */
function checkUrl(text: string, targets: { allowPrivateNetworks: boolean }): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ValidationError('url: is not an absolute URL', { field: 'url' });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ValidationError('url: must be http or https', { field: 'url' });
  if (u.username || u.password) throw new ValidationError('url: must not contain a user name or password; the signature authenticates us', { field: 'url' });
  if (text.length > 2000) throw new ValidationError('url: at most 2000 characters', { field: 'url' });
  checkWebhookTarget(u, targets);
  return u.toString();
}

/** Audit data keeps the host and path, never query strings (receivers put tokens there). */
function redactUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}
