/**
 * A Kasse on a real database for closing tests: a clock the test moves day by day, two people
 * (the determiner and the Kassenverwalter), and bank files built with test/support/camtBuilder.
 */
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import type { Actor, Clock, Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { ROLE_SCOPES } from '../../src/services/users/roles.js';
import { createServices } from '../../src/services/registry.js';
import { importAndMatch } from '../../src/services/statements/importAndMatch.js';
import { ClosingBlockedError, determineClosing, signClosing } from '../../src/services/closings/closings.js';
import { freshDatabase, type BackendName, type TestDatabase } from '../support/backends.js';
import { camt, type StatementSpec } from '../support/camtBuilder.js';

export const IBAN = 'DE02120300000000202051';

export const ALICE: Actor = { type: 'user', id: 'u-alice', name: 'Alice Amsel (Sachbearbeiterin)', scopes: new Set(ROLE_SCOPES.approver) };
export const BOB: Actor = { type: 'user', id: 'u-bob', name: 'Bob Buchfink (Kassenverwalter)', scopes: new Set(ROLE_SCOPES.approver) };

export interface Kasse {
  db: Database;
  url: string;
  clock: Clock & { set(day: string, time?: string): void };
  as(actor: Actor): Ctx;
  importFile(spec: StatementSpec): Promise<void>;
  close(): Promise<void>;
}

export async function openKasse(backend: BackendName, env: Record<string, string> = {}): Promise<Kasse> {
  const database: TestDatabase = freshDatabase(backend);
  const db = await database.open();
  let now = new Date('2026-11-16T17:00:00Z');
  const clock = {
    now: () => new Date(now),
    /** Berlin is UTC+1 in November: 18:00 local unless told. */
    set(day: string, time = '17:00') {
      now = new Date(`${day}T${time}:00Z`);
    },
  };
  const config = loadConfig({ DATABASE_URL: database.url, ...env });
  const services = createServices(config);
  const log = pino({ level: 'silent' });
  const as = (actor: Actor): Ctx => ({ db, config, clock, log, actor });
  return {
    db,
    url: database.url,
    clock,
    as,
    async importFile(spec) {
      await importAndMatch({ ctx: as(ALICE), deps: { services }, input: { source: new TextEncoder().encode(camt({ iban: IBAN, ...spec })) } });
    },
    async close() {
      await db.close();
      await database.drop();
    },
  };
}

/** The blockers a determination is refused with (fails when the day closes). */
export async function blockersOf(k: Kasse, day: string) {
  try {
    await determineClosing({ ctx: k.as(ALICE), input: { day } });
  } catch (err) {
    if (err instanceof ClosingBlockedError) return err.blockers;
    throw err;
  }
  throw new Error(`${day} was closed, but blockers were expected`);
}

export async function close(k: Kasse, day: string) {
  const determined = await determineClosing({ ctx: k.as(ALICE), input: { day } });
  return signClosing({ ctx: k.as(BOB), input: { id: determined.id } });
}
