/**
 * Computes a closing from the books: per account of money the Kassen-Soll (opening + the period's
 * receipts − payments) against the Kassen-Ist (the bank's closing balance, money in transit), the
 * typed suspense balances with their ageing, and what keeps the period from being closed.
 *
 * Reads only, in a bounded number of aggregate queries per account (never one row per booking):
 * a day of 50,000 bookings is a few GROUP BYs, not 50,000 rows in memory.
 *
 * Two kinds of facts go in. The basis is what cannot change without something arriving: the
 * statements, their booked entries, cash office reports, clearing movements and explanations of
 * the period. A different basis for a signed period means something arrived late, which makes a
 * follow-up closing. The rest (how each receipt was decided, the suspense balances) is a snapshot
 * at determination and signed as such.
 */
import type { Ctx } from '../../context.js';
import { LimitExceededError } from '../../errors.js';
import { formatMinor, parseMoney } from '../../money/money.js';
import { QUEUE_STATES } from '../review/states.js';
import { hashOf } from './canonical.js';
import {
  SUSPENSE_SIGN,
  SUSPENSE_TYPES,
  type AccountFigures,
  type Blocker,
  type ClosingContent,
  type Explanation,
  type Line,
  type LineKind,
  type SuspenseFigures,
  type SuspenseType,
} from './model.js';
import { addDays, daysOf, dayDiff, isoWeekday, periodInstants, today, type ClosingMode, type Period } from './period.js';

/** Statements of one account in one period (a weekly closing has at most a few dozen). */
export const MAX_STATEMENTS_PER_PERIOD = 500;
/** Explanations of one period, cash offices of one Kasse. */
export const MAX_EXPLANATIONS_PER_PERIOD = 2000;
export const MAX_CASH_OFFICES = 500;
export const CASH_PROVIDER_PREFIX = 'zahlstelle:';

const fmt = (v: bigint, currency = 'EUR') => formatMinor(v, currency);
export const minorOf = (s: string, currency = 'EUR') => parseMoney(s, currency, { allowNegative: true }).minor;

export interface SignedClosingRef {
  id: string;
  number: number;
  hash: string;
  periodFrom: string;
  periodTo: string;
  content: ClosingContent;
}

export interface ComputeInput {
  period: Period;
  mode: ClosingMode;
  /** The signed closing this one follows (a follow-up for the same period), if any. */
  follows?: SignedClosingRef;
}

export interface Computed {
  content: ClosingContent;
  basis: unknown;
  basisHash: string;
  blockers: Blocker[];
}

/** The latest signed closing ending before `from` (a follow-up of that period wins over the first). */
export async function previousSigned(ctx: Ctx, from: string): Promise<SignedClosingRef | undefined> {
  const row = await ctx.db.prisma.closing.findFirst({ where: { status: 'signed', periodTo: { lt: from } }, orderBy: [{ periodTo: 'desc' }, { number: 'desc' }] });
  return row ? toRef(row) : undefined;
}

export function toRef(row: { id: string; number: number | null; hash: string | null; periodFrom: string; periodTo: string; content: string }): SignedClosingRef {
  return { id: row.id, number: row.number!, hash: row.hash!, periodFrom: row.periodFrom, periodTo: row.periodTo, content: JSON.parse(row.content) as ClosingContent };
}

