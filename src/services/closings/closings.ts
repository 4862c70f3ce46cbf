/**
 * The closing's verbs: preview, determine (the first signature), sign (the Kassenverwalter's, the
 * second), explain a difference, list and read. A determined closing is a proposal; a signed one
 * carries its number in the Kasse's closing book, a hash of its content and of the closing before,
 * and is never changed again (no code path updates a signed row). What arrives late for a signed
 * period goes into a follow-up closing that references it.
 */
import { actorLabel, type Ctx } from '../../context.js';
import { isUniqueViolation, type Tx } from '../../db/database.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { formatMinor, parseMoney } from '../../money/money.js';
import { auditChainHead, sealAuditChain, writeAudit } from '../shared/audit.js';
import { newId, sha256Hex } from '../shared/ids.js';
import { canonicalJson, hashOf } from './canonical.js';
import { matchCashDeposits } from './cashOffices.js';
import { computeClosing, firstActiveDay, minorOf, toRef, type SignedClosingRef } from './compute.js';
import { SUSPENSE_SIGN, SUSPENSE_TYPES, type Blocker, type ClosingContent, type SuspenseType } from './model.js';
import { addDays, periodOf, today, type Period } from './period.js';

const CLOSING_CHAIN_LOCK = 'stadtkasse:closing-chain';

/** Refused because the period does not add up yet; `blockers` says why, each naming its account. */
export class ClosingBlockedError extends ConflictError {
  constructor(period: Period, readonly blockers: Blocker[]) {
    super(`${period.from === period.to ? period.from : `${period.from} to ${period.to}`} cannot be closed: ${blockers.map((b) => b.detail).join('; ')}`, { blockers });
  }
}

export interface ClosingView {
  id: string;
  number: number | null;
  kind: 'regular' | 'follow_up';
  followsId: string | null;
  periodFrom: string;
  periodTo: string;
  status: 'determined' | 'signed' | 'withdrawn';
  determinedBy: string;
  determinedByName: string;
  determinedAt: string;
  signedBy: string | null;
  signedByName: string | null;
  signedAt: string | null;
  contentHash: string;
  prevHash: string | null;
  hash: string | null;
  version: number;
  content: ClosingContent;
}

type ClosingRow = NonNullable<Awaited<ReturnType<Tx['closing']['findUnique']>>>;

export function viewOf(row: ClosingRow): ClosingView {
  return {
    id: row.id,
    number: row.number,
    kind: row.kind as ClosingView['kind'],
    followsId: row.followsId,
    periodFrom: row.periodFrom,
    periodTo: row.periodTo,
    status: row.status as ClosingView['status'],
    determinedBy: row.determinedBy,
    determinedByName: row.determinedByName,
    determinedAt: row.determinedAt.toISOString(),
    signedBy: row.signedBy,
    signedByName: row.signedByName,
    signedAt: row.signedAt?.toISOString() ?? null,
    contentHash: row.contentHash,
    prevHash: row.prevHash,
    hash: row.hash,
    version: row.version,
    content: JSON.parse(row.content) as ClosingContent,
  };
}

/** The latest signed closing of exactly this period (a follow-up for it follows that one). */
async function signedFor(ctx: Ctx, period: Period): Promise<SignedClosingRef | undefined> {
  const row = await ctx.db.prisma.closing.findFirst({ where: { status: 'signed', periodFrom: period.from, periodTo: period.to }, orderBy: { number: 'desc' } });
  return row ? toRef(row) : undefined;
}

async function assertPeriodFits(ctx: Ctx, period: Period): Promise<void> {
  // A closing period may not cut through one already signed (CLOSING_MODE changed mid-week).
  const overlapping = await ctx.db.prisma.closing.findFirst({ where: { status: 'signed', periodFrom: { lte: period.to }, periodTo: { gte: period.from }, NOT: { periodFrom: period.from, periodTo: period.to } }, select: { number: true, periodFrom: true, periodTo: true } });
  if (overlapping) throw new ValidationError(`${period.from} to ${period.to} overlaps closing no. ${overlapping.number} (${overlapping.periodFrom} to ${overlapping.periodTo}); close in the mode it was closed in`, { field: 'day' });
}

