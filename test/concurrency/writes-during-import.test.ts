/**
 * Writes while a statement is being imported, against the real server process (`npm start`: the
 * import runs in its own thread with its own connections), on SQLite and on two instances over one
 * PostgreSQL schema (the import on one, the writes on the other).
 *
 * A statement is uploaded slowly, chunk by chunk, and while it arrives and is imported clients raise
 * items — some of them claims that payments of an earlier statement (waiting in the review queue)
 * quote — and create payment requests. Every write must answer 2xx (on SQLite it answered 500 after
 * the 15 s busy timeout, with the whole server frozen, while the import thread held the write lock
 * waiting for the next chunk that the blocked main thread could not hand it). Afterwards: every
 * item exists once, every quoted payment is booked exactly once to its item, the import is whole
 * and stored once. Outcomes only, no timings.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { camt } from '../support/camtBuilder.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';
import { schemaOf, spawnService, stopAll, withSchema, type ServiceProcess } from './support.js';
import { DEFAULT_SCHEME, generateKassenzeichen, nextUsableSerial } from '../../src/references/kassenzeichen.js';

type Json = Record<string, any>;

const QUOTED = 12;
const kz = (i: number) => generateKassenzeichen(DEFAULT_SCHEME, 'fee', nextUsableSerial(DEFAULT_SCHEME, 'fee', BigInt(900_000 + i * 20))!);

forEachBackend('writes during a statement import', (backend) => {
  let database: TestDatabase;
  /** SQLite: one process. PostgreSQL: the import on the first instance, the writes on the second. */
  let importer: ServiceProcess;
  let service: ServiceProcess;
  let key: string;

  beforeAll(async () => {
    database = freshDatabase(backend);
    importer = await spawnService({ name: `import-${backend}`, databaseUrl: database.url });
    service = backend === 'sqlite' ? importer : await spawnService({ name: `writes-${backend}`, databaseUrl: database.url });
    const res = await service.api('/v1/clients', { method: 'POST', json: { name: 'Fachverfahren', scopes: ['items:read', 'items:write', 'statements:import', 'statements:read'] } });
    key = ((await res.json()) as Json).apiKey;
  });
  afterAll(async () => {
    await stopAll([importer, service]);
    await database?.drop();
  });

  interface Stored {
    items: Array<{ kassenzeichen: string; paidMinor: number; status: string }>;
    allocations: Array<{ transactionId: string; n: number }>;
    newItems: number;
    extraItems: number;
    big: number;
    bigStatements: number;
  }
  const QUERIES = {
    items: `SELECT "kassenzeichen", "paidMinor", "status" FROM "OpenItem" WHERE "externalRef" LIKE 'Q-%'`,
    allocations: `SELECT a."transactionId", COUNT(*) AS n FROM "Allocation" a GROUP BY a."transactionId"`,
    newItems: `SELECT COUNT(*) AS n FROM "OpenItem" WHERE "externalRef" LIKE 'N-%'`,
    extraItems: `SELECT COUNT(DISTINCT "externalRef") AS n FROM "OpenItem" WHERE "externalRef" LIKE 'E-%'`,
    big: `SELECT COUNT(*) AS n FROM "BankTransaction" t JOIN "Entry" e ON e."id" = t."entryId" JOIN "Statement" s ON s."id" = e."statementId" WHERE s."bankStatementId" = 'BIG-1'`,
    bigStatements: `SELECT COUNT(*) AS n FROM "Statement" s WHERE s."bankStatementId" = 'BIG-1'`,
  };
  /** What the database holds, read around the service. */
  async function read(): Promise<Stored> {
    if (backend === 'sqlite') {
      const c = new BetterSqlite3(database.url.slice('file:'.length), { readonly: true });
      try {
        return {
          items: c.prepare(QUERIES.items).all() as Stored['items'],
          allocations: c.prepare(QUERIES.allocations).all() as Stored['allocations'],
          newItems: (c.prepare(QUERIES.newItems).get() as { n: number }).n,
          extraItems: (c.prepare(QUERIES.extraItems).get() as { n: number }).n,
          big: (c.prepare(QUERIES.big).get() as { n: number }).n,
          bigStatements: (c.prepare(QUERIES.bigStatements).get() as { n: number }).n,
        };
      } finally {
        c.close();
      }
    }
    return withSchema(schemaOf(database.url), async (c) => {
      const n = async (sql: string) => Number((await c.query(sql)).rows[0].n);
      return {
        items: (await c.query(QUERIES.items)).rows,
        allocations: (await c.query(QUERIES.allocations)).rows,
        newItems: await n(QUERIES.newItems),
        extraItems: await n(QUERIES.extraItems),
        big: await n(QUERIES.big),
        bigStatements: await n(QUERIES.bigStatements),
      };
    });
  }

  it('answers every write 2xx while a statement arrives slowly; quoted payments are booked once each', async () => {
    // Payments that came before their claims: they wait (unmatched) until the items are raised.
    const early = camt({
      id: 'EARLY-1',
      entries: Array.from({ length: QUOTED }, (_, i) => ({ amount: '41.10', name: `Zahler ${i}`, remittance: [`Gebuehr ${kz(i)}`] })),
    });
    const first = await service.api('/v1/statements?fileName=early.xml', { method: 'POST', key, body: early, headers: { 'content-type': 'application/xml' } });
    expect(first.status, await first.clone().text()).toBe(201);

    // A larger statement, sent in small pieces with pauses, so writes arrive while it is read.
    const big = new TextEncoder().encode(
      camt({ id: 'BIG-1', seq: 2, entries: Array.from({ length: 3000 }, (_, i) => ({ amount: `${(i % 90) + 10}.00`, name: `Person ${i}`, remittance: [`Verwendung ${i}`] })) }),
    );
    const pieces = 40;
    const size = Math.ceil(big.length / pieces);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= big.length) return controller.close();
        await new Promise((r) => setTimeout(r, 100));
        controller.enqueue(big.subarray(sent, sent + size));
        sent += size;
      },
    });
    const upload = importer.api('/v1/statements?fileName=big.xml', { method: 'POST', key, body, headers: { 'content-type': 'application/xml' }, duplex: 'half' } as RequestInit & { key: string });

    // Wait until the body is partly sent, then write.
    while (sent < big.length / 4) await new Promise((r) => setTimeout(r, 20));
    const writes: Array<Promise<{ kind: string; status: number; body: Json }>> = [];
    for (let i = 0; i < QUOTED; i++) {
      writes.push(
        service
          .api('/v1/items', { method: 'POST', key, json: { category: 'fee', amount: '41.10', dueDate: '2026-12-31', description: `Gebühr ${i}`, debtor: { name: `Zahler ${i}` }, kassenzeichen: kz(i), externalRef: `Q-${i}` } })
          .then(async (r) => ({ kind: 'quoted item', status: r.status, body: (await r.json()) as Json })),
      );
    }
    for (let i = 0; i < 10; i++) {
      writes.push(
        service
          .api('/v1/items', { method: 'POST', key, json: { category: 'fee', amount: '12.00', dueDate: '2026-12-31', description: `Neu ${i}`, debtor: { name: `Neu ${i}` }, externalRef: `N-${i}` } })
          .then(async (r) => {
            const item = (await r.json()) as Json;
            if (r.status !== 201) return { kind: 'item', status: r.status, body: item };
            const pr = await service.api('/v1/payment-requests', { method: 'POST', key, json: { itemIds: [item.id] } });
            return { kind: 'payment request', status: pr.status, body: (await pr.json()) as Json };
          }),
      );
    }
    // And one item after the other until the import has answered: some of them arrive while the
    // body is read ahead, some while the import writes.
    let uploadDone = false;
    const uploading = upload.finally(() => (uploadDone = true));
    let extra = 0;
    while (!uploadDone) {
      const r = await service.api('/v1/items', { method: 'POST', key, json: { category: 'fee', amount: '7.00', dueDate: '2026-12-31', description: `Dazwischen ${extra}`, debtor: { name: `Dazwischen ${extra}` }, externalRef: `E-${extra}` } });
      writes.push(Promise.resolve({ kind: 'item during the import', status: r.status, body: (await r.json()) as Json }));
      extra++;
    }
    const answers = await Promise.all(writes);
    const uploaded = await uploading;
    console.log(`[concurrency] ${backend}: ${extra} items created one after the other until the import answered`);
    expect(uploaded.status, await uploaded.clone().text()).toBe(201);
    for (const a of answers) expect(a.status, `${a.kind}: ${JSON.stringify(a.body)}`).toBeLessThan(300);

    // The waiting payments are booked by the re-matching run after the items arrived (off the
    // request; polled here until done, bounded).
    let state = await read();
    for (let i = 0; i < 100 && state.items.some((x) => x.status !== 'paid'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      state = await read();
    }
    expect(state.items).toHaveLength(QUOTED);
    expect(state.items.every((x) => x.status === 'paid' && Number(x.paidMinor) === 4110)).toBe(true);
    expect(state.allocations.every((a) => Number(a.n) === 1)).toBe(true);
    expect(state.newItems).toBe(10);
    expect(state.extraItems).toBe(extra);
    expect(state.big).toBe(3000);
    expect(state.bigStatements).toBe(1);
  });
});
