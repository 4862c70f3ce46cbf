import { describe, expect, it } from 'vitest';
import { DigitValueSet } from '../../src/matching/digitSet.js';
import { buildItemIndex } from '../../src/matching/index.js';
import { seededRandom } from '../support/random.js';
import { item } from './fixtures.js';

/** Every value with one digit deleted, for a value written with `n` digits (leading zeros kept). */
function deletions(v: number, n: number): number[] {
  const s = String(v).padStart(n, '0');
  return Array.from({ length: n }, (_, i) => Number(s.slice(0, i) + s.slice(i + 1)));
}

describe('DigitValueSet', () => {
  it.each([6, 12, 15])('answers like a Set, and never "certainly not" for a deletion that exists (%i digits)', (n) => {
    const r = seededRandom(n);
    const set = new DigitValueSet(n);
    const truth = new Set<number>();
    const draw = (): number => Math.floor(r() * 10 ** Math.min(n, 15));
    // Grows through several rebuilds, with removals in between.
    for (let round = 0; round < 6; round++) {
      for (let k = 0; k < 3000; k++) {
        const v = draw();
        set.add(v);
        truth.add(v);
      }
      for (const v of [...truth].slice(0, 800)) {
        set.delete(v);
        truth.delete(v);
      }
    }
    expect(set.size).toBe(truth.size);
    for (const v of truth) {
      expect(set.has(v)).toBe(true);
      for (const x of deletions(v, n)) expect(set.mayReduceTo(x)).toBe(true);
    }
    let absentSaidMaybe = 0;
    for (let k = 0; k < 5000; k++) {
      const v = draw();
      expect(set.has(v)).toBe(truth.has(v));
      if (!truth.has(v)) absentSaidMaybe += set.mayReduceTo(v) ? 1 : 0;
    }
    // The deletion bits must rule out most groups, or they save nothing.
    expect(absentSaidMaybe).toBeLessThan(5000 * 0.5);
  });
});

/** Every reference one slip away, the slow way: all variants of the token built as strings. */
function bruteForceNear(refs: Set<string>, token: string): Set<string> {
  const out = new Set<string>();
  const add = (v: string): void => {
    if (v !== token && refs.has(v)) out.add(v);
  };
  const n = token.length;
  for (let i = 0; i < n; i++) for (const c of '0123456789') add(token.slice(0, i) + c + token.slice(i + 1));
  for (let i = 0; i + 1 < n; i++) add(token.slice(0, i) + token[i + 1] + token[i] + token.slice(i + 2));
  for (let i = 0; i + 2 < n; i++) add(token.slice(0, i) + token[i + 2] + token[i + 1] + token[i] + token.slice(i + 3));
  for (let i = 0; i + 1 < n; i++) if (token[i] === token[i + 1]) for (const c of '0123456789') add(token.slice(0, i) + c + c + token.slice(i + 2));
  for (let i = 0; i < n; i++) add(token.slice(0, i) + token.slice(i + 1));
  for (let i = 0; i <= n; i++) for (const c of '0123456789') add(token.slice(0, i) + c + token.slice(i));
  return out;
}

describe('slip search with the digit bits', () => {
  it('finds exactly the references one slip away, in a dense serial without check digit', () => {
    const r = seededRandom(77);
    const refs = new Set<string>();
    // Dense 9-digit serials with gaps, a few 8- and 10-digit ones (dropped or added digits land there).
    for (let k = 0; k < 4000; k++) if (r() < 0.7) refs.add(String(420_000_000 + k));
    for (let k = 0; k < 300; k++) refs.add(String(Math.floor(r() * 1e8)).padStart(8, '1'));
    for (let k = 0; k < 300; k++) refs.add('42' + String(Math.floor(r() * 1e8)).padStart(8, '0'));
    const list = [...refs];
    const index = buildItemIndex(list.map((k, i) => item(`i${i}`, k, 1000n, `Person ${i}`)));
    for (let k = 0; k < 400; k++) {
      const base = list[Math.floor(r() * list.length)]!;
      // The reference itself, or a slip of it.
      const token = k % 2 === 0 ? base : base.slice(0, 4) + String((Number(base[4]) + 1) % 10) + base.slice(5);
      const got = new Set(index.nearMisses(token).map((h) => h.entry.item.kassenzeichen));
      expect(got).toEqual(bruteForceNear(refs, token));
    }
  });
});
