/**
 * End-to-end reconciliation benchmark: a camt.053 with T transactions is imported and matched
 * against N open items, including every database write (entries, transactions, proposals,
 * allocations, item balances, events, suspense, audit), on SQLite and on PostgreSQL. Each run is a
 * child process, so its peak RSS is its own.
 *
 *   npx tsx bench/reconcile.ts [--transactions 100000] [--items 100000,1000000] [--backends sqlite,postgresql]
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface ReconcileBenchOptions {
  transactions?: number;
  itemCounts?: number[];
  backends?: Array<'sqlite' | 'postgresql'>;
  log?: (line: string) => void;
}

export interface ReconcileBenchRow {
  backend: string;
  items: number;
  transactions: number;
  importSeconds: number;
  matchSeconds: number;
  transactionsPerSecond: number;
  /** CPU time of the process in import and in matching + booking (less sensitive to other load on the machine). */
  importCpuSeconds: number;
  matchCpuSeconds: number;
  /** One-time start-up: loading the open items into the matcher's index (not in transactionsPerSecond). */
  indexBuildSeconds: number;
  autoBooked: number;
  peakRssMB: number;
}

// ------------------------------------------------------------------------------------------------
// Child: one measurement.

async function child(backend: 'sqlite' | 'postgresql', itemCount: number, txCount: number): Promise<void> {
  const { openDatabase } = await import('../src/db/node.js');
  const { computeCheckDigits } = await import('../src/references/checkDigits.js');
  const { createServices } = await import('../src/services/registry.js');
  const { loadConfig } = await import('../src/config.js');
  const { SYSTEM_ACTOR, systemClock } = await import('../src/context.js');
  const { formatMinor } = await import('../src/money/money.js');
  const { createReadStream } = await import('node:fs');
  const pino = (await import('pino')).default;
  const pg = (await import('pg')).default;
  const { bulkInsert } = await import('../src/db/bulk.js');
  const ITEM_COLUMNS = {
    id: 'text', kassenzeichen: 'text', rfReference: 'text', category: 'text', description: 'text', amountMinor: 'bigint', currency: 'text', dueDate: 'text', debtorName: 'text',
    debtorNameKey: 'text', bookingData: 'text', status: 'text', paidMinor: 'bigint', createdAt: 'timestamp', updatedAt: 'timestamp', listPosition: 'int', version: 'int',
  } as const;

  const dir = mkdtempSync(path.join(tmpdir(), 'stk-bench-'));
  const schema = `stk_bench_${process.pid}`;
  const pgUrl = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  const url = backend === 'sqlite' ? `file:${path.join(dir, 'bench.db')}` : `${pgUrl}?schema=${schema}`;
  const db = await openDatabase(url);
  const config = loadConfig({ DATABASE_URL: url });
  const ctx = { db, config, clock: systemClock, log: pino({ level: 'silent' }), actor: SYSTEM_ACTOR };
  try {
    // Open items: Luhn-protected serial Kassenzeichen, a handful of typical fine and fee amounts.
    const AMOUNTS = [1000n, 1500n, 2000n, 2500n, 3000n, 3500n, 5500n, 1250n, 8850n, 31218n];
    const SURNAMES = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Koch', 'Richter'];
    const GIVEN = ['Anna', 'Jörg', 'Petra', 'Klaus', 'Sophie', 'Elias', 'Finn', 'Ayşe', 'Lukas', 'Marie'];
    const kz = (i: number) => {
      const payload = '51' + String(i).padStart(9, '0');
      return payload + computeCheckDigits('luhn', payload);
    };
    const itemOf = (i: number) => ({ kz: kz(i), amount: AMOUNTS[i % AMOUNTS.length]!, name: `${GIVEN[i % GIVEN.length]} ${SURNAMES[(i * 7) % SURNAMES.length]} ${i % 997}` });
    // Raised a day before the statement arrives, as open items are: the matcher index's first
    // refresh then re-reads only what changed since (see the README on what the figures contain).
    const now = new Date(Date.now() - 24 * 3600_000);
    for (let start = 0; start < itemCount; start += 5000) {
      const rows: Array<Record<string, string | number | bigint | Date>> = [];
      for (let i = start; i < Math.min(itemCount, start + 5000); i++) {
        const it = itemOf(i);
        rows.push({
          id: `item-${i}`, kassenzeichen: it.kz, rfReference: `RF-${i}`, category: 'fine', description: 'Verwarnungsgeld', amountMinor: it.amount, currency: 'EUR',
          dueDate: '2026-12-01', debtorName: it.name, debtorNameKey: it.name.toLowerCase(), bookingData: '{}', status: 'open', paidMinor: 0n, createdAt: now, updatedAt: now, listPosition: i, version: 0,
        });
      }
      await db.transaction((tx) => bulkInsert(tx, db, 'OpenItem', ITEM_COLUMNS, rows));
    }

    // The statement: mostly clean references in various spellings, some typos, some without a
    // reference, some outgoing payments.
    const file = path.join(dir, 'statement.xml');
    const out = createWriteStream(file);
    const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
    let balance = 0n;
    const entries: string[] = [];
    await write(`<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2026-11-16T20:00:00+01:00</CreDtTm></GrpHdr><Stmt><Id>BENCH-1</Id><ElctrncSeqNb>1</ElctrncSeqNb><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>`);
    const step = Math.max(1, Math.floor(itemCount / txCount));
    for (let t = 0; t < txCount; t++) {
      const i = (t * step) % itemCount;
      const it = itemOf(i);
      const kind = t % 20;
      const debit = kind === 19;
      const amount = debit ? 490n : it.amount;
      balance += debit ? -amount : amount;
      let remittance = `Kassenzeichen ${it.kz.slice(0, 4)}.${it.kz.slice(4, 11)}.${it.kz.slice(11)}`;
      if (kind === 17) remittance = `KZ ${it.kz.slice(0, 5)}${(Number(it.kz[5]) + 1) % 10}${it.kz.slice(6)}`;
      if (kind === 18) remittance = 'Zahlung Verwarnung';
      entries.push(
        `<Ntry><Amt Ccy="EUR">${formatMinor(amount, 'EUR')}</Amt><CdtDbtInd>${debit ? 'DBIT' : 'CRDT'}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-16</Dt></BookgDt><ValDt><Dt>2026-11-16</Dt></ValDt><AcctSvcrRef>B${t}</AcctSvcrRef><BkTxCd><Prtry><Cd>NTRF+${debit ? '117' : '166'}+0000</Cd><Issr>DK</Issr></Prtry></BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><Amt Ccy="EUR">${formatMinor(amount, 'EUR')}</Amt><CdtDbtInd>${debit ? 'DBIT' : 'CRDT'}</CdtDbtInd><RltdPties><Dbtr><Pty><Nm>${it.name}</Nm></Pty></Dbtr></RltdPties><RmtInf><Ustrd>${remittance}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n`,
      );
      if (entries.length === 1000) {
        await write(entries.join(''));
        entries.length = 0;
      }
    }
    await write(entries.join(''));
    const bal = (code: string, v: bigint) => `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${formatMinor(v < 0n ? -v : v, 'EUR')}</Amt><CdtDbtInd>${v < 0n ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>2026-11-16</Dt></Dt></Bal>`;
    // Balances after the entries are tolerated by the reader; written last because the sum is known only now.
    await write(`${bal('OPBD', 0n)}${bal('CLBD', balance)}</Stmt></BkToCstmrStmt></Document>\n`);
    await new Promise<void>((r) => out.end(() => r()));

    const services = createServices(config);
    // Warm the matcher's index first: loading a million items is start-up work, not per payment.
    const t0 = performance.now();
    await services.matching.index.current(db);
    const tIndex = performance.now();
    const c0 = process.cpuUsage();
    const { importStatementFile } = await import('../src/services/statements/importStatementFile.js');
    const { matchImport } = await import('../src/services/statements/importAndMatch.js');
    const imported = await importStatementFile({ ctx, input: { source: createReadStream(file), fileName: 'bench.xml' } });
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const summary = await matchImport({ ctx, deps: services.matching, input: { importId: imported.importId } });
    const t2 = performance.now();
    const c2 = process.cpuUsage();
    const cpu = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => Math.round((b.user + b.system - a.user - a.system) / 10_000) / 100;
    const row: ReconcileBenchRow = {
      backend,
      items: itemCount,
      transactions: txCount,
      importSeconds: Math.round((t1 - tIndex) / 10) / 100,
      matchSeconds: Math.round((t2 - t1) / 10) / 100,
      transactionsPerSecond: Math.round((txCount * 1000) / (t2 - tIndex)),
      importCpuSeconds: cpu(c0, c1),
      matchCpuSeconds: cpu(c1, c2),
      indexBuildSeconds: Math.round((tIndex - t0) / 10) / 100,
      autoBooked: summary.auto,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.stdout.write(JSON.stringify(row) + '\n');
  } finally {
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

// ------------------------------------------------------------------------------------------------
// Parent: runs each configuration in its own process.

export async function runReconcileBench(opts: ReconcileBenchOptions = {}): Promise<ReconcileBenchRow[]> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const rows: ReconcileBenchRow[] = [];
  for (const backend of opts.backends ?? ['sqlite', 'postgresql']) {
    for (const items of opts.itemCounts ?? [100_000, 1_000_000]) {
      const transactions = opts.transactions ?? 100_000;
      log(`reconcile: ${backend}, ${items} items, ${transactions} transactions …`);
      const out = await new Promise<string>((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', '--max-old-space-size=8192', path.join(here, 'reconcile.ts'), '--child', backend, String(items), String(transactions)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let text = '';
        p.stdout.on('data', (d) => (text += d));
        p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`bench child exited with ${code}`))));
      });
      const row = JSON.parse(out.trim().split('\n').pop()!) as ReconcileBenchRow;
      log(
        `  ${row.transactionsPerSecond} transactions/s (import ${row.importSeconds} s, matching+booking ${row.matchSeconds} s; CPU ${row.importCpuSeconds} + ${row.matchCpuSeconds} s), ` +
          `${row.autoBooked} booked automatically, peak RSS ${row.peakRssMB} MB; one-time index build ${row.indexBuildSeconds} s (not included)`,
      );
      rows.push(row);
    }
  }
  return rows;
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  await child(argv[1] as 'sqlite' | 'postgresql', Number.parseInt(argv[2]!, 10), Number.parseInt(argv[3]!, 10));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const rows = await runReconcileBench({
    ...(arg('--transactions') ? { transactions: Number.parseInt(arg('--transactions')!, 10) } : {}),
    ...(arg('--items') ? { itemCounts: arg('--items')!.split(',').map((s) => Number.parseInt(s, 10)) } : {}),
    ...(arg('--backends') ? { backends: arg('--backends')!.split(',') as Array<'sqlite' | 'postgresql'> } : {}),
  });
  console.table(rows);
}

