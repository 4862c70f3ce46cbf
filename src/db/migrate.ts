/**
 * Stadtkasse applies its own migrations: versioned SQL files per backend in prisma/migrations/<backend>/,
 * applied in order, each in its own transaction, recorded with a checksum. An applied file that was
 * edited afterwards stops the start (migrations are append-only). Two instances starting at the same
 * time are serialised by a lock (an advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite).
 */

export interface Migration {
  id: string;
  sql: string;
}

export interface MigrationDriver {
  /** Takes the lock that serialises migrating instances; released by `unlock`. */
  lock(): Promise<void>;
  unlock(): Promise<void>;
  exec(sql: string): Promise<void>;
  applied(): Promise<Array<{ id: string; checksum: string }>>;
  /** Runs the migration SQL and records it, atomically. */
  apply(m: Migration, checksum: string): Promise<void>;
}

export const MIGRATIONS_TABLE = '_stadtkasse_migrations';

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function runMigrations(driver: MigrationDriver, migrations: Migration[]): Promise<string[]> {
  const done: string[] = [];
  await driver.lock();
  try {
    await driver.exec(
      `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" ("id" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)`,
    );
    const applied = new Map((await driver.applied()).map((r) => [r.id, r.checksum]));
    for (const m of [...migrations].sort((a, b) => a.id.localeCompare(b.id))) {
      const checksum = await sha256Hex(m.sql);
      const known = applied.get(m.id);
      if (known !== undefined) {
        if (known !== checksum) {
          throw new Error(
            `migration ${m.id} was changed after it had been applied (checksum differs); add a new migration instead`,
          );
        }
        continue;
      }
      await driver.apply(m, checksum);
      done.push(m.id);
    }
    const unknown = [...applied.keys()].filter((id) => !migrations.some((m) => m.id === id));
    if (unknown.length > 0) {
      throw new Error(`the database has migrations this version does not know (${unknown.join(', ')}): is it newer?`);
    }
  } finally {
    await driver.unlock();
  }
  return done;
}
