import { ValidationError } from '../errors.js';
import {
  canComputeCheckDigits,
  checkDigitLength,
  computeCheckDigits,
  isCheckDigitAlgorithm,
  CHECK_DIGIT_ALGORITHMS,
  type CheckDigitAlgorithm,
} from './checkDigits.js';

/**
 * Kassenzeichen: the reference a municipality prints on a fee notice, a fine or a library
 * reminder so that the payment can be matched to the open item.
 *
 * Layout of a Kassenzeichen under a scheme (normalized form, no separators):
 *
 *     <prefix of the category><serial, zero-padded to serialDigits><check digit(s)>
 *     51                      000052447                            8
 *
 * **Letters in the prefix** (e.g. "BG" for Baugenehmigung): the check digits are computed over the
 * prefix and serial with every letter replaced by two digits A=10 … Z=35, the ISO 7064 / ISO 11649
 * convention (the same one RF references and IBANs use). We chose this over "check only the
 * numeric part" so that a prefix typo (BG ↔ BO) also fails the check, and so that a scheme with
 * mod97-10 gives exactly the digits an RF check would see.
 *
 * **mod11 and remainder 10**: about one serial in eleven has no mod11 check digit (see
 * checkDigits.ts). `generateKassenzeichen` refuses such a serial; allocators call
 * `nextUsableSerial` to skip it.
 */
export const KASSENZEICHEN_CATEGORIES = ['fee', 'fine', 'library', 'other'] as const;
export type KassenzeichenCategory = (typeof KASSENZEICHEN_CATEGORIES)[number];

/** Separators that `normalizeReference` strips, so a display form always normalizes back. */
export const DISPLAY_SEPARATORS = ['.', ' ', '-', '/'] as const;
export type DisplaySeparator = (typeof DISPLAY_SEPARATORS)[number];

export interface KassenzeichenDisplay {
  /** Group lengths from the left, e.g. [4, 7, 1] → "5100.0052447.8". Characters beyond the groups form one last group. */
  readonly groups: readonly number[];
  readonly separator: DisplaySeparator;
}

export interface KassenzeichenScheme {
  readonly id: string;
  /** Prefix per category: 1–10 characters of [A-Z0-9]. A scheme may leave categories out. */
  readonly prefixes: Readonly<Partial<Record<KassenzeichenCategory, string>>>;
  /** Digits of the zero-padded serial, 1–30. */
  readonly serialDigits: number;
  readonly checkDigits: CheckDigitAlgorithm;
  readonly display?: KassenzeichenDisplay;
  /**
   * Whether a Kassenzeichen that a caller supplies with one of this scheme's prefixes must pass the
   * scheme's check digit. Off unless the operator turns it on: the finance system prints numbers of
   * its own, and a prefix they share with ours says nothing about whose check digit they carry.
   * The numbers Stadtkasse generates always follow the scheme.
   */
  readonly verifySupplied?: boolean;
}

/**
 * SEPA remittance information, structured creditor reference and EndToEndId all carry at most 35
 * characters (EPC069-12, pain.001 <Ref>/<EndToEndId>); a longer Kassenzeichen could not travel.
 * Note that an RF reference (ISO 11649) only has room for 21 characters, see rf.ts.
 */
export const KASSENZEICHEN_MAX_LENGTH = 35;

const PREFIX = /^[A-Z0-9]{1,10}$/;
const SCHEME_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/**
 * The scheme a fresh installation uses: two-digit category prefixes in the style of the usual
 * municipal cash systems, nine serial digits and one mod 11 check digit, shown as 5100.0052447.8.
 */
export const DEFAULT_SCHEME: KassenzeichenScheme = Object.freeze({
  id: 'default',
  prefixes: Object.freeze({ fee: '51', fine: '52', library: '61', other: '69' }),
  serialDigits: 9,
  checkDigits: 'mod11',
  display: Object.freeze({ groups: Object.freeze([4, 7, 1]), separator: '.' }),
} satisfies KassenzeichenScheme) as KassenzeichenScheme;

/**
 * Strips the separators people and banks put into references (spaces incl. no-break spaces, dots,
 * hyphens and Unicode dashes, slashes) and upper-cases ASCII letters. Only ASCII is upper-cased on
 * purpose: "ß".toUpperCase() is "SS", which would turn text that is not a reference into one.
 */
export function normalizeReference(text: string): string {
  return text.replace(/[\s.\-/\u2010-\u2015\u2212]/g, '').replace(/[a-z]/g, (c) => c.toUpperCase());
}

