/**
 * Every staff and citizen page as a clerk, an approver and a citizen meet it, in Chromium at a
 * phone's 390 px and a desk's 1366×900: no sideways scrolling, no raw state keys, no English on a
 * German page, axe-core without violations. And the review page for a day of volume: what the
 * matcher suggested looked at again (a suggestion that overpays asks, one it doubts is not booked
 * by two keys), the first action above the fold, shortcuts for park, refund and reverse, a split
 * with any number of lines and its running remainder. Screenshots go to test-artifacts/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshot, openPage } from './browser.js';
import { holdsUp as checks, plain } from './holdsUp.js';
import { PASSWORD, startStaffFixture, type StaffFixture } from './staffFixture.js';

const suite = chromiumMissing ? describe.skip : describe;

suite(`pages that hold up, in chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let f: StaffFixture;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    [f, browser] = await Promise.all([startStaffFixture('sqlite'), launchChromium()]);
    await f.user('clara', 'clerk', 'Clara Kasse');
    await f.user('anton', 'approver', 'Anton Auge');
    await f.user('berta', 'approver', 'Berta Blick');
    // A fine paid in part twice: the first part payment's suggestion now overpays.
    const wagner = await f.item('35.00', 'Jörg Wagner', { category: 'fine' });
    await f.importStatement({ id: 'PG-1', entries: [{ ref: 'PG-1', amount: '24.95', name: 'Jörg Wagner', remittance: ['Verwarnungsgeld Rate'] }] });
    await f.importStatement({ id: 'PG-2', entries: [{ ref: 'PG-2', amount: '20.00', name: 'Jörg Wagner', remittance: [`Rest ${wagner.kassenzeichen}`] }] });
    ids.overpays = (await f.receipts('PG-1'))[0]!.id;
    // A clean suggestion (reference, amount and payer agree) beside a reversed booking with a long reason.
    const zora = await f.item('80.00', 'Zora Zahlerin');
    await f.importStatement({ id: 'PG-3', entries: [{ ref: 'PG-3', amount: '95.00', name: 'Zora Zahlerin', iban: 'DE89370400440532013000', remittance: [`Rechnung ${zora.kassenzeichen} Auftrag 123456789012`] }] });
    ids.clean = (await f.receipts('PG-3'))[0]!.id;
    ids.zoraItem = zora.id as string;
    // A big booking waiting for a second person.
    const gross = await f.item('750.00', 'Gisela Großbetrag');
    await f.importStatement({ id: 'PG-4', entries: [{ ref: 'PG-4', amount: '750.00', name: 'G. Grossbetrag GmbH', remittance: ['Hallenmiete Oktober'] }] });
    const big = (await f.receipts('PG-4'))[0]!.id;
    const anton = await f.server.db.prisma.user.findFirstOrThrow({ where: { username: 'anton' } });
    const { allocateManually } = await import('../../src/services/review/actions.js');
    await allocateManually({
      ctx: { db: f.server.db, config: f.server.config, clock: f.clock, log: f.server.logger, actor: { type: 'user', id: anton.id, name: 'Anton Auge', scopes: new Set(['review', 'approve']) } as never },
      input: { transactionId: big, allocations: [{ kassenzeichen: gross.kassenzeichen as string, amount: '750.00' }], note: 'Firma zahlt für Frau Großbetrag' },
    });
    // A citizen's payment request, paid.
    const citizen = await f.item('30.70', 'Bürger Bezahlt');
    const pr = (await (await f.server.api('/v1/payment-requests', { method: 'POST', key: f.itemsKey, json: { itemIds: [citizen.id] } })).json()) as { paymentUrl: string };
    ids.payUrl = pr.paymentUrl.replace(/^https?:\/\/[^/]+/, '');
    await f.importStatement({ id: 'PG-5', entries: [{ ref: 'PG-5', amount: '30.70', name: 'Bürger Bezahlt', remittance: [citizen.kassenzeichen as string] }] });
    ids.statement = (await f.server.db.prisma.statement.findFirstOrThrow({ where: { bankStatementId: 'PG-3' } })).id;
    ids.today = f.clock.now().toISOString().slice(0, 10);
    // A citizen's payment request not paid yet: the page with the bank details and the GiroCode.
    const unpaid = await f.item('42.00', 'Bürgerin Offen');
    const open = (await (await f.server.api('/v1/payment-requests', { method: 'POST', key: f.itemsKey, json: { itemIds: [unpaid.id] } })).json()) as { paymentUrl: string };
    ids.openPayUrl = open.paymentUrl.replace(/^https?:\/\/[^/]+/, '');
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await f?.close();
  });

  async function open(width: number, user?: string): Promise<Page> {
    return openPage(browser, { baseUrl: f.server.url, width, contexts, ...(user ? { user, password: PASSWORD } : {}) });
  }

  /** The checks every workplace page passes (test/browser/holdsUp.ts), its screenshot named for this file. */
  const holdsUp = (page: Page, name: string, width: number) => checks(page, `pages-${name}`, width);

  for (const width of [390, 1366]) {
    it(`every staff page at ${width} px`, async () => {
      const clerk = await open(width, 'clara');
      const pages: Array<[string, string]> = [
        ['dashboard', '/'],
        ['review-list', '/review'],
        ['review-overpays', `/review/${ids.overpays}`],
        ['review-clean', `/review/${ids.clean}`],
        ['statements', '/statements'],
        ['statement', `/statements/${ids.statement}`],
        ['items', '/items'],
        ['item', `/items/${ids.zoraItem}`],
        ['import', '/import'],
        ['closings', '/closings'],
        ['closing-day', `/closings/day/${ids.today}`],
        ['ageing', `/closings/ageing?asOf=${ids.today}`],
        ['online-payments', '/online-payments'],
        ['clearing', '/clearing'],
        ['sepa', '/sepa'],
        ['mandates', '/mandates'],
        ['unknown', '/gibt-es-nicht'],
      ];
      for (const [name, path] of pages) {
        await clerk.goto(`${f.server.url}${path}`);
        await holdsUp(clerk, name, width);
      }
      const approver = await open(width, 'berta');
      await approver.goto(`${f.server.url}/approvals`);
      const card = plain(await approver.locator('main').textContent());
      expect(card).toContain('G. Grossbetrag GmbH');
      expect(card).toContain('Hallenmiete Oktober');
      expect(card).toContain('jetzt offen: 750,00 €');
      await holdsUp(approver, 'approvals', width);
    }, 90_000);

    it(`the sign-in page and the citizen's page before paying, at ${width} px`, async () => {
      const page = await open(width);
      await page.goto(`${f.server.url}/login`);
      await holdsUp(page, 'login', width);
      await page.goto(`${f.server.url}${ids.openPayUrl}`);
      expect(plain(await page.locator('main').textContent())).toContain('42,00 €');
      await holdsUp(page, 'citizen-open', width);
    });

    it(`the citizen's page, paid, with a receipt, at ${width} px`, async () => {
      const page = await open(width);
      await page.goto(`${f.server.url}${ids.payUrl}`);
      expect(await page.locator('.notice.ok').count()).toBe(1);
      expect(plain(await page.locator('.receipt').textContent())).toContain('30,70 €');
      await holdsUp(page, 'citizen-paid', width);
    });
  }

  it('unknown addresses: a German page for a person, problem+json for the API', async () => {
    const page = await open(1366);
    const res = await page.goto(`${f.server.url}/nirgendwo`);
    expect(res!.status()).toBe(404);
    expect(plain(await page.locator('h1').textContent())).toBe('Seite nicht gefunden');
    const api = await page.request.get(`${f.server.url}/v1/nirgendwo`);
    expect(api.headers()['content-type']).toContain('application/problem+json');
  });

  it('the review page at 1366×900: first action above the fold; a suggestion the matcher doubts is not booked by 1 and Enter', async () => {
    const page = await open(1366, 'clara');
    await page.goto(`${f.server.url}/review/${ids.clean}`);
    const button = await page.locator('[data-suggestion="1"]').boundingBox();
    expect(button!.y + button!.height).toBeLessThanOrEqual(900);
    // Shortcuts for park, refund, reverse lead to their reason field.
    await page.keyboard.press('p');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('park-note');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('r');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('refund-note');

    // The part payment's suggestion (made again when items changed) is one the matcher doubts.
    await page.goto(`${f.server.url}/review/${ids.overpays}`);
    expect(plain(await page.locator('main').textContent())).toContain('Der Abgleich selbst zweifelt an diesem Vorschlag');
    await page.keyboard.press('1');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('checkbox');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(await f.server.db.prisma.allocation.count({ where: { transactionId: ids.overpays } })).toBe(0);

    // The split: another line in place, and the remainder runs along.
    await page.locator('#split-add').click();
    expect(await page.locator('fieldset.split-row').count()).toBe(4);
    await page.getByLabel('Betrag 1').fill('10,00');
    await page.getByLabel('Betrag 4').fill('4,95');
    expect(plain(await page.locator('#split-rest').textContent())).toBe('Noch zu verteilen: 10,00 €');
    await page.getByLabel('Betrag 4').fill('1.230');
    expect(plain(await page.locator('#split-rest').textContent())).toBe('Zu viel verteilt: 1.215,05 €');
    await screenshot(page, 'pages-review-split-1366');
  });
});
