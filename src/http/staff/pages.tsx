/** @jsxImportSource hono/jsx */
/**
 * The treasury workplace's pages and form posts. Each handler reads the request, calls the same
 * service verbs as the API (with the signed-in person as the actor, so the same scope and
 * four-eyes checks apply), and renders a page or redirects with a message.
 */
import { itemStatusWord } from '../../ui/staff/labels.js';
import type { Hono } from 'hono';
import { DomainError, ForbiddenError, LimitExceededError, ValidationError, UnsupportedFormatError, BalanceMismatchError } from '../../errors.js';
import { actorLabel } from '../../context.js';
import { formatMinor } from '../../money/money.js';
import { countOpenItems, listOpenItems, type ItemFilters } from '../../services/items/queries.js';
import { importOpenItemsCsv } from '../../services/items/createOpenItems.js';
import { asItemProblem, itemProblemText } from '../../services/items/problems.js';
import { allocateManually, bookRefund, confirmSuggestion, markForRefund, parkPayment, resolveReturn, reverseBooking, unmarkRefund, type BookingOutcome } from '../../services/review/actions.js';
import { counterpartsFor, NO_COUNTERPARTS } from '../../services/review/counterparts.js';
import { acceptSettlement, releaseSettlement, settlementInReviewFor, SETTLEMENT_REVIEW } from '../../services/online/settlement.js';
import { approve, countApprovals, listApprovals, reject } from '../../services/review/approvals.js';
import { countReviewQueue, getReviewItem, listReviewQueue, type ReviewQueueFilter } from '../../services/review/queue.js';
import { reviewCsv } from '../../ui/staff/review/csv.js';
import { printedKassenzeichen, printedReviewRows, reviewPageView } from '../../services/workplace/kassenzeichen.js';
import { importStatement } from '../../services/statements/importer.js';
import { getStatementOriginalFile, hasOriginalFile } from '../../services/statements/originalFile.js';
import { countRefusedDeliveries, getRefusedDeliveryFile, listRefusedDeliveries } from '../../services/statements/refusedDeliveries.js';
import { RefusedDeliveriesPage, refusedDeliveriesCsv } from '../../ui/staff/refusedDeliveries.js';
import { countStatements, getStatement, listEntries, listStatements } from '../../services/statements/queries.js';
import { getDashboard } from '../../services/workplace/dashboard.js';
import { openPeriods } from '../../services/closings/closings.js';
import { getItemHistory } from '../../services/workplace/itemHistory.js';
import { approvalContexts, listRecentDecisions, type ApprovalContext } from '../../services/workplace/approvals.js';
import { ApprovalsPage, approvalsCsv } from '../../ui/staff/approvals.js';
import { DashboardPage } from '../../ui/staff/dashboard.js';
import { amountFromInput, dayFromInput, money, type StaffMessages } from '../../ui/staff/i18n.js';
import type { Flash } from '../../services/users/sessions.js';
import { messages } from '../../ui/staff/frame.js';
import { ImportPage, type ImportProblem } from '../../ui/staff/import.js';
import { ItemPage, ItemsPage, itemsCsv, type ItemSearch } from '../../ui/staff/items.js';
import { MAX_SPLIT_LINES, ReviewDetailPage, ReviewListPage } from '../../ui/staff/review/index.js';
import { StatementPage, StatementsPage, statementsCsv } from '../../ui/staff/statements.js';
import { allPages } from '../../services/shared/paging.js';
import { LIST_CSV_ROWS } from '../../ui/staff/csv.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../session.js';
import { amountParam, queryOf, reviewFilterOf, reviewQueryOf } from './query.js';
import { act, can, csrfRefusedPage, forbiddenPage, formFields, html, pageContext, whoResolver, type StaffContext, staffCtx, csvDownload } from './render.js';

const staff = (scope?: Parameters<typeof requireStaff>[0]) => requireStaff(scope, forbiddenPage);
const post = (scope: Parameters<typeof requireStaff>[0]) => [requireStaff(scope, forbiddenPage), csrfProtect(csrfRefusedPage)] as const;

/** The first payment of the filtered queue other than `exclude`: where a clerk goes after deciding one. */
async function nextInQueue(c: StaffContext, exclude: string): Promise<string | null> {
  const filter = reviewFilterOf(c.req.query());
  const page = await listReviewQueue({ ctx: staffCtx(c), input: { ...filter, limit: 2 } }).catch((err: unknown) => {
    // A filter that no longer parses (typed by hand) falls back to the whole queue.
    if (err instanceof ValidationError) return listReviewQueue({ ctx: staffCtx(c), input: { limit: 2 } });
    throw err;
  });
  return page.items.find((r) => r.id !== exclude)?.id ?? null;
}

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

