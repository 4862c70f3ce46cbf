/**
 * The one booking writer (src/services/booking/facts.ts + writer.ts).
 *
 * - Property: random sequences of decisions (payments waiting, booked to one or two items,
 *   the same item paid several times, overpaid) stored as ONE batch and stored one decision per
 *   transaction (a batch of one, each reading what the one before left) give the same ledger:
 *   receipt states and rests, allocations, item paid sums, statuses and versions, events, webhook
 *   deliveries, suspense, audit entries, learned payers. Fixed seeds, bounded in count and time.
 * - The ledger invariant is asserted in the database after the write: a tampered fact (an
 *   allocation larger than decided, money put in suspense twice) aborts the write with a clear
 *   error and nothing of it is stored.
 */
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SYSTEM_ACTOR, systemClock, type Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { computeCheckDigits } from '../../src/references/checkDigits.js';
import { bookingFacts, type BookingDecision } from '../../src/services/booking/facts.js';
import { LedgerInvariantError, readItems, readReceipts, readSubscriptions, storeBookingFacts } from '../../src/services/booking/writer.js';
import { importOpenItems } from '../../src/services/items/createOpenItems.js';
import { parseOpenItemsCsv } from '../../src/services/items/csv.js';
import { importStatementFile } from '../../src/services/statements/importStatementFile.js';
import { forEachBackend, freshDatabase, type BackendName, type TestDatabase } from '../support/backends.js';
import { camt } from '../support/camtBuilder.js';
import { seededRandom as random } from '../support/random.js';

const kz = (serial: number) => {
  const payload = '51' + String(serial).padStart(9, '0');
  return payload + computeCheckDigits('luhn', payload);
};
const HEADER = 'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref';
const SEEDS = [7, 1913, 424242];
const RECEIPTS = 24;
const ITEMS = 6;
const BUDGET_MS = 40_000;

interface World {
  database: TestDatabase;
  db: Database;
  ctx: Ctx;
}

async function world(backend: BackendName, seed: number): Promise<World> {
  const database = freshDatabase(backend);
  const db = await database.open();
  const ctx: Ctx = { db, config: loadConfig({ DATABASE_URL: database.url }), clock: systemClock, log: pino({ level: 'silent' }), actor: SYSTEM_ACTOR };
  const rnd = random(seed);
  const client = await db.prisma.apiClient.create({ data: { id: `client-${seed}`, name: 'Fachverfahren', keyHash: `hash-${seed}`, keyPrefix: `sk_${seed}`, scopes: 'items:read' } });
  await db.prisma.webhookSubscription.create({ data: { id: `sub-${seed}`, clientId: client.id, url: 'https://example.org/hook', secret: 'whsec_test', eventTypes: 'item.paid item.overpaid', active: true } });
  const rows = Array.from({ length: ITEMS }, (_, i) => `${kz(100 + i)},${10 + Math.floor(rnd() * 90)}.00,EUR,2026-12-01,Person ${i},,fine,Verwarnung,W-${i}`);
  await importOpenItems({ ctx: { ...ctx, actor: { type: 'client', id: client.id, name: 'Fachverfahren', scopes: new Set(['items:write']) } as Ctx['actor'] }, input: { rows: parseOpenItemsCsv(`${HEADER}\n${rows.join('\n')}\n`), source: 'csv' } });
  const entries = Array.from({ length: RECEIPTS }, (_, i) => ({ amount: `${5 + Math.floor(rnd() * 120)}.${String(Math.floor(rnd() * 100)).padStart(2, '0')}`, ref: `R-${i}`, name: `Zahler ${i % 5}`, iban: i % 3 === 0 ? 'DE02120300000000202051' : undefined, remittance: [`Zahlung ${i}`] }));
  await importStatementFile({ ctx, input: { source: new TextEncoder().encode(camt({ id: `PROP-${seed}`, entries })) } });
  return { database, db, ctx };
}

/** Decisions by natural keys (entry reference, Kassenzeichen), the same for both worlds. */
type Plan = Array<{ ref: string; kind: 'review' | 'unmatched' | 'ignored' } | { ref: string; kind: 'allocate'; lines: Array<{ kz: string; share: number }> }>;

