/**
 * Online payments in the workplace, in Chromium: citizens pay through the built-in test mode
 * provider, the provider's payouts arrive on a statement (one exact, one short by a fee), and a
 * clerk finds the payments by state, amount and Kassenzeichen, downloads them, opens one with its
 * history and payout, reads the clearing account, and sees an item paid online as paid, not as
 * waiting for money. Every page at 390 and 1366 px: no sideways scrolling, no raw keys, no English,
 * axe-core clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, openPage } from './browser.js';
import { holdsUp, plain } from './holdsUp.js';
import { PASSWORD, startStaffFixture, type StaffFixture } from './staffFixture.js';
import { localUrl, startOnlineAsCitizen, visit } from '../http/online-support.js';

const suite = chromiumMissing ? describe.skip : describe;
const PROVIDER = { name: 'Testmodus Zahlungsanbieter', iban: 'DE51370400440532099917' };

interface Paid {
  itemId: string;
  /** As printed on the notice: the one spelling the workplace shows. */
  kassenzeichen: string;
  paymentId: string;
  reference: string;
}

suite(`online payments in the workplace, in chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let f: StaffFixture;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const paid: Record<string, Paid> = {};

  /** A claim the citizen pays online (or cancels at the provider). */
  async function payOnline(amount: string, debtor: string, choice: 'pay' | 'cancel' = 'pay'): Promise<Paid> {
    const item = await f.item(amount, debtor);
    const pr = (await (await f.server.api('/v1/payment-requests', { method: 'POST', key: f.itemsKey, json: { itemIds: [item.id] } })).json()) as { id: string; paymentUrl: string };
    const token = pr.paymentUrl.split('/pay/')[1]!;
    const start = await startOnlineAsCitizen(f.server, token);
    const posted = await visit(localUrl(f.server, start.location), { method: 'POST', body: new URLSearchParams({ choice }) });
    await visit(localUrl(f.server, posted.location!));
    const payment = await f.server.db.prisma.onlinePayment.findFirstOrThrow({ where: { paymentRequestId: pr.id } });
    return { itemId: item.id as string, kassenzeichen: item.kassenzeichenDisplay as string, paymentId: payment.id, reference: payment.reference };
  }

  beforeAll(async () => {
    [f, browser] = await Promise.all([startStaffFixture('sqlite', { ONLINE_PAYMENT_POLL_SECONDS: '0' }), launchChromium()]);
    await f.user('clara', 'clerk', 'Clara Kasse');
    paid.settled = await payOnline('50.00', 'Olga Online');
    paid.fee = await payOnline('70.50', 'Paul Pauschal');
    paid.transit = await payOnline('19.90', 'Tina Transit');
    paid.cancelled = await payOnline('12.00', 'Carl Abbruch', 'cancel');
    // The provider pays out: the first exactly, the second short by a fee (to be looked at).
    await f.importStatement({
      id: 'ONL-PAYOUT',
      entries: [
        { ref: 'PSP-EXACT', amount: '50.00', e2e: paid.settled.reference, name: PROVIDER.name, iban: PROVIDER.iban },
        { ref: 'PSP-FEE', amount: '69.80', e2e: paid.fee.reference, name: PROVIDER.name, iban: PROVIDER.iban },
      ],
    });
  }, 90_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await f?.close();
  });

  async function clerk(width: number): Promise<Page> {
    return openPage(browser, { baseUrl: f.server.url, width, contexts, user: 'clara', password: PASSWORD, acceptDownloads: true });
  }

  it('the states the fixture set up are what the pages should show', async () => {
    const states = await f.server.db.prisma.onlinePayment.findMany({ select: { id: true, status: true } });
    const of = (p: Paid) => states.find((s) => s.id === p.paymentId)?.status;
    expect([of(paid.settled!), of(paid.fee!), of(paid.transit!), of(paid.cancelled!)]).toEqual(['payed', 'payed', 'payed', 'canceled']);
  });

  for (const width of [390, 1366]) {
    it(`list, filters, one payment, clearing account and the item at ${width} px`, async () => {
      const page = await clerk(width);
      await page.goto(`${f.server.url}/`);
      await page.getByRole('link', { name: 'Online-Zahlungen' }).first().click();
      await page.waitForURL((u) => u.pathname === '/online-payments');
      expect(plain(await page.locator('.list-summary strong').textContent())).toBe('4 Online-Zahlungen');
      expect(await page.locator('tbody tr').count()).toBe(4);
      await holdsUp(page, 'online-list', width);

      // State at the provider: paid.
      await page.getByLabel('Stand beim Anbieter').selectOption({ label: 'bezahlt' });
      await page.getByRole('button', { name: 'Filtern' }).click();
      await page.waitForURL(/status=payed/);
      expect(plain(await page.locator('.list-summary strong').textContent())).toBe('3 Online-Zahlungen');

      // Amount range as typed in German, and a Kassenzeichen in its printed spelling.
      await page.goto(`${f.server.url}/online-payments?amountFrom=20&amountTo=${encodeURIComponent('70,50')}`);
      const refs = await page.locator('tbody th').allTextContents();
      expect(refs.sort()).toEqual([paid.settled!.reference, paid.fee!.reference].sort());
      await page.goto(`${f.server.url}/online-payments`);
      await page.getByLabel('Kassenzeichen').fill(paid.transit!.kassenzeichen);
      await page.getByRole('button', { name: 'Filtern' }).click();
      await page.waitForURL(/kassenzeichen=/);
      expect(await page.locator('tbody th').allTextContents()).toEqual([paid.transit!.reference]);
      expect(plain(await page.locator('tbody tr').textContent())).toContain('19,90 €');
      await holdsUp(page, 'online-list-filtered', width);

      // The download carries every row of the filter, with the German header.
      const download = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Als CSV herunterladen' }).click()]).then(([d]) => d);
      const csv = (await import('node:fs')).readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '').trim().split('\r\n');
      expect(csv[0]).toContain('Zahlungsreferenz;Begonnen;Bezahlt am;Betrag;Stand beim Anbieter');
      expect(csv).toHaveLength(2);
      expect(csv[1]).toContain(`${paid.transit!.reference};`);
      expect(csv[1]).toContain(';19,90;');

      // One payment: its state at the provider, the item, the payout that settled it, the history.
      await page.goto(`${f.server.url}/online-payments`);
      await page.getByRole('link', { name: paid.settled!.reference }).click();
      await page.waitForURL((u) => u.pathname === `/online-payments/${paid.settled!.paymentId}`);
      const detail = plain(await page.locator('main').textContent());
      expect(detail).toContain('Kreditkarte');
      expect(detail).toContain(paid.settled!.kassenzeichen);
      expect(detail).toContain('PSP-EXACT');
      expect(detail).toContain('ausgeglichen');
      expect(detail).toContain('ausgezahlt, vom Verrechnungskonto');
      await holdsUp(page, 'online-payment', width);

      await page.goto(`${f.server.url}/online-payments/${paid.fee!.paymentId}`);
      expect(plain(await page.locator('main').textContent())).toContain('mit Differenz, zu prüfen');
      await holdsUp(page, 'online-payment-fee', width);

      // The clearing account: 70,50 (payout in review) + 19,90 (not paid out) are still owed.
      await page.goto(`${f.server.url}/clearing`);
      expect(plain(await page.locator('[data-balance]').textContent())).toBe('90,40 €');
      const clearing = plain(await page.locator('main').textContent());
      expect(clearing).toContain('2 Zahlungen unterwegs');
      expect(clearing).toContain(paid.transit!.reference);
      expect(clearing).not.toContain(paid.settled!.reference);
      expect(clearing).toContain('PSP-EXACT');
      await holdsUp(page, 'online-clearing', width);

      // The item paid online reads paid, and does not say that no payment arrived.
      await page.goto(`${f.server.url}/items/${paid.transit!.itemId}`);
      const item = plain(await page.locator('main').textContent());
      expect(item).toContain('bezahlt');
      expect(item).not.toContain('Noch keine Zahlung zugeordnet');
      await page.getByRole('link', { name: paid.transit!.reference }).click();
      await page.waitForURL((u) => u.pathname === `/online-payments/${paid.transit!.paymentId}`);
      await holdsUp(page, 'online-payment-transit', width);
    }, 120_000);
  }
});
