import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  CHECK_DIGIT_ALGORITHMS,
  canComputeCheckDigits,
  checkDigitLength,
  computeCheckDigits,
  hasValidCheckDigits,
  type CheckDigitAlgorithm,
} from '../../src/references/checkDigits.js';
import { seededRandom as prng } from '../support/random.js';

describe('computeCheckDigits: known values', () => {
  it.each<[CheckDigitAlgorithm, string, string]>([
    // Luhn: the Wikipedia / ISO 7812 example 7992739871-3, and common test card numbers.
    ['luhn', '7992739871', '3'],
    ['luhn', '411111111111111', '1'],
    ['luhn', '123456781234567', '0'],
    ['luhn', '0', '0'],
    // ISO 7064 MOD 97-10: the standard's own example "794" → 44 (79400 mod 97 = 54, 98 − 54 = 44).
    ['mod97-10', '794', '44'],
    // IBAN DE89 3704 0044 0532 0130 00: BBAN + "DE" as 13 14 → check digits 89.
    ['mod97-10', '3704004405320130001314', '89'],
    // IBAN GB82 WEST 1234 5698 7654 32: WEST → 32 14 28 29, GB → 16 11 → check digits 82.
    ['mod97-10', '3214282912345698765432' + '1611', '82'],
    // Check digits below 10 are zero-padded: 1·100 mod 97 = 3, 98 − 3 = 95; 10·100 mod 97 = 30 → 68;
    // 96·100 = 9600, 9600 mod 97 = 94 → 04.
    ['mod97-10', '1', '95'],
    ['mod97-10', '10', '68'],
    ['mod97-10', '96', '04'],
    // Weighted mod 11, derived by hand (weights 2,3,4,5,6,7 from the right, check = (11 − sum mod 11) mod 11):
    // 12345:   5·2 + 4·3 + 3·4 + 2·5 + 1·6             = 50,  50 mod 11 = 6 → 11 − 6 = 5
    ['mod11', '12345', '5'],
    // 123456:  6·2 + 5·3 + 4·4 + 3·5 + 2·6 + 1·7       = 77,  77 mod 11 = 0 → 0
    ['mod11', '123456', '0'],
    // 1234567: 7·2 + 6·3 + 5·4 + 4·5 + 3·6 + 2·7 + 1·2 = 106 (weights wrap to 2), 106 mod 11 = 7 → 4
    ['mod11', '1234567', '4'],
    // 5: 5·2 = 10, 10 mod 11 = 10 → 1
    ['mod11', '5', '1'],
    // 51000524 (a category-51 Kassenzeichen body), weights from the right 2,3,4,5,6,7,2,3:
    //   4·2 + 2·3 + 5·4 + 0·5 + 0·6 + 0·7 + 1·2 + 5·3 = 8 + 6 + 20 + 2 + 15 = 51, 51 mod 11 = 7 → 4
    ['mod11', '51000524', '4'],
    ['none', '123', ''],
  ])('%s of %s is %s', (algorithm, payload, expected) => {
    expect(computeCheckDigits(algorithm, payload)).toBe(expected);
    expect(hasValidCheckDigits(algorithm, payload + expected)).toBe(true);
  });

  it('mod11: a payload whose check value would be 10 has none and is refused', () => {
    // 6·2 = 12, 12 mod 11 = 1 → 11 − 1 = 10: not a digit.
    expect(canComputeCheckDigits('mod11', '6')).toBe(false);
    expect(() => computeCheckDigits('mod11', '6')).toThrow(/remainder 1.*would be 10/);
    // ... and no digit appended to it validates (10 is never mapped to 0).
    for (let c = 0; c <= 9; c++) expect(hasValidCheckDigits('mod11', '6' + c)).toBe(false);
  });

  it.each(CHECK_DIGIT_ALGORITHMS)('%s refuses non-digit and empty payloads with the field named', (algorithm) => {
    for (const bad of ['', '12a4', ' 123', '１２３']) {
      const err = (() => {
        try {
          computeCheckDigits(algorithm, bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).location.field).toBe('payload');
    }
  });
});

describe('hasValidCheckDigits', () => {
  it.each<[CheckDigitAlgorithm, string, boolean]>([
    ['luhn', '79927398713', true],
    ['luhn', '79927398710', false],
    ['luhn', '79927398714', false],
    ['luhn', '4111111111111111', true],
    ['luhn', '4111111111111112', false],
    ['mod97-10', '79444', true],
    ['mod97-10', '79445', false],
    ['mod11', '123455', true],
    ['mod11', '123454', false],
    ['mod11', '12345674', true],
    ['none', '123', true],
    // Non-digits and too-short input are false, never an exception: the matcher feeds it raw tokens.
    ['luhn', '7992739871-3', false],
    ['mod97-10', '7944 4', false],
    ['mod11', '', false],
    ['luhn', '0', false],
    ['mod97-10', '44', false],
    ['none', '', false],
    ['none', 'ABC', false],
  ])('%s %s → %s', (algorithm, digits, expected) => {
    expect(hasValidCheckDigits(algorithm, digits)).toBe(expected);
  });

  it('checkDigitLength matches what computeCheckDigits appends', () => {
    for (const a of CHECK_DIGIT_ALGORITHMS) {
      expect(computeCheckDigits(a, '4711')).toHaveLength(checkDigitLength(a));
    }
  });
});

function randomPayloads(count: number, seed: number): string[] {
  const rnd = prng(seed);
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const len = 1 + Math.floor(rnd() * 20);
    let s = '';
    for (let i = 0; i < len; i++) s += String(Math.floor(rnd() * 10));
    out.push(s);
  }
  return out;
}

function substitutions(ref: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < ref.length; i++) {
    for (let d = 0; d <= 9; d++) {
      if (String(d) !== ref[i]) out.push(ref.slice(0, i) + d + ref.slice(i + 1));
    }
  }
  return out;
}

