/**
 * Money that leaves suspense for good, over HTTP on both backends: a refund booked with the
 * outgoing payment that paid it back, a refund mark taken back, a return the matcher could not
 * place resolved by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';

// The fixture's four-eyes threshold is 500.00.
forEachBackend('refunds and returns leave suspense over HTTP', (backend) => {
  let f: ReviewFixture;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
  });
  afterAll(async () => f?.server.close());

  const db = () => f.server.db.prisma;
  /** amount = live allocations + unapplied + paid back, and suspense = unapplied, to the cent. */
  const assertAccounted = async (id: string) => {
    const r = await db().bankTransaction.findUniqueOrThrow({ where: { id } });
    const allocated = (await db().allocation.findMany({ where: { transactionId: id, reversal: null } })).reduce((s, a) => s + a.amountMinor, 0n);
    const movements = await db().suspenseMovement.findMany({ where: { transactionId: id } });
    const held = movements.reduce((s, m) => s + m.amountMinor, 0n);
    const paidBack = -movements.filter((m) => m.reason === 'refunded').reduce((s, m) => s + m.amountMinor, 0n);
    expect(allocated + r.unappliedMinor + paidBack).toBe(r.amountMinor);
    expect(held).toBe(r.unappliedMinor);
  };
  const markForRefund = async (id: string, key = f.clerkA) => {
    const res = await f.json(`/v1/review/${id}/refund`, { method: 'POST', key, json: { note: 'Irrläufer, zurück an Absender' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const outgoing = async (statementId: string, amount: string, name: string) => {
    await f.importStatement({ id: statementId, date: '2026-11-20', entries: [{ ref: statementId, amount, credit: false, name, remittance: ['Rueckzahlung'] }] });
    const [d] = await f.receipts(statementId);
    expect(d!.matchState).toBe('ignored');
    return d!;
  };

  describe('refund', () => {
    it('books the refund with the outgoing payment: suspense cleared, the payment refunded and linked to the debit', async () => {
      await f.importStatement({ id: 'DEP-REFUND-1', entries: [{ ref: 'DEP-REFUND-1', amount: '40.00', name: 'Rita Rück', iban: 'DE89370400440532013000', remittance: ['falsch überwiesen'] }] });
      const [r] = await f.receipts('DEP-REFUND-1');
      await markForRefund(r!.id);
      const marked = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body;
      expect(marked.availableActions).toEqual(['book_refund', 'unmark_refund']);

      const wrong = await outgoing('DEP-REFUND-1-OUT-WRONG', '39.99', 'Rita Rück');
      const debit = await outgoing('DEP-REFUND-1-OUT', '40.00', 'Rita Rück');
      const tooLittle = await f.json(`/v1/review/${r!.id}/book-refund`, { method: 'POST', key: f.clerkA, json: { refundTransactionId: wrong.id, version: marked.version } });
      expect(tooLittle.status).toBe(422);
      expect(tooLittle.body.detail).toMatch(/39\.99.*40\.00/);
      const credit = await f.json(`/v1/review/${r!.id}/book-refund`, { method: 'POST', key: f.clerkA, json: { refundTransactionId: r!.id } });
      expect(credit.status).toBe(422);

      const res = await f.json(`/v1/review/${r!.id}/book-refund`, { method: 'POST', key: f.clerkA, json: { refundTransactionId: debit.id, version: marked.version, note: 'Überweisung vom 20.11.' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ outcome: 'booked', state: 'refunded', unapplied: '0.00', linkedTransactionId: debit.id, allocations: [] });
      await assertAccounted(r!.id);

      const detail = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body;
      expect(detail.suspense.balance).toBe('0.00');
      expect(detail.suspense.movements.map((m: any) => [m.amount, m.reason])).toEqual([['40.00', 'unassigned'], ['-40.00', 'refunded']]);
      expect(detail.linked).toEqual([{ transactionId: debit.id, ref: expect.stringMatching(/#0$/), relation: 'refunded_with' }]);
      expect(detail.availableActions).toEqual([]);
      expect(detail.refund).toMatchObject({ iban: 'DE89370400440532013000', amount: '40.00' });
      expect(detail.audit.map((a: any) => a.action)).toEqual(expect.arrayContaining(['payment.refund_requested', 'payment.refunded']));
      const debitDetail = (await f.json(`/v1/review/${debit.id}`, { key: f.clerkA })).body;
      expect(debitDetail.state).toBe('refund_booked');
      expect(debitDetail.linked).toEqual([{ transactionId: r!.id, ref: detail.ref, relation: 'refund_of' }]);

      // Off the refund list, findable as refunded; the debit pays back nothing else.
      expect((await f.json('/v1/review?state=refund&q=Rita', { key: f.clerkA })).body.items).toEqual([]);
      expect((await f.json('/v1/review?state=refunded,refund_booked', { key: f.clerkA })).body.items.map((x: any) => x.id).sort()).toEqual([r!.id, debit.id].sort());
      await f.importStatement({ id: 'DEP-REFUND-2', entries: [{ ref: 'DEP-REFUND-2', amount: '40.00', name: 'Rolf Rück', iban: 'DE12500105170648489890', remittance: ['auch falsch'] }] });
      const [other] = await f.receipts('DEP-REFUND-2');
      await markForRefund(other!.id);
      const reused = await f.json(`/v1/review/${other!.id}/book-refund`, { method: 'POST', key: f.clerkA, json: { refundTransactionId: debit.id } });
      expect(reused.status).toBe(409);
      expect(reused.body.detail).toMatch(/refund_booked/);
      const twice = await f.json(`/v1/review/${r!.id}/book-refund`, { method: 'POST', key: f.clerkA, json: { refundTransactionId: wrong.id } });
      expect(twice.status).toBe(409);
    });

    it('refunds what is left after a booking; the booked part stays', async () => {
      const item = await f.item('30.00', 'Otto Über');
      await f.importStatement({ id: 'DEP-REFUND-3', entries: [{ ref: 'DEP-REFUND-3', amount: '50.00', name: 'Otto Über', remittance: ['Gebühr und mehr'] }] });
      const [r] = await f.receipts('DEP-REFUND-3');
      const booked = await f.json(`/v1/review/${r!.id}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ itemId: item.id, amount: '30.00' }], note: 'Gebühr' } });
      expect(booked.body).toMatchObject({ state: 'review', unapplied: '20.00' });
      const marked = await f.json(`/v1/review/${r!.id}/refund`, { method: 'POST', key: f.clerkA, json: { note: 'zu viel gezahlt', iban: 'DE12500105170648489890' } });
      expect(marked.body).toMatchObject({ state: 'refund', refund: { amount: '20.00' } });
      const debit = await outgoing('DEP-REFUND-3-OUT', '20.00', 'Otto Über');
      const res = await f.json(`/v1/review/${r!.id}/book-refund`, { method: 'POST', key: f.clerkA, json: { refundTransactionId: debit.id } });
      expect(res.body).toMatchObject({ outcome: 'booked', state: 'refunded', unapplied: '0.00' });
      await assertAccounted(r!.id);
      expect((await f.json(`/v1/items/${item.id}`, { key: f.itemsKey })).body).toMatchObject({ status: 'paid', paid: '30.00' });
    });

    it('from the four-eyes threshold the refund waits for a second person', async () => {
      await f.importStatement({ id: 'DEP-REFUND-4', entries: [{ ref: 'DEP-REFUND-4', amount: '800.00', name: 'Groß Irrtum GmbH', iban: 'DE89370400440532013000', remittance: ['falsches Konto'] }] });
      const [r] = await f.receipts('DEP-REFUND-4');
      await markForRefund(r!.id);
      const debit = await outgoing('DEP-REFUND-4-OUT', '800.00', 'Groß Irrtum GmbH');
      const proposed = await f.json(`/v1/review/${r!.id}/book-refund`, { method: 'POST', key: f.clerkA, json: { refundTransactionId: debit.id } });
      expect(proposed.status).toBe(202);
      expect(proposed.body.approval).toMatchObject({ kind: 'refund', amount: '800.00', status: 'pending', booking: { linkedTransactionId: debit.id } });
      expect((await db().bankTransaction.findUniqueOrThrow({ where: { id: r!.id } })).unappliedMinor).toBe(80000n);
      expect((await f.json(`/v1/approvals/${proposed.body.approval.id}/approve`, { method: 'POST', key: f.clerkA, json: {} })).status).toBe(403);
      const ok = await f.json(`/v1/approvals/${proposed.body.approval.id}/approve`, { method: 'POST', key: f.clerkB, json: {} });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ outcome: 'booked', state: 'refunded', unapplied: '0.00', approval: { status: 'approved' } });
      await assertAccounted(r!.id);
      expect((await db().bankTransaction.findUniqueOrThrow({ where: { id: debit.id } })).matchState).toBe('refund_booked');
    });

    it('a refund mark can be taken back: the payment returns to review and can be booked', async () => {
      await f.importStatement({ id: 'DEP-UNMARK-1', entries: [{ ref: 'DEP-UNMARK-1', amount: '25.00', name: 'Ulla Umkehr', iban: 'DE89370400440532013000', remittance: ['Gebühr'] }] });
      const [r] = await f.receipts('DEP-UNMARK-1');
      const marked = await markForRefund(r!.id);
      const stale = await f.json(`/v1/review/${r!.id}/unmark-refund`, { method: 'POST', key: f.clerkB, json: { note: 'doch nicht', version: marked.version - 1 } });
      expect(stale.status).toBe(409);
      const res = await f.json(`/v1/review/${r!.id}/unmark-refund`, { method: 'POST', key: f.clerkB, json: { note: 'Zahlerin hat angerufen: ist für den Bescheid', version: marked.version } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ state: 'review', unapplied: '25.00' });
      await assertAccounted(r!.id);
      const item = await f.item('25.00', 'Ulla Umkehr');
      const booked = await f.json(`/v1/review/${r!.id}/allocate`, { method: 'POST', key: f.clerkB, json: { allocations: [{ itemId: item.id, amount: '25.00' }], note: 'Bescheid' } });
      expect(booked.body).toMatchObject({ outcome: 'booked', state: 'manual' });
      const audit = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body.audit.map((a: any) => a.action);
      expect(audit).toEqual(expect.arrayContaining(['payment.refund_requested', 'payment.refund_cancelled', 'allocation.manual']));
    });
  });

  describe('return the matcher could not place', () => {
    it('reverses the receipt’s bookings, takes its suspense out and links both', async () => {
      const item = await f.item('45.00', 'Rüdiger Retour');
      await f.importStatement({ id: 'DEP-RET-1', entries: [{ ref: 'DEP-RET-1', amount: '60.00', name: 'Rüdiger Retour', e2e: 'E2E-DEP-RET-1', remittance: ['Gebühren'] }] });
      const [r] = await f.receipts('DEP-RET-1');
      const booked = await f.json(`/v1/review/${r!.id}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ itemId: item.id, amount: '45.00' }], note: 'Gebühr' } });
      expect(booked.body).toMatchObject({ state: 'review', unapplied: '15.00' });
      // The bank's return carries another end-to-end id: the matcher cannot find the receipt.
      await f.importStatement({ id: 'DEP-RET-1-R', date: '2026-11-18', entries: [{ ref: 'DEP-RET-1-R', amount: '60.00', credit: false, gvc: '159', e2e: 'E2E-BANK-OTHER', name: 'Rüdiger Retour', returnReason: 'MD06', remittance: ['RETOURE'] }] });
      const [ret] = await f.receipts('DEP-RET-1-R');
      expect(ret!.matchState).toBe('return_open');
      const retDetail = (await f.json(`/v1/review/${ret!.id}`, { key: f.clerkA })).body;
      expect(retDetail.availableActions).toEqual(['resolve_return']);

      const notSeen = await f.json(`/v1/review/${ret!.id}/resolve-return`, { method: 'POST', key: f.clerkA, json: { receiptId: r!.id, allocationIds: [], version: retDetail.version } });
      expect(notSeen.status).toBe(409);
      expect(notSeen.body.detail).toMatch(/not the ones you saw/);
      const receiptDetail = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body;
      const allocationIds = receiptDetail.allocations.map((a: any) => a.id);
      const res = await f.json(`/v1/review/${ret!.id}/resolve-return`, { method: 'POST', key: f.clerkA, json: { receiptId: r!.id, allocationIds, version: retDetail.version, note: 'Lastschrift widersprochen' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ outcome: 'booked', transactionId: r!.id, state: 'returned', unapplied: '0.00', reversedAllocationIds: allocationIds, linkedTransactionId: ret!.id });

      expect((await f.json(`/v1/items/${item.id}`, { key: f.itemsKey })).body).toMatchObject({ status: 'open', paid: '0.00' });
      const after = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body;
      expect(after.allocations[0].reversal).toMatchObject({ causedByTransactionId: ret!.id });
      expect(after.allocations[0].reversal.reason).toMatch(/MD06/);
      expect(after.suspense.balance).toBe('0.00');
      expect(after.suspense.movements.map((m: any) => [m.amount, m.reason])).toEqual([['60.00', 'unassigned'], ['-45.00', 'allocated'], ['-15.00', 'returned']]);
      expect(after.linked).toEqual([{ transactionId: ret!.id, ref: retDetail.ref, relation: 'returned_with' }]);
      expect(after.availableActions).toEqual([]);
      const retAfter = (await f.json(`/v1/review/${ret!.id}`, { key: f.clerkA })).body;
      expect(retAfter.state).toBe('return');
      expect(retAfter.linked).toEqual([{ transactionId: r!.id, ref: after.ref, relation: 'return_of' }]);
      expect((await db().bankTransaction.findUniqueOrThrow({ where: { id: r!.id } })).unappliedMinor).toBe(0n);
      const events = await db().itemEvent.findMany({ where: { openItemId: item.id, type: 'item.reversed' } });
      expect(events).toHaveLength(1);
      // Off the queue; resolving again is refused.
      expect((await f.json('/v1/review?q=Rüdiger', { key: f.clerkA })).body.items).toEqual([]);
      const again = await f.json(`/v1/review/${ret!.id}/resolve-return`, { method: 'POST', key: f.clerkA, json: { receiptId: r!.id } });
      expect(again.status).toBe(409);
    });

    it('refuses a receipt of another amount and a credit as the return', async () => {
      await f.importStatement({ id: 'DEP-RET-2', entries: [{ ref: 'DEP-RET-2', amount: '12.00', name: 'Klara Klein', e2e: 'E2E-DEP-RET-2', remittance: ['x'] }] });
      const [r] = await f.receipts('DEP-RET-2');
      await f.importStatement({ id: 'DEP-RET-2-R', date: '2026-11-18', entries: [{ ref: 'DEP-RET-2-R', amount: '13.00', credit: false, gvc: '159', e2e: 'E2E-BANK-2', returnReason: 'AC04', remittance: ['RETOURE'] }] });
      const [ret] = await f.receipts('DEP-RET-2-R');
      expect(ret!.matchState).toBe('return_open');
      const amount = await f.json(`/v1/review/${ret!.id}/resolve-return`, { method: 'POST', key: f.clerkA, json: { receiptId: r!.id } });
      expect(amount.status).toBe(422);
      expect(amount.body.detail).toMatch(/13\.00.*12\.00/);
      const credit = await f.json(`/v1/review/${r!.id}/resolve-return`, { method: 'POST', key: f.clerkA, json: { receiptId: r!.id } });
      expect(credit.status).toBe(409);
      expect((await db().bankTransaction.findUniqueOrThrow({ where: { id: r!.id } })).matchState).toBe('unmatched');
    });
  });
});
