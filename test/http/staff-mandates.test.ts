/**
 * Mandates kept in the workplace, over real HTTP with sessions and forms: a clerk records a mandate
 * (the IBAN and the reference checked as the API checks them), amends it after a collection (the
 * next collection reports the former account), announces items from the mandate's page and from
 * the item's page, takes an announcement back, and revokes the mandate. Every change is audited
 * under the clerk's name; a viewer and a form without its CSRF token are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amendmentOf } from '../../src/http/staff/mandates/routes.js';
import { FormClient, startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';
import { weekdayAfter } from '../support/sepa.js';

describe('mandates in the workplace', () => {
  let f: StaffFixture;
  let clara: FormClient;
  let vera: FormClient;
  beforeAll(async () => {
    f = await startStaffFixture('sqlite');
    await f.user('clara', 'clerk', 'Clara Kasse');
    await f.user('vera', 'viewer', 'Vera Lese');
    clara = new FormClient(f.server.url);
    vera = new FormClient(f.server.url);
    await clara.login('clara');
    await vera.login('vera');
  });
  afterAll(async () => f?.close());
  const db = () => f.server.db.prisma;
  const flashOf = async (client: FormClient, path: string) => /<p class="notice[^"]*" role="(?:status|alert)">([^<]*)</.exec((await client.get(path)).text)?.[1] ?? '';

  it('an amendment names only what the form changed', () => {
    const current = { reference: 'A-1', debtor: { name: 'Jörg Müller', iban: 'DE89370400440532013000', bic: null } };
    expect(amendmentOf({ iban: 'DE89 3704 0044 0532 0130 00', name: 'Jörg Müller', reference: 'A-1', version: '3' }, current)).toEqual({ version: 3 });
    expect(amendmentOf({ iban: 'DE02 1001 0010 9307 1186 03', name: 'Jörg Müller', reference: 'A-2', note: 'neue Bank', version: '3' }, current)).toEqual({
      version: 3,
      debtor: { iban: 'DE02100100109307118603' },
      reference: 'A-2',
      note: 'neue Bank',
    });
  });

  it('records, amends, announces, takes back and revokes, each audited', async () => {
    // Refused as the API refuses it: a wrong check digit, a reference outside the DK character set.
    const csrf = await clara.csrf('/mandates');
    const base = { _csrf: csrf, name: 'Jörg Müller', iban: 'DE89 3704 0044 0532 0130 00', signedOn: '2026-01-15', kind: 'recurrent' };
    expect((await clara.request('/mandates', { form: { ...base, iban: 'DE88370400440532013000' } })).location).toBe('/mandates');
    expect(await flashOf(clara, '/mandates')).toContain('debtor.iban');
    await clara.request('/mandates', { form: { ...base, reference: 'HUNDESTEUER-Müller' } });
    expect(await flashOf(clara, '/mandates')).toContain('reference');
    expect(await db().mandate.count()).toBe(0);

    const created = await clara.request('/mandates', { form: { ...base, reference: 'HUNDESTEUER-4711', bic: 'COBADEFFXXX', debtorRef: 'StNr 4711' } });
    const m = await db().mandate.findUniqueOrThrow({ where: { reference: 'HUNDESTEUER-4711' } });
    expect(created.location).toBe(`/mandates/${m.id}`);
    expect(m).toMatchObject({ debtorIban: 'DE89370400440532013000', debtorBic: 'COBADEFFXXX', debtorRef: 'StNr 4711', kind: 'recurrent', signedOn: '2026-01-15' });
    const page = await clara.get(`/mandates/${m.id}`);
    expect(page.text).toContain('Mandat HUNDESTEUER-4711 angelegt.');
    expect(page.text).toContain('DE98ZZZ09999999999');

    // Used once already: a new account is reported with the next collection.
    await db().mandate.update({ where: { id: m.id }, data: { lastCollectedOn: '2026-06-01' } });
    const amendCsrf = await clara.csrf(`/mandates/${m.id}`);
    // A form read before someone else changed the mandate changes nothing.
    await clara.request(`/mandates/${m.id}/amend`, { form: { _csrf: amendCsrf, version: '7', iban: 'DE02100100109307118603', name: 'Jörg Müller', reference: 'HUNDESTEUER-4711' } });
    expect(await flashOf(clara, `/mandates/${m.id}`)).toContain('changed since you read it');
    expect((await db().mandate.findUniqueOrThrow({ where: { id: m.id } })).debtorIban).toBe('DE89370400440532013000');
    const fresh = await db().mandate.findUniqueOrThrow({ where: { id: m.id } });
    await clara.request(`/mandates/${m.id}/amend`, { form: { _csrf: amendCsrf, version: String(fresh.version), iban: 'DE02 1001 0010 9307 1186 03', name: 'Jörg Müller', reference: 'HUNDESTEUER-4711', note: 'neue Hausbank' } });
    const amended = await db().mandate.findUniqueOrThrow({ where: { id: m.id } });
    expect(amended.debtorIban).toBe('DE02100100109307118603');
    expect(JSON.parse(amended.pendingAmendment!)).toEqual({ originalIban: 'DE89370400440532013000' });
    const after = await clara.get(`/mandates/${m.id}`);
    expect(after.text).toContain('Der nächste Einzug meldet die Änderung der Bank');
    expect(after.text).toContain('bisher: IBAN DE89 3704 0044 0532 0130 00');

    // Announced from the mandate's page by Kassenzeichen, and from an item's own page.
    const due = weekdayAfter(30);
    const one = await f.item('30.70', 'Jörg Müller', { dueDate: due });
    const two = await f.item('12.00', 'Jörg Müller', { dueDate: due });
    await clara.request(`/mandates/${m.id}/announce`, { form: { _csrf: await clara.csrf(`/mandates/${m.id}`), kassenzeichen: one.kassenzeichenDisplay } });
    expect(await flashOf(clara, `/mandates/${m.id}`)).toMatch(/Einzug von 30,70\s€ für .+ angekündigt\./);
    const itemPage = await clara.get(`/items/${two.id}`);
    expect(itemPage.text).toContain('Per SEPA-Lastschrift einziehen');
    expect(itemPage.text).toContain(`<option value="${m.id}">HUNDESTEUER-4711`);
    await clara.request(`/items/${two.id}/direct-debit`, { form: { _csrf: await clara.csrf(`/items/${two.id}`), mandateId: '', mandateReference: 'HUNDESTEUER-4711' } });
    const debits = await db().directDebit.findMany({ where: { mandateId: m.id }, orderBy: { amountMinor: 'asc' } });
    expect(debits.map((d) => [d.openItemId, d.state, d.amountMinor])).toEqual([
      [two.id, 'announced', 1200n],
      [one.id, 'announced', 3070n],
    ]);
    expect((await clara.get(`/items/${two.id}`)).text).toMatch(/SEPA-Lastschrift: <strong>angekündigt<\/strong>/);

    // Taken back from the item's page, with a reason.
    await clara.request(`/items/${two.id}/direct-debit/${debits[0]!.id}/cancel`, { form: { _csrf: await clara.csrf(`/items/${two.id}`), note: 'bar bezahlt' } });
    expect((await db().directDebit.findUniqueOrThrow({ where: { id: debits[0]!.id } })).state).toBe('cancelled');

    // A viewer may look but not change; a form without its token changes nothing.
    expect((await vera.request(`/mandates/${m.id}/revoke`, { form: { _csrf: await vera.csrf('/'), note: 'nein' } })).status).toBe(403);
    expect((await clara.request(`/mandates/${m.id}/revoke`, { form: { note: 'ohne Token' } })).status).toBe(403);
    expect((await db().mandate.findUniqueOrThrow({ where: { id: m.id } })).status).toBe('active');

    await clara.request(`/mandates/${m.id}/revoke`, { form: { _csrf: await clara.csrf(`/mandates/${m.id}`), note: 'Widerruf per Brief vom 3.12.' } });
    expect(await db().mandate.findUniqueOrThrow({ where: { id: m.id } })).toMatchObject({ status: 'revoked', statusReason: 'Widerruf per Brief vom 3.12.' });
    const revoked = await clara.get(`/mandates/${m.id}`);
    expect(revoked.text).toContain('Dieses Mandat ist widerrufen');
    expect(revoked.text).not.toContain(`action="/mandates/${m.id}/amend"`);

    const clerk = await db().user.findFirstOrThrow({ where: { username: 'clara' } });
    const audit = await db().auditEntry.findMany({ where: { OR: [{ subjectId: m.id }, { subjectId: { in: [one.id, two.id] } }] }, orderBy: { seq: 'asc' } });
    const ours = audit.filter((a) => a.action.startsWith('mandate.') || a.action.startsWith('direct_debit.'));
    expect(ours.map((a) => a.action)).toEqual(['mandate.created', 'mandate.amended', 'direct_debit.announced', 'direct_debit.announced', 'direct_debit.cancelled', 'mandate.revoked']);
    expect(ours.every((a) => a.actorType === 'user' && a.actorId === clerk.id)).toBe(true);
  });
  it('blocks a mandate with a reason: its announcement is taken back, and it is never used again', async () => {
    await clara.request('/mandates', { form: { _csrf: await clara.csrf('/mandates'), name: 'Anna Schmidt', iban: 'DE12500105170648489890', signedOn: '2026-02-01', kind: 'recurrent', reference: 'KITA-0815' } });
    const m = await db().mandate.findUniqueOrThrow({ where: { reference: 'KITA-0815' } });
    const item = await f.item('55.00', 'Anna Schmidt', { dueDate: weekdayAfter(30) });
    await clara.request(`/mandates/${m.id}/announce`, { form: { _csrf: await clara.csrf(`/mandates/${m.id}`), kassenzeichen: item.kassenzeichenDisplay } });
    const page = await clara.get(`/mandates/${m.id}`);
    expect(page.text).toContain('Mandat sperren');
    expect(page.text).toContain(`action="/mandates/${m.id}/block"`);
    expect(page.text).toContain('Grund der Sperre');
    expect((await clara.get(`/mandates/${m.id}?lang=en`)).text).toContain('Block the mandate');

    // A viewer may not; a form without a reason changes nothing.
    expect((await vera.request(`/mandates/${m.id}/block`, { form: { _csrf: await vera.csrf('/'), note: 'nein' } })).status).toBe(403);
    await clara.request(`/mandates/${m.id}/block`, { form: { _csrf: await clara.csrf(`/mandates/${m.id}`), note: '' } });
    expect((await db().mandate.findUniqueOrThrow({ where: { id: m.id } })).status).toBe('active');

    await clara.request(`/mandates/${m.id}/block`, { form: { _csrf: await clara.csrf(`/mandates/${m.id}`), version: String(m.version), note: 'Betrugsverdacht, Rücksprache mit der Bank' } });
    expect(await flashOf(clara, `/mandates/${m.id}`)).toBe('Mandat KITA-0815 gesperrt. 1 Einzug zurückgenommen.');
    expect(await db().mandate.findUniqueOrThrow({ where: { id: m.id } })).toMatchObject({ status: 'blocked', statusReason: 'Betrugsverdacht, Rücksprache mit der Bank' });
    expect((await db().directDebit.findFirstOrThrow({ where: { mandateId: m.id } })).state).toBe('cancelled');
    const blocked = await clara.get(`/mandates/${m.id}`);
    expect(blocked.text).toContain('gesperrt');
    expect(blocked.text).not.toContain(`action="/mandates/${m.id}/block"`);
    expect(blocked.text).not.toContain(`action="/mandates/${m.id}/announce"`);
    const clerk = await db().user.findFirstOrThrow({ where: { username: 'clara' } });
    expect(await db().auditEntry.findFirstOrThrow({ where: { subjectId: m.id, action: 'mandate.blocked' } })).toMatchObject({ actorType: 'user', actorId: clerk.id, reason: 'Betrugsverdacht, Rücksprache mit der Bank' });
  });
});