export async function computeClosing(ctx: Ctx, input: ComputeInput): Promise<Computed> {
  const { period } = input;
  const db = ctx.db.prisma;
  const { start, end } = periodInstants(period);
  const blockers: Blocker[] = [];
  const prev = await previousSigned(ctx, period.from);
  const prevAccounts = new Map((prev?.content.accounts ?? []).map((a) => [a.key, a]));

  const explanationRows = await db.closingExplanation.findMany({ where: { day: { gte: period.from, lte: period.to } }, orderBy: { createdAt: 'asc' }, take: MAX_EXPLANATIONS_PER_PERIOD + 1 });
  if (explanationRows.length > MAX_EXPLANATIONS_PER_PERIOD) throw new LimitExceededError('explanationsPerPeriod', MAX_EXPLANATIONS_PER_PERIOD, explanationRows.length);
  const explanationsOf = (key: string): Explanation[] =>
    explanationRows
      .filter((e) => e.accountKey === key)
      .map((e) => ({ id: e.id, suspenseType: e.suspenseType as SuspenseType, amount: fmt(e.amountMinor, e.currency), reason: e.reason, by: e.createdBy, at: e.createdAt.toISOString() }));

  const accounts: AccountFigures[] = [];
  const basis: Record<string, unknown> = { period, explanations: explanationRows.map((e) => e.id).sort() };

  // ---- Bank accounts: every account the bank has sent a statement or report for up to the period's end.
  const bankAccounts = await db.statement.groupBy({
    by: ['accountIban', 'accountOther', 'currency'],
    where: { kind: { in: ['camt.052', 'camt.053'] }, OR: [{ closingBalanceDate: { lte: period.to } }, { closingBalanceDate: null, kind: 'camt.052', bankCreatedAt: { lt: addDays(period.to, 1) } }] },
    orderBy: [{ accountIban: 'asc' }, { accountOther: 'asc' }],
  });
  const labels = new Map((await db.creditorAccount.findMany({ select: { iban: true, label: true, holderName: true }, take: 1000 })).map((a) => [a.iban, a.label ?? a.holderName]));
  for (const acct of bankAccounts) {
    const id = acct.accountIban ?? acct.accountOther ?? '?';
    const key = `bank:${id}`;
    const accountWhere = acct.accountIban ? { accountIban: acct.accountIban } : { accountIban: null, accountOther: acct.accountOther };
    const statements = await db.statement.findMany({
      where: {
        ...accountWhere,
        kind: { in: ['camt.052', 'camt.053'] },
        // An intraday report's balance (ITBD) carries no date of its own in our rows: its day is the
        // day the bank made it.
        OR: [{ closingBalanceDate: { gte: period.from, lte: period.to } }, { closingBalanceDate: null, kind: 'camt.052', bankCreatedAt: { gte: period.from, lt: addDays(period.to, 1) } }],
      },
      select: { id: true, kind: true, bankStatementId: true, electronicSequenceNumber: true, openingBalanceMinor: true, closingBalanceMinor: true, closingBalanceDate: true, toDateTime: true, bankCreatedAt: true, createdAt: true, balanceCheck: true, balanceDifferenceMinor: true },
      orderBy: [{ closingBalanceDate: 'asc' }, { createdAt: 'asc' }],
      take: MAX_STATEMENTS_PER_PERIOD + 1,
    });
    if (statements.length > MAX_STATEMENTS_PER_PERIOD) throw new LimitExceededError('statementsPerPeriod', MAX_STATEMENTS_PER_PERIOD, statements.length);
    const finals = statements.filter((s) => s.kind === 'camt.053').sort((a, b) => cmpSeq(a.electronicSequenceNumber, b.electronicSequenceNumber) || (a.closingBalanceDate ?? '').localeCompare(b.closingBalanceDate ?? ''));
    const reports = statements.filter((s) => s.kind === 'camt.052' && s.closingBalanceMinor !== null).sort((a, b) => reportDay(a).localeCompare(reportDay(b)) || (a.bankCreatedAt ?? a.toDateTime ?? '').localeCompare(b.bankCreatedAt ?? b.toDateTime ?? '') || a.createdAt.getTime() - b.createdAt.getTime());
    // The statement of the period's last day that has one: a camt.053 CLBD if the bank sent it, else
    // the last intraday report (camt.052) of that day.
    const lastFinal = finals.filter((s) => s.closingBalanceMinor !== null).at(-1);
    const lastReport = reports.at(-1);
    const source = lastFinal && (!lastReport || reportDay(lastReport) <= (lastFinal.closingBalanceDate ?? '')) ? lastFinal : (lastReport ?? lastFinal);

    const entryWhere = { bookingDate: { gte: period.from, lte: period.to }, status: 'BOOK', duplicateOfEntryId: null, statement: accountWhere };
    const entrySums = await db.entry.groupBy({ by: ['creditDebit'], where: entryWhere, _sum: { amountMinor: true }, _count: { _all: true } });
    const txSums = await db.bankTransaction.groupBy({ by: ['creditDebit', 'matchState'], where: { entry: entryWhere }, _sum: { amountMinor: true }, _count: { _all: true } });
    const credits = entrySums.find((e) => e.creditDebit === 'CRDT');
    const debits = entrySums.find((e) => e.creditDebit === 'DBIT');
    const creditMinor = credits?._sum.amountMinor ?? 0n;
    const debitMinor = debits?._sum.amountMinor ?? 0n;
    const receipts = linesOf(txSums.filter((t) => t.creditDebit === 'CRDT'), creditMinor, acct.currency);
    const payments = linesOf(txSums.filter((t) => t.creditDebit === 'DBIT'), debitMinor, acct.currency);

    const before = prevAccounts.get(key);
    const firstStatement = finals[0] ?? reports[0];
    let opening: bigint;
    if (before) opening = minorOf(before.ledgerClosing, acct.currency) + minorOf(before.explained, acct.currency);
    else opening = firstStatement?.openingBalanceMinor ?? 0n;
    const ledgerClosing = opening + creditMinor - debitMinor;
    const explanations = explanationsOf(key);
    const explained = explanations.reduce((s, e) => s + minorOf(e.amount, acct.currency), 0n);
    const bankClosing = source?.closingBalanceMinor ?? null;
    const difference = bankClosing === null ? 0n : bankClosing - (ledgerClosing + explained);

    if (!source) {
      blockers.push({ kind: 'missing_statement', account: key, detail: `no statement (camt.053) or report (camt.052) of account ${id} with a closing balance for ${span(period)}` });
    }
    // The camt.053 statements must follow each other without a gap, from the last one closed on.
    // (The gaps an import noted are not used: they stay in the row after the missing one arrived.)
    let expectSeq = before?.lastSequence ? BigInt(before.lastSequence) + 1n : undefined;
    for (const s of finals) {
      if (s.electronicSequenceNumber === null) continue;
      if (expectSeq !== undefined && s.electronicSequenceNumber > expectSeq) {
        blockers.push({ kind: 'sequence_gap', account: key, detail: `statement no. ${expectSeq}${s.electronicSequenceNumber - 1n > expectSeq ? ` to ${s.electronicSequenceNumber - 1n}` : ''} of account ${id} is missing (the next one here is no. ${s.electronicSequenceNumber})` });
      }
      expectSeq = s.electronicSequenceNumber + 1n;
    }
    // A balance break: the bank's statement does not add up, or does not start where the last
    // closed day ended. It cannot be fixed in our books; a person books it to suspense with a reason.
    const breaks: string[] = [];
    for (const s of statements) {
      if (s.balanceCheck === 'broken') breaks.push(`statement ${s.bankStatementId} does not add up (difference ${fmt(s.balanceDifferenceMinor, acct.currency)})`);
    }
    const firstFinal = finals[0];
    if (before?.bankClosing && firstFinal?.openingBalanceMinor !== null && firstFinal?.openingBalanceMinor !== undefined) {
      const was = minorOf(before.bankClosing, acct.currency);
      if (firstFinal.openingBalanceMinor !== was) breaks.push(`statement ${firstFinal.bankStatementId} opens with ${fmt(firstFinal.openingBalanceMinor, acct.currency)}, the last closing ended with ${fmt(was, acct.currency)}`);
    }
    if (difference !== 0n) {
      if (breaks.length > 0) blockers.push({ kind: 'balance_break', account: key, detail: `account ${id}: ${breaks.join('; ')}; ${fmt(difference, acct.currency)} not explained` });
      else blockers.push({ kind: 'difference', account: key, detail: `account ${id}: the bank's closing balance ${fmt(bankClosing!, acct.currency)} differs from the books' ${fmt(ledgerClosing + explained, acct.currency)} by ${fmt(difference, acct.currency)}` });
    }
    const lastSeq = finals.filter((s) => s.electronicSequenceNumber !== null).at(-1)?.electronicSequenceNumber ?? null;
    accounts.push({
      key,
      type: 'bank',
      label: labels.get(id) ?? id,
      currency: acct.currency,
      opening: fmt(opening, acct.currency),
      receipts,
      payments,
      ledgerClosing: fmt(ledgerClosing, acct.currency),
      explained: fmt(explained, acct.currency),
      bankClosing: bankClosing === null ? null : fmt(bankClosing, acct.currency),
      bankSource: source ? { statementId: source.id, kind: source.kind, bankStatementId: source.bankStatementId, sequence: source.electronicSequenceNumber?.toString() ?? null, closingDate: reportDay(source) } : null,
      lastSequence: lastSeq !== null ? lastSeq.toString() : (before?.lastSequence ?? null),
      inTransit: fmt(0n, acct.currency),
      difference: fmt(difference, acct.currency),
      explanations,
    });
    basis[key] = { statements: statements.map((s) => s.id).sort(), credits: [creditMinor, credits?._count._all ?? 0], debits: [debitMinor, debits?._count._all ?? 0] };
  }

  // ---- Payment providers' clearing accounts (src/services/online/settlement.ts).
  const providers = await db.clearingMovement.groupBy({ by: ['provider', 'currency'], where: { createdAt: { lt: end }, NOT: { provider: { startsWith: CASH_PROVIDER_PREFIX } } }, orderBy: { provider: 'asc' } });
  for (const p of providers) {
    const key = `clearing:${p.provider}`;
    const openingAgg = await db.clearingMovement.aggregate({ where: { provider: p.provider, currency: p.currency, createdAt: { lt: start } }, _sum: { amountMinor: true } });
    const moves = await db.clearingMovement.groupBy({ by: ['reason'], where: { provider: p.provider, currency: p.currency, createdAt: { gte: start, lt: end } }, _sum: { amountMinor: true }, _count: { _all: true } });
    const opening = openingAgg._sum.amountMinor ?? 0n;
    const receipts: Line[] = [];
    const payments: Line[] = [];
    let net = 0n;
    for (const m of moves) {
      const v = m._sum.amountMinor ?? 0n;
      net += v;
      const kind = CLEARING_KIND[m.reason] ?? 'charges_and_other';
      (v >= 0n ? receipts : payments).push({ kind, amount: fmt(v >= 0n ? v : -v, p.currency), count: m._count._all });
    }
    const explanations = explanationsOf(key);
    const explained = explanations.reduce((s, e) => s + minorOf(e.amount, p.currency), 0n);
    const ledgerClosing = opening + net;
    const inReview = await db.pspSettlement.count({ where: { provider: p.provider, status: 'review', createdAt: { lt: end } } });
    if (inReview > 0) blockers.push({ kind: 'payout_in_review', account: key, detail: `${inReview} payout(s) of provider ${p.provider} wait for a decision (differences on the clearing account)` });
    accounts.push({
      key,
      type: 'clearing',
      label: p.provider,
      currency: p.currency,
      opening: fmt(opening, p.currency),
      receipts,
      payments,
      ledgerClosing: fmt(ledgerClosing, p.currency),
      explained: fmt(explained, p.currency),
      bankClosing: null,
      bankSource: null,
      lastSequence: null,
      inTransit: fmt(ledgerClosing + explained, p.currency),
      difference: fmt(0n, p.currency),
      explanations,
    });
    basis[key] = moves.map((m) => [m.reason, m._sum.amountMinor ?? 0n, m._count._all]).sort();
  }

  // ---- Cash offices (Zahlstellen): their day reports, the deposits in transit until the bank has them.
  const offices = await db.cashOffice.findMany({ where: { createdAt: { lt: end } }, orderBy: { code: 'asc' }, take: MAX_CASH_OFFICES + 1 });
  if (offices.length > MAX_CASH_OFFICES) throw new LimitExceededError('cashOffices', MAX_CASH_OFFICES, offices.length);
  for (const o of offices) {
    const key = `cash:${o.code}`;
    const reports = await db.cashOfficeReport.findMany({ where: { cashOfficeId: o.id, inForce: true, day: { gte: period.from, lte: period.to } }, orderBy: { day: 'asc' }, take: 8 });
    const openingTransit = await inTransitAt(ctx, o.id, addDays(period.from, -1));
    const closingTransit = await inTransitAt(ctx, o.id, period.to);
    const arrived = await db.cashOfficeReport.aggregate({ where: { cashOfficeId: o.id, inForce: true, depositBookedOn: { gte: period.from, lte: period.to } }, _sum: { depositMinor: true }, _count: { _all: true } });
    const byKind = new Map<string, { minor: bigint; count: number }>();
    let expected = 0n;
    for (const r of reports) {
      expected += r.expectedMinor;
      for (const line of JSON.parse(r.receipts) as Array<{ kind: string; amountMinor: string }>) {
        const cur = byKind.get(line.kind) ?? { minor: 0n, count: 0 };
        cur.minor += BigInt(line.amountMinor);
        cur.count += 1;
        byKind.set(line.kind, cur);
      }
    }
    const arrivedMinor = arrived._sum.depositMinor ?? 0n;
    const ledgerClosing = openingTransit + expected - arrivedMinor;
    const explanations = explanationsOf(key);
    const explained = explanations.reduce((s, e) => s + minorOf(e.amount), 0n);
    // The Ist of a cash office is what it handed over (its deposits in transit), the Soll what its
    // till recorded: a shortfall shows here and is booked to Vorschuss by a person.
    const difference = closingTransit - (ledgerClosing + explained);
    const reportDays = new Set(reports.map((r) => r.day));
    const missing = daysOf(period).filter((d) => isoWeekday(d) <= 5 && d >= dayOf(o.createdAt) && !reportDays.has(d));
    if (missing.length > 0) blockers.push({ kind: 'cash_office_missing', account: key, detail: `cash office ${o.code} (${o.name}) has not delivered its day closing for ${missing.join(', ')}` });
    if (difference !== 0n) blockers.push({ kind: 'difference', account: key, detail: `cash office ${o.code}: deposited ${fmt(closingTransit - openingTransit + arrivedMinor)} against ${fmt(expected)} taken in; ${fmt(difference)} not explained` });
    accounts.push({
      key,
      type: 'cash_office',
      label: o.name,
      currency: 'EUR',
      opening: fmt(openingTransit),
      receipts: [...byKind.entries()].map(([kind, v]) => ({ kind: `cash:${kind}` as LineKind, amount: fmt(v.minor), count: v.count })),
      payments: arrivedMinor === 0n ? [] : [{ kind: 'cash_deposit_arrived', amount: fmt(arrivedMinor), count: arrived._count._all }],
      ledgerClosing: fmt(ledgerClosing),
      explained: fmt(explained),
      bankClosing: null,
      bankSource: null,
      lastSequence: null,
      inTransit: fmt(closingTransit),
      difference: fmt(difference),
      explanations,
    });
    basis[key] = { reports: reports.map((r) => r.id).sort(), arrived: arrivedMinor, transit: closingTransit };
  }

  // ---- Order: the period must be the next one after the last regular closing.
  if (!input.follows) {
    const last = await db.closing.findFirst({ where: { status: 'signed', kind: 'regular' }, orderBy: { periodTo: 'desc' }, select: { periodTo: true } });
    if (last && addDays(last.periodTo, 1) < period.from) {
      const gap = { from: addDays(last.periodTo, 1), to: addDays(period.from, -1) };
      const open = await firstActiveDay(ctx, gap);
      if (open) blockers.push({ kind: 'earlier_period_open', detail: `${open} has bookings and is not closed yet; close it first` });
    }
  }
  const now = today(ctx.clock.now());
  if (dayDiff(now, input.mode === 'week' ? period.to : period.from) > 0) {
    blockers.push({ kind: 'period_not_over', detail: `${span(period)} has not ended yet (today is ${now})` });
  }

  // With an earlier day still open, the figures are compared with the wrong opening: its missing
  // sequence numbers and balance break would only repeat that the earlier day comes first.
  const ordered = blockers.some((b) => b.kind === 'earlier_period_open') ? blockers.filter((b) => b.kind === 'earlier_period_open' || b.kind === 'period_not_over') : blockers;
  const suspense = await suspenseFigures(ctx, period.to);
  if (input.follows) {
    const was = new Map(input.follows.content.accounts.map((a) => [a.key, a]));
    for (const a of accounts) {
      const w = was.get(a.key);
      const ledgerNow = minorOf(a.ledgerClosing, a.currency);
      const bankNow = a.bankClosing === null ? null : minorOf(a.bankClosing, a.currency);
      a.changes = {
        ledgerClosing: fmt(ledgerNow - (w ? minorOf(w.ledgerClosing, a.currency) : 0n), a.currency),
        bankClosing: bankNow === null ? null : fmt(bankNow - (w?.bankClosing ? minorOf(w.bankClosing, a.currency) : 0n), a.currency),
      };
    }
  }
  const eur = accounts.filter((a) => a.currency === 'EUR');
  const sum = (f: (a: AccountFigures) => string | null) => eur.reduce((s, a) => s + (f(a) === null ? 0n : minorOf(f(a)!)), 0n);
  const bank = sum((a) => a.bankClosing);
  const inTransit = sum((a) => a.inTransit);
  const content: ClosingContent = {
    kasse: ctx.config.creditor.name,
    mode: input.mode,
    periodFrom: period.from,
    periodTo: period.to,
    kind: input.follows ? 'follow_up' : 'regular',
    follows: input.follows ? { id: input.follows.id, number: input.follows.number, hash: input.follows.hash } : null,
    accounts,
    suspense,
    totals: {
      bank: fmt(bank),
      inTransit: fmt(inTransit),
      kassenIst: fmt(bank + inTransit),
      ledger: fmt(sum((a) => a.ledgerClosing)),
      explained: fmt(sum((a) => a.explained)),
      difference: fmt(sum((a) => a.difference)),
    },
    computedAt: ctx.clock.now().toISOString(),
  };
  return { content, basis, basisHash: await hashOf(basis), blockers: ordered };
}