/** Where in a file a refusal applies, as lines for the page. */
function problemOf(lang: 'de' | 'en', file: string, err: DomainError): ImportProblem {
  const de = lang === 'de';
  const details: string[] = [];
  const located = err instanceof ValidationError || err instanceof UnsupportedFormatError || err instanceof LimitExceededError || err instanceof BalanceMismatchError;
  if (err instanceof ValidationError && err.errors.some((e) => e.row !== undefined)) {
    // A refused list: each row's problem in the page's language, from the problem's data.
    const t = messages(lang);
    const total = typeof err.details['problemCount'] === 'number' ? err.details['problemCount'] : err.errors.length;
    const rows = err.errors.map((e) => {
      const problem = asItemProblem(e.reason);
      return { row: e.row ?? null, field: e.field ?? null, reason: problem ? itemProblemText(problem, lang) : e.message };
    });
    return { file, message: t.importCsvRefused(total, rows.length), details: [], rows };
  }
  if (err instanceof ValidationError && err.errors.length > 0) {
    return { file, message: err.message, details: err.errors.slice(0, 50).map((e) => e.message) };
  }
  if (located) {
    const l = err.location;
    const parts: string[] = [];
    if (l.file && l.file !== file) parts.push(`${de ? 'Datei' : 'file'} ${l.file}`);
    if (l.row !== undefined) parts.push(`${de ? 'Zeile' : 'row'} ${l.row}`);
    else if (l.line !== undefined) parts.push(`${de ? 'Zeile' : 'line'} ${l.line}`);
    if (l.column !== undefined) parts.push(`${de ? 'Spalte' : 'column'} ${l.column}`);
    if (l.path) parts.push(`${de ? 'Element' : 'element'} ${l.path}`);
    if (l.field) parts.push(`${de ? 'Feld' : 'field'} ${l.field}`);
    if (parts.length > 0) details.push(parts.join(', '));
  }
  return { file, message: err.message, details };
}

/** The items list's filter as its form sends it. */
function itemFilterOf(q: Record<string, string>): ItemFilters {
  const amount = amountParam(q.amount);
  return {
    ...(q.kassenzeichen?.trim() ? { kassenzeichen: q.kassenzeichen.trim() } : {}),
    ...(q.debtor?.trim() ? { debtorName: q.debtor.trim() } : {}),
    ...(amount ? { amount } : {}),
    ...(q.status ? { status: q.status } : {}),
  };
}

