/**
 * Sessions and CSRF protection for the staff workplace (the HTML pages; the /v1 API keeps its
 * bearer keys and never reads these cookies).
 *
 * - The session cookie is HttpOnly, SameSite=Lax, Path=/, and Secure with the __Host- prefix when
 *   PUBLIC_BASE_URL is https (then no subdomain can set or shadow it).
 * - Every state-changing request (POST) carries the session's synchronizer token, in the form field
 *   `_csrf` or the header `X-CSRF-Token` (the upload script), and is refused with 403 otherwise.
 *   A request whose Origin header names another site is refused before that.
 * - The sign-in form has no session yet: it is protected by a double-submit token (a random value in
 *   a short-lived cookie that must come back in the form), so no other site can sign a browser
 *   into an account of its choosing.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { Scope } from '../context.js';
import { hasScope } from '../context.js';
import { csrfTokenMatches, resolveSession, type ResolvedSession } from '../services/users/sessions.js';
import { constantTimeEqual, randomToken } from '../services/shared/ids.js';
import { pickLang, type Lang } from '../ui/i18n.js';
import type { AppEnv } from './env.js';

export interface StaffEnv extends AppEnv {
  Variables: AppEnv['Variables'] & {
    nonce: string;
    lang: Lang;
    session?: ResolvedSession;
    /** The raw cookie token of the session (only to check the CSRF token against it). */
    sessionToken?: string;
  };
}

export const LANG_COOKIE = 'stk_lang';
const LOGIN_CSRF_COOKIE = 'stk_login';

export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-stk_session' : 'stk_session';
}

function cookieOptions(c: Context<StaffEnv>, maxAgeSeconds?: number) {
  const secure = c.get('deps').config.cookieSecure;
  return { httpOnly: true, sameSite: 'Lax' as const, path: '/', secure, ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}) };
}

export function setSessionCookie(c: Context<StaffEnv>, token: string, expiresAt: Date): void {
  const seconds = Math.max(0, Math.floor((expiresAt.getTime() - c.get('deps').clock.now().getTime()) / 1000));
  setCookie(c, sessionCookieName(c.get('deps').config.cookieSecure), token, cookieOptions(c, seconds));
}

export function clearSessionCookie(c: Context<StaffEnv>): void {
  deleteCookie(c, sessionCookieName(c.get('deps').config.cookieSecure), cookieOptions(c));
}

export function setLangCookie(c: Context<StaffEnv>, lang: Lang): void {
  setCookie(c, LANG_COOKIE, lang, { ...cookieOptions(c, 365 * 86_400), httpOnly: false });
}

/** The double-submit token of the sign-in form: set in a cookie, echoed in the form. */
export function issueLoginCsrf(c: Context<StaffEnv>): string {
  const existing = getCookie(c, LOGIN_CSRF_COOKIE);
  const token = existing && /^[A-Za-z0-9]{32}$/.test(existing) ? existing : randomToken(32);
  setCookie(c, LOGIN_CSRF_COOKIE, token, cookieOptions(c, 3600));
  return token;
}

export function loginCsrfMatches(c: Context<StaffEnv>, sent: string | undefined): boolean {
  const cookie = getCookie(c, LOGIN_CSRF_COOKIE);
  return Boolean(cookie && sent && constantTimeEqual(cookie, sent));
}

/**
 * Every staff page: a CSP nonce and strict headers, the language, and the session if the cookie
 * carries a live one (then the actor is the signed-in person, with their role's scopes).
 */
export const staffSession = createMiddleware<StaffEnv>(async (c, next) => {
  // Registered for several path patterns ("/review" and "/review/*" both match /review): once is enough.
  if (c.get('nonce')) return next();
  const deps = c.get('deps');
  const nonce = randomToken(24);
  c.set('nonce', nonce);
  const langCookie = getCookie(c, LANG_COOKIE);
  c.set('lang', pickLang(c.req.query('lang') ?? (langCookie === 'de' || langCookie === 'en' ? langCookie : undefined), c.req.header('accept-language')));
  const token = getCookie(c, sessionCookieName(deps.config.cookieSecure));
  const session = await resolveSession({ ctx: { db: deps.db, config: deps.config, clock: deps.clock }, input: { token } });
  if (session) {
    c.set('session', session);
    c.set('sessionToken', token!);
    c.set('actor', session.actor);
    c.set('log', c.get('log').child({ actor: `user:${session.user.id}` }));
  }
  await next();
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; img-src 'self' data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  );
  c.header('Referrer-Policy', 'same-origin');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Cache-Control', 'no-store');
  c.header('Vary', 'Cookie, Accept-Language');
});

