import type { Account, EntryStatus, MessageKind, Party, PostalAddress } from './model.js';
import type { DecodeContext, XNode } from './decode/context.js';
import { at, isObject, list, text } from './decode/context.js';
import { isIsoCurrency } from '../money/money.js';

/**
 * One descriptor per message version: namespace, message kind, element names, and the decoders.
 * Decoders are shared; a version overrides only what its schema changed. Every version decodes
 * into the one version-free model in model.ts.
 *
 * What actually changed between .001.01 and .001.14, as far as the model is concerned:
 * - .01: message element carries a version suffix (BkToCstmrStmtV01), account id in PrtryAcct,
 *   servicer name in FinInstnId/NmAndAdr.
 * - .04: agents identified by BICFI instead of BIC; charges grouped as Chrgs/Rcrd with a total.
 * - .08: entry status as <Sts><Cd>BOOK</Cd></Sts>; related parties wrapped in Pty (or Agt);
 *   UETR among the references (sent from .07 by some banks, harmless to read everywhere).
 * Decoders accept the other form too, with a warning where the schema forbids it: a v14 file whose
 * third entry says <Sts>BOOK</Sts> (camt053py/statement_ac04.xml) is still a booking.
 */

export interface Charge {
  amount: { minor: bigint; currency: string };
  creditDebit?: 'CRDT' | 'DBIT';
  type?: string;
  bearer?: string;
}

export interface Decoders {
  account(node: XNode, ctx: DecodeContext, path: string): Account;
  status(node: XNode, ctx: DecodeContext, path: string): EntryStatus;
  /** A related party (Dbtr, Cdtr, UltmtDbtr, UltmtCdtr) without its account. */
  party(node: XNode, ctx: DecodeContext, path: string): Party | undefined;
  charges(nodes: XNode[], ctx: DecodeContext, path: string): Charge[];
  /** BIC of a FinInstnId (or of a BranchAndFinancialInstitutionIdentification holding one). */
  bic(finInstnId: XNode): string | undefined;
}

export interface CamtVersion {
  /** e.g. "camt.053.001.08" */
  version: string;
  namespace: string;
  kind: MessageKind;
  /** Message element under <Document>, by local name. */
  messageElement: string;
  /** Record element under the message element: Stmt, Rpt or Ntfctn. */
  recordElement: string;
  decoders: Decoders;
}

const RECORD: Record<MessageKind, { message: string; record: string }> = {
  'camt.052': { message: 'BkToCstmrAcctRpt', record: 'Rpt' },
  'camt.053': { message: 'BkToCstmrStmt', record: 'Stmt' },
  'camt.054': { message: 'BkToCstmrDbtCdtNtfctn', record: 'Ntfctn' },
};

// ---------------------------------------------------------------------------------------------
// Shared decoders (the .001.02 shape), then the overrides per schema change.

function accountV02(node: XNode, ctx: DecodeContext, path: string): Account {
  const acct: Account = {};
  const iban = ctx.text(node, 'Id/IBAN');
  if (iban !== undefined) acct.iban = iban;
  const other = ctx.text(node, 'Id/Othr/Id') ?? ctx.text(node, 'Id/PrtryAcct/Id');
  if (other !== undefined) acct.other = other;
  const ccy = ctx.text(node, 'Ccy');
  if (ccy !== undefined) {
    if (!isIsoCurrency(ccy)) ctx.fail(`${path}/Ccy`, `the account currency "${ccy}" is not an ISO 4217 currency`, ccy);
    acct.currency = ccy;
  }
  const name = ctx.text(node, 'Nm');
  if (name !== undefined) acct.name = name;
  const owner = ctx.text(node, 'Ownr/Nm');
  if (owner !== undefined) acct.ownerName = owner;
  const svcr = at(node, 'Svcr/FinInstnId');
  const bic = bicV02(svcr);
  if (bic !== undefined) acct.servicerBic = bic;
  const svcrName = ctx.text(svcr, 'Nm') ?? ctx.text(svcr, 'NmAndAdr/Nm');
  if (svcrName !== undefined) acct.servicerName = svcrName;
  if (acct.iban === undefined && acct.other === undefined) ctx.warn(path, 'the account has neither an IBAN nor another identification');
  return acct;
}

