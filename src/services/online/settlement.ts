/**
 * Settlement: a provider pays out the online payments it collected, in batches. Its payout is a
 * credit on our bank statement — with a camt.054 breakdown (one transaction per payment), or as
 * one sum explained by the provider's settlement report (uploaded as CSV or JSON). Either way the
 * money clears the provider's clearing account, never an open item (the items were paid when the
 * provider said PAYED; booking them again would pay them twice).
 *
 * Recognition runs on new receipts before the matcher (importAndMatch), so the matcher never sees
 * a payout line. A receipt belongs to a payout when it names an online payment (our reference
 * "OP-…" from `purpose`, our requestId, or the provider's transactionId) or comes from the
 * provider's payout account, or when an uploaded report awaits exactly this credit.
 *
 * Only an exact payout books itself: every line names a PAYED payment whose open clearing amount
 * it pays to the cent. Anything else — a fee deducted, a chargeback, a payment we never saw PAYED,
 * an unknown line, a credit that differs from the report — goes to the review queue
 * (matchState `settlement_review`, money held in suspense) with the reasons in its MatchProposal,
 * and a person accepts it (the difference is booked as the provider's fee) or releases it to the
 * ordinary review.
 *
 * Invariants (asserted after writing, see ledger.assertReceiptBalanced):
 *   per receipt: amount = Σ allocations + Σ cleared from it + unapplied;
 *   per online payment: open clearing = amount − Σ settled − Σ fees ≥ 0.
 */
import { parse as parseCsv } from 'csv-parse/browser/esm/sync';
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { formatMinor, parseMoney } from '../../money/money.js';
import { assertReceiptBalanced, moveSuspense } from '../booking/ledger.js';
import { assertLedger } from '../booking/writer.js';
import { writeAudit } from '../shared/audit.js';
import { newId, sha256Hex } from '../shared/ids.js';
import { foldName } from '../items/foldName.js';
import type { ProviderConfig } from './config.js';
import type { ReceiptState } from '../review/states.js';

export const SETTLEMENT_ENGINE = 'stadtkasse-settlement/1';
/** The review queue's state for a payout line waiting for a person. */
export const SETTLEMENT_REVIEW = 'settlement_review' satisfies ReceiptState;
/** A receipt whose money cleared a provider's clearing account. */
export const CLEARED = 'clearing' satisfies ReceiptState;
/** Lines per uploaded report, and bytes per report. */
/** Why money moved on a provider's clearing account (ClearingMovement.reason): the one list. */
export const CLEARING_REASONS = ['payment_received', 'settled', 'fee', 'written_off', 'reversed'] as const;
export type ClearingReason = (typeof CLEARING_REASONS)[number];

/** A payout's states (PspSettlement.status): the one list. */
export const SETTLEMENT_STATUSES = ['cleared', 'review', 'awaiting_credit', 'accepted', 'released', 'superseded'] as const;
export type SettlementStatus = (typeof SETTLEMENT_STATUSES)[number];

export const MAX_REPORT_LINES = 10_000;
export const MAX_REPORT_BYTES = 5_000_000;
/** How far back an uploaded report looks for its bank credit. */
const CREDIT_LOOKBACK_MS = 120 * 86_400_000;

const OP_REF = /\bOP-[A-HJ-NP-Z2-9]{10}\b/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

type Receipt = Awaited<ReturnType<typeof loadReceipts>>[number];
type Payment = NonNullable<Awaited<ReturnType<Tx['onlinePayment']['findUnique']>>>;

interface PlannedLine {
  receipt?: Receipt;
  payment?: Payment;
  kind: 'payment' | 'chargeback' | 'fee';
  providerTransactionId?: string;
  reference?: string;
  grossMinor: bigint;
  feeMinor: bigint;
  netMinor: bigint;
  outcome: 'matched' | 'difference' | 'unknown' | 'not_payed' | 'already_settled';
  note: string;
}

/**
 * Looks at new receipts for payouts of the configured provider and books or queues them. Returns
 * the ids it took (the matcher leaves them alone anyway: they are no longer pending).
 */
export async function recognizeSettlements({ ctx, input }: { ctx: Ctx; input: { transactionIds: string[] } }): Promise<{ cleared: number; review: number }> {
  const provider = ctx.config.online.provider;
  const out = { cleared: 0, review: 0 };
  if (!provider || input.transactionIds.length === 0) return out;
  for (let i = 0; i < input.transactionIds.length; i += 500) {
    const receipts = await loadReceipts(ctx, input.transactionIds.slice(i, i + 500));
    const payments = await paymentsNamedBy(ctx, provider, receipts);
    const fromProvider = (r: Receipt) => isFromProvider(provider, r);
    // A batch is one entry: when one of its lines shows the provider, all of them are its payout.
    const byEntry = new Map<string, Receipt[]>();
    for (const r of receipts) byEntry.set(r.entryId, [...(byEntry.get(r.entryId) ?? []), r]);
    for (const group of byEntry.values()) {
      const ours = group.filter((r) => payments.has(r.id) || fromProvider(r));
      if (ours.length === 0) continue;
      // A report uploaded before its credit arrived: the credit is the whole payout.
      if (ours.length === 1) {
        const report = await awaitingReportFor(ctx, provider, ours[0]!);
        if (report) {
          const r = await settleReportWithReceipt(ctx, report.id, ours[0]!.id);
          out[r === 'cleared' ? 'cleared' : 'review']++;
          continue;
        }
      }
      // Planned one after another: a payment two lines name is open for the first only.
      const planned = new Map<string, bigint>();
      const lines: PlannedLine[] = [];
      for (const r of ours) lines.push(await planCamtLine(ctx, r, payments.get(r.id), planned));
      const reference = ours[0]!.entry.accountServicerReference ?? ours[0]!.entryRef;
      const result = await bookSettlement(ctx, provider, { source: 'camt054', reference, lines });
      out.cleared += result.cleared;
      out.review += result.review;
    }
  }
  if (out.cleared + out.review > 0) ctx.log.info({ provider: provider.key, ...out }, 'provider payouts recognised');
  return out;
}

