/**
 * Settlement of online payments, over HTTP on both backends: citizens pay online through the
 * built-in test mode provider; the provider's payout arrives on a statement (camt.054 with one
 * line per payment, or one credit explained by an uploaded settlement report) and clears the
 * provider's clearing account — never the items again. Exact payouts book themselves; a fee, an
 * unknown line or a payment we never saw PAYED goes to the review queue with reasons, where a
 * person accepts it (the fee is booked) or releases it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { camt } from '../support/camtBuilder.js';
import { forEachBackend } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startOnlineAsCitizen, startTestProvider, visit, type RunningTestProvider } from './online-support.js';
import { SYSTEM_ACTOR } from '../../src/context.js';
import { createUser } from '../../src/services/users/users.js';
import { FormClient, PASSWORD } from '../browser/staffFixture.js';

type Json = Record<string, any>;
const PROVIDER_IBAN = 'DE51370400440532099917';
const PROVIDER_NAME = 'Testmodus Zahlungsanbieter';
const OUR_IBAN = 'DE02120300000000202051';
/** A page's text as a person reads it: tags dropped, entities and no-break spaces as plain characters. */
const plainHtml = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\u00a0/g, ' ').replace(/\s+/g, ' ');

interface Paid {
  itemId: string;
  kassenzeichen: string;
  paymentId: string;
  reference: string;
  transactionId: string;
}

interface Line {
  amount: string;
  e2e?: string;
  remittance?: string;
  provider?: boolean;
  /** Another payer than the test mode provider. */
  debtor?: { name: string; iban: string };
}

