import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { hasValidCheckDigits } from '../../src/references/checkDigits.js';
import {
  DEFAULT_SCHEME,
  formatForDisplay,
  generateKassenzeichen,
  isValidKassenzeichen,
  lettersToDigits,
  nextUsableSerial,
  normalizeReference,
  parseKassenzeichenSchemes,
  validateKassenzeichen,
  validateSuppliedReference,
  type KassenzeichenScheme,
} from '../../src/references/kassenzeichen.js';

function caught(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

const LETTER_SCHEME: KassenzeichenScheme = {
  id: 'bauamt',
  prefixes: { fee: 'BG', fine: '52' },
  serialDigits: 6,
  checkDigits: 'mod97-10',
  display: { groups: [2, 6], separator: '-' },
};

describe('generateKassenzeichen', () => {
  it('builds prefix + zero-padded serial + mod 11 check digit under the default scheme', () => {
    // Payload 51000052447, weights from the right 2,3,4,5,6,7,2,3,4,5,6:
    // 7·2 + 4·3 + 4·4 + 2·5 + 5·6 + 0 + 0 + 0 + 0 + 1·5 + 5·6 = 14+12+16+10+30+5+30 = 117,
    // 117 mod 11 = 7 → check digit 11 − 7 = 4.
    expect(generateKassenzeichen(DEFAULT_SCHEME, 'fee', 52447n)).toBe('510000524474');
    expect(formatForDisplay(DEFAULT_SCHEME, '510000524474')).toBe('5100.0052447.4');
    expect(generateKassenzeichen(DEFAULT_SCHEME, 'fine', 1n)).toMatch(/^52000000001\d$/);
    expect(generateKassenzeichen(DEFAULT_SCHEME, 'library', 999_999_999n)).toMatch(/^61999999999\d$/);
  });

  it('puts letters into the check as A=10 … Z=35 (ISO 7064)', () => {
    const kz = generateKassenzeichen(LETTER_SCHEME, 'fee', 4711n);
    expect(kz).toMatch(/^BG004711\d\d$/);
    // B=11, G=16: the check digits are those of 1116004711.
    expect(lettersToDigits('BG004711')).toBe('1116004711');
    expect(hasValidCheckDigits('mod97-10', lettersToDigits(kz))).toBe(true);
    // A prefix typo is caught by the check digits too, not only by the prefix lookup.
    expect(hasValidCheckDigits('mod97-10', lettersToDigits('BO' + kz.slice(2)))).toBe(false);
    expect(formatForDisplay(LETTER_SCHEME, kz)).toBe(`BG-004711-${kz.slice(-2)}`);
  });

  it('refuses a serial without a mod 11 check digit and nextUsableSerial skips it', () => {
    // 5100000000 05: 5·2 + 1·5 + 5·6 = 45, 45 mod 11 = 1 → check value 10.
    const err = caught(() => generateKassenzeichen(DEFAULT_SCHEME, 'fee', 5n));
    expect(err.location.field).toBe('serial');
    expect(err.message).toMatch(/nextUsableSerial/);
    expect(nextUsableSerial(DEFAULT_SCHEME, 'fee', 5n)).toBe(6n);
    expect(nextUsableSerial(DEFAULT_SCHEME, 'fee', 4n)).toBe(4n);
    expect(nextUsableSerial({ ...DEFAULT_SCHEME, serialDigits: 1 }, 'fee', 10n)).toBeNull();
  });

  it.each([
    [-1n, /outside 0–999999999/],
    [1_000_000_000n, /outside 0–999999999/],
  ])('refuses serial %s', (serial, message) => {
    const err = caught(() => generateKassenzeichen(DEFAULT_SCHEME, 'fee', serial));
    expect(err.location.field).toBe('serial');
    expect(err.message).toMatch(message);
  });

  it('refuses a category the scheme has no prefix for', () => {
    const err = caught(() => generateKassenzeichen(LETTER_SCHEME, 'library', 1n));
    expect(err.location.field).toBe('category');
    expect(err.message).toContain('no prefix for library');
  });

  it('every generated Kassenzeichen validates back to its category and serial', () => {
    for (const scheme of [DEFAULT_SCHEME, LETTER_SCHEME, { ...DEFAULT_SCHEME, checkDigits: 'luhn' as const }]) {
      for (const category of ['fee', 'fine'] as const) {
        for (let serial = 0n; serial < 300n; serial += 7n) {
          const s = nextUsableSerial(scheme, category, serial)!;
          const kz = generateKassenzeichen(scheme, category, s);
          expect(validateKassenzeichen(scheme, formatForDisplay(scheme, kz))).toEqual({
            kassenzeichen: kz,
            category,
            serial: s,
          });
        }
      }
    }
  });
});

describe('validateKassenzeichen', () => {
  it.each([
    ['5100.0052447.4', '510000524474'],
    [' 5100 0052447 4 ', '510000524474'],
    ['5100-0052447/4', '510000524474'],
    ['5100\u00a00052447\u20134', '510000524474'],
  ])('accepts %j as %s', (text, normalized) => {
    expect(validateKassenzeichen(DEFAULT_SCHEME, text)).toEqual({
      kassenzeichen: normalized,
      category: 'fee',
      serial: 52447n,
    });
    expect(isValidKassenzeichen(DEFAULT_SCHEME, text)).toBe(true);
  });

  it('accepts lower-case letters in the prefix', () => {
    const kz = generateKassenzeichen(LETTER_SCHEME, 'fee', 12n);
    expect(validateKassenzeichen(LETTER_SCHEME, kz.toLowerCase()).kassenzeichen).toBe(kz);
  });

  it.each([
    ['5100.0052447.3', /check digit should be 4, found 3/],
    ['5100.0052474.4', /check digit should be/],
    ['5300.0052447.4', /unknown prefix, expected one of 51 \(fee\), 52 \(fine\), 61 \(library\), 69 \(other\)/],
    ['5100.052447.4', /has 11 characters, a fee Kassenzeichen has 12 \(prefix 51, 9 serial digits, 1 check digit\)/],
    ['5100.00524470.4', /has 13 characters/],
    ['5100.00A2447.4', /only digits after the prefix 51/],
    ['5100.0000005.0', /serial 000000005 has no mod11 check digit and is never issued/],
    ['5100_0052447_4', /may contain only letters/],
    ['5100.0052447.4ä', /may contain only letters/],
    ['  ', /is empty/],
  ])('refuses %j: %s', (text, message) => {
    const err = caught(() => validateKassenzeichen(DEFAULT_SCHEME, text));
    expect(err.message).toMatch(message);
    expect(err.location.field).toBe('kassenzeichen');
    expect(isValidKassenzeichen(DEFAULT_SCHEME, text)).toBe(false);
  });

  it('says "check digits should be" for two-digit algorithms', () => {
    const kz = generateKassenzeichen(LETTER_SCHEME, 'fine', 100n);
    const wrong = kz.slice(0, -2) + (kz.endsWith('00') ? '01' : '00');
    expect(caught(() => validateKassenzeichen(LETTER_SCHEME, wrong)).message).toMatch(
      new RegExp(`check digits should be ${kz.slice(-2)}, found ${wrong.slice(-2)}`),
    );
  });

  it('names a caller-chosen field', () => {
    expect(caught(() => validateKassenzeichen(DEFAULT_SCHEME, 'x', 'items[3].kassenzeichen')).location.field).toBe(
      'items[3].kassenzeichen',
    );
  });
});

describe('normalizeReference', () => {
  it.each([
    ['rf18 5390 0754 7034', 'RF18539007547034'],
    ['51.00-00/52 447', '51000052447'],
    ['\tab\u2014cd\n', 'ABCD'],
    // Only ASCII is upper-cased: ß must not turn into SS and slip through as a reference.
    ['straße', 'STRAßE'],
  ])('%j → %s', (text, expected) => {
    expect(normalizeReference(text)).toBe(expected);
  });
});

describe('validateSuppliedReference', () => {
  it.each([
    ['AZ 4711', 'AZ4711'],
    ['ab-cd', 'ABCD'],
    ['1'.repeat(35), '1'.repeat(35)],
  ])('accepts %j', (text, expected) => {
    expect(validateSuppliedReference(text)).toBe(expected);
  });

  it.each([
    ['A-B-C', /has 3 characters after removing separators, allowed are 4–35/],
    ['1'.repeat(36), /has 36 characters/],
    ['straße 12', /may contain only letters/],
    ['AZ_4711', /may contain only letters/],
  ])('refuses %j', (text, message) => {
    const err = caught(() => validateSuppliedReference(text));
    expect(err.message).toMatch(message);
    expect(err.location.field).toBe('reference');
  });
});

describe('parseKassenzeichenSchemes', () => {
  const good = {
    default: 'stadt',
    schemes: [
      {
        id: 'stadt',
        prefixes: { fee: '51', fine: '52', library: '61', other: '69' },
        serialDigits: 9,
        checkDigits: 'mod11',
        display: { groups: [4, 7, 1], separator: '.' },
      },
      { id: 'bauamt', prefixes: { fee: 'BG' }, serialDigits: 6, checkDigits: 'mod97-10' },
    ],
  };

  it('reads JSON text and objects alike, and the default scheme behaves like DEFAULT_SCHEME', () => {
    for (const input of [good, JSON.stringify(good)]) {
      const parsed = parseKassenzeichenSchemes(input);
      expect(parsed.default.id).toBe('stadt');
      expect([...parsed.byId.keys()]).toEqual(['stadt', 'bauamt']);
      expect(generateKassenzeichen(parsed.default, 'fee', 52447n)).toBe(
        generateKassenzeichen(DEFAULT_SCHEME, 'fee', 52447n),
      );
      expect(parsed.byId.get('bauamt')!.display).toBeUndefined();
    }
  });

  it('takes the only scheme as default when none is named', () => {
    expect(parseKassenzeichenSchemes({ schemes: [good.schemes[1]] }).default.id).toBe('bauamt');
  });

  it.each<[string, unknown, RegExp]>([
    ['not JSON', '{schemes:', /not valid JSON/],
    ['not an object', [], /\$: must be an object/],
    ['no schemes', {}, /schemes: must be a non-empty array/],
    ['unknown top-level key', { ...good, extra: 1 }, /extra: unknown key/],
    ['bad id', { schemes: [{ ...good.schemes[1], id: 'Bau Amt' }] }, /schemes\[0\]\.id: must be 1–40 characters/],
    ['duplicate id', { default: 'bauamt', schemes: [good.schemes[1], good.schemes[1]] }, /schemes\[1\]\.id: "bauamt" is used twice/],
    ['lower-case prefix', { schemes: [{ ...good.schemes[1], prefixes: { fee: 'bg' } }] }, /schemes\[0\]\.prefixes\.fee: must be 1–10 characters of A-Z and 0-9/],
    ['unknown category', { schemes: [{ ...good.schemes[1], prefixes: { parking: '71' } }] }, /prefixes\.parking: unknown category/],
    ['no prefixes', { schemes: [{ ...good.schemes[1], prefixes: {} }] }, /prefixes: must map at least one/],
    ['overlapping prefixes', { schemes: [{ ...good.schemes[1], prefixes: { fee: '5', fine: '51' } }] }, /prefixes\.fine: "51" and fee "5" overlap/],
    ['same prefix twice', { schemes: [{ ...good.schemes[1], prefixes: { fee: '51', other: '51' } }] }, /prefixes\.other: "51" and fee "51" overlap/],
    ['serialDigits 0', { schemes: [{ ...good.schemes[1], serialDigits: 0 }] }, /serialDigits: must be a whole number from 1 to 30/],
    ['serialDigits as text', { schemes: [{ ...good.schemes[1], serialDigits: '9' }] }, /serialDigits: must be a whole number/],
    ['too long for SEPA', { schemes: [{ ...good.schemes[1], prefixes: { fee: 'ABCDEFGHIJ' }, serialDigits: 24 }] }, /would have 36 characters, at most 35/],
    ['unknown algorithm', { schemes: [{ ...good.schemes[1], checkDigits: 'mod10' }] }, /checkDigits: must be one of luhn, mod11, mod97-10, none/],
    ['bad separator', { schemes: [{ ...good.schemes[0], display: { groups: [4], separator: '_' } }] }, /display\.separator: must be one of/],
    ['bad groups', { schemes: [{ ...good.schemes[0], display: { groups: [0], separator: '.' } }] }, /display\.groups: must be a non-empty array/],
    ['default missing with two schemes', { schemes: good.schemes }, /default: must name one of stadt, bauamt/],
    ['unknown default', { ...good, default: 'x' }, /default: "x" is not one of stadt, bauamt/],
    ['verifySupplied as text', { schemes: [{ ...good.schemes[1], verifySupplied: 'yes' }] }, /schemes\[0\]\.verifySupplied: must be true or false/],
  ])('refuses %s', (_name, input, message) => {
    const err = caught(() => parseKassenzeichenSchemes(input));
    expect(err.message).toMatch(message);
    expect(err.location.field).toBe('kassenzeichenSchemes');
  });

  it('reports every problem at once, each with its path', () => {
    const err = caught(() =>
      parseKassenzeichenSchemes({
        schemes: [{ id: 'x', prefixes: { fee: 'bg' }, serialDigits: 99, checkDigits: 'crc' }],
      }),
    );
    expect(err.errors.map((e) => e.path)).toEqual([
      'schemes[0].prefixes.fee',
      'schemes[0].serialDigits',
      'schemes[0].checkDigits',
    ]);
  });
});
