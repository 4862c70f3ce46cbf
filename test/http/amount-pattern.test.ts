/**
 * The amount pattern the OpenAPI document promises against the parser the server runs on every
 * amount a client sends: for every string, the pattern admits it exactly when the parser accepts it,
 * and an accepted string means the amount its digits say. Generated with a fixed seed (hostile
 * alphabets, near-misses of the right shape) plus the edge cases clients actually send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parseAmountInput } from '../../src/money/money.js';
import { seededRandom } from '../support/random.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let key: string;
let source = '';
beforeAll(async () => {
  server = await startTestServer('sqlite');
  key = await createClientKey(server, ['items:read', 'items:write'], 'Fachverfahren');
  // The pattern exactly as the served OpenAPI document states it, for a new item's amount and for a change of it.
  const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { components: { schemas: Record<string, { properties: Record<string, { pattern?: string }> }> } };
  const create = doc.components.schemas['CreateOpenItem']!.properties['amount']!.pattern;
  const change = doc.components.schemas['ChangeOpenItemAmount']!.properties['amount']!.pattern;
  if (!create) throw new Error('the OpenAPI document states no pattern for CreateOpenItem.amount');
  expect(change).toBe(create);
  source = create;
});
afterAll(async () => server?.close());

async function servedPattern(): Promise<string> {
  return source;
}

function accepts(text: string): { ok: true; minor: bigint } | { ok: false } {
  try {
    return { ok: true, minor: parseAmountInput(text, 'EUR').minor };
  } catch (e) {
    if (e instanceof ValidationError) return { ok: false };
    throw e;
  }
}

/** What the digits say, in cents, computed without the parser (strings and BigInt only). */
function centsOf(text: string): bigint {
  const [int, frac = ''] = text.split('.');
  return BigInt(int!) * 100n + BigInt((frac + '00').slice(0, 2));
}

const EDGE = [
  '1', '1.', '.5', '+1.00', '-1.00', '1e3', '1E3', '01.00', '1.005', '1.00', '1.0', '0', '0.00', '00', '000000000000000', '999999999999999.99',
  '1000000000000000', '1000000000000000.00', '1,00', '1.000', '1 000.00', ' 1.00', '1.00 ', '\t1.00', '1.00\n', '', '.', '-', '+', '1..0', '1.0.0',
  '١٢٣', '１２', '0x10', 'NaN', 'Infinity', '1_000', '30.70', '30.7', '12.5e1', '-0', '-0.00', '0.5', '00.50', '1.-1', '1.+1',
];

function generated(count: number, seed: number): string[] {
  const rnd = seededRandom(seed);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(rnd() * 10))).join('');
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) {
      // Any text over an alphabet of what amounts are made of and what clients put around them.
      const alphabet = '0123456789..--++eE ,_\t\n٣x';
      out.push(Array.from({ length: Math.floor(rnd() * 22) }, () => pick([...alphabet])).join(''));
    } else {
      // The right shape, give or take one thing: sign, digit counts, dot, exponent, white space.
      const sign = pick(['', '', '', '+', '-']);
      const int = digits(pick([0, 1, 1, 2, 3, 7, 14, 15, 15, 16, 18]));
      const frac = pick(['', '', '.', '.' + digits(1), '.' + digits(2), '.' + digits(2), '.' + digits(3), '.' + digits(5)]);
      const tail = pick(['', '', '', '', 'e' + digits(1), ' ', '0']);
      const lead = pick(['', '', '', '', ' ', '0']);
      out.push(lead + sign + int + frac + tail);
    }
  }
  return out;
}

describe('the OpenAPI amount pattern and the server amount parser', () => {
  it('answer the same for every edge case and 20,000 generated strings, and an accepted amount is what its digits say', async () => {
    const source = await servedPattern();
    const pattern = new RegExp(source);
    let admitted = 0;
    const disagreements: string[] = [];
    for (const text of [...EDGE, ...generated(20_000, 1404)]) {
      const parsed = accepts(text);
      if (pattern.test(text) !== parsed.ok) disagreements.push(JSON.stringify(text));
      if (parsed.ok) {
        admitted++;
        expect(parsed.minor, text).toBe(centsOf(text));
      }
    }
    expect(disagreements.slice(0, 20)).toEqual([]);
    // The generator reaches both sides, not only refusals.
    expect(admitted).toBeGreaterThan(1500);
  });

  it('and the route does what both say: a claim with an admitted amount is raised, any other is a 422 naming amount', async () => {
    const pattern = new RegExp(source);
    for (const amount of [...EDGE, ...generated(150, 7)]) {
      const res = await server.api('/v1/items', { method: 'POST', key, json: { category: 'fee', amount, dueDate: '2026-12-31', description: 'Gebühr', debtor: { name: 'Anna Betrag' } } });
      const body = (await res.json()) as { amount?: string; field?: string; errors?: Array<{ field?: string; path?: string }> };
      const cents = pattern.test(amount) ? centsOf(amount) : null;
      if (cents !== null && cents > 0n && cents <= 99_999_999_999n) {
        expect(res.status, JSON.stringify(amount)).toBe(201);
        expect(body.amount).toBe(`${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`);
      } else {
        expect(res.status, JSON.stringify(amount)).toBe(422);
        expect(JSON.stringify(body), JSON.stringify(amount)).toContain('amount');
      }
    }
  });

  it.each([
    ['1', true], ['1.', false], ['.5', false], ['+1.00', false], ['-1.00', false], ['1e3', false], ['01.00', true], ['1.005', false],
    ['30.7', true], ['999999999999999.99', true], ['1000000000000000', false], [' 1.00', false], ['1,00', false],
  ] as const)('%j: admitted %s by both', async (text, expected) => {
    expect(new RegExp(await servedPattern()).test(text)).toBe(expected);
    expect(accepts(text).ok).toBe(expected);
  });
});
