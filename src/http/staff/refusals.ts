/**
 * A refusal from a service, as a sentence in the page's language. The verbs write their message in
 * English (the API's words, and the log's) and, where a person meets the refusal in the workplace,
 * add the facts as `details.refusal` ({ code, values }); this is the one place that turns those
 * facts into sentences. A refusal without facts gets what its kind means, in the page's language,
 * with the service's words after it.
 */
import type { DomainError, DomainErrorCode } from '../../errors.js';
import type { Lang } from '../../ui/i18n.js';
import { messages, money } from '../../ui/staff/i18n.js';
import { stateWord } from '../../ui/staff/labels.js';
import { staleSentence } from '../../ui/staff/staleText.js';
import { spellStale, staleKassenzeichen, type StaleFacts } from '../../services/review/stale.js';

interface RefusalValues {
  changedSinceRead: { ref: string };
  notFromState: { ref: string; state: string };
  nothingLeft: { ref: string };
  awaitingApproval: { ref: string };
  alreadyConfirmed: { ref: string };
  moreThanLeft: { ref: string; books: string; left: string };
  suggestionStale: { ref: string; kassenzeichen: string[] };
  suggestionOverpays: { ref: string; lines: Array<{ kassenzeichen: string; by: string; open: string }> };
  suggestionDoubtful: { ref: string };
  /** An approval went stale while it waited: why, as facts (src/services/review/stale.ts). */
  approvalFailed: { stale: StaleFacts };
}
export type RefusalCode = keyof RefusalValues;
type Refusal = { [C in RefusalCode]: { code: C } & RefusalValues[C] }[RefusalCode];

type Sentences = { [C in RefusalCode]: (v: RefusalValues[C], lang: Lang) => string };

const SENTENCES: Record<Lang, Sentences> = {
  de: {
    changedSinceRead: (v) => `Zahlung ${v.ref} wurde inzwischen geändert. Bitte prüfen Sie den neuen Stand und entscheiden Sie noch einmal.`,
    notFromState: (v, lang) => `Zahlung ${v.ref} steht auf „${stateWord(lang, v.state)}“; von dort ist diese Entscheidung nicht möglich.`,
    nothingLeft: (v) => `Von Zahlung ${v.ref} ist nichts mehr in Verwahrung, über das zu entscheiden wäre.`,
    awaitingApproval: (v) => `Eine Buchung von Zahlung ${v.ref} wartet auf Freigabe. Bis sie freigegeben oder abgelehnt ist, wird nichts anderes gebucht.`,
    alreadyConfirmed: (v) => `Der Vorschlag für Zahlung ${v.ref} wurde bereits bestätigt.`,
    moreThanLeft: (v, lang) => `Der Vorschlag bucht ${money(lang, v.books)}, von Zahlung ${v.ref} sind aber nur noch ${money(lang, v.left)} übrig.`,
    suggestionStale: (v) => `Der Vorschlag passt nicht mehr: ${v.kassenzeichen.join(', ')} ist inzwischen bezahlt, aufgehoben oder nicht mehr vorhanden. Bitte ordnen Sie die Zahlung von Hand zu.`,
    suggestionOverpays: (v, lang) =>
      `Nicht gebucht: ${v.lines.map((l) => `${l.kassenzeichen} hat nur noch ${money(lang, l.open)} offen, die Buchung würde ihn um ${money(lang, l.by)} überzahlen`).join('; ')}. Wenn Sie das wollen, setzen Sie das Häkchen beim Vorschlag.`,
    suggestionDoubtful: () => 'Nicht gebucht: Der Abgleich zweifelt an diesem Vorschlag. Prüfen Sie die Gründe dagegen und setzen Sie das Häkchen, wenn Sie ihn trotzdem buchen wollen.',
    approvalFailed: (v, lang) => messages(lang).approvalFailed(staleSentence(lang, v.stale)),
  },
  en: {
    changedSinceRead: (v) => `Payment ${v.ref} was changed meanwhile. Please check where it stands now and decide again.`,
    notFromState: (v, lang) => `Payment ${v.ref} is “${stateWord(lang, v.state)}”; this decision cannot be taken from there.`,
    nothingLeft: (v) => `Nothing of payment ${v.ref} is left in suspense to decide on.`,
    awaitingApproval: (v) => `A booking of payment ${v.ref} waits for approval. Nothing else is booked until it is approved or rejected.`,
    alreadyConfirmed: (v) => `The suggestion for payment ${v.ref} was confirmed already.`,
    moreThanLeft: (v, lang) => `The suggestion books ${money(lang, v.books)} but only ${money(lang, v.left)} of payment ${v.ref} is left.`,
    suggestionStale: (v) => `The suggestion no longer fits: ${v.kassenzeichen.join(', ')} was paid, cancelled or removed since. Please allocate the payment by hand.`,
    suggestionOverpays: (v, lang) =>
      `Not booked: ${v.lines.map((l) => `${l.kassenzeichen} has only ${money(lang, l.open)} open; booking would overpay it by ${money(lang, l.by)}`).join('; ')}. If that is what you want, tick the box at the suggestion.`,
    suggestionDoubtful: () => 'Not booked: matching doubts this suggestion. Check the reasons against it and tick the box if you want to book it anyway.',
    approvalFailed: (v, lang) => messages(lang).approvalFailed(staleSentence(lang, v.stale)),
  },
};

