/**
 * A credit with the reversal indicator (a debit of ours that the bank reversed: a refund or payout
 * sent back) takes back no receipt, so the matcher cannot place it (`return_open`). Its money
 * arrived: it is held in suspense under its own reason (`reversal_credit`) until a person decides,
 * and leaves suspense with an appended movement when they book it — never in neither place.
 *
 * And the ledger check after booking writes (writer.ts assertLedger) holds every decided entry to
 * equality: money of a decided entry that is neither allocated nor in suspense (nor paid back,
 * cleared or returned) aborts the write, where it used to pass as "no more than the entry".
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Ctx } from '../../src/context.js';
import { assertLedger, LedgerInvariantError } from '../../src/services/booking/writer.js';
import { suspenseFigures } from '../../src/services/closings/compute.js';
import { forEachBackend } from '../support/backends.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';

forEachBackend('a reversed debit of ours: its money waits in suspense', (backend) => {
  let f: ReviewFixture;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
  });
  afterAll(async () => f?.server.close());

  const movements = (transactionId: string) =>
    f.server.db.prisma.suspenseMovement.findMany({ where: { transactionId }, orderBy: [{ createdAt: 'asc' }, { amountMinor: 'desc' }], select: { amountMinor: true, reason: true } });

  it('is held in suspense as reversal_credit, and booking it to an item moves it out with a new row', async () => {
    const item = await f.item('42.50', 'Erika Erste');
    await f.importStatement({ id: 'RVC-1', entries: [{ ref: 'RVC-1-1', amount: '42.50', reversal: true, name: 'Erika Erste', remittance: [`Rueckbuchung KZ ${item.kassenzeichen}`] }] });
    const [back] = await f.receipts('RVC-1');
    expect(back!.matchState).toBe('return_open');
    expect(back!.unappliedMinor).toBe(4250n);
    expect(await movements(back!.id)).toEqual([{ amountMinor: 4250n, reason: 'reversal_credit' }]);
    await f.assertBalanced(back!.id);
    // The daily closing's typed suspense counts it as an unclear receipt.
    const unclear = (await suspenseFigures({ db: f.server.db } as Ctx, '2026-11-16')).find((x) => x.type === 'unclear_receipt');
    expect(unclear).toMatchObject({ balance: '42.50', count: 1 });
    const detail = await f.json(`/v1/review/${back!.id}`, { key: f.clerkA });
    expect(detail.status).toBe(200);
    expect(detail.body.availableActions).toEqual(expect.arrayContaining(['allocate', 'park', 'mark_refund']));

    const booked = await f.json(`/v1/review/${back!.id}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ itemId: item.id, amount: '42.50' }], note: 'Erstattung kam zurueck; Forderung damit beglichen' } });
    expect(booked.status, JSON.stringify(booked.body)).toBe(200);
    expect(booked.body.state).toBe('manual');
    // Append-only: the movement in stays, the movement out is a new row.
    expect(await movements(back!.id)).toEqual([
      { amountMinor: 4250n, reason: 'reversal_credit' },
      { amountMinor: -4250n, reason: 'allocated' },
    ]);
    await f.assertBalanced(back!.id);
    expect((await f.json(`/v1/items/${item.id}`, { key: f.itemsKey })).body).toMatchObject({ status: 'paid', paid: '42.50' });
  });

  it('can be parked or marked for refund like any money in suspense', async () => {
    await f.importStatement({ id: 'RVC-2', entries: [
      { ref: 'RVC-2-1', amount: '12.00', reversal: true, name: 'Bank', remittance: ['Rueckbuchung'] },
      { ref: 'RVC-2-2', amount: '13.00', reversal: true, name: 'Bank', iban: 'DE89370400440532013000', remittance: ['Rueckbuchung'] },
    ] });
    const [a, b] = await f.receipts('RVC-2');
    const parked = await f.json(`/v1/review/${a!.id}/park`, { method: 'POST', key: f.clerkA, json: { note: 'Rueckfrage beim Zahlungsempfaenger' } });
    expect(parked.status, JSON.stringify(parked.body)).toBe(200);
    const marked = await f.json(`/v1/review/${b!.id}/refund`, { method: 'POST', key: f.clerkA, json: { note: 'erneut auszahlen' } });
    expect(marked.status, JSON.stringify(marked.body)).toBe(200);
    for (const r of [a!, b!]) {
      await f.assertBalanced(r.id);
      expect((await movements(r.id)).map((m) => m.reason)).toEqual(['reversal_credit']);
    }
  });

  it('the check after a booking write refuses a decided entry whose money is in neither place', async () => {
    const ctx = { db: f.server.db } as Ctx;
    await f.importStatement({ id: 'RVC-3', entries: [{ ref: 'RVC-3-1', amount: '7.00', name: 'Hans Ohnezweck', remittance: ['Zahlung'] }] });
    const [r] = await f.receipts('RVC-3');
    expect(r!.matchState).toBe('unmatched');
    await f.server.db.transaction((tx) => assertLedger(tx, ctx, [r!.id]));
    // Money of the entry that its transaction no longer carries (as the reversed debit's used to be
    // carried by nothing): each receipt adds up on its own, the entry does not. Rolled back: the
    // check throws inside the transaction.
    const broken = f.server.db.transaction(async (tx) => {
      await tx.bankTransaction.update({ where: { id: r!.id }, data: { amountMinor: 0n, unappliedMinor: 0n } });
      await tx.suspenseMovement.create({ data: { id: `tamper-${backend}`, transactionId: r!.id, amountMinor: -700n, currency: 'EUR', reason: 'allocated', createdBy: 'test' } });
      await assertLedger(tx, ctx, [r!.id]);
    });
    await expect(broken).rejects.toThrow(LedgerInvariantError);
    await expect(broken).rejects.toThrow(/entry .* booked 700 but its transactions account for 0/);
    expect((await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: r!.id } })).matchState).toBe('unmatched');
  });
});
