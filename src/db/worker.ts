/**
 * The database on Cloudflare Workers: PostgreSQL through a Hyperdrive binding, with the same Prisma
 * pg adapter and the same interactive transactions as on Node (src/db/node.ts), so an import or a
 * booking is all-or-nothing here exactly as the Node tests prove it there.
 *
 * Workers rules that shape this file:
 * - A connection opened while serving one request must not be used by another (workerd refuses
 *   I/O across request contexts), so each invocation opens its own client and closes it at the
 *   end. Hyperdrive keeps the real connections to the database warm, so this is cheap.
 * - Hyperdrive pools connections per transaction: session state (SET search_path, session-level
 *   advisory locks) does not survive between statements. Stadtkasse therefore uses only
 *   transaction-scoped advisory locks (pg_advisory_xact_lock) on Workers, and the tables live in
 *   the schema the database user finds first (normally `public`).
 */
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/workers/client.js';
import { POSTGRESQL_MIGRATIONS } from './generated/postgresqlMigrations.js';
import { createDatabase, type Database, type Db } from './database.js';
import { MIGRATIONS_TABLE, runMigrations, type Migration, type MigrationDriver } from './migrate.js';

/** Same key as the Node migration lock (src/db/node.ts): a Node instance and a Worker never migrate at once. */
const PG_MIGRATION_LOCK = 4_711_2026;

/** Opens the database for one Worker invocation; call close() when the invocation's work is done. */
export function openWorkerDatabase(connectionString: string): Database {
  // One connection per invocation: a request runs its queries one after another anyway.
  const adapter = new PrismaPg({ connectionString, max: 1 });
  const prisma = new PrismaClient({ adapter }) as unknown as Db;
  return createDatabase(prisma, 'postgresql');
}

/**
 * Applies the migrations Stadtkasse ships (prisma/migrations/postgresql, bundled as a module).
 * Safe with many isolates starting together: every step runs in one transaction holding a
 * transaction-scoped advisory lock, and re-checks what is applied after taking it. Returns the ids
 * applied now.
 */
export async function migrateWorkerDatabase(connectionString: string, migrations: Migration[] = POSTGRESQL_MIGRATIONS): Promise<string[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await runMigrations(hyperdriveDriver(client), migrations);
  } finally {
    await client.end();
  }
}

function hyperdriveDriver(client: pg.Client): MigrationDriver {
  const locked = async <T>(fn: () => Promise<T>): Promise<T> => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [PG_MIGRATION_LOCK]);
      const out = await fn();
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  };
  return {
    // The lock is taken per step (below), not for the session: Hyperdrive may run the next
    // statement on another connection, which would not hold a session lock.
    async lock() {},
    async unlock() {},
    async exec(sql) {
      await locked(() => client.query(sql));
    },
    async applied() {
      const r = await client.query(`SELECT "id", "checksum" FROM "${MIGRATIONS_TABLE}"`);
      return r.rows as Array<{ id: string; checksum: string }>;
    },
    async apply(m, checksum) {
      await locked(async () => {
        // Another isolate may have applied it while we waited for the lock.
        const done = await client.query(`SELECT 1 FROM "${MIGRATIONS_TABLE}" WHERE "id" = $1`, [m.id]);
        if (done.rowCount) return;
        await client.query(m.sql);
        await client.query(`INSERT INTO "${MIGRATIONS_TABLE}" ("id", "checksum", "appliedAt") VALUES ($1, $2, $3)`, [m.id, checksum, new Date().toISOString()]);
      });
    },
  };
}
