/**
 * Deciding many payments of the review queue at once, for a day of volume: confirm the matcher's
 * best suggestion of every payment the current filter finds whose confidence is at least a chosen
 * level, or park a chosen set of payments with one note.
 *
 * Nothing here books by itself. A bulk confirmation is the one-payment verb (confirmSuggestion) run
 * for each payment, so every rule of a single decision holds for each: the suggestion is looked at
 * again against the items as they are at that moment; one the matcher doubts (reasons against it,
 * or a confidence under DOUBT_BELOW_BP) is never booked without a person ticking that they looked,
 * which a bulk run never does; one that would overpay an item is refused (a bulk run never accepts
 * an overpayment); at or above the four-eyes threshold the booking waits for a second person. The
 * person first sees a preview (how many, how much, how many go to approval); the confirmation
 * carries the payments and versions that preview showed, so a payment changed since is refused,
 * not booked in a state nobody looked at. Each payment is its own transaction: one refusal does not
 * undo the others, and the outcome says which payment went where. Each booking or approval is
 * audited as a single one would be, and one audit entry records the run with every payment it took.
 */
import type { Ctx } from '../../context.js';
import { DomainError, LimitExceededError, ValidationError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { formatMinor } from '../../money/money.js';
import type { Reason } from '../../matching/reasons.js';
import { writeAudit } from '../shared/audit.js';
import { newId } from '../shared/ids.js';
import { storedJson as json } from '../shared/storedJson.js';
import { confirmSuggestion, parkPayment } from './actions.js';
import { listReviewQueue, type ReviewQueueFilter } from './queue.js';
import { byConfidence, DOUBT_BELOW_BP, reassessSuggestion } from './reassess.js';
import { CONFIRMABLE_STATES } from './states.js';
import { kassenzeichenDisplayOf } from '../items/kassenzeichen.js';

/** The lowest confidence a bulk confirmation may be asked for: below it the matcher doubts anyway. */
export const BULK_MIN_CONFIDENCE_BP = DOUBT_BELOW_BP;

type StoredSuggestion = { allocations: Array<{ itemId: string; kassenzeichen: string; amountMinor: string }>; confidenceBp: number; reasons: Array<Reason | string> };

/** Why a payment of the filter is not among those a bulk confirmation would book. */
export type BulkSkip = 'noSuggestion' | 'belowConfidence' | 'doubtful' | 'overpays' | 'stale' | 'moreThanLeft' | 'notConfirmable';
export const BULK_SKIPS: readonly BulkSkip[] = ['noSuggestion', 'belowConfidence', 'doubtful', 'overpays', 'stale', 'moreThanLeft', 'notConfirmable'];

export interface BulkCandidate {
  transactionId: string;
  version: number;
  ref: string;
  payer: string | null;
  /** Index of the suggestion in the stored proposal (what confirmSuggestion takes). */
  suggestion: number;
  confidenceBp: number;
  kassenzeichen: string[];
  bookMinor: bigint;
  currency: string;
  /** At or above the four-eyes threshold: it will wait for a second person. */
  needsApproval: boolean;
}

export interface BulkPreview {
  minConfidenceBp: number;
  candidates: BulkCandidate[];
  totalMinor: bigint;
  approvals: number;
  skipped: Record<BulkSkip, number>;
  /** Payments of the filter looked at. */
  scanned: number;
}

function checkMin(minConfidenceBp: number): void {
  if (!Number.isInteger(minConfidenceBp) || minConfidenceBp < BULK_MIN_CONFIDENCE_BP || minConfidenceBp > 10_000) {
    throw new ValidationError(`minConfidence: between ${BULK_MIN_CONFIDENCE_BP / 100} and 100 %`, { field: 'minConfidence' });
  }
}

/** Looks at the given payments now: which would a bulk confirmation at `min` book, and why not the others. */
async function assess(ctx: Ctx, ids: string[], min: number): Promise<{ candidates: BulkCandidate[]; skipped: Record<BulkSkip, number> }> {
  const skipped = Object.fromEntries(BULK_SKIPS.map((s) => [s, 0])) as Record<BulkSkip, number>;
  const candidates: BulkCandidate[] = [];
  if (ids.length === 0) return { candidates, skipped };
  const db = ctx.db.prisma;
  const receipts = await db.bankTransaction.findMany({ where: { id: { in: ids } } });
  const proposals = await db.matchProposal.findMany({ where: { transactionId: { in: ids } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
  const latest = new Map<string, (typeof proposals)[number]>();
  for (const p of proposals) if (!latest.has(p.transactionId)) latest.set(p.transactionId, p);
  const suggestionsOf = new Map(ids.map((id) => [id, json<StoredSuggestion[]>(latest.get(id)?.suggestions, [])]));
  const itemIds = [...new Set([...suggestionsOf.values()].flatMap((ss) => ss.flatMap((s) => s.allocations.map((a) => a.itemId))))];
  const items = await db.openItem.findMany({ where: { id: { in: itemIds } }, select: { id: true, kassenzeichen: true, kassenzeichenAsIssued: true, amountMinor: true, paidMinor: true, cancelledAt: true } });
  const itemsNow = new Map(items.map((i) => [i.id, { ...i, cancelled: i.cancelledAt !== null }]));
  const byId = new Map(receipts.map((r) => [r.id, r]));
  for (const id of ids) {
    const r = byId.get(id);
    if (!r || r.creditDebit !== 'CRDT' || !(CONFIRMABLE_STATES as readonly string[]).includes(r.matchState) || r.unappliedMinor <= 0n) {
      skipped.notConfirmable++;
      continue;
    }
    const all = suggestionsOf.get(id) ?? [];
    const best = byConfidence(all.map((s, index) => ({ s, index, confidenceBp: s.confidenceBp })))[0];
    if (!best) {
      skipped.noSuggestion++;
      continue;
    }
    if (best.confidenceBp < min) {
      skipped.belowConfidence++;
      continue;
    }
    const lines = best.s.allocations.map((a) => ({ itemId: a.itemId, kassenzeichen: a.kassenzeichen, amountMinor: BigInt(a.amountMinor) }));
    const now = reassessSuggestion({ lines, confidenceBp: best.confidenceBp, reasons: best.s.reasons }, itemsNow);
    if (now.standing === 'stale') {
      skipped.stale++;
      continue;
    }
    if (now.standing === 'overpays') {
      skipped.overpays++;
      continue;
    }
    if (now.doubtful) {
      skipped.doubtful++;
      continue;
    }
    const bookMinor = lines.reduce((s, l) => s + l.amountMinor, 0n);
    if (bookMinor > r.unappliedMinor) {
      skipped.moreThanLeft++;
      continue;
    }
    candidates.push({
      transactionId: r.id,
      version: r.version,
      ref: `${r.entryRef}#${r.position}`,
      payer: r.debtorName,
      suggestion: best.index,
      confidenceBp: best.confidenceBp,
      kassenzeichen: lines.map((l) => kassenzeichenDisplayOf(ctx.config, { kassenzeichen: l.kassenzeichen, kassenzeichenAsIssued: itemsNow.get(l.itemId)?.kassenzeichenAsIssued ?? null })),
      bookMinor,
      currency: r.currency,
      needsApproval: bookMinor >= ctx.config.fourEyesThresholdMinor,
    });
  }
  return { candidates, skipped };
}

/** The payments the filter finds that a confirmation could start from, up to LIMITS.bulkDecisions (more is refused, not cut). */
async function filteredIds(ctx: Ctx, filter: ReviewQueueFilter): Promise<string[]> {
  const states = (filter.state ? filter.state.split(',') : [...CONFIRMABLE_STATES]).filter((s) => (CONFIRMABLE_STATES as readonly string[]).includes(s));
  if (states.length === 0) return [];
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listReviewQueue({ ctx, input: { ...filter, state: states.join(','), limit: 500, ...(cursor ? { cursor } : {}) } });
    ids.push(...page.items.map((r) => r.id));
    if (ids.length > LIMITS.bulkDecisions) throw new LimitExceededError('bulkDecisions', LIMITS.bulkDecisions, ids.length);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

/** What confirming every suggestion at or above `minConfidenceBp` on the filter would do, without doing it. */
export async function previewBulkConfirm({ ctx, input }: { ctx: Ctx; input: { filter: ReviewQueueFilter; minConfidenceBp: number } }): Promise<BulkPreview> {
  checkMin(input.minConfidenceBp);
  const ids = await filteredIds(ctx, input.filter);
  const { candidates, skipped } = await assess(ctx, ids, input.minConfidenceBp);
  return {
    minConfidenceBp: input.minConfidenceBp,
    candidates,
    totalMinor: candidates.reduce((s, c) => s + c.bookMinor, 0n),
    approvals: candidates.filter((c) => c.needsApproval).length,
    skipped,
    scanned: ids.length,
  };
}

export interface BulkRefusal {
  transactionId: string;
  ref: string;
  /** The single verb's refusal (its facts give the sentence), or why the run left it out. */
  error: DomainError | { skip: BulkSkip };
}

export interface BulkConfirmResult {
  runId: string;
  booked: Array<{ transactionId: string; ref: string; amountMinor: bigint }>;
  approvals: Array<{ transactionId: string; ref: string; approvalId: string; amountMinor: bigint }>;
  refused: BulkRefusal[];
  currency: string;
}

/**
 * Confirms the payments a preview showed (`seen`: id and version), each still qualifying when it is
 * looked at again now, one after another through confirmSuggestion.
 */
export async function bulkConfirm({ ctx, input }: { ctx: Ctx; input: { seen: Array<{ transactionId: string; version: number }>; minConfidenceBp: number } }): Promise<BulkConfirmResult> {
  checkMin(input.minConfidenceBp);
  if (input.seen.length === 0) throw new ValidationError('payments: the preview showed none to confirm', { field: 'payments' });
  if (input.seen.length > LIMITS.bulkDecisions) throw new LimitExceededError('bulkDecisions', LIMITS.bulkDecisions, input.seen.length);
  const runId = newId();
  const out: BulkConfirmResult = { runId, booked: [], approvals: [], refused: [], currency: 'EUR' };
  const versions = new Map(input.seen.map((s) => [s.transactionId, s.version]));
  const { candidates } = await assess(ctx, [...versions.keys()], input.minConfidenceBp);
  const still = new Set(candidates.map((c) => c.transactionId));
  // Those that no longer qualify are named with the reason, as a person would be told one by one.
  for (const id of versions.keys()) {
    if (still.has(id)) continue;
    const r = await ctx.db.prisma.bankTransaction.findUnique({ where: { id }, select: { entryRef: true, position: true } });
    out.refused.push({ transactionId: id, ref: r ? `${r.entryRef}#${r.position}` : id, error: { skip: await skipOf(ctx, id, input.minConfidenceBp) } });
  }
  for (const c of candidates) {
    out.currency = c.currency;
    try {
      const outcome = await confirmSuggestion({
        ctx,
        input: { transactionId: c.transactionId, suggestion: c.suggestion, version: versions.get(c.transactionId)!, acceptOverpayment: false, doubtChecked: false },
      });
      if (outcome.outcome === 'booked') out.booked.push({ transactionId: c.transactionId, ref: c.ref, amountMinor: c.bookMinor });
      else out.approvals.push({ transactionId: c.transactionId, ref: c.ref, approvalId: outcome.approval.id, amountMinor: c.bookMinor });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      out.refused.push({ transactionId: c.transactionId, ref: c.ref, error: err });
    }
  }
  await ctx.db.transaction((tx) =>
    writeAudit(tx, ctx, {
      action: 'review.bulk_confirmed',
      subjectType: 'review_queue',
      subjectId: runId,
      reason: `confirm every suggestion at ${input.minConfidenceBp / 100} % or more that the matcher does not doubt`,
      data: {
        minConfidence: input.minConfidenceBp / 100,
        booked: out.booked.map((b) => ({ transactionId: b.transactionId, amount: formatMinor(b.amountMinor, out.currency) })),
        approvals: out.approvals.map((a) => ({ transactionId: a.transactionId, approvalId: a.approvalId })),
        refused: out.refused.map((r) => ({ transactionId: r.transactionId, why: r.error instanceof DomainError ? r.error.code : r.error.skip })),
      },
    }),
  );
  return out;
}

async function skipOf(ctx: Ctx, id: string, min: number): Promise<BulkSkip> {
  const { skipped } = await assess(ctx, [id], min);
  return BULK_SKIPS.find((s) => skipped[s] > 0) ?? 'notConfirmable';
}

export interface BulkParkResult {
  runId: string;
  parked: Array<{ transactionId: string; ref: string }>;
  refused: Array<{ transactionId: string; ref: string; error: DomainError }>;
}

/** Parks the chosen payments (id and the version the person saw) with one note; each is the single verb. */
export async function bulkPark({ ctx, input }: { ctx: Ctx; input: { seen: Array<{ transactionId: string; version: number }>; note: string } }): Promise<BulkParkResult> {
  if (input.seen.length === 0) throw new ValidationError('payments: choose at least one payment', { field: 'payments' });
  if (input.seen.length > LIMITS.bulkDecisions) throw new LimitExceededError('bulkDecisions', LIMITS.bulkDecisions, input.seen.length);
  if (!input.note.trim()) throw new ValidationError('note: say why, in 1 to 500 characters', { field: 'note' });
  const runId = newId();
  const out: BulkParkResult = { runId, parked: [], refused: [] };
  for (const s of input.seen) {
    try {
      const state = await parkPayment({ ctx, input: { transactionId: s.transactionId, note: input.note, version: s.version } });
      out.parked.push({ transactionId: s.transactionId, ref: state.ref });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const r = await ctx.db.prisma.bankTransaction.findUnique({ where: { id: s.transactionId }, select: { entryRef: true, position: true } });
      out.refused.push({ transactionId: s.transactionId, ref: r ? `${r.entryRef}#${r.position}` : s.transactionId, error: err });
    }
  }
  await ctx.db.transaction((tx) =>
    writeAudit(tx, ctx, {
      action: 'review.bulk_parked',
      subjectType: 'review_queue',
      subjectId: runId,
      reason: input.note.trim(),
      data: { parked: out.parked.map((p) => p.transactionId), refused: out.refused.map((r) => ({ transactionId: r.transactionId, why: r.error.code })) },
    }),
  );
  return out;
}
