/**
 * Returns of direct debits with less money than was collected, on both backends, from camt
 * fixtures (fixtures/sepa). None is booked without a person: not one stating the original amount
 * and charges of exactly the difference as if the fee had been taken off (camt.054 .08 with
 * InstdAmt/TxAmt and Chrgs/Rcrd; camt.054 .02 with InstdAmt only and flat Chrgs) — a fee comes on
 * top of a return, and booking it would reverse more than left the account and charge the citizen
 * a fee the city never paid — and not the unexplained ones (no charges; charges that are not the
 * difference). The items stay paid, the debits collected, and the review detail shows both figures
 * and why.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { createClientKey } from '../support/server.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';
import { weekdayAfter, apiAs } from '../support/sepa.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/sepa/${name}`, import.meta.url), 'utf8');

forEachBackend('direct debit returns short of what was collected', (backend) => {
  let f: ReviewFixture;
  let kasse: string;
  let approver: string;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
    kasse = await createClientKey(f.server, ['mandates', 'items:read', 'items:write'], 'Steueramt');
    approver = await createClientKey(f.server, ['mandates', 'approve'], 'Kassenverwalter');
  });
  afterAll(async () => f?.server.close());

  const call = apiAs(() => f, () => kasse);
  const item = async (id: string) => (await call(`/v1/items/${id}`)).body;
  const debitOf = async (itemId: string) => (await call(`/v1/direct-debits?itemId=${itemId}`)).body.items[0];
  /** A fixture with the end-to-end ids STK-D1-n replaced by those of the n-th item's debit. */
  const upload = async (name: string, e2e: string[]) => {
    const xml = fixture(name).replace(/STK-D1-(\d)/g, (_m, n: string) => e2e[Number(n) - 1]!);
    const res = await f.server.api(`/v1/statements?fileName=${name}`, { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } });
    expect(res.status, await res.clone().text()).toBe(201);
    await f.server.settled();
  };
  const returnOf = async (ref: string) => f.server.db.prisma.bankTransaction.findFirstOrThrow({ where: { entryRef: ref } });

  it('leaves every return short of the collected amount with a person, with both figures and why', async () => {
    const due = weekdayAfter(30);
    const people = [['30.70', 'Jörg Müller', 'HUNDESTEUER-4711'], ['55.00', 'Anna Schmidt', 'KITA-0815'], ['12.00', 'Zoë Ärger', 'BIB-42'], ['40.00', 'Karl Klein', 'MUSIK-7']] as const;
    const items = [];
    for (const [i, [amount, name, reference]] of people.entries()) {
      const it = await call('/v1/items', { method: 'POST', json: { category: 'fee', amount, dueDate: due, description: 'Gebühr', debtor: { name }, externalRef: `NET-${i}-${Date.now()}` } });
      expect(it.status).toBe(201);
      const m = await call('/v1/mandates', { method: 'POST', json: { reference, debtor: { name, iban: 'DE89370400440532013000' }, signedOn: '2026-01-10' } });
      expect(m.status).toBe(201);
      expect((await call('/v1/direct-debits', { method: 'POST', json: { itemId: it.body.id, mandateId: m.body.id } })).status).toBe(201);
      items.push(it.body);
    }
    const gathered = await call('/v1/collection-runs', { method: 'POST', json: { collectionDate: due } });
    expect(gathered.body.runs.map((r: any) => [r.sequence, r.count, r.total])).toEqual([['FRST', 4, '137.70']]);
    const run = gathered.body.runs[0];
    expect((await call(`/v1/collection-runs/${run.id}/release`, { method: 'POST', key: approver, json: {} })).status).toBe(200);
    const e2e: string[] = [];
    for (const it of items) e2e.push((await debitOf(it.id)).endToEndId);
    await f.importStatement({ id: 'NET-CREDIT', entries: [{ ref: 'NET-CREDIT-1', amount: '137.70', name: 'SEPA Lastschrift Sammler', remittance: ['SAMMLER'], batch: { count: 4 } }] });
    for (const it of items) expect(await item(it.id)).toMatchObject({ status: 'paid' });

    // Short by exactly the stated charges, original stated (camt.054 .08: InstdAmt, TxAmt, Chrgs/Rcrd): a person decides.
    await upload('camt054.v08.return-net-of-fee.xml', e2e);
    const r1 = await returnOf('RET-NET-1-1');
    expect(['return', 'returned']).not.toContain(r1.matchState);
    expect(await item(items[0].id)).toMatchObject({ status: 'paid', amount: '30.70' });
    expect(await debitOf(items[0].id)).toMatchObject({ state: 'collected' });
    expect(await f.server.db.prisma.auditEntry.count({ where: { action: 'direct_debit.returned', subjectId: items[0].id } })).toBe(0);
    const d1 = await f.json(`/v1/review/${r1.id}`, { key: f.clerkA });
    expect(d1.body.directDebitReturn).toMatchObject({ collected: '30.70', returned: '27.70', difference: '3.00', charges: '3.00', statedOriginal: ['30.70', '30.70'], explained: false, shortfall: 'feeDeducted' });

    // camt.054 .02 with the original amount only in InstdAmt and flat Chrgs: a person as well.
    await upload('camt054.v02.return-net-of-fee-instdamt.xml', e2e);
    expect(['return', 'returned']).not.toContain((await returnOf('RET-NET-2-1')).matchState);
    expect(await item(items[1].id)).toMatchObject({ status: 'paid', amount: '55.00' });
    expect(await debitOf(items[1].id)).toMatchObject({ state: 'collected' });

    // The collection credit stays booked whole: nothing left it without a person.
    const credit = await returnOf('NET-CREDIT-1');
    const live = await f.server.db.prisma.allocation.findMany({ where: { transactionId: credit.id, reversal: null } });
    expect(live.reduce((s, a) => s + a.amountMinor, 0n)).toBe(13770n);
    expect(await f.server.db.prisma.suspenseMovement.count({ where: { transactionId: credit.id, reason: 'debit_returned' } })).toBe(0);
    expect(credit.unappliedMinor).toBe(0n);

    // Unexplained: nothing is booked, the items stay paid, the debits collected; a person sees why.
    await upload('camt053.v08.return-short-unexplained.xml', e2e);
    const [r3, r4] = [await returnOf('RET-SHORT-1-1'), await returnOf('RET-SHORT-1-2')];
    for (const r of [r3, r4]) expect(['return', 'returned']).not.toContain(r.matchState);
    expect(await item(items[2].id)).toMatchObject({ status: 'paid', amount: '12.00' });
    expect(await item(items[3].id)).toMatchObject({ status: 'paid', amount: '40.00' });
    expect((await debitOf(items[2].id)).state).toBe('collected');
    expect((await debitOf(items[3].id)).state).toBe('collected');
    const d3 = await f.json(`/v1/review/${r3.id}`, { key: f.clerkA });
    expect(d3.status).toBe(200);
    expect(d3.body.directDebitReturn).toEqual({
      endToEndId: e2e[2], collected: '12.00', returned: '10.00', difference: '2.00', charges: null, statedOriginal: [], currency: 'EUR', explained: false, shortfall: 'noCharges',
      reason: 'the return brings 10.00 EUR instead of the 12.00 EUR collected; the bank names no charges that explain the difference of 2.00 EUR',
    });
    const d4 = await f.json(`/v1/review/${r4.id}`, { key: f.clerkA });
    expect(d4.body.directDebitReturn).toMatchObject({ collected: '40.00', returned: '36.00', difference: '4.00', charges: '1.50', statedOriginal: ['40.00'], explained: false, shortfall: 'chargesDiffer' });
    expect(d4.body.directDebitReturn.reason).toBe("the return brings 36.00 EUR instead of the 40.00 EUR collected; the bank's charges of 1.50 EUR are not the difference of 4.00 EUR");
  });
});
