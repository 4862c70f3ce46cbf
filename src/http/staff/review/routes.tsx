/** @jsxImportSource hono/jsx */
/** The review queue: the list and its download, one payment, and the decisions on it sent from its page. */
import { itemStatusWord } from '../../../ui/staff/labels.js';
import type { Hono } from 'hono';
import { ValidationError } from '../../../errors.js';
import { allocateManually, bookRefund, confirmSuggestion, markForRefund, parkPayment, resolveReturn, reverseBooking, unmarkRefund, type BookingOutcome } from '../../../services/review/actions.js';
import { acceptSettlement, releaseSettlement } from '../../../services/online/settlement.js';
import { countReviewQueue, getReviewItem, type ReviewQueueFilter } from '../../../services/review/queue.js';
import { nextInReviewQueue, reviewDownloadRows, reviewListPage, reviewPaymentPage } from '../../../services/workplace/reviewPages.js';
import { reviewCsv } from '../../../ui/staff/review/csv.js';
import { printedKassenzeichen } from '../../../services/workplace/kassenzeichen.js';
import { proposeRefundRunDebit } from '../../../services/review/refundRunDebit.js';
import { amountFromInput, money, type StaffMessages } from '../../../ui/staff/i18n.js';
import type { Flash } from '../../../services/users/sessions.js';
import { messages } from '../../../ui/staff/frame.js';
import { MAX_SPLIT_LINES, ReviewDetailPage, ReviewListPage } from '../../../ui/staff/review/index.js';
import { LIST_CSV_ROWS } from '../../../ui/staff/csv.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../../session.js';
import { reviewFilterOf, reviewQueryOf } from '../query.js';
import { act, can, csrfRefusedPage, forbiddenPage, formFields, html, pageContext, whoOf, type StaffContext, staffCtx, csvDownload } from '../render.js';

const staff = (scope?: Parameters<typeof requireStaff>[0]) => requireStaff(scope, forbiddenPage);
const post = (scope: Parameters<typeof requireStaff>[0]) => [requireStaff(scope, forbiddenPage), csrfProtect(csrfRefusedPage)] as const;

async function bookingFlash(c: StaffContext, outcome: BookingOutcome, ref: string) {
  const t = messages(c.get('lang'));
  const lang = c.get('lang');
  if (outcome.outcome === 'approval_required') {
    return { kind: 'warn' as const, text: t.flashApproval(ref, money(lang, outcome.approval.amount, outcome.approval.currency)) };
  }
  const kz = await printedKassenzeichen({ ctx: staffCtx(c), input: { kassenzeichen: outcome.allocations.map((a) => a.kassenzeichen) } });
  const items = outcome.allocations.map((a) => `${kz(a.kassenzeichen)} (${money(lang, a.amount, outcome.currency)}, ${itemStatusWord(lang, a.itemStatus)})`).join(', ');
  const rest = outcome.unapplied !== '0.00' ? t.flashBookedRest(money(lang, outcome.unapplied, outcome.currency)) : '';
  return { kind: 'ok' as const, text: t.flashBooked(ref, items) + rest };
}

function versionOf(form: Record<string, string>): number | undefined {
  return form.version && /^\d{1,9}$/.test(form.version) ? Number.parseInt(form.version, 10) : undefined;
}


