/**
 * The citizen's way through paying online: "Online bezahlen" on the payment page starts (or
 * resumes) a transaction at the provider and sends the citizen there; the provider sends them back
 * to /online/return/{id}, where the status is read from the provider — the redirect itself proves
 * nothing — and the citizen lands on the payment page, which says what happened.
 *
 * The start is a form (POST) with a one-time nonce, never a GET that link prefetchers would follow;
 * a second click resumes the open attempt instead of making another. The return path names the
 * online payment, signed (the id alone is in the provider's reports), not the payment link's token,
 * so the token never reaches the provider.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.js';
import { SYSTEM_ACTOR } from '../../context.js';
import { ProviderRejectedError, ProviderUnavailableError } from '../../services/online/client.js';
import { ItemCollectedByDebitError, OnlineStartInProgressError, refreshOnlinePayment, StaleStartFormError, startOnlinePayment } from '../../services/online/onlinePayments.js';
import { verify } from '../../services/online/signatures.js';

export type OnlineNotice = 'unavailable' | 'rejected' | 'payed' | 'failed' | 'canceled' | 'expired' | 'pending' | 'unchecked' | 'done';

function ctxOf(c: Context<AppEnv>) {
  const { db, config, clock } = c.get('deps');
  return { db, config, clock, log: c.get('log'), actor: SYSTEM_ACTOR, requestId: c.get('requestId') };
}

function online(c: Context<AppEnv>) {
  return { client: c.get('deps').services.online?.client ?? null };
}

const escapeAttr = (s: string) => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * On to the provider's page by a refresh, not a 303: the payment page allows forms to post only to
 * us (form-action 'self'), and browsers hold a form's redirects to that too, so a redirect to the
 * provider's host would be blocked. A refresh is a navigation of its own; the link is for the rest.
 */
function continueToProvider(c: Context<AppEnv>, url: string) {
  const href = escapeAttr(url);
  c.header('Cache-Control', 'no-store');
  c.header('Refresh', `0;url=${url}`);
  return c.html(
    `<!doctype html><html lang="de"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}"><title>Weiter zum Zahlungsdienst</title></head><body><p><a href="${href}" rel="noreferrer">Weiter zum Zahlungsdienst / Continue to the payment service</a></p></body></html>`,
    200,
  );
}

function notFound(c: Context<AppEnv>) {
  c.header('Cache-Control', 'no-store');
  return c.html('<!doctype html><html lang="de"><meta charset="utf-8"><title>Nicht gefunden</title><p>Diese Seite gibt es nicht. / This page does not exist.</p></html>', 404);
}

export function onlinePaymentPages() {
  const app = new Hono<AppEnv>();

  // Starting is a POST from the payment page's form: a GET (a link preview, a prefetcher, a
  // crawler following a shared link) only shows the page and never creates a provider transaction.
  app.get('/pay/:token/online', (c) => c.redirect(`/pay/${c.req.param('token')}`, 303));

  app.post('/pay/:token/online', async (c) => {
    const token = c.req.param('token');
    const back = (notice?: OnlineNotice) => c.redirect(`/pay/${token}${notice ? `?online=${notice}` : ''}`, 303);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const nonce = typeof form.nonce === 'string' ? form.nonce : '';
    try {
      const started = await startOnlinePayment({ ctx: ctxOf(c), deps: online(c), input: { token, nonce } });
      if (!/^https:\/\/|^http:\/\//i.test(started.redirectUrl)) return back('rejected');
      return continueToProvider(c, started.redirectUrl);
    } catch (err) {
      // The page shown again says what is collected by direct debit and what is left to pay.
      if (err instanceof StaleStartFormError || err instanceof ItemCollectedByDebitError) return back();
      if (err instanceof OnlineStartInProgressError) return back('pending');
      if (err instanceof ProviderUnavailableError) return back('unavailable');
      if (err instanceof ProviderRejectedError) return back('rejected');
      if ((err as { code?: string }).code === 'conflict') return back('done');
      if ((err as { code?: string }).code === 'not_found') return back();
      throw err;
    }
  });

  // Only the address we signed for the provider leads on to the payment page: the id alone is in
  // the provider's reports. Anything else, a known id included, is the same plain 404.
  app.get('/online/return/:id/:signature', async (c) => {
    const id = c.req.param('id');
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    const signed = /^[0-9a-f-]{36}$/.test(id) && (await verify(c.get('deps').config.online.returnSecret, 'online-return', id, c.req.param('signature')));
    const row = signed ? await c.get('deps').db.prisma.onlinePayment.findUnique({ where: { id } }) : null;
    if (!row) return notFound(c);
    const request = await c.get('deps').db.prisma.paymentRequest.findUniqueOrThrow({ where: { id: row.paymentRequestId }, select: { token: true } });
    let notice: OnlineNotice;
    try {
      const after = await refreshOnlinePayment({ ctx: ctxOf(c), deps: online(c), input: { id } });
      notice = after.status === 'initial' ? 'pending' : after.status === 'payed' ? 'payed' : after.status === 'failed' ? 'failed' : after.status === 'canceled' ? 'canceled' : after.status === 'expired' ? 'expired' : 'unchecked';
    } catch (err) {
      if (!(err instanceof ProviderUnavailableError) && !(err instanceof ProviderRejectedError)) throw err;
      // Nothing is booked without the provider's word; the poller asks again later.
      notice = 'unchecked';
    }
    return c.redirect(`/pay/${request.token}?online=${notice}`, 303);
  });
  app.all('/online/return/*', (c) => notFound(c));

  return app;
}
