import type { Entry, Transaction } from '../camt/model.js';
import { formatMinor } from '../money/money.js';
import type { MatchDecision, MatchableItem, MatchableTransaction } from './types.js';
import { reasonTexts } from './reasons.js';

/**
 * Conversions at the edges: camt model → MatchableTransaction, decision → the record of the
 * reconcile contract. Pure; the service and the CLI both use them so both see the same fields.
 */

/**
 * One matchable transaction per TxDtls; an entry without TxDtls is one transaction (txIndex 0).
 * `key` is the caller's (the contract uses `${entryRef}#${txIndex}`).
 */
export function transactionsOfEntry(entry: Entry, keyOf: (txIndex: number) => string): MatchableTransaction[] {
  if (entry.transactions.length === 0) return [fromCamt(entry, undefined, keyOf(0))];
  return entry.transactions.map((t) => fromCamt(entry, t, keyOf(t.index)));
}

export function fromCamt(entry: Entry, t: Transaction | undefined, key: string): MatchableTransaction {
  const btc = t?.bankTransactionCode ?? entry.bankTransactionCode;
  const batchCount = entry.batch?.count ?? (entry.transactions.length > 1 ? entry.transactions.length : undefined);
  const lines = t ? [...t.remittanceLines, ...t.additionalRemittance] : [];
  const out: MatchableTransaction = {
    key,
    amountMinor: (t?.amount ?? entry.amount).minor,
    currency: (t?.amount ?? entry.amount).currency,
    creditDebit: t?.creditDebit ?? entry.creditDebit,
    reversal: entry.reversal,
    remittanceLines: lines,
    creditorReferences: t ? t.creditorReferences.map((c) => ({ reference: c.reference, ...(c.type ? { type: c.type } : {}) })) : [],
  };
  if (t?.references.endToEndId) out.endToEndId = t.references.endToEndId;
  if (t?.debtor?.name) out.debtorName = t.debtor.name;
  if (t?.debtor?.iban) out.debtorIban = t.debtor.iban;
  if (t?.ultimateDebtor?.name) out.ultimateDebtorName = t.ultimateDebtor.name;
  if (t?.returnInfo) out.returnReasonCode = t.returnInfo.reasonCode ?? t.returnInfo.reasonProprietary ?? 'UNKNOWN';
  if (btc) {
    out.bankTransactionCode = {
      ...(btc.domain ? { domain: btc.domain } : {}),
      ...(btc.family ? { family: btc.family } : {}),
      ...(btc.subFamily ? { subFamily: btc.subFamily } : {}),
    };
    if (btc.proprietary) out.proprietaryCode = btc.proprietary;
    if (btc.gvc) out.gvc = btc.gvc;
  }
  const info = t?.additionalInfo ?? entry.additionalInfo;
  if (info) out.additionalInfo = info;
  if (batchCount && batchCount > 1) out.batch = { count: batchCount };
  if (!t && batchCount && batchCount > 1) out.batchWithoutDetails = true;
  const d = entry.detailsDisagree;
  if (d) {
    out.entryDisagrees = { kind: d.kind, entryMinor: d.entry.minor, details: d.details, currency: d.entry.currency, ...(d.detailsMinor !== undefined ? { detailsMinor: d.detailsMinor } : {}) };
    // What may be distributed is the entry amount, held by the first detail (as the import stores it).
    out.amountMinor = t === undefined || t.index === 0 ? d.entry.minor : 0n;
    out.currency = d.entry.currency;
    out.creditDebit = entry.creditDebit;
  }
  return out;
}

/** Item row of the reconcile CSV (or the database) → MatchableItem. */
export function itemFromRow(row: {
  id: string;
  kassenzeichen: string;
  openMinor: bigint;
  amountMinor?: bigint;
  currency: string;
  debtorName: string;
  debtorIban?: string | null;
  category: string;
  description?: string | null;
  dueDate: string;
  status?: string;
  /** A supplied Kassenzeichen as printed; null or absent for one generated here. */
  kassenzeichenAsIssued?: string | null;
}): MatchableItem {
  return {
    id: row.id,
    kassenzeichen: row.kassenzeichen,
    openMinor: row.openMinor,
    amountMinor: row.amountMinor ?? row.openMinor,
    currency: row.currency,
    debtorName: row.debtorName,
    ...(row.debtorIban ? { debtorIban: row.debtorIban } : {}),
    category: row.category,
    ...(row.description ? { description: row.description } : {}),
    dueDate: row.dueDate,
    status: row.status ?? (row.openMinor > 0n ? 'open' : 'paid'),
    ...(row.kassenzeichenAsIssued != null ? { referenceUnchecked: true } : {}),
  };
}

export interface ReconcileAllocation {
  reference: string;
  amount: string;
}

export interface ReconcileRecordCore {
  status: MatchDecision['status'];
  allocations: ReconcileAllocation[];
  suggestions: Array<{ allocations: ReconcileAllocation[]; confidence: number; reasons: string[] }>;
  confidence: number;
  reasons: string[];
  surplus?: string;
  returnOf?: MatchDecision['returnOf'];
}

/** The matcher's part of a record of the reconcile contract (the CLI adds entryRef, txIndex, amount). */
export function decisionToRecord(d: MatchDecision, currency: string): ReconcileRecordCore {
  const allocs = (a: MatchDecision['allocations']): ReconcileAllocation[] => a.map((x) => ({ reference: x.kassenzeichen, amount: formatMinor(x.amountMinor, currency) }));
  return {
    status: d.status,
    allocations: allocs(d.allocations),
    suggestions: d.suggestions.map((s) => ({ allocations: allocs(s.allocations), confidence: bpToNumber(s.confidenceBp), reasons: reasonTexts(s.reasons, 'en') })),
    confidence: bpToNumber(d.confidenceBp),
    reasons: reasonTexts(d.reasons, 'en'),
    ...(d.surplusMinor > 0n ? { surplus: formatMinor(d.surplusMinor, currency) } : {}),
    ...(d.returnOf ? { returnOf: d.returnOf } : {}),
  };
}

/** 9930 → 0.993, through the decimal string "0.9930" (no float arithmetic on the value). */
export function bpToNumber(bp: number): number {
  const c = Math.max(0, Math.min(10000, Math.round(bp)));
  return Number(`${Math.floor(c / 10000)}.${String(c % 10000).padStart(4, '0')}`);
}
