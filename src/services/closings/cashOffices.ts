/**
 * Cash offices (Zahlstellen): a till that takes money on the Kasse's behalf (the citizens' office,
 * the library desk) delivers its own day closing — its receipts by kind and the cash it handed to
 * the bank, with the reference the deposit carries. The deposit is money in transit on the
 * office's clearing account ("zahlstelle:<code>", the same ClearingMovement account the payment
 * providers have) until its credit shows on a statement; then it is matched and cleared.
 *
 * Matching a deposit is an automatic booking, so it is narrow: the same amount to the cent, the
 * office's reference in the remittance, a credit nobody has booked yet, booked on or after the
 * office's day (and on the office's account when one is set). Two candidates: nothing is booked.
 */
import { parse as parseCsv } from 'csv-parse/browser/esm/sync';
import { actorLabel, type Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { ConflictError, LimitExceededError, NotFoundError, ValidationError } from '../../errors.js';
import { formatMinor, parseMoney } from '../../money/money.js';
import { normalizeIban, isValidIban } from '../../references/iban.js';
import { isIsoDay } from '../review/dates.js';
import { assertReceiptBalanced, moveSuspense, suspenseBalance } from '../booking/ledger.js';
import { assertLedger } from '../booking/writer.js';
import { writeAudit } from '../shared/audit.js';
import { newId, sha256Hex } from '../shared/ids.js';
import { canonicalJson } from './canonical.js';
import { CASH_PROVIDER_PREFIX } from './compute.js';

export const MAX_REPORT_BYTES = 1_000_000;
export const MAX_REPORT_LINES = 1000;
/** Open deposits looked at per matching run (a Kasse has a handful of offices and days). */
const OPEN_DEPOSITS_PER_RUN = 500;
const ENGINE = 'stadtkasse-cash-office/1';
const MATCHABLE_STATES = ['pending', 'review', 'unmatched'];

export interface CashOfficeView {
  id: string;
  code: string;
  name: string;
  depositIban: string | null;
}

export async function createCashOffice({ ctx, input }: { ctx: Ctx; input: { code: string; name: string; depositIban?: string } }): Promise<CashOfficeView> {
  const code = input.code.trim().toUpperCase();
  if (!/^[A-Z0-9_-]{2,20}$/.test(code)) throw new ValidationError('code: 2 to 20 of A–Z, 0–9, _ and -', { field: 'code' });
  const name = input.name.trim();
  if (name.length < 2 || name.length > 100) throw new ValidationError('name: 2 to 100 characters', { field: 'name' });
  let depositIban: string | null = null;
  if (input.depositIban) {
    depositIban = normalizeIban(input.depositIban);
    if (!isValidIban(depositIban)) throw new ValidationError('depositIban is not a valid IBAN', { field: 'depositIban' });
  }
  const existing = await ctx.db.prisma.cashOffice.findUnique({ where: { code } });
  if (existing) throw new ConflictError(`cash office ${code} exists already`);
  const id = newId();
  const row = await ctx.db.transaction(async (tx) => {
    const created = await tx.cashOffice.create({ data: { id, code, name, depositIban, createdAt: ctx.clock.now() } });
    await writeAudit(tx, ctx, { action: 'cash_office.created', subjectType: 'cash_office', subjectId: id, data: { code, name, depositIban } });
    return created;
  });
  return { id: row.id, code: row.code, name: row.name, depositIban: row.depositIban };
}

export async function listCashOffices({ ctx }: { ctx: Ctx }): Promise<CashOfficeView[]> {
  const rows = await ctx.db.prisma.cashOffice.findMany({ orderBy: { code: 'asc' }, take: 500 });
  return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, depositIban: r.depositIban }));
}

export interface CashReportInput {
  day: string;
  receipts: Array<{ kind: string; amountMinor: bigint }>;
  depositMinor: bigint;
  depositReference: string;
}

/**
 * Reads a day closing delivered as CSV, one line per row:
 *   day,line,kind,amount,reference
 *   2026-11-16,receipt,Gebühren,120.00,
 *   2026-11-16,deposit,,150.00,ZST-BA-20261116
 * `line` is receipt (what the till took in, by kind) or deposit (the cash handed to the bank, once).
 * A semicolon instead of the comma is read too.
 */
