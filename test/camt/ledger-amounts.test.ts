/**
 * Every booked cent arrived: the money the matcher may distribute per entry is the money the entry
 * booked, never more. Through the real import, matcher and booking on both backends, with the
 * golden files of each phenomenon (fixtures/camt/camt053.v08.detail-exceeds-entry.xml,
 * camt053.v08.details-sum-differs.xml, camt054.v02.batch-instdamt.xml).
 */
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/cli/commands/reconcile.js';
import { loadConfig } from '../../src/config.js';
import { SYSTEM_ACTOR, systemClock, type Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { reasonTexts, type Reason } from '../../src/matching/reasons.js';
import { allocateManually } from '../../src/services/review/actions.js';
import { createServices } from '../../src/services/registry.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fixtureDir } from './helpers.js';

const HEADER = 'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref';
const dir = mkdtempSync(path.join(tmpdir(), 'stk-ledger-amounts-'));
/** Each reconcile run adds its own items to the one database (a Kassenzeichen is issued once). */
const itemsFile = (name: string, rows: string[]): string => {
  const p = path.join(dir, `${name}.csv`);
  writeFileSync(p, `${HEADER}\n${rows.join('\n')}\n`);
  return p;
};

forEachBackend('entry amounts bound what is booked', (backend) => {
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

  /** Per entry: Σ live allocations + Σ suspense + what is left unapplied = the entry amount (credits). */
  async function assertEntriesHold(statementBankId: string) {
    const entries = await db.prisma.entry.findMany({
      where: { statement: { bankStatementId: statementBankId }, creditDebit: 'CRDT', reversal: false, status: 'BOOK', duplicateOfEntryId: null },
      select: { amountMinor: true, transactions: { select: { amountMinor: true, unappliedMinor: true, allocations: { select: { amountMinor: true, reversal: { select: { id: true } } } }, suspense: { select: { amountMinor: true } } } } },
    });
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      const distributable = e.transactions.reduce((s, t) => s + t.amountMinor, 0n);
      expect(distributable).toBe(e.amountMinor);
      const allocated = e.transactions.reduce((s, t) => s + t.allocations.filter((a) => !a.reversal).reduce((x, a) => x + a.amountMinor, 0n), 0n);
      const suspense = e.transactions.reduce((s, t) => s + t.suspense.reduce((x, m) => x + m.amountMinor, 0n), 0n);
      const unapplied = e.transactions.reduce((s, t) => s + t.unappliedMinor, 0n);
      expect(allocated + suspense).toBeLessThanOrEqual(e.amountMinor);
      expect(allocated + unapplied).toBe(e.amountMinor);
    }
  }

  it('books nothing from an entry whose only detail claims more than the entry (0.75 vs 750.00, 0.01 vs 500.00)', async () => {
    const records = await reconcile(ctx, createServices(ctx.config), itemsFile('exceeds', ['510000524478,750.00,EUR,2026-12-01,Jörg Müller,,fee,Gewerbesteuer,A-1', '520000000012,500.00,EUR,2026-12-01,Anna Schmidt,,fee,Gebühr,A-2']), [path.join(fixtureDir, 'camt053.v08.detail-exceeds-entry.xml')]);
    expect(records.map((r) => [r.entryRef, r.amount, r.status])).toEqual([
      ['EXC-1', '0.75', 'review'],
      ['EXC-2', '0.01', 'review'],
    ]);
    expect(records.every((r) => r.allocations.length === 0)).toBe(true);
    expect(records[0]!.reasons[0]).toBe(
      'the bank booked 0.75 EUR for this entry, its transaction detail says 750.00 EUR: nothing is booked automatically; book the entry amount by hand',
    );
    const proposal = await db.prisma.matchProposal.findFirstOrThrow({ where: { transaction: { entryRef: 'EXC-1' } } });
    expect(reasonTexts(JSON.parse(proposal.reasons) as Reason[], 'de')[0]).toMatch(/0,75\s€ gebucht, sein Einzelumsatz nennt 750,00\s€/);
    expect(await db.prisma.allocation.count({ where: { transaction: { entryRef: { in: ['EXC-1', 'EXC-2'] } } } })).toBe(0);
    await assertEntriesHold('STMT-EXCEEDS-1');
  });

  it('books nothing from two details of 400.00 under an entry of 1.00; a person can book the entry amount', async () => {
    const records = await reconcile(ctx, createServices(ctx.config), itemsFile('sum', ['520000000020,400.00,EUR,2026-12-01,Anna Schmidt,,fee,Gebühr,A-3']), [path.join(fixtureDir, 'camt053.v08.details-sum-differs.xml')]);
    expect(records.map((r) => [r.txIndex, r.amount, r.status])).toEqual([
      [0, '1.00', 'review'],
      [1, '0.00', 'review'],
    ]);
    expect(records[0]!.reasons[0]).toContain('its 2 transaction details add up to 800.00 EUR');
    await assertEntriesHold('STMT-SUM-1');

    const first = await db.prisma.bankTransaction.findFirstOrThrow({ where: { entryRef: 'SUM-1', position: 0 } });
    await allocateManually({ ctx, input: { transactionId: first.id, allocations: [{ kassenzeichen: '520000000020', amount: '1.00' }], note: 'entry amount as booked by the bank' } });
    const second = await db.prisma.bankTransaction.findFirstOrThrow({ where: { entryRef: 'SUM-1', position: 1 } });
    await expect(allocateManually({ ctx, input: { transactionId: second.id, allocations: [{ kassenzeichen: '520000000020', amount: '1.00' }], note: 'more than arrived' } })).rejects.toThrow();
    expect((await db.prisma.openItem.findUniqueOrThrow({ where: { kassenzeichen: '520000000020' } })).paidMinor).toBe(100n);
    await assertEntriesHold('STMT-SUM-1');
  });

  it('gives each camt.054 .001.02 batch detail its own AmtDtls/InstdAmt, not the entry total', async () => {
    const records = await reconcile(ctx, createServices(ctx.config), itemsFile('batch', ['530000000010,100.00,EUR,2026-12-01,Zahler 1,,fee,Rechnung,A-4']), [path.join(fixtureDir, 'camt054.v02.batch-instdamt.xml')]);
    expect(records).toHaveLength(10);
    expect(records.every((r) => r.amount === '100.00')).toBe(true);
    const rows = await db.prisma.bankTransaction.findMany({ where: { entryRef: 'BATCH-INSTD-1' }, select: { amountMinor: true } });
    expect(rows.reduce((s, r) => s + r.amountMinor, 0n)).toBe(100000n);
    const suspense = await db.prisma.suspenseMovement.findMany({ where: { transaction: { entryRef: 'BATCH-INSTD-1' } }, select: { amountMinor: true } });
    expect(suspense.reduce((s, m) => s + m.amountMinor, 0n)).toBeLessThanOrEqual(100000n);
  });
});

describe('the matcher on the camt model', () => {
  it('never decides auto for a transaction of a disagreeing entry, whatever fits', async () => {
    const { matchTransaction } = await import('../../src/matching/engine.js');
    const { buildItemIndex: buildIndex } = await import('../../src/matching/index.js');
    const { fromCamt } = await import('../../src/matching/adapt.js');
    const { parseCamt } = await import('../../src/camt/read.js');
    const { readFileSync } = await import('node:fs');
    const [m] = await parseCamt(readFileSync(path.join(fixtureDir, 'camt053.v08.detail-exceeds-entry.xml')));
    const e = m!.statements[0]!.entries[0]!;
    const tx = fromCamt(e, e.transactions[0], 'EXC-1#0');
    expect(tx.amountMinor).toBe(75n);
    const index = buildIndex([{ id: 'i1', kassenzeichen: '510000524478', openMinor: 75n, amountMinor: 75n, currency: 'EUR', debtorName: 'Jörg Müller', category: 'fee', dueDate: '2026-12-01', status: 'open' }]);
    const d = matchTransaction(tx, index);
    expect(d.status).toBe('review');
    expect(d.allocations).toEqual([]);
  });
});
