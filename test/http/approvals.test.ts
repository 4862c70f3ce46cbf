import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { createClientKey } from '../support/server.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';

// The fixture's four-eyes threshold is 500.00.
forEachBackend('four-eyes approvals over HTTP', (backend) => {
  let f: ReviewFixture;
  let clerkC: string;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
    clerkC = await createClientKey(f.server, ['approve'], 'clerk C');
  });
  afterAll(async () => f?.server.close());

  it('a manual allocation from the threshold waits for a second person; the proposer cannot approve, another can', async () => {
    const item = await f.item('750.00', 'Gisela Großbetrag');
    await f.importStatement({ id: 'FOUR-1', entries: [{ amount: '750.00', name: 'G. Grossbetrag GmbH', remittance: ['Hallenmiete Oktober'] }] });
    const [r] = await f.receipts('FOUR-1');
    expect(['review', 'unmatched']).toContain(r!.matchState);

    const proposed = await f.json(`/v1/review/${r!.id}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ itemId: item.id, amount: '750.00' }], note: 'Firma zahlt für Frau Großbetrag' } });
    expect(proposed.status).toBe(202);
    const approval = proposed.body.approval;
    expect(proposed.body.outcome).toBe('approval_required');
    expect(approval).toMatchObject({ kind: 'manual_allocation', status: 'pending', amount: '750.00', transactionId: r!.id, booking: { reason: 'Firma zahlt für Frau Großbetrag', allocations: [{ itemId: item.id, amount: '750.00' }] } });
    // Nothing booked yet: the money waits in suspense, the item is open.
    expect(await f.server.db.prisma.allocation.count({ where: { transactionId: r!.id } })).toBe(0);
    expect((await f.json(`/v1/items/${item.id}`, { key: f.itemsKey })).body.status).toBe('open');
    await f.assertBalanced(r!.id);

    // While it waits, nobody else books, parks or refunds the payment.
    const detail = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkB })).body;
    expect(detail.state).toBe('awaiting_approval');
    expect(detail.pendingApproval).toMatchObject({ id: approval.id });
    for (const [action, body] of [
      ['allocate', { allocations: [{ itemId: item.id, amount: '1.00' }], note: 'x' }],
      ['park', { note: 'x' }],
      ['refund', { note: 'x', iban: 'DE89370400440532013000' }],
    ] as const) {
      const res = await f.json(`/v1/review/${r!.id}/${action}`, { method: 'POST', key: f.clerkB, json: body });
      expect(res.status).toBe(409);
      expect(res.body.detail).toMatch(/waits for approval/);
      expect(res.body.approvalId).toBe(approval.id);
    }

    const pending = await f.json('/v1/approvals?status=pending', { key: f.clerkB });
    expect(pending.body.items.map((a: any) => a.id)).toContain(approval.id);

    const self = await f.json(`/v1/approvals/${approval.id}/approve`, { method: 'POST', key: f.clerkA, json: {} });
    expect(self.status).toBe(403);
    expect(self.body).toMatchObject({ status: 403, type: expect.stringMatching(/forbidden/) });
    expect(self.body.detail).toMatch(/second person/);

    const reviewOnly = await createClientKey(f.server, ['review'], 'no approver');
    expect((await f.json(`/v1/approvals/${approval.id}/approve`, { method: 'POST', key: reviewOnly, json: {} })).status).toBe(403);

    const ok = await f.json(`/v1/approvals/${approval.id}/approve`, { method: 'POST', key: f.clerkB, json: { note: 'Vertrag liegt vor' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ outcome: 'booked', state: 'manual', unapplied: '0.00', approval: { status: 'approved', decisionNote: 'Vertrag liegt vor' } });
    expect(ok.body.allocations).toEqual([expect.objectContaining({ itemId: item.id, amount: '750.00', itemStatus: 'paid' })]);
    const allocation = await f.server.db.prisma.allocation.findFirstOrThrow({ where: { transactionId: r!.id } });
    expect(allocation).toMatchObject({ kind: 'manual', approvalId: approval.id });
    await f.assertBalanced(r!.id);
    const after = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body;
    expect(after.audit.map((a: any) => a.action)).toEqual(expect.arrayContaining(['approval.proposed', 'allocation.manual', 'approval.approved']));
    expect(after.pendingApproval).toBeNull();

    const again = await f.json(`/v1/approvals/${approval.id}/approve`, { method: 'POST', key: clerkC, json: {} });
    expect(again.status).toBe(409);
  });

  it('a rejected confirmation leaves the payment where it stood', async () => {
    const item = await f.item('600.00', 'Rainer Ablehnung');
    await f.importStatement({ id: 'FOUR-2', entries: [{ amount: '650.00', name: 'Rainer Ablehnung', remittance: [`Rechnung ${item.kassenzeichen} Auftrag 123456789012`] }] });
    const [r] = await f.receipts('FOUR-2');
    expect(r!.matchState).toBe('review');
    const proposed = await f.json(`/v1/review/${r!.id}/confirm`, { method: 'POST', key: f.clerkA, json: { suggestion: 0 } });
    expect(proposed.status).toBe(202);
    expect(proposed.body.approval).toMatchObject({ kind: 'confirm_suggestion', amount: '600.00', booking: { suggestion: 0 } });

    const noNote = await f.json(`/v1/approvals/${proposed.body.approval.id}/reject`, { method: 'POST', key: f.clerkB, json: {} });
    expect(noNote.status).toBe(422);
    const rejected = await f.json(`/v1/approvals/${proposed.body.approval.id}/reject`, { method: 'POST', key: f.clerkB, json: { note: 'Zahler ist nicht der Schuldner' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decisionNote: 'Zahler ist nicht der Schuldner' });
    const detail = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body;
    expect(detail.state).toBe('review');
    expect(detail.allocations).toEqual([]);
    await f.assertBalanced(r!.id);
    expect((await f.json('/v1/approvals?status=rejected', { key: f.clerkB })).body.items.map((a: any) => a.id)).toContain(proposed.body.approval.id);
  });

  it('two approvers at the same moment: one booking, one 409', async () => {
    const item = await f.item('900.00', 'Zweifach Zeitgleich');
    await f.importStatement({ id: 'FOUR-3', entries: [{ amount: '900.00', name: 'Unbekannt', remittance: ['Zahlung'] }] });
    const [r] = await f.receipts('FOUR-3');
    const proposed = await f.json(`/v1/review/${r!.id}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ itemId: item.id, amount: '900.00' }], note: 'laut Telefonat' } });
    const id = proposed.body.approval.id;
    const [x, y] = await Promise.all([
      f.json(`/v1/approvals/${id}/approve`, { method: 'POST', key: f.clerkB, json: {} }),
      f.json(`/v1/approvals/${id}/approve`, { method: 'POST', key: clerkC, json: {} }),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    expect(await f.server.db.prisma.allocation.count({ where: { transactionId: r!.id } })).toBe(1);
    await f.assertBalanced(r!.id);
  });

  it('a reversal from the threshold waits too; if the bank returns the payment meanwhile, approving fails with 409 and marks the approval failed', async () => {
    const item = await f.item('520.00', 'Renate Rückläufer');
    await f.importStatement({ id: 'FOUR-4', entries: [{ amount: '520.00', name: 'Renate Rückläufer', e2e: 'E2E-FOUR-4', remittance: [item.kassenzeichen] }] });
    const [r] = await f.receipts('FOUR-4');
    expect(r!.matchState).toBe('auto');
    const alloc = await f.server.db.prisma.allocation.findFirstOrThrow({ where: { transactionId: r!.id } });
    const proposed = await f.json(`/v1/allocations/${alloc.id}/reverse`, { method: 'POST', key: f.clerkA, json: { reason: 'gehört zur Nachbarin' } });
    expect(proposed.status).toBe(202);
    expect(proposed.body.approval).toMatchObject({ kind: 'reversal', amount: '520.00', booking: { allocationId: alloc.id } });
    expect((await f.json(`/v1/items/${item.id}`, { key: f.itemsKey })).body.status).toBe('paid');

    await f.importStatement({ id: 'FOUR-4R', date: '2026-11-18', entries: [{ amount: '520.00', credit: false, gvc: '159', e2e: 'E2E-FOUR-4', returnReason: 'AC04', remittance: ['RETOURE'] }] });
    const failed = await f.json(`/v1/approvals/${proposed.body.approval.id}/approve`, { method: 'POST', key: f.clerkB, json: {} });
    expect(failed.status).toBe(409);
    expect(failed.body.detail).toMatch(/changed since the proposal/);
    expect(failed.body.approval).toMatchObject({ status: 'failed' });
    const row = await f.server.db.prisma.approval.findUniqueOrThrow({ where: { id: proposed.body.approval.id } });
    expect(row.status).toBe('failed');
    expect(await f.server.db.prisma.allocationReversal.count({ where: { allocationId: alloc.id } })).toBe(1);
    expect((await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body.state).toBe('returned');
  });

  it('below the threshold a booking takes effect at once', async () => {
    const item = await f.item('499.99', 'Knapp Drunter');
    await f.importStatement({ id: 'FOUR-5', entries: [{ amount: '499.99', name: 'Unbekannt Zwei', remittance: ['Zahlung'] }] });
    const [r] = await f.receipts('FOUR-5');
    const res = await f.json(`/v1/review/${r!.id}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ itemId: item.id, amount: '499.99' }], note: 'passt' } });
    expect(res.status).toBe(200);
  });
});
