/**
 * Stadtkasse on Cloudflare Workers, run by wrangler's local runtime (`wrangler dev --local`: the
 * workerd binary that ships inside the npm package, with local R2, Queues and a Hyperdrive binding
 * whose local connection string points at the test PostgreSQL server). Nothing is downloaded and
 * nothing reaches Cloudflare.
 *
 * One Worker process for the whole file, on a fresh PostgreSQL database (Hyperdrive connects to a
 * database, and the tables live in its default schema). It proves the Worker serves the same API:
 * migrations on first start, a bootstrap admin key from a var, an inline import booked by the
 * matcher, the review queue, a large upload imported by the Queue consumer through R2, the
 * Cron Trigger delivering a webhook, and paying online with the built-in test provider from the
 * citizen's page to the paid item, every step a request (an invocation) of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_ADMIN_URL, pgSkipReason, STALE_TEST_SCHEMA_MS } from '../support/backends.js';
import { camt } from '../support/camtBuilder.js';
import { TEST_ADMIN_KEY } from '../support/server.js';
import { startNonceIn } from '../http/online-support.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const wranglerCli = join(repoRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
/** Above this, uploads take the R2 + Queue path; the small statements below stay inline. */
const INLINE_MAX = 20_000;
/** Workers require it (a secret made per request would break every return from the provider). */
const ONLINE_RETURN_SECRET = 'workers-test-return-secret-0123456789abcdef';

type Json = Record<string, any>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Why the Worker cannot be tested here, or '' when it can. */
function workerSkipReason(): string {
  const pgReason = pgSkipReason();
  if (pgReason) return `the Worker's database is PostgreSQL (through Hyperdrive) and ${pgReason}`;
  try {
    readFileSync(wranglerCli);
    readdirSync(join(repoRoot, 'src', 'db', 'generated', 'workers'));
  } catch {
    return 'wrangler or the Workers Prisma client is not installed (npm install runs bin/prisma-generate.mjs)';
  }
  return '';
}

const skip = workerSkipReason();
const suite = skip ? describe.skip : describe;