function reportDay(s: { closingBalanceDate: string | null; bankCreatedAt: string | null }): string {
  return s.closingBalanceDate ?? s.bankCreatedAt?.slice(0, 10) ?? '';
}

function span(p: Period): string {
  return p.from === p.to ? p.from : `${p.from} to ${p.to}`;
}

function dayOf(d: Date): string {
  return today(d);
}

function cmpSeq(a: bigint | null, b: bigint | null): number {
  if (a === null || b === null) return 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

const RECEIPT_KIND: Record<string, LineKind> = {
  auto: 'claims',
  manual: 'claims',
  clearing: 'clearing',
  refund: 'refund_marked',
  refunded: 'refund_marked',
  returned: 'returned',
};
const PAYMENT_KIND: Record<string, LineKind> = { refund_booked: 'refunds', return: 'returns', returned: 'returns', return_open: 'returns' };
const CLEARING_KIND: Record<string, LineKind> = { payment_received: 'payout_received', settled: 'payout_settled', fee: 'provider_fee', written_off: 'written_off', reversed: 'chargeback_refund' };

/** Receipts (or payments) by kind; what the bank booked without transaction details is "other". */
function linesOf(rows: Array<{ creditDebit: string; matchState: string; _sum: { amountMinor: bigint | null }; _count: { _all: number } }>, entryTotal: bigint, currency: string): Line[] {
  const by = new Map<LineKind, { minor: bigint; count: number }>();
  let covered = 0n;
  for (const r of rows) {
    const kind: LineKind = r.creditDebit === 'CRDT' ? (RECEIPT_KIND[r.matchState] ?? ((QUEUE_STATES as readonly string[]).includes(r.matchState) || r.matchState === 'pending' ? 'unclear' : 'charges_and_other')) : (PAYMENT_KIND[r.matchState] ?? 'charges_and_other');
    const v = r._sum.amountMinor ?? 0n;
    covered += v;
    const cur = by.get(kind) ?? { minor: 0n, count: 0 };
    cur.minor += v;
    cur.count += r._count._all;
    by.set(kind, cur);
  }
  if (covered !== entryTotal) {
    const cur = by.get('charges_and_other') ?? { minor: 0n, count: 0 };
    cur.minor += entryTotal - covered;
    by.set('charges_and_other', cur);
  }
  return [...by.entries()].filter(([, v]) => v.minor !== 0n || v.count > 0).map(([kind, v]) => ({ kind, amount: formatMinor(v.minor, currency), count: v.count }));
}

/** Deposits a cash office handed over up to `day` that the bank had not credited by then. */
async function inTransitAt(ctx: Ctx, cashOfficeId: string, day: string): Promise<bigint> {
  const agg = await ctx.db.prisma.cashOfficeReport.aggregate({
    where: { cashOfficeId, inForce: true, day: { lte: day }, OR: [{ depositBookedOn: null }, { depositBookedOn: { gt: day } }] },
    _sum: { depositMinor: true },
  });
  return agg._sum.depositMinor ?? 0n;
}

/** The first day in `gap` with anything to close: a booked entry, a cash office report, a clearing movement. */
export async function firstActiveDay(ctx: Ctx, gap: Period): Promise<string | undefined> {
  const db = ctx.db.prisma;
  const found: string[] = [];
  const e = await db.entry.findFirst({ where: { bookingDate: { gte: gap.from, lte: gap.to }, status: 'BOOK', duplicateOfEntryId: null }, orderBy: { bookingDate: 'asc' }, select: { bookingDate: true } });
  if (e?.bookingDate) found.push(e.bookingDate);
  const r = await db.cashOfficeReport.findFirst({ where: { day: { gte: gap.from, lte: gap.to } }, orderBy: { day: 'asc' }, select: { day: true } });
  if (r) found.push(r.day);
  const { start, end } = periodInstants(gap);
  const m = await db.clearingMovement.findFirst({ where: { createdAt: { gte: start, lt: end }, NOT: { provider: { startsWith: CASH_PROVIDER_PREFIX } } }, orderBy: { createdAt: 'asc' }, select: { createdAt: true } });
  if (m) found.push(today(m.createdAt));
  return found.sort()[0];
}

const AGE_BUCKETS = [
  { key: 'upTo30', max: 30 },
  { key: 'upTo90', max: 90 },
  { key: 'upTo365', max: 365 },
  { key: 'older', max: Number.POSITIVE_INFINITY },
] as const;

/**
 * The typed suspense accounts as they stand, aged against `asOf`. Receipts still waiting in
 * suspense count by where they stand (unclear, marked for refund, an overpayment held for the
 * payer); explained differences count by the type a person booked them to.
 */
export async function suspenseFigures(ctx: Ctx, asOf: string): Promise<SuspenseFigures[]> {
  const db = ctx.db.prisma;
  const out = new Map<SuspenseType, { total: bigint; count: number; ageing: Record<string, bigint> }>();
  for (const t of SUSPENSE_TYPES) out.set(t, { total: 0n, count: 0, ageing: { upTo30: 0n, upTo90: 0n, upTo365: 0n, older: 0n } });
  const add = (t: SuspenseType, bucket: string, minor: bigint, count: number) => {
    const cur = out.get(t)!;
    cur.total += minor;
    cur.count += count;
    cur.ageing[bucket]! += minor;
  };
  let newer = asOf;
  for (const b of AGE_BUCKETS) {
    const older = b.max === Number.POSITIVE_INFINITY ? undefined : addDays(asOf, -b.max);
    // (older, newer]: received more than the previous bucket's days ago, at most b.max days ago.
    const range = { lte: newer, ...(older ? { gte: older } : {}) };
    const rows = await db.bankTransaction.groupBy({ by: ['matchState'], where: { creditDebit: 'CRDT', unappliedMinor: { gt: 0n }, bookingDate: range }, _sum: { unappliedMinor: true }, _count: { _all: true } });
    for (const r of rows) {
      const t = suspenseTypeOfState(r.matchState);
      if (t) add(t, b.key, r._sum.unappliedMinor ?? 0n, r._count._all);
    }
    const expl = await db.closingExplanation.groupBy({ by: ['suspenseType'], where: { day: range }, _sum: { amountMinor: true }, _count: { _all: true } });
    for (const e of expl) {
      const t = e.suspenseType as SuspenseType;
      if (out.has(t)) add(t, b.key, (e._sum.amountMinor ?? 0n) * BigInt(SUSPENSE_SIGN[t]), e._count._all);
    }
    if (!older) break;
    newer = addDays(older, -1);
  }
  return SUSPENSE_TYPES.map((t) => {
    const v = out.get(t)!;
    return { type: t, balance: fmt(v.total), count: v.count, ageing: { upTo30: fmt(v.ageing.upTo30!), upTo90: fmt(v.ageing.upTo90!), upTo365: fmt(v.ageing.upTo365!), older: fmt(v.ageing.older!) } };
  });
}

export function suspenseTypeOfState(state: string): SuspenseType | undefined {
  if (state === 'refund') return 'refund_due';
  if (state === 'auto' || state === 'manual') return 'verwahrgeld';
  if (state === 'pending' || (QUEUE_STATES as readonly string[]).includes(state)) return 'unclear_receipt';
  return undefined;
}