/** What a kind of refusal means, when the service gave no facts to say more. */
const MEANING: Record<Lang, Partial<Record<DomainErrorCode, string>>> = {
  de: {
    conflict: 'Die Zahlung oder der Posten wurde inzwischen geändert oder passt nicht zu dieser Aktion. Bitte laden Sie die Seite neu und prüfen Sie den Stand.',
    validation: 'Eine Eingabe ist nicht gültig.',
    not_found: 'Das Gesuchte gibt es nicht (mehr).',
    limit_exceeded: 'Die Eingabe ist zu groß.',
    unavailable: 'Ein beteiligter Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es später noch einmal.',
  },
  en: {
    conflict: 'The payment or item was changed meanwhile or does not fit this action. Please reload the page and check where it stands.',
    validation: 'An entry is not valid.',
    not_found: 'What you asked for does not exist (any more).',
    limit_exceeded: 'The entry is too large.',
    unavailable: 'A service involved is not reachable right now. Please try again later.',
  },
};

const NOT_DONE: Record<Lang, string> = { de: 'Nicht ausgeführt:', en: 'Not done:' };
/**
 * The service's own message, after the meaning in the page's language. It is the stored record's
 * English; a German page says so and quotes it, as it does with stored English notes.
 */
const DETAILS: Record<Lang, (message: string) => string> = { de: (m) => `Technische Meldung (englisch): „${m}“`, en: (m) => `Details: ${m}` };

function isRefusal(x: unknown): x is Refusal {
  return typeof x === 'object' && x !== null && typeof (x as { code?: unknown }).code === 'string' && Object.hasOwn(SENTENCES.de, (x as { code: string }).code);
}

/**
 * The items' Kassenzeichen a refusal's facts name. The verbs give them normalized, as stored (the
 * API's contract); the page says them as printed, so they are looked up before the sentence is made.
 */
export function refusalKassenzeichen(err: DomainError): string[] {
  const refusal = err.details.refusal;
  if (!isRefusal(refusal)) return [];
  if (refusal.code === 'suggestionStale') return refusal.kassenzeichen;
  if (refusal.code === 'suggestionOverpays') return refusal.lines.map((l) => l.kassenzeichen);
  if (refusal.code === 'approvalFailed') return staleKassenzeichen(refusal.stale);
  return [];
}

/** The facts with each item's Kassenzeichen in `spell`'s spelling. */
function spelled(refusal: Refusal, spell: (kz: string) => string): Refusal {
  if (refusal.code === 'suggestionStale') return { ...refusal, kassenzeichen: refusal.kassenzeichen.map(spell) };
  if (refusal.code === 'suggestionOverpays') return { ...refusal, lines: refusal.lines.map((l) => ({ ...l, kassenzeichen: spell(l.kassenzeichen) })) };
  if (refusal.code === 'approvalFailed') return { ...refusal, stale: spellStale(refusal.stale, spell) };
  return refusal;
}

/** A refusal as one sentence in `lang`; `spell` gives the spelling of the Kassenzeichen in it (the page's: as printed). */
export function refusalSentence(lang: Lang, err: DomainError, spell: (kz: string) => string = (kz) => kz): string {
  const refusal = err.details.refusal;
  if (isRefusal(refusal)) return (SENTENCES[lang][refusal.code] as (v: unknown, l: Lang) => string)(spelled(refusal, spell), lang);
  const meaning = MEANING[lang][err.code];
  return meaning ? `${NOT_DONE[lang]} ${meaning} ${DETAILS[lang](err.message)}` : `${NOT_DONE[lang]} ${lang === 'de' ? DETAILS.de(err.message) : err.message}`;
}
