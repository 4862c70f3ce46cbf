/**
 * The review queue's pages, assembled: the list with its total, and one payment with everything its
 * page shows (the payment with every Kassenzeichen as printed, in the fields and in the matcher's
 * sentences alike; the other half of a refund or return to pick; a provider's settlement waiting
 * for a decision; the refund run behind an outgoing payment; the next payment of the same filter; the names of the people on it).
 */
import type { Ctx } from '../../context.js';
import { ValidationError } from '../../errors.js';
import type { ReasonLang } from '../../matching/reasons.js';
import { settlementInReviewFor, SETTLEMENT_REVIEW, type SettlementView } from '../online/settlement.js';
import { counterpartsFor, NO_COUNTERPARTS, type Counterparts } from '../review/counterparts.js';
import { countReviewQueue, getReviewItem, listReviewQueue, type ReviewItemView, type ReviewQueueFilter, type ReviewRow } from '../review/queue.js';
import { actorNames } from '../users/users.js';
import { allPages } from '../shared/paging.js';
import { printedKassenzeichen, printedReviewRows } from './kassenzeichen.js';
import { refundRunsOfDebit, type RefundDebitView } from './refundDebit.js';

/** A page of the list (its filter, without paging) with each suggestion's Kassenzeichen as printed, and how many the filter finds in all. */
export async function reviewListPage({ ctx, input }: { ctx: Ctx; input: ReviewQueueFilter }): Promise<{ rows: ReviewRow[]; nextCursor: string | null; total: number }> {
  const page = await listReviewQueue({ ctx, input });
  const total = await countReviewQueue({ ctx, input });
  return { rows: await printedReviewRows({ ctx, input: { rows: page.items } }), nextCursor: page.nextCursor, total };
}

/** Every payment the filter finds, up to `max` (the download's bound), each suggestion's Kassenzeichen as printed. */
export async function reviewDownloadRows({ ctx, input }: { ctx: Ctx; input: { filter: ReviewQueueFilter; max: number } }): Promise<ReviewRow[]> {
  return allPages(async (cursor) => {
    const page = await listReviewQueue({ ctx, input: { ...input.filter, limit: 200, ...(cursor ? { cursor } : {}) } });
    return { rows: await printedReviewRows({ ctx, input: { rows: page.items } }), nextCursor: page.nextCursor };
  }, input.max);
}

/** The first payment of the filtered queue other than `exclude`: where a clerk goes after deciding one. */
export async function nextInReviewQueue({ ctx, input }: { ctx: Ctx; input: { filter: ReviewQueueFilter; exclude: string } }): Promise<string | null> {
  const page = await listReviewQueue({ ctx, input: { ...input.filter, limit: 2 } }).catch((err: unknown) => {
    // A filter that no longer parses (typed by hand) falls back to the whole queue.
    if (err instanceof ValidationError) return listReviewQueue({ ctx, input: { limit: 2 } });
    throw err;
  });
  return page.items.find((r) => r.id !== input.exclude)?.id ?? null;
}

/** One payment of the review queue as its page shows it: every Kassenzeichen as printed. */
export async function reviewPageView({ ctx, input }: { ctx: Ctx; input: { transactionId: string; lang: ReasonLang } }): Promise<ReviewItemView> {
  return getReviewItem({ ctx, input: { ...input, spell: (kassenzeichen) => printedKassenzeichen({ ctx, input: { kassenzeichen } }) } });
}

export interface ReviewPaymentPage {
  view: ReviewItemView;
  counterparts: Counterparts;
  settlement: SettlementView | null;
  /** The next payment of the same filter, if any. */
  nextId: string | null;
  /** An outgoing payment: the refund run it booked, or a released batch run of its total it could be. */
  refundRuns: RefundDebitView | null;
  /** Display names of the people and clients on the page, by actor label. */
  names: Map<string, string>;
}

/** Everything a payment's page shows, with the list's filter kept for "next". */
export async function reviewPaymentPage({ ctx, input }: { ctx: Ctx; input: { transactionId: string; lang: ReasonLang; filter: ReviewQueueFilter } }): Promise<ReviewPaymentPage> {
  const view = await reviewPageView({ ctx, input: { transactionId: input.transactionId, lang: input.lang } });
  const names = await actorNames(ctx, [
    ...view.allocations.flatMap((a) => [a.createdBy, ...(a.reversal ? [a.reversal.createdBy] : [])]),
    ...view.suspense.movements.map((m) => m.createdBy),
    ...view.audit.map((a) => a.actor),
    ...(view.pendingApproval ? [view.pendingApproval.proposedBy] : []),
    ...(view.parked ? [view.parked.by] : []),
    ...(view.refund ? [view.refund.requestedBy] : []),
  ]);
  const nextId = await nextInReviewQueue({ ctx, input: { filter: input.filter, exclude: view.id } });
  // Only a refund to book or a return to place has another half to look for.
  const linking = view.availableActions.includes('book_refund') || view.availableActions.includes('resolve_return');
  const counterparts = linking ? await counterpartsFor({ ctx, input: { transactionId: view.id } }) : NO_COUNTERPARTS;
  const settlement = view.state === SETTLEMENT_REVIEW ? await settlementInReviewFor({ ctx, input: { transactionId: view.id } }) : null;
  const refundRuns = view.creditDebit === 'DBIT' ? await refundRunsOfDebit({ ctx, input: { transactionId: view.id } }) : null;
  return { view, counterparts, settlement, nextId, refundRuns, names };
}
