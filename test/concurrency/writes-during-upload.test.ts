/**
 * API writes while a large statement is uploaded slowly and imported, on SQLite and PostgreSQL,
 * against the real server process (`src/entry/node.ts`).
 *
 * Before uploads were spooled, the import read the body inside its write transaction: on SQLite
 * every POST /v1/items during an upload slower than the busy timeout (15 s) answered 500. Now the
 * body is received first and the import's transaction waits on nobody, so every write made while
 * the body arrives completes. On PostgreSQL writes go on through the import itself as well. On
 * SQLite the import's own transaction still holds the single write lock until it commits (a
 * statement of 30,000 entries took longer than the 15 s busy timeout on this machine), so there
 * the writes are made while the body arrives only; see the README (Bank statements, limits).
 * Asserted are outcomes, never timings: every request answered 2xx, every item created exactly
 * once, the statement imported exactly once, no receipt booked twice.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';
import { camt, type TxSpec } from '../support/camtBuilder.js';
import { spawnService, stopAll, TEST_ADMIN_KEY, type ServiceProcess } from './support.js';

/** Entries of the statement: 300 payments of items created beforehand, the rest pending bookings. */
const ENTRIES = 30_000;
const PAYING = 300;
/** The body is sent in this many slices with a pause after each: the upload lasts about 20 s. */
const SLICES = 80;
const PAUSE_MS = 250;

type Json = Record<string, any>;

forEachBackend('writes during a slow statement upload', (backend) => {
  let database: TestDatabase;
  let service: ServiceProcess;
  let items: Array<{ id: string; kassenzeichen: string; amount: string }> = [];

  beforeAll(async () => {
    database = freshDatabase(backend);
    // Imported while its sender waits (the job path has its own tests): the answer is the import's.
    service = await spawnService({ name: `writes-${backend}`, databaseUrl: database.url, env: { INLINE_IMPORT_MAX_BYTES: String(64 * 1024 * 1024) } });
    const bulk = Array.from({ length: PAYING }, (_, i) => ({ category: 'fee', amount: `${30 + (i % 50)}.${String(i % 100).padStart(2, '0')}`, dueDate: '2026-12-31', description: `Gebühr ${i}`, debtor: { name: `Bürger ${i}` }, externalRef: `W-${i}` }));
    const created = await service.api('/v1/items/bulk', { method: 'POST', json: { items: bulk } });
    expect(created.status).toBe(201);
    items = ((await created.json()) as Json).items.map((x: Json) => ({ id: x.id, kassenzeichen: x.kassenzeichen, amount: bulk[x.row - 1]!.amount }));
  }, 120_000);

  afterAll(async () => {
    await stopAll([service]);
    await database?.drop();
  });

  it('answers every item creation and read 2xx while the upload runs; the statement is imported once, nothing booked twice', async () => {
    const entries: TxSpec[] = Array.from({ length: ENTRIES }, (_, i) =>
      i < PAYING ? { amount: items[i]!.amount, remittance: [`KZ ${items[i]!.kassenzeichen}`], ref: `WP-${i}` } : { amount: '1.20', credit: i % 2 === 0, name: 'Parkgebühren', ref: `WF-${i}`, status: 'PDNG' },
    );
    const body = Buffer.from(camt({ id: 'WRITES-1', seq: 1, entries }));

    let uploading = true;
    const upload = slowUpload(service, body, () => {
      if (backend === 'sqlite') uploading = false;
    }).finally(() => (uploading = false));

    // Writes and reads, a few at a time, for as long as the upload and its import last.
    const outcomes: Array<{ kind: string; status: number }> = [];
    const createdRefs: string[] = [];
    let n = 0;
    const worker = async () => {
      while (uploading) {
        const ref = `DURING-${n++}`;
        const res = await service.api('/v1/items', { method: 'POST', json: { category: 'fee', amount: '12.34', dueDate: '2026-12-31', description: 'während des Imports', debtor: { name: 'Eva Muster' }, externalRef: ref } });
        outcomes.push({ kind: 'POST /v1/items', status: res.status });
        if (res.status === 201) createdRefs.push(ref);
        await res.arrayBuffer();
        const read = await service.api('/v1/statements?limit=5');
        outcomes.push({ kind: 'GET /v1/statements', status: read.status });
        await read.arrayBuffer();
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    const answer = await upload;

    expect(answer.status, answer.body.slice(0, 500)).toBe(201);
    const result = JSON.parse(answer.body) as Json;
    expect(result.entries).toMatchObject({ read: ENTRIES, new: PAYING, notBooked: ENTRIES - PAYING });
    expect(outcomes.length).toBeGreaterThan(10);
    expect(outcomes.filter((o) => o.status >= 300)).toEqual([]);

    // Nothing lost: every item answered 201 is there once.
    const db = await database.open();
    try {
      expect(await db.prisma.openItem.count({ where: { externalRef: { startsWith: 'DURING-' } } })).toBe(createdRefs.length);
      expect(await db.prisma.statement.count({ where: { bankStatementId: 'WRITES-1' } })).toBe(1);
      expect(await db.prisma.entry.count({ where: { statement: { bankStatementId: 'WRITES-1' } } })).toBe(ENTRIES);
      // Matching runs after the import has committed; wait for it (bounded), then check the ledger.
      for (let i = 0; i < 240 && (await db.prisma.bankTransaction.count({ where: { matchState: 'pending' } })) > 0; i++) await new Promise((r) => setTimeout(r, 250));
      const allocations = await db.prisma.allocation.groupBy({ by: ['openItemId'], _count: { _all: true } });
      expect(allocations.length).toBe(PAYING);
      expect(allocations.every((a) => a._count._all === 1)).toBe(true);
    } finally {
      await db.close();
    }
  }, 180_000);
});

/** Sends the statement in slices with pauses (a slow sender); resolves with the answer. */
function slowUpload(service: ServiceProcess, body: Buffer, sent: () => void): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: service.port, method: 'POST', path: '/v1/statements?fileName=slow.xml', headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/xml', 'content-length': body.length } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    const slice = Math.ceil(body.length / SLICES);
    let at = 0;
    const next = () => {
      if (at >= body.length) {
        sent();
        return void req.end();
      }
      req.write(body.subarray(at, at + slice));
      at += slice;
      setTimeout(next, PAUSE_MS);
    };
    next();
  });
}
