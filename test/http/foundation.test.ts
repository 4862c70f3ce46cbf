import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';

forEachBackend('foundation over HTTP', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => server?.close());

  it('answers /healthz and /readyz with the database checked', async () => {
    expect(await (await server.api('/healthz', { key: null })).json()).toEqual({ status: 'ok' });
    const ready = await server.api('/readyz', { key: null });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', backend });
  });

  it('serves an OpenAPI 3.1 document and a browsable reference', async () => {
    const doc = (await (await server.api('/openapi.json', { key: null })).json()) as { openapi: string; paths: Record<string, unknown>; components: { securitySchemes: Record<string, unknown> } };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/v1/clients');
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth');
    const docs = await server.api('/docs', { key: null });
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(await docs.text()).toContain('/v1/clients');
  });

  it('puts a request id on every response, and echoes the caller’s', async () => {
    const res = await server.api('/healthz', { key: null, headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const other = await server.api('/nowhere', { key: null });
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
  });

  describe('API keys and scopes', () => {
    it('refuses a missing key with 401 problem+json', async () => {
      const res = await server.api('/v1/clients', { key: null });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 401, title: 'Authentication required' });
      expect(body.requestId).toBe(res.headers.get('x-request-id'));
    });

    it('refuses a wrong or malformed key with 401', async () => {
      for (const key of ['sk_testadmin_0123456789abcdefghijklmnopqrstuX', 'sk_unknownprefix_0123456789abcdefghijklmnop', 'hello']) {
        const res = await server.api('/v1/clients', { key });
        expect(res.status, key).toBe(401);
      }
    });

    it('refuses an under-scoped key with 403 naming the scope', async () => {
      const key = await createClientKey(server, ['items:read']);
      const res = await server.api('/v1/clients', { key });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { detail: string }).detail).toContain('"admin"');
    });

    it('shows a key once, stores only its hash, and stops it working when revoked', async () => {
      const created = await server.api('/v1/clients', { method: 'POST', json: { name: 'Bibliothekssystem', scopes: ['admin'] } });
      expect(created.status).toBe(201);
      const { id, apiKey } = (await created.json()) as { id: string; apiKey: string };
      const row = await server.db.prisma.apiClient.findUniqueOrThrow({ where: { id } });
      expect(JSON.stringify(row)).not.toContain(apiKey.split('_')[2]);
      const listed = await (await server.api('/v1/clients', { key: apiKey })).text();
      expect(listed).toContain('Bibliothekssystem');
      expect(listed).not.toContain(apiKey);
      expect((await server.api(`/v1/clients/${id}?reason=leaked`, { method: 'DELETE' })).status).toBe(204);
      expect((await server.api('/v1/clients', { key: apiKey })).status).toBe(401);
      const audit = await server.db.prisma.auditEntry.findMany({ where: { subjectId: id } });
      expect(audit.map((a) => a.action)).toEqual(['api_client.created', 'api_client.revoked']);
    });

    it('validates bodies with a 422 naming the field', async () => {
      const res = await server.api('/v1/clients', { method: 'POST', json: { name: 'x', scopes: ['everything'] } });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { field: string };
      expect(body.field).toBe('scopes.0');
    });
  });
});
