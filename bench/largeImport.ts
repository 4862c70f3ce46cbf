/**
 * A statement of 10^6 entries (about 240 MB) through `bin/stadtkasse import` and over HTTP (a 202
 * job, followed until it has committed, or with --through-matching until the server has matched its
 * receipts as well; the server started as `npm start` starts it), each in its
 * own process on a fresh SQLite database: wall
 * time, entries/s and the process's peak resident memory (VmHWM, read from /proc while it runs).
 * The target is a peak RSS of at most 200 MB, whatever the number of entries. Each path also
 * imports a statement of 100 entries the same way first: what the process holds whatever the file
 * (code, database clients, page caches), so that the difference is what grows with the entries.
 *
 * The file is generated here into the temp folder and removed afterwards (never committed).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const ADMIN_KEY = 'sk_benchadm_0123456789abcdefghijklmnopqrstuv';

export interface LargeImportRun {
  path: 'CLI' | 'HTTP (202 job)';
  entries: number;
  MB: number;
  seconds: number;
  'entries/s': number;
  'peak RSS MB': number;
  /** Peak RSS of the same path with a statement of 100 entries. */
  'peak RSS MB, 100 entries': number;
  outcome: string;
}

/** One compact booked entry (~170 bytes): amount, direction, status, date, bank reference, one detail. */
function entryXml(i: number): string {
  const minor = (i * 7919) % 250_000 + 1;
  const amount = `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
  return `<Ntry><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>${i % 5 === 0 ? 'DBIT' : 'CRDT'}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-16</Dt></BookgDt><AcctSvcrRef>R${i}</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>P${i}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n`;
}

export async function generateLargeStatement(file: string, entries: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < entries; i++) sum += ((i * 7919) % 250_000 + 1) * (i % 5 === 0 ? -1 : 1);
  const opening = 10_000_000_000;
  const fmt = (minor: number) => `${Math.floor(Math.abs(minor) / 100)}.${String(Math.abs(minor) % 100).padStart(2, '0')}`;
  const bal = (type: string, v: number) => `<Bal><Tp><CdOrPrtry><Cd>${type}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${fmt(v)}</Amt><CdtDbtInd>${v < 0 ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>2026-11-16</Dt></Dt></Bal>`;
  const out = createWriteStream(file);
  const write = (s: string) => (out.write(s) ? undefined : new Promise<void>((r) => out.once('drain', () => r())));
  await write(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>LARGE-${entries}</MsgId><CreDtTm>2026-11-16T22:00:00</CreDtTm></GrpHdr><Stmt><Id>LARGE-${entries}</Id><ElctrncSeqNb>1</ElctrncSeqNb><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>${bal('OPBD', opening)}${bal('CLBD', opening + sum)}\n`,
  );
  let batch = '';
  for (let i = 0; i < entries; i++) {
    batch += entryXml(i);
    if (batch.length > 1 << 20) {
      await write(batch);
      batch = '';
    }
  }
  await write(batch + '</Stmt></BkToCstmrStmt></Document>\n');
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return statSync(file).size;
}

/** What `npm start` runs (package.json): its environment settings and node's arguments. */
export function startCommand(): { env: Record<string, string>; args: string[] } {
  const start = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0] ?? '')) {
    const [name, value] = words.shift()!.split('=') as [string, string];
    env[name] = value;
  }
  if (words.shift() !== 'node') throw new Error(`npm start runs "${start}", not node`);
  return { env, args: words };
}

/** Peak resident memory of a process so far (MB), from /proc; 0 where /proc is not there. */
function peakRssMB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

async function viaCli(file: string, dir: string): Promise<{ seconds: number; peak: number; outcome: string }> {
  const started = performance.now();
  const child = spawn(join(repoRoot, 'bin', 'stadtkasse'), ['import', file], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: `file:${join(dir, 'cli.db')}`, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, peakRssMB(child.pid!))), 200);
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  // The last sample before the process is gone: VmHWM is the peak over its whole life.
  const code = await new Promise<number | null>((r) => {
    child.stdout.once('end', () => (peak = Math.max(peak, peakRssMB(child.pid!))));
    child.once('exit', (c) => r(c));
  });
  clearInterval(timer);
  return { seconds: (performance.now() - started) / 1000, peak, outcome: code === 0 ? out.trim().split('\n').pop()!.slice(0, 160) : `exit ${code}: ${out.slice(-300)}` };
}

