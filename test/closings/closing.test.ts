/**
 * The daily closing as a treasurer meets it: a clean day, a day that cannot be closed (missing
 * statement, balance break, a cash office's shortfall), a late statement after closing and a
 * provider's payout in transit. Both backends. Signing and tampering: closing-signing.test.ts.
 */
import { afterEach, expect, it } from 'vitest';
import { linesJson, onlineReference, applyProviderStatus } from '../../src/services/online/onlinePayments.js';
import { importOpenItems } from '../../src/services/items/createOpenItems.js';
import { parseOpenItemsCsv } from '../../src/services/items/csv.js';
import { determineClosing, explainDifference, previewClosing } from '../../src/services/closings/closings.js';
import { createCashOffice, deliverCashReport, parseCashReportCsv, parseCashReportJson } from '../../src/services/closings/cashOffices.js';
import { verifyChains } from '../../src/services/closings/verify.js';
import { newId } from '../../src/services/shared/ids.js';
import { forEachBackend } from '../support/backends.js';
import { ALICE, BOB, IBAN, blockersOf, close, openKasse, type Kasse } from './support.js';

const BANK = `bank:${IBAN}`;

forEachBackend('daily closing', (backend) => {
  let k: Kasse;
  afterEach(async () => {
    await k?.close();
  });

  it('closes a clean day: opening, receipts and payments by kind, bank balance, no difference; numbered and chained', async () => {
    k = await openKasse(backend);
    await k.importFile({ id: 'S1', seq: 1, date: '2026-11-16', opening: '1000.00', entries: [{ amount: '30.00', name: 'Erika Muster', remittance: ['Hundesteuer?'] }, { amount: '5.00', credit: false, name: 'Bank', gvc: '805' }] });
    k.clock.set('2026-11-16');
    const preview = await previewClosing({ ctx: k.as(ALICE), input: { day: '2026-11-16' } });
    expect(preview.blockers).toEqual([]);
    const bank = preview.content.accounts.find((a) => a.key === BANK)!;
    expect(bank).toMatchObject({ opening: '1000.00', ledgerClosing: '1025.00', bankClosing: '1025.00', difference: '0.00', inTransit: '0.00' });
    expect(bank.receipts).toEqual([{ kind: 'unclear', amount: '30.00', count: 1 }]);
    expect(bank.payments).toEqual([{ kind: 'charges_and_other', amount: '5.00', count: 1 }]);
    expect(preview.content.suspense.find((s) => s.type === 'unclear_receipt')).toMatchObject({ balance: '30.00', count: 1, ageing: { upTo30: '30.00' } });

    const first = await close(k, '2026-11-16');
    expect(first).toMatchObject({ status: 'signed', number: 1, prevHash: '', determinedBy: 'user:u-alice', signedBy: 'user:u-bob' });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);

    await k.importFile({ id: 'S2', seq: 2, date: '2026-11-17', opening: '1025.00', entries: [{ amount: '12.50', name: 'Max Muster', remittance: ['Gebühr'] }] });
    k.clock.set('2026-11-17');
    const second = await close(k, '2026-11-17');
    expect(second).toMatchObject({ number: 2, prevHash: first.hash });
    expect(second.content.accounts.find((a) => a.key === BANK)).toMatchObject({ opening: '1025.00', ledgerClosing: '1037.50', bankClosing: '1037.50' });

    const report = await verifyChains(k.as(BOB));
    expect(report.ok).toBe(true);
    expect(report.closings.checked).toBe(2);
    expect(report.audit.checked).toBeGreaterThan(3);
  });

  it('is blocked while a statement of the sequence is missing, and closes once it arrives', async () => {
    k = await openKasse(backend);
    await k.importFile({ id: 'S1', seq: 1, date: '2026-11-16', opening: '1000.00', entries: [{ amount: '10.00', name: 'A' }] });
    k.clock.set('2026-11-16');
    await close(k, '2026-11-16');
    // Statement no. 2 (the 17th) is not delivered; no. 3 (the 18th) is.
    await k.importFile({ id: 'S3', seq: 3, date: '2026-11-18', opening: '1030.00', entries: [{ amount: '5.00', name: 'C' }] });
    k.clock.set('2026-11-18');
    expect((await blockersOf(k, '2026-11-17')).map((b) => [b.kind, b.account])).toEqual([['missing_statement', BANK]]);
    const on18 = await blockersOf(k, '2026-11-18');
    expect(on18.map((b) => b.kind)).toContain('sequence_gap');
    expect(on18.find((b) => b.kind === 'sequence_gap')!.detail).toContain('statement no. 2');

    await k.importFile({ id: 'S2', seq: 2, date: '2026-11-17', opening: '1010.00', entries: [{ amount: '20.00', name: 'B' }] });
    // The 18th cannot jump the 17th, now that the 17th has bookings.
    expect((await blockersOf(k, '2026-11-18')).map((b) => b.kind)).toEqual(['earlier_period_open']);
    expect((await close(k, '2026-11-17')).number).toBe(2);
    expect((await close(k, '2026-11-18')).content.accounts[0]).toMatchObject({ opening: '1030.00', bankClosing: '1035.00', difference: '0.00' });
  });

  it('is blocked by a balance break until a person books it to suspense with a reason', async () => {
    k = await openKasse(backend);
    await k.importFile({ id: 'S1', seq: 1, date: '2026-11-16', opening: '1000.00', entries: [{ amount: '100.00', name: 'A' }] });
    k.clock.set('2026-11-16');
    await close(k, '2026-11-16');
    // The bank's next statement opens 50.00 higher than the last one closed.
    await k.importFile({ id: 'S2', seq: 2, date: '2026-11-17', opening: '1150.00', entries: [{ amount: '10.00', name: 'B' }] });
    k.clock.set('2026-11-17');
    const blockers = await blockersOf(k, '2026-11-17');
    expect(blockers.map((b) => [b.kind, b.account])).toEqual([['balance_break', BANK]]);
    expect(blockers[0]!.detail).toContain('opens with 1150.00');

    const ctx = k.as(ALICE);
    await expect(explainDifference({ ctx, input: { day: '2026-11-17', account: BANK, suspenseType: 'unclear_receipt', amount: '60.00', reason: 'Saldensprung laut Bank' } })).rejects.toThrow(/does not fit/);
    await expect(explainDifference({ ctx, input: { day: '2026-11-17', account: BANK, suspenseType: 'vorschuss', amount: '50.00', reason: 'Saldensprung laut Bank' } })).rejects.toThrow(/shortfall/);
    await expect(explainDifference({ ctx, input: { day: '2026-11-17', account: BANK, suspenseType: 'unclear_receipt', amount: '50.00', reason: '' } })).rejects.toThrow(/reason/);
    await explainDifference({ ctx, input: { day: '2026-11-17', account: BANK, suspenseType: 'unclear_receipt', amount: '50.00', reason: 'Saldensprung laut Bank; Rückfrage gestellt' } });
    const signed = await close(k, '2026-11-17');
    const bank = signed.content.accounts.find((a) => a.key === BANK)!;
    expect(bank).toMatchObject({ ledgerClosing: '1110.00', explained: '50.00', bankClosing: '1160.00', difference: '0.00' });
    expect(bank.explanations).toMatchObject([{ suspenseType: 'unclear_receipt', amount: '50.00', by: 'user:u-alice' }]);
    const audit = await k.db.prisma.auditEntry.findFirst({ where: { action: 'closing.difference_explained' } });
    expect(audit?.reason).toBe('Saldensprung laut Bank; Rückfrage gestellt');
  });

  it('puts a late statement after closing into a follow-up closing that references the first', async () => {
    k = await openKasse(backend);
    // The day is closed on the last intraday report (camt.052) ...
    await k.importFile({ kind: 'camt.052', reportBalances: true, id: 'R1', seq: 7, date: '2026-11-16', time: '15:00', opening: '1000.00', entries: [{ amount: '20.00', name: 'A', ref: 'ASR-1' }] });
    k.clock.set('2026-11-16');
    const first = await close(k, '2026-11-16');
    expect(first.content.accounts[0]).toMatchObject({ bankClosing: '1020.00', bankSource: { kind: 'camt.052' } });
    // ... and the statement of the day brings one booking more.
    await k.importFile({ id: 'S1', seq: 1, date: '2026-11-16', opening: '1000.00', entries: [{ amount: '20.00', name: 'A', ref: 'ASR-1' }, { amount: '7.00', name: 'Late', ref: 'ASR-2' }] });
    k.clock.set('2026-11-17', '08:00');
    const preview = await previewClosing({ ctx: k.as(ALICE), input: { day: '2026-11-16' } });
    expect(preview).toMatchObject({ kind: 'follow_up', closed: false, blockers: [] });
    const followUp = await close(k, '2026-11-16');
    expect(followUp).toMatchObject({ kind: 'follow_up', followsId: first.id, number: 2, prevHash: first.hash });
    expect(followUp.content.follows).toEqual({ id: first.id, number: 1, hash: first.hash });
    expect(followUp.content.accounts[0]).toMatchObject({ ledgerClosing: '1027.00', bankClosing: '1027.00', changes: { ledgerClosing: '7.00', bankClosing: '7.00' } });
    // The first closing is untouched.
    const again = await k.db.prisma.closing.findUniqueOrThrow({ where: { id: first.id } });
    expect([again.status, again.hash, again.contentHash]).toEqual(['signed', first.hash, first.contentHash]);
    await expect(determineClosing({ ctx: k.as(ALICE), input: { day: '2026-11-16' } })).rejects.toThrow(/nothing arrived since/);
    // The next day opens from the follow-up.
    await k.importFile({ id: 'S2', seq: 2, date: '2026-11-17', opening: '1027.00', entries: [] });
    k.clock.set('2026-11-17');
    expect((await close(k, '2026-11-17')).content.accounts[0]).toMatchObject({ opening: '1027.00', difference: '0.00' });
  });

  it("shows a provider's payout in transit until it arrives two days later, then cleared", async () => {
    k = await openKasse(backend);
    k.clock.set('2026-11-16', '10:00');
    const ctx = k.as(ALICE);
    await importOpenItems({ ctx, input: { rows: parseOpenItemsCsv('kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref\n5100000017,25.00,EUR,2026-12-01,Erika Muster,,fee,Gebühr,G-1\n'), source: 'csv' } });
    const item = await k.db.prisma.openItem.findFirstOrThrow();
    const reference = onlineReference();
    const row = await k.db.prisma.onlinePayment.create({ data: { id: newId(), provider: 'test', paymentRequestId: newId(), reference, amountMinor: 2500n, lines: linesJson([{ itemId: item.id, amountMinor: 2500n }]), status: 'initial', createdAt: k.clock.now(), updatedAt: k.clock.now() } });
    await applyProviderStatus(ctx, row, { transactionId: 'T-1', status: 'PAYED' });

    for (const [seq, day] of [[1, '2026-11-16'], [2, '2026-11-17']] as const) {
      await k.importFile({ id: `S${seq}`, seq, date: day, opening: '1000.00', entries: [] });
      k.clock.set(day);
      const c = await close(k, day);
      expect(c.content.accounts.find((a) => a.key === 'clearing:test'), day).toMatchObject({ inTransit: '25.00', difference: '0.00' });
      expect(c.content.totals).toMatchObject({ bank: '1000.00', inTransit: '25.00', kassenIst: '1025.00' });
    }
    k.clock.set('2026-11-18', '09:00');
    await k.importFile({ id: 'S3', seq: 3, date: '2026-11-18', opening: '1000.00', entries: [{ amount: '25.00', name: 'Test Provider GmbH', remittance: [`Auszahlung ${reference}`] }] });
    k.clock.set('2026-11-18');
    const c = await close(k, '2026-11-18');
    const clearing = c.content.accounts.find((a) => a.key === 'clearing:test')!;
    expect(clearing).toMatchObject({ opening: '25.00', ledgerClosing: '0.00', inTransit: '0.00', payments: [{ kind: 'payout_settled', amount: '25.00', count: 1 }] });
    expect(c.content.accounts.find((a) => a.key === BANK)!.receipts).toEqual([{ kind: 'clearing', amount: '25.00', count: 1 }]);
  });

  it("books a cash office's shortfall to Vorschuss, carries its deposit in transit and matches it on the bank", async () => {
    k = await openKasse(backend);
    k.clock.set('2026-11-16', '08:00');
    const ctx = k.as(ALICE);
    await createCashOffice({ ctx, input: { code: 'BUERGERAMT', name: 'Bürgeramt Mitte', depositIban: IBAN } });
    await k.importFile({ id: 'S1', seq: 1, date: '2026-11-16', opening: '1000.00', entries: [] });
    const office = { ...ctx, actor: { ...ALICE, type: 'client' as const, id: 'till-buergeramt', name: 'Kasse Bürgeramt' } };
    const delivered = await deliverCashReport({ ctx: office, input: { code: 'BUERGERAMT', source: 'csv', report: parseCashReportCsv('day,line,kind,amount,reference\n2026-11-16,receipt,Gebühren,120.00,\n2026-11-16,receipt,Verwarnungsgelder,35.00,\n2026-11-16,deposit,,150.00,ZST-BA-20261116\n') } });
    expect(delivered).toMatchObject({ expected: '155.00', deposit: '150.00', difference: '-5.00', matched: 0 });
    k.clock.set('2026-11-16');
    const blockers = await blockersOf(k, '2026-11-16');
    expect(blockers.map((b) => [b.kind, b.account])).toEqual([['difference', 'cash:BUERGERAMT']]);
    await explainDifference({ ctx, input: { day: '2026-11-16', account: 'cash:BUERGERAMT', suspenseType: 'vorschuss', amount: '-5.00', reason: 'Kassenfehlbetrag Bürgeramt, Kassiererin benachrichtigt' } });
    const day1 = await close(k, '2026-11-16');
    expect(day1.content.accounts.find((a) => a.key === 'cash:BUERGERAMT')).toMatchObject({ opening: '0.00', ledgerClosing: '155.00', explained: '-5.00', inTransit: '150.00', difference: '0.00' });
    expect(day1.content.suspense.find((s) => s.type === 'vorschuss')).toMatchObject({ balance: '5.00', count: 1 });

    // Day 2: the till was closed (an empty closing through the API); the deposit arrives on the bank.
    k.clock.set('2026-11-17', '09:00');
    await deliverCashReport({ ctx: office, input: { code: 'BUERGERAMT', source: 'api', report: parseCashReportJson({ day: '2026-11-17', receipts: [], deposit: { amount: '0.00', reference: '' } }) } });
    await k.importFile({ id: 'S2', seq: 2, date: '2026-11-17', opening: '1000.00', entries: [{ amount: '150.00', name: 'Stadt Musterstadt Bürgeramt', remittance: ['ZST-BA-20261116 Einzahlung'] }] });
    k.clock.set('2026-11-17');
    const day2 = await close(k, '2026-11-17');
    expect(day2.content.accounts.find((a) => a.key === 'cash:BUERGERAMT')).toMatchObject({ opening: '150.00', inTransit: '0.00', payments: [{ kind: 'cash_deposit_arrived', amount: '150.00', count: 1 }], difference: '0.00' });
    expect(day2.content.accounts.find((a) => a.key === BANK)!.receipts).toEqual([{ kind: 'clearing', amount: '150.00', count: 1 }]);
    const credit = await k.db.prisma.bankTransaction.findFirstOrThrow({ where: { creditDebit: 'CRDT' } });
    expect([credit.matchState, credit.unappliedMinor]).toEqual(['clearing', 0n]);
  });

});
