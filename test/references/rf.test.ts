import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { DEFAULT_SCHEME, generateKassenzeichen } from '../../src/references/kassenzeichen.js';
import { formatRf, isValidRf, parseRf, toRfReference } from '../../src/references/rf.js';

describe('toRfReference', () => {
  it.each([
    // ISO 11649's own example and its zero-padded form (leading zeros are part of the reference).
    ['539007547034', 'RF18539007547034'],
    ['000000000539007547034', 'RF18000000000539007547034'],
    ['5390 0754 7034', 'RF18539007547034'],
    // 456789RF00 → 456789271500 mod 97 = 41 → 98 − 41 = 57.
    ['456789', 'RF57456789'],
    // Letters count as A=10 … Z=35; this one comes out at the top of the range, 97.
    ['G72UUR55', 'RF97G72UUR55'],
    ['18k5', 'RF6518K5'],
  ])('%j → %s', (ref, rf) => {
    expect(toRfReference(ref)).toBe(rf);
    expect(isValidRf(rf)).toBe(true);
  });

  it('wraps a Kassenzeichen so parseRf gives it back', () => {
    const kz = generateKassenzeichen(DEFAULT_SCHEME, 'fee', 52447n);
    const rf = toRfReference(kz);
    expect(rf).toMatch(/^RF\d\d510000524474$/);
    expect(parseRf(formatRf(rf))).toBe(kz);
  });

  it.each([
    ['1234567890123456789012', /22 characters, an RF reference holds at most 21/],
    ['AZ_4711', /only letters A–Z and digits/],
    ['', /only letters/],
  ])('refuses %j', (ref, message) => {
    let err: unknown;
    try {
      toRfReference(ref);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toMatch(message);
    expect((err as ValidationError).location.field).toBe('reference');
  });
});

describe('isValidRf / parseRf', () => {
  it.each([
    ['RF18539007547034', '539007547034'],
    ['RF18 5390 0754 7034', '539007547034'],
    ['rf18539007547034', '539007547034'],
    ['RF18000000000539007547034', '000000000539007547034'],
    ['RF57 4567 89', '456789'],
    ['RF97G72UUR55', 'G72UUR55'],
  ])('%j is valid and wraps %s', (rf, ref) => {
    expect(isValidRf(rf)).toBe(true);
    expect(parseRf(rf)).toBe(ref);
  });

  it.each([
    // Sometimes quoted as an example, but 456789RF71 mod 97 = 15, not 1: the check digits are 57.
    'RF71 4567 89',
    'RF19539007547034', // check digit off by one
    'RF18539007547043', // last two digits transposed
    'RF18539007547035', // last digit wrong
    'RF81539007547034', // check digits transposed
    'RF18', // no reference
    'RF1853900754703412345678901', // 23-character reference, over 21
    'RF1X539007547034',
    'DE18539007547034',
    'RF18_539007547034',
    // 00/01 alias 97/98 in mod 97 arithmetic but can never be produced: refused.
    'RF00G72UUR55',
    '',
  ])('%j is not valid', (rf) => {
    expect(isValidRf(rf)).toBe(false);
    expect(parseRf(rf)).toBeNull();
  });
});

describe('formatRf', () => {
  it.each([
    ['RF18539007547034', 'RF18 5390 0754 7034'],
    ['RF18000000000539007547034', 'RF18 0000 0000 0539 0075 4703 4'],
    ['rf57456789', 'RF57 4567 89'],
    ['RF18 5390 0754 7034', 'RF18 5390 0754 7034'],
  ])('%j → %j', (rf, printed) => {
    expect(formatRf(rf)).toBe(printed);
  });
});
