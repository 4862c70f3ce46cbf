/**
 * Why the matcher decided what it did, as facts with their values rather than finished sentences:
 * the treasury reads them in German in the workplace, an integrating service reads them in English
 * through the API and the batch command, and both must say the same thing. Each reason has a code,
 * its values, and one sentence per language here; nothing else writes reason sentences.
 *
 * Amounts are carried as the API writes them ("30.70") with their currency, so a stored reason can be
 * shown again in either language without the matcher.
 */
import { formatMinor, formatMoneyDe, parseMoney } from '../money/money.js';
import type { NearMissKind } from './index.js';
import type { SchemeAlgorithm } from './schemes.js';

export type ReasonLang = 'de' | 'en';

/** Where a reference was read. */
export type ReferenceSource = 'structured' | 'rf' | 'e2e' | 'remittance' | 'remittance-split';
export type NameRole = 'payer' | 'ultimate debtor';
export type NameAgreement = 'same' | 'contains' | 'family';
/** Why, among items the evidence cannot tell apart, one is suggested first. */
export type GuessBasis = 'oldest' | 'text' | 'issuedTwice' | 'ibanOnFile';

/** An amount as the API writes it, with its currency. */
export interface ReasonAmount {
  amount: string;
  currency: string;
}

/** A reason that is a fact without values ("amount equals open amount"). */
type NoValues = Record<never, never>;

/** Every reason the matcher gives, by code, with the values its sentence needs. */
interface ReasonValues {
  referenceFound: { reference: string; source: ReferenceSource };
  checkDigitProtects: { scheme: SchemeAlgorithm };
  nearMiss: { reference: string; source: ReferenceSource; slip: NearMissKind; kassenzeichen: string };
  amountEqualsOpen: NoValues;
  amountEqualsOriginal: { original: ReasonAmount; open: ReasonAmount };
  nothingOpen: { kassenzeichen: string };
  partialPayment: { paid: ReasonAmount; open: ReasonAmount };
  amountExceedsOpen: { paid: ReasonAmount; open: ReasonAmount };
  nameAgrees: { role: NameRole; agreement: NameAgreement; debtor: string };
  ibanOnFile: NoValues;
  ibanLearned: { confirmations: number };
  tooManyCandidates: { considered: number };
  doublePayment: { kassenzeichen: string; held: ReasonAmount };
  unprotectedUncorroborated: NoValues;
  partialNotAutomatic: NoValues;
  overpaymentNotAutomatic: NoValues;
  amountCoversMistypedItem: NoValues;
  overpaymentWithUnknownReference: { reference: string };
  payersItemOneSlipAway: { kassenzeichen: string };
  overpaymentToSuspense: { surplus: ReasonAmount };
  severalReferences: { kassenzeichen: string[] };
  amountEqualsSum: NoValues;
  alreadyPaid: { kassenzeichen: string[] };
  someItemsAddUp: NoValues;
  amountExceedsSum: { by: ReasonAmount };
  splitInQuotedOrder: { paid: ReasonAmount; open: ReasonAmount };
  ambiguousNearMiss: { items: number };
  wellFormedUnknownReference: { reference: string; kassenzeichen: string };
  itemAlreadyPaid: { kassenzeichen: string };
  nearMissNotAutomatic: NoValues;
  amountNotOpen: NoValues;
  payerNotDebtor: NoValues;
  referenceNotFound: { reference: string };
  noReference: NoValues;
  payersOpenItems: { items: number };
  noItemOfPayer: NoValues;
  splitOver: { paid: ReasonAmount; kassenzeichen: string[] };
  leftForSuspense: { rest: ReasonAmount };
  bankCharges: NoValues;
  outgoingPayment: NoValues;
  batchWithoutDetails: { payments?: number; provider: boolean };
  detailsDisagreeWithEntry: { kind: 'sumDiffers' | 'detailExceedsEntry' | 'detailBelowEntry' | 'detailsWithoutAmount'; entry: ReasonAmount; details?: ReasonAmount; count: number };
  returnedWithCode: { returnCode: string };
  returnedReversal: NoValues;
  returnedByTransactionCode: { transactionCode: string };
  returnRefersTo: { reference: string; known: boolean };
  returnEndToEndId: { endToEndId: string };
  returnedInWords: NoValues;
  outgoingPaymentReturned: { returnCode?: string; reference?: string };
  slipNeighbour: { kassenzeichen: string; other: string; slip: NearMissKind; amount?: ReasonAmount };
  sameAmountNoEvidence: { amount: ReasonAmount; items: number };
  surplusPaysOtherItem: { surplus: ReasonAmount; kassenzeichen: string };
  /** `basis`: what put the first one first (absent in reasons stored before it was recorded: the oldest). */
  ambiguousChoice: { items: number; kassenzeichen: string; basis?: GuessBasis };
  issuedTwice: { kassenzeichen: string; other: string };
}

