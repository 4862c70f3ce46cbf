/**
 * Repeats are repeats of content: a statement already read counts as delivered again only when
 * every entry and detail is the same. A corrected re-delivery under the same identity (remittance
 * text changed, two amounts shifted by ±5.00, another currency) is refused with 409 saying which
 * entries and fields differ, nothing is stored, and the file is kept for a person (API, audit,
 * workplace page).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { camt } from '../support/camtBuilder.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';

forEachBackend('refused deliveries', (backend) => {
  let server: TestServer;
  let key: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    key = await createClientKey(server, ['statements:import', 'statements:read']);
  });
  afterAll(async () => server?.close());

  const upload = (body: string, fileName: string) =>
    server.api(`/v1/statements?fileName=${encodeURIComponent(fileName)}`, { method: 'POST', key, body, headers: { 'content-type': 'application/xml' } });

  const base = (seq: number) => ({
    id: `CORR-${seq}`,
    seq,
    entries: [
      { amount: '10.00', ref: `R${seq}-1`, remittance: ['Kassenzeichen 510000524478'] },
      { amount: '20.00', ref: `R${seq}-2`, remittance: ['Gebühr'] },
      { amount: '30.00', ref: `R${seq}-3`, remittance: ['Miete'] },
    ],
  });

  it('answers the same content under a new message id and creation time as a repeat', async () => {
    const xml = camt(base(501));
    expect((await upload(xml, 'a.xml')).status).toBe(201);
    const again = await upload(xml.replace('<GrpHdr><MsgId>', '<GrpHdr><MsgId>NEW-').replace(/<CreDtTm>[^<]*<\/CreDtTm>/, '<CreDtTm>2026-11-18T05:00:00+01:00</CreDtTm>'), 'a-again.xml');
    expect(again.status).toBe(200);
    expect(((await again.json()) as Record<string, unknown>).replayed).toBe(true);
  });

  it.each([
    ['a changed remittance text', (s: ReturnType<typeof base>) => { s.entries[1]!.remittance = ['Gebühr korrigiert']; }, [{ entry: 2, fields: ['remittance'] }], []],
    ['two amounts shifted by ±5.00', (s: ReturnType<typeof base>) => { s.entries[0]!.amount = '15.00'; s.entries[2]!.amount = '25.00'; }, [{ entry: 1, fields: ['amount'] }, { entry: 3, fields: ['amount'] }], []],
  ])('refuses %s with 409 naming the entries and fields, stores nothing, keeps the file', async (_what, change, entries, header) => {
    const seq = 600 + Math.floor(Math.random() * 1e6);
    const first = base(seq);
    expect((await upload(camt(first), 'first.xml')).status).toBe(201);
    const changed = base(seq);
    change(changed);
    const before = await server.db.prisma.entry.count();
    const res = await upload(camt(changed), 'corrected.xml');
    expect(res.status).toBe(409);
    const problem = (await res.json()) as Record<string, any>;
    expect(problem.detail).toMatch(new RegExp(`statement CORR-${seq} .*was read before with other content`));
    // A detail that takes the entry's amount changes with it: "details" may be named beside "amount".
    const differs = problem.statements[0].differs.entries as Array<{ entry: number; fields: string[] }>;
    expect(differs.map((e) => e.entry)).toEqual(entries.map((e) => e.entry));
    for (const [i, e] of entries.entries()) expect(differs[i]!.fields).toEqual(expect.arrayContaining(e.fields));
    expect(differs.flatMap((e) => e.fields).every((f) => ['amount', 'details', 'remittance'].includes(f))).toBe(true);
    expect(problem.statements[0].differs.header).toEqual(header);
    expect(await server.db.prisma.entry.count()).toBe(before);

    const list = (await (await server.api('/v1/refused-deliveries', { key })).json()) as { items: Array<Record<string, any>> };
    const refused = list.items.find((r) => r.id === problem.refusedDeliveryId)!;
    expect(refused).toMatchObject({ fileName: 'corrected.xml', bankStatementId: `CORR-${seq}`, fileKept: true });
    const file = await server.api(`/v1/refused-deliveries/${refused.id}/file`, { key });
    expect(file.status).toBe(200);
    expect(await file.text()).toBe(camt(changed));
    expect(await server.db.prisma.auditEntry.count({ where: { action: 'statement_import.refused', subjectId: refused.id } })).toBe(1);

    // The same refused file again is the same refused delivery, not a second one.
    const again = (await (await upload(camt(changed), 'corrected.xml')).json()) as Record<string, any>;
    expect(again.refusedDeliveryId).toBe(problem.refusedDeliveryId);
  });

  it('refuses a statement whose balances and amounts moved to another currency', async () => {
    const seq = 700;
    const xml = camt(base(seq));
    expect((await upload(xml, 'eur.xml')).status).toBe(201);
    const res = await upload(xml.replaceAll('Ccy="EUR"', 'Ccy="CHF"'), 'chf.xml');
    expect(res.status).toBe(409);
    const problem = (await res.json()) as Record<string, any>;
    expect(problem.statements[0].differs.header).toContain('balances');
    expect(problem.statements[0].differs.entries).toHaveLength(3);
    expect(problem.statements[0].differs.entries[0].fields).toContain('amount');
  });

  it('lists refused deliveries only for the statements:read scope', async () => {
    const other = await createClientKey(server, ['items:read']);
    expect((await server.api('/v1/refused-deliveries', { key: other })).status).toBe(403);
  });
});
