import { hasValidCheckDigits, mod97 } from '../references/checkDigits.js';

/**
 * Check-digit schemes learned from the open items themselves. Municipalities use different
 * Kassenzeichen formats (pure digits with luhn, mod 11 or ISO 7064 mod 97-10; letter prefixes
 * without check digit …), and one account often mixes several, so nothing is configured: for each
 * shape class we count how many members pass each algorithm, and a class is protected when
 * (almost) all of them pass one.
 *
 * A shape class is letter prefix + digit count ("BG|10", "|12"). When a class is mixed (the
 * samples showed 12-digit references starting 5x with luhn next to 3x/61 with mod 11 in one file),
 * it is split by the first one or two digits of the numeric part.
 */

export type SchemeAlgorithm = 'luhn' | 'mod11' | 'mod11-r10z' | 'mod97-10';

/**
 * 'mod11-r10z' is mod 11 with weights 2–7 where a check value of 10 is written as 0. The shared
 * `checkDigits.mod11` refuses such payloads (it never issues them), but finance systems in the
 * field do issue them: in both sample days ~8% of the mod-11 Kassenzeichen carry a 0 for remainder
 * 10. It detects slightly fewer errors (10 and 0 collide), so strict mod11 wins when both fit.
 */
const ALGORITHMS: readonly SchemeAlgorithm[] = ['mod97-10', 'mod11', 'luhn', 'mod11-r10z'];

export function passes(alg: SchemeAlgorithm, digits: string): boolean {
  switch (alg) {
    case 'luhn':
    case 'mod11':
      return hasValidCheckDigits(alg, digits);
    case 'mod97-10':
      return digits.length > 2 && mod97(digits) === 1;
    case 'mod11-r10z': {
      if (digits.length < 2) return false;
      let sum = 0;
      const weights = [2, 3, 4, 5, 6, 7];
      for (let i = digits.length - 2, k = 0; i >= 0; i--, k++) sum += (digits.charCodeAt(i) - 48) * weights[k % 6]!;
      const r = (11 - (sum % 11)) % 11;
      return (r === 10 ? 0 : r) === digits.charCodeAt(digits.length - 1) - 48;
    }
  }
}

export interface Shape {
  prefix: string;
  digits: string;
}

const SHAPE = /^([A-Z]*)([0-9]+)$/;

/** Splits a normalized reference into letter prefix and digits; undefined for other shapes. */
export function shapeOf(normalized: string): Shape | undefined {
  const m = SHAPE.exec(normalized);
  return m ? { prefix: m[1]!, digits: m[2]! } : undefined;
}

interface ClassStats {
  members: number;
  valid: Record<SchemeAlgorithm, number>;
}

export interface SchemeVerdict {
  /** The algorithm that protects the class, or undefined when the class is unprotected/unknown. */
  algorithm?: SchemeAlgorithm;
  /** Class key the verdict was taken from, for reasons ("|12|5"). */
  classKey?: string;
  /** True when no class with enough members covers this shape. */
  unknownClass: boolean;
}

export class SchemeLearner {
  private readonly stats = new Map<string, ClassStats>();
  /** Digit counts seen per prefix, with member counts (which shapes exist at all). */
  readonly lengthsByPrefix = new Map<string, Map<number, number>>();

  constructor(
    private readonly minShare: number,
    private readonly minMembers: number,
  ) {}

  add(normalized: string, delta: 1 | -1 = 1): void {
    const s = shapeOf(normalized);
    if (!s) return;
    const lens = this.lengthsByPrefix.get(s.prefix) ?? new Map<number, number>();
    lens.set(s.digits.length, (lens.get(s.digits.length) ?? 0) + delta);
    if ((lens.get(s.digits.length) ?? 0) <= 0) lens.delete(s.digits.length);
    if (lens.size > 0) this.lengthsByPrefix.set(s.prefix, lens);
    else this.lengthsByPrefix.delete(s.prefix);
    const passed = ALGORITHMS.filter((a) => passes(a, s.digits));
    for (const key of classKeys(s)) {
      let st = this.stats.get(key);
      if (!st) {
        st = { members: 0, valid: { luhn: 0, mod11: 0, 'mod11-r10z': 0, 'mod97-10': 0 } };
        this.stats.set(key, st);
      }
      st.members += delta;
      for (const a of passed) st.valid[a] += delta;
      if (st.members <= 0) this.stats.delete(key);
    }
  }

  /** The scheme that governs a reference of this shape (whether or not the reference exists). */
  verdict(s: Shape): SchemeVerdict {
    let sawClass = false;
    for (const key of classKeys(s)) {
      const st = this.stats.get(key);
      if (!st || st.members < this.minMembers) continue;
      sawClass = true;
      let best: SchemeAlgorithm | undefined;
      let bestShare = 0;
      for (const a of ALGORITHMS) {
        const sh = st.valid[a] / st.members;
        if (sh >= this.minShare && sh > bestShare) {
          best = a;
          bestShare = sh;
        }
      }
      if (best) return { algorithm: best, classKey: key, unknownClass: false };
    }
    return { unknownClass: !sawClass };
  }

  /**
   * Does every item of the class prefix | length | first two digits pass `alg`? Then a variant of
   * that class which fails `alg` cannot be an item, and need not be looked up.
   */
  allPass(prefix: string, digits: string, alg: SchemeAlgorithm): boolean {
    const st = this.stats.get(`${prefix}|${digits.length}|${digits.slice(0, 2)}`);
    return st !== undefined && st.members > 0 && st.valid[alg] === st.members;
  }

  /** Is this digit count plausible (±1 for a dropped or doubled digit) for the prefix? */
  plausibleLength(prefix: string, digitCount: number): boolean {
    const lens = this.lengthsByPrefix.get(prefix);
    if (!lens) return false;
    return lens.has(digitCount) || lens.has(digitCount - 1) || lens.has(digitCount + 1);
  }

  hasPrefix(prefix: string): boolean {
    return this.lengthsByPrefix.has(prefix);
  }

  /** Learned classes, for diagnostics and the report. */
  describe(): Array<{ classKey: string; members: number; algorithm?: SchemeAlgorithm }> {
    const out: Array<{ classKey: string; members: number; algorithm?: SchemeAlgorithm }> = [];
    for (const [key, st] of this.stats) {
      if (st.members < this.minMembers) continue;
      const best = ALGORITHMS.find((a) => st.valid[a] / st.members >= this.minShare);
      out.push({ classKey: key, members: st.members, ...(best ? { algorithm: best } : {}) });
    }
    return out.sort((a, b) => a.classKey.localeCompare(b.classKey));
  }
}

/** Class keys from general to specific: whole class, then split by the first 1 and 2 digits. */
function classKeys(s: Shape): string[] {
  const base = `${s.prefix}|${s.digits.length}`;
  return [base, `${base}|${s.digits.slice(0, 1)}`, `${base}|${s.digits.slice(0, 2)}`];
}
