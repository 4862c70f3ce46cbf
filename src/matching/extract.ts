import { LIMITS } from '../limits.js';
import { mod97 } from '../references/checkDigits.js';
import { parseRf } from '../references/rf.js';
import type { MatchConfig } from './config.js';
import { foldText, normalizeReference } from './names.js';
import type { MatchableTransaction } from './types.js';

/**
 * Reference candidates from every field of a transaction.
 *
 * Rules, each from what payers and banks really do:
 * - a reference may be written with separators inside ("5100.0052447.8", "BG 2026-071058",
 *   "610000 843914", "51000069418-0"): chunks of letters/digits joined by at most three of
 *   space . - / form one group, and any run of whole chunks of a group is a candidate;
 * - only whole chunks: a candidate never starts or ends inside a digit run, so the 11 digits of a
 *   phone number are never read as the tail of a 12-digit reference;
 * - letters count only as a reference prefix when open items use that prefix ("BG", "BIB");
 *   any other word (KZ, Kassenz., Az., Rechnung) ends a group, so labels need no list;
 * - the bank cuts remittance text into 140-character lines, even mid-reference: lines are read
 *   joined with a space and joined without one;
 * - after a non-reference label (Tel, Kennz., IBAN …) the next number is not a reference;
 * - an IBAN is never read as references: "IBAN DE65 5100 0051 0402 …" (the label ends at "DE", and
 *   the digit groups would read as a real reference), and an IBAN without a label when its check
 *   digits are right or its shape is a German IBAN's (DE + 2 + groups of 4 digits);
 * - dates (03.09.2026) are not part of a reference;
 * - RF references are validated (ISO 11649) and unwrapped; an invalid RF is not used;
 * - the structured creditor reference and the end-to-end id are read too (NOTPROVIDED ignored).
 */

export type CandidateSource = 'structured' | 'rf' | 'remittance' | 'e2e';

export interface RefCandidate {
  normalized: string;
  /** As written (folded to upper case), for reasons. */
  display: string;
  source: CandidateSource;
  /** The candidate only exists when remittance lines are joined without a break. */
  acrossLines: boolean;
  /** Identifies the chunks the candidate is made of, to suppress overlapping near misses. */
  span: { text: number; from: number; to: number };
}

export interface ExtractContext {
  /** Letter prefixes that open items use ("" for pure digits). */
  hasPrefix(prefix: string): boolean;
  /** Digit count plausible for a prefix (±1). */
  plausibleLength(prefix: string, digitCount: number): boolean;
  /** Longest digit part of any known reference (bounds the work per group). */
  maxDigits(): number;
}

export interface Extraction {
  candidates: RefCandidate[];
  /** True when more than LIMITS.candidatesPerPayment candidates were found (never booked then). */
  truncated: boolean;
}

const DATE = /(?<![0-9.])\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})(?![0-9.])/g;
/**
 * An IBAN as people write it: country code, check digits, then groups (of four, or run together),
 * possibly cut off. Two groups at least, so "BG 2026" is never one.
 */
const IBAN_LIKE = /(?<![A-Z0-9])([A-Z]{2})[ ]?(\d{2})((?:[ ]?[0-9]{4}){2,7}(?:[ ]?[0-9]{1,3})?|[0-9]{10,30})(?![0-9])/g;
const IBAN_LABEL = /(?:IBAN|KONTO|KTO|ACCOUNT)[ .:\-]*(?:NR[ .:]*)?$/;

/** The text with every IBAN blanked out (same length, so positions keep their meaning). */
function withoutIbans(text: string, ctx: ExtractContext): string {
  return text.replace(IBAN_LIKE, (m: string, country: string, check: string, rest: string, offset: number) => {
    // "RF18 5390 0754 7034" is an RF creditor reference (same check-digit scheme as an IBAN).
    if (country === 'RF') return m;
    const labelled = IBAN_LABEL.test(text.slice(Math.max(0, offset - 16), offset).trimEnd());
    const compact = country + check + rest.replace(/ /g, '');
    const valid = compact.length >= 15 && compact.length <= 34 && mod97(rest.replace(/ /g, '') + lettersAsDigits(country) + check) === 1;
    // A reference prefix of the municipality ("BG 20 2607 1058") is not a country code unless
    // the label or the IBAN's own check digits say so.
    const german = country === 'DE' && rest.replace(/ /g, '').length >= 8;
    return labelled || valid || (german && !ctx.hasPrefix(country)) ? ','.repeat(m.length) : m;
  });
}

function lettersAsDigits(letters: string): string {
  let out = '';
  for (const ch of letters) out += String(ch.charCodeAt(0) - 55);
  return out;
}
const SOFT_SEP = /^[ .\-/]{1,3}$/;

interface Chunk {
  text: string;
  kind: 'digits' | 'letters';
  start: number;
  end: number;
}

