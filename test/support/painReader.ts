/**
 * A second, independent reader of the SEPA files Stadtkasse writes (pain.001 credit transfers):
 * fast-xml-parser over the raw bytes, amounts as integer cents from the text, nothing shared with
 * the code that wrote them. Tests compare what it reads with what was meant and check the
 * Kreditwirtschaft's rules (character set, lengths, ids, dates).
 */
import { XMLParser } from 'fast-xml-parser';

export const DK_CHARSET = /^[A-Za-z0-9/\-?:().,'+ ]*$/;

export interface ReadTransfer {
  instrId: string;
  endToEndId: string;
  cents: bigint;
  currency: string;
  creditorName: string;
  creditorIban: string;
  creditorBic: string | null;
  remittance: string;
}

export interface ReadCreditTransfer {
  namespace: string;
  messageId: string;
  createdAt: string;
  count: number;
  controlSumCents: bigint;
  initiatorName: string;
  payments: Array<{
    id: string;
    method: string;
    batchBooking: string;
    count: number;
    controlSumCents: bigint;
    serviceLevel: string;
    executionDate: string;
    debtorName: string;
    debtorIban: string;
    debtorBic: string | null;
    chargeBearer: string;
    transfers: ReadTransfer[];
  }>;
}

function cents(text: string): bigint {
  if (!/^\d+\.\d{2}$/.test(text)) throw new Error(`amount ${text} is not written with exactly two decimals`);
  const [a, b] = text.split('.') as [string, string];
  return BigInt(a) * 100n + BigInt(b);
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function readCreditTransfer(xml: string): ReadCreditTransfer {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '$', parseTagValue: false, trimValues: false }).parse(xml);
  const d = doc.Document;
  const root = d.CstmrCdtTrfInitn;
  const h = root.GrpHdr;
  return {
    namespace: d.$xmlns,
    messageId: h.MsgId,
    createdAt: h.CreDtTm,
    count: Number.parseInt(h.NbOfTxs, 10),
    controlSumCents: cents(h.CtrlSum),
    initiatorName: h.InitgPty.Nm,
    payments: list<any>(root.PmtInf).map((p) => ({
      id: p.PmtInfId,
      method: p.PmtMtd,
      batchBooking: p.BtchBookg,
      count: Number.parseInt(p.NbOfTxs, 10),
      controlSumCents: cents(p.CtrlSum),
      serviceLevel: p.PmtTpInf.SvcLvl.Cd,
      executionDate: typeof p.ReqdExctnDt === 'string' ? p.ReqdExctnDt : p.ReqdExctnDt.Dt,
      debtorName: p.Dbtr.Nm,
      debtorIban: p.DbtrAcct.Id.IBAN,
      debtorBic: p.DbtrAgt?.FinInstnId?.BICFI ?? p.DbtrAgt?.FinInstnId?.BIC ?? null,
      chargeBearer: p.ChrgBr,
      transfers: list<any>(p.CdtTrfTxInf).map((t) => ({
        instrId: t.PmtId.InstrId,
        endToEndId: t.PmtId.EndToEndId,
        cents: cents(t.Amt.InstdAmt['#text']),
        currency: t.Amt.InstdAmt.$Ccy,
        creditorName: t.Cdtr.Nm,
        creditorIban: t.CdtrAcct.Id.IBAN,
        creditorBic: t.CdtrAgt?.FinInstnId?.BICFI ?? t.CdtrAgt?.FinInstnId?.BIC ?? null,
        remittance: t.RmtInf.Ustrd,
      })),
    })),
  };
}

/**
 * The DFÜ-Abkommen Anlage 3 rules a bank checks before it takes a pain.001: control sums and counts
 * add up at both levels, ids of 1–35 allowed characters (no leading "/", no "//"), end-to-end ids
 * unique, names ≤ 70, remittance ≤ 140, all text in the DK character set. Answers the violations.
 */
