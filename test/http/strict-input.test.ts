/**
 * Strict API input, as integrating services get it wrong: misspelled fields are refused with the
 * field named (not silently dropped), every body has a size limit (413), deep nesting is a 400 and
 * never a 500, and a retry with the same JSON in another key order or spacing is the same request.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

type Json = Record<string, any>;
const item = (over: Json = {}) => ({ category: 'fee', amount: '30.70', dueDate: '2026-12-31', description: 'Bewohnerparkausweis', debtor: { name: 'Jürgen Müller' }, ...over });
const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

/**
 * POSTs a large body and resolves with the status as soon as the answer arrives: the server answers
 * 413 and closes the connection while the client is still sending, which fetch reports as an error.
 */
function postLarge(url: string, chunks: Iterable<Uint8Array>, headers: Record<string, string>): Promise<number> {
  let answered = false;
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers, agent: false });
    req.on('response', (res) => {
      answered = true;
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", (err) => setTimeout(() => reject(new Error(`${url}: ${err.message}`)), 200));
    (async () => {
      // In slices with a pause between: the answer comes while the body is still on its way.
      for (const chunk of chunks) {
        for (let at = 0; at < chunk.length; at += 64 * 1024) {
          if (req.destroyed || answered) return;
          req.write(chunk.subarray(at, at + 64 * 1024));
          await new Promise((r) => setTimeout(r, 2));
        }
      }
      req.end();
    })().catch(() => {});
  });
}

describe('strict API input', () => {
  let server: TestServer;
  const raw = (path: string, body: BodyInit, headers: Record<string, string> = {}) => server.api(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { XBEZAHLDIENSTE_ORIGINATORS: JSON.stringify([{ originatorId: 'form', username: 'form', password: 'ein-langes-passwort' }]) } });
  });
  afterAll(async () => server?.close());

  it.each([
    ['external_ref instead of externalRef', { ...item(), external_ref: 'SVC-1' }, 'external_ref', 'externalRef'],
    ['debtor.ibna instead of debtor.iban', item({ debtor: { name: 'Jürgen Müller', ibna: 'DE89370400440532013000' } }), 'debtor.ibna', 'debtor.iban'],
    ['dueDtae', { ...item(), dueDtae: '2026-12-31' }, 'dueDtae', 'dueDate'],
    ['a field no one knows', { ...item(), colour: 'blue' }, 'colour', undefined],
  ])('POST /v1/items refuses %s, naming the field; nothing is created', async (_what, body, field, hint) => {
    const before = await server.db.prisma.openItem.count();
    const res = await server.api('/v1/items', { method: 'POST', json: body });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as Json;
    expect(problem.field).toBe(field);
    expect(problem.detail).toContain(field);
    if (hint) expect(problem.detail).toContain(`did you mean ${hint}`);
    expect(await server.db.prisma.openItem.count()).toBe(before);
  });

  it('bulk rows and payment requests are strict too; bookingData stays free-form', async () => {
    const bulk = await server.api('/v1/items/bulk', { method: 'POST', json: { items: [item(), { ...item(), external_ref: 'x' }] } });
    expect(bulk.status).toBe(422);
    expect(((await bulk.json()) as Json).field).toBe('items.1.external_ref');
    const pr = await server.api('/v1/payment-requests', { method: 'POST', json: { itemIds: ['x'], item_ids: ['y'] } });
    expect(pr.status).toBe(422);
    expect(((await pr.json()) as Json).field).toBe('item_ids');
    const free = await server.api('/v1/items', { method: 'POST', json: item({ bookingData: { haushaltsstelle: '1.1100.1100', any_key: { nested: true } } }) });
    expect(free.status).toBe(201);
  });

  it('a body over the limit is 413 — with Content-Length and streamed without it — on every route', async () => {
    const big = new TextEncoder().encode(JSON.stringify(item({ description: 'x'.repeat(2 * 1024 * 1024) })));
    const auth = { 'content-type': 'application/json', authorization: 'Bearer sk_testadmin_0123456789abcdefghijklmnopqrstuv' };
    // Just over the limit, read to the end: the problem names it (a fresh connection: the server closes this one).
    const res = await raw('/v1/items', JSON.stringify(item({ description: 'x'.repeat(1030 * 1024) })), { connection: 'close' });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ status: 413, limit: 'jsonBodyBytes' });
    // Chunked, no Content-Length: counted while it arrives.
    const chunks = Array.from({ length: 40 }, () => new TextEncoder().encode('x'.repeat(64 * 1024)));
    expect(await postLarge(`${server.url}/v1/items`, chunks, { ...auth, 'transfer-encoding': 'chunked' })).toBe(413);
    for (const path of ['/v1/items', '/v1/payment-requests', '/v1/webhooks', '/v1/items/x/cancel', '/login', '/xbezahldienste/v1/paymenttransaction/form/e1']) {
      expect(await postLarge(server.url + path, [big], { ...auth, 'content-length': String(big.length) }), path).toBe(413);
    }
    // The bulk list has its own, larger limit.
    expect((await raw('/v1/items/bulk', JSON.stringify({ items: [item({ description: 'x'.repeat(1536 * 1024) })] }), { connection: 'close' })).status).toBe(422);
  });

  it('a 10,000-deep bookingData is a 400, never a 500', async () => {
    const body = `{"category":"fee","amount":"30.70","dueDate":"2026-12-31","description":"x","debtor":{"name":"A"},"bookingData":${deep(10_000)}}`;
    for (const path of ['/v1/items', '/v1/items/bulk']) {
      const res = await raw(path, path.endsWith('bulk') ? `{"items":[${body}]}` : body);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as Json).limit).toBe('jsonDepth');
    }
    const xbd = await fetch(`${server.url}/xbezahldienste/v1/paymenttransaction/form/e1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('form:ein-langes-passwort').toString('base64')}` },
      body: `{"requestId":"r1","currency":"EUR","grosAmount":1,"redirectUrl":"https://x.example/","items":[{"id":"a","totalNetAmount":1,"bookingData":${deep(10_000)}}]}`,
    });
    expect(xbd.status).toBe(400);
    // A reasonable nesting passes.
    expect((await raw('/v1/items', `{"category":"fee","amount":"1.00","dueDate":"2026-12-31","description":"x","debtor":{"name":"A"},"bookingData":${deep(10)}}`)).status).toBe(201);
  });

  it('Idempotency-Key compares canonical JSON: other key order and spacing replay; other content is 422', async () => {
    const key = { 'idempotency-key': `k-${crypto.randomUUID()}` };
    const first = await raw('/v1/items', '{"category":"fee","amount":"12.00","dueDate":"2026-12-31","description":"Hundesteuer","debtor":{"name":"Anna Schmidt","email":"a@example.org"}}', key);
    expect(first.status).toBe(201);
    const id = ((await first.json()) as Json).id;
    const reordered = await raw('/v1/items', '{ "debtor" : { "email":"a@example.org", "name":"Anna Schmidt" },\n  "description":"Hundesteuer", "dueDate":"2026-12-31", "amount":"12.00", "category":"fee" }\n', key);
    expect(reordered.status).toBe(201);
    expect(reordered.headers.get('idempotent-replayed')).toBe('true');
    expect(((await reordered.json()) as Json).id).toBe(id);
    const other = await raw('/v1/items', '{"category":"fee","amount":"12.01","dueDate":"2026-12-31","description":"Hundesteuer","debtor":{"name":"Anna Schmidt","email":"a@example.org"}}', key);
    expect(other.status).toBe(422);
    expect(await server.db.prisma.openItem.count({ where: { description: 'Hundesteuer' } })).toBe(1);
  });
});
