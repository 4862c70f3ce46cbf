/**
 * SEPA credit transfer initiation (pain.001) for refunds: one payment information block (the city's
 * account as debtor) with one transaction per refund. The document is written by the `sepa`
 * library; what it computes with JavaScript numbers (amounts, control sums) is checked against our
 * integer minor units by reading the written file back (checkCreditTransfer), so a rounding of the
 * library can never reach the bank.
 */
import SEPA from 'sepa';
import { XMLParser } from 'fast-xml-parser';
import { formatMinor } from '../money/money.js';
import { isSepaId, SEPA_TEXT } from './charset.js';
import { isTail, painPieces, writtenCents } from './readBack.js';

import type { CreditTransferFormat } from './formats.js';

export interface CreditTransfer {
  endToEndId: string;
  amountMinor: bigint;
  creditorName: string;
  creditorIban: string;
  creditorBic?: string | null;
  remittance: string;
}

export interface CreditTransferFile {
  format: CreditTransferFormat;
  messageId: string;
  paymentInformationId: string;
  createdAt: Date;
  /** Requested execution date, YYYY-MM-DD. */
  executionDate: string;
  batchBooking: boolean;
  initiatorName: string;
  debtor: { name: string; iban: string; bic?: string | undefined };
  transfers: CreditTransfer[];
}

/** A calendar day as the library wants it: local midnight (it prints the local calendar date). */
function localDay(day: string): Date {
  const [y, m, d] = day.split('-').map((p) => Number.parseInt(p, 10)) as [number, number, number];
  return new Date(y, m - 1, d);
}

/**
 * Euro amounts for the library, which takes numbers. Exact for every amount below 2^53 cents; the
 * written file is compared with the minor units afterwards anyway.
 */
function libraryAmount(minor: bigint): number {
  return Number(formatMinor(minor, 'EUR')); // float-money-ok: the library's input; checkCreditTransfer compares the written file with the minor units
}

export function writeCreditTransfer(f: CreditTransferFile): string {
  const doc = new SEPA.Document(f.format);
  doc.grpHdr.id = f.messageId;
  doc.grpHdr.created = f.createdAt;
  doc.grpHdr.initiatorName = f.initiatorName;
  const info = doc.createPaymentInfo();
  info.requestedExecutionDate = localDay(f.executionDate);
  info.debtorIBAN = f.debtor.iban;
  info.debtorBIC = f.debtor.bic ?? '';
  info.debtorName = f.debtor.name;
  info.batchBooking = f.batchBooking;
  // The library prefixes the PmtInfId with the MsgId; we give it whole and keep it as written.
  info.id = f.paymentInformationId;
  doc.addPaymentInfo(info);
  info.id = f.paymentInformationId;
  for (const [i, t] of f.transfers.entries()) {
    const tx = info.createTransaction();
    tx.creditorName = t.creditorName;
    tx.creditorIBAN = t.creditorIban;
    tx.creditorBIC = t.creditorBic ?? '';
    tx.amount = libraryAmount(t.amountMinor);
    tx.remittanceInfo = t.remittance;
    tx.end2endId = t.endToEndId;
    info.addTransaction(tx);
    // InstrId: the position, short and unique within the file (the library would prefix it).
    tx.id = String(i + 1);
  }
  const xml = doc.toString();
  checkCreditTransfer(xml, f);
  return xml;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => name === 'CdtTrfTxInf' || name === 'PmtInf' });

const cents = (text: unknown): bigint => writtenCents(text, 'pain.001');

const fail = (what: string): never => {
  throw new Error(`pain.001 as written disagrees with the run: ${what}`);
};

/** Everything of a file but its transfers; `count` and `totalMinor` are what the header says. */
export type CreditTransferHeader = Omit<CreditTransferFile, 'transfers'> & { count: number; totalMinor: bigint };

