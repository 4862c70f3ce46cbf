import type {
  Balance,
  CamtAmount,
  CreditDebit,
  BankTransactionCode,
  CreditorReference,
  Entry,
  MessageHeader,
  Party,
  ReturnInfo,
  StatementHeader,
  Transaction,
  TransactionAmountSource,
  TransactionReferences,
} from '../model.js';
import type { CamtVersion } from '../versions.js';
import { DecodeContext, all, at, isObject, list, type XNode } from './context.js';

/** GrpHdr → MessageHeader (kind and version come from the descriptor). */
export function decodeGroupHeader(node: XNode, version: CamtVersion, ctx: DecodeContext): MessageHeader {
  const messageId = ctx.text(node, 'MsgId');
  if (messageId === undefined) ctx.fail('MsgId', 'the group header has no message id (MsgId)');
  const header: MessageHeader = { kind: version.kind, version: version.version, messageId };
  if (version.namespace) header.namespace = version.namespace;
  const created = ctx.text(node, 'CreDtTm');
  if (created !== undefined) header.createdAt = created;
  const pagination = decodePagination(at(node, 'MsgPgntn'), ctx);
  if (pagination) header.pagination = pagination;
  const info = ctx.text(node, 'AddtlInf');
  if (info !== undefined) header.additionalInfo = info;
  return header;
}

function decodePagination(node: XNode, ctx: DecodeContext): { page: string; last: boolean } | undefined {
  if (!isObject(node)) return undefined;
  const page = ctx.text(node, 'PgNb') ?? '';
  const last = ctx.text(node, 'LastPgInd');
  return { page, last: last === 'true' || last === '1' };
}

const ADDITIONAL_INFO: Record<string, string> = { Stmt: 'AddtlStmtInf', Rpt: 'AddtlRptInf', Ntfctn: 'AddtlNtfctnInf' };
const PAGINATION: Record<string, string> = { Stmt: 'StmtPgntn', Rpt: 'RptPgntn', Ntfctn: 'NtfctnPgntn' };

/** The non-entry children of one Stmt/Rpt/Ntfctn → StatementHeader. */
export function decodeRecordHeader(node: XNode, version: CamtVersion, index: number, ctx: DecodeContext): StatementHeader {
  let id = ctx.text(node, 'Id');
  if (id === undefined) {
    // Mandatory in every version, missing in libeufin/nexus/sample/platform/gls_camt054.xml.
    ctx.warn('Id', `the ${version.recordElement} has no identification (Id); read with an empty one`);
    id = '';
  }
  const account = version.decoders.account(at(node, 'Acct'), ctx, 'Acct');
  ctx.accountCurrency = account.currency;
  const header: StatementHeader = { kind: version.kind, id, account, balances: [], index };
  const set = <K extends keyof StatementHeader>(key: K, value: StatementHeader[K] | undefined): void => {
    if (value !== undefined) header[key] = value;
  };
  set('electronicSequenceNumber', ctx.text(node, 'ElctrncSeqNb'));
  set('legalSequenceNumber', ctx.text(node, 'LglSeqNb'));
  set('createdAt', ctx.text(node, 'CreDtTm'));
  set('fromDateTime', ctx.text(node, 'FrToDt/FrDtTm'));
  set('toDateTime', ctx.text(node, 'FrToDt/ToDtTm'));
  set('copyDuplicateIndicator', ctx.text(node, 'CpyDplctInd'));
  set('pagination', decodePagination(at(node, PAGINATION[version.recordElement]!), ctx));
  set('additionalInfo', ctx.text(node, ADDITIONAL_INFO[version.recordElement]!));
  list(node, 'Bal').forEach((bal, i) => {
    const b = decodeBalance(bal, ctx, `Bal[${i + 1}]`);
    if (b) header.balances.push(b);
  });
  const summary = at(node, 'TxsSummry');
  if (isObject(summary)) {
    const s: NonNullable<StatementHeader['summary']> = {};
    const entries = ctx.text(summary, 'TtlNtries/NbOfNtries');
    if (entries !== undefined && /^\d+$/.test(entries)) s.entries = Number.parseInt(entries, 10);
    const sum = ctx.text(summary, 'TtlNtries/Sum');
    if (sum !== undefined) s.sum = sum;
    // .02 sends TtlNetNtryAmt + CdtDbtInd; .04 and later TtlNetNtry/Amt + CdtDbtInd.
    const net = ctx.text(summary, 'TtlNtries/TtlNetNtry/Amt') ?? ctx.text(summary, 'TtlNtries/TtlNetNtryAmt');
    if (net !== undefined) {
      const ind = ctx.text(summary, 'TtlNtries/TtlNetNtry/CdtDbtInd') ?? ctx.text(summary, 'TtlNtries/CdtDbtInd');
      s.totalNet = ind === 'DBIT' ? '-' + net : net;
    }
    const credits = ctx.text(summary, 'TtlCdtNtries/NbOfNtries');
    if (credits !== undefined && /^\d+$/.test(credits)) s.credits = Number.parseInt(credits, 10);
    const debits = ctx.text(summary, 'TtlDbtNtries/NbOfNtries');
    if (debits !== undefined && /^\d+$/.test(debits)) s.debits = Number.parseInt(debits, 10);
    header.summary = s;
  }
  return header;
}

