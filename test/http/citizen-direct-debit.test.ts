/**
 * The citizen's payment page of an item collected by SEPA direct debit: the pre-notification in
 * plain words (amount, collection date, the account's last four characters and nothing more of it,
 * the creditor identifier, the mandate reference), paying online offered only as a second choice
 * with the warning not to pay twice, and "Einzug veranlasst" once the run was released (then no
 * online payment at all). German and English.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskAllButLastFour } from '../../src/services/paymentRequests/directDebits.js';
import { startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';
import { createClientKey } from '../support/server.js';

const IBAN = 'DE89370400440532013000';
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&nbsp;|\u00a0/g, ' ').replace(/\s+/g, ' ');

function weekdayAfter(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  while ([0, 6].includes(d.getUTCDay())) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
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
    // Paying online is still possible, but no longer the primary button, and it says why.
    // (The test mode provider is on for a server on localhost.)
    expect(raw).toMatch(/class="button secondary" type="submit"/);
    expect(de).toContain('Wenn Sie ihn zusätzlich online bezahlen, zahlen Sie doppelt.');

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

  it('says nothing of a debit that was taken back', async () => {
    const item = await f.item('5.00', 'Jörg Müller', { dueDate: weekdayAfter(30) });
    const pr = (await (await f.server.api('/v1/payment-requests', { method: 'POST', key: f.itemsKey, json: { itemIds: [item.id] } })).json()) as { paymentUrl: string };
    const m = (await (await f.server.api('/v1/mandates', { method: 'POST', json: { debtor: { name: 'Jörg Müller', iban: IBAN }, signedOn: '2026-01-15' } })).json()) as { id: string };
    const d = (await (await f.server.api('/v1/direct-debits', { method: 'POST', json: { itemId: item.id, mandateId: m.id } })).json()) as { id: string };
    expect((await f.server.api(`/v1/direct-debits/${d.id}/cancel`, { method: 'POST', json: { reason: 'bar bezahlt' } })).status).toBe(200);
    expect(await page(new URL(pr.paymentUrl).pathname)).not.toContain('SEPA-Lastschrift');
  });
});
