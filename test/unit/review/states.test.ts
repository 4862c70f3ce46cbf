import { describe, expect, it } from 'vitest';
import { availableActions, QUEUE_STATES, RECEIPT_STATES, REVIEW_FILTER_STATES, type ActionFacts } from '../../../src/services/review/states.js';

const credit = (state: string, over: Partial<ActionFacts> = {}): ActionFacts => ({ state, creditDebit: 'CRDT', unappliedMinor: 1000n, hasSuggestions: false, liveAllocations: 0, ...over });

describe('review states', () => {
  it('every queue and filter state is a known receipt state', () => {
    for (const s of REVIEW_FILTER_STATES) expect(Object.keys(RECEIPT_STATES)).toContain(s);
    expect(REVIEW_FILTER_STATES).toEqual(expect.arrayContaining([...QUEUE_STATES, 'refund', 'refunded', 'refund_booked', 'returned']));
    expect(QUEUE_STATES).toEqual(expect.arrayContaining(['settlement_review', 'awaiting_approval', 'return_open']));
  });

  it.each([
    ['review with suggestions', credit('review', { hasSuggestions: true }), ['confirm', 'allocate', 'park', 'mark_refund']],
    ['unmatched', credit('unmatched'), ['allocate', 'park', 'mark_refund']],
    ['overpayment left after an auto booking', credit('auto', { hasSuggestions: true, liveAllocations: 1 }), ['allocate', 'park', 'mark_refund', 'reverse']],
    ['fully booked', credit('manual', { unappliedMinor: 0n, liveAllocations: 2 }), ['reverse']],
    ['marked for refund', credit('refund', { liveAllocations: 1 }), ['book_refund', 'unmark_refund']],
    ['refunded', credit('refunded', { unappliedMinor: 0n }), []],
    ['returned', credit('returned', { unappliedMinor: 0n }), []],
    ['held for approval', credit('awaiting_approval', { liveAllocations: 1 }), []],
    ["a provider's payout in review", credit('settlement_review'), []],
    ['a return waiting for its receipt', { ...credit('return_open'), creditDebit: 'DBIT' }, ['resolve_return']],
    ['an outgoing payment', { ...credit('ignored'), creditDebit: 'DBIT' }, []],
  ] as const)('%s', (_name, facts, expected) => {
    expect(availableActions(facts)).toEqual(expected);
  });
});
