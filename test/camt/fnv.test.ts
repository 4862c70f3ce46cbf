/**
 * fnv1a64 (src/camt/identity.ts) computes in 16-bit limbs; its digits are stored (entry and
 * statement content digests) and compared with later deliveries, so they must stay exactly those of
 * 64-bit FNV-1a over UTF-8: checked against the published test vectors and against the plain BigInt
 * definition on seeded random text (ASCII, Latin-1, CJK, astral characters).
 */
import { expect, it } from 'vitest';
import { fnv1a64 } from '../../src/camt/identity.js';
import { seededRandom } from '../support/random.js';

function byDefinition(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(s)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

it.each([
  ['', 'cbf29ce484222325'],
  ['a', 'af63dc4c8601ec8c'],
  ['foobar', '85944171f73967e8'],
])('fnv1a64(%j) = %s', (s, digest) => {
  expect(fnv1a64(s)).toBe(digest);
});

it('gives the digits of the BigInt definition for random text of every kind', () => {
  const rnd = seededRandom(64);
  const ranges = [0x80, 0x100, 0x3000, 0x10000];
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const n = Math.floor(rnd() * 120);
    for (let j = 0; j < n; j++) {
      const r = rnd();
      s += r < 0.02 ? '\u{1F4B6}' : String.fromCharCode(Math.floor(rnd() * ranges[Math.floor(r * 4)]!));
    }
    expect(fnv1a64(s), JSON.stringify(s)).toBe(byDefinition(s));
  }
});
