/**
 * A refund the payee's bank sends back, booked by our bank as a reversed debit (a credit with the
 * reversal indicator) and carrying the refund's text with the Kassenzeichen: money coming in. It
 * is never the return of a citizen's receipt, not even of another receipt of that amount on the
 * item the text names.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { createClientKey } from '../support/server.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';

forEachBackend('refund runs: a bounce booked as a reversal', (backend) => {
  let f: ReviewFixture;
  let gatherer: string;
  let releaser: string;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
    gatherer = await createClientKey(f.server, ['review', 'refunds'], 'Kasse A');
    releaser = await createClientKey(f.server, ['refunds', 'approve'], 'Kasse B');
  });
  afterAll(async () => f?.server.close());

  it('leaves every receipt on the named item as it was', async () => {
    const item = await f.item('50.00', 'Erika Erste');
    // Erika pays 20.00 of it; Bruno pays 50.00 for the same claim: 30.00 booked, 20.00 paid back.
    await f.importStatement({ id: 'RB-IN', entries: [
      { ref: 'RB-IN-1', amount: '20.00', name: 'Erika Erste', iban: 'DE89370400440532013000', remittance: [`KZ ${item.kassenzeichen}`] },
      { ref: 'RB-IN-2', amount: '50.00', name: 'Bruno Zweit', iban: 'DE12500105170648489890', remittance: ['Gebuehr'] },
    ] });
    const [erika, bruno] = await f.receipts('RB-IN');
    expect(erika!.matchState).toBe('auto');
    const booked = await f.json(`/v1/review/${bruno!.id}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ itemId: item.id, amount: '30.00' }], note: 'Rest' } });
    expect(booked.status, JSON.stringify(booked.body)).toBe(200);
    expect((await f.json(`/v1/review/${bruno!.id}/refund`, { method: 'POST', key: f.clerkA, json: { note: 'zu viel' } })).status).toBe(200);
    const run = (await f.json('/v1/refund-runs', { method: 'POST', key: gatherer, json: { transactionIds: [bruno!.id] } })).body.run;
    expect((await f.json(`/v1/refund-runs/${run.id}/release`, { method: 'POST', key: releaser, json: {} })).status).toBe(200);
    const [refund] = (await f.json(`/v1/refund-runs/${run.id}/refunds`, { key: gatherer })).body.items;
    expect(refund.remittance).toContain(item.kassenzeichen);

    const before = await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: erika!.id } });
    await f.importStatement({ id: 'RB-BACK', entries: [{ ref: 'RB-BACK-1', amount: '20.00', reversal: true, e2e: refund.endToEndId, returnReason: 'AC04', name: 'Bruno Zweit', remittance: [refund.remittance] }] });
    const [back] = await f.receipts('RB-BACK');
    expect(back!.matchState).toBe('return_open');
    expect(await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: erika!.id } })).toEqual(before);
    expect((await f.json(`/v1/items/${item.id}`, { key: f.itemsKey })).body).toMatchObject({ status: 'paid', paid: '50.00' });
  });
});
