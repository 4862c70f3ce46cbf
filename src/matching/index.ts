import { DEFAULT_MATCH_CONFIG, type MatchConfig } from './config.js';
import { debtorNameKey, debtorNameKeys, nameSignature, normalizeIban, normalizeReference, significantSpellings, type NameToken } from './names.js';
import { DigitValueSet } from './digitSet.js';
import { passes, SchemeLearner, shapeOf } from './schemes.js';
import type { MatchableItem } from './types.js';

/**
 * The open items in the shape the matcher asks questions of. Every lookup is a hash-map access or
 * a bounded number of them, so a lookup costs the same with 1,000 or 1,000,000 items:
 * - exact reference: one map access;
 * - near miss: the candidate's variants (one substitution, adjacent swap, deletion, insertion:
 *   about 20 × length of them) are generated and each is looked up; independent of N;
 * - by debtor name key, name token, IBAN and open amount: capped lists; by name key or IBAN
 *   together with the open amount: exact, so a payer with thousands of items (a property manager)
 *   still finds the one of the amount paid.
 * Items can be added and updated one by one while the service runs (`upsert`, `remove`).
 */

export interface IndexedItem {
  item: MatchableItem;
  /** Normalized reference. */
  ref: string;
  nameKey: string;
  /** The IBAN on file in comparable form. */
  iban: string | undefined;
  /**
   * The debtor name's signature (names.ts nameSignature), computed the first time a payment is
   * compared with this item: a million names are not folded ahead, and one folded is not folded
   * again for every payment that reaches the item.
   */
  signature: NameToken[] | undefined;
  /** Insertion order: among equal claims the older one is paid first (§ 366 Abs. 2 BGB). */
  seq: number;
}

/** The item's debtor name signature, folded once. */
export function signatureOf(e: IndexedItem): NameToken[] {
  return (e.signature ??= nameSignature(e.item.debtorName));
}

/**
 * The keying slips people make, each a way one real reference is reached from another:
 * - substitution: one digit wrong (5 for 6);
 * - transposition: two neighbouring digits swapped (47 ↔ 74, also 09 ↔ 90, which luhn misses);
 * - jump-transposition: two digits one apart swapped (a_b ↔ b_a, which luhn never sees);
 * - twin: a doubled digit typed as another doubled digit (22 ↔ 55, 33 ↔ 66, 44 ↔ 77: luhn misses them);
 * - deletion / insertion: a digit dropped or added;
 * - prefix-omitted: the letters of the reference left out.
 */
export type NearMissKind = 'substitution' | 'transposition' | 'jump-transposition' | 'twin' | 'deletion' | 'insertion' | 'prefix-omitted';

export interface NearMissHit {
  entry: IndexedItem;
  kind: NearMissKind;
}

export class ItemIndex {
  private readonly items = new Map<string, IndexedItem>();
  private readonly byRef = new Map<string, Set<IndexedItem>>();
  private readonly byNameKey = new Map<string, Set<IndexedItem>>();
  private readonly byNameToken = new Map<string, Set<IndexedItem>>();
  private readonly byIban = new Map<string, Set<IndexedItem>>();
  private readonly byOpenAmount = new Map<string, Set<IndexedItem>>();
  private readonly byNameKeyAmount = new Map<string, Set<IndexedItem>>();
  private readonly byIbanAmount = new Map<string, Set<IndexedItem>>();
  /**
   * The digits of every reference as a number, by letters prefix and digit count (up to 15 digits,
   * exact in a double): a slip variant is computed and tested arithmetically, and only the rare
   * variant that is a reference is built as a string and looked up.
   */
  private readonly digitValues = new Map<string, Map<number, DigitValueSet>>();
  private readonly scratch = {
    dv: new Float64Array(MAX_NUMERIC_DIGITS + 2),
    w: new Float64Array(MAX_NUMERIC_DIGITS + 2),
    pre: new Float64Array(MAX_NUMERIC_DIGITS + 2),
    suf: new Float64Array(MAX_NUMERIC_DIGITS + 2),
  };
  private seq = 0;
  private maxDigitsCache: number | undefined;
  readonly schemes: SchemeLearner;

  constructor(readonly config: MatchConfig = DEFAULT_MATCH_CONFIG) {
    this.schemes = new SchemeLearner(config.schemeMinShare, config.schemeMinMembers);
  }

  get size(): number {
    return this.items.size;
  }

