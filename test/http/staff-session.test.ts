/**
 * The workplace's sessions, CSRF protection and lock-out over real HTTP, without a browser: what a
 * cookie looks like, what is stored, when a session ends, which posts are refused, and that the
 * role's scopes and the four-eyes rule hold for people as they do for API keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/services/shared/ids.js';
import { forEachBackend } from '../support/backends.js';
import { FormClient, PASSWORD, startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';

forEachBackend('staff sessions over HTTP', (backend) => {
  let f: StaffFixture;
  const client = () => new FormClient(f.server.url);
  beforeAll(async () => {
    f = await startStaffFixture(backend);
    await f.user('clara', 'clerk', 'Clara Kasse');
    await f.user('anton', 'approver', 'Anton Auge');
    await f.user('berta', 'approver', 'Berta Blick');
    await f.user('vera', 'viewer', 'Vera Viewer');
  });
  afterAll(async () => f?.close());

  it('sends anonymous visitors to the sign-in page with where they wanted to go', async () => {
    const c = client();
    for (const path of ['/', '/review?q=M%C3%BCller&sort=amount:desc', '/statements', '/items/123', '/approvals', '/import']) {
      const res = await c.get(path);
      expect(res.status, path).toBe(303);
      expect(res.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    const login = await c.get('/login?next=%2Freview');
    expect(login.status).toBe(200);
    expect(login.text).toContain('<html lang="de">');
    expect(login.text).toContain('Anmelden bei der Stadtkasse');
    expect(login.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'nonce-[A-Za-z0-9]+'.*form-action 'self'.*frame-ancestors 'none'/);
    expect(login.headers.get('cache-control')).toBe('no-store');
  });

  it('signs in: a new HttpOnly SameSite=Lax cookie, only its hash stored, back to the page asked for', async () => {
    const c = client();
    const res = await c.login('Clara', PASSWORD, '/review');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/review');
    const cookie = res.setCookies.find((s) => s.startsWith('stk_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/); // PUBLIC_BASE_URL is http here
    const token = c.cookies.get('stk_session')!;
    expect(token).toMatch(/^[A-Za-z0-9]{43}$/);
    const rows = await f.server.db.prisma.staffSession.findMany();
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    expect(rows.map((r) => r.tokenHash)).toContain(await sha256Hex(token));

    const home = await c.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Angemeldet: Clara Kasse (Sachbearbeitung)');
    const audit = await f.server.db.prisma.auditEntry.findFirst({ where: { action: 'user.signed_in' }, orderBy: { seq: 'desc' } });
    expect(audit).toMatchObject({ actorType: 'user', subjectType: 'user' });
  });

  it('refuses a wrong password or an unknown name with the same words, and a sign-in form without its token', async () => {
    const c = client();
    const wrong = await c.login('clara', 'nicht das Passwort');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Benutzername oder Passwort ist falsch.');
    expect(wrong.setCookies.some((s) => s.startsWith('stk_session='))).toBe(false);
    const unknown = await c.login('niemand', 'nicht das Passwort');
    expect(unknown.status).toBe(401);
    expect(unknown.text).toContain('Benutzername oder Passwort ist falsch.');

    // Another site posting a sign-in (login CSRF): no token cookie to match, nothing happens.
    const forged = await client().request('/login', { form: { _csrf: 'x'.repeat(32), username: 'clara', password: PASSWORD } });
    expect(forged.status).toBe(403);
    expect(forged.setCookies.some((s) => s.startsWith('stk_session='))).toBe(false);
  });

  it('locks a name after 5 failed sign-ins in 15 minutes, says so, audits it, and lets the right password in after the window', async () => {
    await f.user('lotte', 'clerk', 'Lotte Los');
    const c = client();
    for (let i = 1; i <= 4; i++) expect((await c.login('lotte', `falsch-${i}`)).status).toBe(401);
    const fifth = await c.login('lotte', 'falsch-5');
    expect(fifth.status).toBe(429);
    expect(fifth.text).toMatch(/Zu viele fehlgeschlagene Anmeldungen\. Die Anmeldung für diesen Namen ist bis \d\d:\d\d Uhr gesperrt\./);
    // Locked means locked: the right password does not get in either.
    const right = await c.login('lotte', PASSWORD);
    expect(right.status).toBe(429);
    expect(right.setCookies.some((s) => s.startsWith('stk_session='))).toBe(false);
    const user = await f.server.db.prisma.user.findUniqueOrThrow({ where: { username: 'lotte' } });
    const audit = await f.server.db.prisma.auditEntry.findMany({ where: { action: 'user.locked_out', subjectId: user.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.reason).toMatch(/5 failed sign-ins within 15 minutes/);
    // Another person is not affected.
    expect((await client().login('clara')).status).toBe(303);

    f.clock.advance(15 * 60_000 + 1000);
    expect((await c.login('lotte', PASSWORD)).status).toBe(303);
  });

  it('locks unknown names the same way, so the lock-out does not tell which names exist', async () => {
    const c = client();
    for (let i = 1; i <= 4; i++) expect((await c.login('gibt-es-nicht', 'x')).status).toBe(401);
    expect((await c.login('gibt-es-nicht', 'x')).status).toBe(429);
  });

  it('ends a session at sign-out: the old cookie no longer opens a page', async () => {
    const c = client();
    await c.login('clara');
    const token = c.cookies.get('stk_session')!;
    const csrf = await c.csrf('/');
    const out = await c.request('/logout', { form: { _csrf: csrf } });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/login?m=out');
    expect(out.setCookies.find((s) => s.startsWith('stk_session='))).toMatch(/Max-Age=0/);
    const replay = new FormClient(f.server.url);
    replay.cookies.set('stk_session', token);
    const res = await replay.get('/');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/login?next=%2F&m=expired');
    expect((await replay.get('/login?next=%2F&m=expired')).text).toContain('Ihre Sitzung ist abgelaufen');
  });

  it('ends a session after 30 idle minutes, and after 10 hours however active', async () => {
    const c = client();
    await c.login('clara');
    f.clock.advance(29 * 60_000);
    expect((await c.get('/')).status).toBe(200);
    f.clock.advance(31 * 60_000);
    expect((await c.get('/')).status).toBe(303);

    const busy = client();
    await busy.login('clara');
    for (let minutes = 0; minutes < 9 * 60 + 40; minutes += 20) {
      f.clock.advance(20 * 60_000);
      expect((await busy.get('/')).status, `after ${minutes + 20} minutes`).toBe(200);
    }
    f.clock.advance(20 * 60_000);
    expect((await busy.get('/')).status).toBe(303);
  });

  describe('CSRF', () => {
    let payment: string;
    beforeAll(async () => {
      await f.importStatement({ id: 'CSRF-1', entries: [{ amount: '12.00', name: 'Unbekannt', remittance: ['irgendwas'] }] });
      payment = (await f.receipts('CSRF-1'))[0]!.id;
    });

    it('refuses a form post without the token, with another session’s token, or from another site', async () => {
      const clara = client();
      await clara.login('clara');
      const other = client();
      await other.login('clara');
      const otherToken = await other.csrf('/');
      const own = await clara.csrf(`/review/${payment}`);
      expect(own).not.toBe(otherToken);

      const none = await clara.request(`/review/${payment}/park`, { form: { note: 'Rückruf' } });
      expect(none.status).toBe(403);
      expect(none.text).toContain('Formular abgelehnt');
      expect((await clara.request(`/review/${payment}/park`, { form: { note: 'Rückruf', _csrf: otherToken } })).status).toBe(403);
      expect((await clara.request(`/review/${payment}/park`, { form: { note: 'Rückruf', _csrf: own }, headers: { origin: 'https://evil.example' } })).status).toBe(403);
      expect((await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: payment } })).matchState).not.toBe('parked');

      const ok = await clara.request(`/review/${payment}/park`, { form: { note: 'Rückruf abwarten', _csrf: own }, headers: { origin: f.server.url } });
      expect(ok.status).toBe(303);
      expect((await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: payment } })).matchState).toBe('parked');
      const audit = await f.server.db.prisma.auditEntry.findFirstOrThrow({ where: { action: 'payment.parked', subjectId: payment } });
      expect(audit.actorType).toBe('user');
    });

    it('refuses a sign-out without the token (no one can sign a person out from another site)', async () => {
      const c = client();
      await c.login('clara');
      expect((await c.request('/logout', { form: {} })).status).toBe(403);
      expect((await c.get('/')).status).toBe(200);
    });
  });

  it('never redirects to another site after sign-in', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
      const res = await client().login('clara', PASSWORD, next);
      expect(res.status).toBe(303);
      expect(res.location).toBe('/');
    }
  });

  it('applies the role’s scopes: a viewer cannot book, a clerk cannot open approvals', async () => {
    const vera = client();
    await vera.login('vera');
    expect((await vera.get('/statements')).status).toBe(200);
    expect((await vera.get('/review')).status).toBe(403);
    const token = await vera.csrf('/');
    expect((await vera.request('/review/x/park', { form: { _csrf: token, note: 'x' } })).status).toBe(403);
    const clara = client();
    await clara.login('clara');
    const approvals = await clara.get('/approvals');
    expect(approvals.status).toBe(403);
    expect(approvals.text).toContain('Keine Berechtigung');
    expect((await clara.get('/')).text).not.toContain('href="/approvals"');
  });

  it('four eyes: the proposer sees no approve button and is refused by the server; a second approver books it', async () => {
    const item = await f.item('750.00', 'Gisela Großbetrag');
    await f.importStatement({ id: 'FOUR-S', entries: [{ amount: '750.00', name: 'G. Grossbetrag GmbH', remittance: ['Hallenmiete'] }] });
    const [r] = await f.receipts('FOUR-S');
    const anton = client();
    await anton.login('anton');
    const proposed = await anton.request(`/review/${r!.id}/allocate`, {
      form: { _csrf: await anton.csrf(`/review/${r!.id}`), kassenzeichen1: item.kassenzeichen, amount1: '750,00', note: 'Firma zahlt für Frau Großbetrag' },
    });
    expect(proposed.status).toBe(303);
    const approval = await f.server.db.prisma.approval.findFirstOrThrow({ where: { transactionId: r!.id } });
    expect(approval).toMatchObject({ status: 'pending', proposedBy: `user:${(await f.server.db.prisma.user.findUniqueOrThrow({ where: { username: 'anton' } })).id}` });

    const inbox = await anton.get('/approvals');
    expect(inbox.text).toContain('Sie haben diese Buchung vorgeschlagen');
    expect(inbox.text).not.toContain(`/approvals/${approval.id}/approve`);
    const self = await anton.request(`/approvals/${approval.id}/approve`, { form: { _csrf: await anton.csrf('/approvals') } });
    expect(self.status).toBe(403);
    expect(self.text).toContain('second person');
    expect((await f.server.db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe('pending');

    const berta = client();
    await berta.login('berta');
    const page = await berta.get('/approvals');
    expect(page.text).toContain(`/approvals/${approval.id}/approve`);
    expect(page.text).toContain('Anton Auge');
    const ok = await berta.request(`/approvals/${approval.id}/approve`, { form: { _csrf: await berta.csrf('/approvals'), note: 'Vertrag liegt vor' } });
    expect(ok.status).toBe(303);
    expect(await f.server.db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } })).toMatchObject({ status: 'approved', decisionNote: 'Vertrag liegt vor' });
    expect((await f.server.api(`/v1/items/${item.id}`, { key: f.itemsKey }).then((x) => x.json()) as any).status).toBe('paid');
  });

  it('leaves the API alone: bearer keys work, cookies do not authenticate /v1', async () => {
    const c = client();
    await c.login('clara');
    const res = await fetch(f.server.url + '/v1/review', { headers: { cookie: c.cookieHeader() } });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-security-policy')).toBeNull();
  });
});

describe('staff sessions behind https', () => {
  let f: StaffFixture;
  beforeAll(async () => {
    f = await startStaffFixture('sqlite', { PUBLIC_BASE_URL: 'https://kasse.musterstadt.example' });
    await f.user('clara', 'clerk');
  });
  afterAll(async () => f?.close());

  it('marks the cookie Secure with the __Host- prefix when PUBLIC_BASE_URL is https', async () => {
    const c = new FormClient(f.server.url);
    const res = await c.login('clara');
    expect(res.status).toBe(303);
    const cookie = res.setCookies.find((s) => s.startsWith('__Host-stk_session='))!;
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/);
  });
});