/** Digits that stand for the reference in the check digit computation: letters A=10 … Z=35. */
export function lettersToDigits(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    out += code >= 65 && code <= 90 ? String(code - 55) : ch;
  }
  return out;
}

/**
 * Builds the Kassenzeichen (normalized, without separators) for a serial.
 * Throws ValidationError: field `category` when the scheme has no prefix for it, field `serial`
 * when the serial is negative, does not fit, or has no mod11 check digit (use `nextUsableSerial`).
 */
export function generateKassenzeichen(
  scheme: KassenzeichenScheme,
  category: KassenzeichenCategory,
  serial: bigint,
): string {
  const prefix = prefixFor(scheme, category);
  const body = prefix + serialText(scheme, serial);
  const payload = lettersToDigits(body);
  if (!canComputeCheckDigits(scheme.checkDigits, payload)) {
    throw new ValidationError(
      `serial: ${serial} has no ${scheme.checkDigits} check digit under scheme ${scheme.id} (check value would be 10); take nextUsableSerial`,
      { field: 'serial' },
    );
  }
  return body + computeCheckDigits(scheme.checkDigits, payload);
}

/**
 * The first serial ≥ `serial` that can carry a check digit (only mod11 ever skips, at most a
 * handful in a row), or null when none is left in the serial range.
 */
export function nextUsableSerial(
  scheme: KassenzeichenScheme,
  category: KassenzeichenCategory,
  serial: bigint,
): bigint | null {
  const prefix = prefixFor(scheme, category);
  const max = 10n ** BigInt(scheme.serialDigits) - 1n;
  for (let s = serial < 0n ? 0n : serial; s <= max; s++) {
    if (canComputeCheckDigits(scheme.checkDigits, lettersToDigits(prefix + serialText(scheme, s)))) return s;
  }
  return null;
}

/** What is wrong with a Kassenzeichen, as data: the edges word it in the reader's language. */
export type KassenzeichenFault =
  | { code: 'empty' }
  | { code: 'characters' }
  | { code: 'length'; length: number; min: number; max: number }
  | { code: 'unknownPrefix'; known: string[] }
  | { code: 'schemeLength'; length: number; expected: number; category: KassenzeichenCategory }
  | { code: 'digitsAfterPrefix'; prefix: string }
  | { code: 'neverIssued'; serial: string }
  | { code: 'checkDigit'; expected: string; found: string; scheme: string };

/** A ValidationError about a Kassenzeichen that also says, as data, what is wrong. */
export class KassenzeichenError extends ValidationError {
  constructor(
    message: string,
    field: string,
    readonly fault: KassenzeichenFault,
  ) {
    super(message, { field });
    // Across a process boundary it travels and is revived as the ValidationError it is.
    this.name = 'ValidationError';
  }
}

export interface ParsedKassenzeichen {
  /** Normalized form: no separators, upper case. Store and compare this one. */
  readonly kassenzeichen: string;
  readonly category: KassenzeichenCategory;
  readonly serial: bigint;
}

/**
 * Normalizes `text` and checks it against the scheme: known prefix, length, digits in the serial,
 * check digit(s). Throws ValidationError (field `kassenzeichen`) saying what is wrong.
 */
export function validateKassenzeichen(
  scheme: KassenzeichenScheme,
  text: string,
  field = 'kassenzeichen',
): ParsedKassenzeichen {
  const kz = normalizeReference(text);
  const shown = quote(text);
  if (kz.length === 0) {
    throw new KassenzeichenError(`${field}: is empty`, field, { code: 'empty' });
  }
  if (!/^[A-Z0-9]+$/.test(kz)) {
    throw new KassenzeichenError(`${field}: ${shown} may contain only letters A–Z, digits and separators (. - / space)`, field, { code: 'characters' });
  }
  const match = categoryOf(scheme, kz);
  if (!match) {
    const known = prefixEntries(scheme)
      .map(([c, p]) => `${p} (${c})`)
      .join(', ');
    throw new KassenzeichenError(`${field}: ${shown} has an unknown prefix, expected one of ${known}`, field, {
      code: 'unknownPrefix',
      known: prefixEntries(scheme).map(([, p]) => p),
    });
  }
  const [category, prefix] = match;
  const checkLen = checkDigitLength(scheme.checkDigits);
  const expected = prefix.length + scheme.serialDigits + checkLen;
  if (kz.length !== expected) {
    throw new KassenzeichenError(
      `${field}: ${shown} has ${kz.length} characters, a ${category} Kassenzeichen has ${expected} ` +
        `(prefix ${prefix}, ${scheme.serialDigits} serial digits, ${checkLen} check digit${checkLen === 1 ? '' : 's'})`,
      field,
      { code: 'schemeLength', length: kz.length, expected, category },
    );
  }
  const serialPart = kz.slice(prefix.length, prefix.length + scheme.serialDigits);
  const checkPart = kz.slice(prefix.length + scheme.serialDigits);
  if (!/^[0-9]+$/.test(serialPart) || !/^[0-9]*$/.test(checkPart)) {
    throw new KassenzeichenError(`${field}: ${shown} must have only digits after the prefix ${prefix}`, field, { code: 'digitsAfterPrefix', prefix });
  }
  const payload = lettersToDigits(prefix + serialPart);
  if (!canComputeCheckDigits(scheme.checkDigits, payload)) {
    throw new KassenzeichenError(
      `${field}: ${shown} cannot be valid: serial ${serialPart} has no ${scheme.checkDigits} check digit and is never issued`,
      field,
      { code: 'neverIssued', serial: serialPart },
    );
  }
  const want = computeCheckDigits(scheme.checkDigits, payload);
  if (want !== checkPart) {
    throw new KassenzeichenError(
      `${field}: ${shown} check digit${checkLen === 1 ? '' : 's'} should be ${want}, found ${checkPart}`,
      field,
      { code: 'checkDigit', expected: want, found: checkPart, scheme: scheme.id },
    );
  }
  return { kassenzeichen: kz, category, serial: BigInt(serialPart) };
}

