/**
 * A collection run of 100,000 direct debits, on SQLite and on PostgreSQL: gathering the announced
 * debits into a run, releasing it into its pain.008 file (written, read back and compared, kept with
 * its hash), fetching the file, and booking the collection credit (one batch entry without details)
 * to every item through the booking writer. Time per step and the process's peak RSS.
 *
 *   npx tsx bench/collections.ts [--debits 100000] [--backends sqlite,postgresql]
 *
 * The items, mandates and announcements are written in bulk as setup (not measured): announcing is
 * one request per item, spread over weeks in real life.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';

export interface CollectionBenchRow {
  backend: string;
  debits: number;
  gatherSeconds: number;
  releaseSeconds: number;
  fileMB: number;
  fetchSeconds: number;
  creditImportSeconds: number;
  creditBookingSeconds: number;
  /** Peak RSS of the whole measured part, and of each step (sampled every 50 ms, from the step's start). */
  peakRssMB: number;
  /** RSS when the measured part starts (after setup and a GC where --expose-gc allows it). */
  startRssMB: number;
  gatherPeakMB: number;
  releasePeakMB: number;
  fetchPeakMB: number;
  bookingPeakMB: number;
}

export async function runCollectionBench(opts: { debits?: number; backends?: Array<'sqlite' | 'postgresql'>; log?: (l: string) => void } = {}): Promise<CollectionBenchRow[]> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const n = opts.debits ?? 100_000;
  const rows: CollectionBenchRow[] = [];
  for (const backend of opts.backends ?? ['sqlite', 'postgresql']) {
    log(`collections: ${backend}, a run of ${n} direct debits …`);
    const row = await one(backend, n, log);
    log(`  gather ${row.gatherSeconds} s, release ${row.releaseSeconds} s (${row.fileMB} MB), fetch ${row.fetchSeconds} s, credit import ${row.creditImportSeconds} s, booking ${row.creditBookingSeconds} s, peak RSS ${row.peakRssMB} MB from ${row.startRssMB} MB (gather ${row.gatherPeakMB}, release ${row.releasePeakMB}, fetch ${row.fetchPeakMB}, booking ${row.bookingPeakMB})`);
    rows.push(row);
  }
  return rows;
}

