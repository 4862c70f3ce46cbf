/**
 * Where a suggested item's reference appears in the remittance text, for the review screen to
 * highlight. Pure: text and references in, character ranges out.
 *
 * Payers write a Kassenzeichen with their own separators ("5100.0052447.8", "5100 0052447 8",
 * "510000524478") and banks cut the text into 140-character lines, even mid-reference. So both sides
 * are compared without separators, and a hit is mapped back to the characters as written. Only whole
 * tokens count: a reference inside a longer run of letters or digits (a phone number, an IBAN) is
 * not a hit, just as the matcher would not read it as one.
 */

/** Characters payers put inside a reference; they never count as part of one. */
const SEPARATOR = /[\s.\-/_:]/;
const ALNUM = /[\p{L}\p{N}]/u;

export interface HighlightReference {
  /** As issued: the Kassenzeichen, or its RF reference. */
  reference: string;
  itemId: string;
  kassenzeichen: string;
}

export interface Highlight {
  /** Range in `remittanceText(lines)`: start inclusive, end exclusive, in UTF-16 code units (JS string indices). */
  start: number;
  end: number;
  /** The characters as written in that range. */
  text: string;
  itemId: string;
  kassenzeichen: string;
}

/** The remittance lines as one text: lines joined with a space (the ranges below index into it). */
export function remittanceText(lines: readonly string[]): string {
  return lines.join(' ');
}

/** Upper case, separators dropped; `map[i]` is the index in the original text of normalized char i. */
function normalize(text: string): { norm: string; map: number[] } {
  let norm = '';
  const map: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (SEPARATOR.test(c)) continue;
    const upper = c.toUpperCase();
    // "ß".toUpperCase() is "SS": keep such characters as they are so one char stays one char.
    norm += upper.length === 1 ? upper : c;
    map.push(i);
  }
  return { norm, map };
}

export function normalizeReference(reference: string): string {
  return normalize(reference).norm;
}

/**
 * Every whole-token occurrence of each reference in the remittance text, ordered by position.
 * Overlapping hits of different references are all returned (the UI may show either).
 */
export function highlightReferences(lines: readonly string[], references: readonly HighlightReference[]): Highlight[] {
  const text = remittanceText(lines);
  const { norm, map } = normalize(text);
  const out: Highlight[] = [];
  const seen = new Set<string>();
  for (const ref of references) {
    const needle = normalizeReference(ref.reference);
    // Very short references would light up every "12" in a text; the matcher ignores them too.
    if (needle.length < 4) continue;
    for (let at = norm.indexOf(needle); at >= 0; at = norm.indexOf(needle, at + 1)) {
      const start = map[at]!;
      const end = map[at + needle.length - 1]! + 1;
      const before = start > 0 ? text[start - 1]! : ' ';
      const after = end < text.length ? text[end]! : ' ';
      if (ALNUM.test(before) || ALNUM.test(after)) continue;
      const key = `${start}:${end}:${ref.itemId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ start, end, text: text.slice(start, end), itemId: ref.itemId, kassenzeichen: ref.kassenzeichen });
    }
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** A reference as written that is one slip (a typo) away from an item, and where it stands in the text. */
export interface NearMissMark {
  start: number;
  end: number;
  /** As written in the remittance text. */
  text: string;
  /** The item's Kassenzeichen it is near. */
  kassenzeichen: string;
  /** substitution, transposition, deletion, insertion, prefix-omitted (the matcher's word). */
  slip: string;
  /** Where written and meant differ: [from, to) in `written` and in `meant` (without separators; as written and as printed where the page says them so, nearMissAsPrinted). */
  written: string;
  meant: string;
  writtenDiff: [number, number];
  meantDiff: [number, number];
}

/**
 * Where two references differ: what lies between their common beginning and their common end. One
 * slip (a wrong, swapped, missing or extra digit) is always inside that span, and it is short.
 */
export function differingSpan(a: string, b: string): { a: [number, number]; b: [number, number] } {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return { a: [p, a.length - s], b: [p, b.length - s] };
}

/**
 * The near misses the matcher named (reason `nearMiss`), found in the remittance text. Reasons are
 * stored facts ({ code, reference, kassenzeichen, slip }); older proposals stored sentences and
 * contribute nothing here.
 */
export function nearMissesIn(lines: readonly string[], reasons: ReadonlyArray<unknown>): NearMissMark[] {
  const out: NearMissMark[] = [];
  const seen = new Set<string>();
  for (const r of reasons) {
    if (typeof r !== 'object' || r === null || (r as { code?: unknown }).code !== 'nearMiss') continue;
    const { reference, kassenzeichen, slip } = r as { reference: string; kassenzeichen: string; slip: string };
    const written = normalizeReference(reference);
    const meant = normalizeReference(kassenzeichen);
    const diff = differingSpan(written, meant);
    for (const h of highlightReferences(lines, [{ reference, itemId: '', kassenzeichen }])) {
      const key = `${h.start}:${h.end}:${kassenzeichen}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ start: h.start, end: h.end, text: h.text, kassenzeichen, slip, written, meant, writtenDiff: diff.a, meantDiff: diff.b });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Where each character of `normalizeReference(shown)` stands in `shown` (separators are skipped). */
function positionsIn(shown: string): number[] {
  const at: number[] = [];
  for (let i = 0; i < shown.length; i++) if (!/[\s.\-/\u2010-\u2015\u2212]/.test(shown[i]!)) at.push(i);
  return at;
}

/** A span over the normalized form, moved onto `shown` (a caret for an empty span stays where it was). */
function spanOn(shown: string, [from, to]: [number, number]): [number, number] {
  const at = positionsIn(shown);
  const start = from < at.length ? at[from]! : shown.length;
  return [start, to > from ? at[to - 1]! + 1 : start];
}

/**
 * A near miss as a person compares it: what the payer wrote as written, and the item's Kassenzeichen
 * as printed, with the differing characters marked in both. Spellings that are not the same
 * reference as the mark's (which does not happen) leave it as it is.
 */
export function nearMissAsPrinted(m: NearMissMark, printed: string): NearMissMark {
  if (normalizeReference(m.text) !== m.written || normalizeReference(printed) !== m.meant) return { ...m, kassenzeichen: printed };
  return { ...m, kassenzeichen: printed, written: m.text, meant: printed, writtenDiff: spanOn(m.text, m.writtenDiff), meantDiff: spanOn(printed, m.meantDiff) };
}