async function viaHttp(file: string, dir: string, throughMatching = false): Promise<{ seconds: number; peak: number; outcome: string }> {
  const start = startCommand();
  const child = spawn(process.execPath, start.args, {
    cwd: repoRoot,
    env: { ...process.env, ...start.env, PORT: '0', DATABASE_URL: `file:${join(dir, 'http.db')}`, UPLOAD_DIR: join(dir, 'uploads'), STADTKASSE_ADMIN_KEY: ADMIN_KEY, OUTBOX_WORKER: 'false', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, peakRssMB(child.pid!))), 200);
  try {
    // The server's log as far as it is needed: the port, and the job's completion (kept short).
    let log = '';
    child.stdout.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-100_000)));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /listening on http:\/\/localhost:(\d+)/.exec(log);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', () => reject(new Error(`server exited: ${log.slice(-500)}`)));
    });
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/v1/statements?fileName=large.xml`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/xml', 'content-length': String(statSync(file).size) },
      body: createReadStream(file) as unknown as BodyInit,
      duplex: 'half',
    } as RequestInit);
    const accepted = (await res.json()) as { statusUrl?: string; detail?: string };
    // A small file is imported while the sender waits (201); a large one is a job (202).
    if (res.status === 201) return { seconds: (performance.now() - started) / 1000, peak: Math.max(peak, peakRssMB(child.pid!)), outcome: 'imported inline (201)' };
    if (res.status !== 202 || !accepted.statusUrl) return { seconds: 0, peak, outcome: `answer ${res.status}: ${JSON.stringify(accepted).slice(0, 200)}` };
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const s = await fetch(`http://127.0.0.1:${port}${accepted.statusUrl}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      const body = (await s.json()) as { state?: string; entries?: { read: number }; error?: { detail: string } };
      if (s.status === 200) {
        const seconds = (performance.now() - started) / 1000;
        peak = Math.max(peak, peakRssMB(child.pid!));
        if (body.state === 'failed') return { seconds, peak, outcome: `failed: ${body.error?.detail}` };
        if (!throughMatching) return { seconds, peak, outcome: `imported, ${body.entries?.read} entries` };
        // The job's status turns to completed (and the thread logs it) once its receipts are matched.
        await new Promise<void>((resolve) => {
          const seen = () => log.includes('queued import completed') && resolve();
          seen();
          child.stdout.on('data', seen);
        });
        const matched = (performance.now() - started) / 1000;
        peak = Math.max(peak, peakRssMB(child.pid!));
        return { seconds, peak, outcome: `imported, ${body.entries?.read} entries; matched after ${matched.toFixed(0)} s (peak includes matching)` };
      }
    }
  } finally {
    clearInterval(timer);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

export async function runLargeImportBench(
  opts: { entries?: number; paths?: Array<'cli' | 'http'>; throughMatching?: boolean; log?: (l: string) => void } = {},
): Promise<LargeImportRun[]> {
  const entries = opts.entries ?? 1_000_000;
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'stadtkasse-large-'));
  try {
    const file = join(dir, 'large.xml');
    const bytes = await generateLargeStatement(file, entries);
    const small = join(dir, 'small.xml');
    await generateLargeStatement(small, 100);
    log(`generated ${entries.toLocaleString('en')} entries, ${(bytes / 1e6).toFixed(0)} MB`);
    // Compiled before, in a process of its own: a first start after a change in src/ would compile
    // in the measured process.
    execFileSync(process.execPath, [join(repoRoot, 'bin', 'build.mjs')], { stdio: 'ignore' });
    const runs: LargeImportRun[] = [];
    const paths = opts.paths ?? ['cli', 'http'];
    for (const [path, run] of [['CLI', viaCli], ['HTTP (202 job)', viaHttp]] as const) {
      if (!paths.includes(path === 'CLI' ? 'cli' : 'http')) continue;
      const base = await run(small, dir);
      rmSync(join(dir, path === 'CLI' ? 'cli.db' : 'http.db'), { force: true });
      for (const suffix of ['-wal', '-shm']) rmSync(join(dir, (path === 'CLI' ? 'cli.db' : 'http.db') + suffix), { force: true });
      log(`${path}, 100 entries: peak RSS ${base.peak} MB, ${base.outcome}`);
      const r = path === 'CLI' ? await run(file, dir) : await viaHttp(file, dir, opts.throughMatching);
      log(`${path}: ${r.seconds.toFixed(1)} s, peak RSS ${r.peak} MB, ${r.outcome}`);
      runs.push({
        path,
        entries,
        MB: Math.round(bytes / 1e6),
        seconds: Math.round(r.seconds * 10) / 10,
        'entries/s': r.seconds > 0 ? Math.round(entries / r.seconds) : 0,
        'peak RSS MB': r.peak,
        'peak RSS MB, 100 entries': base.peak,
        outcome: r.outcome,
      });
    }
    return runs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv.find((a) => a.startsWith('--entries='))?.slice('--entries='.length) ?? 1_000_000);
  const paths = process.argv.find((a) => a.startsWith('--paths='))?.slice('--paths='.length).split(',') as Array<'cli' | 'http'> | undefined;
  const throughMatching = process.argv.includes('--through-matching');
  console.table(await runLargeImportBench({ entries: n, ...(paths ? { paths } : {}), throughMatching, log: (l) => process.stderr.write(l + '\n') }));
}
