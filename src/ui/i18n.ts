/**
 * Texts and formats for pages citizens and staff read: German by default, English on request
 * (`?lang=en`, else the browser's Accept-Language). Plain objects keyed by message, so a missing
 * translation is a type error, not an empty spot on a page.
 */
import { formatMinor, formatMoneyDe } from '../money/money.js';
import type { ItemStatus } from '../services/items/status.js';

export const LANGS = ['de', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** `?lang=` wins; else the first supported language in Accept-Language by q-value; else German. */
export function pickLang(query: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'de' || query === 'en') return query;
  if (acceptLanguage) {
    const ranked = acceptLanguage
      .split(',')
      .map((part, i) => {
        const [tag = '', ...params] = part.trim().split(';');
        const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
        return { lang: tag.toLowerCase().split('-')[0], weight: q ? qThousandths(q.slice(2)) : 1000, i };
      })
      .filter((x) => x.weight > 0)
      .sort((a, b) => b.weight - a.weight || a.i - b.i);
    for (const r of ranked) if (r.lang === 'de' || r.lang === 'en') return r.lang;
  }
  return 'de';
}

/** RFC 9110 qvalue ("0.8", "1", "0.125") in thousandths; malformed counts as 0 (not acceptable). */
function qThousandths(text: string): number {
  if (/^1(?:\.0{0,3})?$/.test(text)) return 1000;
  const m = /^0(?:\.(\d{0,3}))?$/.exec(text);
  return m ? Number.parseInt((m[1] ?? '').padEnd(3, '0'), 10) : 0;
}

/** A calendar day "YYYY-MM-DD": German "31.12.2026", English "31 December 2026". */
export function formatDay(lang: Lang, day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  if (lang === 'de') return `${m[3]}.${m[2]}.${m[1]}`;
  return `${Number.parseInt(m[3]!, 10)} ${EN_MONTHS[Number.parseInt(m[2]!, 10) - 1]} ${m[1]}`;
}

/** An instant as the day it is in Germany (where the Stadtkasse is). */
export function formatInstantDay(lang: Lang, at: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  return formatDay(lang, parts);
}

