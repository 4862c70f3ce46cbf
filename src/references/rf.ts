import { ValidationError } from '../errors.js';
import { mod97 } from './checkDigits.js';
import { lettersToDigits, normalizeReference } from './kassenzeichen.js';

/**
 * ISO 11649 structured creditor reference ("RF reference"): "RF", two check digits, and the
 * creditor's own reference of 1–21 characters [A-Z0-9]. It is what the EPC QR code and SEPA
 * <CdtrRefInf> carry as a structured reference, so a payer's bank can pass it through unchanged.
 *
 * Check digits (ISO 11649 §4, the ISO 7064 MOD 97-10 procedure also used by IBAN): append "RF00"
 * to the reference, replace letters by A=10 … Z=35, take the number mod 97, check = 98 − remainder.
 * A reference is valid when moving its first four characters to the end and converting gives a
 * number ≡ 1 (mod 97).
 */
export const RF_MAX_REFERENCE_LENGTH = 21;

const RF_SHAPE = /^RF(\d{2})([A-Z0-9]{1,21})$/;

/** "RF" + check digits + reference, in electronic form (no spaces). Throws ValidationError (field `reference`). */
export function toRfReference(kassenzeichen: string, field = 'reference'): string {
  const ref = normalizeReference(kassenzeichen);
  if (!/^[A-Z0-9]+$/.test(ref)) {
    throw new ValidationError(
      `${field}: ${JSON.stringify(kassenzeichen)} cannot become an RF reference: only letters A–Z and digits are allowed`,
      { field },
    );
  }
  if (ref.length > RF_MAX_REFERENCE_LENGTH) {
    throw new ValidationError(
      `${field}: ${JSON.stringify(kassenzeichen)} has ${ref.length} characters, an RF reference holds at most ${RF_MAX_REFERENCE_LENGTH} (ISO 11649)`,
      { field },
    );
  }
  const check = 98 - mod97(lettersToDigits(ref + 'RF00'));
  return 'RF' + String(check).padStart(2, '0') + ref;
}

/** True for a well-formed RF reference with correct check digits; spaces and lower case are tolerated. */
export function isValidRf(text: string): boolean {
  return parseRf(text) !== null;
}

/** The creditor's reference inside a valid RF reference ("RF18539007547034" → "539007547034"), else null. */
export function parseRf(text: string): string | null {
  const rf = normalizeReference(text);
  const m = RF_SHAPE.exec(rf);
  if (!m) return null;
  // 00 and 01 cannot come out of 98 − (n mod 97); they are aliases of 97 and 98 and are refused.
  const check = m[1]!;
  if (check === '00' || check === '01') return null;
  const ref = m[2]!;
  return mod97(lettersToDigits(ref + 'RF' + check)) === 1 ? ref : null;
}

/** Print form: groups of four separated by spaces ("RF18 5390 0754 7034"), as ISO 11649 recommends for paper. */
export function formatRf(text: string): string {
  const rf = normalizeReference(text);
  return rf.replace(/(.{4})(?=.)/g, '$1 ');
}
