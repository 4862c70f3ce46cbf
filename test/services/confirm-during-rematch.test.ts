/**
 * A clerk confirming a suggestion while the matcher looks at the same waiting payment again (an
 * item changed, src/services/booking/rematch.ts). Service level on real databases; the
 * interleavings are forced, not hoped for:
 *
 * - the re-match has read and decided, the clerk's booking commits, then the re-match writes;
 * - the re-match writes between the clerk's look (version, proposal) and the clerk's confirmation.
 *
 * In every order the payment's allocations come from the one decision the clerk saw, nothing is
 * booked twice, and no proposal decided on the payment as it was before the booking is stored
 * after it. The re-matching instance is "another instance" whose index did not see the second item
 * yet (its decision differs from the one the clerk looks at); with the same index the re-match
 * stores nothing at all.
 */
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SYSTEM_ACTOR, systemClock, type Actor, type Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { computeCheckDigits } from '../../src/references/checkDigits.js';
import { runMatching, type MatchingDeps } from '../../src/services/booking/runMatching.js';
import { importOpenItems } from '../../src/services/items/createOpenItems.js';
import { parseOpenItemsCsv } from '../../src/services/items/csv.js';
import { createServices, type Services } from '../../src/services/registry.js';
import { confirmSuggestion } from '../../src/services/review/actions.js';
import { importAndMatch } from '../../src/services/statements/importAndMatch.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';
import { camt } from '../support/camtBuilder.js';

const kz = (serial: number) => {
  const payload = '51' + String(serial).padStart(9, '0');
  return payload + computeCheckDigits('luhn', payload);
};
const HEADER = 'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref';
const CLERK: Actor = { type: 'client', id: 'clerk-a', name: 'Sachbearbeiterin A', scopes: new Set(['review']) };

