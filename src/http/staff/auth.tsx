/** @jsxImportSource hono/jsx */
/** Signing in and out, and the language switch. */
import type { Hono } from 'hono';
import { signIn } from '../../services/users/login.js';
import { endSession } from '../../services/users/sessions.js';
import { LoginPage } from '../../ui/staff/login.js';
import { messages } from '../../ui/staff/frame.js';
import { clearSessionCookie, csrfProtect, issueLoginCsrf, loginCsrfMatches, requireStaff, safeNext, setLangCookie, setSessionCookie, type StaffEnv } from '../session.js';
import { csrfRefusedPage, formFields, html, pageContext, sessionCtx, staffCtx } from './render.js';

function clockTime(lang: 'de' | 'en', at: Date): string {
  return new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(at);
}

export function mountAuthRoutes(app: Hono<StaffEnv>): void {
  app.get('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.get('session')) return c.redirect(next, 303);
    const t = messages(c.get('lang'));
    const m = c.req.query('m');
    const info = m === 'out' ? t.loggedOut : m === 'expired' ? t.loginExpired : undefined;
    return html(c, <LoginPage {...(await pageContext(c))} next={next} loginCsrf={issueLoginCsrf(c)} {...(info ? { info } : {})} />);
  });

  app.post('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    const t = messages(c.get('lang'));
    const form = await formFields(c);
    const username = (form.username ?? '').slice(0, 100);
    const page = async (error: string, status: 401 | 403 | 429) =>
      html(c, <LoginPage {...(await pageContext(c))} next={next} loginCsrf={issueLoginCsrf(c)} username={username} error={error} />, status);
    if (!loginCsrfMatches(c, form._csrf)) return page(t.loginFormExpired, 403);
    const deps = c.get('deps');
    const result = await signIn({ ctx: { db: deps.db, config: deps.config, clock: deps.clock, log: c.get('log'), requestId: c.get('requestId') }, input: { username, password: form.password ?? '' } });
    if (result.outcome === 'locked') return page(t.loginLocked(clockTime(c.get('lang'), result.until)), 429);
    if (result.outcome === 'invalid') return page(t.loginInvalid, 401);
    // A browser that was signed in as someone else: that session ends here.
    const previous = c.get('session');
    if (previous) await endSession({ ctx: sessionCtx(c), input: { tokenHash: previous.tokenHash } });
    setSessionCookie(c, result.token, result.expiresAt);
    return c.redirect(next, 303);
  });

  app.post('/logout', requireStaff(), csrfProtect(csrfRefusedPage), async (c) => {
    const session = c.get('session')!;
    await endSession({ ctx: sessionCtx(c), input: { tokenHash: session.tokenHash } });
    staffCtx(c).log.info({ user: session.user.id }, 'signed out');
    clearSessionCookie(c);
    return c.redirect('/login?m=out', 303);
  });

  app.get('/lang/:lang', (c) => {
    const lang = c.req.param('lang');
    if (lang === 'de' || lang === 'en') setLangCookie(c, lang);
    return c.redirect(safeNext(c.req.query('next')), 303);
  });
}
