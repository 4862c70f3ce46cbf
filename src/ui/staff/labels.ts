/**
 * The words for every state and action a clerk or approver meets, in each language. Each map is a
 * `Record` over the one list of its kind (src/services/review/states.ts, src/services/items/status.ts,
 * the online payment statuses), so a state added there without a word here does not compile, and a
 * page never shows a raw key such as `settlement_review`.
 */
import type { Lang } from '../i18n.js';
import { isReceiptState, type ReceiptState, type ReviewAction } from '../../services/review/states.js';
import { ITEM_STATUSES, type ItemStatus } from '../../services/items/status.js';
import type { OnlinePaymentStatus } from '../../services/online/onlinePayments.js';
import type { ClearingReason, SettlementStatus } from '../../services/online/settlement.js';

export const RECEIPT_STATE_WORDS: Record<Lang, Record<ReceiptState, string>> = {
  de: {
    pending: 'wartet auf Abgleich',
    auto: 'automatisch gebucht',
    manual: 'von Hand gebucht',
    review: 'zu prüfen',
    unmatched: 'ohne Vorschlag',
    parked: 'zurückgestellt',
    awaiting_approval: 'wartet auf Freigabe',
    settlement_review: 'Auszahlung mit Differenz',
    clearing: 'Auszahlung ausgeglichen',
    refund: 'zur Rückzahlung',
    refunded: 'zurückgezahlt',
    refund_booked: 'als Rückzahlung gebucht',
    return: 'Rückbuchung',
    return_open: 'Rückbuchung offen',
    returned: 'von der Bank zurückgebucht',
    ignored: 'nicht relevant',
    duplicate: 'doppelt geliefert',
    not_booked: 'nicht gebucht (vorgemerkt)',
  },
  en: {
    pending: 'waiting for matching',
    auto: 'booked automatically',
    manual: 'booked by hand',
    review: 'to review',
    unmatched: 'no suggestion',
    parked: 'parked',
    awaiting_approval: 'awaiting approval',
    settlement_review: 'payout with a difference',
    clearing: 'payout cleared',
    refund: 'marked for refund',
    refunded: 'refunded',
    refund_booked: 'booked as a refund',
    return: 'return',
    return_open: 'return, open',
    returned: 'returned by the bank',
    ignored: 'not relevant',
    duplicate: 'delivered twice',
    not_booked: 'not booked (pending)',
  },
};

export const ITEM_STATUS_WORDS: Record<Lang, Record<ItemStatus, string>> = {
  de: { open: 'offen', partly_paid: 'teilweise bezahlt', paid: 'bezahlt', overpaid: 'überzahlt', cancelled: 'aufgehoben' },
  en: { open: 'open', partly_paid: 'partly paid', paid: 'paid', overpaid: 'overpaid', cancelled: 'cancelled' },
};

export const ACTION_WORDS: Record<Lang, Record<ReviewAction, string>> = {
  de: {
    confirm: 'Vorschlag buchen',
    allocate: 'von Hand zuordnen',
    park: 'zurückstellen',
    mark_refund: 'zur Rückzahlung vormerken',
    book_refund: 'Rückzahlung buchen',
    unmark_refund: 'Vormerkung aufheben',
    resolve_return: 'Rückbuchung zuordnen',
    reverse: 'stornieren',
  },
  en: {
    confirm: 'book suggestion',
    allocate: 'allocate by hand',
    park: 'park',
    mark_refund: 'mark for refund',
    book_refund: 'book refund',
    unmark_refund: 'take back refund mark',
    resolve_return: 'place return',
    reverse: 'reverse',
  },
};

export const ONLINE_STATUS_WORDS: Record<Lang, Record<OnlinePaymentStatus, string>> = {
  de: {
    created: 'angelegt',
    initial: 'beim Anbieter begonnen',
    payed: 'bezahlt',
    failed: 'fehlgeschlagen',
    canceled: 'abgebrochen',
    expired: 'abgelaufen',
    unreachable: 'Anbieter nicht erreichbar',
    superseded: 'ersetzt',
  },
  en: {
    created: 'created',
    initial: 'started at the provider',
    payed: 'paid',
    failed: 'failed',
    canceled: 'cancelled',
    expired: 'expired',
    unreachable: 'provider unreachable',
    superseded: 'superseded',
  },
};

export const SETTLEMENT_STATUS_WORDS: Record<Lang, Record<SettlementStatus, string>> = {
  de: { cleared: 'ausgeglichen', review: 'mit Differenz, zu prüfen', awaiting_credit: 'Gutschrift der Bank steht aus', accepted: 'angenommen', released: 'in die Prüfung gegeben', superseded: 'durch Bericht ersetzt' },
  en: { cleared: 'cleared', review: 'with a difference, to review', awaiting_credit: 'bank credit outstanding', accepted: 'accepted', released: 'handed to review', superseded: 'replaced by a report' },
};

export const CLEARING_REASON_WORDS: Record<Lang, Record<ClearingReason, string>> = {
  de: { payment_received: 'online bezahlt (Anbieter schuldet)', settled: 'ausgezahlt (auf dem Kontoauszug)', fee: 'Gebühr des Anbieters', written_off: 'ausgebucht', reversed: 'zurückgegeben (Rückbelastung oder Erstattung)' },
  en: { payment_received: 'paid online (provider owes)', settled: 'paid out (on the bank statement)', fee: "provider's fee", written_off: 'written off', reversed: 'given back (chargeback or refund)' },
};

const UNKNOWN: Record<Lang, string> = { de: 'unbekannter Stand', en: 'unknown status' };

/** A receipt's state as a word; a value outside the list (a stored row from a newer version) says so instead of showing the key. */
export function stateWord(lang: Lang, state: string): string {
  return isReceiptState(state) ? RECEIPT_STATE_WORDS[lang][state] : UNKNOWN[lang];
}

export function itemStatusWord(lang: Lang, status: string): string {
  return (ITEM_STATUSES as readonly string[]).includes(status) ? ITEM_STATUS_WORDS[lang][status as ItemStatus] : UNKNOWN[lang];
}

export function onlineStatusWord(lang: Lang, status: string): string {
  return Object.hasOwn(ONLINE_STATUS_WORDS[lang], status) ? ONLINE_STATUS_WORDS[lang][status as OnlinePaymentStatus] : UNKNOWN[lang];
}

export function settlementStatusWord(lang: Lang, status: string): string {
  return Object.hasOwn(SETTLEMENT_STATUS_WORDS[lang], status) ? SETTLEMENT_STATUS_WORDS[lang][status as SettlementStatus] : UNKNOWN[lang];
}
