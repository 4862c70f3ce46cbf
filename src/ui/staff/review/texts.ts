/**
 * Words of the review pages that say what became of a suggestion since the matcher made it, and
 * what confirming it would do. English is typed by the German, so a missing sentence does not compile.
 */
import type { Lang } from '../../i18n.js';
import type { LineStanding } from '../../../services/review/reassess.js';

const de = {
  lineStanding: {
    fits: 'passt',
    exceeds: 'überzahlt',
    closed: 'inzwischen bezahlt',
    cancelled: 'aufgehoben',
    missing: 'nicht mehr vorhanden',
  } satisfies Record<LineStanding, string> as Record<LineStanding, string>,
  lineNote: (standing: LineStanding, over: string, open: string) =>
    standing === 'exceeds' ? `nur noch ${open} offen: die Buchung überzahlt um ${over}` : standing === 'closed' ? `nichts mehr offen: die Buchung überzahlt um ${over}` : '',
  stale: (kz: string) => `Nicht mehr buchbar: ${kz} ist inzwischen bezahlt, aufgehoben oder nicht mehr vorhanden. Bitte von Hand zuordnen.`,
  overpays: (over: string) => `Achtung: Diese Buchung überzahlt um ${over}. Der Posten wurde inzwischen ganz oder teilweise bezahlt.`,
  overpayConfirm: (over: string) => `Ich will trotzdem buchen und nehme die Überzahlung um ${over} bewusst in Kauf.`,
  doubtful: 'Der Abgleich selbst zweifelt an diesem Vorschlag:',
  doubtLow: (conf: string) => `Sicherheit nur ${conf}`,
  doubtConfirm: 'Ich habe die Gründe dagegen geprüft und will diesen Vorschlag buchen.',
  doubtKeys: 'Nicht mit den Schnelltasten allein buchbar: erst das Häkchen setzen.',
  quickKey: (n: number) => `Taste ${n}, dann Eingabe`,
  openNow: 'Jetzt offen',
  remainder: (rest: string) => `Noch zu verteilen: ${rest}`,
  remainderOver: (over: string) => `Zu viel verteilt: ${over}`,
  addRow: 'Weitere Zeile',
  nearMiss: (written: string, meant: string) => `Fast-Treffer: „${written}“ ist einen Tippfehler von ${meant} entfernt`,
  nearMissLegend: 'Geschrieben / Kassenzeichen, Unterschied hervorgehoben:',
};

export type ReviewTexts = typeof de;

const en: ReviewTexts = {
  lineStanding: { fits: 'fits', exceeds: 'overpays', closed: 'paid since', cancelled: 'cancelled', missing: 'gone' },
  lineNote: (standing, over, open) => (standing === 'exceeds' ? `only ${open} open: booking it overpays by ${over}` : standing === 'closed' ? `nothing open: booking it overpays by ${over}` : ''),
  stale: (kz) => `Cannot be booked any more: ${kz} was paid, cancelled or removed since. Please allocate by hand.`,
  overpays: (over) => `Caution: this booking overpays by ${over}. The item was paid in full or in part since.`,
  overpayConfirm: (over) => `I want to book it anyway and accept the overpayment of ${over}.`,
  doubtful: 'Matching itself doubts this suggestion:',
  doubtLow: (conf) => `confidence only ${conf}`,
  doubtConfirm: 'I checked the reasons against it and want to book this suggestion.',
  doubtKeys: 'Cannot be booked with the quick keys alone: tick the box first.',
  quickKey: (n) => `key ${n}, then Enter`,
  openNow: 'Open now',
  remainder: (rest) => `Left to allocate: ${rest}`,
  remainderOver: (over) => `Allocated too much: ${over}`,
  addRow: 'Another line',
  nearMiss: (written, meant) => `Near miss: “${written}” is one typo away from ${meant}`,
  nearMissLegend: 'Written / Kassenzeichen, the difference marked:',
};

export const REVIEW_TEXTS: Record<Lang, ReviewTexts> = { de, en };
