/**
 * Paying online as the citizen does it, with Stadtkasse's real XBezahldienste client against the
 * test mode provider served on its own port: every status path (PAYED, FAILED, CANCELED, expiry),
 * the redirect never trusted without asking the provider, a provider that is down or refuses
 * connections (clear message, nothing booked, a later retry works), and each authentication mode
 * (HTTP Basic, OAuth2 client credentials with token caching and refresh, TLS client certificate).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { SYSTEM_ACTOR } from '../../src/context.js';
import { createUser } from '../../src/services/users/users.js';
import { FormClient } from '../browser/staffFixture.js';
import { runScheduledJobs } from '../../src/services/jobs/scheduled.js';
import { createServices } from '../../src/services/registry.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { makePki, postStart, startNonceIn, startOnlineAsCitizen, startTestProvider, visit, type Pki, type RunningTestProvider } from './online-support.js';

type Json = Record<string, any>;
const START = new Date('2026-11-21T09:00:00.000Z');

function clockAt(start: Date) {
  return { at: new Date(start), now() { return new Date(this.at); }, advance(ms: number) { this.at = new Date(this.at.getTime() + ms); } };
}

function providerEnv(tp: { url: string }, auth: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ key: 'epay', name: 'ePay Test', baseUrl: tp.url, originatorId: 'stadtkasse', endPointId: 'musterstadt', auth, payout: { ibans: ['DE89370400440532013000'], names: ['Payment Provider AG'] }, timeoutMs: 3000, ...extra });
}

/** A city with one claim and a payment link for it. */
async function claim(server: TestServer, amount = '30.70'): Promise<{ item: Json; token: string }> {
  const res = await server.api('/v1/items', { method: 'POST', json: { category: 'fee', amount, dueDate: '2026-12-31', description: 'Verwaltungsgebühr Bewohnerparkausweis', debtor: { name: 'Jürgen Müller' } } });
  expect(res.status).toBe(201);
  const item = (await res.json()) as Json;
  const pr = await server.api('/v1/payment-requests', { method: 'POST', json: { itemIds: [item.id] } });
  expect(pr.status).toBe(201);
  const token = ((await pr.json()) as Json).paymentUrl.split('/pay/')[1] as string;
  return { item, token };
}

/** Stadtkasse's own URLs name PUBLIC_BASE_URL; the test server listens elsewhere. */
function local(server: TestServer, url: string): string {
  return url.startsWith('/') ? server.url + url : url.replace(server.config.publicBaseUrl, server.url);
}

/** Clicks "Online bezahlen": answers the provider's payment page URL (or where we were sent instead). */
async function startOnline(server: TestServer, token: string): Promise<{ status: number; location: string }> {
  const r = await startOnlineAsCitizen(server, token);
  expect(r.location).not.toBe('');
  return r;
}

/** On the provider's page, choose pay/fail/cancel; follow the way back to our payment page. */
async function decideAndReturn(server: TestServer, payPage: string, choice: 'pay' | 'fail' | 'cancel'): Promise<{ returnUrl: string; landing: string; page: string }> {
  const page = await visit(payPage);
  expect(page.status).toBe(200);
  expect(page.text).toContain('TESTMODUS — es wird kein echtes Geld bewegt');
  const posted = await visit(payPage, { method: 'POST', body: new URLSearchParams({ choice }) });
  expect(posted.status).toBe(303);
  const back = await visit(local(server, posted.location!));
  expect(back.status).toBe(303);
  const landing = back.location!;
  const html = await visit(local(server, landing));
  return { returnUrl: posted.location!, landing, page: html.text };
}

/** The online payment a return address names: /online/return/{id}/{signature}. */
function paymentIdOf(returnUrl: string): string {
  return /\/online\/return\/([0-9a-f-]{36})\/[\w-]{43}$/.exec(returnUrl)![1]!;
}

async function item(server: TestServer, id: string): Promise<Json> {
  return (await (await server.api(`/v1/items/${id}`)).json()) as Json;
}

async function clearing(server: TestServer): Promise<Json[]> {
  return ((await (await server.api('/v1/online/clearing')).json()) as Json).providers as Json[];
}

