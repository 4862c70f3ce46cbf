/**
 * Debian's chromium driven by playwright-core, never a downloaded browser. When it is not installed
 * the browser tests are skipped, and the run says why (CI installs it: .ci/run).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const chromiumMissing = existsSync(CHROMIUM) ? '' : `Debian's chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`;
if (chromiumMissing) console.warn(`\n⚠ ${chromiumMissing}: the browser tests are SKIPPED.\n`);

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const SCREENSHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');

/** A full-page screenshot for a person to look at (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * A German page `width` px wide in a browser context of its own, kept in `contexts` to be closed
 * after the file; signed in at `baseUrl` as `user` (with `password`) when one is named. bypassCSP
 * only so that axe-core can be added to the page; the pages' own script runs under their CSP
 * either way.
 */
export async function openPage(
  browser: Browser,
  opts: { baseUrl: string; width: number; contexts: BrowserContext[]; user?: string; password?: string; acceptDownloads?: boolean },
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: opts.width, height: 900 }, locale: 'de-DE', bypassCSP: true, ...(opts.acceptDownloads ? { acceptDownloads: true } : {}) });
  opts.contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  if (opts.user) {
    await page.goto(`${opts.baseUrl}/login`);
    await page.getByLabel('Benutzername').fill(opts.user);
    await page.getByLabel('Passwort').fill(opts.password ?? '');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForLoadState('load');
  }
  return page;
}
