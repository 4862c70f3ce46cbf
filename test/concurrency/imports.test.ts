/**
 * Several Stadtkasse processes on one PostgreSQL schema, importing bank statements.
 *
 * (a) Two instances receive the same statement at the same moment: it is stored and booked once,
 *     and both answers name the same import.
 * (e) An instance killed (SIGKILL) in the middle of a large import leaves nothing of it behind; the
 *     same file sent again (to the surviving instance) is imported completely.
 *
 * Each process is the real server (`npm start`), so locks, transactions
 * and connection pools are exactly those of production.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, pgSkipReason, type TestDatabase } from '../support/backends.js';
import { camt, type TxSpec } from '../support/camtBuilder.js';
import { count, schemaOf, spawnServices, stopAll, withSchema, type ServiceProcess } from './support.js';

const skip = pgSkipReason();
const suite = skip ? describe.skip : describe;
const title = skip ? `several instances importing on one PostgreSQL schema (skipped: ${skip})` : 'several instances importing on one PostgreSQL schema';

type Json = Record<string, any>;

suite(title, () => {
  let database: TestDatabase;
  let schema: string;
  let instances: ServiceProcess[] = [];
  let importKey: string;
  let items: Array<{ id: string; kassenzeichen: string; amount: string }> = [];

  beforeAll(async () => {
    database = freshDatabase('postgresql');
    schema = schemaOf(database.url);
    // Both start at the same moment on an empty schema: the migration lock makes one wait.
    // The 40,000-entry file (7 MB) is imported while its sender waits, as the kill test needs.
    instances = await spawnServices(2, database.url, { INLINE_IMPORT_MAX_BYTES: String(64 * 1024 * 1024) });
    const [a] = instances;
    const res = await a!.api('/v1/clients', { method: 'POST', json: { name: 'Kasse Import', scopes: ['statements:import', 'statements:read', 'items:read', 'items:write'] } });
    expect(res.status).toBe(201);
    importKey = ((await res.json()) as Json).apiKey;
    // Claims the statements below pay: each entry quotes one Kassenzeichen with the exact amount,
    // so the matcher books it by itself (an allocation per entry).
    const bulk = Array.from({ length: 300 }, (_, i) => ({ category: 'fee', amount: `${10 + (i % 50)}.${String(i % 100).padStart(2, '0')}`, dueDate: '2026-12-31', description: `Gebühr ${i}`, debtor: { name: `Bürger ${i}` }, externalRef: `C-${i}` }));
    const created = await a!.api('/v1/items/bulk', { method: 'POST', key: importKey, json: { items: bulk } });
    expect(created.status).toBe(201);
    items = ((await created.json()) as Json).items.map((x: Json) => ({ id: x.id, kassenzeichen: x.kassenzeichen, amount: bulk[x.row - 1]!.amount }));
  });

  afterAll(async () => {
    await stopAll(instances);
    await database?.drop();
  });

  const upload = (s: ServiceProcess, xml: string, fileName: string) =>
    s.api(`/v1/statements?fileName=${encodeURIComponent(fileName)}`, { method: 'POST', key: importKey, body: xml, headers: { 'content-type': 'application/xml' } });

  it('books a statement sent to two instances at the same moment exactly once; both answers name the same import', async () => {
    // Paying entries for the first 200 claims plus filler entries (pending bookings, which are stored
    // but not matched), so the import takes long enough for the two to overlap for real.
    const paying: TxSpec[] = items.slice(0, 200).map((it, i) => ({ amount: it.amount, remittance: [`Kassenzeichen ${it.kassenzeichen}`], name: `Bürger ${i}`, ref: `PAY-${i}` }));
    const filler: TxSpec[] = Array.from({ length: 3000 }, (_, i) => ({ amount: '1.00', credit: false, name: 'Stadtwerke', ref: `FILL-${i}`, status: 'PDNG' }));
    const xml = camt({ id: 'RACE-1', seq: 1, entries: [...paying, ...filler] });

    const single = performance.now();
    const [ra, rb] = await Promise.all([upload(instances[0]!, xml, 'race-a.xml'), upload(instances[1]!, xml, 'race-b.xml')]);
    const bothMs = Math.round(performance.now() - single);
    const [a, b] = [(await ra.json()) as Json, (await rb.json()) as Json];
    console.info(`[concurrency] same 3,200-entry statement to two instances at once: both answered after ${bothMs} ms`);

    expect([ra.status, rb.status].sort()).toEqual([200, 201]);
    expect(a.importId).toBe(b.importId);
    const [first, replay] = ra.status === 201 ? [a, b] : [b, a];
    expect(first.replayed).toBe(false);
    expect(replay.replayed).toBe(true);
    expect(first.entries).toMatchObject({ read: 3200, new: 200, duplicates: 0, notBooked: 3000 });
    expect(first.matching).toMatchObject({ auto: 200 });

    await withSchema(schema, async (c) => {
      expect(await count(c, `SELECT 1 FROM "StatementImport" WHERE "status" = 'completed'`)).toBe(1);
      expect(await count(c, `SELECT 1 FROM "Statement" WHERE "bankStatementId" = 'RACE-1'`)).toBe(1);
      expect(await count(c, `SELECT 1 FROM "Entry"`)).toBe(3200);
      expect(await count(c, `SELECT 1 FROM "BankTransaction"`)).toBe(3200);
      // Every paying entry booked once, onto its own claim, which is paid exactly.
      expect(await count(c, `SELECT 1 FROM "Allocation"`)).toBe(200);
      expect(await count(c, `SELECT 1 FROM "Allocation" GROUP BY "transactionId" HAVING count(*) > 1`)).toBe(0);
      expect(await count(c, `SELECT 1 FROM "OpenItem" WHERE "status" = 'paid'`)).toBe(200);
      expect(await count(c, `SELECT 1 FROM "OpenItem" WHERE "paidMinor" > "amountMinor"`)).toBe(0);
      expect(await count(c, `SELECT 1 FROM "MatchProposal" GROUP BY "transactionId" HAVING count(*) > 1`)).toBe(0);
    });

    // The same file again, afterwards, to either: the first import's answer, nothing new stored.
    const again = await upload(instances[1]!, xml, 'race-again.xml');
    expect(again.status).toBe(200);
    expect(((await again.json()) as Json).importId).toBe(first.importId);
  });

  it('answers the same importId to many simultaneous deliveries of one small statement', async () => {
    const xml = camt({ id: 'RACE-2', seq: 2, date: '2026-11-17', entries: [{ amount: items[250]!.amount, remittance: [items[250]!.kassenzeichen], ref: 'R2-1' }, { amount: '7.00', ref: 'R2-2' }] });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => upload(instances[i % 2]!, xml, `r2-${i}.xml`)));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as Json[];
    expect(answers.map((r) => r.status).filter((s) => s === 201)).toHaveLength(1);
    expect(answers.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    expect(new Set(bodies.map((b) => b.importId)).size).toBe(1);
    await withSchema(schema, async (c) => {
      expect(await count(c, `SELECT 1 FROM "Statement" WHERE "bankStatementId" = 'RACE-2'`)).toBe(1);
      expect(await count(c, `SELECT 1 FROM "Allocation" a JOIN "OpenItem" o ON o.id = a."openItemId" WHERE o.id = $1`, [items[250]!.id])).toBe(1);
    });
  });

  it('leaves nothing of an import whose process was killed mid-way; the retry imports it completely', async () => {
    const N = 40_000;
    const entries: TxSpec[] = Array.from({ length: N }, (_, i) =>
      i < 20 ? { amount: items[260 + i]!.amount, remittance: [`KZ ${items[260 + i]!.kassenzeichen}`], ref: `BIG-P${i}` } : { amount: '2.50', credit: i % 3 !== 0, name: 'Parkgebühren', ref: `BIG-${i}`, status: 'PDNG' },
    );
    const xml = camt({ id: 'BIG-1', seq: 3, date: '2026-11-18', entries });
    const [victim, survivor] = instances as [ServiceProcess, ServiceProcess];

    const started = performance.now();
    const doomed = upload(victim, xml, 'big.xml').then(
      (r) => ({ status: r.status }),
      (err: Error) => ({ error: err.message }),
    );
    // Kill once the import has written entries inside its (uncommitted) transaction: the session's
    // last statement is an INSERT into "Entry", so the kill lands in the middle of the import.
    const inFlight = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
      AND state IN ('active', 'idle in transaction') AND query ILIKE 'INSERT INTO%' AND query LIKE '%"Entry"%'`;
    await withSchema(schema, async (c) => {
      while ((await c.query(inFlight)).rowCount === 0) {
        if (performance.now() - started > 60_000) throw new Error('the import never started writing entries');
        await new Promise((r) => setTimeout(r, 10));
      }
    });
    const killedAfterMs = Math.round(performance.now() - started);
    const exit = await victim.kill('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    expect('error' in (await doomed)).toBe(true);

    await withSchema(schema, async (c) => {
      // PostgreSQL notices the dead client, ends its session and rolls its transaction back.
      for (let i = 0; i < 200 && ((await c.query(inFlight)).rowCount ?? 0) > 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect((await c.query(inFlight)).rowCount).toBe(0);
      expect(await count(c, `SELECT 1 FROM "Statement" WHERE "bankStatementId" = 'BIG-1'`)).toBe(0);
      expect(await count(c, `SELECT 1 FROM "Entry" e JOIN "Statement" s ON s.id = e."statementId" WHERE s."bankStatementId" = 'BIG-1'`)).toBe(0);
      expect(await count(c, `SELECT 1 FROM "BankTransaction" WHERE "entryRef" LIKE 'BIG-%'`)).toBe(0);
      expect(await count(c, `SELECT 1 FROM "StatementImport" WHERE "status" <> 'completed'`)).toBe(0);
      expect(await count(c, `SELECT 1 FROM "Allocation" a JOIN "BankTransaction" t ON t.id = a."transactionId" WHERE t."entryRef" LIKE 'BIG-%'`)).toBe(0);
    });

    const retryStarted = performance.now();
    const retry = await upload(survivor, xml, 'big.xml');
    const retryMs = Math.round(performance.now() - retryStarted);
    console.info(`[concurrency] ${N.toLocaleString('en')}-entry import killed after ${killedAfterMs} ms; the retry on the other instance took ${retryMs} ms`);
    expect(retry.status).toBe(201);
    const body = (await retry.json()) as Json;
    expect(body.replayed).toBe(false);
    expect(body.entries).toMatchObject({ read: N, new: 20, duplicates: 0, notBooked: N - 20 });
    expect(body.matching).toMatchObject({ auto: 20 });
    await withSchema(schema, async (c) => {
      expect(await count(c, `SELECT 1 FROM "Statement" WHERE "bankStatementId" = 'BIG-1'`)).toBe(1);
      expect(await count(c, `SELECT 1 FROM "Entry" e JOIN "Statement" s ON s.id = e."statementId" WHERE s."bankStatementId" = 'BIG-1'`)).toBe(N);
      expect(await count(c, `SELECT 1 FROM "Allocation" a JOIN "BankTransaction" t ON t.id = a."transactionId" WHERE t."entryRef" LIKE 'BIG-P%'`)).toBe(20);
    });
  }, 180_000);
});
