import type { Entry, StatementHeader } from './model.js';

/**
 * Identities that survive a second delivery of the same data.
 *
 * statementFingerprint: kind + account + the bank's statement Id + electronic sequence number +
 * period. A bank that re-sends yesterday's camt.053 (EBICS re-download, a ZIP fetched twice)
 * produces the same fingerprint; a corrected statement from the bank normally carries a new Id or
 * sequence number, so it is a new statement, as it should be.
 *
 * entryDedupeKey: recognises one booking delivered twice – typically in the intraday camt.052
 * and again in the evening camt.053. It is
 *  - `account|asr|AcctSvcrRef|CdtDbt|amount` when the bank sends an account servicer reference
 *    (German banks do for every booking; it is the bank's own booking key), else
 *  - `account|h|<FNV-1a 64 hash>` of booking date (else value date), amount, currency, CdtDbt,
 *    reversal flag, and the first EndToEndId, creditor reference, remittance line, counterparty
 *    IBAN and NtryRef.
 * Limits, to be handled by the caller: (1) two genuinely different bookings with identical content
 * (bankstatementparser/golden/camt053_duplicate_same_day.xml: same day, amount, text) get the same
 * key, so compare the *number* of occurrences per key between deliveries, never collapse within
 * one statement; (2) a bank that sends an AcctSvcrRef in the camt.053 but not in the camt.052 (or
 * the other way round) yields different keys for the same booking; (3) PostFinance gives two
 * entries one AcctSvcrRef (libeufin/nexus/sample/platform/postfinance_camt054.xml), which is why
 * amount and direction are part of the reference key.
 */

export function statementFingerprint(header: StatementHeader): string {
  return [
    header.kind,
    accountKey(header),
    header.id,
    header.electronicSequenceNumber ?? '',
    header.fromDateTime ?? '',
    header.toDateTime ?? '',
  ].join('|');
}

export function entryDedupeKey(header: StatementHeader, entry: Entry): string {
  const account = accountKey(header);
  const amount = `${entry.amount.minor}${entry.amount.currency}`;
  if (entry.accountServicerReference) {
    return `${account}|asr|${entry.accountServicerReference}|${entry.creditDebit}|${amount}`;
  }
  const tx = entry.transactions[0];
  const counterparty = entry.creditDebit === 'CRDT' ? tx?.debtor : tx?.creditor;
  const parts = [
    entry.bookingDate ?? entry.valueDate ?? '',
    amount,
    entry.creditDebit,
    entry.reversal ? 'R' : '',
    tx?.references.endToEndId ?? '',
    tx?.creditorReferences[0]?.reference ?? '',
    tx?.remittanceLines[0] ?? '',
    counterparty?.iban ?? counterparty?.accountOther ?? '',
    entry.entryReference ?? '',
  ];
  return `${account}|h|${fnv1a64(parts.join('\u001f'))}`;
}

function accountKey(header: StatementHeader): string {
  return header.account.iban ?? (header.account.other !== undefined ? `other:${header.account.other}` : '');
}

const utf8 = new TextEncoder();

/**
 * 64-bit FNV-1a over UTF-8: small, pure JavaScript, runs on every runtime. Not cryptographic.
 * Computed in four 16-bit limbs (offset 0xcbf29ce484222325, prime 2^40 + 0x1b3): the same digits as
 * with BigInt arithmetic, which cost a BigInt multiplication per byte and was the largest part of
 * an import's write transaction (1.5 s of 5.6 s for a 20 MB statement, profiled).
 */
export function fnv1a64(s: string): string {
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  // ASCII (nearly every character of a bank file) is its own UTF-8; anything else is encoded.
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  const bytes = ascii ? undefined : utf8.encode(s);
  const n = bytes ? bytes.length : s.length;
  for (let i = 0; i < n; i++) {
    h0 ^= bytes ? bytes[i]! : s.charCodeAt(i);
    // × 0x1b3 per limb, plus the prime's 2^40: the lower two limbs shifted up by 40 bits.
    const t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + (h0 << 8);
    const t3 = h3 * 0x1b3 + (h1 << 8);
    t1 += t0 >>> 16;
    h0 = t0 & 0xffff;
    t2 += t1 >>> 16;
    h1 = t1 & 0xffff;
    h3 = (t3 + (t2 >>> 16)) & 0xffff;
    h2 = t2 & 0xffff;
  }
  const hex = (x: number) => x.toString(16).padStart(4, '0');
  return hex(h3) + hex(h2) + hex(h1) + hex(h0);
}