export function dkViolations(f: ReadCreditTransfer): string[] {
  const out: string[] = [];
  const id = (what: string, v: string) => {
    if (!(v.length >= 1 && v.length <= 35 && DK_CHARSET.test(v) && !v.startsWith('/') && !v.includes('//'))) out.push(`${what} "${v}"`);
  };
  const text = (what: string, v: string, max: number) => {
    if (v.length > max || !DK_CHARSET.test(v)) out.push(`${what} "${v}"`);
  };
  id('MsgId', f.messageId);
  text('InitgPty/Nm', f.initiatorName, 70);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(f.createdAt)) out.push(`CreDtTm ${f.createdAt}`);
  const all = f.payments.flatMap((p) => p.transfers);
  if (all.length !== f.count) out.push(`GrpHdr/NbOfTxs ${f.count} but ${all.length} transactions`);
  if (all.reduce((s, t) => s + t.cents, 0n) !== f.controlSumCents) out.push('GrpHdr/CtrlSum does not add up');
  const e2e = new Set<string>();
  for (const p of f.payments) {
    id('PmtInfId', p.id);
    if (p.method !== 'TRF') out.push(`PmtMtd ${p.method}`);
    if (p.serviceLevel !== 'SEPA') out.push(`SvcLvl ${p.serviceLevel}`);
    if (p.chargeBearer !== 'SLEV') out.push(`ChrgBr ${p.chargeBearer}`);
    if (p.transfers.length !== p.count) out.push(`PmtInf/NbOfTxs ${p.count} but ${p.transfers.length}`);
    if (p.transfers.reduce((s, t) => s + t.cents, 0n) !== p.controlSumCents) out.push('PmtInf/CtrlSum does not add up');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(p.executionDate)) out.push(`ReqdExctnDt ${p.executionDate}`);
    text('Dbtr/Nm', p.debtorName, 70);
    for (const t of p.transfers) {
      id('InstrId', t.instrId);
      id('EndToEndId', t.endToEndId);
      if (e2e.has(t.endToEndId)) out.push(`EndToEndId ${t.endToEndId} twice`);
      e2e.add(t.endToEndId);
      if (t.currency !== 'EUR') out.push(`Ccy ${t.currency}`);
      if (t.cents < 1n || t.cents > 99_999_999_999n) out.push(`amount ${t.cents}`);
      text('Cdtr/Nm', t.creditorName, 70);
      text('RmtInf/Ustrd', t.remittance, 140);
    }
  }
  return out;
}

export interface ReadDirectDebit {
  namespace: string;
  messageId: string;
  count: number;
  controlSumCents: bigint;
  initiatorName: string;
  payments: Array<{
    id: string;
    method: string;
    batchBooking: string;
    count: number;
    controlSumCents: bigint;
    serviceLevel: string;
    localInstrument: string;
    sequence: string;
    collectionDate: string;
    creditorName: string;
    creditorIban: string;
    creditorId: string;
    chargeBearer: string;
    debits: Array<{
      endToEndId: string;
      cents: bigint;
      currency: string;
      mandateId: string;
      signedOn: string;
      amended: string;
      originalMandateId: string | null;
      originalDebtorIban: string | null;
      debtorName: string;
      debtorIban: string;
      remittance: string;
    }>;
  }>;
}

