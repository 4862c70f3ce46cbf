/**
 * What may change between gathering a collection run and the money arriving, over HTTP on both
 * backends: an item paid by transfer, cancelled or reduced after gathering makes the release refuse
 * (409 naming the Kassenzeichen and why; nothing written); an item paid after release is never
 * overpaid by the collection credit (left for a person); an announcement taken back by hand is
 * heard by the issuing service as `item.collection_cancelled`, as when a mandate is blocked.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { createClientKey } from '../support/server.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';
import { weekdayAfter, apiAs } from '../support/sepa.js';

forEachBackend('direct debits: what changed since gathering', (backend) => {
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
    const res = await call('/v1/items', { method: 'POST', json: { category: 'fee', amount, dueDate, description: 'Gebühr', debtor: { name: debtor }, externalRef: `RC-${++seq}-${Date.now()}` } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await f.server.settled();
    return res.body;
  };
  const mandate = async (reference: string, name: string, iban: string) => {
    const res = await call('/v1/mandates', { method: 'POST', json: { reference: `${reference}-${backend}`, debtor: { name, iban }, signedOn: '2026-01-10' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const announce = async (itemId: string, mandateId: string) => {
    const res = await call('/v1/direct-debits', { method: 'POST', json: { itemId, mandateId } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const item = async (id: string) => (await call(`/v1/items/${id}`)).body;

  it('refuses a release whose items were paid, cancelled or reduced since gathering, naming them', async () => {
    const due = weekdayAfter(30);
    const clean = await raise('30.70', 'Jörg Müller', due);
    const paid = await raise('55.00', 'Anna Schmidt', due);
    const cancelled = await raise('12.00', 'Zoë Ärger', due);
    const reduced = await raise('40.00', 'Lena Vogel', due);
    await announce(clean.id, (await mandate('RC-1', 'Jörg Müller', 'DE89370400440532013000')).id);
    await announce(paid.id, (await mandate('RC-2', 'Anna Schmidt', 'DE12500105170648489890')).id);
    await announce(cancelled.id, (await mandate('RC-3', 'Zoë Ärger', 'DE75512108001245126199')).id);
    await announce(reduced.id, (await mandate('RC-4', 'Lena Vogel', 'DE02100100109307118603')).id);
    const gathered = await call('/v1/collection-runs', { method: 'POST', json: { collectionDate: due } });
    expect(gathered.status, JSON.stringify(gathered.body)).toBe(201);
    const run = gathered.body.runs[0];
    expect([run.count, run.total]).toEqual([4, '137.70']);

    // After gathering: Anna pays by transfer anyway, one claim is cancelled, one reduced.
    await f.importStatement({ id: `RC-PAY-${backend}`, entries: [{ ref: `RC-PAY-${backend}-1`, amount: '55.00', name: 'Anna Schmidt', remittance: [`Kassenzeichen ${paid.kassenzeichen}`] }] });
    expect(await item(paid.id)).toMatchObject({ status: 'paid' });
    expect((await call(`/v1/items/${cancelled.id}/cancel`, { method: 'POST', json: { reason: 'Bescheid aufgehoben' } })).status).toBe(200);
    expect((await call(`/v1/items/${reduced.id}/amount`, { method: 'POST', json: { reason: 'Ermäßigung', amount: '25.00' } })).status).toBe(200);

    const refused = await call(`/v1/collection-runs/${run.id}/release`, { method: 'POST', key: approver, json: {} });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.refusedCount).toBe(3);
    const byKz = new Map(refused.body.refused.map((r: { kassenzeichen: string; refusal: string }) => [r.kassenzeichen, r.refusal]));
    expect(byKz).toEqual(new Map([[paid.kassenzeichen, 'item_short'], [cancelled.kassenzeichen, 'item_cancelled'], [reduced.kassenzeichen, 'item_short']]));
    for (const kz of [paid.kassenzeichen, cancelled.kassenzeichen, reduced.kassenzeichen]) expect(refused.body.detail).toContain(kz);
    expect(refused.body.detail).not.toContain(clean.kassenzeichen);

    // Nothing went out: the run is a draft without a file, its debits in it, no mandate used.
    const after = (await call(`/v1/collection-runs/${run.id}`)).body;
    expect(after).toMatchObject({ status: 'draft', file: null, states: { in_run: 4 } });
    expect((await db().mandate.findFirstOrThrow({ where: { reference: `RC-1-${backend}` } })).lastCollectedOn).toBeNull();
    expect((await call(`/v1/collection-runs/${run.id}/file`)).status).toBe(409);

    // The clerk cancels and gathers again: only the clean one is collected, the others are named.
    expect((await call(`/v1/collection-runs/${run.id}/cancel`, { method: 'POST', json: { note: 'Posten geändert' } })).status).toBe(200);
    const again = await call('/v1/collection-runs', { method: 'POST', json: { collectionDate: due } });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.runs.map((r: { count: number; total: string }) => [r.count, r.total])).toEqual([[1, '30.70']]);
    expect(again.body.skipped).toHaveLength(3);
    expect((await call(`/v1/collection-runs/${again.body.runs[0].id}/release`, { method: 'POST', key: approver, json: {} })).status).toBe(200);
  });

  it('never overpays an item paid between release and the collection credit', async () => {
    const due = weekdayAfter(45);
    const petra = await raise('19.90', 'Petra Paulsen', due);
    const karl = await raise('8.00', 'Karl Klein', due);
    await announce(petra.id, (await mandate('RC-5', 'Petra Paulsen', 'DE89370400440532013000')).id);
    await announce(karl.id, (await mandate('RC-7', 'Karl Klein', 'DE12500105170648489890')).id);
    const run = (await call('/v1/collection-runs', { method: 'POST', json: { collectionDate: due } })).body.runs[0];
    expect((await call(`/v1/collection-runs/${run.id}/release`, { method: 'POST', key: approver, json: {} })).status).toBe(200);

    // Petra pays by transfer as well; then the bank credits the run as one entry without details.
    await f.importStatement({ id: `RC-PAY2-${backend}`, entries: [{ ref: `RC-PAY2-${backend}-1`, amount: '19.90', name: 'Petra Paulsen', remittance: [`Kassenzeichen ${petra.kassenzeichen}`] }] });
    expect(await item(petra.id)).toMatchObject({ status: 'paid', paid: '19.90' });
    // The credit names the run's file, so only the overpayment stops it.
    const { paymentInformationId } = await db().collectionRun.findUniqueOrThrow({ where: { id: run.id } });
    await f.importStatement({ id: `RC-IN-${backend}`, entries: [{ ref: `RC-IN-${backend}-1`, amount: '27.90', name: 'SEPA Lastschrift Sammler', remittance: ['SAMMLER-GUTSCHRIFT'], batch: { paymentInformationId } }] });

    // Not booked onto the paid item: it stays paid (not overpaid), the credit waits for a person.
    expect(await item(petra.id)).toMatchObject({ status: 'paid', paid: '19.90' });
    const [credit] = await f.receipts(`RC-IN-${backend}`);
    expect(credit!.matchState).not.toBe('auto');
    expect(await db().allocation.count({ where: { transactionId: credit!.id } })).toBe(0);
    await f.assertBalanced(credit!.id);
    expect((await call(`/v1/collection-runs/${run.id}`)).body.states).toEqual({ sent: 2 });
  });

  it('tells the issuing service when an announcement is taken back by hand', async () => {
    const hook = await call('/v1/webhooks', { method: 'POST', json: { url: 'https://fach.example.org/hook', eventTypes: ['item.collection_cancelled'] } });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const it0 = await raise('8.00', 'Karl Klein', weekdayAfter(60));
    const m = await mandate('RC-6', 'Karl Klein', 'DE12500105170648489890');
    const d = await announce(it0.id, m.id);
    const clerk = 'Schuldner in Privatinsolvenz, bar bezahlt';
    const res = await call(`/v1/direct-debits/${d.id}/cancel`, { method: 'POST', json: { reason: clerk } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ state: 'cancelled', kassenzeichen: it0.kassenzeichen });

    const events = await db().itemEvent.findMany({ where: { openItemId: it0.id, type: 'item.collection_cancelled' } });
    expect(events).toHaveLength(1);
    const body = JSON.parse(events[0]!.payload);
    expect(body.data.collection).toEqual({ collectionDate: d.collectionDate, amount: '8.00', mandateReference: `RC-6-${backend}`, creditorId: 'DE98ZZZ09999999999' });
    // A fixed sentence goes out, as for a blocked mandate; the clerk's words stay in the audit trail.
    expect(body.data.reason).toBe(`the SEPA direct debit on ${d.collectionDate} is taken back by the city treasury`);
    expect(events[0]!.payload).not.toContain('Privatinsolvenz');
    const audit = await db().auditEntry.findMany({ where: { subjectId: it0.id, action: 'direct_debit.cancelled' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.reason).toBe(clerk);
    // Through the same outbox as every item event: one delivery for the subscription that asked.
    expect(await db().webhookDelivery.count({ where: { eventId: events[0]!.id, subscriptionId: hook.body.id } })).toBe(1);
    // Taken back once: a second time is refused and sends nothing more.
    expect((await call(`/v1/direct-debits/${d.id}/cancel`, { method: 'POST', json: { reason: 'nochmal' } })).status).toBe(409);
    expect(await db().itemEvent.count({ where: { openItemId: it0.id, type: 'item.collection_cancelled' } })).toBe(1);
  });
});
