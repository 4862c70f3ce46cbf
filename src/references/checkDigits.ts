import { ValidationError } from '../errors.js';

/**
 * Check digits over strings of decimal digits, as used by Kassenzeichen schemes and by the
 * matcher to tell a real reference in a remittance line from a random run of digits.
 *
 * All three algorithms work on digits only. Schemes whose references contain letters decide
 * themselves how letters enter (see kassenzeichen.ts); this module never guesses.
 */
export type CheckDigitAlgorithm = 'luhn' | 'mod11' | 'mod97-10' | 'none';

export const CHECK_DIGIT_ALGORITHMS: readonly CheckDigitAlgorithm[] = Object.freeze([
  'luhn',
  'mod11',
  'mod97-10',
  'none',
] as const);

const DIGITS = /^[0-9]+$/;

/** How many trailing characters an algorithm appends. */
export function checkDigitLength(algorithm: CheckDigitAlgorithm): number {
  switch (algorithm) {
    case 'luhn':
    case 'mod11':
      return 1;
    case 'mod97-10':
      return 2;
    case 'none':
      return 0;
  }
}

export function isCheckDigitAlgorithm(value: unknown): value is CheckDigitAlgorithm {
  return typeof value === 'string' && (CHECK_DIGIT_ALGORITHMS as readonly string[]).includes(value);
}

/**
 * Check digit(s) for a payload of digits:
 * - `luhn` → 1 digit (ISO/IEC 7812-1 Annex B).
 * - `mod11` → 1 digit. Weights 2,3,4,5,6,7 repeating from the rightmost payload digit; the check
 *   digit c is chosen so that the weighted sum plus c (weight 1) is divisible by 11, i.e.
 *   c = (11 − sum mod 11) mod 11. This is the "Modulo 11, Gewichtung 2–7" family used for
 *   German Kassenzeichen and account numbers.
 *   **Remainder 10**: when sum mod 11 = 1 the check value would be 10, which is not a digit.
 *   Such a payload has no valid check digit: this function throws a ValidationError and callers
 *   that allocate serials skip it (kassenzeichen.ts). We deliberately do not map 10 to 0 (as some
 *   Bundesbank account methods do) because that would make two payloads share a check digit and
 *   lose the guarantee that every single-digit error is detected.
 * - `mod97-10` → 2 digits (ISO 7064 MOD 97-10, the IBAN/RF algorithm): c = 98 − (payload·100 mod 97),
 *   so that payload‖c ≡ 1 (mod 97).
 * - `none` → empty string.
 *
 * Throws ValidationError (field `payload`) for an empty payload or one with non-digits.
 */
export function computeCheckDigits(algorithm: CheckDigitAlgorithm, payload: string): string {
  if (!DIGITS.test(payload)) {
    throw new ValidationError(
      `payload: check digits are computed over digits only, got "${payload.length > 40 ? payload.slice(0, 40) + '…' : payload}"`,
      { field: 'payload' },
    );
  }
  switch (algorithm) {
    case 'luhn':
      return String((10 - (luhnSum(payload, true) % 10)) % 10);
    case 'mod11': {
      const c = (11 - (weightedMod11Sum(payload) % 11)) % 11;
      if (c === 10) {
        throw new ValidationError(
          `payload: ${payload} has no mod11 check digit (weighted sum leaves remainder 1, check value would be 10); use another serial`,
          { field: 'payload' },
        );
      }
      return String(c);
    }
    case 'mod97-10':
      return String(98 - mod97(payload + '00')).padStart(2, '0');
    case 'none':
      return '';
  }
}

/**
 * True when the payload can carry a check digit under `algorithm` (false only for mod11 payloads
 * whose check value would be 10, and for non-digit or empty payloads).
 */
export function canComputeCheckDigits(algorithm: CheckDigitAlgorithm, payload: string): boolean {
  if (!DIGITS.test(payload)) return false;
  return algorithm !== 'mod11' || (11 - (weightedMod11Sum(payload) % 11)) % 11 !== 10;
}

/**
 * True when the last digit(s) of `digits` are the correct check digit(s) for the rest.
 * Non-digits, and strings too short to hold at least one payload digit, give false.
 * With `none` any non-empty digit string is valid.
 */
export function hasValidCheckDigits(algorithm: CheckDigitAlgorithm, digits: string): boolean {
  if (!DIGITS.test(digits)) return false;
  if (digits.length <= checkDigitLength(algorithm)) return false;
  switch (algorithm) {
    case 'luhn':
      return luhnSum(digits, false) % 10 === 0;
    case 'mod11':
      // Check digit has weight 1; payload digits continue with 2..7 from the right.
      return (weightedMod11Sum(digits.slice(0, -1)) + digitAt(digits, digits.length - 1)) % 11 === 0;
    case 'mod97-10':
      return mod97(digits) === 1;
    case 'none':
      return true;
  }
}

/**
 * Luhn sum. `doubleRightmost` is true when computing for a payload (the check digit will be
 * appended to its right, so the payload's rightmost digit is the first one doubled).
 */
function luhnSum(digits: string, doubleRightmost: boolean): number {
  let sum = 0;
  let double = doubleRightmost;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digitAt(digits, i);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum;
}

const MOD11_WEIGHTS = [2, 3, 4, 5, 6, 7] as const;

function weightedMod11Sum(payload: string): number {
  let sum = 0;
  for (let i = payload.length - 1, k = 0; i >= 0; i--, k++) {
    sum += digitAt(payload, i) * MOD11_WEIGHTS[k % MOD11_WEIGHTS.length]!;
  }
  return sum;
}

/**
 * Remainder of a decimal digit string modulo 97, digit by digit so arbitrarily long strings never
 * leave the safe integer range (the running value stays below 970).
 */
export function mod97(digits: string): number {
  let r = 0;
  for (let i = 0; i < digits.length; i++) {
    r = (r * 10 + digitAt(digits, i)) % 97;
  }
  return r;
}

function digitAt(s: string, i: number): number {
  return s.charCodeAt(i) - 48;
}
