/**
 * Payment requests and the citizen page over HTTP on both backends: what the API answers, the
 * GiroCode decoded from the service's own PNG, EPC limits, refusals, and the page for a valid,
 * unknown and expired link.
 */
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/context.js';
import { isValidIban } from '../../src/references/iban.js';
import { isValidRf } from '../../src/references/rf.js';
import { applyItemBalanceChange } from '../../src/services/items/changeOpenItem.js';
import { forEachBackend } from '../support/backends.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';

// jsqr is CommonJS; under NodeNext its typed default export sits on .default.
const jsQR = jsQRModule.default;
const START = new Date('2026-11-21T09:00:00.000Z');
type Json = Record<string, any>;

function itemBody(over: Record<string, unknown> = {}) {
  return { category: 'fee', amount: '30.70', dueDate: '2026-12-31', description: 'Verwaltungsgebühr Bewohnerparkausweis', debtor: { name: 'Jürgen Müller' }, ...over };
}

function decodeQrPng(bytes: Uint8Array): string {
  const png = PNG.sync.read(Buffer.from(bytes));
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (!code) throw new Error('no QR code found in the PNG');
  // EPC character set 1 is UTF-8; jsQR hands back the raw bytes.
  return new TextDecoder().decode(new Uint8Array(code.binaryData));
}

