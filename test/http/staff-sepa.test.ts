/**
 * The SEPA runs and the mandates in the workplace, over real HTTP with sessions and forms: a clerk
 * gathers a refund run and sees no release button for it; an approver releases it and fetches the
 * file; the page shows the run's state, total and file; the mandates page lists a mandate with its
 * standing and next sequence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';
import { readCreditTransfer } from '../support/painReader.js';

describe('SEPA runs and mandates in the workplace', () => {
  let f: StaffFixture;
  let clara: FormClient;
  let anna: FormClient;
  beforeAll(async () => {
    f = await startStaffFixture('sqlite');
    await f.user('clara', 'clerk', 'Clara Kasse');
    await f.user('anna', 'approver', 'Anna Amt');
    clara = new FormClient(f.server.url);
    anna = new FormClient(f.server.url);
    await clara.login('clara');
    await anna.login('anna');
  });
  afterAll(async () => f?.close());

  it('gathers by one person, releases by another, and hands out the file', async () => {
    await f.importStatement({ id: 'UI-SEPA-1', entries: [{ ref: 'UI-SEPA-1', amount: '40.00', name: 'Rita Rück', iban: 'DE89370400440532013000', remittance: ['falsch überwiesen'] }] });
    const [r] = await f.receipts('UI-SEPA-1');
    const page = await clara.get(`/review/${r!.id}`);
    const version = /action="\/review\/[^"]+\/refund"[\s\S]*?name="version" value="(\d+)"/.exec(page.text)?.[1];
    expect((await clara.request(`/review/${r!.id}/refund`, { form: { _csrf: await clara.csrf(`/review/${r!.id}`), version: version!, iban: 'DE89370400440532013000', note: 'Irrläufer' } })).status).toBe(303);

    const sepa = await clara.get('/sepa');
    expect(sepa.text).toContain('SEPA-Läufe');
    expect((await clara.request('/sepa/refund-runs', { form: { _csrf: await clara.csrf('/sepa') } })).status).toBe(303);
    const gathered = await clara.get('/sepa');
    expect(gathered.text).toContain('Rückzahlungslauf 1 mit 1 Zahlungen zusammengestellt');
    expect(gathered.text).toContain('Von Ihnen zusammengestellt');
    expect(gathered.text).not.toMatch(/refund-runs\/[^"]+\/release/);
    const run = await f.server.db.prisma.refundRun.findFirstOrThrow();
    // The server refuses her release too, whatever the page shows (she lacks approve; an approver who gathered is refused by the verb).
    expect((await clara.request(`/sepa/refund-runs/${run.id}/release`, { form: { _csrf: await clara.csrf('/sepa') } })).status).toBe(403);

    const forAnna = await anna.get('/sepa');
    expect(forAnna.text).toContain(`action="/sepa/refund-runs/${run.id}/release"`);
    expect((await anna.request(`/sepa/refund-runs/${run.id}/release`, { form: { _csrf: await anna.csrf('/sepa') } })).status).toBe(303);
    const released = await anna.get('/sepa');
    expect(released.text).toContain('Rückzahlungslauf 1 freigegeben');
    expect(released.text).toContain('1 × gesendet');
    expect(released.text).toMatch(/40,00\s*€/);
    const file = await anna.get(`/sepa/refund-runs/${run.id}/file`);
    const read = readCreditTransfer(file.text);
    expect(read.controlSumCents).toBe(4000n);
    expect(read.payments[0]!.transfers[0]!.creditorName).toBe('Rita Rueck');
    expect((await anna.get('/sepa')).text).toContain('1× abgerufen');
  });

  it('lists mandates with their standing and next sequence', async () => {
    await f.server.db.prisma.mandate.create({ data: { id: 'm-ui-1', reference: 'HUNDESTEUER-4711', kind: 'recurrent', debtorName: 'Jörg Müller', debtorIban: 'DE89370400440532013000', signedOn: '2026-01-15', status: 'active', createdBy: 'test', createdAt: new Date(), updatedAt: new Date() } });
    const page = await clara.get('/mandates');
    expect(page.text).toContain('HUNDESTEUER-4711');
    expect(page.text).toContain('gültig');
    expect(page.text).toContain('FRST');
    expect(page.text).toContain('2029-01-15');
  });

  it("an item's page says where its direct debit stands", async () => {
    const due = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    const item = await f.item('19.90', 'Jörg Müller', { dueDate: due });
    const m = await (await f.server.api('/v1/mandates', { method: 'POST', json: { reference: 'GEB-77', debtor: { name: 'Jörg Müller', iban: 'DE89370400440532013000' }, signedOn: '2026-02-01' } })).json();
    const announced = await f.server.api('/v1/direct-debits', { method: 'POST', json: { itemId: item.id, mandateId: m.id } });
    expect(announced.status).toBe(201);
    const page = await clara.get(`/items/${item.id}`);
    expect(page.text).toMatch(/SEPA-Lastschrift: <strong>angekündigt<\/strong>/);
    expect(page.text).toContain('19,90');
  });
});
