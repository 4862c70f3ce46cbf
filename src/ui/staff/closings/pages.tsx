/** @jsxImportSource hono/jsx */
/**
 * The closing in the workplace: what is still open and why, a day's figures with the form to
 * explain a difference, determining the closing, and the Kassenverwalter's signature. Texts are
 * kept here (German first, English on request) so the closing's words stay in one place.
 */
import type { Lang } from '../../i18n.js';
import type { ClosingView, OpenPeriod, Preview } from '../../../services/closings/closings.js';
import { ACCOUNT_TYPE_LABELS_DE, BLOCKER_LABELS_DE, SUSPENSE_LABELS_DE, SUSPENSE_TYPES, lineLabelDe, type AccountFigures, type Blocker, type BlockerKind, type ClosingContent, type SuspenseType } from '../../../services/closings/model.js';
import { DataTable, ListSummary, num, type Who } from '../components.js';
import { csvAmount, csvFile } from '../csv.js';
import { listTexts } from '../listTexts.js';
import { parseMoney } from '../../../money/money.js';
import { HiddenCsrf, StaffPage, StateTag, type StaffPageContext } from '../frame.js';
import { day, instant, money } from '../i18n.js';

const BLOCKER_EN: Record<BlockerKind, string> = {
  missing_statement: 'Statement missing',
  sequence_gap: 'Gap in the statement sequence',
  balance_break: 'Balance break',
  difference: 'Unexplained difference',
  cash_office_missing: "Cash office's closing missing",
  payout_in_review: "Provider's payout in review",
  earlier_period_open: 'An earlier day is still open',
  period_not_over: 'Period not over yet',
};
const SUSPENSE_EN: Record<SuspenseType, string> = { verwahrgeld: 'Verwahrgeld (held for others)', vorschuss: 'Vorschuss (advance, to recover)', unclear_receipt: 'Unclear receipts', refund_due: 'Refunds due' };
const STATUS: Record<Lang, Record<ClosingView['status'], string>> = {
  de: { determined: 'festgestellt – Gegenzeichnung offen', signed: 'unterzeichnet', withdrawn: 'zurückgezogen' },
  en: { determined: 'determined – waiting for the second signature', signed: 'signed', withdrawn: 'withdrawn' },
};

