/**
 * `npm run bench`: every benchmark of the project, one after the other, with a summary at the end.
 * Benchmarks measure; they never fail a build. Figures for the README come from here.
 *
 *   npm run bench                  all, at full size (takes a while: 500 MB camt file, 10^6 items)
 *   npm run bench -- --quick       smaller sizes, for a first look
 *   npm run bench -- --only=large --entries=20000   the 10^6-entry import at a size of your choice
 *   npm run bench -- --only=large --through-matching   the server's figure including its matching
 *   npm run bench -- --only=phases --entries=5000,20000,50000   the CLI's import and matching apart, per size
 */
import { runApiLatencyBench } from './apiLatency.js';
import { runCamtBench } from './camt.js';
import { runLargeImportBench } from './largeImport.js';
import { cliPhases } from './cliPhases.js';
import { runClosingBench } from './closing.js';
import { runCollectionBench } from './collections.js';
import { runMatchingBench } from './matching.js';
import { runMixedLoadBench } from './mixedLoad.js';
import { runReconcileBench } from './reconcile.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const want = (name: string) => !only || only.includes(name);
const log = (line: string) => process.stderr.write(line + '\n');

if (want('camt')) {
  log('\n# camt reading: whole-document parse vs. streaming import path');
  console.table(
    (await runCamtBench({ sizes: quick ? [20] : [20, 500], log })).flatMap((r) => [
      { sizeMB: r.sizeMB, path: 'whole document', ok: r.wholeDocument.ok, 'MB/s': r.wholeDocument.mbPerSecond, 'entries/s': r.wholeDocument.entriesPerSecond, 'peak RSS MB': r.wholeDocument.peakRssMB, failure: r.wholeDocument.failure ?? '' },
      { sizeMB: r.sizeMB, path: 'streaming (import)', ok: r.streaming.ok, 'MB/s': r.streaming.mbPerSecond, 'entries/s': r.streaming.entriesPerSecond, 'peak RSS MB': r.streaming.peakRssMB, failure: r.streaming.failure ?? '' },
    ]),
  );
}
if (want('large')) {
  log('\n# a statement of 10^6 entries through the CLI and over HTTP (202 job): time and peak RSS');
  const entries = Number(process.argv.find((a) => a.startsWith('--entries='))?.slice('--entries='.length) ?? (quick ? 100_000 : 1_000_000));
  console.table(await runLargeImportBench({ entries, throughMatching: process.argv.includes('--through-matching'), log }));
}
if (only?.includes('phases')) {
  log('\n# the CLI path taken apart: import, then matching and booking, at each size (wall and CPU)');
  const sizes = (process.argv.find((a) => a.startsWith('--entries='))?.slice('--entries='.length) ?? '5000,20000,50000').split(',').map(Number);
  const rows = [];
  for (const n of sizes) rows.push(await cliPhases(n));
  console.table(rows);
}
if (want('latency')) {
  log('\n# API latency while a 20 MB statement is imported');
  console.table([await runApiLatencyBench({ mb: 20, log })]);
}
if (want('load')) {
  log('\n# writes under load: idle, during a 20 MB import (SQLite; two instances on PostgreSQL), with 50,000 payments waiting');
  console.table(await runMixedLoadBench({ quick, log }));
}
if (want('matching')) {
  log('\n# matcher alone (pure functions, no database)');
  console.table(await runMatchingBench({ itemCounts: quick ? [100_000] : [100_000, 1_000_000] }));
}
if (want('reconcile')) {
  log('\n# reconcile end to end: import + matching + booking, with all database writes');
  console.table(await runReconcileBench({ transactions: quick ? 10_000 : 100_000, itemCounts: quick ? [100_000] : [100_000, 1_000_000], log }));
}
if (want('closing')) {
  log('\n# closing a booking day: sealing its audit entries, computing, determining and signing');
  console.table(await runClosingBench({ bookings: quick ? 5_000 : 50_000, log }));
}
if (want('collections')) {
  log('\n# a SEPA collection run of 100,000 direct debits: gather, release into pain.008, fetch, book the credit');
  console.table(await runCollectionBench({ debits: quick ? 10_000 : 100_000, log }));
}