suite(skip ? `Stadtkasse on Workers, in wrangler's local runtime (skipped: ${skip})` : "Stadtkasse on Workers, in wrangler's local runtime", () => {
  const dbName = `stk_wtest_${Date.now().toString(36)}_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const persist = mkdtempSync(join(tmpdir(), 'stk-wrangler-'));
  let wrangler: ChildProcess | undefined;
  const output: string[] = [];
  let base = '';
  let key = '';
  let receiver: { url: string; received: Json[]; server: ServerType } | undefined;

  const api = (path: string, init: RequestInit & { key?: string; json?: unknown } = {}) => {
    const { key: k = key, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    headers.set('authorization', `Bearer ${k}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(base + path, { signal: AbortSignal.timeout(30_000), ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  };

  beforeAll(async () => {
    // Databases of earlier runs that were killed before their afterAll (same rule as schemas).
    const c = new pg.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE 'stk\\_wtest\\_%'`);
      for (const r of rows as Array<{ datname: string }>) {
        const t = /^stk_wtest_([0-9a-z]{8,9})_/.exec(r.datname)?.[1];
        if (t && Date.now() - Number.parseInt(t, 36) > STALE_TEST_SCHEMA_MS) await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
      }
      await c.query(`CREATE DATABASE "${dbName}"`);
    } finally {
      await c.end();
    }

    const port = await freePort();
    const inspectorPort = await freePort();
    base = `http://127.0.0.1:${port}`;
    const local = new URL(PG_ADMIN_URL);
    local.pathname = `/${dbName}`;
    // miniflare requires a password in the connection string, even when the server asks for none.
    if (!local.password) local.password = 'unused';
    const started = performance.now();
    wrangler = spawn(
      process.execPath,
      [wranglerCli, 'dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort), '--persist-to', persist, '--show-interactive-dev-session=false', '--var', `STADTKASSE_ADMIN_KEY:${TEST_ADMIN_KEY}`, '--var', `INLINE_IMPORT_MAX_BYTES:${INLINE_MAX}`, '--var', 'LOG_LEVEL:warn', '--var', 'WEBHOOK_ALLOW_PRIVATE_NETWORKS:true',
        // The Worker's own address, so the citizen's page, the provider's page and the way back all
        // point at wrangler dev; a local address offers the built-in test provider.
        '--var', `PUBLIC_BASE_URL:${base}`, '--var', `ONLINE_RETURN_SECRET:${ONLINE_RETURN_SECRET}`],
      {
        cwd: repoRoot,
        // Its own process group, so stopping it also stops the workerd processes it started.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: local.toString(),
          // Offline: no usage metrics, no fetching of the Request.cf placeholder data.
          WRANGLER_SEND_METRICS: 'false',
          CLOUDFLARE_CF_FETCH_ENABLED: 'false',
          NO_COLOR: '1',
        },
      },
    );
    for (const stream of [wrangler.stdout!, wrangler.stderr!]) stream.on('data', (b: Buffer) => output.push(b.toString('utf8')));
    const exited = new Promise<void>((resolve) => wrangler!.once('exit', () => resolve()));
    let up = false;
    while (!up) {
      if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited (${wrangler.exitCode}):\n${output.join('').slice(-3000)}`);
      // A bundling error leaves wrangler running without a Worker: fail at once, saying why.
      if (output.join('').includes('Build failed')) throw new Error(`wrangler could not bundle the Worker:\n${output.join('').slice(-3000)}`);
      if (performance.now() - started > 60_000) throw new Error(`wrangler dev did not answer /healthz within 60 s:\n${output.join('').slice(-3000)}`);
      up = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.ok, () => false);
      if (!up) await Promise.race([exited, new Promise((r) => setTimeout(r, 250))]);
    }
    console.info(`[workers] wrangler dev answered /healthz after ${Math.round(performance.now() - started)} ms`);

    const res = await api('/v1/clients', { key: TEST_ADMIN_KEY, method: 'POST', json: { name: 'Kasse Import', scopes: ['statements:import', 'statements:read', 'items:read', 'items:write', 'review'] } });
    expect(res.status).toBe(201);
    key = ((await res.json()) as Json).apiKey;
  }, 90_000);

  afterAll(async () => {
    if (receiver) await new Promise<void>((r) => receiver!.server.close(() => r()));
    if (wrangler?.pid !== undefined && wrangler.exitCode === null) {
      const done = new Promise<void>((resolve) => wrangler!.once('exit', () => resolve()));
      process.kill(-wrangler.pid, 'SIGTERM');
      const hard = setTimeout(() => wrangler?.pid !== undefined && process.kill(-wrangler.pid, 'SIGKILL'), 10_000);
      await done;
      clearTimeout(hard);
    }
    rmSync(persist, { recursive: true, force: true });
    await adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
  }, 30_000);

  it('bundles every PostgreSQL migration of the repository', async () => {
    const { POSTGRESQL_MIGRATIONS } = await import('../../src/db/generated/postgresqlMigrations.js');
    const files = readdirSync(join(repoRoot, 'prisma', 'migrations', 'postgresql')).filter((f) => f.endsWith('.sql')).sort();
    expect(POSTGRESQL_MIGRATIONS.map((m) => m.id), 'the Worker bundles an old list of migrations: run npm run db:generate').toEqual(files.map((f) => f.replace(/\.sql$/, '')));
    for (const m of POSTGRESQL_MIGRATIONS) expect(m.sql).toBe(readFileSync(join(repoRoot, 'prisma', 'migrations', 'postgresql', `${m.id}.sql`), 'utf8'));
  });

  it('migrated the database on first start and answers readiness from it', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ backend: 'postgresql' });
    const c = new pg.Client({ connectionString: new URL(`/${dbName}`, PG_ADMIN_URL).toString() });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT "id" FROM "_stadtkasse_migrations" ORDER BY "id"`);
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
  });

  it('imports a statement inline, books the payment that quotes its Kassenzeichen, and queues the other for review', async () => {
    const created = await api('/v1/items', { method: 'POST', json: { category: 'fee', amount: '30.70', dueDate: '2026-12-31', description: 'Verwaltungsgebühr', debtor: { name: 'Jürgen Müller' } } });
    expect(created.status).toBe(201);
    const item = (await created.json()) as Json;
    const xml = camt({ id: 'WORKER-1', seq: 1, entries: [
      { amount: '30.70', remittance: [`Kassenzeichen ${item.kassenzeichen}`], name: 'Jürgen Müller', ref: 'W-1' },
      { amount: '99.99', remittance: ['Spende Stadtbibliothek'], name: 'Erika Mustermann', ref: 'W-2' },
    ] });
    expect(Buffer.byteLength(xml)).toBeLessThan(INLINE_MAX);
    const res = await api('/v1/statements?fileName=worker-1.xml', { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ replayed: false, entries: { read: 2, new: 2 }, matching: { auto: 1 } });

    const paid = (await (await api(`/v1/items/${item.id}`)).json()) as Json;
    expect(paid).toMatchObject({ status: 'paid', paid: '30.70' });
    const entries = (await (await api(`/v1/statements/${body.statements[0].id}/entries`)).json()) as Json;
    const states = entries.items.map((e: Json) => e.transactions[0].matchState as string);
    expect(states[0]).toBe('auto');
    expect(['review', 'unmatched']).toContain(states[1]);

    const queue = await api('/v1/review');
    expect(queue.status).toBe(200);
    const rows = ((await queue.json()) as Json).items as Json[];
    expect(rows.map((r) => r.amount)).toContain('99.99');
    expect(rows.map((r) => r.amount)).not.toContain('30.70');

    // The same file again: the first import's answer, nothing stored twice.
    const again = await api('/v1/statements?fileName=worker-1-again.xml', { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } });
    expect(again.status).toBe(200);
    expect(((await again.json()) as Json).importId).toBe(body.importId);
  });

  it('takes a large upload into R2, answers 202 with the import id, and the Queue consumer imports it under that id', async () => {
    const xml = camt({ id: 'WORKER-BIG', seq: 2, date: '2026-11-17', entries: Array.from({ length: 400 }, (_, i) => ({ amount: '5.00', credit: false, name: 'Stadtwerke', ref: `WB-${i}` })) });
    expect(Buffer.byteLength(xml)).toBeGreaterThan(INLINE_MAX);
    const res = await api('/v1/statements?fileName=big.xml', { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } });
    expect(res.status).toBe(202);
    const queued = (await res.json()) as Json;
    expect(queued).toMatchObject({ state: 'queued', statusUrl: `/v1/statement-imports/${queued.importId}` });
    expect(res.headers.get('location')).toBe(queued.statusUrl);

    let result: Json | undefined;
    const started = Date.now();
    while (!result) {
      const s = await api(queued.statusUrl);
      if (s.status === 200) result = (await s.json()) as Json;
      else {
        expect(s.status).toBe(202);
        expect(['queued', 'running']).toContain(((await s.json()) as Json).state);
        if (Date.now() - started > 30_000) throw new Error('the queued import did not complete within 30 s');
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    expect(result).toMatchObject({ importId: queued.importId, fileName: 'big.xml', replayed: false, entries: { read: 400, new: 400 } });
    const list = (await (await api('/v1/statements')).json()) as Json;
    expect(list.items.filter((s: Json) => s.bankStatementId === 'WORKER-BIG')).toHaveLength(1);
  });

  it('refuses a broken upload through the queue with the reason, storing nothing', async () => {
    const xml = camt({ id: 'WORKER-BROKEN', seq: 3, date: '2026-11-18', closingOffset: '0.01', entries: Array.from({ length: 400 }, (_, i) => ({ amount: '5.00', ref: `WX-${i}` })) });
    const res = await api('/v1/statements?fileName=broken.xml', { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } });
    expect(res.status).toBe(202);
    const { statusUrl } = (await res.json()) as Json;
    let status: Json = {};
    for (let i = 0; i < 120 && status.state !== 'failed'; i++) {
      status = (await (await api(statusUrl)).json()) as Json;
      if (status.state !== 'failed') await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toMatchObject({ state: 'failed', error: { code: 'balance_mismatch' } });
    const list = (await (await api('/v1/statements')).json()) as Json;
    expect(list.items.filter((s: Json) => s.bankStatementId === 'WORKER-BROKEN')).toHaveLength(0);
  });

  it('delivers a webhook when the Cron Trigger runs the outbox', async () => {
    const received: Json[] = [];
    const app = new Hono();
    app.post('/hook', async (c) => {
      received.push({ eventId: c.req.header('Stadtkasse-Event-Id'), body: await c.req.json() });
      return c.body(null, 204);
    });
    const server: ServerType = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const a = server.address();
    receiver = { url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/hook`, received, server };
    expect((await api('/v1/webhooks', { method: 'POST', json: { url: receiver.url } })).status).toBe(201);
    const item = (await (await api('/v1/items', { method: 'POST', json: { category: 'fine', amount: '15.00', dueDate: '2026-12-31', description: 'Verwarngeld', debtor: { name: 'Max Muster' } } })).json()) as Json;
    expect((await api(`/v1/items/${item.id}/cancel`, { method: 'POST', json: { reason: 'eingestellt' } })).status).toBe(200);

    // wrangler's local runtime runs the scheduled handler on request (the cron itself does not fire locally).
    const cronStarted = performance.now();
    const cron = await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}`).catch((err: Error) => {
      throw new Error(`scheduled handler: ${err.message}\n${output.join('').slice(-4000)}`);
    });
    expect(cron.status).toBe(200);
    console.info(`[workers] scheduled handler answered after ${Math.round(performance.now() - cronStarted)} ms`);
    for (let i = 0; i < 40 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 250));
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ body: { type: 'item.cancelled', data: { item: { id: item.id, status: 'cancelled' } } } });
    expect(received[0]!.eventId).toBe(received[0]!.body.id);
  });
  it('pays online end to end: citizen page, the test provider\'s page in another invocation, back to a paid item', async () => {
    const started = performance.now();
    const created = await api('/v1/items', { method: 'POST', json: { category: 'fee', amount: '42.50', dueDate: '2026-12-31', description: 'Anwohnerparkausweis', debtor: { name: 'Olga Online' }, kassenzeichen: 'PARK-2026-0042' } });
    expect(created.status).toBe(201);
    const item = (await created.json()) as Json;
    const pr = await api('/v1/payment-requests', { method: 'POST', json: { itemIds: [item.id] } });
    expect(pr.status).toBe(201);
    const { paymentUrl } = (await pr.json()) as Json;
    expect(paymentUrl.startsWith(`${base}/pay/`)).toBe(true);
    const token = paymentUrl.split('/pay/')[1] as string;

    // The citizen's page, with the number as printed and the "Online bezahlen" form.
    const page = await fetch(paymentUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('PARK-2026-0042');
    const nonce = startNonceIn(html);
    expect(nonce, 'the payment page offers "Online bezahlen"').toBeDefined();

    // Starting: Stadtkasse creates the transaction at the provider and sends the citizen there.
    const start = await fetch(`${base}/pay/${token}/online`, { method: 'POST', body: new URLSearchParams({ nonce: nonce! }), redirect: 'manual' });
    const startText = await start.text();
    expect(start.status, startText.slice(0, 500)).toBe(200);
    const providerPage = /^0;url=(.+)$/.exec(start.headers.get('refresh') ?? '')?.[1] ?? '';
    expect(providerPage).toMatch(new RegExp(`^${base}/testprovider/paypage/TP-`));

    // The provider's page is another request, so another invocation: it finds the transaction in the database.
    const pay = await fetch(providerPage);
    const payText = await pay.text();
    expect(pay.status, payText.slice(0, 300)).toBe(200);
    expect(payText).toContain('TESTMODUS');
    expect(payText).not.toContain('Unbekannte Transaktion');
    const decided = await fetch(providerPage, { method: 'POST', body: new URLSearchParams({ choice: 'pay' }), redirect: 'manual' });
    expect(decided.status).toBe(303);
    const back = decided.headers.get('location')!;
    expect(back.startsWith(`${base}/`)).toBe(true);

    // Back at Stadtkasse, which asks the provider for the status and books the payment.
    const returned = await fetch(back, { redirect: 'manual' });
    await returned.text();
    expect(returned.status).toBe(303);
    expect(returned.headers.get('location')).toBe(`/pay/${token}?online=payed`);
    const paid = (await (await api(`/v1/items/${item.id}`)).json()) as Json;
    expect(paid).toMatchObject({ status: 'paid', paid: '42.50', kassenzeichenDisplay: 'PARK-2026-0042' });
    const after = await (await fetch(`${base}/pay/${token}?online=payed`)).text();
    expect(after).not.toContain('Unbekannte Transaktion');
    console.info(`[workers] paying online end to end took ${Math.round(performance.now() - started)} ms`);
  });
});
