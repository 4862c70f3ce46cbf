/**
 * The matcher reads which items carry a Kassenzeichen supplied as issued: a supplied number that
 * fits the shape of our own generated numbers and passes their check digit by chance is not booked
 * on a bare exact hit (another payer, another amount), while one of our own numbers still is.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_SCHEME, generateKassenzeichen, nextUsableSerial } from '../../src/references/kassenzeichen.js';
import { forEachBackend } from '../support/backends.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';

forEachBackend('a supplied Kassenzeichen in the matcher', (backend) => {
  let f: ReviewFixture;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
  });
  afterAll(async () => f?.server.close());

  it('an exact hit on a supplied number by another payer and amount waits; one on a generated number is booked', async () => {
    // Enough generated numbers for the matcher to learn that the class carries mod 11.
    const body = { items: Array.from({ length: 25 }, (_, i) => ({ category: 'fee', amount: '80.00', dueDate: '2026-11-30', description: 'Gebühr', debtor: { name: `Schuldner ${i}` }, externalRef: `GEN-${i}` })) };
    const bulk = await f.json('/v1/items/bulk', { method: 'POST', key: f.itemsKey, json: body });
    expect(bulk.status, JSON.stringify(bulk.body)).toBe(201);
    const generated = await f.item('80.00', 'Carl Clausen');
    // Printed by the finance system in our shape, passing mod 11 by chance.
    const kz = generateKassenzeichen(DEFAULT_SCHEME, 'fee', nextUsableSerial(DEFAULT_SCHEME, 'fee', 987_654_000n)!);
    const supplied = await f.item('80.00', 'Berta Beispiel', { kassenzeichen: `${kz.slice(0, 4)}-${kz.slice(4)}` });
    expect(supplied.kassenzeichen).toBe(kz);
    // Its debtor pays a part: booked (the payer confirms it), and the matcher's index takes the
    // item back from what was booked — still knowing the number was supplied.
    await f.importStatement({ id: 'SK-0', entries: [{ ref: 'SK-0-1', amount: '20.00', name: 'Berta Beispiel', remittance: [`KZ ${kz}`] }] });
    expect((await f.receipts('SK-0'))[0]!.matchState).toBe('auto');
    await f.importStatement({
      id: 'SK-1',
      entries: [
        { ref: 'SK-1-1', amount: '55.00', name: 'Anton Anders', remittance: [`KZ ${kz}`] },
        { ref: 'SK-1-2', amount: '55.00', name: 'Anton Anders', remittance: [`KZ ${generated.kassenzeichen}`] },
      ],
    });
    const [onSupplied, onGenerated] = await f.receipts('SK-1');
    expect(onSupplied!.matchState).toBe('review');
    expect(onGenerated!.matchState).toBe('auto');
  });
});