export interface Preview {
  period: Period;
  kind: 'regular' | 'follow_up';
  /** Nothing to close: signed, and nothing arrived since. */
  closed: boolean;
  blockers: Blocker[];
  content: ClosingContent;
  basisHash: string;
  /** The closing waiting for its second signature, if one was determined for this period. */
  determinedId: string | null;
}

/** What the closing of the period containing `day` would say now (nothing is written). */
export async function previewClosing({ ctx, input }: { ctx: Ctx; input: { day: string } }): Promise<Preview> {
  const period = periodOf(input.day, ctx.config.closingMode);
  await assertPeriodFits(ctx, period);
  const follows = await signedFor(ctx, period);
  const computed = await computeClosing(ctx, { period, mode: ctx.config.closingMode, ...(follows ? { follows } : {}) });
  const closedRow = follows ? await ctx.db.prisma.closing.findUnique({ where: { id: follows.id }, select: { basisHash: true } }) : null;
  const determined = await ctx.db.prisma.closing.findFirst({ where: { status: 'determined', periodFrom: period.from, periodTo: period.to }, orderBy: { determinedAt: 'desc' }, select: { id: true } });
  return {
    period,
    kind: follows ? 'follow_up' : 'regular',
    closed: closedRow?.basisHash === computed.basisHash,
    blockers: computed.blockers,
    content: computed.content,
    basisHash: computed.basisHash,
    determinedId: determined?.id ?? null,
  };
}

/**
 * The first signature: a person determines (stellt fest) that the period adds up. Refused with the
 * blockers while it does not. An earlier determination of the same period that was not signed is
 * withdrawn: only the latest figures can be signed.
 */
export async function determineClosing({ ctx, input }: { ctx: Ctx; input: { day: string } }): Promise<ClosingView> {
  const period = periodOf(input.day, ctx.config.closingMode);
  await assertPeriodFits(ctx, period);
  await matchCashDeposits({ ctx });
  await sealAuditChain(ctx);
  const follows = await signedFor(ctx, period);
  const computed = await computeClosing(ctx, { period, mode: ctx.config.closingMode, ...(follows ? { follows } : {}) });
  if (follows) {
    const was = await ctx.db.prisma.closing.findUniqueOrThrow({ where: { id: follows.id }, select: { basisHash: true } });
    if (was.basisHash === computed.basisHash) throw new ConflictError(`${period.from === period.to ? period.from : `${period.from} to ${period.to}`} is closed (no. ${follows.number}) and nothing arrived since; there is nothing to follow up`);
  }
  if (computed.blockers.length > 0) throw new ClosingBlockedError(period, computed.blockers);
  const content = canonicalJson(computed.content);
  const id = newId();
  const now = ctx.clock.now();
  const row = await ctx.db.transaction(async (tx) => {
    await tx.closing.updateMany({ where: { status: 'determined', periodFrom: period.from, periodTo: period.to }, data: { status: 'withdrawn', version: { increment: 1 } } });
    const created = await tx.closing.create({
      data: {
        id,
        kind: follows ? 'follow_up' : 'regular',
        followsId: follows?.id ?? null,
        periodFrom: period.from,
        periodTo: period.to,
        status: 'determined',
        content,
        contentHash: await sha256Hex(content),
        basisHash: computed.basisHash,
        determinedBy: actorLabel(ctx.actor),
        determinedByName: ctx.actor.name,
        determinedAt: now,
      },
    });
    await writeAudit(tx, ctx, { action: 'closing.determined', subjectType: 'closing', subjectId: id, data: { period, kind: created.kind, followsId: created.followsId, contentHash: created.contentHash, totals: computed.content.totals } });
    return created;
  });
  return viewOf(row);
}

