/**
 * Test-side loading of the sample scenarios (../shared/scenarios/*) and a TypeScript port of
 * score.py, so the targets are asserted in the test suite. The camt reading here is a small
 * stand-in over fast-xml-parser for the few fields the matcher needs; the product reads camt with
 * src/camt.
 */
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import { parseMoney } from '../../src/money/money.js';
import type { MatchableItem, MatchableTransaction, MatchDecision } from '../../src/matching/types.js';
import { decisionToRecord, type ReconcileRecordCore } from '../../src/matching/adapt.js';

export const SCENARIO_ROOT = join(import.meta.dirname, '..', '..', '..', 'shared', 'scenarios');

export function scenarioDirs(): string[] {
  if (!existsSync(SCENARIO_ROOT)) return [];
  return readdirSync(SCENARIO_ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(SCENARIO_ROOT, d.name, 'truth.json')))
    .map((d) => join(SCENARIO_ROOT, d.name));
}

export function readItemsCsv(text: string): MatchableItem[] {
  const rows = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true }) as Array<Record<string, string>>;
  return rows.map((r, i) => {
    const m = parseMoney(r.amount!, r.currency || 'EUR');
    return {
      id: `item-${i + 1}`,
      kassenzeichen: r.kassenzeichen!,
      openMinor: m.minor,
      amountMinor: m.minor,
      currency: m.currency,
      debtorName: r.debtor_name ?? '',
      ...(r.debtor_iban ? { debtorIban: r.debtor_iban } : {}),
      category: r.category ?? '',
      ...(r.description ? { description: r.description } : {}),
      dueDate: r.due_date ?? '',
      status: 'open',
    };
  });
}

type X = Record<string, any>;
const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const txt = (v: any): string | undefined => (v === undefined || v === null ? undefined : typeof v === 'object' ? (v['#text'] !== undefined ? String(v['#text']) : undefined) : String(v));

export interface ScenarioTx extends MatchableTransaction {
  entryRef: string;
  txIndex: number;
}

export function readStatementXml(xml: string): ScenarioTx[] {
  const p = new XMLParser({ ignoreAttributes: false, parseTagValue: false, removeNSPrefix: true });
  const doc = p.parse(xml) as X;
  const root = doc.Document.BkToCstmrStmt ?? doc.Document.BkToCstmrAcctRpt ?? doc.Document.BkToCstmrDbtCdtNtfctn;
  const out: ScenarioTx[] = [];
  for (const st of arr<X>(root.Stmt ?? root.Rpt ?? root.Ntfctn)) {
    arr<X>(st.Ntry).forEach((n, ni) => {
      const entryRef = txt(n.AcctSvcrRef) ?? txt(n.NtryRef) ?? `${txt(st.Id)}/${ni}`;
      const btcE = n.BkTxCd ?? {};
      const dets = arr<X>(n.NtryDtls).flatMap((d) => arr<X>(d.TxDtls));
      const batch = arr<X>(n.NtryDtls).map((d) => d.Btch).find(Boolean);
      const list = dets.length > 0 ? dets : [undefined];
      list.forEach((t, i) => {
        const btc = t?.BkTxCd ?? btcE;
        const amt = t?.Amt ?? t?.AmtDtls?.TxAmt?.Amt ?? n.Amt;
        const ccy = amt['@_Ccy'] ?? 'EUR';
        const rp = t?.RltdPties ?? {};
        const prtry = txt(btc?.Prtry?.Cd);
        const gvc = prtry ? /^[A-Z]{4}\+(\d{3})/.exec(prtry)?.[1] : undefined;
        const strd = arr<X>(t?.RmtInf?.Strd);
        const tx: ScenarioTx = {
          key: `${entryRef}#${i}`,
          entryRef,
          txIndex: i,
          amountMinor: parseMoney(txt(amt)!, ccy).minor,
          currency: ccy,
          creditDebit: (txt(t?.CdtDbtInd) ?? txt(n.CdtDbtInd)) as 'CRDT' | 'DBIT',
          reversal: txt(n.RvslInd) === 'true',
          remittanceLines: arr(t?.RmtInf?.Ustrd).map((u) => txt(u) ?? ''),
          creditorReferences: strd.map((s) => s?.CdtrRefInf).filter(Boolean).map((c: X) => ({ reference: txt(c.Ref) ?? '' })),
          ...(txt(t?.Refs?.EndToEndId) ? { endToEndId: txt(t?.Refs?.EndToEndId)! } : {}),
          ...(txt(rp.Dbtr?.Pty?.Nm ?? rp.Dbtr?.Nm) ? { debtorName: txt(rp.Dbtr?.Pty?.Nm ?? rp.Dbtr?.Nm)! } : {}),
          ...(txt(rp.DbtrAcct?.Id?.IBAN) ? { debtorIban: txt(rp.DbtrAcct?.Id?.IBAN)! } : {}),
          ...(txt(rp.UltmtDbtr?.Pty?.Nm ?? rp.UltmtDbtr?.Nm) ? { ultimateDebtorName: txt(rp.UltmtDbtr?.Pty?.Nm ?? rp.UltmtDbtr?.Nm)! } : {}),
          ...(t?.RtrInf ? { returnReasonCode: txt(t.RtrInf.Rsn?.Cd) ?? txt(t.RtrInf.Rsn?.Prtry) ?? 'UNKNOWN' } : {}),
          bankTransactionCode: { domain: txt(btc?.Domn?.Cd), family: txt(btc?.Domn?.Fmly?.Cd), subFamily: txt(btc?.Domn?.Fmly?.SubFmlyCd) },
          ...(prtry ? { proprietaryCode: prtry } : {}),
          ...(gvc ? { gvc } : {}),
          ...(batch || dets.length > 1 ? { batch: { count: Number(txt(batch?.NbOfTxs) ?? dets.length) } } : {}),
          ...(dets.length === 0 && batch && Number(txt(batch.NbOfTxs)) > 1 ? { batchWithoutDetails: true } : {}),
        };
        out.push(tx);
      });
    });
  }
  return out;
}

