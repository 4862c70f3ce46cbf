import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { systemClock } from '../../../src/context.js';
import type { Database } from '../../../src/db/database.js';
import { LOCKOUT, signIn } from '../../../src/services/users/login.js';
import type { PasswordIdentityProvider } from '../../../src/services/users/identityProvider.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../../support/backends.js';

forEachBackend('sign-in lock-out under parallel guessing', (backend) => {
  let database: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    database = freshDatabase(backend);
    db = await database.open();
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('checks at most the allowed number of passwords however many guesses arrive at once', async () => {
    let checked = 0;
    const slowWrong: PasswordIdentityProvider = {
      kind: 'password',
      name: 'spy',
      async verify() {
        checked++;
        await new Promise((r) => setTimeout(r, 50)); // as slow as a real password hash
        return null;
      },
    };
    const ctx = { db, config: loadConfig({ DATABASE_URL: database.url }), clock: systemClock, log: pino({ level: 'silent' }) };
    const results = await Promise.all(Array.from({ length: 12 }, () => signIn({ ctx, input: { username: 'kasse.mueller', password: 'guess' }, provider: slowWrong })));
    expect(checked).toBeLessThanOrEqual(LOCKOUT.failures);
    expect(results.filter((r) => r.outcome === 'locked').length).toBeGreaterThanOrEqual(12 - LOCKOUT.failures);
  });
});
