/** Staff accounts: creating them (the first admin on the command line), listing, disabling. */
import type { Ctx } from '../../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { isUniqueViolation } from '../../db/database.js';
import { writeAudit } from '../shared/audit.js';
import { newId } from '../shared/ids.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { isRole, ROLES, type Role } from './roles.js';

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  provider: string;
  createdAt: Date;
  disabledAt: Date | null;
}

const USERNAME = /^[a-z0-9][a-z0-9._@-]{1,63}$/;

export function normalizeUsername(text: string): string {
  return text.trim().toLowerCase();
}

function view(u: { id: string; username: string; displayName: string; role: string; provider: string; createdAt: Date; disabledAt: Date | null }): UserView {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role as Role, provider: u.provider, createdAt: u.createdAt, disabledAt: u.disabledAt };
}

export interface CreateUserInput {
  username: string;
  displayName?: string;
  role: string;
  /** Required for local accounts; left out for accounts of an external identity provider. */
  password?: string;
  provider?: string;
}

export async function createUser({ ctx, input }: { ctx: Ctx; input: CreateUserInput }): Promise<UserView> {
  const username = normalizeUsername(input.username);
  if (!USERNAME.test(username)) throw new ValidationError('name: 2 to 64 letters, digits or . _ @ - (starting with a letter or digit)', { field: 'name' });
  if (!isRole(input.role)) throw new ValidationError(`role: one of ${ROLES.join(', ')}`, { field: 'role' });
  const displayName = (input.displayName ?? username).trim();
  if (displayName.length === 0 || displayName.length > 100) throw new ValidationError('display name: 1 to 100 characters', { field: 'displayName' });
  const provider = input.provider ?? 'local';
  if (provider === 'local') {
    if (input.password === undefined) throw new ValidationError('password: a local account needs one', { field: 'password' });
    const problem = passwordProblem(input.password);
    if (problem) throw new ValidationError(`password: ${problem}`, { field: 'password' });
  }
  const passwordHash = provider === 'local' ? await hashPassword(input.password!) : null;
  const id = newId();
  try {
    const row = await ctx.db.transaction(async (tx) => {
      const created = await tx.user.create({ data: { id, username, displayName, role: input.role, passwordHash, provider, createdAt: ctx.clock.now() } });
      await writeAudit(tx, ctx, { action: 'user.created', subjectType: 'user', subjectId: id, data: { username, role: input.role, provider } });
      return created;
    });
    return view(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`a user named "${username}" exists already`);
    throw err;
  }
}

export async function setPassword({ ctx, input }: { ctx: Ctx; input: { username: string; password: string } }): Promise<void> {
  const problem = passwordProblem(input.password);
  if (problem) throw new ValidationError(`password: ${problem}`, { field: 'password' });
  const username = normalizeUsername(input.username);
  const passwordHash = await hashPassword(input.password);
  await ctx.db.transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { username } });
    if (!user) throw new NotFoundError('user', username);
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    // A new password ends every session signed in with the old one.
    await tx.staffSession.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: ctx.clock.now() } });
    await writeAudit(tx, ctx, { action: 'user.password_set', subjectType: 'user', subjectId: user.id });
  });
}

export async function disableUser({ ctx, input }: { ctx: Ctx; input: { username: string } }): Promise<void> {
  const username = normalizeUsername(input.username);
  await ctx.db.transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { username } });
    if (!user) throw new NotFoundError('user', username);
    const now = ctx.clock.now();
    await tx.user.update({ where: { id: user.id }, data: { disabledAt: now } });
    await tx.staffSession.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now } });
    await writeAudit(tx, ctx, { action: 'user.disabled', subjectType: 'user', subjectId: user.id });
  });
}

export async function listUsers({ ctx }: { ctx: Ctx }): Promise<UserView[]> {
  return (await ctx.db.prisma.user.findMany({ orderBy: { username: 'asc' } })).map(view);
}

/**
 * Names for actor labels ("user:<id>", "client:<id>") in audit trails and approvals: a person's
 * display name, an API client's name. Labels it does not know are left out of the map.
 */
export async function actorNames(ctx: Pick<Ctx, 'db'>, labels: Iterable<string>): Promise<Map<string, string>> {
  const all = [...new Set(labels)];
  const ids = (prefix: string) => all.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
  const out = new Map<string, string>();
  const users = ids('user:');
  const clients = ids('client:');
  if (users.length > 0) {
    for (const u of await ctx.db.prisma.user.findMany({ where: { id: { in: users } }, select: { id: true, displayName: true } })) out.set(`user:${u.id}`, u.displayName);
  }
  if (clients.length > 0) {
    for (const c of await ctx.db.prisma.apiClient.findMany({ where: { id: { in: clients } }, select: { id: true, name: true } })) out.set(`client:${c.id}`, c.name);
  }
  return out;
}
