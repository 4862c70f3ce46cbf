/**
 * Shared setup for the review, approval and export tests: a server with a settable clock and a
 * four-eyes threshold of 500.00, keys for two clerks, helpers to raise items and import statements,
 * and the receipt invariant checked straight in the database.
 */
import { expect } from 'vitest';
import type { Clock } from '../../src/context.js';
import type { BackendName } from '../support/backends.js';
import { camt, type StatementSpec } from '../support/camtBuilder.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';

export interface MovableClock extends Clock {
  set(iso: string): void;
  advance(ms: number): void;
}

/**
 * Real time plus an offset the test can move forward. It runs with the system clock on purpose: the
 * matcher's item index keeps its watermark on the system clock (src/services/booking/matchingIndex.ts),
 * so a frozen or lagging test clock would hide items created a minute later.
 */
export function movableClock(): MovableClock {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), set: (iso) => (offset = Date.parse(iso) - Date.now()), advance: (ms) => (offset += ms) };
}

/** The local day n days before the clock's day, "YYYY-MM-DD". */
export function daysAgo(clock: Clock, n: number): string {
  return new Date(clock.now().getTime() - n * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/Berlin' });
}

export interface ReviewFixture {
  server: TestServer;
  clock: MovableClock;
  itemsKey: string;
  clerkA: string;
  clerkB: string;
  item(amount: string, debtor: string, extra?: Record<string, unknown>): Promise<Record<string, any>>;
  importStatement(spec: StatementSpec): Promise<Record<string, any>>;
  /** The receipts of a statement by bank id, in entry order. */
  receipts(bankStatementId: string): Promise<Array<{ id: string; matchState: string; amountMinor: bigint; unappliedMinor: bigint; version: number }>>;
  json(path: string, init?: Parameters<TestServer['api']>[1]): Promise<{ status: number; body: any }>;
  assertBalanced(transactionId: string): Promise<void>;
}

let statementSeq = 100;

export async function startReviewFixture(backend: BackendName, opts: { env?: Record<string, string> } = {}): Promise<ReviewFixture> {
  const clock = movableClock();
  const server = await startTestServer(backend, { clock, env: { FOUR_EYES_THRESHOLD: '500.00', ...opts.env } });
  const itemsKey = await createClientKey(server, ['items:write', 'items:read'], 'Bürgerbüro');
  const clerkA = await createClientKey(server, ['review', 'approve', 'export'], 'clerk A');
  const clerkB = await createClientKey(server, ['review', 'approve', 'export'], 'clerk B');
  let refSeq = 0;
  const json: ReviewFixture['json'] = async (path, init) => {
    const res = await server.api(path, init);
    const text = await res.text();
    return { status: res.status, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
  };
  return {
    server,
    clock,
    itemsKey,
    clerkA,
    clerkB,
    json,
    async item(amount, debtor, extra = {}) {
      const { status, body } = await json('/v1/items', {
        method: 'POST',
        key: itemsKey,
        json: { category: 'fee', amount, dueDate: '2026-11-30', description: 'Verwaltungsgebühr', debtor: { name: debtor }, externalRef: `EXT-${++refSeq}-${Date.now()}`, bookingData: { haushaltsstelle: '1.1100.1100', sachkonto: '431100' }, ...extra },
      });
      if (status !== 201) throw new Error(`creating item failed: ${status} ${JSON.stringify(body)}`);
      // The new item's look at waiting payments runs after the answer; let it finish, so that it
      // cannot decide a payment of the statement a test imports next while the test works on it.
      await server.settled();
      return body;
    },
    async importStatement(spec) {
      const xml = camt({ seq: ++statementSeq, ...spec });
      const res = await server.api(`/v1/statements?fileName=${spec.id ?? 'x'}.xml`, { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } });
      const body = (await res.json()) as Record<string, any>;
      if (res.status !== 201) throw new Error(`import failed: ${res.status} ${JSON.stringify(body)}`);
      return body;
    },
    async receipts(bankStatementId) {
      return server.db.prisma.bankTransaction.findMany({
        where: { entry: { statement: { bankStatementId } } },
        orderBy: [{ entry: { position: 'asc' } }, { position: 'asc' }],
        select: { id: true, matchState: true, amountMinor: true, unappliedMinor: true, version: true },
      });
    },
    async assertBalanced(transactionId) {
      const db = server.db.prisma;
      const r = await db.bankTransaction.findUniqueOrThrow({ where: { id: transactionId } });
      const live = await db.allocation.findMany({ where: { transactionId, reversal: null } });
      const allocated = live.reduce((s, a) => s + a.amountMinor, 0n);
      const held = (await db.suspenseMovement.findMany({ where: { transactionId } })).reduce((s, m) => s + m.amountMinor, 0n);
      expect(allocated + r.unappliedMinor).toBe(r.amountMinor);
      expect(held).toBe(r.unappliedMinor);
    },
  };
}
