/**
 * The workplace shows every Kassenzeichen as printed on the notice (kassenzeichenDisplayOf: the
 * scheme's grouping, or a supplied one as it was issued). The review services keep the normalized
 * key in what they return (the API's contract, and what the matcher compares); a page is assembled
 * here with the printed spelling, looked up once for all Kassenzeichen on it.
 */
import type { Ctx } from '../../context.js';
import { normalizeReference } from '../../references/kassenzeichen.js';
import { kassenzeichenDisplayOf } from '../items/kassenzeichen.js';
import type { ReviewItemView, ReviewRow } from '../review/queue.js';
import { getReviewItem } from '../review/queue.js';
import type { ReasonLang } from '../../matching/reasons.js';

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

/** One payment of the review queue as its page shows it: every Kassenzeichen as printed. */
export async function reviewPageView({ ctx, input }: { ctx: Ctx; input: { transactionId: string; lang: ReasonLang } }): Promise<ReviewItemView> {
  const v = await getReviewItem({ ctx, input });
  const kz = await printedKassenzeichen({
    ctx,
    input: {
      kassenzeichen: [
        ...v.suggestions.flatMap((s) => s.allocations.map((a) => a.kassenzeichen)),
        ...v.allocations.map((a) => a.kassenzeichen),
        ...v.highlights.map((h) => h.kassenzeichen),
        ...v.nearMisses.map((m) => m.kassenzeichen),
      ],
    },
  });
  return {
    ...v,
    suggestions: v.suggestions.map((s) => ({
      ...s,
      allocations: s.allocations.map((a) => ({ ...a, kassenzeichen: kz(a.kassenzeichen), item: a.item ? { ...a.item, kassenzeichen: kz(a.item.kassenzeichen) } : null })),
    })),
    allocations: v.allocations.map((a) => ({ ...a, kassenzeichen: kz(a.kassenzeichen) })),
    highlights: v.highlights.map((h) => ({ ...h, kassenzeichen: kz(h.kassenzeichen) })),
    nearMisses: v.nearMisses.map((m) => ({ ...m, kassenzeichen: kz(m.kassenzeichen) })),
  };
}
