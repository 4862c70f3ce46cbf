/**
 * Writes under load, against real service processes (`npm start`), with autocannon as the client:
 *
 * 1. idle: /healthz, POST /v1/items and an authenticated GET of an item, 10 connections each —
 *    every figure also as a ratio to /healthz measured in the same run;
 * 2. mixed: a 20 MB camt.053 upload while items are created, payment requests made and items and
 *    /healthz read, per kind requests/s, p50, p99 and failures — on SQLite (one process) and on
 *    two processes sharing one PostgreSQL schema;
 * 3. waiting: a statement with 50,000 payments nobody can assign, then 1,000 items created through
 *    the API (1 in 50 quoted by one of the payments): latency, and how long until the payments
 *    quoting them are booked.
 *
 *   npx tsx bench/mixedLoad.ts [--quick] [--only=idle,mixed,waiting] [--backends=sqlite,postgresql]
 *
 * BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the service processes under the load.
 *
 * Figures measure; they are never asserted (the same machine runs other work).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import BetterSqlite3 from 'better-sqlite3';
import { generate } from './camt.js';
import { DEFAULT_SCHEME, generateKassenzeichen, nextUsableSerial } from '../src/references/kassenzeichen.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// STADTKASSE_ROOT: serve another checkout (the code before a change) with this same load.
const root = process.env.STADTKASSE_ROOT ?? path.join(here, '..');
const KEY = 'sk_benchadmin_0123456789abcdefghijklmnopqrstuv';
const PG_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const auth = { authorization: `Bearer ${KEY}` };

export interface LoadRow {
  scenario: string;
  backend: string;
  kind: string;
  requests: number;
  'req/s': number;
  'p50 ms': number;
  'p99 ms': number;
  'max ms': number;
  failed: number;
  'vs /healthz': string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Service {
  base: string;
  child: ChildProcess;
}

async function startService(databaseUrl: string): Promise<Service> {
  const port = await freePort();
  // BENCH_SERVICE_NODE_ARGS: more Node options for the service processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(root, 'src/entry/node.ts')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, STADTKASSE_ADMIN_KEY: KEY, LOG_LEVEL: 'warn', OUTBOX_WORKER: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { base, child };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('service did not start');
}

async function stop(s: Service): Promise<void> {
  s.child.kill('SIGTERM');
  await new Promise((r) => s.child.once('exit', r));
}

let serial = 0;
function itemBody(kassenzeichen?: string): string {
  serial++;
  return JSON.stringify({
    category: 'fee',
    amount: '30.70',
    dueDate: '2026-12-31',
    description: `Gebühr ${serial}`,
    debtor: { name: `Bürgerin ${serial % 997}` },
    ...(kassenzeichen ? { kassenzeichen } : {}),
  });
}

async function createItem(base: string): Promise<string> {
  const r = await fetch(`${base}/v1/items`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: itemBody() });
  if (r.status !== 201) throw new Error(`item: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { id: string }).id;
}

type Cannon = autocannon.Result;

/**
 * The outcome of a statement upload: answered with the import (201, 200 for a repeat), or queued
 * (202, files above INLINE_IMPORT_MAX_BYTES) and then followed on its status URL until committed
 * or refused. Either way it returns once the import has finished.
 */
