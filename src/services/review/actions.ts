/**
 * What a person does with a payment from the review queue. The same verbs serve the API (an API
 * client acts) and the staff UI (a signed-in user acts): `ctx.actor` is who is recorded.
 *
 * Each verb reads the receipt, checks it is still as the person saw it (state, optional version,
 * no approval pending), turns the request into a BookingPlan and either books it at once or, at or
 * above the four-eyes threshold, holds it for a second person (see approvals.ts). All of it in one
 * database transaction; the ledger's version claim makes two people deciding the same payment at
 * the same moment end in one booking and one ConflictError.
 */
import { actorLabel, type Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { formatMinor, parseAmountInput } from '../../money/money.js';
import { isValidIban, maskIban, normalizeIban } from '../../references/iban.js';
import { normalizeReference } from '../../references/kassenzeichen.js';
import { writeAudit } from '../shared/audit.js';
import { holdForApproval, type ApprovalRequired } from './approvals.js';
import { carryOut, paymentState, type Booked, type PaymentState } from './carryOut.js';
import { checkReturnOf, refundDebitFor } from './departures.js';
import { planAmount, type BookingPlan, type PlanLine } from './plan.js';
import { AWAITING_APPROVAL, CONFIRMABLE_STATES, DECIDABLE_STATES, NOT_REVERSIBLE_STATES, REFUND, RETURNABLE_STATES } from './states.js';
import { reasonTexts, type Reason } from '../../matching/reasons.js';
import { reassessSuggestion } from './reassess.js';

export type BookingOutcome = Booked | ApprovalRequired;

type Receipt = NonNullable<Awaited<ReturnType<Tx['bankTransaction']['findUnique']>>>;

interface DecisionOptions {
  /** The receipt version the person saw (from the detail view); a different one is a 409. */
  version?: number;
  /** States this decision may start from; DECIDABLE_STATES when left out. */
  states?: readonly string[];
}

/** Stays the same for the whole transaction: the receipt as checked, or a clear refusal. */
async function receiptForDecision(tx: Tx, transactionId: string, opts: DecisionOptions = {}): Promise<Receipt> {
  const r = await tx.bankTransaction.findUnique({ where: { id: transactionId } });
  if (!r) throw new NotFoundError('payment', transactionId);
  const ref = `${r.entryRef}#${r.position}`;
  await refuseWhileAwaitingApproval(tx, r);
  if (opts.version !== undefined && opts.version !== r.version) {
    throw new ConflictError(`payment ${ref} changed since you read it (version ${opts.version}, now ${r.version}, ${r.matchState}); reload it`, { currentVersion: r.version, state: r.matchState, refusal: { code: 'changedSinceRead', ref } });
  }
  if (r.creditDebit !== 'CRDT') throw new ConflictError(`payment ${ref} is an outgoing payment (debit); only incoming money is booked to open items`);
  const states: readonly string[] = opts.states ?? DECIDABLE_STATES;
  if (!states.includes(r.matchState)) throw new ConflictError(`payment ${ref} is ${r.matchState}; this cannot be decided from there`, { state: r.matchState, refusal: { code: 'notFromState', ref, state: r.matchState } });
  if (r.unappliedMinor <= 0n) throw new ConflictError(`nothing of payment ${ref} is left in suspense to decide on`, { state: r.matchState, refusal: { code: 'nothingLeft', ref } });
  return r;
}

/**
 * Decisions on one payment are taken one after another. On PostgreSQL (several instances, or
 * concurrent requests) a second clerk's transaction waits here until the first has committed and
 * then reads what it booked — a clear 409 ("already confirmed … reload it") instead of a plan
 * computed from the payment as it was before (which failed later with a 422 about the amount
 * left). SQLite has one writer at a time anyway.
 */
async function lockPayment(tx: Tx, ctx: Ctx, ...transactionIds: string[]): Promise<void> {
  if (ctx.db.backend !== 'postgresql') return;
  // Always in the same order, so two decisions touching the same two rows cannot deadlock.
  for (const id of [...new Set(transactionIds)].sort()) {
    await tx.$queryRawUnsafe('SELECT 1 AS locked FROM "BankTransaction" WHERE "id" = $1 FOR UPDATE', id);
  }
}

/** While a booking on a payment waits for approval, nothing else is booked on it. */
async function refuseWhileAwaitingApproval(tx: Tx, r: Receipt): Promise<void> {
  if (r.matchState !== AWAITING_APPROVAL) return;
  const pending = await tx.approval.findFirst({ where: { transactionId: r.id, status: 'pending' }, select: { id: true } });
  throw new ConflictError(`payment ${r.entryRef}#${r.position} waits for approval ${pending?.id ?? '(unknown)'} of a booking; approve or reject that first`, { approvalId: pending?.id ?? null, refusal: { code: 'awaitingApproval', ref: `${r.entryRef}#${r.position}` } });
}

/** Books now, or holds for approval when the amount reaches the four-eyes threshold (or when asked to). */
async function bookOrHold(tx: Tx, ctx: Ctx, receipt: Receipt, plan: BookingPlan, forceApproval: boolean): Promise<BookingOutcome> {
  if (forceApproval || planAmount(plan) >= ctx.config.fourEyesThresholdMinor) return holdForApproval(tx, ctx, receipt, plan);
  // The version as checked (the one the person saw, when they sent it): the booking claims exactly it.
  return carryOut(tx, ctx, plan, { expectStates: [receipt.matchState], expectVersion: receipt.version });
}

function text(value: string | undefined, field: string, required: boolean): string {
  const t = value?.trim() ?? '';
  if (required && t.length === 0) throw new ValidationError(`${field}: say why, in 1 to 500 characters`, { field });
  if (t.length > 500) throw new ValidationError(`${field}: at most 500 characters`, { field });
  return t;
}

export interface ConfirmInput {
  transactionId: string;
  /** Index into the latest proposal's ranked suggestions (0 = the best). */
  suggestion: number;
  version?: number;
  note?: string;
  /**
   * Book even though an item has less open now than the suggestion books (it was paid in part
   * since the matcher looked): the surplus makes the item overpaid. Without it such a confirmation
   * is refused and says by how much it would overpay.
   */
  acceptOverpayment?: boolean;
  /**
   * The person looked at the reasons against a suggestion the matcher itself doubts (reasons
   * against it, or a confidence under DOUBT_BELOW_BP). The workplace always sends it (false from a
   * quick key); an API client leaves it out, having decided in its own way.
   */
  doubtChecked?: boolean;
}

type StoredSuggestion = { allocations: Array<{ itemId: string; kassenzeichen: string; amountMinor: string }>; confidenceBp: number; reasons: Array<Reason | string> };

async function planConfirm(tx: Tx, input: ConfirmInput): Promise<{ receipt: Receipt; plan: BookingPlan }> {
  const receipt = await receiptForDecision(tx, input.transactionId, { ...(input.version !== undefined ? { version: input.version } : {}), states: CONFIRMABLE_STATES });
  const ref = `${receipt.entryRef}#${receipt.position}`;
  const proposal = await tx.matchProposal.findFirst({ where: { transactionId: receipt.id }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
  const suggestions = proposal ? (JSON.parse(proposal.suggestions) as StoredSuggestion[]) : [];
  const s = suggestions[input.suggestion];
  if (!proposal || !s) throw new ValidationError(`suggestion: the payment has ${suggestions.length} suggestion(s); ${input.suggestion} is not one of them`, { field: 'suggestion' });
  // A proposal is confirmed once: a second confirmation (a clerk who did not reload) would book the items again.
  const booked = await tx.allocation.findFirst({ where: { transactionId: receipt.id, proposalId: proposal.id, reversal: null } });
  if (booked) throw new ConflictError(`the matcher's proposal for payment ${ref} was already confirmed by ${booked.createdBy} at ${booked.createdAt.toISOString()}; reload it`, { state: receipt.matchState, refusal: { code: 'alreadyConfirmed', ref } });
  const note = text(input.note, 'note', false);
  const lines: PlanLine[] = s.allocations.map((a) => ({ itemId: a.itemId, kassenzeichen: a.kassenzeichen, amountMinor: BigInt(a.amountMinor) }));
  const total = lines.reduce((sum, l) => sum + l.amountMinor, 0n);
  if (total > receipt.unappliedMinor) {
    throw new ConflictError(`the suggestion books ${formatMinor(total, receipt.currency)} but only ${formatMinor(receipt.unappliedMinor, receipt.currency)} of payment ${ref} is left; reload it`, {
      state: receipt.matchState,
      refusal: { code: 'moreThanLeft', ref, books: formatMinor(total, receipt.currency), left: formatMinor(receipt.unappliedMinor, receipt.currency) },
    });
  }
  // The suggestion against the items as they are now (the matcher looked at them when the statement came).
  const items = await tx.openItem.findMany({ where: { id: { in: [...new Set(lines.map((l) => l.itemId))] } }, select: { id: true, kassenzeichen: true, amountMinor: true, paidMinor: true, cancelledAt: true } });
  const now = reassessSuggestion({ lines, confidenceBp: s.confidenceBp, reasons: s.reasons }, new Map(items.map((i) => [i.id, { ...i, cancelled: i.cancelledAt !== null }])));
  const fmt = (m: bigint) => formatMinor(m, receipt.currency);
  if (now.standing === 'stale') {
    const gone = now.lines.filter((l) => l.standing !== 'fits' && l.standing !== 'exceeds').map((l) => l.kassenzeichen);
    throw new ConflictError(`suggestion ${input.suggestion + 1} for payment ${ref} no longer fits: ${gone.join(', ')} paid, cancelled or gone since it was made; allocate by hand`, {
      state: receipt.matchState,
      refusal: { code: 'suggestionStale', ref, kassenzeichen: gone },
    });
  }
  if (now.standing === 'overpays' && input.acceptOverpayment !== true) {
    const over = now.lines.filter((l) => l.overpayMinor > 0n);
    throw new ConflictError(
      `confirming suggestion ${input.suggestion + 1} would overpay ${over.map((l) => `${l.kassenzeichen} by ${fmt(l.overpayMinor)} (${fmt(l.openMinor)} open)`).join(', ')}; confirm again with acceptOverpayment to book it anyway`,
      { state: receipt.matchState, refusal: { code: 'suggestionOverpays', ref, lines: over.map((l) => ({ kassenzeichen: l.kassenzeichen, by: fmt(l.overpayMinor), open: fmt(l.openMinor) })) } },
    );
  }
  if (now.doubtful && input.doubtChecked === false) {
    throw new ConflictError(`the matcher doubts suggestion ${input.suggestion + 1} for payment ${ref} (${now.against.join(', ') || `confidence ${Math.floor(s.confidenceBp / 100)} %`}); tick that you checked the reasons against it`, {
      state: receipt.matchState,
      refusal: { code: 'suggestionDoubtful', ref },
    });
  }
  const reason = `suggestion ${input.suggestion + 1} confirmed: ${reasonTexts(s.reasons, 'en').join('; ')}${now.overpayMinor > 0n ? ` (overpays by ${fmt(now.overpayMinor)}, accepted)` : ''}${note ? ` — ${note}` : ''}`;
  return { receipt, plan: { kind: 'confirm_suggestion', transactionId: receipt.id, proposalId: proposal.id, suggestion: input.suggestion, lines, reason } };
}

/** Books a suggestion of the matcher as proposed (allocation kind `confirmed`) and learns the payer's IBAN. */
export async function confirmSuggestion({ ctx, input }: { ctx: Ctx; input: ConfirmInput }): Promise<BookingOutcome> {
  return ctx.db.transaction(async (tx) => {
    await lockPayment(tx, ctx, input.transactionId);
    const { receipt, plan } = await planConfirm(tx, input);
    return bookOrHold(tx, ctx, receipt, plan, false);
  });
}

export interface ManualAllocationInput {
  transactionId: string;
  /** One line per item: by id or by Kassenzeichen, with the amount "30.70". */
  allocations: Array<{ itemId?: string; kassenzeichen?: string; amount: string }>;
  note: string;
  version?: number;
}

async function planManual(tx: Tx, input: ManualAllocationInput): Promise<{ receipt: Receipt; plan: BookingPlan }> {
  const note = text(input.note, 'note', true);
  const receipt = await receiptForDecision(tx, input.transactionId, input.version !== undefined ? { version: input.version } : {});
  if (input.allocations.length === 0) throw new ValidationError('allocations: at least one item', { field: 'allocations' });
  const lines: PlanLine[] = [];
  for (const [i, a] of input.allocations.entries()) {
    const field = `allocations.${i}`;
    if (!a.itemId === !a.kassenzeichen) throw new ValidationError(`${field}: give either itemId or kassenzeichen`, { field });
    const item = a.itemId
      ? await tx.openItem.findUnique({ where: { id: a.itemId } })
      : await tx.openItem.findUnique({ where: { kassenzeichen: normalizeReference(a.kassenzeichen!) } });
    if (!item) throw new ValidationError(`${field}: no open item ${a.itemId ?? a.kassenzeichen}`, { field });
    if (item.cancelledAt) throw new ValidationError(`${field}: open item ${item.kassenzeichen} is cancelled`, { field });
    const amountMinor = parseAmountInput(a.amount, receipt.currency, { field: `${field}.amount` }).minor;
    if (amountMinor <= 0n) throw new ValidationError(`${field}.amount: must be more than 0.00`, { field: `${field}.amount` });
    lines.push({ itemId: item.id, kassenzeichen: item.kassenzeichen, amountMinor });
  }
  const total = lines.reduce((s, l) => s + l.amountMinor, 0n);
  if (total > receipt.unappliedMinor) {
    throw new ValidationError(`allocations: ${formatMinor(total, receipt.currency)} is more than the ${formatMinor(receipt.unappliedMinor, receipt.currency)} left of the payment`, { field: 'allocations' });
  }
  return { receipt, plan: { kind: 'manual_allocation', transactionId: receipt.id, lines, reason: note } };
}

/** Books the payment to one or several items as a person decided; what is left stays in suspense. */
export async function allocateManually({ ctx, input }: { ctx: Ctx; input: ManualAllocationInput }): Promise<BookingOutcome> {
  return ctx.db.transaction(async (tx) => {
    await lockPayment(tx, ctx, input.transactionId);
    const { receipt, plan } = await planManual(tx, input);
    return bookOrHold(tx, ctx, receipt, plan, false);
  });
}

export interface ReverseInput {
  allocationId: string;
  reason: string;
  /** The version of the allocation's payment the person saw; a different one is a 409. */
  version?: number;
}

async function planReverse(tx: Tx, ctx: Ctx, input: ReverseInput): Promise<{ receipt: Receipt; plan: BookingPlan }> {
  const reason = text(input.reason, 'reason', true);
  const found = await tx.allocation.findUnique({ where: { id: input.allocationId }, select: { transactionId: true } });
  if (!found) throw new NotFoundError('allocation', input.allocationId);
  await lockPayment(tx, ctx, found.transactionId);
  const a = await tx.allocation.findUniqueOrThrow({ where: { id: input.allocationId }, include: { reversal: true, openItem: { select: { kassenzeichen: true } } } });
  if (a.reversal) throw new ConflictError(`allocation ${a.id} was already reversed on ${a.reversal.createdAt.toISOString()}`);
  const receipt = await tx.bankTransaction.findUniqueOrThrow({ where: { id: a.transactionId } });
  const ref = `${receipt.entryRef}#${receipt.position}`;
  await refuseWhileAwaitingApproval(tx, receipt);
  if (input.version !== undefined && input.version !== receipt.version) {
    throw new ConflictError(`payment ${ref} changed since you read it (version ${input.version}, now ${receipt.version}, ${receipt.matchState}); reload it`, { currentVersion: receipt.version, state: receipt.matchState });
  }
  if ((NOT_REVERSIBLE_STATES as readonly string[]).includes(receipt.matchState)) {
    const hint = receipt.matchState === REFUND ? '; un-mark the refund first (unmark-refund) if the money stays' : '';
    throw new ConflictError(`payment ${ref} is ${receipt.matchState}; its allocations cannot be undone from here${hint}`, { state: receipt.matchState });
  }
  return {
    receipt,
    plan: { kind: 'reversal', transactionId: receipt.id, allocationId: a.id, itemId: a.openItemId, kassenzeichen: a.openItem.kassenzeichen, amountMinor: a.amountMinor, reason },
  };
}

/**
 * Undoes a booking (automatic or by a person): a reversal row, the item reopens (its issuer is told
 * through the item event), the money goes back to suspense and the payment back to review.
 */
export async function reverseBooking({ ctx, input }: { ctx: Ctx; input: ReverseInput }): Promise<BookingOutcome> {
  return ctx.db.transaction(async (tx) => {
    // planReverse locks the payment (PostgreSQL) before reading it: a proposal racing for it waits
    // for us and then finds it changed.
    const { receipt, plan } = await planReverse(tx, ctx, input);
    return bookOrHold(tx, ctx, receipt, plan, false);
  });
}

export type ProposalInput =
  | { action: 'confirm'; input: ConfirmInput }
  | { action: 'allocate'; input: ManualAllocationInput }
  | { action: 'reverse'; input: ReverseInput }
  | { action: 'book_refund'; input: BookRefundInput }
  | { action: 'resolve_return'; input: ResolveReturnInput };

async function planFor(tx: Tx, ctx: Ctx, p: ProposalInput): Promise<{ receipt: Receipt; plan: BookingPlan }> {
  switch (p.action) {
    case 'confirm':
      await lockPayment(tx, ctx, p.input.transactionId);
      return planConfirm(tx, p.input);
    case 'allocate':
      await lockPayment(tx, ctx, p.input.transactionId);
      return planManual(tx, p.input);
    case 'reverse':
      return planReverse(tx, ctx, p.input);
    case 'book_refund':
      return planRefund(tx, ctx, p.input);
    case 'resolve_return':
      return planReturn(tx, ctx, p.input);
  }
}

/** Holds a booking for a second person's approval whatever its amount (a clerk who wants a second opinion). */
export async function proposeApproval({ ctx, input }: { ctx: Ctx; input: ProposalInput }): Promise<ApprovalRequired> {
  return ctx.db.transaction(async (tx) => {
    const { receipt, plan } = await planFor(tx, ctx, input);
    return (await bookOrHold(tx, ctx, receipt, plan, true)) as ApprovalRequired;
  });
}

/**
 * Leaves the money in suspense with a note (state `parked`): a person looked and is waiting for
 * something (a call back, the claim to be raised). No money moves, so no ledger row is written;
 * the note is in the audit trail and shown with the payment.
 */
export async function parkPayment({ ctx, input }: { ctx: Ctx; input: { transactionId: string; note: string; version?: number } }): Promise<PaymentState> {
  const note = text(input.note, 'note', true);
  return ctx.db.transaction(async (tx) => {
    await lockPayment(tx, ctx, input.transactionId);
    const r = await receiptForDecision(tx, input.transactionId, input.version !== undefined ? { version: input.version } : {});
    await claim(tx, r, 'parked');
    await writeAudit(tx, ctx, { action: 'payment.parked', subjectType: 'bank_transaction', subjectId: r.id, reason: note, data: { previousState: r.matchState, inSuspense: formatMinor(r.unappliedMinor, r.currency) } });
    return paymentState(tx, r.id);
  });
}

export interface RefundInput {
  transactionId: string;
  note: string;
  /** Account to pay back to; the payer's IBAN from the bank statement when left out. */
  iban?: string;
  version?: number;
}

/**
 * Marks what is left of a payment for refund (state `refund`). The money stays in suspense until
 * the refund is booked by the finance system, which needs: to whom, which account, how much and
 * why. That instruction is recorded in the audit entry (the IBAN in full: the finance system pays
 * to it) and shown with the payment; logs only ever see the masked IBAN.
 */
export async function markForRefund({ ctx, input }: { ctx: Ctx; input: RefundInput }): Promise<PaymentState & { refund: { recipientName: string | null; iban: string; amount: string } }> {
  const note = text(input.note, 'note', true);
  const iban = normalizeIban(input.iban ?? '');
  if (input.iban !== undefined && !isValidIban(iban)) throw new ValidationError('iban: not a valid IBAN (check digits or length wrong)', { field: 'iban' });
  return ctx.db.transaction(async (tx) => {
    await lockPayment(tx, ctx, input.transactionId);
    const r = await receiptForDecision(tx, input.transactionId, input.version !== undefined ? { version: input.version } : {});
    const to = input.iban !== undefined ? iban : normalizeIban(r.debtorIban ?? '');
    if (!to || !isValidIban(to)) throw new ValidationError('iban: the payment carries no usable payer IBAN; give the account to refund to', { field: 'iban' });
    await claim(tx, r, 'refund');
    const amount = formatMinor(r.unappliedMinor, r.currency);
    const refund = { recipientName: r.ultimateDebtorName && !r.debtorName ? r.ultimateDebtorName : r.debtorName, iban: to, amount };
    await writeAudit(tx, ctx, {
      action: 'payment.refund_requested',
      subjectType: 'bank_transaction',
      subjectId: r.id,
      reason: note,
      data: { ...refund, currency: r.currency, bic: input.iban === undefined ? r.debtorBic : null, endToEndId: r.endToEndId, remittance: `Rueckzahlung ${r.entryRef}#${r.position}`, previousState: r.matchState },
    });
    ctx.log.info({ transactionId: r.id, account: maskIban(to), amount, by: actorLabel(ctx.actor) }, 'payment marked for refund');
    return { ...(await paymentState(tx, r.id)), refund };
  });
}

export interface BookRefundInput {
  /** The receipt marked for refund. */
  transactionId: string;
  /** The outgoing payment (debit, on a later statement) that paid it back. */
  refundTransactionId: string;
  note?: string;
  /** The receipt version the person saw; a different one is a 409. */
  version?: number;
}

async function planRefund(tx: Tx, ctx: Ctx, input: BookRefundInput): Promise<{ receipt: Receipt; plan: BookingPlan }> {
  const note = text(input.note, 'note', false);
  await lockPayment(tx, ctx, input.transactionId, input.refundTransactionId);
  const receipt = await receiptForDecision(tx, input.transactionId, { ...(input.version !== undefined ? { version: input.version } : {}), states: [REFUND] });
  const debit = await refundDebitFor(tx, receipt, input.refundTransactionId, receipt.unappliedMinor);
  const reason = `refund paid out with ${debit.entryRef}#${debit.position}${note ? ` — ${note}` : ''}`;
  return { receipt, plan: { kind: 'refund', transactionId: receipt.id, refundTransactionId: debit.id, amountMinor: receipt.unappliedMinor, reason } };
}

/**
 * Books a refund once the bank shows it leaving: the receipt marked for refund and the outgoing
 * payment that paid it back are linked (`refunded` / `refund_booked`), the money leaves suspense.
 * At or above the four-eyes threshold it waits for a second person, like any booking.
 */
export async function bookRefund({ ctx, input }: { ctx: Ctx; input: BookRefundInput }): Promise<BookingOutcome> {
  return ctx.db.transaction(async (tx) => {
    const { receipt, plan } = await planRefund(tx, ctx, input);
    return bookOrHold(tx, ctx, receipt, plan, false);
  });
}

/**
 * Takes back a refund mark (the payer called: the money is for a claim after all): the payment goes
 * back to review with its money in suspense. Nothing left the bank, so no money moves.
 */
export async function unmarkRefund({ ctx, input }: { ctx: Ctx; input: { transactionId: string; note: string; version?: number } }): Promise<PaymentState> {
  const note = text(input.note, 'note', true);
  return ctx.db.transaction(async (tx) => {
    await lockPayment(tx, ctx, input.transactionId);
    const r = await receiptForDecision(tx, input.transactionId, { ...(input.version !== undefined ? { version: input.version } : {}), states: [REFUND] });
    // In a refund run the money is on its way (or about to be): the run decides, not the mark.
    const standing = await tx.refund.findUnique({ where: { standingFor: r.id }, select: { state: true, run: { select: { number: true } } } });
    if (standing) throw new ConflictError(`payment ${r.entryRef}#${r.position} is in refund run ${standing.run.number} (${standing.state}); ${standing.state === 'in_run' ? 'cancel the run first' : 'the refund was sent to the bank'}`, { state: r.matchState });
    await claim(tx, r, 'review');
    await writeAudit(tx, ctx, { action: 'payment.refund_cancelled', subjectType: 'bank_transaction', subjectId: r.id, reason: note, data: { inSuspense: formatMinor(r.unappliedMinor, r.currency) } });
    return paymentState(tx, r.id);
  });
}

export interface ResolveReturnInput {
  /** The return the matcher could not place (state return_open, a debit). */
  transactionId: string;
  /** The receipt it takes back. */
  receiptId: string;
  /** The receipt's live allocations as the person saw them; when sent, any other set is a 409. */
  allocationIds?: string[];
  note?: string;
  /** The return's version the person saw; a different one is a 409. */
  version?: number;
}

async function planReturn(tx: Tx, ctx: Ctx, input: ResolveReturnInput): Promise<{ receipt: Receipt; plan: BookingPlan }> {
  const note = text(input.note, 'note', false);
  await lockPayment(tx, ctx, input.transactionId, input.receiptId);
  const ret = await tx.bankTransaction.findUnique({ where: { id: input.transactionId } });
  if (!ret) throw new NotFoundError('payment', input.transactionId);
  const retRef = `${ret.entryRef}#${ret.position}`;
  if (input.version !== undefined && input.version !== ret.version) {
    throw new ConflictError(`payment ${retRef} changed since you read it (version ${input.version}, now ${ret.version}, ${ret.matchState}); reload it`, { currentVersion: ret.version, state: ret.matchState });
  }
  const receipt = await tx.bankTransaction.findUnique({ where: { id: input.receiptId } });
  if (!receipt) throw new ValidationError(`receiptId: no bank transaction ${input.receiptId}`, { field: 'receiptId' });
  await refuseWhileAwaitingApproval(tx, receipt);
  checkReturnOf(ret, receipt);
  if (!(RETURNABLE_STATES as readonly string[]).includes(receipt.matchState)) {
    throw new ConflictError(`payment ${receipt.entryRef}#${receipt.position} is ${receipt.matchState}; a return can take back only a receipt whose money is still ours`, { state: receipt.matchState });
  }
  const live = await tx.allocation.findMany({ where: { transactionId: receipt.id, reversal: null }, select: { id: true } });
  const ids = live.map((a) => a.id).sort();
  if (input.allocationIds !== undefined) {
    const seen = [...new Set(input.allocationIds)].sort();
    if (seen.length !== ids.length || seen.some((id, i) => id !== ids[i])) {
      throw new ConflictError(`the bookings of payment ${receipt.entryRef}#${receipt.position} are not the ones you saw (now: ${ids.join(', ') || 'none'}); reload it`, { allocationIds: ids });
    }
  }
  const reason = `payment returned by the bank with ${retRef}${ret.returnReasonCode ? ` (${ret.returnReasonCode})` : ''}${note ? ` — ${note}` : ''}`;
  return { receipt, plan: { kind: 'return', transactionId: receipt.id, returnTransactionId: ret.id, allocationIds: ids, amountMinor: receipt.amountMinor, reason } };
}

/**
 * Places a return the matcher could not place: the receipt it takes back loses its bookings (the
 * items reopen, their issuers are told) and whatever of it waited in suspense; it becomes
 * `returned`, the return `return`. At or above the four-eyes threshold it waits for a second person.
 */
export async function resolveReturn({ ctx, input }: { ctx: Ctx; input: ResolveReturnInput }): Promise<BookingOutcome> {
  return ctx.db.transaction(async (tx) => {
    const { receipt, plan } = await planReturn(tx, ctx, input);
    return bookOrHold(tx, ctx, receipt, plan, false);
  });
}

async function claim(tx: Tx, r: Receipt, state: string): Promise<void> {
  const n = await tx.bankTransaction.updateMany({ where: { id: r.id, version: r.version }, data: { matchState: state, version: { increment: 1 } } });
  if (n.count !== 1) throw new ConflictError(`payment ${r.entryRef}#${r.position} was changed by someone else at the same moment; reload it`);
}
