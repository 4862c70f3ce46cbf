import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { createClientKey } from '../support/server.js';
import { daysAgo, startReviewFixture, type ReviewFixture } from './review.fixture.js';

forEachBackend('review queue over HTTP', (backend) => {
  let f: ReviewFixture;
  beforeAll(async () => {
    f = await startReviewFixture(backend);
  });
  afterAll(async () => f?.server.close());

  describe('the queue', () => {
    const account = 'DE75512108001245126199';
    let ids: string[] = [];
    beforeAll(async () => {
      // Three payments nobody can assign and one with a suggestion, on an account of their own.
      const a = await f.item('61.00', 'Queue Quentin');
      await f.importStatement({
        id: 'QUEUE-1',
        iban: account,
        entries: [
          { amount: '17.00', name: 'Anna Anfang', iban: 'DE89370400440532013000', remittance: ['Spende Stadtfest'], bookingDate: daysAgo(f.clock, 8) },
          { amount: '250.00', name: 'Bernd Breit', remittance: ['Miete Garage'], bookingDate: daysAgo(f.clock, 6) },
          { amount: '61.00', name: 'Queue Quentin', remittance: ['Gebühr'], bookingDate: daysAgo(f.clock, 7) },
          { amount: '8.50', name: 'Clara Clever', remittance: ['Kopien'], bookingDate: daysAgo(f.clock, 5) },
        ],
      });
      ids = (await f.receipts('QUEUE-1')).map((r) => r.id);
      expect(a.kassenzeichen).toBeTruthy();
    });

    it('lists the payments waiting for a person, oldest booking first, with payer, remittance and top suggestion', async () => {
      const { status, body } = await f.json(`/v1/review?account=${account}`, { key: f.clerkA });
      expect(status).toBe(200);
      expect(body.items.map((r: any) => r.amount)).toEqual(['17.00', '61.00', '250.00', '8.50']);
      const first = body.items[0];
      expect(first).toMatchObject({ id: ids[0], bookingDate: daysAgo(f.clock, 8), currency: 'EUR', state: 'unmatched', remittance: 'Spende Stadtfest', ageDays: 8, unapplied: '17.00', topSuggestion: null });
      expect(first.ref).toMatch(/#0$/);
      expect(first.payer).toEqual({ name: 'Anna Anfang', iban: 'DE89 **** **** **** **30 00' });
      const quentin = body.items[1];
      expect(quentin.state).toBe('review');
      expect(quentin.topSuggestion).toMatchObject({ amount: '61.00' });
      expect(quentin.topSuggestion.kassenzeichen).toHaveLength(1);
    });

    it('filters by state, amount, booking date and text', async () => {
      const q = async (qs: string) => (await f.json(`/v1/review?account=${account}&${qs}`, { key: f.clerkA })).body.items.map((r: any) => r.amount);
      expect(await q('state=review')).toEqual(['61.00']);
      expect(await q('state=unmatched,review&amountFrom=10.00&amountTo=100.00')).toEqual(['17.00', '61.00']);
      expect(await q(`bookedFrom=${daysAgo(f.clock, 6)}&bookedTo=${daysAgo(f.clock, 5)}`)).toEqual(['250.00', '8.50']);
      expect(await q('q=garage')).toEqual(['250.00']);
      expect(await q('q=clever')).toEqual(['8.50']);
      expect(await q('state=refund')).toEqual([]);
      const bad = await f.json(`/v1/review?state=paid`, { key: f.clerkA });
      expect(bad.status).toBe(422);
      expect(bad.body.detail).toMatch(/state/);
    });

    it('sorts by amount either way and pages without gaps or repeats', async () => {
      const desc = await f.json(`/v1/review?account=${account}&sort=amount&order=desc`, { key: f.clerkA });
      expect(desc.body.items.map((r: any) => r.amount)).toEqual(['250.00', '61.00', '17.00', '8.50']);
      for (const [sort, order] of [['age', 'asc'], ['age', 'desc'], ['amount', 'asc']]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: any = await f.json(`/v1/review?account=${account}&sort=${sort}&order=${order}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, { key: f.clerkA });
          expect(page.status).toBe(200);
          seen.push(...page.body.items.map((r: any) => r.id));
          cursor = page.body.nextCursor;
        } while (cursor);
        expect(seen).toHaveLength(4);
        expect(new Set(seen)).toEqual(new Set(ids));
      }
      const all = await f.json(`/v1/review?account=${account}&sort=age&order=desc`, { key: f.clerkA });
      expect(all.body.items.map((r: any) => r.amount)).toEqual(['8.50', '250.00', '61.00', '17.00']);
      const page1 = await f.json(`/v1/review?account=${account}&limit=2`, { key: f.clerkA });
      const mixed = await f.json(`/v1/review?account=${account}&sort=amount&cursor=${page1.body.nextCursor}`, { key: f.clerkA });
      expect(mixed.status).toBe(422);
    });

    it('needs the review scope', async () => {
      const itemsOnly = await createClientKey(f.server, ['items:read']);
      expect((await f.server.api('/v1/review', { key: itemsOnly })).status).toBe(403);
      expect((await f.server.api('/v1/review', { key: null })).status).toBe(401);
      expect((await f.server.api(`/v1/review/${ids[0]}/park`, { key: itemsOnly, method: 'POST', json: { note: 'x' } })).status).toBe(403);
    });
  });

  describe('one payment', () => {
    it('shows the payment, its statement entry, ranked suggestions with items and where their references appear', async () => {
      const a = await f.item('30.70', 'Hanna Hinweis');
      const b = await f.item('45.00', 'Hanna Hinweis');
      await f.importStatement({ id: 'DETAIL-1', entries: [{ amount: '50.00', name: 'Hanna Hinweis', iban: 'DE89370400440532013000', ultimate: 'Kind Hinweis', e2e: 'E2E-DETAIL-1', remittance: [`KZ ${a.kassenzeichenDisplay} und`, `${b.kassenzeichen} Danke`] }] });
      const [r] = await f.receipts('DETAIL-1');
      const { status, body } = await f.json(`/v1/review/${r!.id}`, { key: f.clerkA });
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: r!.id, state: 'review', amount: '50.00', unapplied: '50.00', creditDebit: 'CRDT' });
      expect(body.payment).toMatchObject({
        payer: { name: 'Hanna Hinweis', iban: 'DE89370400440532013000' },
        ultimateDebtor: 'Kind Hinweis',
        endToEndId: 'E2E-DETAIL-1',
        proprietaryCode: 'NTRF+166+0000',
        gvc: '166',
        bookingDate: '2026-11-16',
        valueDate: '2026-11-16',
      });
      expect(body.payment.remittance.lines).toHaveLength(2);
      expect(body.statement).toMatchObject({ bankStatementId: 'DETAIL-1', accountIban: 'DE02120300000000202051', kind: 'camt.053' });
      expect(body.entry.accountServicerReference).toBe(body.ref.split('#')[0]);

      // Ranked: the split over both items first, then each alone.
      expect(body.suggestions.length).toBeGreaterThanOrEqual(2);
      const best = body.suggestions[0];
      expect(best.total).toBe('50.00');
      expect(best.allocations.map((x: any) => [x.kassenzeichen, x.amount])).toEqual([[a.kassenzeichen, '30.70'], [b.kassenzeichen, '19.30']]);
      expect(best.allocations[0].item).toMatchObject({ kassenzeichen: a.kassenzeichen, debtorName: 'Hanna Hinweis', amount: '30.70', open: '30.70', dueDate: '2026-11-30', status: 'open' });
      expect(best.reasons.length).toBeGreaterThan(0);
      expect(body.proposal).toMatchObject({ decision: 'review' });

      // Highlights index into payment.remittance.text, as written (with the payer's dots).
      const text: string = body.payment.remittance.text;
      expect(body.highlights.map((h: any) => text.slice(h.start, h.end))).toEqual([a.kassenzeichenDisplay, b.kassenzeichen]);
      expect(body.highlights.map((h: any) => h.itemId)).toEqual([a.id, b.id]);
      expect(body.suspense).toMatchObject({ balance: '50.00' });
      expect(body.suspense.movements).toEqual([expect.objectContaining({ amount: '50.00', reason: 'unassigned' })]);
      expect(body.allocations).toEqual([]);
      expect(body.pendingApproval).toBeNull();
    });

    it('answers 404 for an unknown payment', async () => {
      const { status, body } = await f.json('/v1/review/nope', { key: f.clerkA });
      expect(status).toBe(404);
      expect(body.type).toMatch(/not-found/);
    });
  });

  describe('deciding', () => {
    it('confirm: books the suggestion as proposed, the items are paid, their issuer is told and the payer learned', async () => {
      const a = await f.item('12.00', 'Konrad Konfirm');
      const b = await f.item('20.00', 'Konrad Konfirm');
      await f.importStatement({ id: 'CONFIRM-1', entries: [{ amount: '32.50', name: 'Konrad Konfirm', iban: 'DE12500105170648489890', remittance: [`${a.kassenzeichen} ${b.kassenzeichen} Auftrag 987654321098`] }] });
      const [r] = await f.receipts('CONFIRM-1');
      expect(r!.matchState).toBe('review');
      const detail = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body;
      const best = detail.suggestions[0];
      expect(best.total).toBe('32.00');

      const res = await f.json(`/v1/review/${r!.id}/confirm`, { method: 'POST', key: f.clerkA, json: { suggestion: 0, version: detail.version } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ outcome: 'booked', state: 'review', unapplied: '0.50' });
      expect(res.body.allocations.map((x: any) => [x.kassenzeichen, x.amount, x.itemStatus])).toEqual([[a.kassenzeichen, '12.00', 'paid'], [b.kassenzeichen, '20.00', 'paid']]);
      await f.assertBalanced(r!.id);

      const db = f.server.db.prisma;
      const allocations = await db.allocation.findMany({ where: { transactionId: r!.id } });
      expect(allocations.every((x) => x.kind === 'confirmed' && x.proposalId === detail.proposal.id)).toBe(true);
      const clerk = await db.apiClient.findFirstOrThrow({ where: { name: 'clerk A' } });
      expect(allocations[0]!.createdBy).toBe(`client:${clerk.id}`);
      const events = await db.itemEvent.findMany({ where: { openItemId: { in: [a.id, b.id] }, type: 'item.paid' } });
      expect(events).toHaveLength(2);
      expect(events[0]!.issuerClientId).toBeTruthy();
      expect(await db.knownPayer.count({ where: { iban: 'DE12500105170648489890' } })).toBe(1);
      const audit = await db.auditEntry.findFirstOrThrow({ where: { subjectId: r!.id, action: 'allocation.confirmed' } });
      expect(audit.actorId).toBe(clerk.id);
      expect((await f.json(`/v1/items/${a.id}`, { key: f.itemsKey })).body.status).toBe('paid');

      // The 0.50 left waits in the queue; confirming the old version again is refused.
      const again = await f.json(`/v1/review/${r!.id}/confirm`, { method: 'POST', key: f.clerkB, json: { suggestion: 0, version: detail.version } });
      expect(again.status).toBe(409);
      const row = (await f.json(`/v1/review?q=Konrad`, { key: f.clerkA })).body.items[0];
      expect(row).toMatchObject({ id: r!.id, unapplied: '0.50', state: 'review' });
    });

    it('manual allocation: splits one payment over two items by id and by Kassenzeichen; the rest stays in suspense', async () => {
      const a = await f.item('30.00', 'Mia Manuell');
      const b = await f.item('25.00', 'Paul Partner');
      await f.importStatement({ id: 'MANUAL-1', entries: [{ amount: '99.00', name: 'Familie Unbekannt', remittance: ['fuer alles'] }] });
      const [r] = await f.receipts('MANUAL-1');
      expect(r!.matchState).toBe('unmatched');
      const res = await f.json(`/v1/review/${r!.id}/allocate`, {
        method: 'POST',
        key: f.clerkA,
        json: { allocations: [{ itemId: a.id, amount: '30.00' }, { kassenzeichen: b.kassenzeichenDisplay, amount: '20.00' }], note: 'Anruf Frau Unbekannt: zahlt für Mia und Paul' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ outcome: 'booked', state: 'review', unapplied: '49.00' });
      expect(res.body.allocations.map((x: any) => x.itemStatus)).toEqual(['paid', 'partly_paid']);
      await f.assertBalanced(r!.id);
      const detail = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body;
      expect(detail.allocations.map((x: any) => [x.kind, x.amount, x.reason]).sort()).toEqual([
        ['manual', '20.00', 'Anruf Frau Unbekannt: zahlt für Mia und Paul'],
        ['manual', '30.00', 'Anruf Frau Unbekannt: zahlt für Mia und Paul'],
      ]);
      expect(detail.suspense.movements.map((m: any) => [m.amount, m.reason]).sort()).toEqual([['-50.00', 'allocated'], ['99.00', 'unassigned']]);
      expect(detail.audit.map((x: any) => x.action)).toContain('allocation.manual');

      // More than is left, an unknown item, no note: refused, nothing booked.
      const over = await f.json(`/v1/review/${r!.id}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ itemId: b.id, amount: '49.01' }], note: 'x' } });
      expect(over.status).toBe(422);
      expect(over.body.detail).toMatch(/49\.01.*49\.00/);
      const unknown = await f.json(`/v1/review/${r!.id}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ kassenzeichen: '999999', amount: '1.00' }], note: 'x' } });
      expect(unknown.status).toBe(422);
      const noNote = await f.json(`/v1/review/${r!.id}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ itemId: b.id, amount: '1.00' }] } });
      expect(noNote.status).toBe(422);
      await f.assertBalanced(r!.id);
    });

    it('park: the money stays in suspense with the note, and the payment shows as parked', async () => {
      await f.importStatement({ id: 'PARK-1', entries: [{ amount: '77.70', name: 'Peter Parker', remittance: ['Vorauszahlung'] }] });
      const [r] = await f.receipts('PARK-1');
      const before = await f.server.db.prisma.suspenseMovement.count({ where: { transactionId: r!.id } });
      const res = await f.json(`/v1/review/${r!.id}/park`, { method: 'POST', key: f.clerkA, json: { note: 'Bescheid folgt laut Bauamt' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ state: 'parked', unapplied: '77.70' });
      expect(await f.server.db.prisma.suspenseMovement.count({ where: { transactionId: r!.id } })).toBe(before);
      await f.assertBalanced(r!.id);
      const detail = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body;
      expect(detail.parked).toMatchObject({ note: 'Bescheid folgt laut Bauamt' });
      const parked = (await f.json('/v1/review?state=parked&q=Parker', { key: f.clerkA })).body.items;
      expect(parked.map((x: any) => x.id)).toEqual([r!.id]);
      // A parked payment can still be booked later.
      const item = await f.item('77.70', 'Peter Parker Bau');
      const booked = await f.json(`/v1/review/${r!.id}/allocate`, { method: 'POST', key: f.clerkA, json: { allocations: [{ itemId: item.id, amount: '77.70' }], note: 'Bescheid ist da' } });
      expect(booked.body).toMatchObject({ outcome: 'booked', state: 'manual', unapplied: '0.00' });
      await f.assertBalanced(r!.id);
    });

    it('refund: marks the payment, records recipient and IBAN, and the money waits in suspense', async () => {
      await f.importStatement({ id: 'REFUND-1', entries: [{ amount: '40.00', name: 'Rita Rück', iban: 'DE89370400440532013000', remittance: ['falsch überwiesen'] }] });
      const [r] = await f.receipts('REFUND-1');
      const badIban = await f.json(`/v1/review/${r!.id}/refund`, { method: 'POST', key: f.clerkA, json: { note: 'x', iban: 'DE00123' } });
      expect(badIban.status).toBe(422);
      const res = await f.json(`/v1/review/${r!.id}/refund`, { method: 'POST', key: f.clerkA, json: { note: 'Irrläufer, zurück an Absenderin' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ state: 'refund', unapplied: '40.00', refund: { recipientName: 'Rita Rück', iban: 'DE89370400440532013000', amount: '40.00' } });
      await f.assertBalanced(r!.id);
      const detail = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body;
      expect(detail.refund).toMatchObject({ recipientName: 'Rita Rück', iban: 'DE89370400440532013000', amount: '40.00', note: 'Irrläufer, zurück an Absenderin' });
      expect(detail.suspense.balance).toBe('40.00');
      expect((await f.json('/v1/review?state=refund&q=Rück', { key: f.clerkA })).body.items).toHaveLength(1);
      // Marked for refund: no one books it to an item by mistake.
      const item = await f.item('40.00', 'Rita Rück Amt');
      const blocked = await f.json(`/v1/review/${r!.id}/allocate`, { method: 'POST', key: f.clerkB, json: { allocations: [{ itemId: item.id, amount: '40.00' }], note: 'x' } });
      expect(blocked.status).toBe(409);
    });

    it('reverse: the item reopens and its issuer is told, the money goes back to suspense and the payment to review', async () => {
      const item = await f.item('55.55', 'Rolf Reverse');
      await f.importStatement({ id: 'REVERSE-1', entries: [{ amount: '55.55', name: 'Rolf Reverse', remittance: [item.kassenzeichen] }] });
      const [r] = await f.receipts('REVERSE-1');
      expect(r!.matchState).toBe('auto');
      const alloc = await f.server.db.prisma.allocation.findFirstOrThrow({ where: { transactionId: r!.id } });
      const res = await f.json(`/v1/allocations/${alloc.id}/reverse`, { method: 'POST', key: f.clerkA, json: { reason: 'falsches Kassenzeichen, gehört zum Bruder' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ outcome: 'booked', state: 'review', unapplied: '55.55', reversedAllocationId: alloc.id });
      await f.assertBalanced(r!.id);
      expect((await f.json(`/v1/items/${item.id}`, { key: f.itemsKey })).body).toMatchObject({ status: 'open', paid: '0.00' });
      const events = await f.server.db.prisma.itemEvent.findMany({ where: { openItemId: item.id, type: { in: ['item.paid', 'item.reversed'] } }, orderBy: { seq: 'asc' } });
      expect(events.map((e) => e.type)).toEqual(['item.paid', 'item.reversed']);
      expect(events[1]!.issuerClientId).toBe(events[0]!.issuerClientId);
      const detail = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body;
      expect(detail.allocations[0].reversal).toMatchObject({ reason: 'falsches Kassenzeichen, gehört zum Bruder' });
      expect(detail.audit.map((x: any) => x.action)).toEqual(expect.arrayContaining(['allocation.auto', 'allocation.reversed']));
      expect((await f.json('/v1/review?q=Rolf', { key: f.clerkA })).body.items.map((x: any) => x.id)).toEqual([r!.id]);

      const twice = await f.json(`/v1/allocations/${alloc.id}/reverse`, { method: 'POST', key: f.clerkA, json: { reason: 'nochmal' } });
      expect(twice.status).toBe(409);
      expect((await f.json(`/v1/allocations/nope/reverse`, { method: 'POST', key: f.clerkA, json: { reason: 'x' } })).status).toBe(404);
    });
  });

  describe('two people at the same moment', () => {
    it('two clerks confirming the same suggestion: one booking, one clear 409', async () => {
      const item = await f.item('80.00', 'Zora Zeitgleich');
      await f.importStatement({ id: 'RACE-1', entries: [{ amount: '95.00', name: 'Zora Zeitgleich', remittance: [`Rechnung ${item.kassenzeichen} Auftrag 123456789012`] }] });
      const [r] = await f.receipts('RACE-1');
      expect(r!.matchState).toBe('review');
      const [x, y] = await Promise.all([
        f.json(`/v1/review/${r!.id}/confirm`, { method: 'POST', key: f.clerkA, json: { suggestion: 0 } }),
        f.json(`/v1/review/${r!.id}/confirm`, { method: 'POST', key: f.clerkB, json: { suggestion: 0 } }),
      ]);
      expect([x.status, y.status].sort()).toEqual([200, 409]);
      const loser = x.status === 409 ? x.body : y.body;
      expect(loser.type).toMatch(/conflict/);
      expect(loser.detail).toMatch(/reload/);
      expect(await f.server.db.prisma.allocation.count({ where: { transactionId: r!.id } })).toBe(1);
      expect((await f.json(`/v1/items/${item.id}`, { key: f.itemsKey })).body.paid).toBe('80.00');
      await f.assertBalanced(r!.id);
    });

    it('two clerks reversing the same allocation: one reversal, one 409', async () => {
      const item = await f.item('66.10', 'Udo Umkehr');
      await f.importStatement({ id: 'RACE-2', entries: [{ amount: '66.10', name: 'Udo Umkehr', remittance: [item.kassenzeichen] }] });
      const [r] = await f.receipts('RACE-2');
      const alloc = await f.server.db.prisma.allocation.findFirstOrThrow({ where: { transactionId: r!.id } });
      const [x, y] = await Promise.all([
        f.json(`/v1/allocations/${alloc.id}/reverse`, { method: 'POST', key: f.clerkA, json: { reason: 'a' } }),
        f.json(`/v1/allocations/${alloc.id}/reverse`, { method: 'POST', key: f.clerkB, json: { reason: 'b' } }),
      ]);
      expect([x.status, y.status].sort()).toEqual([200, 409]);
      expect(await f.server.db.prisma.allocationReversal.count({ where: { allocationId: alloc.id } })).toBe(1);
      await f.assertBalanced(r!.id);
    });
  });

  describe('returned payments', () => {
    it('a return (AC04, same end-to-end id) reverses the automatic booking and reopens the item', async () => {
      const item = await f.item('42.42', 'Ronja Retour');
      await f.importStatement({ id: 'RETURN-1', entries: [{ amount: '42.42', name: 'Ronja Retour', e2e: 'E2E-RET-4242', remittance: [item.kassenzeichen] }] });
      const [r] = await f.receipts('RETURN-1');
      expect(r!.matchState).toBe('auto');
      expect((await f.json(`/v1/items/${item.id}`, { key: f.itemsKey })).body.status).toBe('paid');

      await f.importStatement({ id: 'RETURN-2', date: '2026-11-18', entries: [{ amount: '42.42', credit: false, gvc: '159', e2e: 'E2E-RET-4242', name: 'Ronja Retour', returnReason: 'AC04', remittance: ['RETOURE'] }] });
      const [ret] = await f.receipts('RETURN-2');
      expect(ret!.matchState).toBe('return');
      expect((await f.json(`/v1/items/${item.id}`, { key: f.itemsKey })).body).toMatchObject({ status: 'open', paid: '0.00' });
      const detail = (await f.json(`/v1/review/${r!.id}`, { key: f.clerkA })).body;
      expect(detail.state).toBe('returned');
      expect(detail.allocations[0].reversal).toMatchObject({ causedByTransactionId: ret!.id });
      expect(detail.allocations[0].reversal.reason).toMatch(/AC04/);
      const events = await f.server.db.prisma.itemEvent.findMany({ where: { openItemId: item.id, type: { in: ['item.paid', 'item.reversed'] } }, orderBy: { seq: 'asc' } });
      expect(events.map((e) => e.type)).toEqual(['item.paid', 'item.reversed']);
      expect(events[1]!.issuerClientId).toBe(events[0]!.issuerClientId);
      const retDetail = (await f.json(`/v1/review/${ret!.id}`, { key: f.clerkA })).body;
      expect(retDetail.payment.returnReason).toMatchObject({ code: 'AC04' });
      expect(retDetail.creditDebit).toBe('DBIT');
    });
  });
});
