/**
 * The long-lived parts of paying online in one process: the provider client (with its token
 * cache and TLS agent), the built-in test mode provider when no real one is configured, and the
 * poller that re-checks unfinished online payments.
 */
import { SYSTEM_ACTOR, systemClock, type Clock } from '../../context.js';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { Logger } from '../../logger.js';
import { createTestProviderApp, type TestProviderApp } from '../../http/online/testProvider.js';
import { createXbdClient, type XbdClient } from './client.js';
import { pollOnlinePayments } from './onlinePayments.js';
import { DatabaseTestProviderStore } from './testProvider.js';

export interface OnlineServices {
  client: XbdClient | null;
  /** The built-in test mode provider (mounted under /testprovider), when no real one is configured. */
  testProvider?: TestProviderApp;
  poller?: OnlinePoller;
}

export interface OnlinePoller {
  start(): void;
  stop(): Promise<void>;
  runOnce(): Promise<{ checked: number; changed: number; unreachable: boolean }>;
}

export function createOnlineServices(config: Pick<Config, 'online' | 'publicBaseUrl'> & Partial<Config>, deps?: { db: Database; clock: Clock; logger: Logger }): OnlineServices {
  const provider = config.online.provider;
  if (!provider) return { client: null };
  const clock = deps?.clock ?? systemClock;
  let testProvider: TestProviderApp | undefined;
  let doFetch: typeof fetch | undefined;
  if (provider.testMode) {
    // With a database its transactions live there, so every instance and every Workers invocation
    // (each request is one) sees the transaction the citizen is paying; without one, in memory.
    testProvider = createTestProviderApp({
      publicUrl: provider.baseUrl,
      basePath: '/testprovider',
      clock,
      auth: { type: 'none' },
      ...(deps ? { store: new DatabaseTestProviderStore(deps.db) } : {}),
    });
    const tp = testProvider;
    // In-process: the API calls need no network; the payment page is reached by the browser.
    doFetch = ((input: string | URL | Request, init?: RequestInit) => Promise.resolve(tp.app.fetch(new Request(input, init)))) as typeof fetch;
  }
  const client = createXbdClient({ provider, clock, ...(doFetch ? { fetch: doFetch } : {}) });
  const out: OnlineServices = { client, ...(testProvider ? { testProvider } : {}) };
  if (deps && config.online.pollSeconds > 0 && 'databaseUrl' in config) {
    out.poller = createPoller(config as Config, deps, out, config.online.pollSeconds * 1000);
  }
  return out;
}

function createPoller(config: Config, deps: { db: Database; clock: Clock; logger: Logger }, online: OnlineServices, everyMs: number): OnlinePoller {
  const log = deps.logger.child({ component: 'online-poller' });
  const ctx = { db: deps.db, config, clock: deps.clock, log, actor: SYSTEM_ACTOR };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const runOnce = () => pollOnlinePayments({ ctx, deps: online });
  const tick = () => {
    running = runOnce()
      .then((r) => {
        if (r.changed > 0 || r.unreachable) log.info(r, 'online payments re-checked');
      })
      .catch((err) => log.error({ err }, 're-checking online payments failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, everyMs);
      });
  };
  return {
    start() {
      stopped = false;
      timer = setTimeout(tick, everyMs);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    runOnce,
  };
}