const T = {
  de: {
    title: 'Tagesabschluss',
    intro: 'Jeder Buchungstag wird abgeschlossen: das Kassen-Soll aus den Büchern gegen das Kassen-Ist (Bankbestände und schwebende Beträge). Eine Person stellt fest, die Kassenverwalterin oder der Kassenverwalter zeichnet gegen.',
    open: 'Noch offen',
    none: 'Alle Tage mit Buchungen sind abgeschlossen.',
    followUp: 'Nachtrag fällig',
    ready: 'stimmt – kann festgestellt werden',
    book: 'Abschlussbuch',
    number: 'Nr.',
    period: 'Zeitraum',
    status: 'Stand',
    determined: 'Festgestellt von',
    signed: 'Gegengezeichnet von',
    kassenIst: 'Kassen-Ist',
    difference: 'Differenz',
    showDay: 'Tag ansehen',
    dayLabel: 'Buchungstag',
    show: 'Anzeigen',
    account: 'Konto',
    opening: 'Anfangsbestand',
    receipts: 'Einnahmen',
    payments: 'Ausgaben',
    ledger: 'Soll (Bücher)',
    explained: 'geklärt',
    bank: 'Ist (Auszug)',
    transit: 'schwebend',
    blockers: 'Warum der Tag noch nicht abgeschlossen werden kann',
    explainTitle: 'Differenz klären',
    explainIntro: 'Eine Differenz wird mit Begründung auf ein Verwahr- oder Vorschusskonto gebucht: ein Überschuss als Verwahrgeld, ungeklärter Eingang oder zu erstattender Betrag, ein Fehlbetrag als Vorschuss.',
    type: 'Verwahrkonto',
    amount: 'Betrag (Fehlbetrag mit Minus)',
    reason: 'Begründung',
    explain: 'Buchen',
    determine: 'Abschluss feststellen',
    determineFollowUp: 'Nachtragsabschluss feststellen',
    waiting: 'Festgestellt, wartet auf Gegenzeichnung:',
    sign: 'Als Kassenverwalter/in gegenzeichnen',
    own: 'Sie haben diesen Abschluss festgestellt; gegenzeichnen muss eine andere Person.',
    print: 'Druckansicht',
    pdf: 'PDF',
    csv: 'CSV für das HKR',
    json: 'JSON',
    suspense: 'Verwahrgeld, Vorschüsse und ungeklärte Beträge',
    balance: 'Bestand',
    count: 'Posten',
    age: ['bis 30 Tage', '31–90 Tage', '91–365 Tage', 'älter'],
    hash: 'Prüfsumme',
    follows: 'Nachtrag zu Abschluss Nr.',
    closed: 'Dieser Zeitraum ist abgeschlossen, und seitdem ist nichts eingegangen.',
    ageing: 'Altersstruktur zum Jahresende',
  },
  en: {
    title: 'Daily closing',
    intro: "Every booking day is closed: the books' balance (Kassen-Soll) against the money there is (Kassen-Ist: bank balances and money in transit). One person determines it, the Kassenverwalter signs it second.",
    open: 'Still open',
    none: 'Every day with bookings is closed.',
    followUp: 'Follow-up due',
    ready: 'adds up – can be determined',
    book: 'Closing book',
    number: 'No.',
    period: 'Period',
    status: 'Status',
    determined: 'Determined by',
    signed: 'Signed by',
    kassenIst: 'Kassen-Ist',
    difference: 'Difference',
    showDay: 'Look at a day',
    dayLabel: 'Booking day',
    show: 'Show',
    account: 'Account',
    opening: 'Opening',
    receipts: 'Receipts',
    payments: 'Payments',
    ledger: 'Books',
    explained: 'explained',
    bank: 'Bank',
    transit: 'in transit',
    blockers: 'Why the day cannot be closed yet',
    explainTitle: 'Explain a difference',
    explainIntro: 'A difference is booked with a reason to a suspense account: a surplus as Verwahrgeld, unclear receipt or refund due, a shortfall as Vorschuss.',
    type: 'Suspense account',
    amount: 'Amount (shortfall with minus)',
    reason: 'Reason',
    explain: 'Book',
    determine: 'Determine the closing',
    determineFollowUp: 'Determine the follow-up closing',
    waiting: 'Determined, waiting for the second signature:',
    sign: 'Sign as Kassenverwalter',
    own: 'You determined this closing; another person signs it.',
    print: 'Print view',
    pdf: 'PDF',
    csv: 'CSV for the finance system',
    json: 'JSON',
    suspense: 'Verwahrgeld, advances and unclear amounts',
    balance: 'Balance',
    count: 'Items',
    age: ['up to 30 days', '31–90 days', '91–365 days', 'older'],
    hash: 'Hash',
    follows: 'Follow-up to closing no.',
    closed: 'This period is closed and nothing arrived since.',
    ageing: 'Year-end ageing',
  },
} as const;

export function blockerWord(lang: Lang, kind: BlockerKind): string {
  return lang === 'de' ? BLOCKER_LABELS_DE[kind] : BLOCKER_EN[kind];
}

function periodText(lang: Lang, p: { from: string; to: string }): string {
  return p.from === p.to ? day(lang, p.from) : `${day(lang, p.from)} – ${day(lang, p.to)}`;
}

function Blockers(props: { lang: Lang; blockers: Blocker[] }) {
  return (
    <ul class="plain">
      {props.blockers.map((b) => (
        <li>
          <strong>{blockerWord(props.lang, b.kind)}</strong>
          {b.account ? ` (${b.account})` : ''}: {b.detail}
        </li>
      ))}
    </ul>
  );
}

type ClosingRow = Omit<ClosingView, 'content'> & { totals: ClosingContent['totals'] };

