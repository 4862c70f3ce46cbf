/**
 * The booking export shows paying online: the online allocation that paid an item (with its item,
 * Kassenzeichen and booking data, its online payment and provider, and no bank entry), the
 * provider's clearing account (received, settled by the payout with its bank entry, fee, reversed)
 * and a chargeback's reversal — in the JSON feed and the day's CSV, in (bookedAt, id) order without
 * gaps. Over HTTP, both backends, through the test mode provider.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cityDate } from '../../src/services/review/dates.js';
import { forEachBackend } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { decideOnProviderPage, localUrl, startOnlineAsCitizen, visit } from './online-support.js';

type Json = Record<string, any>;
const SETTLE_MS = 120_000;
const PROVIDER_IBAN = 'DE51370400440532099917';

/** A provider's payout as camt.054: one entry, one line per payment naming our reference. */
function payout(ref: string, lines: Array<{ amount: string; e2e: string }>): string {
  const total = lines.reduce((s, l) => s + BigInt(l.amount.replace('.', '')), 0n);
  const amt = `${total / 100n}.${String(total % 100n).padStart(2, '0')}`;
  const tx = lines
    .map((l) => `<TxDtls><Refs><EndToEndId>${l.e2e}</EndToEndId></Refs><Amt Ccy="EUR">${l.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Pty><Nm>Testmodus Zahlungsanbieter</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>${PROVIDER_IBAN}</IBAN></Id></DbtrAcct></RltdPties></TxDtls>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>NTFC-${ref}</MsgId><CreDtTm>2026-11-23T14:00:00Z</CreDtTm></GrpHdr><Ntfctn><Id>NTFC-${ref}-1</Id><CreDtTm>2026-11-23T14:00:00Z</CreDtTm><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct><Ntry><Amt Ccy="EUR">${amt}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-23</Dt></BookgDt><ValDt><Dt>2026-11-23</Dt></ValDt><AcctSvcrRef>${ref}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><Btch><NbOfTxs>${lines.length}</NbOfTxs></Btch>${tx}</NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`;
}

forEachBackend('booking export of paying online', (backend) => {
  let server: TestServer;
  const clock = { offset: 0, now() { return new Date(Date.now() + this.offset); } };
  let paid: { itemId: string; kassenzeichen: string; paymentId: string; reference: string };
  let short: { itemId: string; paymentId: string; reference: string };
  let chargedBack: { itemId: string; paymentId: string; allocationId: string };
  let settledReceipt: string;
  let shortReceipt: string;

  async function payOnline(amount: string, bookingData: Record<string, string>): Promise<{ itemId: string; kassenzeichen: string; paymentId: string; reference: string }> {
    const item = (await (await server.api('/v1/items', { method: 'POST', json: { category: 'fee', amount, dueDate: '2026-12-31', description: 'Gebühr', externalRef: `ONL-${crypto.randomUUID().slice(0, 8)}`, bookingData, debtor: { name: 'Bürgerin Online' } } })).json()) as Json;
    const pr = (await (await server.api('/v1/payment-requests', { method: 'POST', json: { itemIds: [item.id] } })).json()) as Json;
    const token = pr.paymentUrl.split('/pay/')[1] as string;
    const start = await startOnlineAsCitizen(server, token);
    const back = await decideOnProviderPage(server, start.location, 'pay');
    expect((await visit(localUrl(server, back))).location).toBe(`/pay/${token}?online=payed`);
    const p = await server.db.prisma.onlinePayment.findFirstOrThrow({ where: { paymentRequestId: pr.id, status: 'payed' } });
    return { itemId: item.id, kassenzeichen: item.kassenzeichen, paymentId: p.id, reference: p.reference };
  }

  async function importPayout(ref: string, lines: Array<{ amount: string; e2e: string }>): Promise<string> {
    expect((await server.api(`/v1/statements?fileName=${ref}.xml`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: payout(ref, lines) })).status).toBe(201);
    return (await server.db.prisma.bankTransaction.findFirstOrThrow({ where: { entryRef: ref } })).id;
  }

  const feed = async (qs: string) => (await (await server.api(`/v1/export/bookings${qs}`)).json()) as Json;

  beforeAll(async () => {
    server = await startTestServer(backend, { clock, env: { ONLINE_PAYMENT_POLL_SECONDS: '0' } });
    paid = await payOnline('30.70', { haushaltsstelle: '1.1100.1100', sachkonto: '431100' });
    settledReceipt = await importPayout(`PSP-EXP-A-${backend}`, [{ amount: '30.70', e2e: paid.reference }]);
    short = await payOnline('40.00', { haushaltsstelle: '1.2200.0000' });
    shortReceipt = await importPayout(`PSP-EXP-B-${backend}`, [{ amount: '39.60', e2e: short.reference }]);
    const s = (((await (await server.api('/v1/online/settlements?status=review')).json()) as Json).settlements as Json[])[0]!;
    expect((await server.api(`/v1/online/settlements/${s.id}/accept`, { method: 'POST', json: { reason: 'Gebühr laut Vertrag' } })).status).toBe(200);
    const c = await payOnline('12.00', { haushaltsstelle: '1.3300.0000' });
    const allocationId = (await server.db.prisma.onlineAllocation.findFirstOrThrow({ where: { onlinePaymentId: c.paymentId } })).id;
    expect((await server.api(`/v1/online/payments/${c.paymentId}/reversals`, { method: 'POST', json: { kind: 'chargeback', allocationId, reason: 'Rückbuchung Kreditkarte' } })).status).toBe(201);
    chargedBack = { itemId: c.itemId, paymentId: c.paymentId, allocationId };
    clock.offset += SETTLE_MS + 1000;
  });
  afterAll(async () => server?.close());

  it('the feed shows the online allocation with its item and booking data, the clearing account with the payout\'s bank entry, the fee and a chargeback', async () => {
    const lines = (await feed('?limit=500')).lines as Json[];
    const of = (type: string, paymentId: string) => lines.filter((l) => l.type === type && l.onlinePaymentId === paymentId);

    expect(of('online_allocation', paid.paymentId)).toEqual([
      expect.objectContaining({
        amount: '30.70',
        currency: 'EUR',
        itemId: paid.itemId,
        kassenzeichen: paid.kassenzeichen,
        itemExternalRef: expect.stringMatching(/^ONL-/),
        bookingData: { haushaltsstelle: '1.1100.1100', sachkonto: '431100' },
        provider: 'test',
        transactionId: null,
        statementBankId: null,
        entryRef: null,
        payerName: null,
      }),
    ]);
    expect(of('clearing_received', paid.paymentId).map((l) => l.amount)).toEqual(['30.70']);
    expect(of('clearing_settled', paid.paymentId)).toEqual([
      expect.objectContaining({ amount: '-30.70', provider: 'test', transactionId: settledReceipt, entryRef: `PSP-EXP-A-${backend}#0`, entryAccountServicerRef: `PSP-EXP-A-${backend}`, payerName: 'Testmodus Zahlungsanbieter', itemId: null }),
    ]);
    // A payout short of its payment: what arrived is settled (with the bank entry), the rest is the provider's fee.
    expect(of('clearing_settled', short.paymentId)).toEqual([expect.objectContaining({ amount: '-39.60', transactionId: shortReceipt })]);
    expect(of('clearing_fee', short.paymentId)).toEqual([expect.objectContaining({ amount: '-0.40', transactionId: null, reason: 'Gebühr laut Vertrag' })]);
    // The chargeback: the allocation's reversal names the allocation and the item; the clearing account goes down.
    expect(of('online_reversal', chargedBack.paymentId)).toEqual([expect.objectContaining({ amount: '-12.00', allocationId: chargedBack.allocationId, itemId: chargedBack.itemId, bookingData: { haushaltsstelle: '1.3300.0000' }, reason: 'chargeback: Rückbuchung Kreditkarte' })]);
    expect(of('clearing_reversed', chargedBack.paymentId).map((l) => l.amount)).toEqual(['-12.00']);
    // The payouts' money in suspense while in review: the bank lines are there as before.
    expect(lines.some((l) => l.type === 'suspense_in' && l.transactionId === shortReceipt)).toBe(true);
    const keys = lines.map((l) => [l.bookedAt, l.id]);
    expect(keys).toEqual([...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1)));
  });

  it('pages through all kinds of lines without gaps or repeats', async () => {
    const all = ((await feed('?limit=500')).lines as Json[]).map((l) => l.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page: Json = await feed(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...(page.lines as Json[]).map((l) => l.id));
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("the day's CSV has the online lines with their booking data, online payment and provider; bank columns empty where there is no bank entry", async () => {
    const res = await server.api(`/v1/export/bookings.csv?date=${cityDate(clock.now())}&bom=false`);
    expect(res.status).toBe(200);
    const rows = (await res.text()).split('\r\n').filter(Boolean).map((r) => r.split(';'));
    const header = rows[0]!;
    expect(header).toEqual(expect.arrayContaining(['online_payment_id', 'provider', 'booking.haushaltsstelle']));
    const col = (row: string[], name: string) => row[header.indexOf(name)];
    const online = rows.find((r) => r[0] === 'online_allocation' && col(r, 'online_payment_id') === paid.paymentId)!;
    expect(col(online, 'amount')).toBe('30.70');
    expect(col(online, 'kassenzeichen')).toBe(paid.kassenzeichen);
    expect(col(online, 'booking.haushaltsstelle')).toBe('1.1100.1100');
    expect(col(online, 'provider')).toBe('test');
    expect(col(online, 'transaction_id')).toBe('');
    const settled = rows.find((r) => r[0] === 'clearing_settled' && col(r, 'online_payment_id') === paid.paymentId)!;
    expect(col(settled, 'transaction_id')).toBe(settledReceipt);
    expect(col(settled, 'amount')).toBe('-30.70');
    expect(rows.filter((r) => r[0] === 'clearing_fee')).toHaveLength(1);
  });
});
