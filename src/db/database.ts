/**
 * The database as the rest of Stadtkasse sees it: a Prisma client plus which backend is behind it.
 * Both generated clients (SQLite and PostgreSQL) come from one schema and have the same shape, so
 * services are written once against the SQLite client's types.
 */
import type { PrismaClient } from './generated/sqlite/client.js';

export type Backend = 'sqlite' | 'postgresql' | 'd1';

export type Db = PrismaClient;
/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Omit<Db, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

export interface Database {
  readonly prisma: Db;
  readonly backend: Backend;
  /** Runs `fn` in one database transaction: all of it is stored, or none of it. */
  transaction<T>(fn: (tx: Tx) => Promise<T>, opts?: { timeoutMs?: number }): Promise<T>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `transactions` may be a second client on its own connection: the embedded SQLite driver runs one
 * statement at a time per connection and holds it for a whole interactive transaction, so a long
 * import on the only connection would make every API read wait for it. With a separate connection
 * for transactions, reads go on (SQLite's WAL serves them a consistent snapshot).
 */
export function createDatabase(
  prisma: Db,
  backend: Backend,
  onClose: () => Promise<void> = async () => {},
  transactions: Db = prisma,
  /** Wraps each transaction's body (SQLite: marks it as holding the writer, see writerQueue.ts). */
  body: <T>(fn: () => Promise<T>) => Promise<T> = (fn) => fn(),
): Database {
  return {
    prisma,
    backend,
    transaction(fn, opts) {
      const timeout = opts?.timeoutMs ?? 60_000;
      return transactions.$transaction((tx) => body(() => fn(tx as Tx)), { timeout, maxWait: timeout });
    },
    async ping() {
      await prisma.$queryRawUnsafe('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
      await onClose();
    },
  };
}

/** Unique-constraint violation, as Prisma reports it on every backend. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}