/**
 * The second signature, by the Kassenverwalter: not the person who determined it (four eyes).
 * The figures are computed again; if anything arrived since the determination, nothing is signed.
 * The number is the next in the book and the hash links to the previous closing's hash; a second
 * signer at the same moment collides on the unique number and is refused.
 */
export async function signClosing({ ctx, input }: { ctx: Ctx; input: { id: string; expectedVersion?: number } }): Promise<ClosingView> {
  const row = await ctx.db.prisma.closing.findUnique({ where: { id: input.id } });
  if (!row) throw new NotFoundError('closing', input.id);
  if (row.status !== 'determined') throw new ConflictError(`closing ${row.id} is ${row.status}; only a determined closing can be signed`);
  if (input.expectedVersion !== undefined && input.expectedVersion !== row.version) throw new ConflictError(`closing ${row.id} changed since it was looked at; reload it`);
  if (row.determinedBy === actorLabel(ctx.actor)) {
    throw new ForbiddenError(`${ctx.actor.name} determined this closing and cannot also sign it as Kassenverwalter: a second person signs (four eyes)`);
  }
  const period = { from: row.periodFrom, to: row.periodTo };
  const follows = row.followsId ? await ctx.db.prisma.closing.findUniqueOrThrow({ where: { id: row.followsId } }) : undefined;
  const newest = await signedFor(ctx, period);
  if ((newest?.id ?? null) !== (row.followsId ?? null)) throw new ConflictError(`another closing of ${period.from} was signed meanwhile (no. ${newest?.number}); determine it again`);
  const computed = await computeClosing(ctx, { period, mode: ctx.config.closingMode, ...(follows ? { follows: toRef(follows) } : {}) });
  if (computed.basisHash !== row.basisHash) throw new ConflictError(`something arrived for ${period.from === period.to ? period.from : `${period.from} to ${period.to}`} since the closing was determined (a statement, a report or an explanation); determine it again`);
  if (computed.blockers.length > 0) throw new ClosingBlockedError(period, computed.blockers);
  await sealAuditChain(ctx);
  const now = ctx.clock.now();
  try {
    const signed = await ctx.db.transaction(async (tx) => {
      if (ctx.db.backend === 'postgresql') await tx.$queryRawUnsafe('SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS l', CLOSING_CHAIN_LOCK);
      const last = await tx.closing.findFirst({ where: { status: 'signed' }, orderBy: { number: 'desc' }, select: { number: true, hash: true } });
      const number = (last?.number ?? 0) + 1;
      const prevHash = last?.hash ?? '';
      const head = await auditChainHead(tx);
      const fields = { number, signedBy: actorLabel(ctx.actor), signedByName: ctx.actor.name, signedAt: now, prevHash };
      const hash = await closingHash({ ...row, ...fields });
      const n = await tx.closing.updateMany({ where: { id: row.id, status: 'determined', version: row.version }, data: { ...fields, hash, status: 'signed', version: { increment: 1 } } });
      if (n.count !== 1) throw new ConflictError(`closing ${row.id} was signed or withdrawn at the same moment; reload it`);
      await writeAudit(tx, ctx, { action: 'closing.signed', subjectType: 'closing', subjectId: row.id, data: { number, hash, prevHash, determinedBy: row.determinedBy, auditChainHead: head } });
      return tx.closing.findUniqueOrThrow({ where: { id: row.id } });
    });
    return viewOf(signed);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('another closing was signed at the same moment and took this number; sign again');
    throw err;
  }
}