export type ReasonCode = keyof ReasonValues;
export type Reason = { [C in ReasonCode]: { code: C } & ReasonValues[C] }[ReasonCode];

/** A reason from its code and values: `reason('nothingOpen', { kassenzeichen })`. */
export function reason<C extends ReasonCode>(code: C, ...values: keyof ReasonValues[C] extends never ? [] : [ReasonValues[C]]): Reason {
  return { code, ...(values[0] ?? {}) } as Reason;
}

export function reasonAmount(minor: bigint, currency: string): ReasonAmount {
  return { amount: formatMinor(minor, currency), currency };
}

const GUESS: Record<ReasonLang, Record<GuessBasis, string>> = {
  en: { oldest: 'the oldest', text: 'the one the text names', issuedTwice: 'the first issue of a claim issued twice', ibanOnFile: "the one with the payer's IBAN on file" },
  de: { oldest: 'der älteste', text: 'der, den der Text nennt', issuedTwice: 'die erste Ausfertigung einer doppelt erhobenen Forderung', ibanOnFile: 'der mit der IBAN des Zahlers in der Akte' },
};

type Sentences = { [C in ReasonCode]: (v: ReasonValues[C]) => string };

/** "30.70" in English (as the API and the batch command always wrote it), "30,70 €" in German. */
const amountIn: Record<ReasonLang, (a: ReasonAmount) => string> = {
  en: (a) => a.amount,
  de: (a) => formatMoneyDe(parseMoney(a.amount, a.currency, { allowNegative: true })),
};

const SOURCE: Record<ReasonLang, Record<ReferenceSource, string>> = {
  en: {
    structured: 'the structured creditor reference',
    rf: 'an RF creditor reference',
    e2e: 'the end-to-end id',
    remittance: 'remittance text',
    'remittance-split': 'remittance text (split across lines)',
  },
  de: {
    structured: 'der strukturierten Gläubigerreferenz',
    rf: 'einer RF-Gläubigerreferenz',
    e2e: 'der End-to-End-Referenz',
    remittance: 'dem Verwendungszweck',
    'remittance-split': 'dem Verwendungszweck (über Zeilen getrennt)',
  },
};

const SLIP: Record<ReasonLang, Record<NearMissKind, string>> = {
  en: {
    substitution: 'a substitution',
    transposition: 'a transposition',
    deletion: 'a deletion',
    insertion: 'an insertion',
    'prefix-omitted': 'a prefix-omitted',
    'jump-transposition': 'a jump transposition',
    twin: 'a twin error',
  },
  de: {
    substitution: 'eine vertippte Ziffer',
    transposition: 'zwei vertauschte Ziffern',
    deletion: 'eine ausgelassene Ziffer',
    insertion: 'eine zusätzliche Ziffer',
    'prefix-omitted': 'ein weggelassenes Präfix',
    'jump-transposition': 'zwei über eine Stelle vertauschte Ziffern',
    twin: 'eine vertippte Doppelziffer',
  },
};

