/**
 * The citizen's payment page of an item collected by SEPA direct debit: the pre-notification in
 * plain words (amount, collection date, the account's last four characters and nothing more of it,
 * the creditor identifier, the mandate reference), the warning not to pay twice, and "Einzug
 * veranlasst" once the run was released. What to pay now (GiroCode, transfer amount, online payment)
 * leaves collected items out; with all of them collected, none is offered. German and English.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskAllButLastFour } from '../../src/services/paymentRequests/directDebits.js';
import { startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';
import { createClientKey } from '../support/server.js';
import { decideOnProviderPage, localUrl, postStart, startNonceIn, startOnlineAsCitizen, visit } from './online-support.js';
import { weekdayAfter } from '../support/sepa.js';

const IBAN = 'DE89370400440532013000';
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&nbsp;|\u00a0/g, ' ').replace(/\s+/g, ' ');

const german = (day: string) => day.split('-').reverse().join('.');

describe('the payment page of an item collected by direct debit', () => {
  let f: StaffFixture;
  let approver: string;
  beforeAll(async () => {
    f = await startStaffFixture('sqlite');
    approver = await createClientKey(f.server, ['mandates', 'approve'], 'Kassenverwalter');
  });
  afterAll(async () => f?.close());

  const page = async (path: string, lang = 'de') => text(await (await fetch(`${f.server.url}${path}?lang=${lang}`)).text());
  const html = async (path: string) => (await fetch(`${f.server.url}${path}`)).text();

  it('masks all of the account but its last four characters', () => {
    expect(maskAllButLastFour('DE89 3704 0044 0532 0130 00')).toBe('•••• •••• •••• •••• ••30 00');
    expect(maskAllButLastFour('NL91ABNA0417164300')).toBe('•••• •••• •••• ••43 00');
  });

  it('announces the collection, warns against paying twice, and says "Einzug veranlasst" after release', async () => {
    const due = weekdayAfter(30);
    const item = await f.item('19.90', 'Jörg Müller', { dueDate: due, description: 'Hundesteuer 2027' });
    const pr = (await (await f.server.api('/v1/payment-requests', { method: 'POST', key: f.itemsKey, json: { itemIds: [item.id] } })).json()) as { paymentUrl: string };
    const path = new URL(pr.paymentUrl).pathname;
    const before = await page(path);
    expect(before).not.toContain('SEPA-Lastschrift');
    expect(await html(`${path}?lang=de`)).toMatch(/class="button" type="submit"/);

    const m = (await (await f.server.api('/v1/mandates', { method: 'POST', json: { reference: 'HUNDESTEUER-4711', debtor: { name: 'Jörg Müller', iban: IBAN }, signedOn: '2026-01-15' } })).json()) as { id: string };
    const announced = await f.server.api('/v1/direct-debits', { method: 'POST', json: { itemId: item.id, mandateId: m.id } });
    expect(announced.status).toBe(201);

    const de = await page(path);
    expect(de).toContain('Ankündigung der SEPA-Lastschrift');
    expect(de).toContain(`Wir ziehen 19,90 € für das Kassenzeichen ${item.kassenzeichenDisplay} am ${german(due)} per SEPA-Lastschrift von Ihrem Konto mit der Endung 3000 ein.`);
    expect(de).toContain('Gläubiger-Identifikationsnummer DE98ZZZ09999999999');
    expect(de).toContain('Mandatsreferenz HUNDESTEUER-4711');
    expect(de).toContain('•••• •••• •••• •••• ••30 00');
    expect(de).toContain('Bitte zahlen Sie diesen Betrag nicht zusätzlich – weder per Überweisung noch online. Sonst zahlen Sie doppelt.');
    expect(de).toContain(`Lastschrift angekündigt: Einzug am ${german(due)}`);
    // Nothing of the account beyond its end: not the IBAN, not its bank code.
    const raw = await html(`${path}?lang=de`);
    expect(raw).not.toContain(IBAN);
    expect(raw).not.toContain('3704 0044');
    // Everything owed is collected: no GiroCode, no transfer details, no online payment.
    expect(raw).not.toContain('name="nonce"');
    expect(raw).not.toContain('class="qr"');
    expect(de).toContain('Alles, was offen ist, ziehen wir per Lastschrift ein. Sie müssen nichts überweisen.');
    expect((await fetch(`${f.server.url}${path}/qr.svg`)).status).toBe(404);

    const en = await page(path, 'en');
    expect(en).toContain(`We will collect €19.90 for Kassenzeichen ${item.kassenzeichenDisplay} on`);
    expect(en).toContain('from your account ending in 3000');
    expect(en).toContain('Creditor identifier DE98ZZZ09999999999');
    expect(en).toContain('Mandate reference HUNDESTEUER-4711');
    expect(en).toContain('You would pay twice.');

    // Gathered by one, released by another: "Einzug veranlasst", and no online payment any more.
    const gathered = (await (await f.server.api('/v1/collection-runs', { method: 'POST', json: { collectionDate: due } })).json()) as { runs: Array<{ id: string }> };
    expect((await f.server.api(`/v1/collection-runs/${gathered.runs[0]!.id}/release`, { method: 'POST', key: approver, json: {} })).status).toBe(200);
    const sent = await page(path);
    expect(sent).toContain(`Einzug veranlasst: Die SEPA-Lastschrift über 19,90 € für das Kassenzeichen ${item.kassenzeichenDisplay} ist an unsere Bank gegeben. Sie wird am ${german(due)} von Ihrem Konto mit der Endung 3000 eingezogen.`);
    expect(sent).toContain('Stand offen Einzug veranlasst');
    expect(await html(`${path}?lang=de`)).not.toContain('name="nonce"');
  });

  it('asks a mixed request to pay now only what is not collected: GiroCode, transfer amount and online payment', async () => {
    const due = weekdayAfter(30);
    const dog = await f.item('19.90', 'Jörg Müller', { dueDate: due, description: 'Hundesteuer 2027' });
    const fee = await f.item('7.50', 'Jörg Müller', { dueDate: due, description: 'Bibliothek' });
    const created = await f.server.api('/v1/payment-requests', { method: 'POST', key: f.itemsKey, json: { itemIds: [dog.id, fee.id] } });
    const pr = (await created.json()) as { id: string; paymentUrl: string; epcPayload: string };
    expect(pr.epcPayload.split('\n')[7]).toBe('EUR27.40');
    const path = new URL(pr.paymentUrl).pathname;
    const token = path.split('/').pop()!;

    const m = (await (await f.server.api('/v1/mandates', { method: 'POST', json: { debtor: { name: 'Jörg Müller', iban: IBAN }, signedOn: '2026-01-15' } })).json()) as { id: string };
    expect((await f.server.api('/v1/direct-debits', { method: 'POST', json: { itemId: dog.id, mandateId: m.id } })).status).toBe(201);

    // The API's GiroCode payload and the page's: 7.50 for the library fee alone, its Kassenzeichen only.
    const now = (await (await f.server.api(`/v1/payment-requests/${pr.id}`, { key: f.itemsKey })).json()) as { epcPayload: string; outstanding: string; payNow: string; items: Array<{ id: string; collectedByDirectDebit: boolean }> };
    const lines = now.epcPayload.split('\n');
    expect(lines[7]).toBe('EUR7.50');
    expect(now.epcPayload).toContain(fee.kassenzeichen);
    expect(now.epcPayload).not.toContain(dog.kassenzeichen);
    expect(now.outstanding).toBe('27.40');
    expect(now.payNow).toBe('7.50');
    expect(now.items.map((i) => [i.id, i.collectedByDirectDebit])).toEqual([[dog.id, true], [fee.id, false]]);
    const qr = await f.server.db.prisma.paymentRequest.findUniqueOrThrow({ where: { id: pr.id } });
    expect(qr.epcPayload.split('\n')[7]).toBe('EUR27.40'); // as issued, kept; the page computes what is due now
    expect((await fetch(`${f.server.url}${path}/qr.svg`)).status).toBe(200);

    // The page: the transfer amount and the online note say 7,50 €, never 27,40 €.
    const de = await page(path);
    expect(de).toContain('Betrag 7,50 €');
    expect(de).not.toContain('Betrag 27,40 €');
    expect(de).toContain('Der Betrag von 7,50 € enthält nicht, was per Lastschrift eingezogen wird');
    expect(de).toContain('Online bezahlen Sie nur 7,50 €');
    expect(await html(`${path}?lang=de`)).toContain('data-copy="7,50"');
    expect(await page(path, 'en')).toContain('Online you pay €7.50 only');

    // Online: the provider is asked for 7.50 and the library fee's line only.
    const started = await startOnlineAsCitizen(f.server, token);
    expect(started.status).toBe(200);
    const attempt = await f.server.db.prisma.onlinePayment.findFirstOrThrow({ where: { paymentRequestId: pr.id } });
    expect(attempt.amountMinor).toBe(750n);
    expect(JSON.parse(attempt.lines)).toEqual([{ itemId: fee.id, amountMinor: '750' }]);
    const atProvider = await f.server.db.prisma.testProviderTransaction.findFirstOrThrow({ where: { requestId: attempt.id } });
    expect(atProvider.grossMinor).toBe(750n);
    expect(atProvider.requestBody).toMatch(/"grosAmount":7\.50?[,}]/);
    const body = JSON.parse(atProvider.requestBody) as { items: Array<{ id: string }> };
    expect(body.items.map((i) => i.id)).toEqual([fee.id]);
  });

  it('refuses to start an online payment for an item announced after the page was read', async () => {
    const item = await f.item('12.00', 'Jörg Müller', { dueDate: weekdayAfter(30) });
    const pr = (await (await f.server.api('/v1/payment-requests', { method: 'POST', key: f.itemsKey, json: { itemIds: [item.id] } })).json()) as { id: string; paymentUrl: string };
    const path = new URL(pr.paymentUrl).pathname;
    const token = path.split('/').pop()!;
    const nonce = startNonceIn(await html(path))!;
    expect(nonce).toBeTruthy();
    const m = (await (await f.server.api('/v1/mandates', { method: 'POST', json: { debtor: { name: 'Jörg Müller', iban: IBAN }, signedOn: '2026-01-15' } })).json()) as { id: string };
    expect((await f.server.api('/v1/direct-debits', { method: 'POST', json: { itemId: item.id, mandateId: m.id } })).status).toBe(201);
    // The form read before the announcement: sent back to the page, nothing started at the provider.
    expect(await postStart(f.server, token, nonce)).toEqual({ status: 303, location: `/pay/${token}` });
    expect(await f.server.db.prisma.onlinePayment.count({ where: { paymentRequestId: pr.id } })).toBe(0);
    expect((await f.server.api(`/v1/payment-requests/${pr.id}/qr.svg`, { key: f.itemsKey })).status).toBe(409);
  });

  it('owes back a late online payment for an item whose direct debit went to the bank meanwhile, instead of paying it twice', async () => {
    const due = weekdayAfter(30);
    const item = await f.item('9.00', 'Jörg Müller', { dueDate: due });
    const pr = (await (await f.server.api('/v1/payment-requests', { method: 'POST', key: f.itemsKey, json: { itemIds: [item.id] } })).json()) as { id: string; paymentUrl: string };
    const token = new URL(pr.paymentUrl).pathname.split('/').pop()!;
    // The citizen opens the provider's page and leaves it open; meanwhile the item is announced, gathered and released.
    const started = await startOnlineAsCitizen(f.server, token);
    const m = (await (await f.server.api('/v1/mandates', { method: 'POST', json: { debtor: { name: 'Jörg Müller', iban: IBAN }, signedOn: '2026-01-15' } })).json()) as { id: string };
    expect((await f.server.api('/v1/direct-debits', { method: 'POST', json: { itemId: item.id, mandateId: m.id } })).status).toBe(201);
    const gathered = (await (await f.server.api('/v1/collection-runs', { method: 'POST', json: { collectionDate: due } })).json()) as { runs: Array<{ id: string }> };
    expect((await f.server.api(`/v1/collection-runs/${gathered.runs[0]!.id}/release`, { method: 'POST', key: approver, json: {} })).status).toBe(200);
    // Then the citizen pays there after all: the money is owed back, the item stays with its direct debit.
    const back = await decideOnProviderPage(f.server, started.location, 'pay');
    await visit(localUrl(f.server, back));
    const paid = await f.server.db.prisma.onlinePayment.findFirstOrThrow({ where: { paymentRequestId: pr.id, status: 'payed' } });
    expect(paid.unallocatedMinor).toBe(900n);
    expect(await f.server.db.prisma.onlineAllocation.count({ where: { onlinePaymentId: paid.id } })).toBe(0);
    expect(await f.server.db.prisma.openItem.findUniqueOrThrow({ where: { id: item.id } })).toMatchObject({ paidMinor: 0n, status: 'open' });
    const audit = await f.server.db.prisma.auditEntry.findFirstOrThrow({ where: { subjectId: paid.id, action: 'online_payment.payed' } });
    expect(JSON.parse(audit.data!).surplus).toEqual([{ itemId: item.id, amount: '9.00', why: 'item collected by SEPA direct debit' }]);
  });

  it('says nothing of a debit that was taken back', async () => {
    const item = await f.item('5.00', 'Jörg Müller', { dueDate: weekdayAfter(30) });
    const pr = (await (await f.server.api('/v1/payment-requests', { method: 'POST', key: f.itemsKey, json: { itemIds: [item.id] } })).json()) as { paymentUrl: string };
    const m = (await (await f.server.api('/v1/mandates', { method: 'POST', json: { debtor: { name: 'Jörg Müller', iban: IBAN }, signedOn: '2026-01-15' } })).json()) as { id: string };
    const d = (await (await f.server.api('/v1/direct-debits', { method: 'POST', json: { itemId: item.id, mandateId: m.id } })).json()) as { id: string };
    expect((await f.server.api(`/v1/direct-debits/${d.id}/cancel`, { method: 'POST', json: { reason: 'bar bezahlt' } })).status).toBe(200);
    expect(await page(new URL(pr.paymentUrl).pathname)).not.toContain('SEPA-Lastschrift');
  });
});
