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
import { constantTimeEqual, newId, randomToken, sha256Hex } from '../shared/ids.js';

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

/** Finds the client behind a bearer key, or throws 401. */
export async function authenticateApiKey(db: Database, apiKey: string | undefined): Promise<Actor> {
  if (!apiKey) throw new UnauthenticatedError('an API key is required: send "Authorization: Bearer sk_…"');
  const m = KEY_FORMAT.exec(apiKey);
  if (!m) throw new UnauthenticatedError('the API key is malformed');
  const client = await db.prisma.apiClient.findUnique({ where: { keyPrefix: m[1]! } });
  const hash = await sha256Hex(apiKey);
  if (!client || !constantTimeEqual(client.keyHash, hash) || client.revokedAt !== null) {
    throw new UnauthenticatedError('the API key is not valid');
  }
  return { type: 'client', id: client.id, name: client.name, scopes: new Set(client.scopes.split(' ') as Scope[]) };
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
