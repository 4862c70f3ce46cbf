/**
 * Mandates over HTTP on both backends: recorded with checks (IBAN, reference, date), unique
 * references, amendments (reported only once the mandate was used), a final collection, revocation,
 * the scope.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';

forEachBackend('mandates', (backend) => {
  let server: TestServer;
  let key: string;
  let other: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    key = await createClientKey(server, ['mandates'], 'Steueramt');
    other = await createClientKey(server, ['items:write'], 'Bürgerbüro');
  });
  afterAll(async () => server?.close());

  const call = async (path: string, init: { method?: string; json?: unknown; key?: string } = {}) => {
    const res = await server.api(path, { key: init.key ?? key, ...(init.method ? { method: init.method } : {}), ...(init.json !== undefined ? { json: init.json } : {}) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const debtor = { name: 'Jörg Müller', iban: 'DE89 3704 0044 0532 0130 00', ref: 'STPFL-4711' };

  it('records a mandate with its checks, unique reference and the FRST sequence', async () => {
    expect((await call('/v1/mandates', { method: 'POST', key: other, json: { debtor, signedOn: '2026-01-15' } })).status).toBe(403);
    const created = await call('/v1/mandates', { method: 'POST', json: { reference: 'HUNDESTEUER-4711', debtor, signedOn: '2026-01-15' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ reference: 'HUNDESTEUER-4711', kind: 'recurrent', status: 'active', nextSequence: 'FRST', expiresOn: '2029-01-15', lastCollectedOn: null, pendingAmendment: null, debtor: { iban: 'DE89370400440532013000', ref: 'STPFL-4711' } });
    expect((await call('/v1/mandates', { method: 'POST', json: { reference: 'HUNDESTEUER-4711', debtor, signedOn: '2026-01-15' } })).status).toBe(409);
    const made = await call('/v1/mandates', { method: 'POST', json: { kind: 'one_off', debtor, signedOn: '2026-02-01' } });
    expect(made.body.reference).toMatch(/^STK-M-[A-Za-z0-9]{16}$/);
    expect(made.body.nextSequence).toBe('OOFF');
    for (const [body, field] of [
      [{ reference: 'A'.repeat(36), debtor, signedOn: '2026-01-15' }, 'reference'],
      [{ reference: '/X', debtor, signedOn: '2026-01-15' }, 'reference'],
      [{ reference: 'Müller-1', debtor, signedOn: '2026-01-15' }, 'reference'],
      [{ debtor: { ...debtor, iban: 'DE89370400440532013001' }, signedOn: '2026-01-15' }, 'debtor.iban'],
      [{ debtor: { ...debtor, bic: 'XX' }, signedOn: '2026-01-15' }, 'debtor.bic'],
      [{ debtor, signedOn: '2999-01-01' }, 'signedOn'],
      [{ debtor, signedOn: '2026-02-30' }, 'signedOn'],
    ] as const) {
      const res = await call('/v1/mandates', { method: 'POST', json: body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.field).toBe(field);
    }
    const list = await call('/v1/mandates?debtorRef=STPFL-4711&limit=1');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.nextCursor).not.toBeNull();
    const next = await call(`/v1/mandates?debtorRef=STPFL-4711&limit=1&cursor=${list.body.nextCursor}`);
    expect(next.body.items[0].id).not.toBe(list.body.items[0].id);
  });

  it('amends: nothing to report before the first collection; after it, the first original account and reference', async () => {
    const m = (await call('/v1/mandates', { method: 'POST', json: { reference: 'KITA-0815', debtor, signedOn: '2026-03-01' } })).body;
    const unused = await call(`/v1/mandates/${m.id}/amend`, { method: 'POST', json: { debtor: { iban: 'DE12500105170648489890' }, version: m.version } });
    expect(unused.status).toBe(200);
    expect(unused.body).toMatchObject({ pendingAmendment: null, debtor: { iban: 'DE12500105170648489890' } });
    expect((await call(`/v1/mandates/${m.id}/amend`, { method: 'POST', json: { reference: 'KITA-0816', version: m.version } })).status).toBe(409);
    expect((await call(`/v1/mandates/${m.id}/final`, { method: 'POST' })).status).toBe(409);
    // As if a collection had been released under it (collections set this).
    await server.db.prisma.mandate.update({ where: { id: m.id }, data: { lastCollectedOn: '2026-04-01' } });
    const a1 = await call(`/v1/mandates/${m.id}/amend`, { method: 'POST', json: { debtor: { iban: 'DE75512108001245126199', bic: 'HELADEF1822' }, note: 'Kontowechsel' } });
    expect(a1.body).toMatchObject({ nextSequence: 'RCUR', expiresOn: '2029-04-01', pendingAmendment: { originalIban: 'DE12500105170648489890' }, debtor: { bic: 'HELADEF1822' } });
    const a2 = await call(`/v1/mandates/${m.id}/amend`, { method: 'POST', json: { debtor: { iban: 'DE89370400440532013000' }, reference: 'KITA-0815-NEU' } });
    expect(a2.body.pendingAmendment).toEqual({ originalIban: 'DE12500105170648489890', originalReference: 'KITA-0815' });
    // Back to the account the bank knows: only the reference is left to report.
    const a3 = await call(`/v1/mandates/${m.id}/amend`, { method: 'POST', json: { debtor: { iban: 'DE12500105170648489890' } } });
    expect(a3.body.pendingAmendment).toEqual({ originalReference: 'KITA-0815' });
    expect((await call(`/v1/mandates/${m.id}/amend`, { method: 'POST', json: {} })).status).toBe(422);
    const fin = await call(`/v1/mandates/${m.id}/final`, { method: 'POST' });
    expect(fin.body.nextSequence).toBe('FNAL');
    const revoked = await call(`/v1/mandates/${m.id}/revoke`, { method: 'POST', json: { reason: 'Kind abgemeldet' } });
    expect(revoked.body).toMatchObject({ status: 'revoked', statusReason: 'Kind abgemeldet' });
    expect((await call(`/v1/mandates/${m.id}/revoke`, { method: 'POST', json: { reason: 'nochmal' } })).status).toBe(409);
    expect((await call(`/v1/mandates/${m.id}/amend`, { method: 'POST', json: { reference: 'KITA-X' } })).status).toBe(409);
    expect((await call('/v1/mandates?status=revoked')).body.items.map((x: any) => x.id)).toEqual([m.id]);
    const audit = await server.db.prisma.auditEntry.findMany({ where: { subjectType: 'mandate', subjectId: m.id }, orderBy: { seq: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['mandate.created', 'mandate.amended', 'mandate.amended', 'mandate.amended', 'mandate.amended', 'mandate.final_requested', 'mandate.revoked']);
    // The audit log holds no IBAN in clear.
    expect(audit.map((a) => a.data).join(' ')).not.toMatch(/DE12500105170648489890|DE89370400440532013000/);
  });

  it('a mandate 36 months unused is expired and cannot be amended', async () => {
    const m = (await call('/v1/mandates', { method: 'POST', json: { reference: 'ALT-2019', debtor, signedOn: '2019-05-02' } })).body;
    expect(m.status).toBe('expired');
    expect((await call(`/v1/mandates/${m.id}/amend`, { method: 'POST', json: { reference: 'ALT-2019-B' } })).status).toBe(409);
    expect((await call('/v1/mandates?status=expired')).body.items.map((x: any) => x.reference)).toEqual(['ALT-2019']);
  });
});
