/**
 * A real Stadtkasse service for HTTP tests: the same startService() as `npm start`, on a fresh
 * database of the chosen backend, listening on a free port. Requests go over real TCP.
 */
import pino from 'pino';
import type { Clock } from '../../src/context.js';
import { startService, type RunningService } from '../../src/entry/node.js';
import { freshDatabase, type BackendName, type TestDatabase } from './backends.js';

export const TEST_ADMIN_KEY = 'sk_testadmin_0123456789abcdefghijklmnopqrstuv';

export interface TestServer extends RunningService {
  database: TestDatabase;
  /** fetch against the server with the admin key unless `key` is given (null: no key). */
  api(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestServer(backend: BackendName, opts: { env?: Record<string, string>; clock?: Clock } = {}): Promise<TestServer> {
  const database = freshDatabase(backend);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const service = await startService({
    env: { PORT: '0', DATABASE_URL: database.url, STADTKASSE_ADMIN_KEY: TEST_ADMIN_KEY, OUTBOX_WORKER: 'false', ...opts.env },
    logger,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const api: TestServer['api'] = (path, init = {}) => {
    const { key = TEST_ADMIN_KEY, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key) headers.set('authorization', `Bearer ${key}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(service.url + path, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  };
  return {
    ...service,
    database,
    api,
    async close() {
      await service.stop();
      await database.drop();
    },
  };
}

/** Creates an API client with the given scopes through the API and returns its key. */
export async function createClientKey(server: TestServer, scopes: string[], name = 'test client'): Promise<string> {
  const res = await server.api('/v1/clients', { method: 'POST', json: { name, scopes } });
  if (res.status !== 201) throw new Error(`creating client failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { apiKey: string }).apiKey;
}
