/**
 * Blocking a mandate by hand, over HTTP on both backends: only with the scope and a reason; the
 * collections on it that did not go to the bank (announced, in a draft run) are taken back and the
 * issuing service hears `item.collection_cancelled`; a released one stands; the mandate is never
 * used again (no announcement, no release of the draft run); a second block is refused; audited.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { createClientKey } from '../support/server.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';
import { weekdayAfter, apiAs } from '../support/sepa.js';

forEachBackend('blocking a mandate by hand', (backend) => {
  let f: ReviewFixture;
  let kasse: string;
  let approver: string;
  let reader: string;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
    kasse = await createClientKey(f.server, ['mandates', 'items:read', 'items:write'], 'Steueramt');
    approver = await createClientKey(f.server, ['mandates', 'approve'], 'Kassenverwalter');
    reader = await createClientKey(f.server, ['items:read'], 'Nur Lesen');
  });
  afterAll(async () => f?.server.close());

  const db = () => f.server.db.prisma;
  const call = apiAs(() => f, () => kasse);
  let seq = 0;
  const raise = async (amount: string, debtor: string, dueDate: string) => {
    const res = await call('/v1/items', { method: 'POST', json: { category: 'fee', amount, dueDate, description: 'Gebühr', debtor: { name: debtor }, externalRef: `BLK-${++seq}-${Date.now()}` } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const announce = async (itemId: string, mandateId: string) => {
    const res = await call('/v1/direct-debits', { method: 'POST', json: { itemId, mandateId } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  it('takes back what did not go to the bank, tells the issuing service, and is never used again', async () => {
    const [d1, d2, d3] = [weekdayAfter(30), weekdayAfter(40), weekdayAfter(50)];
    const m = (await call('/v1/mandates', { method: 'POST', json: { reference: `BLOCK-${backend}`, debtor: { name: 'Jörg Müller', iban: 'DE89370400440532013000' }, signedOn: '2026-01-10' } })).body;
    const other = (await call('/v1/mandates', { method: 'POST', json: { reference: `OTHER-${backend}`, debtor: { name: 'Anna Schmidt', iban: 'DE12500105170648489890' }, signedOn: '2026-01-10' } })).body;
    const inRun = await raise('30.70', 'Jörg Müller', d1);
    const neighbour = await raise('55.00', 'Anna Schmidt', d1);
    const announced = await raise('12.00', 'Jörg Müller', d2);
    const sent = await raise('8.00', 'Jörg Müller', d3);
    await announce(inRun.id, m.id);
    await announce(neighbour.id, other.id);
    await announce(announced.id, m.id);
    await announce(sent.id, m.id);
    // d1: one draft run with both mandates' debits; d3: released, at the bank.
    const draft = (await call('/v1/collection-runs', { method: 'POST', json: { collectionDate: d1 } })).body.runs[0];
    const released = (await call('/v1/collection-runs', { method: 'POST', json: { collectionDate: d3 } })).body.runs[0];
    expect((await call(`/v1/collection-runs/${released.id}/release`, { method: 'POST', key: approver, json: {} })).status).toBe(200);
    const version = (await call(`/v1/mandates/${m.id}`)).body.version;

    // Only with the scope, a reason, and the version as read.
    expect((await call(`/v1/mandates/${m.id}/block`, { method: 'POST', key: reader, json: { reason: 'x' } })).status).toBe(403);
    expect((await call(`/v1/mandates/${m.id}/block`, { method: 'POST', json: { reason: '' } })).status).toBe(422);
    expect((await call(`/v1/mandates/${m.id}/block`, { method: 'POST', json: { reason: '   ' } })).status).toBe(422);
    expect((await call(`/v1/mandates/${m.id}/block`, { method: 'POST', json: { reason: 'alt', version: version + 5 } })).status).toBe(409);
    expect((await db().mandate.findUniqueOrThrow({ where: { id: m.id } })).status).toBe('active');

    const blocked = await call(`/v1/mandates/${m.id}/block`, { method: 'POST', json: { reason: 'Bank meldet telefonisch: Konto gesperrt', version } });
    expect(blocked.status, JSON.stringify(blocked.body)).toBe(200);
    expect(blocked.body.mandate).toMatchObject({ id: m.id, status: 'blocked', statusReason: 'Bank meldet telefonisch: Konto gesperrt' });
    expect(blocked.body.takenBack.map((t: { itemId: string }) => t.itemId).sort()).toEqual([inRun.id, announced.id].sort());
    expect(blocked.body.takenBack.find((t: { itemId: string }) => t.itemId === inRun.id)).toMatchObject({ amount: '30.70', collectionDate: d1, runId: draft.id, kassenzeichen: inRun.kassenzeichen });
    expect(blocked.body.draftRuns).toEqual([draft.number]);
    expect(blocked.body.atBank).toBe(1);

    // The debits: taken back (no longer standing for their items), the released one stands.
    const states = new Map((await db().directDebit.findMany({ where: { openItemId: { in: [inRun.id, announced.id, sent.id, neighbour.id] } } })).map((d) => [d.openItemId, d]));
    expect(states.get(inRun.id)).toMatchObject({ state: 'cancelled', standingFor: null });
    expect(states.get(announced.id)).toMatchObject({ state: 'cancelled', standingFor: null });
    expect(states.get(sent.id)).toMatchObject({ state: 'sent', standingFor: sent.id });
    expect(states.get(neighbour.id)).toMatchObject({ state: 'in_run' });

    // The issuing service hears it for each item taken back, as it heard the announcement.
    for (const it of [inRun, announced]) {
      const events = await db().itemEvent.findMany({ where: { openItemId: it.id, type: 'item.collection_cancelled' } });
      expect(events).toHaveLength(1);
      const body = JSON.parse(events[0]!.payload);
      expect(body.data.collection).toMatchObject({ mandateReference: `BLOCK-${backend}`, amount: it.id === inRun.id ? '30.70' : '12.00' });
      expect(body.data.reason).toContain('is blocked');
    }
    expect(await db().itemEvent.count({ where: { openItemId: sent.id, type: 'item.collection_cancelled' } })).toBe(0);
    // A webhook subscription may ask for the event by name.
    expect((await f.json('/v1/webhooks', { method: 'POST', key: kasse, json: { url: 'https://fach.example.org/hook', eventTypes: ['item.collection_cancelled'] } })).status).toBe(201);

    // Never used again: no new announcement, the draft run holding it is not released, no second block.
    const again = await call('/v1/direct-debits', { method: 'POST', json: { itemId: announced.id, mandateId: m.id } });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('blocked');
    expect((await call(`/v1/collection-runs/${draft.id}/release`, { method: 'POST', key: approver, json: {} })).status).toBe(409);
    expect((await call(`/v1/mandates/${m.id}/block`, { method: 'POST', json: { reason: 'nochmal' } })).status).toBe(409);
    // The item is free to be collected under another mandate.
    await announce(announced.id, other.id);

    const audit = await db().auditEntry.findMany({ where: { subjectId: m.id, action: 'mandate.blocked' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.reason).toBe('Bank meldet telefonisch: Konto gesperrt');
    expect(JSON.parse(audit[0]!.data!)).toMatchObject({ draftRuns: [draft.number], atBank: 1 });
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await f.json('/openapi.json', { key: kasse })).body;
    expect(doc.paths['/v1/mandates/{id}/block'].post.security).toBeTruthy();
    expect(doc.components.schemas.MandateBlocked).toBeTruthy();
  });
});