forEachBackend('paying online with the XBezahldienste client (HTTP Basic)', (backend) => {
  let server: TestServer;
  let tp: RunningTestProvider;
  const clock = clockAt(START);

  beforeAll(async () => {
    tp = await startTestProvider({ clock, auth: { type: 'basic', username: 'stadtkasse', password: 'geheim-und-lang' }, transactionTtlMs: 6 * 3600_000 });
    server = await startTestServer(backend, { clock, env: { ONLINE_PAYMENT_PROVIDER: providerEnv(tp, { type: 'basic', username: 'stadtkasse', password: 'geheim-und-lang' }), ONLINE_PAYMENT_TTL_MINUTES: '30', ONLINE_PAYMENT_POLL_SECONDS: '0' } });
  });
  afterAll(async () => {
    await server?.close();
    await tp?.close();
  });

  it('INITIAL → PAYED: the citizen pays on the provider page; on return the status is read from the provider and the item is paid online, awaiting settlement', async () => {
    const { item: it0, token } = await claim(server, '30.70');
    const before = await visit(`${server.url}/pay/${token}`);
    expect(before.text).toContain('Online bezahlen');
    expect(before.text).toContain('ePay Test');
    const start = await startOnline(server, token);
    expect(start.location.startsWith(`${tp.url}/paypage/TP-`)).toBe(true);
    const tx = [...tp.provider.transactions.values()].at(-1)!;
    // What the provider got: our reference as purpose, the item with its amount, return path without the token.
    expect(tx.request.grosAmount).toBe('30.70');
    expect(tx.request.purpose).toMatch(/^OP-[A-Z2-9]{10}$/);
    expect(tx.request.items).toHaveLength(1);
    expect(tx.request.items[0]).toMatchObject({ id: it0.id, totalNetAmount: '30.70', totalTaxAmount: '0.00' });
    expect(tx.request.redirectUrl).not.toContain(token);

    const { landing, page } = await decideAndReturn(server, start.location, 'pay');
    expect(landing).toBe(`/pay/${token}?online=payed`);
    expect(page).toContain('Ihre Online-Zahlung ist bestätigt');
    expect(page).toContain('online bezahlt – vielen Dank');
    // One box says it, not two; no treasury words; a confirmation to keep.
    expect(page.match(/class="notice ok"/g)).toHaveLength(1);
    expect(page).not.toContain('Gutschrift');
    expect(page).toContain('Ihre Zahlungsbestätigung');
    // The clerk sees on the item's page that it was paid online, with the provider's state.
    await createUser({ ctx: { db: server.db, config: server.config, clock: { now: () => new Date() }, log: server.logger, actor: SYSTEM_ACTOR }, input: { username: `kasse-${it0.id.slice(0, 8)}`, role: 'clerk', password: 'Kassenbuch-2026!' } });
    const clerk = new FormClient(server.url);
    await clerk.login(`kasse-${it0.id.slice(0, 8)}`, 'Kassenbuch-2026!');
    const itemPage = (await clerk.get(`/items/${it0.id}`)).text;
    expect(itemPage).toContain('Online-Zahlungen');
    expect(itemPage).toContain(tx.request.purpose);
    expect(itemPage).not.toContain('Noch keine Zahlung zugeordnet');
    expect(page).not.toContain('>Online bezahlen<');
    expect((await item(server, it0.id)).status).toBe('paid');
    const payments = ((await (await server.api(`/v1/online/payments?paymentRequestId=`)).json()) as Json).payments as Json[];
    expect(payments[0]).toMatchObject({ status: 'payed', amount: '30.70', paymentMethod: 'CREDITCARD', provider: 'epay', providerTransactionId: tx.id });
    const positions = await clearing(server);
    expect(positions).toEqual([expect.objectContaining({ provider: 'epay', open: '30.70' })]);
    // The issuing service was told: item.paid event.
    const event = await server.db.prisma.itemEvent.findFirst({ where: { openItemId: it0.id, type: 'item.paid' } });
    expect(event).not.toBeNull();
  });

  it('the return address is signed: the online payment id alone (it is in the provider\'s reports), a forged or borrowed signature answer a plain 404 and never the payment link', async () => {
    const { token } = await claim(server, '7.00');
    await startOnline(server, token);
    const returnUrl = [...tp.provider.transactions.values()].at(-1)!.request.redirectUrl as string;
    expect(returnUrl).toMatch(new RegExp(`^${server.config.publicBaseUrl}/online/return/[0-9a-f-]{36}/[\\w-]{43}$`));
    const id = paymentIdOf(returnUrl);
    const signature = returnUrl.split('/').at(-1)!;
    const other = await claim(server, '8.00');
    await startOnline(server, other.token);
    const otherSignature = ([...tp.provider.transactions.values()].at(-1)!.request.redirectUrl as string).split('/').at(-1)!;
    const forged = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    for (const path of [`/online/return/${id}`, `/online/return/${id}/`, `/online/return/${id}/${forged}`, `/online/return/${id}/${otherSignature}`, `/online/return/${id}/${signature}/x`, `/online/return/${crypto.randomUUID()}/${signature}`]) {
      const r = await visit(server.url + path);
      expect(r.status, path).toBe(404);
      expect(r.location, path).toBeNull();
      expect(r.text, path).not.toContain(token);
      expect(r.text, path).toContain('Diese Seite gibt es nicht');
    }
    const ok = await visit(local(server, returnUrl));
    expect(ok.status).toBe(303);
    expect(ok.location).toBe(`/pay/${token}?online=pending`);
  });

  it('a GET (a link prefetcher, a preview) starts nothing; only the form with a nonce we issued for this request does', async () => {
    const { token } = await claim(server, '6.10');
    const other = await claim(server, '6.20');
    const before = tp.provider.transactions.size;
    const prefetch = await visit(`${server.url}/pay/${token}/online`);
    expect(prefetch.status).toBe(303);
    expect(prefetch.location).toBe(`/pay/${token}`);
    const page = await visit(`${server.url}/pay/${token}`);
    expect(page.text).toMatch(/<form method="post" action="\/pay\/[^"]+\/online"><input type="hidden" name="nonce"/);
    // The page's CSP lets its form post to us (and nowhere else).
    expect((await fetch(`${server.url}/pay/${token}`)).headers.get('content-security-policy')).toContain("form-action 'self'");
    const nonce = startNonceIn(page.text)!;
    const otherNonce = startNonceIn((await visit(`${server.url}/pay/${other.token}`)).text)!;
    const forged = nonce.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
    // A cross-site page can post the form, but not with a nonce: none, a forged one, another request's.
    for (const n of ['', 'x', forged, otherNonce]) {
      const r = await postStart(server, token, n);
      expect(r, n).toEqual({ status: 303, location: `/pay/${token}` });
    }
    expect(tp.provider.transactions.size).toBe(before);
    const started = await postStart(server, token, nonce);
    expect(started.status).toBe(200);
    expect(started.location.startsWith(`${tp.url}/paypage/TP-`)).toBe(true);
    expect(tp.provider.transactions.size).toBe(before + 1);
  });

  it('one form starts at most one transaction: sent twice it resumes the attempt; after that attempt ended it starts nothing', async () => {
    const { token } = await claim(server, '6.30');
    const nonce = startNonceIn((await visit(`${server.url}/pay/${token}`)).text)!;
    const before = tp.provider.transactions.size;
    const first = await postStart(server, token, nonce);
    const again = await postStart(server, token, nonce);
    expect(again).toEqual(first);
    expect(tp.provider.transactions.size).toBe(before + 1);
    await decideAndReturn(server, first.location, 'cancel');
    expect(await postStart(server, token, nonce)).toEqual({ status: 303, location: `/pay/${token}` });
    expect(tp.provider.transactions.size).toBe(before + 1);
    // A fresh page gives a fresh form.
    expect((await startOnline(server, token)).location).not.toBe(first.location);
    expect(tp.provider.transactions.size).toBe(before + 2);
  });

  it('other amounts while an attempt is still INITIAL: the old one is superseded, never two live; a late PAYED for it is booked, and what the item no longer owes is to be refunded', async () => {
    const { item: it0, token } = await claim(server, '30.00');
    const a = await startOnline(server, token);
    const idA = [...tp.provider.transactions.values()].at(-1)!.request.requestId as string;
    expect((await server.api(`/v1/items/${it0.id}/amount`, { method: 'POST', json: { amount: '40.00', reason: 'Mahngebühr' } })).status).toBe(200);
    const b = await startOnline(server, token);
    expect(b.location).not.toBe(a.location);
    const rows = await server.db.prisma.onlinePayment.findMany({ where: { paymentRequestId: (await server.db.prisma.onlinePayment.findUniqueOrThrow({ where: { id: idA } })).paymentRequestId }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => [r.status, r.amountMinor])).toEqual([['superseded', 3000n], ['initial', 4000n]]);
    expect(rows.filter((r) => r.liveKey !== null)).toHaveLength(1);
    expect(await server.db.prisma.auditEntry.count({ where: { subjectId: idA, action: 'online_payment.superseded' } })).toBe(1);
    // A click again resumes B; it does not start a third.
    const count = tp.provider.transactions.size;
    expect((await startOnline(server, token)).location).toBe(b.location);
    expect(tp.provider.transactions.size).toBe(count);

    // The citizen had A's page open and paid there: money is money.
    await visit(a.location, { method: 'POST', body: new URLSearchParams({ choice: 'pay' }) });
    const refreshed = (await (await server.api(`/v1/online/payments/${idA}/refresh`, { method: 'POST' })).json()) as Json;
    expect(refreshed).toMatchObject({ status: 'payed', unallocated: '0.00' });
    expect(await item(server, it0.id)).toMatchObject({ status: 'partly_paid', paid: '30.00' });
    // And then B as well: only the 10.00 still owed is booked, 30.00 is owed back.
    await decideAndReturn(server, b.location, 'pay');
    expect(await item(server, it0.id)).toMatchObject({ status: 'paid', paid: '40.00' });
    const attention = ((await (await server.api('/v1/online/payments?needsAttention=true')).json()) as Json).payments as Json[];
    expect(attention.find((p) => p.id === rows[1]!.id)).toMatchObject({ amount: '40.00', unallocated: '30.00', refundDue: '30.00' });
  });

  it('the redirect alone proves nothing: returning without paying leaves the item open, and a second click resumes the same transaction', async () => {
    const { item: it0, token } = await claim(server, '12.00');
    const first = await startOnline(server, token);
    const returnUrl = [...tp.provider.transactions.values()].at(-1)!.request.redirectUrl;
    const back = await visit(local(server, returnUrl));
    expect(back.location).toBe(`/pay/${token}?online=pending`);
    expect((await item(server, it0.id)).status).toBe('open');
    const again = await startOnline(server, token);
    expect(again.location).toBe(first.location);
    const page = await visit(`${server.url}/pay/${token}`);
    expect(page.text).toContain('Zur begonnenen Online-Zahlung');
  });

  it.each([
    ['fail', 'failed', 'Die Online-Zahlung ist fehlgeschlagen'],
    ['cancel', 'canceled', 'Sie haben die Online-Zahlung abgebrochen'],
  ] as const)('INITIAL → %s: nothing booked, the page says so, and paying again works', async (choice, notice, text) => {
    const { item: it0, token } = await claim(server, '8.50');
    const start = await startOnline(server, token);
    const { landing, page } = await decideAndReturn(server, start.location, choice);
    expect(landing).toBe(`/pay/${token}?online=${notice}`);
    expect(page).toContain(text);
    expect(page).toContain('Online bezahlen');
    expect((await item(server, it0.id)).status).toBe('open');
    const retry = await startOnline(server, token);
    expect(retry.location).not.toBe(start.location);
    const done = await decideAndReturn(server, retry.location, 'pay');
    expect(done.landing).toBe(`/pay/${token}?online=payed`);
    expect((await item(server, it0.id)).status).toBe('paid');
  });

  it('expiry: an attempt not finished in time is given up, a new one can start, and a payment the provider still reports later is booked after all', async () => {
    const { item: it0, token } = await claim(server, '19.99');
    const start = await startOnline(server, token);
    const returnUrl = [...tp.provider.transactions.values()].at(-1)!.request.redirectUrl;
    clock.advance(31 * 60_000);
    const back = await visit(local(server, returnUrl));
    expect(back.location).toBe(`/pay/${token}?online=expired`);
    const expired = ((await (await server.api('/v1/online/payments?status=expired')).json()) as Json).payments as Json[];
    expect(expired.some((p) => p.id === paymentIdOf(returnUrl))).toBe(true);
    const fresh = await startOnline(server, token);
    expect(fresh.location).not.toBe(start.location);
    // The citizen had the old page open and paid there anyway: the provider's word counts.
    await visit(start.location, { method: 'POST', body: new URLSearchParams({ choice: 'pay' }) });
    const id = paymentIdOf(returnUrl);
    const refreshed = await server.api(`/v1/online/payments/${id}/refresh`, { method: 'POST' });
    expect(refreshed.status).toBe(200);
    expect(((await refreshed.json()) as Json).status).toBe('payed');
    expect((await item(server, it0.id)).status).toBe('paid');
    clock.advance(-31 * 60_000);
  });

  it('the provider expires an unpaid transaction itself: FAILED with statusDetail EXPIRED', async () => {
    const { item: it0, token } = await claim(server, '5.00');
    await startOnline(server, token);
    const returnUrl = [...tp.provider.transactions.values()].at(-1)!.request.redirectUrl;
    clock.advance(7 * 3600_000);
    const back = await visit(local(server, returnUrl));
    expect(back.location).toBe(`/pay/${token}?online=failed`);
    const id = paymentIdOf(returnUrl);
    const p = ((await (await server.api(`/v1/online/payments?status=failed`)).json()) as Json).payments.find((x: Json) => x.id === id);
    expect(p.statusDetail).toBe('EXPIRED');
    expect((await item(server, it0.id)).status).toBe('open');
    clock.advance(-7 * 3600_000);
  });

  it('a provider that answers 503: the citizen reads a clear message, nothing is booked, and a retry later works', async () => {
    const { item: it0, token } = await claim(server, '44.00');
    tp.provider.available = false;
    try {
      const start = await startOnline(server, token);
      expect(start.location).toBe(`/pay/${token}?online=unavailable`);
      const page = await visit(`${server.url}${start.location}`);
      expect(page.text).toContain('Der Zahlungsdienst ist gerade nicht erreichbar. Es wurde nichts gebucht.');
      expect((await item(server, it0.id)).status).toBe('open');
      const tried = ((await (await server.api('/v1/online/payments?status=unreachable')).json()) as Json).payments as Json[];
      expect(tried).toHaveLength(1);
      expect(tried[0]?.statusDetail).toBe('PROVIDER-UNREACHABLE');
    } finally {
      tp.provider.available = true;
    }
    const retry = await startOnline(server, token);
    expect(retry.location.startsWith(`${tp.url}/paypage/`)).toBe(true);
    const done = await decideAndReturn(server, retry.location, 'pay');
    expect(done.landing).toBe(`/pay/${token}?online=payed`);
  });

  it('a provider down while the citizen comes back: nothing is booked on the redirect, the status is fetched later', async () => {
    const { item: it0, token } = await claim(server, '3.30');
    const start = await startOnline(server, token);
    await visit(start.location, { method: 'POST', body: new URLSearchParams({ choice: 'pay' }) });
    const returnUrl = [...tp.provider.transactions.values()].at(-1)!.request.redirectUrl;
    tp.provider.available = false;
    try {
      const back = await visit(local(server, returnUrl));
      expect(back.location).toBe(`/pay/${token}?online=unchecked`);
      expect((await item(server, it0.id)).status).toBe('open');
    } finally {
      tp.provider.available = true;
    }
    const id = paymentIdOf(returnUrl);
    expect(((await (await server.api(`/v1/online/payments/${id}/refresh`, { method: 'POST' })).json()) as Json).status).toBe('payed');
    expect((await item(server, it0.id)).status).toBe('paid');
  });
});

