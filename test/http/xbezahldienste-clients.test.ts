/**
 * The XBezahldienste interface as the real form servers speak it, with payloads shaped after their
 * public client code: gover's Jackson models (every unset field written as null, BigDecimal amounts
 * as JSON numbers, the requestor with name/firstName/gender/isOrganization/organizationName/address)
 * and the OAuth2 client-credentials login of ePayBL, pmPayment and GiroCheckout (token endpoint,
 * then Bearer). Those clients accept only 200 on creation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

type Json = Record<string, any>;
const START = new Date('2026-11-21T09:00:00.000Z');
const BASE = '/xbezahldienste/v1';
const ORIGINATORS = [
  { originatorId: 'formulare', endPointIds: ['hundesteuer'], clientId: 'gover-musterstadt', clientSecret: 'ein-sehr-geheimes-client-secret' },
  { originatorId: 'bauamt', username: 'bauamt', password: 'noch-ein-langes-passwort' },
];

/** gover's request as Jackson writes it: unset fields as null, amounts as numbers (BigDecimal keeps its scale). */
function goverRequest(requestId: string, over: { gros?: string; items?: string; requestor?: string } = {}): string {
  return `{"requestId":"${requestId}","requestTimestamp":"2026-11-21T09:00:00Z","currency":"EUR","grosAmount":${over.gros ?? '45.00'},"purpose":"Hundesteuer 2026","description":null,"redirectUrl":"https://formulare.musterstadt.de/hundesteuer/fertig",
"items":${over.items ?? '[{"id":"1","reference":null,"description":"Hundesteuer 2026","taxRate":0,"quantity":1,"totalNetAmount":45.00,"totalTaxAmount":0,"singleNetAmount":null,"singleTaxAmount":null,"bookingData":null}]'},
"requestor":${over.requestor ?? '{"name":"Schmidt","firstName":"Anna","gender":"F","isOrganization":false,"organizationName":null,"address":{"street":"Am Markt","houseNumber":"3a","addressLine":null,"postalCode":"12345","city":"Musterstadt","country":"DE"}}'}}`;
}

