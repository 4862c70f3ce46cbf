/** Reading statements, their entries and imports: lists with filters and cursor pages. */
import type { Ctx } from '../../context.js';
import { NotFoundError } from '../../errors.js';
import { afterCursorWhere, decodeCursor, decodeTimeCursor, encodeCursor, encodeTimeCursor, NEWEST_FIRST, pageLimit, type Page } from '../shared/paging.js';
import { formatMinor } from '../../money/money.js';

export interface StatementFilter {
  accountIban?: string;
  kind?: string;
  balanceCheck?: string;
  bookedFrom?: string;
  bookedTo?: string;
  limit?: number;
  cursor?: string;
}

export function statementView(s: {
  id: string; importId: string; kind: string; version: string; messageId: string; bankStatementId: string; accountIban: string | null; accountOther: string | null; currency: string;
  electronicSequenceNumber: bigint | null; legalSequenceNumber: bigint | null; fromDateTime: string | null; toDateTime: string | null; bankCreatedAt: string | null;
  openingBalanceMinor: bigint | null; closingBalanceMinor: bigint | null; openingBalanceDate: string | null; closingBalanceDate: string | null; balanceCheck: string;
  balanceDifferenceMinor: bigint; sequenceGaps: string; entryCount: number; createdAt: Date;
}) {
  const money = (m: bigint | null) => (m === null ? null : formatMinor(m, s.currency));
  return {
    id: s.id,
    importId: s.importId,
    kind: s.kind as 'camt.052' | 'camt.053' | 'camt.054',
    version: s.version,
    messageId: s.messageId,
    bankStatementId: s.bankStatementId,
    account: { iban: s.accountIban, other: s.accountOther, currency: s.currency },
    electronicSequenceNumber: s.electronicSequenceNumber?.toString() ?? null,
    legalSequenceNumber: s.legalSequenceNumber?.toString() ?? null,
    from: s.fromDateTime,
    to: s.toDateTime,
    bankCreatedAt: s.bankCreatedAt,
    openingBalance: money(s.openingBalanceMinor),
    openingBalanceDate: s.openingBalanceDate,
    closingBalance: money(s.closingBalanceMinor),
    closingBalanceDate: s.closingBalanceDate,
    balanceCheck: { status: s.balanceCheck as 'ok' | 'broken' | 'not_checked', difference: formatMinor(s.balanceDifferenceMinor, s.currency) },
    sequenceGaps: JSON.parse(s.sequenceGaps) as Array<{ from: string; to: string }>,
    entryCount: s.entryCount,
    importedAt: s.createdAt.toISOString(),
  };
}

export type StatementView = ReturnType<typeof statementView>;

function statementsWhere(input: StatementFilter) {
  return {
    ...(input.accountIban ? { accountIban: input.accountIban.replace(/\s+/g, '').toUpperCase() } : {}),
    ...(input.kind ? { kind: input.kind } : {}),
    ...(input.balanceCheck ? { balanceCheck: input.balanceCheck } : {}),
    ...(input.bookedFrom || input.bookedTo
      ? { closingBalanceDate: { ...(input.bookedFrom ? { gte: input.bookedFrom } : {}), ...(input.bookedTo ? { lte: input.bookedTo } : {}) } }
      : {}),
  };
}

/** How many statements the filter finds in all. */
export async function countStatements({ ctx, input }: { ctx: Ctx; input: StatementFilter }): Promise<number> {
  return ctx.db.prisma.statement.count({ where: statementsWhere(input) });
}

export async function listStatements({ ctx, input }: { ctx: Ctx; input: StatementFilter }): Promise<Page<StatementView>> {
  const limit = pageLimit(input.limit);
  const rows = await ctx.db.prisma.statement.findMany({
    where: {
      ...statementsWhere(input),
      ...afterCursorWhere(decodeTimeCursor(input.cursor)),
    },
    orderBy: NEWEST_FIRST,
    take: limit + 1,
  });
  const items = rows.slice(0, limit).map(statementView);
  const last = rows.length > limit ? rows[limit - 1]! : undefined;
  return { items, nextCursor: last ? encodeTimeCursor({ at: last.createdAt, id: last.id }) : null };
}

