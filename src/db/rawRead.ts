/**
 * One row by its primary key, read on SQLite under Node straight from the connection Prisma reads
 * on, with the values Prisma itself would answer (bigint, number, boolean, Date, string).
 *
 * Why: an authenticated `GET /v1/items/{id}` spent more CPU in Prisma's findUnique (about 280 µs,
 * building and parsing the query, its result and the adapter's bookkeeping) than in everything else
 * of the request together; SQLite answers the same statement in a few microseconds. Only for reads
 * by key on hot paths; everything else stays with Prisma. Elsewhere (PostgreSQL, D1) the caller
 * reads through Prisma: `undefined` says so.
 */
import type { BulkTarget, ColumnType, TableColumns } from './bulk.js';

/** The part of a better-sqlite3 connection used here (structural: only node.ts imports the driver). */
export interface SqliteReadConnection {
  prepare(sql: string): { safeIntegers(on?: boolean): { get(...params: unknown[]): unknown } };
}

const readConnections = new WeakMap<object, SqliteReadConnection>();
const statements = new WeakMap<SqliteReadConnection, Map<string, { get(...params: unknown[]): unknown }>>();

/** Registers the connection the database's plain (not transaction) client reads on (node.ts, SQLite). */
export function registerSqliteReadConnection(db: BulkTarget, connection: SqliteReadConnection): void {
  readConnections.set(db, connection);
}

function value(v: unknown, type: ColumnType): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'bigint':
      return v as bigint;
    case 'int':
      return Number(v as bigint);
    case 'bool':
      return v === 1n || v === 1;
    case 'timestamp':
      // The adapter's text ("…T10:31:01.668+00:00"); an integer is milliseconds since 1970.
      return typeof v === 'bigint' ? new Date(Number(v)) : new Date(v as string);
    case 'text':
      return v as string;
  }
}

/**
 * The row of `table` whose `key` column is `id`, as Prisma's findUnique answers it (`null` when
 * there is none), or `undefined` when this database has no raw path. `columns` must name every
 * column of the model (test/db/raw-read.test.ts compares with Prisma's answer).
 */
export function sqliteFindByKey<T>(db: BulkTarget, table: string, columns: TableColumns, key: string, id: string): T | null | undefined {
  if (db.backend !== 'sqlite') return undefined;
  const c = readConnections.get(db);
  if (!c) return undefined;
  let cache = statements.get(c);
  if (!cache) statements.set(c, (cache = new Map()));
  const names = Object.keys(columns);
  const sql = `SELECT ${names.map((n) => `"${n}"`).join(', ')} FROM "${table}" WHERE "${key}" = ?`;
  let st = cache.get(sql);
  if (!st) cache.set(sql, (st = c.prepare(sql).safeIntegers(true)));
  const raw = st.get(id) as Record<string, unknown> | undefined;
  if (!raw) return null;
  const row: Record<string, unknown> = {};
  for (const n of names) row[n] = value(raw[n], columns[n]!);
  return row as T;
}
