/**
 * Migration 0016: a reversed debit of ours (a credit with the reversal indicator the matcher could
 * not place) stored before the matcher held such money in suspense sits in return_open with its
 * money in neither place — unapplied 0, no suspense movement — so a clerk gets "nothing left" and
 * its entry fails the ledger equality. The database is built as the version before left it (the
 * migrations up to 0015, the rows written in SQL as that version wrote them); opening it applies
 * 0016. The old receipts then hold their amount in suspense exactly as the matcher books it now,
 * with an audit entry naming the migration; the ledger check passes; a clerk can park one and book
 * the other to an item; receipts of every other shape are as they were; a second run does nothing.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { systemClock, type Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { runMigrations } from '../../src/db/migrate.js';
import { loadMigrations, parseDatabaseUrl, pgDriver, sqliteDriver } from '../../src/db/node.js';
import { computeCheckDigits } from '../../src/references/checkDigits.js';
import { assertLedger } from '../../src/services/booking/writer.js';
import { importOpenItems } from '../../src/services/items/createOpenItems.js';
import { parseOpenItemsCsv } from '../../src/services/items/csv.js';
import { allocateManually, parkPayment } from '../../src/services/review/actions.js';
import { forEachBackend, freshDatabase, type BackendName, type TestDatabase } from '../support/backends.js';

const MIGRATION = '0016_reversal_credits_in_suspense';
const MATCHER_NOTE = 'a reversed debit: no receipt is taken back; a person decides';

/** Runs SQL on the database without Prisma: the schema is the one of an earlier version. */
async function rawExec(db: TestDatabase, sql: string): Promise<void> {
  const target = parseDatabaseUrl(db.url);
  if (target.backend === 'sqlite') {
    const raw = new BetterSqlite3(target.location);
    try {
      raw.exec(sql);
    } finally {
      raw.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: target.location });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${target.schema}"`);
    await client.query(`SET search_path TO "${target.schema}"`);
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The database as the version before 0016 left it: its migrations applied by the real drivers. */
async function migrateBefore(db: TestDatabase, id: string): Promise<void> {
  const target = parseDatabaseUrl(db.url);
  const migrations = loadMigrations(target.backend).filter((m) => m.id < id);
  if (target.backend === 'sqlite') {
    const raw = new BetterSqlite3(target.location);
    try {
      await runMigrations(sqliteDriver(raw), migrations);
    } finally {
      raw.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: target.location });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${target.schema}"`);
    await client.query(`SET search_path TO "${target.schema}"`);
    await runMigrations(pgDriver(client), migrations);
  } finally {
    await client.end();
  }
}

/**
 * One statement as the version before stored it (opening 1,000.00 + booked entries = closing):
 * A1, A2 reversed debits of ours in the old shape; B one the new matcher booked (in suspense
 * already); C a return debit not placed (return_open, a debit: not incoming money); D an unmatched
 * payment waiting in suspense.
 */
