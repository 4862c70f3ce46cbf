/**
 * Every list of the workplace says how many rows its filter finds and downloads all of them as CSV
 * (items, statements, approvals, refused deliveries, the closing book; the review list and online
 * payments have their own tests): the total on the page, the file's rows, its German header, the
 * filter kept. In Chromium at 390 and 1366 px: no sideways scrolling, no raw keys, no English,
 * axe-core clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { camt } from '../support/camtBuilder.js';
import { chromiumMissing, launchChromium, openPage } from './browser.js';
import { holdsUp, plain } from './holdsUp.js';
import { PASSWORD, startStaffFixture, type StaffFixture } from './staffFixture.js';

const suite = chromiumMissing ? describe.skip : describe;

suite(`lists with totals and CSV downloads, in chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let f: StaffFixture;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [f, browser] = await Promise.all([startStaffFixture('sqlite'), launchChromium()]);
    await f.user('clara', 'clerk', 'Clara Kasse');
    await f.user('anton', 'approver', 'Anton Auge');
    await f.user('berta', 'approver', 'Berta Blick');
    const big = await f.item('900.00', 'Gustav Groß');
    for (const name of ['Liste Eins', 'Liste Zwei', 'Liste Drei']) await f.item('12.50', name);
    await f.importStatement({ id: 'LIST-1', entries: [{ ref: 'LI-1', amount: '900.00', name: 'G. Gross GmbH', remittance: ['Hallenmiete'] }] });
    await f.importStatement({ id: 'LIST-2', entries: [{ ref: 'LI-2', amount: '5.00', name: 'Anna Anfang', remittance: ['Spende'] }] });
    // A booking of 900,00 waits for a second person.
    const [r] = await f.receipts('LIST-1');
    const anton = await f.server.db.prisma.user.findFirstOrThrow({ where: { username: 'anton' } });
    const { allocateManually } = await import('../../src/services/review/actions.js');
    await allocateManually({
      ctx: { db: f.server.db, config: f.server.config, clock: f.clock, log: f.server.logger, actor: { type: 'user', id: anton.id, name: 'Anton Auge', scopes: new Set(['review', 'approve']) } as never },
      input: { transactionId: r!.id, allocations: [{ kassenzeichen: big.kassenzeichen as string, amount: '900.00' }], note: 'Firma zahlt für Herrn Groß' },
    });
    // The statement LIST-2 delivered again with another amount: refused and kept.
    const changed = camt({ seq: 9001, id: 'LIST-2', entries: [{ ref: 'LI-2', amount: '6.00', name: 'Anna Anfang', remittance: ['Spende'] }] });
    const first = camt({ seq: 9001, id: 'LIST-2', entries: [{ ref: 'LI-2', amount: '5.00', name: 'Anna Anfang', remittance: ['Spende'] }] });
    const up = (xml: string, name: string) => f.server.api(`/v1/statements?fileName=${name}`, { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } });
    expect((await up(first, 'list-2.xml')).status).toBeLessThan(300);
    expect((await up(changed, 'list-2-korrigiert.xml')).status).toBe(409);
  }, 90_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await f?.close();
  });

  async function signedIn(user: string, width: number): Promise<Page> {
    return openPage(browser, { baseUrl: f.server.url, width, contexts, user: user, password: PASSWORD });
  }

  /** The page's total, and the rows of its CSV (fetched with the page's session), header first. */
  async function totalAndCsv(page: Page): Promise<{ total: string; lines: string[]; type: string }> {
    const total = plain(await page.locator('[data-total]').textContent());
    const href = await page.getByRole('link', { name: 'Als CSV-Datei herunterladen (alle Seiten)' }).getAttribute('href');
    const res = await page.request.get(`${f.server.url}${href}`);
    expect(res.status()).toBe(200);
    const lines = (await res.text()).replace(/^\ufeff/, '').trim().split('\r\n');
    return { total, lines, type: res.headers()['content-type'] ?? '' };
  }

  for (const width of [390, 1366]) {
    it(`items, statements, refused deliveries, closings and approvals at ${width} px: total, CSV, and pages that hold up`, async () => {
      const page = await signedIn('clara', width);
      const allItems = await f.server.db.prisma.openItem.count();

      await page.goto(`${f.server.url}/items`);
      let got = await totalAndCsv(page);
      expect(got.total).toBe(`${allItems} Posten`);
      expect(got.type).toContain('text/csv');
      expect(got.lines[0]).toBe('Kassenzeichen;Schuldner;Beschreibung;Betrag;Offen;Fällig;Stand');
      expect(got.lines).toHaveLength(allItems + 1);
      await holdsUp(page, 'list-items', width);
      // The filter is kept in the download.
      await page.goto(`${f.server.url}/items?debtor=Liste`);
      got = await totalAndCsv(page);
      expect(got.total).toBe('3 Posten');
      expect(got.lines).toHaveLength(4);
      expect(got.lines.slice(1).every((l) => l.includes(';Liste ') && l.includes(';12,50;'))).toBe(true);

      await page.goto(`${f.server.url}/statements`);
      got = await totalAndCsv(page);
      const statements = await f.server.db.prisma.statement.count();
      expect(got.total).toBe(`${statements} Kontoauszüge`);
      expect(got.lines).toHaveLength(statements + 1);
      expect(got.lines[0]!.startsWith('Auszug')).toBe(true);
      await holdsUp(page, 'list-statements', width);

      await page.goto(`${f.server.url}/refused-deliveries`);
      got = await totalAndCsv(page);
      expect(got.total).toBe('1 abgewiesene Lieferung');
      expect(got.lines).toHaveLength(2);
      expect(got.lines[1]).toContain('list-2-korrigiert.xml;LIST-2;');
      await holdsUp(page, 'list-refused', width);

      await page.goto(`${f.server.url}/closings`);
      got = await totalAndCsv(page);
      expect(got.total).toBe('0 Abschlüsse');
      expect(got.lines).toEqual(['Nr.;Zeitraum;Stand;Festgestellt von;Gegengezeichnet von;Kassen-Ist;Differenz']);
      await holdsUp(page, 'list-closings', width);

      const approver = await signedIn('berta', width);
      await approver.goto(`${f.server.url}/approvals`);
      got = await totalAndCsv(approver);
      expect(got.total).toBe('1 Freigabe offen');
      expect(got.lines).toHaveLength(2);
      expect(got.lines[1]).toContain(';900,00;');
      expect(got.lines[1]).toContain('G. Gross GmbH');
      expect(got.lines[1]).toContain('Anton Auge');
      await holdsUp(approver, 'list-approvals', width);
    }, 120_000);
  }
});
