/**
 * The closing as a treasurer reads it, as plain data: what is signed, hashed and exported. Amounts
 * are decimal strings ("30.70") as at every edge; the computation works in bigint minor units.
 */

/** The typed suspense accounts a difference can be booked to. */
export const SUSPENSE_TYPES = ['verwahrgeld', 'vorschuss', 'unclear_receipt', 'refund_due'] as const;
export type SuspenseType = (typeof SUSPENSE_TYPES)[number];

/**
 * Which sign of difference each type takes: a surplus (more money than the books say) is held as
 * Verwahrgeld or as an unclear receipt or as money to be refunded; a shortfall is a Vorschuss
 * (advanced, to be recovered from whoever caused it).
 */
export const SUSPENSE_SIGN: Record<SuspenseType, 1 | -1> = { verwahrgeld: 1, unclear_receipt: 1, refund_due: 1, vorschuss: -1 };

export const ACCOUNT_TYPES = ['bank', 'clearing', 'cash_office'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export const BLOCKER_KINDS = [
  'missing_statement',
  'sequence_gap',
  'balance_break',
  'difference',
  'cash_office_missing',
  'payout_in_review',
  'earlier_period_open',
  'period_not_over',
] as const;
export type BlockerKind = (typeof BLOCKER_KINDS)[number];

export interface Blocker {
  kind: BlockerKind;
  /** The account it concerns (bank:…, clearing:…, cash:…), when it concerns one. */
  account?: string;
  /** What is wrong, in English (the UI reads `kind` in German). */
  detail: string;
}

/** Receipt and payment kinds, derived from where each bank transaction ended up. */
export const LINE_KINDS = [
  'claims',
  'clearing',
  'unclear',
  'refund_marked',
  'returned',
  'refunds',
  'returns',
  'charges_and_other',
  'payout_received',
  'payout_settled',
  'provider_fee',
  'written_off',
  'chargeback_refund',
  'cash_deposit_arrived',
] as const;
export type LineKind = (typeof LINE_KINDS)[number] | `cash:${string}`;

export interface Line {
  kind: LineKind;
  amount: string;
  count: number;
}

export interface Explanation {
  id: string;
  suspenseType: SuspenseType;
  amount: string;
  reason: string;
  by: string;
  at: string;
}

export interface BankSource {
  statementId: string;
  kind: string;
  bankStatementId: string;
  sequence: string | null;
  closingDate: string | null;
}

export interface AccountFigures {
  key: string;
  type: AccountType;
  label: string;
  currency: string;
  opening: string;
  receipts: Line[];
  payments: Line[];
  /** Opening + receipts − payments: what the books say. */
  ledgerClosing: string;
  /** Σ differences booked to suspense by a person. */
  explained: string;
  /** What the bank says (camt.053 CLBD, else the last camt.052 of the period); null for transit accounts. */
  bankClosing: string | null;
  bankSource: BankSource | null;
  /** The last camt.053 sequence number of the period (to see the next one follows). */
  lastSequence: string | null;
  /** Money on its way to the bank (provider payouts, cash office deposits). */
  inTransit: string;
  /** Kassen-Ist − (Kassen-Soll + explained): must be 0.00 to sign. */
  difference: string;
  explanations: Explanation[];
  /** For a follow-up: how much ledger and bank closing moved against the closing it follows. */
  changes?: { ledgerClosing: string; bankClosing: string | null };
}

export interface SuspenseFigures {
  type: SuspenseType;
  balance: string;
  count: number;
  ageing: { upTo30: string; upTo90: string; upTo365: string; older: string };
}

export interface ClosingContent {
  kasse: string;
  mode: 'day' | 'week';
  periodFrom: string;
  periodTo: string;
  kind: 'regular' | 'follow_up';
  follows: { id: string; number: number; hash: string } | null;
  accounts: AccountFigures[];
  suspense: SuspenseFigures[];
  totals: { bank: string; inTransit: string; kassenIst: string; ledger: string; explained: string; difference: string };
  computedAt: string;
}

export const SUSPENSE_LABELS_DE: Record<SuspenseType, string> = {
  verwahrgeld: 'Verwahrgeld',
  vorschuss: 'Vorschuss',
  unclear_receipt: 'Ungeklärte Eingänge',
  refund_due: 'Zu erstattende Beträge',
};

export const BLOCKER_LABELS_DE: Record<BlockerKind, string> = {
  missing_statement: 'Kontoauszug fehlt',
  sequence_gap: 'Lücke in der Auszugsfolge',
  balance_break: 'Saldenbruch',
  difference: 'Ungeklärte Differenz',
  cash_office_missing: 'Abschluss der Zahlstelle fehlt',
  payout_in_review: 'Auszahlung des Zahlungsdienstleisters in Klärung',
  earlier_period_open: 'Früherer Tag noch offen',
  period_not_over: 'Zeitraum noch nicht beendet',
};

export const LINE_LABELS_DE: Record<(typeof LINE_KINDS)[number], string> = {
  claims: 'Zahlungen auf Forderungen',
  clearing: 'Auszahlungen Zahlungsdienstleister / Einzahlungen Zahlstellen',
  unclear: 'Ungeklärte Eingänge',
  refund_marked: 'Zur Erstattung vorgemerkt',
  returned: 'Zurückgegebene Zahlungen',
  refunds: 'Erstattungen',
  returns: 'Rücklastschriften',
  charges_and_other: 'Entgelte und sonstige Buchungen',
  payout_received: 'Online-Zahlungen (Forderung gegen Zahlungsdienstleister)',
  payout_settled: 'Auszahlungen auf dem Bankkonto',
  provider_fee: 'Entgelte des Zahlungsdienstleisters',
  written_off: 'Ausgebucht',
  chargeback_refund: 'Rückbelastungen und Erstattungen',
  cash_deposit_arrived: 'Einzahlungen auf dem Bankkonto eingegangen',
};

export const ACCOUNT_TYPE_LABELS_DE: Record<AccountType, string> = {
  bank: 'Bankkonto',
  clearing: 'Verrechnungskonto Zahlungsdienstleister',
  cash_office: 'Zahlstelle',
};

export function lineLabelDe(kind: LineKind): string {
  if (kind.startsWith('cash:')) return `Einnahmen: ${kind.slice(5)}`;
  return LINE_LABELS_DE[kind as (typeof LINE_KINDS)[number]] ?? kind;
}
