/**
 * Suggestions are looked at again whenever they are shown or confirmed: a part payment booked by
 * someone else since makes a suggestion overpay (the page says so, confirming asks explicitly), a
 * full payment makes it stale (it cannot be confirmed), and a suggestion the matcher doubts is not
 * booked by the quick keys alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';

describe('suggestions against the items as they are now', () => {
  let f: StaffFixture;
  let clara: FormClient;
  beforeAll(async () => {
    f = await startStaffFixture('sqlite');
    await f.user('clara', 'clerk', 'Clara Kasse');
    clara = new FormClient(f.server.url);
    await clara.login('clara');
  });
  afterAll(async () => f?.close());

  const versionOf = (text: string, index: number) => new RegExp(`name="suggestion" value="${index}"[\\s\\S]*?name="version" value="(\\d+)"`).exec(text)![1]!;

  it('a part payment booked since: the page says the suggestion overpays, and confirming asks explicitly', async () => {
    const item = await f.item('35.00', 'Jörg Wagner');
    const kz = item.kassenzeichen as string;
    // A part payment without the Kassenzeichen waits for a person, with the payer's own fine suggested.
    await f.importStatement({ id: 'REASSESS-1', entries: [{ ref: 'REASSESS-1', amount: '24.95', name: 'Jörg Wagner', remittance: ['Bussgeld Rate'] }] });
    const [first] = await f.receipts('REASSESS-1');
    expect(first!.matchState).toBe('review');
    // Meanwhile a second part payment quoting the Kassenzeichen is booked automatically: 15.00 stay open.
    await f.importStatement({ id: 'REASSESS-1B', entries: [{ ref: 'REASSESS-1B', amount: '20.00', name: 'Jörg Wagner', remittance: [`Rest ${kz}`] }] });
    const [second] = await f.receipts('REASSESS-1B');
    expect(second!.matchState).toBe('auto');

    const page = await clara.get(`/review/${first!.id}`);
    expect(page.text).toContain('Achtung: Diese Buchung überzahlt um 9,95\u00a0€');
    expect(page.text).toContain('nur noch 15,00\u00a0€ offen: die Buchung überzahlt um 9,95\u00a0€');
    // No quick key on it: the key leads to the box that has to be ticked.
    expect(page.text).not.toMatch(/<button type="submit" data-suggestion="1"/);
    expect(page.text).toMatch(/<input type="checkbox" id="ov-1" name="acceptOverpayment" value="yes" required="" data-suggestion="1"/);

    // Sent without the box ticked (a form without script, or an old page): refused, in German, with the numbers.
    const refused = await clara.request(`/review/${first!.id}/confirm`, { form: { _csrf: await clara.csrf(`/review/${first!.id}`), suggestion: '0', version: versionOf(page.text, 0), doubtChecked: 'yes' } });
    expect(refused.status).toBe(303);
    const shown = await clara.get(refused.location!);
    // The refusal names the item as printed on the notice, as the page does.
    expect(shown.text).toContain(`Nicht gebucht: ${item.kassenzeichenDisplay as string} hat nur noch 15,00\u00a0€ offen, die Buchung würde ihn um 9,95\u00a0€ überzahlen`);
    expect(((await (await f.server.api(`/v1/items/${item.id}`, { key: f.itemsKey })).json()) as { paid: string }).paid).toBe('20.00');

    // Through the API the same: 409 unless acceptOverpayment.
    const api = await f.server.api(`/v1/review/${first!.id}/confirm`, { method: 'POST', json: { suggestion: 0 } });
    expect(api.status).toBe(409);
    expect(((await api.json()) as { detail: string }).detail).toContain(`would overpay ${kz} by 9.95 (15.00 open)`);

    // Ticked: booked, and the item is overpaid, as the person chose.
    const ok = await clara.request(`/review/${first!.id}/confirm`, { form: { _csrf: await clara.csrf(`/review/${first!.id}`), suggestion: '0', version: versionOf(page.text, 0), acceptOverpayment: 'yes', doubtChecked: 'yes' } });
    expect(ok.status).toBe(303);
    expect(((await (await f.server.api(`/v1/items/${item.id}`, { key: f.itemsKey })).json()) as { status: string }).status).toBe('overpaid');
  });

  it('an item paid in full since: the suggestion is marked stale and cannot be confirmed', async () => {
    const item = await f.item('35.00', 'Hanna Hoffmann');
    const kz = item.kassenzeichen as string;
    await f.importStatement({ id: 'REASSESS-2', entries: [{ ref: 'REASSESS-2', amount: '24.95', name: 'Hanna Hoffmann', remittance: ['Bussgeld Rate'] }] });
    const [part] = await f.receipts('REASSESS-2');
    expect(part!.matchState).toBe('review');
    await f.importStatement({ id: 'REASSESS-3', entries: [{ ref: 'REASSESS-3', amount: '35.00', name: 'Hanna Hoffmann', remittance: [`Bussgeld ${kz}`] }] });
    const [full] = await f.receipts('REASSESS-3');
    expect(full!.matchState).toBe('auto');

    const page = await clara.get(`/review/${part!.id}`);
    // The page says the Kassenzeichen as printed on the notice.
    expect(page.text).toContain(`Nicht mehr buchbar: ${item.kassenzeichenDisplay as string} ist inzwischen bezahlt`);
    expect(page.text).not.toContain(`action="/review/${part!.id}/confirm`);
    const api = await f.server.api(`/v1/review/${part!.id}/confirm`, { method: 'POST', json: { suggestion: 0, acceptOverpayment: true } });
    expect(api.status).toBe(409);
    const view = (await (await f.server.api(`/v1/review/${part!.id}`)).json()) as { suggestions: Array<{ standing: string; allocations: Array<{ standing: string }> }> };
    expect(view.suggestions[0]).toMatchObject({ standing: 'stale', allocations: [{ standing: 'closed' }] });
  });

  it('a suggestion the matcher doubts is not booked by the quick keys alone', async () => {
    const hoffmann = await f.item('88.50', 'Petra Hoffmann');
    await f.importStatement({ id: 'REASSESS-4', entries: [{ ref: 'REASSESS-4', amount: '128.50', name: 'Jörg Wagner', remittance: ['Zahlung'] }] });
    const [r] = await f.receipts('REASSESS-4');
    const page = await clara.get(`/review/${r!.id}`);
    if (page.text.includes(hoffmann.kassenzeichenDisplay as string)) {
      expect(page.text).toContain('Der Abgleich selbst zweifelt an diesem Vorschlag');
      const refused = await clara.request(`/review/${r!.id}/confirm`, { form: { _csrf: await clara.csrf(`/review/${r!.id}`), suggestion: '0', version: versionOf(page.text, 0) } });
      expect((await clara.get(refused.location!)).text).toContain('Nicht gebucht: Der Abgleich zweifelt an diesem Vorschlag');
    } else {
      // No suggestion at all for a stranger's payment: nothing to book with a quick key either.
      expect(page.text).not.toContain('data-suggestion="1"');
    }
    expect(await f.server.db.prisma.allocation.count({ where: { transactionId: r!.id } })).toBe(0);
  });

  it('a payment that came before its item: "ohne Vorschlag" becomes "zu prüfen" once the item arrives and is suggested', async () => {
    await f.importStatement({ id: 'REASSESS-5', entries: [{ ref: 'REASSESS-5', amount: '61.00', name: 'Lena Spät', remittance: ['Gebuehr Hund'] }] });
    const [r] = await f.receipts('REASSESS-5');
    expect(r!.matchState).toBe('unmatched');
    const item = await f.item('61.00', 'Lena Spät');
    await expect.poll(async () => (await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: r!.id } })).matchState, { timeout: 10_000 }).toBe('review');
    const page = await clara.get(`/review/${r!.id}`);
    expect(page.text).toContain('zu prüfen');
    expect(page.text).toContain(item.kassenzeichenDisplay as string);
    const list = await clara.get('/review?state=unmatched');
    expect(list.text).not.toContain(`/review/${r!.id}`);
  });

  it('the list says how many payments the filter finds and downloads all of them as CSV', async () => {
    for (let i = 0; i < 3; i++) await f.importStatement({ id: `REASSESS-CSV-${i}`, entries: [{ ref: `REASSESS-CSV-${i}`, amount: `1${i}.50`, name: `Carla Csv ${i}`, remittance: ['=SUMME(A1) Spende'] }] });
    const list = await clara.get('/review?q=Carla%20Csv');
    expect(list.text).toContain('3 Zahlungen');
    expect(list.text).toMatch(/href="\/review\.csv\?q=Carla(%20|\+)Csv/);
    const csv = await clara.get('/review.csv?q=Carla%20Csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('Buchungstag;Betrag;Zahler;Verwendungszweck;Stand;Bester Vorschlag;Alter;Zahlung');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^16\.11\.2026;10,50;Carla Csv 0;"'=SUMME\(A1\) Spende";ohne Vorschlag;;\d+;REASSESS-CSV-0#0$/);
  });
});