describe('XBezahldienste with the payloads of real form servers', () => {
  let server: TestServer;
  const clock = { at: new Date(START), now() { return new Date(this.at); } };
  const token = async (body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${BASE}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body).toString() });
  const bearer = async () => {
    const res = await token({ grant_type: 'client_credentials', client_id: 'gover-musterstadt', client_secret: 'ein-sehr-geheimes-client-secret' });
    expect(res.status).toBe(200);
    return `Bearer ${((await res.json()) as Json).access_token}`;
  };
  const create = (body: string, auth: string, path = `${BASE}/paymenttransaction/formulare/hundesteuer`) =>
    fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body });

  beforeAll(async () => {
    server = await startTestServer('sqlite', { clock, env: { XBEZAHLDIENSTE_ORIGINATORS: JSON.stringify(ORIGINATORS), ONLINE_PAYMENT_POLL_SECONDS: '0', XBEZAHLDIENSTE_TOKEN_TTL_SECONDS: '300' } });
  });
  afterAll(async () => server?.close());

  it('gover: 200 on creation, nulls read as absent, amounts echoed as JSON numbers, the requestor kept and shown as debtor', async () => {
    const res = await create(goverRequest('gover-1'), await bearer());
    expect(res.status).toBe(200);
    const text = await res.text();
    // Numbers, not strings: the interface types them so and Jackson reads them into BigDecimal.
    expect(text).toMatch(/"grosAmount":45\.00[,}]/);
    expect(text).toMatch(/"totalNetAmount":45\.00[,}]/);
    expect(text).toMatch(/"quantity":1[,}]/);
    const tx = JSON.parse(text) as Json;
    expect(tx.paymentInformation.status).toBe('INITIAL');
    expect(tx.paymentRequest.requestor).toEqual({ name: 'Schmidt', firstName: 'Anna', gender: 'F', isOrganization: false, address: { street: 'Am Markt', houseNumber: '3a', postalCode: '12345', city: 'Musterstadt', country: 'DE' } });

    const read = await fetch(`${server.url}${BASE}/paymenttransaction/formulare/hundesteuer/${tx.paymentInformation.transactionId}`, { headers: { authorization: await bearer() } });
    expect(read.status).toBe(200);
    expect(await read.text()).toMatch(/"grosAmount":45\.00[,}]/);

    const item = ((await (await server.api('/v1/items?externalRef=gover-1%2F1')).json()) as Json).items[0];
    expect(item.debtor).toMatchObject({ name: 'Anna Schmidt', address: 'Am Markt 3a, 12345 Musterstadt, DE' });
    expect(item.bookingData.xbezahldienste.requestor).toMatchObject({ name: 'Schmidt', firstName: 'Anna', gender: 'F', isOrganization: false });
  });

  it('an organisation as requestor is the debtor under its name; lastName is taken for name', async () => {
    const requestor = '{"lastName":"Wagner","firstName":"Peter","gender":"M","isOrganization":true,"organizationName":"Tiefbau Wagner GmbH","address":{"street":null,"houseNumber":null,"addressLine":["Industriestraße 7","Halle 2"],"postalCode":"54321","city":"Neustadt","country":"DE"}}';
    const res = await create(goverRequest('gover-org', { requestor }), await bearer());
    expect(res.status).toBe(200);
    const item = ((await (await server.api('/v1/items?externalRef=gover-org%2F1')).json()) as Json).items[0];
    expect(item.debtor).toMatchObject({ name: 'Tiefbau Wagner GmbH (Peter Wagner)', address: 'Industriestraße 7, Halle 2, 54321 Neustadt, DE' });
  });

  it.each([
    ['0.1 + 0.2 is 0.3 exactly', '0.3', '[{"id":"a","totalNetAmount":0.1},{"id":"b","totalNetAmount":0.2}]', 200],
    ['BigDecimal with a negative scale (1E+2)', '1E+2', '[{"id":"a","totalNetAmount":100.000}]', 200],
    // A float reads 19.999999999999999 as 20: read exactly, it has too many decimals.
    ['more digits than a double holds', '19.999999999999999', '[{"id":"a","totalNetAmount":19.999999999999999}]', 400],
    ['a grosAmount that differs only beyond a double', '45.000000000000001', '[{"id":"a","totalNetAmount":45}]', 400],
  ])('amounts are read exactly: %s', async (_what, gros, items, status) => {
    const res = await create(goverRequest(`exact-${crypto.randomUUID().slice(0, 8)}`, { gros, items }), await bearer());
    expect(res.status).toBe(status);
  });

  it('OAuth2 client credentials: client_secret_post and client_secret_basic; short-lived; wrong secret, other grants and other originators refused', async () => {
    const post = await token({ grant_type: 'client_credentials', client_id: 'gover-musterstadt', client_secret: 'ein-sehr-geheimes-client-secret' });
    expect(post.status).toBe(200);
    expect(post.headers.get('cache-control')).toBe('no-store');
    const issued = (await post.json()) as Json;
    expect(issued).toMatchObject({ token_type: 'Bearer', expires_in: 300 });

    const basic = await token({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from('gover-musterstadt:ein-sehr-geheimes-client-secret').toString('base64')}` });
    expect(basic.status).toBe(200);

    const wrong = await token({ grant_type: 'client_credentials', client_id: 'gover-musterstadt', client_secret: 'falsch-falsch-falsch' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const grant = await token({ grant_type: 'password', client_id: 'gover-musterstadt', client_secret: 'ein-sehr-geheimes-client-secret' });
    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });

    const auth = `Bearer ${issued.access_token}`;
    expect((await fetch(`${server.url}${BASE}/status/formulare/hundesteuer`, { headers: { authorization: auth } })).status).toBe(200);
    // The token is the originator's own: not another's.
    expect((await fetch(`${server.url}${BASE}/status/bauamt/x`, { headers: { authorization: auth } })).status).toBe(403);
    // A forged or altered token is nothing.
    expect((await fetch(`${server.url}${BASE}/status/formulare/hundesteuer`, { headers: { authorization: `${auth.slice(0, -2)}xx` } })).status).toBe(403);
    // Short-lived: after its lifetime it is refused, and a new one is fetched.
    clock.at = new Date(START.getTime() + 301_000);
    try {
      const late = await fetch(`${server.url}${BASE}/status/formulare/hundesteuer`, { headers: { authorization: auth } });
      expect(late.status).toBe(403);
      expect(await late.json()).toMatchObject({ functionalCode: 'FORBIDDEN' });
      expect((await fetch(`${server.url}${BASE}/status/formulare/hundesteuer`, { headers: { authorization: await bearer() } })).status).toBe(200);
    } finally {
      clock.at = new Date(START);
    }
    // Basic stays for the originators configured with it.
    expect((await fetch(`${server.url}${BASE}/status/bauamt/x`, { headers: { authorization: `Basic ${Buffer.from('bauamt:noch-ein-langes-passwort').toString('base64')}` } })).status).toBe(200);
  });

  it('the OpenAPI document declares the token endpoint as a clientCredentials flow', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Json;
    expect(doc.components.securitySchemes.xbdOAuth2).toMatchObject({ type: 'oauth2', flows: { clientCredentials: { tokenUrl: `${BASE}/oauth/token` } } });
    const op = doc.paths[`${BASE}/paymenttransaction/{originatorId}/{endPointId}`].post;
    expect(op.security).toEqual([{ xbdOAuth2: [] }, { xbdBasic: [] }]);
    expect(op.requestBody.content['application/json'].schema.properties.grosAmount.type).toBe('number');
    expect(Object.keys(op.responses)).toContain('200');
  });
});
