/**
 * The adversarial days (adversarial.ts) through the real reading and matching path: the day is
 * written as a camt.053 document, read by src/camt, turned into transactions by adapt.ts exactly as
 * the import does, matched by matchBatch with the payer IBANs a person confirmed, and scored with the
 * figures of shared/scenarios/score.py (the Python scorer itself too, when it is there).
 *
 * Asserted per family: no wrong automatic booking, no receipt reversed by anything but its return.
 * Seeded; bounded by a count of seeds and a time budget.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCamt } from '../../src/camt/index.js';
import { decisionToRecord, transactionsOfEntry } from '../../src/matching/adapt.js';
import { matchBatch } from '../../src/matching/engine.js';
import { buildItemIndex } from '../../src/matching/index.js';
import { reasonTexts } from '../../src/matching/reasons.js';
import type { MatchDecision, MatchableTransaction } from '../../src/matching/types.js';
import { camt } from '../support/camtBuilder.js';
import { adversarialDay, FAMILIES, type AdversarialDay, type Family } from './adversarial.js';
import { scoreLikePy, SCENARIO_ROOT, type ResultRecord, type TruthTx } from './scenarioData.js';

const SEEDS = [1, 2, 3, 4, 5, 6];
const BUDGET_MS = 40_000;
const SCORE_PY = join(SCENARIO_ROOT, 'score.py');

interface DayRun {
  day: AdversarialDay;
  txs: MatchableTransaction[];
  decisions: MatchDecision[];
  records: ResultRecord[];
  truth: Record<string, TruthTx & { of?: string }>;
  familyOf: Map<string, Family>;
}

async function runDay(seed: number): Promise<DayRun> {
  const day = adversarialDay(seed);
  const xml = camt({ id: `ADV-${seed}`, opening: '100000.00', entries: day.txs.map((t) => t.spec) });
  const txs: MatchableTransaction[] = [];
  for (const msg of await parseCamt(xml)) {
    for (const st of msg.statements) for (const e of st.entries) txs.push(...transactionsOfEntry(e, (i) => `${e.accountServicerReference}#${i}`));
  }
  const known = (iban: string) => day.known.get(iban.replace(/\s+/g, '').toUpperCase()) ?? [];
  const decisions = matchBatch(txs, buildItemIndex(day.items), undefined, known);
  const records = decisions.map((d, i) => {
    const [entryRef, txIndex] = txs[i]!.key.split('#') as [string, string];
    return { entryRef, txIndex: Number(txIndex), ...decisionToRecord(d, txs[i]!.currency) };
  });
  const truth: DayRun['truth'] = {};
  const familyOf = new Map<string, Family>();
  for (const t of day.txs) {
    truth[`${t.spec.ref}#0`] = t.truth;
    familyOf.set(`${t.spec.ref}#0`, t.family);
  }
  return { day, txs, decisions, records, truth, familyOf };
}

/** Receipts a return decision would reverse that are not what it returns. */
function wrongReversals(run: DayRun): string[] {
  const out: string[] = [];
  run.decisions.forEach((d, i) => {
    if (d.status !== 'return') return;
    const key = run.txs[i]!.key;
    const tr = run.truth[key]!;
    if (tr.kind !== 'return') {
      out.push(`${key} (${tr.kind}) treated as a return`);
      return;
    }
    if (d.returnOf?.itemId) {
      const original = run.truth[tr.of ?? '']?.allocations.map((a) => a.kassenzeichen) ?? [];
      const item = run.day.items.find((x) => x.id === d.returnOf!.itemId);
      if (!item || !original.includes(item.kassenzeichen)) out.push(`${key} names ${item?.kassenzeichen ?? d.returnOf.itemId}, returns ${original.join(',')}`);
    }
  });
  return out;
}

function byFamily(run: DayRun, family: Family) {
  const keys = new Set([...run.familyOf].filter(([, f]) => f === family).map(([k]) => k));
  const truth = Object.fromEntries(Object.entries(run.truth).filter(([k]) => keys.has(k)));
  return scoreLikePy(truth, run.records.filter((r) => keys.has(`${r.entryRef}#${r.txIndex}`)));
}

