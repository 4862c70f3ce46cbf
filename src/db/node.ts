/**
 * Opens the database on Node: an embedded SQLite file (better-sqlite3) or PostgreSQL (pg), migrates
 * it, and returns the Prisma client on the matching driver adapter. Nothing else imports a driver.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import BetterSqlite3 from 'better-sqlite3';
import type { Client as PgConnection } from 'pg';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { createDatabase, type Database, type Db } from './database.js';
import { MIGRATIONS_TABLE, runMigrations, type Migration, type MigrationDriver } from './migrate.js';
import { registerSqliteConnection } from './bulk.js';
import { registerSqliteReadConnection } from './rawRead.js';
import { queuedAdapter, splitAdapter } from './sqliteAdapter.js';
import { WriterQueue } from './writerQueue.js';

// Prisma's query compiler is a WebAssembly module of 3.3 MB. V8 compiles it with its baseline
// compiler (Liftoff) and then again, function by function, with its optimising one (TurboFan):
// measured, the second tier cost 45–50 MB of resident memory per process, and a run of the import
// was no slower without it (queries are compiled once per shape and their plans cached). The flag
// is read when a module is compiled, so it is set before any client exists; it only concerns
// WebAssembly, and Prisma's is the only module in the process.
setFlagsFromString('--liftoff-only');

/** The folder holding prisma/: two levels above src/db, three above the compiled dist/<build>/db. */
const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'prisma', 'migrations'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`prisma/migrations not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
})();

export function loadMigrations(backend: 'sqlite' | 'postgresql'): Migration[] {
  const dir = join(repoRoot, 'prisma', 'migrations', backend);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => ({ id: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

export interface DatabaseTarget {
  backend: 'sqlite' | 'postgresql';
  /** SQLite: file path (or ':memory:'); PostgreSQL: connection string without the schema parameter. */
  location: string;
  /** PostgreSQL schema (from `?schema=`), default public. */
  schema?: string;
}

/** Reads DATABASE_URL: `file:./data/x.db` (or a plain path) for SQLite, `postgresql://…` for PostgreSQL. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const u = new URL(url);
    const schema = u.searchParams.get('schema') ?? undefined;
    u.searchParams.delete('schema');
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new Error(`schema "${schema}" must be a lower-case SQL identifier`);
    }
    return { backend: 'postgresql', location: u.toString(), ...(schema ? { schema } : {}) };
  }
  if (url.startsWith('file:')) return { backend: 'sqlite', location: url.slice('file:'.length) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new Error(`scheme "${url.split(':')[0]}" is not supported; use file:PATH (SQLite) or postgresql://…`);
  }
  return { backend: 'sqlite', location: url };
}

export interface OpenOptions {
  migrate?: boolean;
  /**
   * SQLite: the page cache of each of the two connections (reads, transactions), in KiB (default
   * 16 MiB, see configureConnection). The server's import thread takes less (importWorker.ts).
   */
  cacheKiB?: number;
}

export async function openDatabase(url: string, opts: OpenOptions = {}): Promise<Database> {
  const target = parseDatabaseUrl(url);
  const migrate = opts.migrate ?? true;
  if (target.backend === 'sqlite') return openSqlite(target.location, migrate, opts.cacheKiB);
  return openPostgres(target.location, target.schema, migrate);
}

/** SQLite page cache per connection, in KiB (see the PRAGMA below). */
const CACHE_KIB = 16 * 1024;

async function openSqlite(file: string, migrate: boolean, cacheKiB = CACHE_KIB): Promise<Database> {
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  if (migrate) {
    const raw = new BetterSqlite3(file);
    try {
      configureSqlite(raw);
      await runMigrations(sqliteDriver(raw), loadMigrations('sqlite'));
    } finally {
      raw.close();
    }
  }
  // Every write of this process (and of its import thread) queues for the file's one writer
  // instead of waiting in SQLite's busy handler on the event loop (writerQueue.ts). An in-memory
  // database has one connection, whose own mutex already serialises its transactions.
  const queue = file === ':memory:' ? undefined : new WriterQueue(file);
  // The adapter opens its better-sqlite3 connection in connect() (at the client's first query); it
  // is kept here so bulk writes can use prepared statements on the same connection, inside Prisma's
  // transaction (bulk.ts), and reads by key can bypass Prisma (rawRead.ts).
  // busy_timeout: only another process (the command line on the same file) can hold the lock.
  const connections: Array<{ connection: BetterSqlite3.Database; prepare: (sql: string) => BetterSqlite3.Statement }> = [];
  const connecting = () =>
    queuedAdapter(new PrismaBetterSqlite3({ url: file, timeout: 15_000 }), queue, (connection, prepare) => {
      configureConnection(connection, cacheKiB);
      connections.push({ connection, prepare });
    });
  // One connection for transactions (imports, bookings), one for everything else (splitAdapter), one
  // client over both. An in-memory database is one connection: a second would be another database.
  const adapter = file === ':memory:' ? connecting() : splitAdapter(connecting(), connecting());
  // Prisma's own short transactions (an upsert) may queue behind an import's bounded transaction.
  const client = new SqliteClient({ adapter, transactionOptions: { maxWait: 60_000, timeout: 60_000 } });
  await client.$connect();
  const [reads, transactions = reads] = connections;
  if (!reads || !transactions) throw new Error('the SQLite adapter did not open its connections');
  const db = createDatabase(client, 'sqlite', async () => {}, client, queue ? (fn) => WriterQueue.inside(file, fn) : undefined);
  registerSqliteConnection(db, transactions.connection);
  registerSqliteReadConnection(db, reads);
  return db;
}