function decodeBalance(node: XNode, ctx: DecodeContext, path: string): Balance | undefined {
  const type =
    ctx.text(node, 'Tp/CdOrPrtry/Cd') ?? ctx.text(node, 'Tp/CdOrPrtry/Prtry') ?? ctx.text(node, 'Tp/Cd') ?? ctx.text(node, 'Tp/Prtry');
  if (type === undefined) ctx.fail(path + '/Tp', 'the balance has no type code');
  const amount = ctx.amount(at(node, 'Amt'), path + '/Amt', { allowNegative: true });
  if (!amount) ctx.fail(path, `the ${type} balance has no amount`);
  let creditDebit = ctx.creditDebit(node, 'CdtDbtInd');
  if (!creditDebit) {
    // subite/LT625…/CAMT_053/2024-03-07.xml sends balances without CdtDbtInd; the schema makes it
    // mandatory, and a positive balance is the only reading that keeps those statements balanced.
    creditDebit = 'CRDT';
    ctx.warn(path, `the ${type} balance has no CdtDbtInd; read as a credit balance`);
  }
  let signed = creditDebit === 'DBIT' ? -amount.minor : amount.minor;
  if (amount.minor < 0n) {
    ctx.warn(path, `the ${type} balance amount is negative; balances carry their sign in CdtDbtInd`);
    signed = creditDebit === 'DBIT' ? amount.minor : amount.minor;
    amount.minor = -amount.minor;
  }
  const balance: Balance = { type, amount, signedMinor: signed, creditDebit };
  const subType = ctx.text(node, 'Tp/SubTp/Cd') ?? ctx.text(node, 'Tp/SubTp/Prtry');
  if (subType !== undefined) balance.subType = subType;
  const { date, dateTime } = ctx.dateChoice(at(node, 'Dt'), path + '/Dt');
  if (date !== undefined) balance.date = date;
  if (dateTime !== undefined) balance.dateTime = dateTime;
  if (date === undefined) {
    // hbci4java/test-camt-parse-5200108-missing-date.xml: a balance without a date still counts.
    ctx.warn(path, `the ${type} balance has no date`);
  }
  return balance;
}

function bankTransactionCode(node: XNode, ctx: DecodeContext): BankTransactionCode | undefined {
  if (!isObject(node)) return undefined;
  const code: BankTransactionCode = {};
  const domain = ctx.text(node, 'Domn/Cd');
  if (domain !== undefined) code.domain = domain;
  const family = ctx.text(node, 'Domn/Fmly/Cd');
  if (family !== undefined) code.family = family;
  const sub = ctx.text(node, 'Domn/Fmly/SubFmlyCd');
  if (sub !== undefined) code.subFamily = sub;
  const prop = ctx.text(node, 'Prtry/Cd');
  if (prop !== undefined) {
    code.proprietary = prop;
    // DK format "NTRF+166+9249": SWIFT booking key, Geschäftsvorfallcode, text key extension.
    const gvc = /^[A-Z0-9]{3,4}\+(\d{3})(?:\+|$)/.exec(prop)?.[1];
    if (gvc !== undefined) code.gvc = gvc;
  }
  const issuer = ctx.text(node, 'Prtry/Issr');
  if (issuer !== undefined) code.proprietaryIssuer = issuer;
  return Object.keys(code).length > 0 ? code : undefined;
}

