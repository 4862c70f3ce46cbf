/**
 * A byte stream cut into rows of a fixed size as it passes, the way kept files (a statement as
 * delivered, a run's SEPA file) are stored: full rows as they fill, then the part-filled last one;
 * an empty stream is one empty row, a stream of whole rows has no empty last row.
 */
export class RowCutter {
  private row: Uint8Array<ArrayBuffer>;
  private filled = 0;
  private rows = 0;

  constructor(private readonly size: number) {
    this.row = new Uint8Array(size);
  }

  /** The rows `bytes` fills, each a buffer of its own (copied: the caller may reuse `bytes`). */
  *push(bytes: Uint8Array): Generator<Uint8Array<ArrayBuffer>> {
    let at = 0;
    while (at < bytes.byteLength) {
      const n = Math.min(bytes.byteLength - at, this.size - this.filled);
      this.row.set(bytes.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === this.size) {
        const full = this.row;
        this.row = new Uint8Array(this.size);
        this.filled = 0;
        this.rows++;
        yield full;
      }
    }
  }

  /** The last row (its own copy), or null when the stream ended on a whole row. */
  end(): Uint8Array<ArrayBuffer> | null {
    if (this.filled === 0 && this.rows > 0) return null;
    const last = this.row.slice(0, this.filled);
    this.filled = 0;
    this.rows++;
    return last;
  }
}
