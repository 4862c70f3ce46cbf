/**
 * The built-in test provider keeps its transactions in the database: what one instance (or one
 * Workers invocation) created, another one, built afresh on the same database, shows on its payment
 * page, decides, reports and settles. Two provider apps on one database stand for two invocations.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestProviderApp, type TestProviderApp } from '../../src/http/online/testProvider.js';
import type { Database } from '../../src/db/database.js';
import { DatabaseTestProviderStore } from '../../src/services/online/testProvider.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';

const START = new Date('2026-11-20T10:00:00.000Z');
const body = (requestId: string, amount = 30.7) =>
  JSON.stringify({
    requestId,
    currency: 'EUR',
    grosAmount: amount,
    purpose: `KZ-${requestId}`,
    description: 'Verwaltungsgebuehr',
    redirectUrl: `https://stadtkasse.example.de/online/return/${requestId}`,
    items: [{ id: '1', reference: 'GEB-2026-4711', description: 'Gebuehr', quantity: 1, totalNetAmount: amount }],
  });

forEachBackend('the test provider kept in the database', (backend) => {
  let tdb: TestDatabase;
  let db: Database;
  const clock = { at: new Date(START), now() { return new Date(this.at); } };
  const invocation = (): TestProviderApp => createTestProviderApp({ publicUrl: 'http://localhost/testprovider', basePath: '/testprovider', clock, auth: { type: 'none' }, store: new DatabaseTestProviderStore(db) });
  const call = (app: TestProviderApp, path: string, init?: RequestInit) => app.app.fetch(new Request(`http://localhost/testprovider${path}`, init));
  const create = (app: TestProviderApp, text: string) => call(app, '/paymenttransaction/stadtkasse/testmodus', { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });

  beforeAll(async () => {
    tdb = freshDatabase(backend);
    db = await tdb.open();
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('a transaction created in one invocation is paid on the page another one serves, and a third sees it PAYED', async () => {
    const created = await create(invocation(), body('req-1'));
    expect(created.status).toBe(201);
    const info = ((await created.json()) as { paymentInformation: { transactionId: string; transactionRedirectUrl: string } }).paymentInformation;
    expect(info.transactionRedirectUrl).toBe(`http://localhost/testprovider/paypage/${info.transactionId}`);

    const page = await call(invocation(), `/paypage/${info.transactionId}`);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain('Unbekannte Transaktion');

    const paid = await call(invocation(), `/paypage/${info.transactionId}`, { method: 'POST', body: new URLSearchParams({ choice: 'pay' }) });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe('https://stadtkasse.example.de/online/return/req-1');

    const status = await call(invocation(), `/paymenttransaction/stadtkasse/testmodus/${info.transactionId}`);
    expect(((await status.json()) as { paymentInformation: Record<string, unknown> }).paymentInformation).toMatchObject({ status: 'PAYED', paymentMethod: 'CREDITCARD', transactionTimestamp: START.toISOString() });
    // A second choice (another tab) changes nothing.
    await call(invocation(), `/paypage/${info.transactionId}`, { method: 'POST', body: new URLSearchParams({ choice: 'cancel' }) });
    expect((await db.prisma.testProviderTransaction.findUniqueOrThrow({ where: { id: info.transactionId } })).status).toBe('PAYED');
  });

  it('the same requestId is the same transaction from any invocation; other content under it is PAYMENT_EXISTS', async () => {
    const first = await create(invocation(), body('req-2'));
    const again = await create(invocation(), body('req-2'));
    expect([first.status, again.status]).toEqual([201, 200]);
    const ids = await Promise.all([first, again].map(async (r) => ((await r.json()) as { paymentInformation: { transactionId: string } }).paymentInformation.transactionId));
    expect(ids[0]).toBe(ids[1]);
    const other = await create(invocation(), body('req-2', 99));
    expect(other.status).toBe(409);
    expect(((await other.json()) as { functionalCode: string }).functionalCode).toBe('PAYMENT_EXISTS');
    // Simultaneous first requests: the unique index lets one create, the others answer it.
    const racing = await Promise.all(Array.from({ length: 5 }, () => create(invocation(), body('req-3'))));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(await db.prisma.testProviderTransaction.count({ where: { requestId: 'req-3' } })).toBe(1);
  });

  it('expires an unpaid transaction for every invocation, and reports a payment in one settlement only', async () => {
    const created = await create(invocation(), body('req-4'));
    const id = ((await created.json()) as { paymentInformation: { transactionId: string } }).paymentInformation.transactionId;
    clock.at = new Date(START.getTime() + 31 * 60_000);
    try {
      const status = await call(invocation(), `/paymenttransaction/stadtkasse/testmodus/${id}`);
      expect(((await status.json()) as { paymentInformation: Record<string, unknown> }).paymentInformation).toMatchObject({ status: 'FAILED', statusDetail: 'EXPIRED' });
      expect((await db.prisma.testProviderTransaction.findUniqueOrThrow({ where: { id } })).statusDetail).toBe('EXPIRED');
    } finally {
      clock.at = new Date(START);
    }
    const [a, b] = await Promise.all([call(invocation(), '/settlement-report?fee=0.25'), call(invocation(), '/settlement-report?fee=0.25')]);
    const lines = [...((await a.json()) as { lines: Array<{ requestId: string }> }).lines, ...((await b.json()) as { lines: Array<{ requestId: string }> }).lines];
    expect(lines.map((l) => l.requestId)).toEqual(['req-1']);
  });
});