describe('adversarial days: the slips real payers make', () => {
  const started = Date.now();
  const runs: DayRun[] = [];
  const ready = (async () => {
    for (const seed of SEEDS) {
      if (runs.length > 0 && Date.now() - started > BUDGET_MS) break;
      runs.push(await runDay(seed));
    }
  })();

  it.each(FAMILIES.map((f) => [f]))('%s: no wrong automatic booking, no wrong reversal', async (family) => {
    await ready;
    let cases = 0;
    for (const run of runs) {
      const f = byFamily(run, family);
      cases += f.credits + f.returns;
      expect(f.wrong, `seed day ${run.day.items[0]!.id}`).toEqual([]);
      expect(f.auto_wrong + f.auto_on_unmatchable).toBe(0);
      expect(f.debit_booked).toBe(0);
      expect(wrongReversals(run).filter((w) => run.familyOf.get(w.split(' ')[0]!) === family)).toEqual([]);
    }
    expect(cases).toBeGreaterThan(0);
  });

  it('ordinary payments in the same ledger are still booked', async () => {
    await ready;
    for (const run of runs) expect(byFamily(run, 'ordinary').expected_auto_coverage).toBeGreaterThanOrEqual(0.9);
  });

  it('returns said only in words are recognised; refunds of ours that bounce are left to a person', async () => {
    await ready;
    for (const run of runs) {
      expect(byFamily(run, 'return-in-words').returns_flagged).toBe(byFamily(run, 'return-in-words').returns);
      run.decisions.forEach((d, i) => {
        if (run.truth[run.txs[i]!.key]!.kind === 'refund-returned') expect(d.status).toBe('review');
      });
    }
  });

  it('says why where the evidence cannot decide, and offers the item meant', async () => {
    await ready;
    for (const run of runs) {
      run.day.txs.forEach((t) => {
        const i = run.txs.findIndex((x) => x.key === `${t.spec.ref}#0`);
        const d = run.decisions[i]!;
        if (t.mustSay) expect(reasonTexts(d.reasons, 'en').join('; ')).toMatch(t.mustSay);
        if (d.status !== 'review' || t.truth.allocations.length === 0) return;
        const meant = t.truth.allocations.map((a) => a.kassenzeichen).sort().join(',');
        const offered = d.suggestions.map((s) => s.allocations.map((a) => a.kassenzeichen).sort().join(','));
        // The payer's own item next to what they typed, a big payer's item of the amount paid: first.
        if (t.family === 'near-miss-around-exact' || t.family === 'big-payer') expect(offered[0], `${t.family} ${t.spec.ref}`).toBe(meant);
        // A relative's slip, or a slip onto a name that careless folding would merge: the item meant
        // is among the suggestions (for a stranger's slip nothing tells which neighbour was meant).
        if (t.family === 'dense-slip-relative' || t.family === 'name-folding') expect(offered, `${t.family} ${t.spec.ref}`).toContain(meant);
      });
    }
  });

  it.skipIf(!existsSync(SCORE_PY))('shared/scenarios/score.py finds no wrong automatic booking either', async () => {
    await ready;
    const dir = mkdtempSync(join(tmpdir(), 'stk-adversarial-'));
    for (const run of runs) {
      const truthFile = join(dir, 'truth.json');
      const resultFile = join(dir, 'result.json');
      writeFileSync(truthFile, JSON.stringify({ transactions: run.truth }));
      writeFileSync(resultFile, JSON.stringify({ transactions: run.records }));
      const r = spawnSync('python3', [SCORE_PY, truthFile, resultFile], { encoding: 'utf8', timeout: 60_000 });
      if (r.error) return; // no python3 on this machine: the TypeScript port above has scored it
      const m = JSON.parse(r.stdout) as { auto_wrong: number; auto_on_unmatchable: number; debit_booked: number };
      expect(m.auto_wrong, r.stderr).toBe(0);
      expect(m.auto_on_unmatchable, r.stderr).toBe(0);
      expect(m.debit_booked).toBe(0);
    }
  });
});
