/**
 * The file of a refund or collection run, kept as released: written in chunks of FILE_CHUNK_BYTES
 * (SepaFileChunk rows, in the release's transaction) while it is produced, its SHA-256 computed as
 * the bytes pass, and read back chunk by chunk, for the check at release, for every download and
 * for the outbox. No step holds the whole file: a pain.008 of 100,000 debits is 50 MB, and as one
 * text column it existed whole in memory several times over (written, hashed, read back, stored,
 * fetched: 1.5 GB peak).
 *
 * Runs released before files were chunked keep theirs in the run's `fileContent`; they are read
 * from there, the same way.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { Tx } from '../../db/database.js';
import { toHex } from '../shared/ids.js';
import { RowCutter } from '../shared/rows.js';

/** Small enough for one value on every backend, large enough that a 50 MB file is 100 rows. */
export const FILE_CHUNK_BYTES = 512 * 1024;
/** Text collected before it is encoded (encoding each 500-byte transaction alone costs more). */
const TEXT_BATCH_CHARS = 64 * 1024;
/** Chunks read per query: 2 MB. */
const CHUNKS_PER_READ = 4;

/** Writes a run's file in chunks as its text arrives; `end` answers its hash and size. */
export class RunFileWriter {
  private readonly hash = sha256.create();
  private readonly encoder = new TextEncoder();
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly rows = new RowCutter(FILE_CHUNK_BYTES);
  private position = 0;
  private bytes = 0;

  constructor(
    private readonly tx: Tx,
    private readonly runId: string,
  ) {}

  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= TEXT_BATCH_CHARS) await this.encodePending();
  }

  async end(): Promise<{ sha256: string; bytes: number; chunks: number }> {
    await this.encodePending();
    const last = this.rows.end();
    if (last) await this.store(last);
    return { sha256: toHex(this.hash.digest()), bytes: this.bytes, chunks: this.position };
  }

  private async encodePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const bytes = this.encoder.encode(this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
    this.hash.update(bytes);
    this.bytes += bytes.byteLength;
    for (const row of this.rows.push(bytes)) await this.store(row);
  }

  private async store(bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    await this.tx.sepaFileChunk.create({ data: { runId: this.runId, position: this.position++, bytes } });
  }
}

/** A run's released file as handed out: streamed from where it is kept. */
export interface RunFile {
  fileName: string;
  content: ReadableStream<Uint8Array>;
  sha256: string;
  /** 0 for the first fetch after release; n for the n-th copy. */
  copy: number;
}

/** What of a run tells where its file is. */
export interface KeptFile {
  id: string;
  fileContent: string | null;
}

/** The bytes of a run's file in order, a few chunks per query. */
export async function* runFileChunks(db: Tx, run: KeptFile): AsyncGenerator<Uint8Array> {
  if (run.fileContent !== null) {
    yield new TextEncoder().encode(run.fileContent);
    return;
  }
  for (let after = -1; ; ) {
    const rows = await db.sepaFileChunk.findMany({ where: { runId: run.id, position: { gt: after } }, orderBy: { position: 'asc' }, take: CHUNKS_PER_READ });
    if (rows.length === 0) return;
    for (const r of rows) {
      if (r.position !== after + 1) throw new Error(`invariant: chunk ${after + 1} of the file of run ${run.id} is missing`);
      after = r.position;
      yield r.bytes;
    }
  }
}

/** Passes the chunks on and, at the end, checks they are the file the run's hash names. */
export async function* hashChecked(chunks: AsyncIterable<Uint8Array>, expectedSha256: string, what: string): AsyncGenerator<Uint8Array> {
  const hash = sha256.create();
  for await (const c of chunks) {
    hash.update(c);
    yield c;
  }
  if (toHex(hash.digest()) !== expectedSha256) throw new Error(`invariant: the kept file of ${what} no longer has its SHA-256`);
}

/** Reads the whole kept file once and answers whether it still has `expectedSha256`. */
export async function keptFileIntact(db: Tx, run: KeptFile, expectedSha256: string): Promise<boolean> {
  const hash = sha256.create();
  for await (const c of runFileChunks(db, run)) hash.update(c);
  return toHex(hash.digest()) === expectedSha256;
}

/** A stream of the kept file for a response or a file on disk; it errors if the bytes no longer hash right. */
export function keptFileStream(db: Tx, run: KeptFile, expectedSha256: string, what: string): ReadableStream<Uint8Array> {
  const it = hashChecked(runFileChunks(db, run), expectedSha256, what);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await it.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await it.return(undefined);
    },
  });
}
