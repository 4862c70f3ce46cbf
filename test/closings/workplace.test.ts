/**
 * The closing in the workplace, as two people do it with forms (no script): the dashboard says
 * which day is open and why, the clerk explains and determines, the same clerk cannot sign, the
 * Kassenverwalter signs, the print view and the PDF open.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FormClient, startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';
import { forEachBackend } from '../support/backends.js';

forEachBackend('closings in the workplace', (backend) => {
  let f: StaffFixture;
  beforeAll(async () => {
    f = await startStaffFixture(backend);
    f.clock.set('2026-11-16T17:00:00Z');
    await f.user('k.klein', 'approver', 'Karla Klein');
    await f.user('v.voss', 'approver', 'Volker Voss');
  });
  afterAll(async () => {
    await f?.close();
  });

  it('shows the open day and why, takes the explanation, the determination and a second signature', async () => {
    // The library's till took 12.00 and deposited 10.50: a shortfall of 1.50 blocks the day.
    await f.importStatement({ id: 'W1', seq: 1, date: '2026-11-16', opening: '200.00', entries: [{ amount: '19.99', name: 'Erika Muster', remittance: ['Gebühr'] }] });
    await f.server.api('/v1/cash-offices', { method: 'POST', json: { code: 'BIB', name: 'Stadtbibliothek' } });
    const till = await f.server.api('/v1/cash-offices/BIB/reports', { method: 'POST', json: { day: '2026-11-16', receipts: [{ kind: 'Mahngebühren', amount: '12.00' }], deposit: { amount: '10.50', reference: 'BIB 2026-11-16' } } });
    expect(till.status).toBe(201);

    const clerk = new FormClient(f.server.url);
    expect((await clerk.login('k.klein')).status).toBe(303);
    const dash = await clerk.get('/');
    expect(dash.text).toContain('Tagesabschluss');
    expect(dash.text).toContain('Ungeklärte Differenz');
    const list = await clerk.get('/closings');
    expect(list.text).toContain('href="/closings/day/2026-11-16"');

    const dayPage = await clerk.get('/closings/day/2026-11-16');
    expect(dayPage.text).toContain('Differenz klären');
    const token = await clerk.csrf('/closings/day/2026-11-16');
    expect((await clerk.request('/closings/day/2026-11-16/determine', { form: { _csrf: token } })).status).toBe(303);
    expect((await clerk.get('/closings/day/2026-11-16')).text).toContain('Nicht ausgeführt');
    const explained = await clerk.request('/closings/day/2026-11-16/explain', { form: { _csrf: token, account: 'cash:BIB', suspenseType: 'vorschuss', amount: '-1,50', reason: 'Fehlbetrag Stadtbibliothek' } });
    expect(explained.status).toBe(303);
    const determined = await clerk.request('/closings/day/2026-11-16/determine', { form: { _csrf: token } });
    expect(determined.location).toMatch(/^\/closings\/[0-9a-f-]{36}$/);
    const closingPath = determined.location!;
    const own = await clerk.get(closingPath);
    expect(own.text).toContain('gegenzeichnen muss eine andere Person');
    expect(own.text).not.toContain(`action="${closingPath}/sign"`);
    expect((await clerk.request(`${closingPath}/sign`, { form: { _csrf: token } })).status).toBe(403);

    const treasurer = new FormClient(f.server.url);
    await treasurer.login('v.voss');
    const page = await treasurer.get(closingPath);
    expect(page.text).toContain(`action="${closingPath}/sign"`);
    const signed = await treasurer.request(`${closingPath}/sign`, { form: { _csrf: await treasurer.csrf(closingPath), version: '0' } });
    expect(signed.status).toBe(303);
    const after = await treasurer.get(closingPath);
    expect(after.text).toContain('Abschluss Nr. 1 ist unterzeichnet');
    expect(after.text).toContain('Volker Voss');

    const print = await treasurer.get(`${closingPath}/print`);
    expect(print.text).toContain('Kassenverwalter/in: Volker Voss');
    const pdf = await treasurer.get(`${closingPath}/print?format=pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect((await treasurer.get('/closings/ageing?asOf=2026-12-31')).text).toContain('Vorschuss');
  });
});
