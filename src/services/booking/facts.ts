/**
 * What a booking decision means, as rows: the ONE place where a decision becomes facts.
 *
 * Pure: given the receipts and items as read (or as earlier decisions of the same batch left them)
 * and the decisions in order, it answers the rows to write — proposals, receipt claims,
 * allocations, the items' new paid sums and statuses, item events and their webhook deliveries,
 * suspense movements, audit entries, payers learned, payments that start or stop waiting — or
 * throws the error that refuses the decision. The writer (writer.ts) stores them, for one receipt
 * (a clerk's booking, `allocate`) or for five hundred (a matcher window); there is no second
 * implementation of these rules for volume.
 *
 * Invariant per receipt afterwards (asserted before writing here, and in the database after):
 *   amount = Σ live allocations + cleared + paid back + unapplied, and suspense held = unapplied.
 */
import { ConflictError, ValidationError } from '../../errors.js';
import { debtorNameKey, normalizeIban } from '../../matching/names.js';
import type { MatchDecision } from '../../matching/types.js';
import { formatMinor } from '../../money/money.js';
import { buildItemEventBody, type ItemEventType } from '../items/events.js';
import { itemStatus, type ItemStatus } from '../items/status.js';
import { newId } from '../shared/ids.js';
import type { WaitingReceiptFacts } from './waitingReceipts.js';
import type { SuspenseReason } from './suspense.js';

type RowValue = string | number | bigint | boolean | Date | null;
export type FactRow = Record<string, RowValue>;

/** A receipt as booking reads it; `heldMinor` is what it has in suspense now. */
export interface ReceiptState extends WaitingReceiptFacts {
  version: number;
  matchState: string;
  entryRef: string;
  position: number;
  unappliedMinor: bigint;
  currency: string;
  creditDebit: string;
  heldMinor: bigint;
}

/** An item as booking reads it (and as a decision of the same batch left it). */
export interface ItemState {
  id: string;
  version: number;
  kassenzeichen: string;
  externalRef: string | null;
  status: string;
  amountMinor: bigint;
  paidMinor: bigint;
  currency: string;
  cancelledAt: Date | null;
  issuerClientId: string | null;
  debtorName: string;
  debtorIban: string | null;
  category: string;
  /** Kept so the matcher's index, updated from what was booked, still knows the item's purpose. */
  description: string;
  dueDate: string;
  /** A supplied Kassenzeichen as printed (null for ours): the index must keep knowing it is unchecked. */
  kassenzeichenAsIssued: string | null;
}

export interface SubscriptionState {
  id: string;
  clientId: string;
  eventTypes: string;
}

/** Whether a subscription asks for events of this type ("*" or the type among its words). */
export function wantsEvent(s: { eventTypes: string }, type: string): boolean {
  return s.eventTypes === '*' || s.eventTypes.split(' ').some((t) => t === '*' || t === type);
}

export type AllocationKind = 'auto' | 'confirmed' | 'manual';

/** Money applied to items. */
export interface AllocateDecision {
  type: 'allocate';
  transactionId: string;
  lines: Array<{ itemId: string; amountMinor: bigint }>;
  kind: AllocationKind;
  reason: string;
  /** The matcher's proposal stored with it (auto), or the proposal a person confirmed (its id). */
  proposal?: FactRow;
  proposalId?: string;
  approvalId?: string;
  matchState: string;
  expectStates: readonly string[];
  /** Overpayment moved into suspense (a fresh receipt's rest). */
  surplusMinor?: bigint;
  expectVersion?: number;
  expectItemVersions?: ReadonlyMap<string, number>;
  /** The payer's IBAN is remembered for the debtors paid (automatic bookings). */
  learnPayer?: boolean;
}

/** A matcher decision that books nothing: the receipt waits for a person, or is ignored. */
export interface WaitDecision {
  type: 'wait';
  transactionId: string;
  status: 'review' | 'unmatched' | 'ignored';
  proposal: FactRow;
  expectVersion: number;
}

