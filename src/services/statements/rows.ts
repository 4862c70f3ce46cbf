/**
 * From the version-free camt model to database rows. Kept apart from the import so the mapping can
 * be read (and reviewed) in one place.
 */
import type { BankTransactionCode, DetailsDisagreement, Entry, MessageHeader, StatementHeader, Transaction } from '../../camt/model.js';
import { formatMinor } from '../../money/money.js';
import { newId } from '../shared/ids.js';

function codeText(code: BankTransactionCode | undefined): string | null {
  if (!code) return null;
  const iso = [code.domain, code.family, code.subFamily].filter(Boolean).join('/');
  return iso || null;
}

export function statementRow(a: {
  id: string;
  importId: string;
  header: StatementHeader;
  message: MessageHeader;
  fingerprint: string;
  creditorAccountId: string | null;
  position: number;
  createdAt: Date;
}) {
  const { header } = a;
  const seq = (s: string | undefined) => (s !== undefined && /^\d{1,18}$/.test(s) ? BigInt(s) : null);
  const opening = header.balances.find((b) => b.type === 'OPBD') ?? header.balances.find((b) => b.type === 'PRCD');
  const closing = header.balances.find((b) => b.type === 'CLBD');
  return {
    id: a.id,
    importId: a.importId,
    creditorAccountId: a.creditorAccountId,
    kind: header.kind,
    version: a.message.version,
    messageId: a.message.messageId,
    bankStatementId: header.id,
    fingerprint: a.fingerprint,
    accountIban: header.account.iban ?? null,
    accountOther: header.account.other ?? null,
    currency: header.account.currency ?? header.balances[0]?.amount.currency ?? 'EUR',
    electronicSequenceNumber: seq(header.electronicSequenceNumber),
    legalSequenceNumber: seq(header.legalSequenceNumber),
    fromDateTime: header.fromDateTime ?? null,
    toDateTime: header.toDateTime ?? null,
    bankCreatedAt: header.createdAt ?? a.message.createdAt ?? null,
    openingBalanceMinor: opening?.signedMinor ?? null,
    closingBalanceMinor: closing?.signedMinor ?? null,
    openingBalanceDate: opening?.date ?? null,
    closingBalanceDate: closing?.date ?? null,
    balances: JSON.stringify(
      header.balances.map((b) => ({ type: b.type, subType: b.subType, amountMinor: b.signedMinor.toString(), currency: b.amount.currency, date: b.date ?? b.dateTime?.slice(0, 10) })),
    ),
    balanceCheck: 'not_checked',
    entryCount: 0,
    position: a.position,
    createdAt: a.createdAt,
  };
}

export type EntryRow = ReturnType<typeof entryRow>;

export function entryRow(a: { id: string; statementId: string; position: number; entry: Entry; dedupeKey: string; duplicateOfEntryId: string | null; contentDigest: string }) {
  const e = a.entry;
  return {
    id: a.id,
    statementId: a.statementId,
    position: a.position,
    entryReference: e.entryReference ?? null,
    accountServicerReference: e.accountServicerReference ?? null,
    dedupeKey: a.dedupeKey,
    duplicateOfEntryId: a.duplicateOfEntryId,
    amountMinor: e.amount.minor,
    currency: e.amount.currency,
    creditDebit: e.creditDebit,
    reversal: e.reversal,
    status: e.status,
    bookingDate: e.bookingDate ?? null,
    valueDate: e.valueDate ?? null,
    bankTransactionCode: codeText(e.bankTransactionCode),
    proprietaryCode: e.bankTransactionCode?.proprietary ?? null,
    gvc: e.bankTransactionCode?.gvc ?? null,
    additionalInfo: e.additionalInfo ?? null,
    batchCount: e.batch?.count ?? null,
    batchTotalMinor: e.batch?.total?.minor ?? null,
    batchIds: batchIdsJson(e),
    detailsDisagree: e.detailsDisagree ? detailsDisagreeJson(e.detailsDisagree) : null,
    contentDigest: a.contentDigest,
  };
}

/** The batch ids an entry gives, in order, once each (Entry.batchIds); null when it gives none. */
export function batchIdsJson(e: Entry): string | null {
  const ids = [e.batch?.paymentInformationId, e.batch?.messageId, ...e.transactions.flatMap((t) => [t.references.paymentInformationId, t.references.messageId])]
    .map((x) => x?.trim() ?? '')
    .filter((x) => x !== '' && !/^NOT ?PROVIDED$/i.test(x));
  return ids.length > 0 ? JSON.stringify([...new Set(ids)]) : null;
}

