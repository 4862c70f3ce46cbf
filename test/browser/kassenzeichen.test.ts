/**
 * One spelling of a Kassenzeichen everywhere in the workplace, in Chromium: the one printed on the
 * notice (the scheme's grouping, or a supplied one as it was issued), on the review list, a
 * payment's suggestions, the message after booking, the items list and an item's page, the
 * approvals card and every CSV download; and inside sentences: the matcher's reasons on a payment's
 * page, the reason of a booking, the reason an approver reads, and a refused confirmation. The
 * normalized key (what the matcher compares, and what the stored reasons hold) is never shown where
 * it differs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, openPage } from './browser.js';
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
  const issued: Record<string, Record<string, any>> = {};
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
    // Kassenzeichen issued with dashes, quoted two at a time: the matcher's reasons name them (split, several found).
    for (const [key, amount, debtor] of [
      ['SPL-2026-0101', '20.00', 'Petra Teilung'],
      ['SPL-2026-0102', '30.00', 'Petra Teilung'],
      ['GRS-2026-0201', '300.00', 'Otto Oben'],
      ['GRS-2026-0202', '400.00', 'Otto Oben'],
      ['STL-2026-0301', '60.00', 'Stefan Storno'],
    ] as const) issued[key] = await f.item(amount, debtor, { kassenzeichen: key });
    await f.importStatement({
      id: 'KZ-2',
      entries: [
        { ref: 'KZ-SPLIT', amount: '45.00', name: 'Petra Teilung', iban: 'DE44500105175407324931', remittance: ['SPL-2026-0101 und SPL-2026-0102'] },
        { ref: 'KZ-GROSS', amount: '650.00', name: 'Otto Oben', iban: 'DE12500105170648489890', remittance: ['GRS-2026-0201 und GRS-2026-0202'] },
        { ref: 'KZ-STALE', amount: '65.00', name: 'Stefan Storno', iban: 'DE27100777770209299700', remittance: ['Az STL-2026-0301 Auftrag 123456789012'] },
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
    return openPage(browser, { baseUrl: f.server.url, width, contexts, user: user, password: PASSWORD });
  }

  const text = async (page: Page) => plain(await page.locator('main').innerText());
  const csvOf = async (page: Page, path: string) => (await (await page.request.get(`${f.server.url}${path}`)).text()).replace(/^\ufeff/, '');

  it('the fixture differs in spelling where the test looks for it', () => {
    expect(generated.kassenzeichenDisplay).not.toBe(generated.kassenzeichen);
    expect(supplied.kassenzeichenDisplay).toBe('BUE-2026-0042');
    expect(supplied.kassenzeichen).toBe('BUE20260042');
    expect(Object.keys(tx).sort()).toEqual(['KZ-BIG', 'KZ-GEN', 'KZ-GROSS', 'KZ-SPLIT', 'KZ-STALE', 'KZ-SUP']);
    for (const [key, item] of Object.entries(issued)) expect([item.kassenzeichen, item.kassenzeichenDisplay]).toEqual([key.replace(/-/g, ''), key]);
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

  /** Confirms the payment's first suggestion from its page, ticking what the page asks to tick. */
  async function confirmFirst(page: Page, id: string) {
    const form = page.locator('form.confirm').first();
    for (const box of await form.locator('input[type=checkbox]').all()) await box.check();
    await Promise.all([page.waitForURL((u) => u.pathname !== `/review/${id}`), form.locator('button[type=submit]').click()]);
  }

  it('the matcher\'s reasons, a booking\'s reason, an approver\'s reason and a refusal say it as printed', async () => {
    const page = await signedIn('clara');
    const keys = Object.keys(issued);
    const normalized = keys.map((k) => k.replace(/-/g, ''));
    const printedOnly = (where: string, t: string) => {
      for (const n of normalized) expect(t.replace(/RF\d{2}[A-Z0-9]+/g, ''), `${where} shows ${n}`).not.toContain(n);
    };

    // A payment quoting two items: the reasons name both (found, split).
    await page.goto(`${f.server.url}/review/${tx['KZ-SPLIT']}`);
    let t = await text(page);
    expect(t).toContain('SPL-2026-0101, SPL-2026-0102');
    expect(t).toContain('aufgeteilt auf SPL-2026-0101 + SPL-2026-0102');
    printedOnly('payment page before booking', t);
    await confirmFirst(page, tx['KZ-SPLIT']!);
    const flash = plain(await page.locator('p.notice').first().textContent());
    expect(flash).toContain('SPL-2026-0101 (20,00 €, bezahlt)');
    printedOnly('booking message', flash);
    // The booking's reason on the payment's page and on the item's page.
    await page.goto(`${f.server.url}/review/${tx['KZ-SPLIT']}`);
    t = await text(page);
    expect(t).toContain('Vorschlag 1 bestätigt: 45,00 € aufgeteilt auf SPL-2026-0101 + SPL-2026-0102');
    printedOnly('payment page after booking', t);
    await holdsUp(page, 'kz-reasons-booked', 1366);
    await page.goto(`${f.server.url}/items/${issued['SPL-2026-0102']!.id}`);
    t = await text(page);
    expect(t).toContain('aufgeteilt auf SPL-2026-0101 + SPL-2026-0102');
    printedOnly('item page', t);

    // Above the four-eyes threshold: the approver reads the matcher's reason with the printed spelling.
    await page.goto(`${f.server.url}/review/${tx['KZ-GROSS']}`);
    await confirmFirst(page, tx['KZ-GROSS']!);
    expect(await f.server.db.prisma.approval.count({ where: { transactionId: tx['KZ-GROSS']!, status: 'pending' } })).toBe(1);
    const approver = await signedIn('berta');
    await approver.goto(`${f.server.url}/approvals`);
    t = await text(approver);
    expect(t).toContain('aufgeteilt auf GRS-2026-0201 + GRS-2026-0202');
    printedOnly('approvals', t);
    await holdsUp(approver, 'kz-reasons-approvals', 1366);
    printedOnly('approvals CSV', await csvOf(approver, '/approvals.csv'));

    // The item is cancelled while the clerk looks at its suggestion: the refusal names it as printed.
    await page.goto(`${f.server.url}/review/${tx['KZ-STALE']}`);
    const cancelled = await f.server.api(`/v1/items/${issued['STL-2026-0301']!.id}/cancel`, { method: 'POST', key: f.itemsKey, json: { reason: 'Bescheid aufgehoben' } });
    expect(cancelled.status, await cancelled.clone().text()).toBe(200);
    const form = page.locator('form.confirm').first();
    for (const box of await form.locator('input[type=checkbox]').all()) await box.check();
    await Promise.all([page.waitForLoadState('load'), form.locator('button[type=submit]').click()]);
    const refusal = plain(await page.locator('p.notice[role=alert]').first().textContent());
    expect(refusal).toContain('Der Vorschlag passt nicht mehr: STL-2026-0301');
    printedOnly('refusal', refusal);
  }, 90_000);
});
