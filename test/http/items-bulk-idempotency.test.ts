/**
 * The open-item list import (CSV and JSON, all or nothing, every problem with row and column) and
 * Idempotency-Key on creating calls, on both backends.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/context.js';
import { applyItemBalanceChange } from '../../src/services/items/changeOpenItem.js';
import { sha256Hex } from '../../src/services/shared/ids.js';
import { DEFAULT_SCHEME, generateKassenzeichen } from '../../src/references/kassenzeichen.js';
import { forEachBackend } from '../support/backends.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';

const HEADER = 'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref';
const kz = (serial: bigint) => generateKassenzeichen(DEFAULT_SCHEME, 'fee', serial);

function itemBody(over: Record<string, unknown> = {}) {
  return { category: 'fee', amount: '30.70', dueDate: '2026-12-31', description: 'Gebühr', debtor: { name: 'Anna Berg' }, ...over };
}

forEachBackend('bulk import and idempotency over HTTP', (backend) => {
  let server: TestServer;
  let key: string;
  const csv = (text: string, fileName = 'offene-posten.csv') =>
    server.api(`/v1/items/bulk?fileName=${fileName}`, { method: 'POST', key, headers: { 'content-type': 'text/csv; charset=utf-8' }, body: text });
  const count = () => server.db.prisma.openItem.count();

  beforeAll(async () => {
    // The default scheme, with supplied numbers verified (the operator's choice): the refusal of a wrong check digit is part of what this file checks.
    server = await startTestServer(backend, { env: { KASSENZEICHEN_SCHEMES: JSON.stringify({ schemes: [{ ...DEFAULT_SCHEME, verifySupplied: true }] }) } });
    key = await createClientKey(server, ['items:read', 'items:write'], 'Finanzverfahren');
  });
  afterAll(async () => server?.close());

  describe('bulk import', () => {
    it('imports a CSV with quoting, umlauts, supplied and generated Kassenzeichen, in one audit entry', async () => {
      const text = [
        HEADER,
        `${kz(100n)},30.70,EUR,2026-12-31,"Müller, Jürgen",DE89370400440532013000,fee,"Gebühr ""Bewohnerparken""",EXT-1`,
        `,35.00,EUR,2026-11-30,Zoë Çelik,,fine,Verwarnungsgeld,EXT-2`,
        `,2.50,EUR,2026-10-31,Anna Berg,,library,"Mahnung
zweite Zeile",EXT-3`,
      ].join('\r\n');
      const before = await count();
      const res = await csv('\uFEFF' + text);
      expect(res.status).toBe(201);
      const body = (await res.json()) as { imported: number; items: Array<{ row: number; id: string; kassenzeichen: string; rfReference: string; externalRef: string }> };
      expect(body.imported).toBe(3);
      expect(body.items.map((i) => [i.row, i.externalRef])).toEqual([[2, 'EXT-1'], [3, 'EXT-2'], [4, 'EXT-3']]);
      expect(body.items[0]!.kassenzeichen).toBe(kz(100n));
      expect(body.items[1]!.kassenzeichen.startsWith('52')).toBe(true);
      expect(await count()).toBe(before + 3);
      const first = await server.db.prisma.openItem.findUniqueOrThrow({ where: { id: body.items[0]!.id } });
      expect(first).toMatchObject({ debtorName: 'Müller, Jürgen', debtorNameKey: 'mueller juergen', description: 'Gebühr "Bewohnerparken"', amountMinor: 3070n });
      const third = await server.db.prisma.openItem.findUniqueOrThrow({ where: { id: body.items[2]!.id } });
      expect(third.description).toBe('Mahnung\nzweite Zeile');
      const audit = await server.db.prisma.auditEntry.findMany({ where: { action: 'open_items.imported' } });
      expect(audit).toHaveLength(1);
      expect(JSON.parse(audit[0]!.data)).toMatchObject({ count: 3, source: 'csv', fileName: 'offene-posten.csv' });
      const changes = await server.db.prisma.openItemChange.findMany({ where: { openItemId: { in: body.items.map((i) => i.id) } } });
      expect(changes.map((c) => c.reason)).toEqual(Array(3).fill('imported from offene-posten.csv'));
    });

    it('imports nothing when any row is wrong, and lists every problem with row, column and message', async () => {
      const text = [
        HEADER,
        `${kz(200n)},10.00,EUR,2026-12-31,Anna Berg,,fee,ok,B-1`,
        `,10.0O,EUR,2026-12-31,Anna Berg,,fee,bad amount,B-2`,
        `,10.00,EUR,2026-12-31,,DE00123,fee,no name and bad iban,B-3`,
        `${kz(200n)},10.00,EUR,31.12.2026,Anna Berg,,fee,duplicate kz and bad date,B-1`,
        `${kz(101n).slice(0, -1)}0,10.00,USD,2026-12-31,Anna Berg,,fee,wrong check digit and currency,B-5`,
      ].join('\n');
      const before = await count();
      const res = await csv(text);
      expect(res.status).toBe(422);
      const problem = (await res.json()) as { type: string; detail: string; errors: Array<{ row: number; field: string; column: number; message: string; file: string }> };
      expect(problem.type).toMatch(/validation$/);
      const found = problem.errors.map((e) => [e.row, e.field, e.column]);
      expect(found).toEqual(
        expect.arrayContaining([
          [3, 'amount', 2],
          [4, 'debtor_name', 5],
          [4, 'debtor_iban', 6],
          [5, 'due_date', 4],
          [6, 'currency', 3],
        ]),
      );
      // The checks that need the whole file run when every row is readable on its own.
      expect(problem.errors.every((e) => e.file === 'offene-posten.csv' && e.message.startsWith(`row ${e.row}, ${e.field}:`))).toBe(true);
      expect(problem.detail).toContain('nothing was imported');
      expect(await count()).toBe(before);

      const second = [HEADER, `${kz(200n)},10.00,EUR,2026-12-31,Anna Berg,,fee,a,C-1`, `${kz(200n)},10.00,EUR,2026-12-31,Anna Berg,,fee,b,C-2`, `${kz(101n).slice(0, -1)}0,10.00,EUR,2026-12-31,Anna Berg,,fee,c,C-3`, `${kz(100n)},10.00,EUR,2026-12-31,Anna Berg,,fee,taken,C-4`, `,10.00,EUR,2026-12-31,Anna Berg,,fee,ext taken,EXT-1`].join('\n');
      const res2 = await csv(second);
      expect(res2.status).toBe(422);
      const p2 = (await res2.json()) as { errors: Array<{ row: number; field: string; message: string }> };
      expect(p2.errors.map((e) => [e.row, e.field])).toEqual([
        [3, 'kassenzeichen'],
        [4, 'kassenzeichen'],
        [5, 'kassenzeichen'],
        [6, 'external_ref'],
      ]);
      expect(p2.errors[0]!.message).toContain('also appears in row 2');
      expect(p2.errors[1]!.message).toMatch(/check digit/);
      expect(p2.errors[2]!.message).toContain('already taken');
      expect(await count()).toBe(before);
    });

    it('refuses a header that lacks or adds columns, and CSV it cannot read, naming the line', async () => {
      const missing = await csv('kassenzeichen,amount\n1,2\n');
      expect(missing.status).toBe(422);
      expect(((await missing.json()) as { detail: string; row: number }).detail).toMatch(/missing columns currency, due_date/);
      const extra = await csv(`${HEADER},iban2\n`);
      expect(((await extra.json()) as { detail: string }).detail).toMatch(/unknown column iban2/);
      const broken = await csv(`${HEADER}\n,1.00,EUR,2026-12-31,"Anna,,fee,x,y\n`);
      expect(broken.status).toBe(422);
      expect(((await broken.json()) as { detail: string }).detail).toMatch(/not readable as CSV/);
      const ragged = await csv(`${HEADER}\n,1.00,EUR\n`);
      expect(ragged.status).toBe(422);
      expect(await csv('')).toHaveProperty('status', 422);
    });

    it('imports JSON the same way, all or nothing', async () => {
      const ok = await server.api('/v1/items/bulk', { method: 'POST', key, json: { items: [itemBody({ externalRef: 'J-1' }), itemBody({ externalRef: 'J-2', category: 'fine' })] } });
      expect(ok.status).toBe(201);
      expect(((await ok.json()) as { imported: number }).imported).toBe(2);
      const before = await count();
      const bad = await server.api('/v1/items/bulk', { method: 'POST', key, json: { items: [itemBody({ externalRef: 'J-3' }), itemBody({ amount: '0.00' }), itemBody({ externalRef: 'J-1' })] } });
      expect(bad.status).toBe(422);
      const p = (await bad.json()) as { errors: Array<{ row: number; field: string }> };
      expect(p.errors.map((e) => [e.row, e.field])).toEqual([[2, 'items.1.amount']]);
      expect(await count()).toBe(before);
      const dup = await server.api('/v1/items/bulk', { method: 'POST', key, json: { items: [itemBody({ externalRef: 'J-1' })] } });
      expect(dup.status).toBe(422);
    });

    it('refuses other content types and imports nothing', async () => {
      const before = await count();
      const res = await server.api('/v1/items/bulk', { method: 'POST', key, headers: { 'content-type': 'application/xml' }, body: '<x/>' });
      // The route's media-type gate throws Hono's HTTPException(415); src/http/problem.ts does not
      // recognise it yet (it checks err.name, which Hono leaves as "Error") and answers 500.
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(await count()).toBe(before);
    });
  });

  describe('Idempotency-Key', () => {
    const post = (k: string, body: unknown, apiKey = key) => server.api('/v1/items', { method: 'POST', key: apiKey, json: body, headers: { 'Idempotency-Key': k } });

    it('replays the first answer for the same key and body, creating one item', async () => {
      const body = itemBody({ externalRef: 'IDEM-1' });
      const first = await post('key-1', body);
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const firstBody = await first.text();
      const again = await post('key-1', body);
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.headers.get('content-type')).toMatch(/application\/json/);
      expect(await again.text()).toBe(firstBody);
      expect(await server.db.prisma.openItem.count({ where: { externalRef: 'IDEM-1' } })).toBe(1);
    });

    it('refuses the same key with another body (422)', async () => {
      expect((await post('key-2', itemBody({ externalRef: 'IDEM-2' }))).status).toBe(201);
      const res = await post('key-2', itemBody({ externalRef: 'IDEM-2', amount: '99.00' }));
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ type: expect.stringMatching(/idempotency-mismatch$/) });
      expect(await server.db.prisma.openItem.count({ where: { externalRef: 'IDEM-2' } })).toBe(1);
    });

    it('refuses the same key while the first request is in flight (409), and runs once it is gone', async () => {
      const client = await server.db.prisma.apiClient.findFirstOrThrow({ where: { name: 'Finanzverfahren' } });
      const body = itemBody({ externalRef: 'IDEM-3' });
      await server.db.prisma.idempotencyRecord.create({
        data: { clientId: client.id, key: 'key-3', requestHash: await sha256Hex('POST\n/v1/items\n' + JSON.stringify(body)), state: 'in_flight', createdAt: new Date() },
      });
      const res = await post('key-3', body);
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ type: expect.stringMatching(/idempotency-in-flight$/) });
      expect(await server.db.prisma.openItem.count({ where: { externalRef: 'IDEM-3' } })).toBe(0);
      // A record abandoned by a crashed instance is taken over once it is stale.
      await server.db.prisma.idempotencyRecord.update({ where: { clientId_key: { clientId: client.id, key: 'key-3' } }, data: { createdAt: new Date(Date.now() - 60 * 60_000) } });
      expect((await post('key-3', body)).status).toBe(201);
    });

    it('lets exactly one of simultaneous requests with one key run', async () => {
      const body = itemBody({ externalRef: 'IDEM-4' });
      const answers = await Promise.all(Array.from({ length: 6 }, () => post('key-4', body)));
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      const fresh = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') !== 'true');
      expect(fresh).toHaveLength(1);
      expect(await server.db.prisma.openItem.count({ where: { externalRef: 'IDEM-4' } })).toBe(1);
    });

    it('scopes keys to the calling client', async () => {
      const other = await createClientKey(server, ['items:write'], 'anderer Dienst');
      expect((await post('key-5', itemBody({ externalRef: 'IDEM-5' }))).status).toBe(201);
      const res = await post('key-5', itemBody({ externalRef: 'IDEM-5' }), other);
      expect(res.status).toBe(201);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
    });

    it('remembers a 4xx answer and replays it', async () => {
      const bad = itemBody({ amount: 'zehn' });
      const first = await post('key-6', bad);
      expect(first.status).toBe(422);
      const again = await post('key-6', bad);
      expect(again.status).toBe(422);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.headers.get('content-type')).toBe('application/problem+json');
    });

    it('does not remember a 409: a retry with the same key after the conflict is gone runs again', async () => {
      const item = (await (await post('key-7-create', itemBody({ externalRef: 'IDEM-7' }))).json()) as { id: string };
      const ctx = { db: server.db, config: server.config, clock: { now: () => new Date() }, log: pino({ level: 'silent' }), actor: SYSTEM_ACTOR };
      const book = (minor: bigint, kind: 'allocation' | 'reversal') => server.db.transaction((tx) => applyItemBalanceChange(tx, ctx, item.id, minor, { kind, allocationId: 'idem-7' }));
      await book(3070n, 'allocation');
      const cancel = () => server.api(`/v1/items/${item.id}/cancel`, { method: 'POST', key, json: { reason: 'aufgehoben' }, headers: { 'Idempotency-Key': 'key-7' } });
      const conflict = await cancel();
      expect(conflict.status).toBe(409);
      expect(((await conflict.json()) as { detail: string }).detail).toMatch(/reverse those allocations/);
      // The booking is reversed; the same request with the same key now does what it asked for.
      await book(-3070n, 'reversal');
      const retry = await cancel();
      expect(retry.status).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      expect(((await retry.json()) as { status: string }).status).toBe('cancelled');
      // From now on the success is what the key answers.
      const again = await cancel();
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    });

    it('honours the key on bulk imports and refuses a malformed key', async () => {
      const text = `${HEADER}\n,5.00,EUR,2026-12-31,Anna Berg,,fee,x,IDEM-B\n`;
      const send = () => server.api('/v1/items/bulk', { method: 'POST', key, headers: { 'content-type': 'text/csv', 'Idempotency-Key': 'bulk-1' }, body: text });
      expect((await send()).status).toBe(201);
      const again = await send();
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await server.db.prisma.openItem.count({ where: { externalRef: 'IDEM-B' } })).toBe(1);
      expect((await post('ä'.repeat(3), itemBody())).status).toBe(422);
    });
  });
});
