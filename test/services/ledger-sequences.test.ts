/**
 * Every booked cent arrived, after every write: random sequences of what happens to a small day —
 * statements imported (payments of items, payments without reference, overpayments, reversed
 * debits of ours, return debits, outgoing debits), the matcher run, and what people do from the
 * review queue (confirm, book to one item or split over two, park, reverse a booking, mark for
 * refund and take the mark back, book a refund with its debit, place a return, approve a booking
 * held for a second person) — with the ledger checked in SQL after each step, from the stored
 * rows alone:
 *  - per entry the bank booked on this statement (BOOK, not a repeat), once the matcher decided
 *    it: allocations + suspense + paid back + cleared + taken back by a return = the entry amount,
 *    to the cent (debits count as money out); before that, no more than it;
 *  - per incoming receipt: the suspense it holds = its unapplied amount; a returned one holds
 *    nothing anywhere;
 *  - per item: its paid sum = its live allocations;
 *  - per statement: opening + booked entries = closing.
 * A step refused with a typed error (409, 422) is part of the game; any other error — the writer's
 * own LedgerInvariantError included — fails the run. Fixed seeds, bounded steps and time.
 */
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { systemClock, type Actor, type Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { DomainError } from '../../src/errors.js';
import { computeCheckDigits } from '../../src/references/checkDigits.js';
import { runMatching } from '../../src/services/booking/runMatching.js';
import { importOpenItems } from '../../src/services/items/createOpenItems.js';
import { parseOpenItemsCsv } from '../../src/services/items/csv.js';
import { createServices } from '../../src/services/registry.js';
import { allocateManually, bookRefund, confirmSuggestion, markForRefund, parkPayment, resolveReturn, reverseBooking, unmarkRefund } from '../../src/services/review/actions.js';
import { approve } from '../../src/services/review/approvals.js';
import { DECIDABLE_STATES, RETURNABLE_STATES } from '../../src/services/review/states.js';
import { importStatementFile } from '../../src/services/statements/importStatementFile.js';
import { formatMinor } from '../../src/money/money.js';
import { forEachBackend, freshDatabase, type BackendName, type TestDatabase } from '../support/backends.js';
import { camt, type TxSpec } from '../support/camtBuilder.js';
import { seededRandom } from '../support/random.js';

const SEEDS = [11, 2026, 90210, 4711];
const STEPS = 60;
const ITEMS = 6;
const BUDGET_MS = 60_000;
const REFUND_IBAN = 'DE89370400440532013000';

const kz = (serial: number) => {
  const payload = '52' + String(serial).padStart(9, '0');
  return payload + computeCheckDigits('luhn', payload);
};

const clerk = (id: string): Actor => ({ type: 'user', id, name: id, scopes: new Set(['review', 'approve', 'refunds'] as never[]) });
const CLERKS = [clerk('clerk-a'), clerk('clerk-b')];

/** The ledger as stored, per entry (the money of its transactions, signed: in for a credit, out for a debit). */
const ENTRIES_SQL = `SELECT e."id", e."creditDebit", e."amountMinor",
  SUM(CASE WHEN t."creditDebit" <> 'CRDT' THEN -t."amountMinor"
    WHEN t."matchState" = 'returned' THEN t."amountMinor"
    ELSE COALESCE((SELECT SUM(a."amountMinor") FROM "Allocation" a WHERE a."transactionId" = t."id"
        AND NOT EXISTS (SELECT 1 FROM "AllocationReversal" r WHERE r."allocationId" = a."id")), 0)
      + COALESCE((SELECT SUM(s."amountMinor") FROM "SuspenseMovement" s WHERE s."transactionId" = t."id"), 0)
      - COALESCE((SELECT SUM(s."amountMinor") FROM "SuspenseMovement" s WHERE s."transactionId" = t."id" AND s."reason" IN ('refunded', 'debit_returned')), 0)
      - COALESCE((SELECT SUM(c."amountMinor") FROM "ClearingMovement" c WHERE c."bankTransactionId" = t."id"), 0) END) AS "accounted",
  SUM(CASE WHEN t."matchState" = 'pending' THEN 1 ELSE 0 END) AS "undecided"
FROM "Entry" e JOIN "BankTransaction" t ON t."entryId" = e."id"
WHERE e."status" = 'BOOK' AND e."duplicateOfEntryId" IS NULL
GROUP BY e."id", e."creditDebit", e."amountMinor"`;

const RECEIPTS_SQL = `SELECT t."id", t."matchState", t."unappliedMinor",
  COALESCE((SELECT SUM(s."amountMinor") FROM "SuspenseMovement" s WHERE s."transactionId" = t."id"), 0) AS "held",
  COALESCE((SELECT SUM(a."amountMinor") FROM "Allocation" a WHERE a."transactionId" = t."id"
    AND NOT EXISTS (SELECT 1 FROM "AllocationReversal" r WHERE r."allocationId" = a."id")), 0) AS "allocated"
FROM "BankTransaction" t WHERE t."creditDebit" = 'CRDT' AND t."matchState" NOT IN ('pending', 'duplicate', 'not_booked')`;

const ITEMS_SQL = `SELECT i."id", i."paidMinor",
  COALESCE((SELECT SUM(a."amountMinor") FROM "Allocation" a WHERE a."openItemId" = i."id"
    AND NOT EXISTS (SELECT 1 FROM "AllocationReversal" r WHERE r."allocationId" = a."id")), 0) AS "allocated"
FROM "OpenItem" i`;

const STATEMENTS_SQL = `SELECT s."id", s."openingBalanceMinor", s."closingBalanceMinor",
  COALESCE((SELECT SUM(CASE WHEN e."creditDebit" = 'CRDT' THEN e."amountMinor" ELSE -e."amountMinor" END) FROM "Entry" e WHERE e."statementId" = s."id" AND e."status" = 'BOOK'), 0) AS "booked"
FROM "Statement" s`;

const big = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as string | number));

