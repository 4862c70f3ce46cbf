/**
 * The audit chain under two instances: entries written from several connections at once and two
 * sealers running at the same moment make one chain, never a fork; what a sealer missed (a
 * transaction that committed after it looked) is sealed next time.
 */
import { afterEach, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { sealAuditChain, verifyAuditChain, writeAudit } from '../../src/services/shared/audit.js';
import { openDatabase } from '../../src/db/node.js';
import { forEachBackend } from '../support/backends.js';
import { openKasse, type Kasse } from './support.js';

forEachBackend('audit chain', (backend) => {
  let k: Kasse;
  const others: Database[] = [];
  afterEach(async () => {
    for (const o of others.splice(0)) await o.close();
    await k?.close();
  });

  it('stays one chain when two instances write and seal at the same time', async () => {
    k = await openKasse(backend);
    const ctx = k.as(SYSTEM_ACTOR);
    // On PostgreSQL a second instance: its own connection pool to the same database. (SQLite is one
    // instance per database file; there the two sealers share it, as two requests of one process.)
    const second = backend === 'postgresql' ? await openDatabase(k.url) : k.db;
    if (second !== k.db) others.push(second);
    const ctx2 = { ...ctx, db: second };
    const write = (c: typeof ctx, i: number) => c.db.transaction((tx) => writeAudit(tx, c, { action: 'test.write', subjectType: 'test', subjectId: String(i), data: { i } }));
    for (let round = 0; round < 3; round++) {
      await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => write(i % 2 ? ctx : ctx2, round * 100 + i)),
        sealAuditChain(ctx),
        sealAuditChain(ctx2).catch((err: unknown) => {
          // The other sealer took the same positions first: its batch rolled back, nothing forked.
          if (!/unique|chainPos|P2002|invariant/i.test(String((err as Error).message ?? err))) throw err;
        }),
      ]);
    }
    await sealAuditChain(ctx);
    const total = await k.db.prisma.auditEntry.count();
    const report = await verifyAuditChain(ctx);
    expect(report.firstProblem).toBeUndefined();
    expect(report.unsealed).toBe(0);
    expect(report.checked).toBe(total);
    expect(total).toBeGreaterThanOrEqual(60);
  });
});
