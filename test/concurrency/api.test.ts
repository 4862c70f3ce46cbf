/**
 * Several Stadtkasse processes on one PostgreSQL schema: commands other than imports.
 *
 * (c) The same POST /v1/items with one Idempotency-Key, retried at the same moment against two
 *     instances, creates one item; every answer is that item (or a 409 "still running").
 * (d) With the webhook outbox running in every instance, each event reaches the receiver at least
 *     once; a process killed while sending leaves the delivery to another instance, which sends it
 *     again with the same event id, so the receiver can drop the repeat.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, pgSkipReason, type TestDatabase } from '../support/backends.js';
import { count, schemaOf, spawnService, spawnServices, stopAll, withSchema, type ServiceProcess } from './support.js';

const skip = pgSkipReason();
const suite = skip ? describe.skip : describe;
const suffix = skip ? ` (skipped: ${skip})` : '';

type Json = Record<string, any>;

const itemBody = (description: string) => ({ category: 'fee', amount: '30.70', dueDate: '2026-12-31', description, debtor: { name: 'Anna Berg' } });

suite(`Idempotency-Key across instances on one PostgreSQL schema${suffix}`, () => {
  let database: TestDatabase;
  let schema: string;
  let instances: ServiceProcess[] = [];
  let key: string;

  beforeAll(async () => {
    database = freshDatabase('postgresql');
    schema = schemaOf(database.url);
    instances = await spawnServices(2, database.url);
    const res = await instances[0]!.api('/v1/clients', { method: 'POST', json: { name: 'Bibliothekssystem', scopes: ['items:read', 'items:write'] } });
    key = ((await res.json()) as Json).apiKey;
  });
  afterAll(async () => {
    await stopAll(instances);
    await database?.drop();
  });

  it('creates one item for many simultaneous retries with one key, and every success names it', async () => {
    for (let round = 0; round < 5; round++) {
      const description = `Gebühr idem-${round}`;
      const idemKey = `idem-${round}-${crypto.randomUUID()}`;
      const send = (s: ServiceProcess) => s.api('/v1/items', { method: 'POST', key, json: itemBody(description), headers: { 'Idempotency-Key': idemKey } });
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => send(instances[i % 2]!)));
      const statuses = answers.map((r) => r.status);
      // The first to insert the key runs; the others see it in flight (409) or, once done, replay.
      expect(statuses.every((s) => s === 201 || s === 409), `statuses ${statuses.join(',')}`).toBe(true);
      const created = await Promise.all(answers.filter((r) => r.status === 201).map(async (r) => ({ replayed: r.headers.get('Idempotent-Replayed'), body: (await r.json()) as Json })));
      expect(created.filter((c) => c.replayed !== 'true')).toHaveLength(1);
      expect(new Set(created.map((c) => c.body.id)).size).toBe(1);

      // A client that got 409 retries a moment later, to the other instance: the same item.
      const retry = await send(instances[1]!);
      expect(retry.status).toBe(201);
      expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
      expect(((await retry.json()) as Json).id).toBe(created[0]!.body.id);
      await withSchema(schema, async (c) => {
        expect(await count(c, `SELECT 1 FROM "OpenItem" WHERE "description" = $1`, [description])).toBe(1);
        expect(await count(c, `SELECT 1 FROM "ItemEvent" e JOIN "OpenItem" o ON o.id = e."openItemId" WHERE o."description" = $1 AND e."type" = 'item.created'`, [description])).toBeLessThanOrEqual(1);
      });
    }
  });

  it('refuses the same key with another body on the other instance (422), creating nothing', async () => {
    const idemKey = `idem-mismatch-${crypto.randomUUID()}`;
    const first = await instances[0]!.api('/v1/items', { method: 'POST', key, json: itemBody('Gebühr A'), headers: { 'Idempotency-Key': idemKey } });
    expect(first.status).toBe(201);
    const other = await instances[1]!.api('/v1/items', { method: 'POST', key, json: itemBody('Gebühr B'), headers: { 'Idempotency-Key': idemKey } });
    expect(other.status).toBe(422);
    await withSchema(schema, async (c) => expect(await count(c, `SELECT 1 FROM "OpenItem" WHERE "description" = 'Gebühr B'`)).toBe(0));
  });
});

/** A receiving service that records every delivery; `hold` keeps requests unanswered. */
async function startReceiver() {
  const received: Array<{ eventId: string; body: Json }> = [];
  const held: Array<() => void> = [];
  let hold = false;
  const app = new Hono();
  app.post('/hook', async (c) => {
    const body = (await c.req.json()) as Json;
    received.push({ eventId: c.req.header('Stadtkasse-Event-Id') ?? '', body });
    if (hold) await new Promise<void>((resolve) => held.push(resolve));
    return c.body(null, 204);
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    setHold(on: boolean) {
      hold = on;
      if (!on) for (const release of held.splice(0)) release();
    },
    close: () => new Promise<void>((r) => ((server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.(), server.close(() => r()))),
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite(`webhook outbox in several instances on one PostgreSQL schema${suffix}`, () => {
  let database: TestDatabase;
  let schema: string;
  let instances: ServiceProcess[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let key: string;

  beforeAll(async () => {
    database = freshDatabase('postgresql');
    schema = schemaOf(database.url);
    receiver = await startReceiver();
    instances = await spawnServices(2, database.url, { OUTBOX_WORKER: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    const res = await instances[0]!.api('/v1/clients', { method: 'POST', json: { name: 'Bußgeldstelle', scopes: ['items:read', 'items:write'] } });
    key = ((await res.json()) as Json).apiKey;
    const sub = await instances[0]!.api('/v1/webhooks', { method: 'POST', key, json: { url: receiver.url } });
    expect(sub.status).toBe(201);
  });
  afterAll(async () => {
    receiver?.setHold(false);
    await stopAll(instances);
    await receiver?.close();
    await database?.drop();
  });

  it('delivers every event at least once while two workers race, and the event id tells repeats apart', async () => {
    // Claims cancelled through either instance: each cancellation writes an item.cancelled event
    // and its delivery in the same transaction.
    const created = await Promise.all(Array.from({ length: 24 }, (_, i) => instances[i % 2]!.api('/v1/items', { method: 'POST', key, json: itemBody(`Bußgeld ${i}`) })));
    expect(created.every((r) => r.status === 201)).toBe(true);
    const ids = await Promise.all(created.map(async (r) => ((await r.json()) as Json).id as string));
    const cancelled = await Promise.all(ids.map((id, i) => instances[(i + 1) % 2]!.api(`/v1/items/${id}/cancel`, { method: 'POST', key, json: { reason: 'aufgehoben' } })));
    expect(cancelled.map((r) => r.status)).toEqual(ids.map(() => 200));
    const events = await withSchema(schema, async (c) => (await c.query(`SELECT "id" FROM "ItemEvent"`)).rows.map((r: { id: string }) => r.id));
    expect(events).toHaveLength(24);
    await until('every event delivered', () => new Set(receiver.received.map((r) => r.eventId)).size >= events.length || undefined);

    const byId = new Map<string, number>();
    for (const r of receiver.received) {
      // The header and the body name the same event: a receiver can deduplicate on either.
      expect(r.body.id).toBe(r.eventId);
      byId.set(r.eventId, (byId.get(r.eventId) ?? 0) + 1);
    }
    expect([...byId.keys()].sort()).toEqual([...events].sort());
    // The receiver has answered; the workers record that a moment later.
    await until('every delivery recorded as delivered', () =>
      withSchema(schema, async (c) => ((await count(c, `SELECT 1 FROM "WebhookDelivery" WHERE "state" <> 'delivered'`)) === 0 ? true : undefined)),
    );
    await withSchema(schema, async (c) => {
      // Leases keep the two workers off each other's deliveries: one attempt each, no repeats.
      expect(await count(c, `SELECT 1 FROM "WebhookAttempt" GROUP BY "deliveryId" HAVING count(*) > 1`)).toBe(0);
    });
    expect(receiver.received.length).toBe(events.length);
  });

  it('sends again from another instance when the sending process dies mid-delivery; the same event id arrives twice', async () => {
    receiver.received.length = 0;
    receiver.setHold(true);
    const res = await instances[0]!.api('/v1/items', { method: 'POST', key, json: itemBody('Bußgeld crash') });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as Json).id as string;
    expect((await instances[1]!.api(`/v1/items/${id}/cancel`, { method: 'POST', key, json: { reason: 'aufgehoben' } })).status).toBe(200);
    const first = await until('the delivery to arrive', () => receiver.received[0]);
    // Whichever instance is sending it waits for our answer now; kill both without a goodbye.
    for (const s of instances) await s.kill('SIGKILL');
    receiver.setHold(false);
    await withSchema(schema, async (c) => {
      const d = await c.query(`SELECT "state", "lockedUntil" FROM "WebhookDelivery" WHERE "eventId" = $1`, [first.eventId]);
      expect(d.rows[0]).toMatchObject({ state: 'pending' });
      expect(d.rows[0].lockedUntil).not.toBeNull();
      // The lease (60 s) would run out by itself; the test moves it into the past instead of waiting.
      await c.query(`UPDATE "WebhookDelivery" SET "lockedUntil" = now() - interval '1 second' WHERE "eventId" = $1`, [first.eventId]);
    });
    const survivor = await spawnService({ name: 'instance-3', databaseUrl: database.url, env: { OUTBOX_WORKER: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    instances.push(survivor);
    await until('the delivery to be sent again', () => (receiver.received.length >= 2 ? true : undefined));
    expect(receiver.received.map((r) => r.eventId)).toEqual([first.eventId, first.eventId]);
    expect(new Set(receiver.received.map((r) => r.eventId)).size).toBe(1);
    await until('the delivery to be marked delivered', () =>
      withSchema(schema, async (c) => ((await c.query(`SELECT 1 FROM "WebhookDelivery" WHERE "eventId" = $1 AND "state" = 'delivered'`, [first.eventId])).rowCount === 1 ? true : undefined)),
    );
  });
});
