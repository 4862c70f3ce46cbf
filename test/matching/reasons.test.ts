import { describe, expect, it } from 'vitest';
import { reason, reasonAmount, reasonText, RETURN_REASON_TEXTS, type Reason, type ReasonCode } from '../../src/matching/reasons.js';

const eur = (minor: bigint) => reasonAmount(minor, 'EUR');

/** One example of every reason: a new code without an example does not compile. */
const EXAMPLES: { [C in ReasonCode]: Extract<Reason, { code: C }> } = {
  referenceFound: { code: 'referenceFound', reference: '5100.0052447.8', source: 'remittance-split' },
  checkDigitProtects: { code: 'checkDigitProtects', scheme: 'luhn' },
  nearMiss: { code: 'nearMiss', reference: '51000052448', source: 'structured', slip: 'transposition', kassenzeichen: '5100.0052447.8' },
  amountEqualsOpen: { code: 'amountEqualsOpen' },
  amountEqualsOriginal: { code: 'amountEqualsOriginal', original: eur(3070n), open: eur(1070n) },
  nothingOpen: { code: 'nothingOpen', kassenzeichen: 'K-1' },
  partialPayment: { code: 'partialPayment', paid: eur(1000n), open: eur(3070n) },
  amountExceedsOpen: { code: 'amountExceedsOpen', paid: eur(123450n), open: eur(3070n) },
  nameAgrees: { code: 'nameAgrees', role: 'ultimate debtor', agreement: 'family', debtor: 'Jörg Schröder' },
  ibanOnFile: { code: 'ibanOnFile' },
  ibanLearned: { code: 'ibanLearned', confirmations: 3 },
  tooManyCandidates: { code: 'tooManyCandidates', considered: 20 },
  doublePayment: { code: 'doublePayment', kassenzeichen: 'K-1', held: eur(3070n) },
  unprotectedUncorroborated: { code: 'unprotectedUncorroborated' },
  partialNotAutomatic: { code: 'partialNotAutomatic' },
  overpaymentNotAutomatic: { code: 'overpaymentNotAutomatic' },
  amountCoversMistypedItem: { code: 'amountCoversMistypedItem' },
  overpaymentWithUnknownReference: { code: 'overpaymentWithUnknownReference', reference: '4711' },
  payersItemOneSlipAway: { code: 'payersItemOneSlipAway', kassenzeichen: 'K-2' },
  overpaymentToSuspense: { code: 'overpaymentToSuspense', surplus: eur(500n) },
  severalReferences: { code: 'severalReferences', kassenzeichen: ['K-1', 'K-2'] },
  amountEqualsSum: { code: 'amountEqualsSum' },
  alreadyPaid: { code: 'alreadyPaid', kassenzeichen: ['K-1'] },
  someItemsAddUp: { code: 'someItemsAddUp' },
  amountExceedsSum: { code: 'amountExceedsSum', by: eur(1n) },
  splitInQuotedOrder: { code: 'splitInQuotedOrder', paid: eur(5000n), open: eur(6000n) },
  ambiguousNearMiss: { code: 'ambiguousNearMiss', items: 2 },
  wellFormedUnknownReference: { code: 'wellFormedUnknownReference', reference: '5100.0052455.1', kassenzeichen: '5100.0052447.8' },
  itemAlreadyPaid: { code: 'itemAlreadyPaid', kassenzeichen: 'K-1' },
  nearMissNotAutomatic: { code: 'nearMissNotAutomatic' },
  amountNotOpen: { code: 'amountNotOpen' },
  payerNotDebtor: { code: 'payerNotDebtor' },
  referenceNotFound: { code: 'referenceNotFound', reference: '4711' },
  noReference: { code: 'noReference' },
  payersOpenItems: { code: 'payersOpenItems', items: 2 },
  noItemOfPayer: { code: 'noItemOfPayer' },
  splitOver: { code: 'splitOver', paid: eur(6000n), kassenzeichen: ['K-1', 'K-2'] },
  leftForSuspense: { code: 'leftForSuspense', rest: eur(70n) },
  bankCharges: { code: 'bankCharges' },
  outgoingPayment: { code: 'outgoingPayment' },
  batchWithoutDetails: { code: 'batchWithoutDetails', payments: 12, provider: true },
  detailsDisagreeWithEntry: { code: 'detailsDisagreeWithEntry', kind: 'detailExceedsEntry', entry: eur(75n), details: eur(75000n), count: 1 },
  returnedWithCode: { code: 'returnedWithCode', returnCode: 'AC04' },
  returnedReversal: { code: 'returnedReversal' },
  returnedByTransactionCode: { code: 'returnedByTransactionCode', transactionCode: '159' },
  returnRefersTo: { code: 'returnRefersTo', reference: 'K-1', known: false },
  returnEndToEndId: { code: 'returnEndToEndId', endToEndId: 'E2E-1' },
  returnedInWords: { code: 'returnedInWords' },
  outgoingPaymentReturned: { code: 'outgoingPaymentReturned', returnCode: 'AC04', reference: '5100.0052447.8' },
  slipNeighbour: { code: 'slipNeighbour', kassenzeichen: '5100.0052447.8', other: '5100.0052474.8', slip: 'transposition', amount: eur(3000n) },
  sameAmountNoEvidence: { code: 'sameAmountNoEvidence', amount: eur(3000n), items: 2 },
  surplusPaysOtherItem: { code: 'surplusPaysOtherItem', surplus: eur(1000n), kassenzeichen: 'K-2' },
  ambiguousChoice: { code: 'ambiguousChoice', items: 2, kassenzeichen: 'K-1' },
  issuedTwice: { code: 'issuedTwice', kassenzeichen: 'K-1', other: 'K-2' },
};

