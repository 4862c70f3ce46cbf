/**
 * A day of 50,000 transactions through every path that reads a whole statement: the batch command
 * (bin/stadtkasse reconcile), the import over HTTP (a 202 job at this size), the review list and
 * the booking export, on SQLite and on PostgreSQL. Every query must stay bounded: before paging,
 * the batch command failed above about 1,000 transactions with "The query parameter limit
 * supported by your database is exceeded".
 *
 * The statement: 2,000 payments of open items (booked automatically), 2,000 credits nobody can
 * place (for review), and 46,000 pending bookings that are stored but not matched (they keep the
 * matcher's share of the run short; every query that reads the statement still sees them).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { camt, type TxSpec } from '../support/camtBuilder.js';
import { startTestServer, type TestServer } from '../support/server.js';

const TOTAL = 50_000;
const PAYING = 2_000;
const UNKNOWN = 2_000;
const BIN = fileURLToPath(new URL('../../bin/stadtkasse', import.meta.url));

type Json = Record<string, any>;

forEachBackend('a statement of 50,000 transactions', (backend) => {
  let server: TestServer;
  let dir: string;
  let items: Array<{ kassenzeichen: string; amount: string }>;
  let xml: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stk-50k-'));
    server = await startTestServer(backend);
    const bulk = Array.from({ length: PAYING }, (_, i) => ({ category: 'fee', amount: `${20 + (i % 80)}.${String(i % 100).padStart(2, '0')}`, dueDate: '2026-12-31', description: `Gebühr ${i}`, debtor: { name: `Bürger ${i}` }, externalRef: `S-${i}` }));
    const created = await server.api('/v1/items/bulk', { method: 'POST', json: { items: bulk } });
    expect(created.status).toBe(201);
    items = ((await created.json()) as Json).items.map((x: Json) => ({ kassenzeichen: x.kassenzeichen, amount: bulk[x.row - 1]!.amount }));
    const entries: TxSpec[] = [];
    for (let i = 0; i < TOTAL; i++) {
      if (i < PAYING) entries.push({ amount: items[i]!.amount, remittance: [`KZ ${items[i]!.kassenzeichen}`], name: `Bürger ${i}`, ref: `P-${i}` });
      else if (i < PAYING + UNKNOWN) entries.push({ amount: '7.77', name: 'Unbekannt', remittance: ['Danke'], ref: `U-${i}` });
      else entries.push({ amount: '2.50', credit: i % 3 !== 0, name: 'Parkgebühren', ref: `F-${i}`, status: 'PDNG' });
    }
    xml = camt({ id: 'FIFTY-K', seq: 1, entries });
    writeFileSync(join(dir, 'statement.xml'), xml);
    writeFileSync(
      join(dir, 'items.csv'),
      'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref\n' +
        items.map((it, i) => `${it.kassenzeichen},${it.amount},EUR,2026-12-31,Bürger ${i},,fee,Gebühr ${i},S-${i}`).join('\n') +
        '\n',
    );
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('goes through the batch command: one record per transaction, the payments booked', () => {
    // On PostgreSQL the command works on a schema of its own; on SQLite on its throw-away file.
    const db = backend === 'postgresql' ? ['--db', server.database.url.replace(/schema=[^&]+/, `schema=${schemaOf(server.database.url)}_cli`)] : [];
    const r = spawnSync(BIN, ['reconcile', '--items', join(dir, 'items.csv'), '--statement', join(dir, 'statement.xml'), '--json', ...db], {
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 512 * 1024 * 1024,
      env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    expect(r.status, r.stderr).toBe(0);
    const records = (JSON.parse(r.stdout) as { transactions: Json[] }).transactions;
    expect(records).toHaveLength(TOTAL);
    expect(records.filter((t) => t.status === 'auto')).toHaveLength(PAYING);
    expect(new Set(records.map((t) => `${t.entryRef}#${t.txIndex}`)).size).toBe(TOTAL);
  }, 150_000);

  it('is imported over HTTP as a job, matched, listed for review page by page and exported', async () => {
    const res = await server.api('/v1/statements?fileName=fifty-k.xml', { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as Json;
    let status: Json = {};
    let code = 202;
    for (let i = 0; i < 600 && code === 202; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const s = await server.api(accepted.statusUrl);
      code = s.status;
      status = (await s.json()) as Json;
    }
    expect(code, JSON.stringify(status)).toBe(200);
    expect(status.entries).toMatchObject({ read: TOTAL, new: PAYING + UNKNOWN, notBooked: TOTAL - PAYING - UNKNOWN });
    // Matching runs after the import has committed.
    for (let i = 0; i < 600 && (await server.db.prisma.bankTransaction.count({ where: { matchState: 'pending' } })) > 0; i++) await new Promise((r) => setTimeout(r, 250));
    expect(await server.db.prisma.bankTransaction.count({ where: { matchState: 'pending' } })).toBe(0);
    expect(await server.db.prisma.allocation.count()).toBe(PAYING);

    let cursor: string | undefined;
    let listed = 0;
    for (let pages = 0; pages < 20; pages++) {
      const page = (await (await server.api(`/v1/review?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json()) as Json;
      listed += page.items.length;
      cursor = page.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(listed).toBe(UNKNOWN);

    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/Berlin' });
    const csv = await server.api(`/v1/export/bookings.csv?date=${today}&separator=comma&bom=false`);
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trim().split('\n');
    // Every booking of the day is in the file (a booking may give more than one line).
    expect(lines.length - 1).toBeGreaterThanOrEqual(PAYING);
  }, 240_000);
});

function schemaOf(url: string): string {
  return /schema=([^&]+)/.exec(url)![1]!;
}
