/**
 * Mandates as plain data (sequence, expiry) and the creditor identifier's check digits, against an
 * independent MOD 97-10 computed here.
 */
import { describe, expect, it } from 'vitest';
import { isValidCreditorId } from '../../../src/sepa/creditorId.js';
import { addMonths, expiresOn, mandateStanding, nextSequence, type MandateFacts } from '../../../src/services/mandates/model.js';

/** ISO 7064 MOD 97-10 the long way: the national id, then country and "00", letters as 10–35. */
function checkDigits(country: string, nationalId: string): string {
  const digits = [...`${nationalId}${country}00`].map((ch) => (/[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch)).join('');
  let rest = 0n;
  for (const d of digits) rest = (rest * 10n + BigInt(d)) % 97n;
  return String(98n - rest).padStart(2, '0');
}

describe('creditor identifier', () => {
  it('the Bundesbank test identifier and ones made here with independent check digits are valid', () => {
    expect(isValidCreditorId('DE98ZZZ09999999999')).toBe(true);
    for (const n of ['01234567890', '09876543210', '00000000123']) {
      const id = `DE${checkDigits('DE', n)}ZZZ${n}`;
      expect(isValidCreditorId(id)).toBe(true);
      // The business code is not part of the check.
      expect(isValidCreditorId(`${id.slice(0, 4)}ABC${id.slice(7)}`)).toBe(true);
    }
  });
  it.each([
    ['DE97ZZZ09999999999', 'wrong check digits'],
    ['DE98ZZZ19999999999', 'German national id starts with 0'],
    ['DE98ZZZ0999999999', 'German national id has 11 characters'],
    ['DE98ZZ09999999999', 'business code has 3 characters'],
    ['de98zzz0999999999x', 'shape'],
    ['', 'empty'],
  ])('%s is refused (%s)', (id) => expect(isValidCreditorId(id)).toBe(false));
});

describe('mandate sequence and expiry', () => {
  const m = (over: Partial<MandateFacts> = {}): MandateFacts => ({ kind: 'recurrent', status: 'active', signedOn: '2026-01-31', lastCollectedOn: null, finalRequested: false, ...over });
  it.each([
    [m(), 'FRST'],
    [m({ lastCollectedOn: '2026-03-01' }), 'RCUR'],
    [m({ lastCollectedOn: '2026-03-01', finalRequested: true }), 'FNAL'],
    [m({ kind: 'one_off' }), 'OOFF'],
  ])('%o → %s', (facts, seq) => expect(nextSequence(facts)).toBe(seq));

  it('expires 36 months after signature, or after the last collection', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2027-12-31', 2)).toBe('2028-02-29');
    expect(expiresOn(m())).toBe('2029-01-31');
    expect(expiresOn(m({ lastCollectedOn: '2027-06-15' }))).toBe('2030-06-15');
    expect(mandateStanding(m(), '2029-01-31')).toBe('active');
    expect(mandateStanding(m(), '2029-02-01')).toBe('expired');
    expect(mandateStanding(m({ status: 'blocked' }), '2030-01-01')).toBe('blocked');
  });
});
