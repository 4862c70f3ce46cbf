/** @jsxImportSource hono/jsx */
/** Bank statements: the list, and one statement with its balance check, gaps, entries and file. */
import { itemStatusWord, stateWord } from './labels.js';
import type { StatementView } from '../../services/statements/queries.js';
import { groupIban } from '../i18n.js';
import { DataTable, ListSummary, num, Pager } from './components.js';
import { csvFile, type CsvCell } from './csv.js';
import { listTexts } from './listTexts.js';
import { CreditDebit, StaffPage, StateTag, type StaffPageContext } from './frame.js';
import { day, instant, messages, money } from './i18n.js';

type Lang = StaffPageContext['lang'];

function BalanceCell(props: { lang: Lang; s: StatementView }) {
  const t = messages(props.lang);
  const { status, difference } = props.s.balanceCheck;
  return (
    <>
      <StateTag state={status === 'ok' ? 'ok' : status === 'broken' ? 'broken' : 'info'} word={t.balance[status] ?? status} />
      {status === 'broken' && <> {t.stmtDifference(money(props.lang, difference, props.s.account.currency))}</>}
    </>
  );
}

function Gaps(props: { lang: Lang; gaps: StatementView['sequenceGaps'] }) {
  const t = messages(props.lang);
  if (props.gaps.length === 0) return <>{t.none}</>;
  return (
    <>
      {props.gaps.map((g, i) => (
        <>
          {i > 0 && '; '}
          <StateTag state="broken" word={t.stmtGapText(g.from, g.to)} />
        </>
      ))}
    </>
  );
}

