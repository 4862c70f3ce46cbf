/**
 * An outgoing payment's review page names the refund run behind it: a run the bank booked as one
 * debit without details shows its refunds with their receipts, Kassenzeichen as printed and the sum
 * against the debit; a debit of a total that two released runs share (so nothing was booked) shows
 * both runs and why neither was booked by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';
import { createClientKey } from '../support/server.js';

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&nbsp;|\u00a0/g, ' ').replace(/\s+/g, ' ');

describe('the refund run of an outgoing payment, on its review page', () => {
  let f: StaffFixture;
  let clara: FormClient;
  let marker: string;
  let gatherer: string;
  let releaser: string;
  beforeAll(async () => {
    f = await startStaffFixture('sqlite');
    await f.user('clara', 'clerk', 'Clara Kasse');
    clara = new FormClient(f.server.url);
    await clara.login('clara');
    marker = await createClientKey(f.server, ['review'], 'Kasse Prüfung');
    gatherer = await createClientKey(f.server, ['refunds'], 'Kasse A');
    releaser = await createClientKey(f.server, ['refunds', 'approve'], 'Kasse B');
  });
  afterAll(async () => f?.close());

  const api = async (path: string, key: string, json: unknown = {}) => {
    const res = await f.server.api(path, { method: 'POST', key, json });
    const body = (await res.json()) as Record<string, any>;
    expect(res.status, JSON.stringify(body)).toBeLessThan(300);
    return body;
  };
  const runOf = async (ids: string[]) => {
    const run = (await api('/v1/refund-runs', gatherer, { transactionIds: ids })).run;
    await api(`/v1/refund-runs/${run.id}/release`, releaser);
    return run as { id: string; number: number };
  };

  it('shows the run a batch debit booked, with receipts and Kassenzeichen, and the runs a debit could be', async () => {
    const item = await f.item('30.00', 'Otto Über');
    await f.importStatement({
      id: 'RD-IN-1',
      entries: [
        { ref: 'RD-IN-1-1', amount: '50.00', name: 'Otto Über', iban: 'DE12500105170648489890', remittance: ['Gebühr und mehr'] },
        { ref: 'RD-IN-1-2', amount: '25.00', name: 'Rita Rück', iban: 'DE89370400440532013000', remittance: ['falsch überwiesen'] },
      ],
    });
    const [over, wrong] = await f.receipts('RD-IN-1');
    await api(`/v1/review/${over!.id}/allocate`, marker, { allocations: [{ itemId: item.id, amount: '30.00' }], note: 'Gebühr' });
    for (const r of [over!, wrong!]) await api(`/v1/review/${r.id}/refund`, marker, { note: 'zurück an den Absender' });
    const run = await runOf([over!.id, wrong!.id]);

    // The bank books the run as one debit without details: booked by its total.
    await f.importStatement({ id: 'RD-OUT-1', entries: [{ ref: 'RD-OUT-1', amount: '45.00', credit: false, name: 'Sammler', remittance: ['SEPA-SAMMLER'], batch: { count: 2 } }] });
    const [debit] = await f.receipts('RD-OUT-1');
    expect(debit!.matchState).toBe('refund_booked');
    const booked = text((await clara.get(`/review/${debit!.id}`)).text);
    expect(booked).toContain('Rückzahlungslauf dieser Abbuchung');
    expect(booked).toContain(`Diese Abbuchung hat 2 Rückzahlungen aus Rückzahlungslauf ${run.number} gebucht.`);
    expect(booked).toContain('Summe der Rückzahlungen 45,00 € (2) Abbuchung 45,00 € Differenz stimmt überein');
    // Each refund (its recipient as the file names them) with its receipt (payer, day, amount) and the Kassenzeichen as printed on the notice.
    expect(booked).toMatch(/Otto Ueber RD-IN-1-1#\d+ Otto Über, [\d.]+, 50,00 € /);
    expect(booked).toContain(`${item.kassenzeichenDisplay} 20,00 €`);
    expect(booked).toMatch(/Rita Rueck RD-IN-1-2#\d+ Rita Rück, [\d.]+, 25,00 € – 25,00 €/);
    expect(booked).toContain(`STK-R${run.number}-1`);
    expect((await clara.get(`/review/${debit!.id}`)).text).toContain(`href="/review/${over!.id}"`);

    // Two released runs of one total: a debit of it books neither, and its page says why.
    await f.importStatement({
      id: 'RD-IN-2',
      entries: [
        { ref: 'RD-IN-2-1', amount: '12.34', name: 'Anna Eins', iban: 'DE89370400440532013000', remittance: ['irrtum'] },
        { ref: 'RD-IN-2-2', amount: '12.34', name: 'Bernd Zwei', iban: 'DE12500105170648489890', remittance: ['irrtum'] },
      ],
    });
    const [a, b] = await f.receipts('RD-IN-2');
    for (const r of [a!, b!]) await api(`/v1/review/${r.id}/refund`, marker, { note: 'irrtümlich' });
    const runA = await runOf([a!.id]);
    const runB = await runOf([b!.id]);
    await f.importStatement({ id: 'RD-OUT-2', entries: [{ ref: 'RD-OUT-2', amount: '12.34', credit: false, name: 'Sammler', remittance: ['SEPA-SAMMLER'] }] });
    const [maybe] = await f.receipts('RD-OUT-2');
    expect(maybe!.matchState).toBe('ignored');
    const page = (await clara.get(`/review/${maybe!.id}`)).text;
    const candidate = text(page);
    expect(candidate).toContain('Könnte ein Rückzahlungslauf sein');
    expect(candidate).toContain(`Rückzahlungslauf ${runA.number} ist als eine Sammelbuchung freigegeben und hat genau diese Summe (1 Rückzahlung). Gebucht wurde nichts.`);
    expect(candidate).toContain(`Rückzahlungslauf ${runB.number} ist als eine Sammelbuchung freigegeben`);
    expect(page.match(/data-mismatch="severalRuns"/g)).toHaveLength(2);
    // Nor does the debit name either run's file: only its total speaks for them.
    expect(page.match(/data-mismatch="unnamed"/g)).toHaveLength(2);
    expect(candidate).toContain('Anna Eins');
    expect(candidate).toContain('Bernd Zwei');
    expect(await f.server.db.prisma.refund.count({ where: { runId: { in: [runA.id, runB.id] }, state: 'sent' } })).toBe(2);

    // A credit's page has no such section; nor has a debit of a total no run has.
    expect((await clara.get(`/review/${a!.id}`)).text).not.toContain('data-refund-runs');
    await f.importStatement({ id: 'RD-OUT-3', entries: [{ ref: 'RD-OUT-3', amount: '99.99', credit: false, name: 'Stadtwerke', remittance: ['Strom'] }] });
    expect((await clara.get(`/review/${(await f.receipts('RD-OUT-3'))[0]!.id}`)).text).not.toContain('data-refund-runs');
  });
});