/** What is wrong with the stored ledger, in words; empty when it holds. */
export async function ledgerBreaks(db: Database): Promise<string[]> {
  const out: string[] = [];
  const q = (sql: string) => db.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(sql);
  for (const e of await q(ENTRIES_SQL)) {
    const signed = e.creditDebit === 'CRDT' ? big(e.amountMinor) : -big(e.amountMinor);
    const accounted = big(e.accounted);
    if (big(e.undecided) === 0n ? accounted !== signed : e.creditDebit === 'CRDT' && accounted > signed) out.push(`entry ${e.id} (${e.creditDebit} ${signed}) accounts for ${accounted}`);
  }
  for (const r of await q(RECEIPTS_SQL)) {
    if (big(r.held) !== big(r.unappliedMinor)) out.push(`receipt ${r.id} (${r.matchState}) holds ${big(r.held)} in suspense, ${big(r.unappliedMinor)} unapplied`);
    if (r.matchState === 'returned' && (big(r.held) !== 0n || big(r.allocated) !== 0n)) out.push(`returned receipt ${r.id} still holds money`);
  }
  for (const i of await q(ITEMS_SQL)) if (big(i.paidMinor) !== big(i.allocated)) out.push(`item ${i.id} paid ${big(i.paidMinor)}, allocated ${big(i.allocated)}`);
  for (const s of await q(STATEMENTS_SQL)) {
    if (s.openingBalanceMinor === null || s.closingBalanceMinor === null) continue;
    if (big(s.openingBalanceMinor) + big(s.booked) !== big(s.closingBalanceMinor)) out.push(`statement ${s.id} does not add up`);
  }
  return out;
}

interface World {
  database: TestDatabase;
  db: Database;
  ctx: Ctx;
  as: (actor: Actor) => Ctx;
  services: ReturnType<typeof createServices>;
  statements: number;
}

