/**
 * Stadtkasse as XBezahldienste payment service, over HTTP on both backends, called the way an
 * online form server calls ePayBL or pmPayment: creating a transaction makes open items and a
 * payment request and sends the citizen to our payment page; the status follows the ledger (paid
 * online through the built-in test mode provider, cancelled, expired); requestId is idempotent;
 * every functionalCode the interface defines is answered where it belongs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startOnlineAsCitizen, visit } from './online-support.js';

type Json = Record<string, any>;
const START = new Date('2026-11-21T09:00:00.000Z');
const BASE = '/xbezahldienste/v1';

const ORIGINATORS = [
  { originatorId: 'buergerbuero', endPointIds: ['09162000'], username: 'formserver', password: 'ein-langes-passwort', requiredBookingData: ['haushaltsstelle'] },
  // A client built for 201 on creation asks for it; every other one gets 200, as the interface says.
  { originatorId: 'bauamt', username: 'bauamt', password: 'noch-ein-langes-passwort', createdStatus: 201 },
];

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const FORM = basic('formserver', 'ein-langes-passwort');

/** A PaymentRequest as an online form sends it: amounts as JSON numbers, written by hand. */
function paymentRequest(over: { requestId?: string; gros?: string; items?: string; purpose?: string } = {}): string {
  const items =
    over.items ??
    `[{"id":"pos-1","reference":"PASS-2026","description":"Reisepass","taxRate":0,"quantity":1,"totalNetAmount":37.5,"totalTaxAmount":0,"singleNetAmount":37.5,"singleTaxAmount":0,"bookingData":{"haushaltsstelle":"1.1200.1100","produkt":"12.2.01"}},
      {"id":"pos-2","description":"Expressgebühr","totalNetAmount":32.00,"totalTaxAmount":0.00,"bookingData":{"haushaltsstelle":"1.1200.1101"}}]`;
  return `{"requestId":"${over.requestId ?? crypto.randomUUID()}","requestTimestamp":"2026-11-21T09:00:00.000Z","currency":"EUR","grosAmount":${over.gros ?? '69.5'},
    "purpose":"${over.purpose ?? 'Reisepass Antrag 4711'}","description":"Reisepass mit Expressbearbeitung","redirectUrl":"https://formulare.musterstadt.de/antrag/4711/zurueck",
    "items":${items},"requestor":{"name":"Müller","firstName":"Jürgen","isOrganization":false,"address":{"street":"Hauptstraße","houseNumber":"1","postalCode":"12345","city":"Musterstadt","country":"DE"}}}`;
}