/** Non-throwing form for the matcher: is `text` a well-formed Kassenzeichen of this scheme? */
export function isValidKassenzeichen(scheme: KassenzeichenScheme, text: string): boolean {
  try {
    validateKassenzeichen(scheme, text);
    return true;
  } catch (e) {
    if (e instanceof ValidationError) return false;
    throw e;
  }
}

/**
 * Display form for notices and the citizen UI: groups joined with the scheme's separator,
 * e.g. "5100.0052447.8". Validates first, so a wrong reference is never printed nicely.
 */
export function formatForDisplay(scheme: KassenzeichenScheme, text: string): string {
  const { kassenzeichen } = validateKassenzeichen(scheme, text);
  return groupForDisplay(kassenzeichen, scheme.display);
}

function groupForDisplay(kz: string, display: KassenzeichenDisplay | undefined): string {
  if (!display || display.groups.length === 0) return kz;
  const parts: string[] = [];
  let at = 0;
  for (const g of display.groups) {
    if (at >= kz.length) break;
    parts.push(kz.slice(at, at + g));
    at += g;
  }
  if (at < kz.length) parts.push(kz.slice(at));
  return parts.join(display.separator);
}

/**
 * A reference supplied by a caller whose scheme we do not know (another authority's file number,
 * a PSP order id). Accepted when it is 4–35 characters of [A-Z0-9] after normalization; returns
 * the normalized form. The 35 is the SEPA reference length, the 4 keeps "1" or "AB" from being
 * taken for a reference by the matcher.
 */
const SUPPLIED_MIN_LENGTH = 4;

export function validateSuppliedReference(text: string, field = 'reference'): string {
  const ref = normalizeReference(text);
  if (!/^[A-Z0-9]*$/.test(ref)) {
    throw new KassenzeichenError(`${field}: ${quote(text)} may contain only letters A–Z, digits and separators (. - / space)`, field, { code: 'characters' });
  }
  if (ref.length < SUPPLIED_MIN_LENGTH || ref.length > KASSENZEICHEN_MAX_LENGTH) {
    throw new KassenzeichenError(
      `${field}: ${quote(text)} has ${ref.length} characters after removing separators, allowed are ${SUPPLIED_MIN_LENGTH}–${KASSENZEICHEN_MAX_LENGTH}`,
      field,
      { code: 'length', length: ref.length, min: SUPPLIED_MIN_LENGTH, max: KASSENZEICHEN_MAX_LENGTH },
    );
  }
  return ref;
}

export interface KassenzeichenSchemes {
  readonly default: KassenzeichenScheme;
  readonly byId: ReadonlyMap<string, KassenzeichenScheme>;
}

/**
 * Validates scheme configuration (from the STADTKASSE_KASSENZEICHEN_SCHEMES env var, JSON text or
 * an already parsed object):
 *
 * ```json
 * { "default": "stadt",
 *   "schemes": [ { "id": "stadt", "prefixes": { "fee": "51", "fine": "52", "library": "BG" },
 *                  "serialDigits": 9, "checkDigits": "mod11", "verifySupplied": true,
 *                  "display": { "groups": [4, 7, 1], "separator": "." } } ] }
 * ```
 *
 * All problems are collected; the ValidationError lists each with its path
 * (`schemes[0].prefixes.fee`). `default` may be left out when there is exactly one scheme.
 */
