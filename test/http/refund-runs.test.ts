/**
 * Refunds the city pays out itself, the whole loop over HTTP on both backends: receipts marked for
 * refund → a run gathered by one person → released by a second into pain.001 (read back here with
 * an independent reader and checked against the Kreditwirtschaft's rules) → the statement shows the
 * debits (by end-to-end id, and a run booked as one debit by its total) → the refunds are booked →
 * one comes back (a credit with a return reason) → it is for a person, the citizen's receipt stays.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { dkViolations, readCreditTransfer } from '../support/painReader.js';
import { createClientKey } from '../support/server.js';
import { startReviewFixture, type ReviewFixture } from './review.fixture.js';

const CITY_IBAN = 'DE02120300000000202051';
const BIN = new URL('../../bin/stadtkasse', import.meta.url).pathname;

function sepaCli(args: string[]) {
  const r = spawnSync(BIN, ['sepa', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LOG_LEVEL: 'warn' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

forEachBackend('refund runs: pain.001 out, debit and bounce back in', (backend) => {
  let f: ReviewFixture;
  let gatherer: string;
  let releaser: string;
  let onlyRefunds: string;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
    // The gatherer may approve too: what stops them releasing their own run is four-eyes, not the scope.
    gatherer = await createClientKey(f.server, ['review', 'refunds', 'approve'], 'Kasse A');
    releaser = await createClientKey(f.server, ['refunds', 'approve'], 'Kasse B');
    onlyRefunds = await createClientKey(f.server, ['refunds'], 'Kasse C');
  });
  afterAll(async () => f?.server.close());

  const db = () => f.server.db.prisma;
  const mark = async (id: string, iban?: string) => {
    const res = await f.json(`/v1/review/${id}/refund`, { method: 'POST', key: f.clerkA, json: { note: 'zurück an den Absender', ...(iban ? { iban } : {}) } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  /** amount = live allocations + unapplied + paid back, and suspense = unapplied, to the cent. */
  const accounted = async (id: string) => {
    const r = await db().bankTransaction.findUniqueOrThrow({ where: { id } });
    const allocated = (await db().allocation.findMany({ where: { transactionId: id, reversal: null } })).reduce((s, a) => s + a.amountMinor, 0n);
    const moves = await db().suspenseMovement.findMany({ where: { transactionId: id } });
    const paidBack = -moves.filter((m) => m.reason === 'refunded').reduce((s, m) => s + m.amountMinor, 0n);
    expect(allocated + r.unappliedMinor + paidBack).toBe(r.amountMinor);
    expect(moves.reduce((s, m) => s + m.amountMinor, 0n)).toBe(r.unappliedMinor);
    return { ...r, paidBack };
  };

  it('gathers, releases under four-eyes into pain.001.001.09, books the debits and takes a bounce to a person', async () => {
    const item = await f.item('30.00', 'Otto Über');
    await f.importStatement({
      id: 'RR-IN-1',
      entries: [
        { ref: 'RR-IN-1-1', amount: '40.00', name: 'Rita Rück', iban: 'DE89370400440532013000', remittance: ['falsch überwiesen'] },
        { ref: 'RR-IN-1-2', amount: '50.00', name: 'Otto Über', iban: 'DE12500105170648489890', remittance: ['Gebühr und mehr'] },
        { ref: 'RR-IN-1-3', amount: '25.00', name: 'Zoë Ärger & Söhne GmbH — Niederlassung Großstadt-Süd mit sehr langem Namen', iban: 'DE75512108001245126199', remittance: ['doppelt'] },
      ],
    });
    const [r1, r2, r3] = await f.receipts('RR-IN-1');
    const booked = await f.json(`/v1/review/${r2!.id}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ itemId: item.id, amount: '30.00' }], note: 'Gebühr' } });
    expect(booked.body).toMatchObject({ unapplied: '20.00' });
    for (const r of [r1!, r2!, r3!]) await mark(r.id);

    expect((await f.json('/v1/refund-runs', { method: 'POST', key: f.clerkA, json: {} })).status).toBe(403);
    const gathered = await f.json('/v1/refund-runs', { method: 'POST', key: gatherer, json: {} });
    expect(gathered.status, JSON.stringify(gathered.body)).toBe(201);
    const run = gathered.body.run;
    expect(run).toMatchObject({ status: 'draft', count: 3, total: '85.00', format: 'pain.001.001.09', batchBooking: true, file: null, states: { in_run: 3 } });
    expect(run.executionDate >= new Date().toISOString().slice(0, 10) || run.executionDate.length === 10).toBe(true);
    expect([0, 6]).not.toContain(new Date(`${run.executionDate}T12:00:00Z`).getUTCDay());
    // Gathered once: nothing is left to gather, and a receipt in a run keeps its mark.
    expect((await f.json('/v1/refund-runs', { method: 'POST', key: gatherer, json: {} })).status).toBe(409);
    const unmark = await f.json(`/v1/review/${r1!.id}/unmark-refund`, { method: 'POST', key: f.clerkA, json: { note: 'doch behalten' } });
    expect(unmark.status).toBe(409);
    expect(unmark.body.detail).toMatch(/refund run/);
    expect((await f.json(`/v1/refund-runs/${run.id}/file`, { key: gatherer })).status).toBe(409);

    // Four-eyes: never the person who gathered; and the scope for releasing is `approve`.
    const own = await f.json(`/v1/refund-runs/${run.id}/release`, { method: 'POST', key: gatherer, json: {} });
    expect(own.status).toBe(403);
    expect(own.body.detail).toMatch(/second person/);
    expect((await f.json(`/v1/refund-runs/${run.id}/release`, { method: 'POST', key: onlyRefunds, json: {} })).status).toBe(403);
    // Nor the person who marked the refunds and so named the accounts, though they may approve.
    const marker = await f.json(`/v1/refund-runs/${run.id}/release`, { method: 'POST', key: f.clerkA, json: {} });
    expect(marker.status).toBe(403);
    expect(marker.body.detail).toMatch(/you marked for refund/);
    const released = await f.json(`/v1/refund-runs/${run.id}/release`, { method: 'POST', key: releaser, json: { version: 0 } });
    expect(released.status, JSON.stringify(released.body)).toBe(200);
    expect(released.body.run).toMatchObject({ status: 'released', releasedBy: 'Kasse B', createdBy: 'Kasse A', states: { sent: 3 } });
    const twice = await f.json(`/v1/refund-runs/${run.id}/release`, { method: 'POST', key: releaser, json: {} });
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toMatch(/released by Kasse B/);
    expect((await f.json(`/v1/refund-runs/${run.id}/cancel`, { method: 'POST', key: gatherer, json: { note: 'zu spät' } })).status).toBe(409);

    // The operator's outbox gets the original; every fetch after it is a copy of the same bytes.
    const outbox = mkdtempSync(join(tmpdir(), 'stk-outbox-'));
    const cli = sepaCli(['outbox', '--dir', outbox, '--database-url', f.server.database.url]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(readdirSync(outbox)).toEqual([`${run.messageId}.xml`]);
    const bytes = readFileSync(join(outbox, `${run.messageId}.xml`), 'utf8');
    const sha = createHash('sha256').update(bytes, 'utf8').digest('hex');
    expect(released.body.run.file.sha256).toBe(sha);
    expect(cli.stdout).toContain(sha);
    expect(sepaCli(['outbox', '--dir', outbox, '--database-url', f.server.database.url]).stdout).toMatch(/no released refund file waits/);
    const refused = sepaCli(['write', '--run', String(run.number), '--dir', outbox, '--database-url', f.server.database.url]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/--copy/);
    const again = await f.server.api(`/v1/refund-runs/${run.id}/file`, { key: gatherer });
    expect(await again.text()).toBe(bytes);
    expect(again.headers.get('x-content-sha256')).toBe(sha);
    expect(again.headers.get('x-file-copy')).toBe('1');
    expect(again.headers.get('content-disposition')).toMatch(/\.copy-1\.xml/);
    expect(sepaCli(['write', '--run', String(run.number), '--copy', '--dir', outbox, '--database-url', f.server.database.url]).status).toBe(0);
    expect(readFileSync(join(outbox, `${run.messageId}.copy-2.xml`), 'utf8')).toBe(bytes);
    expect(sepaCli(['runs', '--database-url', f.server.database.url]).stdout).toMatch(new RegExp(`${run.number}\\s+released.*85\\.00 EUR.*3x fetched`));

    // Read back independently and checked against the DK rules.
    const file = readCreditTransfer(bytes);
    expect(dkViolations(file)).toEqual([]);
    expect(file.namespace).toBe('urn:iso:std:iso:20022:tech:xsd:pain.001.001.09');
    expect(file.messageId).toBe(run.messageId);
    expect(file.count).toBe(3);
    expect(file.controlSumCents).toBe(8500n);
    expect(file.payments).toHaveLength(1);
    const p = file.payments[0]!;
    expect(p).toMatchObject({ batchBooking: 'true', count: 3, controlSumCents: 8500n, executionDate: run.executionDate, debtorIban: CITY_IBAN, debtorName: 'Stadtkasse Musterstadt' });
    expect(p.transfers.map((t) => [t.cents, t.creditorIban])).toEqual([
      [4000n, 'DE89370400440532013000'],
      [2000n, 'DE12500105170648489890'],
      [2500n, 'DE75512108001245126199'],
    ]);
    expect(p.transfers[0]!.creditorName).toBe('Rita Rueck');
    expect(p.transfers[2]!.creditorName).toMatch(/^Zoe Aerger \+ Soehne GmbH - Niederlassung Grossstadt-Sued/);
    expect(p.transfers[2]!.creditorName.length).toBeLessThanOrEqual(70);
    expect(p.transfers[1]!.remittance).toContain(`Kassenzeichen ${item.kassenzeichen}`);
    for (const t of p.transfers) expect(t.remittance).toMatch(/^Rueckzahlung .*Ihre Zahlung vom \d{2}\.\d{2}\.\d{4}/);
    const refunds = (await f.json(`/v1/refund-runs/${run.id}/refunds`, { key: gatherer })).body.items;
    expect(refunds.map((r: any) => r.endToEndId)).toEqual(p.transfers.map((t) => t.endToEndId));
    expect(refunds.map((r: any) => [r.amount, r.state, r.transactionId])).toEqual([['40.00', 'sent', r1!.id], ['20.00', 'sent', r2!.id], ['25.00', 'sent', r3!.id]]);
    expect(refunds[0].creditorIban).toMatch(/^DE89 \*+/);

    // The statement shows the three debits with their end-to-end ids: every refund is booked.
    const e2e = p.transfers.map((t) => t.endToEndId);
    await f.importStatement({
      id: 'RR-OUT-1',
      entries: [
        { ref: 'RR-OUT-1-1', amount: '40.00', credit: false, e2e: e2e[0], name: 'Rita Rueck', iban: 'DE89370400440532013000', remittance: ['Rueckzahlung'] },
        { ref: 'RR-OUT-1-2', amount: '20.00', credit: false, e2e: e2e[1], name: 'Otto Ueber', iban: 'DE12500105170648489890', remittance: ['Rueckzahlung'] },
        { ref: 'RR-OUT-1-3', amount: '25.00', credit: false, e2e: e2e[2], name: 'Zoe Aerger', iban: 'DE75512108001245126199', remittance: ['Rueckzahlung'] },
      ],
    });
    const debits = await f.receipts('RR-OUT-1');
    expect(debits.map((d) => d.matchState)).toEqual(['refund_booked', 'refund_booked', 'refund_booked']);
    for (const r of [r1!, r2!, r3!]) {
      const after = await accounted(r.id);
      expect(after.matchState).toBe('refunded');
      expect(after.unappliedMinor).toBe(0n);
    }
    expect((await accounted(r2!.id)).paidBack).toBe(2000n);
    expect((await f.json(`/v1/items/${item.id}`, { key: f.itemsKey })).body).toMatchObject({ status: 'paid', paid: '30.00' });
    expect((await f.json(`/v1/refund-runs/${run.id}`, { key: gatherer })).body.states).toEqual({ booked: 3 });

    // Zoë's bank sends the refund back (AC04): the credit waits for a person, her receipt stays refunded.
    const before = await db().bankTransaction.findUniqueOrThrow({ where: { id: r3!.id } });
    await f.importStatement({ id: 'RR-BACK-1', entries: [{ ref: 'RR-BACK-1-1', amount: '25.00', e2e: e2e[2], returnReason: 'AC04', name: 'Zoe Aerger', remittance: ['RUECKUEBERWEISUNG'] }] });
    const [bounce] = await f.receipts('RR-BACK-1');
    expect(bounce!.matchState).toBe('review');
    expect(bounce!.unappliedMinor).toBe(2500n);
    await accounted(bounce!.id);
    const afterBounce = await db().bankTransaction.findUniqueOrThrow({ where: { id: r3!.id } });
    expect(afterBounce).toEqual(before);
    const third = (await f.json(`/v1/refund-runs/${run.id}/refunds`, { key: gatherer })).body.items[2];
    expect(third).toMatchObject({ state: 'bounced', bounceTransactionId: bounce!.id, returnReasonCode: 'AC04', debitTransactionId: debits[2]!.id });
    const detail = (await f.json(`/v1/review/${bounce!.id}`, { key: f.clerkA })).body;
    expect(detail.audit.map((a: any) => a.action)).toContain('refund.bounced');
    // The person decides: pay it again to another account, in the next run.
    await mark(bounce!.id, 'DE89370400440532013000');
    const next = await f.json('/v1/refund-runs', { method: 'POST', key: gatherer, json: { transactionIds: [bounce!.id] } });
    expect(next.status).toBe(201);
    expect(next.body.run).toMatchObject({ count: 1, total: '25.00', number: run.number + 1 });
    expect(next.body.run.messageId).not.toBe(run.messageId);
  });

  it('a run booked as one debit (no details on the statement) books every refund of it by its total', async () => {
    // Clear what the first test left in a draft run.
    for (const r of (await f.json('/v1/refund-runs?status=draft', { key: gatherer })).body.items) {
      expect((await f.json(`/v1/refund-runs/${r.id}/cancel`, { method: 'POST', key: gatherer, json: { note: 'neu zusammenstellen' } })).status).toBe(200);
    }
    await f.importStatement({
      id: 'RR-IN-2',
      entries: [
        { ref: 'RR-IN-2-1', amount: '12.34', name: 'Anna Eins', iban: 'DE89370400440532013000', remittance: ['irrtum'] },
        { ref: 'RR-IN-2-2', amount: '56.78', name: 'Bernd Zwei', iban: 'DE12500105170648489890', remittance: ['irrtum'] },
      ],
    });
    const ins = await f.receipts('RR-IN-2');
    for (const r of ins) await mark(r.id);
    const gathered = await f.json('/v1/refund-runs', { method: 'POST', key: gatherer, json: { transactionIds: ins.map((r) => r.id) } });
    expect(gathered.status, JSON.stringify(gathered.body)).toBe(201);
    const run = gathered.body.run;
    expect(run).toMatchObject({ count: 2, total: '69.12' });
    expect((await f.json(`/v1/refund-runs/${run.id}/release`, { method: 'POST', key: releaser })).status).toBe(200);
    // A debit of another total is not this run.
    await f.importStatement({ id: 'RR-OUT-2A', entries: [{ ref: 'RR-OUT-2A', amount: '69.13', credit: false, name: 'Sammler', remittance: ['SAMMLER'] }] });
    expect((await f.receipts('RR-OUT-2A'))[0]!.matchState).toBe('ignored');
    await f.importStatement({ id: 'RR-OUT-2', entries: [{ ref: 'RR-OUT-2', amount: '69.12', credit: false, name: 'Sammler', remittance: ['SEPA-SAMMLER'], batch: { count: 2 } }] });
    const [debit] = await f.receipts('RR-OUT-2');
    expect(debit!.matchState).toBe('refund_booked');
    for (const r of ins) expect((await accounted(r.id)).matchState).toBe('refunded');
    expect((await f.json(`/v1/refund-runs/${run.id}`, { key: gatherer })).body.states).toEqual({ booked: 2 });
    const list = (await f.json('/v1/refund-runs?limit=2', { key: gatherer })).body;
    expect(list.items[0].id).toBe(run.id);
    expect(list.nextCursor).not.toBeNull();
  });
});
