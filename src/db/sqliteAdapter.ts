/**
 * The Prisma better-sqlite3 adapter with two things added, both measured on `POST /v1/items`:
 *
 * - Writes queue for the file's one writer (writerQueue.ts) instead of spinning in SQLite's busy
 *   handler: a transaction from BEGIN to COMMIT/ROLLBACK, a single write statement outside one.
 * - Prepared statements are kept: the adapter prepares every statement again (`prepare(sql)` per
 *   query), which was a fifth of the request's time; SQLite's compiler runs once per SQL text now.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { WriterQueue } from './writerQueue.js';

/** Statements kept per connection; Prisma's SQL varies with IN-list lengths, so it is bounded. */
const STATEMENT_CACHE = 400;

type Factory = InstanceType<typeof PrismaBetterSqlite3>;
type Adapter = Awaited<ReturnType<Factory['connect']>>;
type Transaction = Awaited<ReturnType<Adapter['startTransaction']>>;
type Query = Parameters<Adapter['queryRaw']>[0];

/** A read does not need the writer: SELECT (and PRAGMA reads, EXPLAIN). */
function isRead(sql: string): boolean {
  return /^\s*(SELECT|PRAGMA|EXPLAIN|VALUES)\b/i.test(sql);
}

/**
 * Makes `connection.prepare` answer from a cache. The adapter calls `prepare(sql).bind(args)` and
 * then `run()`, `columns()` or `raw().all()`; better-sqlite3 binds a statement only once, so the
 * cached statement is wrapped and the arguments passed on every call instead.
 */
export function cacheStatements(connection: BetterSqlite3.Database): (sql: string) => BetterSqlite3.Statement {
  const original = connection.prepare.bind(connection);
  const cache = new Map<string, BetterSqlite3.Statement>();
  const get = (sql: string): BetterSqlite3.Statement => {
    let st = cache.get(sql);
    if (st) {
      // Least recently used goes first: re-inserting moves the entry to the end.
      cache.delete(sql);
      cache.set(sql, st);
      return st;
    }
    st = original(sql);
    cache.set(sql, st);
    if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
    return st;
  };
  (connection as { prepare: unknown }).prepare = (sql: string) => {
    const st = get(sql);
    return {
      reader: st.reader,
      run: (...params: unknown[]) => st.run(...params),
      all: (...params: unknown[]) => (st.reader ? st.raw(false).all(...params) : st.all(...params)),
      get: (...params: unknown[]) => (st.reader ? st.raw(false).get(...params) : st.get(...params)),
      bind: (args: unknown[]) => ({
        reader: st.reader,
        run: () => st.run(args),
        columns: () => st.columns(),
        raw: () => ({ all: () => st.raw(true).all(args) }),
      }),
    };
  };
  return original;
}

/**
 * The adapter factory, wrapped: `onConnection` receives the better-sqlite3 connection it opens
 * (bulk.ts writes on it inside Prisma's transaction) and its own, unwrapped `prepare` (rawRead.ts).
 */
export function queuedAdapter(
  factory: Factory,
  queue: WriterQueue | undefined,
  onConnection: (c: BetterSqlite3.Database, prepare: (sql: string) => BetterSqlite3.Statement) => void,
) {
  return {
    provider: factory.provider as typeof factory.provider,
    adapterName: factory.adapterName,
    async connect(): Promise<Adapter> {
      const adapter = await factory.connect();
      const connection = (adapter as unknown as { client: BetterSqlite3.Database }).client;
      onConnection(connection, cacheStatements(connection));
      if (!queue) return adapter;
      const queryRaw = adapter.queryRaw.bind(adapter);
      const executeRaw = adapter.executeRaw.bind(adapter);
      const startTransaction = adapter.startTransaction.bind(adapter);
      const asWriter = async <T>(sql: string, run: () => Promise<T>): Promise<T> => {
        if (isRead(sql)) return run();
        const release = await queue.acquire();
        try {
          return await run();
        } finally {
          release();
        }
      };
      adapter.queryRaw = (q: Query) => asWriter(q.sql, () => queryRaw(q));
      adapter.executeRaw = (q: Query) => asWriter(q.sql, () => executeRaw(q));
      adapter.startTransaction = async (isolationLevel) => {
        const release = await queue.acquire();
        let tx: Transaction;
        try {
          tx = await startTransaction(isolationLevel);
        } catch (err) {
          release();
          throw err;
        }
        const commit = tx.commit.bind(tx);
        const rollback = tx.rollback.bind(tx);
        tx.commit = () => commit().finally(release);
        tx.rollback = () => rollback().finally(release);
        return tx;
      };
      return adapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}

type ConnectingFactory = ReturnType<typeof queuedAdapter>;

/**
 * One Prisma client over two connections to the same file: transactions (imports, bookings) on
 * one, every other query on the other. The embedded driver runs one statement at a time per
 * connection and holds it for a whole interactive transaction, so with a single connection a long
 * import would make every API read wait; with a second one, reads go on (WAL gives them a
 * consistent snapshot). It used to be two clients, one per connection; a client costs its own copy
 * of the query compiler's instance and of the data model (measured: 12–18 MB a client).
 */
export function splitAdapter(reads: ConnectingFactory, transactions: ConnectingFactory) {
  return {
    provider: reads.provider,
    adapterName: reads.adapterName,
    async connect(): Promise<Adapter> {
      const r = await reads.connect();
      const w = await transactions.connect();
      const both = {
        provider: r.provider,
        adapterName: r.adapterName,
        queryRaw: (q: Query) => r.queryRaw(q),
        executeRaw: (q: Query) => r.executeRaw(q),
        executeScript: (script: string) => r.executeScript(script),
        startTransaction: (isolationLevel?: Parameters<Adapter['startTransaction']>[0]) => w.startTransaction(isolationLevel),
        dispose: async () => {
          await r.dispose();
          await w.dispose();
        },
      };
      return both as unknown as Adapter;
    },
    connectToShadowDb: () => reads.connectToShadowDb(),
  };
}
