/**
 * Real Stadtkasse processes for the concurrency tests: each is what `npm start` runs (the compiled
 * JavaScript, bin/run.mjs), started as a child process on PORT=0 against one shared database. The
 * child logs the port it got (`Stadtkasse listening …`, pino JSON on stdout); we read it from there.
 * Nothing here reaches into the child: requests go over TCP, kills are real signals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { PG_ADMIN_URL } from '../support/backends.js';
import { TEST_ADMIN_KEY } from '../support/server.js';

export { TEST_ADMIN_KEY };

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface ServiceProcess {
  name: string;
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Every stdout/stderr line so far (pino JSON and anything else), for diagnosing failures. */
  lines: string[];
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  api(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
  /** Waits until a log line matching `test` appears (or times out). */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** What `npm start` runs (package.json): its environment settings and node's arguments. */
function startCommand(): { env: Record<string, string>; args: string[] } {
  const start = (JSON.parse(readFileSync(new URL('package.json', `file://${repoRoot}`), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0] ?? '')) {
    const [name, value] = words.shift()!.split('=') as [string, string];
    env[name] = value;
  }
  words.shift(); // node
  return { env, args: words };
}

/** Starts one service process; resolves once it listens. */
export async function spawnService(opts: { name: string; databaseUrl: string; env?: Record<string, string>; startTimeoutMs?: number }): Promise<ServiceProcess> {
  const start = startCommand();
  const child = spawn(process.execPath, start.args, {
    cwd: repoRoot,
    env: {
      ...start.env,
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: '0',
      DATABASE_URL: opts.databaseUrl,
      STADTKASSE_ADMIN_KEY: TEST_ADMIN_KEY,
      OUTBOX_WORKER: 'false',
      LOG_LEVEL: 'info',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<{ test: (l: string) => boolean; resolve: (l: string) => void }>();
  const onData = (buf: Buffer, carry: { rest: string }) => {
    const text = carry.rest + buf.toString('utf8');
    const parts = text.split('\n');
    carry.rest = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters) {
        if (w.test(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
      }
    }
  };
  const out = { rest: '' };
  const err = { rest: '' };
  child.stdout!.on('data', (b: Buffer) => onData(b, out));
  child.stderr!.on('data', (b: Buffer) => onData(b, err));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const waitForLine = (test: (l: string) => boolean, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const found = lines.find(test);
      if (found) return resolve(found);
      const w = { test, resolve: (l: string) => (clearTimeout(timer), resolve(l)) };
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`${opts.name}: no matching log line within ${timeoutMs} ms; output so far:\n${lines.slice(-30).join('\n')}`));
      }, timeoutMs);
      waiters.add(w);
      void exited.then(() => {
        if (!waiters.has(w)) return;
        waiters.delete(w);
        clearTimeout(timer);
        reject(new Error(`${opts.name} exited before the expected log line; output:\n${lines.slice(-30).join('\n')}`));
      });
    });

  const listening = await waitForLine((l) => l.includes('Stadtkasse listening'), opts.startTimeoutMs ?? 60_000);
  const port = (JSON.parse(listening) as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  const api: ServiceProcess['api'] = (path, init = {}) => {
    const { key = TEST_ADMIN_KEY, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key) headers.set('authorization', `Bearer ${key}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(url + path, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  };
  return {
    name: opts.name,
    url,
    port,
    pid: child.pid!,
    child,
    lines,
    exited,
    api,
    waitForLine,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Starts `n` processes at the same moment on one database (they also race to migrate it). */
export async function spawnServices(n: number, databaseUrl: string, env: Record<string, string> = {}): Promise<ServiceProcess[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => spawnService({ name: `instance-${i + 1}`, databaseUrl, env })));
}

/** Stops every process still running (SIGKILL after a grace period) — for afterAll. */
export async function stopAll(services: Array<ServiceProcess | undefined>): Promise<void> {
  await Promise.all(
    services.map(async (s) => {
      if (!s || s.child.exitCode !== null || s.child.signalCode !== null) return;
      s.child.kill('SIGTERM');
      const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
      await s.exited;
      clearTimeout(timer);
    }),
  );
}

/** A direct connection to the shared schema, to look at what the instances stored. */
export async function withSchema<T>(schema: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, options: `-c search_path="${schema}"` });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function count(c: pg.Client, sql: string, params: unknown[] = []): Promise<number> {
  const r = await c.query(`SELECT count(*)::int AS n FROM (${sql}) AS q`, params);
  return (r.rows[0] as { n: number }).n;
}

export function schemaOf(databaseUrl: string): string {
  const schema = new URL(databaseUrl).searchParams.get('schema');
  if (!schema) throw new Error(`${databaseUrl} names no schema`);
  return schema;
}
