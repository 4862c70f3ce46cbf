/** @jsxImportSource hono/jsx */
/**
 * The city's own SEPA files in the workplace: refund runs and collection runs as lists with their
 * totals, states per payment, files and the actions a person may take (gather, release by a second
 * person, cancel, fetch the file). The mandates are in ./mandates.tsx.
 */
import type { CollectionRunView } from '../../services/collections/runs.js';
import type { DirectDebitState } from '../../services/collections/states.js';
import type { RefundRunView } from '../../services/refunds/runs.js';
import type { RefundRunStatus, RefundState } from '../../services/refunds/states.js';
import { DataTable } from './components.js';
import { HiddenCsrf, StaffPage, type StaffPageContext } from './frame.js';
import { money } from './i18n.js';

type Lang = StaffPageContext['lang'];

export const RUN_STATUS: Record<Lang, Record<RefundRunStatus, string>> = {
  de: { draft: 'zusammengestellt, nicht freigegeben', released: 'freigegeben', cancelled: 'verworfen' },
  en: { draft: 'gathered, not released', released: 'released', cancelled: 'cancelled' },
};
export const REFUND_STATE: Record<Lang, Record<RefundState, string>> = {
  de: { in_run: 'im Lauf', sent: 'gesendet', booked: 'gebucht', bounced: 'zurückgekommen', cancelled: 'verworfen' },
  en: { in_run: 'in the run', sent: 'sent', booked: 'booked', bounced: 'came back', cancelled: 'cancelled' },
};
export const DEBIT_STATE: Record<Lang, Record<DirectDebitState, string>> = {
  de: { announced: 'angekündigt', in_run: 'im Lauf', sent: 'Einzug veranlasst', collected: 'eingezogen', returned: 'zurückgegeben', cancelled: 'zurückgenommen' },
  en: { announced: 'announced', in_run: 'in the run', sent: 'collection initiated', collected: 'collected', returned: 'returned', cancelled: 'taken back' },
};
const TEXT = {
  de: {
    title: 'SEPA-Läufe',
    intro: 'Rückzahlungen per Überweisung (pain.001) und Einzüge per Lastschrift (pain.008). Wer einen Lauf zusammenstellt, gibt ihn nicht frei: das tut eine zweite Person. Eine Datei wird einmal erzeugt; jeder weitere Abruf ist eine Kopie derselben Bytes.',
    refunds: 'Rückzahlungsläufe', collections: 'Lastschrifteinzüge',
    gatherRefunds: 'Zur Rückzahlung vorgemerkte Zahlungen zusammenstellen', gatherCollections: 'Angekündigte Lastschriften zusammenstellen', collectionDate: 'Fälligkeitstag (Einzugstag)',
    number: 'Lauf', status: 'Stand', date: 'Ausführung', count: 'Anzahl', total: 'Summe', states: 'Zahlungen', file: 'Datei', actions: 'Aktionen', sequence: 'Sequenz',
    release: 'Freigeben und Datei erzeugen', cancel: 'Verwerfen', cancelNote: 'Grund', download: 'herunterladen', copies: (n: number) => (n === 0 ? 'noch nicht abgerufen' : `${n}× abgerufen (danach Kopien)`),
    own: 'Von Ihnen zusammengestellt: eine zweite Person gibt frei.', none: 'Keine Läufe.', by: (a: string, b: string | null) => `zusammengestellt von ${a}${b ? `, freigegeben von ${b}` : ''}`,
  },
  en: {
    title: 'SEPA runs',
    intro: 'Refunds by credit transfer (pain.001) and collections by direct debit (pain.008). Whoever gathers a run does not release it: a second person does. A file is produced once; every later fetch is a copy of the same bytes.',
    refunds: 'Refund runs', collections: 'Collection runs',
    gatherRefunds: 'Gather the payments marked for refund', gatherCollections: 'Gather the announced direct debits', collectionDate: 'Collection date',
    number: 'Run', status: 'Status', date: 'Execution', count: 'Count', total: 'Total', states: 'Payments', file: 'File', actions: 'Actions', sequence: 'Sequence',
    release: 'Release and produce the file', cancel: 'Cancel', cancelNote: 'Reason', download: 'download', copies: (n: number) => (n === 0 ? 'not fetched yet' : `fetched ${n}× (copies after the first)`),
    own: 'Gathered by you: a second person releases it.', none: 'No runs.', by: (a: string, b: string | null) => `gathered by ${a}${b ? `, released by ${b}` : ''}`,
  },
} as const;

function States(props: { labels: Record<string, string>; states: Record<string, number | undefined> }) {
  return (
    <ul class="plain">
      {Object.entries(props.states).map(([s, n]) => (
        <li>
          {n} × {props.labels[s] ?? s}
        </li>
      ))}
    </ul>
  );
}

function RunActions(props: { kind: 'refund-runs' | 'collection-runs'; run: { id: string; status: string; createdByActor: string }; me: string; csrf?: string | undefined; lang: Lang; canRelease: boolean; canCancel: boolean }) {
  const t = TEXT[props.lang];
  if (props.run.status !== 'draft') return <span class="muted">–</span>;
  return (
    <div class="actions">
      {props.canRelease && props.run.createdByActor !== props.me && (
        <form method="post" action={`/sepa/${props.kind}/${props.run.id}/release`}>
          <HiddenCsrf csrf={props.csrf} />
          <button type="submit">{t.release}</button>
        </form>
      )}
      {props.run.createdByActor === props.me && <p class="muted">{t.own}</p>}
      {props.canCancel && (
        <form method="post" action={`/sepa/${props.kind}/${props.run.id}/cancel`}>
          <HiddenCsrf csrf={props.csrf} />
          <label for={`cn-${props.run.id}`}>{t.cancelNote}</label> <input type="text" id={`cn-${props.run.id}`} name="note" required maxlength={500} />{' '}
          <button type="submit" class="danger">
            {t.cancel}
          </button>
        </form>
      )}
    </div>
  );
}

