/** @jsxImportSource hono/jsx */
/**
 * An address nobody answers, asked for by a person (a browser wanting HTML): a page in their
 * language that says so and leads back, instead of the API's problem+json. Programs (/v1, or
 * anything not asking for HTML) keep getting problem+json.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { randomToken } from '../../services/shared/ids.js';
import { pickLang } from '../../ui/i18n.js';
import { renderDocument } from '../../ui/layout.js';
import { MessagePage, messages } from '../../ui/staff/frame.js';
import type { AppEnv } from '../env.js';
import { LANG_COOKIE } from '../session.js';

export function wantsPage(c: Context<AppEnv>): boolean {
  return !c.req.path.startsWith('/v1') && (c.req.method === 'GET' || c.req.method === 'HEAD') && (c.req.header('accept') ?? '').includes('text/html');
}

export async function unknownAddressPage(c: Context<AppEnv>): Promise<Response> {
  const nonce = randomToken(24);
  const cookie = getCookie(c, LANG_COOKIE);
  const lang = pickLang(c.req.query('lang') ?? (cookie === 'de' || cookie === 'en' ? cookie : undefined), c.req.header('accept-language'));
  const t = messages(lang);
  const page = <MessagePage lang={lang} nonce={nonce} path={c.req.path} cityName={c.get('deps').config.creditor.name} title={t.unknownAddressTitle} text={t.unknownAddressText} backHref="/" />;
  c.header('Content-Security-Policy', `default-src 'none'; img-src 'self' data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`);
  c.header('Content-Language', lang);
  c.header('X-Content-Type-Options', 'nosniff');
  return c.html(await renderDocument(page), 404);
}
