/**
 * The audit log is append-only: every booking, correction and administrative act writes one entry
 * in the same transaction as the act itself, naming who, what, and why.
 */
import type { Ctx } from '../../context.js';
import type { Database, Tx } from '../../db/database.js';
import { bulkUpdate } from '../../db/bulk.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { newId, toHex } from './ids.js';

export interface AuditInput {
  action: string;
  subjectType: string;
  subjectId: string;
  reason?: string;
  data?: Record<string, unknown>;
}

export async function writeAudit(tx: Tx, ctx: Ctx, input: AuditInput): Promise<void> {
  await tx.auditEntry.create({ data: auditRow(ctx, input) });
}

/** The row of an audit entry, for writing many at once (bulkInsert into AuditEntry). */
export function auditRow(ctx: Pick<Ctx, 'clock' | 'actor' | 'requestId'>, input: AuditInput) {
  return {
    id: newId(),
    at: ctx.clock.now(),
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    action: input.action,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    reason: input.reason ?? null,
    requestId: ctx.requestId ?? null,
    data: JSON.stringify(input.data ?? {}, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
  };
}

/**
 * The audit chain. Entries are written as above, in the transaction of the act, without a link:
 * chaining at write time would make every booking wait for every other on one lock until it
 * commits. Instead entries are sealed into the chain afterwards, in batches, under one lock (an
 * advisory lock on PostgreSQL; SQLite has one writer anyway), at defined points: before a closing
 * is determined and signed, and by `bin/stadtkasse verify --seal`. The unique chainPos makes a fork
 * impossible even if two sealers ran at once: the second one's positions collide and it rolls back.
 *
 * The chain runs in sealing order, not in `seq` order: on PostgreSQL a transaction that drew a
 * lower seq may commit after one with a higher seq was already sealed; it is sealed next time.
 * Sealing sets the two chain columns once; nothing else of an entry is ever updated.
 */
const SEAL_BATCH = 5000;
const AUDIT_CHAIN_LOCK = 'stadtkasse:audit-chain';

export interface AuditChainHead {
  pos: number;
  hash: string;
}

type AuditRow = { seq: number; id: string; at: Date; actorType: string; actorId: string; action: string; subjectType: string; subjectId: string; reason: string | null; requestId: string | null; data: string };

/** Synchronous SHA-256 (@noble/hashes, as on Workers): sealing a day hashes tens of thousands of entries. */
export function auditEntryHash(row: AuditRow, pos: number, prev: string): string {
  const text = JSON.stringify([pos, prev, row.seq, row.id, row.at.toISOString(), row.actorType, row.actorId, row.action, row.subjectType, row.subjectId, row.reason, row.requestId, row.data]);
  return toHex(sha256(new TextEncoder().encode(text)));
}

export async function auditChainHead(tx: Tx): Promise<AuditChainHead> {
  const last = await tx.auditEntry.findFirst({ where: { chainPos: { not: null } }, orderBy: { chainPos: 'desc' }, select: { chainPos: true, chainHash: true } });
  return { pos: last?.chainPos ?? 0, hash: last?.chainHash ?? '' };
}

/** Seals every entry not yet in the chain; returns how many and the new head. */
export async function sealAuditChain(ctx: Pick<Ctx, 'db'>): Promise<{ sealed: number; head: AuditChainHead }> {
  let sealed = 0;
  for (;;) {
    const step = await ctx.db.transaction(async (tx) => {
      if (ctx.db.backend === 'postgresql') await tx.$queryRawUnsafe('SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS l', AUDIT_CHAIN_LOCK);
      const head = await auditChainHead(tx);
      const rows = await tx.auditEntry.findMany({ where: { chainPos: null }, orderBy: { seq: 'asc' }, take: SEAL_BATCH });
      let { pos, hash } = head;
      const updates: Array<[number, number, string]> = [];
      for (const row of rows) {
        pos += 1;
        hash = auditEntryHash(row, pos, hash);
        updates.push([row.seq, pos, hash]);
      }
      if (updates.length > 0) await setChainColumns(tx, ctx.db, updates);
      return { n: rows.length, head: { pos, hash } };
    });
    sealed += step.n;
    if (step.n < SEAL_BATCH) return { sealed, head: step.head };
  }
}

/**
 * The batch's chain columns in one go through the bulk writer (src/db/bulk.ts): one statement per
 * thousand rows on PostgreSQL, prepared statements on SQLite's own connection. The unique chainPos
 * refuses a second sealer's positions; a count short of the batch is a concurrent change.
 */
async function setChainColumns(tx: Tx, db: Database, rows: Array<[number, number, string]>): Promise<void> {
  const n = await bulkUpdate(tx, db, { table: 'AuditEntry', key: { seq: 'int' }, set: { chainPos: 'int', chainHash: 'text' } }, rows.map(([seq, chainPos, chainHash]) => ({ seq, chainPos, chainHash })));
  if (n !== rows.length) throw new Error(`invariant: sealing ${rows.length} audit entries updated ${n}`);
}

export interface ChainProblem {
  /** What a person looks for in the database: the entry's seq and id, or the closing's number and id. */
  record: string;
  problem: string;
}

/** Recomputes the audit chain from its start; names the first entry that does not match. */
export async function verifyAuditChain(ctx: Pick<Ctx, 'db'>): Promise<{ checked: number; unsealed: number; head: AuditChainHead; firstProblem?: ChainProblem }> {
  const db = ctx.db.prisma;
  let expectPos = 1;
  let prev = '';
  let checked = 0;
  for (;;) {
    const rows = await db.auditEntry.findMany({ where: { chainPos: { gte: expectPos } }, orderBy: { chainPos: 'asc' }, take: 2000 });
    for (const row of rows) {
      const record = `audit entry seq ${row.seq} (id ${row.id}, chain position ${row.chainPos})`;
      if (row.chainPos !== expectPos) {
        return { checked, unsealed: await countUnsealed(ctx), head: { pos: expectPos - 1, hash: prev }, firstProblem: { record, problem: `chain positions ${expectPos} to ${row.chainPos! - 1} are missing: entries were deleted` } };
      }
      const h = auditEntryHash(row, row.chainPos, prev);
      if (h !== row.chainHash) {
        return { checked, unsealed: await countUnsealed(ctx), head: { pos: expectPos - 1, hash: prev }, firstProblem: { record, problem: 'its content does not match its chain hash: it was changed after it was sealed' } };
      }
      prev = h;
      expectPos += 1;
      checked += 1;
    }
    if (rows.length < 2000) break;
  }
  return { checked, unsealed: await countUnsealed(ctx), head: { pos: expectPos - 1, hash: prev } };
}

function countUnsealed(ctx: Pick<Ctx, 'db'>): Promise<number> {
  return ctx.db.prisma.auditEntry.count({ where: { chainPos: null } });
}
