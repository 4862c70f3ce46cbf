/**
 * The checks every workplace page passes in Chromium, at the page's current width: no sideways
 * scrolling, no raw state key, no English on a German page, axe-core without violations. A
 * full-page screenshot goes to test-artifacts/screenshots/ for a person to look at.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from './browser.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Text as a person reads it: the no-break spaces in "30,70 €" count as spaces. */
export const plain = (text: string | null) => (text ?? '').replace(/\u00a0/g, ' ');

/** State keys and English words that must not appear on a German page (names and remittance texts in the fixtures are German). */
export const RAW_KEYS = /\b(settlement_review|refund_booked|awaiting_approval|return_open|not_booked|partly_paid|unmatched|overpaid|clearing|payment_received|awaiting_credit|written_off|payed|superseded|CREDITCARD)\b/;
export const ENGLISH = /\b(payment|suggestion|booked|reload|cannot|nothing|allocation|confirmed|approval|refund(ed)?|overpay|not found|settlement|provider|in transit)\b/i;

export async function holdsUp(page: Page, name: string, width: number): Promise<void> {
  await screenshot(page, `${name}-${width}`);
  const { scrollWidth, innerWidth, text, wide } = await page.evaluate(() => {
    // What sticks out (the innermost elements), named in the failure so it can be found.
    const clipped = (e: Element) => {
      // An absolutely placed element escapes a scrolling box that is not positioned; those count.
      if (getComputedStyle(e).position === 'absolute' || getComputedStyle(e).position === 'fixed') return false;
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return true;
      return false;
    };
    const sticksOut = (e: Element) => e.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(e);
    const out = [...document.body.querySelectorAll('*')].filter((e) => sticksOut(e) && ![...e.children].some(sticksOut));
    const wide = out.slice(0, 3).map((e) => `${e.tagName.toLowerCase()}${e.className ? `.${String(e.className).replace(/\s+/g, '.')}` : ''} "${(e.textContent ?? '').trim().slice(0, 40)}"`);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, text: document.body.innerText, wide };
  });
  expect(scrollWidth, `${name} at ${width} px scrolls sideways (${wide.join('; ')})`).toBeLessThanOrEqual(innerWidth);
  expect(plain(text), `${name}: raw state key`).not.toMatch(RAW_KEYS);
  // The language switch is the one English word a German page carries, by design.
  expect(plain(text).replace(/English/g, ''), `${name}: English on a German page`).not.toMatch(ENGLISH);
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  });
  expect(violations, `${name} at ${width} px`).toEqual([]);
}
