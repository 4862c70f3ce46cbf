/** @jsxImportSource hono/jsx */
/**
 * The citizen's payment page under the payment link, and its GiroCode images. No authentication:
 * the token in the path is the authorization, so every answer here is uncacheable, sends no
 * Referer (the token would leak to any link target), and allows no external source.
 */
import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { randomToken } from '../../services/shared/ids.js';
import { findPaymentRequestByToken } from '../../services/paymentRequests/paymentRequests.js';
import { paymentPageQr } from '../../services/paymentRequests/qr.js';
import { ExpiredLinkPage, PaymentPage, UnknownLinkPage, type PageContext } from '../../ui/citizen/paymentPage.js';
import { pickLang, type Lang } from '../../ui/i18n.js';
import { renderDocument } from '../../ui/layout.js';
import type { AppEnv } from '../env.js';
import { onlinePaymentSection } from '../../services/online/section.js';
import { directDebitsForPage } from '../../services/paymentRequests/directDebits.js';

interface PageEnv extends AppEnv {
  Variables: AppEnv['Variables'] & { nonce: string };
}

const securityHeaders = createMiddleware<PageEnv>(async (c, next) => {
  const nonce = randomToken(24);
  c.set('nonce', nonce);
  await next();
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; img-src 'self'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
  );
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Cache-Control', 'no-store');
});

function publicCtx(c: Context<PageEnv>) {
  const { db, config, clock } = c.get('deps');
  return { db, config, clock };
}

export function paymentPageRoutes() {
  // Plain Hono: these are HTML pages, not part of the API reference.
  const pages = new Hono<PageEnv>();
  pages.use('/pay/*', securityHeaders);

  for (const format of ['svg', 'png'] as const) {
    pages.get(`/pay/:token/qr.${format}`, async (c) => {
      const image = await paymentPageQr({ ctx: publicCtx(c), input: { token: c.req.param('token'), format } });
      if ('state' in image) return c.body(null, image.state === 'expired' ? 410 : 404);
      return c.body(image.body as never, 200, { 'content-type': image.contentType });
    });
  }

  pages.get('/pay/:token', async (c) => {
    const token = c.req.param('token');
    const { config } = c.get('deps');
    const found = await findPaymentRequestByToken({ ctx: publicCtx(c), input: { token } });
    // The page's own switch (?lang=) first; then the language the service asked for when it made the
    // request (it knows its citizen); else the browser's.
    const asked = c.req.query('lang');
    const chosen = found.state === 'valid' ? found.request.locale : null;
    const lang = asked === 'de' || asked === 'en' ? asked : chosen ?? pickLang(undefined, c.req.header('accept-language'));
    // A query-only link stays on this path without echoing the token into the page.
    const page: PageContext = { lang, nonce: c.get('nonce'), siteName: config.creditor.name, switchHref: `?lang=${other(lang)}` };
    c.header('Content-Language', lang);
    c.header('Vary', 'Accept-Language');
    if (found.state === 'unknown') return c.html(await renderDocument(<UnknownLinkPage {...page} contact={config.citizenContact} />), 404);
    if (found.state === 'expired') return c.html(await renderDocument(<ExpiredLinkPage {...page} contact={config.citizenContact} expiredAt={found.expiredAt} />), 410);
    const online = await onlinePaymentSection({ ctx: publicCtx(c), input: { request: found.request, token, notice: c.req.query('online') } });
    const directDebits = await directDebitsForPage({ ctx: publicCtx(c), input: { itemIds: found.request.items.filter((i) => i.collectedByDirectDebit).map((i) => i.id) } });
    return c.html(await renderDocument(<PaymentPage {...page} request={found.request} qrSvgHref={`/pay/${token}/qr.svg`} online={online} now={c.get('deps').clock.now()} directDebits={directDebits} />), 200);
  });
  return pages;
}

function other(lang: Lang): Lang {
  return lang === 'de' ? 'en' : 'de';
}
