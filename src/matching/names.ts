/**
 * Folding of references and names so that the spellings people and banks produce compare equal.
 */

/** Reference in comparable form: upper case, letters and digits only ("5100.0052447.8" → "510000524478"). */
export function normalizeReference(ref: string): string {
  return ref.toUpperCase().replace(/[^0-9A-Z]/g, '');
}

/**
 * Upper-case ASCII form of free text: umlauts as their two-letter spelling (ä → AE, ß → SS, as
 * banks transliterate them), other diacritics dropped (ş → S, é → E), dotless ı → I.
 */
export function foldText(s: string): string {
  return s
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .replace(/ı/g, 'i')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase();
}

/** Legal-form and filler words that say nothing about who paid. */
const NOISE = new Set(['GMBH', 'CO', 'KG', 'EK', 'E', 'K', 'UG', 'AG', 'OHG', 'GBR', 'MBH', 'HAFTUNGSBESCHRAENKT', 'UND', 'U', 'HERR', 'FRAU', 'DR', 'PROF', 'FAMILIE', 'FAM']);

/**
 * Name tokens in a canonical spelling. "Müller", "Mueller" and "MULLER" must meet: after folding,
 * AE/OE/UE collapse to A/O/U and SS to S (a bank that drops the umlaut dots writes MULLER).
 */
export function nameTokens(name: string): string[] {
  const folded = foldText(name).replace(/\bE\.\s*K\./g, ' EK ');
  const out: string[] = [];
  for (const raw of folded.split(/[^A-Z0-9]+/)) {
    if (raw.length === 0) continue;
    const t = canonToken(raw);
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

function canonToken(t: string): string {
  return t.replace(/AE/g, 'A').replace(/OE/g, 'O').replace(/UE/g, 'U').replace(/SS/g, 'S');
}

/** Significant tokens: no legal forms, no initials. */
export function significantTokens(name: string): string[] {
  return nameTokens(name).filter((t) => t.length >= 2 && !NOISE.has(t));
}

/** Word-order-free key of a name: "Weber, Paul" and "PAUL WEBER" give the same key. */
export function debtorNameKey(name: string): string {
  const sig = significantTokens(name);
  return (sig.length > 0 ? sig : nameTokens(name)).sort().join(' ');
}

export type NameMatch = 'same' | 'contains' | 'family' | 'none';

/**
 * How well a payer name fits a debtor name.
 * - same: the significant tokens are the same set (any order, any umlaut spelling);
 * - contains: one name's tokens all appear in the other and at least two tokens are shared
 *   ("Autohaus Hartmann e.K." vs "Hartmann Autohaus Inh. Hartmann");
 * - family: some token is shared (a relative or a firm of the same name);
 * - none.
 */
export function compareNames(a: string | undefined, b: string | undefined, sameMin = 0.99): NameMatch {
  if (!a || !b) return 'none';
  const ta = significantTokens(a);
  const tb = significantTokens(b);
  if (ta.length === 0 || tb.length === 0) return 'none';
  let common = 0;
  for (const t of ta) if (tb.includes(t)) common++;
  if (common === 0) return 'none';
  const overlap = common / Math.max(ta.length, tb.length);
  if (overlap >= sameMin) return 'same';
  if (common >= 2 && common === Math.min(ta.length, tb.length)) return 'contains';
  return 'family';
}

/** IBAN in comparable form. */
export function normalizeIban(iban: string | undefined): string | undefined {
  if (!iban) return undefined;
  const n = iban.toUpperCase().replace(/[^0-9A-Z]/g, '');
  return n.length > 0 ? n : undefined;
}