/** How two real references differ, as a clause ("differ by two swapped digits"). */
const DIFFER: Record<ReasonLang, Record<NearMissKind, string>> = {
  en: {
    substitution: 'differ in one digit',
    transposition: 'differ by two swapped digits',
    'jump-transposition': 'differ by two digits swapped across a third',
    twin: 'differ in a doubled digit (such as 22 and 55)',
    deletion: 'differ by one digit left out',
    insertion: 'differ by one digit added',
    'prefix-omitted': 'differ only in the prefix',
  },
  de: {
    substitution: 'unterscheiden sich in einer Ziffer',
    transposition: 'unterscheiden sich durch zwei vertauschte Ziffern',
    'jump-transposition': 'unterscheiden sich durch zwei über eine Stelle vertauschte Ziffern',
    twin: 'unterscheiden sich in einer Doppelziffer (etwa 22 und 55)',
    deletion: 'unterscheiden sich durch eine ausgelassene Ziffer',
    insertion: 'unterscheiden sich durch eine zusätzliche Ziffer',
    'prefix-omitted': 'unterscheiden sich nur im Präfix',
  },
};

const NAME_DE: Record<NameRole, string> = { payer: 'Name des Zahlers', 'ultimate debtor': 'Name des eigentlichen Zahlers' };

/** SEPA return reasons (ISO 20022 ExternalReturnReason1Code) a receivables account meets. */
export const RETURN_REASON_TEXTS: Readonly<Record<string, Record<ReasonLang, string>>> = {
  AC01: { en: 'incorrect account number', de: 'IBAN fehlerhaft' },
  AC04: { en: 'account closed', de: 'Konto aufgelöst' },
  AC06: { en: 'account blocked', de: 'Konto gesperrt' },
  AG01: { en: 'transaction forbidden on this account', de: 'auf diesem Konto nicht zulässig' },
  AG02: { en: 'invalid bank operation code', de: 'ungültiger Buchungsschlüssel' },
  AM04: { en: 'insufficient funds', de: 'keine Deckung' },
  AM05: { en: 'duplicate payment', de: 'Doppelzahlung' },
  BE04: { en: 'creditor address missing', de: 'Anschrift des Empfängers fehlt' },
  CUST: { en: 'requested by the customer', de: 'auf Wunsch des Kunden' },
  DUPL: { en: 'duplicate payment', de: 'Doppelzahlung' },
  FOCR: { en: 'following a cancellation request', de: 'nach einem Rückruf' },
  FRAD: { en: 'fraudulent origin', de: 'betrügerischer Ursprung' },
  MD01: { en: 'no mandate', de: 'kein Mandat' },
  MD06: { en: 'refund requested by the payer', de: 'Erstattung auf Verlangen des Zahlers' },
  MD07: { en: 'payer deceased', de: 'Zahler verstorben' },
  MS02: { en: 'refused by the customer', de: 'vom Kunden abgelehnt' },
  MS03: { en: 'reason not specified', de: 'Grund nicht angegeben' },
  RC01: { en: 'bank identifier incorrect', de: 'BIC fehlerhaft' },
  RR04: { en: 'regulatory reason', de: 'aufsichtsrechtliche Gründe' },
  SL01: { en: 'specific service of the debtor bank', de: 'besondere Dienstleistung der Zahlerbank' },
  TECH: { en: 'technical problem', de: 'technisches Problem' },
};

function returnCode(lang: ReasonLang, code: string): string {
  const text = RETURN_REASON_TEXTS[code]?.[lang];
  return lang === 'en' ? `reason ${code}${text ? ` (${text})` : ''}` : `Grund ${code}${text ? ` (${text})` : ''}`;
}