export function mountPageRoutes(app: Hono<StaffEnv>): void {
  app.get('/', staff(), async (c) => {
    const data = await getDashboard({ ctx: staffCtx(c) });
    const openClosings = can(c, 'statements:read') ? await openPeriods({ ctx: staffCtx(c), input: { limit: 3 } }) : undefined;
    return html(c, <DashboardPage {...(await pageContext(c))} data={data} canApprove={can(c, 'approve')} {...(openClosings ? { openClosings } : {})} />);
  });

  // ---- statements
  app.get('/statements', staff('statements:read'), async (c) => {
    const cursor = c.req.query('cursor');
    const page = await listStatements({ ctx: staffCtx(c), input: { limit: 50, ...(cursor ? { cursor } : {}) } });
    const total = await countStatements({ ctx: staffCtx(c), input: {} });
    return html(c, <StatementsPage {...(await pageContext(c))} statements={page.items} nextCursor={page.nextCursor} total={total} />);
  });

  app.get('/statements.csv', staff('statements:read'), async (c) => {
    const ctx = staffCtx(c);
    return csvDownload(c, {
      name: { de: 'kontoauszuege', en: 'statements' },
      total: await countStatements({ ctx, input: {} }),
      rows: async () => statementsCsv(c.get('lang'), await allPages(async (cursor) => {
        const p = await listStatements({ ctx, input: { limit: 500, ...(cursor ? { cursor } : {}) } });
        return { rows: p.items, nextCursor: p.nextCursor };
      }, LIST_CSV_ROWS)),
    });
  });

  app.get('/statements/:id', staff('statements:read'), async (c) => {
    const ctx = staffCtx(c);
    const statement = await getStatement({ ctx, input: { id: c.req.param('id') } });
    const cursor = c.req.query('cursor');
    const entries = await listEntries({ ctx, input: { statementId: statement.id, limit: 200, ...(cursor ? { cursor } : {}) } });
    const hasFile = await hasOriginalFile({ ctx, input: { importId: statement.importId } });
    return html(c, <StatementPage {...(await pageContext(c))} statement={statement} entries={entries.items} nextCursor={entries.nextCursor} hasFile={hasFile} />);
  });

  app.get('/statements/:id/file', staff('statements:read'), async (c) => {
    const file = await getStatementOriginalFile({ ctx: staffCtx(c), input: { statementId: c.req.param('id') } });
    const ascii = file.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
    return c.body(file.bytes as never, 200, {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    });
  });

  // ---- deliveries refused for carrying a statement read before with other content
  app.get('/refused-deliveries', staff('statements:read'), async (c) => {
    const cursor = c.req.query('cursor');
    const page = await listRefusedDeliveries({ ctx: staffCtx(c), input: { limit: 50, ...(cursor ? { cursor } : {}) } });
    const total = await countRefusedDeliveries({ ctx: staffCtx(c) });
    return html(c, <RefusedDeliveriesPage {...(await pageContext(c))} deliveries={page.data} nextCursor={page.nextCursor} total={total} />);
  });

  app.get('/refused-deliveries.csv', staff('statements:read'), async (c) => {
    const ctx = staffCtx(c);
    return csvDownload(c, {
      name: { de: 'abgewiesene-lieferungen', en: 'refused-deliveries' },
      total: await countRefusedDeliveries({ ctx }),
      rows: async () => refusedDeliveriesCsv(c.get('lang'), await allPages(async (cursor) => {
        const p = await listRefusedDeliveries({ ctx, input: { limit: 200, ...(cursor ? { cursor } : {}) } });
        return { rows: p.data, nextCursor: p.nextCursor };
      }, LIST_CSV_ROWS)),
    });
  });

  app.get('/refused-deliveries/:id/file', staff('statements:read'), async (c) => {
    const file = await getRefusedDeliveryFile({ ctx: staffCtx(c), input: { id: c.req.param('id') } });
    const ascii = file.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
    return c.body(file.bytes as never, 200, {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    });
  });

  // ---- review queue
  app.get('/review', staff('review'), async (c) => {
    const q = c.req.query();
    const filter: ReviewQueueFilter = { ...reviewFilterOf(q), limit: 50, ...(q.cursor ? { cursor: q.cursor } : {}) };
    const page = await listReviewQueue({ ctx: staffCtx(c), input: filter });
    const total = await countReviewQueue({ ctx: staffCtx(c), input: filter });
    const query = reviewQueryOf(q);
    // The form shows what was typed ("1.234,50", "16.11.2026"), not its normalized form.
    const shown = { ...filter, ...Object.fromEntries((['amountFrom', 'amountTo', 'bookedFrom', 'bookedTo'] as const).filter((k) => q[k]).map((k) => [k, q[k]])) };
    const rows = await printedReviewRows({ ctx: staffCtx(c), input: { rows: page.items } });
    return html(c, <ReviewListPage {...(await pageContext(c))} rows={rows} nextCursor={page.nextCursor} filter={shown} query={query} total={total} canReview={can(c, 'review')} />);
  });

  // The same list as a CSV file for a spreadsheet, every page of it (up to LIST_CSV_ROWS rows).
  app.get('/review.csv', staff('review'), async (c) => {
    const ctx = staffCtx(c);
    const filter = reviewFilterOf(c.req.query());
    return csvDownload(c, {
      name: { de: 'pruefung', en: 'review' },
      total: await countReviewQueue({ ctx, input: filter }),
      rows: async () => {
        const rows = await allPages(async (cursor) => {
          const page = await listReviewQueue({ ctx, input: { ...filter, limit: 200, ...(cursor ? { cursor } : {}) } });
          return { rows: await printedReviewRows({ ctx, input: { rows: page.items } }), nextCursor: page.nextCursor };
        }, LIST_CSV_ROWS);
        return reviewCsv(c.get('lang'), rows);
      },
    });
  });

  app.get('/review/:id', staff('review'), async (c) => {
    const view = await reviewPageView({ ctx: staffCtx(c), input: { transactionId: c.req.param('id'), lang: c.get('lang') } });
    const labels = [
      ...view.allocations.flatMap((a) => [a.createdBy, ...(a.reversal ? [a.reversal.createdBy] : [])]),
      ...view.suspense.movements.map((m) => m.createdBy),
      ...view.audit.map((a) => a.actor),
      ...(view.pendingApproval ? [view.pendingApproval.proposedBy] : []),
      ...(view.parked ? [view.parked.by] : []),
      ...(view.refund ? [view.refund.requestedBy] : []),
    ];
    const who = await whoResolver(c, labels);
    const nextId = await nextInQueue(c, view.id);
    // Only a refund to book or a return to place has another half to look for.
    const linking = view.availableActions.includes('book_refund') || view.availableActions.includes('resolve_return');
    const counterparts = linking ? await counterpartsFor({ ctx: staffCtx(c), input: { transactionId: view.id } }) : NO_COUNTERPARTS;
    const settlement = view.state === SETTLEMENT_REVIEW ? await settlementInReviewFor({ ctx: staffCtx(c), input: { transactionId: view.id } }) : null;
    const rows = Number.parseInt(c.req.query('rows') ?? '', 10);
    return html(
      c,
      <ReviewDetailPage
        {...(await pageContext(c))}
        view={view}
        counterparts={counterparts}
        settlement={settlement}
        who={who}
        canReview={can(c, 'review')}
        canApprove={can(c, 'approve')}
        nextId={nextId}
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
        const n = await nextInQueue(c, id);
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

  // ---- open items
  app.get('/items', staff('items:read'), async (c) => {
    const q = c.req.query();
    const search: ItemSearch = { ...(q.kassenzeichen ? { kassenzeichen: q.kassenzeichen } : {}), ...(q.debtor ? { debtor: q.debtor } : {}), ...(q.amount ? { amount: q.amount } : {}), ...(q.status ? { status: q.status } : {}) };
    const page = await listOpenItems({ ctx: staffCtx(c), input: { ...itemFilterOf(q), limit: 50, ...(q.cursor ? { cursor: q.cursor } : {}) } });
    const query = queryOf({ kassenzeichen: q.kassenzeichen, debtor: q.debtor, amount: q.amount, status: q.status });
    const total = await countOpenItems({ ctx: staffCtx(c), input: itemFilterOf(q) });
    return html(c, <ItemsPage {...(await pageContext(c))} items={page.items} nextCursor={page.nextCursor} search={search} query={query} total={total} />);
  });

  app.get('/items.csv', staff('items:read'), async (c) => {
    const ctx = staffCtx(c);
    const filter = itemFilterOf(c.req.query());
    return csvDownload(c, {
      name: { de: 'offene-posten', en: 'open-items' },
      total: await countOpenItems({ ctx, input: filter }),
      rows: async () => itemsCsv(c.get('lang'), await allPages(async (cursor) => {
        const p = await listOpenItems({ ctx, input: { ...filter, limit: 500, ...(cursor ? { cursor } : {}) } });
        return { rows: p.items, nextCursor: p.nextCursor };
      }, LIST_CSV_ROWS)),
    });
  });

  app.get('/items/:id', staff('items:read'), async (c) => {
    const history = await getItemHistory({ ctx: staffCtx(c), input: { id: c.req.param('id'), lang: c.get('lang') } });
    const who = await whoResolver(c, [
      ...history.allocations.flatMap((a) => [a.createdBy, ...(a.reversal ? [a.reversal.createdBy] : [])]),
      ...history.changes.map((x) => x.actor),
      ...history.audit.map((a) => a.actor),
    ]);
    return html(c, <ItemPage {...(await pageContext(c))} history={history} who={who} />);
  });

  // ---- approvals
  app.get('/approvals', staff('approve'), async (c) => {
    const ctx = staffCtx(c);
    const pending = await listApprovals({ ctx, input: { status: 'pending', limit: 100 } });
    const recent = await listRecentDecisions({ ctx, input: { limit: 20 } });
    const contexts = await approvalContexts({ ctx, input: { approvals: pending.items, lang: c.get('lang') } });
    const who = await whoResolver(c, [...pending.items, ...recent].flatMap((a) => [a.proposedBy, ...(a.decidedBy ? [a.decidedBy] : [])]));
    const threshold = formatMinor(c.get('deps').config.fourEyesThresholdMinor, 'EUR');
    const total = await countApprovals({ ctx, input: { status: 'pending' } });
    return html(c, <ApprovalsPage {...(await pageContext(c))} pending={pending.items} decided={recent} me={actorLabel(ctx.actor)} who={who} threshold={threshold} contexts={contexts} total={total} />);
  });

  app.get('/approvals.csv', staff('approve'), async (c) => {
    const ctx = staffCtx(c);
    return csvDownload(c, {
      name: { de: 'freigaben', en: 'approvals' },
      total: await countApprovals({ ctx, input: { status: 'pending' } }),
      rows: async () => {
        const pending = await allPages(async (cursor) => {
          const p = await listApprovals({ ctx, input: { status: 'pending', limit: 200, ...(cursor ? { cursor } : {}) } });
          return { rows: p.items, nextCursor: p.nextCursor };
        }, LIST_CSV_ROWS);
        // The approvers' context, a page's worth at a time (approvalContexts reads two queries per call).
        const contexts = new Map<string, ApprovalContext>();
        for (let i = 0; i < pending.length; i += 200) for (const [k, v] of await approvalContexts({ ctx, input: { approvals: pending.slice(i, i + 200), lang: c.get('lang') } })) contexts.set(k, v);
        const who = await whoResolver(c, pending.map((a) => a.proposedBy));
        return approvalsCsv(c.get('lang'), pending, contexts, who);
      },
    });
  });

  app.post('/approvals/:id/approve', ...post('approve'), async (c) => {
    const form = await formFields(c);
    const t = messages(c.get('lang'));
    return act(c, '/approvals', async () => {
      const note = (form.note ?? '').trim();
      const done = await approve({ ctx: staffCtx(c), input: { approvalId: c.req.param('id'), ...(note ? { note } : {}) } });
      return { flash: { kind: 'ok', text: t.flashApproved(money(c.get('lang'), done.approval.amount, done.approval.currency)) } };
    });
  });

  app.post('/approvals/:id/reject', ...post('approve'), async (c) => {
    const form = await formFields(c);
    const t = messages(c.get('lang'));
    return act(c, '/approvals', async () => {
      await reject({ ctx: staffCtx(c), input: { approvalId: c.req.param('id'), note: form.note ?? '' } });
      return { flash: { kind: 'ok', text: t.flashRejected } };
    });
  });

  // ---- import
  app.get('/import', staff('statements:import'), async (c) => {
    return html(c, <ImportPage {...(await pageContext(c))} canImportItems={can(c, 'items:write')} />);
  });

  app.post('/import', ...post('statements:import'), async (c) => {
    const lang = c.get('lang');
    const type = c.req.header('content-type') ?? '';
    let source: AsyncIterable<Uint8Array> | Uint8Array;
    let fileName: string;
    if (type.startsWith('multipart/form-data')) {
      // The form post without script: the browser sent the file inside the form.
      const file = (await c.req.parseBody()).file;
      if (!(file instanceof File) || file.size === 0) {
        return html(c, <ImportPage {...(await pageContext(c))} canImportItems={can(c, 'items:write')} problem={{ file: '–', message: messages(lang).importNoFile, details: [] }} />, 422);
      }
      source = new Uint8Array(await file.arrayBuffer());
      fileName = file.name;
    } else {
      // The upload script sends the file as the body, streamed into the import.
      const body = c.req.raw.body;
      fileName = (c.req.query('fileName') ?? 'upload').slice(0, 255);
      if (!body) return html(c, <ImportPage {...(await pageContext(c))} canImportItems={can(c, 'items:write')} problem={{ file: fileName, message: messages(lang).importNoFile, details: [] }} />, 422);
      source = body as unknown as AsyncIterable<Uint8Array>;
    }
    try {
      const result = await importStatement({ ctx: staffCtx(c), deps: c.get('deps'), input: { source, fileName } });
      return html(c, <ImportPage {...(await pageContext(c))} canImportItems={can(c, 'items:write')} result={result} />, result.replayed ? 200 : 201);
    } catch (err) {
      if (!(err instanceof DomainError) || err instanceof ForbiddenError) throw err;
      c.get('log').info({ code: err.code, file: fileName }, 'statement upload refused');
      return html(c, <ImportPage {...(await pageContext(c))} canImportItems={can(c, 'items:write')} problem={problemOf(lang, fileName, err)} />, err.code === 'conflict' ? 409 : 422);
    }
  });

  app.post('/import/items', ...post('items:write'), async (c) => {
    const lang = c.get('lang');
    const file = (await c.req.parseBody()).file;
    const page = async (csv: Parameters<typeof ImportPage>[0]['csv'], status: 200 | 201 | 422) =>
      html(c, <ImportPage {...(await pageContext(c))} canImportItems csv={csv} />, status);
    if (!(file instanceof File) || file.size === 0) return page({ file: '–', problem: { file: '–', message: messages(lang).importNoFile, details: [] } }, 422);
    if (file.size > 50 * 1024 * 1024) throw new LimitExceededError('requestBodyBytes', 50 * 1024 * 1024, file.size);
    try {
      const created = await importOpenItemsCsv({ ctx: staffCtx(c), input: { text: await file.text(), fileName: file.name } });
      if (created.length > 0) c.get('deps').services.onItemsChanged?.(created.map((i) => (i as { id: string }).id));
      return page({ file: file.name, created: created.length }, 201);
    } catch (err) {
      if (!(err instanceof DomainError) || err instanceof ForbiddenError) throw err;
      return page({ file: file.name, problem: problemOf(lang, file.name, err) }, 422);
    }
  });
}