export interface TruthTx {
  kind: string;
  amount?: string;
  allocations: Array<{ kassenzeichen: string; amount: string }>;
  auto?: boolean;
}

export interface ResultRecord extends ReconcileRecordCore {
  entryRef: string;
  txIndex: number;
}

export function toRecords(txs: ScenarioTx[], decisions: MatchDecision[]): ResultRecord[] {
  return decisions.map((d, i) => ({ entryRef: txs[i]!.entryRef, txIndex: txs[i]!.txIndex, ...decisionToRecord(d, txs[i]!.currency) }));
}

const norm = (r: string): string => r.toUpperCase().replace(/[^0-9A-Z]/g, '');
const refset = (a: Array<{ reference?: string; kassenzeichen?: string }> | undefined): string =>
  [...new Set((a ?? []).map((x) => norm(x.reference ?? x.kassenzeichen ?? '')))].sort().join(',');
const amounts = (a: Array<{ reference?: string; kassenzeichen?: string; amount: string }>): string =>
  a.map((x) => `${norm(x.reference ?? x.kassenzeichen ?? '')}=${Number(x.amount).toFixed(2)}`).sort().join(',');

export interface Figures {
  credits: number;
  matchable: number;
  auto_correct: number;
  auto_wrong: number;
  auto_on_unmatchable: number;
  review: number;
  review_top1: number;
  missing: number;
  debit_booked: number;
  returns: number;
  returns_flagged: number;
  expected_auto: number;
  expected_auto_correct: number;
  auto_precision: number | null;
  expected_auto_coverage: number | null;
  review_top1_rate: number | null;
  wrong: string[];
  missedAuto: string[];
  reviewMiss: string[];
}

/** Same figures as shared/scenarios/score.py. */
export function scoreLikePy(truth: Record<string, TruthTx>, records: ResultRecord[]): Figures {
  const got = new Map(records.map((r) => [`${r.entryRef}#${r.txIndex}`, r]));
  const m = { credits: 0, matchable: 0, auto_correct: 0, auto_wrong: 0, auto_on_unmatchable: 0, review: 0, review_top1: 0, missing: 0, debit_booked: 0, returns: 0, returns_flagged: 0, expected_auto: 0, expected_auto_correct: 0 };
  const wrong: string[] = [];
  const missedAuto: string[] = [];
  const reviewMiss: string[] = [];
  for (const [key, tr] of Object.entries(truth)) {
    const r = got.get(key);
    if (tr.kind === 'debit' || tr.kind === 'return') {
      if (tr.kind === 'return') {
        m.returns++;
        if (r?.status === 'return') m.returns_flagged++;
      }
      if (r?.status === 'auto' && r.allocations.length > 0) m.debit_booked++;
      continue;
    }
    m.credits++;
    if (!r) {
      m.missing++;
      continue;
    }
    const want = refset(tr.allocations);
    if (want) m.matchable++;
    if (tr.auto) m.expected_auto++;
    if (r.status === 'auto') {
      const have = refset(r.allocations);
      let ok = want !== '' && have === want;
      if (ok && tr.allocations.length > 1) ok = amounts(r.allocations) === amounts(tr.allocations);
      if (ok) {
        m.auto_correct++;
        if (tr.auto) m.expected_auto_correct++;
      } else if (want) {
        m.auto_wrong++;
        wrong.push(`${key} ${tr.kind} want ${want} got ${have}`);
      } else {
        m.auto_on_unmatchable++;
        wrong.push(`${key} ${tr.kind} want - got ${have}`);
      }
    } else {
      if (tr.auto) missedAuto.push(`${key} ${tr.kind} ${r.status} want ${want}: ${r.reasons.join('; ')}`);
      if (want) {
        m.review++;
        const s = r.suggestions[0];
        if (s && refset(s.allocations) === want) m.review_top1++;
        else reviewMiss.push(`${key} ${tr.kind} ${r.status} want ${want} top ${s ? refset(s.allocations) : '-'}: ${r.reasons.join('; ')}`);
      }
    }
  }
  const autos = m.auto_correct + m.auto_wrong + m.auto_on_unmatchable;
  const round = (x: number): number => Math.round(x * 1e5) / 1e5;
  return {
    ...m,
    auto_precision: autos ? round(m.auto_correct / autos) : null,
    expected_auto_coverage: m.expected_auto ? round(m.expected_auto_correct / m.expected_auto) : null,
    review_top1_rate: m.review ? round(m.review_top1 / m.review) : null,
    wrong,
    missedAuto,
    reviewMiss,
  };
}

export function loadScenario(dir: string): { items: MatchableItem[]; txs: ScenarioTx[]; truth: Record<string, TruthTx> } {
  return {
    items: readItemsCsv(readFileSync(join(dir, 'open_items.csv'), 'utf8')),
    txs: readStatementXml(readFileSync(join(dir, 'statement.xml'), 'utf8')),
    truth: (JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { transactions: Record<string, TruthTx> }).transactions,
  };
}