async function world(backend: BackendName): Promise<World> {
  const database = freshDatabase(backend);
  const db = await database.open();
  // A low four-eyes threshold: some bookings wait for a second person, as on a real day.
  const config = loadConfig({ DATABASE_URL: database.url, FOUR_EYES_THRESHOLD: '90.00' });
  const ctx: Ctx = { db, config, clock: systemClock, log: pino({ level: 'silent' }), actor: CLERKS[0]! };
  const HEADER = 'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref';
  const rows = Array.from({ length: ITEMS }, (_, i) => `${kz(100 + i)},${20 + i * 17}.00,EUR,2026-12-01,Person ${i},,fee,Gebuehr,S-${i}`);
  await importOpenItems({ ctx, input: { rows: parseOpenItemsCsv(`${HEADER}\n${rows.join('\n')}\n`), source: 'csv' } });
  return { database, db, ctx, as: (actor) => ({ ...ctx, actor }), services: createServices(config), statements: 0 };
}

const money = (minor: bigint) => formatMinor(minor, 'EUR');

/** One statement of a few entries of every kind a day brings, some built on what is stored. */
async function statementSpec(w: World, rnd: () => number): Promise<TxSpec[]> {
  const p = w.db.prisma;
  const items = await p.openItem.findMany({ select: { kassenzeichen: true, amountMinor: true, paidMinor: true }, orderBy: { kassenzeichen: 'asc' } });
  const receipts = await p.bankTransaction.findMany({ where: { creditDebit: 'CRDT', entry: { reversal: false } }, select: { amountMinor: true }, orderBy: { id: 'asc' } });
  const refunds = await p.bankTransaction.findMany({ where: { matchState: 'refund' }, select: { unappliedMinor: true }, orderBy: { id: 'asc' } });
  const pick = <T,>(xs: T[]): T | undefined => (xs.length ? xs[Math.floor(rnd() * xs.length)] : undefined);
  const n = 2 + Math.floor(rnd() * 3);
  const out: TxSpec[] = [];
  for (let i = 0; i < n; i++) {
    const k = rnd();
    const item = pick(items)!;
    const open = item.amountMinor - item.paidMinor;
    const ref = `S${w.statements}E${i}`;
    if (k < 0.3) out.push({ ref, amount: money(open > 0n ? open : item.amountMinor), name: 'Erika Muster', iban: 'DE12500105170648489890', remittance: [`KZ ${item.kassenzeichen}`] });
    else if (k < 0.4) out.push({ ref, amount: money((open > 0n ? open : item.amountMinor) + 500n), name: 'Erika Muster', remittance: [`Kassenzeichen ${item.kassenzeichen}`] });
    else if (k < 0.55) out.push({ ref, amount: money(BigInt(100 + Math.floor(rnd() * 12_000))), name: 'Hans Ohnezweck', iban: 'DE12500105170648489890', remittance: ['Zahlung'] });
    else if (k < 0.67) out.push({ ref, amount: money(BigInt(100 + Math.floor(rnd() * 9_000))), reversal: true, name: 'Bank', remittance: ['Rueckbuchung Auszahlung'] });
    else if (k < 0.75 && receipts.length) out.push({ ref, amount: money(pick(receipts)!.amountMinor), credit: false, returnReason: 'AC04', name: 'Erika Muster', remittance: ['RUECKLASTSCHRIFT'] });
    else if (refunds.length) out.push({ ref, amount: money(pick(refunds)!.unappliedMinor), credit: false, name: 'Erika Muster', iban: REFUND_IBAN, remittance: ['Auszahlung'] });
    else out.push({ ref, amount: money(BigInt(100 + Math.floor(rnd() * 5_000))), credit: false, name: 'Lieferant', remittance: ['Rechnung'] });
  }
  return out;
}

type Op = (w: World, rnd: () => number, actor: Actor) => Promise<unknown>;

async function some<T>(rnd: () => number, rows: Promise<T[]>): Promise<T | undefined> {
  const xs = await rows;
  return xs.length ? xs[Math.floor(rnd() * xs.length)] : undefined;
}

