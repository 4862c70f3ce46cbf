/**
 * Reading the review queue: receipts a person has to decide, filtered, sorted and paged, and one
 * receipt with everything needed to decide it (the payment as the bank sent it, the matcher's ranked
 * suggestions with their items, what has been booked and undone, the suspense account, the audit
 * trail and where the suggested references appear in the remittance text).
 */
import { parseStaleNote, spellStale, staleKassenzeichen, type StaleFacts } from './stale.js';
import { returnFigures, statedOriginals, type ReturnFiguresView } from '../collections/returns.js';
import type { Ctx } from '../../context.js';
import type { Prisma } from '../../db/generated/sqlite/client.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { formatMinor, parseAmountInput } from '../../money/money.js';
import { maskIban, normalizeIban } from '../../references/iban.js';
import { outstandingMinor } from '../items/status.js';
import { decodeCursor, encodeCursor, pageLimit, type Page } from '../shared/paging.js';
import { suspenseBalance } from '../booking/ledger.js';
import { approvalView, type ApprovalView } from './approvalView.js';
import { daysSince, isIsoDay } from './dates.js';
import { highlightReferences, nearMissAsPrinted, nearMissesIn, remittanceText, type Highlight, type NearMissMark } from './highlights.js';
import { byConfidence, reassessSuggestion, type LineStanding, type SuggestionStanding } from './reassess.js';
import { availableActions, QUEUE_STATES, REVIEW_FILTER_STATES, type ReviewAction } from './states.js';
import { reasonKassenzeichen, reasonTexts, type Reason, type ReasonLang, type SpellingLookup } from '../../matching/reasons.js';
import { storedJson as json } from '../shared/storedJson.js';
import { bookingExplanations, explanationKassenzeichen, explanationText, type BookingExplanation } from './bookingReasons.js';

export interface ReviewQueueFilter {
  /** One or several of REVIEW_FILTER_STATES, comma-separated; the queue states when left out. */
  state?: string;
  /** "30.70": receipts of at least / at most this amount. */
  amountFrom?: string;
  amountTo?: string;
  /** Bank booking date range, YYYY-MM-DD, inclusive. */
  bookedFrom?: string;
  bookedTo?: string;
  /** Part of the payer's name, the ultimate debtor, the remittance text or a structured reference. */
  q?: string;
  /** IBAN of the city's account the statement belongs to. */
  account?: string;
  sort?: 'age' | 'amount';
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
}

interface StoredAllocation {
  itemId: string;
  kassenzeichen: string;
  amountMinor: string;
}
interface StoredSuggestion {
  allocations: StoredAllocation[];
  confidenceBp: number;
  reasons: Array<Reason | string>;
}

export interface SuggestionSummary {
  kassenzeichen: string[];
  amount: string;
  confidenceBp: number;
}

export interface ReviewRow {
  id: string;
  /** entryRef#txIndex: the payment's handle on the bank statement. */
  ref: string;
  bookingDate: string | null;
  amount: string;
  /** What is still in suspense, waiting for a decision. */
  unapplied: string;
  currency: string;
  creditDebit: string;
  payer: { name: string | null; iban: string | null };
  remittance: string;
  state: string;
  topSuggestion: SuggestionSummary | null;
  ageDays: number;
  version: number;
}

type TxRow = Prisma.BankTransactionGetPayload<{ include: { entry: { include: { statement: true } } } }>;

function ageDays(ctx: Ctx, t: { bookingDate: string | null; createdAt: Date }): number {
  return t.bookingDate && isIsoDay(t.bookingDate) ? daysSince(t.bookingDate, ctx.clock.now()) : daysSince(t.createdAt.toISOString().slice(0, 10), ctx.clock.now());
}

function summary(s: StoredSuggestion | undefined, currency: string): SuggestionSummary | null {
  if (!s) return null;
  const total = s.allocations.reduce((sum, a) => sum + BigInt(a.amountMinor), 0n);
  return { kassenzeichen: s.allocations.map((a) => a.kassenzeichen), amount: formatMinor(total, currency), confidenceBp: s.confidenceBp };
}