export function extractCandidates(tx: MatchableTransaction, ctx: ExtractContext, config: MatchConfig): Extraction {
  const out: RefCandidate[] = [];
  const seen = new Set<string>();
  let truncated = false;
  let textNo = 0;
  const push = (c: RefCandidate): void => {
    if (seen.has(c.normalized + '|' + c.source)) return;
    if (out.some((o) => o.normalized === c.normalized)) {
      seen.add(c.normalized + '|' + c.source);
      return;
    }
    if (out.length >= LIMITS.candidatesPerPayment) {
      truncated = true;
      return;
    }
    seen.add(c.normalized + '|' + c.source);
    out.push(c);
  };

  for (const cr of tx.creditorReferences) {
    const unwrapped = parseRf(cr.reference);
    const normalized = unwrapped ?? normalizeReference(cr.reference);
    if (normalized.length === 0) continue;
    push({ normalized, display: cr.reference.trim(), source: unwrapped ? 'rf' : 'structured', acrossLines: false, span: { text: textNo++, from: 0, to: 0 } });
  }

  const lines = tx.remittanceLines.filter((l) => l.trim().length > 0);
  if (lines.length > 0) {
    const spaced = lines.join(' ');
    for (const c of fromText(spaced, 'remittance', false, textNo++, ctx, config)) push(c);
    if (lines.length > 1) {
      for (const c of fromText(lines.join(''), 'remittance', true, textNo++, ctx, config)) push(c);
    }
  }

  const e2e = tx.endToEndId?.trim();
  if (e2e && !config.endToEndPlaceholders.includes(e2e.toUpperCase())) {
    for (const c of fromText(e2e, 'e2e', false, textNo++, ctx, config)) push(c);
  }
  return { candidates: out, truncated };
}

function fromText(raw: string, source: CandidateSource, acrossLines: boolean, textNo: number, ctx: ExtractContext, config: MatchConfig): RefCandidate[] {
  const text = withoutIbans(foldText(raw.slice(0, LIMITS.textLength)).replace(DATE, (d) => ','.repeat(d.length)), ctx);
  const chunks = chunk(text);
  const out: RefCandidate[] = [];
  const maxDigits = ctx.maxDigits() + 1;

  // RF references written into the text: "RF18 5390 0754 7034".
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]!;
    if (c.text !== 'RF' || c.kind !== 'letters') continue;
    let acc = 'RF';
    for (let j = i + 1; j < chunks.length && acc.length <= 25; j++) {
      if (!SOFT_SEP.test(text.slice(chunks[j - 1]!.end, chunks[j]!.start)) && chunks[j - 1]!.end !== chunks[j]!.start) break;
      acc += chunks[j]!.text;
      const ref = acc.length >= 5 ? parseRf(acc) : null;
      if (ref) out.push({ normalized: ref, display: text.slice(c.start, chunks[j]!.end), source: 'rf', acrossLines, span: { text: textNo, from: i, to: j } });
    }
  }

  // Groups of chunks joined by soft separators; a word that is not a known prefix ends a group.
  let group: number[] = [];
  let pendingNonRef = false;
  let groupAfterNonRef = false;
  const flush = (): void => {
    if (group.length > 0) emitGroup(group, groupAfterNonRef);
    group = [];
  };
  const emitGroup = (g: number[], skipFirst: boolean): void => {
    for (let a = skipFirst ? 1 : 0; a < g.length; a++) {
      const first = chunks[g[a]!]!;
      const prefix = first.kind === 'letters' ? first.text : '';
      let digits = first.kind === 'digits' ? first.text : '';
      for (let b = a; b < g.length; b++) {
        if (b > a) {
          const next = chunks[g[b]!]!;
          if (next.kind !== 'digits') break;
          digits += next.text;
        }
        if (digits.length > maxDigits) break;
        if (digits.length === 0) continue;
        if (!ctx.plausibleLength(prefix, digits.length)) continue;
        out.push({
          normalized: prefix + digits,
          display: text.slice(first.start, chunks[g[b]!]!.end).trim(),
          source,
          acrossLines,
          span: { text: textNo, from: g[a]!, to: g[b]! },
        });
      }
    }
  };

  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]!;
    const sep = i === 0 ? ',' : text.slice(chunks[i - 1]!.end, c.start);
    const glued = i > 0 && sep.length === 0;
    // A hard separator (comma, colon, plus, two words apart …) ends the group.
    if (!glued && !SOFT_SEP.test(sep)) flush();
    if (c.kind === 'letters' && !ctx.hasPrefix(c.text)) {
      flush();
      pendingNonRef = config.nonReferenceLabels.includes(c.text);
      continue;
    }
    if (group.length === 0) {
      groupAfterNonRef = pendingNonRef;
      pendingNonRef = false;
    }
    group.push(i);
  }
  flush();
  return out;
}

/** Runs of A–Z / 0–9, split where letters meet digits ("BG2026" → "BG", "2026"). */
function chunk(text: string): Chunk[] {
  const out: Chunk[] = [];
  const re = /[A-Z]+|[0-9]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    out.push({ text: m[0], kind: m[0].charCodeAt(0) <= 57 ? 'digits' : 'letters', start: m.index, end: m.index + m[0].length });
  }
  return out;
}
