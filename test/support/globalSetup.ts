/**
 * Runs once before the suite: finds out whether the PostgreSQL server is reachable. When it is not
 * (a developer machine without it), the PostgreSQL runs are skipped with a message saying so; in
 * CI (CI=true) an unreachable server is an error, because there the suite must cover both backends.
 */
import pg from 'pg';
import { PG_ADMIN_URL, STALE_TEST_SCHEMA_MS, testSchemaCreatedAt } from './backends.js';

export default async function setup({ provide }: { provide: (key: string, value: unknown) => void }): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  let reason: string | undefined;
  try {
    await client.connect();
    await client.query('SELECT 1');
    // Schemas left behind by an interrupted earlier run — only old ones: another suite may be
    // running against the same server right now (a colleague, a second checkout), and dropping its
    // schemas mid-run makes its queries fail with "table … does not exist".
    const { rows } = await client.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'stk\\_test\\_%'`);
    for (const r of rows as Array<{ nspname: string }>) {
      const createdAt = testSchemaCreatedAt(r.nspname);
      // Names without a time come from before this rule and cannot be dated; they are left alone.
      if (createdAt === undefined || Date.now() - createdAt < STALE_TEST_SCHEMA_MS) continue;
      await client.query(`DROP SCHEMA IF EXISTS "${r.nspname}" CASCADE`);
    }
  } catch (err) {
    reason = `PostgreSQL at ${PG_ADMIN_URL.replace(/\/\/[^@]*@/, '//')} is not reachable (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
  if (reason && process.env.CI === 'true') throw new Error(`${reason}; CI must test both backends (start it: pg_ctlcluster … main start)`);
  if (reason) console.warn(`\n⚠ ${reason}: PostgreSQL runs are SKIPPED; only SQLite is tested.\n`);
  provide('pgUnavailable', reason ?? '');
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUnavailable: string;
  }
}
