/**
 * Direct debits, the whole loop over HTTP on both backends: item → mandate → pre-notification
 * (event) → gathered per sequence → released under four-eyes into pain.008.001.08 (read back here
 * with an independent reader against the DK rules) → a camt.053 credits the collection (one batch
 * entry without details, and one credit with details) → the items are paid → returns reverse
 * exactly their item, with the bank's fee, and mark the mandate by the reason.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { dkDirectDebitViolations, readDirectDebit } from '../support/painReader.js';
import { createClientKey } from '../support/server.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';
import { weekdayAfter, apiAs } from '../support/sepa.js';

const CITY_IBAN = 'DE02120300000000202051';
const CREDITOR_ID = 'DE98ZZZ09999999999';

forEachBackend('direct debits: mandate, pain.008, credit and returns', (backend) => {
  let f: ReviewFixture;
  let kasse: string;
  let approver: string;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
    // The issuing service raises its claims and announces them for collection (it sees only its own items).
    kasse = await createClientKey(f.server, ['mandates', 'items:read', 'items:write'], 'Steueramt');
    approver = await createClientKey(f.server, ['mandates', 'approve'], 'Kassenverwalter');
  });
  afterAll(async () => f?.server.close());

  const db = () => f.server.db.prisma;
  const call = apiAs(() => f, () => kasse);
  const mandate = async (reference: string, name: string, iban: string) => {
    const res = await call('/v1/mandates', { method: 'POST', json: { reference, debtor: { name, iban }, signedOn: '2026-01-10' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const item = async (id: string) => (await f.json(`/v1/items/${id}`, { key: kasse })).body;
  let seq = 0;
  const raise = async (amount: string, debtor: string, dueDate: string, description = 'Gebühr') => {
    const res = await call('/v1/items', { method: 'POST', json: { category: 'fee', amount, dueDate, description, debtor: { name: debtor }, externalRef: `DD-${++seq}-${Date.now()}` } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await f.server.settled();
    return res.body;
  };

  it('collects, books the credit, and takes returns back item by item', async () => {
    const due = weekdayAfter(30);
    const i1 = await raise('30.70', 'Jörg Müller', due, 'Hundesteuer 2027 für „Bello“');
    const i2 = await raise('55.00', 'Anna Schmidt', due, 'Kita-Beitrag Januar');
    const i3 = await raise('12.00', 'Zoë Ärger', due, 'Bibliothek Jahresgebühr');
    const m1 = await mandate('HUNDESTEUER-4711', 'Jörg Müller', 'DE89370400440532013000');
    const m2 = await mandate('KITA-0815', 'Anna Schmidt', 'DE12500105170648489890');
    const m3 = await mandate('BIB-42', 'Zoë Ärger & Co', 'DE75512108001245126199');
    // M2 was used before and the debtor changed her account since: the next collection reports it.
    await db().mandate.update({ where: { id: m2.id }, data: { lastCollectedOn: '2026-06-01' } });
    expect((await call(`/v1/mandates/${m2.id}/amend`, { method: 'POST', json: { debtor: { iban: 'DE02100100109307118603' } } })).body.pendingAmendment).toEqual({ originalIban: 'DE12500105170648489890' });

    // Announced: the pre-notification goes to the issuing service as an event, with date and mandate.
    const a1 = await call('/v1/direct-debits', { method: 'POST', json: { itemId: i1.id, mandateId: m1.id } });
    expect(a1.status, JSON.stringify(a1.body)).toBe(201);
    expect(a1.body).toMatchObject({ state: 'announced', amount: '30.70', collectionDate: due, kassenzeichen: i1.kassenzeichen });
    expect((await call('/v1/direct-debits', { method: 'POST', json: { itemId: i1.id, mandateId: m1.id } })).status).toBe(409);
    for (const [it, m] of [[i2, m2], [i3, m3]]) expect((await call('/v1/direct-debits', { method: 'POST', json: { itemId: it.id, mandateId: m.id } })).status).toBe(201);
    const notice = await db().itemEvent.findFirstOrThrow({ where: { openItemId: i1.id, type: 'item.collection_announced' } });
    expect(JSON.parse(notice.payload).data.collection).toEqual({ collectionDate: due, amount: '30.70', mandateReference: 'HUNDESTEUER-4711', creditorId: CREDITOR_ID });
    // An item due tomorrow is collected no earlier than the pre-notification period allows.
    const soon = await raise('5.00', 'Jörg Müller', weekdayAfter(1));
    const early = await call('/v1/direct-debits', { method: 'POST', json: { itemId: soon.id, mandateId: m1.id } });
    expect(early.body.collectionDate >= weekdayAfter(14)).toBe(true);
    expect((await call(`/v1/direct-debits/${early.body.id}/cancel`, { method: 'POST', json: { reason: 'bar bezahlt' } })).body.state).toBe('cancelled');

    // Gathered into one run per sequence; released by a second person only, once.
    const gathered = await call('/v1/collection-runs', { method: 'POST', json: { collectionDate: due } });
    expect(gathered.status, JSON.stringify(gathered.body)).toBe(201);
    expect(gathered.body.runs.map((r: any) => [r.sequence, r.count, r.total])).toEqual([['FRST', 2, '42.70'], ['RCUR', 1, '55.00']]);
    const [frst, rcur] = gathered.body.runs;
    expect((await call(`/v1/collection-runs/${frst.id}/release`, { method: 'POST', key: approver, json: {} })).status).toBe(200);
    const own = await f.json(`/v1/collection-runs/${rcur.id}/release`, { method: 'POST', key: kasse, json: {} });
    expect(own.status).toBe(403);
    expect((await call(`/v1/collection-runs/${rcur.id}/release`, { method: 'POST', key: approver, json: {} })).status).toBe(200);
    expect((await call(`/v1/collection-runs/${frst.id}/release`, { method: 'POST', key: approver, json: {} })).status).toBe(409);

    // The files, read back independently.
    const files = [];
    for (const run of [frst, rcur]) {
      const res = await f.server.api(`/v1/collection-runs/${run.id}/file`, { key: kasse });
      const xml = await res.text();
      expect(res.headers.get('x-content-sha256')).toBe(createHash('sha256').update(xml, 'utf8').digest('hex'));
      const again = await f.server.api(`/v1/collection-runs/${run.id}/file`, { key: kasse });
      expect(await again.text()).toBe(xml);
      expect(again.headers.get('x-file-copy')).toBe('1');
      const file = readDirectDebit(xml);
      expect(dkDirectDebitViolations(file)).toEqual([]);
      expect(file.namespace).toBe('urn:iso:std:iso:20022:tech:xsd:pain.008.001.08');
      files.push(file);
    }
    const [ff, rf] = files;
    expect(ff!).toMatchObject({ count: 2, controlSumCents: 4270n });
    expect(ff!.payments[0]).toMatchObject({ sequence: 'FRST', collectionDate: due, creditorId: CREDITOR_ID, creditorIban: CITY_IBAN, batchBooking: 'true', controlSumCents: 4270n });
    expect(ff!.payments[0]!.debits.map((d) => [d.mandateId, d.cents, d.debtorIban, d.debtorName, d.amended])).toEqual([
      ['HUNDESTEUER-4711', 3070n, 'DE89370400440532013000', 'Joerg Mueller', 'false'],
      ['BIB-42', 1200n, 'DE75512108001245126199', 'Zoe Aerger + Co', 'false'],
    ]);
    expect(ff!.payments[0]!.debits[0]!.remittance).toBe(`Kassenzeichen ${i1.kassenzeichen} Hundesteuer 2027 fuer 'Bello'`);
    expect(rf!.payments[0]).toMatchObject({ sequence: 'RCUR', controlSumCents: 5500n });
    expect(rf!.payments[0]!.debits[0]).toMatchObject({ mandateId: 'KITA-0815', debtorIban: 'DE02100100109307118603', amended: 'true', originalDebtorIban: 'DE12500105170648489890', signedOn: '2026-01-10' });

    // "Einzug veranlasst"; the mandates record their use and the reported amendment is gone.
    expect((await call(`/v1/direct-debits?itemId=${i1.id}`)).body.items.map((d: any) => d.state)).toEqual(['sent']);
    const m2after = (await call(`/v1/mandates/${m2.id}`)).body;
    expect(m2after).toMatchObject({ lastCollectedOn: due, nextSequence: 'RCUR', pendingAmendment: null });
    expect((await call(`/v1/mandates/${m1.id}`)).body.nextSequence).toBe('RCUR');

    // The statement: the FRST run as one batch credit without details (the bank states its count of
    // two debits: the amount alone would not say it is the run's), the RCUR one with its end-to-end id.
    const e2e = (run: any) => f.json(`/v1/collection-runs/${run.id}/debits`, { key: kasse }).then((r) => r.body.items.map((d: any) => d.endToEndId));
    const [e1, e3] = await e2e(frst);
    const [e2] = await e2e(rcur);
    await f.importStatement({
      id: 'DD-IN-1',
      entries: [
        { ref: 'DD-IN-1-1', amount: '42.70', name: 'SEPA Lastschrift Sammler', remittance: ['SAMMLER-GUTSCHRIFT'], batch: { count: 2 } },
        { ref: 'DD-IN-1-2', amount: '55.00', e2e: e2, name: 'Anna Schmidt', remittance: ['Kita'] },
      ],
    });
    const [batch, single] = await f.receipts('DD-IN-1');
    expect([batch!.matchState, single!.matchState]).toEqual(['auto', 'auto']);
    for (const it of [i1, i2, i3]) expect(await item(it.id)).toMatchObject({ status: 'paid' });
    expect((await f.json(`/v1/collection-runs/${frst.id}`, { key: kasse })).body.states).toEqual({ collected: 2 });

    // Returns: AM04 for Jörg with the bank's fee of 3.00 (taken on the same entry), MD01 for Zoë.
    await f.importStatement({
      id: 'DD-BACK-1',
      entries: [
        { ref: 'DD-BACK-1-1', amount: '33.70', credit: false, e2e: e1, returnReason: 'AM04', name: 'Joerg Mueller', remittance: ['RUECKLASTSCHRIFT'] },
        { ref: 'DD-BACK-1-2', amount: '12.00', credit: false, e2e: e3, returnReason: 'MD01', name: 'Zoe Aerger', remittance: ['RUECKLASTSCHRIFT'] },
      ],
    });
    const rets = await f.receipts('DD-BACK-1');
    expect(rets.map((r) => r.matchState)).toEqual(['return', 'return']);
    expect(await item(i1.id)).toMatchObject({ status: 'open', amount: '33.70', paid: '0.00' });
    expect(await item(i3.id)).toMatchObject({ status: 'open', amount: '12.00', paid: '0.00' });
    expect(await item(i2.id)).toMatchObject({ status: 'paid', paid: '55.00' });
    // The batch credit: what stays booked plus what left with the returns is what the bank credited.
    const credit = await db().bankTransaction.findUniqueOrThrow({ where: { id: batch!.id } });
    const live = await db().allocation.findMany({ where: { transactionId: batch!.id, reversal: null } });
    const moves = await db().suspenseMovement.findMany({ where: { transactionId: batch!.id } });
    expect(live.map((a) => [a.openItemId, a.amountMinor])).toEqual([]);
    expect(-moves.filter((m) => m.reason === 'debit_returned').reduce((s, m) => s + m.amountMinor, 0n)).toBe(4270n);
    expect(moves.reduce((s, m) => s + m.amountMinor, 0n)).toBe(0n);
    expect(credit.unappliedMinor).toBe(0n);
    expect(credit.matchState).toBe('auto');
    const d1 = (await call(`/v1/direct-debits?itemId=${i1.id}`)).body.items[0];
    expect(d1).toMatchObject({ state: 'returned', returnReasonCode: 'AM04', returnFee: '3.00', returnTransactionId: rets[0]!.id });
    // The mandate by the reason: AM04 concerns this collection only, MD01 says there is no mandate.
    expect((await call(`/v1/mandates/${m1.id}`)).body.status).toBe('active');
    expect((await call(`/v1/mandates/${m3.id}`)).body).toMatchObject({ status: 'blocked', statusReason: 'no valid mandate (MD01)' });
    expect((await call('/v1/direct-debits', { method: 'POST', json: { itemId: i3.id, mandateId: m3.id } })).status).toBe(409);
    // The issuing service heard it: the item reversed with the reason, and the fee added.
    const events = (await db().itemEvent.findMany({ where: { openItemId: i1.id }, orderBy: { createdAt: 'asc' } })).map((e) => [e.type, JSON.parse(e.payload).data.reason ?? null]);
    expect(events.map((e) => e[0])).toEqual(['item.collection_announced', 'item.paid', 'item.reversed', 'item.amount_changed']);
    expect(events[2]![1]).toMatch(/AM04/);
    // Jörg's item can be announced again under the mandate (next sequence RCUR).
    expect((await call('/v1/direct-debits', { method: 'POST', json: { itemId: i1.id, mandateId: m1.id } })).body).toMatchObject({ state: 'announced', amount: '33.70' });
  });
});
