import { loadConfig, type Config } from '../../config.js';
import { SYSTEM_ACTOR, systemClock, type Actor, type Ctx } from '../../context.js';
import type { Database } from '../../db/database.js';
import { openDatabase } from '../../db/node.js';
import { createLogger } from '../../logger.js';
import pino from 'pino';

/** Opens the configured database for a command; logs go to stderr so stdout stays for results. */
export async function commandContext(opts: { databaseUrl?: string; actor?: Actor } = {}): Promise<{ ctx: Ctx; db: Database; config: Config }> {
  const config = loadConfig({ ...process.env, ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}) });
  const log = createLogger({ ...config, logLevel: process.env.LOG_LEVEL ? config.logLevel : 'warn' }, pino.destination(2));
  const db = await openDatabase(config.databaseUrl);
  const actor: Actor = opts.actor ?? { ...SYSTEM_ACTOR, id: `cli:${process.env.USER ?? 'operator'}`, name: `command line (${process.env.USER ?? 'operator'})` };
  return { ctx: { db, config, clock: systemClock, log, actor }, db, config };
}