function plan(seed: number): Plan {
  const rnd = random(seed * 31 + 1);
  return Array.from({ length: RECEIPTS }, (_, i) => {
    const p = rnd();
    const ref = `R-${i}`;
    if (p < 0.15) return { ref, kind: 'review' as const };
    if (p < 0.25) return { ref, kind: 'unmatched' as const };
    const n = rnd() < 0.3 ? 2 : 1;
    const first = Math.floor(rnd() * ITEMS);
    const kzs = n === 2 ? [kz(100 + first), kz(100 + ((first + 1 + Math.floor(rnd() * (ITEMS - 1))) % ITEMS))] : [kz(100 + first)];
    // Shares of the payment: the whole of it, or part (the rest is an overpayment in suspense).
    return { ref, kind: 'allocate' as const, lines: kzs.map(() => (rnd() < 0.6 ? 1 : 0.3 + rnd() * 0.6) / n).map((share, j) => ({ kz: kzs[j]!, share })) };
  });
}

async function decisionsFor(w: World, steps: Plan): Promise<BookingDecision[]> {
  const receipts = await w.db.prisma.bankTransaction.findMany({ select: { id: true, entryRef: true, amountMinor: true, version: true } });
  const items = await w.db.prisma.openItem.findMany({ select: { id: true, kassenzeichen: true } });
  const r = new Map(receipts.map((x) => [x.entryRef, x]));
  const it = new Map(items.map((x) => [x.kassenzeichen, x.id]));
  return steps.map((s): BookingDecision => {
    const receipt = r.get(s.ref)!;
    const proposal = { id: `prop-${s.ref}-${crypto.randomUUID()}`, transactionId: receipt.id, decision: s.kind === 'allocate' ? 'auto' : s.kind, confidenceBp: 9000, reasons: '[]', allocations: '[]', surplusMinor: 0n, suggestions: '[]', returnOf: null, engineVersion: 'test', createdAt: new Date() };
    if (s.kind !== 'allocate') return { type: 'wait', transactionId: receipt.id, status: s.kind, proposal, expectVersion: receipt.version };
    const lines = s.lines.map((l) => ({ itemId: it.get(l.kz)!, amountMinor: (receipt.amountMinor * BigInt(Math.round(l.share * 1000))) / 1000n })).filter((l) => l.amountMinor > 0n);
    const total = lines.reduce((sum, l) => sum + l.amountMinor, 0n);
    return { type: 'allocate', transactionId: receipt.id, lines, kind: 'auto', reason: 'test', proposal, matchState: 'auto', expectStates: ['pending'], surplusMinor: receipt.amountMinor - total, learnPayer: true };
  });
}

async function store(w: World, decisions: BookingDecision[]): Promise<void> {
  await w.db.transaction(async (tx) => {
    const receipts = await readReceipts(tx, [...new Set(decisions.map((d) => d.transactionId))]);
    const items = await readItems(tx, decisions.flatMap((d) => (d.type === 'allocate' ? d.lines.map((l) => l.itemId) : [])));
    const facts = bookingFacts({ receipts, items, subscriptions: await readSubscriptions(tx, items.values()) }, decisions, { actor: w.ctx.actor, requestId: null, now: new Date('2026-11-20T10:00:00Z') });
    await storeBookingFacts(tx, w.ctx, facts);
  });
}