  /** Adds an item or replaces the item with the same id (new open amount, corrected name …). */
  upsert(item: MatchableItem): void {
    const old = this.items.get(item.id);
    if (old) this.unlink(old);
    const entry: IndexedItem = {
      item,
      ref: normalizeReference(item.kassenzeichen),
      nameKey: debtorNameKey(item.debtorName),
      iban: normalizeIban(item.debtorIban),
      signature: undefined,
      seq: old ? old.seq : this.seq++,
    };
    this.items.set(item.id, entry);
    addTo(this.byRef, entry.ref, entry);
    this.linkDigits(entry.ref);
    const amount = amountKey(item.currency, item.openMinor);
    for (const k of debtorNameKeys(item.debtorName)) {
      addTo(this.byNameKey, k, entry);
      addTo(this.byNameKeyAmount, `${k}|${amount}`, entry);
    }
    for (const t of significantSpellings(item.debtorName)) if (t.length >= 3) addTo(this.byNameToken, t, entry);
    const iban = entry.iban;
    if (iban) {
      addTo(this.byIban, iban, entry);
      addTo(this.byIbanAmount, `${iban}|${amount}`, entry);
    }
    addTo(this.byOpenAmount, amount, entry);
    this.schemes.add(entry.ref, 1);
    this.maxDigitsCache = undefined;
  }

  remove(id: string): void {
    const old = this.items.get(id);
    if (!old) return;
    this.unlink(old);
    this.items.delete(id);
  }

  private unlink(e: IndexedItem): void {
    removeFrom(this.byRef, e.ref, e);
    if (!this.byRef.has(e.ref)) this.unlinkDigits(e.ref);
    const amount = amountKey(e.item.currency, e.item.openMinor);
    for (const k of debtorNameKeys(e.item.debtorName)) {
      removeFrom(this.byNameKey, k, e);
      removeFrom(this.byNameKeyAmount, `${k}|${amount}`, e);
    }
    for (const t of significantSpellings(e.item.debtorName)) if (t.length >= 3) removeFrom(this.byNameToken, t, e);
    const iban = normalizeIban(e.item.debtorIban);
    if (iban) {
      removeFrom(this.byIban, iban, e);
      removeFrom(this.byIbanAmount, `${iban}|${amount}`, e);
    }
    removeFrom(this.byOpenAmount, amount, e);
    this.schemes.add(e.ref, -1);
    this.maxDigitsCache = undefined;
  }

  private linkDigits(ref: string): void {
    const s = shapeOf(ref);
    if (!s || s.digits.length > MAX_NUMERIC_DIGITS) return;
    let lens = this.digitValues.get(s.prefix);
    if (!lens) this.digitValues.set(s.prefix, (lens = new Map()));
    let values = lens.get(s.digits.length);
    if (!values) lens.set(s.digits.length, (values = new DigitValueSet(s.digits.length)));
    values.add(Number(s.digits));
  }

  private unlinkDigits(ref: string): void {
    const s = shapeOf(ref);
    if (!s || s.digits.length > MAX_NUMERIC_DIGITS) return;
    const lens = this.digitValues.get(s.prefix);
    const values = lens?.get(s.digits.length);
    if (!lens || !values) return;
    values.delete(Number(s.digits));
    if (values.size === 0) lens.delete(s.digits.length);
    if (lens.size === 0) this.digitValues.delete(s.prefix);
  }

  get(id: string): IndexedItem | undefined {
    return this.items.get(id);
  }

  byReference(normalized: string): IndexedItem[] {
    return this.resolve(this.byRef.get(normalized), Infinity);
  }

  byDebtorNameKey(key: string): IndexedItem[] {
    return this.resolve(this.byNameKey.get(key), this.config.lookupCap);
  }

  /** Items of a debtor (name key) whose open amount is exactly `minor`. */
  byDebtorNameKeyAndAmount(key: string, currency: string, minor: bigint): IndexedItem[] {
    return this.resolve(this.byNameKeyAmount.get(`${key}|${amountKey(currency, minor)}`), this.config.lookupCap);
  }

  /** Items with this IBAN on file whose open amount is exactly `minor`. */
  byDebtorIbanAndAmount(iban: string, currency: string, minor: bigint): IndexedItem[] {
    const n = normalizeIban(iban);
    return n ? this.resolve(this.byIbanAmount.get(`${n}|${amountKey(currency, minor)}`), this.config.lookupCap) : [];
  }

  /** Is this normalized reference an item's reference? */
  hasReference(normalized: string): boolean {
    return this.byRef.has(normalized);
  }

  byNameTokenCapped(token: string): IndexedItem[] {
    return this.resolve(this.byNameToken.get(token), this.config.lookupCap);
  }

  byDebtorIban(iban: string): IndexedItem[] {
    const n = normalizeIban(iban);
    return n ? this.resolve(this.byIban.get(n), this.config.lookupCap) : [];
  }

