/**
 * `bin/stadtkasse verify` as an auditor runs it: exit 0 with both chains intact, exit 1 naming the
 * first closing that does not match.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { determineClosing, signClosing } from '../../src/services/closings/closings.js';
import { forEachBackend } from '../support/backends.js';
import { ALICE, BOB, openKasse, type Kasse } from './support.js';

const BIN = new URL('../../bin/stadtkasse', import.meta.url).pathname;

forEachBackend('bin/stadtkasse verify', (backend) => {
  let k: Kasse;
  afterEach(async () => {
    await k?.close();
  });

  it('says both chains are intact, and names a changed closing with exit 1', async () => {
    k = await openKasse(backend);
    for (const [seq, day] of [[1, '2026-11-16'], [2, '2026-11-17']] as const) {
      await k.importFile({ id: `S${seq}`, seq, date: day, opening: '1000.00', entries: [] });
      k.clock.set(day);
      const d = await determineClosing({ ctx: k.as(ALICE), input: { day } });
      await signClosing({ ctx: k.as(BOB), input: { id: d.id } });
    }
    const run = (...args: string[]) => spawnSync(BIN, ['verify', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, DATABASE_URL: k.url, LOG_LEVEL: 'warn' } });
    const ok = run('--seal');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('closings: 2 signed closings, chain intact');
    expect(ok.stdout).toMatch(/audit log: \d+ sealed entries, chain intact\n/);

    await k.db.prisma.$executeRawUnsafe(`UPDATE "Closing" SET "signedByName" = 'Jemand Anderes' WHERE "number" = 1`);
    const bad = run();
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/closings: FAILED at closing no\. 1 \(id [0-9a-f-]+, 2026-11-16\): its hash does not match/);
  });
});