const EN: Sentences = {
  referenceFound: (v) => `reference ${v.reference} found in ${SOURCE.en[v.source]}`,
  checkDigitProtects: (v) => `check digit (${v.scheme}) protects references of this kind`,
  nearMiss: (v) => `reference ${v.reference} in ${SOURCE.en[v.source]} is not an open item; ${SLIP.en[v.slip]} away from ${v.kassenzeichen}`,
  amountEqualsOpen: () => 'amount equals open amount',
  amountEqualsOriginal: (v) => `amount equals the original amount ${amountIn.en(v.original)} (open ${amountIn.en(v.open)})`,
  nothingOpen: (v) => `item ${v.kassenzeichen} has nothing open`,
  partialPayment: (v) => `partial payment: ${amountIn.en(v.paid)} of ${amountIn.en(v.open)} open`,
  amountExceedsOpen: (v) => `amount ${amountIn.en(v.paid)} exceeds the open amount ${amountIn.en(v.open)}`,
  nameAgrees: (v) =>
    v.agreement === 'same'
      ? `${v.role} name matches debtor ${v.debtor}`
      : v.agreement === 'contains'
        ? `${v.role} name largely matches debtor ${v.debtor}`
        : `${v.role} name shares a name with debtor ${v.debtor}`,
  ibanOnFile: () => "payer IBAN is the debtor's IBAN on file",
  ibanLearned: (v) => `payer IBAN seen on ${v.confirmations} confirmed payments of this debtor`,
  tooManyCandidates: (v) => `more than ${v.considered} possible references in the payment; only the first ${v.considered} were considered`,
  doublePayment: (v) => `item ${v.kassenzeichen} is already paid: probable double payment, ${amountIn.en(v.held)} held in suspense`,
  unprotectedUncorroborated: () => 'reference has no check digit and neither amount nor payer confirm it',
  partialNotAutomatic: () => 'partial payments are not booked automatically',
  overpaymentNotAutomatic: () => 'over-payments are not booked automatically',
  amountCoversMistypedItem: () => 'the amount also covers an item one keying slip away from another quoted reference',
  overpaymentWithUnknownReference: (v) => `over-payment and another reference-like number (${v.reference}) that matches no open item: the rest may belong to a second item`,
  payersItemOneSlipAway: (v) => `the payer's own item ${v.kassenzeichen} is one keying slip away from the quoted reference`,
  overpaymentToSuspense: (v) => `over-payment: ${amountIn.en(v.surplus)} goes to suspense`,
  severalReferences: (v) => `${v.kassenzeichen.length} references found: ${v.kassenzeichen.join(', ')}`,
  amountEqualsSum: () => 'amount equals the sum of their open amounts',
  alreadyPaid: (v) => `already paid: ${v.kassenzeichen.join(', ')}`,
  someItemsAddUp: () => 'only some of the quoted items add up to the amount',
  amountExceedsSum: (v) => `amount exceeds the sum of the open amounts by ${amountIn.en(v.by)}`,
  splitInQuotedOrder: (v) => `amount ${amountIn.en(v.paid)} does not equal the sum of the open amounts ${amountIn.en(v.open)}: proposed split in the order quoted`,
  ambiguousNearMiss: (v) => `ambiguous: ${v.items} items are one keying slip away from the quoted reference(s)`,
  wellFormedUnknownReference: (v) => `${v.reference} passes its check digit, so it is not a keying slip of ${v.kassenzeichen} but a reference that does not exist among the open items`,
  itemAlreadyPaid: (v) => `item ${v.kassenzeichen} is already paid`,
  nearMissNotAutomatic: () => 'near misses are not booked automatically',
  amountNotOpen: () => 'amount does not equal the open amount',
  payerNotDebtor: () => 'payer does not match the debtor',
  referenceNotFound: (v) => `reference ${v.reference} not found among the open items`,
  noReference: () => 'no reference found',
  payersOpenItems: (v) => `${v.items} open item(s) of this payer`,
  noItemOfPayer: () => 'no open item of this payer',
  splitOver: (v) => `split ${amountIn.en(v.paid)} over ${v.kassenzeichen.join(' + ')}`,
  leftForSuspense: (v) => `${amountIn.en(v.rest)} left for suspense`,
  bankCharges: () => 'bank charges: not a receipt for the receivables ledger',
  outgoingPayment: () => 'outgoing payment (debit): not a receipt for the receivables ledger',
  batchWithoutDetails: (v) => `batch booking of ${v.payments ?? 'several'} payments without details${v.provider ? ' from a payment service provider' : ''}: split it with the settlement report`,
  detailsDisagreeWithEntry: (v) =>
    v.kind === 'detailsWithoutAmount'
      ? `the bank booked ${amountIn.en(v.entry)} ${v.entry.currency} for this entry, but not all of its ${v.count} transaction details carry an amount: nothing is booked automatically; book the entry amount by hand`
      : v.kind === 'sumDiffers'
        ? `the bank booked ${amountIn.en(v.entry)} ${v.entry.currency} for this entry, its ${v.count} transaction details add up to ${amountIn.en(v.details!)} ${v.entry.currency}: nothing is booked automatically; book the entry amount by hand`
        : `the bank booked ${amountIn.en(v.entry)} ${v.entry.currency} for this entry, its transaction detail says ${amountIn.en(v.details!)} ${v.entry.currency}: nothing is booked automatically; book the entry amount by hand`,
  returnedWithCode: (v) => `returned payment: ${returnCode('en', v.returnCode)}`,
  returnedReversal: () => 'returned payment: reversal of an earlier booking',
  returnedByTransactionCode: (v) => `returned payment: bank transaction code ${v.transactionCode}`.trim(),
  returnRefersTo: (v) => `refers to ${v.reference}${v.known ? '' : ' (not among the open items)'}`,
  returnEndToEndId: (v) => `original end-to-end id ${v.endToEndId}`,
  returnedInWords: () => 'returned payment: the bank says so in words, without a code',
  outgoingPaymentReturned: (v) =>
    `a payment of ours came back${v.returnCode ? ` (${returnCode('en', v.returnCode)})` : ''}${v.reference ? `, naming ${v.reference}` : ''}: it is not a citizen's receipt and reverses none`,
  slipNeighbour: (v) => `${v.kassenzeichen} and ${v.other} ${DIFFER.en[v.slip]}${v.amount ? `; both are ${amountIn.en(v.amount)}` : ''}`,
  sameAmountNoEvidence: (v) => `${v.items} items one keying slip apart are open for ${amountIn.en(v.amount)}: the amount does not tell them apart, and neither does the payer`,
  surplusPaysOtherItem: (v) => `the surplus ${amountIn.en(v.surplus)} is exactly the open amount of the payer's item ${v.kassenzeichen}`,
  ambiguousChoice: (v) => `ambiguous: ${v.items} items fit equally; ${v.kassenzeichen} (${GUESS.en[v.basis ?? 'oldest']}) is suggested first, as a guess`,
  issuedTwice: (v) => `${v.kassenzeichen} and ${v.other} look like one claim issued twice (same debtor, amount, due date and purpose); ${v.kassenzeichen}, the first issue, is suggested`,
};