/** German "1.234,50 €"; English "€1,234.50". */
export function formatAmount(lang: Lang, minor: bigint, currency: string): string {
  if (lang === 'de') return formatMoneyDe({ minor, currency });
  const plain = formatMinor(minor < 0n ? -minor : minor, currency);
  const [whole, frac] = plain.split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${minor < 0n ? '−' : ''}${currency === 'EUR' ? '€' : currency + '\u00a0'}${grouped}${frac ? '.' + frac : ''}`;
}

/** The amount as a person types it into a transfer form: "30,70" in German, "30.70" in English. */
export function amountForTyping(lang: Lang, minor: bigint, currency: string): string {
  const plain = formatMinor(minor, currency);
  return lang === 'de' ? plain.replace('.', ',') : plain;
}

/** IBAN in groups of four, as printed on paper. */
export function groupIban(iban: string): string {
  return iban.replace(/\s/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}

const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const de = {
  langName: 'Deutsch',
  switchTo: 'English',
  switchToLabel: 'Switch to English',
  skipToContent: 'Zum Inhalt springen',
  pageTitle: (creditor: string) => `Zahlung an ${creditor}`,
  heading: (creditor: string) => `Ihre Zahlung an ${creditor}`,
  statusOpen: (amount: string, due: string) => `Offen: ${amount}, fällig am ${due}.`,
  statusPartly: (amount: string) => `Teilweise bezahlt. Es sind noch ${amount} offen.`,
  statusPaid: 'Bezahlt. Vielen Dank – Sie müssen nichts mehr tun.',
  statusCancelled: 'Diese Forderung wurde aufgehoben. Sie müssen nichts zahlen.',
  statusPaidOnline: 'Bezahlt. Vielen Dank – Ihre Online-Zahlung ist bestätigt. Sie müssen nichts mehr tun.',
  receiptHeading: 'Ihre Zahlungsbestätigung',
  receiptText: (debtor: string, creditor: string) => `${creditor} bestätigt: Für ${debtor} ist bei uns eingegangen:`,
  receiptWhat: 'Wofür',
  receiptPaid: 'Bezahlt',
  receiptNothingOwed: 'Damit ist alles bezahlt. Sie müssen nichts mehr tun.',
  receiptStillOwed: (amount: string) => `Es sind noch ${amount} offen.`,
  receiptAsOf: (day: string) => `Stand: ${day}. Bitte bewahren Sie diese Bestätigung auf.`,
  receiptPrint: 'Bestätigung drucken',
  whatHeading: 'Was Sie zahlen',
  itemAmount: 'Betrag',
  itemKassenzeichen: 'Kassenzeichen',
  itemDue: 'Fällig am',
  itemStatus: 'Stand',
  // A citizen who paid more than owed has paid: the surplus is the treasury's matter, not theirs.
  itemStatuses: { open: 'offen', partly_paid: 'teilweise bezahlt', paid: 'bezahlt', overpaid: 'bezahlt', cancelled: 'aufgehoben' } satisfies Record<ItemStatus, string> as Record<string, string>,
  itemOutstanding: (amount: string) => `noch offen: ${amount}`,
  category: { fee: 'Gebühr', fine: 'Verwarnungs- oder Bußgeld', library: 'Bibliothek', other: 'Forderung' } as Record<string, string>,
  qrHeading: 'Mit der Banking-App bezahlen (GiroCode)',
  qrAlt: (amount: string) => `GiroCode: QR-Code mit den Überweisungsdaten über ${amount}`,
  qrExplain:
    'Öffnen Sie die App Ihrer Bank und wählen Sie „Scannen“, „GiroCode“ oder „Foto-Überweisung“. Empfänger, IBAN, Betrag und Verwendungszweck werden übernommen. Bitte prüfen Sie die Angaben, bevor Sie die Überweisung absenden.',
  manualHeading: 'Per Überweisung bezahlen',
  manualExplain: 'Bitte geben Sie den Verwendungszweck genau so an, damit Ihre Zahlung zugeordnet werden kann.',
  payee: 'Empfänger',
  iban: 'IBAN',
  bic: 'BIC',
  amount: 'Betrag',
  reference: 'Verwendungszweck',
  copy: 'Kopieren',
  copyLabel: (what: string) => `${what} kopieren`,
  copied: (what: string) => `${what} wurde kopiert.`,
  validUntil: (day: string) => `Dieser Link ist gültig bis zum ${day}.`,
  notFoundTitle: 'Zahlungslink unbekannt',
  notFoundHeading: 'Diesen Zahlungslink kennen wir nicht',
  notFoundText:
    'Bitte prüfen Sie, ob der Link vollständig ist – manchmal wird er beim Kopieren abgeschnitten. Die Zahlungsdaten stehen auch auf dem Bescheid, den Sie erhalten haben.',
  expiredTitle: 'Zahlungslink abgelaufen',
  expiredHeading: 'Dieser Zahlungslink ist abgelaufen',
  expiredText: (day: string) => `Der Link war bis zum ${day} gültig. Eine Zahlung, die Sie bereits geleistet haben, bleibt davon unberührt.`,
  contact: (who: string) => `Für einen neuen Link oder die Zahlungsdaten wenden Sie sich bitte an: ${who}.`,
  // The SEPA pre-notification: what the rulebook wants the debtor told before a collection.
  debitHeading: 'Ankündigung der SEPA-Lastschrift',
  debitAnnounced: (amount: string, kz: string, day: string, ending: string) =>
    `Wir ziehen ${amount} für das Kassenzeichen ${kz} am ${day} per SEPA-Lastschrift von Ihrem Konto mit der Endung ${ending} ein.`,
  debitInitiated: (amount: string, kz: string, day: string, ending: string) =>
    `Einzug veranlasst: Die SEPA-Lastschrift über ${amount} für das Kassenzeichen ${kz} ist an unsere Bank gegeben. Sie wird am ${day} von Ihrem Konto mit der Endung ${ending} eingezogen.`,
  debitDate: 'Einzugstag',
  debitAccount: 'Ihr Konto',
  debitCreditorId: 'Gläubiger-Identifikationsnummer',
  debitMandate: 'Mandatsreferenz',
  debitTwice: 'Bitte zahlen Sie diesen Betrag nicht zusätzlich – weder per Überweisung noch online. Sonst zahlen Sie doppelt. Sorgen Sie bitte dafür, dass Ihr Konto am Einzugstag gedeckt ist.',
  debitNotForTransfer: (amount: string) => `Der Betrag von ${amount} enthält nicht, was per Lastschrift eingezogen wird (siehe oben).`,
  debitOnlineHint: (amount: string) => `Online bezahlen Sie nur ${amount}: Was per Lastschrift eingezogen wird (siehe oben), ist darin nicht enthalten.`,
  debitNothingElse: 'Alles, was offen ist, ziehen wir per Lastschrift ein. Sie müssen nichts überweisen.',
  itemDebitAnnounced: (day: string) => `Lastschrift angekündigt: Einzug am ${day}`,
  itemDebitInitiated: 'Einzug veranlasst',
};

const en: typeof de = {
  langName: 'English',
  switchTo: 'Deutsch',
  switchToLabel: 'Auf Deutsch anzeigen',
  skipToContent: 'Skip to content',
  pageTitle: (creditor) => `Payment to ${creditor}`,
  heading: (creditor) => `Your payment to ${creditor}`,
  statusOpen: (amount, due) => `Open: ${amount}, due on ${due}.`,
  statusPartly: (amount) => `Partly paid. ${amount} is still open.`,
  statusPaid: 'Paid. Thank you – there is nothing more to do.',
  statusCancelled: 'This claim was cancelled. You do not need to pay.',
  statusPaidOnline: 'Paid. Thank you – your online payment is confirmed. There is nothing more to do.',
  receiptHeading: 'Your payment confirmation',
  receiptText: (debtor, creditor) => `${creditor} confirms receiving for ${debtor}:`,
  receiptWhat: 'For',
  receiptPaid: 'Paid',
  receiptNothingOwed: 'Everything is paid. There is nothing more to do.',
  receiptStillOwed: (amount) => `${amount} is still open.`,
  receiptAsOf: (day) => `As of ${day}. Please keep this confirmation.`,
  receiptPrint: 'Print confirmation',
  whatHeading: 'What you are paying for',
  itemAmount: 'Amount',
  itemKassenzeichen: 'Payment reference (Kassenzeichen)',
  itemDue: 'Due on',
  itemStatus: 'Status',
  itemStatuses: { open: 'open', partly_paid: 'partly paid', paid: 'paid', overpaid: 'paid', cancelled: 'cancelled' },
  itemOutstanding: (amount) => `still open: ${amount}`,
  category: { fee: 'Fee', fine: 'Fine', library: 'Library', other: 'Claim' },
  qrHeading: 'Pay with your banking app (GiroCode)',
  qrAlt: (amount) => `GiroCode: QR code with the transfer details for ${amount}`,
  qrExplain:
    'Open your bank’s app and choose “Scan”, “GiroCode” or “photo transfer”. Payee, IBAN, amount and reference are filled in for you. Please check them before you send the transfer.',
  manualHeading: 'Pay by bank transfer',
  manualExplain: 'Please give the reference exactly as shown, so that your payment can be matched.',
  payee: 'Payee',
  iban: 'IBAN',
  bic: 'BIC',
  amount: 'Amount',
  reference: 'Reference',
  copy: 'Copy',
  copyLabel: (what) => `Copy ${what}`,
  copied: (what) => `${what} copied.`,
  validUntil: (day) => `This link is valid until ${day}.`,
  notFoundTitle: 'Payment link unknown',
  notFoundHeading: 'We do not know this payment link',
  notFoundText: 'Please check that the link is complete – it sometimes gets cut off when copied. The payment details are also on the notice you received.',
  expiredTitle: 'Payment link expired',
  expiredHeading: 'This payment link has expired',
  expiredText: (day) => `The link was valid until ${day}. A payment you have already made is not affected.`,
  contact: (who) => `For a new link or the payment details, please contact: ${who}.`,
  debitHeading: 'Notice of SEPA direct debit',
  debitAnnounced: (amount, kz, day, ending) => `We will collect ${amount} for Kassenzeichen ${kz} on ${day} by SEPA direct debit from your account ending in ${ending}.`,
  debitInitiated: (amount, kz, day, ending) =>
    `Collection initiated (Einzug veranlasst): the SEPA direct debit of ${amount} for Kassenzeichen ${kz} has gone to our bank. It will be collected on ${day} from your account ending in ${ending}.`,
  debitDate: 'Collection date',
  debitAccount: 'Your account',
  debitCreditorId: 'Creditor identifier',
  debitMandate: 'Mandate reference',
  debitTwice: 'Please do not pay this amount as well – neither by bank transfer nor online. You would pay twice. Please make sure your account has enough money on the collection date.',
  debitNotForTransfer: (amount) => `The amount of ${amount} leaves out what is collected by direct debit (see above).`,
  debitOnlineHint: (amount) => `Online you pay ${amount} only: what is collected by direct debit (see above) is not included.`,
  debitNothingElse: 'Everything open is collected by direct debit. You do not need to transfer anything.',
  itemDebitAnnounced: (day) => `Direct debit announced: collected on ${day}`,
  itemDebitInitiated: 'Collection initiated (Einzug veranlasst)',
};

export type Messages = typeof de;
export const MESSAGES: Record<Lang, Messages> = { de, en };
