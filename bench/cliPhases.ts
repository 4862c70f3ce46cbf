/**
 * The CLI's import path taken apart: a generated statement of N entries (bench/largeImport.ts)
 * read into a fresh SQLite database by importStatementFile, then its receipts matched and booked by
 * matchImport, as `bin/stadtkasse import` runs them; the time of each phase and entries/s. Sizes
 * that differ by a factor show whether a phase grows faster than the entries. Besides wall time, the
 * CPU time the process spent in each phase: on a machine shared with other work it is the figure
 * that compares (the database is SQLite in this process, so its work is counted there too).
 *
 *   npx tsx bench/cliPhases.ts 5000 20000 50000
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { SYSTEM_ACTOR, systemClock, type Ctx } from '../src/context.js';
import { openDatabase } from '../src/db/node.js';
import { createServices } from '../src/services/registry.js';
import { importStatementFile } from '../src/services/statements/importStatementFile.js';
import { matchImport } from '../src/services/statements/importAndMatch.js';
import { generateLargeStatement } from './largeImport.js';

export async function cliPhases(entries: number): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'stk-phases-'));
  try {
    const file = join(dir, 'large.xml');
    await generateLargeStatement(file, entries);
    const url = `file:${join(dir, 'phases.db')}`;
    const config = loadConfig({ ...process.env, DATABASE_URL: url });
    const db = await openDatabase(url);
    const ctx: Ctx = { db, config, clock: systemClock, log: pino({ level: 'warn' }), actor: SYSTEM_ACTOR };
    const services = createServices(config);
    try {
      const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
      let t = performance.now();
      let c = cpu();
      const r = await importStatementFile({ ctx, input: { source: createReadStream(file), fileName: 'large.xml', totalBytes: statSync(file).size } });
      const importS = (performance.now() - t) / 1000;
      const importCpu = cpu() - c;
      t = performance.now();
      c = cpu();
      const m = await matchImport({ ctx, deps: services.matching, input: { importId: r.importId } });
      const matchS = (performance.now() - t) / 1000;
      const matchCpu = cpu() - c;
      const receipts = m.auto + m.review + m.unmatched + m.return + m.ignored;
      return {
        entries,
        'import s': +importS.toFixed(2),
        'import entries/s': Math.round(entries / importS),
        'import CPU s': +importCpu.toFixed(2),
        'import entries/CPU s': Math.round(entries / importCpu),
        'match s': +matchS.toFixed(2),
        'match receipts/s': Math.round(receipts / matchS),
        'match CPU s': +matchCpu.toFixed(2),
        'match receipts/CPU s': Math.round(receipts / matchCpu),
        receipts,
        unmatched: m.unmatched,
      };
    } finally {
      await db.close();
    }
  } finally {
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
    else console.error(`kept ${dir}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const rows = [];
  for (const n of sizes.length ? sizes : [5000, 20000, 50000]) {
    rows.push(await cliPhases(n));
    console.log(JSON.stringify(rows[rows.length - 1]));
  }
  console.table(rows);
}
