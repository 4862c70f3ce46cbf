/**
 * The one context every service verb receives: who acts, on which database, at what time, and
 * where to log. Routes build it from the request; the CLI and tests build it directly.
 */
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { Logger } from './logger.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const SCOPES = [
  'items:read',
  'items:write',
  'statements:read',
  'statements:import',
  'review',
  'approve',
  'export',
  'refunds',
  'mandates',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface Actor {
  type: 'client' | 'user' | 'system';
  id: string;
  /** Shown in the audit log and the UI ("Bibliothekssystem", "m.mueller"). */
  name: string;
  scopes: ReadonlySet<Scope>;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: 'system', name: 'Stadtkasse', scopes: new Set(SCOPES) };

export interface Ctx {
  db: Database;
  config: Config;
  clock: Clock;
  log: Logger;
  actor: Actor;
  requestId?: string;
}

export function hasScope(actor: Actor, scope: Scope): boolean {
  return actor.scopes.has('admin') || actor.scopes.has(scope);
}

export function actorLabel(actor: Actor): string {
  return `${actor.type}:${actor.id}`;
}
