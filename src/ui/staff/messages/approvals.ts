/** Words of the approvals inbox. English is typed by the German, so a missing text does not compile. */
import type { StaleCode, StaleValues } from '../../../services/review/stale.js';

/** How a page says an amount and a payment's state, for the sentences below. */
export interface StaleSay {
  money: (amount: string, currency: string) => string;
  state: (state: string) => string;
}
/** Why an approval could not be carried out, one sentence per fact (src/services/review/stale.ts); a new fact without its sentence does not compile. */
export type StaleSentences = { [C in StaleCode]: (v: StaleValues[C], say: StaleSay) => string };

const staleDe: StaleSentences = {
  paymentGone: () => 'Die Zahlung gibt es nicht mehr.',
  paymentChanged: (v, say) => `Die Zahlung wurde seit dem Vorschlag geändert; sie steht jetzt auf „${say.state(v.state)}“.`,
  allocationGone: (v) => (v.kassenzeichen ? `Die Buchung auf ${v.kassenzeichen} gibt es nicht mehr.` : 'Die Buchung gibt es nicht mehr.'),
  allocationReversed: (v) => (v.kassenzeichen ? `Die Buchung auf ${v.kassenzeichen} wurde inzwischen storniert.` : 'Die Buchung wurde inzwischen storniert.'),
  onlyLeft: (v, say) => `Von der Zahlung sind nur noch ${say.money(v.left, v.currency)} übrig.`,
  returnGone: () => 'Die Rückbuchung gibt es nicht mehr.',
  bookingsChanged: () => 'Die Buchungen der Zahlung haben sich inzwischen geändert.',
  itemGone: (v) => `Den Posten ${v.kassenzeichen} gibt es nicht mehr.`,
  itemCancelled: (v) => `Der Posten ${v.kassenzeichen} wurde inzwischen aufgehoben.`,
  departureRefused: (v) => `Die Rückzahlung oder Rückbuchung passt nicht mehr zum Stand der Zahlungen (Vermerk wie gespeichert, englisch: „${v.detail}“).`,
};

const staleEn: StaleSentences = {
  paymentGone: () => 'The payment no longer exists.',
  paymentChanged: (v, say) => `The payment changed since the proposal; it is “${say.state(v.state)}” now.`,
  allocationGone: (v) => (v.kassenzeichen ? `The booking on ${v.kassenzeichen} no longer exists.` : 'The booking no longer exists.'),
  allocationReversed: (v) => (v.kassenzeichen ? `The booking on ${v.kassenzeichen} was reversed meanwhile.` : 'The booking was reversed meanwhile.'),
  onlyLeft: (v, say) => `Only ${say.money(v.left, v.currency)} of the payment is left.`,
  returnGone: () => 'The return no longer exists.',
  bookingsChanged: () => 'The bookings of the payment changed meanwhile.',
  itemGone: (v) => `Open item ${v.kassenzeichen} no longer exists.`,
  itemCancelled: (v) => `Open item ${v.kassenzeichen} was cancelled meanwhile.`,
  departureRefused: (v) => `The refund or return no longer fits the payments (note as stored: “${v.detail}”).`,
};

export const approvalsDe = {
  approvalsTitle: 'Freigaben',
  approvalsIntro: (threshold: string) => `Buchungen ab ${threshold} bucht Stadtkasse erst, wenn eine zweite Person sie freigibt. Wer eine Buchung vorgeschlagen hat, kann sie nicht selbst freigeben.`,
  approvalsNone: 'Keine Buchung wartet auf Freigabe.',
  approvalKinds: { manual_allocation: 'Zuordnung von Hand', confirm_suggestion: 'Vorschlag bestätigt', reversal: 'Stornierung', refund_run: 'Rückzahlungslauf als Sammelabbuchung' } as Record<string, string>,
  approvalHeading: (kind: string, amount: string) => `${kind} über ${amount}`,
  approvalProposed: (by: string, at: string) => `Vorgeschlagen von ${by} am ${at}`,
  approvalPayment: 'Zahlung',
  approvalReason: 'Begründung',
  approvalLines: 'Buchung',
  approvalOpenNow: (open: string) => `jetzt offen: ${open}`,
  approvalApprove: 'Freigeben und buchen',
  approvalReject: 'Ablehnen',
  approvalRejectNote: 'Grund der Ablehnung',
  approvalApproveNote: 'Vermerk (freiwillig)',
  approvalOwn: 'Sie haben diese Buchung vorgeschlagen. Freigeben muss eine zweite Person; zurückziehen können Sie sie mit „Ablehnen“.',
  approvalDecided: 'Zuletzt entschieden',
  approvalStatus: { pending: 'wartet', approved: 'freigegeben', rejected: 'abgelehnt', failed: 'nicht ausführbar' } as Record<string, string>,
  flashApproved: (amount: string) => `Freigegeben und gebucht: ${amount}.`,
  flashRejected: 'Abgelehnt; die Zahlung steht wieder zur Prüfung.',
  approvalStale: staleDe,
  approvalFailed: (why: string) => `Nicht gebucht: Die Freigabe ist nicht ausführbar. ${why} Sie ist als „nicht ausführbar“ vermerkt und die Zahlung steht wieder, wo sie stand; schlagen Sie die Buchung bitte vom jetzigen Stand aus neu vor.`,
  /** A note Stadtkasse wrote in English before it kept the facts, shown as stored. */
  approvalStoredNote: (note: string) => `Vermerk wie gespeichert (englisch): „${note}“`,
};

export type ApprovalsMessages = typeof approvalsDe;

export const approvalsEn: ApprovalsMessages = {
  approvalsTitle: 'Approvals',
  approvalsIntro: (threshold) => `Bookings from ${threshold} take effect only when a second person approves them. Whoever proposed a booking cannot approve it.`,
  approvalsNone: 'No booking is waiting for approval.',
  approvalKinds: { manual_allocation: 'Allocation by hand', confirm_suggestion: 'Suggestion confirmed', reversal: 'Reversal', refund_run: 'Refund run as one batch debit' },
  approvalHeading: (kind, amount) => `${kind} of ${amount}`,
  approvalProposed: (by, at) => `Proposed by ${by} on ${at}`,
  approvalPayment: 'Payment',
  approvalReason: 'Reason',
  approvalLines: 'Booking',
  approvalOpenNow: (open) => `open now: ${open}`,
  approvalApprove: 'Approve and book',
  approvalReject: 'Reject',
  approvalRejectNote: 'Reason for rejecting',
  approvalApproveNote: 'Note (optional)',
  approvalOwn: 'You proposed this booking. A second person has to approve it; you can withdraw it with “Reject”.',
  approvalDecided: 'Recently decided',
  approvalStatus: { pending: 'waiting', approved: 'approved', rejected: 'rejected', failed: 'could not be carried out' },
  flashApproved: (amount) => `Approved and booked: ${amount}.`,
  flashRejected: 'Rejected; the payment is back in review.',
  approvalStale: staleEn,
  approvalFailed: (why) => `Not booked: the approval cannot be carried out. ${why} It is marked “could not be carried out” and the payment is back where it stood; please propose the booking again from where it stands now.`,
  approvalStoredNote: (note) => `Note as stored: “${note}”`,
};