describe('paying online: a provider that refuses connections, wrong credentials, polling', () => {
  it('connection refused: a clear message, nothing booked', async () => {
    const clock = clockAt(START);
    const closed = await startTestProvider({ clock, auth: { type: 'none' } });
    await closed.close();
    const server = await startTestServer('sqlite', { clock, env: { ONLINE_PAYMENT_PROVIDER: providerEnv(closed, { type: 'none' }), ONLINE_PAYMENT_POLL_SECONDS: '0' } });
    try {
      const { item: it0, token } = await claim(server);
      const start = await startOnline(server, token);
      expect(start.location).toBe(`/pay/${token}?online=unavailable`);
      expect((await item(server, it0.id)).status).toBe('open');
      const payments = ((await (await server.api('/v1/online/payments')).json()) as Json).payments as Json[];
      expect(payments).toEqual([expect.objectContaining({ status: 'unreachable', statusDetail: 'PROVIDER-UNREACHABLE' })]);
    } finally {
      await server.close();
    }
  });

  it('wrong Basic credentials: the provider answers FORBIDDEN, the citizen is told and nothing is booked', async () => {
    const clock = clockAt(START);
    const tp = await startTestProvider({ clock, auth: { type: 'basic', username: 'stadtkasse', password: 'richtig-und-lang' } });
    const server = await startTestServer('sqlite', { clock, env: { ONLINE_PAYMENT_PROVIDER: providerEnv(tp, { type: 'basic', username: 'stadtkasse', password: 'falsch-und-lang' }), ONLINE_PAYMENT_POLL_SECONDS: '0' } });
    try {
      const { item: it0, token } = await claim(server);
      const start = await startOnline(server, token);
      expect(start.location).toBe(`/pay/${token}?online=rejected`);
      const payments = ((await (await server.api('/v1/online/payments')).json()) as Json).payments as Json[];
      expect(payments[0]).toMatchObject({ status: 'failed', statusDetail: 'FORBIDDEN' });
      expect((await item(server, it0.id)).status).toBe('open');
    } finally {
      await server.close();
      await tp.close();
    }
  });

  it('polling: a citizen who paid and closed the browser is booked by the background re-check', async () => {
    const clock = clockAt(START);
    const tp = await startTestProvider({ clock, auth: { type: 'none' } });
    const server = await startTestServer('sqlite', { clock, env: { ONLINE_PAYMENT_PROVIDER: providerEnv(tp, { type: 'none' }), ONLINE_PAYMENT_POLL_SECONDS: '1' } });
    try {
      const { item: it0, token } = await claim(server);
      const start = await startOnline(server, token);
      await visit(start.location, { method: 'POST', body: new URLSearchParams({ choice: 'pay' }) });
      let status = 'open';
      for (let i = 0; i < 40 && status !== 'paid'; i++) {
        await new Promise((r) => setTimeout(r, 150));
        status = (await item(server, it0.id)).status;
      }
      expect(status).toBe('paid');
    } finally {
      await server.close();
      await tp.close();
    }
  });
});

