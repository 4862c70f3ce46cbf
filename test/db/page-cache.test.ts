/**
 * The page cache of the connection an import writes on is set per thread: 16 MiB by default (API
 * thread, command line), less where the server's import thread asks for it (importWorker.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { sqliteReadInTransaction } from '../../src/db/bulk.js';
import { openDatabase } from '../../src/db/node.js';
import { freshDatabase, type TestDatabase } from '../support/backends.js';

const opened: Array<{ db: Database; location: TestDatabase }> = [];
afterEach(async () => {
  for (const { db, location } of opened.splice(0)) {
    await db.close();
    await location.drop();
  }
});

async function writerCacheKiB(writeCacheKiB?: number): Promise<number> {
  const location = freshDatabase('sqlite');
  const db = await openDatabase(location.url, writeCacheKiB === undefined ? {} : { writeCacheKiB });
  opened.push({ db, location });
  const rows = await db.transaction(async (tx) => sqliteReadInTransaction(tx, db, 'PRAGMA cache_size', []));
  // Negative: KiB (positive would be pages).
  return -Number(rows![0]!.cache_size);
}

describe('the writing connection’s page cache', () => {
  it('is 16 MiB unless the opener says otherwise', async () => {
    expect(await writerCacheKiB()).toBe(16 * 1024);
  });

  it('takes the size the opener asks for', async () => {
    expect(await writerCacheKiB(4 * 1024)).toBe(4 * 1024);
  });
});
