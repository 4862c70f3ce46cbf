/** What a collection run's release checks of each debit again, as a table (runs.ts, releaseRefusal). */
import { describe, expect, it } from 'vitest';
import { releaseRefusal } from '../../../src/services/collections/runs.js';

const debit = { state: 'in_run', amountMinor: 3070n, currency: 'EUR' };
const mandate = { reference: 'HUNDESTEUER-4711', status: 'active', lastCollectedOn: '2026-06-01', finalRequested: false, kind: 'recurrent', signedOn: '2026-01-10' };
const item = { amountMinor: 3070n, paidMinor: 0n, cancelledAt: null as Date | null };
const run = { collectionDate: '2027-01-04', sequence: 'RCUR' as const };

describe('releaseRefusal', () => {
  it.each([
    ['as gathered', {}, null],
    ['more owed than announced (a fee added)', { item: { ...item, amountMinor: 3370n } }, null],
    ['debit taken back', { debit: { ...debit, state: 'cancelled' } }, 'debit_changed'],
    ['item cancelled', { item: { ...item, cancelledAt: new Date('2026-12-01T00:00:00Z') } }, 'item_cancelled'],
    ['item paid by transfer', { item: { ...item, paidMinor: 3070n } }, 'item_short'],
    ['item partly paid', { item: { ...item, paidMinor: 1n } }, 'item_short'],
    ['item reduced', { item: { ...item, amountMinor: 2000n } }, 'item_short'],
    ['item overpaid', { item: { ...item, paidMinor: 5000n } }, 'item_short'],
    ['mandate blocked', { mandate: { ...mandate, status: 'blocked' } }, 'mandate_unusable'],
    ['mandate expired by then', { mandate: { ...mandate, lastCollectedOn: '2023-12-01' } }, 'mandate_unusable'],
    ['mandate now asks for FNAL', { mandate: { ...mandate, finalRequested: true } }, 'mandate_unusable'],
  ] as const)('%s', (_name, change, expected) => {
    const c = change as { debit?: typeof debit; mandate?: typeof mandate; item?: typeof item };
    expect(releaseRefusal(c.debit ?? debit, c.mandate ?? mandate, c.item ?? item, run, false)?.refusal ?? null).toBe(expected);
  });

  it('does not judge again a mandate this release recorded already', () => {
    expect(releaseRefusal(debit, { ...mandate, lastCollectedOn: run.collectionDate }, item, run, true)).toBeNull();
  });

  it('says what is open now against what was announced', () => {
    expect(releaseRefusal(debit, mandate, { ...item, paidMinor: 3070n }, run, false)?.why).toBe('0.00 open now, not the 30.70 announced (paid or reduced meanwhile)');
  });
});
