/** @jsxImportSource hono/jsx */
/**
 * Mandates in the workplace: list and record (/mandates), one mandate with amend, block, revoke, final
 * collection and announcing an item's collection (/mandates/{id}), and collecting an item from its
 * own page (/items/{id}/direct-debit). Each form calls the verb the API calls (scope `mandates`),
 * so the checks (IBAN, BIC, reference ≤ 35 characters of the DK set, the creditor identifier, the
 * pre-notification period) and the audit entries are the same.
 */
import type { Hono } from 'hono';
import { announceDirectDebit, cancelDirectDebit, listDirectDebits } from '../../../services/collections/debits.js';
import { getOpenItem, getOpenItemByKassenzeichen } from '../../../services/items/queries.js';
import { amendMandate, blockMandate, createMandate, getMandate, getMandateByReference, listMandates, requestFinalCollection, revokeMandate, type AmendMandateInput } from '../../../services/mandates/mandates.js';
import { MANDATE_KINDS, type MandateKind } from '../../../services/mandates/model.js';
import { normalizeBic, normalizeIban } from '../../../references/iban.js';
import { cityDate } from '../../../services/review/dates.js';
import { day, messages, money } from '../../../ui/staff/i18n.js';
import { MandatePage, MandatesPage } from '../../../ui/staff/mandates.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../../session.js';
import { act, can, csrfRefusedPage, forbiddenPage, formError, formFields, html, pageContext, staffCtx } from '../render.js';

const staff = (scope?: Parameters<typeof requireStaff>[0]) => requireStaff(scope, forbiddenPage);
const post = (scope: Parameters<typeof requireStaff>[0]) => [requireStaff(scope, forbiddenPage), csrfProtect(csrfRefusedPage)] as const;

/** The amendment a form asks for: only what differs from the mandate as shown (the verb audits every field it is given). */
export function amendmentOf(form: Record<string, string>, current: { reference: string; debtor: { name: string; iban: string; bic: string | null } }): Omit<AmendMandateInput, 'mandateId'> {
  const iban = normalizeIban(form.iban ?? '');
  const bic = (form.bic ?? '').trim() === '' ? '' : normalizeBic(form.bic ?? '');
  const name = (form.name ?? '').trim();
  const reference = (form.reference ?? '').trim();
  const accountChanged = iban !== '' && (iban !== current.debtor.iban || bic !== (current.debtor.bic ?? ''));
  const version = Number.parseInt(form.version ?? '', 10);
  const note = form.note?.trim();
  return {
    ...(Number.isSafeInteger(version) ? { version } : {}),
    ...(accountChanged || (name !== '' && name !== current.debtor.name) ? { debtor: { ...(accountChanged ? { iban, ...(bic ? { bic } : {}) } : {}), ...(name !== '' && name !== current.debtor.name ? { name } : {}) } } : {}),
    ...(reference !== '' && reference !== current.reference ? { reference } : {}),
    ...(note ? { note } : {}),
  };
}

