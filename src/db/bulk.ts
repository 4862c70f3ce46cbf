/**
 * Many rows written at once, inside the caller's database transaction.
 *
 * Why: every Prisma query costs about half a millisecond before the database does any work, and
 * every bound parameter a few microseconds more. A day's statement with 100,000 payments written
 * row by row (entries, transactions, proposals, allocations, item balances, events, audit) would
 * take minutes. Two ways, same rows:
 *
 * - PostgreSQL, D1: a batch of rows travels as ONE JSON parameter that the database unpacks itself
 *   (jsonb_to_recordset; json_each), so a thousand rows cost one round trip through Prisma.
 * - SQLite on Node: the database is a library in this process, so there is no round trip to save;
 *   what costs is Prisma's per-query work, building the JSON and SQLite's json_extract taking every
 *   row apart again (SQLite alone spent about half as long on an import's inserts without them, and
 *   Prisma's share disappears). Here the rows go through cached
 *   prepared statements on the very connection (and so the very transaction) Prisma's interactive
 *   transaction holds: node.ts registers that connection (registerSqliteConnection). Values are
 *   bound exactly as the Prisma adapter binds them (bigint as integer, Date as ISO text, booleans
 *   as 0/1), so what is stored is the same either way.
 *
 * Values on the JSON path: bigint is written as a JSON integer (exact; never through a float), Date as ISO text in
 * the form Prisma itself stores, booleans as JSON booleans. Column types are declared per table in
 * BULK_TABLES; test/db/bulk.test.ts checks the declarations against prisma/schema.prisma.
 */
import type { Backend, Tx } from './database.js';

/** What bulk writes need of the database: its backend, and (SQLite on Node) its registered connection. */
export type BulkTarget = { readonly backend: Backend };

/** The part of a better-sqlite3 connection used here (kept structural: only node.ts imports the driver). */
export interface SqliteConnection {
  readonly inTransaction: boolean;
  prepare(sql: string): { run(...params: unknown[]): { changes: number | bigint }; all?(...params: unknown[]): unknown[] };
}

const sqliteConnections = new WeakMap<object, SqliteConnection>();
const statementCache = new WeakMap<SqliteConnection, Map<string, ReturnType<SqliteConnection['prepare']>>>();

/**
 * Registers the connection that `db.transaction` runs on (node.ts, SQLite only). Without a
 * registration (D1, PostgreSQL, a test's own wrapper) the JSON path through Prisma is used.
 */
export function registerSqliteConnection(db: BulkTarget, connection: SqliteConnection): void {
  sqliteConnections.set(db, connection);
}

function sqliteConnectionOf(db: BulkTarget): SqliteConnection | undefined {
  if (db.backend !== 'sqlite') return undefined;
  const c = sqliteConnections.get(db);
  if (!c) return undefined;
  // Bulk writes are only ever part of a caller's transaction (all or nothing); outside one they
  // would commit row by row. Every caller passes the `tx` of db.transaction: this is a bug check.
  if (!c.inTransaction) throw new Error('bulk write outside a database transaction');
  return c;
}

function prepared(c: SqliteConnection, sql: string): ReturnType<SqliteConnection['prepare']> {
  let cache = statementCache.get(c);
  if (!cache) statementCache.set(c, (cache = new Map()));
  let st = cache.get(sql);
  if (!st) cache.set(sql, (st = c.prepare(sql)));
  return st;
}

/**
 * Rows of a read inside the caller's transaction, on SQLite under Node straight from the connection
 * (integers come back as bigint); undefined elsewhere, where the caller reads through Prisma.
 * For reads that Prisma would turn into several queries and many objects per row (the booking writer's
 * check after writing). `tx` must be the client of the caller's db.transaction.
 */
export function sqliteReadInTransaction(_tx: Tx, db: BulkTarget, sql: string, params: unknown[]): Array<Record<string, unknown>> | undefined {
  const c = sqliteConnectionOf(db);
  if (!c) return undefined;
  return prepared(c, sql).all!(...params) as Array<Record<string, unknown>>;
}

/**
 * One write inside the caller's transaction, on SQLite under Node straight on the connection; false
 * elsewhere, where the caller writes through Prisma. For a large value that Prisma would carry
 * through JSON as base64 and copy again on the way (the chunks of a kept file: 40 MB of the import
 * thread's peak for a 24 MB file). `tx` must be the client of the caller's db.transaction.
 */
export function sqliteRunInTransaction(_tx: Tx, db: BulkTarget, sql: string, params: unknown[]): boolean {
  const c = sqliteConnectionOf(db);
  if (!c) return false;
  prepared(c, sql).run(...params);
  return true;
}

/** A value bound as the Prisma better-sqlite3 adapter binds it (see timestampText). */
function sqliteValue(v: Row[string], type: ColumnType): string | number | bigint | null {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'bigint':
    case 'int':
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      throw new TypeError(`bulk: integer column got ${typeof v}`);
    case 'bool':
      return v ? 1 : 0;
    case 'timestamp':
      if (!(v instanceof Date)) throw new TypeError('bulk: timestamp column needs a Date');
      return timestampText(v);
    case 'text':
      return String(v);
  }
}

