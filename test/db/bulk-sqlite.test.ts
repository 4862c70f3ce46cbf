/**
 * On SQLite under Node, bulk writes go through prepared statements on the connection of Prisma's
 * transaction instead of one JSON parameter through Prisma (src/db/bulk.ts). Both paths must store
 * the same rows, take part in the caller's transaction (a rollback leaves nothing), and apply the
 * same optimistic checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { bulkInsert, bulkUpdate, type BulkUpdateSpec, type TableColumns } from '../../src/db/bulk.js';
import { freshDatabase, type TestDatabase } from '../support/backends.js';

const COLUMNS = {
  id: 'text', statementId: 'text', position: 'int', entryReference: 'text', accountServicerReference: 'text', dedupeKey: 'text', duplicateOfEntryId: 'text',
  amountMinor: 'bigint', currency: 'text', creditDebit: 'text', reversal: 'bool', status: 'text', bookingDate: 'text', valueDate: 'text', bankTransactionCode: 'text',
  proprietaryCode: 'text', gvc: 'text', additionalInfo: 'text', batchCount: 'int', batchTotalMinor: 'bigint',
} as const satisfies TableColumns;

function entry(id: string, position: number, statementId = 'st-1') {
  return {
    id, statementId, position, entryReference: null, accountServicerReference: `ASR "${id}" ü`, dedupeKey: `k-${id}`, duplicateOfEntryId: null,
    amountMinor: 9_007_199_254_740_993n, currency: 'EUR', creditDebit: 'CRDT', reversal: position % 2 === 0, status: 'BOOK', bookingDate: '2026-11-16', valueDate: null,
    bankTransactionCode: 'PMNT/RCDT/ESCT', proprietaryCode: null, gvc: '166', additionalInfo: 'line\nbreak', batchCount: 2, batchTotalMinor: -5n,
  };
}

describe('bulk writes on SQLite: prepared statements and the JSON path store the same', () => {
  let database: TestDatabase;
  let db: Database;
  // The same database without the registered connection: bulk.ts takes the JSON path through Prisma.
  let viaJson: Database;

  beforeAll(async () => {
    database = freshDatabase('sqlite');
    db = await database.open();
    viaJson = { ...db };
    const now = new Date('2026-11-16T10:00:00.000Z');
    await db.prisma.statementImport.create({ data: { id: 'imp-1', sha256: 'x', bytes: 0, status: 'completed', importedBy: 'test', createdAt: now } });
    for (const id of ['st-1', 'st-2']) {
      await db.prisma.statement.create({
        data: { id, importId: 'imp-1', kind: 'statement', version: '08', messageId: 'm', bankStatementId: id, fingerprint: id, currency: 'EUR', balances: '[]', balanceCheck: 'ok', entryCount: 0, position: 0, createdAt: now },
      });
    }
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  it('writes identical rows either way', async () => {
    await db.transaction((tx) => bulkInsert(tx, db, 'Entry', COLUMNS, [entry('a1', 0), entry('a2', 1)]));
    await viaJson.transaction((tx) => bulkInsert(tx, viaJson, 'Entry', COLUMNS, [entry('b1', 0, 'st-2'), entry('b2', 1, 'st-2')]));
    const rows = await db.prisma.entry.findMany({ orderBy: { id: 'asc' } });
    const strip = (r: (typeof rows)[number]) => ({ ...r, id: '', dedupeKey: '', statementId: '', accountServicerReference: r.accountServicerReference?.replace(/"[ab]/, '"') });
    expect(rows).toHaveLength(4);
    expect(strip(rows[0]!)).toEqual(strip(rows[2]!));
    expect(strip(rows[1]!)).toEqual(strip(rows[3]!));
    expect(rows[0]!.amountMinor).toBe(9_007_199_254_740_993n);
    const raw = await db.prisma.$queryRawUnsafe<Array<{ id: string; t: string; r: bigint }>>('SELECT "id", typeof("reversal") AS t, "reversal" AS r FROM "Entry" ORDER BY "id"');
    expect(raw.map((r) => [r.t, Number(r.r)])).toEqual([['integer', 1], ['integer', 0], ['integer', 1], ['integer', 0]]);
  });

  it('is part of the caller transaction: a rollback leaves nothing', async () => {
    await expect(
      db.transaction(async (tx) => {
        await bulkInsert(tx, db, 'Entry', COLUMNS, [entry('c1', 5)]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.prisma.entry.count({ where: { id: 'c1' } })).toBe(0);
  });

  it('updates only rows that still hold the expected values, and counts them', async () => {
    const spec: BulkUpdateSpec = { table: 'Entry', key: { id: 'text' }, set: { status: 'text' }, setExpressions: ['"position" = "Entry"."position" + 10'], expect: { position: 'int' } };
    const n = await db.transaction((tx) => bulkUpdate(tx, db, spec, [{ id: 'a1', status: 'PDNG', expected_position: 0 }, { id: 'a2', status: 'PDNG', expected_position: 7 }]));
    const m = await viaJson.transaction((tx) => bulkUpdate(tx, viaJson, spec, [{ id: 'b1', status: 'PDNG', expected_position: 0 }, { id: 'b2', status: 'PDNG', expected_position: 7 }]));
    expect([n, m]).toEqual([1, 1]);
    const rows = await db.prisma.entry.findMany({ orderBy: { id: 'asc' }, select: { status: true, position: true } });
    expect(rows).toEqual([{ status: 'PDNG', position: 10 }, { status: 'BOOK', position: 1 }, { status: 'PDNG', position: 10 }, { status: 'BOOK', position: 1 }]);
  });

  it('refuses to write outside a transaction', async () => {
    await expect(bulkInsert(db.prisma, db, 'Entry', COLUMNS, [entry('d1', 9)])).rejects.toThrow('outside a database transaction');
  });
});
