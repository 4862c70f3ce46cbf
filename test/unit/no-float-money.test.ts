/**
 * Money never passes through a JavaScript number. This test reads every source file and fails on
 * parseFloat, Number(...), unary plus or toFixed applied to something that looks like an amount.
 * It is a lint rule written as a test so it runs wherever the suite runs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const MONEY_WORDS = '(amount|betrag|sum|total|balance|minor|price|fee|saldo|surplus|paid|open)';
const RULES: Array<[string, RegExp]> = [
  ['parseFloat', /\bparseFloat\s*\(/],
  ['Number.parseFloat', /Number\.parseFloat\s*\(/],
  ['Number() on an amount', new RegExp(`\\bNumber\\s*\\([^)]*${MONEY_WORDS}`, 'i')],
  ['toFixed on an amount', new RegExp(`${MONEY_WORDS}.*\\.toFixed\\(`, 'i')],
  ['amount divided as a number', new RegExp(`${MONEY_WORDS}\\w*\\)?\\s*\\/\\s*100\\b(?!n)`, 'i')],
  ['Math.round on an amount', new RegExp(`Math\\.round\\([^)]*${MONEY_WORDS}`, 'i')],
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'generated' || name === 'node_modules') return [];
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx|mts)$/.test(name) ? [p] : [];
  });
}

export function findFloatMoney(text: string): Array<{ line: number; rule: string; code: string }> {
  const hits: Array<{ line: number; rule: string; code: string }> = [];
  text.split('\n').forEach((code, i) => {
    if (/^\s*(\/\/|\*)/.test(code) || code.includes('float-money-ok')) return;
    const rule = RULES.find(([, re]) => re.test(code));
    if (rule) hits.push({ line: i + 1, rule: rule[0], code: code.trim() });
  });
  return hits;
}

describe('no floating point on money', () => {
  it('the rule catches what it must', () => {
    expect(findFloatMoney('const x = parseFloat(row.amount);')).toHaveLength(1);
    expect(findFloatMoney('const cents = Number(totalAmount) * 100;')).toHaveLength(1);
    expect(findFloatMoney('const s = (amountMinor / 100).toFixed(2);')).toHaveLength(1);
    expect(findFloatMoney('const n = Number.parseInt(port, 10);')).toHaveLength(0);
  });

  it('no source file in src/ or bin/ uses a float on an amount', () => {
    const hits = [...sources(join(root, 'src')), ...sources(join(root, 'bin'))].flatMap((file) =>
      findFloatMoney(readFileSync(file, 'utf8')).map((h) => `${relative(root, file)}:${h.line} ${h.rule}: ${h.code}`),
    );
    expect(hits).toEqual([]);
  });
});
