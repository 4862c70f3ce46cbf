import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { LimitExceededError, UnsupportedFormatError, ValidationError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { balanceCheckOf } from './checks.js';
import { DocumentReader, type CamtEvent, type FileCounters, type Limits } from './document.js';
import type { CamtMessage, Statement } from './model.js';
import { ByteDecoder } from './xml/encoding.js';

export type { CamtEvent } from './document.js';

export interface CamtReadOptions {
  /** Name shown in errors and events (upload name, CLI path). */
  fileName?: string;
  /**
   * Overrides of the named limits (tests, a CLI flag). Typed with plain numbers rather than
   * Partial<typeof LIMITS>, whose `as const` literal types would only admit the defaults.
   */
  limits?: Partial<{ [K in keyof typeof LIMITS]: number }>;
  onProgress?: (p: { bytes: number; entries: number }) => void;
}

/**
 * Bytes handed to the decoder at once (a larger chunk from the source is cut). 16 KB hold about
 * a dozen entries, ~1.5 ms of work: the event loop gets a turn at least that often.
 */
const SLICE = 16 * 1024;
/** Compressed bytes pushed into the unzipper at once: bounds what one push can inflate to. */
const ZIP_SLICE = 16 * 1024;
/** Give the event loop a turn after this much work, so an HTTP server stays responsive. */
const PAUSE_AFTER_MS = 2;
/** …and after this many events, for runtimes whose clock stands still during work (Workers). */
const PAUSE_AFTER_EVENTS = 1000;

/**
 * Reads a camt.052/053/054 file – plain XML, a ZIP of XML documents (DFÜ-Abkommen Anlage 3), or
 * a document wrapped with a business application header – as a stream of events. Memory stays
 * bounded by the largest single entry, whatever the file size. Throws ValidationError,
 * UnsupportedFormatError or LimitExceededError; never throws on a broken balance (see
 * `recordEnd.check`).
 */
export async function* readCamt(
  source: AsyncIterable<Uint8Array> | Uint8Array | string,
  opts: CamtReadOptions = {},
): AsyncGenerator<CamtEvent> {
  const limits: Limits = { ...LIMITS, ...opts.limits };
  const file = opts.fileName ?? 'camt.xml';
  const progress = { bytes: 0, entries: 0 };
  const counters: FileCounters = { entries: 0 };
  const pacer = new Pacer();
  const report = (): void => {
    progress.entries = counters.entries;
    opts.onProgress?.({ ...progress });
  };

  if (typeof source === 'string') {
    if (source.length > limits.statementFileBytes) throw tooBig(file, limits, source.length);
    const doc = new DocumentReader(file, limits, counters);
    const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
    for (let o = 0; o < text.length; o += SLICE) {
      progress.bytes = Math.min(o + SLICE, text.length);
      yield* pacer.emit(doc.push(text.slice(o, o + SLICE)));
      report();
    }
    yield* pacer.emit(doc.end());
    report();
    return;
  }

  const chunks = sliced(source, file, limits, progress);
  const head = await peek(chunks, 4);
  if (head.bytes.length === 0) {
    throw new ValidationError(`${file}: the file is empty`, { file });
  }
  const isZip = head.bytes[0] === 0x50 && head.bytes[1] === 0x4b && head.bytes[2] === 0x03 && head.bytes[3] === 0x04;
  if (isZip) {
    yield* readZip(head.rest, file, limits, counters, pacer, report);
    return;
  }
  const decoder = new ByteDecoder(file);
  const doc = new DocumentReader(file, limits, counters);
  let warned = false;
  const noteEncoding = (): void => {
    if (!warned && decoder.warning) {
      warned = true;
      doc.warn(decoder.warning);
    }
  };
  for await (const bytes of head.rest) {
    const text = decoder.push(bytes);
    noteEncoding();
    yield* pacer.emit(doc.push(text));
    report();
  }
  const rest = decoder.end();
  noteEncoding();
  yield* pacer.emit(doc.push(rest));
  yield* pacer.emit(doc.end());
  report();
}

/** Reads everything into memory: for small inputs and tests. */
export async function parseCamt(source: Uint8Array | string, opts: CamtReadOptions = {}): Promise<CamtMessage[]> {
  const messages: CamtMessage[] = [];
  let message: CamtMessage | undefined;
  let statement: Statement | undefined;
  for await (const ev of readCamt(source, opts)) {
    switch (ev.type) {
      case 'document':
        message = { ...ev.header, statements: [], warnings: [] };
        messages.push(message);
        break;
      case 'record':
        statement = { ...ev.header, entries: [] };
        message!.statements.push(statement);
        break;
      case 'entry':
        statement!.entries.push(ev.entry);
        break;
      case 'recordEnd': {
        const entries = statement!.entries;
        Object.assign(statement!, ev.header, { entries, check: ev.check });
        statement = undefined;
        break;
      }
      case 'documentEnd':
        message!.warnings = ev.warnings;
        message = undefined;
        break;
    }
  }
  return messages;
}

export { balanceCheckOf };

class Pacer {
  private last = now();
  private events = 0;

  async *emit(events: CamtEvent[]): AsyncGenerator<CamtEvent> {
    for (const e of events) {
      yield e;
      if (++this.events >= PAUSE_AFTER_EVENTS || now() - this.last >= PAUSE_AFTER_MS) await this.pause();
    }
    if (now() - this.last >= PAUSE_AFTER_MS) await this.pause();
  }

  private async pause(): Promise<void> {
    await yieldToEventLoop();
    this.events = 0;
    this.last = now();
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/**
 * A macrotask turn, so timers and sockets of the host run between two slices of parsing.
 * setImmediate where the runtime has it (Node, Bun: no 1 ms clamp), setTimeout elsewhere.
 */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  return new Promise((resolve) => {
    if (typeof g.setImmediate === 'function') g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

function tooBig(file: string, limits: Limits, actual: number): LimitExceededError {
  return new LimitExceededError('statementFileBytes', limits.statementFileBytes, actual, { file },
    `${file} is larger than the limit statementFileBytes of ${limits.statementFileBytes} bytes`);
}

/** The source as slices of at most SLICE bytes, counting bytes against statementFileBytes. */
async function* sliced(
  source: AsyncIterable<Uint8Array> | Uint8Array,
  file: string,
  limits: Limits,
  progress: { bytes: number },
): AsyncGenerator<Uint8Array> {
  const iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = source instanceof Uint8Array ? [source] : source;
  for await (const chunk of iterable) {
    const bytes = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk as ArrayBufferLike);
    for (let o = 0; o < bytes.length; o += SLICE) {
      const part = bytes.subarray(o, o + SLICE);
      progress.bytes += part.length;
      if (progress.bytes > limits.statementFileBytes) throw tooBig(file, limits, progress.bytes);
      yield part;
    }
  }
}

/** At least `n` first bytes (fewer only for a shorter source), and the full stream again. */
async function peek(chunks: AsyncGenerator<Uint8Array>, n: number): Promise<{ bytes: Uint8Array; rest: AsyncGenerator<Uint8Array> }> {
  const held: Uint8Array[] = [];
  let length = 0;
  while (length < n) {
    const r = await chunks.next();
    if (r.done) break;
    held.push(r.value);
    length += r.value.length;
  }
  const bytes = new Uint8Array(length);
  let o = 0;
  for (const h of held) {
    bytes.set(h, o);
    o += h.length;
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    for (const h of held) yield h;
    yield* chunks;
  }
  return { bytes, rest: rest() };
}

/**
 * A ZIP container (DFÜ-Abkommen Anlage 3: one XML document per member). Inflated as a stream with
 * fflate's Unzip: each 16 KB of compressed input is pushed, whatever it inflates to is read at
 * once, so neither the archive nor a member is ever held whole. zipMembers and
 * zipUncompressedBytes stop zip bombs; directories and macOS resource forks are skipped.
 */
async function* readZip(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
  limits: Limits,
  counters: FileCounters,
  pacer: Pacer,
  report: () => void,
): AsyncGenerator<CamtEvent> {
  const queue: CamtEvent[] = [];
  let failure: unknown;
  let members = 0;
  let finished = 0;
  let uncompressed = 0;
  let open: string | undefined;
  const warnedMembers = new Set<string>();
  const unzip = new Unzip((f: UnzipFile) => {
    if (failure !== undefined) return;
    const base = f.name.split('/').pop() ?? '';
    if (f.name.endsWith('/') || f.name.startsWith('__MACOSX/') || base.startsWith('._')) return;
    members++;
    if (members > limits.zipMembers) {
      failure = new LimitExceededError('zipMembers', limits.zipMembers, members, { file },
        `${file} holds more than ${limits.zipMembers} documents (limit zipMembers)`);
      return;
    }
    const name = `${file}!/${f.name}`;
    if (f.compression !== 0 && f.compression !== 8) {
      failure = new UnsupportedFormatError(`${name}: ZIP compression method ${f.compression} is not supported (only stored and deflate are)`, { file: name });
      return;
    }
    const decoder = new ByteDecoder(name);
    const doc = new DocumentReader(name, limits, counters);
    open = name;
    f.ondata = (err, data, final) => {
      if (failure !== undefined) return;
      try {
        if (err) throw new ValidationError(`${name}: the ZIP member cannot be inflated (${err.message})`, { file: name });
        uncompressed += data.length;
        if (uncompressed > limits.zipUncompressedBytes) {
          throw new LimitExceededError('zipUncompressedBytes', limits.zipUncompressedBytes, uncompressed, { file: name },
            `${file} inflates to more than ${limits.zipUncompressedBytes} bytes (limit zipUncompressedBytes), reached in ${f.name}`);
        }
        const text = decoder.push(data);
        if (decoder.warning && !warnedMembers.has(name)) {
          warnedMembers.add(name);
          doc.warn(decoder.warning);
        }
        for (const e of doc.push(text)) queue.push(e);
        if (final) {
          const rest = decoder.end();
          if (decoder.warning && !warnedMembers.has(name)) {
            warnedMembers.add(name);
            doc.warn(decoder.warning);
          }
          for (const e of doc.push(rest)) queue.push(e);
          for (const e of doc.end()) queue.push(e);
          finished++;
          open = undefined;
        }
      } catch (e) {
        failure = e;
        f.terminate();
      }
    };
    f.start();
  });
  unzip.register(UnzipInflate);

  const drain = function* (): Generator<CamtEvent> {
    for (let i = 0; i < queue.length; i++) yield queue[i]!;
    queue.length = 0;
  };
  for await (const chunk of chunks) {
    for (let o = 0; o < chunk.length; o += ZIP_SLICE) {
      try {
        unzip.push(chunk.subarray(o, o + ZIP_SLICE));
      } catch (e) {
        failure ??= new ValidationError(`${file}: the ZIP container is damaged (${(e as Error).message})`, { file });
      }
      if (failure !== undefined) throw failure;
      yield* pacer.emit([...drain()]);
    }
    report();
  }
  try {
    unzip.push(new Uint8Array(0), true);
  } catch (e) {
    failure ??= new ValidationError(`${file}: the ZIP container is damaged (${(e as Error).message})`, { file });
  }
  if (failure !== undefined) throw failure;
  yield* pacer.emit([...drain()]);
  if (open !== undefined) {
    throw new ValidationError(`${open}: the ZIP member is truncated (the container ends inside it)`, { file: open });
  }
  if (finished === 0) {
    throw new ValidationError(`${file}: the ZIP container holds no document`, { file });
  }
  report();
}
