/**
 * The version-free model every camt.052 / .053 / .054 message (versions .001.02 to .001.13, and the
 * older/newer ones banks still send) decodes into. Amounts are integer minor units (bigint); dates
 * are ISO calendar dates "YYYY-MM-DD" (a bank that sends a datetime still booked on a day);
 * datetimes are ISO 8601 strings exactly as sent.
 */

export type MessageKind = 'camt.052' | 'camt.053' | 'camt.054';
export type CreditDebit = 'CRDT' | 'DBIT';
export type EntryStatus = 'BOOK' | 'PDNG' | 'INFO' | (string & {});

export interface CamtAmount {
  minor: bigint;
  currency: string;
}

export interface PostalAddress {
  lines: string[];
  street?: string;
  buildingNumber?: string;
  postCode?: string;
  town?: string;
  country?: string;
}

export interface Party {
  name?: string;
  /** Account of the party: IBAN where given, else the other identification in `accountOther`. */
  iban?: string;
  accountOther?: string;
  /** BIC of the party's agent (bank), where the bank tells. */
  bic?: string;
  address?: PostalAddress;
  /** Organisation or private identification (e.g. creditor id for direct debits). */
  id?: string;
  /** Issuer or scheme of `id` where sent (e.g. "KBO-BCE", scheme code "SEPA"). */
  idIssuer?: string;
  /** Name of the party's agent (bank) where the bank tells, beside `bic`. */
  agentName?: string;
}

export interface Balance {
  /** ISO balance type code: OPBD, PRCD, CLBD, CLAV, ITBD, FWAV, ITAV, OPAV, INFO… */
  type: string;
  /** Sub type where sent (e.g. INTM). */
  subType?: string;
  amount: CamtAmount;
  /** Signed: credit balances are positive, debit balances negative. */
  signedMinor: bigint;
  creditDebit: CreditDebit;
  date?: string;
  dateTime?: string;
}

export interface BankTransactionCode {
  /** ISO domain / family / sub family, e.g. PMNT / RCDT / ESCT. */
  domain?: string;
  family?: string;
  subFamily?: string;
  /** Proprietary code as sent, e.g. "NTRF+166+9249" (DK format: booking key + GVC + text key ext.). */
  proprietary?: string;
  proprietaryIssuer?: string;
  /** German Geschäftsvorfallcode (GVC) extracted from the DK proprietary code, e.g. "166". */
  gvc?: string;
}

export interface ReturnInfo {
  /** ISO reason code, e.g. AC04, MD07 (or proprietary code when no ISO code is sent). */
  reasonCode?: string;
  reasonProprietary?: string;
  additionalInfo: string[];
  originator?: string;
}

export interface TransactionReferences {
  messageId?: string;
  accountServicerReference?: string;
  paymentInformationId?: string;
  instructionId?: string;
  endToEndId?: string;
  uetr?: string;
  transactionId?: string;
  mandateId?: string;
  chequeNumber?: string;
  clearingSystemReference?: string;
  proprietary?: Array<{ type: string; reference: string }>;
}

export interface CreditorReference {
  reference: string;
  /** Type code (SCOR = structured creditor reference, i.e. RF or national) or proprietary type. */
  type?: string;
  issuer?: string;
}

/**
 * Where a transaction's amount was read. 'entry': the entry's only detail carries no amount in the
 * entry's currency, so the entry amount is its amount. 'entry-of-batch': one of several details
 * carries none, so its own amount is unknown (it holds the entry amount only as a placeholder).
 */
export type TransactionAmountSource = 'TxDtls/Amt' | 'AmtDtls/TxAmt' | 'AmtDtls/InstdAmt' | 'AmtDtls/CntrValAmt' | 'entry' | 'entry-of-batch';

/**
 * The details of an entry do not agree with what the bank booked for the entry. Nothing of such an
 * entry may be booked automatically: the money that arrived is the entry amount, whatever the
 * details claim.
 *  - 'sumDiffers': several details whose amounts add up to something else than the entry amount;
 *  - 'detailExceedsEntry' / 'detailBelowEntry': the only detail claims more / less than the entry;
 *  - 'detailsWithoutAmount': several details, at least one without an amount in the entry's currency.
 */
export interface DetailsDisagreement {
  kind: 'sumDiffers' | 'detailExceedsEntry' | 'detailBelowEntry' | 'detailsWithoutAmount';
  /** The entry amount (what was booked). */
  entry: CamtAmount;
  /** Signed sum of the details' amounts in the entry's direction (undefined for detailsWithoutAmount). */
  detailsMinor?: bigint;
  /** Number of details. */
  details: number;
}