function parseStates(state: string | undefined): string[] {
  if (!state) return [...QUEUE_STATES];
  const states = state.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = states.filter((s) => !(REVIEW_FILTER_STATES as readonly string[]).includes(s));
  if (bad.length > 0 || states.length === 0) throw new ValidationError(`state: unknown ${bad.join(', ') || '(empty)'}; known are ${REVIEW_FILTER_STATES.join(', ')}`, { field: 'state' });
  return states;
}

/** Keyset condition "after this row" for a sort key of (optionally nullable) fields, nulls first in ascending order. */
function afterKey(fields: Array<{ name: string; nullable?: boolean }>, values: Array<string | bigint | Date | null>, order: 'asc' | 'desc'): Prisma.BankTransactionWhereInput {
  const cmp = order === 'asc' ? 'gt' : 'lt';
  const [first, ...rest] = fields;
  const [v, ...more] = values;
  if (!first) return { id: { in: [] } };
  const tail = rest.length > 0 ? afterKey(rest, more, order) : null;
  const f = first.name;
  if (first.nullable && v === null) {
    // Nulls come first ascending (last descending): after a null row come the rest of the nulls, then (asc) every non-null.
    const sameNull: Prisma.BankTransactionWhereInput = tail ? { AND: [{ [f]: null }, tail] } : { id: { in: [] } };
    return order === 'asc' ? { OR: [sameNull, { [f]: { not: null } }] } : sameNull;
  }
  const beyond: Prisma.BankTransactionWhereInput = { [f]: { [cmp]: v } };
  const equal: Prisma.BankTransactionWhereInput | null = tail ? { AND: [{ [f]: v }, tail] } : null;
  const or: Prisma.BankTransactionWhereInput[] = [beyond, ...(equal ? [equal] : [])];
  if (first.nullable && order === 'desc') or.push({ [f]: null });
  return { OR: or };
}

/** The filter's conditions (without paging): the list, its count and its CSV read the same rows. */
function queueConditions(ctx: Ctx, input: ReviewQueueFilter): Prisma.BankTransactionWhereInput[] {
  const and: Prisma.BankTransactionWhereInput[] = [{ matchState: { in: parseStates(input.state) } }];

  const amount = (text: string | undefined, field: string) => (text === undefined ? undefined : parseAmountInput(text, 'EUR', { field }).minor);
  const from = amount(input.amountFrom, 'amountFrom');
  const to = amount(input.amountTo, 'amountTo');
  if (from !== undefined) and.push({ amountMinor: { gte: from } });
  if (to !== undefined) and.push({ amountMinor: { lte: to } });
  for (const [field, op] of [['bookedFrom', 'gte'], ['bookedTo', 'lte']] as const) {
    const v = input[field];
    if (v === undefined) continue;
    if (!isIsoDay(v)) throw new ValidationError(`${field}: "${v}" is not a date like 2026-11-16`, { field });
    and.push({ bookingDate: { [op]: v } });
  }
  if (input.account) and.push({ entry: { statement: { accountIban: normalizeIban(input.account) } } });
  if (input.q) {
    const q = input.q.trim();
    if (q.length > 140) throw new ValidationError('q: at most 140 characters', { field: 'q' });
    // SQLite's LIKE ignores ASCII case by itself; PostgreSQL needs to be told.
    const contains = ctx.db.backend === 'postgresql' ? { contains: q, mode: 'insensitive' as const } : { contains: q };
    and.push({ OR: [{ debtorName: contains }, { ultimateDebtorName: contains }, { remittanceLines: contains }, { creditorReferences: contains }] });
  }
  return and;
}

/** How many payments the filter finds in all (one count query; the list shows a page of them). */
export async function countReviewQueue({ ctx, input }: { ctx: Ctx; input: ReviewQueueFilter }): Promise<number> {
  return ctx.db.prisma.bankTransaction.count({ where: { AND: queueConditions(ctx, input) } });
}

