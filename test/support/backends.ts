/**
 * Real databases for tests: a fresh SQLite file, or a fresh schema in the real PostgreSQL server.
 * `forEachBackend` runs a describe block once per backend, so every behaviour is proven on both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, inject } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/node.js';

export const PG_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export type BackendName = 'sqlite' | 'postgresql';
export const BACKENDS: BackendName[] = ['sqlite', 'postgresql'];

export interface TestDatabase {
  backend: BackendName;
  url: string;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

/** A new, empty database location for one test file (or one test). */
export function freshDatabase(backend: BackendName): TestDatabase {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'stk-test-'));
    const url = `file:${join(dir, 'stadtkasse.db')}`;
    return { backend, url, open: () => openDatabase(url), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  // The creation time is part of the name: test/support/globalSetup.ts removes only schemas old
  // enough to be left over, never those of a suite running at the same moment on the same server.
  const schema = `stk_test_${Date.now().toString(36)}_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const url = `${PG_ADMIN_URL}?schema=${schema}`;
  return {
    backend,
    url,
    open: () => openDatabase(url),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    },
  };
}

/** Schemas of test runs started more than this long ago are leftovers (CI stops a run after 90 min). */
export const STALE_TEST_SCHEMA_MS = 3 * 3600_000;

/** When the test schema `name` was created, or undefined for a name without a time in it. */
export function testSchemaCreatedAt(name: string): number | undefined {
  const m = /^stk_test_([0-9a-z]{8,9})_[0-9a-f]{12}$/.exec(name);
  return m ? Number.parseInt(m[1]!, 36) : undefined;
}

export function pgSkipReason(): string {
  return inject('pgUnavailable');
}

/** describe() once per backend; the PostgreSQL run is skipped (and says why) when the server is down. */
export function forEachBackend(name: string, body: (backend: BackendName) => void): void {
  for (const backend of BACKENDS) {
    const skip = backend === 'postgresql' ? pgSkipReason() : '';
    if (skip) {
      describe.skip(`${name} [${backend}] (skipped: ${skip})`, () => body(backend));
    } else {
      describe(`${name} [${backend}]`, () => body(backend));
    }
  }
}
