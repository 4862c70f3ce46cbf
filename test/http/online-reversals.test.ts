/**
 * Money of an online payment that an item cannot take, and money going back: a bank transfer pays
 * the item while the citizen is on the provider's page; PAYED then books only what is still owed,
 * the rest is owed back and listed as needing attention until its refund is recorded. A chargeback
 * undoes an online allocation with a reversal row and opens the item again. Over HTTP, both backends.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { camt } from '../support/camtBuilder.js';
import { forEachBackend } from '../support/backends.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';
import { decideOnProviderPage, localUrl, startOnlineAsCitizen, visit } from './online-support.js';

type Json = Record<string, any>;

forEachBackend('online payments that overpay, refunds and chargebacks', (backend) => {
  let server: TestServer;
  let seq = 1;
  const clock = { now: () => new Date() };

  beforeAll(async () => {
    server = await startTestServer(backend, { clock, env: { ONLINE_PAYMENT_POLL_SECONDS: '0' } });
  });
  afterAll(async () => server?.close());

  async function claim(amount: string, debtor: string): Promise<{ item: Json; token: string; paymentRequestId: string }> {
    const item = (await (await server.api('/v1/items', { method: 'POST', json: { category: 'fee', amount, dueDate: '2026-12-31', description: 'Gebühr', debtor: { name: debtor } } })).json()) as Json;
    const pr = (await (await server.api('/v1/payment-requests', { method: 'POST', json: { itemIds: [item.id] } })).json()) as Json;
    return { item, token: pr.paymentUrl.split('/pay/')[1], paymentRequestId: pr.id };
  }

  async function transfer(amount: string, debtor: string, kassenzeichen: string): Promise<void> {
    const n = seq++;
    const xml = camt({ id: `STMT-REV-${n}`, seq: n, date: '2026-11-23', entries: [{ amount, ref: `TRANSFER-REV-${n}`, name: debtor, iban: 'DE44500105175407324931', remittance: [`KZ ${kassenzeichen}`] }] });
    const res = await server.api(`/v1/statements?fileName=rev-${n}.xml`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
    expect(res.status).toBe(201);
  }

  /** Starts paying online, lets `meanwhile` happen, then the citizen pays on the provider page and comes back. */
  async function payOnlineAfter(token: string, meanwhile: () => Promise<void>): Promise<void> {
    const start = await startOnlineAsCitizen(server, token);
    await meanwhile();
    const back = await decideOnProviderPage(server, start.location, 'pay');
    expect((await visit(localUrl(server, back))).location).toBe(`/pay/${token}?online=payed`);
  }

  async function item(id: string): Promise<Json> {
    return (await (await server.api(`/v1/items/${id}`)).json()) as Json;
  }

  async function paymentOf(paymentRequestId: string): Promise<Json> {
    const list = ((await (await server.api(`/v1/online/payments?paymentRequestId=${paymentRequestId}`)).json()) as Json).payments as Json[];
    return list.find((p) => p.status === 'payed')!;
  }

  it('a bank transfer paid the item while the citizen paid online: nothing more is booked to it, the whole amount is owed back and needs attention until refunded', async () => {
    const { item: it0, token, paymentRequestId } = await claim('30.70', 'Erika Doppelzahlerin');
    await payOnlineAfter(token, () => transfer('30.70', 'Erika Doppelzahlerin', it0.kassenzeichen));
    const after = await item(it0.id);
    expect(after).toMatchObject({ status: 'paid', paid: '30.70' });
    const p = await paymentOf(paymentRequestId);
    expect(p).toMatchObject({ amount: '30.70', unallocated: '30.70', refundDue: '30.70', needsAttention: true, allocations: [] });
    // The provider still owes us the money (it is ours to pay back), so it stays on the clearing account.
    const clearing = ((await (await server.api('/v1/online/clearing')).json()) as Json).providers as Json[];
    expect(clearing.flatMap((c) => c.openPayments).some((x: Json) => x.id === p.id && x.open === '30.70')).toBe(true);

    const attention = ((await (await server.api('/v1/online/payments?needsAttention=true')).json()) as Json).payments as Json[];
    expect(attention.map((x) => x.id)).toContain(p.id);

    // Recording the refund: scope review, a reason, audited; afterwards it needs no attention.
    const viewer = await createClientKey(server, ['statements:read']);
    expect((await server.api(`/v1/online/payments/${p.id}/reversals`, { method: 'POST', key: viewer, json: { kind: 'refund', reason: 'an Bürgerin erstattet' } })).status).toBe(403);
    const refunded = await server.api(`/v1/online/payments/${p.id}/reversals`, { method: 'POST', json: { kind: 'refund', reason: 'Anbieter hat an die Bürgerin erstattet', expectedVersion: p.version } });
    expect(refunded.status).toBe(201);
    const body = (await refunded.json()) as Json;
    expect(body).toMatchObject({ unallocated: '30.70', refundDue: '0.00', needsAttention: false, reversals: [expect.objectContaining({ kind: 'refund', amount: '30.70', allocationId: null })] });
    expect((await item(it0.id)).status).toBe('paid');
    const again = ((await (await server.api('/v1/online/payments?needsAttention=true')).json()) as Json).payments as Json[];
    expect(again.map((x) => x.id)).not.toContain(p.id);
    expect((await server.api(`/v1/online/payments/${p.id}/reversals`, { method: 'POST', json: { kind: 'refund', reason: 'nochmal' } })).status).toBe(409);
    const audit = await server.db.prisma.auditEntry.findFirst({ where: { subjectId: p.id, action: 'online_payment.refund' } });
    expect(audit?.reason).toBe('Anbieter hat an die Bürgerin erstattet');
  });

  it('a transfer paid part of the item meanwhile: only the rest is booked, the difference is owed back', async () => {
    const { item: it0, token, paymentRequestId } = await claim('50.00', 'Hans Teilzahler');
    await payOnlineAfter(token, () => transfer('20.00', 'Hans Teilzahler', it0.kassenzeichen));
    expect(await item(it0.id)).toMatchObject({ status: 'paid', paid: '50.00' });
    const p = await paymentOf(paymentRequestId);
    expect(p).toMatchObject({ amount: '50.00', unallocated: '20.00', refundDue: '20.00', needsAttention: true });
    expect(p.allocations).toEqual([expect.objectContaining({ itemId: it0.id, amount: '30.00', reversal: null })]);
  });

  it('a chargeback undoes the online allocation: a reversal row, the item open again (item.reversed), the clearing position lower; twice is refused', async () => {
    const { item: it0, token, paymentRequestId } = await claim('12.00', 'Karla Rückbucher');
    await payOnlineAfter(token, async () => {});
    expect((await item(it0.id)).status).toBe('paid');
    const p = await paymentOf(paymentRequestId);
    const allocationId = p.allocations[0].id as string;
    const res = await server.api(`/v1/online/payments/${p.id}/reversals`, { method: 'POST', json: { kind: 'chargeback', allocationId, reason: 'Kreditkarten-Rückbuchung laut Anbieter' } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Json;
    expect(body.allocations[0]).toMatchObject({ id: allocationId, amount: '12.00', reversal: expect.objectContaining({ kind: 'chargeback' }) });
    expect(await item(it0.id)).toMatchObject({ status: 'open', paid: '0.00' });
    expect(await server.db.prisma.itemEvent.findFirst({ where: { openItemId: it0.id, type: 'item.reversed' } })).not.toBeNull();
    // Booked facts are kept: the allocation is still there, the reversal points at it.
    expect(await server.db.prisma.onlineAllocation.count({ where: { id: allocationId } })).toBe(1);
    expect((await server.db.prisma.onlineReversal.findFirstOrThrow({ where: { onlineAllocationId: allocationId } })).amountMinor).toBe(1200n);
    const clearing = ((await (await server.api('/v1/online/clearing')).json()) as Json).providers as Json[];
    expect(clearing.flatMap((c) => c.openPayments).some((x: Json) => x.id === p.id)).toBe(false);
    expect((await server.api(`/v1/online/payments/${p.id}/reversals`, { method: 'POST', json: { kind: 'chargeback', allocationId, reason: 'nochmal' } })).status).toBe(409);
    expect((await server.api(`/v1/online/payments/${p.id}/reversals`, { method: 'POST', json: { kind: 'refund', reason: 'nichts offen' } })).status).toBe(409);
    expect((await server.api(`/v1/online/payments/${p.id}/reversals`, { method: 'POST', json: { kind: 'chargeback', allocationId: 'nope', reason: 'x' } })).status).toBe(404);
  });
});
