/**
 * A Kassenzeichen supplied by the finance system is taken as issued: its check digit is verified
 * only where the operator turned that on. Such a number may share the shape of a class our own
 * numbers protect, and pass its check digit by chance; the numbers issued beside it never carried
 * one, so a slip of one of them can land on it. An exact hit on it is not "protected".
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_CONFIG } from '../../src/matching/config.js';
import { matchTransaction } from '../../src/matching/engine.js';
import { buildItemIndex } from '../../src/matching/index.js';
import { reasonTexts } from '../../src/matching/reasons.js';
import { item, ledger, luhnRef, tx } from './fixtures.js';

describe('a supplied number in a protected class', () => {
  const { items } = ledger();
  // Passes luhn like its neighbours, but was printed by the finance system, not generated here.
  const supplied = item('S1', luhnRef(690777), 8000n, 'Berta Beispiel', { referenceUnchecked: true });
  const generated = item('G1', luhnRef(690778), 8000n, 'Carl Clausen');
  const index = buildItemIndex([...items, supplied, generated]);

  it('an exact hit on it by another payer paying another amount waits for a person', () => {
    const d = matchTransaction(tx({ amountMinor: 5500n, debtorName: 'Anton Anders', remittanceLines: [`KZ ${supplied.kassenzeichen}`] }), index, DEFAULT_MATCH_CONFIG);
    expect(d.status).toBe('review');
    expect(reasonTexts(d.reasons, 'en').join(' ')).not.toMatch(/protects/);
  });

  it('a number generated here keeps its protection', () => {
    const d = matchTransaction(tx({ amountMinor: 5500n, debtorName: 'Anton Anders', remittanceLines: [`KZ ${generated.kassenzeichen}`] }), index, DEFAULT_MATCH_CONFIG);
    expect(d.status).toBe('auto');
  });
});