async function loadReceipts(ctx: Ctx, ids: string[]) {
  const rows = await ctx.db.prisma.bankTransaction.findMany({
    // By id alone, the state and direction checked below: with the state in SQL as well, SQLite
    // walks the state index over every pending receipt of the import for each window of ids.
    where: { id: { in: ids } },
    include: { entry: { select: { id: true, accountServicerReference: true, reversal: true } } },
    orderBy: [{ entryId: 'asc' }, { position: 'asc' }],
  });
  return rows.filter((r) => r.matchState === 'pending' && r.creditDebit === 'CRDT');
}

function receiptText(r: Pick<Receipt, 'endToEndId' | 'remittanceLines' | 'creditorReferences' | 'transactionId' | 'instructionId'>): string {
  const refs = (JSON.parse(r.creditorReferences) as Array<{ reference: string }>).map((c) => c.reference);
  return [r.endToEndId, r.transactionId, r.instructionId, ...(JSON.parse(r.remittanceLines) as string[]), ...refs].filter(Boolean).join(' ');
}

/** Online payments each receipt names, by our reference, our requestId or the provider's id. */
async function paymentsNamedBy(ctx: Ctx, provider: ProviderConfig, receipts: Receipt[]): Promise<Map<string, Payment>> {
  const wanted = new Map<string, string[]>();
  for (const r of receipts) {
    const text = receiptText(r);
    const keys = [...(text.toUpperCase().match(OP_REF) ?? []), ...(text.match(UUID) ?? []).map((u) => u.toLowerCase()), ...[r.endToEndId, r.transactionId, r.instructionId].filter((x): x is string => Boolean(x))];
    wanted.set(r.id, [...new Set(keys)]);
  }
  const all = [...new Set([...wanted.values()].flat())];
  if (all.length === 0) return new Map();
  const rows = await ctx.db.prisma.onlinePayment.findMany({
    where: { provider: provider.key, OR: [{ reference: { in: all } }, { id: { in: all } }, { providerTransactionId: { in: all } }] },
  });
  const byKey = new Map<string, Payment>();
  for (const p of rows) for (const k of [p.reference, p.id, p.providerTransactionId]) if (k) byKey.set(k, p);
  const out = new Map<string, Payment>();
  for (const [rid, keys] of wanted) {
    const found = [...new Set(keys.map((k) => byKey.get(k)).filter((p): p is Payment => Boolean(p)))];
    if (found.length === 1) out.set(rid, found[0]!);
  }
  return out;
}

function isFromProvider(p: ProviderConfig, r: { debtorIban: string | null; debtorName: string | null; ultimateDebtorName: string | null }): boolean {
  if (r.debtorIban && p.payout.ibans.includes(r.debtorIban.replace(/\s/g, '').toUpperCase())) return true;
  // Folded as the matcher folds debtor names: "Süd" on the statement is "SUED" or "Sud", never "su d".
  const names = [r.debtorName, r.ultimateDebtorName].filter(Boolean).map((n) => ` ${foldName(n!)} `);
  return p.payout.names.some((n) => names.some((x) => x.includes(` ${foldName(n)} `)));
}

/** What a payment still owes on the clearing account (amount PAYED minus what cleared it); inside a transaction or not. */
async function openClearing(db: Pick<Tx, 'clearingMovement'>, paymentId: string): Promise<bigint> {
  const agg = await db.clearingMovement.aggregate({ where: { onlinePaymentId: paymentId }, _sum: { amountMinor: true } });
  return agg._sum.amountMinor ?? 0n;
}

/**
 * One payout line against what its payment has open. `planned` holds, per payment, what earlier
 * lines of the same payout already take (a matched line its amount, a line with a difference all
 * that is open: accepting it books the rest as fee), so a payment named twice is open only once.
 */
async function planCamtLine(ctx: Ctx, r: Receipt, payment: Payment | undefined, planned: Map<string, bigint>): Promise<PlannedLine> {
  const base = { receipt: r, kind: 'payment' as const, grossMinor: r.amountMinor, feeMinor: 0n, netMinor: r.amountMinor, ...(r.endToEndId ? { reference: r.endToEndId } : {}) };
  const amt = (m: bigint) => formatMinor(m, r.currency);
  if (!payment) return { ...base, outcome: 'unknown', note: `payout line of ${amt(r.amountMinor)} names no online payment we know` };
  const line = planOpenLine(base, payment, (await openClearing(ctx.db.prisma, payment.id)) - (planned.get(payment.id) ?? 0n), amt);
  if (line.outcome === 'matched' || line.outcome === 'difference') planned.set(payment.id, (planned.get(payment.id) ?? 0n) + line.grossMinor);
  return line;
}

function planOpenLine(base: Omit<PlannedLine, 'outcome' | 'note'>, payment: Payment, open: bigint, amt: (m: bigint) => string): PlannedLine {
  const r = base.receipt!;
  const named = { ...base, payment, ...(payment.providerTransactionId ? { providerTransactionId: payment.providerTransactionId } : {}) };
  if (payment.status !== 'payed') return { ...named, outcome: 'not_payed', note: `online payment ${payment.reference} is ${payment.status} with us, never PAYED: ask the provider, or re-check it` };
  if (open <= 0n) return { ...named, outcome: 'already_settled', note: `online payment ${payment.reference} was already settled; this ${amt(r.amountMinor)} is paid twice` };
  if (r.amountMinor === open) return { ...named, outcome: 'matched', note: `settles online payment ${payment.reference} (${amt(open)})` };
  const diff = open - r.amountMinor;
  return {
    ...named,
    grossMinor: open,
    feeMinor: diff > 0n ? diff : 0n,
    outcome: 'difference',
    note:
      diff > 0n
        ? `online payment ${payment.reference} of ${amt(open)} came as ${amt(r.amountMinor)}: ${amt(diff)} short (the provider's fee?); accept books the difference as fee`
        : `online payment ${payment.reference} of ${amt(open)} came as ${amt(r.amountMinor)}: ${amt(-diff)} more than owed`,
  };
}

