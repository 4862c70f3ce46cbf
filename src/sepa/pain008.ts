/**
 * SEPA core direct debit initiation, pain.008.001.08, for collection runs: one payment information
 * block (one collection date, one sequence) with one transaction per item.
 *
 * Written here rather than with the `sepa` package: the package reports an amendment only as a
 * changed creditor identifier, but a mandate's new reference (OrgnlMndtId) and the debtor's new
 * account (OrgnlDbtrAcct) are what cities need to report. The document is small and fixed; amounts
 * are printed from integer cents and the result is read back (checkDirectDebit) like the pain.001.
 */
import { XMLParser } from 'fast-xml-parser';
import { formatMinor } from '../money/money.js';
import { isSepaId, SEPA_TEXT } from './charset.js';
import { isTail, painPieces, writtenCents } from './readBack.js';

export const DIRECT_DEBIT_FORMAT = 'pain.008.001.08';

export interface DirectDebitTransaction {
  endToEndId: string;
  amountMinor: bigint;
  mandateReference: string;
  signedOn: string;
  amendment?: { originalReference?: string; originalIban?: string } | null;
  debtorName: string;
  debtorIban: string;
  debtorBic?: string | null;
  remittance: string;
}

export interface DirectDebitFile {
  messageId: string;
  paymentInformationId: string;
  createdAt: Date;
  collectionDate: string;
  sequence: 'FRST' | 'RCUR' | 'OOFF' | 'FNAL';
  batchBooking: boolean;
  initiatorName: string;
  creditor: { name: string; iban: string; bic?: string | undefined; creditorId: string };
  transactions: DirectDebitTransaction[];
}

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll("'", '&apos;');
const eur = (minor: bigint) => formatMinor(minor, 'EUR');
const agent = (bic: string | null | undefined) => (bic ? `<FinInstnId><BICFI>${bic}</BICFI></FinInstnId>` : '<FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId>');

const wallClock = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** Creation time as the bank reads it: the city's wall clock with seconds, no fraction, no offset. */
function creationTime(at: Date): string {
  return wallClock.format(at).replace(' ', 'T');
}

/** Everything of a file but its transactions; `count` and `totalMinor` are what the header says. */
export type DirectDebitHeader = Omit<DirectDebitFile, 'transactions'> & { count: number; totalMinor: bigint };

/** The document up to its first transaction: group header and the one payment information block. */
export function directDebitHead(f: DirectDebitHeader): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:${DIRECT_DEBIT_FORMAT}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:iso:std:iso:20022:tech:xsd:${DIRECT_DEBIT_FORMAT} ${DIRECT_DEBIT_FORMAT}.xsd"><CstmrDrctDbtInitn>`,
    `<GrpHdr><MsgId>${esc(f.messageId)}</MsgId><CreDtTm>${creationTime(f.createdAt)}</CreDtTm><NbOfTxs>${f.count}</NbOfTxs><CtrlSum>${eur(f.totalMinor)}</CtrlSum><InitgPty><Nm>${esc(f.initiatorName)}</Nm></InitgPty></GrpHdr>`,
    `<PmtInf><PmtInfId>${esc(f.paymentInformationId)}</PmtInfId><PmtMtd>DD</PmtMtd><BtchBookg>${f.batchBooking}</BtchBookg><NbOfTxs>${f.count}</NbOfTxs><CtrlSum>${eur(f.totalMinor)}</CtrlSum>`,
    `<PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl><LclInstrm><Cd>CORE</Cd></LclInstrm><SeqTp>${f.sequence}</SeqTp></PmtTpInf><ReqdColltnDt>${f.collectionDate}</ReqdColltnDt>`,
    `<Cdtr><Nm>${esc(f.creditor.name)}</Nm></Cdtr><CdtrAcct><Id><IBAN>${f.creditor.iban}</IBAN></Id></CdtrAcct><CdtrAgt>${agent(f.creditor.bic)}</CdtrAgt><ChrgBr>SLEV</ChrgBr>`,
    `<CdtrSchmeId><Id><PrvtId><Othr><Id>${f.creditor.creditorId}</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></CdtrSchmeId>`,
  ].join('');
}