forEachBackend('payment requests over HTTP', (backend) => {
  let server: TestServer;
  let key: string;
  const clock = { at: new Date(START), now() { return new Date(this.at); } };
  const create = async (over: Record<string, unknown> = {}, apiKey = key): Promise<Json> => {
    const res = await server.api('/v1/items', { method: 'POST', key: apiKey, json: itemBody(over) });
    if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
    return (await res.json()) as Json;
  };
  const request = (itemIds: string[], apiKey: string | null = key) => server.api('/v1/payment-requests', { method: 'POST', key: apiKey, json: { itemIds } });
  const requestOk = async (itemIds: string[]): Promise<Json> => {
    const res = await request(itemIds);
    if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
    return (await res.json()) as Json;
  };
  /** The payment URL names the configured public base; the test server listens elsewhere. */
  const local = (url: string) => url.replace(server.config.publicBaseUrl, server.url);
  const pay = (url: string, init: RequestInit = {}) => fetch(local(url), init);
  const book = (itemId: string, delta: bigint) =>
    server.db.transaction((tx) => applyItemBalanceChange(tx, { db: server.db, config: server.config, clock, log: pino({ level: 'silent' }), actor: SYSTEM_ACTOR }, itemId, delta, { kind: 'allocation' }));

  beforeAll(async () => {
    server = await startTestServer(backend, { clock, env: { CITIZEN_CONTACT: 'Stadtkasse Musterstadt, Telefon 0123 456-0', PAYMENT_LINK_TTL_DAYS: '30' } });
    key = await createClientKey(server, ['items:read', 'items:write'], 'Bürgerbüro');
  });
  afterAll(async () => server?.close());

  describe('the API answer', () => {
    it('answers everything needed to pay one item, with the RF reference as structured reference', async () => {
      const item = await create({ amount: '12.50' });
      const pr = await requestOk([item.id]);
      expect(pr).toMatchObject({
        status: 'open',
        total: '12.50',
        outstanding: '12.50',
        currency: 'EUR',
        dueDate: '2026-12-31',
        debtorName: 'Jürgen Müller',
        creditor: { name: 'Stadtkasse Musterstadt', iban: 'DE02120300000000202051', bic: 'BYLADEM1001' },
        kassenzeichen: [item.kassenzeichen],
        reference: item.rfReference,
        remittance: null,
        expiresAt: new Date(START.getTime() + 30 * 86_400_000).toISOString(),
      });
      expect(isValidRf(pr.reference)).toBe(true);
      expect(pr.paymentUrl).toMatch(new RegExp(`^${server.config.publicBaseUrl}/pay/[0-9A-Za-z]{32}$`));
      expect(pr.qr).toEqual({ svg: `/v1/payment-requests/${pr.id}/qr.svg`, png: `/v1/payment-requests/${pr.id}/qr.png` });
      expect(pr.publicQr.png).toBe(`${pr.paymentUrl}/qr.png`);
      expect(pr.epcPayload.split('\n')).toEqual(['BCD', '002', '1', 'SCT', 'BYLADEM1001', 'Stadtkasse Musterstadt', 'DE02120300000000202051', 'EUR12.50', '', item.rfReference]);
      // Only the hash finds the request; the row keeps the token for the issuing service.
      const row = await server.db.prisma.paymentRequest.findUniqueOrThrow({ where: { id: pr.id } });
      expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.tokenHash).not.toContain(pr.paymentUrl.split('/').pop());
      expect((await server.db.prisma.auditEntry.findMany({ where: { subjectId: pr.id } })).map((a) => a.action)).toEqual(['payment_request.created']);
      const again = (await (await server.api(`/v1/payment-requests/${pr.id}`, { key })).json()) as Json;
      expect(again).toEqual(pr);
    });

    it('renders a GiroCode PNG that decodes to the payload a banking app reads: order, line breaks, EUR12.50', async () => {
      const item = await create({ amount: '12.50' });
      const pr = await requestOk([item.id]);
      for (const url of [pr.qr.png, pr.publicQr.png]) {
        const res = url.startsWith('/') ? await server.api(url, { key }) : await pay(url);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('image/png');
        const text = decodeQrPng(new Uint8Array(await res.arrayBuffer()));
        expect(text).toBe(pr.epcPayload);
        const lines = text.split('\n');
        expect(text).not.toContain('\r');
        expect(lines[0]).toBe('BCD');
        expect(lines[1]).toBe('002');
        expect(lines[2]).toBe('1');
        expect(lines[3]).toBe('SCT');
        expect(isValidIban(lines[6]!)).toBe(true);
        expect(lines[7]).toMatch(/^EUR\d{1,9}\.\d{2}$/);
        expect(lines[7]).toBe('EUR12.50');
        expect(lines[8]).toBe('');
        expect(isValidRf(lines[9]!)).toBe(true);
        expect(lines).toHaveLength(10);
      }
      const svg = await server.api(pr.qr.svg, { key });
      expect(svg.headers.get('content-type')).toBe('image/svg+xml');
      expect(await svg.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    });

    it('asks for several items of one debtor in one transfer, listing the Kassenzeichen as remittance', async () => {
      const a = await create({ amount: '10.00', dueDate: '2026-12-31' });
      const b = await create({ amount: '5.25', dueDate: '2026-12-15', debtor: { name: 'MUELLER, JUERGEN' } });
      const pr = await requestOk([a.id, b.id]);
      expect(pr).toMatchObject({ total: '15.25', dueDate: '2026-12-15', reference: null, remittance: `Kassenzeichen ${a.kassenzeichen} ${b.kassenzeichen}` });
      expect(pr.epcPayload.split('\n').slice(7)).toEqual(['EUR15.25', '', '', `Kassenzeichen ${a.kassenzeichen} ${b.kassenzeichen}`]);
      const png = await server.api(pr.qr.png, { key });
      expect(decodeQrPng(new Uint8Array(await png.arrayBuffer()))).toBe(pr.epcPayload);
    });

    it('asks only for what is still owed, and for nothing once paid', async () => {
      const a = await create({ amount: '20.00' });
      const b = await create({ amount: '10.00' });
      const pr = await requestOk([a.id, b.id]);
      await book(a.id, 500n);
      let now = (await (await server.api(`/v1/payment-requests/${pr.id}`, { key })).json()) as Json;
      expect(now).toMatchObject({ status: 'partly_paid', total: '30.00', outstanding: '25.00' });
      expect(now.epcPayload.split('\n')[7]).toBe('EUR25.00');
      await book(a.id, 1500n);
      now = (await (await server.api(`/v1/payment-requests/${pr.id}`, { key })).json()) as Json;
      // One item left: it travels with its own RF reference.
      expect(now).toMatchObject({ status: 'partly_paid', outstanding: '10.00', reference: b.rfReference, remittance: null });
      await book(b.id, 1000n);
      now = (await (await server.api(`/v1/payment-requests/${pr.id}`, { key })).json()) as Json;
      expect(now).toMatchObject({ status: 'paid', outstanding: '0.00', epcPayload: null });
      expect((await server.api(pr.qr.png, { key })).status).toBe(409);
    });
  });

  describe('refusals', () => {
    it('refuses items of different debtors, cancelled or paid items, unknown and foreign items', async () => {
      const a = await create();
      const other = await create({ debtor: { name: 'Anna Berg' } });
      const diff = await request([a.id, other.id]);
      expect(diff.status).toBe(422);
      expect(await diff.json()).toMatchObject({ field: 'itemIds.1', detail: expect.stringContaining('another debtor') });

      const cancelled = await create();
      await server.api(`/v1/items/${cancelled.id}/cancel`, { method: 'POST', key, json: { reason: 'aufgehoben' } });
      const c = await request([a.id, cancelled.id]);
      expect(c.status).toBe(409);
      expect(await c.json()).toMatchObject({ field: 'itemIds.1', detail: expect.stringContaining('cancelled') });

      const paid = await create();
      await book(paid.id, 3070n);
      const p = await request([paid.id]);
      expect(p.status).toBe(409);
      expect(((await p.json()) as Json).detail).toContain('already paid');

      expect((await request(['no-such-item'])).status).toBe(404);
      const stranger = await createClientKey(server, ['items:read', 'items:write'], 'fremder Dienst');
      expect((await request([a.id], stranger)).status).toBe(404);
      expect((await request([a.id, a.id])).status).toBe(422);
      expect((await request([])).status).toBe(422);
      const readOnly = await createClientKey(server, ['items:read'], 'nur lesen');
      expect((await request([a.id], readOnly)).status).toBe(403);
      expect((await request([a.id], null)).status).toBe(401);
    });

    it('takes the largest amount a GiroCode carries, and refuses a sum beyond it', async () => {
      const max = await create({ amount: '999999999.99' });
      const pr = await requestOk([max.id]);
      expect(pr.epcPayload.split('\n')[7]).toBe('EUR999999999.99');
      const png = await server.api(pr.qr.png, { key });
      expect(decodeQrPng(new Uint8Array(await png.arrayBuffer()))).toBe(pr.epcPayload);
      const cent = await create({ amount: '0.01' });
      const over = await request([max.id, cent.id]);
      expect(over.status).toBe(422);
      expect(await over.json()).toMatchObject({ field: 'amount', detail: expect.stringContaining('999999999.99') });
    });

    it('fills the 140 characters of remittance exactly, and refuses one more', async () => {
      // 14 ("Kassenzeichen ") + 35 + 1 + 35 + 1 + 35 + 1 + n; foreign references longer than 21
      // characters have no RF reference, so even one of them travels as remittance.
      const ref = (i: number, len: number) => (`ZZ${i}` + 'X'.repeat(40)).slice(0, len);
      const mk = (i: number, len: number) => create({ category: 'other', kassenzeichen: ref(i, len), amount: '1.00' });
      const fits = [await mk(1, 35), await mk(2, 35), await mk(3, 35), await mk(4, 18)];
      const pr = await requestOk(fits.map((i) => i.id));
      expect(pr.remittance).toHaveLength(140);
      expect(pr.epcPayload.split('\n')[10]).toBe(pr.remittance);
      const png = await server.api(pr.qr.png, { key });
      expect(decodeQrPng(new Uint8Array(await png.arrayBuffer()))).toBe(pr.epcPayload);

      const tooLong = [await mk(5, 35), await mk(6, 35), await mk(7, 35), await mk(8, 19)];
      const res = await request(tooLong.map((i) => i.id));
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ field: 'itemIds', detail: expect.stringMatching(/141 characters.*140/) });

      const single = await requestOk([tooLong[0]!.id]);
      expect(single).toMatchObject({ reference: null, remittance: `Kassenzeichen ${tooLong[0]!.kassenzeichen}` });
    });
  });

  describe('the citizen page', () => {
    it('shows what is owed in German, accessible and with strict security headers', async () => {
      const a = await create({ amount: '1234.50' });
      const pr = await requestOk([a.id]);
      const res = await pay(pr.paymentUrl);
      expect(res.status).toBe(200);
      const html = await res.text();
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toMatch(/https?:/);
      const nonce = /'nonce-([^']+)'/.exec(csp)![1];
      expect([...html.matchAll(/<(?:style|script) nonce="([^"]+)"/g)].map((m) => m[1])).toEqual([nonce, nonce]);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');

      expect(html).toMatch(/^<!doctype html><html lang="de">/);
      expect(html.match(/<h1[ >]/g)).toHaveLength(1);
      const headings = [...html.matchAll(/<h([1-6])[ >]/g)].map((m) => Number.parseInt(m[1]!, 10));
      headings.forEach((level, i) => i > 0 && expect(level - headings[i - 1]!).toBeLessThanOrEqual(1));
      expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
      expect(html).toContain('1.234,50\u00a0€');
      expect(html).toContain('31.12.2026');
      expect(html).toContain(a.kassenzeichenDisplay);
      expect(html).toContain('Verwaltungsgebühr Bewohnerparkausweis');
      expect(html).toContain('DE02 1203 0000 0000 2020 51');
      expect(html).toContain(a.rfReference.replace(/(.{4})(?=.)/g, '$1 '));
      expect(html).toMatch(/<img[^>]+src="\/pay\/[0-9A-Za-z]{32}\/qr.svg"[^>]+alt="GiroCode[^"]+"/);
      const buttons = [...html.matchAll(/<button[^>]*>/g)].map((m) => m[0]);
      expect(buttons.length).toBe(5);
      for (const b of buttons) expect(b).toMatch(/type="button".*aria-label="[^"]+ kopieren"/);
      expect(html).toContain('data-copy="DE02120300000000202051"');
      expect(html).toContain('data-copy="1234,50"');
      expect(html).toContain('hreflang="en"');
      // Nothing is loaded from elsewhere.
      expect(html).not.toMatch(/(src|href)="https?:/);
      const svg = await pay(`${pr.paymentUrl}/qr.svg`);
      expect(svg.status).toBe(200);
      expect(svg.headers.get('referrer-policy')).toBe('no-referrer');
    });

    it('speaks English for ?lang=en and for an English browser', async () => {
      const pr = await requestOk([(await create()).id]);
      const byQuery = await (await pay(`${pr.paymentUrl}?lang=en`)).text();
      expect(byQuery).toMatch(/<html lang="en">/);
      expect(byQuery).toContain('Your payment to Stadtkasse Musterstadt');
      expect(byQuery).toContain('€30.70');
      expect(byQuery).toContain('31 December 2026');
      expect(byQuery).toContain('hreflang="de"');
      const byHeader = await pay(pr.paymentUrl, { headers: { 'accept-language': 'fr-CH, en;q=0.8, de;q=0.5' } });
      expect(byHeader.headers.get('content-language')).toBe('en');
      const german = await pay(pr.paymentUrl, { headers: { 'accept-language': 'en;q=0.4, de-AT' } });
      expect(german.headers.get('content-language')).toBe('de');
    });

    it('says plainly when it is paid, and shows no code to scan', async () => {
      const a = await create();
      const pr = await requestOk([a.id]);
      await book(a.id, 1000n);
      const partly = await (await pay(pr.paymentUrl)).text();
      expect(partly).toContain('Teilweise bezahlt. Es sind noch 20,70\u00a0€ offen.');
      await book(a.id, 2070n);
      const paid = await (await pay(pr.paymentUrl)).text();
      expect(paid).toContain('Bezahlt.');
      expect(paid).not.toContain('<img');
      // Nothing to copy any more; a confirmation to keep instead.
      expect(paid).not.toContain('data-copy');
      expect(paid).toContain('Ihre Zahlungsbestätigung');
      expect(paid).toContain('Damit ist alles bezahlt.');
      expect((await pay(`${pr.paymentUrl}/qr.png`)).status).toBe(404);
    });

    it('answers 404 for an unknown link and never finds a request by its Kassenzeichen', async () => {
      const a = await create();
      await requestOk([a.id]);
      for (const token of ['A'.repeat(32), a.kassenzeichen, a.id, 'x']) {
        const res = await fetch(`${server.url}/pay/${token}`);
        expect(res.status, token).toBe(404);
        const html = await res.text();
        expect(html).toContain('Diesen Zahlungslink kennen wir nicht');
        expect(html).toContain('Stadtkasse Musterstadt, Telefon 0123 456-0');
        expect(html).not.toContain(a.kassenzeichen.slice(2));
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    });

    it('answers 410 once the link has expired, saying until when it was valid and whom to contact', async () => {
      const pr = await requestOk([(await create()).id]);
      clock.at = new Date(START.getTime() + 31 * 86_400_000);
      try {
        const res = await pay(pr.paymentUrl);
        expect(res.status).toBe(410);
        const html = await res.text();
        expect(html).toContain('Dieser Zahlungslink ist abgelaufen');
        expect(html).toContain('21.12.2026');
        expect(html).toContain('Stadtkasse Musterstadt, Telefon 0123 456-0');
        expect((await pay(`${pr.paymentUrl}/qr.png`)).status).toBe(410);
        const en = await (await pay(`${pr.paymentUrl}?lang=en`)).text();
        expect(en).toContain('This payment link has expired');
      } finally {
        clock.at = new Date(START);
      }
    });
  });
});
