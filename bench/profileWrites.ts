/**
 * Where `POST /v1/items` and an authenticated `GET /v1/items/{id}` spend their time: the service as
 * `npm start` runs it (SQLite, LOG_LEVEL info to a file), under `node --cpu-prof`, loaded with
 * autocannon (10 connections), then the profile's heaviest frames by self time and by package.
 *
 *   npx tsx bench/profileWrites.ts [--seconds=10] [--kind=post|get|both] [--top=25] [--no-profile] [--keep]
 *
 * STADTKASSE_ROOT=<checkout> profiles another checkout with the same load (before/after).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = process.env.STADTKASSE_ROOT ?? path.join(here, '..');
const KEY = 'sk_benchadmin_0123456789abcdefghijklmnopqrstuv';
const auth = { authorization: `Bearer ${KEY}` };
const arg = (name: string, dflt: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Self time per frame and per package, in per cent of the samples that were not idle, leaving out
 * the first `skipUs` of the profile (start-up: loading and compiling the code).
 */
export function summarize(profile: Profile, top: number, skipUs = 0): { frames: Array<{ frame: string; 'self %': string }>; packages: Array<{ where: string; 'self %': string }>; idle: string } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= skipUs) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  let total = 0;
  let idle = 0;
  const frames = new Map<string, number>();
  const packages = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const fn = n.callFrame.functionName || '(anonymous)';
    if (fn === '(idle)' || fn === '(program)') {
      idle += us;
      continue;
    }
    total += us;
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    const short = url.includes('node_modules/') ? url.slice(url.lastIndexOf('node_modules/') + 13) : url.startsWith(root) ? url.slice(root.length + 1) : url;
    const key = `${fn} ${short ? `${short}:${n.callFrame.lineNumber + 1}` : '(native)'}`;
    frames.set(key, (frames.get(key) ?? 0) + us);
    const pkg = url.includes('node_modules/')
      ? url.slice(url.lastIndexOf('node_modules/') + 13).split('/').slice(0, url.slice(url.lastIndexOf('node_modules/') + 13).startsWith('@') ? 2 : 1).join('/')
      : url.startsWith(root)
        ? url.slice(root.length + 1).split('/').slice(0, 2).join('/')
        : url.startsWith('node:')
          ? 'node internals'
          : fn === '(garbage collector)'
            ? '(garbage collector)'
            : '(native)';
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / Math.max(1, total)) * 100).toFixed(1)}`;
  return {
    frames: [...frames].sort((a, b) => b[1] - a[1]).slice(0, top).map(([frame, us]) => ({ frame, 'self %': pct(us) })),
    packages: [...packages].sort((a, b) => b[1] - a[1]).slice(0, top).map(([where, us]) => ({ where, 'self %': pct(us) })),
    idle: `${((idle / Math.max(1, idle + total)) * 100).toFixed(1)} % idle or (program)`,
  };
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

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon({ timeout: 60, ...opts }, (err, r) => (err ? reject(err) : resolve(r))));
}

let serial = 0;
const itemBody = () => JSON.stringify({ category: 'fee', amount: '30.70', dueDate: '2026-12-31', description: `Gebühr ${++serial}`, debtor: { name: `Bürgerin ${serial % 997}` } });

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '10'));
  const kind = arg('kind', 'both');
  const top = Number(arg('top', '25'));
  const dir = mkdtempSync(path.join(tmpdir(), 'stk-prof-'));
  const port = await freePort();
  // The service's log lines go to a file, as under a process manager, not through this process.
  const logFd = openSync(path.join(dir, 'service.log'), 'a');
  const spawned = performance.now();
  const profiling = !process.argv.includes('--no-profile');
  const child = spawn(process.execPath, [...(profiling ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []), '--import', 'tsx', path.join(root, 'src/entry/node.ts')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DATABASE_URL: `file:${path.join(dir, 'x.db')}`, STADTKASSE_ADMIN_KEY: KEY },
    stdio: ['ignore', logFd, 'inherit'],
  });
  closeSync(logFd);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      if (i > 300) throw new Error('service did not start');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const created = await fetch(`${base}/v1/items`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: itemBody() });
  const itemId = ((await created.json()) as { id: string }).id;
  // Warm-up as in mixedLoad.ts (a fresh process runs slowly for its first seconds); it and
  // everything before it is start-up, which the profile leaves out.
  await cannon({ url: base, connections: 10, duration: 4, requests: [{ method: 'POST', path: '/v1/items', headers: { ...auth, 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: itemBody() }) }] });
  await cannon({ url: `${base}/v1/items/${itemId}`, connections: 10, duration: 4, headers: auth });
  const loadStartsUs = (performance.now() - spawned) * 1000;
  const rows: Array<Record<string, string | number>> = [];
  const add = (k: string, r: autocannon.Result) => rows.push({ kind: k, 'req/s': Math.round(r.requests.average), 'p50 ms': r.latency.p50, 'p99 ms': r.latency.p99, failed: r.non2xx + r.errors + r.timeouts });
  add('GET /healthz', await cannon({ url: `${base}/healthz`, connections: 10, duration: 3 }));
  if (kind !== 'get') {
    add('POST /v1/items', await cannon({ url: base, connections: 10, duration: seconds, requests: [{ method: 'POST', path: '/v1/items', headers: { ...auth, 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: itemBody() }) }] }));
  }
  if (kind !== 'post') add('GET /v1/items/{id}', await cannon({ url: `${base}/v1/items/${itemId}`, connections: 10, duration: seconds, headers: auth }));
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  console.table(rows);
  if (!profiling) {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the main thread (the import
  // thread and tsx's loader write their own).
  const file = readdirSync(dir).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (!file) throw new Error('no profile written');
  const s = summarize(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile, top, loadStartsUs);
  process.stdout.write(`profile of the main thread under load (start-up left out; ${s.idle}; self time in % of busy time):\n`);
  console.table(s.packages);
  console.table(s.frames);
  if (process.argv.includes('--keep')) process.stdout.write(`kept ${path.join(dir, file)}\n`);
  else rmSync(dir, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
