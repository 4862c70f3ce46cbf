/**
 * What the statement may and may not settle of a released refund run: only a debit on the account
 * the run pays from books it, and only a credit that says it is a return (a return reason) marks a
 * refund as come back. A citizen can put any end-to-end id on a transfer of their own, and another
 * account of the city can show a debit of the same total.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { createClientKey } from '../support/server.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';

const OTHER_CITY_ACCOUNT = 'DE89370400440532013000';

forEachBackend('refund runs: what the statement settles', (backend) => {
  let f: ReviewFixture;
  let gatherer: string;
  let releaser: string;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
    gatherer = await createClientKey(f.server, ['review', 'refunds'], 'Kasse A');
    releaser = await createClientKey(f.server, ['refunds', 'approve'], 'Kasse B');
  });
  afterAll(async () => f?.server.close());

  const releasedRun = async (statementId: string, amounts: string[]) => {
    await f.importStatement({
      id: statementId,
      entries: amounts.map((amount, i) => ({ ref: `${statementId}-${i + 1}`, amount, name: `Zahler ${i + 1}`, iban: 'DE12500105170648489890', remittance: ['versehentlich'] })),
    });
    const ins = await f.receipts(statementId);
    for (const r of ins) {
      const res = await f.json(`/v1/review/${r.id}/refund`, { method: 'POST', key: f.clerkA, json: { note: 'zurück' } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const gathered = await f.json('/v1/refund-runs', { method: 'POST', key: gatherer, json: { transactionIds: ins.map((r) => r.id) } });
    expect(gathered.status, JSON.stringify(gathered.body)).toBe(201);
    const run = gathered.body.run;
    expect((await f.json(`/v1/refund-runs/${run.id}/release`, { method: 'POST', key: releaser, json: {} })).status).toBe(200);
    const refunds = (await f.json(`/v1/refund-runs/${run.id}/refunds`, { key: gatherer })).body.items;
    return { run, ins, refunds };
  };

  it('a credit without a return reason that carries a refund’s end-to-end id is not a bounce', async () => {
    const { run, refunds } = await releasedRun('RG-IN-1', ['31.00']);
    // A citizen copies the end-to-end id of the refund they got onto a transfer of their own.
    await f.importStatement({ id: 'RG-CR-1', entries: [{ ref: 'RG-CR-1-1', amount: '0.01', e2e: refunds[0].endToEndId, name: 'Zahler 1', remittance: ['Danke'] }] });
    expect((await f.json(`/v1/refund-runs/${run.id}`, { key: gatherer })).body.states).toEqual({ sent: 1 });
    const after = (await f.json(`/v1/refund-runs/${run.id}/refunds`, { key: gatherer })).body.items[0];
    expect(after).toMatchObject({ state: 'sent', bounceTransactionId: null });
  });

  it('a debit of a run’s total on another account of the city does not book the run', async () => {
    const { run, ins } = await releasedRun('RG-IN-2', ['17.25', '8.50']);
    expect(run.total).toBe('25.75');
    await f.importStatement({ id: 'RG-OUT-2X', iban: OTHER_CITY_ACCOUNT, entries: [{ ref: 'RG-OUT-2X', amount: '25.75', credit: false, name: 'Stadtwerke', remittance: ['Abschlag'] }] });
    expect((await f.receipts('RG-OUT-2X'))[0]!.matchState).toBe('ignored');
    for (const r of await f.receipts('RG-IN-2')) expect(r.matchState).toBe('refund');
    expect((await f.json(`/v1/refund-runs/${run.id}`, { key: gatherer })).body.states).toEqual({ sent: 2 });
    // The debit on the account the run pays from books it.
    await f.importStatement({ id: 'RG-OUT-2', entries: [{ ref: 'RG-OUT-2', amount: '25.75', credit: false, name: 'Sammler', remittance: ['SEPA-SAMMLER'], batch: { count: 2 } }] });
    expect((await f.receipts('RG-OUT-2'))[0]!.matchState).toBe('refund_booked');
    for (const r of ins) expect((await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: r.id } })).matchState).toBe('refunded');
  });

  it('a debit of a one-refund run’s amount books it only when it names the run’s file', async () => {
    const { run, ins } = await releasedRun('RG-IN-4', ['64.20']);
    // Any other debit of that amount on the paying account (a utility's direct debit) is not the refund.
    await f.importStatement({ id: 'RG-OUT-4X', entries: [{ ref: 'RG-OUT-4X', amount: '64.20', credit: false, name: 'Stadtwerke', remittance: ['Abschlag Strom'] }] });
    expect((await f.receipts('RG-OUT-4X'))[0]!.matchState).toBe('ignored');
    expect((await f.json(`/v1/refund-runs/${run.id}`, { key: gatherer })).body.states).toEqual({ sent: 1 });
    expect((await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: ins[0]!.id } })).matchState).toBe('refund');
    // The bank's debit naming the run's PmtInfId is the run.
    const { paymentInformationId } = await f.server.db.prisma.refundRun.findUniqueOrThrow({ where: { id: run.id } });
    await f.importStatement({ id: 'RG-OUT-4', entries: [{ ref: 'RG-OUT-4', amount: '64.20', credit: false, name: 'Sammler', remittance: ['SEPA-SAMMLER'], batch: { paymentInformationId } }] });
    expect((await f.receipts('RG-OUT-4'))[0]!.matchState).toBe('refund_booked');
    expect((await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: ins[0]!.id } })).matchState).toBe('refunded');
  });

  it('a debit with a refund’s end-to-end id on another account of the city does not book it', async () => {
    const { run, ins, refunds } = await releasedRun('RG-IN-3', ['42.00']);
    await f.importStatement({ id: 'RG-OUT-3X', iban: OTHER_CITY_ACCOUNT, entries: [{ ref: 'RG-OUT-3X', amount: '42.00', credit: false, e2e: refunds[0].endToEndId, name: 'Zahler 1', iban: 'DE12500105170648489890', remittance: ['Rueckzahlung'] }] });
    expect((await f.receipts('RG-OUT-3X'))[0]!.matchState).toBe('ignored');
    expect((await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id: ins[0]!.id } })).matchState).toBe('refund');
    expect((await f.json(`/v1/refund-runs/${run.id}`, { key: gatherer })).body.states).toEqual({ sent: 1 });
  });
});
