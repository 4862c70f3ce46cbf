/**
 * The warnings of one document or one import, bounded. A file in which every entry draws the same
 * kind of warning (10^6 amounts without Ccy, each naming its line) would otherwise hold a sentence
 * per entry in memory and in the stored import result. The first `max` distinct sentences are
 * kept; past them only a count is, and the list ends with a sentence saying how many were left out.
 */
export class WarningList {
  private readonly kept: string[] = [];
  private readonly seen = new Set<string>();
  private omitted = 0;

  constructor(private readonly max: number) {}

  push(...sentences: string[]): void {
    for (const s of sentences) {
      if (this.seen.has(s)) continue;
      if (this.kept.length >= this.max) {
        this.omitted++;
        continue;
      }
      this.seen.add(s);
      this.kept.push(s);
    }
  }

  has(sentence: string): boolean {
    return this.seen.has(sentence);
  }

  get size(): number {
    return this.kept.length + this.omitted;
  }

  /** The kept sentences in order, and a last one naming how many more there were. */
  list(): string[] {
    if (this.omitted === 0) return [...this.kept];
    return [...this.kept, `${this.omitted} further warnings are not listed (the first ${this.max} are; limit warningsListed)`];
  }
}
