import type { Reason } from './reasons.js';
/**
 * Plain data the matcher works on. Nothing here knows about the database or camt XML: the service
 * and the batch command turn their rows / parsed statements into these shapes (see adapt.ts).
 */

export type ItemStatus = 'open' | 'partly_paid' | 'paid' | 'overpaid' | 'cancelled' | (string & {});

export interface MatchableItem {
  id: string;
  /** The payment reference exactly as the finance system issued it (display form). */
  kassenzeichen: string;
  /** What is still open, minor units. 0 for a paid item that can still be hit by a double payment. */
  openMinor: bigint;
  /** The original claim amount, minor units. */
  amountMinor: bigint;
  currency: string;
  debtorName: string;
  /**
   * Folded, word-order-free key of the debtor name. The index recomputes it with `debtorNameKey()`
   * from names.ts so that payer names and debtor names are always folded the same way; a value
   * given here is only kept for the caller's own use.
   */
  debtorNameKey?: string;
  debtorIban?: string;
  category: string;
  /** What the claim is for, as the finance system writes it ("Hundesteuer 2026"): a payer's text may name it. */
  description?: string;
  /** ISO date. */
  dueDate: string;
  status: ItemStatus;
  /**
   * The Kassenzeichen was supplied by the finance system and taken as issued (its check digit, if
   * it has one, was never ours to vouch for): it passing its class's check digit proves nothing.
   */
  referenceUnchecked?: boolean;
}

export type CreditDebitIndicator = 'CRDT' | 'DBIT';

export interface MatchableTransaction {
  /** Caller's key, e.g. `${entryRef}#${txIndex}`. Carried through unchanged. */
  key: string;
  amountMinor: bigint;
  currency: string;
  creditDebit: CreditDebitIndicator;
  /** Entry-level reversal indicator (RvslInd). */
  reversal: boolean;
  /** Every unstructured remittance line as sent (banks cut at 140 characters, even mid-reference). */
  remittanceLines: string[];
  creditorReferences: Array<{ reference: string; type?: string }>;
  endToEndId?: string;
  debtorName?: string;
  debtorIban?: string;
  ultimateDebtorName?: string;
  /** ISO return reason (AC04, MD07 …) from RtrInf, where the bank sent one. */
  returnReasonCode?: string;
  bankTransactionCode?: { domain?: string; family?: string; subFamily?: string };
  /** Proprietary bank transaction code, e.g. "NTRF+159+00931". */
  proprietaryCode?: string;
  /** German Geschäftsvorfallcode (DK), e.g. "166" credit transfer, "159" returned credit transfer. */
  gvc?: string;
  /** Entry-level additional information (AddtlNtryInf), bank wording such as "RUECKUEBERWEISUNG". */
  additionalInfo?: string;
  /** Batch booking information: set when the entry books several payments at once. */
  batch?: { count: number; isPsp?: boolean };
  /**
   * True when this transaction stands for a whole batch entry without transaction details (one
   * amount for many payments). The matcher never books such a line automatically.
   */
  batchWithoutDetails?: boolean;
  /**
   * Set when the entry's transaction details contradict the entry amount (src/camt/checks.ts): the
   * matcher never books such a transaction automatically, whatever else fits. Amounts in minor units.
   */
  entryDisagrees?: { kind: 'sumDiffers' | 'detailExceedsEntry' | 'detailBelowEntry' | 'detailsWithoutAmount'; entryMinor: bigint; detailsMinor?: bigint; details: number; currency: string };
}

export type MatchStatus = 'auto' | 'review' | 'unmatched' | 'return' | 'ignored';

export interface Allocation {
  itemId: string;
  kassenzeichen: string;
  amountMinor: bigint;
}

export interface Suggestion {
  allocations: Allocation[];
  /** 0–10000. */
  confidenceBp: number;
  reasons: Reason[];
}

export interface MatchDecision {
  key: string;
  status: MatchStatus;
  /** 0–10000 integer basis points. */
  confidenceBp: number;
  /** Facts a treasurer can check against the statement, shown as sentences in her language. */
  reasons: Reason[];
  /** Only for `auto`: what is booked to which item. */
  allocations: Allocation[];
  /** Part of the amount that goes to suspense (over-payment, double payment), minor units. */
  surplusMinor: bigint;
  /** Ranked best first (for `review`; may also be filled for `unmatched` with weak hints: never). */
  suggestions: Suggestion[];
  /** For `return`: what the returned payment refers to. */
  returnOf?: { endToEndId?: string; reference?: string; itemId?: string; reasonCode?: string };
}

/** Payer accounts learned from confirmed matches (the service records them). */
export interface KnownPayer {
  debtorNameKey: string;
  confirmations: number;
}
export type KnownPayers = (iban: string) => readonly KnownPayer[];

export const NO_KNOWN_PAYERS: KnownPayers = () => [];
