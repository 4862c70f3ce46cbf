/**
 * (b) Two clerks confirming the same suggestion at the same moment, each through another Stadtkasse
 * process on one PostgreSQL schema: one booking, and one clear 409 for the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, pgSkipReason, type TestDatabase } from '../support/backends.js';
import { camt } from '../support/camtBuilder.js';
import { count, schemaOf, spawnServices, stopAll, withSchema, type ServiceProcess } from './support.js';

const skip = pgSkipReason();
const suite = skip ? describe.skip : describe;

type Json = Record<string, any>;

suite(`review decisions across instances on one PostgreSQL schema${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let database: TestDatabase;
  let schema: string;
  let instances: ServiceProcess[] = [];
  const keys: Record<'office' | 'clerkA' | 'clerkB', string> = { office: '', clerkA: '', clerkB: '' };

  beforeAll(async () => {
    database = freshDatabase('postgresql');
    schema = schemaOf(database.url);
    instances = await spawnServices(2, database.url);
    const client = async (name: string, scopes: string[]) => ((await (await instances[0]!.api('/v1/clients', { method: 'POST', json: { name, scopes } })).json()) as Json).apiKey as string;
    keys.office = await client('Kasse', ['items:read', 'items:write', 'statements:import', 'statements:read']);
    keys.clerkA = await client('Sachbearbeiterin A', ['review', 'statements:read', 'items:read']);
    keys.clerkB = await client('Sachbearbeiter B', ['review', 'statements:read', 'items:read']);
  });
  afterAll(async () => {
    await stopAll(instances);
    await database?.drop();
  });

  it('two clerks on two instances confirming the same suggestion: one booking, one 409 saying to reload', async () => {
    // Overpayments quoting the Kassenzeichen next to another long number: the matcher asks a person.
    const rounds = 6;
    const items: Json[] = [];
    for (let i = 0; i < rounds; i++) {
      const res = await instances[i % 2]!.api('/v1/items', { method: 'POST', key: keys.office, json: { category: 'fee', amount: '80.00', dueDate: '2026-11-30', description: `Gebühr ${i}`, debtor: { name: `Zora Zeitgleich ${i}` } } });
      expect(res.status).toBe(201);
      items.push((await res.json()) as Json);
    }
    const xml = camt({ id: 'REVIEW-RACE', entries: items.map((it, i) => ({ amount: '95.00', name: `Zora Zeitgleich ${i}`, remittance: [`Rechnung ${it.kassenzeichen} Auftrag 12345678901${i}`], ref: `RR-${i}` })) });
    const imported = await instances[0]!.api('/v1/statements?fileName=review-race.xml', { method: 'POST', key: keys.office, body: xml, headers: { 'content-type': 'application/xml' } });
    expect(imported.status).toBe(201);
    expect(((await imported.json()) as Json).matching).toMatchObject({ review: rounds });
    const receipts = await withSchema(schema, async (c) => (await c.query(`SELECT "id", "entryRef" FROM "BankTransaction" ORDER BY "entryRef"`)).rows as Array<{ id: string; entryRef: string }>);
    expect(receipts).toHaveLength(rounds);

    for (const [i, r] of receipts.entries()) {
      const confirm = (s: ServiceProcess, key: string) => s.api(`/v1/review/${r.id}/confirm`, { method: 'POST', key, json: { suggestion: 0 } });
      // Alternate which instance each clerk uses, so both orders of arrival are exercised.
      const [x, y] = await Promise.all([confirm(instances[i % 2]!, keys.clerkA), confirm(instances[(i + 1) % 2]!, keys.clerkB)]);
      const bodies = [(await x.json()) as Json, (await y.json()) as Json];
      expect([x.status, y.status].sort(), JSON.stringify(bodies)).toEqual([200, 409]);
      const loser = x.status === 409 ? bodies[0]! : bodies[1]!;
      expect(loser.type).toMatch(/conflict/);
      expect(loser.detail).toMatch(/reload/);
    }

    await withSchema(schema, async (c) => {
      expect(await count(c, `SELECT 1 FROM "Allocation"`)).toBe(rounds);
      expect(await count(c, `SELECT 1 FROM "Allocation" GROUP BY "transactionId" HAVING count(*) > 1`)).toBe(0);
      expect(await count(c, `SELECT 1 FROM "OpenItem" WHERE "paidMinor" = 8000 AND "status" = 'paid'`)).toBe(rounds);
      // Each receipt: 80.00 booked, 15.00 left in suspense, and nothing counted twice.
      expect(await count(c, `SELECT 1 FROM "BankTransaction" t WHERE t."unappliedMinor" <> 1500`)).toBe(0);
      expect(await count(c, `SELECT 1 FROM "BankTransaction" t WHERE (SELECT coalesce(sum(m."amountMinor"), 0) FROM "SuspenseMovement" m WHERE m."transactionId" = t.id) <> t."unappliedMinor"`)).toBe(0);
    });
  });
});
