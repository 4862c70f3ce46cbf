/**
 * Staff sessions. The browser holds a random 256-bit token in an HttpOnly cookie; the database
 * holds only its SHA-256 (a leaked table signs nobody in). A session ends after
 * `sessionIdleMinutes` without a request, after `sessionMaxHours` in any case, at logout, and when
 * the account is disabled or its password set anew.
 *
 * The CSRF token of a session is derived from the session token (HMAC-SHA256 of a fixed label
 * keyed with it): bound to this session, unknown to anyone without the cookie, and nothing extra
 * to store or to keep secret on the server.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Ctx } from '../../context.js';
import { constantTimeEqual, randomToken, sha256Hex, toHex } from '../shared/ids.js';
import { userActor } from './roles.js';
import type { Actor } from '../../context.js';

type SessionCtx = Pick<Ctx, 'db' | 'config' | 'clock'>;

/** lastSeenAt is written at most this often: a page view must not always be a database write. */
const TOUCH_EVERY_MS = 60_000;

export interface StaffUser {
  id: string;
  username: string;
  displayName: string;
  role: string;
}

export interface ResolvedSession {
  tokenHash: string;
  user: StaffUser;
  actor: Actor;
  csrfToken: string;
  expiresAt: Date;
}

export function csrfTokenFor(sessionToken: string): string {
  return toHex(hmac(sha256, new TextEncoder().encode(sessionToken), new TextEncoder().encode('stadtkasse csrf v1')));
}

export function csrfTokenMatches(sessionToken: string, sent: string | undefined | null): boolean {
  return typeof sent === 'string' && constantTimeEqual(csrfTokenFor(sessionToken), sent);
}

export async function startSession({ ctx, input }: { ctx: SessionCtx; input: { userId: string } }): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken(43);
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + ctx.config.sessionMaxHours * 3_600_000);
  await ctx.db.prisma.staffSession.create({ data: { tokenHash: await sha256Hex(token), userId: input.userId, createdAt: now, lastSeenAt: now, expiresAt } });
  return { token, expiresAt };
}

/** The live session behind a cookie token, or null (unknown, ended, idle too long, account disabled). */
export async function resolveSession({ ctx, input }: { ctx: SessionCtx; input: { token: string | undefined } }): Promise<ResolvedSession | null> {
  const token = input.token;
  if (!token || !/^[A-Za-z0-9]{43}$/.test(token)) return null;
  const tokenHash = await sha256Hex(token);
  const s = await ctx.db.prisma.staffSession.findUnique({ where: { tokenHash }, include: { user: true } });
  if (!s || s.revokedAt || s.user.disabledAt) return null;
  const now = ctx.clock.now().getTime();
  if (s.expiresAt.getTime() <= now) return null;
  if (s.lastSeenAt.getTime() + ctx.config.sessionIdleMinutes * 60_000 <= now) return null;
  if (now - s.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    await ctx.db.prisma.staffSession.update({ where: { tokenHash }, data: { lastSeenAt: new Date(now) } });
  }
  const user = { id: s.user.id, username: s.user.username, displayName: s.user.displayName, role: s.user.role };
  return { tokenHash, user, actor: userActor(user), csrfToken: csrfTokenFor(token), expiresAt: s.expiresAt };
}

export async function endSession({ ctx, input }: { ctx: SessionCtx; input: { tokenHash: string } }): Promise<void> {
  await ctx.db.prisma.staffSession.updateMany({ where: { tokenHash: input.tokenHash, revokedAt: null }, data: { revokedAt: ctx.clock.now() } });
}

export interface Flash {
  kind: 'ok' | 'warn' | 'error';
  text: string;
}

/** One message for the next page of this session (after a form post and its redirect). */
export async function setFlash({ ctx, input }: { ctx: SessionCtx; input: { tokenHash: string; flash: Flash } }): Promise<void> {
  await ctx.db.prisma.staffSession.update({ where: { tokenHash: input.tokenHash }, data: { flash: JSON.stringify(input.flash) } });
}

export async function takeFlash({ ctx, input }: { ctx: SessionCtx; input: { tokenHash: string } }): Promise<Flash | null> {
  const s = await ctx.db.prisma.staffSession.findUnique({ where: { tokenHash: input.tokenHash }, select: { flash: true } });
  if (!s?.flash) return null;
  await ctx.db.prisma.staffSession.update({ where: { tokenHash: input.tokenHash }, data: { flash: null } });
  return JSON.parse(s.flash) as Flash;
}