  byOpenAmountCapped(currency: string, minor: bigint): IndexedItem[] {
    return this.resolve(this.byOpenAmount.get(amountKey(currency, minor)), this.config.lookupCap);
  }

  hasPrefix(prefix: string): boolean {
    return this.schemes.hasPrefix(prefix);
  }

  plausibleLength(prefix: string, digitCount: number): boolean {
    return this.schemes.plausibleLength(prefix, digitCount);
  }

  maxDigits(): number {
    if (this.maxDigitsCache === undefined) {
      let m = 0;
      for (const lens of this.schemes.lengthsByPrefix.values()) for (const l of lens.keys()) m = Math.max(m, l);
      this.maxDigitsCache = m;
    }
    return this.maxDigitsCache;
  }

  /**
   * Items one keying slip away from `normalized` (letters prefix kept, digits edited; every kind of
   * NearMissKind), plus items whose digits match exactly under a prefix the payer left out.
   * O(length × 20) map lookups, whatever the number of items.
   */
  nearMisses(normalized: string): NearMissHit[] {
    const s = shapeOf(normalized);
    if (!s) return [];
    const hits = new Map<string, NearMissHit>();
    const prefix = s.prefix;
    const probe = (digits: string, kind: NearMissKind): void => this.probeInto(hits, prefix + digits, kind);
    const d = s.digits;
    const n = d.length;
    // Only lengths some reference of this prefix has are probed: most of the ~20 × length
    // variants are skipped without building them.
    const lens = this.schemes.lengthsByPrefix.get(s.prefix);
    // Up to 15 digits, a variant is computed as a number and tested against the references' digit
    // values first: only a variant that is a reference is built as a string (same order, same hits).
    const numeric = n + 1 <= MAX_NUMERIC_DIGITS;
    const values = this.digitValues.get(s.prefix);
    const same = numeric ? values?.get(n) : undefined;
    const shorter = numeric ? values?.get(n - 1) : undefined;
    const longer = numeric ? values?.get(n + 1) : undefined;
    // Digits, place values, prefix and suffix values of the reference: scratch arrays of the index
    // (the search runs for every reference of every payment; nothing here outlives the call).
    const dv = this.scratch.dv;
    const w = this.scratch.w;
    const pre = this.scratch.pre;
    const suf = this.scratch.suf;
    if (numeric) {
      pre[0] = 0;
      suf[n] = 0;
      for (let i = 0; i < n; i++) {
        dv[i] = d.charCodeAt(i) - 48;
        w[i] = POW10[n - 1 - i]!;
        pre[i + 1] = pre[i]! * 10 + dv[i]!;
      }
      for (let i = n - 1; i >= 0; i--) suf[i] = dv[i]! * POW10[n - 1 - i]! + suf[i + 1]!;
    }
    const value = numeric ? pre[n]! : 0;
    if (lens?.has(n) && (!numeric || same)) {
      // Where the quoted reference passes a check digit that every item of its class (same prefix,
      // length and first two digits) passes too, a variant the check digit detects cannot be an
      // item: luhn, mod 11 and mod 97-10 detect every single substitution, mod 11 and mod 97-10
      // every swap of neighbours, luhn every swap but 09 ↔ 90. Only such variants are skipped, and
      // only behind the first two digits (a variant there belongs to another class). One hand-keyed
      // item that fails the check digit, and its class is searched in full again.
      const guard = this.detectingScheme(s.prefix, d);
      const from = guard ? 2 : 0;
      for (let i = 0; i < n; i++) {
        if (i >= from && guard) continue;
        // The nine substitutions of digit i all reduce to the same value without it: one test
        // rules them all out when no reference does.
        if (same && !same.mayReduceTo(pre[i]! * POW10[n - 1 - i]! + suf[i + 1]!)) continue;
        const di = d.charCodeAt(i);
        for (let c = 48; c <= 57; c++) {
          if (c === di) continue;
          if (same && !same.has(value + (c - 48 - dv[i]!) * w[i]!)) continue;
          probe(d.slice(0, i) + String.fromCharCode(c) + d.slice(i + 1), 'substitution');
        }
      }
      for (let i = 0; i + 1 < n; i++) {
        if (d[i] === d[i + 1]) continue;
        if (guard && i >= from && (guard !== 'luhn' || !((d[i] === '0' && d[i + 1] === '9') || (d[i] === '9' && d[i + 1] === '0')))) continue;
        if (same && !same.has(value + (dv[i + 1]! - dv[i]!) * (w[i]! - w[i + 1]!))) continue;
        probe(d.slice(0, i) + d[i + 1] + d[i] + d.slice(i + 2), 'transposition');
      }
      for (let i = 0; i + 2 < n; i++) {
        if (d[i] === d[i + 2]) continue;
        if (same && !same.has(value + (dv[i + 2]! - dv[i]!) * (w[i]! - w[i + 2]!))) continue;
        probe(d.slice(0, i) + d[i + 2] + d[i + 1] + d[i] + d.slice(i + 3), 'jump-transposition');
      }
      for (let i = 0; i + 1 < n; i++) {
        if (d[i] !== d[i + 1]) continue;
        const di = d.charCodeAt(i);
        for (let c = 48; c <= 57; c++) {
          if (c === di) continue;
          if (same && !same.has(value + (c - 48 - dv[i]!) * (w[i]! + w[i + 1]!))) continue;
          const ch = String.fromCharCode(c);
          probe(d.slice(0, i) + ch + ch + d.slice(i + 2), 'twin');
        }
      }
    }
    if (lens?.has(n - 1) && (!numeric || shorter)) {
      for (let i = 0; i < n; i++) {
        if (i > 0 && d[i] === d[i - 1]) continue;
        if (shorter && !shorter.has(pre[i]! * POW10[n - 1 - i]! + suf[i + 1]!)) continue;
        probe(d.slice(0, i) + d.slice(i + 1), 'deletion');
      }
    }
    // Every reference one inserted digit longer reduces to the token by deleting that digit.
    if (lens?.has(n + 1) && (!numeric || (longer && longer.mayReduceTo(value)))) {
      for (let i = 0; i <= n; i++) {
        const before = i > 0 ? d.charCodeAt(i - 1) : -1;
        for (let c = 48; c <= 57; c++) {
          // Inserting the digit already at i gives the same string as inserting it at i + 1.
          if (c === before) continue;
          if (longer && !longer.has(pre[i]! * POW10[n + 1 - i]! + (c - 48) * POW10[n - i]! + suf[i]!)) continue;
          probe(d.slice(0, i) + String.fromCharCode(c) + d.slice(i), 'insertion');
        }
      }
    }
    if (s.prefix === '') {
      let k = 0;
      for (const [prefix, lens] of this.schemes.lengthsByPrefix) {
        if (prefix === '' || !lens.has(d.length) || k++ > 50) continue;
        for (const e of this.byRef.get(prefix + d) ?? []) {
          if (!hits.has(e.item.id)) hits.set(e.item.id, { entry: e, kind: 'prefix-omitted' });
        }
      }
    }
    return [...hits.values()];
  }