export function parseCashReportCsv(text: string): CashReportInput {
  if (new TextEncoder().encode(text).length > MAX_REPORT_BYTES) throw new LimitExceededError('cashReportBytes', MAX_REPORT_BYTES, undefined);
  const delimiter = (text.split('\n')[0] ?? '').includes(';') ? ';' : ',';
  let records: Array<Record<string, string>>;
  try {
    records = parseCsv(text.replace(/^\uFEFF/, ''), { columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()), delimiter, skip_empty_lines: true, trim: true, relax_column_count: true }) as Array<Record<string, string>>;
  } catch (err) {
    throw new ValidationError(`the day closing is not readable CSV (${(err as Error).message})`);
  }
  if (records.length > MAX_REPORT_LINES) throw new LimitExceededError('cashReportLines', MAX_REPORT_LINES, records.length);
  const days = new Set(records.map((r) => r.day ?? ''));
  if (days.size !== 1) throw new ValidationError(`column day: one day closing is for one day (found ${[...days].join(', ') || 'none'})`, { field: 'day' });
  const receipts: CashReportInput['receipts'] = [];
  let deposit: { minor: bigint; reference: string } | undefined;
  records.forEach((r, i) => {
    const row = i + 2;
    const amount = parseMoney(r.amount ?? '', 'EUR', { field: `row ${row} amount` }).minor;
    if (r.line === 'receipt') receipts.push({ kind: r.kind ?? '', amountMinor: amount });
    else if (r.line === 'deposit') {
      if (deposit) throw new ValidationError(`row ${row}: a second deposit line (one deposit per day)`, { row, field: 'line' });
      deposit = { minor: amount, reference: r.reference ?? '' };
    } else throw new ValidationError(`row ${row}: line must be receipt or deposit (got "${r.line ?? ''}")`, { row, field: 'line' });
  });
  if (!deposit) throw new ValidationError('the day closing has no deposit line (write one with 0.00 when nothing was deposited)', { field: 'line' });
  return { day: [...days][0]!, receipts, depositMinor: deposit.minor, depositReference: deposit.reference };
}

export function parseCashReportJson(doc: { day: string; receipts: Array<{ kind: string; amount: string }>; deposit: { amount: string; reference: string } }): CashReportInput {
  if (doc.receipts.length > MAX_REPORT_LINES) throw new LimitExceededError('cashReportLines', MAX_REPORT_LINES, doc.receipts.length);
  return {
    day: doc.day,
    receipts: doc.receipts.map((r, i) => ({ kind: r.kind, amountMinor: parseMoney(r.amount, 'EUR', { field: `receipts.${i}.amount` }).minor })),
    depositMinor: parseMoney(doc.deposit.amount, 'EUR', { field: 'deposit.amount' }).minor,
    depositReference: doc.deposit.reference,
  };
}

function validate(r: CashReportInput): void {
  if (!isIsoDay(r.day)) throw new ValidationError(`day: "${r.day}" is not a day (YYYY-MM-DD)`, { field: 'day' });
  r.receipts.forEach((x, i) => {
    if (!/^[\p{L}\p{N} ._/-]{1,60}$/u.test(x.kind)) throw new ValidationError(`receipts.${i}.kind: 1 to 60 letters, digits, spaces and . _ / -`, { field: `receipts.${i}.kind` });
  });
  if (r.depositMinor > 0n && !/^[A-Za-z0-9 ./_-]{4,35}$/.test(r.depositReference.trim())) {
    throw new ValidationError('deposit.reference: 4 to 35 letters, digits, spaces and . / _ - (what the deposit slip carries as Verwendungszweck)', { field: 'deposit.reference' });
  }
}

/**
 * Stores a cash office's day closing (a later delivery for the same day is a new revision in
 * force from then on), puts its deposit in transit and looks for the deposit's credit at once.
 */
