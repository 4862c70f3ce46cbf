/**
 * Money leaving suspense, decided in the workplace: the clerk books a refund with the outgoing
 * payment the page offers, takes a refund mark back, and places a return the matcher could not
 * find, each from the payment's page with its form (token, version) over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';

const RITA = 'DE89370400440532013000';
const OTTO = 'DE12500105170648489890';

describe('refunds and returns in the workplace', () => {
  let f: StaffFixture;
  let clara: FormClient;
  beforeAll(async () => {
    f = await startStaffFixture('sqlite');
    await f.user('clara', 'clerk', 'Clara Kasse');
    clara = new FormClient(f.server.url);
    await clara.login('clara');
  });
  afterAll(async () => f?.close());

  const state = async (id: string) => (await f.server.db.prisma.bankTransaction.findUniqueOrThrow({ where: { id } })).matchState;
  /** Sends the form of the section `id` on the payment's page, as the browser would. */
  const submit = async (paymentId: string, action: string, fields: Record<string, string>) => {
    const page = await clara.get(`/review/${paymentId}`);
    const version = new RegExp(`action="/review/${paymentId}/${action}"[\\s\\S]*?name="version" value="(\\d+)"`).exec(page.text)?.[1];
    expect(version, `no ${action} form on the page`).toBeDefined();
    return clara.request(`/review/${paymentId}/${action}`, { form: { _csrf: await clara.csrf(`/review/${paymentId}`), version: version!, ...fields } });
  };

  it('books a refund with the outgoing payment to the same account, offered first', async () => {
    await f.importStatement({ id: 'UI-REF-1', entries: [{ ref: 'UI-REF-1', amount: '40.00', name: 'Rita Rück', iban: RITA, remittance: ['falsch überwiesen'] }] });
    const [r] = await f.receipts('UI-REF-1');
    expect((await submit(r!.id, 'refund', { iban: RITA, note: 'Irrläufer' })).status).toBe(303);
    expect(await state(r!.id)).toBe('refund');

    const waiting = await clara.get(`/review/${r!.id}`);
    expect(waiting.text).toContain('Rückzahlung buchen');
    expect(waiting.text).toContain('Auf den Kontoauszügen steht noch keine Auszahlung über diesen Betrag');

    await f.importStatement({
      id: 'UI-REF-1-OUT',
      date: '2026-11-20',
      entries: [
        { ref: 'UI-OUT-OTTO', amount: '40.00', credit: false, name: 'Otto Anders', iban: OTTO, remittance: ['Erstattung'] },
        { ref: 'UI-OUT-RITA', amount: '40.00', credit: false, name: 'Rita Rück', iban: RITA, remittance: ['Rueckzahlung'] },
        { ref: 'UI-OUT-LESS', amount: '39.99', credit: false, name: 'Rita Rück', iban: RITA, remittance: ['Rueckzahlung'] },
      ],
    });
    const debits = await f.receipts('UI-REF-1-OUT');
    const page = await clara.get(`/review/${r!.id}`);
    const offered = [...page.text.matchAll(/name="counterpartId" value="([^"]+)"/g)].map((m) => m[1]);
    // Both debits of 40.00, Rita's account first; the one of 39.99 is not offered.
    expect(offered).toEqual([debits[1]!.id, debits[0]!.id]);
    expect(page.text).toContain('gleiches Konto');

    const booked = await submit(r!.id, 'book-refund', { counterpartId: debits[1]!.id, note: 'Überweisung vom 20.11.' });
    expect(booked.status).toBe(303);
    expect(await state(r!.id)).toBe('refunded');
    expect(await state(debits[1]!.id)).toBe('refund_booked');
    expect(await state(debits[0]!.id)).toBe('ignored');
    const after = await clara.get(booked.location!);
    expect(after.text).toContain('Rückzahlung von');
    // The audit trail says what happened in words; the record's code is kept with them, out of the text.
    const trail = await clara.get(`/review/${r!.id}`);
    expect(trail.text).toMatch(/data-action="payment\.refund_requested"[^>]*>\s*zur Rückzahlung vorgemerkt\s*</);
    expect(trail.text).toMatch(/data-action="payment\.refunded"[^>]*>\s*zurückgezahlt\s*</);
    expect(trail.text).not.toContain('(payment.refunded)');
  });

  it('takes a refund mark back: the payment is in review again', async () => {
    await f.importStatement({ id: 'UI-REF-2', entries: [{ ref: 'UI-REF-2', amount: '17.50', name: 'Rolf Rück', iban: OTTO, remittance: ['doch richtig'] }] });
    const [r] = await f.receipts('UI-REF-2');
    expect((await submit(r!.id, 'refund', { note: 'vorsorglich' })).status).toBe(303);
    expect(await state(r!.id)).toBe('refund');
    expect((await submit(r!.id, 'unmark-refund', { note: 'Bürger hat angerufen: gehört zu einer Gebühr' })).status).toBe(303);
    expect(await state(r!.id)).toBe('review');
  });

  it('places a return the matcher could not find on the receipt it takes back', async () => {
    await f.importStatement({ id: 'UI-RET-1', entries: [{ ref: 'UI-RET-1', amount: '60.00', name: 'Rüdiger Retour', iban: OTTO, e2e: 'E2E-UI-RET-1', remittance: ['Gebühr'] }] });
    const [receipt] = await f.receipts('UI-RET-1');
    await f.importStatement({ id: 'UI-RET-1-R', date: '2026-11-18', entries: [{ ref: 'UI-RET-1-R', amount: '60.00', credit: false, gvc: '159', e2e: 'E2E-BANK-OTHER', name: 'Rüdiger Retour', iban: OTTO, returnReason: 'MD06', remittance: ['RETOURE'] }] });
    const [ret] = await f.receipts('UI-RET-1-R');
    expect(ret!.matchState).toBe('return_open');

    const page = await clara.get(`/review/${ret!.id}`);
    expect(page.text).toContain('Rückbuchung zuordnen');
    expect([...page.text.matchAll(/name="counterpartId" value="([^"]+)"/g)].map((m) => m[1])).toEqual([receipt!.id]);
    expect((await submit(ret!.id, 'resolve-return', { counterpartId: receipt!.id, note: 'Rückbuchung MD06' })).status).toBe(303);
    expect(await state(receipt!.id)).toBe('returned');
    expect(await state(ret!.id)).toBe('return');
  });

  it('refuses a stale form: the payment changed since the page was read', async () => {
    await f.importStatement({ id: 'UI-REF-3', entries: [{ ref: 'UI-REF-3', amount: '9.00', name: 'Vera Veraltet', iban: RITA, remittance: ['x'] }] });
    const [r] = await f.receipts('UI-REF-3');
    expect((await submit(r!.id, 'refund', { note: 'erst so' })).status).toBe(303);
    const stale = await clara.get(`/review/${r!.id}`);
    const version = /action="\/review\/[^"]+\/unmark-refund"[\s\S]*?name="version" value="(\d+)"/.exec(stale.text)![1]!;
    expect((await submit(r!.id, 'unmark-refund', { note: 'dann anders' })).status).toBe(303);
    const again = await clara.request(`/review/${r!.id}/unmark-refund`, { form: { _csrf: await clara.csrf(`/review/${r!.id}`), version, note: 'noch einmal' } });
    expect(again.status).toBe(303);
    const shown = await clara.get(again.location!);
    expect(shown.text).toMatch(/role="alert">Zahlung UI-REF-3#0 wurde inzwischen geändert. Bitte prüfen Sie den neuen Stand/);
    expect(await state(r!.id)).toBe('review');
  });
});