/** One <Ntry> with its TxDtls. */
export function decodeEntry(node: XNode, version: CamtVersion, index: number, line: number, ctx: DecodeContext): Entry {
  const d = version.decoders;
  const details = list(node, 'NtryDtls');
  const txNodes = details.length > 0 ? all(node, 'NtryDtls/TxDtls') : list(node, 'TxDtls');
  let amount = ctx.amount(at(node, 'Amt'), 'Amt');
  let creditDebit = ctx.creditDebit(node, 'CdtDbtInd');
  if (!amount) {
    const derived = amountFromTransactions(txNodes, ctx);
    if (!derived) ctx.fail('', 'the entry has no amount (Amt), and its transaction details do not all carry one');
    amount = derived.amount;
    creditDebit ??= derived.creditDebit;
  }
  if (!creditDebit) ctx.fail('CdtDbtInd', 'the entry has no CdtDbtInd');
  const rvsl = ctx.text(node, 'RvslInd');
  const entry: Entry = {
    index,
    amount,
    creditDebit,
    signedMinor: creditDebit === 'DBIT' ? -amount.minor : amount.minor,
    reversal: rvsl === 'true' || rvsl === '1',
    status: entryStatus(node, version, ctx),
    charges: [],
    transactions: [],
    line,
  };
  const ref = ctx.text(node, 'NtryRef');
  if (ref !== undefined) entry.entryReference = ref;
  const asr = ctx.text(node, 'AcctSvcrRef');
  if (asr !== undefined) entry.accountServicerReference = asr;
  const booking = ctx.dateChoice(at(node, 'BookgDt'), 'BookgDt');
  if (booking.date) entry.bookingDate = booking.date;
  if (booking.dateTime) entry.bookingDateTime = booking.dateTime;
  const value = ctx.dateChoice(at(node, 'ValDt'), 'ValDt');
  if (value.date) entry.valueDate = value.date;
  if (value.dateTime) entry.valueDateTime = value.dateTime;
  const btc = bankTransactionCode(at(node, 'BkTxCd'), ctx);
  if (btc) entry.bankTransactionCode = btc;
  const info = ctx.text(node, 'AddtlNtryInf');
  if (info !== undefined) entry.additionalInfo = info;
  entry.charges = d.charges(list(node, 'Chrgs'), ctx, 'Chrgs');

  // Older schemas allow several NtryDtls per entry; v01 has no NtryDtls level at all.
  for (const [i, det] of details.entries()) {
    const btch = at(det, 'Btch');
    if (isObject(btch) && !entry.batch) {
      const batch: NonNullable<Entry['batch']> = {};
      const msgId = ctx.text(btch, 'MsgId');
      if (msgId !== undefined) batch.messageId = msgId;
      const pmtInf = ctx.text(btch, 'PmtInfId');
      if (pmtInf !== undefined) batch.paymentInformationId = pmtInf;
      const count = ctx.text(btch, 'NbOfTxs');
      if (count !== undefined && /^\d+$/.test(count)) batch.count = Number.parseInt(count, 10);
      const total = ctx.amount(at(btch, 'TtlAmt'), `NtryDtls[${i + 1}]/Btch/TtlAmt`);
      if (total) batch.total = total;
      const cd = ctx.creditDebit(btch, 'CdtDbtInd');
      if (cd) batch.creditDebit = cd;
      entry.batch = batch;
    }
  }
  txNodes.forEach((tx, i) => {
    entry.transactions.push(decodeTransaction(tx, entry, txNodes.length, i, version, ctx, `NtryDtls/TxDtls[${i + 1}]`));
  });
  return entry;
}

/**
 * An entry without Amt (mandatory) whose TxDtls all carry amounts in one currency: the entry
 * amount is their signed sum (libeufin/nexus/sample/platform/postfinance_camt054.xml, second Ntry).
 */
function amountFromTransactions(txNodes: XNode[], ctx: DecodeContext): { amount: CamtAmount; creditDebit: CreditDebit } | undefined {
  if (txNodes.length === 0) return undefined;
  let sum = 0n;
  let currency: string | undefined;
  for (const [i, tx] of txNodes.entries()) {
    const a = ctx.amount(at(tx, 'Amt'), `NtryDtls/TxDtls[${i + 1}]/Amt`);
    const cd = ctx.creditDebit(tx, 'CdtDbtInd');
    if (!a || !cd || (currency !== undefined && a.currency !== currency)) return undefined;
    currency = a.currency;
    sum += cd === 'DBIT' ? -a.minor : a.minor;
  }
  ctx.warn('', `the entry has no amount (Amt); the sum of its ${txNodes.length} transaction details is used`);
  return { amount: { minor: sum < 0n ? -sum : sum, currency: currency! }, creditDebit: sum < 0n ? 'DBIT' : 'CRDT' };
}

function entryStatus(node: XNode, version: CamtVersion, ctx: DecodeContext): string {
  const sts = at(node, 'Sts');
  if (sts === undefined && version.kind === 'camt.053') {
    // subite/LT625…/CAMT_053/2024-03-07.xml omits the mandatory Sts. A statement (unlike a report
    // or notification) lists bookings only, so the entry is booked.
    ctx.warn('Sts', 'the entry has no status (Sts); read as BOOK because a camt.053 statement lists booked entries');
    return 'BOOK';
  }
  return version.decoders.status(sts, ctx, 'Sts');
}

