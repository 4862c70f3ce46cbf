/**
 * The pure parts of paying online, as tables: exact JSON numbers both ways, XBezahldienste text
 * rules, online references, request amounts and CALCULATION_ERROR arithmetic, settlement reports
 * (JSON and CSV), and the configuration's refusals.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { onlineReference, xbdText } from '../../../src/services/online/onlinePayments.js';
import { parseSettlementReport } from '../../../src/services/online/settlement.js';
import { JsonDecimal, parseJsonExact, stringifyJsonExact } from '../../../src/services/online/xbd/json.js';
import { requestAmounts, XbdPaymentRequestSchema } from '../../../src/services/online/xbd/protocol.js';

describe('exact JSON numbers', () => {
  it.each([
    ['{"a":30.7}', { a: '30.7' }],
    ['{"a":0.1,"b":0.2}', { a: '0.1', b: '0.2' }],
    ['[1,-2,3e2]', ['1', '-2', '3e2']],
    ['{"s":"12.5 \\" 7","n":null,"t":true}', { s: '12.5 " 7', n: null, t: true }],
    ['{"big":999999.99}', { big: '999999.99' }],
  ])('%s reads numbers as their text', (text, expected) => {
    expect(parseJsonExact(text)).toEqual(expected);
  });

  it('writes decimals as bare numbers, and text that imitates the marker stays text', () => {
    expect(stringifyJsonExact({ grosAmount: new JsonDecimal('30.70'), items: [{ n: new JsonDecimal('0') }] })).toBe('{"grosAmount":30.70,"items":[{"n":0}]}');
    expect(stringifyJsonExact({ s: '\u0000dec:5\u0000' })).toBe('{"s":"\\u0000dec:5\\u0000"}');
  });
});

describe('XBezahldienste text and references', () => {
  it.each([
    ['Gebühr für Ausweis (Express)!', 'Gebühr für Ausweis Express'],
    ['  a   b\n c ', 'a b c'],
    ['Kassenzeichen 1.2000.000001.5', 'Kassenzeichen 1.2000.000001.5'],
  ])('%j → %j', (input, out) => expect(xbdText(input, 250)).toBe(out));

  it('online references fit purpose (≤ 27, [\\w\\s-]) and avoid 0/O and 1/I', () => {
    for (let i = 0; i < 200; i++) {
      const r = onlineReference();
      expect(r).toMatch(/^OP-[A-HJ-NP-Z2-9]{10}$/);
      expect(r.length).toBeLessThanOrEqual(27);
    }
  });
});

describe('request amounts', () => {
  const req = (gros: string, items: Array<[string, string?]>) =>
    XbdPaymentRequestSchema.parse({ requestId: 'r-1', currency: 'EUR', grosAmount: gros, redirectUrl: 'https://x.example/back', items: items.map(([net, tax], i) => ({ id: `p${i}`, totalNetAmount: net, ...(tax ? { totalTaxAmount: tax } : {}) })) });
  it.each([
    ['69.5', [['37.5'], ['32.00', '0.00']], 6950n, 6950n],
    ['0.3', [['0.1'], ['0.2']], 30n, 30n],
    ['119', [['100', '19']], 11900n, 11900n],
    ['70', [['37.5'], ['32']], 7000n, 6950n],
  ] as const)('grosAmount %s over %j: %s vs %s', (gros, items, grossMinor, sumMinor) => {
    const a = requestAmounts(req(gros, items as never));
    expect(a.grossMinor).toBe(grossMinor);
    expect(a.sumMinor).toBe(sumMinor);
  });
});

describe('settlement reports', () => {
  it('reads JSON and CSV (semicolon) alike', () => {
    const json = parseSettlementReport(JSON.stringify({ reference: 'P-1', currency: 'EUR', lines: [{ type: 'payment', transactionId: 'T1', gross: '30.00', fee: '0.30', net: '29.70' }] }), 'json');
    const csv = parseSettlementReport('payout_reference;type;transaction_id;request_id;reference;gross;fee;net\nP-1;payment;T1;;;30.00;0.30;29.70\n', 'csv');
    expect(csv).toEqual(json);
    expect(json.lines[0]).toMatchObject({ grossMinor: 3000n, feeMinor: 30n, netMinor: 2970n });
  });

  it.each([
    ['net ≠ gross − fee', { reference: 'P', lines: [{ gross: '10.00', fee: '1.00', net: '8.00' }] }, 'net must be gross minus fee'],
    ['no reference', { lines: [{ gross: '1.00' }] }, 'payout reference is required'],
    ['no lines', { reference: 'P', lines: [] }, '1 to 10000 lines'],
    ['unknown type', { reference: 'P', lines: [{ type: 'bonus', gross: '1.00' }] }, 'payment, chargeback or fee'],
    ['an amount as a number', { reference: 'P', lines: [{ gross: 1 }] }, 'a decimal amount'],
    ['another currency', { reference: 'P', currency: 'USD', lines: [{ gross: '1.00' }] }, 'only EUR'],
  ])('%s is refused', (_what, doc, message) => {
    expect(() => parseSettlementReport(JSON.stringify(doc), 'json')).toThrow(message);
  });
});

describe('configuration', () => {
  const env = (extra: Record<string, string>) => ({ PORT: '8787', ...extra });
  it('without ONLINE_PAYMENT_PROVIDER the built-in test mode provider is used; off disables paying online', () => {
    expect(loadConfig(env({})).online.provider).toMatchObject({ key: 'test', testMode: true, baseUrl: 'http://localhost:8787/testprovider' });
    expect(loadConfig(env({ ONLINE_PAYMENT_PROVIDER: 'off' })).online.provider).toBeNull();
    // On a public address, test mode must be asked for: never play money by a forgotten setting.
    expect(loadConfig(env({ PUBLIC_BASE_URL: 'https://stadtkasse.musterstadt.de' })).online.provider).toBeNull();
    expect(loadConfig(env({ PUBLIC_BASE_URL: 'https://stadtkasse.musterstadt.de', ONLINE_PAYMENT_PROVIDER: 'test', ONLINE_RETURN_SECRET: 'x'.repeat(32) })).online.provider).toMatchObject({ testMode: true });
  });

  it('ONLINE_RETURN_SECRET: generated on localhost, required with a provider on a public address, at least 32 characters', () => {
    const a = loadConfig(env({})).online.returnSecret;
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig(env({})).online.returnSecret).not.toBe(a);
    expect(() => loadConfig(env({ PUBLIC_BASE_URL: 'https://stadtkasse.musterstadt.de', ONLINE_PAYMENT_PROVIDER: 'test' }))).toThrow('ONLINE_RETURN_SECRET is required');
    expect(loadConfig(env({ PUBLIC_BASE_URL: 'https://stadtkasse.musterstadt.de', ONLINE_RETURN_SECRET: 's'.repeat(40), ONLINE_PAYMENT_PROVIDER: 'test' })).online.returnSecret).toBe('s'.repeat(40));
    // No provider on a public address: nothing to sign, nothing required.
    expect(() => loadConfig(env({ PUBLIC_BASE_URL: 'https://stadtkasse.musterstadt.de' }))).not.toThrow();
    expect(() => loadConfig(env({ ONLINE_RETURN_SECRET: 'kurz' }))).toThrow('at least 32 characters');
  });

  it('ONLINE_RETURN_SECRET on Workers: required whenever paying online is offered, also under wrangler dev on localhost', () => {
    // Each invocation reads the configuration: a generated secret would differ from request to request.
    expect(() => loadConfig(env({ STADTKASSE_RUNTIME: 'workers' }))).toThrow('ONLINE_RETURN_SECRET is required on Workers');
    expect(() => loadConfig(env({ STADTKASSE_RUNTIME: 'workers', ONLINE_PAYMENT_PROVIDER: 'test' }))).toThrow('ONLINE_RETURN_SECRET is required on Workers');
    const secret = 'w'.repeat(40);
    expect(loadConfig(env({ STADTKASSE_RUNTIME: 'workers', ONLINE_RETURN_SECRET: secret })).online.returnSecret).toBe(secret);
    // Online payment off: nothing to sign.
    expect(() => loadConfig(env({ STADTKASSE_RUNTIME: 'workers', ONLINE_PAYMENT_PROVIDER: 'off' }))).not.toThrow();
  });

  it('a real provider with each authentication mode', () => {
    const base = { baseUrl: 'https://pay.example/xbd/', originatorId: 'stadtkasse', endPointId: '09162000', key: 'epaybl' };
    for (const auth of [{ type: 'basic', username: 'u', password: 'p' }, { type: 'oauth2', tokenUrl: 'https://pay.example/token', clientId: 'c', clientSecret: 's' }, { type: 'certificate', cert: '/etc/c.pem', key: '/etc/k.pem' }]) {
      const p = loadConfig(env({ ONLINE_PAYMENT_PROVIDER: JSON.stringify({ ...base, auth }) })).online.provider!;
      expect(p).toMatchObject({ key: 'epaybl', testMode: false, baseUrl: 'https://pay.example/xbd', auth: { type: auth.type } });
    }
  });

  it.each([
    [{ ONLINE_PAYMENT_PROVIDER: '{"baseUrl":"ftp://x","originatorId":"a","endPointId":"b"}' }, 'ONLINE_PAYMENT_PROVIDER "baseUrl" must be an http(s) URL'],
    [{ ONLINE_PAYMENT_PROVIDER: '{"baseUrl":"https://x","originatorId":"a b","endPointId":"b"}' }, '"originatorId" must be 1 to 36'],
    [{ ONLINE_PAYMENT_PROVIDER: '{"baseUrl":"https://x","originatorId":"a","endPointId":"b","auth":{"type":"oauth2"}}' }, 'auth.tokenUrl is required'],
    [{ XBEZAHLDIENSTE_ORIGINATORS: '[{"originatorId":"a","username":"u","password":"short"}]' }, 'password of at least 12 characters'],
    [{ XBEZAHLDIENSTE_ORIGINATORS: '{"originatorId":"a"}' }, 'must be a JSON array'],
  ])('%j is refused naming the variable', (extra, message) => {
    expect(() => loadConfig(env(extra as Record<string, string>))).toThrow(message);
  });

  it('originator passwords are kept only as SHA-256', async () => {
    const o = loadConfig(env({ XBEZAHLDIENSTE_ORIGINATORS: '[{"originatorId":"a","username":"u","password":"ein-langes-passwort"}]' })).online.originators[0]!;
    expect(await o.passwordSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(o)).not.toContain('ein-langes-passwort');
    expect(o.endPointIds).toEqual(['*']);
  });
});
