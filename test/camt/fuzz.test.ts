/**
 * Mutation fuzzing of the statement reader, seeded and bounded by a count and a time budget.
 * Seeds: the golden fixtures and the shared corpus (../shared/camt-corpus, read from beside the
 * checkout, skipped when absent). Mutations as a bank or an attacker could produce them:
 * truncation, byte flips, duplicated and removed elements, absurd amounts, other encodings,
 * DOCTYPE/entities, ZIP members. Properties, for every case:
 *  - refused with a typed error that names the file (ValidationError, UnsupportedFormatError,
 *    LimitExceededError), never any other exception;
 *  - or accepted with every invariant holding: per entry, the money the ledger may distribute is
 *    the entry amount (src/services/statements/rows.ts, the rows the import writes); per statement,
 *    a balance check that says "ok" adds up (opening + booked entries = closing), else it is
 *    "broken" or "not_checked" and says why.
 */
import { describe, expect, it } from 'vitest';
import { parseCamt } from '../../src/camt/read.js';
import type { CamtMessage } from '../../src/camt/model.js';
import { LimitExceededError, UnsupportedFormatError, ValidationError } from '../../src/errors.js';
import { transactionRows } from '../../src/services/statements/rows.js';
import { mutant, seeds } from './mutations.js';
import { seededRandom as prng } from '../support/random.js';

const CASES = 10_000;
const BUDGET_MS = 55_000;
const SEED = 0x5eed_2026;

/** The invariants of an accepted file; returns the first broken one, or undefined. */
function brokenInvariant(messages: CamtMessage[]): string | undefined {
  for (const m of messages) {
    for (const s of m.statements) {
      let booked = 0n;
      for (const e of s.entries) {
        if (e.status === 'BOOK') booked += e.signedMinor;
        const rows = transactionRows({ entryId: 'e', entry: e, statementBankId: s.id, entryPosition: e.index, matchState: 'pending', createdAt: new Date(0) });
        let distributable = 0n;
        for (const row of rows) distributable += row.creditDebit === e.creditDebit ? row.amountMinor : -row.amountMinor;
        if (distributable !== e.amount.minor) return `entry ${e.index + 1} of ${s.id}: the ledger would distribute ${distributable}, the entry booked ${e.amount.minor}`;
        if (rows.some((row) => row.amountMinor < 0n)) return `entry ${e.index + 1} of ${s.id}: a negative transaction amount`;
      }
      const c = s.check!;
      if (c.status === 'ok' && c.opening! + booked !== c.closing!) return `statement ${s.id}: check says ok, but ${c.opening} + ${booked} ≠ ${c.closing}`;
      if (c.status !== 'ok' && c.reason === '') return `statement ${s.id}: a balance check without a reason`;
    }
  }
  return undefined;
}

describe.skipIf(seeds.length === 0)('camt mutation fuzzing', () => {
  it(`reads ${CASES} mutated files: refused with a reason or accepted with the invariants holding`, async () => {
    const r = prng(SEED);
    const started = performance.now();
    const tally: Record<string, number> = { accepted: 0, refused: 0 };
    let cases = 0;
    for (; cases < CASES && performance.now() - started < BUDGET_MS; cases++) {
      const { seed, bytes, applied } = mutant(r);
      const fileName = `fuzz-${cases}-${seed}`;
      const what = `case ${cases} (${seed}: ${applied.join(' + ')})`;
      let messages: CamtMessage[];
      try {
        messages = await parseCamt(bytes, { fileName });
      } catch (e) {
        const typed = e instanceof ValidationError || e instanceof UnsupportedFormatError || e instanceof LimitExceededError;
        expect(typed, `${what}: unexpected ${(e as Error).name}: ${(e as Error).message}`).toBe(true);
        expect((e as Error).message, `${what}: the refusal names the file`).toContain(fileName);
        tally['refused']!++;
        continue;
      }
      const broken = brokenInvariant(messages);
      expect(broken, `${what}: ${broken}`).toBeUndefined();
      tally['accepted']!++;
    }
    const ms = Math.round(performance.now() - started);
    console.log(`camt fuzz: ${cases} cases in ${ms} ms from ${seeds.length} seeds (${tally['accepted']} accepted, ${tally['refused']} refused)`);
    expect(cases).toBe(CASES);
  }, 120_000);
});
