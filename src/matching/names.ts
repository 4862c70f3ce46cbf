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
const NOISE = new Set(['GMBH', 'CO', 'KG', 'EK', 'E', 'K', 'UG', 'AG', 'OHG', 'GBR', 'MBH', 'HAFTUNGSBESCHRAENKT', 'UND', 'U', 'HERR', 'FRAU', 'DR', 'PROF', 'FAMILIE', 'FAM', 'INH', 'INHABER']);

/**
 * A name token in the two spellings it may reach us in. `main` writes umlauts as banks transliterate
 * them (ü → UE, ß → SS); `plain` is how a system that drops the dots writes them (ü → U). Only
 * letters that really were umlauts get a second spelling: collapsing every AE/OE/UE/SS would make
 * Michael Bauer the same person as Michal Baur, and Rafael the same as Rafal (see compareNames).
 */
export interface NameToken {
  main: string;
  plain: string;
}

const UMLAUT_PLAIN: Readonly<Record<string, string>> = { ä: 'a', ö: 'o', ü: 'u' };

function foldToken(raw: string, plain: boolean): string {
  const t = plain ? raw.replace(/[äöü]/g, (c) => UMLAUT_PLAIN[c]!) : raw;
  return foldText(t);
}

/** Name tokens in the order written, each once. */
export function nameTokenPairs(name: string): NameToken[] {
  const lower = name.normalize('NFC').toLowerCase().replace(/\be\.\s*k\./g, ' ek ');
  const out: NameToken[] = [];
  for (const raw of lower.split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length === 0) continue;
    const main = foldToken(raw, false).replace(/[^A-Z0-9]/g, '');
    if (main.length === 0) continue;
    const plain = foldToken(raw, true).replace(/[^A-Z0-9]/g, '');
    if (!out.some((o) => o.main === main)) out.push({ main, plain });
  }
  return out;
}

/** Name tokens in their main spelling (umlauts as AE/OE/UE, ß as SS). */
export function nameTokens(name: string): string[] {
  return nameTokenPairs(name).map((t) => t.main);
}

/** Names repeat (debtors with many items, payers paying many): folded once, kept a while. */
const PAIRS_CACHE = new Map<string, NameToken[]>();
const PAIRS_CACHE_MAX = 50_000;

/** The significant tokens of a name in both spellings: what compareSignatures compares. */
export function nameSignature(name: string): NameToken[] {
  return significantPairs(name);
}

/**
 * nameSignature for a name seen once (a payer's name as one payment writes it): folded without
 * entering the cache, which would otherwise fill with one-off spellings that outlive the payment
 * and, in a process holding a million items, make the garbage collector walk them.
 */
export function payerSignature(name: string): NameToken[] {
  return PAIRS_CACHE.get(name) ?? significantOf(name);
}

function significantOf(name: string): NameToken[] {
  return nameTokenPairs(name).filter((t) => t.main.length >= 2 && !NOISE.has(t.main));
}

function significantPairs(name: string): NameToken[] {
  let hit = PAIRS_CACHE.get(name);
  if (hit) return hit;
  hit = significantOf(name);
  if (PAIRS_CACHE.size >= PAIRS_CACHE_MAX) PAIRS_CACHE.clear();
  PAIRS_CACHE.set(name, hit);
  return hit;
}

/** Significant tokens: no legal forms, no initials. */
export function significantTokens(name: string): string[] {
  return significantPairs(name).map((t) => t.main);
}

/** Every spelling of the significant tokens (for the name-token lookup). */
export function significantSpellings(name: string): string[] {
  const out = new Set<string>();
  for (const t of significantPairs(name)) {
    out.add(t.main);
    out.add(t.plain);
  }
  return [...out];
}

/** Word-order-free key of a name: "Weber, Paul" and "PAUL WEBER" give the same key. */
export function debtorNameKey(name: string): string {
  const sig = significantTokens(name);
  return (sig.length > 0 ? sig : nameTokens(name)).sort().join(' ');
}

/**
 * Every key under which a name may be looked up: the main key and, where the name has umlauts,
 * the key with the dots dropped ("Müller" is found by "MUELLER" and by "MULLER"; "Mueller" only
 * by "MUELLER").
 */
export function debtorNameKeys(name: string, signature: readonly NameToken[] = significantPairs(name)): string[] {
  const sig = signature;
  const list = sig.length > 0 ? sig : nameTokenPairs(name);
  const main = list.map((t) => t.main).sort().join(' ');
  const plain = list.map((t) => t.plain).sort().join(' ');
  return main === plain ? [main] : [main, plain];
}

function sameToken(a: NameToken, b: NameToken): boolean {
  return a.main === b.main || (a.plain === b.plain && (a.plain !== a.main || b.plain !== b.main));
}

export type NameMatch = 'same' | 'contains' | 'family' | 'none';

/**
 * How well a payer name fits a debtor name. Tokens meet when they are spelt the same, or when one
 * was written with umlauts and the other with the dots dropped (Müller = MUELLER = MULLER, but
 * Mueller ≠ Muller, Weiß = WEISS ≠ Weis, Michael ≠ Michal).
 * - same: the significant tokens are the same set (any order): the same person or firm as far as
 *   a name can tell;
 * - contains: one name's tokens all appear in the other and at least two are shared ("Peter
 *   Müller" in "Hans Peter Müller"): perhaps the same, perhaps a relative; never proof;
 * - family: some token is shared (a relative or a firm of the same name);
 * - none.
 */
export function compareNames(a: string | undefined, b: string | undefined, sameMin = 0.99): NameMatch {
  if (!a || !b) return 'none';
  return compareSignatures(significantPairs(a), significantPairs(b), sameMin);
}

/** compareNames on names already reduced to their signatures (nameSignature). */
export function compareSignatures(ta: readonly NameToken[] | undefined, tb: readonly NameToken[], sameMin = 0.99): NameMatch {
  if (!ta || ta.length === 0 || tb.length === 0) return 'none';
  let common = 0;
  for (const t of ta) {
    for (const u of tb) {
      if (sameToken(t, u)) {
        common++;
        break;
      }
    }
  }
  if (common === 0) return 'none';
  const overlap = common / Math.max(ta.length, tb.length);
  if (overlap >= sameMin && ta.length === tb.length) return 'same';
  if (common >= 2 && common === Math.min(ta.length, tb.length)) return 'contains';
  return 'family';
}

/** IBAN in comparable form. */
export function normalizeIban(iban: string | undefined): string | undefined {
  if (!iban) return undefined;
  const n = iban.toUpperCase().replace(/[^0-9A-Z]/g, '');
  return n.length > 0 ? n : undefined;
}
