import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { daysAgo, startReviewFixture, type ReviewFixture } from './review.fixture.js';

const SETTLE_MS = 120_000;

forEachBackend('booking export over HTTP', (backend) => {
  let f: ReviewFixture;
  let item: Record<string, any>;
  let other: Record<string, any>;
  let autoReceipt: string;
  let manualReceipt: string;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
    item = await f.item('30.70', 'Eva Export', { externalRef: 'BIB-2026-000123', bookingData: { haushaltsstelle: '1.1100.1100', sachkonto: '431100', produkt: '11.10.01' } });
    other = await f.item('12.00', 'Otto Anders', { externalRef: 'BIB-2026-000124', bookingData: { haushaltsstelle: '1.2200.0000' } });
    await f.importStatement({
      id: 'EXPORT-1',
      entries: [
        { amount: '30.70', name: 'Eva Export', ref: 'ACCTSVCR-EXP-1', remittance: [item.kassenzeichen] },
        { amount: '20.00', name: '=HYPERLINK("http://evil")', ref: 'ACCTSVCR-EXP-2', remittance: ['Sammelzahlung; mit "Anführungszeichen"'] },
      ],
    });
    [autoReceipt, manualReceipt] = (await f.receipts('EXPORT-1')).map((r) => r.id) as [string, string];
    // Part of the unassigned payment to another item, then the automatic booking undone.
    const booked = await f.json(`/v1/review/${manualReceipt}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ itemId: other.id, amount: '12.00' }], note: 'für Otto; laut "Telefonat"' } });
    expect(booked.status).toBe(200);
    const alloc = await f.server.db.prisma.allocation.findFirstOrThrow({ where: { transactionId: autoReceipt } });
    expect((await f.json(`/v1/allocations/${alloc.id}/reverse`, { method: 'POST', key: f.clerkB, json: { reason: 'Doppelt erfasst' } })).status).toBe(200);
  });
  afterAll(async () => f?.server.close());

  const feed = async (qs = '') => (await f.json(`/v1/export/bookings${qs}`, { key: f.clerkA })).body;

  it('holds lines back until they are settled, then serves each traceable to its bank entry and item', async () => {
    expect((await feed()).lines).toEqual([]);
    f.clock.advance(SETTLE_MS + 1000);
    const page = await feed();
    const byType = (t: string) => page.lines.filter((l: any) => l.type === t);
    expect(page.lines.map((l: any) => l.type).sort()).toEqual(['allocation', 'allocation', 'reversal', 'suspense_in', 'suspense_in', 'suspense_out']);

    const auto = byType('allocation').find((l: any) => l.transactionId === autoReceipt);
    expect(auto).toMatchObject({
      amount: '30.70',
      currency: 'EUR',
      kassenzeichen: item.kassenzeichen,
      itemId: item.id,
      itemExternalRef: 'BIB-2026-000123',
      bookingData: { haushaltsstelle: '1.1100.1100', sachkonto: '431100', produkt: '11.10.01' },
      statementBankId: 'EXPORT-1',
      entryAccountServicerRef: 'ACCTSVCR-EXP-1',
      entryRef: 'ACCTSVCR-EXP-1#0',
      bookingDate: '2026-11-16',
      valueDate: '2026-11-16',
      payerName: 'Eva Export',
      who: expect.stringMatching(/^client:/),
      approvedBy: null,
    });
    const reversal = byType('reversal')[0];
    expect(reversal).toMatchObject({ amount: '-30.70', allocationId: auto.id, kassenzeichen: item.kassenzeichen, reason: 'Doppelt erfasst', entryRef: 'ACCTSVCR-EXP-1#0' });
    expect(reversal.who).toMatch(/^client:/);
    const manual = byType('allocation').find((l: any) => l.transactionId === manualReceipt);
    expect(manual).toMatchObject({ amount: '12.00', kassenzeichen: other.kassenzeichen, itemExternalRef: 'BIB-2026-000124', reason: 'für Otto; laut "Telefonat"', entryAccountServicerRef: 'ACCTSVCR-EXP-2' });
    expect(byType('suspense_out')[0]).toMatchObject({ amount: '-12.00', suspenseReason: 'allocated', transactionId: manualReceipt });
    expect(byType('suspense_in').map((l: any) => [l.transactionId, l.amount]).sort()).toEqual([[autoReceipt, '30.70'], [manualReceipt, '20.00']].sort());
    // Stable order: by time, then id.
    const keys = page.lines.map((l: any) => [l.bookedAt, l.id]);
    expect(keys).toEqual([...keys].sort((a: string[], b: string[]) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : 1)));
  });

  it('pages without gaps or repeats, also when new bookings arrive between pages', async () => {
    const all = (await feed('?limit=500')).lines.map((l: any) => l.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const page: any = await feed(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.lines.map((l: any) => l.id));
      cursor = page.nextCursor;
      if (++pages === 1) {
        // New money arrives while the finance system is reading.
        await f.importStatement({ id: 'EXPORT-2', entries: [{ amount: '5.00', name: 'Neu Nachzügler', remittance: ['Spende'] }] });
      }
      if (!page.hasMore) break;
    }
    expect(seen).toEqual(all);
    // The new line is not settled yet; an empty page keeps the cursor to poll with.
    const waiting = await feed(`?cursor=${cursor}`);
    expect(waiting).toMatchObject({ lines: [], nextCursor: cursor, hasMore: false });
    f.clock.advance(SETTLE_MS + 1000);
    const later = await feed(`?cursor=${cursor}`);
    expect(later.lines.map((l: any) => [l.type, l.amount, l.statementBankId])).toEqual([['suspense_in', '5.00', 'EXPORT-2']]);
    expect(new Set([...seen, ...later.lines.map((l: any) => l.id)]).size).toBe(seen.length + 1);
  });

  it('filters the feed by time', async () => {
    const total = (await feed('?limit=500')).lines.length;
    expect((await feed(`?from=${daysAgo(f.clock, 0)}`)).lines.length).toBe(total);
    expect((await feed(`?to=${daysAgo(f.clock, 1)}`)).lines).toEqual([]);
    expect((await f.json('/v1/export/bookings?from=gestern', { key: f.clerkA })).status).toBe(422);
  });

  it('exports a day as CSV for German Excel: BOM, semicolons, CRLF, booking data columns, formulas defused', async () => {
    const res = await f.server.api(`/v1/export/bookings.csv?date=${daysAgo(f.clock, 0)}`, { key: f.clerkA });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toMatch(/stadtkasse-buchungen-\d{4}-\d{2}-\d{2}\.csv/);
    expect(res.headers.get('x-export-complete')).toBe('false');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text, ';');
    const header = rows[0]!;
    expect(header.slice(0, 5)).toEqual(['line_type', 'id', 'booked_at', 'amount', 'currency']);
    expect(header).toEqual(expect.arrayContaining(['kassenzeichen', 'item_external_ref', 'statement_bank_id', 'entry_acct_svcr_ref', 'entry_ref', 'booking_date', 'payer_name', 'who', 'reason']));
    expect(header.slice(-3)).toEqual(['booking.haushaltsstelle', 'booking.produkt', 'booking.sachkonto']);
    expect(rows.length - 1).toBe(Number.parseInt(res.headers.get('x-export-lines')!, 10));
    const col = (row: string[], name: string) => row[header.indexOf(name)];
    const allocation = rows.find((r) => r[0] === 'allocation' && r.includes(item.kassenzeichen))!;
    expect(col(allocation, 'amount')).toBe('30.70');
    expect(col(allocation, 'entry_acct_svcr_ref')).toBe('ACCTSVCR-EXP-1');
    expect(col(allocation, 'item_external_ref')).toBe('BIB-2026-000123');
    expect(col(allocation, 'booking.haushaltsstelle')).toBe('1.1100.1100');
    expect(text).toContain('Eva Export');
    // The hostile payer name is text, not a formula; the separator and quotes inside are quoted.
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(text).toContain('"für Otto; laut ""Telefonat"""');
    const manualRow = rows.find((r) => r[0] === 'allocation' && r.includes(other.kassenzeichen))!;
    expect(col(manualRow, 'reason')).toBe('für Otto; laut "Telefonat"');
    expect(col(manualRow, 'booking.haushaltsstelle')).toBe('1.2200.0000');
    expect(col(manualRow, 'booking.sachkonto')).toBe('');
    expect(text).toContain(';-30.70;');

    const comma = await (await f.server.api(`/v1/export/bookings.csv?date=${daysAgo(f.clock, 0)}&separator=,&bom=false`, { key: f.clerkA })).text();
    expect(comma.startsWith('line_type,id,booked_at,amount,currency,')).toBe(true);
    const empty = await f.server.api(`/v1/export/bookings.csv?date=2020-01-01`, { key: f.clerkA });
    expect(parseCsv((await empty.text()).slice(1), ';')).toHaveLength(1);
    expect(empty.headers.get('x-export-complete')).toBe('true');
  });

  it('needs the export scope and a real date', async () => {
    expect((await f.server.api(`/v1/export/bookings.csv?date=2026-11-20`, { key: f.itemsKey })).status).toBe(403);
    expect((await f.server.api(`/v1/export/bookings`, { key: f.itemsKey })).status).toBe(403);
    expect((await f.server.api(`/v1/export/bookings.csv?date=2026-02-30`, { key: f.clerkA })).status).toBe(422);
  });
});

/** RFC 4180 reader for the assertions (quoted fields may hold the separator, quotes and line breaks). */
function parseCsv(text: string, sep: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}
