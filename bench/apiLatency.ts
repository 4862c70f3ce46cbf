/**
 * API responsiveness while a large statement is imported: the service runs as its own process (as
 * with `npm start`), a 20 MB camt.053 is uploaded through POST /v1/statements, and meanwhile
 * authenticated reads (GET /v1/statements, which goes to the database) are timed one after another.
 *
 *   npx tsx bench/apiLatency.ts [--mb 20]
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { generate } from './camt.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const KEY = 'sk_benchadmin_0123456789abcdefghijklmnopqrstuv';

export interface LatencyResult {
  fileMB: number;
  importSeconds: number;
  requests: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
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

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runApiLatencyBench(opts: { mb?: number; log?: (l: string) => void } = {}): Promise<LatencyResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const mb = opts.mb ?? 20;
  const outDir = path.join(here, 'out');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `latency-${mb}mb.xml`);
  if (!existsSync(file)) await generate(file, mb * 1024 * 1024);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stk-latency-'));
  const port = await freePort();
  const service = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/entry/node.ts')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DATABASE_URL: `file:${path.join(dataDir, 'x.db')}`, STADTKASSE_ADMIN_KEY: KEY, LOG_LEVEL: 'warn', OUTBOX_WORKER: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const auth = { authorization: `Bearer ${KEY}` };
    log(`api latency: uploading ${(statSync(file).size / 1e6).toFixed(1)} MB while timing GET /v1/statements …`);
    const started = performance.now();
    let done = false;
    const upload = fetch(`${base}/v1/statements?fileName=latency.xml`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/xml' },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit).then(async (r) => {
      done = true;
      if (!r.ok) throw new Error(`import failed: ${r.status} ${await r.text()}`);
    });
    const times: number[] = [];
    while (!done) {
      const t = performance.now();
      const r = await fetch(`${base}/v1/statements?limit=5`, { headers: auth });
      await r.arrayBuffer();
      times.push(performance.now() - t);
      await new Promise((r2) => setTimeout(r2, 20));
    }
    await upload;
    const importSeconds = (performance.now() - started) / 1000;
    times.sort((a, b) => a - b);
    const result: LatencyResult = {
      fileMB: Math.round(statSync(file).size / 1e5) / 10,
      importSeconds: Math.round(importSeconds * 10) / 10,
      requests: times.length,
      p50ms: Math.round(percentile(times, 50) * 10) / 10,
      p99ms: Math.round(percentile(times, 99) * 10) / 10,
      maxMs: Math.round(times[times.length - 1]! * 10) / 10,
    };
    log(`  import ${result.importSeconds} s; ${result.requests} reads: p50 ${result.p50ms} ms, p99 ${result.p99ms} ms, max ${result.maxMs} ms`);
    return result;
  } finally {
    service.kill('SIGTERM');
    await new Promise((r) => service.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--mb');
  console.table([await runApiLatencyBench(i > 0 ? { mb: Number.parseInt(process.argv[i + 1]!, 10) } : {})]);
}
