import type { Config } from '../config.js';
import type { Actor, Clock, Ctx, Scope } from '../context.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { authenticateApiKey, requireScopeOf } from '../services/clients/apiKeys.js';
import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import type { Services } from '../services/registry.js';

/** What the app is built from; each runtime entry (Node, Workers, tests) supplies its own. */
export interface AppDeps {
  db: Database;
  config: Config;
  clock: Clock;
  logger: Logger;
  /** Long-lived services (matching index, outbox) shared by requests of this process. */
  services: Services;
  /** Runs work after the response (Workers' waitUntil); on Node a detached promise. */
  defer?: (work: Promise<unknown>) => void;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    deps: AppDeps;
    log: Logger;
    actor?: Actor;
  };
}

/** The service context for this request; throws 401 when the route needs an actor and has none. */
export function ctxOf(c: Context<AppEnv>): Ctx {
  const deps = c.get('deps');
  const actor = c.get('actor');
  if (!actor) throw new Error('ctxOf called on a route without authentication');
  return { db: deps.db, config: deps.config, clock: deps.clock, log: c.get('log'), actor, requestId: c.get('requestId') };
}

/** Authenticates the bearer key and checks the scope the route needs. */
export function requireScope(scope: Scope) {
  // The scope travels with the middleware: the OpenAPI document names it per operation (openapi.ts).
  return Object.assign(createMiddleware<AppEnv>(async (c, next) => {
    let actor = c.get('actor');
    if (!actor) {
      const header = c.req.header('authorization');
      const key = header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? c.req.header('x-api-key');
      actor = await authenticateApiKey(c.get('deps').db, key);
      c.set('actor', actor);
      c.set('log', c.get('log').child({ actor: `${actor.type}:${actor.id}` }));
    }
    requireScopeOf(actor, scope);
    await next();
  }), { scope });
}
