/**
 * The workplace shows every Kassenzeichen as printed on the notice (kassenzeichenDisplayOf: the
 * scheme's grouping, or a supplied one as it was issued). The review services keep the normalized
 * key in what they return (the API's contract, and what the matcher compares); a page is assembled
 * here with the printed spelling, looked up once for all Kassenzeichen on it.
 */
import type { Ctx } from '../../context.js';
import { normalizeReference } from '../../references/kassenzeichen.js';
import { kassenzeichenDisplayOf } from '../items/kassenzeichen.js';
import type { ReviewRow } from '../review/queue.js';

/** Kassenzeichen looked up for one page at most (a page shows far fewer). */
const PER_PAGE = 2000;

/** The printed spelling of each Kassenzeichen given (in any spelling); one that is no item's stays as given. */
export async function printedKassenzeichen({ ctx, input }: { ctx: Ctx; input: { kassenzeichen: Iterable<string> } }): Promise<(kz: string) => string> {
  const keys = [...new Set([...input.kassenzeichen].map((k) => normalizeReference(k)))].slice(0, PER_PAGE);
  const rows = keys.length ? await ctx.db.prisma.openItem.findMany({ where: { kassenzeichen: { in: keys } }, select: { kassenzeichen: true, kassenzeichenAsIssued: true } }) : [];
  const printed = new Map(rows.map((r) => [r.kassenzeichen, kassenzeichenDisplayOf(ctx.config, r)]));
  return (kz) => printed.get(normalizeReference(kz)) ?? kz;
}

/** A page of the review list with each suggestion's Kassenzeichen as printed. */
export async function printedReviewRows({ ctx, input }: { ctx: Ctx; input: { rows: ReviewRow[] } }): Promise<ReviewRow[]> {
  const kz = await printedKassenzeichen({ ctx, input: { kassenzeichen: input.rows.flatMap((r) => r.topSuggestion?.kassenzeichen ?? []) } });
  return input.rows.map((r) => (r.topSuggestion ? { ...r, topSuggestion: { ...r.topSuggestion, kassenzeichen: r.topSuggestion.kassenzeichen.map(kz) } } : r));
}
