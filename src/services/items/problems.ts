/**
 * What can be wrong with one claim of a list (a row of the finance system's open-item list, an
 * item of `POST /v1/items/bulk`), as data. The API answers the English text and the data
 * (`reason`); the workplace words the same data in the page's language, so a clerk reading a
 * German page is not handed English refusals. One map per language, typed over every code: a new
 * problem without its German and English text does not compile.
 */
import type { KassenzeichenFault } from '../../references/kassenzeichen.js';

export type ItemProblem =
  | { code: 'category'; value: string }
  | { code: 'currency'; value: string }
  | { code: 'amount'; value: string; detail: string }
  | { code: 'amountNotPositive' }
  | { code: 'amountTooLarge' }
  | { code: 'dueDate'; value: string }
  | { code: 'required' }
  | { code: 'tooLong'; length: number; max: number }
  | { code: 'email' }
  | { code: 'iban' }
  | { code: 'externalRef'; max: number }
  | { code: 'bookingDataNotObject' }
  | { code: 'bookingDataTooLarge'; bytes: number; max: number }
  | { code: 'kassenzeichen'; value: string; fault: KassenzeichenFault }
  | { code: 'duplicateInList'; value: string; firstRow: number }
  | { code: 'kassenzeichenTaken'; value: string }
  | { code: 'externalRefUsed'; value: string; itemId: string };

export type ItemProblemCode = ItemProblem['code'];
export type ProblemLang = 'de' | 'en';

type Texts = { [C in ItemProblemCode]: (p: Extract<ItemProblem, { code: C }>) => string };

const q = (s: string) => (s.length > 40 ? s.slice(0, 40) + '…' : s);

function faultEn(value: string, f: KassenzeichenFault): string {
  const shown = JSON.stringify(q(value));
  switch (f.code) {
    case 'empty':
      return 'is empty';
    case 'characters':
      return `${shown} may contain only letters A–Z, digits and separators (. - / space)`;
    case 'length':
      return `${shown} has ${f.length} characters after removing separators, allowed are ${f.min}–${f.max}`;
    case 'unknownPrefix':
      return `${shown} has an unknown prefix, expected one of ${f.known.join(', ')}`;
    case 'schemeLength':
      return `${shown} has ${f.length} characters, a ${f.category} Kassenzeichen of this scheme has ${f.expected}`;
    case 'digitsAfterPrefix':
      return `${shown} must have only digits after the prefix ${f.prefix}`;
    case 'neverIssued':
      return `${shown} cannot be valid: serial ${f.serial} has no check digit and is never issued`;
    case 'checkDigit':
      return `${shown} check digit should be ${f.expected}, found ${f.found} (scheme ${f.scheme} verifies supplied numbers)`;
  }
}

function faultDe(value: string, f: KassenzeichenFault): string {
  const shown = `„${q(value)}“`;
  switch (f.code) {
    case 'empty':
      return 'ist leer';
    case 'characters':
      return `${shown} darf nur Buchstaben A–Z, Ziffern und Trennzeichen (. - / Leerzeichen) enthalten`;
    case 'length':
      return `${shown} hat ohne Trennzeichen ${f.length} Zeichen, erlaubt sind ${f.min} bis ${f.max}`;
    case 'unknownPrefix':
      return `${shown} hat ein unbekanntes Präfix, erwartet wird eines von ${f.known.join(', ')}`;
    case 'schemeLength':
      return `${shown} hat ${f.length} Zeichen, ein Kassenzeichen dieses Schemas hat ${f.expected}`;
    case 'digitsAfterPrefix':
      return `${shown} darf nach dem Präfix ${f.prefix} nur Ziffern haben`;
    case 'neverIssued':
      return `${shown} kann nicht gültig sein: zur laufenden Nummer ${f.serial} gibt es keine Prüfziffer`;
    case 'checkDigit':
      return `${shown}: Prüfziffer müsste ${f.expected} sein, ist ${f.found} (Schema ${f.scheme} prüft gelieferte Kassenzeichen)`;
  }
}

