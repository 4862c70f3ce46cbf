/**
 * The pure parts of staff accounts: password hashes (format, verification, tampered parameters),
 * roles to scopes, CSRF tokens bound to a session, and how amounts and days typed into the
 * workplace's forms are read.
 */
import { describe, expect, it } from 'vitest';
import { hasScope } from '../../../src/context.js';
import { ARGON2_PARAMS, hashPassword, needsRehash, passwordProblem, verifyPassword } from '../../../src/services/users/passwords.js';
import { ROLE_SCOPES, userActor } from '../../../src/services/users/roles.js';
import { csrfTokenFor, csrfTokenMatches } from '../../../src/services/users/sessions.js';
import { safeNext } from '../../../src/http/session.js';
import { amountFromInput, dayFromInput, percentOf } from '../../../src/ui/staff/i18n.js';

describe('password hashes', () => {
  it('are Argon2id PHC strings with OWASP parameters and a fresh salt, and verify only the right password', async () => {
    const a = await hashPassword('Kassenbuch-2026!');
    const b = await hashPassword('Kassenbuch-2026!');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('Kassenbuch-2026!', a)).toBe(true);
    expect(await verifyPassword('Kassenbuch-2026?', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    expect(needsRehash(a)).toBe(false);
  });

  it('treats the same password in composed and decomposed Unicode as the same (NFC)', async () => {
    const h = await hashPassword('Müller-Kasse-2026');
    expect(await verifyPassword('Mu\u0308ller-Kasse-2026', h)).toBe(true);
  });

  it('refuses malformed or tampered hashes instead of running them', async () => {
    const h = await hashPassword('Kassenbuch-2026!');
    expect(await verifyPassword('Kassenbuch-2026!', h.replace('m=19456', 'm=9999999'))).toBe(false);
    expect(await verifyPassword('Kassenbuch-2026!', 'plain text')).toBe(false);
    expect(await verifyPassword('Kassenbuch-2026!', h.replace('$argon2id$', '$argon2i$'))).toBe(false);
  });

  it('asks for a rehash when stored with weaker parameters than today', async () => {
    const weak = await hashPassword('Kassenbuch-2026!', { m: 1024, t: 1, p: 1 });
    expect(await verifyPassword('Kassenbuch-2026!', weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
    expect(ARGON2_PARAMS.m).toBeGreaterThanOrEqual(19_456);
  });

  it.each([
    ['kurz', 'at least 12'],
    ['x'.repeat(257), 'at most 256'],
    ['zwölf Zeichen', null],
  ])('password rule for %j', (pw, problem) => {
    const p = passwordProblem(pw);
    if (problem === null) expect(p).toBeNull();
    else expect(p).toContain(problem);
  });
});

describe('roles', () => {
  it.each([
    ['viewer', ['items:read', 'statements:read'], ['review', 'approve', 'statements:import']],
    ['clerk', ['review', 'statements:import', 'items:write', 'statements:read'], ['approve', 'admin']],
    ['approver', ['review', 'approve', 'statements:import'], ['admin']],
    ['admin', ['review', 'approve', 'admin', 'export'], []],
  ] as const)('%s may %j and not %j', (role, may, mayNot) => {
    const actor = userActor({ id: 'u1', displayName: 'X', role });
    expect(actor.type).toBe('user');
    for (const s of may) expect(hasScope(actor, s), s).toBe(true);
    for (const s of mayNot) expect(hasScope(actor, s), s).toBe(false);
  });

  it('an unknown role carries no scope at all', () => {
    expect(userActor({ id: 'u', displayName: 'X', role: 'superuser' }).scopes.size).toBe(0);
    expect(Object.keys(ROLE_SCOPES)).toEqual(['viewer', 'clerk', 'approver', 'admin']);
  });
});

describe('CSRF tokens', () => {
  it('belong to one session token and compare exactly', () => {
    const a = csrfTokenFor('A'.repeat(43));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(csrfTokenFor('A'.repeat(43))).toBe(a);
    expect(csrfTokenFor('B'.repeat(43))).not.toBe(a);
    expect(csrfTokenMatches('A'.repeat(43), a)).toBe(true);
    expect(csrfTokenMatches('A'.repeat(43), a.toUpperCase())).toBe(false);
    expect(csrfTokenMatches('A'.repeat(43), undefined)).toBe(false);
    expect(csrfTokenMatches('A'.repeat(43), '')).toBe(false);
  });
});

describe('where to go after signing in', () => {
  it.each([
    ['/review?q=x', '/review?q=x'],
    [undefined, '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['/ok\r\nSet-Cookie: x=1', '/'],
  ])('%j → %j', (next, expected) => expect(safeNext(next)).toBe(expected));
});

describe('what clerks type', () => {
  it.each([
    ['1.234,50', '1234.50'],
    ['1234,5', '1234.50'],
    ['1234.50', '1234.50'],
    ['1.234', '1234.00'],
    ['12', '12.00'],
    [' 30,70 € ', '30.70'],
    ['0,01', '0.01'],
    ['12,345', null],
    ['1,2,3', null],
    ['-5', null],
    ['zwölf', null],
    ['', null],
  ])('amount %j → %j', (typed, expected) => expect(amountFromInput(typed)).toBe(expected));

  it.each([
    ['31.12.2026', '2026-12-31'],
    ['1.2.2026', '2026-02-01'],
    ['2026-11-16', '2026-11-16'],
    ['16/11/2026', null],
    ['gestern', null],
  ])('day %j → %j', (typed, expected) => expect(dayFromInput(typed)).toBe(expected));

  it('percentages round down and say "–" when there is nothing to divide', () => {
    expect(percentOf('de', 1, 3)).toBe('33 %');
    expect(percentOf('en', 2, 3)).toBe('66%');
    expect(percentOf('de', 0, 0)).toBe('–');
  });
});
