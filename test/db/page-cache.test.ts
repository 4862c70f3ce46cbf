/**
 * The page cache of a database's two SQLite connections (reads, transactions) is set per opener:
 * 16 MiB each by default (API thread, command line), less where the server's import thread asks for
 * it (importWorker.ts).
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

/** The cache sizes in KiB of the connection reads go to and of the one transactions write on. */
async function cachesKiB(cacheKiB?: number): Promise<{ reads: number; transactions: number }> {
  const location = freshDatabase('sqlite');
  const db = await openDatabase(location.url, cacheKiB === undefined ? {} : { cacheKiB });
  opened.push({ db, location });
  const inTransaction = await db.transaction(async (tx) => sqliteReadInTransaction(tx, db, 'PRAGMA cache_size', []));
  const outside = await db.prisma.$queryRawUnsafe<Array<{ cache_size: bigint | number }>>('PRAGMA cache_size');
  // Negative: KiB (positive would be pages).
  return { reads: -Number(outside[0]!.cache_size), transactions: -Number(inTransaction![0]!.cache_size) };
}

describe('the page cache of the SQLite connections', () => {
  it('is 16 MiB each unless the opener says otherwise', async () => {
    expect(await cachesKiB()).toEqual({ reads: 16 * 1024, transactions: 16 * 1024 });
  });

  it('takes the size the opener asks for, on both', async () => {
    expect(await cachesKiB(4 * 1024)).toEqual({ reads: 4 * 1024, transactions: 4 * 1024 });
  });
});