function statusTolerant(expect: 'text' | 'code') {
  return (node: XNode, ctx: DecodeContext, path: string): EntryStatus => {
    const code = isObject(node) ? (text(at(node, 'Cd')) ?? text(at(node, 'Prtry'))) : undefined;
    const plain = code === undefined ? ctx.text({ Sts: node }, 'Sts') : undefined;
    const value = code ?? plain;
    if (value === undefined || value === '') ctx.fail(path, 'the entry has no status (Sts)');
    if (expect === 'code' && code === undefined) {
      ctx.warn(path, `the status is sent as <Sts>${value}</Sts>; this version expects <Sts><Cd>${value}</Cd></Sts> (read anyway)`);
    } else if (expect === 'text' && code !== undefined) {
      ctx.warn(path, `the status is sent as <Sts><Cd>${value}</Cd></Sts>, the form of version .001.08 and later (read anyway)`);
    }
    return value;
  };
}

function postalAddress(node: XNode, ctx: DecodeContext, path: string): PostalAddress | undefined {
  if (!isObject(node)) return undefined;
  const lines: string[] = [];
  for (const l of list(node, 'AdrLine')) {
    const t = ctx.text({ l }, 'l');
    if (t !== undefined) lines.push(t);
  }
  const addr: PostalAddress = { lines };
  const fields: Array<[keyof Omit<PostalAddress, 'lines'>, string]> = [
    ['street', 'StrtNm'], ['buildingNumber', 'BldgNb'], ['postCode', 'PstCd'], ['town', 'TwnNm'], ['country', 'Ctry'],
  ];
  for (const [key, el] of fields) {
    const v = ctx.text(node, el);
    if (v !== undefined) addr[key] = v;
  }
  void path;
  return addr;
}

function partyDirect(node: XNode, ctx: DecodeContext, path: string): Party | undefined {
  if (!isObject(node)) return undefined;
  const party: Party = {};
  const name = ctx.text(node, 'Nm');
  if (name !== undefined) party.name = name;
  const addr = postalAddress(at(node, 'PstlAdr'), ctx, path + '/PstlAdr');
  if (addr) party.address = addr;
  const id = at(node, 'Id');
  const other = at(id, 'OrgId/Othr') ?? at(id, 'PrvtId/Othr');
  const idValue = ctx.text(other, 'Id') ?? ctx.text(id, 'OrgId/AnyBIC') ?? ctx.text(id, 'OrgId/BICOrBEI') ?? ctx.text(id, 'OrgId/BIC');
  if (idValue !== undefined) party.id = idValue;
  const issuer = ctx.text(other, 'Issr') ?? ctx.text(other, 'SchmeNm/Cd') ?? ctx.text(other, 'SchmeNm/Prtry');
  if (issuer !== undefined && idValue !== undefined) party.idIssuer = issuer;
  return party;
}

/** v08+: Dbtr/Pty (a party) or Dbtr/Agt (a bank as party); older shapes are read as well. */
function partyWrapped(node: XNode, ctx: DecodeContext, path: string): Party | undefined {
  if (!isObject(node)) return undefined;
  if (node['Pty'] !== undefined) return partyDirect(at(node, 'Pty'), ctx, path + '/Pty');
  if (node['Agt'] !== undefined) {
    const fin = at(node, 'Agt/FinInstnId');
    const party: Party = {};
    const name = ctx.text(fin, 'Nm');
    if (name !== undefined) party.name = name;
    const bic = bicV04(fin);
    if (bic !== undefined) party.bic = bic;
    const addr = postalAddress(at(fin, 'PstlAdr'), ctx, path + '/Agt/FinInstnId/PstlAdr');
    if (addr) party.address = addr;
    return party;
  }
  return partyDirect(node, ctx, path);
}

function chargeRecord(node: XNode, ctx: DecodeContext, path: string): Charge | undefined {
  const amount = ctx.amount(at(node, 'Amt'), path + '/Amt');
  if (!amount) return undefined;
  const charge: Charge = { amount };
  const cd = ctx.creditDebit(node, 'CdtDbtInd');
  if (cd) charge.creditDebit = cd;
  const type = ctx.text(node, 'Tp/Cd') ?? ctx.text(node, 'Tp/Prtry/Id') ?? ctx.text(node, 'Tp');
  if (type !== undefined) charge.type = type;
  const bearer = ctx.text(node, 'Br');
  if (bearer !== undefined) charge.bearer = bearer;
  return charge;
}

