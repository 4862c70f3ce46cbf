/**
 * A closing for the finance system (HKR) and for the file: CSV (one row per figure, semicolon and
 * byte order mark by default as German Excel expects, amounts "30.70") and JSON (the signed
 * content with its hashes, so the receiver can check it against `bin/stadtkasse verify`).
 */
import type { ClosingView } from './closings.js';
import { ACCOUNT_TYPE_LABELS_DE, SUSPENSE_LABELS_DE, lineLabelDe } from './model.js';

export interface CsvRow {
  section: 'account' | 'suspense';
  account: string;
  accountType: string;
  position: string;
  kind: string;
  label: string;
  amount: string;
  count: string;
  currency: string;
}

export function closingRows(c: ClosingView): CsvRow[] {
  const rows: CsvRow[] = [];
  for (const a of c.content.accounts) {
    const base = { section: 'account' as const, account: a.key, accountType: a.type, currency: a.currency };
    const fig = (position: string, label: string, amount: string | null, kind = '', count = '') => {
      if (amount !== null) rows.push({ ...base, position, kind, label, amount, count });
    };
    fig('opening', 'Anfangsbestand', a.opening);
    for (const l of a.receipts) fig('receipt', lineLabelDe(l.kind), l.amount, l.kind, String(l.count));
    for (const l of a.payments) fig('payment', lineLabelDe(l.kind), l.amount, l.kind, String(l.count));
    fig('ledger_closing', 'Sollbestand (Bücher)', a.ledgerClosing);
    for (const e of a.explanations) fig('explained', `Geklärt: ${SUSPENSE_LABELS_DE[e.suspenseType]} – ${e.reason}`, e.amount, e.suspenseType);
    fig('bank_closing', 'Bankbestand (Kontoauszug)', a.bankClosing);
    fig('in_transit', 'Schwebende Beträge', a.inTransit);
    fig('difference', 'Differenz', a.difference);
  }
  for (const s of c.content.suspense) {
    const base = { section: 'suspense' as const, account: `suspense:${s.type}`, accountType: 'suspense', currency: 'EUR', kind: s.type };
    rows.push({ ...base, position: 'balance', label: SUSPENSE_LABELS_DE[s.type], amount: s.balance, count: String(s.count) });
    for (const [bucket, amount] of Object.entries(s.ageing)) rows.push({ ...base, position: `ageing_${bucket}`, label: `${SUSPENSE_LABELS_DE[s.type]} ${AGE_LABEL[bucket] ?? bucket}`, amount, count: '' });
  }
  return rows;
}

const AGE_LABEL: Record<string, string> = { upTo30: 'bis 30 Tage', upTo90: '31–90 Tage', upTo365: '91–365 Tage', older: 'älter als 1 Jahr' };

const HEADER = ['closing_number', 'closing_id', 'kind', 'follows_id', 'period_from', 'period_to', 'status', 'section', 'account', 'account_type', 'position', 'line_kind', 'label', 'amount', 'count', 'currency', 'hash'];

export function closingCsv(c: ClosingView, opts: { separator?: ';' | ','; bom?: boolean } = {}): string {
  const sep = opts.separator ?? ';';
  const cell = (v: string | null, text = false): string => {
    let s = v ?? '';
    if (text && /^[=+\-@]/.test(s)) s = `'${s}`; // Excel would run it as a formula
    return /[";\r\n,]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [HEADER.join(sep)];
  for (const r of closingRows(c)) {
    lines.push(
      [cell(c.number?.toString() ?? ''), cell(c.id), cell(c.kind), cell(c.followsId), cell(c.periodFrom), cell(c.periodTo), cell(c.status), cell(r.section), cell(r.account), cell(r.accountType), cell(r.position), cell(r.kind), cell(r.label, true), cell(r.amount), cell(r.count), cell(r.currency), cell(c.hash)].join(sep),
    );
  }
  return `${opts.bom === false ? '' : '\uFEFF'}${lines.join('\r\n')}\r\n`;
}

export function closingJson(c: ClosingView): string {
  return JSON.stringify({ format: 'stadtkasse-closing/1', ...c }, null, 2);
}

export { ACCOUNT_TYPE_LABELS_DE };
