/**
 * An import that reads its whole file before it writes (src/services/statements/readAhead.ts, the
 * Node implementation in src/entry/readAheadFile.ts).
 *
 * - While the file is still being read, a write of someone else completes: the import has not
 *   taken the database's writer yet (on SQLite one writer serves the whole process; before, the
 *   import held it from its first line read to its commit). Forced with a file that stops halfway
 *   until the other write has completed; a hang (the old order) ends at a bound only a hang reaches.
 * - A file the reader refuses halfway leaves nothing and never held the writer.
 * - The same file gives the same import with and without reading ahead; sent again, it is answered
 *   from the first import; nothing of the read-ahead is left behind.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SYSTEM_ACTOR, systemClock, type Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { fileReadAhead } from '../../src/entry/readAheadFile.js';
import { importStatementFile } from '../../src/services/statements/importStatementFile.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';
import { camt } from '../support/camtBuilder.js';

/** A bound only a hang reaches (the import's transaction and the write waiting for each other). */
const HANG_MS = 20_000;

forEachBackend('an import reading its file before it writes', (backend) => {
  let database: TestDatabase;
  let db: Database;
  let ctx: Ctx;
  let spoolDir: string;
  let seq = 500;

  beforeAll(async () => {
    database = freshDatabase(backend);
    db = await database.open();
    ctx = { db, config: loadConfig({ DATABASE_URL: database.url }), clock: systemClock, log: pino({ level: 'silent' }), actor: SYSTEM_ACTOR };
    spoolDir = mkdtempSync(join(tmpdir(), 'stk-read-ahead-'));
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  const readAhead = () => fileReadAhead((id) => join(spoolDir, `${id}.${process.pid}.spool`));

  function statement(entries = 400) {
    seq++;
    return new TextEncoder().encode(
      camt({ id: `AHEAD-${seq}`, seq, entries: Array.from({ length: entries }, (_, i) => ({ amount: `${(i % 70) + 5}.${String(i % 100).padStart(2, '0')}`, name: `Zahlerin ${i}`, remittance: [`Gebuehr ${seq}-${i} und etwas Text`] })) }),
    );
  }

  /** The file in slices; after `stopAt` slices it waits until `go` is called. */
  function haltingSource(bytes: Uint8Array, stopAt: number, slices = 8) {
    let go!: () => void;
    const released = new Promise<void>((r) => (go = r));
    let halted!: () => void;
    const reached = new Promise<void>((r) => (halted = r));
    const size = Math.ceil(bytes.length / slices);
    async function* source() {
      for (let i = 0; i < slices; i++) {
        if (i === stopAt) {
          halted();
          await released;
        }
        yield bytes.subarray(i * size, (i + 1) * size);
      }
    }
    return { source: source(), reached, go };
  }

  /** Someone else's write: one audit row in a transaction of its own. */
  const otherWrite = (n: number) =>
    db.transaction((tx) => tx.auditEntry.create({ data: { id: `other-write-${backend}-${n}`, at: new Date(), actorType: 'system', actorId: 'test', action: 'test.write', subjectType: 'test', subjectId: String(n), data: '{}' } }));

  const bounded = <T,>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms: the write waited for the import`)), HANG_MS))]);

  it('lets another write complete while the file is still being read, then imports all of it', async () => {
    const bytes = statement();
    const file = haltingSource(bytes, 4);
    const importing = importStatementFile({ ctx, input: { source: file.source, readAhead: readAhead() } });
    await file.reached;
    // The import waits for the rest of its file; a write now must not wait for the import.
    await bounded(otherWrite(1));
    file.go();
    const result = await importing;
    expect(result.replayed).toBe(false);
    expect(result.entries.new).toBe(400);
    expect(await db.prisma.bankTransaction.count({ where: { entry: { statement: { bankStatementId: `AHEAD-${seq}` } } } })).toBe(400);
    expect(await db.prisma.auditEntry.count({ where: { action: 'test.write', subjectId: '1' } })).toBe(1);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('stores nothing of a file refused halfway, and another write during its reading completes', async () => {
    const good = statement();
    // Cut in the middle of an entry: malformed XML, refused when the reader gets there.
    const broken = good.subarray(0, Math.floor(good.length * 0.8));
    const file = haltingSource(broken, 3);
    const importing = importStatementFile({ ctx, input: { source: file.source, readAhead: readAhead() } });
    const refused = expect(importing).rejects.toMatchObject({ code: expect.stringMatching(/validation|unsupported_format/) });
    await file.reached;
    await bounded(otherWrite(2));
    file.go();
    await refused;
    expect(await db.prisma.statement.count({ where: { bankStatementId: `AHEAD-${seq}` } })).toBe(0);
    expect(await db.prisma.statementImport.count({ where: { status: 'running' } })).toBe(0);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('imports a file the same with and without reading ahead, and answers the same file again from the first import', async () => {
    const bytes = statement(1200);
    // Two empty databases: what an import reports depends on what was imported before it.
    const [one, two] = [freshDatabase(backend), freshDatabase(backend)];
    const [dbOne, dbTwo] = [await one.open(), await two.open()];
    try {
      const withAhead = await importStatementFile({ ctx: { ...ctx, db: dbOne }, input: { source: bytes, readAhead: readAhead() } });
      const without = await importStatementFile({ ctx: { ...ctx, db: dbTwo }, input: { source: bytes } });
      const comparable = (r: typeof withAhead) => ({ ...r, importId: undefined, statements: r.statements.map((s) => ({ ...s, id: undefined })) });
      expect(comparable(withAhead)).toEqual(comparable(without));
      const rows = (d: Database) =>
        d.prisma.bankTransaction.findMany({
          orderBy: [{ entryRef: 'asc' }, { position: 'asc' }],
          select: { entryRef: true, amountMinor: true, remittanceLines: true, debtorName: true, matchState: true, entry: { select: { dedupeKey: true, contentDigest: true, position: true } } },
        });
      expect(await rows(dbOne)).toEqual(await rows(dbTwo));
      expect(await rows(dbOne)).toHaveLength(1200);
      // The content digests computed while reading ahead are the ones computed while writing.
      const statements = (d: Database) => d.prisma.statement.findMany({ select: { bankStatementId: true, contentDigest: true, entryCount: true, closingBalanceMinor: true } });
      expect(await statements(dbOne)).toEqual(await statements(dbTwo));
      expect((await statements(dbOne))[0]!.contentDigest).toMatch(/^[0-9a-f]{64}\|/);
      const again = await importStatementFile({ ctx: { ...ctx, db: dbOne }, input: { source: bytes, readAhead: readAhead() } });
      expect(again.replayed).toBe(true);
      expect(again.importId).toBe(withAhead.importId);
      expect(await dbOne.prisma.statementImport.count()).toBe(1);
      expect(readdirSync(spoolDir)).toEqual([]);
    } finally {
      await dbOne.close();
      await dbTwo.close();
      await one.drop();
      await two.drop();
    }
  });
});