/**
 * Content of an entry, in field groups. Two deliveries of a statement are the same statement only
 * when every group of every entry is the same: a corrected re-delivery (a remittance text changed,
 * two amounts shifted by ±5.00, another currency) under the same statement id and sequence number
 * is another statement, not a repeat. The groups name what differs in a refusal.
 */
export const ENTRY_CONTENT_GROUPS = ['amount', 'status', 'dates', 'references', 'transactionCodes', 'details', 'remittance', 'parties', 'returns', 'information'] as const;
export type EntryContentGroup = (typeof ENTRY_CONTENT_GROUPS)[number];

/** Canonical JSON (bigints as decimal strings) of each field group of an entry. */
export function entryContent(entry: Entry): Record<EntryContentGroup, string> {
  const txs = entry.transactions;
  const j = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return {
    amount: j([entry.amount, entry.creditDebit, entry.reversal]),
    status: j(entry.status),
    dates: j([entry.bookingDate, entry.valueDate, entry.bookingDateTime, entry.valueDateTime]),
    references: j([entry.entryReference, entry.accountServicerReference, txs.map((t) => t.references)]),
    transactionCodes: j([entry.bankTransactionCode, txs.map((t) => t.bankTransactionCode)]),
    details: j([
      entry.batch,
      entry.charges,
      txs.map((t) => [t.amount, t.amountSource, t.creditDebit, t.ownAmount, t.transactionAmount, t.instructedAmount, t.counterValueAmount, t.exchangeRate, t.charges]),
    ]),
    remittance: j(txs.map((t) => [t.remittanceLines, t.creditorReferences, t.additionalRemittance, t.purposeCode, t.purposeProprietary])),
    parties: j(txs.map((t) => [t.debtor, t.ultimateDebtor, t.creditor, t.ultimateCreditor, t.debtorAgentBic, t.creditorAgentBic])),
    returns: j(txs.map((t) => t.returnInfo)),
    information: j([entry.additionalInfo, txs.map((t) => t.additionalInfo)]),
  };
}

/**
 * The stored digest of an entry: 8 hex digits per field group, in ENTRY_CONTENT_GROUPS order. Only
 * used to say *which* groups differ; whether a statement is the same is decided on the SHA-256 of
 * the whole content (see importStatementFile), which a crafted file cannot collide with.
 */
export function entryContentDigest(content: Record<EntryContentGroup, string>): string {
  return ENTRY_CONTENT_GROUPS.map((g) => fnv1a64(content[g]).slice(0, 8)).join('.');
}

/** The groups in which two stored entry digests differ (all groups when one is missing). */
export function differingGroups(a: string | null | undefined, b: string | null | undefined): EntryContentGroup[] {
  if (!a || !b) return [...ENTRY_CONTENT_GROUPS];
  const pa = a.split('.');
  const pb = b.split('.');
  return ENTRY_CONTENT_GROUPS.filter((_g, i) => pa[i] !== pb[i]);
}

export const HEADER_CONTENT_GROUPS = ['account', 'balances', 'period'] as const;
export type HeaderContentGroup = (typeof HEADER_CONTENT_GROUPS)[number];

/**
 * Content of a statement's header. Creation times, the message id and the copy/duplicate marker
 * belong to the delivery, not the statement: a bank's re-download carries new ones for the same
 * statement, and that is a repeat.
 */
export function headerContent(header: StatementHeader): Record<HeaderContentGroup, string> {
  const j = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return {
    account: j([header.account.iban, header.account.other, header.account.currency]),
    balances: j(header.balances.map((b) => [b.type, b.subType, b.signedMinor, b.amount.currency, b.date ?? b.dateTime])),
    period: j([header.fromDateTime, header.toDateTime, header.electronicSequenceNumber, header.legalSequenceNumber]),
  };
}
