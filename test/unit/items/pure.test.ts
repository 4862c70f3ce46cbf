/** Pure parts of open items, payment requests and webhooks, as tables of cases. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { parseOpenItemsCsv } from '../../../src/services/items/csv.js';
import { foldName } from '../../../src/services/items/foldName.js';
import { itemStatus, outstandingMinor } from '../../../src/services/items/status.js';
import { paymentInstruction } from '../../../src/services/paymentRequests/instruction.js';
import { OUTBOX_RETRY, retryDelayMs } from '../../../src/services/webhooks/outbox.js';
import { signWebhook, verifyWebhookSignature } from '../../../src/services/webhooks/signature.js';
import { toRfReference } from '../../../src/references/rf.js';
import { formatAmount, formatDay, pickLang } from '../../../src/ui/i18n.js';

describe('foldName', () => {
  it.each([
    ['Jürgen Müller', 'juergen mueller'],
    ['MÜLLER-LÜDENSCHEIDT, Jürgen', 'mueller luedenscheidt juergen'],
    ['Ju\u0308rgen', 'juergen'],
    ['Bernd Weiß', 'bernd weiss'],
    ['Straße ẞ', 'strasse ss'],
    ['Zoë Çelik-Ñúñez', 'zoe celik nunez'],
    ['  Dr. med.  Anna   Berg ', 'dr med anna berg'],
    ['Søren Łukasz', 'soren lukasz'],
    ['Öztürk & Söhne GmbH', 'oeztuerk soehne gmbh'],
    ['', ''],
  ])('%s → %s', (name, key) => expect(foldName(name)).toBe(key));
});

describe('item status follows the numbers', () => {
  it.each([
    [3070n, 0n, false, 'open', 3070n],
    [3070n, 1n, false, 'partly_paid', 3069n],
    [3070n, 3070n, false, 'paid', 0n],
    [3070n, 3071n, false, 'overpaid', 0n],
    [3070n, 0n, true, 'cancelled', 0n],
    [3070n, 500n, true, 'cancelled', 0n],
  ] as const)('amount %s paid %s cancelled %s → %s', (amount, paid, cancelled, status, outstanding) => {
    expect(itemStatus(amount, paid, cancelled)).toBe(status);
    expect(outstandingMinor(amount, paid, cancelled)).toBe(outstanding);
  });
});

describe('parseOpenItemsCsv', () => {
  const HEADER = 'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref';
  it('reads rows in any column order, keeps the Kassenzeichen as written and numbers rows like a spreadsheet', () => {
    const rows = parseOpenItemsCsv('external_ref,description,category,debtor_iban,debtor_name,due_date,currency,amount,kassenzeichen\nX-1,Gebühr,fee,,"Berg, Anna",2026-12-31,EUR,30.70,5100.0052447.8\n\nX-2,,fine,,Ömer,2026-01-01,EUR,1,\n');
    expect(rows.map((r) => [r.row, r.kassenzeichen, r.item.amountMinor, r.item.debtorName, r.item.externalRef])).toEqual([
      [2, '5100.0052447.8', 3070n, 'Berg, Anna', 'X-1'],
      [3, null, 100n, 'Ömer', 'X-2'],
    ]);
  });

  it.each([
    ['30.70.1', 'amount'],
    ['-5.00', 'amount'],
    ['1e3', 'amount'],
  ])('refuses amount %s', (amount, field) => {
    const text = `${HEADER}\n,${amount},EUR,2026-12-31,Anna,,fee,x,y\n`;
    try {
      parseOpenItemsCsv(text, { fileName: 'op.csv' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).errors[0]).toMatchObject({ row: 2, field, column: 2, file: 'op.csv' });
    }
  });

  it('collects every problem of every row before giving up', () => {
    const text = `${HEADER}\n,x,EUR,2026-13-01,,,fee,a,b\n,1.00,GBP,2026-12-31,Anna,DE00,fee,a,c\n`;
    const err = (() => {
      try {
        parseOpenItemsCsv(text);
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error('no error');
    })();
    expect(err.errors.map((e) => [e.row, e.field])).toEqual([
      [2, 'amount'],
      [2, 'due_date'],
      [2, 'debtor_name'],
      [3, 'currency'],
      [3, 'debtor_iban'],
    ]);
    expect(err.message).toContain('5 problems');
  });
});

describe('paymentInstruction', () => {
  const creditor = { name: 'Stadtkasse Musterstadt', iban: 'DE02120300000000202051', bic: 'BYLADEM1001' };
  it('uses the RF reference for one item and remittance for several', () => {
    const rf = toRfReference('510000524478');
    expect(paymentInstruction([{ kassenzeichen: '510000524478', rfReference: rf, amountMinor: 1250n }], creditor)).toMatchObject({ reference: rf, remittance: null, totalMinor: 1250n });
    const two = paymentInstruction(
      [
        { kassenzeichen: 'A1234', rfReference: toRfReference('A1234'), amountMinor: 1n },
        { kassenzeichen: 'B1234', rfReference: null, amountMinor: 2n },
      ],
      creditor,
    );
    expect(two).toMatchObject({ reference: null, remittance: 'Kassenzeichen A1234 B1234', totalMinor: 3n });
    expect(two.epcPayload.endsWith('\nEUR0.03\n\n\nKassenzeichen A1234 B1234')).toBe(true);
  });

  it('refuses more than a transfer carries', () => {
    const item = (kz: string, amountMinor: bigint) => ({ kassenzeichen: kz, rfReference: null, amountMinor });
    expect(() => paymentInstruction([item('A'.repeat(35), 99_999_999_999n), item('B1234', 1n)], creditor)).toThrow(/more than 999999999.99/);
    expect(() => paymentInstruction(Array.from({ length: 10 }, (_, i) => item(`${i}`.padStart(12, '5'), 1n)), creditor)).toThrow(/139|140|14\d characters/);
    expect(() => paymentInstruction([], creditor)).toThrow(ValidationError);
  });
});

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":"e1","type":"item.paid"}';
  it('verifies its own signature within the tolerance, and nothing else', async () => {
    const header = await signWebhook(secret, 1_800_000_000, body);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(await verifyWebhookSignature(secret, header, body, 1_800_000_100)).toBe(true);
    expect(await verifyWebhookSignature(secret, header, body, 1_800_000_301)).toBe(false);
    expect(await verifyWebhookSignature(secret, header, body, 1_799_999_699)).toBe(false);
    expect(await verifyWebhookSignature(secret, header, body.replace('paid', 'cancelled'), 1_800_000_000)).toBe(false);
    expect(await verifyWebhookSignature('whsec_other', header, body, 1_800_000_000)).toBe(false);
    expect(await verifyWebhookSignature(secret, header.replace('t=1800000000', 't=1800000001'), body, 1_800_000_000)).toBe(false);
    expect(await verifyWebhookSignature(secret, undefined, body, 1_800_000_000)).toBe(false);
    expect(await verifyWebhookSignature(secret, 'garbage', body, 1_800_000_000)).toBe(false);
    const rotated = `${header.split(',')[0]},v1=${'0'.repeat(64)},${header.split(',')[1]}`;
    expect(await verifyWebhookSignature(secret, rotated, body, 1_800_000_000)).toBe(true);
  });

  it('matches an HMAC-SHA256 computed independently', async () => {
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(await signWebhook(secret, 1_700_000_000, body)).toBe(`t=1700000000,v1=${expected}`);
  });
});

describe('retry delays', () => {
  it.each([
    [1, 30_000],
    [2, 60_000],
    [5, 480_000],
    [10, 15_360_000],
    [11, OUTBOX_RETRY.maxDelayMs],
    [40, OUTBOX_RETRY.maxDelayMs],
  ])('after %i failures stay below %i ms (full jitter)', (attempts, cap) => {
    expect(retryDelayMs(attempts, () => 0)).toBe(0);
    expect(retryDelayMs(attempts, () => 0.999999)).toBeLessThan(cap);
    expect(retryDelayMs(attempts, () => 0.999999)).toBeGreaterThan(cap * 0.99);
  });
});

describe('citizen page language and formats', () => {
  it.each([
    [undefined, undefined, 'de'],
    ['en', 'de', 'en'],
    ['fr', 'en', 'en'],
    [undefined, 'en-GB,en;q=0.9', 'en'],
    [undefined, 'fr, en;q=0.5, de;q=0.8', 'de'],
    [undefined, 'de;q=0, en;q=0.1', 'en'],
    [undefined, 'fr', 'de'],
    [undefined, 'en;q=1.5', 'de'],
  ] as const)('lang=%s Accept-Language=%s → %s', (query, header, lang) => expect(pickLang(query, header)).toBe(lang));

  it('writes German and English dates and amounts', () => {
    expect(formatDay('de', '2026-12-31')).toBe('31.12.2026');
    expect(formatDay('en', '2026-03-01')).toBe('1 March 2026');
    expect(formatAmount('de', 123450n, 'EUR')).toBe('1.234,50\u00a0€');
    expect(formatAmount('en', 123450n, 'EUR')).toBe('€1,234.50');
    expect(formatAmount('de', 5n, 'EUR')).toBe('0,05\u00a0€');
  });
});
