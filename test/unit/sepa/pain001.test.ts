/**
 * The pain.001 writer on its own: both versions, read back with the independent reader and checked
 * against the DK rules; the DK character set; and the read-back check refusing a file that
 * disagrees with the run.
 */
import { describe, expect, it } from 'vitest';
import { isSepaId, sepaText } from '../../../src/sepa/charset.js';
import { checkCreditTransfer, writeCreditTransfer, type CreditTransferFile } from '../../../src/sepa/pain001.js';
import { seededRandom } from '../../support/random.js';
import { dkViolations, readCreditTransfer } from '../../support/painReader.js';

const base = (format: CreditTransferFile['format'], transfers: CreditTransferFile['transfers']): CreditTransferFile => ({
  format,
  messageId: 'STK-R-20261204-7',
  paymentInformationId: 'STK-R-20261204-7-1',
  createdAt: new Date('2026-12-04T10:00:00Z'),
  executionDate: '2026-12-07',
  batchBooking: false,
  initiatorName: 'Stadtkasse Musterstadt',
  debtor: { name: 'Stadtkasse Musterstadt', iban: 'DE02120300000000202051', bic: 'BYLADEM1001' },
  transfers,
});

describe('DK character set', () => {
  it.each([
    ['Müller-Lüdenscheidt', 'Mueller-Luedenscheidt'],
    ['Straße & Söhne', 'Strasse + Soehne'],
    ['Zoë Ångström', 'Zoe Angstroem'],
    ['Ärger_mit „Anführung“', "Aerger-mit 'Anfuehrung'"],
    ['a\tb\n\nc   d', 'a b c d'],
    ['Preis: 5 € (netto) 50% <ok>', 'Preis: 5 (netto) 50 ok'],
  ])('%s → %s', (input, expected) => {
    expect(sepaText(input, 140)).toBe(expected);
  });

  it('cuts to the length, at a word end when one is near', () => {
    const t = sepaText('Rueckzahlung Kassenzeichen 2026-000123 Ihre Zahlung vom 16.11.2026 Stadtkasse Musterstadt', 60);
    expect(t.length).toBeLessThanOrEqual(60);
    expect(t).toBe('Rueckzahlung Kassenzeichen 2026-000123 Ihre Zahlung vom');
  });

  it.each([
    ['STK-R1-1', true],
    ['/STK', false],
    ['A//B', false],
    ['x'.repeat(35), true],
    ['x'.repeat(36), false],
    ['Ä1', false],
    ['', false],
  ])('id %s allowed: %s', (id, ok) => expect(isSepaId(id)).toBe(ok));
});

describe('pain.001 written and read back', () => {
  it.each(['pain.001.001.09', 'pain.001.001.03'] as const)('%s: amounts, counts, control sums, dates and the DK rules', (format) => {
    const rnd = seededRandom(16);
    const transfers = Array.from({ length: 400 }, (_, i) => ({
      endToEndId: `STK-R7-${i + 1}`,
      // Amounts whose binary fractions do not add up exactly as JavaScript numbers.
      amountMinor: BigInt(1 + Math.floor(rnd() * 99_999_999)),
      creditorName: sepaText(`Empfängerin Nr. ${i} Ärger`, 70),
      creditorIban: 'DE89370400440532013000',
      creditorBic: i % 2 === 0 ? 'COBADEFFXXX' : null,
      remittance: sepaText(`Rückzahlung Kassenzeichen 2026-${String(i).padStart(6, '0')}`, 140),
    }));
    const xml = writeCreditTransfer(base(format, transfers));
    const f = readCreditTransfer(xml);
    expect(dkViolations(f)).toEqual([]);
    expect(f.namespace).toBe(`urn:iso:std:iso:20022:tech:xsd:${format}`);
    const total = transfers.reduce((s, t) => s + t.amountMinor, 0n);
    expect(f.controlSumCents).toBe(total);
    expect(f.count).toBe(400);
    const p = f.payments[0]!;
    expect(p).toMatchObject({ id: 'STK-R-20261204-7-1', batchBooking: 'false', controlSumCents: total, count: 400, executionDate: '2026-12-07', debtorBic: 'BYLADEM1001' });
    expect(p.transfers.map((t) => t.cents)).toEqual(transfers.map((t) => t.amountMinor));
    expect(p.transfers.map((t) => t.endToEndId)).toEqual(transfers.map((t) => t.endToEndId));
    expect(p.transfers[0]!.creditorBic).toBe('COBADEFFXXX');
    expect(p.transfers[1]!.creditorBic).toBeNull();
    // .09 names the agent BICFI and wraps the date; .03 says BIC and gives the date bare.
    expect(xml.includes('<BICFI>')).toBe(format === 'pain.001.001.09');
    expect(xml.includes('<ReqdExctnDt><Dt>')).toBe(format === 'pain.001.001.09');
  });

  it('refuses a file that disagrees with the run (the check reads what was written)', () => {
    const f = base('pain.001.001.09', [{ endToEndId: 'E1', amountMinor: 3070n, creditorName: 'A', creditorIban: 'DE89370400440532013000', remittance: 'x' }]);
    const xml = writeCreditTransfer(f);
    expect(() => checkCreditTransfer(xml.replace('<InstdAmt Ccy="EUR">30.70', '<InstdAmt Ccy="EUR">30.71'), f)).toThrow(/amount of transaction 1/);
    expect(() => checkCreditTransfer(xml.replace('<CtrlSum>30.70</CtrlSum>', '<CtrlSum>30.7</CtrlSum>'), f)).toThrow(/two decimals/);
    expect(() => checkCreditTransfer(xml, { ...f, executionDate: '2026-12-08' })).toThrow(/ReqdExctnDt/);
    expect(() => writeCreditTransfer({ ...f, transfers: [{ ...f.transfers[0]!, remittance: 'Rückzahlung' }] })).toThrow(/remittance/);
  });
});
