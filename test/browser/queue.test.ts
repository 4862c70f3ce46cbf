/**
 * The review queue through a clerk's day, in Chromium: the dashboard counts today's import, "next"
 * keeps the list's filter, suggestions come most confident first, a near miss is marked in the
 * remittance text with the difference shown in the spellings a person compares (as written, as
 * printed), a payment that came before its item is suggested once the item arrives, and a reversed
 * booking is reached with its key and holds up on a phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, openPage } from './browser.js';
import { holdsUp, plain } from './holdsUp.js';
import { PASSWORD, startStaffFixture, type StaffFixture } from './staffFixture.js';

const suite = chromiumMissing ? describe.skip : describe;

suite(`the review queue through a day, in chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let f: StaffFixture;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const tx: Record<string, string> = {};

  beforeAll(async () => {
    [f, browser] = await Promise.all([startStaffFixture('sqlite'), launchChromium()]);
    await f.user('clara', 'clerk', 'Clara Kasse');
    await f.item('25.00', 'Auto Matisch', { kassenzeichen: 'AUT-2026-0001' });
    await f.item('40.00', 'Nora Nahe', { kassenzeichen: 'NAH-2026-0112' });
    await f.item('20.00', 'Petra Teilung', { kassenzeichen: 'TEI-2026-0101' });
    await f.item('30.00', 'Petra Teilung', { kassenzeichen: 'TEI-2026-0102' });
    await f.importStatement({
      id: 'Q-1',
      entries: [
        { ref: 'Q-AUTO', amount: '25.00', name: 'Auto Matisch', remittance: ['AUT-2026-0001'] },
        // Two digits swapped: a near miss of NAH-2026-0112.
        { ref: 'Q-NEAR', amount: '40.00', name: 'Nora Nahe', remittance: ['Gebuehr NAH-2026-0121'] },
        // Two items quoted, less than both: a split and each item alone, with different confidence.
        { ref: 'Q-SPLIT', amount: '45.00', name: 'Petra Teilung', remittance: ['TEI-2026-0101 und TEI-2026-0102'] },
        // Two payments a filter finds, one it does not.
        { ref: 'Q-F1', amount: '11.00', name: 'Filter Eins', remittance: ['Sammelposten Fundsache'] },
        { ref: 'Q-OTHER', amount: '12.00', name: 'Anderer Zahler', remittance: ['Sonstiges'] },
        { ref: 'Q-F2', amount: '13.00', name: 'Filter Zwei', remittance: ['Sammelposten Fundsache'] },
        // Before its item: nothing to suggest yet.
        { ref: 'Q-EARLY', amount: '61.00', name: 'Lena Frueh', remittance: ['Hundesteuer'] },
      ],
    });
    for (const r of await f.server.db.prisma.bankTransaction.findMany({ where: { entryRef: { startsWith: 'Q-' } }, select: { id: true, entryRef: true } })) tx[r.entryRef] = r.id;
  }, 90_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await f?.close();
  });

  async function signedIn(width = 1366): Promise<Page> {
    return openPage(browser, { baseUrl: f.server.url, width, contexts, user: 'clara', password: PASSWORD });
  }
  const text = async (page: Page) => plain(await page.locator('main').innerText());

  it('the dashboard counts what was imported today', async () => {
    const page = await signedIn();
    const t = await text(page);
    const credits = await f.server.db.prisma.bankTransaction.count({ where: { entryRef: { startsWith: 'Q-' } } });
    const auto = await f.server.db.prisma.bankTransaction.count({ where: { entryRef: { startsWith: 'Q-' }, matchState: 'auto' } });
    expect(auto).toBeGreaterThan(0);
    expect(t).toContain(`${auto} von ${credits}`);
  });

  it('"next" keeps the filter: from one filtered payment to the other, not to one the filter leaves out', async () => {
    const page = await signedIn();
    await page.goto(`${f.server.url}/review?q=Sammelposten`);
    expect(plain(await page.locator('.list-summary strong').textContent())).toBe('2 Zahlungen');
    await page.locator('[data-row-link]').first().focus();
    await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/review/')), page.keyboard.press('Enter')]);
    const first = new URL(page.url()).pathname.split('/').pop()!;
    expect([tx['Q-F1'], tx['Q-F2']]).toContain(first);
    expect(new URL(page.url()).searchParams.get('q')).toBe('Sammelposten');
    await Promise.all([page.waitForURL((u) => u.pathname !== `/review/${first}`), page.keyboard.press('n')]);
    const url = new URL(page.url());
    expect(url.pathname).toBe(`/review/${first === tx['Q-F1'] ? tx['Q-F2'] : tx['Q-F1']}`);
    expect(url.searchParams.get('q')).toBe('Sammelposten');
  });

  it('suggestions come most confident first', async () => {
    const page = await signedIn();
    await page.goto(`${f.server.url}/review/${tx['Q-SPLIT']}`);
    const headings = (await page.locator('article.suggestion h3').allTextContents()).map(plain);
    expect(headings.length).toBeGreaterThan(1);
    const confidence = headings.map((h) => Number.parseInt(/(\d+)\s*%/.exec(h)![1]!, 10));
    expect(confidence).toEqual([...confidence].sort((a, b) => b - a));
    await holdsUp(page, 'queue-sorted', 1366);
  });

  it('a near miss is marked, with the difference between what was written and the Kassenzeichen as printed', async () => {
    const page = await signedIn();
    await page.goto(`${f.server.url}/review/${tx['Q-NEAR']}`);
    const mark = page.locator('.remittance mark.near');
    expect(plain(await mark.first().textContent())).toContain('NAH-2026-0121');
    expect(await mark.first().getAttribute('title')).toContain('NAH-2026-0112');
    const diff = plain(await page.locator('.near-misses').innerText());
    expect(diff).toContain('NAH-2026-0121 / NAH-2026-0112');
    expect(await page.locator('.near-misses .diff b').allTextContents()).toEqual(['21', '12']);
    const t = await text(page);
    for (const key of ['NAH20260112', 'NAH20260121']) expect(t).not.toContain(key);
    for (const width of [390, 1366]) {
      await page.setViewportSize({ width, height: 900 });
      await holdsUp(page, 'queue-near-miss', width);
    }
  });

  it('a payment that came before its item: "ohne Vorschlag", then "zu prüfen" with the item suggested once it arrives', async () => {
    const page = await signedIn();
    await page.goto(`${f.server.url}/review?q=Hundesteuer`);
    expect(plain(await page.locator('tbody').innerText())).toContain('ohne Vorschlag');
    await f.item('61.00', 'Lena Frueh', { kassenzeichen: 'HUN-2026-0061' });
    await expect.poll(async () => (await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: tx['Q-EARLY']! } })).matchState, { timeout: 15_000 }).toBe('review');
    await page.goto(`${f.server.url}/review?q=Hundesteuer`);
    const row = plain(await page.locator('tbody').innerText());
    expect(row).toContain('zu prüfen');
    expect(row).toContain('HUN-2026-0061');
  });

  it('a booking reversed with its key holds up on a phone and at a desk', async () => {
    const page = await signedIn();
    await page.goto(`${f.server.url}/review/${tx['Q-SPLIT']}`);
    const form = page.locator('form.confirm').first();
    for (const box of await form.locator('input[type=checkbox]').all()) await box.check();
    await Promise.all([page.waitForURL((u) => u.pathname !== `/review/${tx['Q-SPLIT']}`), form.locator('button[type=submit]').click()]);
    await page.goto(`${f.server.url}/review/${tx['Q-SPLIT']}`);
    await page.keyboard.press('x');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('reason');
    await page.keyboard.type('Zahlerin hat sich im Bescheid geirrt, die Zahlung gehört zu einem ganz anderen Vorgang der Stadtkasse Musterstadt');
    await Promise.all([page.waitForResponse((r) => r.url().includes('/reverse') && r.request().method() === 'POST'), page.keyboard.press('Enter')]);
    await page.waitForLoadState('load');
    expect(plain(await page.locator('p.notice').first().textContent())).not.toBe('');
    expect(await f.server.db.prisma.allocationReversal.count()).toBe(1);
    await page.goto(`${f.server.url}/review/${tx['Q-SPLIT']}`);
    expect(await text(page)).toContain('storniert');
    for (const width of [390, 1366]) {
      await page.setViewportSize({ width, height: 900 });
      await holdsUp(page, 'queue-reversed', width);
    }
  });
});