/** What the hash of a signed closing covers: everything a treasurer relies on. */
export function closingHash(r: {
  number: number | null;
  kind: string;
  followsId: string | null;
  periodFrom: string;
  periodTo: string;
  contentHash: string;
  basisHash: string;
  determinedBy: string;
  determinedByName: string;
  determinedAt: Date;
  signedBy: string | null;
  signedByName: string | null;
  signedAt: Date | null;
  prevHash: string | null;
}): Promise<string> {
  return hashOf({
    number: r.number,
    kind: r.kind,
    followsId: r.followsId,
    periodFrom: r.periodFrom,
    periodTo: r.periodTo,
    contentHash: r.contentHash,
    basisHash: r.basisHash,
    determinedBy: r.determinedBy,
    determinedByName: r.determinedByName,
    determinedAt: r.determinedAt.toISOString(),
    signedBy: r.signedBy,
    signedByName: r.signedByName,
    signedAt: r.signedAt?.toISOString() ?? null,
    prevHash: r.prevHash,
  });
}

/**
 * A person explains (part of) a difference by booking it to a typed suspense account, with a
 * reason: a surplus to Verwahrgeld, unclear receipts or refunds due; a shortfall to Vorschuss.
 * Append-only and audited; it can never explain more than the difference there is.
 */
export async function explainDifference({ ctx, input }: { ctx: Ctx; input: { day: string; account: string; suspenseType: string; amount: string; reason: string } }) {
  const period = periodOf(input.day, ctx.config.closingMode);
  if (!(SUSPENSE_TYPES as readonly string[]).includes(input.suspenseType)) throw new ValidationError(`suspenseType must be one of ${SUSPENSE_TYPES.join(', ')}`, { field: 'suspenseType' });
  const type = input.suspenseType as SuspenseType;
  const reason = input.reason.trim();
  if (reason.length < 5) throw new ValidationError('say why (a reason of at least 5 characters)', { field: 'reason' });
  if (reason.length > 1000) throw new ValidationError('the reason is longer than 1000 characters', { field: 'reason' });
  const amount = parseMoney(input.amount, 'EUR', { allowNegative: true, field: 'amount' }).minor;
  if (amount === 0n) throw new ValidationError('the amount is 0.00: there is nothing to explain', { field: 'amount' });
  if ((amount > 0n ? 1 : -1) !== SUSPENSE_SIGN[type]) {
    throw new ValidationError(type === 'vorschuss' ? 'a Vorschuss takes a shortfall (a negative difference)' : `${type} takes a surplus (a positive difference); a shortfall is booked to vorschuss`, { field: 'amount' });
  }
  const follows = await signedFor(ctx, period);
  const computed = await computeClosing(ctx, { period, mode: ctx.config.closingMode, ...(follows ? { follows } : {}) });
  const account = computed.content.accounts.find((a) => a.key === input.account);
  if (!account) throw new NotFoundError(`account ${input.account} in the closing of`, period.from);
  const open = minorOf(account.difference, account.currency);
  if (open === 0n || (open > 0n) !== (amount > 0n) || (amount > 0n ? amount > open : amount < open)) {
    throw new ValidationError(`${formatMinor(amount, account.currency)} does not fit the unexplained difference of ${account.key} (${account.difference})`, { field: 'amount' });
  }
  const id = newId();
  await ctx.db.transaction(async (tx) => {
    await tx.closingExplanation.create({ data: { id, day: period.to, accountKey: account.key, suspenseType: type, amountMinor: amount, currency: account.currency, reason, createdBy: actorLabel(ctx.actor), createdAt: ctx.clock.now() } });
    await writeAudit(tx, ctx, { action: 'closing.difference_explained', subjectType: 'closing_explanation', subjectId: id, reason, data: { period, account: account.key, suspenseType: type, amount: formatMinor(amount, account.currency) } });
  });
  return { id, period, account: account.key, suspenseType: type, amount: formatMinor(amount, account.currency), reason };
}

export async function getClosing({ ctx, input }: { ctx: Ctx; input: { id: string } }): Promise<ClosingView> {
  const row = await ctx.db.prisma.closing.findUnique({ where: { id: input.id } });
  if (!row) throw new NotFoundError('closing', input.id);
  return viewOf(row);
}