forEachBackend('a clerk confirming while the matcher looks at the payment again', (backend) => {
  let database: TestDatabase;
  let db: Database;
  let ctx: Ctx;
  let clerk: Ctx;
  let services: Services;
  let serial = 810_000;
  let seq = 300;

  beforeAll(async () => {
    database = freshDatabase(backend);
    db = await database.open();
    ctx = { db, config: loadConfig({ DATABASE_URL: database.url }), clock: systemClock, log: pino({ level: 'silent' }), actor: SYSTEM_ACTOR };
    clerk = { ...ctx, actor: CLERK };
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

  async function item(amount: string, name: string) {
    const s = ++serial;
    await importOpenItems({ ctx, input: { rows: parseOpenItemsCsv(`${HEADER}\n${kz(s)},${amount},EUR,2026-12-01,${name},,fine,Verwarnung,X-${s}\n`), source: 'csv' } });
    return db.prisma.openItem.findUniqueOrThrow({ where: { kassenzeichen: kz(s) } });
  }

  /**
   * A payment of 32.50 quoting two items of 12.00 and 20.00: the matcher asks a person (review),
   * suggesting both. `other` is the matcher of another instance that knew only the first item when
   * the payment came up again: it suggests something else.
   */
  async function paymentInReview(name: string) {
    const a = await item('12.00', name);
    const other = createServices(ctx.config).matching;
    const stale = await other.index.current(db);
    other.index.current = async () => stale;
    const b = await item('20.00', name);
    const xml = camt({ id: `RACE-CONFIRM-${++seq}`, seq, date: '2026-11-20', entries: [{ amount: '32.50', ref: `RC-${seq}`, name, iban: 'DE12500105170648489890', remittance: [`${a.kassenzeichen} ${b.kassenzeichen} Auftrag 987654321098`] }] });
    await importAndMatch({ ctx, deps: { services }, input: { source: new TextEncoder().encode(xml) } });
    const r = await db.prisma.bankTransaction.findFirstOrThrow({ where: { entryRef: `RC-${seq}` } });
    expect(r.matchState).toBe('review');
    const seen = await db.prisma.matchProposal.findFirstOrThrow({ where: { transactionId: r.id }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    expect(JSON.parse(seen.suggestions)[0].allocations.map((x: { itemId: string }) => x.itemId).sort()).toEqual([a.id, b.id].sort());
    return { r, a, b, seen, other };
  }

  /** The next write transaction of `db` waits at a gate until released (one-shot). */
  function gateNextTransaction() {
    const original = db.transaction;
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((r) => (arrive = r));
    const released = new Promise<void>((r) => (release = r));
    db.transaction = async (fn, opts) => {
      db.transaction = original;
      arrive();
      await released;
      return original(fn, opts);
    };
    return { arrived, release, restore: () => (db.transaction = original) };
  }

  async function rematch(deps: MatchingDeps, transactionId: string) {
    return runMatching({ ctx, deps, input: { transactionIds: [transactionId], waiting: true } });
  }

  /** What one payment holds: allocations, suspense, the latest proposal, and the ledger adding up. */
  async function ledgerOf(transactionId: string) {
    const r = await db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: transactionId } });
    const allocations = await db.prisma.allocation.findMany({ where: { transactionId }, include: { reversal: true } });
    const held = (await db.prisma.suspenseMovement.findMany({ where: { transactionId } })).reduce((s, m) => s + m.amountMinor, 0n);
    const live = allocations.filter((x) => !x.reversal).reduce((s, x) => s + x.amountMinor, 0n);
    expect(live + r.unappliedMinor).toBe(r.amountMinor);
    expect(held).toBe(r.unappliedMinor);
    const latest = await db.prisma.matchProposal.findFirstOrThrow({ where: { transactionId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    return { r, allocations, latest, proposals: await db.prisma.matchProposal.count({ where: { transactionId } }) };
  }

  it('a re-match decided before the confirmation and written after it stores nothing: the booking stands alone', async () => {
    const { r, a, b, seen, other } = await paymentInReview('Konrad Konfirm');
    const gate = gateNextTransaction();
    const run = rematch(other, r.id);
    await gate.arrived;
    const booked = await confirmSuggestion({ ctx: clerk, input: { transactionId: r.id, suggestion: 0, version: r.version } });
    expect(booked).toMatchObject({ outcome: 'booked', state: 'review', unapplied: '0.50' });
    gate.release();
    await run;

    const after = await ledgerOf(r.id);
    expect(after.allocations.map((x) => [x.openItemId, x.amountMinor, x.kind, x.proposalId]).sort()).toEqual(
      [
        [a.id, 1200n, 'confirmed', seen.id],
        [b.id, 2000n, 'confirmed', seen.id],
      ].sort(),
    );
    // Nothing the re-match decided on the payment as it was before the booking is in force now.
    expect(after.latest.id).toBe(seen.id);
    expect(after.proposals).toBe(1);
    expect(after.r.version).toBe(r.version + 1);
    expect(after.r.unappliedMinor).toBe(50n);
  });

  it('a re-match written between the clerk looking and confirming makes the confirmation a 409, and books nothing the clerk did not see', async () => {
    const { r, seen, other } = await paymentInReview('Kira Konflikt');
    await rematch(other, r.id);
    const refreshed = await ledgerOf(r.id);
    expect(refreshed.latest.id).not.toBe(seen.id);
    await expect(confirmSuggestion({ ctx: clerk, input: { transactionId: r.id, suggestion: 0, version: r.version } })).rejects.toMatchObject({ code: 'conflict' });
    const after = await ledgerOf(r.id);
    expect(after.allocations).toEqual([]);
    expect(after.r.unappliedMinor).toBe(3250n);
  });

  it('two clerks and a re-match at the same moment on each of many payments: at most one decision books, and it is the one the clerks saw', async () => {
    const payments = [];
    for (let i = 0; i < 8; i++) payments.push(await paymentInReview(`Rita Runde ${i}`));
    const clerkB: Ctx = { ...ctx, actor: { ...CLERK, id: 'clerk-b', name: 'Sachbearbeiter B' } };
    const outcomes = await Promise.all(
      payments.map(async (p, i) => {
        const confirm = (who: Ctx) => confirmSuggestion({ ctx: who, input: { transactionId: p.r.id, suggestion: 0, version: p.r.version } });
        // Arrival order varies by payment: the re-match first, between, or last.
        const order = [() => confirm(clerk), () => confirm(clerkB), () => rematch(p.other, p.r.id)];
        const rotated = [...order.slice(i % 3), ...order.slice(0, i % 3)];
        const [x, y, z] = await Promise.allSettled(rotated.map((f) => f()));
        return [x!, y!, z!].filter((_, j) => (j + (i % 3)) % 3 !== 2);
      }),
    );
    let booked = 0;
    for (const [i, p] of payments.entries()) {
      const confirms = outcomes[i]!;
      const won = confirms.filter((o) => o.status === 'fulfilled');
      for (const o of confirms) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'conflict' });
      expect(won.length).toBeLessThanOrEqual(1);
      const after = await ledgerOf(p.r.id);
      const a = await db.prisma.openItem.findUniqueOrThrow({ where: { id: p.a.id } });
      const b = await db.prisma.openItem.findUniqueOrThrow({ where: { id: p.b.id } });
      if (won.length === 1) {
        booked++;
        // From the proposal the clerks saw, once: each item paid exactly once.
        expect(after.allocations.map((x) => [x.openItemId, x.amountMinor, x.kind, x.proposalId]).sort()).toEqual(
          [
            [p.a.id, 1200n, 'confirmed', p.seen.id],
            [p.b.id, 2000n, 'confirmed', p.seen.id],
          ].sort(),
        );
        expect([a.paidMinor, b.paidMinor]).toEqual([1200n, 2000n]);
        // Nothing decided on the payment as it was before the booking was stored after it.
        const firstBooked = after.allocations[0]!.createdAt;
        expect(await db.prisma.matchProposal.count({ where: { transactionId: p.r.id, createdAt: { gt: firstBooked } } })).toBe(0);
        expect(after.latest.id).toBe(p.seen.id);
      } else {
        // The re-match came first: its new proposal moved the version the clerks sent.
        expect(after.allocations).toEqual([]);
        expect([a.paidMinor, b.paidMinor]).toEqual([0n, 0n]);
        expect(after.latest.id).not.toBe(p.seen.id);
        expect(after.r.unappliedMinor).toBe(3250n);
      }
    }
    expect(booked).toBeGreaterThan(0);
  });

  it('a re-match that decides what the clerk sees stores nothing, and the confirmation books what the clerk saw', async () => {
    const { r, a, b, seen } = await paymentInReview('Kai Gleich');
    // The same index as the import's: the same decision again.
    await rematch(services.matching, r.id);
    const unchanged = await ledgerOf(r.id);
    expect(unchanged.proposals).toBe(1);
    expect(unchanged.r.version).toBe(r.version);
    await confirmSuggestion({ ctx: clerk, input: { transactionId: r.id, suggestion: 0, version: r.version } });
    const after = await ledgerOf(r.id);
    expect(after.allocations.map((x) => [x.openItemId, x.kind, x.proposalId]).sort()).toEqual(
      [
        [a.id, 'confirmed', seen.id],
        [b.id, 'confirmed', seen.id],
      ].sort(),
    );
  });
});