/** A provider's batch payout as camt.054.001.08: one entry, one TxDtls per payment. */
function camt054(entries: Array<{ ref: string; lines: Line[] }>): string {
  const id = crypto.randomUUID().slice(0, 12);
  const ntry = entries
    .map((e) => {
      const total = e.lines.reduce((s, l) => s + BigInt(l.amount.replace('.', '')), 0n);
      const amt = `${total / 100n}.${String(total % 100n).padStart(2, '0')}`;
      const tx = e.lines
        .map(
          (l) =>
            `<TxDtls><Refs><EndToEndId>${l.e2e ?? 'NOTPROVIDED'}</EndToEndId></Refs><Amt Ccy="EUR">${l.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>` +
            (l.provider || l.debtor ? `<RltdPties><Dbtr><Pty><Nm>${l.debtor?.name ?? PROVIDER_NAME}</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>${l.debtor?.iban ?? PROVIDER_IBAN}</IBAN></Id></DbtrAcct></RltdPties>` : '') +
            (l.remittance ? `<RmtInf><Ustrd>${l.remittance}</Ustrd></RmtInf>` : '') +
            `</TxDtls>`,
        )
        .join('');
      return `<Ntry><Amt Ccy="EUR">${amt}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-23</Dt></BookgDt><ValDt><Dt>2026-11-23</Dt></ValDt><AcctSvcrRef>${e.ref}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><Btch><NbOfTxs>${e.lines.length}</NbOfTxs></Btch>${tx}</NtryDtls></Ntry>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>NTFC-${id}</MsgId><CreDtTm>2026-11-23T14:00:00Z</CreDtTm></GrpHdr><Ntfctn><Id>NTFC-${id}-1</Id><CreDtTm>2026-11-23T14:00:00Z</CreDtTm><Acct><Id><IBAN>${OUR_IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>${ntry}</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`;
}

forEachBackend('settling online payments', (backend) => {
  let server: TestServer;
  // Real time plus an offset: proposals written one after another must be ordered by time.
  const clock = { now: () => new Date(Date.now() + 0) };
  const local = (url: string) => (url.startsWith('/') ? server.url + url : url.replace(server.config.publicBaseUrl, server.url));
  let seq = 100;

  /** A claim paid online by the citizen (test mode provider, "pay"). */
  async function payOnline(amount: string, opts: { returnToUs?: boolean } = {}): Promise<Paid> {
    const res = await server.api('/v1/items', { method: 'POST', json: { category: 'fee', amount, dueDate: '2026-12-31', description: 'Gebühr', debtor: { name: `Bürger ${seq++}` } } });
    const item = (await res.json()) as Json;
    const pr = (await (await server.api('/v1/payment-requests', { method: 'POST', json: { itemIds: [item.id] } })).json()) as Json;
    const token = pr.paymentUrl.split('/pay/')[1];
    const start = await startOnlineAsCitizen(server, token);
    const posted = await visit(local(start.location), { method: 'POST', body: new URLSearchParams({ choice: 'pay' }) });
    if (opts.returnToUs !== false) expect((await visit(local(posted.location!))).location).toBe(`/pay/${token}?online=payed`);
    const payment = await server.db.prisma.onlinePayment.findFirstOrThrow({ where: { paymentRequestId: pr.id } });
    return { itemId: item.id, kassenzeichen: item.kassenzeichen, paymentId: payment.id, reference: payment.reference, transactionId: payment.providerTransactionId! };
  }

  async function importFile(xml: string): Promise<Json> {
    const res = await server.api(`/v1/statements?fileName=payout-${seq++}.xml`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
    expect(res.status).toBe(201);
    return (await res.json()) as Json;
  }

  async function receiptsOf(entryRef: string) {
    return server.db.prisma.bankTransaction.findMany({ where: { entryRef }, orderBy: { position: 'asc' } });
  }

  async function openOnClearing(paymentId: string): Promise<string | undefined> {
    const providers = ((await (await server.api('/v1/online/clearing')).json()) as Json).providers as Json[];
    return providers.flatMap((p) => p.openPayments as Json[]).find((p) => p.id === paymentId)?.open;
  }

  async function itemStatus(id: string): Promise<string> {
    return ((await (await server.api(`/v1/items/${id}`)).json()) as Json).status;
  }

  beforeAll(async () => {
    server = await startTestServer(backend, { clock, env: { ONLINE_PAYMENT_POLL_SECONDS: '0' } });
  });
  afterAll(async () => server?.close());

  it('camt.054 breakdown: exact lines clear the clearing account by themselves; a line short of its payment goes to review with the reason, and accepting books the fee', async () => {
    const p1 = await payOnline('50.00');
    const p2 = await payOnline('70.50');
    const p3 = await payOnline('40.00');
    expect(await openOnClearing(p1.paymentId)).toBe('50.00');
    // Each line names its payment another way: our reference as end-to-end id, in the remittance, the provider's transaction id.
    const result = await importFile(camt054([{ ref: 'PSP-A', lines: [{ amount: '50.00', e2e: p1.reference, provider: true }, { amount: '70.50', remittance: `Auszahlung ${p2.reference} KZ ${p2.kassenzeichen}` }, { amount: '39.60', e2e: p3.transactionId }] }]));
    expect(result.matching).toMatchObject({ auto: 0 });
    const [r1, r2, r3] = await receiptsOf('PSP-A');
    expect([r1!.matchState, r2!.matchState, r3!.matchState]).toEqual(['clearing', 'clearing', 'settlement_review']);
    // The items were paid when the provider said PAYED; the payout does not pay them twice.
    for (const p of [p1, p2, p3]) expect(await itemStatus(p.itemId)).toBe('paid');
    expect(await openOnClearing(p1.paymentId)).toBeUndefined();
    expect(await openOnClearing(p2.paymentId)).toBeUndefined();
    expect(await openOnClearing(p3.paymentId)).toBe('40.00');

    const queue = ((await (await server.api('/v1/review?state=settlement_review')).json()) as Json).items as Json[];
    expect(queue.map((q) => q.id)).toContain(r3!.id);
    const detail = (await (await server.api(`/v1/review/${r3!.id}`)).json()) as Json;
    expect(detail.proposal.reasons.join(' | ')).toContain(`online payment ${p3.reference} of 40.00 came as 39.60: 0.40 short`);

    const settlements = ((await (await server.api('/v1/online/settlements?status=review')).json()) as Json).settlements as Json[];
    const s = settlements.find((x) => x.lines.some((l: Json) => l.bankTransactionId === r3!.id))!;
    expect(s).toMatchObject({ source: 'camt054', status: 'review', gross: '160.50', net: '160.10', fee: '0.40' });
    expect(s.lines.map((l: Json) => l.outcome)).toEqual(['matched', 'matched', 'difference']);

    const accepted = await server.api(`/v1/online/settlements/${s.id}/accept`, { method: 'POST', json: { reason: 'Transaktionsgebühr laut Vertrag', expectedVersion: s.version } });
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as Json).status).toBe('accepted');
    expect(await openOnClearing(p3.paymentId)).toBeUndefined();
    const after = await server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: r3!.id } });
    expect(after).toMatchObject({ matchState: 'clearing', unappliedMinor: 0n });
    const fee = await server.db.prisma.clearingMovement.findFirstOrThrow({ where: { onlinePaymentId: p3.paymentId, reason: 'fee' } });
    expect(fee.amountMinor).toBe(-40n);
    const suspense = await server.db.prisma.suspenseMovement.aggregate({ where: { transactionId: r3!.id }, _sum: { amountMinor: true } });
    expect(suspense._sum.amountMinor ?? 0n).toBe(0n);
    // Decided once: a second accept is refused.
    expect((await server.api(`/v1/online/settlements/${s.id}/accept`, { method: 'POST', json: { reason: 'nochmal' } })).status).toBe(409);
  });

  it('one credit without breakdown waits in review; the uploaded report explains it (fees deducted) and accepting clears both payments', async () => {
    const p4 = await payOnline('30.00');
    const p5 = await payOnline('20.00');
    await importFile(camt({ id: `STMT-${seq++}`, seq: seq, date: '2026-11-24', entries: [{ amount: '49.50', ref: 'PAYOUT-B', name: PROVIDER_NAME, iban: PROVIDER_IBAN, remittance: ['Auszahlung TP-PAYOUT-B'] }] }));
    const [receipt] = await receiptsOf('PAYOUT-B');
    expect(receipt!.matchState).toBe('settlement_review');

    const report = { reference: 'TP-PAYOUT-B', currency: 'EUR', lines: [
      { type: 'payment', transactionId: p4.transactionId, requestId: p4.paymentId, gross: '30.00', fee: '0.30', net: '29.70' },
      { type: 'payment', transactionId: p5.transactionId, reference: p5.reference, gross: '20.00', fee: '0.20', net: '19.80' },
    ] };
    const text = JSON.stringify(report);
    const up = await server.api('/v1/online/settlements', { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    expect(up.status).toBe(201);
    const s = (await up.json()) as Json;
    expect(s).toMatchObject({ source: 'report', status: 'review', gross: '50.00', fee: '0.50', net: '49.50', bankTransactionId: receipt!.id });
    expect(s.reasons.join(' | ')).toContain('the provider deducted fees of 0.50');
    const replay = await server.api('/v1/online/settlements', { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as Json).id).toBe(s.id);
    // The review queue shows the report's reasons for the credit now.
    const detail = (await (await server.api(`/v1/review/${receipt!.id}`)).json()) as Json;
    expect(detail.proposal.reasons.join(' | ')).toContain('deducted fees of 0.50');

    expect((await server.api(`/v1/online/settlements/${s.id}/accept`, { method: 'POST', json: { reason: 'Gebühren laut Abrechnung' } })).status).toBe(200);
    expect(await openOnClearing(p4.paymentId)).toBeUndefined();
    expect(await openOnClearing(p5.paymentId)).toBeUndefined();
    expect((await server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: receipt!.id } })).matchState).toBe('clearing');
    const superseded = await server.db.prisma.pspSettlement.count({ where: { status: 'superseded' } });
    expect(superseded).toBeGreaterThanOrEqual(1);
  });

  it('in the workplace: the payout and its lines on the payment page; a clerk accepts the fee, a stale second decision is refused', async () => {
    await createUser({ ctx: { db: server.db, config: server.config, clock, log: server.logger, actor: SYSTEM_ACTOR }, input: { username: 'kassierer', role: 'clerk', password: PASSWORD } });
    const clerk = new FormClient(server.url);
    expect((await clerk.login('kassierer')).status).toBe(303);
    const p6 = await payOnline('25.00');
    await importFile(camt054([{ ref: 'PSP-UI', lines: [{ amount: '24.75', e2e: p6.reference, provider: true }] }]));
    const [r] = await receiptsOf('PSP-UI');
    expect(r!.matchState).toBe('settlement_review');

    const page = await clerk.get(`/review/${r!.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('brutto 25,00\u00a0€, einbehalten 0,25\u00a0€, ausgezahlt 24,75\u00a0€');
    expect(page.text).toContain('Differenz');
    expect(page.text).not.toContain('Für diese Zahlung ist nichts mehr zu entscheiden');
    const settlementId = /name="settlementId" value="([^"]+)"/.exec(page.text)![1]!;
    const version = /name="settlementId"[^>]*>\s*<input type="hidden" name="version" value="(\d+)"/.exec(page.text)![1]!;
    const csrf = await clerk.csrf(`/review/${r!.id}`);
    const decided = await clerk.request(`/review/${r!.id}/settlement`, { form: { _csrf: csrf, settlementId, version, reason: 'Entgelt laut Vertrag', decision: 'accept' } });
    expect(decided.status).toBe(303);
    expect((await clerk.get(decided.location!)).text).toContain('angenommen; das Entgelt ist gebucht');
    expect((await server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: r!.id } })).matchState).toBe('clearing');
    expect(await openOnClearing(p6.paymentId)).toBeUndefined();

    const again = await clerk.request(`/review/${r!.id}/settlement`, { form: { _csrf: csrf, settlementId, version, reason: 'noch einmal', decision: 'release' } });
    expect(again.status).toBe(303);
    expect((await clerk.get(again.location!)).text).toMatch(/role="alert">Nicht ausgeführt: Die Zahlung oder der Posten wurde inzwischen geändert[^<]*Technische Meldung \(englisch\): „settlement \S+ is accepted/);
    expect((await server.db.prisma.pspSettlement.findUniqueOrThrow({ where: { id: settlementId } })).status).toBe('accepted');
  });

  it('in the workplace every note and reason the settlement writes is German: an unknown line, one never PAYED, one paid twice, one short, one over', async () => {
    await createUser({ ctx: { db: server.db, config: server.config, clock, log: server.logger, actor: SYSTEM_ACTOR }, input: { username: 'pruefer', role: 'clerk', password: PASSWORD } });
    const clerk = new FormClient(server.url);
    expect((await clerk.login('pruefer')).status).toBe(303);
    const twice = await payOnline('11.00');
    const never = await payOnline('8.00', { returnToUs: false });
    const short = await payOnline('30.00');
    const over = await payOnline('20.00');
    await importFile(camt054([
      { ref: 'PSP-DE1', lines: [{ amount: '11.00', e2e: twice.reference, provider: true }, { amount: '11.00', e2e: twice.reference, provider: true }, { amount: '7.77', e2e: 'OP-YYYYYYYYYY', provider: true }] },
      { ref: 'PSP-DE2', lines: [{ amount: '8.00', e2e: never.reference, provider: true }, { amount: '29.70', e2e: short.reference, provider: true }, { amount: '20.50', e2e: over.reference, provider: true }] },
    ]));
    const receipts = [...(await receiptsOf('PSP-DE1')), ...(await receiptsOf('PSP-DE2'))].filter((r) => r.matchState === 'settlement_review');
    expect(receipts).toHaveLength(5);
    // What the settlement writes, in English (the API's words), must not reach a German page.
    const english = /names no online payment|never PAYED|paid twice|more than owed|short \(|line\(s\)|received|fees deducted|settles online payment|payout (of|line)|with us|a person decides|accept books/;
    const texts = await Promise.all(receipts.map(async (r) => plainHtml((await clerk.get(`/review/${r.id}`)).text)));
    for (const text of texts) {
      expect(text).not.toMatch(english);
      expect(text).not.toMatch(/\b(payment|settlement|provider|payout|online payment)\b/i);
    }
    const all = texts.join(' | ');
    expect(all).toContain('Auszahlungszeile über 7,77 € nennt keine uns bekannte Online-Zahlung');
    expect(all).toContain(`Online-Zahlung ${never.reference} steht bei uns auf „`);
    expect(all).toContain(`Online-Zahlung ${twice.reference} war schon ausgeglichen; diese 11,00 € sind doppelt gezahlt`);
    expect(all).toContain(`Online-Zahlung ${short.reference} über 30,00 € kam mit 29,70 € an: 0,30 € weniger`);
    expect(all).toContain(`Online-Zahlung ${over.reference} über 20,00 € kam mit 20,50 € an: 0,50 € mehr als geschuldet`);
    expect(all).toContain('Auszahlung von Testmodus');
  });

  it('a report uploaded before its credit: the credit, exact and fee-free, clears by itself on import (CSV report)', async () => {
    const p6 = await payOnline('25.00');
    const csv = `payout_reference;type;transaction_id;request_id;reference;gross;fee;net\nTP-PAYOUT-C;payment;${p6.transactionId};${p6.paymentId};${p6.reference};25.00;0.00;25.00\n`;
    const up = await server.api('/v1/online/settlements', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
    expect(up.status).toBe(201);
    const s = (await up.json()) as Json;
    expect(s.status).toBe('awaiting_credit');
    await importFile(camt({ id: `STMT-${seq++}`, seq: seq, date: '2026-11-25', entries: [{ amount: '25.00', ref: 'PAYOUT-C', name: PROVIDER_NAME, iban: PROVIDER_IBAN, remittance: ['TP-PAYOUT-C'] }] }));
    const [receipt] = await receiptsOf('PAYOUT-C');
    expect(receipt!.matchState).toBe('clearing');
    expect(((await (await server.api(`/v1/online/settlements/${s.id}`)).json()) as Json).status).toBe('cleared');
    expect(await openOnClearing(p6.paymentId)).toBeUndefined();
  });

  it('a payout line for a payment we do not know, and one we never saw PAYED: review with reasons; accept refused until explained, release hands it to the ordinary review', async () => {
    const p7 = await payOnline('15.00');
    const p8 = await payOnline('9.00', { returnToUs: false });
    expect((await server.db.prisma.onlinePayment.findUniqueOrThrow({ where: { id: p8.paymentId } })).status).toBe('initial');
    await importFile(camt054([
      { ref: 'PSP-D', lines: [{ amount: '15.00', e2e: p7.reference, provider: true }, { amount: '9.99', e2e: 'OP-ZZZZZZZZZZ', provider: true }] },
      { ref: 'PSP-E', lines: [{ amount: '9.00', e2e: p8.reference, provider: true }] },
    ]));
    const [d1, d2] = await receiptsOf('PSP-D');
    expect([d1!.matchState, d2!.matchState]).toEqual(['clearing', 'settlement_review']);
    const unknown = (await (await server.api(`/v1/review/${d2!.id}`)).json()) as Json;
    expect(unknown.proposal.reasons.join(' | ')).toContain('names no online payment we know');
    const [e1] = await receiptsOf('PSP-E');
    expect(e1!.matchState).toBe('settlement_review');
    const notPayed = (await (await server.api(`/v1/review/${e1!.id}`)).json()) as Json;
    expect(notPayed.proposal.reasons.join(' | ')).toContain(`online payment ${p8.reference} is initial with us, never PAYED`);

    const list = ((await (await server.api('/v1/online/settlements?status=review')).json()) as Json).settlements as Json[];
    const sD = list.find((x) => x.lines.some((l: Json) => l.bankTransactionId === d2!.id))!;
    const sE = list.find((x) => x.lines.some((l: Json) => l.bankTransactionId === e1!.id))!;
    expect((await server.api(`/v1/online/settlements/${sD.id}/accept`, { method: 'POST', json: { reason: 'passt schon' } })).status).toBe(409);
    const released = await server.api(`/v1/online/settlements/${sD.id}/release`, { method: 'POST', json: { reason: 'keine Online-Zahlung, Rückfrage beim Anbieter' } });
    expect(released.status).toBe(200);
    expect((await server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: d2!.id } })).matchState).toBe('review');

    // Not PAYED with us: accepting is refused until the payment is re-checked; then it clears.
    expect((await server.api(`/v1/online/settlements/${sE.id}/accept`, { method: 'POST', json: { reason: 'Zahlung bestätigt' } })).status).toBe(409);
    const refreshed = (await (await server.api(`/v1/online/payments/${p8.paymentId}/refresh`, { method: 'POST' })).json()) as Json;
    expect(refreshed.status).toBe('payed');
    expect(await itemStatus(p8.itemId)).toBe('paid');
    expect((await server.api(`/v1/online/settlements/${sE.id}/accept`, { method: 'POST', json: { reason: 'Zahlung nach Rückfrage bestätigt' } })).status).toBe(200);
    expect(await openOnClearing(p8.paymentId)).toBeUndefined();
  });

  it('two payout lines naming the same online payment: the first clears it, the second is paid twice and waits in review — the import never fails', async () => {
    const p9 = await payOnline('40.00');
    const result = await importFile(camt054([{ ref: 'PSP-TWICE', lines: [{ amount: '40.00', e2e: p9.reference, provider: true }, { amount: '40.00', e2e: p9.reference, provider: true }] }]));
    expect(result.matching).toMatchObject({ auto: 0 });
    const [first, second] = await receiptsOf('PSP-TWICE');
    expect([first!.matchState, second!.matchState]).toEqual(['clearing', 'settlement_review']);
    expect(await openOnClearing(p9.paymentId)).toBeUndefined();
    const detail = (await (await server.api(`/v1/review/${second!.id}`)).json()) as Json;
    expect(detail.proposal.reasons.join(' | ')).toContain(`online payment ${p9.reference} was already settled; this 40.00 is paid twice`);
    const s = (((await (await server.api('/v1/online/settlements?status=review')).json()) as Json).settlements as Json[]).find((x) => x.lines.some((l: Json) => l.bankTransactionId === second!.id))!;
    expect(s.lines.map((l: Json) => l.outcome)).toEqual(['matched', 'already_settled']);
    // Paid twice cannot be accepted as a fee; a person releases it (a refund to the provider is a booking decision).
    const refused = await server.api(`/v1/online/settlements/${s.id}/accept`, { method: 'POST', json: { reason: 'passt' } });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as Json).detail).toContain('already settled');
    expect((await server.api(`/v1/online/settlements/${s.id}/release`, { method: 'POST', json: { reason: 'doppelt ausgezahlt, Rückfrage beim Anbieter' } })).status).toBe(200);
    expect((await server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: second!.id } })).matchState).toBe('review');
  });

  it('a settlement report naming one payment on two lines: review with the reason, never an exception', async () => {
    const p10 = await payOnline('16.00');
    const report = { reference: 'TP-PAYOUT-TWICE', currency: 'EUR', lines: [
      { type: 'payment', requestId: p10.paymentId, gross: '16.00', fee: '0.00', net: '16.00' },
      { type: 'payment', reference: p10.reference, gross: '16.00', fee: '0.00', net: '16.00' },
    ] };
    await importFile(camt({ id: `STMT-${seq++}`, seq: seq, date: '2026-11-24', entries: [{ amount: '32.00', ref: 'PAYOUT-TWICE', name: PROVIDER_NAME, iban: PROVIDER_IBAN, remittance: ['TP-PAYOUT-TWICE'] }] }));
    const up = await server.api('/v1/online/settlements', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) });
    expect(up.status).toBe(201);
    const s = (await up.json()) as Json;
    expect(s.status).toBe('review');
    expect(s.lines.map((l: Json) => l.outcome)).toEqual(['matched', 'already_settled']);
    expect(await openOnClearing(p10.paymentId)).toBe('16.00');
  });

  it('a bank transfer that merely quotes a Kassenzeichen is not mistaken for a payout', async () => {
    const res = await server.api('/v1/items', { method: 'POST', json: { category: 'fee', amount: '17.00', dueDate: '2026-12-31', description: 'Gebühr', debtor: { name: 'Erika Mustermann' } } });
    const item = (await res.json()) as Json;
    await importFile(camt({ id: `STMT-${seq++}`, seq: seq, date: '2026-11-26', entries: [{ amount: '17.00', ref: 'TRANSFER-F', name: 'Erika Mustermann', iban: 'DE44500105175407324931', remittance: [`KZ ${item.kassenzeichen}`] }] }));
    const [r] = await receiptsOf('TRANSFER-F');
    expect(r!.matchState).toBe('auto');
    expect(await itemStatus(item.id)).toBe('paid');
  });
});

forEachBackend('a provider recognised by its payout name', (backend) => {
  let server: TestServer;
  let tp: RunningTestProvider;
  const clock = { now: () => new Date() };

  beforeAll(async () => {
    tp = await startTestProvider({ clock, auth: { type: 'none' } });
    // Only the name identifies its payouts (no IBAN configured), and the name has an umlaut.
    const provider = { key: 'sued', name: 'Zahlungsdienst Süd', baseUrl: tp.url, originatorId: 'stadtkasse', endPointId: 'musterstadt', auth: { type: 'none' }, payout: { ibans: [], names: ['Zahlungsdienst Süd GmbH'] } };
    server = await startTestServer(backend, { clock, env: { ONLINE_PAYMENT_PROVIDER: JSON.stringify(provider), ONLINE_PAYMENT_POLL_SECONDS: '0' } });
  });
  afterAll(async () => {
    await server?.close();
    await tp?.close();
  });

  it.each(['ZAHLUNGSDIENST SUED GMBH', 'Zahlungsdienst Süd GmbH'])('a payout from "%s" is taken for the provider\'s, not left to the matcher', async (debtorName) => {
    const ref = `PSP-NAME-${crypto.randomUUID().slice(0, 8)}`;
    const res = await server.api(`/v1/statements?fileName=${ref}.xml`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: camt054([{ ref, lines: [{ amount: '12.34', e2e: 'NOTPROVIDED', debtor: { name: debtorName, iban: 'DE44500105175407324931' } }] }]) });
    expect(res.status).toBe(201);
    const [r] = await server.db.prisma.bankTransaction.findMany({ where: { entryRef: ref } });
    expect(r!.matchState).toBe('settlement_review');
    const detail = (await (await server.api(`/v1/review/${r!.id}`)).json()) as Json;
    expect(detail.proposal.reasons.join(' | ')).toContain('names no online payment we know');
  });
});
