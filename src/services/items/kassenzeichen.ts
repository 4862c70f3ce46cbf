/**
 * Kassenzeichen for open items: generated from the configured schemes with serials from
 * SerialCounter, or supplied by the issuing service and taken as issued.
 *
 * A supplied number is kept twice: normalized (upper case, no separators) as the unique key the
 * matcher looks up, and as printed ("GEB-2026-4711") for every place a person or the finance
 * system reads it. Its check digit is verified only under a scheme whose operator turned on
 * `verifySupplied`: the finance system prints numbers of its own, and a prefix they happen to share
 * with one of our schemes says nothing about whose check digit they carry.
 *
 * Serials are taken by one `INSERT … ON CONFLICT DO UPDATE SET value = value + n` (Prisma's native
 * upsert) of their own, before the items' transaction (see reserveSerials). A serial that has no
 * mod 11 check digit, or whose Kassenzeichen a caller already supplied, is skipped — gaps are
 * harmless, duplicates are not.
 */
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import { ValidationError } from '../../errors.js';
import {
  DEFAULT_SCHEME,
  KASSENZEICHEN_CATEGORIES,
  formatForDisplay,
  generateKassenzeichen,
  nextUsableSerial,
  normalizeReference,
  parseKassenzeichenSchemes,
  validateKassenzeichen,
  validateSuppliedReference,
  type KassenzeichenCategory,
  type KassenzeichenScheme,
  type KassenzeichenSchemes,
} from '../../references/kassenzeichen.js';
import { RF_MAX_REFERENCE_LENGTH, toRfReference } from '../../references/rf.js';

const parsed = new WeakMap<Config, KassenzeichenSchemes>();

/** The configured schemes (KASSENZEICHEN_SCHEMES), parsed once per configuration. */
export function schemesOf(config: Config): KassenzeichenSchemes {
  let schemes = parsed.get(config);
  if (!schemes) {
    schemes = config.kassenzeichenSchemes
      ? parseKassenzeichenSchemes(config.kassenzeichenSchemes)
      : { default: DEFAULT_SCHEME, byId: new Map([[DEFAULT_SCHEME.id, DEFAULT_SCHEME]]) };
    parsed.set(config, schemes);
  }
  return schemes;
}

export interface KassenzeichenFacts {
  /** Normalized: no separators, upper case. */
  kassenzeichen: string;
  /** A supplied number as its issuer printed it; null for the numbers Stadtkasse generates. */
  asIssued: string | null;
  /** As printed on notices: as issued, else the scheme's grouping ("5100.0052447.8"), else the normalized form. */
  display: string;
  /** ISO 11649 RF reference, or null when the Kassenzeichen is too long for one (over 21 characters). */
  rfReference: string | null;
}

/** The scheme a Kassenzeichen belongs to by its prefix, if any. */
export function schemeFor(schemes: KassenzeichenSchemes, kassenzeichen: string): KassenzeichenScheme | undefined {
  const kz = normalizeReference(kassenzeichen);
  const all = [schemes.default, ...[...schemes.byId.values()].filter((s) => s !== schemes.default)];
  return all.find((s) => Object.values(s.prefixes).some((p) => p !== undefined && kz.startsWith(p)));
}

/**
 * Checks a Kassenzeichen a caller supplies and keeps it as printed. Every supplied number must be
 * 4–35 letters and digits once separators are removed; one whose prefix belongs to a scheme with
 * `verifySupplied` must also pass that scheme (length, digits, check digit), so a typo is caught
 * before a notice is printed with it. Throws KassenzeichenError (a ValidationError) naming `field`.
 */
export function checkSuppliedKassenzeichen(schemes: KassenzeichenSchemes, text: string, field = 'kassenzeichen'): KassenzeichenFacts {
  const scheme = verifyingSchemeFor(schemes, text);
  const kassenzeichen = scheme ? validateKassenzeichen(scheme, text, field).kassenzeichen : validateSuppliedReference(text, field);
  return describe(schemeFor(schemes, kassenzeichen), kassenzeichen, asIssued(text));
}

/** The scheme that verifies a supplied number with this prefix, if the operator asked for it. */
function verifyingSchemeFor(schemes: KassenzeichenSchemes, text: string): KassenzeichenScheme | undefined {
  const kz = normalizeReference(text);
  const all = [schemes.default, ...[...schemes.byId.values()].filter((s) => s !== schemes.default)];
  return all.find((s) => s.verifySupplied === true && Object.values(s.prefixes).some((p) => p !== undefined && kz.startsWith(p)));
}

/**
 * The printed form kept for display: trimmed, and runs of white space (a tab or line break from a
 * spreadsheet cell) as one space; letters, digits and separators exactly as given.
 */
