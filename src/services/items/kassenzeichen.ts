/**
 * Kassenzeichen for open items: generated from the configured schemes with serials from
 * SerialCounter, or supplied by the issuing service and checked.
 *
 * Serials are handed out by one `INSERT … ON CONFLICT DO UPDATE SET value = value + n` (Prisma's
 * native upsert) inside the item's own transaction: the row lock it takes makes a second instance
 * wait until the first commits, so two instances never hand out the same serial, and a rolled-back
 * import gives its serials back. A serial that has no mod 11 check digit, or whose Kassenzeichen a
 * caller already supplied, is skipped — gaps are harmless, duplicates are not.
 */
import type { Config } from '../../config.js';
import type { Tx } from '../../db/database.js';
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
  /** As printed on notices ("5100.0052447.8"), or the normalized form outside every scheme. */
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
 * Checks a Kassenzeichen a caller supplies: against its scheme when its prefix is one of a scheme
 * (so a typo in the check digit is caught before a notice is printed with it), otherwise as a
 * foreign reference (4–35 letters and digits). Throws ValidationError naming `field`.
 */
export function checkSuppliedKassenzeichen(schemes: KassenzeichenSchemes, text: string, field = 'kassenzeichen'): KassenzeichenFacts {
  const scheme = schemeFor(schemes, text);
  const kassenzeichen = scheme ? validateKassenzeichen(scheme, text, field).kassenzeichen : validateSuppliedReference(text, field);
  return describe(scheme, kassenzeichen);
}

/** Display form and RF reference of a stored (already valid) Kassenzeichen. */
export function kassenzeichenFacts(schemes: KassenzeichenSchemes, kassenzeichen: string): KassenzeichenFacts {
  return describe(schemeFor(schemes, kassenzeichen), kassenzeichen);
}

function describe(scheme: KassenzeichenScheme | undefined, kassenzeichen: string): KassenzeichenFacts {
  let display = kassenzeichen;
  if (scheme) {
    try {
      display = formatForDisplay(scheme, kassenzeichen);
    } catch {
      // A stored reference that no longer fits a changed scheme is shown as stored.
    }
  }
  return { kassenzeichen, display, rfReference: kassenzeichen.length <= RF_MAX_REFERENCE_LENGTH ? toRfReference(kassenzeichen) : null };
}

export function isSchemeCategory(category: string): category is KassenzeichenCategory {
  return (KASSENZEICHEN_CATEGORIES as readonly string[]).includes(category);
}

/**
 * `count` fresh Kassenzeichen of the default scheme for `category`, in the caller's transaction.
 * `isTaken` reports which candidates already exist (supplied earlier by a caller); they are skipped.
 */
export async function generateKassenzeichenBatch(
  tx: Tx,
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
    const row = await tx.serialCounter.upsert({
      where: { name: counter },
      create: { name: counter, value: BigInt(want) },
      update: { value: { increment: BigInt(want) } },
    });
    const last = row.value;
    if (last > max) {
      throw new ValidationError(`kassenzeichen: the ${scheme.serialDigits}-digit serials of ${category} (prefix ${prefix}) are used up; configure a scheme with more serial digits`, {
        field: 'kassenzeichen',
      });
    }
    const candidates: string[] = [];
    for (let s = last - BigInt(want) + 1n; s <= last; s++) {
      // Only mod11 skips a serial (about one in eleven); the counter still moved past it.
      if (nextUsableSerial(scheme, category, s) === s) candidates.push(generateKassenzeichen(scheme, category, s));
    }
    const taken = candidates.length > 0 ? await isTaken(candidates) : new Set<string>();
    out.push(...candidates.filter((c) => !taken.has(c)));
  }
  return out;
}
