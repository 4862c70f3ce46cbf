/** @jsxImportSource hono/jsx */
/**
 * Refused deliveries: files that carried a statement already read, with other content. Nothing of
 * them was booked; a person compares each with the statement read before (both files can be
 * downloaded) and settles the difference with the bank.
 */
import type { RefusedDeliveryView } from '../../services/statements/refusedDeliveries.js';
import { groupIban } from '../i18n.js';
import { DataTable, ListSummary, Pager } from './components.js';
import { csvFile } from './csv.js';
import { listTexts } from './listTexts.js';
import { StaffPage, type StaffPageContext } from './frame.js';
import { instant } from './i18n.js';

type Lang = StaffPageContext['lang'];

const FIELD_WORDS: Record<Lang, Record<string, string>> = {
  de: {
    account: 'Konto', balances: 'Salden', period: 'Zeitraum', 'entry count': 'Anzahl Umsätze',
    amount: 'Betrag', status: 'Status', dates: 'Datum', references: 'Referenzen', transactionCodes: 'Geschäftsvorfallcode',
    details: 'Einzelumsätze', remittance: 'Verwendungszweck', parties: 'Beteiligte', returns: 'Rückgabe', information: 'Zusatzinformation',
    'entry not in the statement read before': 'Umsatz neu', 'entry missing in this delivery': 'Umsatz fehlt',
  },
  en: {},
};

const TEXT: Record<Lang, { title: string; intro: string; none: string; file: string; statement: string; account: string; differs: string; refusedAt: string; download: string; notKept: string; before: string; entry: (n: number) => string; more: (n: number) => string }> = {
  de: {
    title: 'Abgewiesene Lieferungen',
    intro: 'Diese Dateien enthielten einen bereits eingelesenen Kontoauszug mit anderem Inhalt. Nichts davon wurde gebucht. Bitte mit dem zuvor eingelesenen Auszug vergleichen und mit der Bank klären.',
    none: 'Keine abgewiesenen Lieferungen.',
    file: 'Datei', statement: 'Auszug', account: 'Konto', differs: 'Abweichungen', refusedAt: 'Abgewiesen am',
    download: 'Datei herunterladen', notKept: 'Datei zu groß, nicht aufbewahrt', before: 'zuvor eingelesen',
    entry: (n) => `Umsatz ${n}`, more: (n) => `und ${n} weitere Umsätze`,
  },
  en: {
    title: 'Refused deliveries',
    intro: 'These files carried a statement already read, with other content. Nothing of them was booked. Compare each with the statement read before and settle it with the bank.',
    none: 'No refused deliveries.',
    file: 'File', statement: 'Statement', account: 'Account', differs: 'Differences', refusedAt: 'Refused at',
    download: 'Download file', notKept: 'file too large, not kept', before: 'read before',
    entry: (n) => `entry ${n}`, more: (n) => `and ${n} more entries`,
  },
};

const field = (lang: Lang, f: string): string => FIELD_WORDS[lang][f] ?? f;

export function RefusedDeliveriesPage(props: StaffPageContext & { deliveries: RefusedDeliveryView[]; nextCursor: string | null; total: number }) {
  const { lang } = props;
  const t = TEXT[lang];
  return (
    <StaffPage {...props} title={t.title}>
      <h1>{t.title}</h1>
      <p>{t.intro}</p>
      <ListSummary total={listTexts(lang).refused(props.total)} csvHref="/refused-deliveries.csv" csvLabel={listTexts(lang).csv} />
      {props.deliveries.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <DataTable columns={[t.file, t.statement, t.account, t.differs, t.refusedAt]}>
          {props.deliveries.map((d) => (
            <tr>
              <th scope="row">
                {d.fileName ?? d.id}
                <br />
                {d.fileKept ? <a href={`/refused-deliveries/${d.id}/file`}>{t.download}</a> : <span class="muted">{t.notKept}</span>}
              </th>
              <td>
                <a href={`/statements/${d.statementId}`}>{d.bankStatementId}</a> <span class="muted">({t.before})</span>
              </td>
              <td class="mono">{d.accountIban ? groupIban(d.accountIban) : '–'}</td>
              <td>
                <ul>
                  {d.differences.flatMap((s) => [
                    ...(s.header.length > 0 ? [<li>{s.header.map((f) => field(lang, f)).join(', ')}</li>] : []),
                    ...s.entries.map((e) => (
                      <li>
                        {t.entry(e.entry)}
                        {e.reference ? ` (${e.reference})` : ''}: {e.fields.map((f) => field(lang, f)).join(', ')}
                      </li>
                    )),
                    ...(s.moreEntries > 0 ? [<li>{t.more(s.moreEntries)}</li>] : []),
                  ])}
                </ul>
              </td>
              <td>{instant(lang, d.refusedAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager lang={lang} base="/refused-deliveries" cursor={props.nextCursor} />
    </StaffPage>
  );
}

/** The refused deliveries as a CSV file: the columns the page shows, the differences in one cell. */
export function refusedDeliveriesCsv(lang: Lang, deliveries: RefusedDeliveryView[]): string {
  const t = TEXT[lang];
  return csvFile(
    lang,
    [t.file, t.statement, t.account, t.differs, t.refusedAt],
    deliveries.map((d) => [
      d.fileName ?? d.id,
      d.bankStatementId,
      d.accountIban ? groupIban(d.accountIban) : '',
      d.differences
        .flatMap((s) => [
          ...(s.header.length > 0 ? [s.header.map((f) => field(lang, f)).join(', ')] : []),
          ...s.entries.map((e) => `${t.entry(e.entry)}${e.reference ? ` (${e.reference})` : ''}: ${e.fields.map((f) => field(lang, f)).join(', ')}`),
          ...(s.moreEntries > 0 ? [t.more(s.moreEntries)] : []),
        ])
        .join('; '),
      instant(lang, d.refusedAt),
    ]),
  );
}