function decodeTransaction(
  node: XNode,
  entry: Entry,
  siblings: number,
  index: number,
  version: CamtVersion,
  ctx: DecodeContext,
  path: string,
): Transaction {
  const d = version.decoders;
  const own = ctx.amount(at(node, 'Amt'), path + '/Amt');
  const txAmount = ctx.amount(at(node, 'AmtDtls/TxAmt/Amt'), path + '/AmtDtls/TxAmt/Amt');
  const instructed = ctx.amount(at(node, 'AmtDtls/InstdAmt/Amt'), path + '/AmtDtls/InstdAmt/Amt');
  const counter = ctx.amount(at(node, 'AmtDtls/CntrValAmt/Amt'), path + '/AmtDtls/CntrValAmt/Amt');
  const { amount, source } = transactionAmount(entry, siblings, [
    ['TxDtls/Amt', own],
    ['AmtDtls/TxAmt', txAmount],
    ['AmtDtls/InstdAmt', instructed],
    ['AmtDtls/CntrValAmt', counter],
  ]);
  const tx: Transaction = {
    index,
    amount,
    amountSource: source,
    creditDebit: ctx.creditDebit(node, 'CdtDbtInd') ?? entry.creditDebit,
    references: references(at(node, 'Refs'), ctx),
    charges: d.charges(list(node, 'Chrgs'), ctx, path + '/Chrgs'),
    remittanceLines: [],
    creditorReferences: [],
    additionalRemittance: [],
  };
  if (own) tx.ownAmount = own;
  if (instructed) tx.instructedAmount = instructed;
  if (txAmount) tx.transactionAmount = txAmount;
  if (counter) tx.counterValueAmount = counter;
  const rate =
    ctx.text(node, 'AmtDtls/InstdAmt/CcyXchg/XchgRate') ??
    ctx.text(node, 'AmtDtls/TxAmt/CcyXchg/XchgRate') ??
    ctx.text(node, 'AmtDtls/CntrValAmt/CcyXchg/XchgRate');
  if (rate !== undefined) tx.exchangeRate = rate;

  const parties = at(node, 'RltdPties');
  const accounts = (name: string, p: Party | undefined): Party | undefined => {
    const iban = ctx.text(parties, `${name}/Id/IBAN`);
    const other = ctx.text(parties, `${name}/Id/Othr/Id`);
    if (iban === undefined && other === undefined) return p;
    const party = p ?? {};
    if (iban !== undefined) party.iban = iban;
    if (other !== undefined) party.accountOther = other;
    return party;
  };
  const agents = at(node, 'RltdAgts');
  const withAgent = (agentEl: string, p: Party | undefined): { party: Party | undefined; bic: string | undefined } => {
    const fin = at(agents, `${agentEl}/FinInstnId`);
    const bic = d.bic(fin);
    const agentName = ctx.text(fin, 'Nm');
    if (!p || (bic === undefined && agentName === undefined)) return { party: p, bic };
    if (bic !== undefined && p.bic === undefined) p.bic = bic;
    if (agentName !== undefined) p.agentName = agentName;
    return { party: p, bic };
  };
  const debtor = withAgent('DbtrAgt', accounts('DbtrAcct', d.party(at(parties, 'Dbtr'), ctx, path + '/RltdPties/Dbtr')));
  const creditor = withAgent('CdtrAgt', accounts('CdtrAcct', d.party(at(parties, 'Cdtr'), ctx, path + '/RltdPties/Cdtr')));
  if (debtor.party) tx.debtor = debtor.party;
  if (creditor.party) tx.creditor = creditor.party;
  if (debtor.bic) tx.debtorAgentBic = debtor.bic;
  if (creditor.bic) tx.creditorAgentBic = creditor.bic;
  const ud = d.party(at(parties, 'UltmtDbtr'), ctx, path + '/RltdPties/UltmtDbtr');
  if (ud) tx.ultimateDebtor = ud;
  const uc = d.party(at(parties, 'UltmtCdtr'), ctx, path + '/RltdPties/UltmtCdtr');
  if (uc) tx.ultimateCreditor = uc;

  const rmt = at(node, 'RmtInf');
  for (const l of list(rmt, 'Ustrd')) {
    const t = ctx.text({ l }, 'l');
    if (t !== undefined) tx.remittanceLines.push(t);
  }
  for (const strd of list(rmt, 'Strd')) {
    for (const cri of list(strd, 'CdtrRefInf')) {
      const reference = ctx.text(cri, 'Ref');
      if (reference === undefined) continue;
      const cr: CreditorReference = { reference };
      const type = ctx.text(cri, 'Tp/CdOrPrtry/Cd') ?? ctx.text(cri, 'Tp/CdOrPrtry/Prtry');
      if (type !== undefined) cr.type = type;
      const issuer = ctx.text(cri, 'Tp/Issr');
      if (issuer !== undefined) cr.issuer = issuer;
      tx.creditorReferences.push(cr);
    }
    for (const l of list(strd, 'AddtlRmtInf')) {
      const t = ctx.text({ l }, 'l');
      if (t !== undefined) tx.additionalRemittance.push(t);
    }
    for (const doc of list(strd, 'RfrdDocInf')) {
      const nb = ctx.text(doc, 'Nb');
      if (nb !== undefined) tx.additionalRemittance.push(nb);
    }
  }
  const purpose = ctx.text(node, 'Purp/Cd');
  if (purpose !== undefined) tx.purposeCode = purpose;
  const purposeP = ctx.text(node, 'Purp/Prtry');
  if (purposeP !== undefined) tx.purposeProprietary = purposeP;
  const rtr = at(node, 'RtrInf');
  if (isObject(rtr)) tx.returnInfo = returnInfo(rtr, ctx, d.bic);
  const btc = bankTransactionCode(at(node, 'BkTxCd'), ctx);
  if (btc) tx.bankTransactionCode = btc;
  const info = ctx.text(node, 'AddtlTxInf');
  if (info !== undefined) tx.additionalInfo = info;
  return tx;
}

