/**
 * The closing through the API as the Kasse's systems and a cash office use it: scopes, the 409
 * with its blockers, four eyes by API key, the cash office's CSV, exports and the printed page.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { camt } from '../support/camtBuilder.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';
import { IBAN } from './support.js';

forEachBackend('closings API', (backend) => {
  let server: TestServer;
  let clerk: string;
  let treasurer: string;
  let till: string;
  let reader: string;
  let now = new Date('2026-11-16T17:00:00Z');

  beforeAll(async () => {
    server = await startTestServer(backend, { clock: { now: () => new Date(now) } });
    clerk = await createClientKey(server, ['review', 'statements:read', 'statements:import', 'export'], 'Sachbearbeitung');
    treasurer = await createClientKey(server, ['approve', 'statements:read'], 'Kassenverwalter');
    till = await createClientKey(server, ['statements:import'], 'Kasse Bürgeramt');
    reader = await createClientKey(server, ['statements:read'], 'Rechnungsprüfung');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('closes a day with a cash office: blocked with reasons, explained, determined, signed by another, exported and printed', async () => {
    expect((await server.api('/v1/cash-offices', { method: 'POST', json: { code: 'buergeramt', name: 'Bürgeramt Mitte', depositIban: IBAN } })).status).toBe(201);
    const statement = camt({ iban: IBAN, id: 'S1', seq: 1, date: '2026-11-16', opening: '500.00', entries: [{ amount: '40.00', name: 'Erika Muster', remittance: ['Parkgebühr'] }] });
    expect((await server.api('/v1/statements', { method: 'POST', key: clerk, body: statement, headers: { 'content-type': 'application/xml' } })).status).toBeLessThan(300);

    const csv = 'day;line;kind;amount;reference\n2026-11-16;receipt;Gebühren;80.00;\n2026-11-16;deposit;;79.50;ZST-BA-20261116\n';
    const delivered = await server.api('/v1/cash-offices/BUERGERAMT/reports', { method: 'POST', key: till, body: csv, headers: { 'content-type': 'text/csv' } });
    expect(delivered.status, await delivered.clone().text()).toBe(201);
    expect(await delivered.json()).toMatchObject({ expected: '80.00', deposit: '79.50', difference: '-0.50' });
    expect((await server.api('/v1/cash-offices/BUERGERAMT/reports', { method: 'POST', key: till, body: csv, headers: { 'content-type': 'text/csv' } })).status).toBe(200);

    expect((await server.api('/v1/closings', { method: 'POST', key: reader, json: { day: '2026-11-16' } })).status).toBe(403);
    const blocked = await server.api('/v1/closings', { method: 'POST', key: clerk, json: { day: '2026-11-16' } });
    expect(blocked.status).toBe(409);
    const problem = (await blocked.json()) as { blockers: Array<{ kind: string; account: string }> };
    expect(problem.blockers).toEqual([expect.objectContaining({ kind: 'difference', account: 'cash:BUERGERAMT' })]);

    const open = (await (await server.api('/v1/closings/open', { key: reader })).json()) as { periods: Array<{ period: { from: string }; blockers: unknown[] }> };
    expect(open.periods).toMatchObject([{ period: { from: '2026-11-16' }, blockers: [{ kind: 'difference' }] }]);

    const explained = await server.api('/v1/closings/explanations', { method: 'POST', key: clerk, json: { day: '2026-11-16', account: 'cash:BUERGERAMT', suspenseType: 'vorschuss', amount: '-0.50', reason: 'Fehlbetrag beim Kassensturz' } });
    expect(explained.status).toBe(201);
    const determined = await server.api('/v1/closings', { method: 'POST', key: clerk, json: { day: '2026-11-16' } });
    expect(determined.status).toBe(201);
    const { id } = (await determined.json()) as { id: string };
    expect((await server.api(`/v1/closings/${id}/sign`, { method: 'POST', key: clerk })).status).toBe(403);
    const same = await createClientKey(server, ['approve'], 'Sachbearbeitung mit Zeichnungsrecht');
    expect((await server.api(`/v1/closings/${id}/sign`, { method: 'POST', key: same })).status).toBe(200);
    expect((await server.api(`/v1/closings/${id}/sign`, { method: 'POST', key: treasurer })).status).toBe(409);

    const exported = await server.api(`/v1/closings/${id}/export?format=csv&bom=false`, { key: clerk });
    expect(exported.headers.get('content-type')).toContain('text/csv');
    const text = await exported.text();
    expect(text.split('\r\n')[0]).toBe('closing_number;closing_id;kind;follows_id;period_from;period_to;status;section;account;account_type;position;line_kind;label;amount;count;currency;hash');
    expect(text).toContain(`;bank:${IBAN};bank;bank_closing;;Bankbestand (Kontoauszug);540.00;`);
    expect(text).toContain(';cash:BUERGERAMT;cash_office;in_transit;;Schwebende Beträge;79.50;');
    const asJson = (await (await server.api(`/v1/closings/${id}/export?format=json`, { key: clerk })).json()) as { number: number; hash: string };
    expect(asJson).toMatchObject({ number: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const html = await (await server.api(`/v1/closings/${id}/print`, { key: reader })).text();
    expect(html).toContain('Tagesabschluss Nr. 1 – 16.11.2026');
    expect(html).toContain('Kassen-Ist');
    expect(html).toContain('619,50');
    const pdf = await server.api(`/v1/closings/${id}/print?format=pdf`, { key: reader });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = new Uint8Array(await pdf.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');

    const ageing = (await (await server.api('/v1/closings/suspense-ageing?asOf=2026-12-31', { key: reader })).json()) as { suspense: Array<{ type: string; balance: string; ageing: Record<string, string> }> };
    expect(ageing.suspense.find((s) => s.type === 'vorschuss')).toMatchObject({ balance: '0.50', ageing: { upTo90: '0.50' } });
    now = new Date('2026-11-17T09:00:00Z');
  });
});