export async function deliverCashReport({ ctx, input }: { ctx: Ctx; input: { code: string; report: CashReportInput; source: 'csv' | 'api' } }) {
  const office = await ctx.db.prisma.cashOffice.findUnique({ where: { code: input.code.toUpperCase() } });
  if (!office) throw new NotFoundError('cash office', input.code);
  const r = input.report;
  validate(r);
  const expected = r.receipts.reduce((s, x) => s + x.amountMinor, 0n);
  const receipts = canonicalJson(r.receipts.map((x) => ({ kind: x.kind, amountMinor: x.amountMinor.toString() })));
  const sha = await sha256Hex(canonicalJson({ day: r.day, receipts, deposit: r.depositMinor, reference: r.depositReference.trim() }));
  const result = await ctx.db.transaction(async (tx) => {
    if (ctx.db.backend === 'postgresql') await tx.$queryRawUnsafe('SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS l', `cash-report:${office.id}:${r.day}`);
    const latest = await tx.cashOfficeReport.findFirst({ where: { cashOfficeId: office.id, day: r.day }, orderBy: { revision: 'desc' } });
    if (latest && latest.sha256 === sha) return { id: latest.id, revision: latest.revision, replayed: true };
    const depositChanged = !latest || latest.depositMinor !== r.depositMinor || latest.depositReference !== r.depositReference.trim();
    if (latest?.depositTransactionId && depositChanged) {
      throw new ConflictError(`the deposit of ${office.code} for ${r.day} was already matched to a bank credit (${formatMinor(latest.depositMinor, 'EUR')}); a correction may change the receipts, not the deposit`);
    }
    if (latest) await tx.cashOfficeReport.updateMany({ where: { id: latest.id, inForce: true }, data: { inForce: false } });
    const id = newId();
    const now = ctx.clock.now();
    await tx.cashOfficeReport.create({
      data: {
        id,
        cashOfficeId: office.id,
        day: r.day,
        revision: (latest?.revision ?? 0) + 1,
        receipts,
        expectedMinor: expected,
        depositMinor: r.depositMinor,
        depositReference: r.depositReference.trim(),
        inForce: true,
        depositTransactionId: latest?.depositTransactionId ?? null,
        depositBookedOn: latest?.depositBookedOn ?? null,
        source: input.source,
        sha256: sha,
        createdBy: actorLabel(ctx.actor),
        createdAt: now,
      },
    });
    const delta = r.depositMinor - (latest?.depositMinor ?? 0n);
    if (delta !== 0n) {
      await tx.clearingMovement.create({ data: { id: newId(), provider: `${CASH_PROVIDER_PREFIX}${office.code}`, amountMinor: delta, currency: 'EUR', reason: 'cash_deposit', settlementId: id, note: `deposit ${r.depositReference.trim()} of ${r.day}`, createdBy: actorLabel(ctx.actor), createdAt: now } });
    }
    await writeAudit(tx, ctx, { action: latest ? 'cash_office.report_corrected' : 'cash_office.report_delivered', subjectType: 'cash_office_report', subjectId: id, data: { office: office.code, day: r.day, expected: formatMinor(expected, 'EUR'), deposit: formatMinor(r.depositMinor, 'EUR'), reference: r.depositReference.trim(), revision: (latest?.revision ?? 0) + 1 } });
    return { id, revision: (latest?.revision ?? 0) + 1, replayed: false };
  });
  const matched = await matchCashDeposits({ ctx, input: { cashOfficeId: office.id } });
  return { ...result, office: office.code, day: r.day, expected: formatMinor(expected, 'EUR'), deposit: formatMinor(r.depositMinor, 'EUR'), difference: formatMinor(r.depositMinor - expected, 'EUR'), matched: matched.matched };
}

