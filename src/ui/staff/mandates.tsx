/** @jsxImportSource hono/jsx */
/**
 * Mandates in the workplace: the list with a form to record one, one mandate with its amendment,
 * revocation, final collection and the announcing of an item's collection, and on an item's page
 * the form to collect it under a mandate of its debtor (or to take the announcement back). The
 * same verbs and checks as /v1/mandates and /v1/direct-debits.
 */
import type { DirectDebitView } from '../../services/collections/debits.js';
import type { MandateView } from '../../services/mandates/mandates.js';
import { MANDATE_KINDS, type MandateStanding } from '../../services/mandates/model.js';
import { groupIban } from '../i18n.js';
import { DataTable, Pager } from './components.js';
import { HiddenCsrf, StaffPage, type StaffPageContext } from './frame.js';
import { day, money, messages } from './i18n.js';
import { DEBIT_STATE } from './sepa.js';

type Lang = StaffPageContext['lang'];

export const MANDATE_STANDING: Record<Lang, Record<MandateStanding, string>> = {
  de: { active: 'gültig', revoked: 'widerrufen', blocked: 'gesperrt', finished: 'beendet', expired: 'verfallen (36 Monate ungenutzt)' },
  en: { active: 'valid', revoked: 'revoked', blocked: 'blocked', finished: 'finished', expired: 'expired (36 months unused)' },
};

const MTEXT = {
  de: {
    title: 'Lastschriftmandate', intro: 'SEPA-Basislastschriftmandate der Zahlungspflichtigen. Ein Mandat verfällt, wenn es 36 Monate nicht genutzt wurde.',
    reference: 'Mandatsreferenz', debtor: 'Zahlungspflichtige', account: 'Konto', signed: 'Unterschrieben', status: 'Stand', next: 'Nächste Sequenz', expires: 'Gültig bis', last: 'Zuletzt eingezogen', amendment: 'Änderung wird gemeldet', none: 'Keine Mandate.',
  },
  en: {
    title: 'Direct debit mandates', intro: "Debtors' SEPA core direct debit mandates. A mandate expires when unused for 36 months.",
    reference: 'Mandate reference', debtor: 'Debtor', account: 'Account', signed: 'Signed', status: 'Status', next: 'Next sequence', expires: 'Valid until', last: 'Last collected', amendment: 'amendment to report', none: 'No mandates.',
  },
} as const;

function Field(props: { id: string; name: string; label: string; value?: string; required?: boolean; type?: string; class?: string; maxlength?: number; help?: string; autocomplete?: string }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        type={props.type ?? 'text'}
        id={props.id}
        name={props.name}
        value={props.value ?? ''}
        {...(props.required ? { required: true } : {})}
        {...(props.class ? { class: props.class } : {})}
        {...(props.maxlength ? { maxlength: props.maxlength } : {})}
        {...(props.help ? { 'aria-describedby': `${props.id}-help` } : {})}
        autocomplete={props.autocomplete ?? 'off'}
      />
      {props.help && (
        <p id={`${props.id}-help`} class="muted">
          {props.help}
        </p>
      )}
    </div>
  );
}

