/**
 * Deliveries refused because they carry a statement already read with other content. A bank that
 * sends a corrected statement under the same statement id and sequence number (a remittance text
 * changed, amounts shifted, another currency) must not be silently answered "already read", nor
 * may the correction be booked on top of the first version: the file is refused with 409, nothing
 * of it is stored in the ledger, and the file is kept here for a person, who compares it with the
 * statement read before and settles it with the bank.
 */
import type { Ctx } from '../../context.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { writeAudit } from '../shared/audit.js';
import { newId } from '../shared/ids.js';
import { readStoredFile, type OriginalFile, type OriginalFileCollector } from './originalFile.js';

/** What differs between a statement read before and its new delivery. */
export interface ContentDifference {
  file: string;
  kind: string;
  bankStatementId: string;
  accountIban: string | null;
  electronicSequenceNumber: string | null;
  /** The statement stored under this identity, and the import that stored it. */
  statementId: string;
  importId: string;
  /** Header field groups that differ: account, balances, period (or "entry count" for old statements). */
  header: string[];
  /** Entries that differ, 1-based, with the field groups that differ (src/camt/identity.ts). */
  entries: Array<{ entry: number; reference?: string; fields: string[] }>;
  /** Differing entries beyond those listed. */
  moreEntries: number;
  entriesBefore: number;
  entriesNow: number;
}

function describe(d: ContentDifference): string {
  const parts: string[] = [];
  if (d.header.length > 0) parts.push(`statement ${d.header.join(', ')}`);
  for (const e of d.entries.slice(0, 10)) parts.push(`entry ${e.entry}${e.reference ? ` (${e.reference})` : ''}: ${e.fields.join(', ')}`);
  const more = d.entries.length - Math.min(d.entries.length, 10) + d.moreEntries;
  if (more > 0) parts.push(`and ${more} more entries`);
  if (d.entriesBefore !== d.entriesNow) parts.push(`${d.entriesNow} entries now, ${d.entriesBefore} before`);
  return `statement ${d.bankStatementId}${d.accountIban ? ` of account ${d.accountIban}` : ''}${d.electronicSequenceNumber ? ` (sequence number ${d.electronicSequenceNumber})` : ''} was read before with other content; differs in ${parts.join('; ') || 'its content'}`;
}

/**
 * Keeps a refused delivery (once per file: the same bytes refused again are the same delivery),
 * audits it, and returns the 409 to answer. Runs in its own transaction after the import's was
 * rolled back.
 */
export async function recordRefusedDelivery({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { fileName: string | null; sha256: string; bytes: number; original: OriginalFileCollector; refusals: ContentDifference[] };
}): Promise<ConflictError> {
  const first = input.refusals[0]!;
  const reason = `${input.fileName ?? 'the file'}: ${input.refusals.map(describe).join('. ')}. Nothing of the file was imported; it is kept under refused deliveries for a person to compare with the statement read before`;
  const id = await ctx.db.transaction(async (tx) => {
    const earlier = await tx.refusedDelivery.findFirst({ where: { sha256: input.sha256 }, select: { id: true } });
    if (earlier) return earlier.id;
    const refusedId = newId();
    const kept = await input.original.store(tx, refusedId, { sha256: input.sha256, db: ctx.db });
    await tx.refusedDelivery.create({
      data: {
        id: refusedId,
        fileName: input.fileName,
        sha256: input.sha256,
        bytes: input.bytes,
        bankStatementId: first.bankStatementId,
        kind: first.kind,
        accountIban: first.accountIban,
        statementId: first.statementId,
        reason,
        differences: JSON.stringify(input.refusals),
        fileKept: kept,
        refusedBy: `${ctx.actor.type}:${ctx.actor.id}`,
        createdAt: ctx.clock.now(),
      },
    });
    await writeAudit(tx, ctx, {
      action: 'statement_import.refused',
      subjectType: 'refused_delivery',
      subjectId: refusedId,
      reason,
      data: { fileName: input.fileName, sha256: input.sha256, statements: input.refusals.map((r) => ({ bankStatementId: r.bankStatementId, statementId: r.statementId, header: r.header, entries: r.entries.length + r.moreEntries })) },
    });
    return refusedId;
  });
  ctx.log.warn({ refusedDeliveryId: id, fileName: input.fileName }, 'delivery refused: a statement read before came with other content');
  // The 409: what differs, in words and as data, and where the file is kept.
  return new ConflictError(`${reason} (refused delivery ${id})`, {
    refusedDeliveryId: id,
    statements: input.refusals.map((r) => ({
      bankStatementId: r.bankStatementId,
      kind: r.kind,
      accountIban: r.accountIban,
      electronicSequenceNumber: r.electronicSequenceNumber,
      statementId: r.statementId,
      differs: { header: r.header, entries: r.entries, moreEntries: r.moreEntries, entriesBefore: r.entriesBefore, entriesNow: r.entriesNow },
    })),
  });
}

export interface RefusedDeliveryView {
  id: string;
  fileName: string | null;
  sha256: string;
  bytes: number;
  kind: string;
  bankStatementId: string;
  accountIban: string | null;
  statementId: string;
  reason: string;
  differences: ContentDifference[];
  fileKept: boolean;
  refusedBy: string;
  refusedAt: string;
}

/** Refused deliveries, newest first, one page at a time (cursor: the last id of the page before). */
/** How many deliveries were refused in all. */
export async function countRefusedDeliveries({ ctx }: { ctx: Ctx }): Promise<number> {
  return ctx.db.prisma.refusedDelivery.count();
}

export async function listRefusedDeliveries({ ctx, input }: { ctx: Ctx; input: { limit: number; cursor?: string } }): Promise<{ data: RefusedDeliveryView[]; nextCursor: string | null }> {
  const rows = await ctx.db.prisma.refusedDelivery.findMany({
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
    take: input.limit + 1,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
  const page = rows.slice(0, input.limit);
  return {
    data: page.map((r) => ({
      id: r.id,
      fileName: r.fileName,
      sha256: r.sha256,
      bytes: r.bytes,
      kind: r.kind,
      bankStatementId: r.bankStatementId,
      accountIban: r.accountIban,
      statementId: r.statementId,
      reason: r.reason,
      differences: JSON.parse(r.differences) as ContentDifference[],
      fileKept: r.fileKept,
      refusedBy: r.refusedBy,
      refusedAt: r.createdAt.toISOString(),
    })),
    nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null,
  };
}

/** The file of a refused delivery as it arrived, or NotFoundError (unknown, or too big to keep). */
export async function getRefusedDeliveryFile({ ctx, input }: { ctx: Ctx; input: { id: string } }): Promise<OriginalFile> {
  const row = await ctx.db.prisma.refusedDelivery.findUnique({ where: { id: input.id }, select: { fileName: true } });
  if (!row) throw new NotFoundError('refused delivery', input.id);
  const stored = await readStoredFile(ctx, input.id);
  if (!stored) throw new NotFoundError('file of refused delivery', input.id);
  const { bytes, zip } = stored;
  return { fileName: row.fileName ?? `refused-${input.id}.${zip ? 'zip' : 'xml'}`, contentType: zip ? 'application/zip' : 'application/xml', bytes };
}