describe('paying online: the scheduled run (the Workers cron)', () => {
  it('books a payment the citizen finished at the provider but never came back from', async () => {
    const clock = clockAt(START);
    const tp = await startTestProvider({ clock, auth: { type: 'none' } });
    // No background poller in the process: only the scheduled run asks the provider.
    const server = await startTestServer('sqlite', { clock, env: { ONLINE_PAYMENT_PROVIDER: providerEnv(tp, { type: 'none' }), ONLINE_PAYMENT_POLL_SECONDS: '0' } });
    try {
      const { item: it0, token } = await claim(server);
      const start = await startOnline(server, token);
      await visit(start.location, { method: 'POST', body: new URLSearchParams({ choice: 'pay' }) });
      expect((await item(server, it0.id)).status).toBe('open');

      const services = createServices(server.config, { db: server.db, clock, logger: server.logger });
      const ctx = { db: server.db, config: server.config, clock, log: server.logger };
      const run = await runScheduledJobs({ ctx, services, input: { outbox: false, rematchWindowMs: null, budgetMs: 5_000 } });
      expect(run.online).toEqual({ checked: 1, changed: 1, unreachable: false });
      expect((await item(server, it0.id)).status).toBe('paid');
      const again = await runScheduledJobs({ ctx, services, input: { outbox: false, rematchWindowMs: null, budgetMs: 5_000 } });
      expect(again.online?.changed).toBe(0);
    } finally {
      await server.close();
      await tp.close();
    }
  });
});