const OPS: Record<string, Op> = {
  async import(w, rnd) {
    const entries = await statementSpec(w, rnd);
    w.statements++;
    return importStatementFile({ ctx: w.ctx, input: { source: new TextEncoder().encode(camt({ id: `SEQ-${w.statements}`, seq: w.statements, entries })) } });
  },
  async match(w) {
    return runMatching({ ctx: w.ctx, deps: w.services.matching, input: {} });
  },
  async confirm(w, rnd, actor) {
    const r = await some(rnd, w.db.prisma.bankTransaction.findMany({ where: { matchState: 'review', creditDebit: 'CRDT' }, select: { id: true }, orderBy: { id: 'asc' } }));
    if (r) return confirmSuggestion({ ctx: w.as(actor), input: { transactionId: r.id, suggestion: 0, acceptOverpayment: true, doubtChecked: true } });
  },
  async split(w, rnd, actor) {
    const r = await some(rnd, w.db.prisma.bankTransaction.findMany({ where: { matchState: { in: [...DECIDABLE_STATES] }, creditDebit: 'CRDT', unappliedMinor: { gt: 0n } }, select: { id: true, unappliedMinor: true }, orderBy: { id: 'asc' } }));
    if (!r) return;
    const items = await w.db.prisma.openItem.findMany({ select: { id: true }, orderBy: { kassenzeichen: 'asc' } });
    const two = rnd() < 0.5 && r.unappliedMinor > 1n;
    const first = two ? 1n + BigInt(Math.floor(rnd() * Number(r.unappliedMinor - 1n))) : rnd() < 0.7 ? r.unappliedMinor : 1n + BigInt(Math.floor(rnd() * Number(r.unappliedMinor)));
    const a = Math.floor(rnd() * items.length);
    const lines = [{ itemId: items[a]!.id, amount: money(first) }];
    if (two && r.unappliedMinor - first > 0n) lines.push({ itemId: items[(a + 1) % items.length]!.id, amount: money(r.unappliedMinor - first) });
    return allocateManually({ ctx: w.as(actor), input: { transactionId: r.id, allocations: lines, note: 'gebucht' } });
  },
  async park(w, rnd, actor) {
    const r = await some(rnd, w.db.prisma.bankTransaction.findMany({ where: { matchState: { in: ['review', 'unmatched', 'return_open'] }, creditDebit: 'CRDT' }, select: { id: true }, orderBy: { id: 'asc' } }));
    if (r) return parkPayment({ ctx: w.as(actor), input: { transactionId: r.id, note: 'Rueckruf abwarten' } });
  },
  async reverse(w, rnd, actor) {
    const a = await some(rnd, w.db.prisma.allocation.findMany({ where: { reversal: null }, select: { id: true }, orderBy: { id: 'asc' } }));
    if (a) return reverseBooking({ ctx: w.as(actor), input: { allocationId: a.id, reason: 'falsch zugeordnet' } });
  },
  async markRefund(w, rnd, actor) {
    const r = await some(rnd, w.db.prisma.bankTransaction.findMany({ where: { matchState: { in: [...DECIDABLE_STATES] }, creditDebit: 'CRDT', unappliedMinor: { gt: 0n } }, select: { id: true }, orderBy: { id: 'asc' } }));
    if (r) return markForRefund({ ctx: w.as(actor), input: { transactionId: r.id, note: 'zurueckzahlen', iban: REFUND_IBAN } });
  },
  async unmarkRefund(w, rnd, actor) {
    const r = await some(rnd, w.db.prisma.bankTransaction.findMany({ where: { matchState: 'refund' }, select: { id: true }, orderBy: { id: 'asc' } }));
    if (r) return unmarkRefund({ ctx: w.as(actor), input: { transactionId: r.id, note: 'doch fuer eine Forderung' } });
  },
  async bookRefund(w, rnd, actor) {
    const r = await some(rnd, w.db.prisma.bankTransaction.findMany({ where: { matchState: 'refund' }, select: { id: true, unappliedMinor: true }, orderBy: { id: 'asc' } }));
    if (!r) return;
    const d = await w.db.prisma.bankTransaction.findFirst({ where: { matchState: 'ignored', creditDebit: 'DBIT', amountMinor: r.unappliedMinor }, select: { id: true } });
    if (d) return bookRefund({ ctx: w.as(actor), input: { transactionId: r.id, refundTransactionId: d.id } });
  },
  async placeReturn(w, rnd, actor) {
    const ret = await some(rnd, w.db.prisma.bankTransaction.findMany({ where: { matchState: 'return_open', creditDebit: 'DBIT' }, select: { id: true, amountMinor: true }, orderBy: { id: 'asc' } }));
    if (!ret) return;
    const r = await w.db.prisma.bankTransaction.findFirst({ where: { creditDebit: 'CRDT', matchState: { in: [...RETURNABLE_STATES] }, amountMinor: ret.amountMinor, entry: { reversal: false } }, select: { id: true } });
    if (r) return resolveReturn({ ctx: w.as(actor), input: { transactionId: ret.id, receiptId: r.id } });
  },
  async approve(w, rnd, actor) {
    const a = await some(rnd, w.db.prisma.approval.findMany({ where: { status: 'pending' }, select: { id: true, proposedBy: true }, orderBy: { id: 'asc' } }));
    if (!a) return;
    const other = CLERKS.find((c) => !a.proposedBy.includes(c.id)) ?? actor;
    return approve({ ctx: w.as(other), input: { approvalId: a.id } });
  },
};