export function MandatesPage(props: StaffPageContext & { mandates: MandateView[]; nextCursor: string | null; today: string }) {
  const { lang } = props;
  const t = MTEXT[lang];
  const w = messages(lang);
  return (
    <StaffPage {...props} title={t.title}>
      <h1>{t.title}</h1>
      <p>{t.intro}</p>
      {props.mandates.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <DataTable columns={[t.reference, t.debtor, t.account, t.signed, t.status, t.next, t.last, t.expires]}>
          {props.mandates.map((m) => (
            <tr>
              <th scope="row" class="mono">
                <a href={`/mandates/${m.id}`} data-row-link>
                  {m.reference}
                </a>
              </th>
              <td>
                {m.debtor.name}
                {m.debtor.ref ? <span class="muted"> ({m.debtor.ref})</span> : ''}
              </td>
              <td class="mono">
                {groupIban(m.debtor.iban)}
                {m.pendingAmendment && (
                  <>
                    <br />
                    <span class="muted">{t.amendment}</span>
                  </>
                )}
              </td>
              <td>{m.signedOn}</td>
              <td>
                {MANDATE_STANDING[lang][m.status]}
                {m.statusReason ? <span class="muted"> – {m.statusReason}</span> : ''}
              </td>
              <td>{m.nextSequence}</td>
              <td>{m.lastCollectedOn ?? '–'}</td>
              <td>{m.expiresOn}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager lang={lang} base="/mandates" cursor={props.nextCursor} />

      <section aria-labelledby="new-mandate">
        <h2 id="new-mandate">{w.mandateNewHeading}</h2>
        <p>{w.mandateNewHelp}</p>
        <form method="post" action="/mandates">
          <HiddenCsrf csrf={props.csrf} />
          <Field id="m-name" name="name" label={w.mandateDebtorName} required maxlength={70} />
          <Field id="m-iban" name="iban" label={w.mandateIban} class="mono" required maxlength={42} />
          <Field id="m-bic" name="bic" label={w.mandateBic} class="mono" maxlength={11} />
          <Field id="m-ref" name="debtorRef" label={w.mandateDebtorRef} maxlength={100} />
          <Field id="m-reference" name="reference" label={w.mandateReferenceOptional} class="mono" maxlength={35} help={w.mandateReferenceHelp} />
          <div class="field">
            <label for="m-kind">{w.mandateKind}</label>
            <select id="m-kind" name="kind">
              {MANDATE_KINDS.map((k) => (
                <option value={k}>{w.mandateKinds[k]}</option>
              ))}
            </select>
          </div>
          <Field id="m-signed" name="signedOn" type="date" label={w.mandateSignedOn} required value={props.today} />
          <button type="submit">{w.mandateCreate}</button>
        </form>
      </section>
    </StaffPage>
  );
}

export function MandatePage(props: StaffPageContext & { mandate: MandateView; debits: DirectDebitView[]; creditorId: string; preNotificationDays: number; canEdit: boolean }) {
  const { lang, mandate: m } = props;
  const t = MTEXT[lang];
  const w = messages(lang);
  const active = m.status === 'active';
  const a = m.pendingAmendment;
  const formerly = a ? [a.originalIban ? w.mandateOriginalIban(groupIban(a.originalIban)) : null, a.originalReference ? w.mandateOriginalReference(a.originalReference) : null].filter(Boolean).join(', ') : '';
  return (
    <StaffPage {...props} title={w.mandateHeading(m.reference)}>
      <p>
        <a href="/mandates" data-back>
          {w.back}
        </a>
      </p>
      <h1>{w.mandateHeading(m.reference)}</h1>
      {!active && <p class="notice warn">{w.mandateNotActive(MANDATE_STANDING[lang][m.status])}</p>}
      {a && (
        <p class="notice" data-amendment>
          {w.mandateAmendment(formerly)}
        </p>
      )}
      <h2>{w.mandateFacts}</h2>
      <dl class="dl">
        <dt>{t.reference}</dt>
        <dd class="mono">{m.reference}</dd>
        <dt>{w.mandateKind}</dt>
        <dd>{w.mandateKinds[m.kind]}</dd>
        <dt>{t.debtor}</dt>
        <dd>
          {m.debtor.name}
          {m.debtor.ref ? <span class="muted"> ({m.debtor.ref})</span> : ''}
        </dd>
        <dt>{t.account}</dt>
        <dd class="mono">
          {groupIban(m.debtor.iban)}
          {m.debtor.bic ? ` · ${m.debtor.bic}` : ''}
        </dd>
        <dt>{t.signed}</dt>
        <dd>{day(lang, m.signedOn)}</dd>
        <dt>{t.status}</dt>
        <dd>
          {MANDATE_STANDING[lang][m.status]}
          {m.statusReason ? ` – ${m.statusReason}` : ''}
        </dd>
        <dt>{t.next}</dt>
        <dd>{m.nextSequence}</dd>
        <dt>{t.last}</dt>
        <dd>{day(lang, m.lastCollectedOn)}</dd>
        <dt>{t.expires}</dt>
        <dd>{day(lang, m.expiresOn)}</dd>
        <dt>{w.mandateCreditorId}</dt>
        <dd class="mono">{props.creditorId}</dd>
      </dl>

      <h2>{w.mandateDebits}</h2>
      {props.debits.length === 0 ? (
        <p>{w.mandateNoDebits}</p>
      ) : (
        <DataTable columns={[w.itemsKassenzeichen, w.amount, w.debitCollectionDate, w.debitState]}>
          {props.debits.map((d) => (
            <tr>
              <th scope="row">
                <a href={`/items/${d.itemId}`} class="mono">
                  {d.kassenzeichen ?? d.itemId}
                </a>
              </th>
              <td class="num">{money(lang, d.amount, d.currency)}</td>
              <td>
                {day(lang, d.collectionDate)}
                {d.sequence ? ` (${d.sequence})` : ''}
              </td>
              <td>
                {DEBIT_STATE[lang][d.state]}
                {d.returnReasonCode ? ` – ${d.returnReasonCode}` : ''}
              </td>
            </tr>
          ))}
        </DataTable>
      )}

      {props.canEdit && active && (
        <div class="actions">
          <section aria-labelledby="announce">
            <h2 id="announce">{w.mandateAnnounceHeading}</h2>
            <p>{w.mandateAnnounceHelp(props.preNotificationDays)}</p>
            <form method="post" action={`/mandates/${m.id}/announce`}>
              <HiddenCsrf csrf={props.csrf} />
              <Field id="announce-kz" name="kassenzeichen" label={w.mandateAnnounceKassenzeichen} class="mono" required maxlength={64} />
              <button type="submit">{w.mandateAnnounce}</button>
            </form>
          </section>
          <section aria-labelledby="amend">
            <h2 id="amend">{w.mandateAmendHeading}</h2>
            <p>{w.mandateAmendHelp}</p>
            <form method="post" action={`/mandates/${m.id}/amend`}>
              <HiddenCsrf csrf={props.csrf} />
              <input type="hidden" name="version" value={String(m.version)} />
              <Field id="amend-iban" name="iban" label={w.mandateIban} class="mono" required maxlength={42} value={groupIban(m.debtor.iban)} />
              <Field id="amend-bic" name="bic" label={w.mandateBic} class="mono" maxlength={11} value={m.debtor.bic ?? ''} />
              <Field id="amend-name" name="name" label={w.mandateDebtorName} required maxlength={70} value={m.debtor.name} />
              <Field id="amend-reference" name="reference" label={w.mandateReference} class="mono" required maxlength={35} value={m.reference} help={w.mandateReferenceHelp} />
              <div class="field">
                <label for="amend-note">{w.note}</label>
                <textarea id="amend-note" name="note" maxlength={500}></textarea>
              </div>
              <button type="submit">{w.mandateAmend}</button>
            </form>
          </section>
          {m.kind === 'recurrent' && m.lastCollectedOn !== null && m.nextSequence !== 'FNAL' && (
            <section aria-labelledby="final">
              <h2 id="final">{w.mandateFinalHeading}</h2>
              <p>{w.mandateFinalHelp}</p>
              <form method="post" action={`/mandates/${m.id}/final`}>
                <HiddenCsrf csrf={props.csrf} />
                <button type="submit" class="secondary">
                  {w.mandateFinal}
                </button>
              </form>
            </section>
          )}
          <section aria-labelledby="block">
            <h2 id="block">{w.mandateBlockHeading}</h2>
            <p>{w.mandateBlockHelp}</p>
            <form method="post" action={`/mandates/${m.id}/block`}>
              <HiddenCsrf csrf={props.csrf} />
              <input type="hidden" name="version" value={String(m.version)} />
              <div class="field">
                <label for="block-note">{w.mandateBlockReason}</label>
                <textarea id="block-note" name="note" required maxlength={500}></textarea>
              </div>
              <button type="submit" class="danger">
                {w.mandateBlock}
              </button>
            </form>
          </section>
          <section aria-labelledby="revoke">
            <h2 id="revoke">{w.mandateRevokeHeading}</h2>
            <p>{w.mandateRevokeHelp}</p>
            <form method="post" action={`/mandates/${m.id}/revoke`}>
              <HiddenCsrf csrf={props.csrf} />
              <div class="field">
                <label for="revoke-note">{w.note}</label>
                <textarea id="revoke-note" name="note" required maxlength={500}></textarea>
              </div>
              <button type="submit" class="danger">
                {w.mandateRevoke}
              </button>
            </form>
          </section>
        </div>
      )}
    </StaffPage>
  );
}

/** On an item's page: collect it under a mandate of its debtor, or take a standing announcement back. */
export function ItemDirectDebitForms(props: { lang: Lang; csrf?: string | undefined; itemId: string; mandates: MandateView[]; debit: { id: string; state: string } | null; preNotificationDays: number }) {
  const w = messages(props.lang);
  if (props.debit?.state === 'announced') {
    return (
      <section aria-labelledby="debit-cancel">
        <h2 id="debit-cancel">{w.itemDebitCancelHeading}</h2>
        <p>{w.itemDebitCancelHelp}</p>
        <form method="post" action={`/items/${props.itemId}/direct-debit/${props.debit.id}/cancel`}>
          <HiddenCsrf csrf={props.csrf} />
          <div class="field">
            <label for="debit-cancel-note">{w.note}</label>
            <textarea id="debit-cancel-note" name="note" required maxlength={500}></textarea>
          </div>
          <button type="submit" class="secondary">
            {w.itemDebitCancel}
          </button>
        </form>
      </section>
    );
  }
  if (props.debit) return null;
  return (
    <section aria-labelledby="debit-announce">
      <h2 id="debit-announce">{w.itemDebitHeading}</h2>
      <p>{w.itemDebitHelp(props.preNotificationDays)}</p>
      {props.mandates.length === 0 && <p class="muted">{w.itemDebitNoMandates}</p>}
      <form method="post" action={`/items/${props.itemId}/direct-debit`}>
        <HiddenCsrf csrf={props.csrf} />
        {props.mandates.length > 0 && (
          <div class="field">
            <label for="debit-mandate">{w.itemDebitMandate}</label>
            <select id="debit-mandate" name="mandateId">
              {props.mandates.map((m) => (
                <option value={m.id}>
                  {m.reference} – {m.debtor.name}, {groupIban(m.debtor.iban)} ({m.nextSequence})
                </option>
              ))}
              <option value="">{w.itemDebitMandateOther}</option>
            </select>
          </div>
        )}
        <Field id="debit-reference" name="mandateReference" label={w.mandateReference} class="mono" maxlength={35} />
        <button type="submit">{w.mandateAnnounce}</button>
      </form>
    </section>
  );
}
