/**
 * A collection run larger than a page, on both backends: gathering, releasing and fetching work a
 * page (500 debits) at a time, and what they produce must be what one whole pass produced. The
 * run has 1,234 debits (three pages and a part), and one hundred debtors have two items in it,
 * one on the first page and one on the third: their mandate is recorded once (the second page
 * finds it recorded by this release), and both debits report its amendment, as the mandate stood
 * when the file was written. The file, read back with the independent reader, has every debit in
 * order, to the cent, and both control sums; the kept chunks hash to what the run names.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { bulkInsert, BULK_TABLES } from '../../src/db/bulk.js';
import { collectionRunFile, gatherCollectionRuns, releaseCollectionRun } from '../../src/services/collections/runs.js';
import { FILE_CHUNK_BYTES } from '../../src/services/sepaRuns/file.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';
import { dkDirectDebitViolations, readDirectDebit } from '../support/painReader.js';

const N = 1234;
const TWICE = 100;
const collectionDate = '2026-12-15';
const amount = (i: number) => BigInt(1000 + (i % 997) * 7);

forEachBackend('a collection run of several pages', (backend) => {
  let database: TestDatabase;
  let db: Database;
  const clock = { now: () => new Date('2026-12-01T09:00:00Z') };
  const as = (id: string): Ctx => ({ db, config: loadConfig({ DATABASE_URL: database.url }), clock, log: pino({ level: 'silent' }), actor: { type: 'user', id, name: id, scopes: new Set() } });

  beforeAll(async () => {
    database = freshDatabase(backend);
    db = await database.open();
    const now = clock.now();
    const ITEM = { id: 'text', kassenzeichen: 'text', category: 'text', description: 'text', amountMinor: 'bigint', currency: 'text', dueDate: 'text', debtorName: 'text', debtorNameKey: 'text', bookingData: 'text', status: 'text', paidMinor: 'bigint', createdAt: 'timestamp', updatedAt: 'timestamp', listPosition: 'int', version: 'int' } as const;
    const idx = Array.from({ length: N }, (_, i) => i);
    // Debits 1,100 … 1,199 (third page) use the mandates of debits 0 … 99 (first page).
    const mandateOf = (i: number) => (i >= 1100 && i < 1100 + TWICE ? i - 1100 : i);
    await db.transaction(async (tx) => {
      await bulkInsert(tx, db, 'OpenItem', ITEM, idx.map((i) => ({ id: `item-${i}`, kassenzeichen: `9${String(i).padStart(11, '0')}`, category: 'fee', description: 'Grundsteuer', amountMinor: amount(i), currency: 'EUR', dueDate: collectionDate, debtorName: `Steuerpflichtige ${i}`, debtorNameKey: `steuerpflichtige ${i}`, bookingData: '{}', status: 'open', paidMinor: 0n, createdAt: now, updatedAt: now, listPosition: i, version: 0 })));
      await bulkInsert(tx, db, 'Mandate', BULK_TABLES.Mandate, idx.filter((i) => mandateOf(i) === i).map((i) => ({ id: `mandate-${i}`, reference: `GRST-${i}`, kind: 'recurrent', debtorName: `Steuerpflichtige Nr. ${i}`, debtorIban: 'DE89370400440532013000', debtorBic: null, debtorRef: null, issuerClientId: null, signedOn: '2026-01-02', status: 'active', statusReason: null, lastCollectedOn: '2026-09-15', finalRequested: false, pendingAmendment: i < TWICE ? JSON.stringify({ originalIban: 'DE12500105170648489890' }) : null, createdBy: 'test', createdAt: now, updatedAt: now, version: 0 })));
      await bulkInsert(tx, db, 'DirectDebit', BULK_TABLES.DirectDebit, idx.map((i) => ({ id: `dd-${String(i).padStart(5, '0')}`, openItemId: `item-${i}`, mandateId: `mandate-${mandateOf(i)}`, state: 'announced', amountMinor: amount(i), currency: 'EUR', collectionDate, announcedAt: new Date(now.getTime() + i), standingFor: `item-${i}`, runId: null, position: null, sequence: null, endToEndId: null, remittance: `Kassenzeichen 9${String(i).padStart(11, '0')} Grundsteuer`, creditTransactionId: null, returnTransactionId: null, returnReasonCode: null, returnFeeMinor: null, updatedAt: now, version: 0 })));
    });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('gathers, releases and hands out the file page by page, as one pass would', async () => {
    const total = Array.from({ length: N }, (_, i) => amount(i)).reduce((s, a) => s + a, 0n);
    const gathered = await gatherCollectionRuns({ ctx: as('alice'), input: { collectionDate } });
    expect(gathered.skipped).toEqual([]);
    expect(gathered.runs.map((r) => [r.sequence, r.count])).toEqual([['RCUR', N]]);
    const run = gathered.runs[0]!;
    // Positions follow the order of announcement, without gaps, across pages.
    const placed = await db.prisma.directDebit.findMany({ where: { runId: run.id }, orderBy: { position: 'asc' }, select: { id: true, position: true, endToEndId: true } });
    expect(placed.map((d) => d.position)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(placed.map((d) => d.id)).toEqual(Array.from({ length: N }, (_, i) => `dd-${String(i).padStart(5, '0')}`));

    await releaseCollectionRun({ ctx: as('bob'), input: { runId: run.id } });
    const released = await db.prisma.collectionRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(released.fileContent).toBeNull();
    const chunks = await db.prisma.sepaFileChunk.findMany({ where: { runId: run.id }, orderBy: { position: 'asc' } });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.slice(0, -1).every((c) => c.bytes.byteLength === FILE_CHUNK_BYTES)).toBe(true);
    const kept = Buffer.concat(chunks.map((c) => c.bytes));
    expect(createHash('sha256').update(kept).digest('hex')).toBe(released.fileSha256);

    const f = await collectionRunFile({ ctx: as('alice'), input: { runId: run.id } });
    const xml = await new Response(f.content).text();
    expect(Buffer.from(xml, 'utf8').equals(kept)).toBe(true);
    const file = readDirectDebit(xml);
    expect(dkDirectDebitViolations(file)).toEqual([]);
    expect(file).toMatchObject({ count: N, controlSumCents: total });
    const debits = file.payments[0]!.debits;
    expect(debits.map((d) => d.cents)).toEqual(Array.from({ length: N }, (_, i) => amount(i)));
    expect(debits.map((d) => d.endToEndId)).toEqual(placed.map((d) => d.endToEndId));
    // Both debits of a mandate used twice report its amendment; it is cleared once, afterwards.
    expect(debits.filter((d) => d.amended === 'true').map((d) => d.mandateId)).toEqual([...Array.from({ length: TWICE }, (_, i) => `GRST-${i}`), ...Array.from({ length: TWICE }, (_, i) => `GRST-${i}`)]);
    const mandates = await db.prisma.mandate.findMany({ select: { lastCollectedOn: true, pendingAmendment: true, version: true } });
    expect(mandates.length).toBe(N - TWICE);
    expect(mandates.every((m) => m.lastCollectedOn === collectionDate && m.pendingAmendment === null && m.version === 1)).toBe(true);
    expect(await db.prisma.directDebit.count({ where: { runId: run.id, state: 'sent' } })).toBe(N);
  });

  it('is written into the outbox by bin/stadtkasse sepa, as a copy once it was fetched', async () => {
    const run = await db.prisma.collectionRun.findFirstOrThrow({ where: { status: 'released' } });
    const outbox = mkdtempSync(join(tmpdir(), 'stk-outbox-dd-'));
    const cli = (args: string[]) => spawnSync(new URL('../../bin/stadtkasse', import.meta.url).pathname, ['sepa', ...args, '--dir', outbox, '--database-url', database.url], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LOG_LEVEL: 'warn' } });
    // Fetched once above: the outbox has nothing waiting, and writing it again needs --copy.
    expect(cli(['outbox']).stdout).toMatch(/no released collection file waits/);
    expect(cli(['write', '--collection-run', String(run.number)]).status).toBe(1);
    const copy = cli(['write', '--collection-run', String(run.number), '--copy']);
    expect(copy.status, copy.stderr).toBe(0);
    expect(readdirSync(outbox)).toEqual([`${run.messageId}.copy-1.xml`]);
    const bytes = readFileSync(join(outbox, `${run.messageId}.copy-1.xml`));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(run.fileSha256);
  });

  it('refuses to hand out a kept file whose bytes changed', async () => {
    const run = await db.prisma.collectionRun.findFirstOrThrow({ where: { status: 'released' } });
    const chunk = await db.prisma.sepaFileChunk.findUniqueOrThrow({ where: { runId_position: { runId: run.id, position: 1 } } });
    const bytes = new Uint8Array(chunk.bytes);
    bytes[100] = bytes[100] === 0x31 ? 0x32 : 0x31;
    await db.prisma.sepaFileChunk.update({ where: { runId_position: { runId: run.id, position: 1 } }, data: { bytes } });
    await expect(collectionRunFile({ ctx: as('alice'), input: { runId: run.id } })).rejects.toThrow(/no longer has its SHA-256/);
    expect((await db.prisma.collectionRun.findUniqueOrThrow({ where: { id: run.id } })).downloads).toBe(2);
  });
});
