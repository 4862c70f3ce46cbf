import { BalanceMismatchError, type ErrorLocation } from '../errors.js';
import { formatMinor } from '../money/money.js';
import type { Balance, BalanceCheck, DetailsDisagreement, Entry, Statement, StatementHeader } from './model.js';

/**
 * The invariant of every bank statement: opening balance + signed booked entries = closing
 * balance, to the cent. Computed while reading (the reader keeps only the running sum), decided
 * by the import service: camt.053 with a broken balance is refused (assertBalanced), camt.052
 * and camt.054 are informational.
 */

/** Running totals of one record's booked entries. */
export interface BookedTotals {
  sum: bigint;
  count: number;
  currencies: Set<string>;
}

export function newTotals(): BookedTotals {
  return { sum: 0n, count: 0, currencies: new Set() };
}

/** Adds an entry to the totals; only status BOOK moves the balance (PDNG and INFO do not). */
export function addEntry(totals: BookedTotals, entry: Entry): void {
  if (entry.status !== 'BOOK') return;
  totals.sum += entry.signedMinor;
  totals.count++;
  totals.currencies.add(entry.amount.currency);
}

function pick(balances: Balance[], type: string, skip?: Balance): Balance | undefined {
  const of = balances.filter((b) => b.type === type && b !== skip);
  // A balance with a sub type (e.g. INTM, an intermediate balance of a paginated statement) is
  // only used when no plain one is sent.
  return of.find((b) => b.subType === undefined) ?? of[0];
}

function pickLast(balances: Balance[], type: string, skip?: Balance): Balance | undefined {
  const of = balances.filter((b) => b.type === type && b !== skip);
  return of[of.length - 1];
}

export function checkBalance(header: StatementHeader, totals: BookedTotals): BalanceCheck {
  const b = header.balances;
  const report = header.kind === 'camt.052';
  const opening = pick(b, 'OPBD') ?? pick(b, 'PRCD') ?? (report ? pick(b, 'ITBD') : undefined);
  const closing = pick(b, 'CLBD') ?? (report ? (pickLast(b, 'ITBD', opening) ?? pick(b, 'CLAV')) : undefined);
  const notChecked = (reason: string): BalanceCheck => {
    const c: BalanceCheck = { status: 'not_checked', bookedSum: totals.sum, differenceMinor: 0n, reason };
    if (opening) c.opening = opening.signedMinor;
    if (closing) c.closing = closing.signedMinor;
    return c;
  };
  if (!opening && !closing) {
    return notChecked(`${header.kind} ${header.id} carries no opening and closing balance`);
  }
  if (!opening) return notChecked(`${header.kind} ${header.id} carries no opening balance (OPBD or PRCD), only ${closing!.type}`);
  if (!closing) return notChecked(`${header.kind} ${header.id} carries no closing balance (CLBD), only ${opening.type}`);
  const currency = opening.amount.currency;
  if (closing.amount.currency !== currency) {
    return notChecked(`the ${opening.type} balance is in ${currency} but the ${closing.type} balance in ${closing.amount.currency}`);
  }
  const foreign = [...totals.currencies].filter((c) => c !== currency);
  if (foreign.length > 0) {
    return notChecked(`booked entries in ${foreign.join(', ')} cannot be added to a ${currency} balance`);
  }
  const difference = closing.signedMinor - (opening.signedMinor + totals.sum);
  const fmt = (v: bigint): string => formatMinor(v, currency);
  const base = {
    opening: opening.signedMinor,
    closing: closing.signedMinor,
    bookedSum: totals.sum,
    differenceMinor: difference,
    currency,
  };
  if (difference === 0n) {
    return { status: 'ok', ...base, reason: `${opening.type} ${fmt(opening.signedMinor)} + ${totals.count} booked entries (${fmt(totals.sum)}) = ${closing.type} ${fmt(closing.signedMinor)} ${currency}` };
  }
  return {
    status: 'broken',
    ...base,
    reason: `${opening.type} ${fmt(opening.signedMinor)} + ${totals.count} booked entries (${fmt(totals.sum)}) = ${fmt(opening.signedMinor + totals.sum)}, but ${closing.type} is ${fmt(closing.signedMinor)} ${currency}: a difference of ${fmt(difference)}`,
  };
}

