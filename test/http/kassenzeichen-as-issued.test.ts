/**
 * Kassenzeichen as the finance system issued them, on both backends: taken as printed by the API,
 * the bulk list and the workplace upload, shown as printed (API, citizen page, GiroCode text,
 * export), unique and matched in normalized form; check digits of supplied numbers verified only
 * where the operator turned it on for a scheme, and then refused per row in the page's language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasValidCheckDigits, computeCheckDigits, canComputeCheckDigits } from '../../src/references/checkDigits.js';
import { DEFAULT_SCHEME } from '../../src/references/kassenzeichen.js';
import { forEachBackend } from '../support/backends.js';
import { seededRandom } from '../support/random.js';
import { FormClient, startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';

const HEADER = 'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref';
const VERIFYING = JSON.stringify({ schemes: [{ ...DEFAULT_SCHEME, verifySupplied: true }] });

/** A 12-digit number with the default scheme's prefix 51 whose last digit is not its mod 11 check digit. */
function foreignCheckDigit(serial: number): string {
  const payload = '51' + String(serial).padStart(9, '0');
  const own = canComputeCheckDigits('mod11', payload) ? Number(computeCheckDigits('mod11', payload)) : -1;
  // The finance system's own check digit: Luhn over the same payload, or the next digit where they agree.
  let digit = Number(computeCheckDigits('luhn', payload));
  if (digit === own) digit = (digit + 1) % 10;
  const kz = payload + digit;
  expect(hasValidCheckDigits('mod11', kz)).toBe(false);
  return kz;
}

/**
 * The finance system's open-item list: 1,512 rows, 389 of them numbers with our prefix but its own
 * check digit, the rest its own letter-prefixed numbers and numbers of our scheme, in the spellings
 * printed on its notices.
 */
function hkrList(tag: string, seed: number): { csv: string; printed: string[]; foreign: number } {
  const rnd = seededRandom(seed);
  const rows: string[] = [HEADER];
  const printed: string[] = [];
  let foreign = 0;
  for (let i = 0; i < 1512; i++) {
    let kz: string;
    // Every fourth row, and eleven more near the top: 378 + 11 = 389.
    if (i % 4 === 1 || (i % 4 === 3 && i < 44)) {
      const n = foreignCheckDigit(700_000 + seed * 10_000 + i);
      kz = rnd() < 0.5 ? n : `${n.slice(0, 4)}.${n.slice(4, 11)}.${n.slice(11)}`;
      foreign++;
    } else if (i % 2 === 0) {
      kz = `${tag}-2026-${String(i).padStart(5, '0')}`;
    } else {
      const payload = '52' + String(800_000 + seed * 10_000 + i).padStart(9, '0');
      kz = canComputeCheckDigits('mod11', payload) ? `${payload.slice(0, 4)} ${payload.slice(4)} ${computeCheckDigits('mod11', payload)}` : `${tag}/X/${i}`;
    }
    printed.push(kz);
    const cents = 500 + Math.floor(rnd() * 50_000);
    rows.push(`${kz},${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')},EUR,2026-12-31,Person ${tag} ${i},,fee,Gebühr,${tag}-${i}`);
  }
  expect(foreign).toBe(389);
  return { csv: rows.join('\n') + '\n', printed, foreign };
}

const normalized = (s: string) => s.replace(/[\s./-]/g, '').toUpperCase();