describe('reasons', () => {
  it.each(Object.values(EXAMPLES))('$code reads as a sentence in German and in English', (r) => {
    const de = reasonText(r, 'de');
    const en = reasonText(r, 'en');
    for (const text of [de, en]) {
      expect(text).not.toMatch(/undefined|\[object|NaN/);
      expect(text.length).toBeGreaterThan(8);
    }
    expect(de).not.toBe(en);
  });

  it('writes amounts the API way in English and the German way in German', () => {
    const r = EXAMPLES.amountExceedsOpen;
    expect(reasonText(r, 'en')).toBe('amount 1234.50 exceeds the open amount 30.70');
    expect(reasonText(r, 'de')).toBe('Betrag 1.234,50\u00a0€ übersteigt den offenen Betrag 30,70\u00a0€');
  });

  it('keeps the values it was given, so a stored reason survives a round trip through JSON', () => {
    const r = reason('splitOver', { paid: eur(6000n), kassenzeichen: ['K-1', 'K-2'] });
    const back = JSON.parse(JSON.stringify(r)) as Reason;
    expect(reasonText(back, 'en')).toBe('split 60.00 over K-1 + K-2');
    expect(reasonText(back, 'de')).toBe('60,00\u00a0€ aufgeteilt auf K-1 + K-2');
  });

  it('names a return reason code in both languages, and an unknown one by its code', () => {
    expect(reasonText(reason('returnedWithCode', { returnCode: 'MD07' }), 'de')).toBe('Rücklastschrift/Rücküberweisung: Grund MD07 (Zahler verstorben)');
    expect(reasonText(reason('returnedWithCode', { returnCode: 'MD07' }), 'en')).toBe('returned payment: reason MD07 (payer deceased)');
    expect(reasonText(reason('returnedWithCode', { returnCode: 'ZZ99' }), 'en')).toBe('returned payment: reason ZZ99');
    for (const [code, t] of Object.entries(RETURN_REASON_TEXTS)) expect(t.de, code).not.toBe(t.en);
  });

  it('says how two references one slip apart differ, in both languages', () => {
    expect(reasonText(EXAMPLES.slipNeighbour, 'en')).toBe('5100.0052447.8 and 5100.0052474.8 differ by two swapped digits; both are 30.00');
    expect(reasonText(EXAMPLES.slipNeighbour, 'de')).toBe('5100.0052447.8 und 5100.0052474.8 unterscheiden sich durch zwei vertauschte Ziffern; beide 30,00\u00a0€');
  });

  it('shows a reason stored as a plain sentence as it is', () => {
    expect(reasonText('payout P-1 of Testanbieter', 'de')).toBe('payout P-1 of Testanbieter');
  });
});