/** Closings newest first (signed by number, then those waiting for a signature). */
/** How many closings there are in all. */
export async function countClosings({ ctx }: { ctx: Ctx }): Promise<number> {
  return ctx.db.prisma.closing.count();
}

export async function listClosings({ ctx, input }: { ctx: Ctx; input: { status?: 'determined' | 'signed' | 'withdrawn'; limit: number; before?: string } }): Promise<{ items: Array<Omit<ClosingView, 'content'> & { totals: ClosingContent['totals'] }>; nextCursor: string | null }> {
  const rows = await ctx.db.prisma.closing.findMany({
    where: { ...(input.status ? { status: input.status } : {}), ...(input.before ? { periodTo: { lt: input.before } } : {}) },
    orderBy: [{ periodTo: 'desc' }, { determinedAt: 'desc' }],
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  return {
    items: page.map((r) => {
      const { content, ...rest } = viewOf(r);
      return { ...rest, totals: content.totals };
    }),
    nextCursor: rows.length > input.limit ? page.at(-1)!.periodTo : null,
  };
}

export interface OpenPeriod {
  period: Period;
  kind: 'regular' | 'follow_up';
  blockers: Blocker[];
  determinedId: string | null;
}

/**
 * What is still to close, for the dashboard: the periods after the last regular closing that have
 * bookings (at most `limit`), each with what keeps it open, and signed periods for which something
 * arrived late (a follow-up is due).
 */
export async function openPeriods({ ctx, input }: { ctx: Ctx; input: { limit?: number } }): Promise<OpenPeriod[]> {
  const limit = Math.min(input.limit ?? 5, 14);
  const mode = ctx.config.closingMode;
  const last = await ctx.db.prisma.closing.findFirst({ where: { status: 'signed', kind: 'regular' }, orderBy: { periodTo: 'desc' }, select: { periodTo: true } });
  const now = today(ctx.clock.now());
  // Without any closing yet, look back a month: older days are history before the closing began.
  let from = last ? addDays(last.periodTo, 1) : addDays(now, -31);
  const out: OpenPeriod[] = [];
  while (out.length < limit && from <= now) {
    const day = await firstActiveDay(ctx, { from, to: now });
    if (!day) break;
    const period = periodOf(day, mode);
    const p = await previewClosing({ ctx, input: { day } });
    out.push({ period, kind: p.kind, blockers: p.blockers, determinedId: p.determinedId });
    from = addDays(period.to, 1);
  }
  // Signed periods with something new: statements read after the latest signature that reach back.
  const lastSigned = await ctx.db.prisma.closing.findFirst({ where: { status: 'signed' }, orderBy: { signedAt: 'desc' }, select: { signedAt: true } });
  if (lastSigned?.signedAt && last) {
    const late = await ctx.db.prisma.statement.findMany({ where: { createdAt: { gt: lastSigned.signedAt }, closingBalanceDate: { lte: last.periodTo } }, select: { closingBalanceDate: true }, orderBy: { closingBalanceDate: 'asc' }, take: 20 });
    const lateReports = await ctx.db.prisma.cashOfficeReport.findMany({ where: { createdAt: { gt: lastSigned.signedAt }, day: { lte: last.periodTo } }, select: { day: true }, orderBy: { day: 'asc' }, take: 20 });
    const days = [...new Set([...late.map((s) => s.closingBalanceDate!), ...lateReports.map((r) => r.day)])].sort();
    const seen = new Set<string>();
    for (const d of days) {
      const period = periodOf(d, mode);
      if (seen.has(period.from)) continue;
      seen.add(period.from);
      const p = await previewClosing({ ctx, input: { day: d } });
      if (p.kind === 'follow_up' && !p.closed) out.push({ period, kind: 'follow_up', blockers: p.blockers, determinedId: p.determinedId });
    }
  }
  return out;
}
