/**
 * Booking when the world changed between the matcher's decision and the write, and receipts an
 * interrupted import left undecided. Service level on real databases: the matcher's index is held
 * stale on purpose, which over HTTP only happens in a narrow race.
 */
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SYSTEM_ACTOR, systemClock, type Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { computeCheckDigits } from '../../src/references/checkDigits.js';
import { sweepPendingReceipts } from '../../src/services/booking/sweep.js';
import { importOpenItems } from '../../src/services/items/createOpenItems.js';
import { parseOpenItemsCsv } from '../../src/services/items/csv.js';
import { createServices, type Services } from '../../src/services/registry.js';
import { importAndMatch } from '../../src/services/statements/importAndMatch.js';
import { importStatementFile } from '../../src/services/statements/importStatementFile.js';
import { MATCHING_LEASE_MS } from '../../src/services/statements/matchingLease.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';
import { camt } from '../support/camtBuilder.js';

const kz = (serial: number) => {
  const payload = '51' + String(serial).padStart(9, '0');
  return payload + computeCheckDigits('luhn', payload);
};
const HEADER = 'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref';

forEachBackend('booking races and undecided receipts', (backend) => {
  let database: TestDatabase;
  let db: Database;
  let ctx: Ctx;
  let services: Services;
  let seq = 100;

  beforeAll(async () => {
    database = freshDatabase(backend);
    db = await database.open();
    ctx = { db, config: loadConfig({ DATABASE_URL: database.url }), clock: systemClock, log: pino({ level: 'silent' }), actor: SYSTEM_ACTOR };
    // Enough items of one scheme for the matcher to learn its check digit.
    const rows = Array.from({ length: 30 }, (_, i) => `${kz(9000 + i)},10.00,EUR,2026-12-01,Person ${i},,fine,Verwarnung,F-${i}`);
    await importOpenItems({ ctx, input: { rows: parseOpenItemsCsv(`${HEADER}\n${rows.join('\n')}\n`), source: 'csv' } });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });
  beforeEach(() => {
    services = createServices(ctx.config);
  });

  async function item(serial: number, amount: string, name: string) {
    await importOpenItems({ ctx, input: { rows: parseOpenItemsCsv(`${HEADER}\n${kz(serial)},${amount},EUR,2026-12-01,${name},,fine,Verwarnung,X-${serial}\n`), source: 'csv' } });
    return db.prisma.openItem.findUniqueOrThrow({ where: { kassenzeichen: kz(serial) } });
  }

  /** The matcher keeps deciding on the index as it is now, whatever happens in the database. */
  async function freezeIndex() {
    const stale = await services.matching.index.current(db);
    services.matching.index.current = async () => stale;
  }

  function statement(entries: Parameters<typeof camt>[0]['entries']) {
    seq++;
    return camt({ id: `RACE-${seq}`, seq, date: '2026-11-20', entries });
  }

  it('books nothing on an item cancelled after the decision, and leaves the money fully accounted', async () => {
    const cancelled = await item(700001, '30.00', 'Ada Lovelace');
    await freezeIndex();
    await db.prisma.openItem.update({ where: { id: cancelled.id }, data: { cancelledAt: new Date(), cancelReason: 'test', status: 'cancelled', version: { increment: 1 } } });
    const r = await importAndMatch({ ctx, deps: { services }, input: { source: new TextEncoder().encode(statement([{ amount: '30.00', ref: 'CANCEL-RACE', name: 'Ada Lovelace', remittance: [kz(700001)] }])) } });
    expect(r.matching?.auto ?? 0).toBe(0);
    expect(await db.prisma.allocation.count({ where: { openItemId: cancelled.id } })).toBe(0);
    const tx = await db.prisma.bankTransaction.findFirstOrThrow({ where: { entryRef: 'CANCEL-RACE' } });
    expect(tx.matchState).not.toBe('auto');
    expect(tx.unappliedMinor).toBe(3000n);
    const after = await db.prisma.openItem.findUniqueOrThrow({ where: { id: cancelled.id } });
    expect(after.paidMinor).toBe(0n);
  });

  it('does not overpay an item someone else paid after the decision: the payment is decided again', async () => {
    const paid = await item(700002, '40.00', 'Grace Hopper');
    await freezeIndex();
    // Paid meanwhile (another instance booked a transfer).
    await db.prisma.openItem.update({ where: { id: paid.id }, data: { paidMinor: 4000n, status: 'paid', version: { increment: 1 } } });
    await importAndMatch({ ctx, deps: { services }, input: { source: new TextEncoder().encode(statement([{ amount: '40.00', ref: 'PAID-RACE', name: 'Grace Hopper', remittance: [kz(700002)] }])) } });
    const after = await db.prisma.openItem.findUniqueOrThrow({ where: { id: paid.id } });
    expect(after.paidMinor).toBe(4000n);
    expect(after.status).toBe('paid');
    expect(await db.prisma.allocation.count({ where: { openItemId: paid.id } })).toBe(0);
  });

  it('matches receipts an interrupted import left pending: by the sweep, and when the file comes again', async () => {
    await item(700003, '15.00', 'Alan Turing');
    await item(700004, '25.00', 'Emmy Noether');
    // Imported, but the process stopped before matching.
    const first = statement([{ amount: '15.00', ref: 'SWEEP-1', name: 'Alan Turing', remittance: [kz(700003)] }]);
    await importStatementFile({ ctx, input: { source: new TextEncoder().encode(first) } });
    expect((await db.prisma.bankTransaction.findFirstOrThrow({ where: { entryRef: 'SWEEP-1' } })).matchState).toBe('pending');
    const later = { ...ctx, clock: { now: () => new Date(Date.now() + 5 * 60_000) } };
    const swept = await sweepPendingReceipts({ ctx: later, deps: services.matching });
    expect(swept?.auto).toBe(1);
    expect((await db.prisma.bankTransaction.findFirstOrThrow({ where: { entryRef: 'SWEEP-1' } })).matchState).toBe('auto');

    const second = statement([{ amount: '25.00', ref: 'SWEEP-2', name: 'Emmy Noether', remittance: [kz(700004)] }]);
    await importStatementFile({ ctx, input: { source: new TextEncoder().encode(second) } });
    // Delivered again once the stopped run's lease on its receipts has run out (matchingLease.ts).
    const again = await importAndMatch({ ctx: later, deps: { services }, input: { source: new TextEncoder().encode(second) } });
    expect(again.replayed).toBe(true);
    expect((await db.prisma.bankTransaction.findFirstOrThrow({ where: { entryRef: 'SWEEP-2' } })).matchState).toBe('auto');
  });

  it('leaves the receipts of an import whose own run is matching to that run, and takes them once its lease has run out', async () => {
    await item(700005, '35.00', 'Lise Meitner');
    const file = statement([{ amount: '35.00', ref: 'LEASE-1', name: 'Lise Meitner', remittance: [kz(700005)] }]);
    // Committed; its own run holds the receipts from then on (the process stops before matching).
    const imported = await importStatementFile({ ctx, input: { source: new TextEncoder().encode(file) } });
    const held = await db.prisma.statementImport.findUniqueOrThrow({ where: { id: imported.importId } });
    expect(held.matchingUntil!.getTime()).toBeGreaterThanOrEqual(Date.now() + MATCHING_LEASE_MS - 60_000);
    // Two minutes later: past the sweep's grace, within the lease. Neither the sweep nor the same
    // file delivered again matches them a second time alongside the run.
    const twoMinutes = { ...ctx, clock: { now: () => new Date(Date.now() + 2 * 60_000) } };
    expect(await sweepPendingReceipts({ ctx: twoMinutes, deps: services.matching })).toBeNull();
    const replay = await importAndMatch({ ctx: twoMinutes, deps: { services }, input: { source: new TextEncoder().encode(file) } });
    expect(replay.replayed).toBe(true);
    expect((await db.prisma.bankTransaction.findFirstOrThrow({ where: { entryRef: 'LEASE-1' } })).matchState).toBe('pending');
    // The run never renewed its lease: once it has run out, the sweep decides the receipt.
    const afterLease = { ...ctx, clock: { now: () => new Date(Date.now() + MATCHING_LEASE_MS + 60_000) } };
    expect((await sweepPendingReceipts({ ctx: afterLease, deps: services.matching }))?.auto).toBe(1);
    expect((await db.prisma.bankTransaction.findFirstOrThrow({ where: { entryRef: 'LEASE-1' } })).matchState).toBe('auto');
  });

  it('an import matched to the end gives its lease back', async () => {
    await item(700006, '45.00', 'Mary Somerville');
    const file = statement([{ amount: '45.00', ref: 'LEASE-2', name: 'Mary Somerville', remittance: [kz(700006)] }]);
    const r = await importAndMatch({ ctx, deps: { services }, input: { source: new TextEncoder().encode(file) } });
    expect(r.matching?.auto).toBe(1);
    expect((await db.prisma.statementImport.findUniqueOrThrow({ where: { id: r.importId } })).matchingUntil).toBeNull();
  });
});