function oldDatabaseSql(backend: BackendName): string {
  const at = (iso: string) => (backend === 'sqlite' ? `'${iso}.000+00:00'` : `'${iso.replace('T', ' ')}'`);
  const yes = backend === 'sqlite' ? '1' : 'true';
  const no = backend === 'sqlite' ? '0' : 'false';
  const t0 = at('2026-11-02T09:00:00');
  const entry = (n: number, amount: number, cd: string, reversal: string) =>
    `('E${n}', 'S1', ${n}, 'AS-${n}', 'dedupe-${n}', ${amount}, 'EUR', '${cd}', ${reversal}, 'BOOK', '2026-11-02')`;
  const tx = (id: string, n: number, amount: number, cd: string, state: string, unapplied: number, version: number) =>
    `('${id}', 'E${n}', 1, 'AS-${n}', ${amount}, 'EUR', '${cd}', '["Rueckbuchung"]', '${state}', ${unapplied}, ${t0}, ${version})`;
  return `
INSERT INTO "StatementImport" ("id", "sha256", "bytes", "status", "importedBy", "createdAt") VALUES ('I1', 'sha-I1', 100, 'completed', 'client:bank', ${t0});
INSERT INTO "Statement" ("id", "importId", "kind", "version", "messageId", "bankStatementId", "fingerprint", "currency",
  "openingBalanceMinor", "closingBalanceMinor", "balances", "balanceCheck", "entryCount", "position", "createdAt")
VALUES ('S1', 'I1', 'camt.053', '08', 'MSG-1', 'STMT-1', 'fp-S1', 'EUR', 100000, ${100000 + 4250 + 1990 + 1200 - 3000 + 700}, '[]', 'ok', 5, 1, ${t0});
INSERT INTO "Entry" ("id", "statementId", "position", "accountServicerReference", "dedupeKey", "amountMinor", "currency", "creditDebit", "reversal", "status", "bookingDate") VALUES
  ${entry(1, 4250, 'CRDT', yes)}, ${entry(2, 1990, 'CRDT', yes)}, ${entry(3, 1200, 'CRDT', yes)}, ${entry(4, 3000, 'DBIT', no)}, ${entry(5, 700, 'CRDT', no)};
INSERT INTO "BankTransaction" ("id", "entryId", "position", "entryRef", "amountMinor", "currency", "creditDebit", "remittanceLines", "matchState", "unappliedMinor", "createdAt", "version") VALUES
  ${tx('A1', 1, 4250, 'CRDT', 'return_open', 0, 1)}, ${tx('A2', 2, 1990, 'CRDT', 'return_open', 0, 1)},
  ${tx('B', 3, 1200, 'CRDT', 'return_open', 1200, 1)}, ${tx('C', 4, 3000, 'DBIT', 'return_open', 0, 1)},
  ${tx('D', 5, 700, 'CRDT', 'unmatched', 700, 1)};
INSERT INTO "MatchProposal" ("id", "transactionId", "decision", "confidenceBp", "reasons", "suggestions", "engineVersion", "createdAt") VALUES
  ('P-A1', 'A1', 'return', 0, '[]', '[]', 'old', ${t0}), ('P-A2', 'A2', 'return', 0, '[]', '[]', 'old', ${t0}),
  ('P-B', 'B', 'return', 0, '[]', '[]', 'old', ${t0}), ('P-C', 'C', 'return', 0, '[]', '[]', 'old', ${t0}), ('P-D', 'D', 'unmatched', 0, '[]', '[]', 'old', ${t0});
INSERT INTO "SuspenseMovement" ("id", "transactionId", "amountMinor", "currency", "reason", "note", "createdBy", "createdAt") VALUES
  ('M-B', 'B', 1200, 'EUR', 'reversal_credit', '${MATCHER_NOTE}', 'client:bank', ${t0}),
  ('M-D', 'D', 700, 'EUR', 'unassigned', NULL, 'client:bank', ${t0});
`;
}

const kz = (serial: number) => {
  const payload = '52' + String(serial).padStart(9, '0');
  return payload + computeCheckDigits('luhn', payload);
};