/**
 * The documented precedence of a transaction's amount (see Transaction.amount): the first amount in
 * the entry's currency. Swiss and several German banks write camt.054 .001.02 batch details with
 * the amount only in AmtDtls/InstdAmt; viafintech/053/valid_example_with_instdamt.xml instructs
 * 4500 CHF for 0.04 EUR booked, which is why an amount in another currency is never taken.
 */
function transactionAmount(
  entry: Entry,
  siblings: number,
  candidates: Array<[TransactionAmountSource, CamtAmount | undefined]>,
): { amount: CamtAmount; source: TransactionAmountSource } {
  for (const [source, a] of candidates) {
    if (a && a.currency === entry.amount.currency) return { amount: { ...a }, source };
  }
  return { amount: { ...entry.amount }, source: siblings > 1 ? 'entry-of-batch' : 'entry' };
}

function references(node: XNode, ctx: DecodeContext): TransactionReferences {
  const refs: TransactionReferences = {};
  if (!isObject(node)) return refs;
  const fields: Array<[keyof Omit<TransactionReferences, 'proprietary'>, string]> = [
    ['messageId', 'MsgId'], ['accountServicerReference', 'AcctSvcrRef'], ['paymentInformationId', 'PmtInfId'],
    ['instructionId', 'InstrId'], ['endToEndId', 'EndToEndId'], ['uetr', 'UETR'], ['transactionId', 'TxId'],
    ['mandateId', 'MndtId'], ['chequeNumber', 'ChqNb'], ['clearingSystemReference', 'ClrSysRef'],
  ];
  for (const [key, el] of fields) {
    const v = ctx.text(node, el);
    if (v !== undefined) refs[key] = v;
  }
  const prop = list(node, 'Prtry')
    .map((p) => ({ type: ctx.text(p, 'Tp') ?? '', reference: ctx.text(p, 'Ref') ?? '' }))
    .filter((p) => p.reference !== '');
  if (prop.length > 0) refs.proprietary = prop;
  return refs;
}

function returnInfo(node: XNode, ctx: DecodeContext, bic: (fin: XNode) => string | undefined): ReturnInfo {
  const info: ReturnInfo = { additionalInfo: [] };
  const code = ctx.text(node, 'Rsn/Cd');
  const prop = ctx.text(node, 'Rsn/Prtry');
  if (code !== undefined) info.reasonCode = code;
  else if (prop !== undefined) info.reasonCode = prop;
  if (prop !== undefined) info.reasonProprietary = prop;
  for (const l of list(node, 'AddtlInf')) {
    const t = ctx.text({ l }, 'l');
    if (t !== undefined) info.additionalInfo.push(t);
  }
  const orgtr = at(node, 'Orgtr');
  const originator = ctx.text(orgtr, 'Nm') ?? ctx.text(orgtr, 'Id/OrgId/AnyBIC') ?? ctx.text(orgtr, 'Id/OrgId/BICOrBEI') ?? bic(at(orgtr, 'Id/OrgId'));
  if (originator !== undefined) info.originator = originator;
  return info;
}
