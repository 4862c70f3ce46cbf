import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { camt } from '../support/camtBuilder.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/camt/${name}`, import.meta.url));

forEachBackend('bank statements over HTTP', (backend) => {
  let server: TestServer;
  let importKey: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    importKey = await createClientKey(server, ['statements:import', 'statements:read']);
  });
  afterAll(async () => server?.close());

  const upload = (body: string | Buffer, fileName: string, key = importKey) =>
    server.api(`/v1/statements?fileName=${encodeURIComponent(fileName)}`, { method: 'POST', key, body: body as BodyInit, headers: { 'content-type': 'application/xml' } });

  it('imports a camt.053 and answers what it read', async () => {
    const res = await upload(fixture('camt053.v08.municipal-day.xml'), 'municipal-day.xml');
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, any>;
    expect(body.replayed).toBe(false);
    expect(body.statements).toHaveLength(1);
    expect(body.statements[0]).toMatchObject({ kind: 'camt.053', version: 'camt.053.001.08', accountIban: 'DE89370400440532013000', entries: 5, balanceCheck: { status: 'ok', difference: '0.00' } });
    expect(body.entries).toMatchObject({ read: 5, new: 5, duplicates: 0 });
    expect(body.matching).toBeDefined();

    const list = (await (await server.api('/v1/statements', { key: importKey })).json()) as { items: Array<Record<string, any>> };
    expect(list.items[0]).toMatchObject({ bankStatementId: '2024-03-28-DE89370400440532013000-062', openingBalance: '125000.00', closingBalance: '126720.59', balanceCheck: { status: 'ok' } });
    const entries = (await (await server.api(`/v1/statements/${list.items[0]!.id}/entries`, { key: importKey })).json()) as { items: Array<Record<string, any>> };
    expect(entries.items).toHaveLength(5);
    expect(entries.items[0]).toMatchObject({ amount: '1250.00', creditDebit: 'CRDT', bookingDate: '2024-03-28', proprietaryCode: 'NTRF+166+9249', gvc: '166' });
  });

  it('answers a second delivery of the same file with the first import’s result, booking nothing twice', async () => {
    const first = (await (await upload(fixture('camt053.v13.xml'), 'v13.xml')).json()) as Record<string, any>;
    const again = await upload(fixture('camt053.v13.xml'), 'v13-again.xml');
    expect(again.status).toBe(200);
    const body = (await again.json()) as Record<string, any>;
    expect(body.replayed).toBe(true);
    expect(body.importId).toBe(first.importId);
    expect(await server.db.prisma.statement.count({ where: { bankStatementId: first.statements[0].bankStatementId } })).toBe(1);
  });

  it('recognises a statement delivered again inside another file', async () => {
    const xml = camt({ id: 'RE-DELIVERED', seq: 7, entries: [{ amount: '10.00' }, { amount: '5.00', credit: false }] });
    const first = (await (await upload(xml, 'a.xml')).json()) as Record<string, any>;
    // Same statement, different bytes (the bank re-created the file): other SHA-256, same statement.
    const second = await upload(xml.replace('<GrpHdr><MsgId>', '<GrpHdr><MsgId>X'), 'b.xml');
    expect(second.status).toBe(200);
    expect(((await second.json()) as Record<string, any>).importId).toBe(first.importId);
  });

  it('refuses a statement that repeats a known statement identity with other content (409, nothing stored)', async () => {
    await upload(camt({ id: 'SAME-ID', seq: 21, entries: [{ amount: '10.00' }] }), 'first.xml');
    const before = await server.db.prisma.entry.count();
    const res = await upload(camt({ id: 'SAME-ID', seq: 21, entries: [{ amount: '10.00' }, { amount: '3.00' }] }), 'changed.xml');
    expect(res.status).toBe(409);
    expect(((await res.json()) as Record<string, any>).detail).toMatch(/SAME-ID .*was read before with other content/);
    expect(await server.db.prisma.entry.count()).toBe(before);
  });

  it('marks bookings of the intraday camt.052 as duplicates when the camt.053 of the day repeats them', async () => {
    const day = { date: '2026-11-17', iban: 'DE89370400440532013000' };
    const intraday = camt({ ...day, kind: 'camt.052', id: 'RPT-1117', entries: [{ amount: '30.00', ref: 'BANKREF-1' }, { amount: '12.50', ref: 'BANKREF-2' }] });
    const r1 = (await (await upload(intraday, 'intraday.xml')).json()) as Record<string, any>;
    expect(r1.entries).toMatchObject({ new: 2, duplicates: 0 });
    const eod = camt({ ...day, id: 'STMT-1117', seq: 63, entries: [{ amount: '30.00', ref: 'BANKREF-1' }, { amount: '12.50', ref: 'BANKREF-2' }, { amount: '99.00', ref: 'BANKREF-3' }] });
    const r2 = (await (await upload(eod, 'eod.xml')).json()) as Record<string, any>;
    expect(r2.entries).toMatchObject({ read: 3, new: 1, duplicates: 2 });
    const txs = await server.db.prisma.bankTransaction.findMany({ where: { entryRef: { in: ['BANKREF-1', 'BANKREF-2', 'BANKREF-3'] } }, select: { matchState: true, entryRef: true } });
    expect(txs.filter((t) => t.matchState === 'duplicate')).toHaveLength(2);
  });

  it('refuses a statement whose balances do not add up, storing nothing', async () => {
    const before = await server.db.prisma.statementImport.count();
    const xml = camt({ id: 'BROKEN', seq: 99, entries: [{ amount: '10.00' }], closingOffset: '0.01' });
    const res = await upload(xml, 'broken.xml');
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const p = (await res.json()) as Record<string, any>;
    expect(p.detail).toMatch(/BROKEN/);
    expect(p.detail).toMatch(/0\.01/);
    expect(p.file).toBe('broken.xml');
    expect(await server.db.prisma.statementImport.count()).toBe(before);
    expect(await server.db.prisma.statement.count({ where: { bankStatementId: 'BROKEN' } })).toBe(0);
  });

  it('refuses malformed XML with file, line and column', async () => {
    const res = await upload(fixture('hostile.malformed.xml'), 'malformed.xml');
    expect(res.status).toBe(422);
    const p = (await res.json()) as Record<string, any>;
    expect(p.file).toBe('malformed.xml');
    expect(p.line).toBeGreaterThan(0);
    expect(p.column).toBeGreaterThan(0);
  });

  it('refuses entity declarations and unknown message types, naming what it found', async () => {
    const bomb = await upload(fixture('hostile.entity-bomb.xml'), 'bomb.xml');
    expect(bomb.status).toBe(422);
    expect(((await bomb.json()) as Record<string, any>).detail).toMatch(/DOCTYPE|ENTITY/);
    const pain = await upload(fixture('hostile.pain001.xml'), 'pain.xml');
    expect(pain.status).toBe(422);
    expect(((await pain.json()) as Record<string, any>).detail).toMatch(/pain\.001/);
  });

  it('reads a ZIP container holding several statements', async () => {
    const res = await server.api('/v1/statements?fileName=two.zip', { method: 'POST', key: importKey, body: fixture('camt053.two-statements.zip'), headers: { 'content-type': 'application/zip' } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, any>;
    expect(body.statements.length).toBeGreaterThanOrEqual(2);
    expect(body.statements[0].file).toMatch(/two\.zip!\//);
  });

  it('reports a gap in the electronic sequence numbers', async () => {
    const iban = 'DE75512108001245126199';
    await upload(camt({ iban, id: 'SEQ-10', seq: 10, entries: [{ amount: '1.00' }] }), 'seq10.xml');
    const res = (await (await upload(camt({ iban, id: 'SEQ-13', seq: 13, date: '2026-11-19', entries: [{ amount: '1.00' }] }), 'seq13.xml')).json()) as Record<string, any>;
    expect(res.statements[0].sequenceGaps).toEqual([{ from: '11', to: '12' }]);
    expect(res.warnings.join(' ')).toMatch(/11 to 12 are missing/);
  });

  describe('scopes', () => {
    it('needs statements:import to upload and statements:read to list', async () => {
      const readOnly = await createClientKey(server, ['statements:read']);
      expect((await upload('<x/>', 'x.xml', readOnly)).status).toBe(403);
      const itemsOnly = await createClientKey(server, ['items:read']);
      expect((await server.api('/v1/statements', { key: itemsOnly })).status).toBe(403);
      expect((await server.api('/v1/statements', { key: null })).status).toBe(401);
    });
  });
});
