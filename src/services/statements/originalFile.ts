/**
 * The bank file as delivered, kept for download (an auditor asks for "the file the bank sent").
 * Stored in chunks of CHUNK_BYTES in the import's own transaction, so a file is kept exactly when
 * its import is. Files above KEEP_MAX_BYTES are not kept (the import still runs): holding a large
 * file in memory until the transaction ends would cost more than it is worth, and the bank keeps
 * its own archive; the statement page then says the file was not kept.
 */
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { NotFoundError } from '../../errors.js';

/** Small enough for one row on every backend (D1 allows 2 MB per value). */
export const CHUNK_BYTES = 512 * 1024;
export const KEEP_MAX_BYTES = 50 * 1024 * 1024;

/** Collects the chunks of a file while it streams past, up to KEEP_MAX_BYTES. */
export class OriginalFileCollector {
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  private tooBig: boolean;

  /** `totalBytes`, when known up front: a file too big to keep is not collected at all. */
  constructor(totalBytes?: number) {
    this.tooBig = totalBytes !== undefined && totalBytes > KEEP_MAX_BYTES;
  }

  add(chunk: Uint8Array): void {
    if (this.tooBig) return;
    this.bytes += chunk.byteLength;
    if (this.bytes > KEEP_MAX_BYTES) {
      this.tooBig = true;
      this.chunks = [];
      return;
    }
    // The reader may reuse its buffer: keep a copy.
    this.chunks.push(chunk.slice());
  }

  /** Writes the file in CHUNK_BYTES rows; nothing when it was too big to keep. */
  async store(tx: Tx, importId: string): Promise<boolean> {
    if (this.tooBig) return false;
    const whole = new Uint8Array(this.bytes);
    let at = 0;
    for (const c of this.chunks) {
      whole.set(c, at);
      at += c.byteLength;
    }
    this.chunks = [];
    const count = Math.max(1, Math.ceil(whole.byteLength / CHUNK_BYTES));
    for (let position = 0; position < count; position++) {
      await tx.statementFileChunk.create({ data: { importId, position, bytes: whole.slice(position * CHUNK_BYTES, (position + 1) * CHUNK_BYTES) } });
    }
    return true;
  }
}

export interface OriginalFile {
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
}

/** The bytes an import kept of its file, put together from their chunks; null when none were kept. */
export async function readStoredFile(ctx: Ctx, importId: string): Promise<{ bytes: Uint8Array; zip: boolean } | null> {
  const chunks = await ctx.db.prisma.statementFileChunk.findMany({ where: { importId }, orderBy: { position: 'asc' } });
  if (chunks.length === 0) return null;
  const bytes = new Uint8Array(chunks.reduce((s, c) => s + c.bytes.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c.bytes, at);
    at += c.bytes.byteLength;
  }
  return { bytes, zip: bytes[0] === 0x50 && bytes[1] === 0x4b };
}

/** The original file a statement came in, or NotFoundError (unknown statement, or file not kept). */
export async function getStatementOriginalFile({ ctx, input }: { ctx: Ctx; input: { statementId: string } }): Promise<OriginalFile> {
  const statement = await ctx.db.prisma.statement.findUnique({ where: { id: input.statementId }, select: { importId: true, import: { select: { fileName: true } } } });
  if (!statement) throw new NotFoundError('statement', input.statementId);
  const stored = await readStoredFile(ctx, statement.importId);
  if (!stored) throw new NotFoundError('original file of statement', input.statementId);
  const { bytes, zip } = stored;
  const fileName = statement.import.fileName ?? `statement-${statement.importId}.${zip ? 'zip' : 'xml'}`;
  return { fileName, contentType: zip ? 'application/zip' : 'application/xml', bytes };
}

/** Whether the original file of a statement's import was kept. */
export async function hasOriginalFile({ ctx, input }: { ctx: Ctx; input: { importId: string } }): Promise<boolean> {
  return (await ctx.db.prisma.statementFileChunk.count({ where: { importId: input.importId, position: 0 } })) > 0;
}
