/**
 * The life of a SEPA run, the same for refund runs (pain.001) and collection runs (pain.008):
 * gathered by one person as a draft, released by a second (four-eyes) into one file, or cancelled
 * while a draft. Released once: the release claims the run under its version and status before
 * anything is written, so a second release at the same moment waits and is refused. The file is
 * kept with its SHA-256 (file.ts) and handed out as the same bytes every time; every fetch is
 * counted and all but the first are copies.
 *
 * What differs per kind (what a run holds, how its file is written, what cancelling gives back) is
 * in refunds/runs.ts and collections/runs.ts; what is the same is here, once, with a small store
 * per kind that reaches its table.
 */
import { actorLabel, type Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { writeAudit } from '../shared/audit.js';
import { decodeCursor, encodeCursor, pageLimit, type Page } from '../shared/paging.js';
import { keptFileIntact, keptFileStream, type RunFile } from './file.js';

/** What every run row has (RefundRun and CollectionRun share these columns). */
export interface RunRowBase {
  id: string;
  number: number;
  status: string;
  version: number;
  messageId: string;
  createdBy: string;
  releasedByName: string | null;
  releasedAt: Date | null;
  fileName: string | null;
  fileContent: string | null;
  fileSha256: string | null;
  downloads: number;
}

/** The conditions a run row is changed under, and the changes the lifecycle makes. */
export interface RunWhere {
  id: string;
  version?: number;
  status?: string;
  downloads?: number;
}
export interface RunChange {
  status?: 'released' | 'cancelled';
  releasedBy?: string;
  releasedByName?: string;
  releasedAt?: Date;
  fileName?: string;
  fileSha256?: string;
  cancelledBy?: string;
  cancelledAt?: Date;
  downloads?: { increment: number };
  version?: { increment: number };
}

/** One kind of run: its name in messages, its audit subject, and its table. */
export interface RunStore<R extends RunRowBase> {
  /** "refund run", "collection run" */
  what: string;
  subject: 'refund_run' | 'collection_run';
  find(tx: Tx, id: string): Promise<R | null>;
  findByNumber(tx: Tx, number: number): Promise<R | null>;
  findMany(tx: Tx, args: { where: { status?: string; downloads?: number; number?: { lt: number } }; orderBy: { number: 'asc' | 'desc' }; take: number }): Promise<R[]>;
  updateMany(tx: Tx, where: RunWhere, data: RunChange): Promise<number>;
}

export async function runRowOf<R extends RunRowBase>(store: RunStore<R>, tx: Tx, id: string): Promise<R> {
  const r = await store.find(tx, id);
  if (!r) throw new NotFoundError(store.what, id);
  return r;
}

/**
 * Refuses a release that must not happen: a run released already (its file is sent once), not a
 * draft, changed since the releaser read it, gathered by the releaser (four-eyes), or whose day
 * has passed (`dayPassed`: the sentence saying so, or null).
 */
export function assertReleasable<R extends RunRowBase>(store: RunStore<R>, ctx: Ctx, run: R, version: number | undefined, dayPassed: string | null): void {
  const name = `${store.what} ${run.number}`;
  if (run.status === 'released') throw new ConflictError(`${name} was released by ${run.releasedByName} at ${run.releasedAt?.toISOString()}; its file is sent once (fetch a copy from /file)`, { runStatus: run.status });
  if (run.status !== 'draft') throw new ConflictError(`${name} is ${run.status}`, { runStatus: run.status });
  if (version !== undefined && version !== run.version) throw new ConflictError(`${name} changed since you read it; reload it`, { currentVersion: run.version });
  if (run.createdBy === actorLabel(ctx.actor)) throw new ForbiddenError(`${name} was gathered by you; a second person releases it`);
  if (dayPassed) throw new ConflictError(`${name} ${dayPassed}`);
}

/**
 * Claims the run as released by the acting person, before its file is written: a second release
 * at the same moment waits for this one's row and is refused. Answers the file's name.
 */
export async function claimRelease<R extends RunRowBase>(store: RunStore<R>, tx: Tx, ctx: Ctx, run: R, now: Date): Promise<string> {
  const fileName = `${run.messageId}.xml`;
  const n = await store.updateMany(tx, { id: run.id, version: run.version, status: 'draft' }, { status: 'released', releasedBy: actorLabel(ctx.actor), releasedByName: ctx.actor.name, releasedAt: now, fileName, version: { increment: 1 } });
  if (n !== 1) throw new ConflictError(`${store.what} ${run.number} was released or changed by someone else at the same moment`);
  return fileName;
}

/** Records the hash of the file the release kept (in the release's transaction). */
export async function recordFileHash<R extends RunRowBase>(store: RunStore<R>, tx: Tx, run: R, sha256: string): Promise<void> {
  if ((await store.updateMany(tx, { id: run.id }, { fileSha256: sha256 })) !== 1) throw new Error(`invariant: ${store.what} ${run.number} vanished during its release`);
}

/**
 * Cancels a draft run with a person's note; `giveBack` returns what the run held (in the same
 * transaction). Answers the run as it is afterwards.
 */
export async function cancelRun<R extends RunRowBase>(store: RunStore<R>, ctx: Ctx, input: { runId: string; note: string }, giveBack: (tx: Tx, run: R, now: Date) => Promise<void>): Promise<R> {
  const note = input.note.trim();
  if (note.length === 0 || note.length > 500) throw new ValidationError('note: say why, in 1 to 500 characters', { field: 'note' });
  return ctx.db.transaction(async (tx) => {
    const run = await runRowOf(store, tx, input.runId);
    if (run.status !== 'draft') throw new ConflictError(`${store.what} ${run.number} is ${run.status}; only a run not released can be cancelled`, { runStatus: run.status });
    const now = ctx.clock.now();
    const n = await store.updateMany(tx, { id: run.id, version: run.version, status: 'draft' }, { status: 'cancelled', cancelledBy: actorLabel(ctx.actor), cancelledAt: now, version: { increment: 1 } });
    if (n !== 1) throw new ConflictError(`${store.what} ${run.number} was changed by someone else at the same moment`);
    await giveBack(tx, run, now);
    await writeAudit(tx, ctx, { action: `${store.subject}.cancelled`, subjectType: store.subject, subjectId: run.id, reason: note, data: { number: run.number } });
    return runRowOf(store, tx, run.id);
  });
}

/**
 * The released file as kept: its hash is checked on every fetch before anything is handed out (a
 * changed row is a bug or tampering, never sent to the bank), then the bytes are streamed from
 * where they are kept. Every fetch is counted; all but the first are copies.
 */
export async function fetchRunFile<R extends RunRowBase>(store: RunStore<R>, ctx: Ctx, runId: string): Promise<RunFile> {
  return ctx.db.transaction(
    async (tx) => {
      const run = await runRowOf(store, tx, runId);
      const name = `${store.what} ${run.number}`;
      if (run.status !== 'released' || !run.fileSha256 || !run.fileName) throw new ConflictError(`${name} is ${run.status}; a file exists only once it is released`, { runStatus: run.status });
      if (!(await keptFileIntact(tx, run, run.fileSha256))) throw new Error(`invariant: the kept file of ${name} no longer has its SHA-256`);
      const n = await store.updateMany(tx, { id: run.id, downloads: run.downloads }, { downloads: { increment: 1 } });
      if (n !== 1) throw new ConflictError(`the file of ${name} was fetched at the same moment; fetch it again (as a copy)`);
      await writeAudit(tx, ctx, { action: run.downloads === 0 ? `${store.subject}.file_fetched` : `${store.subject}.copy_fetched`, subjectType: store.subject, subjectId: run.id, data: { number: run.number, sha256: run.fileSha256, copy: run.downloads } });
      return { fileName: run.fileName, content: keptFileStream(ctx.db.prisma, run, run.fileSha256, name), sha256: run.fileSha256, copy: run.downloads };
    },
    { timeoutMs: 600_000 },
  );
}

/** Runs newest first (by number), a page at a time. */
export async function listRuns<R extends RunRowBase, V>(store: RunStore<R>, ctx: Ctx, input: { status?: string; limit?: number; cursor?: string }, view: (tx: Tx, r: R) => Promise<V>): Promise<Page<V>> {
  const limit = pageLimit(input.limit);
  const after = decodeCursor(input.cursor, 1);
  const tx: Tx = ctx.db.prisma;
  const rows = await store.findMany(tx, { where: { ...(input.status ? { status: input.status } : {}), ...(after ? { number: { lt: Number.parseInt(after[0]!, 10) } } : {}) }, orderBy: { number: 'desc' }, take: limit + 1 });
  const page = rows.slice(0, limit);
  return { items: await Promise.all(page.map((r) => view(tx, r))), nextCursor: rows.length > limit ? encodeCursor([String(page.at(-1)!.number)]) : null };
}

/** A run by its number (the operator's handle on the command line). */
export async function runByNumber<R extends RunRowBase>(store: RunStore<R>, ctx: Ctx, number: number): Promise<R> {
  const r = await store.findByNumber(ctx.db.prisma, number);
  if (!r) throw new NotFoundError(`${store.what} number`, String(number));
  return r;
}

/** Released runs whose file nobody fetched yet: what goes to the bank's outbox folder. */
export async function unfetchedRuns<R extends RunRowBase>(store: RunStore<R>, ctx: Ctx): Promise<R[]> {
  return store.findMany(ctx.db.prisma, { where: { status: 'released', downloads: 0 }, orderBy: { number: 'asc' }, take: LIMITS.pageSize });
}
