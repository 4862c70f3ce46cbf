/**
 * The digit values of one class of references (letters prefix and digit count), for the slip
 * search. Around every reference the matcher tests a few hundred variants, and almost none of them
 * is a reference; with a million references every test is a random memory access, and those
 * accesses were the matcher's cost. Two bit arrays answer "certainly not" before anything is
 * looked up, with the same answers as the Set alone (bits only ever say "maybe"):
 *
 * - one bit per value (32 bits of array per value: a false "maybe" for about 3 % of absent values),
 *   for the test of one variant;
 * - one bit per value with one digit deleted (the deletion neighbourhood: n entries for a value of
 *   n digits, 16 bits of array each), for a whole group of variants at once. The nine
 *   substitutions of digit i of a reference are all reduced to the same value by deleting digit
 *   i, and every reference one inserted digit longer than a token reduces to the token by deleting
 *   that digit. So one test rules out nine substitutions, and one test all ~10 × (n + 1) insertions.
 *
 * Bits are never cleared (a removed value may share its bits with another); removed values are
 * counted, and the bits are rebuilt from the Set when they are as many as the live ones, or when the
 * Set has outgrown the arrays.
 */
export class DigitValueSet {
  private readonly values = new Set<number>();
  private bits = new Int32Array(1 << (MIN_LOG2 - 5));
  private log2 = MIN_LOG2;
  private deletions = new Int32Array(1 << (MIN_LOG2 - 5));
  private deletionsLog2 = MIN_LOG2;
  private removed = 0;

  /** `digits`: the digit count of every value of the class (leading zeros included). */
  constructor(private readonly digits: number) {}

  get size(): number {
    return this.values.size;
  }

  has(v: number): boolean {
    const h = slot(v, this.log2);
    if ((this.bits[h >>> 5]! & (1 << (h & 31))) === 0) return false;
    return this.values.has(v);
  }

  /**
   * Might some value of the class, with one of its digits deleted, equal `reduced` (a value of
   * digits − 1 digits)? False means certainly not.
   */
  mayReduceTo(reduced: number): boolean {
    const h = slot(reduced, this.deletionsLog2);
    return (this.deletions[h >>> 5]! & (1 << (h & 31))) !== 0;
  }

  add(v: number): void {
    if (this.values.has(v)) return;
    this.values.add(v);
    if (this.values.size * BITS_PER_VALUE > 2 ** this.log2) this.rebuild();
    else this.mark(v);
  }

  delete(v: number): void {
    if (!this.values.delete(v)) return;
    if (++this.removed > Math.max(this.values.size, 1024)) this.rebuild();
  }

  private mark(v: number): void {
    const h = slot(v, this.log2);
    this.bits[h >>> 5]! |= 1 << (h & 31);
    // Deleting digit i (counted from the left, weight 10^(n-1-i)): the digits before it, shifted
    // down one place, plus the digits after it.
    const n = this.digits;
    let p = 1;
    for (let k = 0; k < n; k++) {
      // p = 10^k: deleting the digit of weight 10^k.
      const high = Math.floor(v / (p * 10));
      const low = v - Math.floor(v / p) * p;
      const r = slot(high * p + low, this.deletionsLog2);
      this.deletions[r >>> 5]! |= 1 << (r & 31);
      p *= 10;
    }
  }

  private rebuild(): void {
    this.log2 = log2For(this.values.size * BITS_PER_VALUE);
    this.bits = new Int32Array(1 << Math.max(0, this.log2 - 5));
    this.deletionsLog2 = log2For(this.values.size * this.digits * BITS_PER_DELETION);
    this.deletions = new Int32Array(1 << Math.max(0, this.deletionsLog2 - 5));
    this.removed = 0;
    for (const v of this.values) this.mark(v);
  }
}

/** Bits per value: a false "maybe" for about 1 − e^(−1/32) ≈ 3 % of absent values. */
const BITS_PER_VALUE = 32;
/** Bits per deletion entry: a false "maybe" for about 1 − e^(−1/16) ≈ 6 % of absent groups. */
const BITS_PER_DELETION = 16;
/** 2^10 bits for a small class: 128 bytes. */
const MIN_LOG2 = 10;
const TWO_32 = 4294967296;

function log2For(bits: number): number {
  let log2 = MIN_LOG2;
  while (2 ** log2 < bits) log2++;
  return log2;
}

/** Bit index of a non-negative integer below 2^53 (mixes the high and low 32 bits). */
function slot(v: number, log2: number): number {
  const lo = v >>> 0;
  const hi = Math.floor(v / TWO_32) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> (32 - log2);
}
