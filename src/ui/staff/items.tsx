/** @jsxImportSource hono/jsx */
/** Open items: search by Kassenzeichen, debtor, amount and status; one item with its whole history. */
import { ItemDirectDebit } from './sepa.js';
import { ItemDirectDebitForms } from './mandates.js';
import type { MandateView } from '../../services/mandates/mandates.js';
import { itemStatusWord, onlineStatusWord, stateWord } from './labels.js';
import type { OpenItemView } from '../../services/items/model.js';
import { ITEM_STATUSES } from '../../services/items/status.js';
import type { ItemHistory } from '../../services/workplace/itemHistory.js';
import { formatAmount } from '../i18n.js';
import { StaffPage, StateTag, type StaffPageContext } from './frame.js';
import { AuditTable, BookingsTable, DataTable, FilterSelect, ListSummary, num, Pager, type Who } from './components.js';
import { csvAmount, csvFile } from './csv.js';
import { listTexts } from './listTexts.js';
import type { Lang } from '../i18n.js';
import { day, instant, messages } from './i18n.js';

export interface ItemSearch {
  kassenzeichen?: string;
  debtor?: string;
  amount?: string;
  status?: string;
}

export function ItemsPage(props: StaffPageContext & { items: OpenItemView[]; nextCursor: string | null; search: ItemSearch; query: string; total: number; error?: string }) {
  const { lang, search: s } = props;
  const t = messages(lang);
  return (
    <StaffPage {...props} title={t.itemsTitle}>
      <h1>{t.itemsTitle}</h1>
      <form class="filters" method="get" action="/items" role="search">
        <div>
          <label for="kassenzeichen">{t.itemsKassenzeichen}</label>
          <input type="text" id="kassenzeichen" name="kassenzeichen" class="mono" value={s.kassenzeichen ?? ''} data-search aria-keyshortcuts="/" />
        </div>
        <div>
          <label for="debtor">{t.itemsDebtor}</label>
          <input type="text" id="debtor" name="debtor" value={s.debtor ?? ''} />
        </div>
        <div>
          <label for="amount">{t.itemsAmount}</label>
          <input type="text" inputmode="decimal" id="amount" name="amount" size={10} value={s.amount ?? ''} />
        </div>
        <FilterSelect id="status" label={t.itemsStatus} any={t.itemsAnyStatus} values={ITEM_STATUSES} selected={s.status} words={t.itemStatuses} />
        <div>
          <button type="submit">{t.filter}</button> <a href="/items">{t.reset}</a>
        </div>
      </form>
      <ListSummary total={listTexts(lang).items(props.total)} csvHref={`/items.csv${props.query ? `?${props.query}` : ''}`} csvLabel={listTexts(lang).csv} />
      {props.error && (
        <p class="notice warn" role="alert">
          {props.error}
        </p>
      )}
      {props.items.length === 0 ? (
        <p>{t.itemsNone}</p>
      ) : (
        <DataTable columns={[t.itemsKassenzeichen, t.itemsDebtor, t.reviewDescription, num(t.amount), num(t.itemsOpen), t.itemsDue, t.itemsStatus]}>
          {props.items.map((i) => (
            <tr>
              <th scope="row">
                <a href={`/items/${i.id}`} class="mono" data-row-link>
                  {i.kassenzeichenDisplay}
                </a>
              </th>
              <td>{i.debtor.name}</td>
              <td>{i.description}</td>
              <td class="num">{formatAmount(lang, i.amountMinor, i.currency)}</td>
              <td class="num">{formatAmount(lang, i.outstandingMinor, i.currency)}</td>
              <td>{day(lang, i.dueDate)}</td>
              <td>
                <StateTag state={i.status} word={itemStatusWord(lang, i.status)} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager lang={lang} base="/items" query={props.query} cursor={props.nextCursor} />
    </StaffPage>
  );
}

export function ItemPage(props: StaffPageContext & { history: ItemHistory; who: Who; directDebit?: Parameters<typeof ItemDirectDebit>[0]['debit']; directDebitForms?: { mandates: MandateView[]; debit: { id: string; state: string } | null; preNotificationDays: number } }) {
  const { lang, who } = props;
  const h = props.history;
  const i = h.item;
  const t = messages(lang);
  const amount = (m: bigint) => formatAmount(lang, m, i.currency);
  return (
    <StaffPage {...props} title={t.itemHeading(i.kassenzeichenDisplay)}>
      <p>
        <a href="/items" data-back>
          {t.back}
        </a>
      </p>
      <h1>{t.itemHeading(i.kassenzeichenDisplay)}</h1>
      <p>
        <StateTag state={i.status} word={itemStatusWord(lang, i.status)} /> {t.itemsOpen}: <strong>{amount(i.outstandingMinor)}</strong>
      </p>
      <ItemDirectDebit lang={lang} debit={props.directDebit ?? null} />
      {i.cancelledAt && <p class="notice warn">{t.itemCancelled(instant(lang, i.cancelledAt), i.cancelReason ?? '')}</p>}
      <h2>{t.itemFacts}</h2>
      <dl class="dl">
        <dt>{t.itemsKassenzeichen}</dt>
        <dd class="mono">{i.kassenzeichenDisplay}</dd>
        <dt>{t.itemRf}</dt>
        <dd class="mono">{i.rfReference ?? '–'}</dd>
        <dt>{t.itemsCategory}</dt>
        <dd>{t.categories[i.category] ?? i.category}</dd>
        <dt>{t.reviewDescription}</dt>
        <dd>{i.description}</dd>
        <dt>{t.itemsDebtor}</dt>
        <dd>{i.debtor.name}</dd>
        <dt>{t.amount}</dt>
        <dd>{amount(i.amountMinor)}</dd>
        <dt>{t.itemPaid}</dt>
        <dd>{amount(i.paidMinor)}</dd>
        <dt>{t.itemsDue}</dt>
        <dd>{day(lang, i.dueDate)}</dd>
        {i.externalRef && (
          <>
            <dt>{t.itemExternal}</dt>
            <dd class="mono">{i.externalRef}</dd>
          </>
        )}
        <dt>{t.itemCreated}</dt>
        <dd>{instant(lang, i.createdAt)}</dd>
      </dl>
      {props.directDebitForms && <ItemDirectDebitForms lang={lang} csrf={props.csrf} itemId={i.id} {...props.directDebitForms} />}

      <h2>{t.itemHistory}</h2>
      <h3>{t.itemAllocations}</h3>
      {h.online.length > 0 && (
        <>
          <h3>{t.itemOnline}</h3>
          <DataTable columns={[t.itemOnlineReference, t.itemOnlineProvider, t.itemsStatus, num(t.amount), t.when]}>
            {h.online.map((o) => (
              <tr>
                <th scope="row">
                  <a href={`/online-payments/${o.onlinePaymentId}`} class="mono">
                    {o.reference}
                  </a>
                </th>
                <td>{o.provider}</td>
                <td>
                  <StateTag state={o.reversed ? 'rejected' : o.status === 'payed' ? 'paid' : 'pending'} word={o.reversed ? t.reviewReversedTag : onlineStatusWord(lang, o.status)} />
                </td>
                <td class="num">{formatAmount(lang, o.amountMinor, o.currency)}</td>
                <td>{instant(lang, o.payedAt ?? o.createdAt)}</td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
      {h.allocations.length === 0 ? (
        <p>{h.online.length > 0 ? t.itemNoBankAllocations : t.itemNoAllocations}</p>
      ) : (
        <BookingsTable
          lang={lang}
          who={who}
          rows={h.allocations}
          lead={[t.approvalPayment, t.reviewPayer]}
          leading={(a) => (
            <>
              <th scope="row">
                <a href={`/review/${a.transactionId}`} class="mono">
                  {a.paymentRef}
                </a>
                <br />
                {day(lang, a.bookingDate)}
              </th>
              <td>{a.payer ?? '–'}</td>
            </>
          )}
          amount={(a) => formatAmount(lang, a.amountMinor, a.currency)}
        />
      )}

      <h3>{t.itemRequests}</h3>
      {h.paymentRequests.length === 0 ? (
        <p>{t.itemNoRequests}</p>
      ) : (
        <ul>
          {h.paymentRequests.map((r) => (
            <li>
              {formatAmount(lang, r.totalMinor, r.currency)} – {t.itemRequestLine(instant(lang, r.createdAt), r.itemCount > 1 ? `${r.itemCount} ${t.itemsTitle}` : '1', instant(lang, r.expiresAt))}
            </li>
          ))}
        </ul>
      )}

      <h3>{t.itemChanges}</h3>
      <DataTable columns={[t.when, t.what, t.who, t.why]}>
        {h.changes.map((c) => (
          <tr>
            <td>{instant(lang, c.createdAt)}</td>
            <td>
              {t.itemChangeKinds[c.kind] ?? c.kind}
              {c.oldAmountMinor !== null && c.newAmountMinor !== null && `: ${amount(c.oldAmountMinor)} → ${amount(c.newAmountMinor)}`}
              {c.oldAmountMinor === null && c.newAmountMinor !== null && `: ${amount(c.newAmountMinor)}`}
            </td>
            <td>{who(c.actor)}</td>
            <td>{c.reason ?? ''}</td>
          </tr>
        ))}
      </DataTable>

      <h3>{t.itemEvents}</h3>
      {h.events.length === 0 ? (
        <p>{t.itemNoEvents}</p>
      ) : (
        <ul>
          {h.events.map((e) => (
            <li>
              {instant(lang, e.createdAt)}: {t.itemEventTypes[e.type] ?? e.type} <span class="muted mono">({e.type})</span>
            </li>
          ))}
        </ul>
      )}
      <AuditTable lang={lang} who={who} rows={h.audit} />
    </StaffPage>
  );
}

/** The items list as a CSV file: the columns the page shows. */
export function itemsCsv(lang: Lang, items: OpenItemView[]): string {
  const t = messages(lang);
  return csvFile(
    lang,
    [t.itemsKassenzeichen, t.itemsDebtor, t.reviewDescription, t.amount, t.itemsOpen, t.itemsDue, t.itemsStatus],
    items.map((i) => [i.kassenzeichenDisplay, i.debtor.name, i.description, csvAmount(lang, i.amountMinor, i.currency), csvAmount(lang, i.outstandingMinor, i.currency), day(lang, i.dueDate), itemStatusWord(lang, i.status)]),
  );
}
