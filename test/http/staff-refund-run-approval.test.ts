/**
 * "This debit is refund run X", under four-eyes: a debit two released runs could be (so the
 * statement booked neither) is proposed as one of them from its review page; the proposer cannot
 * approve it; a second person's approval books every refund of the run with the debit exactly as
 * the statement books a run it recognises (same reason, same states, the ledger check holds); a
 * second approval is refused. Runs it cannot be (another total, another account, refunds no longer
 * on their way) are not offered and refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/context.js';
import { assertLedger } from '../../src/services/booking/writer.js';
import { FormClient, startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';
import { createClientKey } from '../support/server.js';

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&nbsp;|\u00a0/g, ' ').replace(/\s+/g, ' ');
const flashIn = (html: string) => /<p class="notice[^"]*" role="(?:status|alert)">([^<]*)</.exec(html)?.[1] ?? '';

describe('booking a candidate refund run with a debit, under four-eyes', () => {
  let f: StaffFixture;
  let clara: FormClient;
  let anton: FormClient;
  let marker: string;
  let gatherer: string;
  let releaser: string;
  beforeAll(async () => {
    f = await startStaffFixture('sqlite');
    await f.user('clara', 'clerk', 'Clara Kasse');
    await f.user('anton', 'approver', 'Anton Freigabe');
    clara = new FormClient(f.server.url);
    anton = new FormClient(f.server.url);
    await clara.login('clara');
    await anton.login('anton');
    marker = await createClientKey(f.server, ['review'], 'Kasse Prüfung');
    gatherer = await createClientKey(f.server, ['refunds'], 'Kasse A');
    releaser = await createClientKey(f.server, ['refunds', 'approve', 'review'], 'Kasse B');
  });
  afterAll(async () => f?.close());

  const db = () => f.server.db.prisma;
  const api = async (path: string, key: string, json: unknown = {}) => {
    const res = await f.server.api(path, { method: 'POST', key, json });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const ok = async (path: string, key: string, json: unknown = {}) => {
    const r = await api(path, key, json);
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    return r.body;
  };
  const runOf = async (ids: string[]) => {
    const run = (await ok('/v1/refund-runs', gatherer, { transactionIds: ids })).run;
    await ok(`/v1/refund-runs/${run.id}/release`, releaser);
    return run as { id: string; number: number };
  };
  /** Two receipts marked for refund, each in its own released run of one total: a debit of it books neither. */
  const twoRunsOf = async (tag: string, amount: string) => {
    await f.importStatement({
      id: `${tag}-IN`,
      entries: [
        { ref: `${tag}-IN-1`, amount, name: 'Anna Eins', iban: 'DE89370400440532013000', remittance: ['irrtum'] },
        { ref: `${tag}-IN-2`, amount, name: 'Bernd Zwei', iban: 'DE12500105170648489890', remittance: ['irrtum'] },
      ],
    });
    const [a, b] = await f.receipts(`${tag}-IN`);
    for (const r of [a!, b!]) await ok(`/v1/review/${r.id}/refund`, marker, { note: 'irrtümlich' });
    return { a: a!, b: b!, runA: await runOf([a!.id]), runB: await runOf([b!.id]) };
  };

  it('a clerk proposes, the proposer cannot approve, a second person books the run as the statement would', async () => {
    const { a, b, runA, runB } = await twoRunsOf('RRA', '12.34');
    await f.importStatement({ id: 'RRA-OUT', entries: [{ ref: 'RRA-OUT', amount: '12.34', credit: false, name: 'Sammler', remittance: ['SEPA-SAMMLER'] }] });
    const [debit] = await f.receipts('RRA-OUT');
    expect(debit!.matchState).toBe('ignored');

    // Both runs fit but for the statement's doubt: each is offered.
    const page = (await clara.get(`/review/${debit!.id}`)).text;
    expect(page).toContain(`data-propose-run="${runA.number}"`);
    expect(page).toContain(`data-propose-run="${runB.number}"`);
    expect(text(page)).toContain(`Als Lauf ${runA.number} buchen (zur Freigabe)`);
    // A person without the review scope is offered nothing.
    await f.user('vera', 'viewer', 'Vera Lese');
    const vera = new FormClient(f.server.url);
    await vera.login('vera');
    expect((await vera.get(`/review/${debit!.id}`)).text).not.toContain('data-propose-run');

    const proposed = await clara.request(`/review/${debit!.id}/refund-run`, { form: { _csrf: await clara.csrf(`/review/${debit!.id}`), runId: runA.id, version: String(debit!.version), note: 'Kontoauszug Seite 2 geprüft' } });
    expect(proposed.status).toBe(303);
    const held = await clara.get(`/review/${debit!.id}`);
    expect(flashIn(held.text)).toBe(`Vorgeschlagen: Diese Abbuchung ist Rückzahlungslauf ${runA.number}. Sie wartet auf die Freigabe durch eine zweite Person.`);
    expect(held.text).not.toContain('data-propose-run');
    expect((await db().bankTransaction.findUniqueOrThrow({ where: { id: debit!.id } })).matchState).toBe('awaiting_approval');
    const approval = await db().approval.findFirstOrThrow({ where: { transactionId: debit!.id, status: 'pending' } });
    expect(approval).toMatchObject({ kind: 'refund_run', amountMinor: 1234n });
    // Nothing is booked before the second person: the refunds are still on their way.
    expect(await db().refund.count({ where: { runId: { in: [runA.id, runB.id] }, state: 'sent', debitTransactionId: null } })).toBe(2);

    // The proposer cannot approve (403), neither from the inbox nor through the API with her own eyes twice.
    const own = await clara.request(`/approvals/${approval.id}/approve`, { form: { _csrf: await clara.csrf('/approvals') } });
    expect(own.status).toBe(403);
    expect((await db().approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe('pending');
    const inbox = text((await anton.get('/approvals')).text);
    expect(inbox).toContain('Rückzahlungslauf als Sammelabbuchung');
    expect(inbox).toContain(`Rückzahlungslauf ${runA.number} als eine Abbuchung über 12.34 ausgezahlt — Kontoauszug Seite 2 geprüft`);

    // A second person approves: run A's refund is booked with the debit, run B's is still on its way.
    const approved = await anton.request(`/approvals/${approval.id}/approve`, { form: { _csrf: await anton.csrf('/approvals') } });
    expect(approved.status).toBe(303);
    expect((await db().approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe('approved');
    expect((await db().bankTransaction.findUniqueOrThrow({ where: { id: debit!.id } })).matchState).toBe('refund_booked');
    expect(await db().bankTransaction.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ matchState: 'refunded', unappliedMinor: 0n });
    expect((await db().bankTransaction.findUniqueOrThrow({ where: { id: b.id } })).matchState).toBe('refund');
    expect(await db().refund.findFirstOrThrow({ where: { runId: runA.id } })).toMatchObject({ state: 'booked', debitTransactionId: debit!.id });
    expect(await db().refund.findFirstOrThrow({ where: { runId: runB.id } })).toMatchObject({ state: 'sent', debitTransactionId: null });
    // Booked as the statement books a run it recognises: the same reason, the approval named.
    const booked = await db().auditEntry.findFirstOrThrow({ where: { subjectId: debit!.id, action: 'payment.refund_booked' } });
    expect(booked.reason).toBe(`refund run ${runA.number} paid out as one debit of 12.34 — Kontoauszug Seite 2 geprüft`);
    expect(JSON.parse(booked.data!)).toMatchObject({ refundOf: a.id, approvalId: approval.id });
    const anton_ = await db().user.findFirstOrThrow({ where: { username: 'anton' } });
    expect(booked).toMatchObject({ actorType: 'user', actorId: anton_.id });
    // The ledger check holds over the receipt paid back and the debit (and their entries).
    await f.server.db.transaction((tx) => assertLedger(tx, { db: f.server.db } as Ctx, [a.id, b.id, debit!.id]));
    // The page now names the run it booked.
    expect(text((await clara.get(`/review/${debit!.id}`)).text)).toContain(`Diese Abbuchung hat 1 Rückzahlung aus Rückzahlungslauf ${runA.number} gebucht.`);

    // A second approval is refused: in the inbox, and through the API.
    const twice = await anton.request(`/approvals/${approval.id}/approve`, { form: { _csrf: await anton.csrf('/approvals') } });
    expect(twice.status).toBe(303);
    expect(flashIn((await anton.get('/approvals')).text)).toContain('approved already');
    expect((await api(`/v1/approvals/${approval.id}/approve`, releaser)).status).toBe(409);
    expect(await db().auditEntry.count({ where: { subjectId: debit!.id, action: 'payment.refund_booked' } })).toBe(1);
    // Nor can the booked debit be proposed again, for the other run.
    expect((await api(`/v1/review/${debit!.id}/refund-run`, marker, { runId: runB.id })).status).toBe(409);
  });

  it('through the API: 202 with the approval, the proposing key cannot approve, a rejection releases the debit', async () => {
    const { runA, runB } = await twoRunsOf('RRB', '20.00');
    await f.importStatement({ id: 'RRB-OUT', entries: [{ ref: 'RRB-OUT', amount: '20.00', credit: false, name: 'Sammler', remittance: ['SEPA-SAMMLER'] }] });
    const [debit] = await f.receipts('RRB-OUT');
    const held = await api(`/v1/review/${debit!.id}/refund-run`, releaser, { runId: runB.id, version: debit!.version });
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    expect(held.body.approval).toMatchObject({ kind: 'refund_run', amount: '20.00', booking: { refundRun: { id: runB.id, number: runB.number } } });
    expect((await api(`/v1/approvals/${held.body.approval.id}/approve`, releaser)).status).toBe(403);
    // Held: no second proposal for the same debit.
    expect((await api(`/v1/review/${debit!.id}/refund-run`, marker, { runId: runA.id })).status).toBe(409);
    const rejected = await f.server.api(`/v1/approvals/${held.body.approval.id}/reject`, { method: 'POST', key: releaser, json: { note: 'doch Lauf A' } });
    expect(rejected.status).toBe(200);
    expect((await db().bankTransaction.findUniqueOrThrow({ where: { id: debit!.id } })).matchState).toBe('ignored');
    expect(await db().refund.count({ where: { runId: { in: [runA.id, runB.id] }, state: 'sent' } })).toBe(2);
  });

  it('offers and accepts no run the debit cannot be: another total, another account, refunds no longer on their way', async () => {
    const { runA, runB } = await twoRunsOf('RRC', '33.00');
    // Another total.
    await f.importStatement({ id: 'RRC-OUT1', entries: [{ ref: 'RRC-OUT1', amount: '33.01', credit: false, name: 'Sammler', remittance: ['SEPA-SAMMLER'] }] });
    const [wrongTotal] = await f.receipts('RRC-OUT1');
    expect((await api(`/v1/review/${wrongTotal!.id}/refund-run`, marker, { runId: runA.id })).status).toBe(409);
    // Another account of the city.
    await f.importStatement({ id: 'RRC-OUT2', iban: 'DE75512108001245126199', entries: [{ ref: 'RRC-OUT2', amount: '33.00', credit: false, name: 'Sammler', remittance: ['SEPA-SAMMLER'] }] });
    const [elsewhere] = await f.receipts('RRC-OUT2');
    expect((await clara.get(`/review/${elsewhere!.id}`)).text).not.toContain('data-propose-run');
    const refused = await api(`/v1/review/${elsewhere!.id}/refund-run`, marker, { runId: runA.id });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('otherAccount');
    // A run whose refund came back is no longer offered nor accepted. (The debit carries an id of the
    // bank's own, so the statement books no run; the person may still say it is run A.)
    await db().refund.updateMany({ where: { runId: runB.id }, data: { state: 'bounced' } });
    await f.importStatement({ id: 'RRC-OUT3', entries: [{ ref: 'RRC-OUT3', amount: '33.00', credit: false, name: 'Sammler', remittance: ['SEPA-SAMMLER'], e2e: 'BANK-SAMMLER-0815' }] });
    const [debit] = await f.receipts('RRC-OUT3');
    const page = (await clara.get(`/review/${debit!.id}`)).text;
    expect(page).toContain(`data-propose-run="${runA.number}"`);
    expect(page).not.toContain(`data-propose-run="${runB.number}"`);
    expect((await api(`/v1/review/${debit!.id}/refund-run`, marker, { runId: runB.id })).body.detail).toContain('notAllSent');
  });
});
