/**
 * How long closing a booking day takes: a camt.053 with N bookings (50,000 by default) and one
 * audit entry per booking, on SQLite and on PostgreSQL. Measured: sealing the day's audit entries
 * into the chain, computing the closing (preview), determining it and signing it; beside it the
 * import of the same statement, so the closing reads as a share of the day's own import.
 *
 *   npx tsx bench/closing.ts [--bookings 50000] [--backends sqlite,postgresql]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';

export interface ClosingBenchRow {
  backend: string;
  bookings: number;
  importSeconds: number;
  sealSeconds: number;
  previewSeconds: number;
  determineSeconds: number;
  signSeconds: number;
  /** Determine + sign (with sealing): what the two people wait for. */
  closeSeconds: number;
  /** closeSeconds / importSeconds, measured in the same run. */
  closeToImport: number;
}

export async function runClosingBench(opts: { bookings?: number; backends?: Array<'sqlite' | 'postgresql'>; log?: (l: string) => void } = {}): Promise<ClosingBenchRow[]> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const n = opts.bookings ?? 50_000;
  const rows: ClosingBenchRow[] = [];
  for (const backend of opts.backends ?? ['sqlite', 'postgresql']) {
    log(`closing: ${backend}, a day of ${n} bookings …`);
    const row = await one(backend, n);
    log(`  close ${row.closeSeconds} s (seal ${row.sealSeconds} s, determine ${row.determineSeconds} s, sign ${row.signSeconds} s); preview ${row.previewSeconds} s; import of the day ${row.importSeconds} s (close/import ${row.closeToImport})`);
    rows.push(row);
  }
  return rows;
}

async function one(backend: 'sqlite' | 'postgresql', n: number): Promise<ClosingBenchRow> {
  const { openDatabase } = await import('../src/db/node.js');
  const { loadConfig } = await import('../src/config.js');
  const { formatMinor } = await import('../src/money/money.js');
  const { bulkInsert } = await import('../src/db/bulk.js');
  const { importStatementFile } = await import('../src/services/statements/importStatementFile.js');
  const { previewClosing, determineClosing, signClosing } = await import('../src/services/closings/closings.js');
  const { sealAuditChain } = await import('../src/services/shared/audit.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'stk-bench-closing-'));
  const schema = `stk_bench_closing_${process.pid}`;
  const pgUrl = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  const url = backend === 'sqlite' ? `file:${path.join(dir, 'bench.db')}` : `${pgUrl}?schema=${schema}`;
  const db = await openDatabase(url);
  const config = loadConfig({ DATABASE_URL: url });
  const clock = { now: () => new Date('2026-11-16T17:00:00Z') };
  const as = (id: string) => ({ db, config, clock, log: pino({ level: 'silent' }), actor: { type: 'user' as const, id, name: id, scopes: new Set<never>() } });
  try {
    let balance = 0n;
    const parts: string[] = [`<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>BENCH-CLOSING</MsgId><CreDtTm>2026-11-16T20:00:00+01:00</CreDtTm></GrpHdr><Stmt><Id>BENCH-CLOSING-1</Id><ElctrncSeqNb>1</ElctrncSeqNb><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>`];
    for (let t = 0; t < n; t++) {
      const debit = t % 20 === 19;
      const amount = debit ? 490n : BigInt(1000 + (t % 37) * 125);
      balance += debit ? -amount : amount;
      const cd = debit ? 'DBIT' : 'CRDT';
      parts.push(`<Ntry><Amt Ccy="EUR">${formatMinor(amount, 'EUR')}</Amt><CdtDbtInd>${cd}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-16</Dt></BookgDt><ValDt><Dt>2026-11-16</Dt></ValDt><AcctSvcrRef>C${t}</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><Amt Ccy="EUR">${formatMinor(amount, 'EUR')}</Amt><CdtDbtInd>${cd}</CdtDbtInd><RmtInf><Ustrd>Zahlung ${t}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n`);
    }
    const bal = (code: string, v: bigint) => `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${formatMinor(v < 0n ? -v : v, 'EUR')}</Amt><CdtDbtInd>${v < 0n ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>2026-11-16</Dt></Dt></Bal>`;
    parts.push(`${bal('OPBD', 0n)}${bal('CLBD', balance)}</Stmt></BkToCstmrStmt></Document>\n`);
    const t0 = performance.now();
    await importStatementFile({ ctx: as('import'), input: { source: new TextEncoder().encode(parts.join('')), fileName: 'bench.xml' } });
    const t1 = performance.now();
    // One audit entry per booking, as the matcher writes them: the day's share of the chain to seal.
    const AUDIT = { id: 'text', at: 'timestamp', actorType: 'text', actorId: 'text', action: 'text', subjectType: 'text', subjectId: 'text', data: 'text' } as const;
    for (let s = 0; s < n; s += 5000) {
      const batch = Array.from({ length: Math.min(5000, n - s) }, (_, i) => ({ id: `audit-${s + i}`, at: clock.now(), actorType: 'system', actorId: 'matcher', action: 'allocation.auto', subjectType: 'bank_transaction', subjectId: `tx-${s + i}`, data: `{"amount":"${formatMinor(BigInt(1000 + i), 'EUR')}"}` }));
      await db.transaction((tx) => bulkInsert(tx, db, 'AuditEntry', AUDIT, batch));
    }
    const t2 = performance.now();
    await sealAuditChain({ db });
    const t3 = performance.now();
    const preview = await previewClosing({ ctx: as('alice'), input: { day: '2026-11-16' } });
    if (preview.blockers.length > 0) throw new Error(`bench day does not close: ${JSON.stringify(preview.blockers)}`);
    const t4 = performance.now();
    const determined = await determineClosing({ ctx: as('alice'), input: { day: '2026-11-16' } });
    const t5 = performance.now();
    await signClosing({ ctx: as('bob'), input: { id: determined.id } });
    const t6 = performance.now();
    const s = (a: number, b: number) => Math.round((b - a) / 10) / 100;
    const close = s(t2, t3) + s(t4, t6);
    return { backend, bookings: n, importSeconds: s(t0, t1), sealSeconds: s(t2, t3), previewSeconds: s(t3, t4), determineSeconds: s(t4, t5), signSeconds: s(t5, t6), closeSeconds: Math.round(close * 100) / 100, closeToImport: Math.round((close / s(t0, t1)) * 100) / 100 };
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  console.table(await runClosingBench({ ...(arg('--bookings') ? { bookings: Number.parseInt(arg('--bookings')!, 10) } : {}), ...(arg('--backends') ? { backends: arg('--backends')!.split(',') as Array<'sqlite' | 'postgresql'> } : {}) }));
}
