/**
 * Learned payer IBANs: only a person teaches them, and a person's correction takes them back. An
 * automatic booking teaches nothing (a booking the learned IBAN alone supported would keep
 * teaching itself: a parent's or a property manager's account would end up "the debtor").
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { debtorNameKey } from '../../src/matching/names.js';
import { forEachBackend } from '../support/backends.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';

forEachBackend('learned payer IBANs', (backend) => {
  let f: ReviewFixture;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
  });
  afterAll(async () => f?.server.close());

  it('an automatic booking teaches nothing; confirming a suggestion teaches; undoing a booking forgets', async () => {
    const db = f.server.db.prisma;
    const iban = 'DE44500105175407324931';

    const own = await f.item('35.00', 'Lena Lernmal');
    await f.importStatement({ id: 'LEARN-AUTO', entries: [{ amount: '35.00', name: 'Lena Lernmal', iban, remittance: [own.kassenzeichen] }] });
    const [auto] = await f.receipts('LEARN-AUTO');
    expect(auto!.matchState).toBe('auto');
    expect(await db.knownPayer.count({ where: { iban } })).toBe(0);

    // A person confirms a payment without reference from the same account for another debtor.
    const child = await f.item('17.30', 'Tim Lernmal-Kind');
    await f.importStatement({ id: 'LEARN-CONFIRM', entries: [{ amount: '17.30', name: 'Tim Lernmal-Kind', iban, remittance: ['Gebuehr'] }] });
    const [waiting] = await f.receipts('LEARN-CONFIRM');
    expect(waiting!.matchState).toBe('review');
    const detail = (await f.json(`/v1/review/${waiting!.id}`, { key: f.clerkA })).body;
    expect(detail.suggestions[0].allocations[0].kassenzeichen).toBe(child.kassenzeichen);
    const confirmed = await f.json(`/v1/review/${waiting!.id}/confirm`, { method: 'POST', key: f.clerkA, json: { suggestion: 0, version: detail.version } });
    expect(confirmed.status).toBe(200);
    expect(await db.knownPayer.findMany({ where: { iban }, select: { debtorNameKey: true } })).toEqual([{ debtorNameKey: debtorNameKey('Tim Lernmal-Kind') }]);

    // The booking was wrong after all: undoing it takes the learned account back.
    const alloc = await db.allocation.findFirstOrThrow({ where: { transactionId: waiting!.id } });
    const undone = await f.json(`/v1/allocations/${alloc.id}/reverse`, { method: 'POST', key: f.clerkA, json: { reason: 'gehört nicht zu diesem Kind' } });
    expect(undone.status).toBe(200);
    expect(await db.knownPayer.count({ where: { iban } })).toBe(0);
  });
});