  private probeInto(hits: Map<string, NearMissHit>, ref: string, kind: NearMissKind): void {
    const entries = this.byRef.get(ref);
    if (!entries) return;
    for (const e of entries) if (!hits.has(e.item.id)) hits.set(e.item.id, { entry: e, kind });
  }

  /** The check digit (luhn, mod 11, mod 97-10) the digits pass and every item of their class passes. */
  private detectingScheme(prefix: string, digits: string): 'luhn' | 'mod11' | 'mod97-10' | undefined {
    for (const alg of ['luhn', 'mod11', 'mod97-10'] as const) {
      if (passes(alg, digits) && this.schemes.allPass(prefix, digits, alg)) return alg;
    }
    return undefined;
  }

  /**
   * The lists hold the entries themselves, not their ids: a lookup in a million items is one random
   * memory access fewer per item found.
   */
  private resolve(entries: Set<IndexedItem> | undefined, cap: number): IndexedItem[] {
    const out: IndexedItem[] = [];
    if (!entries) return out;
    for (const e of entries) {
      out.push(e);
      if (out.length >= cap) break;
    }
    return out;
  }

}

export function buildItemIndex(items: Iterable<MatchableItem>, config: MatchConfig = DEFAULT_MATCH_CONFIG): ItemIndex {
  const index = new ItemIndex(config);
  for (const item of items) index.upsert(item);
  return index;
}

/** Digit counts up to which a reference's digits are held as a number (exact below 2^53). */
const MAX_NUMERIC_DIGITS = 15;
const POW10: readonly number[] = Array.from({ length: MAX_NUMERIC_DIGITS + 2 }, (_, k) => 10 ** k);

function amountKey(currency: string, minor: bigint): string {
  return `${currency}:${minor}`;
}

function addTo(map: Map<string, Set<IndexedItem>>, key: string, e: IndexedItem): void {
  let s = map.get(key);
  if (!s) map.set(key, (s = new Set()));
  s.add(e);
}

function removeFrom(map: Map<string, Set<IndexedItem>>, key: string, e: IndexedItem): void {
  const s = map.get(key);
  if (!s) return;
  s.delete(e);
  if (s.size === 0) map.delete(key);
}
