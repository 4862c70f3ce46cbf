/**
 * Many rows in one statement, on every backend, still through Prisma.
 *
 * Why: every Prisma query costs about half a millisecond before the database does any work, and
 * every bound parameter a few microseconds more. A day's statement with 100,000 payments written
 * row by row (entries, transactions, proposals, allocations, item balances, events, audit) would
 * take minutes. Here a batch of rows travels as ONE JSON parameter that the database unpacks itself
 * (SQLite: json_each; PostgreSQL: jsonb_to_recordset), so a thousand rows cost one round trip.
 *
 * Values: bigint is written as a JSON integer (exact; never through a float), Date as ISO text in
 * the form Prisma itself stores, booleans as JSON booleans. Column types are declared per table in
 * BULK_TABLES; test/db/bulk.test.ts checks the declarations against prisma/schema.prisma.
 */
import type { Backend, Tx } from './database.js';

export type ColumnType = 'text' | 'int' | 'bigint' | 'bool' | 'timestamp';
export type TableColumns = Readonly<Record<string, ColumnType>>;
export type Row = Record<string, string | number | bigint | boolean | Date | null | undefined>;

const PG_TYPES: Record<ColumnType, string> = { text: 'text', int: 'integer', bigint: 'bigint', bool: 'boolean', timestamp: 'timestamp(3)' };

/** Rows per statement: bounded so one JSON parameter stays a few megabytes at most. */
export const BULK_ROWS = 1000;

function jsonValue(v: Row[string], type: ColumnType): string {
  if (v === null || v === undefined) return 'null';
  switch (type) {
    case 'bigint':
    case 'int':
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'number' && Number.isInteger(v)) return String(v);
      throw new TypeError(`bulk: integer column got ${typeof v}`);
    case 'bool':
      return v ? 'true' : 'false';
    case 'timestamp':
      if (!(v instanceof Date)) throw new TypeError('bulk: timestamp column needs a Date');
      return JSON.stringify(timestampText(v));
    case 'text':
      return JSON.stringify(String(v));
  }
}

/** SQLite text the Prisma better-sqlite3 adapter writes and reads ("…T10:31:01.668+00:00"). */
function timestampText(d: Date): string {
  return d.toISOString().replace('Z', '+00:00');
}

function toJson(rows: Row[], columns: TableColumns): string {
  const names = Object.keys(columns);
  const parts: string[] = [];
  for (const r of rows) {
    parts.push('{' + names.map((n) => `${JSON.stringify(n)}:${jsonValue(r[n], columns[n]!)}`).join(',') + '}');
  }
  return '[' + parts.join(',') + ']';
}

function sqliteSelect(columns: TableColumns): string {
  return Object.keys(columns)
    .map((n) => `json_extract(value, '$.${n}') AS "${n}"`)
    .join(', ');
}

function pgRecord(columns: TableColumns): string {
  return Object.entries(columns)
    .map(([n, t]) => `"${n}" ${PG_TYPES[t]}`)
    .join(', ');
}

function source(backend: Backend, columns: TableColumns): string {
  return backend === 'postgresql'
    ? `jsonb_to_recordset($1::jsonb) AS v(${pgRecord(columns)})`
    : `(SELECT ${sqliteSelect(columns)} FROM json_each(?)) AS v`;
}

/** INSERT of many rows; `columns` names exactly the columns written (others take their default). */
export async function bulkInsert(tx: Tx, backend: Backend, table: string, columns: TableColumns, rows: Row[], opts: { onConflict?: string } = {}): Promise<void> {
  const names = Object.keys(columns).map((n) => `"${n}"`);
  const values = Object.keys(columns)
    .map((n) => `v."${n}"`)
    .join(', ');
  for (let i = 0; i < rows.length; i += BULK_ROWS) {
    const json = toJson(rows.slice(i, i + BULK_ROWS), columns);
    // "WHERE true" keeps SQLite's parser from reading a following ON CONFLICT as a join clause.
    const conflict = opts.onConflict ? ` ON CONFLICT ${opts.onConflict}` : '';
    await tx.$executeRawUnsafe(`INSERT INTO "${table}" (${names.join(', ')}) SELECT ${values} FROM ${source(backend, columns)} WHERE true${conflict}`, json);
  }
}

export interface BulkUpdateSpec {
  table: string;
  /** Key column(s) matching a row, e.g. { id: 'text' }. */
  key: TableColumns;
  /** Columns set from the row's values. */
  set: TableColumns;
  /** Extra SET expressions, e.g. `"version" = "T"."version" + 1` (the table is aliased by its name). */
  setExpressions?: string[];
  /** Columns that must hold the row's value for the update to apply (optimistic concurrency). */
  expect?: TableColumns;
  /** Names the expected values are sent under (default "expected_<column>"). */
}

