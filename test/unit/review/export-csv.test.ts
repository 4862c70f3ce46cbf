import { describe, expect, it } from 'vitest';
import type { BookingLine } from '../../../src/services/export/bookings.js';
import { bookingLinesCsv, csvField } from '../../../src/services/export/csv.js';
import { cityDate, cityDayRange, daysSince } from '../../../src/services/review/dates.js';
import { parsePayload, planAmount, serializePayload, type BookingPlan } from '../../../src/services/review/plan.js';

describe('csvField', () => {
  it.each([
    ['plain', false, 'plain'],
    ['a;b', false, '"a;b"'],
    ['say "hi"', false, '"say ""hi"""'],
    ['two\nlines', false, '"two\nlines"'],
    ['=SUM(A1)', true, "'=SUM(A1)"],
    ['+49 170', true, "'+49 170"],
    ['@cmd', true, "'@cmd"],
    ['-30.70', false, '-30.70'],
    [null, false, ''],
  ] as const)('%j (text: %s) → %j', (value, text, expected) => {
    expect(csvField(value, ';', text)).toBe(expected);
  });
});

describe('bookingLinesCsv', () => {
  const line = (bookingData: Record<string, unknown>): BookingLine => ({
    type: 'allocation', id: 'a1', bookedAt: '2026-11-20T08:00:00.000Z', amount: '30.70', currency: 'EUR', allocationId: 'a1', itemId: 'i1', kassenzeichen: '510000524478', kassenzeichenDisplay: '5100.0052447.8',
    itemExternalRef: 'BIB-1', bookingData, suspenseReason: null, transactionId: 't1', statementBankId: 'S1', accountIban: 'DE02120300000000202051', entryAccountServicerRef: 'REF1',
    entryRef: 'REF1#0', bookingDate: '2026-11-20', valueDate: '2026-11-20', payerName: 'Jürgen Müller', who: 'client:x', approvedBy: null, reason: 'ok',
    onlinePaymentId: null, provider: null,
  });

  it('puts each booking data key in a column of its own, with a BOM and CRLF', () => {
    const csv = bookingLinesCsv([line({ sachkonto: '431100' }), line({ haushaltsstelle: '1.1100', extra: { a: 1 } })], { separator: ';', bom: true });
    expect(csv.startsWith('\uFEFFline_type;')).toBe(true);
    const rows = csv.slice(1).split('\r\n');
    expect(rows[0]!.endsWith(';booking.extra;booking.haushaltsstelle;booking.sachkonto')).toBe(true);
    expect(rows[1]!.endsWith(';;;431100')).toBe(true);
    expect(rows[2]!.endsWith(';"{""a"":1}";1.1100;')).toBe(true);
    expect(rows[3]).toBe('');
  });
});

describe('city days (Europe/Berlin)', () => {
  it.each([
    ['2026-11-20', '2026-11-19T23:00:00.000Z', '2026-11-20T23:00:00.000Z'],
    ['2026-07-01', '2026-06-30T22:00:00.000Z', '2026-07-01T22:00:00.000Z'],
    ['2026-03-29', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'], // 23 hours: clocks go forward
    ['2026-10-25', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'], // 25 hours: clocks go back
  ])('%s runs from %s to %s', (day, from, to) => {
    const r = cityDayRange(day);
    expect([r.from.toISOString(), r.to.toISOString()]).toEqual([from, to]);
  });

  it('counts a booking after local midnight on the new day', () => {
    expect(cityDate(new Date('2026-11-19T23:30:00Z'))).toBe('2026-11-20');
    expect(daysSince('2026-11-12', new Date('2026-11-20T10:00:00Z'))).toBe(8);
  });
});

describe('approval payload', () => {
  it('round-trips a plan with its amounts as exact integers', () => {
    const plan: BookingPlan = { kind: 'manual_allocation', transactionId: 't', lines: [{ itemId: 'i', kassenzeichen: 'k', amountMinor: 123456789012345n }], reason: 'r' };
    const back = parsePayload(serializePayload({ plan, previousState: 'review', receiptVersion: 3 }));
    expect(back).toEqual({ plan, previousState: 'review', receiptVersion: 3 });
    expect(planAmount(back.plan)).toBe(123456789012345n);
    const rev: BookingPlan = { kind: 'reversal', transactionId: 't', allocationId: 'a', itemId: 'i', kassenzeichen: 'k', amountMinor: 50000n, reason: 'r' };
    expect(parsePayload(serializePayload({ plan: rev, previousState: 'auto', receiptVersion: 1 })).plan).toEqual(rev);
  });
});