/** The stored form of Entry.detailsDisagree: amounts as decimal strings, as the API writes them. */
export function detailsDisagreeJson(d: DetailsDisagreement): string {
  const ccy = d.entry.currency;
  return JSON.stringify({
    kind: d.kind,
    currency: ccy,
    entryAmount: formatMinor(d.entry.minor, ccy),
    ...(d.detailsMinor !== undefined ? { detailsAmount: formatMinor(d.detailsMinor, ccy) } : {}),
    details: d.details,
  });
}

export type TransactionRow = ReturnType<typeof transactionRow>;

/** The external handle of a booking: the bank's reference, else the entry reference, else position. */
export function entryRefOf(entry: Entry, statementBankId: string, entryPosition: number): string {
  return entry.accountServicerReference ?? entry.entryReference ?? `${statementBankId}/${entryPosition}`;
}

function transactionRow(a: { entryId: string; entry: Entry; tx: Transaction | undefined; position: number; entryRef: string; matchState: string; createdAt: Date }) {
  const { entry, tx } = a;
  // The money of an entry whose details contradict it is the entry amount, held by its first
  // detail; the other details carry nothing a person or the matcher could distribute. Whatever
  // the details claim stays in the model and in Entry.detailsDisagree, never in the ledger.
  const disputed = entry.detailsDisagree !== undefined;
  const amount = !tx ? entry.amount : disputed ? (a.position === 0 ? entry.amount : { minor: 0n, currency: entry.amount.currency }) : tx.amount;
  const creditDebit = disputed || !tx ? entry.creditDebit : tx.creditDebit;
  const charges = (tx?.charges ?? []).reduce((sum, c) => sum + c.amount.minor, 0n);
  const code = tx?.bankTransactionCode ?? entry.bankTransactionCode;
  return {
    id: newId(),
    entryId: a.entryId,
    position: a.position,
    entryRef: a.entryRef,
    amountMinor: amount.minor,
    currency: amount.currency,
    creditDebit,
    endToEndId: tx?.references.endToEndId ?? null,
    mandateId: tx?.references.mandateId ?? null,
    transactionId: tx?.references.transactionId ?? null,
    accountServicerReference: tx?.references.accountServicerReference ?? null,
    instructionId: tx?.references.instructionId ?? null,
    instructedAmountMinor: tx?.instructedAmount?.minor ?? null,
    instructedCurrency: tx?.instructedAmount?.currency ?? null,
    transactionAmountMinor: tx?.transactionAmount?.minor ?? null,
    transactionAmountCurrency: tx?.transactionAmount?.currency ?? null,
    chargesMinor: tx && tx.charges.length > 0 ? charges : null,
    exchangeRate: tx?.exchangeRate ?? null,
    debtorName: tx?.debtor?.name ?? null,
    debtorIban: tx?.debtor?.iban ?? null,
    debtorBic: tx?.debtorAgentBic ?? tx?.debtor?.bic ?? null,
    ultimateDebtorName: tx?.ultimateDebtor?.name ?? null,
    creditorName: tx?.creditor?.name ?? null,
    creditorIban: tx?.creditor?.iban ?? null,
    ultimateCreditorName: tx?.ultimateCreditor?.name ?? null,
    remittanceLines: JSON.stringify(tx ? [...tx.remittanceLines, ...tx.additionalRemittance] : entry.additionalInfo ? [entry.additionalInfo] : []),
    creditorReferences: JSON.stringify(tx?.creditorReferences ?? []),
    purposeCode: tx?.purposeCode ?? null,
    returnReasonCode: tx?.returnInfo?.reasonCode ?? tx?.returnInfo?.reasonProprietary ?? null,
    returnReasonText: tx?.returnInfo?.additionalInfo.join(' ') || null,
    bankTransactionCode: codeText(code),
    bookingDate: entry.bookingDate ?? entry.valueDate ?? null,
    matchState: a.matchState,
    unappliedMinor: entry.reversal || creditDebit === 'DBIT' ? 0n : amount.minor,
    createdAt: a.createdAt,
  };
}

/** One row per TxDtls, or one for an entry without TxDtls (txIndex 0). */
export function transactionRows(a: { entryId: string; entry: Entry; statementBankId: string; entryPosition: number; matchState: string; createdAt: Date }): TransactionRow[] {
  const entryRef = entryRefOf(a.entry, a.statementBankId, a.entryPosition);
  const txs = a.entry.transactions.length > 0 ? a.entry.transactions : [undefined];
  return txs.map((tx, i) => transactionRow({ entryId: a.entryId, entry: a.entry, tx, position: tx?.index ?? i, entryRef, matchState: a.matchState, createdAt: a.createdAt }));
}
