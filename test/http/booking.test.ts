/**
 * What the matcher books by itself after an import, checked in the ledger: allocations, item
 * balances and events, suspense (Verwahrung), returns, and receipts that wait for their claim.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { computeCheckDigits } from '../../src/references/checkDigits.js';
import { forEachBackend } from '../support/backends.js';
import { camt } from '../support/camtBuilder.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';

const kz = (serial: number) => {
  const payload = '51' + String(serial).padStart(9, '0');
  return payload + computeCheckDigits('luhn', payload);
};

forEachBackend('booking after an import', (backend) => {
  let server: TestServer;
  let key: string;
  const items: Record<string, { id: string; kassenzeichen: string }> = {};

  async function createItem(name: string, serial: number, amount: string, debtor: string) {
    const res = await server.api('/v1/items', {
      method: 'POST',
      key,
      json: { category: 'fine', amount, dueDate: '2026-12-01', description: `Verwarnungsgeld ${name}`, debtor: { name: debtor }, kassenzeichen: kz(serial), externalRef: `FIN-${serial}` },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    items[name] = (await res.json()) as { id: string; kassenzeichen: string };
  }

  async function importStatement(xml: string, fileName: string) {
    const res = await server.api(`/v1/statements?fileName=${fileName}`, { method: 'POST', key, body: xml, headers: { 'content-type': 'application/xml' } });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { matching: Record<string, number> };
  }

  async function receipt(entryRef: string) {
    const tx = await server.db.prisma.bankTransaction.findFirstOrThrow({ where: { entryRef }, include: { allocations: { include: { reversal: true } }, suspense: true } });
    const live = tx.allocations.filter((a) => !a.reversal).reduce((s, a) => s + a.amountMinor, 0n);
    const held = tx.suspense.reduce((s, m) => s + m.amountMinor, 0n);
    return { tx, live, held };
  }

  beforeAll(async () => {
    server = await startTestServer(backend, { env: { KASSENZEICHEN_SCHEMES: JSON.stringify({ schemes: [{ id: 'luhn', prefixes: { fee: '52', fine: '51', library: '61', other: '69' }, serialDigits: 9, checkDigits: 'luhn' }] }) } });
    key = await createClientKey(server, ['items:read', 'items:write', 'statements:import', 'statements:read']);
    // Enough items of one scheme for the matcher to learn its check digit.
    for (let i = 1; i <= 25; i++) await createItem(`fill${i}`, 1000 + i, '10.00', `Füll Person ${i}`);
    await createItem('exact', 500001, '35.00', 'Jörg Müller');
    await createItem('over', 500002, '20.00', 'Anna Schmidt');
    await createItem('returned', 500003, '55.00', 'Klaus Becker');
  });
  afterAll(async () => server?.close());

  it('books an exact reference, an overpayment (surplus to suspense) and leaves the rest in suspense for review', async () => {
    const r = await importStatement(
      camt({
        id: 'DAY-1',
        entries: [
          { amount: '35.00', ref: 'EXACT', name: 'Joerg Mueller', remittance: [`Verwarnung ${kz(500001).slice(0, 4)}.${kz(500001).slice(4)}`] },
          { amount: '25.00', ref: 'OVER', name: 'Anna Schmidt', remittance: [`KZ ${kz(500002)}`] },
          { amount: '55.00', ref: 'RETURNED', name: 'Klaus Becker', e2e: 'E2E-RET-1', remittance: [kz(500003)] },
          { amount: '77.00', ref: 'NOREF', name: 'Unbekannt', remittance: ['Rechnung'] },
        ],
      }),
      'day1.xml',
    );
    expect(r.matching.auto).toBe(3);

    const exact = await receipt('EXACT');
    expect(exact.tx.matchState).toBe('auto');
    expect(exact.live).toBe(3500n);
    expect(exact.held).toBe(0n);
    const item = await server.db.prisma.openItem.findUniqueOrThrow({ where: { id: items.exact!.id } });
    expect(item).toMatchObject({ status: 'paid', paidMinor: 3500n });
    expect(await server.db.prisma.itemEvent.count({ where: { openItemId: item.id, type: 'item.paid' } })).toBe(1);
    expect(await server.db.prisma.auditEntry.count({ where: { subjectId: exact.tx.id, action: 'allocation.auto' } })).toBe(1);

    const over = await receipt('OVER');
    expect(over.live).toBe(2000n);
    expect(over.tx.unappliedMinor).toBe(500n);
    expect(over.held).toBe(500n);
    expect(over.tx.suspense.map((m) => m.reason)).toEqual(['overpayment']);

    const noref = await receipt('NOREF');
    expect(['review', 'unmatched']).toContain(noref.tx.matchState);
    expect(noref.live).toBe(0n);
    expect(noref.held).toBe(7700n);
  });

  it('reverses the booking a returned payment undoes, and reopens the item', async () => {
    const r = await importStatement(
      camt({ id: 'DAY-2', seq: 2, date: '2026-11-17', entries: [{ amount: '55.00', credit: false, ref: 'RETURN-1', name: 'Klaus Becker', e2e: 'E2E-RET-1', returnReason: 'AC04', remittance: [kz(500003)], gvc: '159' }] }),
      'day2.xml',
    );
    expect(r.matching.return).toBe(1);
    const original = await receipt('RETURNED');
    expect(original.tx.matchState).toBe('returned');
    expect(original.live).toBe(0n);
    expect(original.tx.allocations[0]!.reversal?.reason).toMatch(/AC04/);
    const item = await server.db.prisma.openItem.findUniqueOrThrow({ where: { id: items.returned!.id } });
    expect(item).toMatchObject({ status: 'open', paidMinor: 0n });
    expect(await server.db.prisma.itemEvent.count({ where: { openItemId: item.id, type: 'item.reversed' } })).toBe(1);
  });

  it('matches a booking the intraday report showed as pending once the statement books it', async () => {
    await createItem('pending', 500010, '18.00', 'Nora Pending');
    const day = { date: '2026-11-19', iban: 'DE02120300000000202051' };
    await importStatement(camt({ ...day, kind: 'camt.052', id: 'RPT-1119', entries: [{ amount: '18.00', ref: 'PDNG-1', status: 'PDNG', name: 'Nora Pending', remittance: [kz(500010)] }] }), 'intraday.xml');
    const eod = await importStatement(camt({ ...day, id: 'STMT-1119', seq: 4, entries: [{ amount: '18.00', ref: 'PDNG-1', name: 'Nora Pending', remittance: [kz(500010)] }] }), 'eod.xml');
    expect(eod.matching.auto).toBe(1);
    const item = await server.db.prisma.openItem.findUniqueOrThrow({ where: { id: items.pending!.id } });
    expect(item.status).toBe('paid');
  });

  it('takes an overpayment out of suspense when the bank returns the whole payment', async () => {
    const r = await importStatement(
      camt({ id: 'DAY-5', seq: 5, date: '2026-11-20', entries: [{ amount: '25.00', credit: false, ref: 'RETURN-OVER', name: 'Anna Schmidt', returnReason: 'MD07', remittance: [kz(500002)], gvc: '159' }] }),
      'day5.xml',
    );
    // The OVER receipt of the first day carries no end-to-end id: found by item and amount.
    expect(r.matching.return).toBe(1);
    const over = await receipt('OVER');
    expect(over.tx.matchState).toBe('returned');
    expect(over.live).toBe(0n);
    expect(over.held).toBe(0n);
    expect(over.tx.unappliedMinor).toBe(0n);
    expect(over.tx.suspense.map((m) => m.reason).sort()).toEqual(['overpayment', 'returned']);
    const item = await server.db.prisma.openItem.findUniqueOrThrow({ where: { id: items.over!.id } });
    expect(item).toMatchObject({ status: 'open', paidMinor: 0n });
  });

  it('matches a payment that came before its claim once the claim is entered', async () => {
    await importStatement(camt({ id: 'DAY-3', seq: 3, date: '2026-11-18', entries: [{ amount: '42.00', ref: 'EARLY', name: 'Lena Vogel', remittance: [`Kassenzeichen ${kz(500009)}`] }] }), 'day3.xml');
    expect((await receipt('EARLY')).tx.matchState).not.toBe('auto');
    await createItem('late', 500009, '42.00', 'Lena Vogel');
    // Re-matching runs after the answer; give it a moment.
    let state = '';
    for (let i = 0; i < 50 && state !== 'auto'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await receipt('EARLY')).tx.matchState;
    }
    expect(state).toBe('auto');
    const early = await receipt('EARLY');
    expect(early.live).toBe(4200n);
    expect(early.held).toBe(0n);
    expect(early.tx.suspense.map((m) => m.reason).sort()).toEqual(['allocated', 'unassigned']);
  });
});