export function SepaRunsPage(props: StaffPageContext & { refundRuns: RefundRunView[]; collectionRuns: CollectionRunView[]; me: string; canRefunds: boolean; canMandates: boolean; canApprove: boolean; nextCollectionDate: string }) {
  const { lang } = props;
  const t = TEXT[lang];
  return (
    <StaffPage {...props} title={t.title}>
      <h1>{t.title}</h1>
      <p>{t.intro}</p>
      {props.canRefunds && (
        <section aria-labelledby="refund-runs">
          <h2 id="refund-runs">{t.refunds}</h2>
          <form method="post" action="/sepa/refund-runs">
            <HiddenCsrf csrf={props.csrf} />
            <button type="submit">{t.gatherRefunds}</button>
          </form>
          {props.refundRuns.length === 0 ? (
            <p>{t.none}</p>
          ) : (
            <DataTable columns={[t.number, t.status, t.date, t.count, t.total, t.states, t.file, t.actions]}>
              {props.refundRuns.map((r) => (
                <tr>
                  <th scope="row">
                    {r.number}
                    <br />
                    <span class="muted">{t.by(r.createdBy, r.releasedBy)}</span>
                  </th>
                  <td>{RUN_STATUS[lang][r.status]}</td>
                  <td>{r.executionDate}</td>
                  <td class="num">{r.count}</td>
                  <td class="num">{money(lang, r.total, r.currency)}</td>
                  <td>
                    <States labels={REFUND_STATE[lang]} states={r.states} />
                  </td>
                  <td>
                    {r.file ? (
                      <>
                        <a href={`/sepa/refund-runs/${r.id}/file`}>{r.file.name}</a> ({t.download})<br />
                        <span class="muted mono">SHA-256 {r.file.sha256.slice(0, 16)}…</span>
                        <br />
                        <span class="muted">{t.copies(r.file.downloads)}</span>
                      </>
                    ) : (
                      '–'
                    )}
                  </td>
                  <td>
                    <RunActions kind="refund-runs" run={r} me={props.me} csrf={props.csrf} lang={lang} canRelease={props.canApprove} canCancel={props.canRefunds} />
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </section>
      )}
      {props.canMandates && (
        <section aria-labelledby="collection-runs">
          <h2 id="collection-runs">{t.collections}</h2>
          <form method="post" action="/sepa/collection-runs">
            <HiddenCsrf csrf={props.csrf} />
            <label for="collection-date">{t.collectionDate}</label> <input type="date" id="collection-date" name="collectionDate" required value={props.nextCollectionDate} />{' '}
            <button type="submit">{t.gatherCollections}</button>
          </form>
          {props.collectionRuns.length === 0 ? (
            <p>{t.none}</p>
          ) : (
            <DataTable columns={[t.number, t.status, t.date, t.sequence, t.count, t.total, t.states, t.file, t.actions]}>
              {props.collectionRuns.map((r) => (
                <tr>
                  <th scope="row">
                    {r.number}
                    <br />
                    <span class="muted">{t.by(r.createdBy, r.releasedBy)}</span>
                  </th>
                  <td>{RUN_STATUS[lang][r.status]}</td>
                  <td>{r.collectionDate}</td>
                  <td>{r.sequence}</td>
                  <td class="num">{r.count}</td>
                  <td class="num">{money(lang, r.total, r.currency)}</td>
                  <td>
                    <States labels={DEBIT_STATE[lang]} states={r.states} />
                  </td>
                  <td>
                    {r.file ? (
                      <>
                        <a href={`/sepa/collection-runs/${r.id}/file`}>{r.file.name}</a> ({t.download})<br />
                        <span class="muted">{t.copies(r.file.downloads)}</span>
                      </>
                    ) : (
                      '–'
                    )}
                  </td>
                  <td>
                    <RunActions kind="collection-runs" run={r} me={props.me} csrf={props.csrf} lang={lang} canRelease={props.canApprove} canCancel={props.canMandates} />
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </section>
      )}
    </StaffPage>
  );
}

/** On an item's page: where its direct debit stands ("Einzug veranlasst" once the run is released). */
export function ItemDirectDebit(props: { lang: Lang; debit: { state: DirectDebitState; collectionDate: string; sequence: string | null; amount: string; currency: string; returnReasonCode: string | null } | null }) {
  const d = props.debit;
  if (!d) return null;
  const label = props.lang === 'de' ? 'SEPA-Lastschrift' : 'SEPA direct debit';
  const on = props.lang === 'de' ? 'Einzugstag' : 'collection date';
  return (
    <p class="notice">
      {label}: <strong>{DEBIT_STATE[props.lang][d.state]}</strong> – {money(props.lang, d.amount, d.currency)}, {on} {d.collectionDate}
      {d.sequence ? ` (${d.sequence})` : ''}
      {d.returnReasonCode ? ` – ${d.returnReasonCode}` : ''}
    </p>
  );
}