export async function listReviewQueue({ ctx, input }: { ctx: Ctx; input: ReviewQueueFilter }): Promise<Page<ReviewRow>> {
  const limit = pageLimit(input.limit);
  const sort = input.sort ?? 'age';
  const order = input.order ?? 'asc';
  const and = queueConditions(ctx, input);

  const fields = sort === 'age' ? [{ name: 'bookingDate', nullable: true }, { name: 'createdAt' }, { name: 'id' }] : [{ name: 'amountMinor' }, { name: 'id' }];
  const after = decodeCursor(input.cursor, fields.length + 2);
  if (after) {
    if (after[0] !== sort || after[1] !== order) throw new ValidationError('cursor: belongs to another sort order; start again without it', { field: 'cursor' });
    const values = sort === 'age' ? [after[2] === '' ? null : after[2]!, new Date(after[3]!), after[4]!] : [BigInt(after[2]!), after[3]!];
    and.push(afterKey(fields, values, order));
  }
  const nulls = order === 'asc' ? 'first' : 'last';
  const orderBy: Prisma.BankTransactionOrderByWithRelationInput[] =
    sort === 'age' ? [{ bookingDate: { sort: order, nulls } }, { createdAt: order }, { id: order }] : [{ amountMinor: order }, { id: order }];

  const rows = await ctx.db.prisma.bankTransaction.findMany({ where: { AND: and }, orderBy, take: limit + 1 });
  const page = rows.slice(0, limit);
  const proposals = await latestProposals(ctx, page.map((r) => r.id));
  const items = page.map((t): ReviewRow => {
    const p = proposals.get(t.id);
    return {
      id: t.id,
      ref: `${t.entryRef}#${t.position}`,
      bookingDate: t.bookingDate,
      amount: formatMinor(t.amountMinor, t.currency),
      unapplied: formatMinor(t.unappliedMinor, t.currency),
      currency: t.currency,
      creditDebit: t.creditDebit,
      payer: { name: t.debtorName, iban: t.debtorIban ? maskIban(t.debtorIban) : null },
      remittance: remittanceText(json<string[]>(t.remittanceLines, [])),
      state: t.matchState,
      topSuggestion: summary(json<StoredSuggestion[]>(p?.suggestions, [])[0], t.currency),
      ageDays: ageDays(ctx, t),
      version: t.version,
    };
  });
  const last = rows.length > limit ? page[page.length - 1]! : undefined;
  const nextCursor = last
    ? encodeCursor(sort === 'age' ? [sort, order, last.bookingDate ?? '', last.createdAt.toISOString(), last.id] : [sort, order, last.amountMinor.toString(), last.id])
    : null;
  return { items, nextCursor };
}