/** Imports and matching more often than the rest: there must be something to decide. */
const WEIGHTS: Array<[keyof typeof OPS, number]> = [
  ['import', 3], ['match', 3], ['confirm', 2], ['split', 3], ['park', 1], ['reverse', 2], ['markRefund', 2], ['unmarkRefund', 1], ['bookRefund', 3], ['placeReturn', 2], ['approve', 2],
];

function nextOp(rnd: () => number): keyof typeof OPS {
  const total = WEIGHTS.reduce((s, [, n]) => s + n, 0);
  let x = rnd() * total;
  for (const [op, n] of WEIGHTS) if ((x -= n) < 0) return op;
  return 'match';
}

forEachBackend('the ledger after every step of a random day', (backend) => {
  const worlds: World[] = [];
  beforeAll(() => {});
  afterAll(async () => {
    for (const w of worlds) {
      await w.db.close();
      await w.database.drop();
    }
  });

  it.each(SEEDS)('seed %i: allocations + suspense (+ paid back, cleared, returned) = each decided entry, after every step', async (seed) => {
    const started = Date.now();
    const w = await world(backend);
    worlds.push(w);
    const rnd = seededRandom(seed);
    const done: string[] = [];
    const reached = new Set<string>();
    const carried = new Set<string>();
    for (let step = 0; step < STEPS && Date.now() - started < BUDGET_MS / SEEDS.length; step++) {
      const op = step < 2 ? (['import', 'match'] as const)[step]! : nextOp(rnd);
      const actor = CLERKS[Math.floor(rnd() * CLERKS.length)]!;
      try {
        if ((await OPS[op]!(w, rnd, actor)) !== undefined) carried.add(op);
      } catch (err) {
        if (!(err instanceof DomainError)) throw new Error(`seed ${seed}, step ${step} (${op}) after ${done.join(' ')}: ${(err as Error).stack}`);
      }
      done.push(op);
      const breaks = await ledgerBreaks(w.db);
      expect(breaks, `seed ${seed}, step ${step} (${op}) after ${done.join(' ')}`).toEqual([]);
      for (const s of await w.db.prisma.bankTransaction.findMany({ distinct: ['matchState'], select: { matchState: true } })) reached.add(s.matchState);
    }
    // The day went somewhere: receipts booked, and reversed debits of ours held in suspense.
    expect([...reached].some((s) => s === 'auto' || s === 'manual'), [...reached].join(' ')).toBe(true);
    expect([...reached]).toContain('return_open');
    if (process.env.LEDGER_SEQUENCES_VERBOSE) console.log(seed, [...carried].sort().join(' '), '|', [...reached].sort().join(' '));
  }, 120_000);
});
