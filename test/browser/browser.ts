/**
 * Debian's chromium driven by playwright-core, never a downloaded browser. When it is not installed
 * the browser tests are skipped, and the run says why (CI installs it: .ci/run).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

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