describe('paying online with OAuth2 client credentials', () => {
  let server: TestServer;
  let tp: RunningTestProvider;
  const clock = clockAt(START);

  beforeAll(async () => {
    tp = await startTestProvider({ clock, auth: { type: 'oauth2', clientId: 'stadtkasse', clientSecret: 's3cret-s3cret', tokenTtlSeconds: 600 } });
    server = await startTestServer('sqlite', { clock, env: { ONLINE_PAYMENT_PROVIDER: providerEnv(tp, { type: 'oauth2', tokenUrl: `${tp.url}/oauth/token`, clientId: 'stadtkasse', clientSecret: 's3cret-s3cret' }), ONLINE_PAYMENT_POLL_SECONDS: '0' } });
  });
  afterAll(async () => {
    await server?.close();
    await tp?.close();
  });

  it('fetches a token once and reuses it; a token the provider forgot is replaced on its 401; an expired one is renewed', async () => {
    const a = await claim(server, '10.00');
    const start = await startOnline(server, a.token);
    expect(start.location.startsWith(`${tp.url}/paypage/`)).toBe(true);
    expect((await decideAndReturn(server, start.location, 'pay')).landing).toBe(`/pay/${a.token}?online=payed`);
    expect(tp.provider.tokensIssued).toBe(1);

    tp.provider.revokeTokens();
    const b = await claim(server, '11.00');
    expect((await startOnline(server, b.token)).location.startsWith(`${tp.url}/paypage/`)).toBe(true);
    expect(tp.provider.tokensIssued).toBe(2);

    clock.advance(11 * 60_000);
    const c = await claim(server, '12.00');
    expect((await startOnline(server, c.token)).location.startsWith(`${tp.url}/paypage/`)).toBe(true);
    expect(tp.provider.tokensIssued).toBe(3);
  });

  it('wrong client secret: the token endpoint refuses, the citizen is told, nothing booked', async () => {
    const bad = await startTestServer('sqlite', { clock, env: { ONLINE_PAYMENT_PROVIDER: providerEnv(tp, { type: 'oauth2', tokenUrl: `${tp.url}/oauth/token`, clientId: 'stadtkasse', clientSecret: 'wrong' }), ONLINE_PAYMENT_POLL_SECONDS: '0' } });
    try {
      const { token } = await claim(bad);
      expect((await startOnline(bad, token)).location).toBe(`/pay/${token}?online=rejected`);
    } finally {
      await bad.close();
    }
  });
});