/** Chrgs as a flat repeated element (v02/v03) or as Chrgs/Rcrd (v04+); both shapes are read. */
function chargesAnyShape(nodes: XNode[], ctx: DecodeContext, path: string): Charge[] {
  const out: Charge[] = [];
  nodes.forEach((node, i) => {
    const records = list(node, 'Rcrd');
    if (records.length > 0) {
      records.forEach((r, j) => {
        const c = chargeRecord(r, ctx, `${path}[${i + 1}]/Rcrd[${j + 1}]`);
        if (c) out.push(c);
      });
    } else {
      const c = chargeRecord(node, ctx, `${path}[${i + 1}]`);
      if (c) out.push(c);
    }
  });
  return out;
}

function bicV02(fin: XNode): string | undefined {
  return textOrUndefined(at(fin, 'BIC')) ?? textOrUndefined(at(fin, 'BICFI'));
}

function bicV04(fin: XNode): string | undefined {
  return textOrUndefined(at(fin, 'BICFI')) ?? textOrUndefined(at(fin, 'BIC'));
}

function textOrUndefined(n: XNode): string | undefined {
  const t = text(n);
  return t === '' ? undefined : t;
}

const V02: Decoders = {
  account: accountV02,
  status: statusTolerant('text'),
  party: partyDirect,
  charges: chargesAnyShape,
  bic: bicV02,
};

// .001.01 differs from .02 in element names the shared account decoder already reads
// (PrtryAcct, NmAndAdr); the descriptor differs in the message element name only.
const V01: Decoders = { ...V02 };

const V04: Decoders = { ...V02, bic: bicV04 };

const V08: Decoders = { ...V04, status: statusTolerant('code'), party: partyWrapped };

function decodersFor(n: number): Decoders {
  if (n >= 8) return V08;
  if (n >= 4) return V04;
  if (n >= 2) return V02;
  return V01;
}

const VERSIONS = new Map<string, CamtVersion>();
for (const kind of ['camt.052', 'camt.053', 'camt.054'] as const) {
  for (let n = 1; n <= 14; n++) {
    const version = `${kind}.001.${String(n).padStart(2, '0')}`;
    const namespace = `urn:iso:std:iso:20022:tech:xsd:${version}`;
    VERSIONS.set(namespace, {
      version,
      namespace,
      kind,
      messageElement: n === 1 ? RECORD[kind].message + 'V01' : RECORD[kind].message,
      recordElement: RECORD[kind].record,
      decoders: decodersFor(n),
    });
  }
}

export function versionForNamespace(namespace: string): CamtVersion | undefined {
  return VERSIONS.get(namespace);
}

export const SUPPORTED_VERSIONS: readonly CamtVersion[] = [...VERSIONS.values()];

const CAMT_NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:(camt\.05[234])\.001\.(\d{2})$/;

/**
 * The version of a document whose elements are in no namespace, from its message element. Some
 * exporters declare the camt namespace only on a prefix they never use
 * (php-financial-formats/11_EBICS_camt.053_Kontoauszug_mit_allen_Umsätzen.xml declares
 * xmlns:n0="…camt.053.001.08"); such a declaration is taken as the version hint. Without one the
 * .001.08 decoders are used: they also read every older shape.
 */
export function inferVersion(messageLocal: string, declared: string[]): CamtVersion | undefined {
  const kind = (Object.keys(RECORD) as MessageKind[]).find((k) => RECORD[k].message === messageLocal || RECORD[k].message + 'V01' === messageLocal);
  if (!kind) return undefined;
  for (const ns of declared) {
    const m = CAMT_NAMESPACE.exec(ns);
    if (m && m[1] === kind) {
      const v = VERSIONS.get(ns);
      if (v) return v;
    }
  }
  const base = VERSIONS.get(`urn:iso:std:iso:20022:tech:xsd:${kind}.001.08`)!;
  return { ...base, version: kind, namespace: '', messageElement: messageLocal };
}
