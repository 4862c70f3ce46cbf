import { DEFAULT_MATCH_CONFIG, type MatchConfig } from './config.js';
import { debtorNameKey, normalizeIban, normalizeReference, significantTokens } from './names.js';
import { SchemeLearner, shapeOf } from './schemes.js';
import type { MatchableItem } from './types.js';

/**
 * The open items in the shape the matcher asks questions of. Every lookup is a hash-map access or
 * a bounded number of them, so a lookup costs the same with 1,000 or 1,000,000 items:
 * - exact reference: one map access;
 * - near miss: the candidate's variants (one substitution, adjacent swap, deletion, insertion:
 *   about 20 × length of them) are generated and each is looked up; independent of N;
 * - by debtor name key, name token, IBAN and open amount: capped lists.
 * Items can be added and updated one by one while the service runs (`upsert`, `remove`).
 */

export interface IndexedItem {
  item: MatchableItem;
  /** Normalized reference. */
  ref: string;
  nameKey: string;
  /** Insertion order: among equal claims the older one is paid first (§ 366 Abs. 2 BGB). */
  seq: number;
}

export type NearMissKind = 'substitution' | 'transposition' | 'deletion' | 'insertion' | 'prefix-omitted';

export interface NearMissHit {
  entry: IndexedItem;
  kind: NearMissKind;
}

export class ItemIndex {
  private readonly items = new Map<string, IndexedItem>();
  private readonly byRef = new Map<string, Set<string>>();
  private readonly byNameKey = new Map<string, Set<string>>();
  private readonly byNameToken = new Map<string, Set<string>>();
  private readonly byIban = new Map<string, Set<string>>();
  private readonly byOpenAmount = new Map<string, Set<string>>();
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
      seq: old ? old.seq : this.seq++,
    };
    this.items.set(item.id, entry);
    addTo(this.byRef, entry.ref, item.id);
    addTo(this.byNameKey, entry.nameKey, item.id);
    for (const t of significantTokens(item.debtorName)) if (t.length >= 3) addTo(this.byNameToken, t, item.id);
    const iban = normalizeIban(item.debtorIban);
    if (iban) addTo(this.byIban, iban, item.id);
    addTo(this.byOpenAmount, amountKey(item.currency, item.openMinor), item.id);
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
    const id = e.item.id;
    removeFrom(this.byRef, e.ref, id);
    removeFrom(this.byNameKey, e.nameKey, id);
    for (const t of significantTokens(e.item.debtorName)) if (t.length >= 3) removeFrom(this.byNameToken, t, id);
    const iban = normalizeIban(e.item.debtorIban);
    if (iban) removeFrom(this.byIban, iban, id);
    removeFrom(this.byOpenAmount, amountKey(e.item.currency, e.item.openMinor), id);
    this.schemes.add(e.ref, -1);
    this.maxDigitsCache = undefined;
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
   * Items one keying slip away from `normalized` (letters prefix kept, digits edited), plus items
   * whose digits match exactly under a prefix the payer left out. O(length × 10) map lookups.
   */
  nearMisses(normalized: string): NearMissHit[] {
    const s = shapeOf(normalized);
    if (!s) return [];
    const hits = new Map<string, NearMissHit>();
    const seen = new Set<string>([s.digits]);
    const probe = (digits: string, kind: NearMissKind): void => {
      if (seen.has(digits)) return;
      seen.add(digits);
      const ids = this.byRef.get(s.prefix + digits);
      if (!ids) return;
      for (const id of ids) {
        const e = this.items.get(id);
        if (e && !hits.has(id)) hits.set(id, { entry: e, kind });
      }
    };
    const d = s.digits;
    for (let i = 0; i < d.length; i++) {
      for (let c = 48; c <= 57; c++) {
        const ch = String.fromCharCode(c);
        if (ch !== d[i]) probe(d.slice(0, i) + ch + d.slice(i + 1), 'substitution');
      }
    }
    for (let i = 0; i + 1 < d.length; i++) {
      if (d[i] !== d[i + 1]) probe(d.slice(0, i) + d[i + 1] + d[i] + d.slice(i + 2), 'transposition');
    }
    for (let i = 0; i < d.length; i++) probe(d.slice(0, i) + d.slice(i + 1), 'deletion');
    for (let i = 0; i <= d.length; i++) {
      for (let c = 48; c <= 57; c++) probe(d.slice(0, i) + String.fromCharCode(c) + d.slice(i), 'insertion');
    }
    if (s.prefix === '') {
      let n = 0;
      for (const [prefix, lens] of this.schemes.lengthsByPrefix) {
        if (prefix === '' || !lens.has(d.length) || n++ > 50) continue;
        for (const id of this.byRef.get(prefix + d) ?? []) {
          const e = this.items.get(id);
          if (e && !hits.has(id)) hits.set(id, { entry: e, kind: 'prefix-omitted' });
        }
      }
    }
    return [...hits.values()];
  }

  private resolve(ids: Set<string> | undefined, cap: number): IndexedItem[] {
    const out: IndexedItem[] = [];
    if (!ids) return out;
    for (const id of ids) {
      const e = this.items.get(id);
      if (e) out.push(e);
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

function amountKey(currency: string, minor: bigint): string {
  return `${currency}:${minor}`;
}

function addTo(map: Map<string, Set<string>>, key: string, id: string): void {
  let s = map.get(key);
  if (!s) map.set(key, (s = new Set()));
  s.add(id);
}

function removeFrom(map: Map<string, Set<string>>, key: string, id: string): void {
  const s = map.get(key);
  if (!s) return;
  s.delete(id);
  if (s.size === 0) map.delete(key);
}
