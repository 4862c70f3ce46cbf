/**
 * Re-matching after items change: incremental (only the waiting payments that could match the new
 * items are looked at) and coalesced (changes within the window are one run). Service level on real
 * databases, with a day's worth of payments waiting that quote nothing known.
 */
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SYSTEM_ACTOR, systemClock, type Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { computeCheckDigits } from '../../src/references/checkDigits.js';
import { Rematcher } from '../../src/services/booking/rematch.js';
import { itemKeys, receiptKeys } from '../../src/services/booking/waitingReceipts.js';
import { importOpenItems } from '../../src/services/items/createOpenItems.js';
import { parseOpenItemsCsv } from '../../src/services/items/csv.js';
import { createServices, type Services } from '../../src/services/registry.js';
import { importAndMatch } from '../../src/services/statements/importAndMatch.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';
import { camt } from '../support/camtBuilder.js';

const kz = (serial: number) => {
  const payload = '51' + String(serial).padStart(9, '0');
  return payload + computeCheckDigits('luhn', payload);
};
const HEADER = 'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref';
const WAITING = 1500;

it('gives a payment quoting a Kassenzeichen in any spelling the key the item looks it up by', () => {
  const item = itemKeys({ kassenzeichen: '5100.0052447.8', amountMinor: 3070n, paidMinor: 0n, debtorName: 'Anna Berg', debtorIban: null });
  for (const line of ['Gebuehr 5100.0052447.8', 'KZ 5100 0052447 8 Danke', 'Kassenzeichen:510000524478', 'RF 510000524478'.replace('RF ', '')]) {
    const keys = receiptKeys({ id: 'x', amountMinor: 100n, remittanceLines: JSON.stringify([line]), creditorReferences: '[]', endToEndId: null, debtorName: null, debtorIban: null, ultimateDebtorName: null });
    expect(keys.filter((k) => item.includes(k)), line).toContain('ref:510000524478');
  }
  // The payer's name with the amount, not the name alone.
  const byName = receiptKeys({ id: 'y', amountMinor: 3070n, remittanceLines: '["Gebuehr"]', creditorReferences: '[]', endToEndId: null, debtorName: 'BERG, ANNA', debtorIban: null, ultimateDebtorName: null });
  expect(byName.some((k) => item.includes(k))).toBe(true);
});

forEachBackend('re-matching waiting payments when items arrive', (backend) => {
  let database: TestDatabase;
  let db: Database;
  let ctx: Ctx;
  let services: Services;

  beforeAll(async () => {
    database = freshDatabase(backend);
    db = await database.open();
    ctx = { db, config: loadConfig({ DATABASE_URL: database.url }), clock: systemClock, log: pino({ level: 'silent' }), actor: SYSTEM_ACTOR };
    services = createServices(ctx.config);
    // Items of the scheme, so the matcher knows its references; none of them is paid below.
    const rows = Array.from({ length: 30 }, (_, i) => `${kz(9000 + i)},10.00,EUR,2026-12-01,Person ${i},,fine,Verwarnung,F-${i}`);
    await importOpenItems({ ctx, input: { rows: parseOpenItemsCsv(`${HEADER}\n${rows.join('\n')}\n`), source: 'csv' } });
    // A day of payments nobody can assign yet, and a few that quote claims not raised yet.
    const entries = [
      ...Array.from({ length: WAITING }, (_, i) => ({ amount: `${(i % 80) + 5}.00`, name: `Zahler ${i}`, remittance: [`Spende Nr ${i}`] })),
      ...Array.from({ length: 5 }, (_, i) => ({ amount: '41.10', name: `Frau Quote ${i}`, remittance: [`Gebuehr ${kz(500 + i)}`] })),
    ];
    const r = await importAndMatch({ ctx, deps: { services }, input: { source: new TextEncoder().encode(camt({ id: 'WAIT-1', date: '2026-11-20', entries })) } });
    expect(r.matching?.auto ?? 0).toBe(0);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('books the payment that quotes a new item, reading a bounded number of the waiting payments', async () => {
    const rematcher = new Rematcher(() => ctx, services.matching, 10);
    const created = [];
    for (let i = 0; i < 5; i++) {
      // One at a time, as five requests would raise them.
      const [row] = await importOpenItems({ ctx, input: { rows: parseOpenItemsCsv(`${HEADER}\n${kz(500 + i)},41.10,EUR,2026-12-31,Quote ${i},,fine,Gebühr,Q-${i}\n`), source: 'csv' } });
      created.push(row!);
    }
    // Five changes in a row: one run.
    const runs: Promise<void>[] = created.map((c) => rematcher.itemsChanged([c.id]));
    await Promise.all(runs);
    expect(rematcher.lastRun?.items).toBe(5);
    // Only the payments sharing a key with the five items came back to the matcher.
    expect(rematcher.lastRun!.receipts).toBeGreaterThanOrEqual(5);
    expect(rematcher.lastRun!.receipts).toBeLessThanOrEqual(25);
    expect(rematcher.lastRun!.summary?.auto).toBe(5);
    for (const c of created) {
      const item = await db.prisma.openItem.findUniqueOrThrow({ where: { id: c.id } });
      expect(item.status).toBe('paid');
      expect(await db.prisma.allocation.count({ where: { openItemId: c.id } })).toBe(1);
    }
    // Booked payments leave the lookup: the same items changed again find nothing to book.
    await rematcher.itemsChanged(created.map((c) => c.id));
    expect(rematcher.lastRun!.receipts).toBe(0);
    expect(await db.prisma.bankTransaction.count({ where: { matchState: { in: ['review', 'unmatched'] } } })).toBe(WAITING);
  });
});
