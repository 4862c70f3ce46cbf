import { describe, expect, it } from 'vitest';
import { GroupCommit, type Outcome } from '../../src/services/shared/groupCommit.js';

describe('group commit', () => {
  it('writes what was submitted in one turn of the event loop together, and what arrives meanwhile in the next groups, at most the limit each', async () => {
    const groups: number[][] = [];
    const g = new GroupCommit<number, number>(async (jobs) => {
      groups.push(jobs);
      await new Promise((r) => setTimeout(r, 5));
      return jobs.map((j) => ({ ok: true, value: j * 10 }));
    }, 4);
    const first = Array.from({ length: 6 }, (_, i) => g.submit(i));
    // Submitted while the first group is being written.
    await new Promise((r) => setTimeout(r, 1));
    const later = Array.from({ length: 3 }, (_, i) => g.submit(6 + i));
    expect(await Promise.all([...first, ...later])).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80]);
    expect(groups).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8]]);
    // Idle again: a lone job goes alone.
    expect(await g.submit(11)).toBe(110);
    expect(groups.at(-1)).toEqual([11]);
  });

  it("answers each job's own refusal to that job only", async () => {
    const g = new GroupCommit<number, number>(async (jobs) => jobs.map((j): Outcome<number> => (j % 2 ? { ok: false, error: new Error(`odd ${j}`) } : { ok: true, value: j })), 10);
    const settled = await Promise.allSettled([0, 1, 2, 3].map((j) => g.submit(j)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([0, 'odd 1', 2, 'odd 3']);
  });

  it('writes every job of a failed group again alone, so one failure stays its own', async () => {
    const groups: number[][] = [];
    const g = new GroupCommit<number, number>(async (jobs) => {
      groups.push(jobs);
      await new Promise((r) => setTimeout(r, 1));
      if (jobs.includes(3)) throw new Error('3 breaks the transaction');
      return jobs.map((j) => ({ ok: true, value: j }));
    }, 10);
    const settled = await Promise.allSettled([0, 1, 2, 3, 4].map((j) => g.submit(j)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(groups).toEqual([[0, 1, 2, 3, 4], [0], [1], [2], [3], [4]]);
  });
});