export async function getStatement({ ctx, input }: { ctx: Ctx; input: { id: string } }): Promise<StatementView> {
  const s = await ctx.db.prisma.statement.findUnique({ where: { id: input.id } });
  if (!s) throw new NotFoundError('statement', input.id);
  return statementView(s);
}

export interface EntryFilter {
  statementId: string;
  creditDebit?: 'CRDT' | 'DBIT';
  status?: string;
  matchState?: string;
  duplicates?: boolean;
  limit?: number;
  cursor?: string;
}

export async function listEntries({ ctx, input }: { ctx: Ctx; input: EntryFilter }) {
  await getStatement({ ctx, input: { id: input.statementId } });
  const limit = pageLimit(input.limit);
  const after = decodeCursor(input.cursor, 1);
  const rows = await ctx.db.prisma.entry.findMany({
    where: {
      statementId: input.statementId,
      ...(input.creditDebit ? { creditDebit: input.creditDebit } : {}),
      ...(input.status ? { status: input.status } : {}),
      ...(input.duplicates === true ? { duplicateOfEntryId: { not: null } } : input.duplicates === false ? { duplicateOfEntryId: null } : {}),
      ...(input.matchState ? { transactions: { some: { matchState: input.matchState } } } : {}),
      ...(after ? { position: { gt: Number.parseInt(after[0]!, 10) } } : {}),
    },
    orderBy: { position: 'asc' },
    take: limit + 1,
    include: { transactions: { orderBy: { position: 'asc' } } },
  });
  const items = rows.slice(0, limit).map((e) => ({
    id: e.id,
    position: e.position,
    entryReference: e.entryReference,
    accountServicerReference: e.accountServicerReference,
    amount: formatMinor(e.amountMinor, e.currency),
    currency: e.currency,
    creditDebit: e.creditDebit,
    reversal: e.reversal,
    status: e.status,
    bookingDate: e.bookingDate,
    valueDate: e.valueDate,
    bankTransactionCode: e.bankTransactionCode,
    proprietaryCode: e.proprietaryCode,
    gvc: e.gvc,
    additionalInfo: e.additionalInfo,
    batch: e.batchCount !== null || e.batchTotalMinor !== null ? { count: e.batchCount, total: e.batchTotalMinor === null ? null : formatMinor(e.batchTotalMinor, e.currency) } : null,
    duplicateOfEntryId: e.duplicateOfEntryId,
    transactions: e.transactions.map((t) => ({
      id: t.id,
      txIndex: t.position,
      entryRef: t.entryRef,
      amount: formatMinor(t.amountMinor, t.currency),
      creditDebit: t.creditDebit,
      endToEndId: t.endToEndId,
      mandateId: t.mandateId,
      debtor: { name: t.debtorName, iban: t.debtorIban, bic: t.debtorBic },
      ultimateDebtor: t.ultimateDebtorName,
      creditor: { name: t.creditorName, iban: t.creditorIban },
      remittanceLines: JSON.parse(t.remittanceLines) as string[],
      creditorReferences: JSON.parse(t.creditorReferences) as Array<{ reference: string; type?: string }>,
      returnReason: t.returnReasonCode ? { code: t.returnReasonCode, text: t.returnReasonText } : null,
      purposeCode: t.purposeCode,
      matchState: t.matchState,
      unapplied: formatMinor(t.unappliedMinor, t.currency),
    })),
  }));
  const last = rows.length > limit ? rows[limit - 1]! : undefined;
  return { items, nextCursor: last ? encodeCursor([String(last.position)]) : null };
}

export async function getImport({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const imp = await ctx.db.prisma.statementImport.findUnique({ where: { id: input.id } });
  if (!imp || !imp.result) throw new NotFoundError('import', input.id);
  return JSON.parse(imp.result) as Record<string, unknown>;
}
