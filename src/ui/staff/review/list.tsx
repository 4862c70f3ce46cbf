/** @jsxImportSource hono/jsx */
/**
 * The review queue and one payment in it. Built for the keyboard: j/k move through the list and
 * Enter opens; in a payment 1–9 mark a suggestion's button and Enter books it; m jumps to the
 * manual allocation, u back to the list. Every action is a plain form post (works without script).
 */
import { itemStatusWord, stateWord } from '../labels.js';
import type { ReviewItemView, ReviewRow } from '../../../services/review/queue.js';
import type { ReviewQueueFilter } from '../../../services/review/queue.js';
import type { Counterpart, Counterparts } from '../../../services/review/counterparts.js';
import type { SettlementView } from '../../../services/online/settlement.js';
import { formatMinor } from '../../../money/money.js';
import { REVIEW_FILTER_STATES } from '../../../services/review/states.js';
import { groupIban } from '../../i18n.js';
import { AuditTable, BookingsTable, DataTable, FilterSelect, ItemLink, NoteField, num, Pager, type Who } from '../components.js';
import type { Child } from 'hono/jsx';
import { CreditDebit, HiddenCsrf, KeyboardHelp, StaffPage, StateTag, type StaffPageContext } from '../frame.js';
import { day, instant, messages, money, percentBp } from '../i18n.js';

type Lang = StaffPageContext['lang'];

import { REVIEW_CSS } from './detail.js';
import { BulkForms, PickBox, bulkTexts } from './bulk.js';

export function ReviewListPage(props: StaffPageContext & { rows: ReviewRow[]; nextCursor: string | null; filter: ReviewQueueFilter; query: string; total: number; canReview: boolean }) {
  const { lang, filter: f } = props;
  const t = messages(lang);
  const sort = `${f.sort ?? 'age'}:${f.order ?? 'asc'}`;
  const sorts: Array<[string, string]> = [
    ['age:asc', t.reviewSortAge],
    ['age:desc', t.reviewSortAgeDesc],
    ['amount:desc', t.reviewSortAmountDesc],
    ['amount:asc', t.reviewSortAmount],
  ];
  return (
    <StaffPage {...props} title={t.reviewTitle} css={REVIEW_CSS}>
      <h1>{t.reviewTitle}</h1>
      <form class="filters" method="get" action="/review" role="search">
        <div>
          <label for="q">{t.reviewSearch}</label>
          <input type="search" id="q" name="q" value={f.q ?? ''} data-search aria-keyshortcuts="/" />
        </div>
        <FilterSelect id="state" label={t.reviewState} any={t.reviewAllStates} values={REVIEW_FILTER_STATES} selected={f.state} words={t.states} />
        <div>
          <label for="amountFrom">{t.reviewAmountFrom}</label>
          <input type="text" inputmode="decimal" id="amountFrom" name="amountFrom" size={9} value={f.amountFrom ?? ''} />
        </div>
        <div>
          <label for="amountTo">{t.reviewAmountTo}</label>
          <input type="text" inputmode="decimal" id="amountTo" name="amountTo" size={9} value={f.amountTo ?? ''} />
        </div>
        <div>
          <label for="bookedFrom">{t.reviewBookedFrom}</label>
          <input type="text" inputmode="numeric" id="bookedFrom" name="bookedFrom" size={10} placeholder={t.datePlaceholder} value={f.bookedFrom ?? ''} />
        </div>
        <div>
          <label for="bookedTo">{t.reviewBookedTo}</label>
          <input type="text" inputmode="numeric" id="bookedTo" name="bookedTo" size={10} placeholder={t.datePlaceholder} value={f.bookedTo ?? ''} />
        </div>
        <div>
          <label for="sort">{t.reviewSort}</label>
          <select id="sort" name="sort">
            {sorts.map(([v, label]) => (
              <option value={v} selected={v === sort}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <button type="submit">{t.filter}</button> <a href="/review">{t.reset}</a>
        </div>
      </form>
      <p class="list-summary">
        <strong>{t.reviewTotal(props.total)}</strong>
        {' · '}
        <a href={`/review.csv${props.query ? `?${props.query}` : ''}`} download>
          {t.reviewCsv}
        </a>
      </p>
      {props.rows.length === 0 ? (
        <p class="notice ok" role="status">
          {t.reviewEmpty}
        </p>
      ) : (
        <DataTable class="review-list" columns={[...(props.canReview ? [bulkTexts(lang).pickColumn] : []), t.reviewBooked, num(t.amount), t.reviewPayer, t.reviewRemittance, t.reviewState, t.reviewTop, num(t.reviewAge)]}>
          {props.rows.map((r, i) => (
            <tr>
              {props.canReview && (
                <td>
                  <PickBox lang={lang} id={r.id} version={r.version} ref={r.ref} />
                </td>
              )}
              <td>
                <a href={`/review/${r.id}${props.query ? `?${props.query}` : ""}`} data-row-link {...(i === 0 ? { 'aria-keyshortcuts': 'j k' } : {})}>
                  {day(lang, r.bookingDate)}
                  <span class="visually-hidden">, {t.reviewPayment(r.ref)}</span>
                </a>
              </td>
              <td class="num">
                {money(lang, r.amount, r.currency)}
                <br />
                <CreditDebit lang={lang} cd={r.creditDebit} />
              </td>
              <td>{r.payer.name ?? '–'}</td>
              <td class="rem">{r.remittance}</td>
              <td>
                <StateTag state={r.state} word={stateWord(lang, r.state)} />
              </td>
              <td>
                {r.topSuggestion ? (
                  <>
                    {r.topSuggestion.kassenzeichen.join(', ')} <span class="muted">({percentBp(lang, r.topSuggestion.confidenceBp)})</span>
                  </>
                ) : (
                  '–'
                )}
              </td>
              <td class="num">{t.reviewAgeDays(r.ageDays)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager lang={lang} base="/review" query={props.query} cursor={props.nextCursor} />
      <BulkForms lang={lang} query={props.query} canReview={props.canReview} {...(props.csrf ? { csrf: props.csrf } : {})} />
      <KeyboardHelp lang={lang} />
    </StaffPage>
  );
}

