/**
 * A revocation through this process counts at once also for a request that was checking the same
 * key at that moment: it read the client before the revocation and must not remember it after.
 */
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SYSTEM_ACTOR, systemClock, type Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { UnauthenticatedError } from '../../src/errors.js';
import { authenticateApiKey, createApiClient, revokeApiClient } from '../../src/services/clients/apiKeys.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';

/**
 * The real database, whose client lookup answers only once `gate` opens: the order a slow request
 * and a revocation can take on a busy server, made certain.
 */
function withHeldLookup(db: Database, gate: Promise<void>): Database {
  const apiClient = new Proxy(db.prisma.apiClient, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (prop !== 'findUnique' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
      return async (...args: unknown[]) => {
        const found = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        await gate;
        return found;
      };
    },
  });
  const prisma = new Proxy(db.prisma, { get: (t, p) => (p === 'apiClient' ? apiClient : ((v) => (typeof v === 'function' ? v.bind(t) : v))(Reflect.get(t, p, t))) });
  return new Proxy(db, { get: (t, p) => (p === 'prisma' ? prisma : ((v) => (typeof v === 'function' ? v.bind(t) : v))(Reflect.get(t, p, t))) });
}

forEachBackend('API key revoked while a request checks it', (backend) => {
  let database: TestDatabase;
  let db: Database;
  let ctx: Ctx;

  beforeAll(async () => {
    database = freshDatabase(backend);
    db = await database.open();
    ctx = { db, config: loadConfig({ DATABASE_URL: database.url }), clock: systemClock, log: pino({ level: 'silent' }), actor: SYSTEM_ACTOR };
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('a key revoked while a request was looking it up is refused on the next request', async () => {
    const { id, apiKey } = await createApiClient({ ctx, input: { name: 'Kfz-Zulassung', scopes: ['items:write'] } });
    let open!: () => void;
    const held = withHeldLookup(db, new Promise<void>((r) => (open = r)));
    const inFlight = authenticateApiKey(held, apiKey);
    // The lookup has read the client (still valid) and waits; the revocation goes through meanwhile.
    await new Promise((r) => setTimeout(r, 200));
    await revokeApiClient({ ctx: { ...ctx, db: held }, input: { id, reason: 'leaked' } });
    open();
    await inFlight.catch(() => undefined);
    await expect(authenticateApiKey(held, apiKey)).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});
