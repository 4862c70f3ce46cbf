/**
 * Matching an import reads its receipts by id (or by entry), 500 at a time. When such a query also
 * names a state (`matchState = 'pending'`), SQLite has no statistics to tell it that 500 ids are
 * fewer than the receipts in that state, and takes the state index: every window then walks every
 * pending (or waiting) receipt of the database. Quadratic: a statement of 10^6 entries had not
 * finished matching after an hour, with 800,000 receipts waiting.
 *
 * Every query the import, its matching and the look-up of waiting payments for new items send is
 * recorded as it is prepared and its plan asked of SQLite: none that selects receipts by id or by
 * entry may go through the state index. Deterministic, whatever the machine's speed.
 */
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SYSTEM_ACTOR, systemClock, type Ctx } from '../../src/context.js';
import { openDatabase } from '../../src/db/node.js';
import { waitingReceiptsForItems } from '../../src/services/booking/waitingReceipts.js';
import { importOpenItems } from '../../src/services/items/createOpenItems.js';
import { parseOpenItemsCsv } from '../../src/services/items/csv.js';
import { createServices } from '../../src/services/registry.js';
import { importAndMatch } from '../../src/services/statements/importAndMatch.js';
import { camt } from '../support/camtBuilder.js';

const dir = mkdtempSync(join(tmpdir(), 'stk-state-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('no query that reads receipts by id or entry walks the state index (SQLite)', async () => {
  const prepared = new Set<string>();
  const original = BetterSqlite3.prototype.prepare;
  const spy = vi.spyOn(BetterSqlite3.prototype, 'prepare').mockImplementation(function (this: BetterSqlite3.Database, sql: string) {
    prepared.add(sql);
    return original.call(this, sql);
  });
  const file = join(dir, 'stadtkasse.db');
  const db = await openDatabase(`file:${file}`);
  try {
    const config = loadConfig({ DATABASE_URL: `file:${file}` });
    const ctx: Ctx = { db, config, clock: systemClock, log: pino({ level: 'silent' }), actor: SYSTEM_ACTOR };
    const services = createServices(config);
    const entries = Array.from({ length: 40 }, (_, i) => ({ ref: `SI-${i}`, amount: `${10 + i}.00`, name: `Zahler ${i}`, remittance: [`Zahlung ${i}`], ...(i % 7 === 0 ? { credit: false } : {}) }));
    await importAndMatch({ ctx, deps: { services }, input: { source: new TextEncoder().encode(camt({ id: 'SI-1', entries })) } });
    const HEADER = 'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref';
    const created = await importOpenItems({ ctx, input: { rows: parseOpenItemsCsv(`${HEADER}\n,12.00,EUR,2026-12-01,Zahler 2,,fee,Gebuehr,SI-X\n`), source: 'csv' } });
    expect(await waitingReceiptsForItems(ctx, created.map((c) => c.id))).not.toHaveLength(0);
  } finally {
    spy.mockRestore();
    await db.close();
  }

  const byIdOrEntry = [...prepared].filter((sql) => /^\s*SELECT/i.test(sql) && /`BankTransaction`\.`(id|entryId)` IN \(/.test(sql));
  expect(byIdOrEntry.length).toBeGreaterThan(3);
  const raw = new BetterSqlite3(file, { readonly: true });
  try {
    const walks = byIdOrEntry.filter((sql) => {
      const params = (sql.match(/\?/g) ?? []).map(() => null);
      const plan = raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>;
      return plan.some((p) => p.detail.includes('BankTransaction_matchState_createdAt_idx'));
    });
    expect(walks.map((sql) => sql.slice(0, 400))).toEqual([]);
  } finally {
    raw.close();
  }
}, 60_000);
