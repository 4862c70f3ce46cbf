/**
 * A supplied Kassenzeichen is taken as issued: kept as printed, normalized as key, and checked
 * against a scheme's check digit only where the operator turned on verifySupplied for that scheme
 * (a shared prefix alone never decides it).
 */
import { describe, expect, it } from 'vitest';
import { KassenzeichenError, parseKassenzeichenSchemes, generateKassenzeichen } from '../../../src/references/kassenzeichen.js';
import { checkSuppliedKassenzeichen, kassenzeichenDisplay } from '../../../src/services/items/kassenzeichen.js';
import { itemProblemText } from '../../../src/services/items/problems.js';

const scheme = { id: 'stadt', prefixes: { fee: '51', fine: '52' }, serialDigits: 9, checkDigits: 'mod11', display: { groups: [4, 7, 1], separator: '.' } };
const off = parseKassenzeichenSchemes({ schemes: [scheme] });
const on = parseKassenzeichenSchemes({ default: 'stadt', schemes: [{ ...scheme, verifySupplied: true }, { id: 'bib', prefixes: { library: 'BIB' }, serialDigits: 7, checkDigits: 'luhn' }] });
const good = generateKassenzeichen(off.default, 'fee', 52447n);
const wrong = good.slice(0, -1) + String((Number(good.slice(-1)) + 1) % 10);

function fault(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KassenzeichenError);
    return (e as KassenzeichenError).fault;
  }
  throw new Error('expected a KassenzeichenError');
}

describe('checkSuppliedKassenzeichen', () => {
  it.each([
    ['GEB-2026-4711', 'GEB20264711', 'GEB-2026-4711'],
    ['  geb 2026\t4711 ', 'GEB20264711', 'geb 2026 4711'],
    [`${wrong.slice(0, 4)}.${wrong.slice(4, 11)}.${wrong.slice(11)}`, wrong, `${wrong.slice(0, 4)}.${wrong.slice(4, 11)}.${wrong.slice(11)}`],
    [good, good, good],
  ])('takes %j as issued by default: key %s, shown %j', (text, key, shown) => {
    const facts = checkSuppliedKassenzeichen(off, text);
    expect(facts).toMatchObject({ kassenzeichen: key, asIssued: shown, display: shown });
    expect(kassenzeichenDisplay(off, { kassenzeichen: facts.kassenzeichen, kassenzeichenAsIssued: facts.asIssued })).toBe(shown);
  });

  it('shows a generated number (nothing as issued) in the scheme grouping', () => {
    expect(kassenzeichenDisplay(off, { kassenzeichen: good, kassenzeichenAsIssued: null })).toBe(`${good.slice(0, 4)}.${good.slice(4, 11)}.${good.slice(11)}`);
  });

  it('verifies the check digit only under a scheme that asks for it', () => {
    expect(checkSuppliedKassenzeichen(on, good).kassenzeichen).toBe(good);
    expect(fault(() => checkSuppliedKassenzeichen(on, wrong))).toMatchObject({ code: 'checkDigit', expected: good.slice(-1), found: wrong.slice(-1), scheme: 'stadt' });
    // The bib scheme does not verify: its prefix alone decides nothing.
    expect(checkSuppliedKassenzeichen(on, 'BIB00012340').kassenzeichen).toBe('BIB00012340');
  });

  it('refuses what is no reference at all, whatever the schemes, with the fault as data', () => {
    expect(fault(() => checkSuppliedKassenzeichen(off, 'AB1'))).toEqual({ code: 'length', length: 3, min: 4, max: 35 });
    expect(fault(() => checkSuppliedKassenzeichen(off, 'ÄRGER-123'))).toEqual({ code: 'characters' });
  });

  it('words every fault in German and English', () => {
    const f = fault(() => checkSuppliedKassenzeichen(on, wrong));
    const problem = { code: 'kassenzeichen' as const, value: wrong, fault: f };
    expect(itemProblemText(problem, 'de')).toMatch(/Prüfziffer müsste \d sein, ist \d/);
    expect(itemProblemText(problem, 'en')).toMatch(/check digit should be \d, found \d/);
  });
});