export function ClosingsPage(props: StaffPageContext & { open: OpenPeriod[]; closings: ClosingRow[]; who: Who; today: string; total: number }) {
  const { lang, who } = props;
  const t = T[lang];
  return (
    <StaffPage {...props} title={t.title}>
      <h1>{t.title}</h1>
      <p>{t.intro}</p>
      <section aria-labelledby="open-h">
        <h2 id="open-h">{t.open}</h2>
        {props.open.length === 0 && (
          <p class="notice ok" role="status">
            {t.none}
          </p>
        )}
        <ul class="plain">
          {props.open.map((o) => (
            <li>
              <a href={`/closings/day/${o.period.to}`}>{periodText(lang, o.period)}</a>
              {o.kind === 'follow_up' ? ` – ${t.followUp}` : ''}
              {o.blockers.length === 0 ? ` – ${t.ready}` : <Blockers lang={lang} blockers={o.blockers} />}
            </li>
          ))}
        </ul>
        <form method="get" action="/closings/day">
          <div class="field">
            <label for="day">{t.dayLabel}</label>
            <input type="date" id="day" name="day" value={props.today} required />
          </div>
          <button type="submit" class="secondary">
            {t.show}
          </button>
        </form>
      </section>
      <section aria-labelledby="book-h">
        <h2 id="book-h">{t.book}</h2>
        <ListSummary total={listTexts(lang).closings(props.total)} csvHref="/closings.csv" csvLabel={listTexts(lang).csv} />
        <DataTable columns={[t.number, t.period, t.status, t.determined, t.signed, num(t.kassenIst), num(t.difference)]}>
          {props.closings.map((c) => (
            <tr>
              <td>
                <a href={`/closings/${c.id}`}>{c.number ?? '–'}</a>
              </td>
              <td>{periodText(lang, { from: c.periodFrom, to: c.periodTo })}</td>
              <td>
                <StateTag state={c.status} word={STATUS[lang][c.status]} />
              </td>
              <td>{who(c.determinedBy)}</td>
              <td>{c.signedBy ? who(c.signedBy) : '–'}</td>
              <td class="num">{money(lang, c.totals.kassenIst)}</td>
              <td class="num">{money(lang, c.totals.difference)}</td>
            </tr>
          ))}
        </DataTable>
        <p>
          <a href={`/closings/ageing?asOf=${props.today.slice(0, 4)}-12-31`}>{t.ageing}</a>
        </p>
      </section>
    </StaffPage>
  );
}

