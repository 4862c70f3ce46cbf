/** Words of the refund run section on an outgoing payment's review page. English is typed by the German, so a missing text does not compile. */
import type { BatchMismatch } from '../../../services/workplace/refundDebit.js';

export const refundDebitDe = {
  refundDebitBookedHeading: 'Rückzahlungslauf dieser Abbuchung',
  refundDebitCandidateHeading: 'Könnte ein Rückzahlungslauf sein',
  refundDebitBooked: (run: number, count: number) => `Diese Abbuchung hat ${count} Rückzahlung${count === 1 ? '' : 'en'} aus Rückzahlungslauf ${run} gebucht.`,
  refundDebitCandidate: (run: number, count: number) => `Rückzahlungslauf ${run} ist als eine Sammelbuchung freigegeben und hat genau diese Summe (${count} Rückzahlung${count === 1 ? '' : 'en'}). Gebucht wurde nichts.`,
  refundDebitRun: (run: number, day: string) => `Lauf ${run}, Ausführung ${day}`,
  refundDebitSum: 'Summe der Rückzahlungen',
  refundDebitDebit: 'Abbuchung',
  refundDebitDifference: 'Differenz',
  refundDebitAgrees: 'stimmt überein',
  refundDebitWhy: 'Warum nicht automatisch gebucht',
  refundDebitMismatch: {
    otherAccount: 'Die Abbuchung ist auf einem anderen Konto als dem, von dem die Läufe zahlen.',
    carriesId: 'Die Abbuchung trägt eine Ende-zu-Ende-Referenz, die zu keiner Rückzahlung gehört; als Sammelbuchung gilt nur eine ohne.',
    severalRuns: 'Mehr als ein freigegebener Lauf hat genau diese Summe.',
    batchCount: 'Die Bank nennt eine andere Anzahl von Zahlungen als der Lauf hat.',
    unnamed: 'Die Abbuchung nennt weder die Datei des Laufs (MsgId, PmtInfId) noch eine Sammelbuchung mehrerer Zahlungen: Nur die Summe spricht für den Lauf.',
    notAllSent: 'Nicht mehr alle Rückzahlungen des Laufs sind unterwegs (gebucht, zurückgekommen oder schon verknüpft).',
    fits: 'Alles passt: die Buchung wurde beim Einlesen abgelehnt (inzwischen geändert), oder die Abbuchung kam vor der Freigabe.',
  } satisfies Record<BatchMismatch, string>,
  refundDebitPosition: 'Nr.',
  refundDebitRecipient: 'Empfänger',
  refundDebitReceipt: 'Ursprüngliche Zahlung',
  refundDebitE2e: 'Ende-zu-Ende-Referenz',
  refundDebitState: 'Stand',
  refundDebitMore: (shown: number, all: number) => `Gezeigt werden die ersten ${shown} von ${all} Rückzahlungen; Anzahl und Summe zählen alle.`,
  refundDebitProposeHelp: (run: number) =>
    `Sie haben geprüft, dass diese Abbuchung Lauf ${run} ist: Eine zweite Person gibt es frei, dann werden alle Rückzahlungen des Laufs mit dieser Abbuchung gebucht, wie beim Einlesen des Kontoauszugs.`,
  refundDebitPropose: (run: number) => `Als Lauf ${run} buchen (zur Freigabe)`,
  refundDebitProposed: (run: number) => `Vorgeschlagen: Diese Abbuchung ist Rückzahlungslauf ${run}. Sie wartet auf die Freigabe durch eine zweite Person.`,
};

export type RefundDebitMessages = typeof refundDebitDe;

export const refundDebitEn: RefundDebitMessages = {
  refundDebitBookedHeading: 'Refund run of this debit',
  refundDebitCandidateHeading: 'Could be a refund run',
  refundDebitBooked: (run, count) => `This debit booked ${count} refund${count === 1 ? '' : 's'} of refund run ${run}.`,
  refundDebitCandidate: (run, count) => `Refund run ${run} was released for batch booking and has exactly this total (${count} refund${count === 1 ? '' : 's'}). Nothing was booked.`,
  refundDebitRun: (run, day) => `Run ${run}, execution ${day}`,
  refundDebitSum: 'Sum of the refunds',
  refundDebitDebit: 'Debit',
  refundDebitDifference: 'Difference',
  refundDebitAgrees: 'agrees',
  refundDebitWhy: 'Why it was not booked automatically',
  refundDebitMismatch: {
    otherAccount: 'The debit is on another account than the one the runs pay from.',
    carriesId: 'The debit carries an end-to-end id that is no refund’s; only one without counts as a batch.',
    severalRuns: 'More than one released run has exactly this total.',
    batchCount: 'The bank gives another number of payments than the run has.',
    unnamed: 'The debit names neither the run’s file (MsgId, PmtInfId) nor a batch of several payments: only its total speaks for the run.',
    notAllSent: 'Not all refunds of the run are still on their way (booked, came back or linked already).',
    fits: 'Everything fits: the booking was refused at import (changed meanwhile), or the debit came before the release.',
  },
  refundDebitPosition: 'No.',
  refundDebitRecipient: 'Recipient',
  refundDebitReceipt: 'Original payment',
  refundDebitE2e: 'End-to-end id',
  refundDebitState: 'Status',
  refundDebitMore: (shown, all) => `The first ${shown} of ${all} refunds are shown; count and sum include all.`,
  refundDebitProposeHelp: (run) => `You checked that this debit is run ${run}: a second person approves, then every refund of the run is booked with this debit, as when the statement is read.`,
  refundDebitPropose: (run) => `Book as run ${run} (for approval)`,
  refundDebitProposed: (run) => `Proposed: this debit is refund run ${run}. It waits for a second person's approval.`,
};
