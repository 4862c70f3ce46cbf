/** Kept files cut into rows (src/services/shared/rows.ts): full rows as they fill, then the last. */
import { describe, expect, it } from 'vitest';
import { RowCutter } from '../../src/services/shared/rows.js';

function cut(size: number, pieces: number[][]): number[][] {
  const rows = new RowCutter(size);
  const out: number[][] = [];
  for (const p of pieces) for (const r of rows.push(Uint8Array.from(p))) out.push([...r]);
  const last = rows.end();
  if (last) out.push([...last]);
  return out;
}

describe('RowCutter', () => {
  it('an empty stream is one empty row', () => expect(cut(3, [])).toEqual([[]]));
  it('whole rows have no empty last row', () => expect(cut(2, [[1, 2, 3], [4]])).toEqual([[1, 2], [3, 4]]));
  it('a part-filled last row, across pieces of any size', () => expect(cut(3, [[1], [2, 3, 4, 5, 6, 7], [], [8]])).toEqual([[1, 2, 3], [4, 5, 6], [7, 8]]));
  it('rows are their own buffers: reusing the piece changes nothing', () => {
    const rows = new RowCutter(2);
    const piece = Uint8Array.from([1, 2]);
    const [first] = [...rows.push(piece)];
    piece.fill(9);
    expect([...first!]).toEqual([1, 2]);
  });
});