function transpositions(ref: string): Array<{ variant: string; pair: string }> {
  const out: Array<{ variant: string; pair: string }> = [];
  for (let i = 0; i + 1 < ref.length; i++) {
    const a = ref[i]!;
    const b = ref[i + 1]!;
    if (a === b) continue;
    out.push({ variant: ref.slice(0, i) + b + a + ref.slice(i + 2), pair: a + b });
  }
  return out;
}

describe('error detection (property)', () => {
  const payloads = randomPayloads(400, 20261121);

  it.each<CheckDigitAlgorithm>(['luhn', 'mod11', 'mod97-10'])(
    '%s detects every single-digit substitution',
    (algorithm) => {
      let checked = 0;
      for (const p of payloads) {
        // mod11: payloads with check value 10 have no valid reference at all (skipped by design).
        if (!canComputeCheckDigits(algorithm, p)) continue;
        const ref = p + computeCheckDigits(algorithm, p);
        expect(hasValidCheckDigits(algorithm, ref)).toBe(true);
        for (const v of substitutions(ref)) {
          if (hasValidCheckDigits(algorithm, v)) throw new Error(`${algorithm}: ${ref} → ${v} undetected`);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(10_000);
    },
  );

  it.each<CheckDigitAlgorithm>(['mod11', 'mod97-10'])('%s detects every adjacent transposition', (algorithm) => {
    let checked = 0;
    for (const p of payloads) {
      if (!canComputeCheckDigits(algorithm, p)) continue;
      const ref = p + computeCheckDigits(algorithm, p);
      for (const { variant } of transpositions(ref)) {
        if (hasValidCheckDigits(algorithm, variant)) throw new Error(`${algorithm}: ${ref} → ${variant} undetected`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1_000);
  });

  it('luhn detects every adjacent transposition except the known blind spot 09 ↔ 90', () => {
    const missed = new Set<string>();
    let checked = 0;
    for (const p of [...payloads, '1090', '4590321']) {
      const ref = p + computeCheckDigits('luhn', p);
      for (const { variant, pair } of transpositions(ref)) {
        checked++;
        if (hasValidCheckDigits('luhn', variant)) missed.add(pair);
      }
    }
    expect(checked).toBeGreaterThan(1_000);
    // 0 and 9 both contribute the same whether doubled or not (0→0, 9→18→9), so swapping them is invisible.
    expect([...missed].sort()).toEqual(['09', '90']);
  });

  it('mod11 leaves about one payload in eleven without a check digit', () => {
    const all = Array.from({ length: 11_000 }, (_, i) => String(i).padStart(6, '0'));
    const skipped = all.filter((p) => !canComputeCheckDigits('mod11', p)).length;
    expect(skipped).toBe(1_000);
  });
});
