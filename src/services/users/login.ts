/**
 * Signing in with name and password, with the lock-out: after LOCKOUT.failures failed attempts
 * for one name within LOCKOUT.windowMs, that name is refused (even with the right password) until
 * the oldest of those failures is older than the window. Counted per name, not per address: the
 * office shares one outgoing address, and an attacker has many. Names that do not exist are
 * counted and answered exactly like real ones, so the lock-out does not reveal which names exist.
 */
import type { Actor, Ctx } from '../../context.js';
import { writeAudit } from '../shared/audit.js';
import { newId, sha256Hex } from '../shared/ids.js';
import { localIdentityProvider, type PasswordIdentityProvider } from './identityProvider.js';
import { userActor } from './roles.js';
import { startSession, type StaffUser } from './sessions.js';
import { normalizeUsername } from './users.js';

export const LOCKOUT = { failures: 5, windowMs: 15 * 60_000 } as const;

/** Sign-in attempts are kept this long (lock-outs themselves are in the audit log for good). */
const KEEP_ATTEMPTS_MS = 90 * 86_400_000;

/** Who acts when nobody is signed in yet (audit entries of failed sign-ins). */
const SIGN_IN_ACTOR: Actor = { type: 'system', id: 'sign-in', name: 'Anmeldung', scopes: new Set() };

type LoginCtx = Omit<Ctx, 'actor'>;

export type SignInResult =
  | { outcome: 'signed_in'; user: StaffUser; token: string; expiresAt: Date }
  | { outcome: 'invalid' }
  | { outcome: 'locked'; until: Date };

/** When the name is locked (LOCKOUT.failures failures in the window since the last success), until when. */
async function lockedUntil(ctx: LoginCtx, username: string, now: Date): Promise<Date | null> {
  const since = new Date(now.getTime() - LOCKOUT.windowMs);
  const lastSuccess = await ctx.db.prisma.loginAttempt.findFirst({ where: { username, succeeded: true, at: { gt: since } }, orderBy: { at: 'desc' }, select: { at: true } });
  const failures = await ctx.db.prisma.loginAttempt.findMany({
    where: { username, succeeded: false, at: { gt: lastSuccess?.at ?? since } },
    orderBy: { at: 'desc' },
    take: LOCKOUT.failures,
    select: { at: true },
  });
  if (failures.length < LOCKOUT.failures) return null;
  return new Date(failures[failures.length - 1]!.at.getTime() + LOCKOUT.windowMs);
}

/** Failed attempts for the name since its last success within the window. */
async function failuresInWindow(ctx: LoginCtx, username: string, now: Date): Promise<number> {
  const since = new Date(now.getTime() - LOCKOUT.windowMs);
  const lastSuccess = await ctx.db.prisma.loginAttempt.findFirst({ where: { username, succeeded: true, at: { gt: since } }, orderBy: { at: 'desc' }, select: { at: true } });
  return ctx.db.prisma.loginAttempt.count({ where: { username, succeeded: false, at: { gt: lastSuccess?.at ?? since } } });
}

export async function signIn({ ctx, input, provider = localIdentityProvider }: { ctx: LoginCtx; input: { username: string; password: string }; provider?: PasswordIdentityProvider }): Promise<SignInResult> {
  const username = normalizeUsername(input.username).slice(0, 100);
  const now = ctx.clock.now();
  const locked = await lockedUntil(ctx, username, now);
  // While locked, the password is not even checked (and the attempt not counted: it cannot succeed).
  if (locked) {
    ctx.log.warn({ username }, 'sign-in refused: name locked after repeated failures');
    return { outcome: 'locked', until: locked };
  }
  // The attempt is counted before the (slow) password check: parallel guesses must not all pass
  // the lock-out check above and each get a try. An attempt beyond the allowance is refused unheard.
  const attemptId = newId();
  const known = await ctx.db.prisma.user.findUnique({ where: { username }, select: { id: true } });
  await ctx.db.prisma.loginAttempt.create({ data: { id: attemptId, username, userId: known?.id ?? null, succeeded: false, at: now } });
  const failuresNow = await failuresInWindow(ctx, username, now);
  if (failuresNow > LOCKOUT.failures) {
    const until = (await lockedUntil(ctx, username, now)) ?? new Date(now.getTime() + LOCKOUT.windowMs);
    return { outcome: 'locked', until };
  }
  const identity = username && input.password ? await provider.verify(ctx, { username, password: input.password }) : null;
  const user = identity ? await ctx.db.prisma.user.findUnique({ where: { username: identity.username } }) : null;
  if (!identity || !user || user.disabledAt) {
    const nowLocked = await lockedUntil(ctx, username, now);
    if (nowLocked) {
      // A typed name that is no account may be a password typed into the wrong field: the audit
      // keeps only a fingerprint of it.
      const subject = known ? known.id : `unknown:${(await sha256Hex(username)).slice(0, 16)}`;
      await ctx.db.transaction((tx) =>
        writeAudit(tx, { ...ctx, actor: SIGN_IN_ACTOR }, {
          action: 'user.locked_out',
          subjectType: 'user',
          subjectId: subject,
          reason: `${LOCKOUT.failures} failed sign-ins within ${LOCKOUT.windowMs / 60_000} minutes`,
          data: { ...(known ? { username } : {}), until: nowLocked.toISOString() },
        }),
      );
      ctx.log.warn({ username, until: nowLocked.toISOString() }, 'sign-in locked after repeated failures');
      return { outcome: 'locked', until: nowLocked };
    }
    return { outcome: 'invalid' };
  }
  const staff: StaffUser = { id: user.id, username: user.username, displayName: user.displayName, role: user.role };
  const session = await startSession({ ctx, input: { userId: user.id } });
  await ctx.db.transaction(async (tx) => {
    // Housekeeping on the way: sessions ended a day ago and attempts older than the audit needs.
    await tx.staffSession.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 86_400_000) } } });
    await tx.loginAttempt.deleteMany({ where: { at: { lt: new Date(now.getTime() - KEEP_ATTEMPTS_MS) } } });
    await tx.loginAttempt.update({ where: { id: attemptId }, data: { userId: user.id, succeeded: true } });
    await writeAudit(tx, { ...ctx, actor: userActor(staff) }, { action: 'user.signed_in', subjectType: 'user', subjectId: user.id, data: { provider: provider.name } });
  });
  return { outcome: 'signed_in', user: staff, ...session };
}
