/**
 * The Node read-ahead of an import (src/services/statements/readAhead.ts): the reader's events in
 * a file, each as a length-prefixed V8 serialization (bigint amounts stay bigint), written and
 * read back in blocks, so memory does not grow with the statement. The file is named like an
 * upload spool (`<id>.<pid>.spool`): a process that dies mid-import leaves it for the next start
 * to remove (uploads.ts, removeStaleSpools).
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import type { KeptEvent, ReadAhead, ReadAheadFactory } from '../services/statements/readAhead.js';
import { newId } from '../services/shared/ids.js';

const BLOCK = 1024 * 1024;

export function fileReadAhead(pathFor: (id: string) => string): ReadAheadFactory {
  return () => new FileReadAhead(pathFor(`${newId()}-events`));
}

class FileReadAhead implements ReadAhead {
  private file: Promise<FileHandle> | undefined;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private discarded = false;

  constructor(private readonly path: string) {}

  async add(event: KeptEvent): Promise<void> {
    const body = serialize(event);
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32LE(body.length, 0);
    this.buffered.push(head, body);
    this.bufferedBytes += 4 + body.length;
    if (this.bufferedBytes >= BLOCK) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.bufferedBytes === 0) return;
    this.file ??= open(this.path, 'w+');
    const f = await this.file;
    const block = Buffer.concat(this.buffered, this.bufferedBytes);
    this.buffered = [];
    this.bufferedBytes = 0;
    await f.write(block, 0, block.length, null);
  }

  async *replay(): AsyncIterable<KeptEvent> {
    await this.flush();
    if (!this.file) return;
    const f = await this.file;
    let position = 0;
    let rest = Buffer.alloc(0);
    for (;;) {
      const block = Buffer.allocUnsafe(BLOCK);
      const { bytesRead } = await f.read(block, 0, BLOCK, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const data = rest.length > 0 ? Buffer.concat([rest, block.subarray(0, bytesRead)]) : block.subarray(0, bytesRead);
      let at = 0;
      while (data.length - at >= 4) {
        const size = data.readUInt32LE(at);
        if (data.length - at - 4 < size) break;
        yield deserialize(data.subarray(at + 4, at + 4 + size)) as KeptEvent;
        at += 4 + size;
      }
      // An event cut by the end of the block is completed by the next one.
      rest = data.subarray(at);
    }
    if (rest.length > 0) throw new Error(`read-ahead ${this.path}: ${rest.length} bytes left after the last event`);
  }

  async discard(): Promise<void> {
    if (this.discarded) return;
    this.discarded = true;
    this.buffered = [];
    if (this.file) await (await this.file).close().catch(() => {});
    await rm(this.path, { force: true });
  }
}