export type BookingDecision = AllocateDecision | WaitDecision;

export interface BookingFacts {
  proposals: FactRow[];
  claims: FactRow[];
  allocations: FactRow[];
  /** Final state of every item the batch changed (one update each, under its version read). */
  items: Map<string, { before: number; after: ItemState }>;
  events: FactRow[];
  deliveries: FactRow[];
  suspense: FactRow[];
  audit: FactRow[];
  learned: Array<{ iban: string; debtorNameKey: string }>;
  startWaiting: WaitingReceiptFacts[];
  stopWaiting: string[];
  /** Per decision, in order: allocation ids and the items as booked. */
  outcomes: Array<{ transactionId: string; allocationIds: string[]; items: ItemState[] }>;
}

export interface FactsEnv {
  actor: { type: string; id: string };
  requestId: string | null;
  now: Date;
}

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));

/** The stored form of one matcher decision (MatchProposal row). */
export function proposalRow(transactionId: string, d: MatchDecision, engineVersion: string, now: Date): FactRow {
  return {
    id: newId(),
    transactionId,
    decision: d.status,
    confidenceBp: d.confidenceBp,
    reasons: json(d.reasons),
    allocations: json(d.allocations),
    surplusMinor: d.surplusMinor,
    suggestions: json(d.suggestions),
    returnOf: d.returnOf ? json(d.returnOf) : null,
    engineVersion,
    createdAt: now,
  };
}

const WAITING = ['review', 'unmatched'];

/**
 * The facts of `decisions`, applied in order to `receipts` and `items` (copies are updated: a
 * second payment of an item in the same batch sees it paid by the first). Throws the first
 * refusal (ValidationError, ConflictError); nothing of the batch is then written.
 */