const DE: Sentences = {
  referenceFound: (v) => `Kassenzeichen ${v.reference} in ${SOURCE.de[v.source]} gefunden`,
  checkDigitProtects: (v) => `Prüfziffer (${v.scheme}) schützt Kassenzeichen dieser Art`,
  nearMiss: (v) => `${v.reference} in ${SOURCE.de[v.source]} ist kein offener Posten; ${SLIP.de[v.slip]} entfernt von ${v.kassenzeichen}`,
  amountEqualsOpen: () => 'Betrag gleich dem offenen Betrag',
  amountEqualsOriginal: (v) => `Betrag gleich dem ursprünglichen Betrag ${amountIn.de(v.original)} (offen ${amountIn.de(v.open)})`,
  nothingOpen: (v) => `Posten ${v.kassenzeichen} ist nicht mehr offen`,
  partialPayment: (v) => `Teilzahlung: ${amountIn.de(v.paid)} von ${amountIn.de(v.open)} offen`,
  amountExceedsOpen: (v) => `Betrag ${amountIn.de(v.paid)} übersteigt den offenen Betrag ${amountIn.de(v.open)}`,
  nameAgrees: (v) =>
    v.agreement === 'same'
      ? `${NAME_DE[v.role]} stimmt mit dem Schuldner ${v.debtor} überein`
      : v.agreement === 'contains'
        ? `${NAME_DE[v.role]} stimmt weitgehend mit dem Schuldner ${v.debtor} überein`
        : `${NAME_DE[v.role]} teilt einen Namen mit dem Schuldner ${v.debtor}`,
  ibanOnFile: () => 'IBAN des Zahlers ist die hinterlegte IBAN des Schuldners',
  ibanLearned: (v) => `IBAN des Zahlers bei ${v.confirmations} bestätigten Zahlungen dieses Schuldners gesehen`,
  tooManyCandidates: (v) => `mehr als ${v.considered} mögliche Kassenzeichen in der Zahlung; nur die ersten ${v.considered} wurden geprüft`,
  doublePayment: (v) => `Posten ${v.kassenzeichen} ist bereits bezahlt: vermutlich Doppelzahlung, ${amountIn.de(v.held)} in Verwahrung`,
  unprotectedUncorroborated: () => 'Kassenzeichen ohne Prüfziffer, und weder Betrag noch Zahler bestätigen es',
  partialNotAutomatic: () => 'Teilzahlungen werden nicht automatisch gebucht',
  overpaymentNotAutomatic: () => 'Überzahlungen werden nicht automatisch gebucht',
  amountCoversMistypedItem: () => 'der Betrag deckt auch einen Posten, der einen Tippfehler von einem weiteren genannten Kassenzeichen entfernt ist',
  overpaymentWithUnknownReference: (v) => `Überzahlung und eine weitere Nummer (${v.reference}), die zu keinem offenen Posten passt: der Rest kann zu einem zweiten Posten gehören`,
  payersItemOneSlipAway: (v) => `der eigene Posten ${v.kassenzeichen} des Zahlers ist einen Tippfehler vom genannten Kassenzeichen entfernt`,
  overpaymentToSuspense: (v) => `Überzahlung: ${amountIn.de(v.surplus)} in Verwahrung`,
  severalReferences: (v) => `${v.kassenzeichen.length} Kassenzeichen gefunden: ${v.kassenzeichen.join(', ')}`,
  amountEqualsSum: () => 'Betrag gleich der Summe ihrer offenen Beträge',
  alreadyPaid: (v) => `bereits bezahlt: ${v.kassenzeichen.join(', ')}`,
  someItemsAddUp: () => 'nur ein Teil der genannten Posten ergibt den Betrag',
  amountExceedsSum: (v) => `Betrag übersteigt die Summe der offenen Beträge um ${amountIn.de(v.by)}`,
  splitInQuotedOrder: (v) => `Betrag ${amountIn.de(v.paid)} ist nicht die Summe der offenen Beträge ${amountIn.de(v.open)}: Aufteilung in der genannten Reihenfolge vorgeschlagen`,
  ambiguousNearMiss: (v) => `mehrdeutig: ${v.items} Posten sind einen Tippfehler von den genannten Kassenzeichen entfernt`,
  wellFormedUnknownReference: (v) => `${v.reference} hat eine gültige Prüfziffer, ist also kein Tippfehler von ${v.kassenzeichen}, sondern ein Kassenzeichen, das unter den offenen Posten nicht vorkommt`,
  itemAlreadyPaid: (v) => `Posten ${v.kassenzeichen} ist bereits bezahlt`,
  nearMissNotAutomatic: () => 'Tippfehler werden nicht automatisch gebucht',
  amountNotOpen: () => 'Betrag ist nicht der offene Betrag',
  payerNotDebtor: () => 'Zahler passt nicht zum Schuldner',
  referenceNotFound: (v) => `Kassenzeichen ${v.reference} unter den offenen Posten nicht gefunden`,
  noReference: () => 'kein Kassenzeichen gefunden',
  payersOpenItems: (v) => `${v.items} offene(r) Posten dieses Zahlers`,
  noItemOfPayer: () => 'kein offener Posten dieses Zahlers',
  splitOver: (v) => `${amountIn.de(v.paid)} aufgeteilt auf ${v.kassenzeichen.join(' + ')}`,
  leftForSuspense: (v) => `${amountIn.de(v.rest)} bleiben in Verwahrung`,
  bankCharges: () => 'Bankentgelte: keine Einzahlung für die Forderungsbuchhaltung',
  outgoingPayment: () => 'Auszahlung (Lastschrift auf dem Konto): keine Einzahlung für die Forderungsbuchhaltung',
  batchWithoutDetails: (v) => `Sammelbuchung über ${v.payments ?? 'mehrere'} Zahlungen ohne Einzelheiten${v.provider ? ' eines Zahlungsdienstleisters' : ''}: mit der Abrechnung aufteilen`,
  detailsDisagreeWithEntry: (v) =>
    v.kind === 'detailsWithoutAmount'
      ? `die Bank hat für diesen Umsatz ${amountIn.de(v.entry)} gebucht, aber nicht alle seiner ${v.count} Einzelumsätze nennen einen Betrag: nichts wird automatisch gebucht; den gebuchten Betrag von Hand zuordnen`
      : v.kind === 'sumDiffers'
        ? `die Bank hat für diesen Umsatz ${amountIn.de(v.entry)} gebucht, seine ${v.count} Einzelumsätze ergeben ${amountIn.de(v.details!)}: nichts wird automatisch gebucht; den gebuchten Betrag von Hand zuordnen`
        : `die Bank hat für diesen Umsatz ${amountIn.de(v.entry)} gebucht, sein Einzelumsatz nennt ${amountIn.de(v.details!)}: nichts wird automatisch gebucht; den gebuchten Betrag von Hand zuordnen`,
  returnedWithCode: (v) => `Rücklastschrift/Rücküberweisung: ${returnCode('de', v.returnCode)}`,
  returnedReversal: () => 'Rückbuchung einer früheren Buchung',
  returnedByTransactionCode: (v) => `Rückbuchung: Geschäftsvorfallcode ${v.transactionCode}`.trim(),
  returnRefersTo: (v) => `bezieht sich auf ${v.reference}${v.known ? '' : ' (nicht unter den offenen Posten)'}`,
  returnEndToEndId: (v) => `ursprüngliche End-to-End-Referenz ${v.endToEndId}`,
  returnedInWords: () => 'Rückbuchung: die Bank sagt es nur in Worten, ohne Code',
  outgoingPaymentReturned: (v) =>
    `eine Zahlung der Stadt kam zurück${v.returnCode ? ` (${returnCode('de', v.returnCode)})` : ''}${v.reference ? `, mit Angabe ${v.reference}` : ''}: das ist keine Einzahlung eines Bürgers und storniert keine`,
  slipNeighbour: (v) => `${v.kassenzeichen} und ${v.other} ${DIFFER.de[v.slip]}${v.amount ? `; beide ${amountIn.de(v.amount)}` : ''}`,
  sameAmountNoEvidence: (v) => `${v.items} Posten, einen Tippfehler voneinander entfernt, sind über ${amountIn.de(v.amount)} offen: weder Betrag noch Zahler unterscheiden sie`,
  surplusPaysOtherItem: (v) => `der Überschuss ${amountIn.de(v.surplus)} ist genau der offene Betrag des Postens ${v.kassenzeichen} desselben Zahlers`,
  ambiguousChoice: (v) => `mehrdeutig: ${v.items} Posten passen gleich gut; ${v.kassenzeichen} (${GUESS.de[v.basis ?? 'oldest']}) steht als Vermutung vorn`,
  issuedTwice: (v) => `${v.kassenzeichen} und ${v.other} sehen nach derselben, zweimal erhobenen Forderung aus (gleicher Schuldner, Betrag, Fälligkeit und Zweck); ${v.kassenzeichen}, die erste, ist vorgeschlagen`,
};

