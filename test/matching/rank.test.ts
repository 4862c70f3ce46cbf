import { describe, expect, it } from 'vitest';
import { matchTransaction } from '../../src/matching/engine.js';
import { buildItemIndex } from '../../src/matching/index.js';
import type { MatchableItem, MatchDecision } from '../../src/matching/types.js';
import { item, tx } from './fixtures.js';

/**
 * A payment that names no item, from a debtor with several open items of the amount paid: which
 * one is suggested first, and whether the decision says it is a guess.
 */
const IBAN = 'DE02120300000000202051';
const OTHER_IBAN = 'DE02500105170137075030';

function firstSuggestion(items: MatchableItem[], text: string[] = ['Zahlung'], payer: { name?: string; iban?: string } = {}): { top: string; d: MatchDecision } {
  const d = matchTransaction(tx({ amountMinor: 9600n, remittanceLines: text, debtorName: payer.name ?? 'Mehmet Wagner', debtorIban: payer.iban ?? IBAN }), buildItemIndex(items));
  expect(d.status).toBe('review');
  return { top: d.suggestions[0]!.allocations.map((a) => a.kassenzeichen).join(','), d };
}

const basis = (d: MatchDecision): string | undefined => {
  const r = d.reasons.find((x) => x.code === 'ambiguousChoice');
  return r && r.code === 'ambiguousChoice' ? (r.basis ?? 'oldest') : undefined;
};

const dog = (id: string, k: string, extra: Partial<MatchableItem> = {}) => item(id, k, 9600n, 'Mehmet Wagner', { category: 'fee', description: 'Hundesteuer', dueDate: '2026-11-15', ...extra });
const pass = (id: string, k: string, extra: Partial<MatchableItem> = {}) => item(id, k, 9600n, 'Mehmet Wagner', { category: 'fee', description: 'Reisepass', dueDate: '2026-11-15', ...extra });

describe('suggestions for a payment without reference', () => {
  it('identical standing: the older item first, and the decision says it is a guess', () => {
    const { top, d } = firstSuggestion([dog('a', 'GB2025056960', { dueDate: '2026-10-23' }), dog('b', 'GB2025056961', { dueDate: '2026-10-01' })]);
    expect(top).toBe('GB2025056960');
    expect(basis(d)).toBe('oldest');
  });

  it.each([
    ['the purpose named in the text', ['Hundesteuer 2026'], 'GB2025000002'],
    ['the purpose in other spelling and case', ['REISEPASS Mehmet'], 'GB2025000001'],
    ['a month the due date falls in', ['Rate Januar'], 'GB2025000002'],
    ['a quarter the due date falls in', ['Q1/2027'], 'GB2025000002'],
    ['"1. Quartal"', ['1. Quartal 2027'], 'GB2025000002'],
  ])('the text decides: %s', (_what, text, want) => {
    const { top, d } = firstSuggestion([pass('a', 'GB2025000001', { dueDate: '2026-11-15' }), dog('b', 'GB2025000002', { dueDate: '2027-01-15' })], text);
    expect(top).toBe(want);
    expect(basis(d)).toBe('text');
  });

  it('a text that names nothing of either changes nothing', () => {
    const { top } = firstSuggestion([pass('a', 'GB2025000001'), dog('b', 'GB2025000002')], ['Kennz. WES-KG 6636 Gruss']);
    expect(top).toBe('GB2025000001');
  });

  it('a claim issued twice comes before a claim issued once, its first issue before the copy', () => {
    const items = [dog('single', 'GB2025000010', { dueDate: '2026-10-01' }), dog('first', 'GB2025000011'), dog('copy', 'GB2025000012')];
    const { top, d } = firstSuggestion(items);
    expect(top).toBe('GB2025000011');
    expect(d.suggestions.map((s) => s.allocations[0]!.kassenzeichen)).toEqual(['GB2025000011', 'GB2025000010', 'GB2025000012']);
    expect(d.reasons.map((r) => r.code)).toContain('issuedTwice');
    expect(basis(d)).toBe('issuedTwice');
  });

  it.each([
    ['another due date', { dueDate: '2026-11-16' }],
    ['another purpose', { description: 'Hundesteuer 2. Hund' }],
    ['another debtor account on file', { debtorIban: OTHER_IBAN }],
  ])('items that differ in %s are two claims, not one issued twice', (_what, diff) => {
    const items = [dog('single', 'GB2025000010', { dueDate: '2026-10-01' }), dog('first', 'GB2025000011', { debtorIban: IBAN }), dog('other', 'GB2025000012', { debtorIban: IBAN, ...diff })];
    const { d } = firstSuggestion(items, ['Zahlung'], { iban: '' });
    expect(d.reasons.map((r) => r.code)).not.toContain('issuedTwice');
  });

  it("the payer's IBAN on file for one item puts it first among otherwise equal ones", () => {
    const { top, d } = firstSuggestion([dog('a', 'GB2025000020'), dog('b', 'GB2025000021', { debtorIban: IBAN, dueDate: '2026-12-15' })]);
    expect(top).toBe('GB2025000021');
    expect(basis(d)).toBe('ibanOnFile');
  });

  it('the purpose named in the text outweighs which item got the IBAN recorded', () => {
    const { top } = firstSuggestion([pass('a', 'GB2025000030', { debtorIban: IBAN }), dog('b', 'GB2025000031')], ['Hundesteuer']);
    expect(top).toBe('GB2025000031');
  });

  it('the text never outweighs the payer: a namesake paying from another account on file ranks last', () => {
    const { top } = firstSuggestion([dog('a', 'GB2025000040', { debtorIban: OTHER_IBAN }), pass('b', 'GB2025000041')], ['Hundesteuer']);
    expect(top).toBe('GB2025000041');
  });

  it('one item of the amount and nothing to guess: no "ambiguous"', () => {
    const { top, d } = firstSuggestion([dog('a', 'GB2025000050'), item('b', 'GB2025000051', 2000n, 'Mehmet Wagner')]);
    expect(top).toBe('GB2025000050');
    expect(basis(d)).toBeUndefined();
  });
});
