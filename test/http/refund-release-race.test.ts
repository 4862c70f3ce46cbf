/**
 * Two people release the same refund run at the same moment: one file is written and kept, the
 * other release is refused, and the refunds are sent once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { createClientKey } from '../support/server.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';

forEachBackend('refund runs: released at the same moment', (backend) => {
  let f: ReviewFixture;
  let gatherer: string;
  let releasers: string[];
  beforeAll(async () => {
    f = await startReviewFixture(backend);
    gatherer = await createClientKey(f.server, ['review', 'refunds'], 'Kasse A');
    releasers = [await createClientKey(f.server, ['refunds', 'approve'], 'Kasse B'), await createClientKey(f.server, ['refunds', 'approve'], 'Kasse C')];
  });
  afterAll(async () => f?.server.close());

  it('exactly one of two simultaneous releases goes through', async () => {
    await f.importStatement({ id: 'RR-RACE', entries: [{ ref: 'RR-RACE-1', amount: '12.00', name: 'Ida Irrtum', iban: 'DE12500105170648489890', remittance: ['falsch'] }] });
    const [r] = await f.receipts('RR-RACE');
    expect((await f.json(`/v1/review/${r!.id}/refund`, { method: 'POST', key: f.clerkA, json: { note: 'zurück' } })).status).toBe(200);
    const run = (await f.json('/v1/refund-runs', { method: 'POST', key: gatherer, json: {} })).body.run;
    const answers = await Promise.all(releasers.map((key) => f.json(`/v1/refund-runs/${run.id}/release`, { method: 'POST', key, json: {} })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const row = await f.server.db.prisma.refundRun.findUniqueOrThrow({ where: { id: run.id } });
    const winner = answers.find((a) => a.status === 200)!.body.run;
    expect(row).toMatchObject({ status: 'released', releasedByName: winner.releasedBy, fileSha256: winner.file.sha256 });
    expect(await f.server.db.prisma.auditEntry.count({ where: { subjectId: run.id, action: 'refund_run.released' } })).toBe(1);
    expect((await f.json(`/v1/refund-runs/${run.id}`, { key: gatherer })).body.states).toEqual({ sent: 1 });
  });
});