/** Looks for the bank credits of deposits still in transit and clears the ones found exactly. */
export async function matchCashDeposits({ ctx, input = {} }: { ctx: Ctx; input?: { cashOfficeId?: string } }): Promise<{ matched: number; ambiguous: number }> {
  const open = await ctx.db.prisma.cashOfficeReport.findMany({
    where: { inForce: true, depositTransactionId: null, depositMinor: { gt: 0n }, ...(input.cashOfficeId ? { cashOfficeId: input.cashOfficeId } : {}) },
    include: { cashOffice: true },
    orderBy: { day: 'asc' },
    take: OPEN_DEPOSITS_PER_RUN,
  });
  let matched = 0;
  let ambiguous = 0;
  for (const report of open) {
    const candidates = await ctx.db.prisma.bankTransaction.findMany({
      where: {
        creditDebit: 'CRDT',
        amountMinor: report.depositMinor,
        unappliedMinor: report.depositMinor,
        matchState: { in: MATCHABLE_STATES },
        bookingDate: { gte: report.day },
        allocations: { none: {} },
        entry: { duplicateOfEntryId: null, status: 'BOOK', ...(report.cashOffice.depositIban ? { statement: { accountIban: report.cashOffice.depositIban } } : {}) },
      },
      select: { id: true, version: true, matchState: true, amountMinor: true, currency: true, unappliedMinor: true, remittanceLines: true, bookingDate: true, entryRef: true, position: true },
      take: 50,
    });
    const ref = squash(report.depositReference);
    const hits = candidates.filter((c) => squash((JSON.parse(c.remittanceLines) as string[]).join('')).includes(ref));
    if (hits.length > 1) {
      ambiguous++;
      ctx.log.warn({ report: report.id, candidates: hits.map((h) => h.id) }, 'several credits carry the deposit reference of a cash office; none was booked');
      continue;
    }
    const hit = hits[0];
    if (!hit) continue;
    try {
      await ctx.db.transaction((tx) => clearDeposit(tx, ctx, report, hit));
      matched++;
    } catch (err) {
      if (err instanceof ConflictError) continue; // booked by someone else meanwhile: it is theirs
      throw err;
    }
  }
  return { matched, ambiguous };
}

function squash(s: string): string {
  return s.replace(/[\s/]+/g, '').toUpperCase();
}

async function clearDeposit(
  tx: Tx,
  ctx: Ctx,
  report: { id: string; day: string; depositMinor: bigint; depositReference: string; cashOffice: { code: string } },
  r: { id: string; version: number; matchState: string; currency: string; entryRef: string; position: number; bookingDate: string | null },
): Promise<void> {
  const claimed = await tx.bankTransaction.updateMany({ where: { id: r.id, version: r.version, matchState: r.matchState }, data: { matchState: 'clearing', unappliedMinor: 0n, version: { increment: 1 } } });
  if (claimed.count !== 1) throw new ConflictError(`payment ${r.entryRef}#${r.position} changed meanwhile`);
  const linked = await tx.cashOfficeReport.updateMany({ where: { id: report.id, depositTransactionId: null, inForce: true }, data: { depositTransactionId: r.id, depositBookedOn: r.bookingDate } });
  if (linked.count !== 1) throw new ConflictError(`the deposit of ${report.cashOffice.code} for ${report.day} was matched or corrected meanwhile`);
  const now = ctx.clock.now();
  const note = `deposit ${report.depositReference} of cash office ${report.cashOffice.code} (${report.day})`;
  if ((await suspenseBalance(tx, r.id)) > 0n) {
    // The matcher had put the credit into suspense as unclear: it leaves suspense now.
    await moveSuspense(tx, ctx, { transactionId: r.id, amountMinor: -report.depositMinor, currency: r.currency, reason: 'allocated', note });
  }
  await tx.clearingMovement.create({ data: { id: newId(), provider: `${CASH_PROVIDER_PREFIX}${report.cashOffice.code}`, amountMinor: -report.depositMinor, currency: r.currency, reason: 'settled', bankTransactionId: r.id, settlementId: report.id, note, createdBy: actorLabel(ctx.actor), createdAt: now } });
  const reasons = [`the deposit of cash office ${report.cashOffice.code} for ${report.day}: ${formatMinor(report.depositMinor, r.currency)} with reference ${report.depositReference}`];
  await tx.matchProposal.create({ data: { id: newId(), transactionId: r.id, decision: 'auto', confidenceBp: 10000, reasons: JSON.stringify(reasons), allocations: '[]', surplusMinor: 0n, suggestions: '[]', engineVersion: ENGINE, createdAt: now } });
  await writeAudit(tx, ctx, { action: 'cash_office.deposit_matched', subjectType: 'bank_transaction', subjectId: r.id, data: { report: report.id, office: report.cashOffice.code, day: report.day, amount: formatMinor(report.depositMinor, r.currency) } });
  await assertReceiptBalanced(tx, r.id);
  await assertLedger(tx, ctx, [r.id]);
}
