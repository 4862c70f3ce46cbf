/** Words of the approvals inbox. English is typed by the German, so a missing text does not compile. */

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
};