/**
 * UPDATE of many rows, each with its own values. Returns how many rows were updated: the caller
 * compares it with the number it expected, and treats fewer as a concurrent change (409).
 */
export async function bulkUpdate(tx: Tx, backend: Backend, spec: BulkUpdateSpec, rows: Row[]): Promise<number> {
  const t = `"${spec.table}"`;
  const expect = spec.expect ?? {};
  const carried: Record<string, ColumnType> = { ...spec.key, ...spec.set };
  for (const [n, type] of Object.entries(expect)) carried[`expected_${n}`] = type;
  const sets = [...Object.keys(spec.set).map((n) => `"${n}" = v."${n}"`), ...(spec.setExpressions ?? [])];
  const where = [
    ...Object.keys(spec.key).map((n) => `${t}."${n}" = v."${n}"`),
    ...Object.keys(expect).map((n) => `${t}."${n}" = v."expected_${n}"`),
  ];
  let updated = 0;
  for (let i = 0; i < rows.length; i += BULK_ROWS) {
    const chunk = rows.slice(i, i + BULK_ROWS).map((r) => {
      const out: Row = { ...r };
      for (const n of Object.keys(expect)) out[`expected_${n}`] = r[`expected_${n}`];
      return out;
    });
    const json = toJson(chunk, carried);
    updated += await tx.$executeRawUnsafe(`UPDATE ${t} SET ${sets.join(', ')} FROM ${source(backend, carried)} WHERE ${where.join(' AND ')}`, json);
  }
  return updated;
}

/** Column declarations of the tables written in bulk (checked against the schema by a test). */
export const BULK_TABLES = {
  Entry: {
    id: 'text', statementId: 'text', position: 'int', entryReference: 'text', accountServicerReference: 'text', dedupeKey: 'text', duplicateOfEntryId: 'text',
    amountMinor: 'bigint', currency: 'text', creditDebit: 'text', reversal: 'bool', status: 'text', bookingDate: 'text', valueDate: 'text', bankTransactionCode: 'text',
    proprietaryCode: 'text', gvc: 'text', additionalInfo: 'text', batchCount: 'int', batchTotalMinor: 'bigint',
  },
  BankTransaction: {
    id: 'text', entryId: 'text', position: 'int', entryRef: 'text', amountMinor: 'bigint', currency: 'text', creditDebit: 'text', endToEndId: 'text', mandateId: 'text',
    transactionId: 'text', accountServicerReference: 'text', instructionId: 'text', instructedAmountMinor: 'bigint', instructedCurrency: 'text', chargesMinor: 'bigint',
    exchangeRate: 'text', debtorName: 'text', debtorIban: 'text', debtorBic: 'text', ultimateDebtorName: 'text', creditorName: 'text', creditorIban: 'text',
    ultimateCreditorName: 'text', remittanceLines: 'text', creditorReferences: 'text', purposeCode: 'text', returnReasonCode: 'text', returnReasonText: 'text',
    bankTransactionCode: 'text', bookingDate: 'text', matchState: 'text', unappliedMinor: 'bigint', createdAt: 'timestamp',
  },
  MatchProposal: {
    id: 'text', transactionId: 'text', decision: 'text', confidenceBp: 'int', reasons: 'text', allocations: 'text', surplusMinor: 'bigint', suggestions: 'text',
    returnOf: 'text', engineVersion: 'text', createdAt: 'timestamp',
  },
  Allocation: {
    id: 'text', transactionId: 'text', openItemId: 'text', amountMinor: 'bigint', currency: 'text', kind: 'text', proposalId: 'text', approvalId: 'text', reason: 'text',
    createdBy: 'text', createdAt: 'timestamp',
  },
  SuspenseMovement: { id: 'text', transactionId: 'text', amountMinor: 'bigint', currency: 'text', reason: 'text', note: 'text', createdBy: 'text', createdAt: 'timestamp' },
  AuditEntry: { id: 'text', at: 'timestamp', actorType: 'text', actorId: 'text', action: 'text', subjectType: 'text', subjectId: 'text', reason: 'text', requestId: 'text', data: 'text' },
  ItemEvent: { id: 'text', openItemId: 'text', type: 'text', issuerClientId: 'text', payload: 'text', createdAt: 'timestamp' },
} as const satisfies Record<string, TableColumns>;
