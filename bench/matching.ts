/**
 * Matching throughput with 100,000 and 1,000,000 open items in the index. The point is that the
 * cost per transaction does not grow with the number of items: every lookup is a hash access or a
 * bounded number of them (near misses probe ~20 × length variants, name/IBAN/amount lists are
 * capped).
 *
 *   npx tsx bench/matching.ts            (or through bench/run.ts: runMatchingBench())
 */
import { pathToFileURL } from 'node:url';
import { matchTransaction } from '../src/matching/engine.js';
import { buildItemIndex } from '../src/matching/index.js';
import { syntheticDay } from '../test/matching/synthetic.js';
import type { MatchableItem } from '../src/matching/types.js';

export interface MatchingBenchOptions {
  itemCounts?: number[];
  transactions?: number;
  seed?: number;
}

export interface MatchingBenchRow {
  items: number;
  buildMs: number;
  transactions: number;
  matchMs: number;
  txPerSecond: number;
  microsPerTx: number;
  heapMb: number;
}

export async function runMatchingBench(opts: MatchingBenchOptions = {}): Promise<MatchingBenchRow[]> {
  const counts = opts.itemCounts ?? [100_000, 1_000_000];
  const nTx = opts.transactions ?? 5000;
  // The day's transactions (with their own, small ledger) give realistic remittance texts; the
  // big index is that ledger plus filler items with dense serials of the same formats.
  const day = syntheticDay(opts.seed ?? 7, { items: 3000, transactions: nTx });
  const rows: MatchingBenchRow[] = [];
  for (const n of counts) {
    const t0 = performance.now();
    const index = buildItemIndex(day.items);
    let i = 0;
    for (const it of filler(day.items, n - day.items.length)) {
      index.upsert(it);
      i++;
    }
    const buildMs = performance.now() - t0;
    (globalThis as { gc?: () => void }).gc?.();
    // Warm up, then measure.
    for (const tx of day.txs.slice(0, 200)) matchTransaction(tx, index);
    const t1 = performance.now();
    for (const tx of day.txs) matchTransaction(tx, index);
    const matchMs = performance.now() - t1;
    rows.push({
      items: index.size,
      buildMs: Math.round(buildMs),
      transactions: day.txs.length,
      matchMs: Math.round(matchMs),
      txPerSecond: Math.round((day.txs.length / matchMs) * 1000),
      microsPerTx: Math.round((matchMs * 1000) / day.txs.length),
      heapMb: Math.round(process.memoryUsage().heapUsed / 1024 / 1024),
    });
    void i;
  }
  return rows;
}

/** Items with references shaped like the day's (same prefixes and lengths), far from its serials. */
function* filler(seed: readonly MatchableItem[], count: number): Generator<MatchableItem> {
  const shapes = [...new Set(seed.map((s) => s.kassenzeichen.replace(/\d/g, '9')))];
  // About three items per debtor, as in a real ledger; common names stay capped lists anyway.
  const first = ['Lena', 'Tim', 'Sara', 'Jonas', 'Mila', 'Noah', 'Ella', 'Finn'];
  for (let k = 0; k < count; k++) {
    const shape = shapes[k % shapes.length]!;
    const digits = shape.replace(/[^9]/g, '').length;
    // Serial from the top of the digit range: dense, distinct, never colliding with the day's items.
    const serial = String(10 ** digits - 1 - k).padStart(digits, '0');
    const prefix = shape.replace(/9/g, '');
    yield {
      id: `f${k}`,
      kassenzeichen: prefix + serial,
      openMinor: BigInt(1000 + (k % 9) * 500),
      amountMinor: BigInt(1000 + (k % 9) * 500),
      currency: 'EUR',
      debtorName: `${first[k % first.length]} Filler${Math.floor(k / 3).toString(36)}`,
      category: 'fine',
      dueDate: '2026-11-01',
      status: 'open',
    };
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runMatchingBench();
  console.table(rows);
  const [a, b] = rows;
  if (a && b) console.log(`cost per transaction at ${b.items} vs ${a.items} items: ×${(b.microsPerTx / a.microsPerTx).toFixed(2)}`);
}