async function uploadStatement(base: string, file: string, fileName: string): Promise<{ ok: boolean; detail: string }> {
  const res = await fetch(`${base}/v1/statements?fileName=${fileName}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/xml', 'content-length': String(statSync(file).size) },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const answer = (await res.json()) as { statusUrl?: string; state?: string; detail?: string; error?: { detail?: string } };
  if (res.status === 200 || res.status === 201) return { ok: true, detail: `answered ${res.status}` };
  if (res.status !== 202 || !answer.statusUrl) return { ok: false, detail: `answered ${res.status}: ${JSON.stringify(answer).slice(0, 200)}` };
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const s = await fetch(`${base}${answer.statusUrl}`, { headers: auth });
    const body = (await s.json()) as { state?: string; error?: { detail?: string } };
    // 200: committed (or refused, which stores nothing); 202: still queued or importing.
    if (s.status === 200) return body.state === 'failed' ? { ok: false, detail: `queued (202), then failed: ${body.error?.detail ?? ''}` } : { ok: true, detail: 'queued (202), then imported' };
    if (s.status !== 202) return { ok: false, detail: `status answered ${s.status}` };
  }
}

function row(scenario: string, backend: string, kind: string, r: Cannon, healthz?: Cannon): LoadRow {
  const rps = Math.round(r.requests.average);
  return {
    scenario,
    backend,
    kind,
    requests: r.requests.total,
    'req/s': rps,
    'p50 ms': r.latency.p50,
    'p99 ms': r.latency.p99,
    'max ms': r.latency.max,
    failed: r.non2xx + r.errors + r.timeouts,
    'vs /healthz': healthz && healthz !== r ? `${((rps / Math.max(1, healthz.requests.average)) * 100).toFixed(1)} % of req/s, p99 ×${(r.latency.p99 / Math.max(1, healthz.latency.p99)).toFixed(1)}` : '',
  };
}

function cannon(opts: autocannon.Options): Promise<Cannon> {
  return new Promise((resolve, reject) => {
    autocannon({ timeout: 60, ...opts }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** Item creation with a fresh body per request (no Kassenzeichen: generated, as most callers do). */
function itemRequests(): autocannon.Request[] {
  return [{ method: 'POST', path: '/v1/items', headers: { ...auth, 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: itemBody() }) }];
}

export async function runIdle(backend: 'sqlite', seconds: number, log: (l: string) => void): Promise<LoadRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stk-load-'));
  const s = await startService(`file:${path.join(dir, 'x.db')}`);
  try {
    const itemId = await createItem(s.base);
    // Warm-up, not measured: the first seconds of a fresh process ran at a third of the rate of
    // the later ones (code not yet optimised by the JIT), so whatever came first looked slow.
    log(`idle [${backend}]: warming up (POST and GET, ${Math.min(5, seconds)} s each, not measured) …`);
    await cannon({ url: s.base, connections: 10, duration: Math.min(5, seconds), requests: itemRequests() });
    await cannon({ url: `${s.base}/v1/items/${itemId}`, connections: 10, duration: Math.min(5, seconds), headers: auth });
    log(`idle [${backend}]: /healthz, POST /v1/items, GET /v1/items/{id}, ${seconds} s each, 10 connections`);
    const healthz = await cannon({ url: `${s.base}/healthz`, connections: 10, duration: seconds });
    const post = await cannon({ url: s.base, connections: 10, duration: seconds, requests: itemRequests() });
    const get = await cannon({ url: `${s.base}/v1/items/${itemId}`, connections: 10, duration: seconds, headers: auth });
    return [row('idle', backend, 'GET /healthz', healthz, healthz), row('idle', backend, 'POST /v1/items', post, healthz), row('idle', backend, 'GET /v1/items/{id}', get, healthz)];
  } finally {
    await stop(s);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runMixed(backend: 'sqlite' | 'postgresql', mb: number, log: (l: string) => void): Promise<LoadRow[]> {
  const outDir = path.join(here, 'out');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `latency-${mb}mb.xml`);
  if (!existsSync(file)) await generate(file, mb * 1024 * 1024);
  const dir = mkdtempSync(path.join(tmpdir(), 'stk-load-'));
  const schema = `stk_load_${process.pid}`;
  const url = backend === 'sqlite' ? `file:${path.join(dir, 'x.db')}` : `${PG_URL}?schema=${schema}`;
  const services = backend === 'sqlite' ? [await startService(url)] : [await startService(url), await startService(url)];
  try {
    const [a, b = a] = services as [Service, Service?];
    const items = await Promise.all(Array.from({ length: 20 }, () => createItem(a.base)));
    log(`mixed [${backend}, ${services.length} process${services.length > 1 ? 'es' : ''}]: uploading ${(statSync(file).size / 1e6).toFixed(1)} MB while writing and reading …`);
    const started = performance.now();
    const upload = uploadStatement(a.base, file, 'load.xml');
    const running: Array<autocannon.Instance> = [];
    const results: Array<Promise<[string, Cannon]>> = [];
    const run = (kind: string, opts: autocannon.Options) => {
      results.push(
        new Promise((resolve, reject) => {
          const inst = autocannon({ timeout: 60, duration: 3600, ...opts }, (err, r) => (err ? reject(err) : resolve([kind, r])));
          running.push(inst);
        }),
      );
    };
    // Writes go to both instances on PostgreSQL; the upload to the first.
    run('POST /v1/items', { url: b.base, connections: 4, requests: itemRequests() });
    let n = 0;
    run('POST /v1/payment-requests', {
      url: a.base,
      connections: 2,
      requests: [{ method: 'POST', path: '/v1/payment-requests', headers: { ...auth, 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: JSON.stringify({ itemIds: [items[n++ % items.length]] }) }) }],
    });
    run('GET /v1/items/{id}', { url: `${b.base}/v1/items/${items[0]}`, connections: 2, headers: auth });
    run('GET /healthz', { url: `${a.base}/healthz`, connections: 1 });
    const uploaded = await upload;
    const importSeconds = (performance.now() - started) / 1000;
    for (const inst of running) inst.stop();
    const done = await Promise.all(results);
    log(`  upload ${uploaded.detail} after ${importSeconds.toFixed(1)} s`);
    return [
      { scenario: 'mixed', backend, kind: `upload ${mb} MB`, requests: 1, 'req/s': 0, 'p50 ms': Math.round(importSeconds * 1000), 'p99 ms': Math.round(importSeconds * 1000), 'max ms': Math.round(importSeconds * 1000), failed: uploaded.ok ? 0 : 1, 'vs /healthz': '' },
      // No ratio here: /healthz runs with one connection beside the others, not alone.
      ...done.map(([kind, r]) => row('mixed', `${backend}${services.length > 1 ? ' ×2' : ''}`, kind, r)),
    ];
  } finally {
    for (const s of services) await stop(s);
    rmSync(dir, { recursive: true, force: true });
    if (backend === 'postgresql') {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  }
}

/** 50,000 waiting payments, then 1,000 items through the API; every 50th item is quoted by one. */
export async function runWaiting(waiting: number, items: number, log: (l: string) => void): Promise<LoadRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stk-load-'));
  const s = await startService(`file:${path.join(dir, 'x.db')}`);
  try {
    const kz = (i: number) => generateKassenzeichen(DEFAULT_SCHEME, 'fee', nextUsableSerial(DEFAULT_SCHEME, 'fee', BigInt(500_000_000 + i * 13))!);
    const quoted = Math.floor(items / 50);
    const file = path.join(dir, 'waiting.xml');
    const entries: string[] = [];
    let sum = 0n;
    for (let i = 0; i < waiting; i++) {
      const q = i < quoted;
      const minor = q ? 3070n : BigInt(500 + (i % 9000));
      sum += minor;
      const amt = `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;
      const rmt = q ? `Gebuehr ${kz(i * 50)}` : `Spende ${i}`;
      entries.push(`<Ntry><Amt Ccy="EUR">${amt}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-16</Dt></BookgDt><ValDt><Dt>2026-11-16</Dt></ValDt><AcctSvcrRef>W${i}</AcctSvcrRef><BkTxCd><Prtry><Cd>NTRF+166+0000</Cd><Issr>DK</Issr></Prtry></BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><Amt Ccy="EUR">${amt}</Amt><CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Pty><Nm>Zahler ${i % 4999}</Nm></Pty></Dbtr></RltdPties><RmtInf><Ustrd>${rmt}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`);
    }
    const fmt = (v: bigint) => `${v / 100n}.${String(v % 100n).padStart(2, '0')}`;
    const bal = (code: string, v: bigint) => `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${fmt(v)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-16</Dt></Dt></Bal>`;
    writeFileSync(
      file,
      `<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>WAIT</MsgId><CreDtTm>2026-11-16T20:00:00+01:00</CreDtTm></GrpHdr><Stmt><Id>WAIT-1</Id><ElctrncSeqNb>1</ElctrncSeqNb><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>${bal('OPBD', 100000n)}${bal('CLBD', 100000n + sum)}${entries.join('')}</Stmt></BkToCstmrStmt></Document>`,
    );
    log(`waiting: importing ${waiting} payments nobody can assign yet …`);
    const up = await uploadStatement(s.base, file, 'waiting.xml');
    if (!up.ok) throw new Error(`waiting import: ${up.detail}`);
    // The import thread matches the payments after the import has committed (and the status
    // answers 200): the scenario starts once none is left undecided, read from the file itself.
    const sqlite = new BetterSqlite3(path.join(dir, 'x.db'), { readonly: true });
    try {
      const undecided = sqlite.prepare(`SELECT count(*) AS n FROM "BankTransaction" WHERE "matchState" = 'pending'`);
      while ((undecided.get() as { n: number }).n > 0) await new Promise((r) => setTimeout(r, 250));
    } finally {
      sqlite.close();
    }
    log(`waiting: creating ${items} items through the API (10 connections), ${quoted} of them quoted by a waiting payment …`);
    let i = 0;
    const quotedKz = new Set(Array.from({ length: quoted }, (_, q) => kz(q * 50)));
    const quotedIds: string[] = [];
    const started = performance.now();
    const post = await cannon({
      url: s.base,
      connections: 10,
      amount: items,
      requests: [
        {
          method: 'POST',
          path: '/v1/items',
          headers: { ...auth, 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: itemBody(kz(i++)) }),
          onResponse: (status, body) => {
            if (status !== 201) return;
            const item = JSON.parse(body) as { id: string; kassenzeichen: string };
            if (quotedKz.has(item.kassenzeichen)) quotedIds.push(item.id);
          },
        },
      ],
    });
    // The quoted payments are booked by the re-matching run after their items arrived.
    // Looked at every 100 ms for up to a minute; the time is when the last of them was seen paid.
    let booked = 0;
    let lastBookedAt = started;
    for (let t = 0; t < 600 && booked < quotedIds.length; t++) {
      let now = 0;
      for (const id of quotedIds) {
        const r = await fetch(`${s.base}/v1/items/${id}`, { headers: auth });
        if (((await r.json()) as { status: string }).status === 'paid') now++;
      }
      if (now > booked) lastBookedAt = performance.now();
      booked = now;
      if (booked < quotedIds.length) await new Promise((r2) => setTimeout(r2, 100));
    }
    const bookedAfter = ((lastBookedAt - started) / 1000).toFixed(1);
    const healthz = await cannon({ url: `${s.base}/healthz`, connections: 10, duration: 3 });
    log(`  ${items} items created; ${booked} of ${quoted} quoted payments booked ${bookedAfter} s after the first request`);
    return [row(`waiting (${waiting} payments)`, 'sqlite', 'POST /v1/items', post, healthz), row(`waiting (${waiting} payments)`, 'sqlite', 'GET /healthz', healthz, healthz), { scenario: `waiting (${waiting} payments)`, backend: 'sqlite', kind: `quoted payments booked`, requests: booked, 'req/s': 0, 'p50 ms': 0, 'p99 ms': 0, 'max ms': 0, failed: quoted - booked, 'vs /healthz': `${bookedAfter} s after the first POST` }];
  } finally {
    await stop(s);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runMixedLoadBench(opts: { quick?: boolean; only?: string[]; backends?: Array<'sqlite' | 'postgresql'>; log?: (l: string) => void } = {}): Promise<LoadRow[]> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const want = (s: string) => !opts.only || opts.only.includes(s);
  const backends = opts.backends ?? ['sqlite', 'postgresql'];
  const rows: LoadRow[] = [];
  if (want('idle')) rows.push(...(await runIdle('sqlite', opts.quick ? 3 : 10, log)));
  if (want('mixed')) for (const b of backends) rows.push(...(await runMixed(b, opts.quick ? 5 : 20, log)));
  if (want('waiting')) rows.push(...(await runWaiting(opts.quick ? 10_000 : 50_000, 1000, log)));
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const only = arg('only')?.split(',');
  const backends = arg('backends')?.split(',') as Array<'sqlite' | 'postgresql'> | undefined;
  console.table(await runMixedLoadBench({ quick: process.argv.includes('--quick'), ...(only ? { only } : {}), ...(backends ? { backends } : {}) }));
}
