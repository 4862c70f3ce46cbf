/**
 * Reading a file before writing it: where the events of the reader are kept between the two.
 *
 * Reading a 20 MB statement is most of its import (measured on this 2-core machine: 8.4 s of the
 * 19.6 s of the whole import, under load), and it waits on nothing the database holds. With a
 * read-ahead the import reads, checks and hashes the whole file first, keeping the reader's events
 * here, and only then opens its write transaction and writes what it kept: SQLite's one writer
 * (src/db/writerQueue.ts) is held for the writing only, a file the reader refuses (malformed, a
 * limit, broken balances) never takes it, and a file imported before is answered without it.
 *
 * The runtime provides it (Node: a file beside the uploads, src/entry/readAheadFile.ts). Without
 * one the file is read inside the transaction, as the reader streams it.
 */
import type { CamtEvent } from '../../camt/index.js';

/**
 * An event as kept: an entry with its content digest, a statement's end with the SHA-256 over its
 * entries' content — computed while reading (they depend on the file alone), not while writing.
 */
export type KeptEvent =
  | Exclude<CamtEvent, { type: 'entry' | 'recordEnd' }>
  | (Extract<CamtEvent, { type: 'entry' }> & { digest: string })
  | (Extract<CamtEvent, { type: 'recordEnd' }> & { entriesHash: Uint8Array });

export interface ReadAhead {
  /** Keeps one event, in order. */
  add(event: KeptEvent): Promise<void>;
  /** The events kept, in the order added (called once, after the last add). */
  replay(): AsyncIterable<KeptEvent>;
  /** Removes what was kept; called exactly once, whatever happened. */
  discard(): Promise<void>;
}

export type ReadAheadFactory = () => ReadAhead;
