/** Reads for the approvals inbox that the API does not need: recent decisions, payment handles. */
import type { Ctx } from '../../context.js';
import { approvalView, type ApprovalView } from '../review/approvalView.js';

/** The latest decided approvals (approved, rejected, failed), newest decision first. */
export async function listRecentDecisions({ ctx, input }: { ctx: Ctx; input: { limit: number } }): Promise<ApprovalView[]> {
  const rows = await ctx.db.prisma.approval.findMany({ where: { status: { not: 'pending' } }, orderBy: [{ decidedAt: 'desc' }, { id: 'desc' }], take: Math.min(input.limit, 100) });
  return rows.map(approvalView);
}

/** "entryRef#position" of payments, the handle staff know them by. */
export async function paymentRefs({ ctx, input }: { ctx: Ctx; input: { transactionIds: string[] } }): Promise<Map<string, string>> {
  if (input.transactionIds.length === 0) return new Map();
  const rows = await ctx.db.prisma.bankTransaction.findMany({ where: { id: { in: input.transactionIds } }, select: { id: true, entryRef: true, position: true } });
  return new Map(rows.map((r) => [r.id, `${r.entryRef}#${r.position}`]));
}