export function StatementsPage(props: StaffPageContext & { statements: StatementView[]; nextCursor: string | null; total: number }) {
  const { lang } = props;
  const t = messages(lang);
  return (
    <StaffPage {...props} title={t.stmtTitle}>
      <h1>{t.stmtTitle}</h1>
      <ListSummary total={listTexts(lang).statements(props.total)} csvHref="/statements.csv" csvLabel={listTexts(lang).csv} />
      {props.statements.length === 0 ? (
        <p>{t.stmtNone}</p>
      ) : (
        <DataTable columns={[t.stmtId, t.stmtKind, t.stmtAccount, t.stmtPeriod, num(t.stmtClosing), t.stmtBalanceCheck, t.stmtGaps, num(t.stmtEntries), t.stmtImportedAt]}>
          {props.statements.map((s) => (
            <tr>
              <th scope="row">
                <a href={`/statements/${s.id}`} data-row-link>
                  {s.bankStatementId}
                </a>
                {s.electronicSequenceNumber && <span class="muted"> ({t.stmtSeq} {s.electronicSequenceNumber})</span>}
              </th>
              <td>{t.stmtKinds[s.kind] ?? s.kind}</td>
              <td class="mono">{s.account.iban ? groupIban(s.account.iban) : s.account.other}</td>
              <td>{s.closingBalanceDate ? day(lang, s.closingBalanceDate) : s.from ? day(lang, s.from.slice(0, 10)) : '–'}</td>
              <td class="num">{s.closingBalance ? money(lang, s.closingBalance, s.account.currency) : '–'}</td>
              <td>
                <BalanceCell lang={lang} s={s} />
              </td>
              <td>
                <Gaps lang={lang} gaps={s.sequenceGaps} />
              </td>
              <td class="num">{s.entryCount}</td>
              <td>{instant(lang, s.importedAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager lang={lang} base="/statements" cursor={props.nextCursor} />
    </StaffPage>
  );
}

export interface EntryRowView {
  id: string;
  position: number;
  amount: string;
  currency: string;
  creditDebit: string;
  status: string;
  bookingDate: string | null;
  duplicateOfEntryId: string | null;
  transactions: Array<{ id: string; txIndex: number; amount: string; debtor: { name: string | null }; creditor: { name: string | null }; remittanceLines: string[]; matchState: string }>;
}

export function StatementPage(props: StaffPageContext & { statement: StatementView; entries: EntryRowView[]; nextCursor: string | null; hasFile: boolean }) {
  const { lang, statement: s } = props;
  const t = messages(lang);
  return (
    <StaffPage {...props} title={`${t.stmtId} ${s.bankStatementId}`}>
      <p>
        <a href="/statements" data-back>
          {t.back}
        </a>
      </p>
      <h1>
        {t.stmtId} {s.bankStatementId}
      </h1>
      <dl class="dl">
        <dt>{t.stmtKind}</dt>
        <dd>
          {t.stmtKinds[s.kind] ?? s.kind} <span class="muted">({s.version})</span>
        </dd>
        <dt>{t.stmtAccount}</dt>
        <dd class="mono">{s.account.iban ? groupIban(s.account.iban) : s.account.other}</dd>
        <dt>{t.stmtSeq}</dt>
        <dd>{s.electronicSequenceNumber ?? '–'}</dd>
        <dt>{t.stmtOpening}</dt>
        <dd>
          {s.openingBalance ? money(lang, s.openingBalance, s.account.currency) : '–'} {s.openingBalanceDate && <span class="muted">({day(lang, s.openingBalanceDate)})</span>}
        </dd>
        <dt>{t.stmtClosing}</dt>
        <dd>
          {s.closingBalance ? money(lang, s.closingBalance, s.account.currency) : '–'} {s.closingBalanceDate && <span class="muted">({day(lang, s.closingBalanceDate)})</span>}
        </dd>
        <dt>{t.stmtBalanceCheck}</dt>
        <dd>
          <BalanceCell lang={lang} s={s} />
        </dd>
        <dt>{t.stmtGaps}</dt>
        <dd>
          <Gaps lang={lang} gaps={s.sequenceGaps} />
        </dd>
        <dt>{t.stmtEntries}</dt>
        <dd>{s.entryCount}</dd>
        <dt>{t.stmtImportedAt}</dt>
        <dd>{instant(lang, s.importedAt)}</dd>
      </dl>
      <p>{props.hasFile ? <a href={`/statements/${s.id}/file`} download>{t.stmtDownload}</a> : <span class="muted">{t.stmtNoFile}</span>}</p>
      <h2>{t.stmtEntries}</h2>
      <DataTable columns={[num('#'), t.reviewBooked, num(t.amount), t.stmtKind, t.stmtPayer, t.stmtRemittance, t.stmtState]}>
        {props.entries.flatMap((e) =>
          e.transactions.map((tx) => (
            <tr>
              <td class="num">
                {e.position + 1}
                {e.transactions.length > 1 ? `.${tx.txIndex + 1}` : ''}
              </td>
              <td>{day(lang, e.bookingDate)}</td>
              <td class="num">{money(lang, tx.amount, e.currency)}</td>
              <td>
                <CreditDebit lang={lang} cd={e.creditDebit} />
              </td>
              <td>{(e.creditDebit === 'DBIT' ? tx.creditor.name : tx.debtor.name) ?? '–'}</td>
              <td>{tx.remittanceLines.join(' ')}</td>
              <td>
                <a href={`/review/${tx.id}`} data-row-link>
                  <StateTag state={tx.matchState} word={stateWord(lang, tx.matchState)} />
                </a>
              </td>
            </tr>
          )),
        )}
      </DataTable>
      <Pager lang={lang} base={`/statements/${s.id}`} cursor={props.nextCursor} />
    </StaffPage>
  );
}

/** The statements list as a CSV file: the columns the page shows. */
export function statementsCsv(lang: Lang, statements: StatementView[]): string {
  const t = messages(lang);
  const rows: CsvCell[][] = statements.map((s) => [
    s.bankStatementId + (s.electronicSequenceNumber ? ` (${t.stmtSeq} ${s.electronicSequenceNumber})` : ''),
    t.stmtKinds[s.kind] ?? s.kind,
    s.account.iban ? groupIban(s.account.iban) : (s.account.other ?? ''),
    s.closingBalanceDate ? day(lang, s.closingBalanceDate) : s.from ? day(lang, s.from.slice(0, 10)) : '',
    s.closingBalance ? { num: lang === 'de' ? s.closingBalance.replace('.', ',') : s.closingBalance } : '',
    (t.balance[s.balanceCheck.status] ?? s.balanceCheck.status) + (s.balanceCheck.status === 'broken' ? ` ${t.stmtDifference(money(lang, s.balanceCheck.difference, s.account.currency))}` : ''),
    s.sequenceGaps.length === 0 ? t.none : s.sequenceGaps.map((g) => t.stmtGapText(g.from, g.to)).join('; '),
    { num: String(s.entryCount) },
    instant(lang, s.importedAt),
  ]);
  return csvFile(lang, [t.stmtId, t.stmtKind, t.stmtAccount, t.stmtPeriod, t.stmtClosing, t.stmtBalanceCheck, t.stmtGaps, t.stmtEntries, t.stmtImportedAt], rows);
}
