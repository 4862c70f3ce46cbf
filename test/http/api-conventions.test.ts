/**
 * One convention across the API, as an integrating service relies on it: every list pages with
 * cursor/nextCursor (the events feed too, keeping after/next for clients that use them), a polling
 * feed hands out a cursor even on an empty first page, the citizen page opens in the language the
 * payment request asked for, and the OpenAPI document says what each operation needs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

type Json = Record<string, any>;
const NOW = new Date('2026-11-21T09:00:00.000Z');

describe('API conventions', () => {
  let server: TestServer;
  const clock = { at: new Date(NOW), now() { return new Date(this.at); } };
  const item = async (description = 'Bewohnerparkausweis') =>
    (await (await server.api('/v1/items', { method: 'POST', json: { category: 'fee', amount: '30.70', dueDate: '2026-12-31', description, debtor: { name: 'Jane Smith' } } })).json()) as Json;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { clock });
  });
  afterAll(async () => server?.close());

  it('/v1/events pages with cursor/nextCursor like every list; after/next still work', async () => {
    // Cancelling makes an event each (raising an item makes none).
    for (let i = 0; i < 3; i++) {
      const it = await item(`Ereignis ${i}`);
      expect((await server.api(`/v1/items/${it.id}/cancel`, { method: 'POST', json: { reason: 'Test' } })).status).toBe(200);
    }
    clock.at = new Date(NOW.getTime() + 60_000);
    const first = (await (await server.api('/v1/events?limit=2')).json()) as Json;
    expect(first.events).toHaveLength(2);
    expect(typeof first.nextCursor).toBe('string');
    const second = (await (await server.api(`/v1/events?limit=2&cursor=${first.nextCursor}`)).json()) as Json;
    expect(second.events.map((e: Json) => e.seq)).toEqual([first.events[1].seq + 1]);
    const empty = (await (await server.api(`/v1/events?cursor=${second.nextCursor}`)).json()) as Json;
    expect(empty.events).toEqual([]);
    expect(empty.nextCursor).toBe(second.nextCursor);
    // The deprecated pair, for clients that poll with it.
    const legacy = (await (await server.api(`/v1/events?limit=2&after=${first.next}`)).json()) as Json;
    expect(legacy.events.map((e: Json) => e.seq)).toEqual(second.events.map((e: Json) => e.seq));
    expect((await server.api('/v1/events?cursor=nonsense')).status).toBe(422);
  });

  it('the export feed hands out a cursor on an empty first page, to poll with', async () => {
    const page = (await (await server.api('/v1/export/bookings?from=2030-01-01')).json()) as Json;
    expect(page.lines).toEqual([]);
    expect(typeof page.nextCursor).toBe('string');
    const again = await server.api(`/v1/export/bookings?from=2030-01-01&cursor=${page.nextCursor}`);
    expect(again.status).toBe(200);
  });

  it("the payment link opens in the payment request's locale, whatever the browser says; ?lang= switches", async () => {
    const a = await item();
    const pr = (await (await server.api('/v1/payment-requests', { method: 'POST', json: { itemIds: [a.id], locale: 'en' } })).json()) as Json;
    const token = new URL(pr.url ?? pr.paymentUrl ?? pr.link).pathname.split('/').pop();
    const page = await fetch(`${server.url}/pay/${token}`, { headers: { 'accept-language': 'de-DE,de;q=0.9' } });
    expect(page.headers.get('content-language')).toBe('en');
    expect(await page.text()).toContain('<html lang="en"');
    const switched = await fetch(`${server.url}/pay/${token}?lang=de`, { headers: { 'accept-language': 'en' } });
    expect(switched.headers.get('content-language')).toBe('de');
  });

  it('the OpenAPI document: servers, an operationId each (unique), the scope each operation needs', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Json;
    expect(doc.servers).toEqual([expect.objectContaining({ url: server.config.publicBaseUrl })]);
    const ids: string[] = [];
    for (const [path, ops] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(ops)) {
        expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z0-9]+$/);
        ids.push(op.operationId);
        if (path.startsWith('/v1/')) {
          expect(op['x-scopes'], `${method} ${path}`).toHaveLength(1);
          expect(op.security, `${method} ${path}`).toEqual([{ bearerAuth: op['x-scopes'] }]);
        }
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/v1/items'].post['x-scopes']).toEqual(['items:write']);
    expect(doc.paths['/v1/review'].get['x-scopes']).toEqual(['review']);
    expect(doc.paths['/v1/events'].get.parameters.find((p: Json) => p.name === 'after').deprecated).toBe(true);
  });
});