const SENTENCES: Record<ReasonLang, Sentences> = { en: EN, de: DE };

/** How a Kassenzeichen is spelled in a sentence: the normalized key as stored, or as printed on the notice. */
export type KassenzeichenSpelling = (kassenzeichen: string) => string;
/** The spelling of the Kassenzeichen given, looked up once for all of them (a page's worth). */
export type SpellingLookup = (kassenzeichen: string[]) => Promise<KassenzeichenSpelling>;

/** The reasons whose values name an item by its Kassenzeichen. */
type NamesItems = { [C in ReasonCode]: 'kassenzeichen' extends keyof ReasonValues[C] ? C : never }[ReasonCode];

/**
 * Which values of a reason are an item's Kassenzeichen (stored normalized, as the matcher compares
 * them). `reference` is not among them: it is what the payer wrote, quoted as written. A new reason
 * with a `kassenzeichen` value that is missing here does not compile.
 */
const ITEM_VALUES: Record<NamesItems, ReadonlyArray<'kassenzeichen' | 'other'>> = {
  nearMiss: ['kassenzeichen'],
  nothingOpen: ['kassenzeichen'],
  doublePayment: ['kassenzeichen'],
  payersItemOneSlipAway: ['kassenzeichen'],
  severalReferences: ['kassenzeichen'],
  alreadyPaid: ['kassenzeichen'],
  wellFormedUnknownReference: ['kassenzeichen'],
  itemAlreadyPaid: ['kassenzeichen'],
  splitOver: ['kassenzeichen'],
  slipNeighbour: ['kassenzeichen', 'other'],
  surplusPaysOtherItem: ['kassenzeichen'],
  ambiguousChoice: ['kassenzeichen'],
  issuedTwice: ['kassenzeichen', 'other'],
};

