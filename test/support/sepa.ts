/**
 * What the SEPA tests share: a collection date the rules accept, and calls to the API as the
 * issuing service unless a call names another key.
 */
import type { ReviewFixture } from '../http/review.fixture.js';

/** A weekday `days` or more from today, as YYYY-MM-DD. */
export function weekdayAfter(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  while ([0, 6].includes(d.getUTCDay())) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** `call(path, { method, json, key })` on the fixture, with `defaultKey()` when no key is named (both read when called: the fixture starts in beforeAll). */
export function apiAs(fixture: () => ReviewFixture, defaultKey: () => string) {
  return (path: string, init: { method?: string; json?: unknown; key?: string } = {}) =>
    fixture().json(path, { key: init.key ?? defaultKey(), ...(init.method ? { method: init.method } : {}), ...(init.json !== undefined ? { json: init.json } : {}) });
}
