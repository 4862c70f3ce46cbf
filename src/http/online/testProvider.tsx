/** @jsxImportSource hono/jsx */
/**
 * The test mode provider over HTTP: the XBezahldienste interface, an OAuth2 token endpoint and the
 * hosted payment page. Mounted under /testprovider of Stadtkasse when no real provider is
 * configured; tests serve it on a port of its own (HTTP, or HTTPS requiring client certificates).
 */
import { Hono, type Context } from 'hono';
import { randomToken } from '../../services/shared/ids.js';
import { TestProvider, TestProviderError, decodeBasic, type TestProviderOptions } from '../../services/online/testProvider.js';
import { renderDocument } from '../../ui/layout.js';
import { TestNotFoundPage, TestPayPage } from '../../ui/testProvider/pages.js';

export interface TestProviderApp {
  app: Hono;
  provider: TestProvider;
}

/** `basePath`: where the routes sit in the app that serves them ("" on a port of its own). */
export function createTestProviderApp(options: TestProviderOptions & { basePath?: string }): TestProviderApp {
  const provider = new TestProvider(options);
  const base = options.basePath ?? '';
  const app = new Hono().basePath(base || '/');
  const api = (c: Context) => `${new URL(c.req.url).origin}${base}`;

  const problem = (c: Context, err: TestProviderError) =>
    c.body(JSON.stringify({ type: 'about:blank', status: err.status, title: err.status === 503 ? 'Service Unavailable' : 'Error', detail: err.message.replace(/[^\w\s\-,.]/g, ' '), functionalCode: err.functionalCode }), err.status as never, { 'content-type': 'application/problem+json' });

  const guarded = (handler: (c: Context) => Response | Promise<Response>) => async (c: Context) => {
    try {
      if (!provider.available) throw new TestProviderError(503, 'UNSPECIFIED', 'the test provider is switched off');
      provider.authorize(c.req.header('authorization'));
      return await handler(c);
    } catch (err) {
      if (err instanceof TestProviderError) return problem(c, err);
      throw err;
    }
  };

  app.post('/oauth/token', async (c) => {
    const creds = decodeBasic(c.req.header('authorization'));
    const form = await c.req.parseBody();
    if (form.grant_type !== 'client_credentials') return c.json({ error: 'unsupported_grant_type' }, 400);
    try {
      return c.json(provider.issueToken(creds?.user ?? '', creds?.password ?? ''), 200, { 'cache-control': 'no-store' });
    } catch {
      return c.json({ error: 'invalid_client' }, 401);
    }
  });

  app.post(
    '/paymenttransaction/:originatorId/:endPointId',
    guarded(async (c) => {
      const { created, tx } = await provider.create(c.req.param('originatorId')!, c.req.param('endPointId')!, await c.req.text());
      return c.json({ paymentInformation: provider.information(tx, api(c)), paymentRequest: tx.request }, created ? 201 : 200);
    }),
  );

  app.get(
    '/paymenttransaction/:originatorId/:endPointId/:transactionId',
    guarded(async (c) => {
      const tx = await provider.get(c.req.param('originatorId')!, c.req.param('endPointId')!, c.req.param('transactionId')!);
      return c.json({ paymentInformation: provider.information(tx, api(c)), paymentRequest: tx.request }, 200);
    }),
  );

  app.get(
    '/status/:originatorId/:endPointId',
    guarded((c) => c.json({ status: 'OK', testMode: true }, 200)),
  );

  app.get('/settlement-report', async (c) => c.json(await provider.settlementReport(c.req.query('fee') ?? '0.00'), 200));

  const page = async (c: Context, status: number, body: unknown) => {
    c.header('Content-Security-Policy', `default-src 'none'; style-src 'nonce-${nonceOf(c)}'; base-uri 'none'; frame-ancestors 'none'`);
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(await renderDocument(body as never), status as never);
  };
  const nonces = new WeakMap<Context, string>();
  const nonceOf = (c: Context) => {
    let n = nonces.get(c);
    if (!n) nonces.set(c, (n = randomToken(24)));
    return n;
  };

  app.get('/paypage/:id', async (c) => {
    const tx = await provider.current(c.req.param('id')!);
    if (!tx) return page(c, 404, <TestNotFoundPage nonce={nonceOf(c)} />);
    return page(
      c,
      200,
      <TestPayPage nonce={nonceOf(c)} transactionId={tx.id} amountMinor={tx.grossMinor} purpose={tx.request.purpose ?? ''} description={tx.request.description ?? ''} status={tx.status} action={`${base}/paypage/${tx.id}`} />,
    );
  });

  app.post('/paypage/:id', async (c) => {
    const tx = await provider.store.byId(c.req.param('id')!);
    if (!tx) return page(c, 404, <TestNotFoundPage nonce={nonceOf(c)} />);
    const form = await c.req.parseBody();
    const choice = form.choice === 'pay' || form.choice === 'fail' || form.choice === 'cancel' ? form.choice : 'cancel';
    await provider.decide(tx.id, choice);
    // Back to the online service, which must ask us for the status (never trust this redirect).
    return c.redirect(tx.request.redirectUrl, 303);
  });

  return { app, provider };
}