/** The balance check of a fully read statement (the reader attaches it as `check`). */
export function balanceCheckOf(statement: Statement): BalanceCheck {
  const totals = newTotals();
  for (const e of statement.entries) addEntry(totals, e);
  return checkBalance(statement, totals);
}

/** Throws BalanceMismatchError when the check is broken; "ok" and "not_checked" pass. */
export function assertBalanced(check: BalanceCheck, location: ErrorLocation & { statementId: string }): void {
  if (check.status !== 'broken') return;
  const currency = check.currency ?? 'EUR';
  const diff = formatMinor(check.differenceMinor < 0n ? -check.differenceMinor : check.differenceMinor, currency);
  const { statementId, ...where } = location;
  throw new BalanceMismatchError(
    `statement ${statementId}${where.file ? ` in ${where.file}` : ''} does not balance: ${check.reason}; off by ${diff} ${currency}`,
    where,
    {
      statementId,
      difference: diff,
      differenceMinor: check.differenceMinor.toString(),
      currency,
      opening: check.opening?.toString(),
      closing: check.closing?.toString(),
      bookedSum: check.bookedSum.toString(),
    },
  );
}

/**
 * Do the transaction details agree with the entry? The entry amount is what the bank booked on our
 * account; a detail is only what it says about one payment inside it. Where they contradict each
 * other (an entry of 0.75 whose only detail says 750.00; two details of 400.00 under an entry of
 * 1.00; ten batch details without an amount of their own), the entry is marked and nothing of it
 * may be booked automatically: the money a person may distribute is the entry amount.
 *
 * Detail amounts are compared signed in the entry's direction (a DBIT detail inside a CRDT batch
 * entry counts against it) and in the entry's currency (the reader takes a detail's amount only in
 * that currency, see Transaction.amount).
 */
export function detailsDisagreement(entry: Entry): DetailsDisagreement | undefined {
  const txs = entry.transactions;
  if (txs.length === 0) return undefined;
  const base = { entry: { ...entry.amount }, details: txs.length };
  if (txs.length > 1 && txs.some((t) => t.amountSource === 'entry-of-batch')) return { kind: 'detailsWithoutAmount', ...base };
  let sum = 0n;
  for (const t of txs) sum += t.creditDebit === entry.creditDebit ? t.amount.minor : -t.amount.minor;
  if (sum === entry.amount.minor) return undefined;
  const kind = txs.length > 1 ? 'sumDiffers' : sum > entry.amount.minor ? 'detailExceedsEntry' : 'detailBelowEntry';
  return { kind, ...base, detailsMinor: sum };
}

/** The disagreement in one sentence, naming the entry and both figures. */
export function disagreementSentence(entry: Entry, d: DetailsDisagreement): string {
  const ccy = d.entry.currency;
  const fmt = (v: bigint): string => `${formatMinor(v, ccy)} ${ccy}`;
  const which = `entry ${entry.index + 1}${entry.accountServicerReference ? ` (${entry.accountServicerReference})` : ''}${entry.line ? ` at line ${entry.line}` : ''}`;
  const claim =
    d.kind === 'detailsWithoutAmount'
      ? `${d.details} transaction details, not all with an amount in ${ccy}, cannot be split from the entry amount of ${fmt(d.entry.minor)}`
      : d.kind === 'sumDiffers'
        ? `its ${d.details} transaction details add up to ${fmt(d.detailsMinor!)}, the entry amount is ${fmt(d.entry.minor)}`
        : `its transaction detail says ${fmt(d.detailsMinor!)}, the entry amount is ${fmt(d.entry.minor)}`;
  return `${which}: ${claim}; nothing of it is booked automatically, a person may book the entry amount`;
}

/** The warning for an entry whose details disagree with it, or undefined (kept for callers of the old name). */
export function checkBatch(entry: Entry): string | undefined {
  const d = entry.detailsDisagree ?? detailsDisagreement(entry);
  return d ? disagreementSentence(entry, d) : undefined;
}