export function mountReviewPages(app: Hono<StaffEnv>): void {
  // ---- review queue
  app.get('/review', staff('review'), async (c) => {
    const q = c.req.query();
    const filter: ReviewQueueFilter = { ...reviewFilterOf(q), limit: 50, ...(q.cursor ? { cursor: q.cursor } : {}) };
    const page = await reviewListPage({ ctx: staffCtx(c), input: filter });
    // The form shows what was typed ("1.234,50", "16.11.2026"), not its normalized form.
    const shown = { ...filter, ...Object.fromEntries((['amountFrom', 'amountTo', 'bookedFrom', 'bookedTo'] as const).filter((k) => q[k]).map((k) => [k, q[k]])) };
    return html(c, <ReviewListPage {...(await pageContext(c))} rows={page.rows} nextCursor={page.nextCursor} filter={shown} query={reviewQueryOf(q)} total={page.total} canReview={can(c, 'review')} />);
  });

  // The same list as a CSV file for a spreadsheet, every page of it (up to LIST_CSV_ROWS rows).
  app.get('/review.csv', staff('review'), async (c) => {
    const ctx = staffCtx(c);
    const filter = reviewFilterOf(c.req.query());
    return csvDownload(c, {
      name: { de: 'pruefung', en: 'review' },
      total: await countReviewQueue({ ctx, input: filter }),
      rows: async () => reviewCsv(c.get('lang'), await reviewDownloadRows({ ctx, input: { filter, max: LIST_CSV_ROWS } })),
    });
  });

  app.get('/review/:id', staff('review'), async (c) => {
    const page = await reviewPaymentPage({ ctx: staffCtx(c), input: { transactionId: c.req.param('id'), lang: c.get('lang'), filter: reviewFilterOf(c.req.query()) } });
    const rows = Number.parseInt(c.req.query('rows') ?? '', 10);
    return html(
      c,
      <ReviewDetailPage
        {...(await pageContext(c))}
        view={page.view}
        counterparts={page.counterparts}
        settlement={page.settlement}
        who={whoOf(c, page.names)}
        canReview={can(c, 'review')}
        canApprove={can(c, 'approve')}
        nextId={page.nextId}
        refundRuns={page.refundRuns}
        query={reviewQueryOf(c.req.query())}
        {...(Number.isInteger(rows) ? { splitRows: rows } : {})}
      />,
    );
  });

  /**
   * A decision on a payment, sent from its page: the form (its token already checked), the version
   * the clerk saw, and the next payment in the queue to go on with. A refusal comes back as a
   * message on the payment's page (act).
   */
  const decision = (
    verb: string,
    run: (d: { c: StaffContext; id: string; form: Record<string, string>; t: StaffMessages; seen: { version?: number }; next: () => Promise<string>; q: string }) => Promise<{ flash: Flash; to?: string }>,
  ) =>
    app.post(`/review/:id/${verb}`, ...post('review'), async (c) => {
      const id = c.req.param('id');
      const form = await formFields(c);
      const version = versionOf(form);
      const query = reviewQueryOf(c.req.query());
      const q = query ? `?${query}` : '';
      const next = async () => {
        const n = await nextInReviewQueue({ ctx: staffCtx(c), input: { filter: reviewFilterOf(c.req.query()), exclude: id } });
        return n ? `/review/${n}${q}` : `/review${q}`;
      };
      return act(c, `/review/${id}${q}`, () => run({ c, id, form, t: messages(c.get('lang')), seen: version !== undefined ? { version } : {}, next, q }));
    });
  /** The payment's handle for the message, also when the booking waits for a second person. */
  const refOf = async (c: StaffContext, id: string, outcome: BookingOutcome) => (outcome.outcome === 'booked' ? outcome.ref : (await getReviewItem({ ctx: staffCtx(c), input: { transactionId: id } })).ref);

  decision('confirm', async ({ c, id, form, seen, next }) => {
    const suggestion = Number.parseInt(form.suggestion ?? '', 10);
    if (!Number.isInteger(suggestion) || suggestion < 0) throw new ValidationError('suggestion: choose one of the suggestions', { field: 'suggestion' });
    // The page always says whether the boxes were ticked: a quick key alone never books what overpays or what the matcher doubts.
    const outcome = await confirmSuggestion({
      ctx: staffCtx(c),
      input: { transactionId: id, suggestion, ...seen, acceptOverpayment: form.acceptOverpayment === 'yes', doubtChecked: form.doubtChecked === 'yes' },
    });
    return { flash: await bookingFlash(c, outcome, await refOf(c, id, outcome)), to: await next() };
  });

  decision('allocate', async ({ c, id, form, t, seen, next, q }) => {
    const allocations: Array<{ kassenzeichen: string; amount: string }> = [];
    for (let n = 1; n <= MAX_SPLIT_LINES; n++) {
      const kz = (form[`kassenzeichen${n}`] ?? '').trim();
      const typed = (form[`amount${n}`] ?? '').trim();
      if (!kz && !typed) continue;
      const amount = amountFromInput(typed);
      if (!kz || amount === null) throw new ValidationError(t.flashAmountInvalid(n), { field: `amount${n}` });
      allocations.push({ kassenzeichen: kz, amount });
    }
    if (allocations.length === 0) throw new ValidationError(t.flashSplitEmpty, { field: 'allocations' });
    if (!(form.note ?? '').trim()) throw new ValidationError(t.flashNoteMissing, { field: 'note' });
    const outcome = await allocateManually({ ctx: staffCtx(c), input: { transactionId: id, allocations, note: form.note!, ...seen } });
    // What is left of the payment is still to decide: stay on it; otherwise on to the next one.
    const stay = outcome.outcome === 'booked' && outcome.unapplied !== '0.00';
    return { flash: await bookingFlash(c, outcome, await refOf(c, id, outcome)), to: stay ? `/review/${id}${q}` : await next() };
  });

  decision('park', async ({ c, id, form, t, seen, next }) => {
    const state = await parkPayment({ ctx: staffCtx(c), input: { transactionId: id, note: form.note ?? '', ...seen } });
    return { flash: { kind: 'ok', text: t.flashParked(state.ref) }, to: await next() };
  });

  decision('refund', async ({ c, id, form, t, seen, next }) => {
    const iban = (form.iban ?? '').replace(/\s+/g, '');
    const state = await markForRefund({ ctx: staffCtx(c), input: { transactionId: id, note: form.note ?? '', ...(iban ? { iban } : {}), ...seen } });
    return { flash: { kind: 'ok', text: t.flashRefund(state.ref) }, to: await next() };
  });

  decision('book-refund', async ({ c, id, form, t, seen, next }) => {
    const outcome = await bookRefund({ ctx: staffCtx(c), input: { transactionId: id, refundTransactionId: form.counterpartId ?? '', ...(form.note ? { note: form.note } : {}), ...seen } });
    if (outcome.outcome === 'approval_required') return { flash: await bookingFlash(c, outcome, id) };
    return { flash: { kind: 'ok', text: t.flashRefundBooked(outcome.ref) }, to: await next() };
  });

  // "This debit is refund run X": never booked at once, a second person approves (the approvals inbox).
  decision('refund-run', async ({ c, id, form, t, seen }) => {
    const held = await proposeRefundRunDebit({ ctx: staffCtx(c), input: { transactionId: id, runId: form.runId ?? '', ...(form.note?.trim() ? { note: form.note } : {}), ...seen } });
    return { flash: { kind: 'ok', text: t.refundDebitProposed(held.approval.booking.refundRun?.number ?? 0) } };
  });

  decision('unmark-refund', async ({ c, id, form, t, seen }) => {
    const state = await unmarkRefund({ ctx: staffCtx(c), input: { transactionId: id, note: form.note ?? '', ...seen } });
    return { flash: { kind: 'ok', text: t.flashRefundUnmarked(state.ref) } };
  });

  decision('resolve-return', async ({ c, id, form, t, seen, next }) => {
    const outcome = await resolveReturn({ ctx: staffCtx(c), input: { transactionId: id, receiptId: form.counterpartId ?? '', ...(form.note ? { note: form.note } : {}), ...seen } });
    if (outcome.outcome === 'approval_required') return { flash: await bookingFlash(c, outcome, id) };
    return { flash: { kind: 'ok', text: t.flashReturnPlaced(outcome.ref) }, to: await next() };
  });

  decision('settlement', async ({ c, form, t, seen }) => {
    const input = { id: form.settlementId ?? '', reason: form.reason ?? '', ...(seen.version !== undefined ? { expectedVersion: seen.version } : {}) };
    const accept = form.decision === 'accept';
    const decided = accept ? await acceptSettlement({ ctx: staffCtx(c), input }) : await releaseSettlement({ ctx: staffCtx(c), input });
    return { flash: { kind: 'ok', text: t.flashSettlement(decided.reference, accept) } };
  });

  decision('reverse', async ({ c, form, t }) => {
    const outcome = await reverseBooking({ ctx: staffCtx(c), input: { allocationId: form.allocationId ?? '', reason: form.reason ?? '' } });
    if (outcome.outcome === 'approval_required') return { flash: await bookingFlash(c, outcome, outcome.approval.transactionId ?? '') };
    return { flash: { kind: 'ok', text: t.flashReversed(outcome.ref) } };
  });

}