export function mountMandatePages(app: Hono<StaffEnv>): void {
  app.get('/mandates', staff('mandates'), async (c) => {
    const ctx = staffCtx(c);
    const cursor = c.req.query('cursor');
    const page = await listMandates({ ctx, input: { limit: 100, ...(cursor ? { cursor } : {}) } });
    return html(c, <MandatesPage {...(await pageContext(c))} mandates={page.items} nextCursor={page.nextCursor} today={cityDate(ctx.clock.now())} />);
  });

  app.post('/mandates', ...post('mandates'), async (c) => {
    const form = await formFields(c);
    const t = messages(c.get('lang'));
    return act(c, '/mandates', async () => {
      const kind = (MANDATE_KINDS as readonly string[]).includes(form.kind ?? '') ? (form.kind as MandateKind) : 'recurrent';
      const m = await createMandate({
        ctx: staffCtx(c),
        input: {
          kind,
          signedOn: form.signedOn ?? '',
          debtor: { name: form.name ?? '', iban: form.iban ?? '', ...(form.bic?.trim() ? { bic: form.bic } : {}), ...(form.debtorRef?.trim() ? { ref: form.debtorRef } : {}) },
          ...(form.reference?.trim() ? { reference: form.reference } : {}),
        },
      });
      return { flash: { kind: 'ok', text: t.mandateCreated(m.reference) }, to: `/mandates/${m.id}` };
    });
  });

  app.get('/mandates/:id', staff('mandates'), async (c) => {
    const ctx = staffCtx(c);
    const mandate = await getMandate({ ctx, input: { mandateId: c.req.param('id') } });
    const debits = await listDirectDebits({ ctx, input: { mandateId: mandate.id, limit: 100 } });
    return html(
      c,
      <MandatePage {...(await pageContext(c))} mandate={mandate} debits={debits.items} creditorId={ctx.config.sepa.creditorId} preNotificationDays={ctx.config.sepa.preNotificationDays} canEdit={can(c, 'mandates')} />,
    );
  });

  app.post('/mandates/:id/amend', ...post('mandates'), async (c) => {
    const form = await formFields(c);
    const back = `/mandates/${c.req.param('id')}`;
    const t = messages(c.get('lang'));
    return act(c, back, async () => {
      const ctx = staffCtx(c);
      const current = await getMandate({ ctx, input: { mandateId: c.req.param('id') } });
      const m = await amendMandate({ ctx, input: { mandateId: current.id, ...amendmentOf(form, current) } });
      return { flash: { kind: 'ok', text: t.mandateAmended(m.reference, m.pendingAmendment !== null) } };
    });
  });

  app.post('/mandates/:id/revoke', ...post('mandates'), async (c) => {
    const form = await formFields(c);
    const t = messages(c.get('lang'));
    return act(c, `/mandates/${c.req.param('id')}`, async () => {
      const m = await revokeMandate({ ctx: staffCtx(c), input: { mandateId: c.req.param('id'), reason: form.note ?? '' } });
      return { flash: { kind: 'ok', text: t.mandateRevoked(m.reference) } };
    });
  });

  app.post('/mandates/:id/block', ...post('mandates'), async (c) => {
    const form = await formFields(c);
    const t = messages(c.get('lang'));
    return act(c, `/mandates/${c.req.param('id')}`, async () => {
      const version = Number.parseInt(form.version ?? '', 10);
      const r = await blockMandate({ ctx: staffCtx(c), input: { mandateId: c.req.param('id'), reason: form.note ?? '', ...(Number.isSafeInteger(version) ? { version } : {}) } });
      return { flash: { kind: 'ok', text: t.mandateBlocked(r.mandate.reference, r.takenBack.length, r.draftRuns.join(', '), r.atBank) } };
    });
  });

  app.post('/mandates/:id/final', ...post('mandates'), async (c) => {
    const t = messages(c.get('lang'));
    return act(c, `/mandates/${c.req.param('id')}`, async () => {
      const m = await requestFinalCollection({ ctx: staffCtx(c), input: { mandateId: c.req.param('id') } });
      return { flash: { kind: 'ok', text: t.mandateFinalDone(m.reference) } };
    });
  });

  app.post('/mandates/:id/announce', ...post('mandates'), async (c) => {
    const form = await formFields(c);
    const lang = c.get('lang');
    const t = messages(lang);
    return act(c, `/mandates/${c.req.param('id')}`, async () => {
      const ctx = staffCtx(c);
      const kz = (form.kassenzeichen ?? '').trim();
      if (!kz) throw formError('kassenzeichen: give the Kassenzeichen of the item to collect', 'kassenzeichen');
      const item = await getOpenItemByKassenzeichen({ ctx, input: { kassenzeichen: kz } });
      const d = await announceDirectDebit({ ctx, input: { itemId: item.id, mandateId: c.req.param('id') } });
      return { flash: { kind: 'ok', text: t.mandateAnnounced(item.kassenzeichenDisplay, money(lang, d.amount, d.currency), day(lang, d.collectionDate)) } };
    });
  });

  // From the item's page: under a mandate chosen from the debtor's, or one given by its reference.
  app.post('/items/:id/direct-debit', ...post('mandates'), async (c) => {
    const form = await formFields(c);
    const lang = c.get('lang');
    const t = messages(lang);
    const back = `/items/${c.req.param('id')}`;
    return act(c, back, async () => {
      const ctx = staffCtx(c);
      const mandateId = form.mandateId?.trim() || (form.mandateReference?.trim() ? (await getMandateByReference({ ctx, input: { reference: form.mandateReference } })).id : '');
      if (!mandateId) throw formError('mandateReference: choose a mandate or give its reference', 'mandateReference');
      const d = await announceDirectDebit({ ctx, input: { itemId: c.req.param('id'), mandateId } });
      const item = await getOpenItem({ ctx, input: { id: d.itemId } });
      return { flash: { kind: 'ok', text: t.mandateAnnounced(item.kassenzeichenDisplay, money(lang, d.amount, d.currency), day(lang, d.collectionDate)) } };
    });
  });

  app.post('/items/:id/direct-debit/:debitId/cancel', ...post('mandates'), async (c) => {
    const form = await formFields(c);
    const t = messages(c.get('lang'));
    return act(c, `/items/${c.req.param('id')}`, async () => {
      await cancelDirectDebit({ ctx: staffCtx(c), input: { directDebitId: c.req.param('debitId'), reason: form.note ?? '' } });
      return { flash: { kind: 'ok', text: t.itemDebitCancelled } };
    });
  });
}
