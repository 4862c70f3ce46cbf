/**
 * SEPA direct debits in Chromium, as the citizen and the clerk meet them: the payment page with its
 * pre-notification (and, after release, "Einzug veranlasst") at a phone's 390 px and a desk's
 * 1366 px — no sideways scrolling, no English on the German page, axe-core clean; and a clerk who
 * records a mandate, amends its IBAN after it was used, and announces an item's collection from the
 * item's page, checked in the database; and the review page of a debit that two released refund
 * runs of its total could be, with both runs' refunds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createClientKey } from '../support/server.js';
import { chromiumMissing, launchChromium, openPage } from './browser.js';
import { holdsUp, plain } from './holdsUp.js';
import { PASSWORD, startStaffFixture, type StaffFixture } from './staffFixture.js';
import { weekdayAfter } from '../support/sepa.js';

const suite = chromiumMissing ? describe.skip : describe;

suite(`SEPA direct debits in chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let f: StaffFixture;
  let browser: Browser;
  let approver: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [f, browser] = await Promise.all([startStaffFixture('sqlite'), launchChromium()]);
    approver = await createClientKey(f.server, ['mandates', 'approve'], 'Kassenverwalter');
    await f.user('clara', 'clerk', 'Clara Kasse');
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await f?.close();
  });

  async function open(width: number, user?: string): Promise<Page> {
    return openPage(browser, { baseUrl: f.server.url, width, contexts, ...(user ? { user, password: PASSWORD } : {}) });
  }

  it('the citizen page announces the direct debit, then says "Einzug veranlasst"', async () => {
    const due = weekdayAfter(30);
    const item = await f.item('19.90', 'Jörg Müller', { dueDate: due, description: 'Hundesteuer 2027 für den Hund Bello aus der Hauptstraße' });
    const pr = (await (await f.server.api('/v1/payment-requests', { method: 'POST', key: f.itemsKey, json: { itemIds: [item.id] } })).json()) as { paymentUrl: string };
    const path = new URL(pr.paymentUrl).pathname;
    const m = (await (await f.server.api('/v1/mandates', { method: 'POST', json: { reference: 'HUNDESTEUER-2027-MUELLER-JOERG-4711', debtor: { name: 'Jörg Müller', iban: 'DE89370400440532013000' }, signedOn: '2026-01-15' } })).json()) as { id: string };
    expect((await f.server.api('/v1/direct-debits', { method: 'POST', json: { itemId: item.id, mandateId: m.id } })).status).toBe(201);

    for (const width of [390, 1366]) {
      const page = await open(width);
      await page.goto(`${f.server.url}${path}`);
      const notice = plain(await page.locator('[data-direct-debit]').textContent());
      expect(notice).toContain('von Ihrem Konto mit der Endung 3000 ein');
      expect(notice).toContain('DE98ZZZ09999999999');
      expect(notice).toContain('HUNDESTEUER-2027-MUELLER-JOERG-4711');
      expect(notice).toContain('Sonst zahlen Sie doppelt.');
      // All that is owed is collected: no GiroCode and no online payment to pay it twice with.
      expect(await page.locator('.online').count()).toBe(0);
      expect(await page.locator('img.qr').count()).toBe(0);
      expect(await page.locator('[data-nothing-to-transfer]').isVisible()).toBe(true);
      await holdsUp(page, 'citizen-direct-debit-announced', width);
    }

    const gathered = (await (await f.server.api('/v1/collection-runs', { method: 'POST', json: { collectionDate: due } })).json()) as { runs: Array<{ id: string }> };
    expect((await f.server.api(`/v1/collection-runs/${gathered.runs[0]!.id}/release`, { method: 'POST', key: approver, json: {} })).status).toBe(200);
    const page = await open(390);
    await page.goto(`${f.server.url}${path}`);
    expect(plain(await page.locator('[data-debit]').textContent())).toBe('Einzug veranlasst');
    expect(await page.locator('.online').count()).toBe(0);
    await holdsUp(page, 'citizen-direct-debit-initiated', 390);
  }, 90_000);

  it('a clerk records a mandate, amends its IBAN and announces an item from its page', async () => {
    const due = weekdayAfter(30);
    const item = await f.item('42.00', 'Greta Grundsteuer', { dueDate: due, description: 'Grundsteuer B 1. Quartal' });
    const page = await open(390, 'clara');
    await page.goto(`${f.server.url}/mandates`);
    await holdsUp(page, 'mandates-empty', 390);
    await page.getByLabel('Name des Kontoinhabers').fill('Greta Grundsteuer');
    await page.getByLabel('IBAN').fill('DE12 5001 0517 0648 4898 90');
    await page.getByLabel('Mandatsreferenz (leer: wird vergeben)').fill('GRUNDSTEUER-0815');
    await page.getByLabel('Unterschrieben am').fill('2026-02-01');
    await page.getByRole('button', { name: 'Mandat anlegen' }).click();
    await page.waitForLoadState('load');
    const m = await f.server.db.prisma.mandate.findUniqueOrThrow({ where: { reference: 'GRUNDSTEUER-0815' } });
    expect(m).toMatchObject({ debtorName: 'Greta Grundsteuer', debtorIban: 'DE12500105170648489890', status: 'active', signedOn: '2026-02-01' });
    expect(new URL(page.url()).pathname).toBe(`/mandates/${m.id}`);
    expect(plain(await page.getByRole('status').first().textContent())).toBe('Mandat GRUNDSTEUER-0815 angelegt.');
    await holdsUp(page, 'mandate', 390);

    // After a first collection, her new account is reported with the next one.
    await f.server.db.prisma.mandate.update({ where: { id: m.id }, data: { lastCollectedOn: '2026-06-01' } });
    await page.reload();
    await page.locator('#amend-iban').fill('DE02 1001 0010 9307 1186 03');
    await page.locator('#amend-note').fill('neue Hausbank laut Schreiben');
    await page.getByRole('button', { name: 'Änderung speichern' }).click();
    await page.waitForLoadState('load');
    const amended = await f.server.db.prisma.mandate.findUniqueOrThrow({ where: { id: m.id } });
    expect(amended.debtorIban).toBe('DE02100100109307118603');
    expect(JSON.parse(amended.pendingAmendment!)).toEqual({ originalIban: 'DE12500105170648489890' });
    expect(plain(await page.locator('[data-amendment]').textContent())).toContain('bisher: IBAN DE12 5001 0517 0648 4898 90');
    await holdsUp(page, 'mandate-amended', 390);

    await page.goto(`${f.server.url}/items/${item.id}`);
    await holdsUp(page, 'item-collect', 390);
    await page.getByLabel('Mandat', { exact: true }).selectOption(m.id);
    await page.getByRole('button', { name: 'Einzug ankündigen' }).click();
    await page.waitForLoadState('load');
    const debit = await f.server.db.prisma.directDebit.findFirstOrThrow({ where: { openItemId: item.id as string } });
    expect(debit).toMatchObject({ mandateId: m.id, state: 'announced', amountMinor: 4200n, collectionDate: due });
    expect(plain(await page.getByRole('status').first().textContent())).toMatch(/^Einzug von 42,00 € für .+ am \d\d\.\d\d\.\d{4} angekündigt\.$/);
    expect(await f.server.db.prisma.itemEvent.count({ where: { openItemId: item.id as string, type: 'item.collection_announced' } })).toBe(1);
    await holdsUp(page, 'item-announced', 390);
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(`${f.server.url}/mandates/${m.id}`);
    await holdsUp(page, 'mandate-with-debit', 1366);
  }, 90_000);

  it('the review page of a debit two refund runs could be', async () => {
    const marker = await createClientKey(f.server, ['review'], 'Kasse Prüfung');
    const gatherer = await createClientKey(f.server, ['refunds'], 'Kasse A');
    const post = (path: string, key: string, json: unknown = {}) => f.server.api(path, { method: 'POST', key, json }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));
    await f.importStatement({
      id: 'BR-IN',
      entries: [
        { ref: 'BR-IN-1', amount: '12.34', name: 'Anna Eins', iban: 'DE89370400440532013000', remittance: ['irrtum'] },
        { ref: 'BR-IN-2', amount: '12.34', name: 'Bernd Zwei', iban: 'DE12500105170648489890', remittance: ['irrtum'] },
      ],
    });
    for (const r of await f.receipts('BR-IN')) {
      expect((await post(`/v1/review/${r.id}/refund`, marker, { note: 'irrtümlich' })).status).toBe(200);
      const run = (await post('/v1/refund-runs', gatherer, { transactionIds: [r.id] })).body.run;
      expect((await post(`/v1/refund-runs/${run.id}/release`, approver)).status).toBe(200);
    }
    await f.importStatement({ id: 'BR-OUT', entries: [{ ref: 'BR-OUT', amount: '12.34', credit: false, name: 'Sammler', remittance: ['SEPA-SAMMLER'] }] });
    const [debit] = await f.receipts('BR-OUT');
    const page = await open(390, 'clara');
    await page.goto(`${f.server.url}/review/${debit!.id}`);
    expect(await page.locator('[data-refund-run]').count()).toBe(2);
    expect(plain(await page.locator('[data-refund-runs]').textContent())).toContain('Mehr als ein freigegebener Lauf hat genau diese Summe.');
    await holdsUp(page, 'review-refund-run-candidates', 390);
  }, 90_000);
});
