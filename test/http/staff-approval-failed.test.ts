/**
 * An approval that went stale while it waited, as the approver reads it: the refusal, the note in
 * the "recently decided" list and the payment's audit trail say why in the page's language, with
 * the Kassenzeichen as printed. The stored note stays English (the API's words); notes stored
 * before the facts were kept read the same way, or are shown marked as the stored record.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { FormClient, startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';

/** Entities decoded and tags dropped, as a reader sees the text. */
const plain = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');

forEachBackend('a failed approval in the workplace', (backend) => {
  let f: StaffFixture;
  const client = () => new FormClient(f.server.url);
  beforeAll(async () => {
    f = await startStaffFixture(backend);
    await f.user('anton', 'approver', 'Anton Auge');
    await f.user('berta', 'approver', 'Berta Blick');
  });
  afterAll(async () => f?.close());

  it('says why in German, with the Kassenzeichen as printed, in the refusal, the decided list and the audit trail', async () => {
    const item = await f.item('750.00', 'Gisela Großbetrag', { kassenzeichen: 'HALLE-2026-0750' });
    const printed: string = item.kassenzeichenDisplay ?? item.kassenzeichen;
    await f.importStatement({ id: 'STALE-S', entries: [{ amount: '750.00', name: 'G. Grossbetrag GmbH', remittance: ['Hallenmiete'] }] });
    const [r] = await f.receipts('STALE-S');
    const anton = client();
    await anton.login('anton');
    const proposed = await anton.request(`/review/${r!.id}/allocate`, {
      form: { _csrf: await anton.csrf(`/review/${r!.id}`), kassenzeichen1: printed, amount1: '750,00', note: 'Firma zahlt für Frau Großbetrag' },
    });
    expect(proposed.status).toBe(303);
    const approval = await f.server.db.prisma.approval.findFirstOrThrow({ where: { transactionId: r!.id } });
    const cancelled = await f.server.api(`/v1/items/${item.id}/cancel`, { method: 'POST', key: f.itemsKey, json: { reason: 'Bescheid aufgehoben' } });
    expect(cancelled.status).toBe(200);

    const berta = client();
    await berta.login('berta');
    const res = await berta.request(`/approvals/${approval.id}/approve`, { form: { _csrf: await berta.csrf('/approvals') } });
    expect(res.status).toBe(303);
    const stored = await f.server.db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } });
    // The stored record stays English, with the key as stored.
    expect(stored).toMatchObject({ status: 'failed', decisionNote: `open item ${item.kassenzeichen} was cancelled meanwhile` });

    const page = plain((await berta.get('/approvals')).text);
    // The refusal (flash) and the decided list both say it in German, as printed.
    expect(page).toContain(`Nicht gebucht: Die Freigabe ist nicht ausführbar. Der Posten ${printed} wurde inzwischen aufgehoben.`);
    expect(page.split(`Der Posten ${printed} wurde inzwischen aufgehoben.`).length).toBe(3);
    expect(page).not.toMatch(/cancelled|meanwhile|cannot be carried out|open item|approval/i);
    if (printed !== item.kassenzeichen) expect(page).not.toContain(item.kassenzeichen);

    const review = plain((await berta.get(`/review/${r!.id}`)).text);
    expect(review).toContain('Freigabe nicht ausführbar');
    expect(review).toContain(`Der Posten ${printed} wurde inzwischen aufgehoben.`);
    expect(review).not.toMatch(/cancelled meanwhile|approval\.failed/);

    await berta.get('/lang/en');
    const en = plain((await berta.get('/approvals')).text);
    expect(en).toContain(`Open item ${printed} was cancelled meanwhile.`);
  });

  it('reads notes stored before the facts were kept: known wordings in German, others marked as the stored record', async () => {
    const base = await f.server.db.prisma.approval.findFirstOrThrow({ where: { status: 'failed' } });
    const at = new Date('2026-12-04T09:00:00Z');
    const row = (id: string, note: string) => ({ ...base, id, version: 1, decidedAt: at, decisionNote: note });
    await f.server.db.prisma.approval.create({ data: row('old-reversed', 'allocation 01JX0000000000000000000000 was reversed meanwhile') });
    await f.server.db.prisma.approval.create({ data: row('old-left', 'only 12.50 of the payment is left') });
    await f.server.db.prisma.approval.create({ data: row('old-odd', 'something nobody foresaw') });
    const berta = client();
    await berta.login('berta');
    const page = plain((await berta.get('/approvals')).text);
    expect(page).toContain('Die Buchung wurde inzwischen storniert.');
    expect(page).toContain('Von der Zahlung sind nur noch 12,50 € übrig.');
    expect(page).toContain('Vermerk wie gespeichert (englisch): „something nobody foresaw“');
    expect(page).not.toMatch(/reversed meanwhile|of the payment is left/);
  });
});

