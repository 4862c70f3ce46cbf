import { mod97 } from './checkDigits.js';
import { lettersToDigits } from './kassenzeichen.js';

/**
 * IBAN (ISO 13616) and BIC (ISO 9362) checks for payee accounts on notices, QR codes and refunds.
 */

/**
 * IBAN length per country from the SWIFT IBAN registry, for the SEPA countries and a few near
 * neighbours citizens pay from. Other countries fall back to the ISO 13616 bounds 15–34.
 */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18,
  FR: 27, GB: 22, GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MT: 31, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27,
  VA: 22, TR: 26, UA: 29, BA: 20, RS: 22, ME: 22, MK: 19, AL: 28,
});

const IBAN_SHAPE = /^([A-Z]{2})(\d{2})([A-Z0-9]{11,30})$/;

/** Removes spaces (incl. no-break spaces) and hyphens and upper-cases ASCII letters. */
export function normalizeIban(text: string): string {
  return text.replace(/[\s\-]/g, '').replace(/[a-z]/g, (c) => c.toUpperCase());
}

/**
 * True when `text` (spaces allowed) is an IBAN: country code, two check digits, the country's
 * length (15–34 when the country is not in IBAN_LENGTHS), and mod 97 = 1 after moving the first
 * four characters to the end (ISO 13616-1 / ISO 7064 MOD 97-10). Check digits 00, 01 and 99 can
 * never be produced and are refused. German BBANs are digits only (BLZ + account number).
 */
export function isValidIban(text: string): boolean {
  const iban = normalizeIban(text);
  const m = IBAN_SHAPE.exec(iban);
  if (!m) return false;
  const [, country, check, bban] = m as unknown as [string, string, string, string];
  const expected = IBAN_LENGTHS[country];
  if (expected !== undefined ? iban.length !== expected : iban.length < 15 || iban.length > 34) return false;
  if (check === '00' || check === '01' || check === '99') return false;
  if (country === 'DE' && !/^\d+$/.test(bban)) return false;
  return mod97(lettersToDigits(bban + country + check)) === 1;
}

/**
 * IBAN for logs and support screens: first four (country and check digits) and last four kept,
 * the rest starred, in groups of four: "DE89 **** **** **** **30 00". The last four are what people
 * compare ("the account ending 3000"); the bank code is hidden with the rest because together with
 * the account number it identifies the person. Works on invalid input too, never echoing more.
 */
export function maskIban(text: string): string {
  const iban = normalizeIban(text);
  const masked =
    iban.length <= 8
      ? iban.slice(0, 2) + '*'.repeat(Math.max(0, iban.length - 2))
      : iban.slice(0, 4) + '*'.repeat(iban.length - 8) + iban.slice(-4);
  return masked.replace(/(.{4})(?=.)/g, '$1 ');
}

/** Upper-cases and strips spaces. */
export function normalizeBic(text: string): string {
  return text.replace(/\s/g, '').replace(/[a-z]/g, (c) => c.toUpperCase());
}

/**
 * ISO 9362:2014 shape: 4 alphanumeric (business party prefix), 2-letter country, 2 alphanumeric
 * location, optional 3 alphanumeric branch — 8 or 11 characters. Only the shape can be checked;
 * BICs have no check digits.
 */
export function isValidBic(text: string): boolean {
  return /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(normalizeBic(text));
}
