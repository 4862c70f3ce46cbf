/**
 * The matcher's reasons are read in the language of the reader: German in the workplace by
 * default, English when the clerk asks for it, English through the API and the batch command. The
 * same stored proposal gives both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';

describe('reasons of a proposal', () => {
  let f: StaffFixture;
  let payment: string;
  let kassenzeichen: string;
  beforeAll(async () => {
    f = await startStaffFixture('sqlite');
    await f.user('clara', 'clerk', 'Clara Kasse');
    const item = await f.item('45.00', 'Erika Mustermann');
    // The workplace shows it as printed on the notice.
    kassenzeichen = item.kassenzeichenDisplay as string;
    // No Kassenzeichen quoted: the payer's own open item is suggested to a person.
    await f.importStatement({ id: 'REASONS-1', entries: [{ amount: '50.00', name: 'Erika Mustermann', remittance: ['Gebuehr Personalausweis'] }] });
    const [r] = await f.receipts('REASONS-1');
    expect(r!.matchState).toBe('review');
    payment = r!.id;
  });
  afterAll(async () => f?.close());

  it('are German sentences with German amounts on the review page', async () => {
    const clara = new FormClient(f.server.url);
    await clara.login('clara');
    const page = await clara.get(`/review/${payment}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('kein Kassenzeichen gefunden');
    expect(page.text).toContain(kassenzeichen);
    expect(page.text).toContain('Betrag 50,00\u00a0€ übersteigt den offenen Betrag 45,00\u00a0€');
    expect(page.text).toContain('Name des Zahlers stimmt mit dem Schuldner Erika Mustermann überein');
    expect(page.text).not.toMatch(/no reference found|exceeds the open amount|name matches debtor/);
  });

  it('are English sentences when the clerk reads in English', async () => {
    const clara = new FormClient(f.server.url);
    await clara.login('clara');
    const page = await clara.get(`/review/${payment}?lang=en`);
    expect(page.text).toContain('no reference found');
    expect(page.text).toContain('amount 50.00 exceeds the open amount 45.00');
    expect(page.text).not.toContain('kein Kassenzeichen gefunden');
  });

  it('are English sentences through the API, for the proposal and each suggestion', async () => {
    const res = await f.server.api(`/v1/review/${payment}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { proposal: { reasons: string[] }; suggestions: Array<{ reasons: string[] }> };
    expect(body.proposal.reasons).toContain('no reference found');
    expect(body.proposal.reasons.every((r) => typeof r === 'string')).toBe(true);
    expect(body.suggestions[0]!.reasons).toContain('payer name matches debtor Erika Mustermann');
  });

  it('are written as English sentences into the automatic booking and its audit record', async () => {
    const item = await f.item('30.70', 'Max Muster');
    await f.importStatement({ id: 'REASONS-2', entries: [{ amount: '30.70', name: 'Max Muster', remittance: [`Gebuehr ${item.kassenzeichen as string}`] }] });
    const [r] = await f.receipts('REASONS-2');
    expect(r!.matchState).toBe('auto');
    const allocation = await f.server.db.prisma.allocation.findFirstOrThrow({ where: { transactionId: r!.id } });
    expect(allocation.reason).toContain(`reference ${item.kassenzeichen as string} found in remittance text`);
    const audit = await f.server.db.prisma.auditEntry.findFirstOrThrow({ where: { subjectId: r!.id, action: 'allocation.auto' } });
    expect(audit.reason).toBe(allocation.reason);
    expect(audit.reason).not.toContain('[object');
  });

  it('explain bookings in the page language: an automatic one by its decision, a confirmed suggestion by that suggestion', async () => {
    const clara = new FormClient(f.server.url);
    await clara.login('clara');
    const auto = await f.item('12.00', 'Anna Auto');
    await f.importStatement({ id: 'REASONS-3', entries: [{ amount: '12.00', name: 'Anna Auto', remittance: [`KZ ${auto.kassenzeichen as string}`] }] });
    const de = await clara.get(`/items/${auto.id as string}`);
    expect(de.text).toContain(`Kassenzeichen ${auto.kassenzeichen as string} in dem Verwendungszweck gefunden`);
    expect(de.text).not.toContain('found in remittance text');
    const en = await clara.get(`/items/${auto.id as string}?lang=en`);
    expect(en.text).toContain(`reference ${auto.kassenzeichen as string} found in remittance text`);

    // The payment of 50.00 without a reference: the clerk confirms the suggested item of Erika Mustermann.
    const page = await clara.get(`/review/${payment}`);
    const version = /name="suggestion" value="0"[\s\S]*?name="version" value="(\d+)"/.exec(page.text)![1]!;
    const confirmed = await clara.request(`/review/${payment}/confirm`, { form: { _csrf: await clara.csrf(`/review/${payment}`), suggestion: '0', version, doubtChecked: 'yes' } });
    expect(confirmed.status).toBe(303);
    const allocation = await f.server.db.prisma.allocation.findFirstOrThrow({ where: { transactionId: payment } });
    expect(allocation.reason).toMatch(/^suggestion 1 confirmed: /);
    const item = await clara.get(`/items/${allocation.openItemId}`);
    expect(item.text).toContain('Vorschlag 1 bestätigt: Betrag 50,00\u00a0€ übersteigt den offenen Betrag 45,00\u00a0€; Name des Zahlers stimmt mit dem Schuldner Erika Mustermann überein');
    const review = await clara.get(`/review/${payment}`);
    expect(review.text).toContain('Vorschlag 1 bestätigt: ');
  });
});
