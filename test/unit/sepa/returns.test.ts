/**
 * The reading of a direct debit return (src/services/collections/returns.ts): booked when it carries
 * the collected amount (plus a fee on top); less, even with charges of exactly the difference, and
 * more with other charges than the excess, are left for a person with the reason, in German and English.
 */
import { describe, expect, it } from 'vitest';
import { originalAmountInText, readReturn, returnFigures } from '../../../src/services/collections/returns.js';

describe('readReturn', () => {
  it.each([
    ['the collected amount', 3070n, null, [], { book: true, feeMinor: 0n }],
    ['the collected amount with charges named apart', 3070n, 300n, [], { book: true, feeMinor: 300n }],
    ['the amount plus the fee on the same entry', 3370n, null, [], { book: true, feeMinor: 300n }],
    ['the amount plus the fee, charges naming it', 3370n, 300n, [], { book: true, feeMinor: 300n }],
    ['more than amount plus the named charges', 4000n, 300n, [], { book: false, why: 'chargesDiffer', differenceMinor: 930n }],
    ['short by the charges, original stated: a fee is never taken off', 2770n, 300n, [3070n], { book: false, why: 'feeDeducted', differenceMinor: 300n }],
    ['short by the charges, original stated twice', 2770n, 300n, [3070n, 3070n], { book: false, why: 'feeDeducted', differenceMinor: 300n }],
    ['short, no charges', 2770n, null, [3070n], { book: false, why: 'noCharges', differenceMinor: 300n }],
    ['short, charges of zero', 2770n, 0n, [3070n], { book: false, why: 'noCharges', differenceMinor: 300n }],
    ['short, charges not the difference', 2770n, 150n, [3070n], { book: false, why: 'chargesDiffer', differenceMinor: 300n }],
    ['short, charges right but no original stated', 2770n, 300n, [], { book: false, why: 'noOriginalAmount', differenceMinor: 300n }],
    ['short, another original stated', 2770n, 300n, [3000n], { book: false, why: 'originalDiffers', differenceMinor: 300n }],
  ] as const)('%s', (_name, returnedMinor, chargesMinor, statedOriginalsMinor, want) => {
    expect(readReturn(3070n, { returnedMinor, chargesMinor, statedOriginalsMinor: [...statedOriginalsMinor] })).toEqual(want);
  });
});

describe('originalAmountInText', () => {
  it.each([
    ['ORIGINALBETRAG 30,70 EUR', 3070n],
    ['Rueckgabe AM04 ORIGINAL AMOUNT EUR 1,234.56', 123456n],
    ['Originalbetrag: 1.234,56', 123456n],
    ['ENTGELT 3,00 EUR', undefined],
    [null, undefined],
  ] as const)('%s', (text, want) => {
    expect(originalAmountInText(text)).toBe(want);
  });
});

describe('returnFigures', () => {
  const short = { endToEndId: 'STK-D1-3', collectedMinor: 1200n, currency: 'EUR', entry: { returnedMinor: 1000n, chargesMinor: null, statedOriginalsMinor: [] } };
  it('shows both figures and why, in English', () => {
    expect(returnFigures({ ...short, lang: 'en' })).toEqual({
      endToEndId: 'STK-D1-3', collected: '12.00', returned: '10.00', difference: '2.00', charges: null, statedOriginal: [], currency: 'EUR', explained: false, shortfall: 'noCharges',
      reason: 'the return brings 10.00 EUR instead of the 12.00 EUR collected; the bank names no charges that explain the difference of 2.00 EUR',
    });
  });
  it('and in German', () => {
    expect(returnFigures({ ...short, lang: 'de' }).reason).toBe('Die Rücklastschrift bringt 10,00\u00a0€ statt der eingezogenen 12,00\u00a0€; die Bank nennt keine Entgelte, die den Unterschied von 2,00\u00a0€ erklären.');
    expect(returnFigures({ ...short, entry: { returnedMinor: 3600n, chargesMinor: 150n, statedOriginalsMinor: [4000n] }, collectedMinor: 4000n, lang: 'de' }).reason).toBe(
      'Die Rücklastschrift bringt 36,00\u00a0€ statt der eingezogenen 40,00\u00a0€; die Entgelte der Bank (1,50\u00a0€) sind nicht der Unterschied von 4,00\u00a0€.',
    );
  });
  it('says how a booked one was booked', () => {
    const plusFee = returnFigures({ endToEndId: 'STK-D1-1', collectedMinor: 3070n, currency: 'EUR', entry: { returnedMinor: 3370n, chargesMinor: 300n, statedOriginalsMinor: [] }, lang: 'en' });
    expect(plusFee).toMatchObject({ explained: true, shortfall: null, reason: 'return of 30.70 EUR, bank fee 3.00 EUR' });
  });
  it('says why a fee taken off a return is left for a person', () => {
    const net = returnFigures({ endToEndId: 'STK-D1-1', collectedMinor: 3070n, currency: 'EUR', entry: { returnedMinor: 2770n, chargesMinor: 300n, statedOriginalsMinor: [3070n] }, lang: 'de' });
    expect(net).toMatchObject({ explained: false, shortfall: 'feeDeducted', difference: '3.00' });
    expect(net.reason).toContain('werden nicht abgezogen');
  });
});
