/**
 * One writer at a time per SQLite file, for every thread of this process, waited for without
 * blocking the event loop.
 *
 * Why: SQLite lets one connection write at a time. The server writes through two connections of
 * its own (db.transaction and the plain client, see node.ts) and an import thread has its own. A
 * connection that finds the write lock taken sits in SQLite's busy handler, which sleeps the whole
 * thread: measured, every `POST /v1/items` during a 20 MB import froze the server (healthz too)
 * for the 15 s busy timeout and then failed, and once the import thread was itself waiting for the
 * main thread to hand it the next chunk of the upload — a deadlock only the timeout broke.
 *
 * Here every write (a transaction from its BEGIN to its COMMIT or ROLLBACK, or a single write
 * statement outside one) first takes a ticket and awaits its turn, FIFO across threads (a ticket
 * lock in shared memory, woken with Atomics.waitAsync). When SQLite is asked for the write lock,
 * nobody else in the process holds it, so the busy handler only ever waits for another process
 * (the command line writing the same file).
 *
 * The tickets live in a SharedArrayBuffer handed to worker threads through the environment data
 * of worker_threads, so the import thread (src/entry/importThread.ts) queues in the same line
 * without being told. A database file maps to one of SLOTS slots by a hash of its path; two files
 * sharing a slot only share a queue.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';

const KEY = 'stadtkasse.sqliteWriterTickets';
const SLOTS = 64;

/** [next ticket, ticket being served] per slot. */
function sharedTickets(): Int32Array {
  let buffer = getEnvironmentData(KEY) as SharedArrayBuffer | undefined;
  if (!buffer) {
    buffer = new SharedArrayBuffer(SLOTS * 2 * 4);
    // Worker threads started from now on inherit it (Node clones a SharedArrayBuffer as shared).
    setEnvironmentData(KEY, buffer);
  }
  return new Int32Array(buffer);
}

let tickets: Int32Array | undefined;

type WaitAsync = (a: Int32Array, index: number, value: number) => { async: boolean; value: Promise<string> | string };

/** Marks the async context of a running write, to catch a second write that would wait on it. */
interface Holding {
  file: string;
  active: boolean;
}
const holding = new AsyncLocalStorage<Holding>();

export class WriterQueue {
  private readonly slot: number;
  private readonly t: Int32Array;

  constructor(readonly file: string) {
    this.t = tickets ??= sharedTickets();
    const path = resolve(file);
    let h = 2166136261;
    for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 16777619);
    this.slot = (h >>> 0) % SLOTS;
  }

  /** Waits for this thread's turn to write; returns the release function (call it exactly once). */
  async acquire(): Promise<() => void> {
    const inside = holding.getStore();
    if (inside?.active && inside.file === this.file) {
      // Waiting here would wait for ourselves until the transaction's timeout.
      throw new Error('a write through the database client was started inside a database transaction on the same SQLite file; write through the transaction (tx) instead');
    }
    const next = this.slot * 2;
    const serving = next + 1;
    const ticket = Atomics.add(this.t, next, 1);
    const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
    for (;;) {
      const now = Atomics.load(this.t, serving);
      if (now === ticket) break;
      const w = waitAsync(this.t, serving, now);
      if (w.async) await w.value;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      Atomics.add(this.t, serving, 1);
      Atomics.notify(this.t, serving);
    };
  }

  /**
   * Runs `fn` (the body of a database transaction that already holds the writer) so that a write
   * through another connection of the same file started inside it fails at once with a clear
   * error, instead of queueing behind the transaction that waits for it.
   */
  static inside<T>(file: string, fn: () => Promise<T>): Promise<T> {
    const mark: Holding = { file, active: true };
    return holding.run(mark, fn).finally(() => {
      mark.active = false;
    });
  }
}
