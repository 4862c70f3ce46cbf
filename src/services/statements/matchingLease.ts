/**
 * While an import's own run matches its receipts, it holds them: `StatementImport.matchingUntil` is
 * set when the import commits and renewed before every page the run matches. The sweep of receipts
 * left pending (src/services/booking/sweep.ts) leaves the receipts of an import with a live lease
 * alone. Matching 800,000 receipts takes minutes; the sweep, which took every receipt pending for a
 * minute, used to match them a second time alongside the run (each booking was still claimed once,
 * but the work was done twice, in the API's thread). A run that stops (crash, shutdown) stops
 * renewing; once the lease has run out, the sweep takes over.
 */
import type { Ctx } from '../../context.js';

/** How long a lease holds without renewal: far longer than one page of matching takes. */
export const MATCHING_LEASE_MS = 3 * 60_000;

export function matchingLeaseUntil(ctx: Pick<Ctx, 'clock'>): Date {
  return new Date(ctx.clock.now().getTime() + MATCHING_LEASE_MS);
}

export async function renewMatchingLease(ctx: Ctx, importId: string): Promise<void> {
  await ctx.db.prisma.statementImport.update({ where: { id: importId }, data: { matchingUntil: matchingLeaseUntil(ctx) } });
}

export async function releaseMatchingLease(ctx: Ctx, importId: string): Promise<void> {
  await ctx.db.prisma.statementImport.update({ where: { id: importId }, data: { matchingUntil: null } });
}

/** The imports no run is matching at `now` (a filter on StatementImport). */
export function notBeingMatched(now: Date) {
  return { OR: [{ matchingUntil: null }, { matchingUntil: { lt: now } }] };
}
