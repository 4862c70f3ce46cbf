/**
 * Mandates: created by an issuing service or a clerk (scope `mandates`), amended, revoked, blocked,
 * asked to end with a final collection. Every change is audited; amendments of a mandate already used are
 * kept until the next collection carries them (amendment indicator), as the rulebook requires.
 */
import { actorLabel, type Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/database.js';
import { ConflictError, LimitExceededError, NotFoundError, ValidationError } from '../../errors.js';
import { formatMinor } from '../../money/money.js';
import { recordItemEvent } from '../items/events.js';
import type { ItemStatus } from '../items/status.js';
import { isValidBic, isValidIban, maskIban, normalizeBic, normalizeIban } from '../../references/iban.js';
import { isSepaId } from '../../sepa/charset.js';
import { cityDate, isIsoDay } from '../review/dates.js';
import { writeAudit } from '../shared/audit.js';
import { newId, randomToken } from '../shared/ids.js';
import { decodeTimeCursor, encodeTimeCursor, afterCursorWhere, NEWEST_FIRST, pageLimit, type Page } from '../shared/paging.js';
import { expiresOn, mandateStanding, nextSequence, type Amendment, type MandateKind, type MandateStanding, type SequenceType } from './model.js';

export interface MandateView {
  id: string;
  reference: string;
  kind: MandateKind;
  debtor: { name: string; iban: string; bic: string | null; ref: string | null };
  signedOn: string;
  /** active, revoked, blocked, finished — or expired (36 months unused). */
  status: MandateStanding;
  statusReason: string | null;
  lastCollectedOn: string | null;
  expiresOn: string;
  /** The sequence the next collection under it takes. */
  nextSequence: SequenceType;
  pendingAmendment: Amendment | null;
  createdAt: string;
  version: number;
}

type Row = NonNullable<Awaited<ReturnType<Tx['mandate']['findUnique']>>>;

export function mandateView(m: Row, today: string): MandateView {
  return {
    id: m.id,
    reference: m.reference,
    kind: m.kind as MandateKind,
    debtor: { name: m.debtorName, iban: m.debtorIban, bic: m.debtorBic, ref: m.debtorRef },
    signedOn: m.signedOn,
    status: mandateStanding(m, today),
    statusReason: m.statusReason,
    lastCollectedOn: m.lastCollectedOn,
    expiresOn: expiresOn(m),
    nextSequence: nextSequence(m),
    pendingAmendment: m.pendingAmendment ? (JSON.parse(m.pendingAmendment) as Amendment) : null,
    createdAt: m.createdAt.toISOString(),
    version: m.version,
  };
}

function checkReference(reference: string, field = 'reference'): string {
  const r = reference.trim();
  if (!isSepaId(r)) throw new ValidationError(`${field}: 1 to 35 characters of A–Z a–z 0–9 / - ? : ( ) . , ' + and space, not starting with "/" nor containing "//"`, { field });
  return r;
}

function checkAccount(iban: string, bic: string | undefined): { iban: string; bic: string | null } {
  const i = normalizeIban(iban);
  if (!isValidIban(i)) throw new ValidationError('debtor.iban: not a valid IBAN (check digits or length wrong)', { field: 'debtor.iban' });
  if (bic === undefined || bic.trim() === '') return { iban: i, bic: null };
  const b = normalizeBic(bic);
  if (!isValidBic(b)) throw new ValidationError('debtor.bic: not a valid BIC (8 or 11 characters)', { field: 'debtor.bic' });
  return { iban: i, bic: b };
}

function checkName(name: string): string {
  const n = name.trim();
  if (n.length === 0 || n.length > 70) throw new ValidationError('debtor.name: 1 to 70 characters (the SEPA limit)', { field: 'debtor.name' });
  return n;
}

export interface CreateMandateInput {
  /** The mandate reference as signed; one is made when left out. */
  reference?: string;
  kind: MandateKind;
  debtor: { name: string; iban: string; bic?: string; ref?: string };
  signedOn: string;
}

export async function createMandate({ ctx, input }: { ctx: Ctx; input: CreateMandateInput }): Promise<MandateView> {
  const today = cityDate(ctx.clock.now());
  const reference = checkReference(input.reference ?? `STK-M-${randomToken(16)}`);
  const { iban, bic } = checkAccount(input.debtor.iban, input.debtor.bic);
  const name = checkName(input.debtor.name);
  if (!isIsoDay(input.signedOn)) throw new ValidationError('signedOn: a day like 2026-11-30', { field: 'signedOn' });
  if (input.signedOn > today) throw new ValidationError(`signedOn: ${input.signedOn} is in the future`, { field: 'signedOn' });
  const debtorRef = input.debtor.ref?.trim() || null;
  if (debtorRef && debtorRef.length > 100) throw new ValidationError('debtor.ref: at most 100 characters', { field: 'debtor.ref' });
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction(async (tx) => {
      const m = await tx.mandate.create({
        data: {
          id: newId(), reference, kind: input.kind, debtorName: name, debtorIban: iban, debtorBic: bic, debtorRef, issuerClientId: ctx.actor.type === 'client' ? ctx.actor.id : null,
          signedOn: input.signedOn, status: 'active', createdBy: actorLabel(ctx.actor), createdAt: now, updatedAt: now,
        },
      });
      await writeAudit(tx, ctx, { action: 'mandate.created', subjectType: 'mandate', subjectId: m.id, data: { reference, kind: input.kind, account: maskIban(iban), signedOn: input.signedOn } });
      return mandateView(m, today);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`mandate reference ${reference} is taken; a reference is unique for the creditor`, { field: 'reference' });
    throw err;
  }
}

async function row(tx: Tx, id: string): Promise<Row> {
  const m = await tx.mandate.findUnique({ where: { id } });
  if (!m) throw new NotFoundError('mandate', id);
  return m;
}

export async function getMandate({ ctx, input }: { ctx: Ctx; input: { mandateId: string } }): Promise<MandateView> {
  return mandateView(await row(ctx.db.prisma, input.mandateId), cityDate(ctx.clock.now()));
}

export async function listMandates({ ctx, input }: { ctx: Ctx; input: { status?: string; debtorRef?: string; limit?: number; cursor?: string } }): Promise<Page<MandateView>> {
  const limit = pageLimit(input.limit);
  const cursor = decodeTimeCursor(input.cursor);
  const today = cityDate(ctx.clock.now());
  const rows = await ctx.db.prisma.mandate.findMany({
    where: { ...(input.status && input.status !== 'expired' ? { status: input.status } : {}), ...(input.debtorRef ? { debtorRef: input.debtorRef } : {}), ...afterCursorWhere(cursor) },
    orderBy: NEWEST_FIRST,
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const items = page.map((m) => mandateView(m, today)).filter((v) => !input.status || v.status === input.status);
  return { items, nextCursor: rows.length > limit ? encodeTimeCursor({ at: page.at(-1)!.createdAt, id: page.at(-1)!.id }) : null };
}

/** A mandate by its reference as signed (as a clerk types it from the form the debtor signed). */
export async function getMandateByReference({ ctx, input }: { ctx: Ctx; input: { reference: string } }): Promise<MandateView> {
  const reference = input.reference.trim();
  const m = reference ? await ctx.db.prisma.mandate.findUnique({ where: { reference } }) : null;
  if (!m) throw new NotFoundError('mandate', reference);
  return mandateView(m, cityDate(ctx.clock.now()));
}

/** Mandates that can collect now, for a debtor of this name: what the item page offers. */
export const DEBTOR_MANDATES_SHOWN = 20;

export async function usableMandatesOf({ ctx, input }: { ctx: Ctx; input: { debtorName: string } }): Promise<MandateView[]> {
  const today = cityDate(ctx.clock.now());
  const rows = await ctx.db.prisma.mandate.findMany({ where: { debtorName: input.debtorName.trim(), status: 'active' }, orderBy: NEWEST_FIRST, take: DEBTOR_MANDATES_SHOWN });
  return rows.map((m) => mandateView(m, today)).filter((v) => v.status === 'active');
}

export interface AmendMandateInput {
  mandateId: string;
  version?: number;
  /** A new account of the debtor (reported as OrgnlDbtrAcct on the next collection). */
  debtor?: { iban?: string; bic?: string; name?: string };
  /** A new mandate reference (reported as OrgnlMndtId on the next collection). */
  reference?: string;
  note?: string;
}

/**
 * An amendment. A new account or reference of a mandate already used is reported with the next
 * collection (amendment indicator); until then the first original is kept, since the debtor's bank
 * knows the mandate as it was last collected. A mandate never used needs no report.
 */
export async function amendMandate({ ctx, input }: { ctx: Ctx; input: AmendMandateInput }): Promise<MandateView> {
  const today = cityDate(ctx.clock.now());
  try {
    return await ctx.db.transaction(async (tx) => {
      const m = await row(tx, input.mandateId);
      if (input.version !== undefined && input.version !== m.version) throw new ConflictError(`mandate ${m.reference} changed since you read it; reload it`, { currentVersion: m.version });
      const standing = mandateStanding(m, today);
      if (standing !== 'active') throw new ConflictError(`mandate ${m.reference} is ${standing}; it cannot be amended, a new mandate is needed`, { mandateStatus: standing });
      const amendment: Amendment = m.pendingAmendment ? (JSON.parse(m.pendingAmendment) as Amendment) : {};
      const data: Record<string, unknown> = {};
      const changed: string[] = [];
      if (input.debtor?.iban !== undefined) {
        const { iban, bic } = checkAccount(input.debtor.iban, input.debtor.bic);
        if (iban !== m.debtorIban) {
          amendment.originalIban ??= m.debtorIban;
          data.debtorIban = iban;
          data.debtorBic = bic;
          changed.push('account');
        }
      }
      if (input.debtor?.name !== undefined) {
        data.debtorName = checkName(input.debtor.name);
        changed.push('name');
      }
      if (input.reference !== undefined) {
        const reference = checkReference(input.reference);
        if (reference !== m.reference) {
          amendment.originalReference ??= m.reference;
          data.reference = reference;
          changed.push('reference');
        }
      }
      if (changed.length === 0) throw new ValidationError('nothing to amend: give debtor.iban, debtor.name or reference', { field: 'debtor' });
      // Back to what the bank knows: nothing left to report.
      if (amendment.originalIban === (data.debtorIban ?? m.debtorIban)) delete amendment.originalIban;
      if (amendment.originalReference === (data.reference ?? m.reference)) delete amendment.originalReference;
      const report = m.lastCollectedOn !== null && Object.keys(amendment).length > 0;
      const n = await tx.mandate.updateMany({
        where: { id: m.id, version: m.version },
        data: { ...data, pendingAmendment: report ? JSON.stringify(amendment) : null, updatedAt: ctx.clock.now(), version: { increment: 1 } },
      });
      if (n.count !== 1) throw new ConflictError(`mandate ${m.reference} was changed by someone else at the same moment; reload it`);
      const note = input.note?.trim();
      await writeAudit(tx, ctx, {
        action: 'mandate.amended',
        subjectType: 'mandate',
        subjectId: m.id,
        ...(note ? { reason: note } : {}),
        data: { changed, ...(report ? { amendment: { ...amendment, ...(amendment.originalIban ? { originalIban: maskIban(amendment.originalIban) } : {}) } } : {}) },
      });
      return mandateView(await row(tx, m.id), today);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`mandate reference ${input.reference} is taken; a reference is unique for the creditor`, { field: 'reference' });
    throw err;
  }
}

/** Ends a mandate (the debtor revoked it, or the city stops collecting): never used again. */
export async function revokeMandate({ ctx, input }: { ctx: Ctx; input: { mandateId: string; reason: string } }): Promise<MandateView> {
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 500) throw new ValidationError('reason: say why, in 1 to 500 characters', { field: 'reason' });
  return ctx.db.transaction(async (tx) => {
    const m = await row(tx, input.mandateId);
    if (m.status !== 'active') throw new ConflictError(`mandate ${m.reference} is ${m.status} already`, { mandateStatus: m.status });
    const n = await tx.mandate.updateMany({ where: { id: m.id, version: m.version }, data: { status: 'revoked', statusReason: reason, updatedAt: ctx.clock.now(), version: { increment: 1 } } });
    if (n.count !== 1) throw new ConflictError(`mandate ${m.reference} was changed by someone else at the same moment; reload it`);
    await writeAudit(tx, ctx, { action: 'mandate.revoked', subjectType: 'mandate', subjectId: m.id, reason });
    return mandateView(await row(tx, m.id), cityDate(ctx.clock.now()));
  });
}

/** Standing collections one block takes back at most (put a limit on everything): one per item of one debtor. */
export const MAX_DEBITS_TAKEN_BACK = 1000;

export interface BlockMandateResult {
  mandate: MandateView;
  /** Collections announced (or in a run nobody released) that were taken back: each item is open to pay again. */
  takenBack: Array<{ directDebitId: string; itemId: string; kassenzeichen: string; amount: string; collectionDate: string; runId: string | null }>;
  /** Draft collection runs that held one of them: they cannot be released any more; cancel and gather again. */
  draftRuns: number[];
  /** Collections already released to the bank: they stand; a return or the credit settles them. */
  atBank: number;
}

/**
 * A person blocks a mandate (the debtor's bank said so on the phone, fraud, a court order): the same
 * end as a return that blocks it (MD01, AC04, AC06, MD07, src/services/collections/settle.ts), by
 * hand and with a reason. Never lifted: a blocked mandate is not used for new collections, and the
 * debtor signs a new one. Collections on it that did not go to the bank yet (announced, or in a run
 * nobody released) are taken back in the same transaction, and the issuing service hears
 * `item.collection_cancelled` for each, as it heard the announcement. Audited as `mandate.blocked`.
 */
export async function blockMandate({ ctx, input }: { ctx: Ctx; input: { mandateId: string; reason: string; version?: number } }): Promise<BlockMandateResult> {
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 500) throw new ValidationError('reason: say why, in 1 to 500 characters', { field: 'reason' });
  const today = cityDate(ctx.clock.now());
  return ctx.db.transaction(async (tx) => {
    const m = await row(tx, input.mandateId);
    if (input.version !== undefined && input.version !== m.version) throw new ConflictError(`mandate ${m.reference} changed since you read it; reload it`, { currentVersion: m.version });
    // An expired mandate is stored active: it may still be blocked, so it is never used again if renewed by mistake.
    if (m.status !== 'active') throw new ConflictError(`mandate ${m.reference} is ${m.status} already`, { mandateStatus: m.status });
    const now = ctx.clock.now();
    const n = await tx.mandate.updateMany({ where: { id: m.id, version: m.version, status: 'active' }, data: { status: 'blocked', statusReason: reason, updatedAt: now, version: { increment: 1 } } });
    if (n.count !== 1) throw new ConflictError(`mandate ${m.reference} was changed by someone else at the same moment; reload it`);

    const standing = await tx.directDebit.findMany({ where: { mandateId: m.id, state: { in: ['announced', 'in_run', 'sent'] } }, orderBy: { id: 'asc' }, take: MAX_DEBITS_TAKEN_BACK + 1 });
    if (standing.length > MAX_DEBITS_TAKEN_BACK) throw new LimitExceededError('debitsTakenBack', MAX_DEBITS_TAKEN_BACK, undefined, {}, `mandate ${m.reference} has more than ${MAX_DEBITS_TAKEN_BACK} standing collections; take some back first`);
    const runIds = [...new Set(standing.flatMap((d) => (d.runId ? [d.runId] : [])))];
    const runs = new Map((runIds.length ? await tx.collectionRun.findMany({ where: { id: { in: runIds } }, select: { id: true, number: true, status: true } }) : []).map((r) => [r.id, r]));
    // In a draft run the debit has not gone to the bank: it is taken back like an announcement.
    const back = standing.filter((d) => d.state === 'announced' || (d.state === 'in_run' && runs.get(d.runId ?? '')?.status === 'draft'));
    const items = new Map((back.length ? await tx.openItem.findMany({ where: { id: { in: back.map((d) => d.openItemId) } } }) : []).map((i) => [i.id, i]));
    const takenBack: BlockMandateResult['takenBack'] = [];
    for (const d of back) {
      const taken = await tx.directDebit.updateMany({ where: { id: d.id, version: d.version }, data: { state: 'cancelled', standingFor: null, updatedAt: now, version: { increment: 1 } } });
      if (taken.count !== 1) throw new ConflictError('a collection under the mandate changed at the same moment; try again');
      const item = items.get(d.openItemId)!;
      const amount = formatMinor(d.amountMinor, d.currency);
      await recordItemEvent(tx, ctx, item, 'item.collection_cancelled', {
        previousStatus: item.status as ItemStatus,
        reason: `the SEPA direct debit on ${d.collectionDate} is taken back: mandate ${m.reference} is blocked`,
        collection: { collectionDate: d.collectionDate, amount, mandateReference: m.reference, creditorId: ctx.config.sepa.creditorId },
      });
      takenBack.push({ directDebitId: d.id, itemId: item.id, kassenzeichen: item.kassenzeichen, amount, collectionDate: d.collectionDate, runId: d.runId });
    }
    const draftRuns = [...new Set(back.flatMap((d) => (d.runId ? [runs.get(d.runId)!.number] : [])))].sort((a, b) => a - b);
    const atBank = standing.length - back.length;
    await writeAudit(tx, ctx, {
      action: 'mandate.blocked',
      subjectType: 'mandate',
      subjectId: m.id,
      reason,
      data: { reference: m.reference, takenBack: takenBack.map((t) => t.directDebitId), draftRuns, atBank },
    });
    return { mandate: mandateView(await row(tx, m.id), today), takenBack, draftRuns, atBank };
  });
}

/** The next collection under this recurrent mandate is its last (FNAL); afterwards it is finished. */
export async function requestFinalCollection({ ctx, input }: { ctx: Ctx; input: { mandateId: string } }): Promise<MandateView> {
  const today = cityDate(ctx.clock.now());
  return ctx.db.transaction(async (tx) => {
    const m = await row(tx, input.mandateId);
    const standing = mandateStanding(m, today);
    if (standing !== 'active') throw new ConflictError(`mandate ${m.reference} is ${standing}`, { mandateStatus: standing });
    if (m.kind !== 'recurrent') throw new ConflictError(`mandate ${m.reference} is for one collection only (OOFF)`);
    if (m.lastCollectedOn === null) throw new ConflictError(`mandate ${m.reference} was never used; its first collection is FRST, a final one can only follow it`);
    const n = await tx.mandate.updateMany({ where: { id: m.id, version: m.version }, data: { finalRequested: true, updatedAt: ctx.clock.now(), version: { increment: 1 } } });
    if (n.count !== 1) throw new ConflictError(`mandate ${m.reference} was changed by someone else at the same moment; reload it`);
    await writeAudit(tx, ctx, { action: 'mandate.final_requested', subjectType: 'mandate', subjectId: m.id });
    return mandateView(await row(tx, m.id), today);
  });
}
