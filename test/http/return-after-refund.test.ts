/**
 * The bank takes back a payment whose surplus the city already paid back (a refund run, booked from
 * the statement's debit): the return is for a person — the receipt's money left twice — and the
 * statement's other payments are decided as always.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { createClientKey } from '../support/server.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';

forEachBackend('a return of a receipt already paid back in part', (backend) => {
  let f: ReviewFixture;
  let gatherer: string;
  let releaser: string;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
    gatherer = await createClientKey(f.server, ['review', 'refunds'], 'Kasse A');
    releaser = await createClientKey(f.server, ['refunds', 'approve'], 'Kasse B');
  });
  afterAll(async () => f?.server.close());

  it('is left for a person and the receipt keeps its books', async () => {
    const item = await f.item('30.00', 'Rolf Rück');
    await f.importStatement({ id: 'RAR-IN', entries: [{ ref: 'RAR-IN-1', amount: '50.00', e2e: 'E2E-RAR-1', name: 'Rolf Rück', iban: 'DE12500105170648489890', remittance: [`KZ ${item.kassenzeichen}`] }] });
    const [r] = await f.receipts('RAR-IN');
    expect((await f.json(`/v1/review/${r!.id}/refund`, { method: 'POST', key: f.clerkA, json: { note: 'zu viel' } })).status).toBe(200);
    const run = (await f.json('/v1/refund-runs', { method: 'POST', key: gatherer, json: { transactionIds: [r!.id] } })).body.run;
    expect((await f.json(`/v1/refund-runs/${run.id}/release`, { method: 'POST', key: releaser, json: {} })).status).toBe(200);
    const [refund] = (await f.json(`/v1/refund-runs/${run.id}/refunds`, { key: gatherer })).body.items;
    await f.importStatement({ id: 'RAR-OUT', entries: [{ ref: 'RAR-OUT-1', amount: refund.amount, credit: false, e2e: refund.endToEndId, name: 'Rolf Rueck', iban: 'DE12500105170648489890', remittance: ['Rueckzahlung'] }] });
    const before = await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: r!.id } });
    expect(before.matchState).toBe('refunded');
    await f.importStatement({ id: 'RAR-RET', entries: [
      { ref: 'RAR-RET-1', amount: '50.00', credit: false, e2e: 'E2E-RAR-1', returnReason: 'MD06', name: 'Rolf Rueck', remittance: ['RUECKLASTSCHRIFT'] },
      { ref: 'RAR-RET-2', amount: '30.00', name: 'Someone', remittance: ['nichts'] },
    ] });
    const [ret, other] = await f.receipts('RAR-RET');
    expect(other!.matchState).not.toBe('pending');
    expect(ret!.matchState).toBe('return_open');
    expect(await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: r!.id } })).toEqual(before);
  });
});