async function one(backend: 'sqlite' | 'postgresql', n: number, log: (l: string) => void): Promise<CollectionBenchRow> {
  const { openDatabase } = await import('../src/db/node.js');
  const { loadConfig } = await import('../src/config.js');
  const { formatMinor } = await import('../src/money/money.js');
  const { bulkInsert, BULK_TABLES } = await import('../src/db/bulk.js');
  const { importStatementFile } = await import('../src/services/statements/importStatementFile.js');
  const { gatherCollectionRuns, releaseCollectionRun, collectionRunFile } = await import('../src/services/collections/runs.js');
  const { recognizeCollections } = await import('../src/services/collections/settle.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'stk-bench-dd-'));
  const schema = `stk_bench_dd_${process.pid}`;
  const pgUrl = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  const url = backend === 'sqlite' ? `file:${path.join(dir, 'bench.db')}` : `${pgUrl}?schema=${schema}`;
  const db = await openDatabase(url);
  const config = loadConfig({ DATABASE_URL: url });
  const clock = { now: () => new Date('2026-12-01T09:00:00Z') };
  const as = (id: string) => ({ db, config, clock, log: pino({ level: 'silent' }), actor: { type: 'user' as const, id, name: id, scopes: new Set<never>() } });
  let peak = 0;
  let stepPeak = 0;
  const sample = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    stepPeak = Math.max(stepPeak, rss);
  }, 50);
  /** The peak since the last call, in MB, and a new step starts. */
  const step = () => {
    const mb = Math.round(Math.max(stepPeak, process.memoryUsage().rss) / 1024 / 1024);
    stepPeak = 0;
    return mb;
  };
  try {
    const now = clock.now();
    const collectionDate = '2026-12-15';
    const ITEM = { id: 'text', kassenzeichen: 'text', category: 'text', description: 'text', amountMinor: 'bigint', currency: 'text', dueDate: 'text', debtorName: 'text', debtorNameKey: 'text', bookingData: 'text', status: 'text', paidMinor: 'bigint', createdAt: 'timestamp', updatedAt: 'timestamp', listPosition: 'int', version: 'int' } as const;
    let total = 0n;
    for (let s = 0; s < n; s += 5000) {
      const size = Math.min(5000, n - s);
      const idx = Array.from({ length: size }, (_, i) => s + i);
      const amount = (i: number) => BigInt(1000 + (i % 997) * 7);
      for (const i of idx) total += amount(i);
      await db.transaction(async (tx) => {
        await bulkInsert(tx, db, 'OpenItem', ITEM, idx.map((i) => ({ id: `item-${i}`, kassenzeichen: `9${String(i).padStart(11, '0')}`, category: 'fee', description: 'Grundsteuer 1. Quartal', amountMinor: amount(i), currency: 'EUR', dueDate: collectionDate, debtorName: `Steuerpflichtige ${i}`, debtorNameKey: `steuerpflichtige ${i}`, bookingData: '{}', status: 'open', paidMinor: 0n, createdAt: now, updatedAt: now, listPosition: i, version: 0 })));
        await bulkInsert(tx, db, 'Mandate', BULK_TABLES.Mandate, idx.map((i) => ({ id: `mandate-${i}`, reference: `GRST-${i}`, kind: 'recurrent', debtorName: `Steuerpflichtige Nr. ${i}`, debtorIban: 'DE89370400440532013000', debtorBic: null, debtorRef: null, issuerClientId: null, signedOn: '2026-01-02', status: 'active', statusReason: null, lastCollectedOn: '2026-09-15', finalRequested: false, pendingAmendment: null, createdBy: 'bench', createdAt: now, updatedAt: now, version: 0 })));
        await bulkInsert(tx, db, 'DirectDebit', BULK_TABLES.DirectDebit, idx.map((i) => ({ id: `dd-${i}`, openItemId: `item-${i}`, mandateId: `mandate-${i}`, state: 'announced', amountMinor: amount(i), currency: 'EUR', collectionDate, announcedAt: now, standingFor: `item-${i}`, runId: null, position: null, sequence: null, endToEndId: null, remittance: `Kassenzeichen 9${String(i).padStart(11, '0')} Grundsteuer 1. Quartal`, creditTransactionId: null, returnTransactionId: null, returnReasonCode: null, returnFeeMinor: null, updatedAt: now, version: 0 })));
      });
    }
    log(`  set up ${n} items, mandates and announcements`);
    (globalThis as { gc?: () => void }).gc?.();
    const startRssMB = Math.round(process.memoryUsage().rss / 1024 / 1024);
    peak = 0;
    step();
    const t0 = performance.now();
    const gathered = await gatherCollectionRuns({ ctx: as('alice'), input: { collectionDate } });
    const t1 = performance.now();
    const gatherPeakMB = step();
    const run = gathered.runs[0]!;
    if (gathered.runs.length !== 1 || run.count !== n || run.total !== formatMinor(total, 'EUR')) throw new Error(`bench run gathered ${JSON.stringify(gathered.runs.map((r) => [r.sequence, r.count, r.total]))}`);
    await releaseCollectionRun({ ctx: as('bob'), input: { runId: run.id } });
    const t2 = performance.now();
    const releasePeakMB = step();
    const fileBytes = await fetchFileBytes(collectionRunFile, as('alice'), run.id);
    const t3 = performance.now();
    const fetchPeakMB = step();
    // The bank's credit of the whole run: one batch entry without details, naming the run's PmtInfId.
    const amount = formatMinor(total, 'EUR');
    const { paymentInformationId } = await db.prisma.collectionRun.findUniqueOrThrow({ where: { id: run.id }, select: { paymentInformationId: true } });
    const bal = (code: string, v: bigint) => `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${formatMinor(v, 'EUR')}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${collectionDate}</Dt></Dt></Bal>`;
    const camt = `<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>BENCH-DD</MsgId><CreDtTm>${collectionDate}T20:00:00+01:00</CreDtTm></GrpHdr><Stmt><Id>BENCH-DD-1</Id><ElctrncSeqNb>1</ElctrncSeqNb><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>${bal('OPBD', 0n)}${bal('CLBD', total)}<Ntry><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>${collectionDate}</Dt></BookgDt><ValDt><Dt>${collectionDate}</Dt></ValDt><AcctSvcrRef>DD-CREDIT</AcctSvcrRef><NtryDtls><Btch><PmtInfId>${paymentInformationId}</PmtInfId><NbOfTxs>${n}</NbOfTxs></Btch><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><RmtInf><Ustrd>SEPA-LASTSCHRIFT-SAMMLER</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>\n`;
    const t4 = performance.now();
    await importStatementFile({ ctx: as('import'), input: { source: new TextEncoder().encode(camt), fileName: 'dd.xml' } });
    const credit = await db.prisma.bankTransaction.findFirstOrThrow({ where: { entryRef: 'DD-CREDIT' }, select: { id: true } });
    const t5 = performance.now();
    step();
    const settled = await recognizeCollections({ ctx: as('import'), input: { transactionIds: [credit.id] } });
    const t6 = performance.now();
    const bookingPeakMB = step();
    if (settled.collected !== n) throw new Error(`the credit booked ${settled.collected} of ${n} items`);
    const s = (a: number, b: number) => Math.round((b - a) / 10) / 100;
    return {
      backend,
      debits: n,
      gatherSeconds: s(t0, t1),
      releaseSeconds: s(t1, t2),
      fileMB: Math.round((fileBytes / 1024 / 1024) * 10) / 10,
      fetchSeconds: s(t2, t3),
      creditImportSeconds: s(t4, t5),
      creditBookingSeconds: s(t5, t6),
      peakRssMB: Math.round(peak / 1024 / 1024),
      startRssMB,
      gatherPeakMB,
      releasePeakMB,
      fetchPeakMB,
      bookingPeakMB,
    };
  } finally {
    clearInterval(sample);
    await db.close();
    rmSync(dir, { recursive: true, force: true });
    if (backend === 'postgresql') {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  }
}

/** Fetches a run's file as the download route does and counts its bytes (content whole, or streamed in parts). */
async function fetchFileBytes(fetch: (a: { ctx: any; input: { runId: string } }) => Promise<any>, ctx: unknown, runId: string): Promise<number> {
  const f = await fetch({ ctx, input: { runId } });
  if (typeof f.content === 'string') return Buffer.byteLength(f.content);
  let n = 0;
  for await (const part of f.content as AsyncIterable<Uint8Array>) n += part.byteLength;
  return n;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  console.table(await runCollectionBench({ ...(arg('--debits') ? { debits: Number.parseInt(arg('--debits')!, 10) } : {}), ...(arg('--backends') ? { backends: arg('--backends')!.split(',') as Array<'sqlite' | 'postgresql'> } : {}) }));
}