/** The longest address worth returning to; anything longer is not one of our links. */
const MAX_NEXT = 2000;
const SELF = 'https://stadtkasse.invalid';

/**
 * Where to go after signing in: only a path on this site, never another host (open redirect).
 *
 * Browsers are lenient with what follows a Location header: they drop tabs and newlines anywhere
 * ("/\t/evil.example" is "//evil.example"), read a backslash as a slash ("/\\evil.example"),
 * strip leading control characters and spaces, and resolve dot segments ("/.//evil.example"). So
 * the address is refused on any of those characters, then resolved as a browser would against our
 * own origin, and only the resolved path (with query and fragment) is sent back, after checking that
 * it still starts with exactly one slash.
 */
export function safeNext(next: string | undefined): string {
  if (!next || next.length > MAX_NEXT || !next.startsWith('/')) return '/';
  // Control characters, every kind of white space, and backslashes have no place in our own links.
  if (/[\u0000-\u001f\u007f-\u009f\s\\]/u.test(next)) return '/';
  if (next.startsWith('//')) return '/';
  let url: URL;
  try {
    url = new URL(next, SELF);
  } catch {
    return '/';
  }
  if (url.origin !== SELF || url.username !== '' || url.password !== '') return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return '/';
  return path;
}

/**
 * The page needs a signed-in person (and, optionally, a scope). Anonymous visitors are sent to the
 * sign-in page with the address they wanted; a person without the scope gets 403.
 */
export function requireStaff(scope?: Scope, forbidden?: (c: Context<StaffEnv>) => Response | Promise<Response>) {
  return createMiddleware<StaffEnv>(async (c, next) => {
    const session = c.get('session');
    if (!session) {
      const url = new URL(c.req.url);
      const back = c.req.method === 'GET' ? url.pathname + url.search : url.pathname;
      // A cookie without a live session: it ended (idle, absolute expiry, sign-out elsewhere).
      const ended = getCookie(c, sessionCookieName(c.get('deps').config.cookieSecure)) !== undefined;
      if (ended) clearSessionCookie(c);
      return c.redirect(`/login?next=${encodeURIComponent(back)}${ended ? '&m=expired' : ''}`, 303);
    }
    if (scope && !hasScope(session.actor, scope)) {
      if (forbidden) return forbidden(c);
      return c.text('Forbidden', 403);
    }
    await next();
  });
}

/** Origin of this service as browsers see it (PUBLIC_BASE_URL) or as the request reached us. */
function sameOrigin(c: Context<StaffEnv>, origin: string): boolean {
  if (origin === new URL(c.req.url).origin) return true;
  return origin === new URL(c.get('deps').config.publicBaseUrl).origin;
}

/**
 * Refuses a state-changing request without the session's CSRF token, or from another site.
 * Runs after staffSession and requireStaff, so a session is there.
 */
export function csrfProtect(refuse: (c: Context<StaffEnv>) => Response | Promise<Response>) {
  return createMiddleware<StaffEnv>(async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const origin = c.req.header('origin');
    if (origin && origin !== 'null' && !sameOrigin(c, origin)) return refuse(c);
    const token = c.get('sessionToken');
    let sent = c.req.header('x-csrf-token');
    if (sent === undefined) {
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        const body = await c.req.parseBody();
        sent = typeof body._csrf === 'string' ? body._csrf : undefined;
      }
    }
    if (!token || !csrfTokenMatches(token, sent)) {
      c.get('log').warn({ path: c.req.path }, 'form post refused: CSRF token missing or wrong');
      return refuse(c);
    }
    await next();
  });
}
