import { describe, expect, it } from 'vitest';
import { byConfidence, DOUBT_BELOW_BP, reassessSuggestion, type ItemNow } from '../../../src/services/review/reassess.js';
import { differingSpan, nearMissesIn } from '../../../src/services/review/highlights.js';

const item = (id: string, amount: bigint, paid: bigint, cancelled = false): ItemNow => ({ id, kassenzeichen: `KZ-${id}`, amountMinor: amount, paidMinor: paid, cancelled });
const line = (id: string, amount: bigint) => ({ itemId: id, kassenzeichen: `KZ-${id}`, amountMinor: amount });
const sure = { confidenceBp: 9000, reasons: [{ code: 'referenceFound' as const, reference: 'x', source: 'remittance' as const }] };

describe('a suggestion against its items as they are now', () => {
  it.each([
    ['still fits', [item('a', 3500n, 0n)], [line('a', 3500n)], 'bookable', 0n],
    ['paid in part since: overpays by the difference', [item('a', 3500n, 2000n)], [line('a', 2495n)], 'overpays', 995n],
    ['paid in full since: stale', [item('a', 3500n, 3500n)], [line('a', 2495n)], 'stale', 2495n],
    ['cancelled since: stale', [item('a', 3500n, 0n, true)], [line('a', 3500n)], 'stale', 0n],
    ['gone: stale', [], [line('a', 3500n)], 'stale', 0n],
    ['one of two paid: overpays by that line', [item('a', 1000n, 1000n), item('b', 2000n, 0n)], [line('a', 1000n), line('b', 2000n)], 'overpays', 1000n],
    ['two lines on one item share what is open', [item('a', 3000n, 0n)], [line('a', 2000n), line('a', 2000n)], 'overpays', 1000n],
  ] as const)('%s', (_name, items, lines, standing, over) => {
    const r = reassessSuggestion({ lines, ...sure }, new Map(items.map((i) => [i.id, i])));
    expect(r.standing).toBe(standing);
    expect(r.overpayMinor).toBe(over);
  });

  it('is doubtful with a reason against it, or below the confidence a person should not just accept', () => {
    const items = new Map([['a', item('a', 3500n, 0n)]]);
    expect(reassessSuggestion({ lines: [line('a', 3500n)], ...sure }, items).doubtful).toBe(false);
    const against = reassessSuggestion({ lines: [line('a', 3500n)], confidenceBp: 9000, reasons: [{ code: 'payerNotDebtor' }, { code: 'amountNotOpen' }] }, items);
    expect(against).toMatchObject({ doubtful: true, against: ['payerNotDebtor', 'amountNotOpen'] });
    expect(reassessSuggestion({ lines: [line('a', 3500n)], confidenceBp: DOUBT_BELOW_BP - 1, reasons: [] }, items).doubtful).toBe(true);
    // Older proposals stored sentences: they weigh nothing either way.
    expect(reassessSuggestion({ lines: [line('a', 3500n)], confidenceBp: 9000, reasons: ['payer does not fit'] }, items).doubtful).toBe(false);
  });

  it('sorts the most confident first, equal ones as the matcher ranked them', () => {
    const sorted = byConfidence([
      { index: 0, confidenceBp: 6200 },
      { index: 1, confidenceBp: 9100 },
      { index: 2, confidenceBp: 6200 },
    ]);
    expect(sorted.map((s) => s.index)).toEqual([1, 0, 2]);
  });
});

describe('near misses', () => {
  it.each([
    ['substitution', '510000524478', '510000524468', [10, 11]],
    ['transposition', '510000524478', '510000524748', [9, 11]],
    ['deletion', '51000052478', '510000524478', [9, 9]],
  ] as const)('%s: the differing span', (_n, written, meant, span) => {
    expect(differingSpan(written, meant).a).toEqual(span);
  });

  it('are found in the text as written, with separators, from the stored reasons', () => {
    const marks = nearMissesIn(['Bussgeld 5100.0052.4468 danke'], [{ code: 'nearMiss', reference: '5100.0052.4468', source: 'remittance', slip: 'substitution', kassenzeichen: '510000524478' }, 'an old sentence']);
    expect(marks).toHaveLength(1);
    expect(marks[0]).toMatchObject({ text: '5100.0052.4468', kassenzeichen: '510000524478', writtenDiff: [10, 11], meantDiff: [10, 11] });
  });
});