forEachBackend('migration 0016: reversed debits of ours stored before are held in suspense', (backend) => {
  let database: TestDatabase;
  let db: Database;
  let ctx: Ctx;

  const receipt = (id: string) => db.prisma.bankTransaction.findUniqueOrThrow({ where: { id }, select: { matchState: true, amountMinor: true, unappliedMinor: true, version: true } });
  const movements = (transactionId: string) =>
    db.prisma.suspenseMovement.findMany({ where: { transactionId }, orderBy: [{ createdAt: 'asc' }, { amountMinor: 'desc' }], select: { id: true, amountMinor: true, currency: true, reason: true, note: true, createdBy: true, createdAt: true } });
  const migrationAudit = () =>
    db.prisma.auditEntry.findMany({ where: { action: 'payment.held_in_suspense' }, orderBy: { subjectId: 'asc' } });

  beforeAll(async () => {
    database = freshDatabase(backend);
    await migrateBefore(database, '0016');
    await rawExec(database, oldDatabaseSql(backend));
    db = await database.open();
    ctx = { db, config: loadConfig({ DATABASE_URL: database.url }), clock: systemClock, log: pino({ level: 'silent' }), actor: { type: 'user', id: 'clerk-a', name: 'clerk-a', scopes: new Set(['review']) } };
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('holds each old receipt’s amount in suspense as the matcher books it now, and says so in the audit log', async () => {
    const started = Date.now();
    for (const [id, amount] of [['A1', 4250n], ['A2', 1990n]] as const) {
      expect(await receipt(id)).toEqual({ matchState: 'return_open', amountMinor: amount, unappliedMinor: amount, version: 2 });
      const [m, ...more] = await movements(id);
      expect(more).toEqual([]);
      expect(m).toMatchObject({ amountMinor: amount, currency: 'EUR', reason: 'reversal_credit', note: MATCHER_NOTE, createdBy: 'system:migration' });
      // Dated when the migration wrote it, read back as the instant it is on either backend.
      expect(Math.abs(m!.createdAt.getTime() - started)).toBeLessThan(10 * 60_000);
    }
    const audit = await migrationAudit();
    expect(audit.map((a) => [a.subjectType, a.subjectId, a.actorType, a.actorId, a.requestId])).toEqual([
      ['bank_transaction', 'A1', 'system', 'migration', null],
      ['bank_transaction', 'A2', 'system', 'migration', null],
    ]);
    const [m1] = await movements('A1');
    expect(JSON.parse(audit[0]!.data)).toEqual({ amount: '42.50', suspenseMovementId: m1!.id, reason: 'reversal_credit', migration: MIGRATION });
    expect(JSON.parse(audit[1]!.data)).toMatchObject({ amount: '19.90' });
    expect(audit[0]!.reason).toMatch(/^migration 0016: /);
  });

  it('leaves receipts of every other shape as they were', async () => {
    expect(await receipt('B')).toEqual({ matchState: 'return_open', amountMinor: 1200n, unappliedMinor: 1200n, version: 1 });
    expect((await movements('B')).map((m) => [m.id, m.amountMinor, m.createdBy])).toEqual([['M-B', 1200n, 'client:bank']]);
    expect(await receipt('C')).toEqual({ matchState: 'return_open', amountMinor: 3000n, unappliedMinor: 0n, version: 1 });
    expect(await movements('C')).toEqual([]);
    expect(await receipt('D')).toEqual({ matchState: 'unmatched', amountMinor: 700n, unappliedMinor: 700n, version: 1 });
    expect((await movements('D')).map((m) => [m.id, m.amountMinor, m.reason])).toEqual([['M-D', 700n, 'unassigned']]);
  });

  it('passes the ledger check of every receipt and entry of the statement', async () => {
    await db.transaction((tx) => assertLedger(tx, ctx, ['A1', 'A2', 'B', 'C', 'D']));
  });

  it('changes nothing when run again', async () => {
    const sql = loadMigrations(backend).find((m) => m.id === MIGRATION)!.sql;
    const count = async () => [await db.prisma.suspenseMovement.count(), await db.prisma.auditEntry.count(), (await receipt('A1')).version];
    const before = await count();
    await rawExec(database, sql);
    expect(await count()).toEqual(before);
  });

  it('a clerk can park one and book the other to an item', async () => {
    const parked = await parkPayment({ ctx, input: { transactionId: 'A1', note: 'Rueckfrage beim Zahlungsempfaenger', version: 2 } });
    expect(parked).toMatchObject({ state: 'parked' });
    expect(await receipt('A1')).toMatchObject({ matchState: 'parked', unappliedMinor: 4250n });

    const HEADER = 'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref';
    const [item] = await importOpenItems({ ctx, input: { rows: parseOpenItemsCsv(`${HEADER}\n${kz(160)},19.90,EUR,2026-12-01,Erika Erste,,fee,Gebuehr,M16-1\n`), source: 'csv' } });
    const booked = await allocateManually({ ctx, input: { transactionId: 'A2', allocations: [{ itemId: item!.id, amount: '19.90' }], note: 'Erstattung kam zurueck; Forderung damit beglichen' } });
    expect(booked).toMatchObject({ outcome: 'booked', state: 'manual' });
    expect((await movements('A2')).map((m) => [m.amountMinor, m.reason])).toEqual([[1990n, 'reversal_credit'], [-1990n, 'allocated']]);
    expect(await db.prisma.openItem.findUniqueOrThrow({ where: { id: item!.id }, select: { paidMinor: true } })).toEqual({ paidMinor: 1990n });
    await db.transaction((tx) => assertLedger(tx, ctx, ['A1', 'A2', 'B', 'C', 'D']));
  });
});