/** The ledger by natural keys, without ids and times. */
async function ledger(w: World) {
  const p = w.db.prisma;
  const receipts = await p.bankTransaction.findMany({ select: { id: true, entryRef: true, matchState: true, unappliedMinor: true, version: true }, orderBy: { entryRef: 'asc' } });
  const items = await p.openItem.findMany({ select: { id: true, kassenzeichen: true, paidMinor: true, status: true, version: true }, orderBy: { kassenzeichen: 'asc' } });
  const refOf = new Map(receipts.map((r) => [r.id, r.entryRef]));
  const kzOf = new Map(items.map((i) => [i.id, i.kassenzeichen]));
  const allocations = (await p.allocation.findMany({ select: { transactionId: true, openItemId: true, amountMinor: true, kind: true } })).map((a) => `${refOf.get(a.transactionId)} → ${kzOf.get(a.openItemId)}: ${a.amountMinor} ${a.kind}`).sort();
  const suspense = (await p.suspenseMovement.findMany({ select: { transactionId: true, amountMinor: true, reason: true } })).map((s) => `${refOf.get(s.transactionId)} ${s.reason} ${s.amountMinor}`).sort();
  const events = (await p.itemEvent.findMany({ select: { openItemId: true, type: true, payload: true } })).map((e) => {
    const body = JSON.parse(e.payload) as { data: { item: { paid: string; status: string; previousStatus: string } } };
    return `${kzOf.get(e.openItemId)} ${e.type} ${body.data.item.previousStatus}→${body.data.item.status} paid ${body.data.item.paid}`;
  }).sort();
  return {
    receipts: receipts.map((r) => `${r.entryRef} ${r.matchState} ${r.unappliedMinor} v${r.version}`),
    items: items.map((i) => `${i.kassenzeichen} ${i.paidMinor} ${i.status} v${i.version}`),
    allocations,
    suspense,
    events,
    deliveries: await p.webhookDelivery.count(),
    audit: (await p.auditEntry.findMany({ where: { action: { startsWith: 'allocation.' } }, select: { action: true, subjectId: true } })).map((a) => `${a.action} ${refOf.get(a.subjectId)}`).sort(),
    payers: (await p.knownPayer.findMany({ select: { iban: true, debtorNameKey: true, confirmations: true } })).map((k) => `${k.iban} ${k.debtorNameKey} ${k.confirmations}`).sort(),
    waiting: (await p.waitingReceiptKey.findMany({ select: { transactionId: true }, distinct: ['transactionId'] })).map((k) => refOf.get(k.transactionId)).sort(),
  };
}

forEachBackend('one booking writer', (backend) => {
  const opened: World[] = [];
  afterAll(async () => {
    for (const w of opened) {
      await w.db.close();
      await w.database.drop();
    }
  });

  it('stores random decision sequences as one batch and one by one with the same ledger', async () => {
    const started = Date.now();
    let compared = 0;
    for (const seed of SEEDS) {
      if (Date.now() - started > BUDGET_MS) break;
      const steps = plan(seed);
      const batch = await world(backend, seed);
      const single = await world(backend, seed);
      opened.push(batch, single);
      await store(batch, await decisionsFor(batch, steps));
      for (const step of steps) {
        // A batch of one, decided on what the previous one left (fresh versions).
        await store(single, await decisionsFor(single, [step]));
      }
      const a = await ledger(batch);
      const b = await ledger(single);
      expect(a.allocations.length).toBeGreaterThan(0);
      expect(a.events.length).toBeGreaterThan(0);
      expect(a).toEqual(b);
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  });

  let w: World;
  beforeAll(async () => {
    w = await world(backend, 99);
    opened.push(w);
  });

  it.each([
    ['an allocation larger than decided', (f: ReturnType<typeof bookingFacts>) => void (f.allocations[0]!.amountMinor = (f.allocations[0]!.amountMinor as bigint) + 1n), /invariant: payment .* has .* allocated/],
    ['money put in suspense twice', (f: ReturnType<typeof bookingFacts>) => void f.suspense.push({ ...f.suspense[0]!, id: `dup-${crypto.randomUUID()}` }), /invariant: payment .* unapplied but .* in suspense/],
  ])('refuses a write whose stored ledger does not add up: %s', async (_label, tamper, message) => {
    const decisions = await decisionsFor(w, [{ ref: 'R-1', kind: 'allocate', lines: [{ kz: kz(100), share: 0.5 }] }]);
    const before = await ledger(w);
    const err = await w.db
      .transaction(async (tx) => {
        const receipts = await readReceipts(tx, [decisions[0]!.transactionId]);
        const items = await readItems(tx, decisions.flatMap((d) => (d.type === 'allocate' ? d.lines.map((l) => l.itemId) : [])));
        const facts = bookingFacts({ receipts, items, subscriptions: [] }, decisions, { actor: w.ctx.actor, requestId: null, now: new Date() });
        tamper(facts);
        await storeBookingFacts(tx, w.ctx, facts);
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerInvariantError);
    expect((err as Error).message).toMatch(message);
    // Nothing of the write was stored.
    expect(await ledger(w)).toEqual(before);
  });
});