/**
 * WAL lets readers (the API) go on while an import writes; busy_timeout makes a second writer
 * wait instead of failing at once. synchronous=NORMAL in WAL mode syncs at checkpoints, not at
 * every commit: a committed booking survives a crash of the process (it is in the WAL file); only
 * a power loss or OS crash can lose the last commits, never corrupt the database. FULL cost an
 * fsync per booking window.
 */
function configureConnection(c: BetterSqlite3.Database, cacheKiB: number): void {
  c.pragma('journal_mode = WAL');
  c.pragma('busy_timeout = 15000');
  c.pragma('foreign_keys = ON');
  c.pragma('synchronous = NORMAL');
  // The page cache is per connection and counts in the process's memory: 16 MiB each instead of
  // SQLite's 2, so the upper levels of the indexes on random ids a booking touches stay in it.
  // The writing connection had 64 MiB; a 10^5-entry import filled it (a 10^6 one as well), which
  // was a quarter of the 200 MB an import may take (peak 305 MB with 64, 252 MB with 16, command
  // line, 10^5 entries). Pages beyond it are read from the operating system's file cache.
  c.pragma(`cache_size = -${cacheKiB}`);
  // A booking window dirties more than SQLite's default 1,000 pages (random ids spread over the
  // indexes), so every commit ran a checkpoint with its fsyncs. At 10,000 pages (40 MiB of WAL)
  // a checkpoint writes back many windows at once; what is committed is in the WAL either way.
  c.pragma('wal_autocheckpoint = 10000');
}

function configureSqlite(raw: BetterSqlite3.Database): void {
  raw.pragma('journal_mode = WAL');
  raw.pragma('busy_timeout = 15000');
  raw.pragma('foreign_keys = ON');
}

/** Exported for tests that build a database as an earlier version left it (some migrations only). */
export function sqliteDriver(raw: BetterSqlite3.Database): MigrationDriver {
  return {
    async lock() {},
    async unlock() {},
    async exec(sql) {
      raw.exec(sql);
    },
    async applied() {
      return raw.prepare(`SELECT "id", "checksum" FROM "${MIGRATIONS_TABLE}"`).all() as Array<{ id: string; checksum: string }>;
    },
    async apply(m, checksum) {
      // IMMEDIATE takes the write lock at once, so a second process migrating waits here and then
      // finds the migration recorded.
      raw.exec('BEGIN IMMEDIATE');
      try {
        const already = raw.prepare(`SELECT 1 FROM "${MIGRATIONS_TABLE}" WHERE "id" = ?`).get(m.id);
        if (!already) {
          raw.exec(m.sql);
          raw
            .prepare(`INSERT INTO "${MIGRATIONS_TABLE}" ("id", "checksum", "appliedAt") VALUES (?, ?, ?)`)
            .run(m.id, checksum, new Date().toISOString());
        }
        raw.exec('COMMIT');
      } catch (err) {
        raw.exec('ROLLBACK');
        throw err;
      }
    },
  };
}

/** An arbitrary constant identifying Stadtkasse's migration lock among other advisory locks. */
const PG_MIGRATION_LOCK = 4_711_2026;

async function openPostgres(connectionString: string, schema: string | undefined, migrate: boolean): Promise<Database> {
  // Loaded only for PostgreSQL: the driver, its adapter and the second generated client were 6 MB
  // of heap in every thread of a server on SQLite (and the server has two).
  const [{ default: pg }, { PrismaPg }, { PrismaClient: PgClient }] = await Promise.all([
    import('pg'),
    import('@prisma/adapter-pg'),
    import('./generated/postgresql/client.js'),
  ]);
  const searchPath = schema ?? 'public';
  if (migrate) {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      // Under the migration lock too: CREATE SCHEMA IF NOT EXISTS is not safe against a twin doing
      // the same at the same moment (both find it missing, one fails on the catalog's unique index).
      if (schema) {
        await client.query('SELECT pg_advisory_lock($1)', [PG_MIGRATION_LOCK]);
        try {
          await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [PG_MIGRATION_LOCK]);
        }
      }
      await client.query(`SET search_path TO "${searchPath}"`);
      await runMigrations(pgDriver(client), loadMigrations('postgresql'));
    } finally {
      await client.end();
    }
  }
  const adapter = new PrismaPg(
    { connectionString, options: `-c search_path="${searchPath}"`, max: 10 },
    schema ? { schema } : undefined,
  );
  const prisma = new PgClient({ adapter }) as unknown as Db;
  return createDatabase(prisma, 'postgresql');
}

/** Exported for tests that build a database as an earlier version left it (some migrations only). */
export function pgDriver(client: PgConnection): MigrationDriver {
  return {
    async lock() {
      await client.query('SELECT pg_advisory_lock($1)', [PG_MIGRATION_LOCK]);
    },
    async unlock() {
      await client.query('SELECT pg_advisory_unlock($1)', [PG_MIGRATION_LOCK]);
    },
    async exec(sql) {
      await client.query(sql);
    },
    async applied() {
      const r = await client.query(`SELECT "id", "checksum" FROM "${MIGRATIONS_TABLE}"`);
      return r.rows as Array<{ id: string; checksum: string }>;
    },
    async apply(m, checksum) {
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO "${MIGRATIONS_TABLE}" ("id", "checksum", "appliedAt") VALUES ($1, $2, $3)`, [
          m.id,
          checksum,
          new Date().toISOString(),
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    },
  };
}
