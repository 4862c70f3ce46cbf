/** @jsxImportSource hono/jsx */
/**
 * Online payments in the workplace: the list (filtered by state, provider, day, amount and
 * Kassenzeichen, with its total and a CSV download), one payment (its state at the provider, the
 * items it paid, its history, the payout it was settled in), and the clearing account per provider.
 */
import { CLEARING_REASON_WORDS, itemStatusWord, ONLINE_STATUS_WORDS, onlineStatusWord, settlementStatusWord } from '../labels.js';
import { ONLINE_PAYMENT_STATUSES } from '../../../services/online/onlinePayments.js';
import { CLEARING_REASONS } from '../../../services/online/settlement.js';
import type { ClearingAccount, OnlinePaymentFilter, OnlinePaymentPage, OnlinePaymentRow } from '../../../services/workplace/onlinePayments.js';
import { formatAmount, type Lang } from '../../i18n.js';
import { csvAmount, csvFile, type CsvCell } from '../csv.js';
import { DataTable, FilterSelect, ItemLink, num, Pager, type Who } from '../components.js';
import { StaffPage, StateTag, type StaffPageContext } from '../frame.js';
import { instant, messages } from '../i18n.js';
import { onlineTexts } from './texts.js';

/** The tag's colour for a state at the provider (the word says it; the colour only repeats it). */
function tone(status: string): string {
  return status === 'payed' ? 'paid' : status === 'failed' || status === 'unreachable' ? 'failed' : status === 'initial' || status === 'created' ? 'pending' : 'info';
}

function ItemLinks(props: { items: Array<{ id: string; kassenzeichen: string }> }) {
  return (
    <>
      {props.items.map((i, n) => (
        <>
          {n > 0 && ', '}
          <ItemLink itemId={i.id} kassenzeichen={i.kassenzeichen} />
        </>
      ))}
    </>
  );
}

