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

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** 64-bit FNV-1a over UTF-8: small, pure JavaScript, runs on every runtime. Not cryptographic. */
export function fnv1a64(s: string): string {
  let h = FNV_OFFSET;
  for (const b of new TextEncoder().encode(s)) {
    h ^= BigInt(b);
    h = (h * FNV_PRIME) & MASK64;
  }
  return h.toString(16).padStart(16, '0');
}
