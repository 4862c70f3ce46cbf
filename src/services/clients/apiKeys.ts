/**
 * API clients (the services that call Stadtkasse) and their keys.
 *
 * A key looks like `sk_<prefix>_<secret>`. The prefix finds the client; only a SHA-256 hash of the
 * whole key is stored, so a database leak does not leak keys, and the key is shown exactly once, at
 * creation. Keys carry 190 bits of randomness, so a fast hash is enough (no password stretching).
 */
import type { Actor, Ctx, Scope } from '../../context.js';
import { SCOPES } from '../../context.js';
import type { Database } from '../../db/database.js';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../errors.js';
import { writeAudit } from '../shared/audit.js';
import { constantTimeEqual, newId, randomToken, sha256Hex, toHex } from '../shared/ids.js';
import { sha256 } from '@noble/hashes/sha2.js';

const KEY_FORMAT = /^sk_([A-Za-z0-9]{8,})_([A-Za-z0-9]{24,})$/;

export function parseScopes(input: readonly string[]): Scope[] {
  const unknown = input.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new ValidationError(`unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}; known scopes: ${SCOPES.join(', ')}`, { field: 'scopes' });
  }
  if (input.length === 0) throw new ValidationError('at least one scope is needed', { field: 'scopes' });
  return [...new Set(input)] as Scope[];
}

export interface CreatedApiClient {
  id: string;
  name: string;
  scopes: Scope[];
  /** The key, shown once. */
  apiKey: string;
  createdAt: Date;
}

export async function createApiClient({ ctx, input }: { ctx: Ctx; input: { name: string; scopes: string[] } }): Promise<CreatedApiClient> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) throw new ValidationError('name must be 1 to 100 characters', { field: 'name' });
  const scopes = parseScopes(input.scopes);
  const prefix = randomToken(12);
  const apiKey = `sk_${prefix}_${randomToken(32)}`;
  const id = newId();
  const createdAt = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    await tx.apiClient.create({ data: { id, name, keyPrefix: prefix, keyHash: await sha256Hex(apiKey), scopes: scopes.join(' '), createdAt } });
    await writeAudit(tx, ctx, { action: 'api_client.created', subjectType: 'api_client', subjectId: id, data: { name, scopes } });
  });
  return { id, name, scopes, apiKey, createdAt };
}

export async function revokeApiClient({ ctx, input }: { ctx: Ctx; input: { id: string; reason: string } }): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const n = await tx.apiClient.updateMany({ where: { id: input.id, revokedAt: null }, data: { revokedAt: ctx.clock.now() } });
    if (n.count === 0) throw new ValidationError(`API client ${input.id} does not exist or is already revoked`, { field: 'id' });
    await writeAudit(tx, ctx, { action: 'api_client.revoked', subjectType: 'api_client', subjectId: input.id, reason: input.reason });
  });
  forgetClient(ctx.db, input.id);
}

/**
 * Makes sure the bootstrap admin key from STADTKASSE_ADMIN_KEY exists (stored hashed). Idempotent:
 * a restart with the same key changes nothing; a different key adds a second admin client.
 */
export async function ensureBootstrapAdmin(db: Database, apiKey: string, now: Date): Promise<void> {
  const m = KEY_FORMAT.exec(apiKey);
  if (!m) throw new ValidationError('STADTKASSE_ADMIN_KEY has the wrong format', { field: 'STADTKASSE_ADMIN_KEY' });
  const prefix = m[1]!;
  const keyHash = await sha256Hex(apiKey);
  const existing = await db.prisma.apiClient.findUnique({ where: { keyPrefix: prefix } });
  if (existing) {
    if (!constantTimeEqual(existing.keyHash, keyHash)) {
      throw new ValidationError('STADTKASSE_ADMIN_KEY shares its prefix with another client but differs; make a new key', { field: 'STADTKASSE_ADMIN_KEY' });
    }
    return;
  }
  try {
    await db.prisma.apiClient.create({ data: { id: newId(), name: 'bootstrap admin (STADTKASSE_ADMIN_KEY)', keyPrefix: prefix, keyHash, scopes: 'admin', createdAt: now } });
  } catch (err) {
    // Another instance created it at the same moment.
    if ((err as { code?: string }).code !== 'P2002') throw err;
  }
}

/**
 * How long a key that was found valid is believed without asking the database again. Looking the
 * client up was a third of an authenticated GET's time (a Prisma query and an asynchronous hash per
 * request). A revocation through this process takes effect at once (revokeApiClient forgets the
 * client); one made through another instance on the same PostgreSQL database within this time.
 */
export const API_KEY_CACHE_MS = 10_000;
/** Keys remembered per database; the oldest is forgotten first. */
const API_KEY_CACHE_ENTRIES = 1_000;

interface KnownKey {
  actor: Actor;
  until: number;
}
/** Per database, by the SHA-256 of the whole key (the key itself is not kept). Only valid keys are remembered. */
const knownKeys = new WeakMap<object, Map<string, KnownKey>>();

function keyCache(db: Database): Map<string, KnownKey> {
  let cache = knownKeys.get(db);
  if (!cache) knownKeys.set(db, (cache = new Map()));
  return cache;
}

/**
 * Revocations through this process, per database. A lookup that began before a revocation may have
 * read the client while it was still valid; it answers its own request, but is not remembered.
 */
const revocations = new WeakMap<object, number>();

function forgetClient(db: Database, clientId: string): void {
  revocations.set(db, (revocations.get(db) ?? 0) + 1);
  const cache = knownKeys.get(db);
  if (!cache) return;
  for (const [hash, known] of cache) if (known.actor.id === clientId) cache.delete(hash);
}

/** Finds the client behind a bearer key, or throws 401. */
export async function authenticateApiKey(db: Database, apiKey: string | undefined, now: number = Date.now()): Promise<Actor> {
  if (!apiKey) throw new UnauthenticatedError('an API key is required: send "Authorization: Bearer sk_…"');
  const m = KEY_FORMAT.exec(apiKey);
  if (!m) throw new UnauthenticatedError('the API key is malformed');
  // Synchronous: a key is about 50 bytes, hashing it costs microseconds, Web Crypto's promise more.
  const hash = toHex(sha256(new TextEncoder().encode(apiKey)));
  const cache = keyCache(db);
  const known = cache.get(hash);
  if (known && known.until > now) return known.actor;
  if (known) cache.delete(hash);
  const revokedBefore = revocations.get(db) ?? 0;
  const client = await db.prisma.apiClient.findUnique({ where: { keyPrefix: m[1]! } });
  if (!client || !constantTimeEqual(client.keyHash, hash) || client.revokedAt !== null) {
    throw new UnauthenticatedError('the API key is not valid');
  }
  const actor: Actor = { type: 'client', id: client.id, name: client.name, scopes: new Set(client.scopes.split(' ') as Scope[]) };
  if ((revocations.get(db) ?? 0) !== revokedBefore) return actor;
  cache.set(hash, { actor, until: now + API_KEY_CACHE_MS });
  if (cache.size > API_KEY_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return actor;
}

export function requireScopeOf(actor: Actor, scope: Scope): void {
  if (!actor.scopes.has('admin') && !actor.scopes.has(scope)) {
    throw new ForbiddenError(`this API key lacks the scope "${scope}"`);
  }
}

export async function listApiClients({ ctx }: { ctx: Ctx }) {
  const rows = await ctx.db.prisma.apiClient.findMany({ orderBy: { createdAt: 'asc' } });
  return rows.map((r) => ({ id: r.id, name: r.name, scopes: r.scopes.split(' '), createdAt: r.createdAt, revokedAt: r.revokedAt }));
}
