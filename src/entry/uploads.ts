/**
 * Uploads on Node are received completely into a file before anything is written to the database.
 *
 * Why: an import that reads its file straight from the request holds the database's write lock
 * while it waits for the next chunk from the network; on SQLite every other write of the service
 * then waits for a stranger's upload speed and fails after the busy timeout (measured: each
 * POST /v1/items answered 500 after 15 s during a 20 MB upload). Spooled first, the import's
 * transaction only waits on the local disk.
 *
 * The byte limit is enforced while the body streams in, so a body above it is refused the moment it
 * crosses it, never stored whole. The folder also holds the queued imports (large files answered
 * 202): the file and its status record, as the R2 bucket does on Workers, so a restart resumes them.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LimitExceededError, ValidationError } from '../errors.js';
import type { QueuedImportStatus, UploadStore } from '../services/jobs/queuedImports.js';

/**
 * One folder per database: queued uploads found in it after a restart are imported into the
 * database they were sent to, never into another service's on the same machine.
 */
export function defaultUploadDir(databaseUrl: string): string {
  return join(tmpdir(), 'stadtkasse-uploads', createHash('sha256').update(databaseUrl).digest('hex').slice(0, 16));
}

/**
 * Writes the body to `path`, counting bytes; throws LimitExceededError as soon as it passes `limit`
 * (the partial file is removed). Resolves with the number of bytes written.
 */
export async function spoolToFile(source: AsyncIterable<Uint8Array> | Uint8Array, path: string, limit: number, file: string): Promise<number> {
  const out = createWriteStream(path, { flags: 'wx' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {});
  let bytes = 0;
  try {
    const chunks = source instanceof Uint8Array ? [source] : source;
    for await (const chunk of chunks) {
      bytes += chunk.byteLength;
      if (bytes > limit) throw new LimitExceededError('statementFileBytes', limit, bytes, { file }, `${file}: the file is larger than ${limit} bytes (limit statementFileBytes)`);
      if (!out.write(chunk)) await Promise.race([new Promise<void>((r) => out.once('drain', () => r())), failed]);
    }
    await Promise.race([new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r()))), failed]);
    return bytes;
  } catch (err) {
    out.destroy();
    rmSync(path, { force: true });
    if (err instanceof LimitExceededError) throw err;
    if ((err as NodeJS.ErrnoException).code && ['ENOSPC', 'EACCES', 'EROFS', 'EDQUOT'].includes((err as NodeJS.ErrnoException).code!)) throw err;
    // The client went away or sent a broken body: nothing was imported.
    throw new ValidationError(`${file}: the upload was interrupted after ${bytes} bytes (${(err as Error).message}); nothing was imported`, { file });
  }
}

/** Spooled uploads and the status of queued imports, as files in one folder. */
export class FileUploadStore implements UploadStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  dataPath(importId: string): string {
    return join(this.dir, `${safe(importId)}.upload`);
  }

  private statusPath(importId: string): string {
    return join(this.dir, `${safe(importId)}.status.json`);
  }

  /** A fresh path for an upload being received (inline imports use it and remove it afterwards). */
  spoolPath(id: string): string {
    return join(this.dir, `${safe(id)}.${process.pid}.spool`);
  }

  async put(importId: string, body: ReadableStream<Uint8Array>, bytes: number, status: QueuedImportStatus): Promise<void> {
    const written = await spoolToFile(body as unknown as AsyncIterable<Uint8Array>, this.dataPath(importId), bytes, status.fileName ?? 'upload');
    await this.setStatus({ ...status, bytes: written });
  }

  /** Takes a file already spooled (spoolPath) as a queued upload. */
  adopt(spooled: string, status: QueuedImportStatus): void {
    renameSync(spooled, this.dataPath(status.importId));
    this.writeStatus(status);
  }

  async open(importId: string): Promise<AsyncIterable<Uint8Array> | null> {
    if (!existsSync(this.dataPath(importId))) return null;
    return createReadStream(this.dataPath(importId), { highWaterMark: 256 * 1024 });
  }

  async status(importId: string): Promise<QueuedImportStatus | null> {
    if (!ID.test(importId)) return null;
    try {
      return JSON.parse(readFileSync(this.statusPath(importId), 'utf8')) as QueuedImportStatus;
    } catch {
      return null;
    }
  }

  async setStatus(status: QueuedImportStatus): Promise<void> {
    this.writeStatus(status);
    // Once decided, the file has done its work: the import keeps what it keeps of it (originalFile).
    if (status.state === 'completed' || status.state === 'failed') rmSync(this.dataPath(status.importId), { force: true });
  }

  /** Uploads whose import has not finished (after a restart: to be queued again). */
  unfinished(): QueuedImportStatus[] {
    const out: QueuedImportStatus[] = [];
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith('.status.json')) continue;
      try {
        const s = JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as QueuedImportStatus;
        if (s.state === 'queued' || s.state === 'running') out.push(s);
      } catch {
        // a status being rewritten at this moment: the next start sees it
      }
    }
    return out.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  }

  /** Removes leftovers of inline uploads whose process died (they were never imported). */
  removeStaleSpools(): void {
    for (const f of readdirSync(this.dir)) {
      const pid = /\.(\d+)\.spool$/.exec(f)?.[1];
      if (pid && !alive(Number(pid))) rmSync(join(this.dir, f), { force: true });
    }
  }

  private writeStatus(status: QueuedImportStatus): void {
    // Written beside and renamed: a reader never sees half a record.
    const tmp = `${this.statusPath(status.importId)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify(status));
    renameSync(tmp, this.statusPath(status.importId));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Ids come from newId(); anything else must not reach the file system as a path. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;

function safe(id: string): string {
  if (!ID.test(id)) throw new ValidationError(`"${id}" is not an import id`, { field: 'id' });
  return id;
}
