/**
 * No open redirect after signing in: every trick a `next` address can play on a browser's URL
 * parser stays on this site. The table runs the check itself; the sign-ins run it through the real
 * /login, where the answer is a Location header a browser follows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeNext } from '../../src/http/session.js';
import { FormClient, PASSWORD, startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';

/** Addresses that must never leave the site (decoded, as the query parameter arrives). */
const HOSTILE: Array<[string, string]> = [
  ['tab between the slashes (browsers drop it: //evil.example)', '/\t/evil.example'],
  ['newline between the slashes', '/\n/evil.example'],
  ['carriage return between the slashes', '/\r/evil.example'],
  ['NUL', '/\u0000/evil.example'],
  ['vertical tab and form feed', '/\u000b\u000c/evil.example'],
  ['DEL and C1 controls', '/\u007f/evil.example'],
  ['C1 next line', '/\u0085/evil.example'],
  ['protocol-relative', '//evil.example'],
  ['three slashes', '///evil.example'],
  ['slash backslash', '/\\evil.example'],
  ['backslash slash', '\\/evil.example'],
  ['two backslashes', '\\\\evil.example'],
  ['backslash later in the path', '/a/..\\..\\/evil.example'],
  ['dot segment to a protocol-relative path', '/.//evil.example'],
  ['dot-dot segment to a protocol-relative path', '/a/..//evil.example'],
  ['encoded dot segments', '/%2e//evil.example'],
  ['scheme', 'https://evil.example/'],
  ['scheme without slashes', 'https:evil.example'],
  ['javascript scheme', 'javascript:alert(document.cookie)'],
  ['data scheme', 'data:text/html,<script>alert(1)</script>'],
  ['userinfo', '//user:pass@evil.example'],
  ['userinfo after a slash and tab', '/\t/user@evil.example'],
  ['leading space', ' //evil.example'],
  ['leading tab', '\t//evil.example'],
  ['ideographic space', '/\u3000/evil.example'],
  ['no-break space', '/\u00a0/evil.example'],
  ['line separator', '/\u2028/evil.example'],
  ['relative without slash', 'evil.example'],
  ['empty', ''],
  ['far too long', `/${'a'.repeat(5000)}`],
];

/** Addresses on the site that come back as they are. */
const OWN: Array<[string, string]> = [
  ['/review', '/review'],
  ['/review?q=M%C3%BCller&sort=amount:desc', '/review?q=M%C3%BCller&sort=amount:desc'],
  ['/items/123#history', '/items/123#history'],
  // Encoded slashes are part of one path segment: the browser stays here.
  ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
  ['/%5Cevil.example', '/%5Cevil.example'],
  ['/a/../statements', '/statements'],
];

describe('safeNext', () => {
  it.each(HOSTILE)('%s stays on the site', (_what, next) => {
    const out = safeNext(next);
    expect(out.startsWith('/')).toBe(true);
    expect(out.startsWith('//')).toBe(false);
    // What a browser makes of the Location: still our origin.
    expect(new URL(out.replace(/[\t\n\r]/g, ''), 'https://stadtkasse.example').origin).toBe('https://stadtkasse.example');
    expect(out).not.toContain('evil.example');
  });

  it.each(OWN)('%s is kept', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});

describe('signing in with a hostile next', () => {
  let f: StaffFixture;
  beforeAll(async () => {
    f = await startStaffFixture('sqlite');
    await f.user('clara', 'clerk', 'Clara Kasse');
  });
  afterAll(async () => f?.close());

  it.each(HOSTILE.slice(0, 24))('%s: redirected on the site', async (_what, next) => {
    const c = new FormClient(f.server.url);
    const res = await c.login('clara', PASSWORD, next);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/');
    // Signed in already: /login?next=… redirects the same way.
    const again = await c.get(`/login?next=${encodeURIComponent(next)}`);
    expect(again.location).toBe('/');
  });

  it('the reported address: /login?next=%2F%09%2Fevil.example', async () => {
    const c = new FormClient(f.server.url);
    await c.login('clara');
    const res = await c.get('/login?next=%2F%09%2Fevil.example');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/');
  });
});