/** One DrctDbtTxInf. */
export function directDebitTransaction(t: DirectDebitTransaction): string {
  const a = t.amendment;
  const amended = a && (a.originalReference || a.originalIban);
  const details = amended
    ? `<AmdmntInfDtls>${a.originalReference ? `<OrgnlMndtId>${esc(a.originalReference)}</OrgnlMndtId>` : ''}${a.originalIban ? `<OrgnlDbtrAcct><Id><IBAN>${a.originalIban}</IBAN></Id></OrgnlDbtrAcct>` : ''}</AmdmntInfDtls>`
    : '';
  return (
    `<DrctDbtTxInf><PmtId><EndToEndId>${esc(t.endToEndId)}</EndToEndId></PmtId><InstdAmt Ccy="EUR">${eur(t.amountMinor)}</InstdAmt>` +
    `<DrctDbtTx><MndtRltdInf><MndtId>${esc(t.mandateReference)}</MndtId><DtOfSgntr>${t.signedOn}</DtOfSgntr><AmdmntInd>${amended ? 'true' : 'false'}</AmdmntInd>${details}</MndtRltdInf></DrctDbtTx>` +
    `<DbtrAgt>${agent(t.debtorBic)}</DbtrAgt><Dbtr><Nm>${esc(t.debtorName)}</Nm></Dbtr><DbtrAcct><Id><IBAN>${t.debtorIban}</IBAN></Id></DbtrAcct><RmtInf><Ustrd>${esc(t.remittance)}</Ustrd></RmtInf></DrctDbtTxInf>`
  );
}

export const DIRECT_DEBIT_TAIL = '</PmtInf></CstmrDrctDbtInitn></Document>';

/** A whole file in memory (small runs, tests); a collection run writes the same parts in pages. */
export function writeDirectDebit(f: DirectDebitFile): string {
  const header = { ...f, count: f.transactions.length, totalMinor: f.transactions.reduce((s, t) => s + t.amountMinor, 0n) };
  const xml = directDebitHead(header) + f.transactions.map(directDebitTransaction).join('') + DIRECT_DEBIT_TAIL;
  checkDirectDebit(xml, f);
  return xml;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => name === 'DrctDbtTxInf' || name === 'PmtInf' });

const cents = (text: unknown): bigint => writtenCents(text, 'pain.008');

const fail = (what: string): never => {
  throw new Error(`pain.008 as written disagrees with the run: ${what}`);
};

/** The head's fields against the run; `count` and `totalMinor` are what the run says it holds. */
function checkHead(doc: Record<string, any>, f: DirectDebitHeader): void {
  const root = doc.Document?.CstmrDrctDbtInitn;
  if (!root || doc.Document['@xmlns'] !== `urn:iso:std:iso:20022:tech:xsd:${DIRECT_DEBIT_FORMAT}`) fail('namespace');
  if (root.GrpHdr.MsgId !== f.messageId || !isSepaId(root.GrpHdr.MsgId)) fail('MsgId');
  if (Number.parseInt(root.GrpHdr.NbOfTxs, 10) !== f.count || cents(root.GrpHdr.CtrlSum) !== f.totalMinor) fail('GrpHdr count or control sum');
  if (!root.PmtInf || root.PmtInf.length !== 1) fail('one PmtInf expected');
  const p = root.PmtInf[0];
  if (p.PmtInfId !== f.paymentInformationId || !isSepaId(p.PmtInfId)) fail('PmtInfId');
  if (Number.parseInt(p.NbOfTxs, 10) !== f.count || cents(p.CtrlSum) !== f.totalMinor) fail('PmtInf count or control sum');
  if (p.PmtTpInf.SeqTp !== f.sequence || p.PmtTpInf.LclInstrm.Cd !== 'CORE' || p.ReqdColltnDt !== f.collectionDate) fail('sequence, instrument or date');
  if (p.CdtrSchmeId.Id.PrvtId.Othr.Id !== f.creditor.creditorId) fail('creditor identifier');
  for (const [what, v] of [['Cdtr/Nm', p.Cdtr.Nm], ['InitgPty/Nm', root.GrpHdr.InitgPty.Nm]] as const) if (String(v).length > 70 || !SEPA_TEXT.test(String(v))) fail(what);
}