export function parseKassenzeichenSchemes(input: unknown): KassenzeichenSchemes {
  let config = input;
  if (typeof input === 'string') {
    try {
      config = JSON.parse(input);
    } catch (e) {
      throw new ValidationError(`kassenzeichen schemes: not valid JSON (${(e as Error).message})`, {
        field: 'kassenzeichenSchemes',
      });
    }
  }
  const problems: Array<{ message: string; path: string }> = [];
  const fail = (path: string, message: string): void => {
    problems.push({ path, message: `${path}: ${message}` });
  };

  const schemes: KassenzeichenScheme[] = [];
  if (!isPlainObject(config)) {
    fail('$', 'must be an object with "schemes" (array) and optionally "default" (scheme id)');
  } else {
    for (const key of Object.keys(config)) {
      if (key !== 'schemes' && key !== 'default') fail(key, 'unknown key; allowed are "schemes" and "default"');
    }
    const list = config['schemes'];
    if (!Array.isArray(list) || list.length === 0) {
      fail('schemes', 'must be a non-empty array of schemes');
    } else {
      list.forEach((raw, i) => {
        const scheme = parseScheme(raw, `schemes[${i}]`, fail);
        if (scheme) {
          if (schemes.some((s) => s.id === scheme.id)) fail(`schemes[${i}].id`, `"${scheme.id}" is used twice`);
          else schemes.push(scheme);
        }
      });
    }
    const def = config['default'];
    if (def !== undefined && typeof def !== 'string') fail('default', 'must be a scheme id (string)');
    if (problems.length === 0) {
      if (def === undefined && schemes.length > 1) {
        fail('default', `must name one of ${schemes.map((s) => s.id).join(', ')} when there is more than one scheme`);
      } else if (typeof def === 'string' && !schemes.some((s) => s.id === def)) {
        fail('default', `"${def}" is not one of ${schemes.map((s) => s.id).join(', ')}`);
      }
    }
  }

  if (problems.length > 0) {
    throw new ValidationError(
      `kassenzeichen schemes: ${problems.map((p) => p.message).join('; ')}`,
      { field: 'kassenzeichenSchemes', path: problems[0]!.path },
      problems.map((p) => ({ message: p.message, path: p.path })),
    );
  }
  const byId = new Map(schemes.map((s) => [s.id, s] as const));
  const defId = isPlainObject(config) && typeof config['default'] === 'string' ? config['default'] : schemes[0]!.id;
  return { default: byId.get(defId)!, byId };
}

