/**
 * Builds small camt.053 / camt.052 documents for tests, written by this project. Amounts are given
 * as decimal strings; balances are computed so the statement adds up unless told otherwise.
 */
import { formatMinor, parseMoney } from '../../src/money/money.js';

export interface TxSpec {
  amount: string;
  credit?: boolean;
  ref?: string;
  e2e?: string;
  name?: string;
  iban?: string;
  ultimate?: string;
  remittance?: string[];
  structuredRef?: string;
  returnReason?: string;
  reversal?: boolean;
  gvc?: string;
  status?: 'BOOK' | 'PDNG';
  bookingDate?: string;
  /** NtryDtls/Btch: what the bank says about the batch the entry books. */
  batch?: { count?: number; messageId?: string; paymentInformationId?: string };
}

export interface StatementSpec {
  kind?: 'camt.053' | 'camt.052';
  id?: string;
  iban?: string;
  seq?: number;
  opening?: string;
  date?: string;
  entries: TxSpec[];
  /** Added to the closing balance, to make the statement not add up. */
  closingOffset?: string;
  /** A camt.052 with balances (PRCD and ITBD, as intraday reports carry them); camt.053 always has OPBD and CLBD. */
  reportBalances?: boolean;
  /** Creation time of the report (camt.052), "HH:MM"; default 20:00. */
  time?: string;
}

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function btch(b: TxSpec['batch']): string {
  if (!b) return '';
  return `<Btch>${b.messageId ? `<MsgId>${esc(b.messageId)}</MsgId>` : ''}${b.paymentInformationId ? `<PmtInfId>${esc(b.paymentInformationId)}</PmtInfId>` : ''}${b.count !== undefined ? `<NbOfTxs>${b.count}</NbOfTxs>` : ''}</Btch>`;
}

export function camt(spec: StatementSpec): string {
  const kind = spec.kind ?? 'camt.053';
  const date = spec.date ?? '2026-11-16';
  const iban = spec.iban ?? 'DE02120300000000202051';
  const opening = parseMoney(spec.opening ?? '1000.00', 'EUR', { allowNegative: true }).minor;
  let booked = 0n;
  const entries = spec.entries.map((t, i) => {
    const minor = parseMoney(t.amount, 'EUR').minor;
    const credit = t.credit ?? true;
    if ((t.status ?? 'BOOK') === 'BOOK') booked += credit ? minor : -minor;
    const ref = t.ref ?? `${date.replaceAll('-', '')}${String(i + 1).padStart(5, '0')}`;
    const party = credit
      ? `<RltdPties>${t.name ? `<Dbtr><Pty><Nm>${esc(t.name)}</Nm></Pty></Dbtr>` : ''}${t.iban ? `<DbtrAcct><Id><IBAN>${t.iban}</IBAN></Id></DbtrAcct>` : ''}${t.ultimate ? `<UltmtDbtr><Pty><Nm>${esc(t.ultimate)}</Nm></Pty></UltmtDbtr>` : ''}</RltdPties>`
      : `<RltdPties>${t.name ? `<Cdtr><Pty><Nm>${esc(t.name)}</Nm></Pty></Cdtr>` : ''}${t.iban ? `<CdtrAcct><Id><IBAN>${t.iban}</IBAN></Id></CdtrAcct>` : ''}</RltdPties>`;
    const rmt = `<RmtInf>${(t.remittance ?? []).map((l) => `<Ustrd>${esc(l)}</Ustrd>`).join('')}${t.structuredRef ? `<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>${t.structuredRef}</Ref></CdtrRefInf></Strd>` : ''}</RmtInf>`;
    const rtr = t.returnReason ? `<RtrInf><Rsn><Cd>${t.returnReason}</Cd></Rsn></RtrInf>` : '';
    return `<Ntry><Amt Ccy="EUR">${formatMinor(minor, 'EUR')}</Amt><CdtDbtInd>${credit ? 'CRDT' : 'DBIT'}</CdtDbtInd>${t.reversal ? '<RvslInd>true</RvslInd>' : ''}<Sts><Cd>${t.status ?? 'BOOK'}</Cd></Sts><BookgDt><Dt>${t.bookingDate ?? date}</Dt></BookgDt><ValDt><Dt>${date}</Dt></ValDt><AcctSvcrRef>${ref}</AcctSvcrRef><BkTxCd><Prtry><Cd>NTRF+${t.gvc ?? (credit ? '166' : '117')}+0000</Cd><Issr>DK</Issr></Prtry></BkTxCd><NtryDtls>${btch(t.batch)}<TxDtls><Refs><EndToEndId>${t.e2e ?? 'NOTPROVIDED'}</EndToEndId></Refs><Amt Ccy="EUR">${formatMinor(minor, 'EUR')}</Amt><CdtDbtInd>${credit ? 'CRDT' : 'DBIT'}</CdtDbtInd>${party}${rmt}${rtr}</TxDtls></NtryDtls></Ntry>`;
  });
  const closing = opening + booked + (spec.closingOffset ? parseMoney(spec.closingOffset, 'EUR', { allowNegative: true }).minor : 0n);
  const bal = (code: string, v: bigint, d: string) =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${formatMinor(v < 0n ? -v : v, 'EUR')}</Amt><CdtDbtInd>${v < 0n ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>${d}</Dt></Dt></Bal>`;
  const root = kind === 'camt.053' ? 'BkToCstmrStmt' : 'BkToCstmrAcctRpt';
  const rec = kind === 'camt.053' ? 'Stmt' : 'Rpt';
  const ns = kind === 'camt.053' ? 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08' : 'urn:iso:std:iso:20022:tech:xsd:camt.052.001.08';
  const balances = kind === 'camt.053' ? bal('OPBD', opening, date) + bal('CLBD', closing, date) : spec.reportBalances ? bal('PRCD', opening, date) + bal('ITBD', closing, date) : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="${ns}"><${root}><GrpHdr><MsgId>MSG-${spec.id ?? date}-${kind}</MsgId><CreDtTm>${date}T${spec.time ?? '20:00'}:00+01:00</CreDtTm></GrpHdr>
<${rec}><Id>${spec.id ?? `STMT-${date}`}</Id><ElctrncSeqNb>${spec.seq ?? 1}</ElctrncSeqNb><CreDtTm>${date}T${spec.time ?? '20:00'}:00+01:00</CreDtTm><Acct><Id><IBAN>${iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>${balances}
${entries.join('\n')}
</${rec}></${root}></Document>`;
}