/** Writes the settlement and its lines; clears what is exact, queues the rest. */
async function bookSettlement(
  ctx: Ctx,
  provider: ProviderConfig,
  s: { source: 'camt054'; reference: string; lines: PlannedLine[] },
): Promise<{ cleared: number; review: number }> {
  const gross = s.lines.reduce((a, l) => a + l.grossMinor, 0n);
  const net = s.lines.reduce((a, l) => a + l.netMinor, 0n);
  const allExact = s.lines.every((l) => l.outcome === 'matched');
  const reasons = settlementReasons(provider, s.lines, net, 'EUR');
  const id = newId();
  let cleared = 0;
  let review = 0;
  await ctx.db.transaction(async (tx) => {
    await tx.pspSettlement.create({
      data: { id, provider: provider.key, reference: `${s.reference}#${id.slice(0, 8)}`, source: s.source, grossMinor: gross, feeMinor: gross - net, netMinor: net, status: allExact ? 'cleared' : 'review', reasons: JSON.stringify(reasons), createdBy: actorOf(ctx), createdAt: ctx.clock.now() },
    });
    for (const [position, l] of s.lines.entries()) {
      await tx.pspSettlementLine.create({ data: lineRow(id, position, l) });
      const r = l.receipt!;
      if (l.outcome === 'matched') {
        await clearReceipt(tx, ctx, { receipt: r, settlementId: id, provider: provider.key, parts: [{ paymentId: l.payment!.id, settledMinor: l.netMinor, feeMinor: 0n }], reasons: [l.note, `payout ${s.reference} of ${provider.name}`], fromState: 'pending' });
        cleared++;
      } else {
        await queueReceipt(tx, ctx, { receipt: r, settlementId: id, reasons: [l.note, ...reasons], fromState: 'pending' });
        review++;
      }
    }
    await writeAudit(tx, ctx, { action: 'settlement.recognised', subjectType: 'psp_settlement', subjectId: id, data: { provider: provider.key, source: s.source, reference: s.reference, lines: s.lines.length, cleared, review, net: formatMinor(net, 'EUR') } });
  });
  return { cleared, review };
}

function settlementReasons(provider: ProviderConfig, lines: PlannedLine[], receivedMinor: bigint, currency: string): string[] {
  const amt = (m: bigint) => formatMinor(m, currency);
  const gross = lines.filter((l) => l.kind === 'payment').reduce((a, l) => a + l.grossMinor, 0n);
  const out = [`payout of ${provider.name}: ${lines.length} line(s), ${amt(gross)} of online payments, ${amt(receivedMinor)} received`];
  const fees = lines.reduce((a, l) => a + l.feeMinor, 0n);
  if (fees > 0n) out.push(`fees deducted: ${amt(fees)}`);
  for (const l of lines) if (l.outcome !== 'matched') out.push(l.note);
  return out;
}

function lineRow(settlementId: string, position: number, l: PlannedLine) {
  return {
    id: newId(),
    settlementId,
    position,
    kind: l.kind,
    providerTransactionId: l.providerTransactionId ?? null,
    reference: l.reference ?? null,
    onlinePaymentId: l.payment?.id ?? null,
    bankTransactionId: l.receipt?.id ?? null,
    grossMinor: l.grossMinor,
    feeMinor: l.feeMinor,
    netMinor: l.netMinor,
    outcome: l.outcome,
    note: l.note,
  };
}

interface ClearPart {
  paymentId: string;
  /** Paid by this receipt. */
  settledMinor: bigint;
  /** Kept by the provider (accepted by a person, or reported). */
  feeMinor: bigint;
}

/** The receipt's money clears the payments' clearing positions; the receipt is done. */
async function clearReceipt(
  tx: Tx,
  ctx: Ctx,
  a: { receipt: { id: string; version: number; amountMinor: bigint; currency: string; unappliedMinor: bigint; entryRef: string; position: number }; settlementId: string; provider: string; parts: ClearPart[]; reasons: string[]; fromState: string; note?: string },
): Promise<void> {
  const r = a.receipt;
  const settled = a.parts.reduce((s, p) => s + p.settledMinor, 0n);
  if (settled !== r.unappliedMinor) throw new Error(`invariant: clearing ${settled} from receipt ${r.id} with ${r.unappliedMinor} unapplied`);
  const claimed = await tx.bankTransaction.updateMany({ where: { id: r.id, version: r.version, matchState: a.fromState }, data: { matchState: CLEARED, unappliedMinor: 0n, version: { increment: 1 } } });
  if (claimed.count !== 1) throw new ConflictError(`payment ${r.entryRef}#${r.position} changed meanwhile; reload it`);
  const now = ctx.clock.now();
  const createdBy = actorOf(ctx);
  for (const p of a.parts) {
    const open = await openClearing(tx, p.paymentId);
    if (p.settledMinor + p.feeMinor > open) throw new ConflictError(`online payment ${p.paymentId} has only ${formatMinor(open, r.currency)} open on the clearing account`);
    await tx.clearingMovement.create({ data: { id: newId(), provider: a.provider, amountMinor: -p.settledMinor, currency: r.currency, reason: 'settled', onlinePaymentId: p.paymentId, bankTransactionId: r.id, settlementId: a.settlementId, note: a.note ?? null, createdBy, createdAt: now } });
    if (p.feeMinor > 0n) {
      await tx.clearingMovement.create({ data: { id: newId(), provider: a.provider, amountMinor: -p.feeMinor, currency: r.currency, reason: 'fee', onlinePaymentId: p.paymentId, settlementId: a.settlementId, note: a.note ?? null, createdBy, createdAt: now } });
    }
  }
  if (a.fromState !== 'pending') {
    // The money waited in suspense for a person: it leaves now.
    await moveSuspense(tx, ctx, { transactionId: r.id, amountMinor: -settled, currency: r.currency, reason: 'allocated', note: `cleared against the provider's clearing account (settlement ${a.settlementId})` });
  }
  await tx.matchProposal.create({ data: proposal(r.id, 'auto', a.reasons, ctx.clock.now()) });
  await assertReceiptBalanced(tx, r.id);
  await assertLedger(tx, ctx, [r.id]);
}