export function OnlinePaymentsPage(
  props: StaffPageContext & { rows: OnlinePaymentRow[]; nextCursor: string | null; total: number; filter: OnlinePaymentFilter; query: string; providers: Array<{ key: string; name: string }> },
) {
  const { lang, filter: f } = props;
  const t = messages(lang);
  const o = onlineTexts(lang);
  const amount = (m: bigint, cur: string) => formatAmount(lang, m, cur);
  return (
    <StaffPage {...props} title={o.title}>
      <h1>{o.title}</h1>
      <p>
        <a href="/clearing">{o.toClearing}</a>
      </p>
      <form class="filters" method="get" action="/online-payments" role="search">
        <div>
          <label for="kassenzeichen">{o.kassenzeichen}</label>
          <input type="text" id="kassenzeichen" name="kassenzeichen" class="mono" size={16} value={f.kassenzeichen ?? ''} data-search aria-keyshortcuts="/" />
        </div>
        <FilterSelect id="status" label={o.state} any={o.anyState} values={ONLINE_PAYMENT_STATUSES} selected={f.status} words={ONLINE_STATUS_WORDS[lang]} />
        <FilterSelect id="provider" label={o.provider} any={o.anyProvider} values={props.providers.map((p) => p.key)} selected={f.provider} words={Object.fromEntries(props.providers.map((p) => [p.key, p.name]))} />
        <div>
          <label for="from">{o.from}</label>
          <input type="text" inputmode="numeric" id="from" name="from" size={10} placeholder={t.datePlaceholder} value={f.from ?? ''} />
        </div>
        <div>
          <label for="to">{o.to}</label>
          <input type="text" inputmode="numeric" id="to" name="to" size={10} placeholder={t.datePlaceholder} value={f.to ?? ''} />
        </div>
        <div>
          <label for="amountFrom">{o.amountFrom}</label>
          <input type="text" inputmode="decimal" id="amountFrom" name="amountFrom" size={9} value={f.amountFrom ?? ''} />
        </div>
        <div>
          <label for="amountTo">{o.amountTo}</label>
          <input type="text" inputmode="decimal" id="amountTo" name="amountTo" size={9} value={f.amountTo ?? ''} />
        </div>
        <div>
          <button type="submit">{t.filter}</button> <a href="/online-payments">{t.reset}</a>
        </div>
      </form>
      <p class="list-summary">
        <strong>{o.total(props.total)}</strong>
        {' · '}
        <a href={`/online-payments.csv${props.query ? `?${props.query}` : ''}`} download>
          {o.csv}
        </a>
      </p>
      {props.rows.length === 0 ? (
        <p role="status">{o.none}</p>
      ) : (
        <DataTable columns={[o.reference, o.started, num(t.amount), o.state, o.provider, o.items, num(o.inTransit)]}>
          {props.rows.map((r) => (
            <tr>
              <th scope="row">
                <a href={`/online-payments/${r.id}`} class="mono" data-row-link>
                  {r.reference}
                </a>
              </th>
              <td>{instant(lang, r.createdAt)}</td>
              <td class="num">{amount(r.amountMinor, r.currency)}</td>
              <td>
                <StateTag state={tone(r.status)} word={onlineStatusWord(lang, r.status)} />
                {r.refundDueMinor > 0n && (
                  <>
                    <br />
                    <StateTag state="refund" word={`${o.refundDue}: ${amount(r.refundDueMinor, r.currency)}`} />
                  </>
                )}
              </td>
              <td>{r.providerName}</td>
              <td>
                <ItemLinks items={r.items} />
              </td>
              <td class="num">{r.inTransitMinor !== 0n ? amount(r.inTransitMinor, r.currency) : '–'}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager lang={lang} base="/online-payments" query={props.query} cursor={props.nextCursor} />
    </StaffPage>
  );
}

export function onlinePaymentsCsv(lang: Lang, rows: OnlinePaymentRow[]): string {
  const t = messages(lang);
  const o = onlineTexts(lang);
  const head = [o.reference, o.started, o.payedAt, t.amount, o.state, o.provider, o.method, o.items, o.inTransit, o.refundDue];
  const lines: CsvCell[][] = rows.map((r) => [
    r.reference,
    instant(lang, r.createdAt),
    r.payedAt ? instant(lang, r.payedAt) : '',
    csvAmount(lang, r.amountMinor, r.currency),
    onlineStatusWord(lang, r.status),
    r.providerName,
    r.paymentMethod ? (o.methods[r.paymentMethod] ?? r.paymentMethod) : '',
    r.items.map((i) => i.kassenzeichen).join(' '),
    csvAmount(lang, r.inTransitMinor, r.currency),
    csvAmount(lang, r.refundDueMinor, r.currency),
  ]);
  return csvFile(lang, head, lines);
}

export function OnlinePaymentDetailPage(props: StaffPageContext & { page: OnlinePaymentPage; who: Who }) {
  const { lang, who } = props;
  const t = messages(lang);
  const o = onlineTexts(lang);
  const { payment: p, items, history, settlements } = props.page;
  const amount = (m: bigint) => formatAmount(lang, m, p.currency);
  return (
    <StaffPage {...props} title={o.heading(p.reference)}>
      <p>
        <a href="/online-payments" data-back>
          {o.toList}
        </a>
      </p>
      <h1>{o.heading(p.reference)}</h1>
      <p>
        <StateTag state={tone(p.status)} word={onlineStatusWord(lang, p.status)} /> <strong>{amount(p.amountMinor)}</strong> · {p.providerName}
      </p>
      {p.refundDueMinor > 0n && (
        <p class="notice warn" role="status">
          {o.unallocated(amount(p.refundDueMinor))}
        </p>
      )}
      <h2>{o.facts}</h2>
      <dl class="dl">
        <dt>{o.reference}</dt>
        <dd class="mono">{p.reference}</dd>
        <dt>{o.provider}</dt>
        <dd>{p.providerName}</dd>
        <dt>{o.state}</dt>
        <dd>{onlineStatusWord(lang, p.status)}</dd>
        {p.statusDetail && (
          <>
            <dt>{o.statusDetail}</dt>
            <dd>{p.statusDetail}</dd>
          </>
        )}
        <dt>{o.providerTransaction}</dt>
        <dd class="mono">{p.providerTransactionId ?? '–'}</dd>
        <dt>{o.method}</dt>
        <dd>{[p.paymentMethod ? (o.methods[p.paymentMethod] ?? p.paymentMethod) : null, p.paymentMethodDetail].filter(Boolean).join(', ') || '–'}</dd>
        <dt>{o.started}</dt>
        <dd>{instant(lang, p.createdAt)}</dd>
        <dt>{o.payedAt}</dt>
        <dd>{p.payedAt ? instant(lang, p.payedAt) : '–'}</dd>
        <dt>{o.lastChecked}</dt>
        <dd>{p.lastCheckedAt ? `${instant(lang, p.lastCheckedAt)} (${o.checks(p.checks)})` : o.never}</dd>
        <dt>{o.inTransit}</dt>
        <dd>
          {amount(p.inTransitMinor)} <span class="muted">({o.inTransitHint})</span>
        </dd>
      </dl>

      <h2>{o.itemsHeading}</h2>
      <DataTable columns={[o.kassenzeichen, t.itemsDebtor, t.reviewDescription, num(o.asked), num(o.booked), o.itemState]}>
        {items.map((i) => (
          <tr>
            <th scope="row">
              <ItemLink itemId={i.id} kassenzeichen={i.kassenzeichen} />
            </th>
            <td>{i.debtorName}</td>
            <td>{i.description}</td>
            <td class="num">{amount(i.askedMinor)}</td>
            <td class="num">{amount(i.bookedMinor)}</td>
            <td>
              <StateTag state={i.itemStatus} word={itemStatusWord(lang, i.itemStatus)} />
              {i.reversed && (
                <>
                  {' '}
                  <StateTag state="rejected" word={o.reversedNote} />
                </>
              )}
            </td>
          </tr>
        ))}
      </DataTable>

      <h2>{o.settlementsHeading}</h2>
      {settlements.length === 0 ? (
        <p>{o.noSettlement}</p>
      ) : (
        <DataTable columns={[o.settlement, t.when, o.settlementState, o.lineOutcome, num(o.gross), num(o.fee), num(o.net), o.bankPayment]}>
          {settlements.map((s) => (
            <tr>
              <th scope="row" class="mono">
                {s.reference}
              </th>
              <td>{instant(lang, s.createdAt)}</td>
              <td>{settlementStatusWord(lang, s.status)}</td>
              <td>{o.lineOutcomes[s.lineOutcome] ?? settlementStatusWord(lang, s.lineOutcome)}</td>
              <td class="num">{amount(s.grossMinor)}</td>
              <td class="num">{amount(s.feeMinor)}</td>
              <td class="num">{amount(s.netMinor)}</td>
              <td>{s.bankTransactionId ? <a href={`/review/${s.bankTransactionId}`}>{o.bankPayment}</a> : '–'}</td>
            </tr>
          ))}
        </DataTable>
      )}

      <h2>{o.historyHeading}</h2>
      <DataTable columns={[t.when, o.what, num(t.amount), t.who]}>
        {history.map((h) => (
          <tr>
            <td>{instant(lang, h.at)}</td>
            <td>
              {o.history[h.kind]}
              {h.item && (
                <>
                  {' '}
                  <ItemLink itemId={h.item.id} kassenzeichen={h.item.kassenzeichen} />
                </>
              )}
              {h.settlement && <span class="mono"> ({h.settlement.reference})</span>}
              {h.bankTransactionId && (
                <>
                  {' · '}
                  <a href={`/review/${h.bankTransactionId}`}>{o.bankPayment}</a>
                </>
              )}
            </td>
            <td class="num">{h.amountMinor === null ? '' : amount(h.amountMinor)}</td>
            <td>{h.actor ? who(h.actor) : '–'}</td>
          </tr>
        ))}
      </DataTable>
    </StaffPage>
  );
}

export function ClearingPage(props: StaffPageContext & { accounts: ClearingAccount[] }) {
  const { lang } = props;
  const t = messages(lang);
  const o = onlineTexts(lang);
  return (
    <StaffPage {...props} title={o.clearingTitle}>
      <h1>{o.clearingTitle}</h1>
      <p>{o.clearingIntro}</p>
      <p>
        <a href="/online-payments">{o.toList}</a>
      </p>
      {props.accounts.length === 0 && <p>{o.clearingNone}</p>}
      {props.accounts.map((a) => {
        const amount = (m: bigint) => formatAmount(lang, m, a.currency);
        return (
          <section aria-labelledby={`clearing-${a.provider}`}>
            <h2 id={`clearing-${a.provider}`}>{a.providerName}</h2>
            <dl class="dl">
              <dt>{a.balanceMinor < 0n ? o.balanceNegative : o.balance}</dt>
              <dd>
                <strong data-balance>{amount(a.balanceMinor < 0n ? -a.balanceMinor : a.balanceMinor)}</strong>
              </dd>
            </dl>
            <h3>{o.movementsHeading}</h3>
            <DataTable columns={[o.what, num(t.amount)]}>
              {CLEARING_REASONS.filter((r) => a.byReason[r] !== undefined).map((r) => (
                <tr>
                  <td>{CLEARING_REASON_WORDS[lang][r]}</td>
                  <td class="num">{amount(a.byReason[r]!)}</td>
                </tr>
              ))}
            </DataTable>
            <h3>
              {o.inTransitHeading(a.inTransitCount)}
              {a.inTransitCount > a.inTransit.length && <span class="muted"> ({o.inTransitShown(a.inTransit.length)})</span>}
            </h3>
            {a.inTransit.length === 0 ? (
              <p>{o.nothingInTransit}</p>
            ) : (
              <DataTable columns={[o.reference, o.payedAt, num(o.inTransit)]}>
                {a.inTransit.map((p) => (
                  <tr>
                    <th scope="row">
                      <a href={`/online-payments/${p.id}`} class="mono">
                        {p.reference}
                      </a>
                    </th>
                    <td>{p.payedAt ? instant(lang, p.payedAt) : '–'}</td>
                    <td class="num">{amount(p.openMinor)}</td>
                  </tr>
                ))}
              </DataTable>
            )}
            <h3>{o.settlementsOf}</h3>
            {a.settlements.length === 0 ? (
              <p>{o.noSettlements}</p>
            ) : (
              <DataTable columns={[o.settlement, t.when, o.source, o.settlementState, num(o.gross), num(o.fee), num(o.net)]}>
                {a.settlements.map((s) => (
                  <tr>
                    <th scope="row" class="mono">
                      {s.bankTransactionId ? <a href={`/review/${s.bankTransactionId}`}>{s.reference}</a> : s.reference}
                    </th>
                    <td>{instant(lang, s.createdAt)}</td>
                    <td>{o.sources[s.source] ?? s.source}</td>
                    <td>{settlementStatusWord(lang, s.status)}</td>
                    <td class="num">{amount(s.grossMinor)}</td>
                    <td class="num">{amount(s.feeMinor)}</td>
                    <td class="num">{amount(s.netMinor)}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
        );
      })}
    </StaffPage>
  );
}
