/**
 * The treasury workplace in a real browser (Debian's chromium): signing in and out, the lock-out,
 * a clerk deciding payments with the keyboard, a split over two items, four eyes with two people,
 * uploads with and without script, the language switch, and the citizen's payment page with its
 * GiroCode. Every page is photographed to test-artifacts/screenshots/ for a person to look at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { camt } from '../support/camtBuilder.js';
import { chromiumMissing, launchChromium, screenshot } from './browser.js';
import { PASSWORD, startStaffFixture, type StaffFixture } from './staffFixture.js';

const suite = chromiumMissing ? describe.skip : describe;

/** Text as a person reads it: the no-break spaces in "30,70 €" count as spaces. */
const plain = (text: string | null) => (text ?? '').replace(/\u00a0/g, ' ');

suite(`treasury workplace in chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let f: StaffFixture;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const cspViolations: string[] = [];
  const scriptErrors: string[] = [];

  beforeAll(async () => {
    [f, browser] = await Promise.all([startStaffFixture('sqlite'), launchChromium()]);
    await f.user('clara', 'clerk', 'Clara Kasse');
    await f.user('anton', 'approver', 'Anton Auge');
    await f.user('berta', 'approver', 'Berta Blick');
    await f.user('lotte', 'clerk', 'Lotte Los');
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await f?.close();
  });

  async function newPage(opts: { javaScriptEnabled?: boolean; locale?: string } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: opts.locale ?? 'de-DE', javaScriptEnabled: opts.javaScriptEnabled ?? true, acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      if (/Content Security Policy/.test(m.text())) cspViolations.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => scriptErrors.push(`${page.url()}: ${e.message}`));
    return page;
  }

  async function signIn(page: Page, username: string, password = PASSWORD, next = '/'): Promise<void> {
    await page.goto(`${f.server.url}${next}`);
    await page.getByLabel('Benutzername').fill(username);
    await page.getByLabel('Passwort').fill(password);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForLoadState('load');
  }

  it('signs in and out; a wrong password and the lock-out say what happened', async () => {
    const page = await newPage();
    await page.goto(`${f.server.url}/review`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, '01-login');

    await signIn(page, 'lotte', 'falsches Passwort', '/review');
    await expect(page.getByRole('alert').textContent().then(plain)).resolves.toContain('Benutzername oder Passwort ist falsch.');
    await screenshot(page, '02-login-wrong-password');
    for (let i = 0; i < 4; i++) {
      await page.getByLabel('Passwort').fill(`falsch-${i}`);
      await page.getByRole('button', { name: 'Anmelden' }).click();
      await page.waitForLoadState('load');
    }
    expect(await page.getByRole('alert').textContent().then(plain)).toMatch(/Zu viele fehlgeschlagene Anmeldungen.*gesperrt/);
    await screenshot(page, '03-login-locked');

    await signIn(page, 'clara', PASSWORD, '/review');
    expect(new URL(page.url()).pathname).toBe('/review');
    await expect(page.locator('header').textContent().then(plain)).resolves.toContain('Angemeldet: Clara Kasse (Sachbearbeitung)');
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForLoadState('load');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.getByRole('status').first().textContent().then(plain)).toContain('Sie wurden abgemeldet.');
    await page.goto(`${f.server.url}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('a clerk finds a payment, opens it with j and Enter, picks suggestion 1 with the key 1 and books it with Enter; the item is paid', async () => {
    const item = await f.item('80.00', 'Zora Zahlerin');
    await f.importStatement({
      id: 'BR-CONFIRM',
      entries: [
        { amount: '95.00', name: 'Zora Zahlerin', remittance: [`Rechnung ${item.kassenzeichen} Auftrag 123456789012`] },
        { amount: '17.00', name: 'Anna Anfang', remittance: ['Spende Stadtfest'] },
      ],
    });
    const [r] = await f.receipts('BR-CONFIRM');
    expect(r!.matchState).toBe('review');

    const page = await newPage();
    await signIn(page, 'clara', PASSWORD, '/review');
    await screenshot(page, '04-review-queue');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
    await page.keyboard.type('Zora');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=Zora/);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.keyboard.press('j');
    expect(await page.evaluate(() => (document.activeElement as HTMLAnchorElement | null)?.getAttribute('href'))).toBe(`/review/${r!.id}?q=Zora&sort=age%3Aasc`);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === `/review/${r!.id}` && u.searchParams.get('q') === 'Zora');
    // The recognised Kassenzeichen is highlighted in the remittance text.
    expect(await page.locator('.remittance mark').first().textContent().then(plain)).toContain(item.kassenzeichen);
    await expect(page.getByText('Tastenkürzel').count()).resolves.toBe(1);
    await screenshot(page, '05-review-payment');

    await page.keyboard.press('1');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-suggestion'))).toBe('1');
    await page.keyboard.press('Enter');
    await page.waitForLoadState('load');
    const flash = await page.locator('p.notice').first().textContent().then(plain);
    expect(flash).toContain(`gebucht auf ${item.kassenzeichenDisplay} (80,00 €, bezahlt)`);
    expect(flash).toContain('Noch 15,00 € in Verwahrung.');
    await screenshot(page, '06-review-after-confirm');

    await page.goto(`${f.server.url}/items/${item.id}`);
    expect(await page.locator('h1').textContent().then(plain)).toContain('Offener Posten');
    expect(await page.locator('main').textContent().then(plain)).toContain('bezahlt');
    expect(await page.locator('main').textContent().then(plain)).toContain('Clara Kasse');
    await screenshot(page, '07-item-history');

    await page.goto(`${f.server.url}/items?debtor=zora`);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await screenshot(page, '08-items-search');
  });

  it('splits one payment over two items by hand', async () => {
    const a = await f.item('60.00', 'Tom Teilung');
    const b = await f.item('40.00', 'Tina Teilung');
    await f.importStatement({ id: 'BR-SPLIT', entries: [{ amount: '100.00', name: 'Familie Teilung', remittance: ['fuer beide Kinder'] }] });
    const [r] = await f.receipts('BR-SPLIT');

    const page = await newPage();
    await signIn(page, 'clara', PASSWORD, `/review/${r!.id}`);
    await page.keyboard.press('m');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('split-first');
    await page.locator('#split-first').fill(a.kassenzeichen);
    await page.getByLabel('Betrag 1').fill('60,00');
    await page.getByLabel('Kassenzeichen 2').fill(b.kassenzeichen);
    await page.getByLabel('Betrag 2').fill('40');
    await page.locator('#split-note').fill('Zahlung für beide Kinder, telefonisch bestätigt');
    await screenshot(page, '09-review-split-filled');
    await page.getByRole('button', { name: 'Zuordnen und buchen' }).click();
    await page.waitForLoadState('load');
    const flash = await page.locator('p.notice').first().textContent().then(plain);
    expect(flash).toContain(`${a.kassenzeichenDisplay} (60,00 €, bezahlt)`);
    expect(flash).toContain(`${b.kassenzeichenDisplay} (40,00 €, bezahlt)`);
    for (const id of [a.id, b.id]) expect(((await (await f.server.api(`/v1/items/${id}`, { key: f.itemsKey })).json()) as any).status).toBe('paid');
  });

  it('marks a stray payment for refund and books the refund with the outgoing payment the page offers', async () => {
    await f.importStatement({ id: 'BR-REFUND', entries: [{ ref: 'BR-REFUND', amount: '23.00', name: 'Irene Irrläufer', iban: 'DE89370400440532013000', remittance: ['Miete Oktober'] }] });
    const [r] = await f.receipts('BR-REFUND');
    const page = await newPage();
    await signIn(page, 'clara', PASSWORD, `/review/${r!.id}`);
    expect(plain(await page.locator('#assessment-h + p + ul').textContent())).toContain('kein Kassenzeichen gefunden');
    await page.locator('#refund-note').fill('Irrläufer: Miete, nicht an uns');
    await page.getByRole('button', { name: 'Zur Rückzahlung vormerken' }).click();
    await page.waitForLoadState('load');

    await f.importStatement({ id: 'BR-REFUND-OUT', date: '2026-11-20', entries: [{ ref: 'BR-REFUND-OUT', amount: '23.00', credit: false, name: 'Irene Irrläufer', iban: 'DE89370400440532013000', remittance: ['Rueckzahlung'] }] });
    await page.goto(`${f.server.url}/review/${r!.id}`);
    await expect.poll(() => page.getByRole('radio').count()).toBe(1);
    expect(await page.getByRole('radio').isChecked()).toBe(true);
    await page.locator('#book-refund-note').fill('Rücküberweisung vom 20.11.');
    await screenshot(page, '10-review-book-refund');
    await page.getByRole('button', { name: 'Rückzahlung buchen' }).click();
    await page.waitForLoadState('load');
    expect(plain(await page.locator('p.notice').first().textContent())).toContain('die Verwahrung ist ausgeglichen');
    expect((await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: r!.id } })).matchState).toBe('refunded');
  });

  it('four eyes: the proposer has no approve button and is refused; a second approver approves and the item is paid', async () => {
    const item = await f.item('750.00', 'Gisela Großbetrag');
    await f.importStatement({ id: 'BR-FOUR', entries: [{ amount: '750.00', name: 'G. Grossbetrag GmbH', remittance: ['Hallenmiete Oktober'] }] });
    const [r] = await f.receipts('BR-FOUR');

    const anton = await newPage();
    await signIn(anton, 'anton', PASSWORD, `/review/${r!.id}`);
    await anton.locator('#split-first').fill(item.kassenzeichen);
    await anton.getByLabel('Betrag 1').fill('750,00');
    await anton.locator('#split-note').fill('Firma zahlt für Frau Großbetrag');
    await anton.getByRole('button', { name: 'Zuordnen und buchen' }).click();
    await anton.waitForLoadState('load');
    expect(await anton.locator('p.notice').first().textContent().then(plain)).toContain('wartet nun auf die Freigabe durch eine zweite Person');

    await anton.goto(`${f.server.url}/approvals`);
    expect(await anton.locator('main').textContent().then(plain)).toContain('Sie haben diese Buchung vorgeschlagen');
    expect(await anton.getByRole('button', { name: 'Freigeben und buchen' }).count()).toBe(0);
    await screenshot(anton, '10-approvals-proposer');
    const approval = await f.server.db.prisma.approval.findFirstOrThrow({ where: { transactionId: r!.id } });
    const csrf = await anton.locator('input[name=_csrf]').first().getAttribute('value');
    const refused = await anton.request.post(`${f.server.url}/approvals/${approval.id}/approve`, { form: { _csrf: csrf! }, maxRedirects: 0 });
    expect(refused.status()).toBe(403);

    const berta = await newPage();
    await signIn(berta, 'berta', PASSWORD, '/approvals');
    expect(await berta.locator('main').textContent().then(plain)).toContain('Vorgeschlagen von Anton Auge');
    await screenshot(berta, '11-approvals-second-person');
    await berta.getByLabel('Vermerk (freiwillig)').fill('Vertrag liegt vor');
    await berta.getByRole('button', { name: 'Freigeben und buchen' }).click();
    await berta.waitForLoadState('load');
    expect(await berta.locator('p.notice').first().textContent().then(plain)).toContain('Freigegeben und gebucht: 750,00 €');
    expect(await berta.locator('main').textContent().then(plain)).toContain('Keine Buchung wartet auf Freigabe.');
    await screenshot(berta, '12-approvals-after');
    expect(((await (await f.server.api(`/v1/items/${item.id}`, { key: f.itemsKey })).json()) as any).status).toBe('paid');
  });

  it('uploads a camt file with progress and shows the result; the statement offers the original file', async () => {
    const item = await f.item('25.00', 'Ulla Upload');
    const xml = camt({ id: 'BR-UPLOAD', seq: 9001, entries: [{ amount: '25.00', name: 'Ulla Upload', remittance: [item.kassenzeichen] }, { amount: '13.37', name: 'Niemand', remittance: ['unklar'] }] });
    const page = await newPage();
    await signIn(page, 'clara', PASSWORD, '/import');
    await screenshot(page, '13-import');
    await page.setInputFiles('#camt-file', { name: 'auszug-upload.xml', mimeType: 'application/xml', buffer: Buffer.from(xml) });
    // With script the file goes up as the request body (streamed, with progress), not inside a form.
    const upload = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/import?fileName=auszug-upload.xml') && r.headers()['content-type'] === 'application/octet-stream');
    await page.getByRole('button', { name: 'Einlesen', exact: true }).click();
    await upload;
    await page.locator('#import-result .notice.ok').waitFor();
    const result = await page.locator('#import-result').textContent().then(plain);
    expect(result).toContain('„auszug-upload.xml“ wurde eingelesen.');
    expect(result).toContain('2 Buchungen gelesen: 2 neu');
    expect(result).toContain('automatisch gebucht: 1');
    expect(new URL(page.url()).pathname).toBe('/import'); // the script replaced the result in place
    await screenshot(page, '14-import-result');

    await page.getByRole('link', { name: 'BR-UPLOAD' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('main').textContent().then(plain)).toContain('stimmt');
    const href = await page.getByRole('link', { name: 'Originaldatei herunterladen' }).getAttribute('href');
    const download = await page.request.get(`${f.server.url}${href}`);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-disposition']).toContain('auszug-upload.xml');
    expect((await download.body()).toString('utf8')).toBe(xml);
    await screenshot(page, '15-statement');
    await page.goto(`${f.server.url}/statements`);
    await screenshot(page, '16-statements');
  });

  it('uploads without script too (plain form post), and a broken file says why and stores nothing', async () => {
    const page = await newPage({ javaScriptEnabled: false });
    await signIn(page, 'clara', PASSWORD, '/import');
    const broken = camt({ id: 'BR-BROKEN', seq: 9100, entries: [{ amount: '10.00', name: 'X', remittance: ['y'] }], closingOffset: '5.00' });
    await page.setInputFiles('#camt-file', { name: 'kaputt.xml', mimeType: 'application/xml', buffer: Buffer.from(broken) });
    await page.getByRole('button', { name: 'Einlesen', exact: true }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('#import-result').textContent().then(plain)).toContain('„kaputt.xml“ wurde nicht eingelesen. Es wurde nichts gespeichert.');
    await screenshot(page, '17-import-refused');
    expect(await f.server.db.prisma.statement.count({ where: { bankStatementId: 'BR-BROKEN' } })).toBe(0);

    const ok = camt({ id: 'BR-NOJS', seq: 9200, entries: [{ amount: '11.00', name: 'Ohne Skript', remittance: ['x'] }] });
    await page.setInputFiles('#camt-file', { name: 'ohne-skript.xml', mimeType: 'application/xml', buffer: Buffer.from(ok) });
    await page.getByRole('button', { name: 'Einlesen', exact: true }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('#import-result').textContent().then(plain)).toContain('„ohne-skript.xml“ wurde eingelesen.');
  });

  it('uploads the open-item CSV; a wrong row names row and column and nothing is taken', async () => {
    const page = await newPage();
    await signIn(page, 'clara', PASSWORD, '/import');
    const header = 'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref';
    const good = `${header}\n,45.00,EUR,2026-12-31,Carla Csv,,fee,Sondernutzung,CSV-1\n,12.50,EUR,2026-12-31,Carl Csv,,library,Mahngebühr,CSV-2\n`;
    await page.setInputFiles('#csv-file', { name: 'posten.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.getByRole('button', { name: 'Offene Posten einlesen' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('#csv-result').textContent().then(plain)).toContain('2 offene Posten aus „posten.csv“ übernommen.');

    const bad = `${header}\n,45.00,EUR,2026-12-31,Dora Csv,,fee,Sondernutzung,CSV-3\n,zwölf,EUR,2026-12-31,Dirk Csv,,fee,Gebühr,CSV-4\n`;
    await page.setInputFiles('#csv-file', { name: 'falsch.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: 'Offene Posten einlesen' }).click();
    await page.waitForLoadState('load');
    const text = await page.locator('#csv-result').textContent().then(plain);
    expect(text).toContain('„falsch.csv“ wurde nicht übernommen');
    // Row, column and reason, in the page's language (the API answers the same refusal in English).
    expect(text).toMatch(/Zeile\s*Spalte\s*Grund\s*3\s*amount\s*„zwölf“ ist kein Betrag wie 30\.70/);
    await screenshot(page, '18-import-csv-refused');
    expect(await f.server.db.prisma.openItem.count({ where: { externalRef: 'CSV-3' } })).toBe(0);
  });

  it('shows the overview with its chart, and switches to English and back', async () => {
    const page = await newPage();
    await signIn(page, 'berta', PASSWORD, '/');
    expect(await page.locator('h1').textContent().then(plain)).toBe('Übersicht');
    expect(await page.locator('svg.chart').count()).toBe(1);
    const main = await page.locator('main').textContent().then(plain);
    expect(main).toMatch(/Zahlungen? warte/);
    expect(main).toMatch(/\d+(\.\d{3})*,\d\d €/); // German amounts
    await screenshot(page, '19-dashboard');

    await page.getByRole('link', { name: 'Switch to English' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('h1').textContent().then(plain)).toBe('Overview');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('main').textContent().then(plain)).toMatch(/€\d/);
    await screenshot(page, '20-dashboard-en');
    await page.goto(`${f.server.url}/review`);
    await screenshot(page, '21-review-queue-en');
    await page.getByRole('link', { name: 'Auf Deutsch anzeigen' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('h1').textContent().then(plain)).toBe('Prüfung');
  });

  it('the citizen payment page from a payment request shows the GiroCode and the bank details', async () => {
    const item = await f.item('30.70', 'Bürger Bezahlt');
    const res = await f.server.api('/v1/payment-requests', { method: 'POST', key: f.itemsKey, json: { itemIds: [item.id] } });
    expect(res.status).toBe(201);
    const pr = (await res.json()) as { paymentUrl: string };
    const page = await newPage();
    await page.goto(pr.paymentUrl.replace(/^https?:\/\/[^/]+/, f.server.url));
    expect(await page.locator('h1').textContent().then(plain)).toContain('Ihre Zahlung an');
    const qr = page.locator('img.qr');
    await qr.waitFor();
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await page.locator('main').textContent().then(plain)).toContain('30,70 €');
    await screenshot(page, '22-citizen-payment-page');
  });

  it('no page broke its Content-Security-Policy or threw a script error', () => {
    expect(cspViolations).toEqual([]);
    expect(scriptErrors).toEqual([]);
  });
});
