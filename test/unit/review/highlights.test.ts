import { describe, expect, it } from 'vitest';
import { highlightReferences, nearMissAsPrinted, nearMissesIn, remittanceText } from '../../../src/services/review/highlights.js';

const ref = (reference: string, itemId = 'i1') => ({ reference, itemId, kassenzeichen: reference.replace(/\D/g, '') || reference });
const marked = (lines: string[], refs: string[]) =>
  highlightReferences(lines, refs.map((r, i) => ref(r, `i${i}`))).map((h) => remittanceText(lines).slice(h.start, h.end));

describe('highlightReferences', () => {
  it.each([
    ['plain digits', ['KZ 510000524478 Danke'], ['510000524478'], ['510000524478']],
    ['written with dots', ['Kassenz. 5100.0052447.8'], ['510000524478'], ['5100.0052447.8']],
    ['written with spaces and a dash', ['Az 5100 0052447-8 Gebühr'], ['510000524478'], ['5100 0052447-8']],
    ['lower-case prefix', ['bg-2026-071058'], ['BG2026071058'], ['bg-2026-071058']],
    ['cut across two lines by the bank', ['Zahlung KZ 51000052', '4478 Danke'], ['510000524478'], ['51000052 4478']],
    ['two items, in text order', ['510000000025 und 510000000017'], ['510000000017', '510000000025'], ['510000000025', '510000000017']],
    ['RF reference', ['RF18 5100 0052 4478'], ['RF18510000524478'], ['RF18 5100 0052 4478']],
    ['the same reference twice', ['510000524478 / 510000524478'], ['510000524478'], ['510000524478', '510000524478']],
  ])('%s', (_name, lines, refs, expected) => {
    expect(marked(lines, refs)).toEqual(expected);
  });

  it.each([
    ['inside a longer digit run (a phone number)', ['Tel 04951000052447812'], ['510000524478']],
    ['glued to letters', ['KZ510000524478X'], ['510000524478']],
    ['not there', ['Miete Oktober'], ['510000524478']],
    ['too short to mean anything', ['Nr 12 von 123'], ['12']],
  ])('no highlight %s', (_name, lines, refs) => {
    expect(marked(lines, refs)).toEqual([]);
  });

  it('gives ranges in the joined text with the item they belong to', () => {
    const lines = ['Kassenzeichen', '5100.0052447.8'];
    const [h] = highlightReferences(lines, [{ reference: '510000524478', itemId: 'item-1', kassenzeichen: '510000524478' }]);
    expect(h).toEqual({ start: 14, end: 28, text: '5100.0052447.8', itemId: 'item-1', kassenzeichen: '510000524478' });
  });

  it('keeps indices right after characters that change length when upper-cased', () => {
    const lines = ['Straße 510000524478'];
    const [h] = highlightReferences(lines, [ref('510000524478')]);
    expect(remittanceText(lines).slice(h!.start, h!.end)).toBe('510000524478');
  });
});

describe('nearMissAsPrinted', () => {
  const near = (text: string, kassenzeichen: string) => nearMissesIn([`Zahlung ${text}`], [{ code: 'nearMiss', reference: text, kassenzeichen, slip: 'transposition', source: 'remittance' }])[0]!;
  const shown = (s: string, [a, b]: [number, number]) => `${s.slice(0, a)}[${s.slice(a, b)}]${s.slice(b)}`;

  it.each([
    ['swapped digits, both with dashes', 'SPL-2026-0110', 'SPL20260101', 'SPL-2026-0101', 'SPL-2026-01[10]', 'SPL-2026-01[01]'],
    ['written without separators, printed with dots', '510000524487', '510000524478', '5100.0052447.8', '5100005244[87]', '5100.005244[7.8]'],
    ['a digit left out: a caret where it is missing', 'SPL-2026-011', 'SPL20260101', 'SPL-2026-0101', 'SPL-2026-01[]1', 'SPL-2026-01[0]1'],
  ])('%s', (_name, written, key, printed, writtenMarked, meantMarked) => {
    const m = nearMissAsPrinted(near(written, key), printed);
    expect([m.kassenzeichen, m.written, m.meant]).toEqual([printed, written, printed]);
    expect(shown(m.written, m.writtenDiff)).toBe(writtenMarked);
    expect(shown(m.meant, m.meantDiff)).toBe(meantMarked);
  });
});
