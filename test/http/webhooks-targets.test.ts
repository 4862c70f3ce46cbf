/**
 * Webhooks go only to public addresses unless the operator allows private networks: refused at
 * subscription time with a 422 naming `url`, and at delivery time — the literal address, and on
 * Node the addresses the name resolves to when connecting (DNS rebinding) — with the same generic
 * error in the delivery log whatever the target was.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookFetch, type ResolveAll } from '../../src/services/webhooks/nodeTargets.js';
import { createOutboxWorker } from '../../src/services/webhooks/outbox.js';
import { forEachBackend } from '../support/backends.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';

type Json = Record<string, any>;

async function startReceiver() {
  const received: string[] = [];
  const app = new Hono();
  app.post('/hook', async (c) => {
    received.push(await c.req.text());
    return c.body(null, 204);
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A resolver that answers like an attacker's DNS: a public-looking name that points at this machine. */
const rebinding: ResolveAll = (hostname, _options, callback) =>
  hostname === 'hooks.rebind.example' ? callback(null, [{ address: '93.184.215.14', family: 4 }, { address: '127.0.0.1', family: 4 }]) : callback(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), []);

forEachBackend('webhook targets over HTTP', (backend) => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let key: string;
  const clock = { now: () => new Date() };
  const subscribe = (url: string) => server.api('/v1/webhooks', { method: 'POST', key, json: { url } });
  /** A subscription stored as if made before the rule (or while private networks were allowed). */
  const storedSubscription = async (url: string) => {
    const client = await server.db.prisma.apiClient.findFirstOrThrow({ where: { name: 'Fachverfahren' } });
    const id = crypto.randomUUID();
    await server.db.prisma.webhookSubscription.create({ data: { id, clientId: client.id, url, secret: 'whsec_test', eventTypes: '*', active: true } });
    return id;
  };
  const cancelAnItem = async () => {
    const item = (await (await server.api('/v1/items', { method: 'POST', key, json: { category: 'fee', amount: '30.70', dueDate: '2026-12-31', description: 'Gebühr', debtor: { name: 'Anna Berg' } } })).json()) as Json;
    expect((await server.api(`/v1/items/${item.id}/cancel`, { method: 'POST', key, json: { reason: 'aufgehoben' } })).status).toBe(200);
  };
  const lastAttempt = async (subscriptionId: string) =>
    server.db.prisma.webhookDelivery.findFirstOrThrow({ where: { subscriptionId }, include: { attemptLog: true } });

  beforeAll(async () => {
    server = await startTestServer(backend);
    receiver = await startReceiver();
    key = await createClientKey(server, ['items:read', 'items:write'], 'Fachverfahren');
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });
  beforeEach(async () => {
    receiver.received.length = 0;
    await server.db.prisma.webhookSubscription.updateMany({ data: { active: false } });
  });

  it.each([
    'http://127.0.0.1:5432/',
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'http://[::1]:8787/',
    'http://10.0.0.7/hook',
    'http://172.20.1.1/hook',
    'http://192.168.178.1/hook',
    'http://[fd00:ec2::254]/latest/meta-data',
    'http://[fe80::1]/hook',
    'http://0.0.0.0:8787/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://localhost:8787/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://postgres:5432/',
  ])('refuses %s with a 422 naming the url field', async (url) => {
    const res = await subscribe(url);
    expect(res.status).toBe(422);
    const body = (await res.json()) as Json;
    expect(body.field).toBe('url');
    expect(body.detail).toMatch(/^url: .* public addresses/);
  });

  it('accepts a public receiver', async () => {
    expect((await subscribe('https://hooks.bibliothek.example.org/stadtkasse')).status).toBe(201);
  });

  it('refuses to deliver to an internal literal address, with a generic error and no status code', async () => {
    const id = await storedSubscription(`http://127.0.0.1:${receiver.port}/hook`);
    await cancelAnItem();
    const w = createOutboxWorker({ db: server.db, clock, log: pino({ level: 'silent' }), timeoutMs: 5000 });
    expect(await w.runOnce()).toMatchObject({ attempted: 1, retrying: 1 });
    expect(receiver.received).toEqual([]);
    const d = await lastAttempt(id);
    expect(d).toMatchObject({ lastStatusCode: null, lastError: 'target refused: the URL does not lead to a public address' });
    expect(d.attemptLog[0]).toMatchObject({ statusCode: null, error: d.lastError });
  });

  it('on Node, refuses a name that resolves to an internal address when connecting (DNS rebinding)', async () => {
    const url = `http://hooks.rebind.example:${receiver.port}/hook`;
    const sub = await subscribe(url);
    expect(sub.status).toBe(201);
    const id = ((await sub.json()) as Json).id as string;
    await cancelAnItem();
    const w = createOutboxWorker({ db: server.db, clock, log: pino({ level: 'silent' }), timeoutMs: 5000, fetch: createWebhookFetch({ allowPrivateNetworks: false }, rebinding) });
    expect(await w.runOnce()).toMatchObject({ attempted: 1, retrying: 1 });
    expect(receiver.received).toEqual([]);
    expect(await lastAttempt(id)).toMatchObject({ lastStatusCode: null, lastError: 'target refused: the URL does not lead to a public address' });
  });

  describe('with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true', () => {
    let allowed: TestServer;
    beforeAll(async () => {
      allowed = await startTestServer(backend, { env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    });
    afterAll(async () => allowed?.close());

    it('accepts and delivers to a receiver on the local network', async () => {
      const local = await createClientKey(allowed, ['items:read', 'items:write'], 'lokal');
      const res = await allowed.api('/v1/webhooks', { method: 'POST', key: local, json: { url: `http://127.0.0.1:${receiver.port}/hook` } });
      expect(res.status).toBe(201);
      const item = (await (await allowed.api('/v1/items', { method: 'POST', key: local, json: { category: 'fee', amount: '1.00', dueDate: '2026-12-31', description: 'x', debtor: { name: 'A' } } })).json()) as Json;
      await allowed.api(`/v1/items/${item.id}/cancel`, { method: 'POST', key: local, json: { reason: 'x' } });
      const w = createOutboxWorker({ db: allowed.db, clock, log: pino({ level: 'silent' }), timeoutMs: 5000, allowPrivateNetworks: true, fetch: createWebhookFetch({ allowPrivateNetworks: true }) });
      expect(await w.runOnce()).toMatchObject({ delivered: 1 });
      expect(receiver.received).toHaveLength(1);
    });
  });
});
