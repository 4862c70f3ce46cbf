/**
 * The SEPA creditor identifier (Gläubiger-Identifikationsnummer): country, two check digits, a
 * three-character business code the check ignores, and the national identifier (in Germany "0"
 * and ten digits, issued by the Bundesbank). Check digits as for the IBAN (ISO 7064 MOD 97-10 over
 * the national identifier followed by country and check digits), computed by the `sepa` package.
 */
import SEPA from 'sepa';

const SHAPE = /^([A-Z]{2})(\d{2})([A-Z0-9]{3})([A-Z0-9]{1,28})$/;

export function normalizeCreditorId(text: string): string {
  return text.replace(/\s/g, '').toUpperCase();
}

export function isValidCreditorId(text: string): boolean {
  const id = normalizeCreditorId(text);
  const m = SHAPE.exec(id);
  if (!m) return false;
  if (m[1] === 'DE' && !/^0\d{10}$/.test(m[4]!)) return false;
  if (m[2] === '00' || m[2] === '01' || m[2] === '99') return false;
  return SEPA.validateCreditorID(id);
}