function parseScheme(
  raw: unknown,
  at: string,
  fail: (path: string, message: string) => void,
): KassenzeichenScheme | null {
  if (!isPlainObject(raw)) {
    fail(at, 'must be an object');
    return null;
  }
  let failed = false;
  const f = (path: string, message: string): void => {
    failed = true;
    fail(path, message);
  };

  for (const key of Object.keys(raw)) {
    if (!['id', 'prefixes', 'serialDigits', 'checkDigits', 'display', 'verifySupplied'].includes(key)) {
      f(`${at}.${key}`, 'unknown key; allowed are id, prefixes, serialDigits, checkDigits, display, verifySupplied');
    }
  }
  const id = raw['id'];
  if (typeof id !== 'string' || !SCHEME_ID.test(id)) {
    f(`${at}.id`, 'must be 1–40 characters of a-z, 0-9, "-" and "_", starting with a letter or digit');
  }

  const prefixes: Partial<Record<KassenzeichenCategory, string>> = {};
  const rawPrefixes = raw['prefixes'];
  if (!isPlainObject(rawPrefixes) || Object.keys(rawPrefixes).length === 0) {
    f(`${at}.prefixes`, `must map at least one of ${KASSENZEICHEN_CATEGORIES.join(', ')} to a prefix`);
  } else {
    for (const [cat, p] of Object.entries(rawPrefixes)) {
      if (!(KASSENZEICHEN_CATEGORIES as readonly string[]).includes(cat)) {
        f(`${at}.prefixes.${cat}`, `unknown category; allowed are ${KASSENZEICHEN_CATEGORIES.join(', ')}`);
      } else if (typeof p !== 'string' || !PREFIX.test(p)) {
        f(`${at}.prefixes.${cat}`, 'must be 1–10 characters of A-Z and 0-9 (upper case)');
      } else {
        prefixes[cat as KassenzeichenCategory] = p;
      }
    }
    // A prefix that starts another one would make "which category is 5100…?" ambiguous.
    const entries = Object.entries(prefixes);
    for (const [c1, p1] of entries) {
      for (const [c2, p2] of entries) {
        if (c1 < c2 && (p1.startsWith(p2) || p2.startsWith(p1))) {
          f(`${at}.prefixes.${c2}`, `"${p2}" and ${c1} "${p1}" overlap; no prefix may start another`);
        }
      }
    }
  }

  const serialDigits = raw['serialDigits'];
  if (typeof serialDigits !== 'number' || !Number.isInteger(serialDigits) || serialDigits < 1 || serialDigits > 30) {
    f(`${at}.serialDigits`, 'must be a whole number from 1 to 30');
  }
  const checkDigits = raw['checkDigits'];
  if (!isCheckDigitAlgorithm(checkDigits)) {
    f(`${at}.checkDigits`, `must be one of ${CHECK_DIGIT_ALGORITHMS.join(', ')}`);
  }

  let display: KassenzeichenDisplay | undefined;
  const rawDisplay = raw['display'];
  if (rawDisplay !== undefined) {
    if (!isPlainObject(rawDisplay)) {
      f(`${at}.display`, 'must be an object with groups and separator');
    } else {
      const groups = rawDisplay['groups'];
      const separator = rawDisplay['separator'];
      if (
        !Array.isArray(groups) ||
        groups.length === 0 ||
        !groups.every((g) => typeof g === 'number' && Number.isInteger(g) && g >= 1 && g <= KASSENZEICHEN_MAX_LENGTH)
      ) {
        f(`${at}.display.groups`, 'must be a non-empty array of group lengths (whole numbers ≥ 1)');
      }
      if (typeof separator !== 'string' || !(DISPLAY_SEPARATORS as readonly string[]).includes(separator)) {
        // Only separators normalizeReference strips, so a printed reference reads back unchanged.
        f(`${at}.display.separator`, `must be one of ${DISPLAY_SEPARATORS.map((s) => `"${s}"`).join(', ')}`);
      }
      if (!failed) {
        display = Object.freeze({
          groups: Object.freeze([...(groups as number[])]),
          separator: separator as DisplaySeparator,
        });
      }
    }
  }

  const verifySupplied = raw['verifySupplied'];
  if (verifySupplied !== undefined && typeof verifySupplied !== 'boolean') {
    f(`${at}.verifySupplied`, 'must be true or false');
  }

  if (failed) return null;
  const scheme: KassenzeichenScheme = Object.freeze({
    id: id as string,
    prefixes: Object.freeze(prefixes),
    serialDigits: serialDigits as number,
    checkDigits: checkDigits as CheckDigitAlgorithm,
    ...(display ? { display } : {}),
    ...(verifySupplied === true ? { verifySupplied: true } : {}),
  });
  for (const [cat, p] of prefixEntries(scheme)) {
    const len = p.length + scheme.serialDigits + checkDigitLength(scheme.checkDigits);
    if (len > KASSENZEICHEN_MAX_LENGTH) {
      f(
        `${at}.serialDigits`,
        `a ${cat} Kassenzeichen would have ${len} characters, at most ${KASSENZEICHEN_MAX_LENGTH} fit a SEPA reference`,
      );
    }
  }
  return failed ? null : scheme;
}

function prefixFor(scheme: KassenzeichenScheme, category: KassenzeichenCategory): string {
  const prefix = scheme.prefixes[category];
  if (prefix === undefined) {
    throw new ValidationError(`category: scheme ${scheme.id} has no prefix for ${category}`, { field: 'category' });
  }
  return prefix;
}

function serialText(scheme: KassenzeichenScheme, serial: bigint): string {
  const max = 10n ** BigInt(scheme.serialDigits) - 1n;
  if (serial < 0n || serial > max) {
    throw new ValidationError(
      `serial: ${serial} is outside 0–${max} (${scheme.serialDigits} digits in scheme ${scheme.id})`,
      { field: 'serial' },
    );
  }
  return serial.toString().padStart(scheme.serialDigits, '0');
}

function prefixEntries(scheme: KassenzeichenScheme): Array<[KassenzeichenCategory, string]> {
  const out: Array<[KassenzeichenCategory, string]> = [];
  for (const c of KASSENZEICHEN_CATEGORIES) {
    const p = scheme.prefixes[c];
    if (p !== undefined) out.push([c, p]);
  }
  return out;
}

function categoryOf(scheme: KassenzeichenScheme, kz: string): [KassenzeichenCategory, string] | undefined {
  // Prefixes never start one another (enforced in parseKassenzeichenSchemes), so at most one matches.
  return prefixEntries(scheme).find(([, p]) => kz.startsWith(p));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text);
}
