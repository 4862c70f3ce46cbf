/**
 * Who a person is, proven by an identity provider; what they may do is decided here (their User
 * row's role), never by the provider. Stadtkasse ships the local provider (name and password,
 * hashed with Argon2id). The city's single sign-on is meant to plug in as a RedirectIdentityProvider
 * (OpenID Connect or SAML): the login page sends the browser to `startUrl`, the provider's callback
 * route calls `complete`, and the username it returns must belong to a User row with
 * provider = the provider's name (created by an admin with a role, without a password). From there
 * on the session, CSRF protection, roles and audit are the same as for local accounts.
 */
import type { Ctx } from '../../context.js';
import { decoyHash, needsRehash, hashPassword, verifyPassword } from './passwords.js';

export interface ProvenIdentity {
  /** The User row's username this identity signs in as. */
  username: string;
}

export interface PasswordIdentityProvider {
  readonly kind: 'password';
  readonly name: string;
  /** The identity behind a name and password, or null when they do not fit (never says which). */
  verify(ctx: Pick<Ctx, 'db'>, input: { username: string; password: string }): Promise<ProvenIdentity | null>;
}

export interface RedirectIdentityProvider {
  readonly kind: 'redirect';
  readonly name: string;
  /** Where to send the browser to sign in; `state` must come back unchanged to `complete`. */
  startUrl(input: { state: string; callbackUrl: string }): Promise<string>;
  /** Checks the provider's answer at the callback URL and says who signed in. */
  complete(input: { state: string; callbackUrl: string; url: URL }): Promise<ProvenIdentity>;
}

export type IdentityProvider = PasswordIdentityProvider | RedirectIdentityProvider;

/** Local accounts: the User row's own Argon2id hash. */
export const localIdentityProvider: PasswordIdentityProvider = {
  kind: 'password',
  name: 'local',
  async verify(ctx, { username, password }) {
    const user = await ctx.db.prisma.user.findUnique({ where: { username } });
    if (!user || user.provider !== 'local' || !user.passwordHash || user.disabledAt) {
      // Same work as for a real account, so the answer time does not tell which names exist.
      await verifyPassword(password, await decoyHash());
      return null;
    }
    if (!(await verifyPassword(password, user.passwordHash))) return null;
    if (needsRehash(user.passwordHash)) {
      await ctx.db.prisma.user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash: await hashPassword(password) } });
    }
    return { username: user.username };
  },
};