export function readDirectDebit(xml: string): ReadDirectDebit {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '$', parseTagValue: false, trimValues: false }).parse(xml);
  const d = doc.Document;
  const root = d.CstmrDrctDbtInitn;
  const h = root.GrpHdr;
  return {
    namespace: d.$xmlns,
    messageId: h.MsgId,
    count: Number.parseInt(h.NbOfTxs, 10),
    controlSumCents: cents(h.CtrlSum),
    initiatorName: h.InitgPty.Nm,
    payments: list<any>(root.PmtInf).map((p) => ({
      id: p.PmtInfId,
      method: p.PmtMtd,
      batchBooking: p.BtchBookg,
      count: Number.parseInt(p.NbOfTxs, 10),
      controlSumCents: cents(p.CtrlSum),
      serviceLevel: p.PmtTpInf.SvcLvl.Cd,
      localInstrument: p.PmtTpInf.LclInstrm.Cd,
      sequence: p.PmtTpInf.SeqTp,
      collectionDate: p.ReqdColltnDt,
      creditorName: p.Cdtr.Nm,
      creditorIban: p.CdtrAcct.Id.IBAN,
      creditorId: p.CdtrSchmeId.Id.PrvtId.Othr.Id,
      chargeBearer: p.ChrgBr,
      debits: list<any>(p.DrctDbtTxInf).map((t) => {
        const m = t.DrctDbtTx.MndtRltdInf;
        return {
          endToEndId: t.PmtId.EndToEndId,
          cents: cents(t.InstdAmt['#text']),
          currency: t.InstdAmt.$Ccy,
          mandateId: m.MndtId,
          signedOn: m.DtOfSgntr,
          amended: m.AmdmntInd,
          originalMandateId: m.AmdmntInfDtls?.OrgnlMndtId ?? null,
          originalDebtorIban: m.AmdmntInfDtls?.OrgnlDbtrAcct?.Id?.IBAN ?? null,
          debtorName: t.Dbtr.Nm,
          debtorIban: t.DbtrAcct.Id.IBAN,
          remittance: t.RmtInf.Ustrd,
        };
      }),
    })),
  };
}

/** The DK rules for pain.008 (core direct debit): as for pain.001, plus CORE, a sequence, mandate data. */
export function dkDirectDebitViolations(f: ReadDirectDebit): string[] {
  const out: string[] = [];
  const id = (what: string, v: string) => {
    if (!(v.length >= 1 && v.length <= 35 && DK_CHARSET.test(v) && !v.startsWith('/') && !v.includes('//'))) out.push(`${what} "${v}"`);
  };
  const text = (what: string, v: string, max: number) => {
    if (v.length > max || !DK_CHARSET.test(v)) out.push(`${what} "${v}"`);
  };
  id('MsgId', f.messageId);
  text('InitgPty/Nm', f.initiatorName, 70);
  const all = f.payments.flatMap((p) => p.debits);
  if (all.length !== f.count) out.push('GrpHdr/NbOfTxs');
  if (all.reduce((s, t) => s + t.cents, 0n) !== f.controlSumCents) out.push('GrpHdr/CtrlSum does not add up');
  const e2e = new Set<string>();
  for (const p of f.payments) {
    id('PmtInfId', p.id);
    if (p.method !== 'DD' || p.serviceLevel !== 'SEPA' || p.localInstrument !== 'CORE' || p.chargeBearer !== 'SLEV') out.push('payment type');
    if (!['FRST', 'RCUR', 'OOFF', 'FNAL'].includes(p.sequence)) out.push(`SeqTp ${p.sequence}`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(p.collectionDate)) out.push(`ReqdColltnDt ${p.collectionDate}`);
    if (p.debits.length !== p.count || p.debits.reduce((s, t) => s + t.cents, 0n) !== p.controlSumCents) out.push('PmtInf count or control sum');
    text('Cdtr/Nm', p.creditorName, 70);
    if (!/^[A-Z]{2}\d{2}[A-Z0-9]{3}[A-Z0-9]{1,28}$/.test(p.creditorId)) out.push(`CdtrSchmeId ${p.creditorId}`);
    for (const t of p.debits) {
      id('EndToEndId', t.endToEndId);
      id('MndtId', t.mandateId);
      if (e2e.has(t.endToEndId)) out.push(`EndToEndId ${t.endToEndId} twice`);
      e2e.add(t.endToEndId);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(t.signedOn) || t.signedOn > p.collectionDate) out.push(`DtOfSgntr ${t.signedOn}`);
      if (t.amended !== 'true' && t.amended !== 'false') out.push(`AmdmntInd ${t.amended}`);
      if ((t.amended === 'true') !== (t.originalMandateId !== null || t.originalDebtorIban !== null)) out.push(`amendment details of ${t.endToEndId}`);
      if (t.currency !== 'EUR' || t.cents < 1n) out.push(`amount of ${t.endToEndId}`);
      text('Dbtr/Nm', t.debtorName, 70);
      text('RmtInf/Ustrd', t.remittance, 140);
    }
  }
  return out;
}
