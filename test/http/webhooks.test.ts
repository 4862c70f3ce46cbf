/**
 * Notifications on both backends: subscriptions, the outbox written with the change, the worker
 * sending to a real receiver that fails first, signatures, backoff, giving up after three days,
 * replays, two workers racing, and the polling feed.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/context.js';
import { applyItemBalanceChange } from '../../src/services/items/changeOpenItem.js';
import { createOutboxWorker, OUTBOX_RETRY, type OutboxWorker } from '../../src/services/webhooks/outbox.js';
import { verifyWebhookSignature } from '../../src/services/webhooks/signature.js';
import { forEachBackend } from '../support/backends.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';

type Json = Record<string, any>;
interface Received {
  body: string;
  headers: Record<string, string>;
}

/** A receiving service: answers the queued statuses in turn (then 200) and records what came in. */
async function startReceiver() {
  const received: Received[] = [];
  const answers: number[] = [];
  const app = new Hono();
  app.post('/hook', async (c) => {
    received.push({ body: await c.req.text(), headers: Object.fromEntries(c.req.raw.headers) });
    return c.body(null, (answers.shift() ?? 200) as 200);
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/hook`, received, answers, close: () => new Promise<void>((r) => server.close(() => r())) };
}

forEachBackend('webhooks and events over HTTP', (backend) => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let key: string;
  const START = new Date('2026-11-21T09:00:00.000Z');
  const clock = { at: new Date(START), now() { return new Date(this.at); } };
  const advance = (ms: number) => (clock.at = new Date(clock.at.getTime() + ms));
  // The receiver listens on 127.0.0.1: private networks are allowed here (test/http/webhooks-targets.test.ts refuses them).
  const worker = (random = () => 0.5): OutboxWorker => createOutboxWorker({ db: server.db, clock, log: pino({ level: 'silent' }), random, timeoutMs: 5000, allowPrivateNetworks: true });

  const createItem = async (apiKey = key): Promise<Json> => {
    const res = await server.api('/v1/items', { method: 'POST', key: apiKey, json: { category: 'fee', amount: '30.70', dueDate: '2026-12-31', description: 'Gebühr', debtor: { name: 'Anna Berg' } } });
    return (await res.json()) as Json;
  };
  const cancel = (id: string, apiKey = key) => server.api(`/v1/items/${id}/cancel`, { method: 'POST', key: apiKey, json: { reason: 'aufgehoben' } });
  const subscribe = async (body: Json, apiKey = key): Promise<Json> => {
    const res = await server.api('/v1/webhooks', { method: 'POST', key: apiKey, json: body });
    expect(res.status).toBe(201);
    return (await res.json()) as Json;
  };

  beforeAll(async () => {
    server = await startTestServer(backend, { clock, env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });
  beforeEach(async () => {
    // Each test gets a fresh client, so earlier subscriptions and deliveries do not interfere.
    key = await createClientKey(server, ['items:read', 'items:write'], 'Bibliothekssystem');
    receiver.received.length = 0;
    receiver.answers.length = 0;
    clock.at = new Date(START);
    await server.db.prisma.webhookDelivery.updateMany({ where: { state: 'pending' }, data: { state: 'failed' } });
  });

  it('shows the secret once, lists subscriptions without it, and checks event types, URL and scope', async () => {
    const sub = await subscribe({ url: receiver.url, eventTypes: ['item.paid', 'item.cancelled'] });
    expect(sub.secret).toMatch(/^whsec_[0-9A-Za-z]{32}$/);
    expect(sub).toMatchObject({ url: receiver.url, eventTypes: ['item.paid', 'item.cancelled'], active: true });
    const list = await (await server.api('/v1/webhooks', { key })).text();
    expect(list).toContain(sub.id);
    expect(list).not.toContain(sub.secret);
    for (const body of [{ url: 'ftp://x.example/hook' }, { url: 'https://user:pw@x.example/hook' }, { url: 'not a url' }, { url: receiver.url, eventTypes: ['item.eaten'] }]) {
      expect((await server.api('/v1/webhooks', { method: 'POST', key, json: body })).status, JSON.stringify(body)).toBe(422);
    }
    const readOnly = await createClientKey(server, ['items:read'], 'nur lesen');
    expect((await server.api('/v1/webhooks', { method: 'POST', key: readOnly, json: { url: receiver.url } })).status).toBe(403);
    expect((await server.api(`/v1/webhooks/${sub.id}`, { method: 'DELETE', key: readOnly })).status).toBe(403);
    expect((await server.api(`/v1/webhooks/${sub.id}/deliveries`, { key: readOnly })).status).toBe(404);
  });

  it('writes the event and its delivery with the change, and delivers it signed after the receiver failed once', async () => {
    const sub = await subscribe({ url: receiver.url });
    const item = await createItem();
    expect(await server.db.prisma.webhookDelivery.count({ where: { subscriptionId: sub.id } })).toBe(0);
    expect((await cancel(item.id)).status).toBe(200);
    const deliveries = await server.db.prisma.webhookDelivery.findMany({ where: { subscriptionId: sub.id }, include: { event: true } });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.event.type).toBe('item.cancelled');

    receiver.answers.push(500);
    const w = worker(() => 0.5);
    expect(await w.runOnce()).toEqual({ attempted: 1, delivered: 0, retrying: 1, failed: 0 });
    expect(receiver.received).toHaveLength(1);
    const first = receiver.received[0]!;
    const nowSeconds = Math.floor(clock.now().getTime() / 1000);
    expect(first.headers['stadtkasse-timestamp']).toBe(String(nowSeconds));
    expect(await verifyWebhookSignature(sub.secret, first.headers['stadtkasse-signature'], first.body, nowSeconds)).toBe(true);
    const event = JSON.parse(first.body) as Json;
    expect(event).toMatchObject({ type: 'item.cancelled', data: { reason: 'aufgehoben', item: { id: item.id, kassenzeichen: item.kassenzeichen, status: 'cancelled', previousStatus: 'open' } } });
    expect(first.headers['stadtkasse-event-id']).toBe(event.id);
    expect(first.body).not.toContain('Anna Berg');

    // Not due yet: the first retry waits random × 30 s = 15 s.
    expect((await w.runOnce()).attempted).toBe(0);
    advance(14_000);
    expect((await w.runOnce()).attempted).toBe(0);
    advance(2_000);
    expect(await w.runOnce()).toEqual({ attempted: 1, delivered: 1, retrying: 0, failed: 0 });
    expect(receiver.received).toHaveLength(2);
    const second = receiver.received[1]!;
    expect(second.headers['stadtkasse-event-id']).toBe(event.id);
    expect(second.body).toBe(first.body);
    const later = Math.floor(clock.now().getTime() / 1000);
    expect(await verifyWebhookSignature(sub.secret, second.headers['stadtkasse-signature'], second.body, later)).toBe(true);
    expect((await w.runOnce()).attempted).toBe(0);

    const log = (await (await server.api(`/v1/webhooks/${sub.id}/deliveries`, { key })).json()) as Json;
    expect(log.deliveries).toHaveLength(1);
    expect(log.deliveries[0]).toMatchObject({ eventId: event.id, eventType: 'item.cancelled', state: 'delivered', attempts: 2, lastStatusCode: 200, lastError: null });
    expect(log.deliveries[0].attemptLog.map((a: Json) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, 'receiver answered HTTP 500'],
      [2, 200, null],
    ]);
  });

  it('sends only the event types asked for, to active subscriptions of the item’s own service', async () => {
    const paidOnly = await subscribe({ url: receiver.url, eventTypes: ['item.paid'] });
    const all = await subscribe({ url: receiver.url });
    const otherKey = await createClientKey(server, ['items:read', 'items:write'], 'anderer Dienst');
    const foreign = await subscribe({ url: receiver.url }, otherKey);
    const item = await createItem();
    await server.db.transaction((tx) => applyItemBalanceChange(tx, { db: server.db, config: server.config, clock, log: pino({ level: 'silent' }), actor: SYSTEM_ACTOR }, item.id, 3070n, { kind: 'allocation', allocationId: 'a-1' }));
    const counts = async (id: string) => server.db.prisma.webhookDelivery.count({ where: { subscriptionId: id } });
    expect([await counts(paidOnly.id), await counts(all.id), await counts(foreign.id)]).toEqual([1, 1, 0]);
    expect((await server.api(`/v1/webhooks/${all.id}`, { method: 'DELETE', key })).status).toBe(204);
    expect((await server.api(`/v1/webhooks/${all.id}`, { method: 'DELETE', key: otherKey })).status).toBe(404);
    const second = await createItem();
    await cancel(second.id);
    expect(await counts(all.id)).toBe(1);
    const listed = (await (await server.api('/v1/webhooks', { key })).json()) as Json;
    expect(listed.subscriptions.find((s: Json) => s.id === all.id).active).toBe(false);
  });

  it('keeps retrying with growing delays for three days, then gives up; failed deliveries can be replayed', async () => {
    const sub = await subscribe({ url: receiver.url });
    await cancel((await createItem()).id);
    receiver.answers.push(...Array(200).fill(503));
    const w = worker(() => 0.999);
    const attemptsAt: number[] = [];
    let state = 'pending';
    for (let round = 0; round < 200 && state === 'pending'; round++) {
      const d = await server.db.prisma.webhookDelivery.findFirstOrThrow({ where: { subscriptionId: sub.id } });
      clock.at = new Date(Math.max(clock.at.getTime(), d.nextAttemptAt.getTime()));
      await w.runOnce();
      attemptsAt.push(clock.at.getTime() - START.getTime());
      state = (await server.db.prisma.webhookDelivery.findFirstOrThrow({ where: { subscriptionId: sub.id } })).state;
    }
    expect(state).toBe('failed');
    const last = attemptsAt[attemptsAt.length - 1]!;
    expect(last).toBeGreaterThanOrEqual(OUTBOX_RETRY.giveUpAfterMs);
    expect(attemptsAt[attemptsAt.length - 2]!).toBeLessThan(OUTBOX_RETRY.giveUpAfterMs);
    const gaps = attemptsAt.slice(1).map((t, i) => t - attemptsAt[i]!);
    expect(gaps[0]).toBeLessThan(30_000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(OUTBOX_RETRY.maxDelayMs);
    expect(Math.max(...gaps)).toBeGreaterThan(5 * 3600_000);

    receiver.answers.length = 0;
    const replay = await server.api(`/v1/webhooks/${sub.id}/replay-failed`, { method: 'POST', key });
    expect(replay.status).toBe(202);
    expect(await replay.json()).toEqual({ replayed: 1 });
    expect((await w.runOnce()).delivered).toBe(1);
    const log = (await (await server.api(`/v1/webhooks/${sub.id}/deliveries?state=delivered`, { key })).json()) as Json;
    expect(log.deliveries).toHaveLength(1);
  });

  it('replays one delivery on request with the same event id', async () => {
    const sub = await subscribe({ url: receiver.url });
    await cancel((await createItem()).id);
    const w = worker();
    expect((await w.runOnce()).delivered).toBe(1);
    const [d] = ((await (await server.api(`/v1/webhooks/${sub.id}/deliveries`, { key })).json()) as Json).deliveries;
    expect((await server.api(`/v1/webhooks/${sub.id}/deliveries/${d.id}/replay`, { method: 'POST', key })).status).toBe(202);
    expect((await server.api(`/v1/webhooks/${sub.id}/deliveries/nope/replay`, { method: 'POST', key })).status).toBe(404);
    expect((await w.runOnce()).delivered).toBe(1);
    expect(receiver.received.map((r) => r.headers['stadtkasse-event-id'])).toEqual([d.eventId, d.eventId]);
    const audit = await server.db.prisma.auditEntry.findMany({ where: { subjectId: d.id } });
    expect(audit.map((a) => a.action)).toEqual(['webhook_delivery.replayed']);
  });

  it('never sends one delivery twice when two workers run at the same moment', async () => {
    await subscribe({ url: receiver.url });
    for (let i = 0; i < 6; i++) await cancel((await createItem()).id);
    const [a, b] = [worker(), worker()];
    const rounds = await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    expect(rounds.reduce((n, r) => n + r.delivered, 0)).toBe(6);
    const ids = receiver.received.map((r) => r.headers['stadtkasse-event-id']);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
  });

  it('records an unreachable receiver as a failed attempt and retries it', async () => {
    const sub = await subscribe({ url: 'http://127.0.0.1:9/nothing-listens-here' });
    await cancel((await createItem()).id);
    expect(await worker().runOnce()).toMatchObject({ attempted: 1, retrying: 1 });
    const [d] = ((await (await server.api(`/v1/webhooks/${sub.id}/deliveries`, { key })).json()) as Json).deliveries;
    expect(d).toMatchObject({ state: 'pending', attempts: 1, lastStatusCode: null, lastError: expect.stringMatching(/could not connect/) });
  });

  describe('events feed', () => {
    it("lists the caller's own item events after a sequence number, once they have settled", async () => {
      const mine = await createItem();
      const otherKey = await createClientKey(server, ['items:read', 'items:write'], 'anderer Dienst');
      const theirs = await createItem(otherKey);
      await cancel(mine.id);
      await cancel(theirs.id, otherKey);
      await server.api(`/v1/items/${(await createItem()).id}/amount`, { method: 'POST', key, json: { amount: '40.00', reason: 'Mahngebühr' } });
      expect(((await (await server.api('/v1/events', { key })).json()) as Json).events).toEqual([]);
      advance(6_000);
      const page = (await (await server.api('/v1/events?limit=1', { key })).json()) as Json;
      expect(page.events).toHaveLength(1);
      expect(page.events[0]).toMatchObject({ type: 'item.cancelled', payload: { data: { item: { id: mine.id } } } });
      const rest = (await (await server.api(`/v1/events?after=${page.next}`, { key })).json()) as Json;
      expect(rest.events.map((e: Json) => e.type)).toEqual(['item.amount_changed']);
      expect(rest.events[0].seq).toBeGreaterThan(page.next);
      const done = (await (await server.api(`/v1/events?after=${rest.next}`, { key })).json()) as Json;
      expect(done).toMatchObject({ events: [], next: rest.next, nextCursor: expect.any(String) });
      const admin = (await (await server.api(`/v1/events?after=${page.next - 1}&limit=500`)).json()) as Json;
      expect(admin.events.map((e: Json) => e.payload.data.item.id)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
      expect((await server.api('/v1/events', { key: null })).status).toBe(401);
      expect((await server.api('/v1/events?limit=501', { key })).status).toBe(422);
    });
  });
});