/** One transaction as written against the one meant; answers its amount in cents. */
function checkTransaction(x: Record<string, any>, t: DirectDebitTransaction, n: number): bigint {
  if (x.PmtId.EndToEndId !== t.endToEndId || !isSepaId(t.endToEndId)) fail(`EndToEndId of transaction ${n}`);
  const amount = cents(x.InstdAmt['#text']);
  if (amount !== t.amountMinor || x.InstdAmt['@Ccy'] !== 'EUR' || t.amountMinor <= 0n) fail(`amount of transaction ${n}`);
  const m = x.DrctDbtTx.MndtRltdInf;
  if (m.MndtId !== t.mandateReference || !isSepaId(t.mandateReference) || m.DtOfSgntr !== t.signedOn) fail(`mandate of transaction ${n}`);
  if (x.DbtrAcct.Id.IBAN !== t.debtorIban) fail(`debtor account of transaction ${n}`);
  if (String(x.Dbtr.Nm).length > 70 || !SEPA_TEXT.test(String(x.Dbtr.Nm))) fail(`debtor name of transaction ${n}`);
  if (String(x.RmtInf.Ustrd).length > 140 || !SEPA_TEXT.test(String(x.RmtInf.Ustrd))) fail(`remittance of transaction ${n}`);
  return amount;
}

/**
 * Reads a written pain.008 back and compares it with the run: counts, amounts, control sums, ids,
 * mandate data, sequence, date, the DK character set and lengths. Throws on any difference.
 */
export function checkDirectDebit(xml: string, f: DirectDebitFile): void {
  const doc = parser.parse(xml) as Record<string, any>;
  const total = f.transactions.reduce((s, t) => s + t.amountMinor, 0n);
  checkHead(doc, { ...f, count: f.transactions.length, totalMinor: total });
  const txs = doc.Document.CstmrDrctDbtInitn.PmtInf[0].DrctDbtTxInf as Array<Record<string, any>> | undefined;
  if (!txs || txs.length !== f.transactions.length) fail('transaction count');
  for (const [i, t] of f.transactions.entries()) checkTransaction(txs![i]!, t, i + 1);
}

/**
 * The same comparison for a file read back piece by piece (readBack.ts): the head against the run,
 * each transaction against the next one `expected` yields (the run's debits, read again in file
 * order), and the count and the sum of what was read against both control sums.
 */
export async function checkDirectDebitStream(text: AsyncIterable<string>, f: DirectDebitHeader, expected: AsyncIterable<DirectDebitTransaction>): Promise<void> {
  const want = expected[Symbol.asyncIterator]();
  let n = 0;
  let sum = 0n;
  let tail = false;
  for await (const piece of painPieces(text, 'DrctDbtTxInf')) {
    if (piece.kind === 'head') checkHead(parser.parse(piece.text + DIRECT_DEBIT_TAIL) as Record<string, any>, f);
    else if (piece.kind === 'transaction') {
      n++;
      const next = await want.next();
      if (next.done) fail(`transaction ${n} is not in the run`);
      const x = (parser.parse(piece.text) as Record<string, any>).DrctDbtTxInf?.[0];
      if (!x) fail(`transaction ${n} is not one element`);
      sum += checkTransaction(x, next.value as DirectDebitTransaction, n);
    } else {
      if (!isTail(piece.text, 'CstmrDrctDbtInitn')) fail('what follows the last transaction');
      tail = true;
    }
  }
  if (!tail) fail('the end of the document');
  if (!(await want.next()).done) fail(`the run has more than the ${n} transactions written`);
  if (n !== f.count || sum !== f.totalMinor) fail(`${n} transactions of ${eur(sum)} read, the header says ${f.count} of ${eur(f.totalMinor)}`);
}