forEachBackend('XBezahldienste payment service', (backend) => {
  let server: TestServer;
  const clock = { at: new Date(START), now() { return new Date(this.at); } };
  const post = (body: string, path = `${BASE}/paymenttransaction/buergerbuero/09162000`, auth: string | null = FORM) =>
    fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body });
  const get = (path: string, auth: string | null = FORM) => fetch(server.url + path, { headers: auth ? { authorization: auth } : {} });
  const local = (url: string) => (url.startsWith('/') ? server.url + url : url.replace(server.config.publicBaseUrl, server.url));
  const problem = async (res: Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ status, functionalCode: code });
    expect(body.detail).toMatch(/^[\w\s\-,.\u00C0-\u017F]+$/);
    return body;
  };

  beforeAll(async () => {
    server = await startTestServer(backend, { clock, env: { XBEZAHLDIENSTE_ORIGINATORS: JSON.stringify(ORIGINATORS), ONLINE_PAYMENT_POLL_SECONDS: '0', PAYMENT_LINK_TTL_DAYS: '30' } });
  });
  afterAll(async () => server?.close());

  it('creates open items (with their bookingData) and a payment request, and sends the citizen to our payment page', async () => {
    const res = await post(paymentRequest({ requestId: 'antrag-4711' }));
    expect(res.status).toBe(200);
    const tx = (await res.json()) as Json;
    const info = tx.paymentInformation;
    expect(info).toMatchObject({ status: 'INITIAL', transactionId: expect.any(String) });
    expect(info.transactionRedirectUrl).toMatch(new RegExp(`^${server.config.publicBaseUrl}/pay/[0-9A-Za-z]{32}$`));
    expect(info.transactionUrl).toBe(`${server.config.publicBaseUrl}${BASE}/paymenttransaction/buergerbuero/09162000/${info.transactionId}`);
    expect(tx.paymentRequest).toMatchObject({ requestId: 'antrag-4711', grosAmount: 69.5 });

    const page = await visit(local(info.transactionRedirectUrl));
    expect(page.status).toBe(200);
    expect(page.text).toContain('69,50');
    expect(page.text).toContain('Zurück zum Online-Dienst');
    expect(page.text).toContain('https://formulare.musterstadt.de/antrag/4711/zurueck');

    const items = ((await (await server.api('/v1/items?limit=10')).json()) as Json).items as Json[];
    const mine = items.filter((i) => String(i.externalRef ?? '').startsWith('antrag-4711/'));
    expect(mine.map((i) => [i.externalRef, i.amount, i.debtor.name]).sort()).toEqual([
      ['antrag-4711/pos-1', '37.50', 'Jürgen Müller'],
      ['antrag-4711/pos-2', '32.00', 'Jürgen Müller'],
    ]);
    const pos1 = mine.find((i) => i.externalRef === 'antrag-4711/pos-1')!;
    expect(pos1.bookingData).toMatchObject({ haushaltsstelle: '1.1200.1100', produkt: '12.2.01', xbezahldienste: { originatorId: 'buergerbuero', endPointId: '09162000', requestId: 'antrag-4711', itemId: 'pos-1', reference: 'PASS-2026' } });

    const again = await get(`${BASE}/paymenttransaction/buergerbuero/09162000/${info.transactionId}`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as Json).paymentInformation).toMatchObject({ status: 'INITIAL', transactionRedirectUrl: info.transactionRedirectUrl });
  });

  it('requestId is the idempotency key: the same request answers the same transaction, other content is PAYMENT_EXISTS', async () => {
    const body = paymentRequest({ requestId: 'antrag-idem' });
    const first = await post(body);
    expect(first.status).toBe(200);
    const id = ((await first.json()) as Json).paymentInformation.transactionId;
    const replay = await post(body);
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as Json).paymentInformation.transactionId).toBe(id);
    const count = await server.db.prisma.openItem.count({ where: { externalRef: { startsWith: 'antrag-idem/' } } });
    expect(count).toBe(2);
    await problem(await post(paymentRequest({ requestId: 'antrag-idem', purpose: 'anderer Zweck' })), 409, 'PAYMENT_EXISTS');
    // The same requestId under another endpoint of another originator is another transaction.
    const other = await post(paymentRequest({ requestId: 'antrag-idem' }), `${BASE}/paymenttransaction/bauamt/any-endpoint`, basic('bauamt', 'noch-ein-langes-passwort'));
    expect(other.status).toBe(201);
  });

  it('concurrent identical requests make one transaction', async () => {
    const body = paymentRequest({ requestId: 'antrag-race' });
    const answers = await Promise.all([post(body), post(body), post(body)]);
    const ok = answers.filter((r) => r.status === 201 || r.status === 200);
    const ids = new Set(await Promise.all(ok.map(async (r) => ((await r.json()) as Json).paymentInformation.transactionId)));
    expect(ids.size).toBe(1);
    for (const r of answers.filter((x) => x.status !== 201 && x.status !== 200)) await problem(r, 409, 'UNSPECIFIED');
    expect(await server.db.prisma.openItem.count({ where: { externalRef: { startsWith: 'antrag-race/' } } })).toBe(2);
  });

  it.each([
    ['grosAmount is not the sum of the items', () => paymentRequest({ gros: '70' }), 400, 'CALCULATION_ERROR'],
    ['required bookingData is missing', () => paymentRequest({ items: '[{"id":"a","totalNetAmount":10,"bookingData":{"produkt":"x"}}]', gros: '10' }), 400, 'BOOKING_DATA_MISSING'],
    ['purpose longer than 27 characters', () => paymentRequest({ purpose: 'Dieser Verwendungszweck ist zu lang' }), 400, 'VALIDATION_ERROR'],
    ['an amount with three decimals', () => paymentRequest({ items: '[{"id":"a","totalNetAmount":10.005,"bookingData":{"haushaltsstelle":"1"}}]', gros: '10.005' }), 400, 'VALIDATION_ERROR'],
    ['not JSON', () => '{"requestId":', 400, 'VALIDATION_ERROR'],
    ['another currency', () => paymentRequest().replace('"currency":"EUR"', '"currency":"CHF"'), 400, 'VALIDATION_ERROR'],
    // The citizen's browser follows redirectUrl from our payment page ("Zurück zum Online-Dienst"): only a web address.
    ['a javascript: redirectUrl', () => paymentRequest().replace('https://formulare.musterstadt.de/antrag/4711/zurueck', 'javascript:alert(document.cookie)'), 400, 'VALIDATION_ERROR'],
    ['a data: redirectUrl', () => paymentRequest().replace('https://formulare.musterstadt.de/antrag/4711/zurueck', 'data:text/html,<b>x</b>'), 400, 'VALIDATION_ERROR'],
    ['a redirectUrl with upper-case JAVASCRIPT: scheme', () => paymentRequest().replace('https://formulare.musterstadt.de/antrag/4711/zurueck', 'JavaScript:alert(1)'), 400, 'VALIDATION_ERROR'],
  ])('%s: %s %s, nothing created', async (_what, body, status, code) => {
    const before = await server.db.prisma.openItem.count();
    const b = await problem(await post(body()), status, code);
    expect(b.type).toContain('/problems/xbezahldienste/');
    expect(await server.db.prisma.openItem.count()).toBe(before);
  });

  it('originator, endpoint and credentials: NO_VALID_ORIGINATOR_OR_ENDPOINT and FORBIDDEN', async () => {
    await problem(await post(paymentRequest(), `${BASE}/paymenttransaction/buergerbuero/99999999`), 400, 'NO_VALID_ORIGINATOR_OR_ENDPOINT');
    await problem(await post(paymentRequest(), `${BASE}/paymenttransaction/unbekannt/09162000`), 400, 'NO_VALID_ORIGINATOR_OR_ENDPOINT');
    await problem(await post(paymentRequest(), `${BASE}/paymenttransaction/bauamt/09162000`), 403, 'FORBIDDEN');
    await problem(await post(paymentRequest(), undefined, null), 403, 'FORBIDDEN');
    await problem(await post(paymentRequest(), undefined, basic('formserver', 'falsches-passwort')), 403, 'FORBIDDEN');
    await problem(await get(`${BASE}/status/buergerbuero/09162000`, null), 403, 'FORBIDDEN');
    const status = await get(`${BASE}/status/buergerbuero/09162000`);
    expect(status.status).toBe(200);
  });

  it("another originator's transaction is unknown; an unknown one is 404", async () => {
    const res = await post(paymentRequest());
    const id = ((await res.json()) as Json).paymentInformation.transactionId;
    await problem(await get(`${BASE}/paymenttransaction/bauamt/09162000/${id}`, basic('bauamt', 'noch-ein-langes-passwort')), 404, 'VALIDATION_ERROR');
    await problem(await get(`${BASE}/paymenttransaction/buergerbuero/09162000/${crypto.randomUUID()}`), 404, 'VALIDATION_ERROR');
  });

  it('the status follows the ledger: PAYED once the citizen paid online (test mode provider), with the method the provider reported', async () => {
    const created = (await (await post(paymentRequest({ requestId: 'antrag-online' }))).json()) as Json;
    const token = created.paymentInformation.transactionRedirectUrl.split('/pay/')[1];
    const start = await startOnlineAsCitizen(server, token);
    expect(start.status).toBe(200);
    expect(start.location).toContain('/testprovider/paypage/');
    const payPage = await visit(local(start.location!));
    expect(payPage.text).toContain('TESTMODUS — es wird kein echtes Geld bewegt');
    const posted = await visit(local(start.location!), { method: 'POST', body: new URLSearchParams({ choice: 'pay' }) });
    const back = await visit(local(posted.location!));
    expect(back.location).toBe(`/pay/${token}?online=payed`);
    const status = (await (await get(`${BASE}/paymenttransaction/buergerbuero/09162000/${created.paymentInformation.transactionId}`)).json()) as Json;
    expect(status.paymentInformation).toMatchObject({ status: 'PAYED', paymentMethod: 'CREDITCARD', transactionTimestamp: START.toISOString() });
    expect(status.paymentInformation.transactionRedirectUrl).toBeUndefined();
  });

  it('CANCELED when the authority cancels the claims; FAILED (EXPIRED) when the link runs out unpaid', async () => {
    const a = (await (await post(paymentRequest({ requestId: 'antrag-storno' }))).json()) as Json;
    const items = await server.db.prisma.openItem.findMany({ where: { externalRef: { startsWith: 'antrag-storno/' } } });
    for (const i of items) expect((await server.api(`/v1/items/${i.id}/cancel`, { method: 'POST', json: { reason: 'Antrag zurückgezogen' } })).status).toBe(200);
    const cancelled = (await (await get(`${BASE}/paymenttransaction/buergerbuero/09162000/${a.paymentInformation.transactionId}`)).json()) as Json;
    expect(cancelled.paymentInformation).toMatchObject({ status: 'CANCELED' });

    const b = (await (await post(paymentRequest({ requestId: 'antrag-verfall' }))).json()) as Json;
    clock.at = new Date(START.getTime() + 31 * 86_400_000);
    try {
      const expired = (await (await get(`${BASE}/paymenttransaction/buergerbuero/09162000/${b.paymentInformation.transactionId}`)).json()) as Json;
      expect(expired.paymentInformation).toMatchObject({ status: 'FAILED', statusDetail: 'EXPIRED' });
    } finally {
      clock.at = new Date(START);
    }
  });

  it('is in the API reference', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Json;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([`${BASE}/paymenttransaction/{originatorId}/{endPointId}`, `${BASE}/paymenttransaction/{originatorId}/{endPointId}/{transactionId}`, `${BASE}/status/{originatorId}/{endPointId}`]));
  });
});

describe('XBezahldienste behind a TLS proxy (mTLS)', () => {
  it('an originator is recognised by the certificate subject the proxy passes on', async () => {
    const server = await startTestServer('sqlite', {
      env: { XBEZAHLDIENSTE_ORIGINATORS: JSON.stringify([{ ...ORIGINATORS[0], certificateSubject: 'CN=formserver.musterstadt.de,O=Musterstadt' }]), XBEZAHLDIENSTE_CLIENT_CERT_HEADER: 'X-Client-Cert-Subject', ONLINE_PAYMENT_POLL_SECONDS: '0' },
    });
    try {
      const ok = await fetch(`${server.url}${BASE}/paymenttransaction/buergerbuero/09162000`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-client-cert-subject': 'CN=formserver.musterstadt.de,O=Musterstadt' }, body: paymentRequest() });
      expect(ok.status).toBe(200);
      const bad = await fetch(`${server.url}${BASE}/status/buergerbuero/09162000`, { headers: { 'x-client-cert-subject': 'CN=someone-else' } });
      expect(bad.status).toBe(403);
    } finally {
      await server.close();
    }
  });
});
