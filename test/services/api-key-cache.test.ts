/**
 * Valid API keys are remembered for API_KEY_CACHE_MS: a revocation through this process counts at
 * once, one made elsewhere (another instance on the same database) within that time.
 */
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SYSTEM_ACTOR, systemClock, type Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { UnauthenticatedError } from '../../src/errors.js';
import { API_KEY_CACHE_MS, authenticateApiKey, createApiClient, revokeApiClient } from '../../src/services/clients/apiKeys.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';

forEachBackend('API keys remembered for a moment', (backend) => {
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

  it('refuses a key revoked through this process at once', async () => {
    const { id, apiKey } = await createApiClient({ ctx, input: { name: 'Bibliothek', scopes: ['items:read'] } });
    expect((await authenticateApiKey(db, apiKey)).id).toBe(id);
    await revokeApiClient({ ctx, input: { id, reason: 'leaked' } });
    await expect(authenticateApiKey(db, apiKey)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('refuses a key revoked elsewhere once the remembered answer is older than API_KEY_CACHE_MS', async () => {
    const { id, apiKey } = await createApiClient({ ctx, input: { name: 'Bußgeldstelle', scopes: ['items:write'] } });
    const t0 = Date.now();
    expect((await authenticateApiKey(db, apiKey, t0)).scopes.has('items:write')).toBe(true);
    // What another instance's revocation leaves behind: the row, changed under this process.
    await db.prisma.apiClient.update({ where: { id }, data: { revokedAt: new Date() } });
    expect((await authenticateApiKey(db, apiKey, t0 + API_KEY_CACHE_MS - 1)).id).toBe(id);
    await expect(authenticateApiKey(db, apiKey, t0 + API_KEY_CACHE_MS)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('never remembers a wrong key: the right secret of a known prefix is still checked every time', async () => {
    const { apiKey } = await createApiClient({ ctx, input: { name: 'Standesamt', scopes: ['items:read'] } });
    await authenticateApiKey(db, apiKey);
    const forged = apiKey.slice(0, -4) + (apiKey.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await expect(authenticateApiKey(db, forged)).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});