const EN: Texts = {
  category: (p) => `"${q(p.value)}" is not a category (fee, fine, library, other)`,
  currency: (p) => `only EUR can be claimed (SEPA), got "${q(p.value)}"`,
  amount: (p) => p.detail,
  amountNotPositive: () => 'must be more than 0.00',
  amountTooLarge: () => 'must be at most 999999999.99 (the most one SEPA transfer and GiroCode carry)',
  dueDate: (p) => `"${q(p.value)}" is not a date like 2026-12-31`,
  required: () => 'is required',
  tooLong: (p) => `has ${p.length} characters, at most ${p.max} allowed`,
  email: () => 'is not an e-mail address',
  // The value is personal data: the text says what is wrong without echoing it.
  iban: () => 'is not a valid IBAN (check digits or length wrong)',
  externalRef: (p) => `must be at most ${p.max} printable characters`,
  bookingDataNotObject: () => 'must be a JSON object',
  bookingDataTooLarge: (p) => `is ${p.bytes} bytes as JSON, at most ${p.max} allowed`,
  kassenzeichen: (p) => faultEn(p.value, p.fault),
  duplicateInList: (p) => `${p.value} also appears in row ${p.firstRow}`,
  kassenzeichenTaken: (p) => `${p.value} is already taken by an open item`,
  externalRefUsed: (p) => `"${q(p.value)}" was already used for open item ${p.itemId}`,
};

const DE: Texts = {
  category: (p) => `„${q(p.value)}“ ist keine Kategorie (fee, fine, library, other)`,
  currency: (p) => `nur EUR kann gefordert werden (SEPA), angegeben ist „${q(p.value)}“`,
  amount: (p) => `„${q(p.value)}“ ist kein Betrag wie 30.70`,
  amountNotPositive: () => 'muss größer als 0.00 sein',
  amountTooLarge: () => 'darf höchstens 999999999.99 sein (mehr trägt eine SEPA-Überweisung und ein GiroCode nicht)',
  dueDate: (p) => `„${q(p.value)}“ ist kein Datum wie 2026-12-31`,
  required: () => 'fehlt',
  tooLong: (p) => `hat ${p.length} Zeichen, erlaubt sind höchstens ${p.max}`,
  email: () => 'ist keine E-Mail-Adresse',
  iban: () => 'ist keine gültige IBAN (Prüfziffer oder Länge falsch)',
  externalRef: (p) => `darf höchstens ${p.max} druckbare Zeichen haben`,
  bookingDataNotObject: () => 'muss ein JSON-Objekt sein',
  bookingDataTooLarge: (p) => `ist als JSON ${p.bytes} Bytes groß, erlaubt sind höchstens ${p.max}`,
  kassenzeichen: (p) => faultDe(p.value, p.fault),
  duplicateInList: (p) => `${p.value} steht auch in Zeile ${p.firstRow}`,
  kassenzeichenTaken: (p) => `${p.value} ist schon an einen offenen Posten vergeben`,
  externalRefUsed: (p) => `„${q(p.value)}“ wurde schon für den offenen Posten ${p.itemId} verwendet`,
};

const TEXTS: Record<ProblemLang, Texts> = { de: DE, en: EN };

export function itemProblemText(p: ItemProblem, lang: ProblemLang): string {
  return (TEXTS[lang][p.code] as (x: ItemProblem) => string)(p);
}

const CODES = new Set<string>(Object.keys(EN));

/** A `reason` read back from a row error (plain data): an ItemProblem when its code is one. */
export function asItemProblem(reason: unknown): ItemProblem | undefined {
  return typeof reason === 'object' && reason !== null && CODES.has((reason as { code?: unknown }).code as string) ? (reason as ItemProblem) : undefined;
}