function boundRow(r: Row, names: string[], columns: TableColumns): Array<string | number | bigint | null> {
  const out = new Array<string | number | bigint | null>(names.length);
  for (let i = 0; i < names.length; i++) out[i] = sqliteValue(r[names[i]!], columns[names[i]!]!);
  return out;
}

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
  // A window's rows mostly carry the same `now`: formatted once, not once per row and column.
  const t = d.getTime();
  if (t !== lastTime) {
    lastTime = t;
    lastText = d.toISOString().replace('Z', '+00:00');
  }
  return lastText;
}
let lastTime = Number.NaN;
let lastText = '';

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

/**
 * INSERT of many rows; `columns` names exactly the columns written (others take their default).
 * `tx` must be the client of the caller's db.transaction.
 */
export async function bulkInsert(tx: Tx, db: BulkTarget, table: string, columns: TableColumns, rows: Row[], opts: { onConflict?: string } = {}): Promise<void> {
  if (rows.length === 0) return;
  const backend = db.backend;
  const names = Object.keys(columns).map((n) => `"${n}"`);
  const sqlite = sqliteConnectionOf(db);
  if (sqlite) {
    const keys = Object.keys(columns);
    const conflict = opts.onConflict ? ` ON CONFLICT ${opts.onConflict}` : '';
    const st = prepared(sqlite, `INSERT INTO "${table}" (${names.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})${conflict}`);
    for (const r of rows) st.run(boundRow(r, keys, columns));
    return;
  }
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
export async function bulkUpdate(tx: Tx, db: BulkTarget, spec: BulkUpdateSpec, rows: Row[]): Promise<number> {
  if (rows.length === 0) return 0;
  const backend = db.backend;
  const t = `"${spec.table}"`;
  const expect = spec.expect ?? {};
  const sqlite = sqliteConnectionOf(db);
  if (sqlite) {
    const sets = [...Object.keys(spec.set).map((n) => `"${n}" = ?`), ...(spec.setExpressions ?? [])];
    const where = [...Object.keys(spec.key).map((n) => `"${n}" = ?`), ...Object.keys(expect).map((n) => `"${n}" = ?`)];
    const st = prepared(sqlite, `UPDATE ${t} SET ${sets.join(', ')} WHERE ${where.join(' AND ')}`);
    const carried: TableColumns = { ...spec.set, ...spec.key, ...Object.fromEntries(Object.entries(expect).map(([n, type]) => [`expected_${n}`, type])) };
    const keys = Object.keys(carried);
    let changed = 0;
    for (const r of rows) changed += Number(st.run(boundRow(r, keys, carried)).changes);
    return changed;
  }
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
  Mandate: {
    id: 'text', reference: 'text', kind: 'text', debtorName: 'text', debtorIban: 'text', debtorBic: 'text', debtorRef: 'text', issuerClientId: 'text', signedOn: 'text', status: 'text',
    statusReason: 'text', lastCollectedOn: 'text', finalRequested: 'bool', pendingAmendment: 'text', createdBy: 'text', createdAt: 'timestamp', updatedAt: 'timestamp', version: 'int',
  },
  DirectDebit: {
    id: 'text', openItemId: 'text', mandateId: 'text', state: 'text', amountMinor: 'bigint', currency: 'text', collectionDate: 'text', announcedAt: 'timestamp', standingFor: 'text',
    runId: 'text', position: 'int', sequence: 'text', endToEndId: 'text', remittance: 'text', creditTransactionId: 'text', returnTransactionId: 'text', returnReasonCode: 'text',
    returnFeeMinor: 'bigint', updatedAt: 'timestamp', version: 'int',
  },
  Entry: {
    id: 'text', statementId: 'text', position: 'int', entryReference: 'text', accountServicerReference: 'text', dedupeKey: 'text', duplicateOfEntryId: 'text',
    amountMinor: 'bigint', currency: 'text', creditDebit: 'text', reversal: 'bool', status: 'text', bookingDate: 'text', valueDate: 'text', bankTransactionCode: 'text',
    proprietaryCode: 'text', gvc: 'text', additionalInfo: 'text', batchCount: 'int', batchTotalMinor: 'bigint', batchIds: 'text', detailsDisagree: 'text', contentDigest: 'text',
  },
  BankTransaction: {
    id: 'text', entryId: 'text', position: 'int', entryRef: 'text', amountMinor: 'bigint', currency: 'text', creditDebit: 'text', endToEndId: 'text', mandateId: 'text',
    transactionId: 'text', accountServicerReference: 'text', instructionId: 'text', instructedAmountMinor: 'bigint', instructedCurrency: 'text', transactionAmountMinor: 'bigint', transactionAmountCurrency: 'text', chargesMinor: 'bigint',
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
  OpenItem: {
    id: 'text', kassenzeichen: 'text', rfReference: 'text', category: 'text', description: 'text', amountMinor: 'bigint', currency: 'text', dueDate: 'text',
    debtorName: 'text', debtorNameKey: 'text', debtorAddress: 'text', debtorEmail: 'text', debtorIban: 'text', issuerClientId: 'text', externalRef: 'text',
    bookingData: 'text', status: 'text', paidMinor: 'bigint', cancelledAt: 'timestamp', cancelReason: 'text', createdAt: 'timestamp', updatedAt: 'timestamp',
    listPosition: 'int', version: 'int', kassenzeichenAsIssued: 'text',
  },
  OpenItemChange: { id: 'text', openItemId: 'text', kind: 'text', oldAmountMinor: 'bigint', newAmountMinor: 'bigint', reason: 'text', actor: 'text', createdAt: 'timestamp' },
} as const satisfies Record<string, TableColumns>;