describe('paying online with a TLS client certificate', () => {
  let pki: Pki;
  let tp: RunningTestProvider;
  const clock = clockAt(START);

  beforeAll(async () => {
    pki = makePki();
    tp = await startTestProvider({ clock, auth: { type: 'certificate' }, tls: pki });
  });
  afterAll(async () => {
    await tp?.close();
    pki?.cleanup();
  });

  it('with our certificate (files from the config) the whole flow works over HTTPS', async () => {
    const server = await startTestServer('sqlite', { clock, env: { ONLINE_PAYMENT_PROVIDER: providerEnv(tp, { type: 'certificate', cert: pki.clientCert, key: pki.clientKey, ca: pki.ca }), ONLINE_PAYMENT_POLL_SECONDS: '0' } });
    try {
      const { item: it0, token } = await claim(server);
      const start = await startOnline(server, token);
      expect(start.location.startsWith(`${tp.url}/paypage/`)).toBe(true);
      // The "browser" here is the test: it talks to the HTTPS page with the same client certificate.
      const { Agent, fetch: uFetch } = await import('undici');
      const { readFileSync } = await import('node:fs');
      const agent = new Agent({ connect: { cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey), ca: readFileSync(pki.ca) } });
      const posted = await uFetch(start.location, { method: 'POST', body: new URLSearchParams({ choice: 'pay' }), redirect: 'manual', dispatcher: agent });
      expect(posted.status).toBe(303);
      const back = await visit(local(server, posted.headers.get('location')!));
      expect(back.location).toBe(`/pay/${token}?online=payed`);
      expect((await item(server, it0.id)).status).toBe('paid');
    } finally {
      await server.close();
    }
  });

  it('with PEM text in the config instead of file names it works as well', async () => {
    const { readFileSync } = await import('node:fs');
    const server = await startTestServer('sqlite', { clock, env: { ONLINE_PAYMENT_PROVIDER: providerEnv(tp, { type: 'certificate', cert: readFileSync(pki.clientCert, 'utf8'), key: readFileSync(pki.clientKey, 'utf8'), ca: readFileSync(pki.ca, 'utf8') }), ONLINE_PAYMENT_POLL_SECONDS: '0' } });
    try {
      const { token } = await claim(server);
      expect((await startOnline(server, token)).location.startsWith(`${tp.url}/paypage/`)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('without a certificate, or with one from another CA, the provider refuses the connection and the citizen is told', async () => {
    for (const auth of [
      { type: 'none' },
      { type: 'certificate', cert: pki.strangerCert, key: pki.strangerKey, ca: pki.ca },
    ]) {
      // NODE_EXTRA_CA_CERTS is not set: for "none" the server's certificate is unknown too; either way no connection.
      const server = await startTestServer('sqlite', { clock, env: { ONLINE_PAYMENT_PROVIDER: providerEnv(tp, auth), ONLINE_PAYMENT_POLL_SECONDS: '0' } });
      try {
        const { item: it0, token } = await claim(server);
        expect((await startOnline(server, token)).location).toBe(`/pay/${token}?online=unavailable`);
        expect((await item(server, it0.id)).status).toBe('open');
      } finally {
        await server.close();
      }
    }
  });
});