export interface Transaction {
  /** 0-based position of this TxDtls in its entry; 0 for an entry without TxDtls. */
  index: number;
  /**
   * The amount of this transaction on our account, by a fixed precedence: TxDtls/Amt, then
   * AmtDtls/TxAmt, then AmtDtls/InstdAmt, then AmtDtls/CntrValAmt – the first of them in the
   * entry's currency (an amount in another currency is what the payer ordered, not what was
   * booked). A detail with none of them takes the entry amount when it is the entry's only detail
   * (`amountSource` 'entry'); in a batch it cannot, and the entry is marked (Entry.detailsDisagree).
   * For an entry without TxDtls consumers use the entry amount.
   */
  amount: CamtAmount;
  /** Where `amount` was read; every amount found is kept below as well. */
  amountSource: TransactionAmountSource;
  creditDebit: CreditDebit;
  references: TransactionReferences;
  /** TxDtls/Amt as sent (v04 and later). */
  ownAmount?: CamtAmount;
  /** AmtDtls: instructed amount (what the payer ordered, possibly in another currency). */
  instructedAmount?: CamtAmount;
  transactionAmount?: CamtAmount;
  counterValueAmount?: CamtAmount;
  exchangeRate?: string;
  charges: Array<{ amount: CamtAmount; creditDebit?: CreditDebit; type?: string; bearer?: string }>;
  debtor?: Party;
  ultimateDebtor?: Party;
  creditor?: Party;
  ultimateCreditor?: Party;
  debtorAgentBic?: string;
  creditorAgentBic?: string;
  /** Every Ustrd line, in order, exactly as sent (no joining, no trimming of inner spaces). */
  remittanceLines: string[];
  creditorReferences: CreditorReference[];
  /** Other structured remittance fields where sent (AddtlRmtInf lines, referred document numbers). */
  additionalRemittance: string[];
  purposeCode?: string;
  purposeProprietary?: string;
  returnInfo?: ReturnInfo;
  bankTransactionCode?: BankTransactionCode;
  additionalInfo?: string;
}

export interface Entry {
  /** 0-based position of the entry within its statement/report/notification. */
  index: number;
  entryReference?: string;
  accountServicerReference?: string;
  amount: CamtAmount;
  creditDebit: CreditDebit;
  /** Signed amount: credits positive, debits negative. */
  signedMinor: bigint;
  reversal: boolean;
  status: EntryStatus;
  bookingDate?: string;
  valueDate?: string;
  bookingDateTime?: string;
  valueDateTime?: string;
  bankTransactionCode?: BankTransactionCode;
  additionalInfo?: string;
  /** Batch (Btch) information sent with the entry. */
  batch?: { messageId?: string; paymentInformationId?: string; count?: number; total?: CamtAmount; creditDebit?: CreditDebit };
  charges: Array<{ amount: CamtAmount; creditDebit?: CreditDebit; type?: string; bearer?: string }>;
  /**
   * Set when the transaction details contradict the entry amount (see DetailsDisagreement): the
   * entry is read and kept, but only its own amount may be distributed, and only by a person.
   */
  detailsDisagree?: DetailsDisagreement;
  /** The TxDtls of the entry; an entry without TxDtls has none here (consumers treat it as one). */
  transactions: Transaction[];
  /** Source position of the <Ntry> element, for error messages. */
  line?: number;
}

export interface Account {
  iban?: string;
  other?: string;
  currency?: string;
  /** Acct/Nm: the account's own name where the bank sends one (not the owner's name). */
  name?: string;
  ownerName?: string;
  servicerBic?: string;
  servicerName?: string;
}

/** A camt.053 statement, camt.052 report or camt.054 notification: one account, one period. */
export interface StatementHeader {
  kind: MessageKind;
  id: string;
  electronicSequenceNumber?: string;
  legalSequenceNumber?: string;
  createdAt?: string;
  fromDateTime?: string;
  toDateTime?: string;
  copyDuplicateIndicator?: string;
  account: Account;
  balances: Balance[];
  /** TxsSummry totals where sent (informational; the balance check does not trust them). */
  summary?: { entries?: number; sum?: string; totalNet?: string; credits?: number; debits?: number };
  additionalInfo?: string;
  /** StmtPgntn / RptPgntn / NtfctnPgntn where sent (a statement split over several messages). */
  pagination?: { page: string; last: boolean };
  /** 0-based position of the record in its message. */
  index: number;
}

export interface Statement extends StatementHeader {
  entries: Entry[];
  /** Opening balance + booked entries = closing balance, as computed while reading. */
  check?: BalanceCheck;
}

export interface MessageHeader {
  kind: MessageKind;
  /** Full version as in the namespace, e.g. "camt.053.001.08"; for documents without a namespace, inferred. */
  version: string;
  namespace?: string;
  messageId: string;
  createdAt?: string;
  /** Business application header (head.001) where the file was wrapped in one. */
  businessMessageId?: string;
  pagination?: { page: string; last: boolean };
  additionalInfo?: string;
}

export interface CamtMessage extends MessageHeader {
  statements: Statement[];
  /** Problems that did not stop reading (e.g. a balance without date); each names where. */
  warnings: string[];
}

/**
 * Result of "opening balance + signed BOOK entries = closing balance" for one record. Readers never
 * throw on a broken balance; the import service decides (see assertBalanced in src/camt/checks.ts).
 */
export interface BalanceCheck {
  status: 'ok' | 'broken' | 'not_checked';
  /** Signed minor units of the balance used as opening (OPBD, else PRCD, else ITBD for reports). */
  opening?: bigint;
  /** Signed minor units of the balance used as closing (CLBD, else ITBD/CLAV for reports). */
  closing?: bigint;
  /** Sum of the signed amounts of all entries with status BOOK. */
  bookedSum: bigint;
  /** closing − (opening + bookedSum); 0 when ok, 0 when not checked. */
  differenceMinor: bigint;
  /** Currency of the balances compared (for printing the difference as "30.70"). */
  currency?: string;
  /** Which balances were used, or why nothing was checked, in one sentence. */
  reason: string;
}
