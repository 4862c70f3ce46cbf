/**
 * The version a clerk saw travels with every review verb: a payment changed since (another clerk,
 * the matcher) answers 409 and nothing is booked on top of someone else's decision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';

forEachBackend('review verbs refuse a stale version over HTTP', (backend) => {
  let f: ReviewFixture;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
  });
  afterAll(async () => f?.server.close());
  const db = () => f.server.db.prisma;

  describe('the version the clerk saw', () => {
    it('allocate on a stale version is a 409 that says reload, and books nothing', async () => {
      const item = await f.item('20.00', 'Vera Version');
      await f.importStatement({ id: 'DEP-VERSION-1', entries: [{ ref: 'DEP-VERSION-1', amount: '50.00', name: 'Vera Version', remittance: ['zwei Dinge'] }] });
      const [r] = await f.receipts('DEP-VERSION-1');
      const seen = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body;
      // Clerk B parks it meanwhile.
      const parked = await f.json(`/v1/review/${r!.id}/park`, { method: 'POST', key: f.clerkB, json: { note: 'Rückruf abwarten', version: seen.version } });
      expect(parked.status, JSON.stringify(parked.body)).toBe(200);
      const res = await f.json(`/v1/review/${r!.id}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ itemId: item.id, amount: '20.00' }], note: 'x', version: seen.version } });
      expect(res.status).toBe(409);
      expect(res.body.detail).toMatch(/changed since you read it.*reload/);
      expect(res.body.currentVersion).toBe(seen.version + 1);
      expect(await db().allocation.count({ where: { transactionId: r!.id } })).toBe(0);
      expect((await f.json(`/v1/items/${item.id}`, { key: f.itemsKey })).body.status).toBe('open');
    });

    it('reverse on a stale version is a 409 too', async () => {
      const item = await f.item('33.30', 'Walter Wechsel');
      await f.importStatement({ id: 'DEP-VERSION-2', entries: [{ ref: 'DEP-VERSION-2', amount: '33.30', name: 'Walter Wechsel', remittance: [item.kassenzeichen] }] });
      const [r] = await f.receipts('DEP-VERSION-2');
      expect(r!.matchState).toBe('auto');
      const alloc = await db().allocation.findFirstOrThrow({ where: { transactionId: r!.id } });
      const stale = await f.json(`/v1/allocations/${alloc.id}/reverse`, { method: 'POST', key: f.clerkA, json: { reason: 'falsch', version: r!.version - 1 } });
      expect(stale.status).toBe(409);
      expect(stale.body.detail).toMatch(/changed since you read it/);
      expect(await db().allocationReversal.count({ where: { allocationId: alloc.id } })).toBe(0);
      const ok = await f.json(`/v1/allocations/${alloc.id}/reverse`, { method: 'POST', key: f.clerkA, json: { reason: 'falsch', version: r!.version } });
      expect(ok.status).toBe(200);
      await f.assertBalanced(r!.id);
    });
  });
});
