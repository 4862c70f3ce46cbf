/**
 * Open items over HTTP, against real SQLite and PostgreSQL: create, read, list with filters and
 * cursor pages, cancel, change amount, Kassenzeichen schemes, RF references, scopes and the
 * balance changes the booking code makes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type Ctx } from '../../src/context.js';
import { generateKassenzeichen, parseKassenzeichenSchemes, validateKassenzeichen, DEFAULT_SCHEME } from '../../src/references/kassenzeichen.js';
import { isValidRf, toRfReference } from '../../src/references/rf.js';
import { applyItemBalanceChange } from '../../src/services/items/changeOpenItem.js';
import { forEachBackend } from '../support/backends.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';
import pino from 'pino';

const SCHEMES = {
  default: 'stadt',
  schemes: [
    { id: 'stadt', prefixes: { fee: '51', fine: '52', library: '61', other: '69' }, serialDigits: 9, checkDigits: 'mod11', display: { groups: [4, 7, 1], separator: '.' }, verifySupplied: true },
    { id: 'bib', prefixes: { library: 'BIB' }, serialDigits: 7, checkDigits: 'luhn', verifySupplied: true },
    { id: 'bussgeld', prefixes: { fine: '77' }, serialDigits: 8, checkDigits: 'mod97-10', display: { groups: [2, 4, 4, 2], separator: ' ' }, verifySupplied: true },
  ],
};
const parsed = parseKassenzeichenSchemes(SCHEMES);
const FIXED = new Date('2026-11-21T09:00:00.000Z');

type Item = Record<string, any>;

function itemBody(over: Record<string, unknown> = {}) {
  return { category: 'fee', amount: '30.70', dueDate: '2026-12-31', description: 'Verwaltungsgebühr', debtor: { name: 'Jürgen Müller' }, ...over };
}

forEachBackend('open items over HTTP', (backend) => {
  let server: TestServer;
  let writer: string;
  let reader: string;
  const post = (body: unknown, key: string | null = writer, headers: Record<string, string> = {}) => server.api('/v1/items', { method: 'POST', json: body, key, headers });
  const create = async (over: Record<string, unknown> = {}, key = writer): Promise<Item> => {
    const res = await post(itemBody(over), key);
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as Item;
  };

  beforeAll(async () => {
    server = await startTestServer(backend, { env: { KASSENZEICHEN_SCHEMES: JSON.stringify(SCHEMES) }, clock: { now: () => new Date(FIXED) } });
    writer = await createClientKey(server, ['items:read', 'items:write'], 'Bibliothekssystem');
    reader = await createClientKey(server, ['items:read'], 'Leser');
  });
  afterAll(async () => server?.close());

  describe('create and read', () => {
    it('raises a claim with a generated Kassenzeichen, its RF reference, an audit entry and a history row', async () => {
      const res = await post(itemBody({ externalRef: 'GEB-1', bookingData: { haushaltsstelle: '1.1100', sachkonto: '431100' }, debtor: { name: 'Jürgen Müller', email: 'j@example.org', iban: 'DE89 3704 0044 0532 0130 00' } }));
      expect(res.status).toBe(201);
      const item = (await res.json()) as Item;
      expect(item).toMatchObject({ category: 'fee', amount: '30.70', paid: '0.00', outstanding: '30.70', currency: 'EUR', status: 'open', externalRef: 'GEB-1', bookingData: { haushaltsstelle: '1.1100', sachkonto: '431100' }, version: 0 });
      expect(item.debtor.iban).toBe('DE89370400440532013000');
      // The default scheme here is mod 11 with prefix 51 for fees: the check digit must hold.
      expect(validateKassenzeichen(parsed.default, item.kassenzeichen).category).toBe('fee');
      expect(item.kassenzeichenDisplay).toMatch(/^51\d\d\.\d{7}\.\d$/);
      expect(item.rfReference).toBe(toRfReference(item.kassenzeichen));
      expect(isValidRf(item.rfReference)).toBe(true);

      const row = await server.db.prisma.openItem.findUniqueOrThrow({ where: { id: item.id } });
      expect(row.amountMinor).toBe(3070n);
      expect(row.debtorNameKey).toBe('juergen mueller');
      const changes = await server.db.prisma.openItemChange.findMany({ where: { openItemId: item.id } });
      expect(changes.map((c) => [c.kind, c.newAmountMinor])).toEqual([['created', 3070n]]);
      const audit = await server.db.prisma.auditEntry.findMany({ where: { subjectId: item.id } });
      expect(audit.map((a) => a.action)).toEqual(['open_item.created']);
      expect(audit[0]!.actorType).toBe('client');
      expect(audit[0]!.data).not.toContain('Müller');

      const read = (await (await server.api(`/v1/items/${item.id}`, { key: reader === writer ? writer : writer })).json()) as Item;
      expect(read).toEqual(item);
      const byKz = (await (await server.api(`/v1/items?kassenzeichen=${encodeURIComponent(item.kassenzeichenDisplay)}`, { key: writer })).json()) as { items: Item[] };
      expect(byKz.items.map((i) => i.id)).toEqual([item.id]);
    });

    it('hands out consecutive serials, skipping those without a mod 11 check digit', async () => {
      const a = await create({ category: 'fine' });
      const b = await create({ category: 'fine' });
      const sa = validateKassenzeichen(parsed.default, a.kassenzeichen).serial;
      const sb = validateKassenzeichen(parsed.default, b.kassenzeichen).serial;
      expect(sb).toBeGreaterThan(sa);
      expect(sb - sa).toBeLessThanOrEqual(3n);
      expect(a.kassenzeichen.startsWith('52')).toBe(true);
    });

    it('refuses what is wrong with 422 naming the field', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ amount: '30,70' }, 'amount'],
        [{ amount: '0.00' }, 'amount'],
        [{ amount: '30.705' }, 'amount'],
        [{ amount: '1000000000.00' }, 'amount'],
        [{ dueDate: '2026-02-30' }, 'dueDate'],
        [{ debtor: { name: 'A', iban: 'DE89370400440532013001' } }, 'debtor.iban'],
        [{ debtor: { name: 'A', email: 'not-an-address' } }, 'debtor.email'],
        [{ category: 'parking' }, 'kassenzeichen'],
      ];
      for (const [over, field] of cases) {
        const res = await post(itemBody(over));
        expect(res.status, JSON.stringify(over)).toBe(422);
        const body = (await res.json()) as { field: string; detail: string };
        expect(body.field, JSON.stringify(over)).toBe(field);
        // The IBAN is personal data: the problem never echoes it.
        expect(body.detail).not.toContain('DE89370400440532013001');
      }
    });

    it('keeps externalRef unique per calling client (409 with the existing id), not across clients', async () => {
      const first = await create({ externalRef: 'BIB-77' });
      const again = await post(itemBody({ externalRef: 'BIB-77' }));
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ field: 'externalRef', existingItemId: first.id });
      const other = await createClientKey(server, ['items:write', 'items:read'], 'Bußgeldstelle');
      expect((await post(itemBody({ externalRef: 'BIB-77' }), other)).status).toBe(201);
    });
  });

  describe('supplied Kassenzeichen', () => {
    it.each([
      ['stadt (mod 11)', 'stadt', 'fee', 52447n],
      ['bib (Luhn, letters in the prefix)', 'bib', 'library', 1234n],
      ['bussgeld (ISO 7064 mod 97-10)', 'bussgeld', 'fine', 98765n],
    ])('accepts a valid one of scheme %s and refuses its check digit changed', async (_label, schemeId, category, serial) => {
      const scheme = parsed.byId.get(schemeId)!;
      const kz = generateKassenzeichen(scheme, category as 'fee', serial);
      const res = await post(itemBody({ category, kassenzeichen: kz.toLowerCase() }));
      expect(res.status).toBe(201);
      const item = (await res.json()) as Item;
      expect(item.kassenzeichen).toBe(kz);
      expect(item.rfReference).toBe(toRfReference(kz));

      const last = kz.slice(-1);
      const wrong = kz.slice(0, -1) + (last === '9' ? '0' : String(Number.parseInt(last, 10) + 1));
      const bad = await post(itemBody({ category, kassenzeichen: wrong }));
      expect(bad.status).toBe(422);
      expect(await bad.json()).toMatchObject({ field: 'kassenzeichen', detail: expect.stringMatching(/check digit/) });
    });

    it('shows a supplied one as printed, a generated one in the scheme display form', async () => {
      const kz = generateKassenzeichen(parsed.byId.get('bussgeld')!, 'fine', 4711n);
      const printed = `${kz.slice(0, 4)}-${kz.slice(4)}`;
      const item = await create({ category: 'fine', kassenzeichen: printed });
      expect(item.kassenzeichen).toBe(kz);
      expect(item.kassenzeichenDisplay).toBe(printed);
      const generated = await create({ category: 'fee' });
      expect(generated.kassenzeichenDisplay).toBe(`${generated.kassenzeichen.slice(0, 4)}.${generated.kassenzeichen.slice(4, 11)}.${generated.kassenzeichen.slice(11)}`);
    });

    it('takes a foreign reference normalized, and one too long for RF without an RF reference', async () => {
      const foreign = await create({ category: 'other', kassenzeichen: 'az-2026/4711' });
      expect(foreign.kassenzeichen).toBe('AZ20264711');
      expect(isValidRf(foreign.rfReference)).toBe(true);
      const long = await create({ category: 'other', kassenzeichen: 'ZZ' + '1'.repeat(22) });
      expect(long.rfReference).toBeNull();
      for (const wrong of ['AB1', 'ÄRGER-123', 'X'.repeat(36)]) {
        const res = await post(itemBody({ category: 'other', kassenzeichen: wrong }));
        expect(res.status, wrong).toBe(422);
      }
    });

    it('refuses a Kassenzeichen that is taken with 409', async () => {
      const kz = generateKassenzeichen(DEFAULT_SCHEME, 'fee', 777_777n);
      expect((await post(itemBody({ kassenzeichen: kz }))).status).toBe(201);
      const res = await post(itemBody({ kassenzeichen: kz.replace(/^(.{4})/, '$1.') }));
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ field: 'kassenzeichen' });
    });

    it('generates unique Kassenzeichen under concurrent creation', async () => {
      const results = await Promise.all(Array.from({ length: 12 }, () => post(itemBody({ category: 'library' }))));
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
      const kzs = await Promise.all(results.map(async (r) => ((await r.json()) as Item).kassenzeichen));
      expect(new Set(kzs).size).toBe(12);
    });
  });

  describe('scopes', () => {
    it('answers 401 without a key and 403 for a read-only key on writes', async () => {
      expect((await post(itemBody(), null)).status).toBe(401);
      expect((await server.api('/v1/items', { key: null })).status).toBe(401);
      const res = await post(itemBody(), reader);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { detail: string }).detail).toContain('items:write');
      const writeOnly = await createClientKey(server, ['items:write'], 'nur schreiben');
      expect((await server.api('/v1/items', { key: writeOnly })).status).toBe(403);
    });

    it("hides another service's items (404), while admin keys see them", async () => {
      const item = await create();
      expect((await server.api(`/v1/items/${item.id}`, { key: reader })).status).toBe(404);
      const listed = (await (await server.api(`/v1/items?kassenzeichen=${item.kassenzeichen}`, { key: reader })).json()) as { items: Item[] };
      expect(listed.items).toEqual([]);
      expect((await server.api(`/v1/items/${item.id}`)).status).toBe(200);
      expect((await server.api(`/v1/items/${item.id}/cancel`, { method: 'POST', key: reader, json: { reason: 'x' } })).status).toBe(403);
    });
  });

  describe('lists', () => {
    let lister: string;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      lister = await createClientKey(server, ['items:read', 'items:write'], 'Formularserver');
      const specs: Array<[string, Record<string, unknown>]> = [
        ['a', { category: 'fee', amount: '10.00', dueDate: '2026-01-15', debtor: { name: 'Anna Schäfer' }, externalRef: 'F-a' }],
        ['b', { category: 'fine', amount: '35.00', dueDate: '2026-02-15', debtor: { name: 'Jürgen Müller-Lüdenscheidt' }, externalRef: 'F-b' }],
        ['c', { category: 'fine', amount: '35.00', dueDate: '2026-03-15', debtor: { name: 'MUELLER, Petra' }, externalRef: 'F-c' }],
        ['d', { category: 'library', amount: '2.50', dueDate: '2026-04-15', debtor: { name: 'Zoë Çelik' }, externalRef: 'F-d' }],
        ['e', { category: 'fee', amount: '99.99', dueDate: '2026-05-15', debtor: { name: 'Bernd Weiß' }, externalRef: 'F-e' }],
        ['f', { category: 'other', amount: '35.00', dueDate: '2026-06-15', debtor: { name: 'Anna Schaefer' }, externalRef: 'F-f', kassenzeichen: 'LIST-F-0001' }],
        ['g', { category: 'fee', amount: '12.00', dueDate: '2026-07-15', debtor: { name: 'Carla Nuñez' }, externalRef: 'F-g' }],
      ];
      for (const [k, over] of specs) ids[k] = (await create(over, lister)).id;
      await server.api(`/v1/items/${ids.e}/cancel`, { method: 'POST', key: lister, json: { reason: 'Doppelt erfasst' } });
    });
    const list = async (query: string) => {
      const res = await server.api(`/v1/items?${query}`, { key: lister });
      expect(res.status, query).toBe(200);
      return (await res.json()) as { items: Item[]; nextCursor: string | null };
    };
    const keys = (items: Item[]) => items.map((i) => Object.entries(ids).find(([, id]) => id === i.id)?.[0]).sort().join('');

    it.each([
      ['category=fine', 'bc'],
      ['status=cancelled', 'e'],
      ['status=open,cancelled&category=fee', 'aeg'],
      ['dueBefore=2026-03-15', 'abc'],
      ['dueAfter=2026-03-15&dueBefore=2026-05-15', 'cde'],
      ['debtorName=mueller', 'bc'],
      ['debtorName=Müller', 'bc'],
      ['debtorName=schäfer', 'af'],
      ['debtorName=zoe%20celik', 'd'],
      ['amount=35.00', 'bcf'],
      ['externalRef=F-d', 'd'],
      ['kassenzeichen=list-f-0001', 'f'],
    ])('filters by %s', async (query, expected) => {
      expect(keys((await list(query)).items)).toBe(expected);
    });

    it('pages with an opaque cursor, newest first, without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { items: Item[]; nextCursor: string | null } = await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(7);
      expect(seen.sort()).toEqual(Object.values(ids).sort());
    });

    it('refuses a made-up cursor, a limit above the page size and an unknown status', async () => {
      for (const q of ['cursor=bm9wZQ', 'limit=501', 'status=overdue', 'dueBefore=31.12.2026', 'amount=1,00']) {
        expect((await server.api(`/v1/items?${q}`, { key: lister })).status, q).toBe(422);
      }
    });
  });

  describe('changes', () => {
    it('cancels with a reason, audited, and refuses a second cancel and changes after it', async () => {
      const item = await create();
      expect((await server.api(`/v1/items/${item.id}/cancel`, { method: 'POST', key: writer, json: {} })).status).toBe(422);
      const res = await server.api(`/v1/items/${item.id}/cancel`, { method: 'POST', key: writer, json: { reason: 'Bescheid aufgehoben' } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'cancelled', cancelReason: 'Bescheid aufgehoben', outstanding: '0.00', version: 1 });
      expect((await server.api(`/v1/items/${item.id}/cancel`, { method: 'POST', key: writer, json: { reason: 'nochmal' } })).status).toBe(409);
      expect((await server.api(`/v1/items/${item.id}/amount`, { method: 'POST', key: writer, json: { amount: '40.00', reason: 'x' } })).status).toBe(409);
      const audit = await server.db.prisma.auditEntry.findMany({ where: { subjectId: item.id }, orderBy: { seq: 'asc' } });
      expect(audit.map((a) => [a.action, a.reason])).toEqual([['open_item.created', null], ['open_item.cancelled', 'Bescheid aufgehoben']]);
      const events = await server.db.prisma.itemEvent.findMany({ where: { openItemId: item.id } });
      expect(events.map((e) => e.type)).toEqual(['item.cancelled']);
      // Nothing is deleted: the item and its history remain.
      expect(await server.db.prisma.openItemChange.count({ where: { openItemId: item.id } })).toBe(2);
    });

    it('changes the amount with a reason and keeps the old one in the history; a stale version is refused', async () => {
      const item = await create();
      const res = await server.api(`/v1/items/${item.id}/amount`, { method: 'POST', key: writer, json: { amount: '35.70', reason: 'Mahngebühr 5,00 €', expectedVersion: 0 } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ amount: '35.70', outstanding: '35.70', status: 'open', version: 1 });
      const stale = await server.api(`/v1/items/${item.id}/amount`, { method: 'POST', key: writer, json: { amount: '40.70', reason: 'zweite Mahnung', expectedVersion: 0 } });
      expect(stale.status).toBe(409);
      expect(await stale.json()).toMatchObject({ currentVersion: 1 });
      const changes = await server.db.prisma.openItemChange.findMany({ where: { openItemId: item.id }, orderBy: { createdAt: 'asc' } });
      expect(changes.map((c) => [c.kind, c.oldAmountMinor, c.newAmountMinor, c.reason])).toContainEqual(['amount_changed', 3070n, 3570n, 'Mahngebühr 5,00 €']);
      const event = await server.db.prisma.itemEvent.findFirstOrThrow({ where: { openItemId: item.id } });
      expect(JSON.parse(event.payload)).toMatchObject({ type: 'item.amount_changed', data: { previousAmount: '30.70', item: { amount: '35.70' } } });
      for (const amount of ['0.00', '35.70', 'abc']) {
        expect((await server.api(`/v1/items/${item.id}/amount`, { method: 'POST', key: writer, json: { amount, reason: 'x' } })).status, amount).toBe(422);
      }
    });
  });

  describe('balance changes from bookings (applyItemBalanceChange)', () => {
    const ctx = (): Ctx => ({ db: server.db, config: server.config, clock: { now: () => new Date(FIXED) }, log: pino({ level: 'silent' }), actor: SYSTEM_ACTOR });
    const apply = (id: string, delta: bigint, kind: 'allocation' | 'reversal' = 'allocation') =>
      server.db.transaction((tx) => applyItemBalanceChange(tx, ctx(), id, delta, { kind, allocationId: `alloc-${delta}` }));

    it('moves status through partly paid, paid, overpaid and back, with one event each', async () => {
      const item = await create();
      expect((await apply(item.id, 1000n)).status).toBe('partly_paid');
      expect((await apply(item.id, 2070n)).status).toBe('paid');
      expect((await apply(item.id, 500n)).status).toBe('overpaid');
      expect((await apply(item.id, -500n, 'reversal')).status).toBe('paid');
      expect((await apply(item.id, -3070n, 'reversal')).status).toBe('open');
      const events = await server.db.prisma.itemEvent.findMany({ where: { openItemId: item.id }, orderBy: { seq: 'asc' } });
      expect(events.map((e) => e.type)).toEqual(['item.partly_paid', 'item.paid', 'item.overpaid', 'item.reversed', 'item.reversed']);
      expect(JSON.parse(events[0]!.payload).data).toMatchObject({ allocationId: 'alloc-1000', item: { status: 'partly_paid', previousStatus: 'open', paid: '10.00', outstanding: '20.70' } });
      // No personal data travels in events.
      expect(events.map((e) => e.payload).join()).not.toContain('Müller');
    });

    it('shows the paid sum through the API, and a dunning fee turns paid into partly paid', async () => {
      const item = await create();
      await apply(item.id, 3070n);
      const res = await server.api(`/v1/items/${item.id}/amount`, { method: 'POST', key: writer, json: { amount: '35.70', reason: 'Mahngebühr' } });
      expect(await res.json()).toMatchObject({ status: 'partly_paid', paid: '30.70', outstanding: '5.00' });
    });

    it('an amount lowered below what was paid sends item.overpaid; lowered to exactly it, item.paid', async () => {
      const over = await create();
      await apply(over.id, 3070n);
      const res = await server.api(`/v1/items/${over.id}/amount`, { method: 'POST', key: writer, json: { amount: '25.00', reason: 'Gebühr ermäßigt' } });
      expect(await res.json()).toMatchObject({ status: 'overpaid', paid: '30.70' });
      const overEvents = await server.db.prisma.itemEvent.findMany({ where: { openItemId: over.id }, orderBy: { seq: 'asc' } });
      expect(overEvents.map((e) => e.type)).toEqual(['item.paid', 'item.amount_changed', 'item.overpaid']);
      expect(JSON.parse(overEvents[2]!.payload).data).toMatchObject({ reason: 'Gebühr ermäßigt', item: { status: 'overpaid', previousStatus: 'paid', amount: '25.00' } });

      const part = await create();
      await apply(part.id, 2000n);
      await server.api(`/v1/items/${part.id}/amount`, { method: 'POST', key: writer, json: { amount: '20.00', reason: 'Teilerlass' } });
      const partEvents = await server.db.prisma.itemEvent.findMany({ where: { openItemId: part.id }, orderBy: { seq: 'asc' } });
      expect(partEvents.map((e) => e.type)).toEqual(['item.partly_paid', 'item.amount_changed', 'item.paid']);
    });

    it('refuses money on a cancelled item, a cancel while money is booked, and a paid sum below zero', async () => {
      const item = await create();
      await expect(apply(item.id, -1n, 'reversal')).rejects.toThrow(/invariant/);
      await apply(item.id, 100n);
      expect((await server.api(`/v1/items/${item.id}/cancel`, { method: 'POST', key: writer, json: { reason: 'x' } })).status).toBe(409);
      await apply(item.id, -100n, 'reversal');
      expect((await server.api(`/v1/items/${item.id}/cancel`, { method: 'POST', key: writer, json: { reason: 'x' } })).status).toBe(200);
      await expect(apply(item.id, 100n)).rejects.toThrow(/cancelled/);
    });

    it('refuses a lost update: the version moved under the caller', async () => {
      const item = await create();
      await expect(
        server.db.transaction(async (tx) => {
          // Someone else's write lands between our read and our write (simulated inside the transaction).
          const real = tx.openItem.updateMany.bind(tx.openItem);
          await real({ where: { id: item.id }, data: { version: { increment: 1 } } });
          return applyItemBalanceChange(
            { ...tx, openItem: { ...tx.openItem, findUnique: async () => ({ ...(await tx.openItem.findUniqueOrThrow({ where: { id: item.id } })), version: 0 }) } } as never,
            ctx(),
            item.id,
            100n,
            { kind: 'allocation' },
          );
        }),
      ).rejects.toThrow(/changed at the same moment/);
    });
  });
});