/** A payout line for a person: the money waits in suspense, the reasons say why. */
async function queueReceipt(tx: Tx, ctx: Ctx, a: { receipt: { id: string; version: number; unappliedMinor: bigint; currency: string; entryRef: string; position: number }; settlementId: string; reasons: string[]; fromState: string }): Promise<void> {
  const r = a.receipt;
  const claimed = await tx.bankTransaction.updateMany({ where: { id: r.id, version: r.version, matchState: a.fromState }, data: { matchState: SETTLEMENT_REVIEW, version: { increment: 1 } } });
  if (claimed.count !== 1) throw new ConflictError(`payment ${r.entryRef}#${r.position} changed meanwhile; reload it`);
  if (a.fromState === 'pending' && r.unappliedMinor > 0n) {
    await moveSuspense(tx, ctx, { transactionId: r.id, amountMinor: r.unappliedMinor, currency: r.currency, reason: 'unassigned', note: `provider payout waiting for review (settlement ${a.settlementId})` });
  }
  await tx.matchProposal.create({ data: proposal(r.id, 'review', a.reasons, ctx.clock.now()) });
  await assertLedger(tx, ctx, [r.id]);
}

function proposal(transactionId: string, decision: 'auto' | 'review', reasons: string[], at: Date) {
  return { id: newId(), transactionId, decision, confidenceBp: decision === 'auto' ? 10000 : 0, reasons: JSON.stringify(reasons), allocations: '[]', surplusMinor: 0n, suggestions: '[]', engineVersion: SETTLEMENT_ENGINE, createdAt: at };
}

function actorOf(ctx: Ctx): string {
  return `${ctx.actor.type}:${ctx.actor.id}`;
}

// ---------------------------------------------------------------------------------------------
// The provider's settlement report
// ---------------------------------------------------------------------------------------------

export interface ReportLineInput {
  kind: 'payment' | 'chargeback' | 'fee';
  transactionId?: string;
  requestId?: string;
  reference?: string;
  grossMinor: bigint;
  feeMinor: bigint;
  netMinor: bigint;
}

export interface SettlementReport {
  reference: string;
  currency: string;
  lines: ReportLineInput[];
}

/**
 * Reads a settlement report. JSON: {"reference","currency","lines":[{"type","transactionId",
 * "requestId","reference","gross","fee","net"}]} with amounts as decimal strings. CSV (comma or
 * semicolon): columns payout_reference, type, transaction_id, request_id, reference, gross, fee, net.
 */
export function parseSettlementReport(text: string, format: 'json' | 'csv'): SettlementReport {
  if (new TextEncoder().encode(text).length > MAX_REPORT_BYTES) throw new ValidationError(`the report is larger than ${MAX_REPORT_BYTES} bytes`);
  let rows: Array<Record<string, unknown>>;
  let reference: unknown;
  let currency: unknown = 'EUR';
  if (format === 'json') {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ValidationError(`the report is not valid JSON (${(err as Error).message})`);
    }
    if (!doc || typeof doc !== 'object' || !Array.isArray(doc.lines)) throw new ValidationError('the report needs "reference" and "lines"', { field: 'lines' });
    rows = doc.lines as Array<Record<string, unknown>>;
    reference = doc.reference;
    currency = doc.currency ?? 'EUR';
  } else {
    const delimiter = (text.split('\n')[0] ?? '').includes(';') ? ';' : ',';
    let records: Array<Record<string, string>>;
    try {
      records = parseCsv(text.replace(/^\uFEFF/, ''), { columns: true, delimiter, skip_empty_lines: true, trim: true }) as Array<Record<string, string>>;
    } catch (err) {
      throw new ValidationError(`the report is not readable CSV (${(err as Error).message})`);
    }
    rows = records.map((r) => ({ type: r.type, transactionId: r.transaction_id, requestId: r.request_id, reference: r.reference, gross: r.gross, fee: r.fee, net: r.net }));
    reference = records[0]?.payout_reference;
  }
  if (typeof reference !== 'string' || !/^[\w./-]{1,100}$/.test(reference)) throw new ValidationError('reference: the payout reference is required (1 to 100 of letters, digits, . / _ -)', { field: 'reference' });
  if (currency !== 'EUR') throw new ValidationError('currency: only EUR payouts are read', { field: 'currency' });
  if (rows.length === 0 || rows.length > MAX_REPORT_LINES) throw new ValidationError(`lines: 1 to ${MAX_REPORT_LINES} lines per report`, { field: 'lines' });
  const lines = rows.map((row, i): ReportLineInput => {
    const field = (k: string) => `lines.${i}.${k}`;
    const kind = (row.type ?? 'payment') as string;
    if (!['payment', 'chargeback', 'fee'].includes(kind)) throw new ValidationError(`${field('type')}: payment, chargeback or fee`, { field: field('type'), row: i + 1 });
    const money = (k: string, dflt?: string) => {
      const v = row[k] ?? dflt;
      if (typeof v !== 'string') throw new ValidationError(`${field(k)}: a decimal amount like "30.70" is required`, { field: field(k), row: i + 1 });
      return parseMoney(v, 'EUR', { field: field(k), allowNegative: true }).minor;
    };
    const grossMinor = money('gross', '0.00');
    const feeMinor = money('fee', '0.00');
    const netMinor = row.net === undefined || row.net === '' ? grossMinor - feeMinor : money('net');
    if (netMinor !== grossMinor - feeMinor) throw new ValidationError(`${field('net')}: net must be gross minus fee`, { field: field('net'), row: i + 1 });
    const str = (k: string) => (typeof row[k] === 'string' && (row[k] as string).trim() !== '' ? (row[k] as string).trim().slice(0, 100) : undefined);
    const t = str('transactionId');
    const q = str('requestId');
    const ref = str('reference');
    return { kind: kind as ReportLineInput['kind'], ...(t ? { transactionId: t } : {}), ...(q ? { requestId: q } : {}), ...(ref ? { reference: ref } : {}), grossMinor, feeMinor, netMinor };
  });
  return { reference, currency: 'EUR', lines };
}