function AccountsTable(props: { lang: Lang; accounts: AccountFigures[] }) {
  const { lang } = props;
  const t = T[lang];
  const lines = (ls: AccountFigures['receipts']) => (
    <ul class="plain">
      {ls.map((l) => (
        <li>
          {lineLabelDe(l.kind)}: {money(lang, l.amount)} ({l.count})
        </li>
      ))}
    </ul>
  );
  return (
    <DataTable columns={[t.account, num(t.opening), t.receipts, t.payments, num(t.ledger), num(t.explained), num(t.bank), num(t.transit), num(t.difference)]}>
      {props.accounts.map((a) => (
        <tr>
          <th scope="row">
            {lang === 'de' ? ACCOUNT_TYPE_LABELS_DE[a.type] : a.type}: {a.label}
            <br />
            <span class="mono">{a.key}</span>
          </th>
          <td class="num">{money(lang, a.opening)}</td>
          <td>{lines(a.receipts)}</td>
          <td>{lines(a.payments)}</td>
          <td class="num">{money(lang, a.ledgerClosing)}</td>
          <td class="num">{money(lang, a.explained)}</td>
          <td class="num">{a.bankClosing === null ? '–' : money(lang, a.bankClosing)}</td>
          <td class="num">{money(lang, a.inTransit)}</td>
          <td class="num">
            <strong>{money(lang, a.difference)}</strong>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function SuspenseTable(props: { lang: Lang; suspense: ClosingContent['suspense'] }) {
  const { lang } = props;
  const t = T[lang];
  return (
    <DataTable columns={[t.type, num(t.balance), num(t.count), ...t.age.map((a) => num(a))]}>
      {props.suspense.map((s) => (
        <tr>
          <th scope="row">{lang === 'de' ? SUSPENSE_LABELS_DE[s.type] : SUSPENSE_EN[s.type]}</th>
          <td class="num">{money(lang, s.balance)}</td>
          <td class="num">{s.count}</td>
          <td class="num">{money(lang, s.ageing.upTo30)}</td>
          <td class="num">{money(lang, s.ageing.upTo90)}</td>
          <td class="num">{money(lang, s.ageing.upTo365)}</td>
          <td class="num">{money(lang, s.ageing.older)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

export function ClosingDayPage(props: StaffPageContext & { day: string; preview: Preview; canReview: boolean }) {
  const { lang, preview } = props;
  const t = T[lang];
  const open = preview.content.accounts.filter((a) => a.difference !== '0.00');
  return (
    <StaffPage {...props} title={`${t.title} ${periodText(lang, preview.period)}`}>
      <h1>
        {t.title} {periodText(lang, preview.period)}
      </h1>
      {preview.closed && <p class="notice ok">{t.closed}</p>}
      {preview.determinedId && (
        <p class="notice warn">
          {t.waiting} <a href={`/closings/${preview.determinedId}`}>{preview.determinedId}</a>
        </p>
      )}
      {preview.blockers.length > 0 && (
        <section aria-labelledby="blk-h" class="notice warn">
          <h2 id="blk-h">{t.blockers}</h2>
          <Blockers lang={lang} blockers={preview.blockers} />
        </section>
      )}
      <AccountsTable lang={lang} accounts={preview.content.accounts} />
      <p>
        {t.kassenIst}: <strong>{money(lang, preview.content.totals.kassenIst)}</strong> · {t.difference}: <strong>{money(lang, preview.content.totals.difference)}</strong>
      </p>
      {props.canReview && open.length > 0 && (
        <section aria-labelledby="ex-h">
          <h2 id="ex-h">{t.explainTitle}</h2>
          <p>{t.explainIntro}</p>
          <form method="post" action={`/closings/day/${props.day}/explain`}>
            <HiddenCsrf csrf={props.csrf} />
            <div class="field">
              <label for="account">{t.account}</label>
              <select id="account" name="account">
                {open.map((a) => (
                  <option value={a.key}>
                    {a.label} ({money(lang, a.difference)})
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="suspenseType">{t.type}</label>
              <select id="suspenseType" name="suspenseType">
                {SUSPENSE_TYPES.map((s) => (
                  <option value={s}>{lang === 'de' ? SUSPENSE_LABELS_DE[s] : SUSPENSE_EN[s]}</option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="amount">{t.amount}</label>
              <input type="text" id="amount" name="amount" inputmode="decimal" required value={open[0]!.difference.replace('.', lang === 'de' ? ',' : '.')} />
            </div>
            <div class="field">
              <label for="reason">{t.reason}</label>
              <input type="text" id="reason" name="reason" required minlength={5} maxlength={1000} />
            </div>
            <button type="submit">{t.explain}</button>
          </form>
        </section>
      )}
      {props.canReview && preview.blockers.length === 0 && !preview.closed && (
        <form method="post" action={`/closings/day/${props.day}/determine`}>
          <HiddenCsrf csrf={props.csrf} />
          <button type="submit">{preview.kind === 'follow_up' ? t.determineFollowUp : t.determine}</button>
        </form>
      )}
      <h2>{t.suspense}</h2>
      <SuspenseTable lang={lang} suspense={preview.content.suspense} />
    </StaffPage>
  );
}

export function ClosingPage(props: StaffPageContext & { closing: ClosingView; who: Who; me: string; canApprove: boolean; canExport: boolean }) {
  const { lang, closing: c, who } = props;
  const t = T[lang];
  const own = c.determinedBy === props.me;
  return (
    <StaffPage {...props} title={`${t.title} ${c.number ?? ''}`}>
      <h1>
        {t.title} {c.number ? `${t.number} ${c.number}` : ''} – {periodText(lang, { from: c.periodFrom, to: c.periodTo })}
      </h1>
      <p>
        <StateTag state={c.status} word={STATUS[lang][c.status]} />
        {c.content.follows && (
          <>
            {' '}
            · {t.follows} <a href={`/closings/${c.content.follows.id}`}>{c.content.follows.number}</a>
          </>
        )}
      </p>
      <dl class="dl">
        <dt>{t.determined}</dt>
        <dd>
          {who(c.determinedBy)}, {instant(lang, c.determinedAt)}
        </dd>
        <dt>{t.signed}</dt>
        <dd>{c.signedBy ? `${who(c.signedBy)}, ${instant(lang, c.signedAt!)}` : '–'}</dd>
        <dt>{t.hash}</dt>
        <dd class="mono">{c.hash ?? c.contentHash}</dd>
      </dl>
      {c.status === 'determined' && own && <p class="notice warn">{t.own}</p>}
      {c.status === 'determined' && !own && props.canApprove && (
        <form method="post" action={`/closings/${c.id}/sign`}>
          <HiddenCsrf csrf={props.csrf} />
          <input type="hidden" name="version" value={String(c.version)} />
          <button type="submit">{t.sign}</button>
        </form>
      )}
      <p class="actions">
        <a href={`/closings/${c.id}/print`}>{t.print}</a> · <a href={`/closings/${c.id}/print?format=pdf`}>{t.pdf}</a>
        {props.canExport && (
          <>
            {' '}
            · <a href={`/closings/${c.id}/export?format=csv`}>{t.csv}</a> · <a href={`/closings/${c.id}/export?format=json`}>{t.json}</a>
          </>
        )}
      </p>
      <AccountsTable lang={lang} accounts={c.content.accounts} />
      <p>
        {t.kassenIst}: <strong>{money(lang, c.content.totals.kassenIst)}</strong> · {t.difference}: <strong>{money(lang, c.content.totals.difference)}</strong>
      </p>
      <h2>{t.suspense}</h2>
      <SuspenseTable lang={lang} suspense={c.content.suspense} />
    </StaffPage>
  );
}

export function AgeingPage(props: StaffPageContext & { asOf: string; suspense: ClosingContent['suspense'] }) {
  const t = T[props.lang];
  return (
    <StaffPage {...props} title={t.ageing}>
      <h1>
        {t.ageing}: {day(props.lang, props.asOf)}
      </h1>
      <SuspenseTable lang={props.lang} suspense={props.suspense} />
    </StaffPage>
  );
}

/** The dashboard's card: which days are still open, and why. */
export function OpenClosingsCard(props: { lang: Lang; open: OpenPeriod[] }) {
  const { lang } = props;
  const t = T[lang];
  return (
    <section class="card" aria-labelledby="c-closings">
      <h2 id="c-closings">
        <a href="/closings">{t.title}</a>
      </h2>
      {props.open.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <ul class="plain">
          {props.open.map((o) => (
            <li>
              <a href={`/closings/day/${o.period.to}`}>{periodText(lang, o.period)}</a>
              {o.kind === 'follow_up' ? ` (${t.followUp})` : ''}: {o.blockers.length === 0 ? t.ready : [...new Set(o.blockers.map((b) => blockerWord(lang, b.kind)))].join(', ')}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The closing book as a CSV file: the columns the page shows. */
export function closingsCsv(lang: Lang, closings: ClosingRow[], who: Who): string {
  const t = T[lang];
  const amount = (a: string) => csvAmount(lang, parseMoney(a, 'EUR', { allowNegative: true }).minor);
  return csvFile(
    lang,
    [t.number, t.period, t.status, t.determined, t.signed, t.kassenIst, t.difference],
    closings.map((c) => [c.number === null || c.number === undefined ? '' : { num: String(c.number) }, periodText(lang, { from: c.periodFrom, to: c.periodTo }), STATUS[lang][c.status], who(c.determinedBy), c.signedBy ? who(c.signedBy) : '', amount(c.totals.kassenIst), amount(c.totals.difference)]),
  );
}
