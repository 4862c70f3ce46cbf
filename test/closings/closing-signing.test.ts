/**
 * Signing, weekly mode and tampering: the same person signing twice is refused, a week closes as
 * one period, and verify finds a changed closing or audit entry. Both backends.
 */
import { afterEach, expect, it } from 'vitest';
import { ForbiddenError } from '../../src/errors.js';
import { determineClosing, signClosing } from '../../src/services/closings/closings.js';
import { verifyChains } from '../../src/services/closings/verify.js';
import { sealAuditChain } from '../../src/services/shared/audit.js';
import { forEachBackend } from '../support/backends.js';
import { ALICE, BOB, blockersOf, close, openKasse, type Kasse } from './support.js';

forEachBackend('closing signatures and chains', (backend) => {
  let k: Kasse;
  afterEach(async () => {
    await k?.close();
  });

  it('closes a whole week in weekly mode (CLOSING_MODE=week), not before the week is over', async () => {
    k = await openKasse(backend, { CLOSING_MODE: 'week' });
    await k.importFile({ id: 'S1', seq: 1, date: '2026-11-16', opening: '1000.00', entries: [{ amount: '10.00', name: 'A' }] });
    await k.importFile({ id: 'S2', seq: 2, date: '2026-11-18', opening: '1010.00', entries: [{ amount: '5.00', name: 'B' }, { amount: '2.00', credit: false, name: 'Bank' }] });
    k.clock.set('2026-11-18');
    expect((await blockersOf(k, '2026-11-18')).map((b) => b.kind)).toEqual(['period_not_over']);
    k.clock.set('2026-11-23', '07:00');
    const week = await close(k, '2026-11-18');
    expect(week).toMatchObject({ periodFrom: '2026-11-16', periodTo: '2026-11-22', content: { mode: 'week' } });
    expect(week.content.accounts[0]).toMatchObject({ opening: '1000.00', ledgerClosing: '1013.00', bankClosing: '1013.00', lastSequence: '2' });
  });


  it('refuses the same person signing twice (four eyes), and a closing signed once', async () => {
    k = await openKasse(backend);
    await k.importFile({ id: 'S1', seq: 1, date: '2026-11-16', opening: '1000.00', entries: [] });
    k.clock.set('2026-11-16');
    const determined = await determineClosing({ ctx: k.as(ALICE), input: { day: '2026-11-16' } });
    await expect(signClosing({ ctx: k.as(ALICE), input: { id: determined.id } })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await k.db.prisma.closing.findUniqueOrThrow({ where: { id: determined.id } })).status).toBe('determined');
    const signed = await signClosing({ ctx: k.as(BOB), input: { id: determined.id } });
    expect(signed.number).toBe(1);
    await expect(signClosing({ ctx: k.as(BOB), input: { id: determined.id } })).rejects.toThrow(/is signed/);
  });


  it('finds a changed signed closing and a changed audit entry with verify, naming the first', async () => {
    k = await openKasse(backend);
    for (const [seq, day] of [[1, '2026-11-16'], [2, '2026-11-17'], [3, '2026-11-18']] as const) {
      await k.importFile({ id: `S${seq}`, seq, date: day, opening: '1000.00', entries: [] });
      k.clock.set(day);
      await close(k, day);
    }
    await sealAuditChain(k.as(BOB));
    expect((await verifyChains(k.as(BOB))).ok).toBe(true);

    const second = await k.db.prisma.closing.findUniqueOrThrow({ where: { number: 2 } });
    await k.db.prisma.$executeRawUnsafe(`UPDATE "Closing" SET "content" = REPLACE("content", '1000.00', '1900.00') WHERE "number" = 2`);
    let report = await verifyChains(k.as(BOB));
    expect(report.ok).toBe(false);
    expect(report.closings.firstProblem).toMatchObject({ record: expect.stringContaining('closing no. 2'), problem: expect.stringContaining('content') });
    // Rewriting the content hash too does not help: the closing's own hash covers it.
    await k.db.prisma.$executeRawUnsafe(`UPDATE "Closing" SET "contentHash" = 'f00d' WHERE "number" = 2`);
    expect((await verifyChains(k.as(BOB))).closings.firstProblem?.record).toContain('closing no. 2');
    await k.db.prisma.closing.update({ where: { number: 2 }, data: { content: second.content, contentHash: second.contentHash } });
    expect((await verifyChains(k.as(BOB))).ok).toBe(true);

    const victim = await k.db.prisma.auditEntry.findFirstOrThrow({ where: { chainPos: 4 } });
    await k.db.prisma.$executeRawUnsafe(`UPDATE "AuditEntry" SET "reason" = 'nothing happened' WHERE "seq" = ${victim.seq}`);
    report = await verifyChains(k.as(BOB));
    expect(report.closings.firstProblem).toBeUndefined();
    expect(report.audit.firstProblem?.record).toContain(`audit entry seq ${victim.seq} `);
    // A deleted entry is found as well.
    await k.db.prisma.$executeRawUnsafe(`UPDATE "AuditEntry" SET "reason" = ${victim.reason === null ? 'NULL' : `'${victim.reason}'`} WHERE "seq" = ${victim.seq}`);
    expect((await verifyChains(k.as(BOB))).ok).toBe(true);
    await k.db.prisma.$executeRawUnsafe(`DELETE FROM "AuditEntry" WHERE "seq" = ${victim.seq}`);
    expect((await verifyChains(k.as(BOB))).audit.firstProblem?.problem).toContain('missing');
  });
});