export function bookingFacts(
  state: { receipts: ReadonlyMap<string, ReceiptState>; items: ReadonlyMap<string, ItemState>; subscriptions: readonly SubscriptionState[] },
  decisions: readonly BookingDecision[],
  env: FactsEnv,
): BookingFacts {
  const facts: BookingFacts = { proposals: [], claims: [], allocations: [], items: new Map(), events: [], deliveries: [], suspense: [], audit: [], learned: [], startWaiting: [], stopWaiting: [], outcomes: [] };
  const receipts = new Map<string, ReceiptState>();
  const claimedVersion = new Map<string, number>();
  const createdBy = `${env.actor.type}:${env.actor.id}`;
  const { now } = env;
  const item = (id: string): ItemState | undefined => facts.items.get(id)?.after ?? state.items.get(id);
  const receiptOf = (id: string): ReceiptState => {
    const r = receipts.get(id) ?? state.receipts.get(id);
    if (!r) throw new Error(`booking: receipt ${id} was not read before deciding`);
    return r;
  };
  const suspense = (transactionId: string, amountMinor: bigint, currency: string, reason: SuspenseReason, note: string | null) => {
    if (amountMinor !== 0n) facts.suspense.push({ id: newId(), transactionId, amountMinor, currency, reason, note, createdBy, createdAt: now });
  };
  const audit = (action: string, subjectId: string, reason: string | null, data: Record<string, unknown>) =>
    facts.audit.push({ id: newId(), at: now, actorType: env.actor.type, actorId: env.actor.id, action, subjectType: 'bank_transaction', subjectId, reason, requestId: env.requestId, data: json(data) });
  const claim = (r: ReceiptState, matchState: string, unappliedMinor: bigint) => {
    // One claim per receipt and batch, under the version read before the batch.
    const version = claimedVersion.get(r.id) ?? r.version;
    claimedVersion.set(r.id, version);
    const prior = facts.claims.findIndex((c) => c.id === r.id);
    if (prior >= 0) facts.claims.splice(prior, 1);
    facts.claims.push({ id: r.id, matchState, unappliedMinor, expected_version: version, expected_matchState: (state.receipts.get(r.id) ?? r).matchState });
    receipts.set(r.id, { ...r, matchState, unappliedMinor, version: r.version + 1 });
  };

  for (const d of decisions) {
    const r = receiptOf(d.transactionId);
    if (d.type === 'wait') {
      if (r.version !== d.expectVersion) throw new ConflictError(`payment ${r.entryRef}#${r.position} was changed since it was looked at; reload it`);
      facts.proposals.push(d.proposal);
      if (r.matchState !== 'pending') {
        // Still for a person: the new proposal (with fresh suggestions) is in force; no money moves.
        // A receipt that had no suggestion and now has one (its item arrived after the statement)
        // says so. The receipt is claimed even when its state stays: what a person confirms is
        // "suggestion n" of the proposal they saw at a version, so a new proposal moves the version
        // (their confirmation becomes a 409, never a booking of suggestions they did not see), and
        // a proposal decided on the receipt before someone booked it is refused instead of being
        // stored after the booking.
        const waitAs = (d.status === 'review' || d.status === 'unmatched') && WAITING.includes(r.matchState) ? d.status : r.matchState;
        claim(r, waitAs, r.unappliedMinor);
        facts.outcomes.push({ transactionId: r.id, allocationIds: [], items: [] });
        continue;
      }
      claim(r, d.status, r.unappliedMinor);
      if (d.status !== 'ignored' && r.creditDebit === 'CRDT' && r.unappliedMinor > 0n) {
        // Money nobody could assign yet is held in suspense (Verwahrung) until a person decides.
        suspense(r.id, r.unappliedMinor, r.currency, 'unassigned', d.status === 'review' ? 'waiting for review' : 'no matching open item');
        receipts.set(r.id, { ...receipts.get(r.id)!, heldMinor: r.heldMinor + r.unappliedMinor });
        facts.startWaiting.push(r);
      }
      facts.outcomes.push({ transactionId: r.id, allocationIds: [], items: [] });
      continue;
    }

    if (!d.expectStates.includes(r.matchState)) {
      throw new ConflictError(`payment ${r.entryRef}#${r.position} is ${r.matchState} now (someone else decided it); reload it`);
    }
    if (r.creditDebit !== 'CRDT') throw new ValidationError('only incoming payments (credits) can be allocated to open items', { field: 'transactionId' });
    if (d.lines.length === 0) throw new ValidationError('at least one allocation is needed', { field: 'allocations' });
    for (const l of d.lines) if (l.amountMinor <= 0n) throw new ValidationError('each allocated amount must be positive', { field: 'allocations' });
    const total = d.lines.reduce((s, l) => s + l.amountMinor, 0n);
    const surplus = d.surplusMinor ?? 0n;
    if (surplus < 0n) throw new Error(`invariant: negative surplus ${surplus} for payment ${r.id}`);
    if (total + surplus > r.unappliedMinor) {
      throw new ValidationError(`allocations of ${formatMinor(total, r.currency)} exceed what is left of the payment (${formatMinor(r.unappliedMinor, r.currency)})`, { field: 'allocations' });
    }
    if (new Set(d.lines.map((l) => l.itemId)).size !== d.lines.length) throw new ValidationError('an item appears twice in one allocation; combine the amounts', { field: 'allocations' });
    if (d.expectVersion !== undefined && r.version !== d.expectVersion) throw new ConflictError(`payment ${r.entryRef}#${r.position} was changed since it was looked at; reload it`);
    // Every item is checked before anything is decided: a booking happens whole or not at all.
    for (const l of d.lines) {
      const it = item(l.itemId);
      if (!it) throw new ConflictError(`open item ${l.itemId} does not exist (any more)`);
      if (it.cancelledAt) throw new ConflictError(`open item ${it.kassenzeichen} is cancelled; no payment can be allocated to it`);
      if (it.currency !== r.currency) throw new ValidationError(`item ${it.kassenzeichen} is in ${it.currency}, the payment in ${r.currency}`, { field: 'allocations' });
      const seen = d.expectItemVersions?.get(it.id);
      if (seen !== undefined && seen !== it.version) throw new ConflictError(`open item ${it.kassenzeichen} changed after the decision was made (e.g. paid meanwhile); the payment is decided again`);
    }

    if (d.proposal) facts.proposals.push(d.proposal);
    const proposalId = d.proposalId ?? (d.proposal ? (d.proposal.id as string) : null);
    claim(r, d.matchState, r.unappliedMinor - total);
    if (WAITING.includes(r.matchState)) facts.stopWaiting.push(r.id);

    const allocationIds: string[] = [];
    const booked: ItemState[] = [];
    for (const l of d.lines) {
      const before = item(l.itemId)!;
      const allocationId = newId();
      allocationIds.push(allocationId);
      facts.allocations.push({ id: allocationId, transactionId: r.id, openItemId: l.itemId, amountMinor: l.amountMinor, currency: r.currency, kind: d.kind, proposalId, approvalId: d.approvalId ?? null, reason: d.reason, createdBy, createdAt: now });
      const paidMinor = before.paidMinor + l.amountMinor;
      const status = itemStatus(before.amountMinor, paidMinor, false);
      const after: ItemState = { ...before, paidMinor, status, version: before.version + 1 };
      const firstVersion = facts.items.get(before.id)?.before ?? before.version;
      facts.items.set(before.id, { before: firstVersion, after });
      booked.push(after);
      const type: ItemEventType = status === 'paid' ? 'item.paid' : status === 'overpaid' ? 'item.overpaid' : 'item.partly_paid';
      const body = buildItemEventBody(after, type, { previousStatus: before.status as ItemStatus, reason: d.reason, allocationId }, now);
      facts.events.push({ id: body.id, openItemId: before.id, type, issuerClientId: before.issuerClientId, payload: JSON.stringify(body), createdAt: now });
      // Webhook outbox: one delivery per event and subscription that wants it, in the same write.
      if (before.issuerClientId) {
        for (const s of state.subscriptions) {
          if (s.clientId === before.issuerClientId && wantsEvent(s, type)) {
            facts.deliveries.push({ id: newId(), subscriptionId: s.id, eventId: body.id, state: 'pending', nextAttemptAt: now, cycleStartedAt: now, createdAt: now });
          }
        }
      }
    }

    if (r.heldMinor > 0n) {
      // The money was waiting in suspense (a person books it from the review queue): it leaves now.
      suspense(r.id, -total, r.currency, 'allocated', null);
    } else if (surplus > 0n) {
      // Only a fresh receipt's surplus moves in; money already waiting in suspense is there.
      suspense(r.id, surplus, r.currency, 'overpayment', 'paid more than was open');
    }
    const held = r.heldMinor > 0n ? r.heldMinor - total : surplus;
    const after = { ...receipts.get(r.id)!, heldMinor: held };
    receipts.set(r.id, after);
    // Asserted before writing: the decision never books more than the payment brought.
    if (after.unappliedMinor < 0n || held !== after.unappliedMinor) {
      throw new Error(`invariant: payment ${r.id} of ${r.amountMinor} would keep ${after.unappliedMinor} unapplied and ${held} in suspense`);
    }
    audit(`allocation.${d.kind}`, r.id, d.reason, {
      allocations: d.lines.map((l, i) => ({ allocationId: allocationIds[i], itemId: l.itemId, amount: formatMinor(l.amountMinor, r.currency) })),
      surplus: formatMinor(surplus, r.currency),
      ...(d.approvalId ? { approvalId: d.approvalId } : {}),
    });
    if (d.learnPayer) {
      const iban = normalizeIban(r.debtorIban ?? undefined);
      if (iban) for (const key of new Set(booked.map((b) => debtorNameKey(b.debtorName)))) facts.learned.push({ iban, debtorNameKey: key });
    }
    facts.outcomes.push({ transactionId: r.id, allocationIds, items: booked });
  }
  return facts;
}