function checkHead(doc: Record<string, any>, f: CreditTransferHeader): void {
  const root = doc.Document?.CstmrCdtTrfInitn;
  const ns = doc.Document?.['@xmlns'];
  if (!root || ns !== `urn:iso:std:iso:20022:tech:xsd:${f.format}`) fail(`namespace ${String(ns)}`);
  const hdr = root.GrpHdr;
  if (hdr.MsgId !== f.messageId || !isSepaId(hdr.MsgId)) fail(`MsgId ${hdr.MsgId}`);
  if (Number.parseInt(hdr.NbOfTxs, 10) !== f.count) fail(`NbOfTxs ${hdr.NbOfTxs}`);
  if (cents(hdr.CtrlSum) !== f.totalMinor) fail(`GrpHdr/CtrlSum ${hdr.CtrlSum}`);
  if (!root.PmtInf || root.PmtInf.length !== 1) fail('one PmtInf expected');
  const p = root.PmtInf[0];
  if (p.PmtInfId !== f.paymentInformationId || !isSepaId(p.PmtInfId)) fail(`PmtInfId ${p.PmtInfId}`);
  if (cents(p.CtrlSum) !== f.totalMinor || Number.parseInt(p.NbOfTxs, 10) !== f.count) fail('PmtInf count or control sum');
  if (p.BtchBookg !== String(f.batchBooking)) fail(`BtchBookg ${p.BtchBookg}`);
  const exec = typeof p.ReqdExctnDt === 'object' ? p.ReqdExctnDt.Dt : p.ReqdExctnDt;
  if (exec !== f.executionDate) fail(`ReqdExctnDt ${exec}`);
  if (p.DbtrAcct.Id.IBAN !== f.debtor.iban) fail('debtor account');
  const dbtr = String(p.Dbtr.Nm);
  if (dbtr.length > 70 || !SEPA_TEXT.test(dbtr)) fail('debtor name');
}

/** One transfer as written against the one meant; answers its amount in cents. */
function checkTransfer(x: Record<string, any>, t: CreditTransfer, n: number): bigint {
  if (x.PmtId.EndToEndId !== t.endToEndId || !isSepaId(t.endToEndId)) fail(`EndToEndId of transaction ${n}`);
  if (!isSepaId(String(x.PmtId.InstrId))) fail(`InstrId of transaction ${n}`);
  const amount = cents(x.Amt.InstdAmt['#text']);
  if (amount !== t.amountMinor || x.Amt.InstdAmt['@Ccy'] !== 'EUR') fail(`amount of transaction ${n}`);
  if (x.CdtrAcct.Id.IBAN !== t.creditorIban) fail(`creditor account of transaction ${n}`);
  const name = String(x.Cdtr.Nm);
  const text = String(x.RmtInf.Ustrd);
  if (name.length > 70 || !SEPA_TEXT.test(name)) fail(`creditor name of transaction ${n}`);
  if (text.length > 140 || !SEPA_TEXT.test(text)) fail(`remittance of transaction ${n}`);
  return amount;
}

/**
 * Reads a written pain.001 back and compares it with what was meant: count, every amount, both
 * control sums, the end-to-end ids, the character set and the lengths of the DK rules. Throws on
 * any difference: such a file is never stored nor handed out.
 */
export function checkCreditTransfer(xml: string, f: CreditTransferFile): void {
  const doc = parser.parse(xml) as Record<string, any>;
  checkHead(doc, { ...f, count: f.transfers.length, totalMinor: f.transfers.reduce((s, t) => s + t.amountMinor, 0n) });
  const txs = doc.Document.CstmrCdtTrfInitn.PmtInf[0].CdtTrfTxInf as Array<Record<string, any>> | undefined;
  if (!txs || txs.length !== f.transfers.length) fail(`${txs?.length ?? 0} transactions`);
  for (const [i, t] of f.transfers.entries()) checkTransfer(txs![i]!, t, i + 1);
}

/**
 * The same comparison for a file read back piece by piece (readBack.ts), as kept: the head against
 * the run, each transfer against the next one `expected` yields, count and sum against the header.
 */
export async function checkCreditTransferStream(text: AsyncIterable<string>, f: CreditTransferHeader, expected: AsyncIterable<CreditTransfer>): Promise<void> {
  const want = expected[Symbol.asyncIterator]();
  let n = 0;
  let sum = 0n;
  let tail = false;
  for await (const piece of painPieces(text, 'CdtTrfTxInf')) {
    if (piece.kind === 'head') checkHead(parser.parse(piece.text + '</PmtInf></CstmrCdtTrfInitn></Document>') as Record<string, any>, f);
    else if (piece.kind === 'transaction') {
      n++;
      const next = await want.next();
      if (next.done) fail(`transaction ${n} is not in the run`);
      const x = (parser.parse(piece.text) as Record<string, any>).CdtTrfTxInf?.[0];
      if (!x) fail(`transaction ${n} is not one element`);
      sum += checkTransfer(x, next.value as CreditTransfer, n);
    } else {
      if (!isTail(piece.text, 'CstmrCdtTrfInitn')) fail('what follows the last transaction');
      tail = true;
    }
  }
  if (!tail) fail('the end of the document');
  if (!(await want.next()).done) fail(`the run has more than the ${n} transfers written`);
  if (n !== f.count || sum !== f.totalMinor) fail(`${n} transfers of ${formatMinor(sum, 'EUR')} read, the header says ${f.count} of ${formatMinor(f.totalMinor, 'EUR')}`);
}
