import { BalanceMismatchError, type ErrorLocation } from '../errors.js';
import { formatMinor } from '../money/money.js';
import type { Balance, BalanceCheck, Entry, Statement, StatementHeader } from './model.js';

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
 * Batch bookings: do the TxDtls amounts add up to the entry amount? Checked only when there is
 * more than one TxDtls and each carries its own amount in the entry's currency – real banks send
 * one TxDtls summarising 86 transactions (subite/LT625…/CAMT_053/2024-03-07.xml), which says
 * nothing either way. A mismatch is a warning (returned as a sentence), never an error: the
 * entry amount is what was booked.
 */
export function checkBatch(entry: Entry): string | undefined {
  const txs = entry.transactions;
  if (txs.length < 2) return undefined;
  if (txs.some((t) => t.amountInherited !== undefined || t.amount.currency !== entry.amount.currency)) return undefined;
  let sum = 0n;
  for (const t of txs) sum += t.creditDebit === entry.creditDebit ? t.amount.minor : -t.amount.minor;
  if (sum === entry.amount.minor) return undefined;
  const ccy = entry.amount.currency;
  return `entry ${entry.index + 1}${entry.accountServicerReference ? ` (${entry.accountServicerReference})` : ''}${entry.line ? ` at line ${entry.line}` : ''}: its ${txs.length} transactions add up to ${formatMinor(sum, ccy)} ${ccy}, the entry amount is ${formatMinor(entry.amount.minor, ccy)} ${ccy}`;
}