async function latestProposals(ctx: Ctx, transactionIds: string[]) {
  const out = new Map<string, { id: string; suggestions: string; decision: string; confidenceBp: number; reasons: string; createdAt: Date; engineVersion: string; returnOf: string | null }>();
  if (transactionIds.length === 0) return out;
  const rows = await ctx.db.prisma.matchProposal.findMany({ where: { transactionId: { in: transactionIds } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
  for (const r of rows) if (!out.has(r.transactionId)) out.set(r.transactionId, r);
  return out;
}

export interface ReviewItemView {
  id: string;
  ref: string;
  state: string;
  version: number;
  amount: string;
  unapplied: string;
  currency: string;
  creditDebit: string;
  ageDays: number;
  payment: {
    payer: { name: string | null; iban: string | null; bic: string | null };
    ultimateDebtor: string | null;
    remittance: { lines: string[]; text: string };
    structuredReferences: Array<{ reference: string; type?: string }>;
    endToEndId: string | null;
    mandateId: string | null;
    bankTransactionCode: string | null;
    proprietaryCode: string | null;
    gvc: string | null;
    purposeCode: string | null;
    returnReason: { code: string; text: string | null } | null;
    bookingDate: string | null;
    valueDate: string | null;
  };
  statement: { id: string; bankStatementId: string; accountIban: string | null; kind: string };
  entry: { id: string; position: number; accountServicerReference: string | null; entryReference: string | null; amount: string; creditDebit: string; bookingDate: string | null; valueDate: string | null; batchCount: number | null; additionalInfo: string | null };
  proposal: { id: string; decision: string; confidenceBp: number; reasons: string[]; engineVersion: string; createdAt: string } | null;
  /** The matcher's suggestions, the most confident first, each looked at again against its items as they are now. */
  suggestions: Array<{
    /** Position in the proposal as stored: what confirm takes. */
    index: number;
    confidenceBp: number;
    reasons: string[];
    total: string;
    /** bookable; overpays (only with acceptOverpayment); stale (cannot be confirmed any more). */
    standing: SuggestionStanding;
    /** What confirming would pay beyond what the items have open now. */
    overpay: string;
    /** The matcher doubts it (reasons against, low confidence): the quick keys alone do not book it. */
    doubtful: boolean;
    /** The reasons against it, as sentences. */
    against: string[];
    allocations: Array<{
      itemId: string;
      kassenzeichen: string;
      amount: string;
      standing: LineStanding;
      overpay: string;
      item: { id: string; kassenzeichen: string; rfReference: string | null; debtorName: string; description: string; amount: string; open: string; dueDate: string; status: string } | null;
    }>;
  }>;
  highlights: Highlight[];
  /** References in the remittance text that are one slip away from an item: what was written, and what it is near. */
  nearMisses: NearMissMark[];
  allocations: Array<{
    id: string;
    itemId: string;
    kassenzeichen: string;
    amount: string;
    kind: string;
    reason: string;
    createdBy: string;
    createdAt: string;
    approvalId: string | null;
    reversal: { id: string; reason: string; createdBy: string; createdAt: string; causedByTransactionId: string | null } | null;
  }>;
  suspense: { balance: string; movements: Array<{ id: string; amount: string; reason: string; note: string | null; createdBy: string; createdAt: string }> };
  pendingApproval: ApprovalView | null;
  refund: { recipientName: string | null; iban: string; amount: string; note: string; requestedBy: string; requestedAt: string } | null;
  parked: { note: string; by: string; at: string } | null;
  /** What can be done with the payment as it stands (the verbs' own checks, src/services/review/states.ts). */
  availableActions: ReviewAction[];
  /**
   * A return of one of the city's own direct debits (a debit with its end-to-end id): what was
   * collected and what the return booked, side by side, and the reading in words (returns.ts).
   */
  directDebitReturn: ReturnFiguresView | null;
  /** Bank transactions booked together with this one (a refund and its debit, a return and its receipt). */
  linked: Array<{ transactionId: string; ref: string; relation: LinkRelation }>;
  /** `stale`: why a failed approval failed, as facts (its reason is the stored English note); each Kassenzeichen spelled like the rest. */
  audit: Array<{ at: string; actor: string; action: string; subjectType: string; subjectId: string; reason: string | null; data: unknown; stale?: StaleFacts }>;
}

export type LinkRelation = 'refunded_with' | 'refund_of' | 'returned_with' | 'return_of';

/** Which audit entries link two bank transactions, and where the other one's id and handle are. */
const LINKS: Record<string, { relation: LinkRelation; id: string; ref: string }> = {
  'payment.refunded': { relation: 'refunded_with', id: 'refundTransactionId', ref: 'refundRef' },
  'payment.refund_booked': { relation: 'refund_of', id: 'refundOf', ref: 'refundOfRef' },
  'payment.returned': { relation: 'returned_with', id: 'returnTransactionId', ref: 'returnRef' },
  'return.booked': { relation: 'return_of', id: 'returnOf', ref: 'returnOfRef' },
};

/** The figures of a direct debit return: the debit its end-to-end id names, while it is out or returned by this one. */
async function directDebitReturnOf(ctx: Ctx, t: TxRow, lang: ReasonLang): Promise<ReturnFiguresView | null> {
  const e2e = t.endToEndId?.trim();
  if (t.creditDebit !== 'DBIT' || !e2e) return null;
  const d = await ctx.db.prisma.directDebit.findUnique({ where: { endToEndId: e2e }, select: { amountMinor: true, currency: true, state: true, returnTransactionId: true } });
  if (!d || !(d.state === 'sent' || d.state === 'collected' || d.returnTransactionId === t.id) || d.currency !== t.currency) return null;
  return returnFigures({ endToEndId: e2e, collectedMinor: d.amountMinor, currency: d.currency, entry: { returnedMinor: t.amountMinor, chargesMinor: t.chargesMinor, statedOriginalsMinor: statedOriginals(t, d.currency) }, lang });
}

/**
 * One payment for review; the matcher's reasons as sentences in `lang` (the API speaks English).
 * Every Kassenzeichen in it is the normalized key (the API's contract), unless `spell` is given:
 * then each one, in the fields and in the sentences alike, is spelled as `spell` says (the
 * workplace: as printed), looked up once for the whole payment.
 */
export async function getReviewItem({ ctx, input }: { ctx: Ctx; input: { transactionId: string; lang?: ReasonLang; spell?: SpellingLookup } }): Promise<ReviewItemView> {
  const lang = input.lang ?? 'en';
  const db = ctx.db.prisma;
  const t: TxRow | null = await db.bankTransaction.findUnique({ where: { id: input.transactionId }, include: { entry: { include: { statement: true } } } });
  if (!t) throw new NotFoundError('payment', input.transactionId);
  const proposal = (await latestProposals(ctx, [t.id])).get(t.id);
  const suggestions = json<StoredSuggestion[]>(proposal?.suggestions, []);
  const itemIds = [...new Set(suggestions.flatMap((s) => s.allocations.map((a) => a.itemId)))];
  const allocations = await db.allocation.findMany({ where: { transactionId: t.id }, include: { reversal: true, openItem: { select: { kassenzeichen: true } } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  const items = new Map((await db.openItem.findMany({ where: { id: { in: itemIds } } })).map((i) => [i.id, i]));
  const itemsNow = new Map([...items.values()].map((i) => [i.id, { id: i.id, kassenzeichen: i.kassenzeichen, amountMinor: i.amountMinor, paidMinor: i.paidMinor, cancelled: i.cancelledAt !== null }]));
  // The stored English sentences are the English reader's, unless the spelling of the Kassenzeichen in them is to change.
  const explanations = lang === 'en' && !input.spell ? new Map<string, BookingExplanation>() : await bookingExplanations(ctx.db, allocations.map((a) => ({ id: a.id, kind: a.kind, proposalId: a.proposalId, reason: a.reason })));
  const movements = await db.suspenseMovement.findMany({ where: { transactionId: t.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  const approvals = await db.approval.findMany({ where: { transactionId: t.id }, orderBy: [{ proposedAt: 'asc' }, { id: 'asc' }] });
  const audit = await db.auditEntry.findMany({
    where: {
      OR: [
        { subjectType: 'bank_transaction', subjectId: t.id },
        { subjectType: 'allocation', subjectId: { in: allocations.map((a) => a.id) } },
        { subjectType: 'approval', subjectId: { in: approvals.map((a) => a.id) } },
      ],
    },
    orderBy: { seq: 'asc' },
  });
  const lines = json<string[]>(t.remittanceLines, []);
  const refs = itemIds.flatMap((id) => {
    const item = items.get(id);
    if (!item) return [];
    return [item.kassenzeichen, ...(item.rfReference ? [item.rfReference] : [])].map((reference) => ({ reference, itemId: id, kassenzeichen: item.kassenzeichen }));
  });
  const pending = approvals.find((a) => a.status === 'pending');
  const lastOf = (action: string) => [...audit].reverse().find((a) => a.action === action);
  const refundEntry = t.matchState === 'refund' || t.matchState === 'refunded' ? lastOf('payment.refund_requested') : undefined;
  const parkedEntry = t.matchState === 'parked' ? lastOf('payment.parked') : undefined;
  const refundData = json<{ recipientName?: string | null; iban?: string; amount?: string }>(refundEntry?.data, {});
  const fmt = (m: bigint) => formatMinor(m, t.currency);
  const actor = (a: { actorType: string; actorId: string }) => `${a.actorType}:${a.actorId}`;
  const proposalReasons = json<Array<Reason | string>>(proposal?.reasons, []);
  const kz = input.spell
    ? await input.spell([
        ...suggestions.flatMap((s) => [...s.allocations.map((a) => a.kassenzeichen), ...reasonKassenzeichen(s.reasons)]),
        ...[...items.values()].map((i) => i.kassenzeichen),
        ...allocations.map((a) => a.openItem.kassenzeichen),
        ...reasonKassenzeichen(proposalReasons),
        ...explanationKassenzeichen(explanations.values()),
        ...audit.flatMap((a) => (a.action === 'approval.failed' ? staleKassenzeichen(parseStaleNote(a.reason)) : [])),
      ])
    : (k: string) => k;
  const spell = input.spell ? kz : undefined;
  // A booking's audit entry holds its reason as the stored English sentence; the reader gets the booking's explanation.
  const bookingAuditReason = (action: string, stored: string | null, data: unknown): string | undefined => {
    if (action !== 'allocation.auto' && action !== 'allocation.confirmed') return undefined;
    const first = (data as { allocations?: Array<{ allocationId?: unknown }> }).allocations?.[0]?.allocationId;
    const e = typeof first === 'string' ? explanations.get(first) : undefined;
    return e && stored !== null ? explanationText(e, lang, spell) : undefined;
  };
  const linked = audit.flatMap((a) => {
    const link = a.subjectType === 'bank_transaction' && a.subjectId === t.id ? LINKS[a.action] : undefined;
    const data = link ? json<Record<string, unknown>>(a.data, {}) : {};
    const id = link ? data[link.id] : undefined;
    return link && typeof id === 'string' ? [{ transactionId: id, ref: String(data[link.ref] ?? ''), relation: link.relation }] : [];
  });

  const directDebitReturn = await directDebitReturnOf(ctx, t, lang);

  return {
    id: t.id,
    ref: `${t.entryRef}#${t.position}`,
    state: t.matchState,
    version: t.version,
    amount: fmt(t.amountMinor),
    unapplied: fmt(t.unappliedMinor),
    currency: t.currency,
    creditDebit: t.creditDebit,
    ageDays: ageDays(ctx, t),
    payment: {
      payer: { name: t.debtorName, iban: t.debtorIban, bic: t.debtorBic },
      ultimateDebtor: t.ultimateDebtorName,
      remittance: { lines, text: remittanceText(lines) },
      structuredReferences: json(t.creditorReferences, []),
      endToEndId: t.endToEndId,
      mandateId: t.mandateId,
      bankTransactionCode: t.bankTransactionCode ?? t.entry.bankTransactionCode,
      proprietaryCode: t.entry.proprietaryCode,
      gvc: t.entry.gvc,
      purposeCode: t.purposeCode,
      returnReason: t.returnReasonCode ? { code: t.returnReasonCode, text: t.returnReasonText } : null,
      bookingDate: t.bookingDate ?? t.entry.bookingDate,
      valueDate: t.entry.valueDate,
    },
    statement: { id: t.entry.statement.id, bankStatementId: t.entry.statement.bankStatementId, accountIban: t.entry.statement.accountIban, kind: t.entry.statement.kind },
    entry: {
      id: t.entry.id,
      position: t.entry.position,
      accountServicerReference: t.entry.accountServicerReference,
      entryReference: t.entry.entryReference,
      amount: formatMinor(t.entry.amountMinor, t.entry.currency),
      creditDebit: t.entry.creditDebit,
      bookingDate: t.entry.bookingDate,
      valueDate: t.entry.valueDate,
      batchCount: t.entry.batchCount,
      additionalInfo: t.entry.additionalInfo,
    },
    proposal: proposal
      ? { id: proposal.id, decision: proposal.decision, confidenceBp: proposal.confidenceBp, reasons: reasonTexts(proposalReasons, lang, spell), engineVersion: proposal.engineVersion, createdAt: proposal.createdAt.toISOString() }
      : null,
    suggestions: byConfidence(suggestions.map((s, index) => ({ s, index, confidenceBp: s.confidenceBp }))).map(({ s, index }) => {
      const now = reassessSuggestion({ lines: s.allocations.map((a) => ({ ...a, amountMinor: BigInt(a.amountMinor) })), confidenceBp: s.confidenceBp, reasons: s.reasons }, itemsNow);
      const against = s.reasons.filter((r): r is Reason => typeof r !== 'string' && now.against.includes(r.code));
      return {
      index,
      confidenceBp: s.confidenceBp,
      reasons: reasonTexts(s.reasons, lang, spell),
      total: fmt(s.allocations.reduce((sum, a) => sum + BigInt(a.amountMinor), 0n)),
      standing: now.standing,
      overpay: fmt(now.overpayMinor),
      doubtful: now.doubtful,
      against: reasonTexts(against, lang, spell),
      allocations: s.allocations.map((a, i) => {
        const item = items.get(a.itemId);
        return {
          itemId: a.itemId,
          kassenzeichen: kz(a.kassenzeichen),
          amount: fmt(BigInt(a.amountMinor)),
          standing: now.lines[i]!.standing,
          overpay: fmt(now.lines[i]!.overpayMinor),
          item: item
            ? {
                id: item.id,
                kassenzeichen: kz(item.kassenzeichen),
                rfReference: item.rfReference,
                debtorName: item.debtorName,
                description: item.description,
                amount: formatMinor(item.amountMinor, item.currency),
                open: formatMinor(outstandingMinor(item.amountMinor, item.paidMinor, item.cancelledAt !== null), item.currency),
                dueDate: item.dueDate,
                status: item.status,
              }
            : null,
        };
      }),
    };
    }),
    highlights: highlightReferences(lines, refs).map((h) => ({ ...h, kassenzeichen: kz(h.kassenzeichen) })),
    nearMisses: nearMissesIn(lines, [...proposalReasons, ...suggestions.flatMap((s) => s.reasons)]).map((m) => (spell ? nearMissAsPrinted(m, kz(m.kassenzeichen)) : m)),
    allocations: allocations.map((a) => ({
      id: a.id,
      itemId: a.openItemId,
      kassenzeichen: kz(a.openItem.kassenzeichen),
      amount: formatMinor(a.amountMinor, a.currency),
      kind: a.kind,
      reason: explanations.has(a.id) ? explanationText(explanations.get(a.id)!, lang, spell) : a.reason,
      createdBy: a.createdBy,
      createdAt: a.createdAt.toISOString(),
      approvalId: a.approvalId,
      reversal: a.reversal
        ? { id: a.reversal.id, reason: a.reversal.reason, createdBy: a.reversal.createdBy, createdAt: a.reversal.createdAt.toISOString(), causedByTransactionId: a.reversal.causedByTransactionId }
        : null,
    })),
    suspense: {
      balance: fmt(await suspenseBalance(db, t.id)),
      movements: movements.map((m) => ({ id: m.id, amount: formatMinor(m.amountMinor, m.currency), reason: m.reason, note: m.note, createdBy: m.createdBy, createdAt: m.createdAt.toISOString() })),
    },
    pendingApproval: pending ? approvalView(pending) : null,
    refund: refundEntry
      ? { recipientName: refundData.recipientName ?? null, iban: refundData.iban ?? '', amount: refundData.amount ?? fmt(t.unappliedMinor), note: refundEntry.reason ?? '', requestedBy: actor(refundEntry), requestedAt: refundEntry.at.toISOString() }
      : null,
    parked: parkedEntry ? { note: parkedEntry.reason ?? '', by: actor(parkedEntry), at: parkedEntry.at.toISOString() } : null,
    availableActions: availableActions({
      state: t.matchState,
      creditDebit: t.creditDebit,
      unappliedMinor: t.unappliedMinor,
      hasSuggestions: suggestions.length > 0,
      liveAllocations: allocations.filter((a) => !a.reversal).length,
    }),
    directDebitReturn,
    linked,
    audit: audit.map((a) => {
      const data = json<unknown>(a.data, {});
      const stale = a.action === 'approval.failed' ? parseStaleNote(a.reason) : null;
      return { at: a.at.toISOString(), actor: actor(a), action: a.action, subjectType: a.subjectType, subjectId: a.subjectId, reason: bookingAuditReason(a.action, a.reason, data) ?? a.reason, data, ...(stale ? { stale: spellStale(stale, kz) } : {}) };
    }),
  };
}
