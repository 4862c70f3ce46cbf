/**
 * Recomputes both chains from their start and names the first record that does not match: the
 * closings (numbers without gaps, each content hash, each hash over its fields and the previous
 * closing's hash) and the audit log (src/services/shared/audit.ts).
 */
import type { Ctx } from '../../context.js';
import { verifyAuditChain, type ChainProblem } from '../shared/audit.js';
import { sha256Hex } from '../shared/ids.js';
import { closingHash } from './closings.js';

export interface ChainReport {
  closings: { checked: number; firstProblem?: ChainProblem };
  audit: { checked: number; unsealed: number; firstProblem?: ChainProblem };
  ok: boolean;
}

export async function verifyClosingChain(ctx: Pick<Ctx, 'db'>): Promise<{ checked: number; firstProblem?: ChainProblem }> {
  const db = ctx.db.prisma;
  // A signed closing without a number, or a number on an unsigned one, is not in the book as it should be.
  const stray = await db.closing.findFirst({ where: { OR: [{ status: 'signed', number: null }, { status: { not: 'signed' }, number: { not: null } }] }, select: { id: true, number: true, status: true } });
  if (stray) return { checked: 0, firstProblem: { record: `closing ${stray.id}`, problem: `it is ${stray.status} ${stray.number === null ? 'without' : `with`} a number${stray.number === null ? '' : ` (${stray.number})`}` } };
  let expect = 1;
  let prev = '';
  let checked = 0;
  for (;;) {
    const rows = await db.closing.findMany({ where: { number: { gte: expect } }, orderBy: { number: 'asc' }, take: 200 });
    for (const row of rows) {
      const record = `closing no. ${row.number} (id ${row.id}, ${row.periodFrom === row.periodTo ? row.periodFrom : `${row.periodFrom} to ${row.periodTo}`})`;
      if (row.number !== expect) return { checked, firstProblem: { record, problem: `closings no. ${expect} to ${row.number! - 1} are missing from the book` } };
      if ((await sha256Hex(row.content)) !== row.contentHash) return { checked, firstProblem: { record, problem: 'its content does not match its content hash: the figures were changed after signing' } };
      if ((row.prevHash ?? '') !== prev) return { checked, firstProblem: { record, problem: "it does not point at the previous closing's hash: the chain was cut or a closing before it replaced" } };
      if ((await closingHash(row)) !== row.hash) return { checked, firstProblem: { record, problem: 'its hash does not match its fields (number, period, signatures or content hash were changed)' } };
      prev = row.hash!;
      expect += 1;
      checked += 1;
    }
    if (rows.length < 200) break;
  }
  return { checked };
}

export async function verifyChains(ctx: Pick<Ctx, 'db'>): Promise<ChainReport> {
  const closings = await verifyClosingChain(ctx);
  const audit = await verifyAuditChain(ctx);
  return { closings, audit: { checked: audit.checked, unsealed: audit.unsealed, ...(audit.firstProblem ? { firstProblem: audit.firstProblem } : {}) }, ok: !closings.firstProblem && !audit.firstProblem };
}