function itemValues(r: Reason): ReadonlyArray<'kassenzeichen' | 'other'> {
  return Object.hasOwn(ITEM_VALUES, r.code) ? ITEM_VALUES[r.code as NamesItems] : [];
}

/** Every item's Kassenzeichen the reasons name (to look their printed spelling up once for a page). */
export function reasonKassenzeichen(rs: ReadonlyArray<Reason | string>): string[] {
  const out: string[] = [];
  for (const r of rs) {
    if (typeof r === 'string') continue;
    for (const k of itemValues(r)) {
      const v = (r as unknown as Record<string, unknown>)[k];
      if (typeof v === 'string') out.push(v);
      else if (Array.isArray(v)) out.push(...v.filter((x): x is string => typeof x === 'string'));
    }
  }
  return out;
}

/** The reason with each item's Kassenzeichen in `spell`'s spelling (the facts as stored are left alone). */
function spelled(r: Reason, spell: KassenzeichenSpelling): Reason {
  const keys = itemValues(r);
  if (keys.length === 0) return r;
  const out: Record<string, unknown> = { ...r };
  for (const k of keys) {
    const v = out[k];
    if (typeof v === 'string') out[k] = spell(v);
    else if (Array.isArray(v)) out[k] = v.map((x) => (typeof x === 'string' ? spell(x) : x));
  }
  return out as unknown as Reason;
}

/**
 * The sentence of a reason. Reasons stored as plain sentences (written before reasons had codes, or
 * by a part of Stadtkasse that explains in sentences) are shown as they are. `spell` gives the
 * spelling of the items' Kassenzeichen in the sentence (the workplace: as printed); without it,
 * the normalized key as stored (the API's and the batch command's words).
 */
export function reasonText(r: Reason | string, lang: ReasonLang, spell?: KassenzeichenSpelling): string {
  if (typeof r === 'string') return r;
  const sentence = SENTENCES[lang][r.code] as ((v: Reason) => string) | undefined;
  return sentence ? sentence(spell ? spelled(r, spell) : r) : r.code;
}

export function reasonTexts(rs: ReadonlyArray<Reason | string>, lang: ReasonLang, spell?: KassenzeichenSpelling): string[] {
  return rs.map((r) => reasonText(r, lang, spell));
}
