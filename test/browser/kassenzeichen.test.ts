/**
 * One spelling of a Kassenzeichen everywhere in the workplace, in Chromium: the one printed on the
 * notice (the scheme's grouping, or a supplied one as it was issued), on the review list, a
 * payment's suggestions, the message after booking, the items list and an item's page, the
 * approvals card and every CSV download. The normalized key (what the matcher compares) is never
 * shown where it differs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from './browser.js';
import { holdsUp, plain } from './holdsUp.js';
import { PASSWORD, startStaffFixture, type StaffFixture } from './staffFixture.js';

const suite = chromiumMissing ? describe.skip : describe;

suite(`one Kassenzeichen spelling in the workplace, in chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let f: StaffFixture;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let generated: Record<string, any>;
  let supplied: Record<string, any>;
  let big: Record<string, any>;
  const tx: Record<string, string> = {};

  beforeAll(async () => {
    [f, browser] = await Promise.all([startStaffFixture('sqlite'), launchChromium()]);
    await f.user('clara', 'clerk', 'Clara Kasse');
    await f.user('berta', 'approver', 'Berta Blick');
    generated = await f.item('80.00', 'Greta Gruppe');
    supplied = await f.item('45.00', 'Sören Geliefert', { kassenzeichen: 'BUE-2026-0042' });
    big = await f.item('700.00', 'Bernd Betrag');
    // The payers wrote the printed spellings; the matcher suggests each and leaves it to a person (a second number in the text).
    await f.importStatement({
      id: 'KZ-1',
      entries: [
        { ref: 'KZ-GEN', amount: '95.00', name: 'Greta Gruppe', iban: 'DE89370400440532013000', remittance: [`KZ ${generated.kassenzeichenDisplay} Auftrag 123456789012`] },
        { ref: 'KZ-SUP', amount: '50.00', name: 'Sören Geliefert', iban: 'DE02120300000000202051', remittance: [`Az ${supplied.kassenzeichenDisplay} Auftrag 123456789012`] },
        { ref: 'KZ-BIG', amount: '710.00', name: 'Bernd Betrag', iban: 'DE75512108001245126199', remittance: [`KZ ${big.kassenzeichenDisplay} Auftrag 123456789012`] },
      ],
    });
    for (const r of await f.server.db.prisma.bankTransaction.findMany({ where: { entryRef: { startsWith: 'KZ-' } }, select: { id: true, entryRef: true } })) tx[r.entryRef] = r.id;
  }, 90_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await f?.close();
  });

  async function signedIn(user: string, width = 1366): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'de-DE', bypassCSP: true });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${f.server.url}/login`);
    await page.getByLabel('Benutzername').fill(user);
    await page.getByLabel('Passwort').fill(PASSWORD);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForLoadState('load');
    return page;
  }

  const text = async (page: Page) => plain(await page.locator('main').innerText());
  const csvOf = async (page: Page, path: string) => (await (await page.request.get(`${f.server.url}${path}`)).text()).replace(/^\ufeff/, '');

  it('the fixture differs in spelling where the test looks for it', () => {
    expect(generated.kassenzeichenDisplay).not.toBe(generated.kassenzeichen);
    expect(supplied.kassenzeichenDisplay).toBe('BUE-2026-0042');
    expect(supplied.kassenzeichen).toBe('BUE20260042');
    expect(Object.keys(tx).sort()).toEqual(['KZ-BIG', 'KZ-GEN', 'KZ-SUP']);
  });

  it('review list, a payment, the booking message, items, approvals and the downloads say it as printed', async () => {
    const page = await signedIn('clara');
    const never = [generated.kassenzeichen as string, supplied.kassenzeichen as string, big.kassenzeichen as string];
    // The RF creditor reference is built from the key and shown as such: it is not a Kassenzeichen spelling.
    const printedOnly = (where: string, t: string) => {
      for (const n of never) expect(t.replace(/RF\d{2}[A-Z0-9]+/g, ''), `${where} shows ${n}`).not.toContain(n);
    };

    await page.goto(`${f.server.url}/review`);
    let t = await text(page);
    expect(t).toContain(generated.kassenzeichenDisplay);
    expect(t).toContain('BUE-2026-0042');
    printedOnly('review list', t);
    printedOnly('review CSV', await csvOf(page, '/review.csv'));

    await page.goto(`${f.server.url}/review/${tx['KZ-SUP']}`);
    t = await text(page);
    expect(t).toContain('BUE-2026-0042');
    printedOnly('payment page', t);
    expect(await page.locator('.remittance mark').first().getAttribute('title')).toContain('BUE-2026-0042');
    await holdsUp(page, 'kz-review-supplied', 1366);
    await page.keyboard.press('1');
    await Promise.all([page.waitForURL((u) => u.pathname !== `/review/${tx['KZ-SUP']}`), page.keyboard.press('Enter')]);
    const flash = plain(await page.locator('p.notice').first().textContent());
    expect(flash).toContain('gebucht auf BUE-2026-0042 (45,00 €, bezahlt)');

    // The big one goes to approval by hand.
    await page.goto(`${f.server.url}/review/${tx['KZ-BIG']}`);
    await page.keyboard.press('1');
    await Promise.all([page.waitForURL((u) => u.pathname !== `/review/${tx['KZ-BIG']}`), page.keyboard.press('Enter')]);
    expect(await f.server.db.prisma.approval.count({ where: { transactionId: tx['KZ-BIG']!, status: 'pending' } })).toBe(1);

    await page.goto(`${f.server.url}/items`);
    t = await text(page);
    expect(t).toContain('BUE-2026-0042');
    printedOnly('items list', t);
    printedOnly('items CSV', await csvOf(page, '/items.csv'));
    await page.goto(`${f.server.url}/items/${supplied.id}`);
    t = await text(page);
    expect(t).toContain('BUE-2026-0042');
    printedOnly('item page', t);

    const approver = await signedIn('berta');
    await approver.goto(`${f.server.url}/approvals`);
    t = await text(approver);
    expect(t).toContain(big.kassenzeichenDisplay);
    printedOnly('approvals', t);
    printedOnly('approvals CSV', await csvOf(approver, '/approvals.csv'));
  }, 90_000);
});
