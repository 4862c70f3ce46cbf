import { describe, expect, it } from 'vitest';
import { IBAN_LENGTHS, isValidBic, isValidIban, maskIban, normalizeIban } from '../../src/references/iban.js';

// Example IBANs from the SWIFT IBAN registry / national bank publications.
const VALID = [
  'DE89370400440532013000',
  'AT611904300234573201',
  'CH9300762011623852957',
  'NL91ABNA0417164300',
  'FR1420041010050500013M02606',
  'IT60X0542811101000000123456',
  'ES9121000418450200051332',
  'BE68539007547034',
  'LU280019400644750000',
  'PL61109010140000071219812874',
  'GB82WEST12345698765432',
  'NO9386011117947',
];

describe('isValidIban', () => {
  it.each(VALID)('%s is valid', (iban) => {
    expect(isValidIban(iban)).toBe(true);
    expect(iban.length).toBe(IBAN_LENGTHS[iban.slice(0, 2)]);
  });

  it('accepts print form and lower case', () => {
    expect(isValidIban('DE89 3704 0044 0532 0130 00')).toBe(true);
    expect(isValidIban('de89\u00a03704-0044-0532-0130-00')).toBe(true);
  });

  it.each([
    ['DE88370400440532013000', 'check digits off by one'],
    ['DE89370400440532013001', 'last digit wrong'],
    ['DE89370400440532010300', 'digits transposed'],
    ['DE8937040044053201300', 'one digit short for DE (22)'],
    ['DE893704004405320130000', 'one digit long for DE'],
    ['AT61190430023457320', 'one digit short for AT (20)'],
    ['DE00370400440532013000', 'check digits 00 never produced'],
    ['DE8937040044053201300A', 'letter in a German BBAN'],
    ['D889370400440532013000', 'digit in the country code'],
    ['DEXX370400440532013000', 'letters as check digits'],
    ['DE89_370400440532013000', 'underscore'],
    ['', 'empty'],
  ])('%s is invalid (%s)', (iban) => {
    expect(isValidIban(iban)).toBe(false);
  });

  it('uses the 15–34 bounds for countries not in the table', () => {
    // Brazil (29 characters) is not listed: a correct check passes via the fallback.
    expect(IBAN_LENGTHS['BR']).toBeUndefined();
    expect(isValidIban('BR1800360305000010009795493C1')).toBe(true);
    expect(isValidIban('BR1800360305000010009795493C2')).toBe(false);
  });
});

describe('normalizeIban', () => {
  it('strips spaces and hyphens, upper-cases', () => {
    expect(normalizeIban(' de89 3704-0044 0532 0130 00 ')).toBe('DE89370400440532013000');
  });
});

describe('maskIban', () => {
  it.each([
    ['DE89370400440532013000', 'DE89 **** **** **** **30 00'],
    ['DE89 3704 0044 0532 0130 00', 'DE89 **** **** **** **30 00'],
    ['BE68539007547034', 'BE68 **** **** 7034'],
    ['NL91ABNA0417164300', 'NL91 **** **** **43 00'],
    // Garbage is masked too rather than echoed.
    ['DE123', 'DE** *'],
    ['', ''],
  ])('%j → %j', (iban, masked) => {
    expect(maskIban(iban)).toBe(masked);
  });

  it('never shows the bank code or the middle of the account number', () => {
    const masked = maskIban('DE89370400440532013000');
    expect(masked).not.toContain('3704');
    expect(masked).not.toContain('0532');
  });
});

describe('isValidBic', () => {
  it.each(['COBADEFFXXX', 'COBADEFF', 'DEUTDEDB110', 'GENODEF1S04', 'cobadeff', 'BELA DE BE'])('%j is valid', (bic) => {
    expect(isValidBic(bic)).toBe(true);
  });

  it.each(['COBADEF', 'COBADEFFXX', 'COBADEFFXXXX', 'COBA1EFF', 'COBADE_F', ''])('%j is invalid', (bic) => {
    expect(isValidBic(bic)).toBe(false);
  });
});