forEachBackend('Kassenzeichen as issued', (backend) => {
  let f: StaffFixture;
  let key: string;
  const api = async (path: string, init: Parameters<StaffFixture['server']['api']>[1] = {}) => {
    const res = await f.server.api(path, { key, ...init });
    const text = await res.text();
    return { status: res.status, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
  };
  const create = async (kassenzeichen: string, amount: string, debtor: string) => {
    const r = await api('/v1/items', { method: 'POST', json: { category: 'fee', amount, dueDate: '2026-12-31', description: 'Gebühr', debtor: { name: debtor }, kassenzeichen } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as Record<string, any>;
  };

  beforeAll(async () => {
    f = await startStaffFixture(backend);
    key = f.itemsKey;
    await f.user('clara', 'clerk', 'Clara Kasse');
  });
  afterAll(async () => f?.close());

  describe('one item over the API', () => {
    it('keeps the printed spelling for display and the normalized form as key', async () => {
      const item = await create('GEB-2026-4711', '41.10', 'Greta Gebühr');
      expect(item).toMatchObject({ kassenzeichen: 'GEB20264711', kassenzeichenDisplay: 'GEB-2026-4711' });
      const again = await api(`/v1/items/${item.id}`);
      expect(again.body.kassenzeichenDisplay).toBe('GEB-2026-4711');
      // Found by any spelling, and unique in normalized form.
      for (const q of ['GEB 2026 4711', 'geb20264711', 'GEB-2026-4711']) {
        const found = await api(`/v1/items?kassenzeichen=${encodeURIComponent(q)}`);
        expect(found.body.items.map((i: any) => i.id), q).toEqual([item.id]);
      }
      const dup = await api('/v1/items', { method: 'POST', json: { category: 'fee', amount: '1.00', dueDate: '2026-12-31', description: 'x', debtor: { name: 'X' }, kassenzeichen: 'geb 2026/4711' } });
      expect(dup.status).toBe(409);
      expect(dup.body.detail).toContain('GEB-2026-4711');
    });

    it('takes a number with our prefix but another check digit, since no scheme verifies supplied numbers by default', async () => {
      const kz = foreignCheckDigit(4242);
      const item = await create(`${kz.slice(0, 4)}.${kz.slice(4, 11)}.${kz.slice(11)}`, '12.00', 'Fritz Fremd');
      expect(item.kassenzeichen).toBe(kz);
      expect(item.kassenzeichenDisplay).toBe(`${kz.slice(0, 4)}.${kz.slice(4, 11)}.${kz.slice(11)}`);
    });

    it('shows the printed numbers on the citizen page and in the GiroCode text', async () => {
      const a = await create('HKR 2026 5001', '20.00', 'Paula Plan');
      const b = await create('HKR-2026-5002', '30.00', 'Paula Plan');
      const pr = await api('/v1/payment-requests', { method: 'POST', json: { itemIds: [a.id, b.id] } });
      expect(pr.status, JSON.stringify(pr.body)).toBe(201);
      // Two items: unstructured remittance, each number as printed, separated so they cannot run together.
      expect(pr.body.remittance).toBe('Kassenzeichen HKR 2026 5001, HKR-2026-5002');
      expect(pr.body.epcPayload.split('\n')).toContain('Kassenzeichen HKR 2026 5001, HKR-2026-5002');
      expect(pr.body.items.map((i: any) => i.kassenzeichenDisplay)).toEqual(['HKR 2026 5001', 'HKR-2026-5002']);
      const page = await fetch(pr.body.paymentUrl.replace(f.server.config.publicBaseUrl, f.server.url));
      const html = await page.text();
      expect(html).toContain('HKR 2026 5001');
      expect(html).toContain('HKR-2026-5002');
      expect(html).not.toContain('HKR20265001');
    });
  });

  describe('the matcher', () => {
    it('finds a payment quoting the number with spaces, without separators, or as printed', async () => {
      const items = [await create('GEB-2026-9001', '41.10', 'Greta Grün'), await create('GEB-2026-9002', '52.20', 'Hans Hund'), await create('GEB-2026-9003', '63.30', 'Ida Igel')];
      await f.server.settled();
      await f.importStatement({
        id: 'KZ-AS-ISSUED',
        entries: [
          { amount: '41.10', name: 'Greta Gruen', ref: 'KZAI-1', remittance: ['GEB 2026 9001'] },
          { amount: '52.20', name: 'Hans Hund', ref: 'KZAI-2', remittance: ['Gebuehr GEB20269002'] },
          { amount: '63.30', name: 'Ida Igel', ref: 'KZAI-3', remittance: ['Kassenzeichen GEB-2026-9003 Danke'] },
        ],
      });
      for (const item of items) {
        const row = await f.server.db.prisma.openItem.findUniqueOrThrow({ where: { id: item.id } });
        expect(row.status, item.kassenzeichenDisplay).toBe('paid');
      }
      f.clock.advance(3 * 60_000);
      const feed = await api('/v1/export/bookings', { key: await clerkKey() });
      expect(feed.status).toBe(200);
      const lines = feed.body.lines.filter((l: any) => l.type === 'allocation' && items.some((i) => i.id === l.itemId));
      expect(lines.map((l: any) => l.kassenzeichenDisplay).sort()).toEqual(['GEB-2026-9001', 'GEB-2026-9002', 'GEB-2026-9003']);
      expect(lines.map((l: any) => l.kassenzeichen).sort()).toEqual(['GEB20269001', 'GEB20269002', 'GEB20269003']);
    });
  });

  let exportKey: string | undefined;
  async function clerkKey(): Promise<string> {
    if (!exportKey) {
      const res = await f.server.api('/v1/clients', { method: 'POST', json: { name: 'Export', scopes: ['export'] } });
      exportKey = ((await res.json()) as { apiKey: string }).apiKey;
    }
    return exportKey;
  }

  describe("the finance system's list", () => {
    it('takes a 1,512-row list with 389 numbers of its own check digit through the API, keeping every spelling', async () => {
      const list = hkrList('HKR', 1);
      const started = performance.now();
      const res = await api('/v1/items/bulk?fileName=hkr.csv', { method: 'POST', headers: { 'content-type': 'text/csv; charset=utf-8' }, body: list.csv });
      const ms = Math.round(performance.now() - started);
      expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(201);
      expect(res.body.imported).toBe(1512);
      expect(res.body.items.map((i: any) => i.kassenzeichenDisplay)).toEqual(list.printed);
      expect(res.body.items.map((i: any) => i.kassenzeichen)).toEqual(list.printed.map(normalized));
      console.info(`[kassenzeichen] ${backend}: 1,512-row list (389 foreign check digits) imported over the API in ${ms} ms`);
    });

    it('takes the list through the workplace upload too', async () => {
      const list = hkrList('WPL', 2);
      const c = new FormClient(f.server.url);
      expect((await c.login('clara')).status).toBe(303);
      const form = new FormData();
      form.set('_csrf', await c.csrf('/import'));
      form.set('file', new Blob([list.csv], { type: 'text/csv' }), 'offene-posten.csv');
      const res = await c.request('/import/items', { method: 'POST', body: form });
      expect(res.status, res.text.slice(0, 2000)).toBe(201);
      expect(res.text).toContain('1512 offene Posten aus „offene-posten.csv“ übernommen.');
      const stored = await f.server.db.prisma.openItem.findMany({ where: { externalRef: { startsWith: 'WPL-' } }, select: { kassenzeichen: true, kassenzeichenAsIssued: true } });
      expect(stored).toHaveLength(1512);
      expect(new Set(stored.map((s) => s.kassenzeichenAsIssued))).toEqual(new Set(list.printed));
    });
  });
});

forEachBackend('Kassenzeichen verified where the operator turned it on', (backend) => {
  let f: StaffFixture;
  beforeAll(async () => {
    f = await startStaffFixture(backend, { KASSENZEICHEN_SCHEMES: VERIFYING });
    await f.user('clara', 'clerk', 'Clara Kasse');
  });
  afterAll(async () => f?.close());

  it('refuses the whole list over the API, naming each row, column and reason as data', async () => {
    const list = hkrList('VER', 3);
    const res = await f.server.api('/v1/items/bulk?fileName=hkr.csv', { method: 'POST', key: f.itemsKey, headers: { 'content-type': 'text/csv; charset=utf-8' }, body: list.csv });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { problemCount: number; errors: Array<{ row: number; field: string; message: string; reason: { code: string; fault: { code: string } } }> };
    expect(problem.problemCount).toBe(389);
    expect(problem.errors).toHaveLength(389);
    const foreignRows = list.printed.flatMap((kz, i) => (/^51/.test(normalized(kz)) ? [i + 2] : []));
    expect(problem.errors.map((e) => e.row)).toEqual(foreignRows);
    for (const e of problem.errors) {
      expect(e.field).toBe('kassenzeichen');
      expect(e.reason.code).toBe('kassenzeichen');
      expect(['checkDigit', 'neverIssued']).toContain(e.reason.fault.code);
    }
    expect(await f.server.db.prisma.openItem.count({ where: { externalRef: { startsWith: 'VER-' } } })).toBe(0);
    // The API contract states what the answer carries.
    const doc = (await (await fetch(`${f.server.url}/openapi.json`)).json()) as { components: { schemas: Record<string, any> } };
    const problemSchema = doc.components.schemas['Problem'];
    expect(Object.keys(problemSchema.properties.errors.items.properties)).toEqual(expect.arrayContaining(['row', 'field', 'message', 'reason']));
    expect(problemSchema.properties.problemCount).toBeDefined();
  });

  it.each([
    ['de', 'Zeile', '389 Fehler in den Zeilen', /Prüfziffer müsste \d sein, ist \d|zur laufenden Nummer \d+ gibt es keine Prüfziffer/],
    ['en', 'Row', '389 problems in the rows', /check digit should be \d, found \d|has no check digit and is never issued/],
  ] as const)('refuses it in the workplace with a table of rows in the page language (%s)', async (lang, rowHeader, summary, reason) => {
    const list = hkrList('VWP', 4);
    const c = new FormClient(f.server.url);
    expect((await c.login('clara')).status).toBe(303);
    await c.get(`/lang/${lang}`);
    const form = new FormData();
    form.set('_csrf', await c.csrf('/import'));
    form.set('file', new Blob([list.csv], { type: 'text/csv' }), 'offene-posten.csv');
    const res = await c.request('/import/items', { method: 'POST', body: form });
    expect(res.status).toBe(422);
    expect(res.text).toContain(summary);
    expect(res.text).toContain(`>${rowHeader}</th>`);
    const rows = [...res.text.matchAll(/<tr><td class="num">(\d+)<\/td><td class="mono">([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)];
    expect(rows).toHaveLength(389);
    for (const [, , field, text] of rows) {
      expect(field).toBe('kassenzeichen');
      expect(text).toMatch(reason);
    }
    if (lang === 'de') expect(res.text).not.toMatch(/check digit should be/);
    expect(await f.server.db.prisma.openItem.count({ where: { externalRef: { startsWith: 'VWP-' } } })).toBe(0);
  });
});