function asIssued(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/** Display form and RF reference of a stored Kassenzeichen (with its printed form when supplied). */
export function kassenzeichenFacts(schemes: KassenzeichenSchemes, kassenzeichen: string, issued: string | null = null): KassenzeichenFacts {
  return describe(schemeFor(schemes, kassenzeichen), kassenzeichen, issued);
}

/** What a person reads for a stored item: the number as issued, else the scheme's grouping. */
export function kassenzeichenDisplay(schemes: KassenzeichenSchemes, item: { kassenzeichen: string; kassenzeichenAsIssued: string | null }): string {
  return kassenzeichenFacts(schemes, item.kassenzeichen, item.kassenzeichenAsIssued).display;
}

function describe(scheme: KassenzeichenScheme | undefined, kassenzeichen: string, issued: string | null): KassenzeichenFacts {
  const rfReference = kassenzeichen.length <= RF_MAX_REFERENCE_LENGTH ? toRfReference(kassenzeichen) : null;
  if (issued !== null) return { kassenzeichen, asIssued: issued, display: issued, rfReference };
  let display = kassenzeichen;
  if (scheme) {
    try {
      display = formatForDisplay(scheme, kassenzeichen);
    } catch {
      // A stored reference that no longer fits a changed scheme is shown as stored.
    }
  }
  return { kassenzeichen, asIssued: null, display, rfReference };
}

/**
 * The one spelling of a stored Kassenzeichen that people read (pages, CSV downloads, messages):
 * as printed on the notice. Every place in the workplace that shows a Kassenzeichen goes through
 * this, so the same item never appears in two spellings.
 */
export function kassenzeichenDisplayOf(config: Config, item: { kassenzeichen: string; kassenzeichenAsIssued: string | null }): string {
  return kassenzeichenDisplay(schemesOf(config), item);
}

export function isSchemeCategory(category: string): category is KassenzeichenCategory {
  return (KASSENZEICHEN_CATEGORIES as readonly string[]).includes(category);
}

/** Serials taken from the counter at once for single items, handed out from memory. */
export const SERIAL_BLOCK = 32;

/** Serials this process took from a counter and has not handed out yet, per database. */
const reserved = new WeakMap<Database, Map<string, Array<{ from: bigint; to: bigint }>>>();

/**
 * `count` serials of `counter`, at most `max`. They come from a block this process already took, or
 * from the counter in one statement of its own, outside any item's transaction: the counter row is
 * locked only for that statement (it was locked for the whole transaction of every item, which
 * made all item writes of all instances wait for each other), and single items take a block of
 * SERIAL_BLOCK at once, so most items do not touch the row at all. The price is gaps — a block a
 * stopped process did not use up, the serial of a transaction that rolled back — and gaps are
 * harmless; duplicates are impossible, because a serial is handed out by the counter only once.
 */
export async function reserveSerials(db: Database, counter: string, count: number, max: bigint): Promise<bigint[]> {
  let byCounter = reserved.get(db);
  if (!byCounter) reserved.set(db, (byCounter = new Map()));
  const out: bigint[] = [];
  const take = () => {
    const ranges = byCounter.get(counter) ?? [];
    while (out.length < count && ranges.length > 0) {
      const r = ranges[0]!;
      out.push(r.from);
      if (r.from === r.to) ranges.shift();
      else r.from++;
    }
  };
  take();
  while (out.length < count) {
    const want = BigInt(Math.max(count - out.length, SERIAL_BLOCK));
    const row = await db.prisma.serialCounter.upsert({
      where: { name: counter },
      create: { name: counter, value: want },
      update: { value: { increment: want } },
      select: { value: true },
    });
    const from = row.value - want + 1n;
    const to = row.value < max ? row.value : max;
    if (from > max) break;
    const ranges = byCounter.get(counter) ?? [];
    ranges.push({ from, to });
    byCounter.set(counter, ranges);
    take();
  }
  return out;
}

/**
 * `count` fresh Kassenzeichen of the default scheme for `category`. Called before the items'
 * transaction (see reserveSerials). `isTaken` reports which candidates already exist (supplied
 * earlier by a caller); they are skipped. One supplied between this check and the insert makes
 * the insert fail on the unique index (a 409), never a duplicate.
 */
export async function generateKassenzeichenBatch(
  db: Database,
  schemes: KassenzeichenSchemes,
  category: string,
  count: number,
  isTaken: (candidates: string[]) => Promise<Set<string>>,
): Promise<string[]> {
  const scheme = schemes.default;
  const prefix = isSchemeCategory(category) ? scheme.prefixes[category] : undefined;
  if (!isSchemeCategory(category) || prefix === undefined) {
    throw new ValidationError(`kassenzeichen: scheme ${scheme.id} has no prefix for category "${category}", so none can be generated; supply one`, {
      field: 'kassenzeichen',
    });
  }
  const counter = `${scheme.id}:${prefix}`;
  const max = 10n ** BigInt(scheme.serialDigits) - 1n;
  const out: string[] = [];
  while (out.length < count) {
    const want = count - out.length;
    const serials = await reserveSerials(db, counter, want, max);
    if (serials.length < want) {
      throw new ValidationError(`kassenzeichen: the ${scheme.serialDigits}-digit serials of ${category} (prefix ${prefix}) are used up; configure a scheme with more serial digits`, {
        field: 'kassenzeichen',
      });
    }
    const candidates: string[] = [];
    for (const s of serials) {
      // Only mod11 skips a serial (about one in eleven); the counter still moved past it.
      if (nextUsableSerial(scheme, category, s) === s) candidates.push(generateKassenzeichen(scheme, category, s));
    }
    const taken = candidates.length > 0 ? await isTaken(candidates) : new Set<string>();
    out.push(...candidates.filter((c) => !taken.has(c)));
  }
  return out;
}
