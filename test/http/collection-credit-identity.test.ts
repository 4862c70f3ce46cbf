/**
 * A credit without end-to-end ids is a collection run's credit only when the entry says so, over
 * HTTP on both backends: a citizen's transfer of exactly a one-debit run's amount is not booked as
 * the collection (the run stays sent, the credit goes to the matcher and a person); a credit naming
 * the run's PmtInfId books it; a batch stating as many debits as a run of several has out books it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { createClientKey } from '../support/server.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';
import { weekdayAfter, apiAs } from '../support/sepa.js';

forEachBackend('direct debits: which credit is a run’s', (backend) => {
  let f: ReviewFixture;
  let kasse: string;
  let approver: string;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
    kasse = await createClientKey(f.server, ['mandates', 'items:read', 'items:write'], 'Steueramt');
    approver = await createClientKey(f.server, ['mandates', 'approve'], 'Kassenverwalter');
  });
  afterAll(async () => f?.server.close());

  const db = () => f.server.db.prisma;
  const call = apiAs(() => f, () => kasse);
  let seq = 0;
  const raise = async (amount: string, debtor: string, dueDate: string) => {
    const res = await call('/v1/items', { method: 'POST', json: { category: 'fee', amount, dueDate, description: 'Gebühr', debtor: { name: debtor }, externalRef: `CI-${++seq}-${Date.now()}` } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await f.server.settled();
    return res.body;
  };
  const releasedRun = async (due: string, debts: Array<[string, string, string]>) => {
    const items = [];
    for (const [amount, name, iban] of debts) {
      const it0 = await raise(amount, name, due);
      const m = await call('/v1/mandates', { method: 'POST', json: { reference: `CI-M${++seq}-${backend}`, debtor: { name, iban }, signedOn: '2026-01-10' } });
      expect(m.status, JSON.stringify(m.body)).toBe(201);
      expect((await call('/v1/direct-debits', { method: 'POST', json: { itemId: it0.id, mandateId: m.body.id } })).status).toBe(201);
      items.push(it0);
    }
    const gathered = await call('/v1/collection-runs', { method: 'POST', json: { collectionDate: due } });
    expect(gathered.status, JSON.stringify(gathered.body)).toBe(201);
    const run = gathered.body.runs[0];
    expect(run.count).toBe(debts.length);
    expect((await call(`/v1/collection-runs/${run.id}/release`, { method: 'POST', key: approver, json: {} })).status).toBe(200);
    const stored = await db().collectionRun.findUniqueOrThrow({ where: { id: run.id } });
    return { run, items, paymentInformationId: stored.paymentInformationId, messageId: stored.messageId };
  };
  const states = async (runId: string) => (await call(`/v1/collection-runs/${runId}`)).body.states;

  it('does not take a citizen’s transfer of a one-debit run’s amount for the collection; the run’s PmtInfId does', async () => {
    const { run, items, paymentInformationId } = await releasedRun(weekdayAfter(20), [['23.45', 'Jörg Müller', 'DE89370400440532013000']]);
    // Someone else transfers the same amount, without end-to-end id or anything naming the run.
    await f.importStatement({ id: `CI-CIT-${backend}`, entries: [{ ref: `CI-CIT-${backend}-1`, amount: '23.45', name: 'Herta Hinz', iban: 'DE75512108001245126199', remittance: ['Beitrag Oktober'] }] });
    const [citizen] = await f.receipts(`CI-CIT-${backend}`);
    expect(citizen!.matchState).not.toBe('auto');
    expect(await db().allocation.count({ where: { transactionId: citizen!.id } })).toBe(0);
    expect(await states(run.id)).toEqual({ sent: 1 });
    expect(await call(`/v1/items/${items[0].id}`).then((r) => r.body.status)).not.toBe('paid');
    await f.assertBalanced(citizen!.id);
    // A batch count of one proves nothing more than the amount.
    await f.importStatement({ id: `CI-ONE-${backend}`, entries: [{ ref: `CI-ONE-${backend}-1`, amount: '23.45', name: 'Herta Hinz', remittance: ['Beitrag'], batch: { count: 1 } }] });
    expect((await f.receipts(`CI-ONE-${backend}`))[0]!.matchState).not.toBe('auto');
    expect(await states(run.id)).toEqual({ sent: 1 });

    // The bank's credit naming the run's PmtInfId is the collection.
    await f.importStatement({ id: `CI-IN-${backend}`, entries: [{ ref: `CI-IN-${backend}-1`, amount: '23.45', name: 'SEPA Lastschrift', remittance: ['SAMMLER-GUTSCHRIFT'], batch: { paymentInformationId } }] });
    const [credit] = await f.receipts(`CI-IN-${backend}`);
    expect(credit!.matchState).toBe('auto');
    expect(await states(run.id)).toEqual({ collected: 1 });
    expect(await call(`/v1/items/${items[0].id}`).then((r) => r.body.status)).toBe('paid');
    expect((await db().directDebit.findFirstOrThrow({ where: { runId: run.id } })).creditTransactionId).toBe(credit!.id);
    await f.assertBalanced(credit!.id);
  });

  it('books a batch stating as many debits as a run of several has out', async () => {
    const { run, items } = await releasedRun(weekdayAfter(25), [['10.10', 'Anna Schmidt', 'DE12500105170648489890'], ['20.20', 'Lena Vogel', 'DE02100100109307118603']]);
    // A batch of another count is not this run.
    await f.importStatement({ id: `CI-B3-${backend}`, entries: [{ ref: `CI-B3-${backend}-1`, amount: '30.30', name: 'SEPA Lastschrift', remittance: ['SAMMLER'], batch: { count: 3 } }] });
    expect((await f.receipts(`CI-B3-${backend}`))[0]!.matchState).not.toBe('auto');
    expect(await states(run.id)).toEqual({ sent: 2 });
    await f.importStatement({ id: `CI-B2-${backend}`, entries: [{ ref: `CI-B2-${backend}-1`, amount: '30.30', name: 'SEPA Lastschrift', remittance: ['SAMMLER'], batch: { count: 2 } }] });
    const [credit] = await f.receipts(`CI-B2-${backend}`);
    expect(credit!.matchState).toBe('auto');
    expect(await states(run.id)).toEqual({ collected: 2 });
    for (const it0 of items) expect(await call(`/v1/items/${it0.id}`).then((r) => r.body.status)).toBe('paid');
    await f.assertBalanced(credit!.id);
  });
});