/**
 * Uploads a provider's settlement report: the lines are matched to online payments, and the
 * payout's bank credit is looked for (it may also come later: the import then finds the report).
 * The same file again answers with the settlement it made the first time.
 */
export async function importSettlementReport({ ctx, input }: { ctx: Ctx; input: { text: string; format: 'json' | 'csv' } }): Promise<{ settlementId: string; replayed: boolean }> {
  const provider = ctx.config.online.provider;
  if (!provider) throw new ConflictError('no payment provider is configured (ONLINE_PAYMENT_PROVIDER)');
  const sha = await sha256Hex(input.text);
  const known = await ctx.db.prisma.pspSettlement.findUnique({ where: { reportSha256: sha } });
  if (known) return { settlementId: known.id, replayed: true };
  const report = parseSettlementReport(input.text, input.format);
  const keys = [...new Set(report.lines.flatMap((l) => [l.transactionId, l.requestId, l.reference?.toUpperCase()].filter((x): x is string => Boolean(x))))];
  const payments = await ctx.db.prisma.onlinePayment.findMany({ where: { provider: provider.key, OR: [{ providerTransactionId: { in: keys } }, { id: { in: keys } }, { reference: { in: keys } }] } });
  const find = (l: ReportLineInput) => payments.find((p) => (l.requestId && p.id === l.requestId) || (l.transactionId && p.providerTransactionId === l.transactionId) || (l.reference && p.reference === l.reference.toUpperCase()));
  const gross = report.lines.reduce((a, l) => a + l.grossMinor, 0n);
  const fee = report.lines.reduce((a, l) => a + l.feeMinor, 0n);
  const id = newId();
  try {
    await ctx.db.transaction(async (tx) => {
      if (await tx.pspSettlement.findFirst({ where: { provider: provider.key, source: 'report', reference: report.reference } })) {
        throw new ConflictError(`a settlement report with payout reference ${report.reference} was already uploaded with other content`);
      }
      await tx.pspSettlement.create({
        data: { id, provider: provider.key, reference: report.reference, source: 'report', reportSha256: sha, grossMinor: gross, feeMinor: fee, netMinor: gross - fee, status: 'awaiting_credit', reasons: JSON.stringify([`report ${report.reference}: ${report.lines.length} line(s), waiting for the credit of ${formatMinor(gross - fee, 'EUR')}`]), createdBy: actorOf(ctx), createdAt: ctx.clock.now() },
      });
      for (const [position, l] of report.lines.entries()) {
        const p = find(l);
        await tx.pspSettlementLine.create({
          data: { id: newId(), settlementId: id, position, kind: l.kind, providerTransactionId: l.transactionId ?? p?.providerTransactionId ?? null, reference: l.reference ?? l.requestId ?? null, onlinePaymentId: p?.id ?? null, bankTransactionId: null, grossMinor: l.grossMinor, feeMinor: l.feeMinor, netMinor: l.netMinor, outcome: p ? 'matched' : 'unknown', note: null },
        });
      }
      await writeAudit(tx, ctx, { action: 'settlement.report_uploaded', subjectType: 'psp_settlement', subjectId: id, data: { provider: provider.key, reference: report.reference, lines: report.lines.length, gross: formatMinor(gross, 'EUR'), fee: formatMinor(fee, 'EUR') } });
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') return importSettlementReport({ ctx, input });
    throw err;
  }
  const credit = await creditForReport(ctx, provider, { reference: report.reference, netMinor: gross - fee });
  if (credit) await settleReportWithReceipt(ctx, id, credit);
  return { settlementId: id, replayed: false };
}

/** The bank credit of a payout: exactly its net amount, naming its reference or from the provider. */
async function creditForReport(ctx: Ctx, provider: ProviderConfig, s: { reference: string; netMinor: bigint }): Promise<string | undefined> {
  const since = new Date(ctx.clock.now().getTime() - CREDIT_LOOKBACK_MS);
  const candidates = await ctx.db.prisma.bankTransaction.findMany({
    where: { creditDebit: 'CRDT', amountMinor: s.netMinor, unappliedMinor: s.netMinor, matchState: { in: ['review', 'unmatched', SETTLEMENT_REVIEW] }, allocations: { none: {} }, createdAt: { gte: since } },
    take: 50,
  });
  const named = candidates.filter((c) => receiptText(c).toUpperCase().includes(s.reference.toUpperCase()));
  const pick = named.length > 0 ? named : candidates.filter((c) => isFromProvider(provider, c));
  return pick.length === 1 ? pick[0]!.id : undefined;
}

/** At import: an uploaded report that waits for exactly this credit. */
async function awaitingReportFor(ctx: Ctx, provider: ProviderConfig, r: Receipt): Promise<{ id: string } | undefined> {
  const waiting = await ctx.db.prisma.pspSettlement.findMany({ where: { provider: provider.key, source: 'report', status: 'awaiting_credit', netMinor: r.amountMinor }, take: 20 });
  const text = receiptText(r).toUpperCase();
  const named = waiting.filter((w) => text.includes(w.reference.toUpperCase()));
  const pick = named.length > 0 ? named : isFromProvider(provider, r) ? waiting : [];
  return pick.length === 1 ? pick[0] : undefined;
}

/** Books a report's payout with its bank credit: exact → cleared, anything else → review. */
async function settleReportWithReceipt(ctx: Ctx, settlementId: string, receiptId: string): Promise<'cleared' | 'review'> {
  return ctx.db.transaction(async (tx) => {
    const s = await tx.pspSettlement.findUniqueOrThrow({ where: { id: settlementId }, include: { lines: { orderBy: { position: 'asc' } } } });
    const r = await tx.bankTransaction.findUniqueOrThrow({ where: { id: receiptId } });
    const amt = (m: bigint) => formatMinor(m, r.currency);
    const reasons: string[] = [`payout ${s.reference} of ${s.provider} per its report: ${s.lines.length} line(s), gross ${amt(s.grossMinor)}, fees ${amt(s.feeMinor)}, net ${amt(s.netMinor)}; credited ${amt(r.amountMinor)}`];
    let exact = r.amountMinor === s.netMinor && s.feeMinor === 0n;
    const parts: ClearPart[] = [];
    // What earlier lines of this report take per payment: a payment named twice is open once.
    const planned = new Map<string, bigint>();
    for (const l of s.lines) {
      let outcome = l.outcome;
      let note: string | null = null;
      if (l.kind !== 'payment') {
        outcome = 'difference';
        note = `${l.kind} of ${amt(l.grossMinor)} (${l.providerTransactionId ?? l.reference ?? 'no reference'}): a person decides`;
      } else if (!l.onlinePaymentId) {
        note = `line ${l.position + 1} (${l.providerTransactionId ?? l.reference ?? 'no reference'}, ${amt(l.grossMinor)}) names no online payment we know`;
      } else {
        const p = await tx.onlinePayment.findUniqueOrThrow({ where: { id: l.onlinePaymentId } });
        const open = (await openClearing(tx, p.id)) - (planned.get(p.id) ?? 0n);
        if (p.status !== 'payed') {
          outcome = 'not_payed';
          note = `online payment ${p.reference} is ${p.status} with us, never PAYED`;
        } else if (open !== l.grossMinor) {
          outcome = open <= 0n ? 'already_settled' : 'difference';
          note = open <= 0n && planned.has(p.id) ? `online payment ${p.reference} was already settled by an earlier line; line ${l.position + 1} pays it twice` : `online payment ${p.reference}: ${amt(open)} open on the clearing account, the report says ${amt(l.grossMinor)}`;
        } else {
          planned.set(p.id, (planned.get(p.id) ?? 0n) + l.grossMinor);
          parts.push({ paymentId: p.id, settledMinor: l.netMinor, feeMinor: l.feeMinor });
          if (l.feeMinor > 0n) note = `online payment ${p.reference}: fee ${amt(l.feeMinor)} deducted`;
        }
      }
      if (outcome !== 'matched' || note) {
        if (outcome !== 'matched') exact = false;
        if (note) reasons.push(note);
      }
      await tx.pspSettlementLine.update({ where: { id: l.id }, data: { outcome, note, bankTransactionId: r.id } });
    }
    if (r.amountMinor !== s.netMinor) reasons.push(`the credit of ${amt(r.amountMinor)} differs from the report's net ${amt(s.netMinor)}`);
    if (s.feeMinor > 0n) reasons.push(`the provider deducted fees of ${amt(s.feeMinor)}: accept books them as fees`);
    const status = exact ? 'cleared' : 'review';
    await tx.pspSettlement.update({ where: { id: s.id }, data: { status, bankTransactionId: r.id, reasons: JSON.stringify(reasons), version: { increment: 1 } } });
    // The credit waited as a payout without breakdown: the report explains it now.
    const earlier = await tx.pspSettlementLine.findMany({ where: { bankTransactionId: r.id, settlementId: { not: s.id }, settlement: { status: 'review' } }, select: { settlementId: true } });
    for (const e of new Set(earlier.map((x) => x.settlementId))) {
      await tx.pspSettlement.update({ where: { id: e }, data: { status: 'superseded', decisionNote: `explained by report ${s.reference}`, version: { increment: 1 } } });
    }
    if (exact) await clearReceipt(tx, ctx, { receipt: r, settlementId: s.id, provider: s.provider, parts, reasons, fromState: r.matchState });
    else if (r.matchState !== SETTLEMENT_REVIEW) await queueReceipt(tx, ctx, { receipt: r, settlementId: s.id, reasons, fromState: r.matchState });
    else await tx.matchProposal.create({ data: proposal(r.id, 'review', reasons, ctx.clock.now()) });
    await writeAudit(tx, ctx, { action: `settlement.${status}`, subjectType: 'psp_settlement', subjectId: s.id, data: { bankTransactionId: r.id, reasons } });
    return status;
  });
}

// ---------------------------------------------------------------------------------------------
// A person's decision
// ---------------------------------------------------------------------------------------------

/**
 * Accepts a payout in review: every payment line is cleared with what arrived, and what the
 * provider kept is booked as its fee (with the person's reason). Lines that name no payment, or
 * bring more than is open, cannot be accepted: release the settlement instead.
 */
export async function acceptSettlement({ ctx, input }: { ctx: Ctx; input: { id: string; reason: string; expectedVersion?: number } }): Promise<SettlementView> {
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 500) throw new ValidationError('reason: say why, in 1 to 500 characters', { field: 'reason' });
  await ctx.db.transaction(async (tx) => {
    const s = await tx.pspSettlement.findUnique({ where: { id: input.id }, include: { lines: { orderBy: { position: 'asc' } } } });
    if (!s) throw new NotFoundError('settlement', input.id);
    if (s.status !== 'review') throw new ConflictError(`settlement ${s.id} is ${s.status}; only one in review can be accepted`);
    if (input.expectedVersion !== undefined && input.expectedVersion !== s.version) throw new ConflictError(`settlement ${s.id} changed since you read it; reload it`);
    // Lines cleared when the payout came (exact ones of a camt.054 batch) are done already.
    const waiting = new Set<string>();
    for (const rid of new Set(s.lines.map((l) => l.bankTransactionId ?? s.bankTransactionId).filter((x): x is string => Boolean(x)))) {
      const r = await tx.bankTransaction.findUniqueOrThrow({ where: { id: rid } });
      if (r.matchState === SETTLEMENT_REVIEW) waiting.add(rid);
    }
    const open = s.lines.filter((l) => waiting.has(l.bankTransactionId ?? s.bankTransactionId ?? ''));
    if (open.length === 0) throw new ConflictError(`settlement ${s.id} has no payout line waiting for a decision${s.bankTransactionId || s.source === 'camt054' ? '' : ' (its bank credit has not arrived yet)'}`);
    const bad = open.find((l) => l.kind !== 'payment' || !l.onlinePaymentId);
    if (bad) throw new ConflictError(`line ${bad.position + 1} of settlement ${s.id} (${bad.note ?? bad.outcome}) names no online payment and cannot be cleared; release the settlement to the review queue instead`);
    const twice = open.find((l) => l.outcome === 'already_settled');
    if (twice) throw new ConflictError(`line ${twice.position + 1} of settlement ${s.id} pays an online payment that is already settled; money paid twice is not a fee: release the settlement to the review queue instead`);
    // Per receipt: the payments it pays, each with what arrived and what the provider kept.
    const byReceipt = new Map<string, ClearPart[]>();
    for (const l of open) {
      const receiptId = l.bankTransactionId ?? s.bankTransactionId;
      if (!receiptId) throw new ConflictError(`settlement ${s.id} has no bank credit yet; it can be accepted once the payout is on a statement`);
      // Checked as things are now: a payment re-checked since (PAYED after all) can be cleared.
      const p = await tx.onlinePayment.findUniqueOrThrow({ where: { id: l.onlinePaymentId! } });
      if (p.status !== 'payed') throw new ConflictError(`online payment ${p.reference} is ${p.status} with us; re-check it with the provider first (POST /v1/online/payments/${p.id}/refresh) or release the settlement`);
      const open = await openClearing(tx, p.id);
      if (open <= 0n) throw new ConflictError(`online payment ${p.reference} is already settled; release the settlement instead`);
      const settled = l.netMinor;
      // camt.054 lines carry what arrived against what is open; report lines their own fee.
      const fee = s.source === 'camt054' ? open - l.netMinor : l.feeMinor + (open - l.grossMinor);
      if (fee < 0n) throw new ConflictError(`line ${l.position + 1} brings more than online payment ${l.onlinePaymentId} has open; release the settlement instead`);
      byReceipt.set(receiptId, [...(byReceipt.get(receiptId) ?? []), { paymentId: l.onlinePaymentId!, settledMinor: settled, feeMinor: fee }]);
    }
    for (const [receiptId, parts] of byReceipt) {
      const r = await tx.bankTransaction.findUniqueOrThrow({ where: { id: receiptId } });
      if (r.matchState !== SETTLEMENT_REVIEW) throw new ConflictError(`payment ${r.entryRef}#${r.position} is ${r.matchState} now; reload the settlement`);
      const settled = parts.reduce((a, p) => a + p.settledMinor, 0n);
      if (settled !== r.unappliedMinor) throw new ConflictError(`the lines of payment ${r.entryRef}#${r.position} add up to ${formatMinor(settled, r.currency)}, the credit is ${formatMinor(r.unappliedMinor, r.currency)}; release the settlement instead`);
      await clearReceipt(tx, ctx, { receipt: r, settlementId: s.id, provider: s.provider, parts, reasons: [`accepted by ${ctx.actor.name}: ${reason}`], fromState: SETTLEMENT_REVIEW, note: reason });
    }
    const n = await tx.pspSettlement.updateMany({ where: { id: s.id, version: s.version }, data: { status: 'accepted', decidedBy: actorOf(ctx), decidedAt: ctx.clock.now(), decisionNote: reason, version: { increment: 1 } } });
    if (n.count !== 1) throw new ConflictError(`settlement ${s.id} was decided by someone else at the same moment; reload it`);
    await writeAudit(tx, ctx, { action: 'settlement.accepted', subjectType: 'psp_settlement', subjectId: s.id, reason, data: { fees: formatMinor([...byReceipt.values()].flat().reduce((a, p) => a + p.feeMinor, 0n), 'EUR') } });
  });
  return getSettlement({ ctx, input: { id: input.id } });
}

/** Hands the payout's receipts to the ordinary review queue (it is not what it seemed). */
export async function releaseSettlement({ ctx, input }: { ctx: Ctx; input: { id: string; reason: string } }): Promise<SettlementView> {
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 500) throw new ValidationError('reason: say why, in 1 to 500 characters', { field: 'reason' });
  await ctx.db.transaction(async (tx) => {
    const s = await tx.pspSettlement.findUnique({ where: { id: input.id }, include: { lines: true } });
    if (!s) throw new NotFoundError('settlement', input.id);
    if (s.status !== 'review') throw new ConflictError(`settlement ${s.id} is ${s.status}; only one in review can be released`);
    const ids = [...new Set([...s.lines.map((l) => l.bankTransactionId), s.bankTransactionId].filter((x): x is string => Boolean(x)))];
    for (const id of ids) {
      const r = await tx.bankTransaction.findUniqueOrThrow({ where: { id } });
      if (r.matchState !== SETTLEMENT_REVIEW) continue;
      await tx.bankTransaction.updateMany({ where: { id, version: r.version }, data: { matchState: 'review', version: { increment: 1 } } });
      await tx.matchProposal.create({ data: proposal(id, 'review', [`released from settlement ${s.reference} by ${ctx.actor.name}: ${reason}`], ctx.clock.now()) });
    }
    await tx.pspSettlement.update({ where: { id: s.id }, data: { status: 'released', decidedBy: actorOf(ctx), decidedAt: ctx.clock.now(), decisionNote: reason, version: { increment: 1 } } });
    await writeAudit(tx, ctx, { action: 'settlement.released', subjectType: 'psp_settlement', subjectId: s.id, reason, data: { receipts: ids } });
  });
  return getSettlement({ ctx, input: { id: input.id } });
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export interface SettlementView {
  id: string;
  provider: string;
  reference: string;
  source: string;
  status: string;
  grossMinor: bigint;
  feeMinor: bigint;
  netMinor: bigint;
  currency: string;
  bankTransactionId: string | null;
  reasons: string[];
  createdAt: Date;
  decidedBy: string | null;
  decisionNote: string | null;
  version: number;
  lines: Array<{ position: number; kind: string; outcome: string; onlinePaymentId: string | null; bankTransactionId: string | null; providerTransactionId: string | null; reference: string | null; grossMinor: bigint; feeMinor: bigint; netMinor: bigint; note: string | null }>;
}

export async function getSettlement({ ctx, input }: { ctx: Ctx; input: { id: string } }): Promise<SettlementView> {
  const s = await ctx.db.prisma.pspSettlement.findUnique({ where: { id: input.id }, include: { lines: { orderBy: { position: 'asc' } } } });
  if (!s) throw new NotFoundError('settlement', input.id);
  return {
    id: s.id,
    provider: s.provider,
    reference: s.reference,
    source: s.source,
    status: s.status,
    grossMinor: s.grossMinor,
    feeMinor: s.feeMinor,
    netMinor: s.netMinor,
    currency: s.currency,
    bankTransactionId: s.bankTransactionId,
    reasons: JSON.parse(s.reasons) as string[],
    createdAt: s.createdAt,
    decidedBy: s.decidedBy,
    decisionNote: s.decisionNote,
    version: s.version,
    lines: s.lines.map((l) => ({ position: l.position, kind: l.kind, outcome: l.outcome, onlinePaymentId: l.onlinePaymentId, bankTransactionId: l.bankTransactionId, providerTransactionId: l.providerTransactionId, reference: l.reference, grossMinor: l.grossMinor, feeMinor: l.feeMinor, netMinor: l.netMinor, note: l.note })),
  };
}

/** The provider payout in review that a receipt belongs to (its credit, or one of its camt.054 lines), if any. */
export async function settlementInReviewFor({ ctx, input }: { ctx: Ctx; input: { transactionId: string } }): Promise<SettlementView | null> {
  const s = await ctx.db.prisma.pspSettlement.findFirst({
    where: { status: 'review', OR: [{ bankTransactionId: input.transactionId }, { lines: { some: { bankTransactionId: input.transactionId } } }] },
    select: { id: true },
  });
  return s ? getSettlement({ ctx, input: { id: s.id } }) : null;
}

export async function listSettlements({ ctx, input }: { ctx: Ctx; input: { status?: string; limit?: number } }): Promise<SettlementView[]> {
  const rows = await ctx.db.prisma.pspSettlement.findMany({ where: input.status ? { status: input.status } : {}, orderBy: { createdAt: 'desc' }, take: Math.min(input.limit ?? 50, 200), select: { id: true } });
  return Promise.all(rows.map((r) => getSettlement({ ctx, input: { id: r.id } })));
}

/** The clearing account per provider: what is owed, and the payments still open on it. */
export async function clearingPositions({ ctx }: { ctx: Ctx }): Promise<Array<{ provider: string; openMinor: bigint; currency: string; openPayments: Array<{ id: string; reference: string; openMinor: bigint; payedAt: Date | null }> }>> {
  const sums = await ctx.db.prisma.clearingMovement.groupBy({ by: ['provider', 'onlinePaymentId'], _sum: { amountMinor: true } });
  const open = sums.filter((s) => (s._sum.amountMinor ?? 0n) !== 0n);
  const payments = await ctx.db.prisma.onlinePayment.findMany({ where: { id: { in: open.map((s) => s.onlinePaymentId).filter((x): x is string => Boolean(x)).slice(0, 1000) } } });
  const byId = new Map(payments.map((p) => [p.id, p]));
  const out = new Map<string, { provider: string; openMinor: bigint; currency: string; openPayments: Array<{ id: string; reference: string; openMinor: bigint; payedAt: Date | null }> }>();
  for (const s of open) {
    const entry = out.get(s.provider) ?? { provider: s.provider, openMinor: 0n, currency: 'EUR', openPayments: [] };
    const amount = s._sum.amountMinor ?? 0n;
    entry.openMinor += amount;
    const p = s.onlinePaymentId ? byId.get(s.onlinePaymentId) : undefined;
    if (p) entry.openPayments.push({ id: p.id, reference: p.reference, openMinor: amount, payedAt: p.payedAt });
    out.set(s.provider, entry);
  }
  return [...out.values()];
}
