/** @jsxImportSource hono/jsx */
/**
 * The public payment page behind a payment link (/pay/{token}): what is owed and why, the status,
 * the GiroCode and the bank details with copy buttons. Server-rendered, complete without
 * JavaScript; the small script only adds the copy buttons (they stay hidden without it, so no
 * button ever does nothing).
 */
import { formatRf } from '../../references/rf.js';
import type { PaymentRequestView } from '../../services/paymentRequests/paymentRequests.js';
import { amountForTyping, formatAmount, formatDay, formatInstantDay, groupIban, MESSAGES, type Lang } from '../i18n.js';
import { Layout } from '../layout.js';
import type { OnlineSectionView } from '../../services/online/section.js';
import type { PageDirectDebit } from '../../services/paymentRequests/directDebits.js';
import { ONLINE_CSS, ONLINE_MESSAGES, OnlineNotice, OnlineSection } from './onlineSection.js';

const PAGE_CSS = `
.items{list-style:none;padding:0;margin:0}
.items li{border:1px solid #d0d5dd;border-radius:.4rem;padding:.75rem;margin:.5rem 0}
.items dl,.bank{display:grid;grid-template-columns:minmax(7rem,auto) 1fr;gap:.25rem .75rem;margin:.25rem 0 0}
.items dt,.bank dt{color:#4a4a4a}
.items dd,.bank dd{margin:0}
.bank dd{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.bank .value{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.05rem}
.qr{display:block;width:14rem;max-width:100%;border:1px solid #d0d5dd;padding:.5rem;background:#fff}
@media (max-width:30rem){.items dl,.bank{grid-template-columns:1fr}.items dt,.bank dt{margin-top:.35rem}}
.receipt{border:2px solid #05603a;border-radius:.4rem;padding:.75rem 1rem;margin:1rem 0}
.receipt h2{margin-top:0}
.receipt table{border-collapse:collapse;width:100%;table-layout:fixed}
.receipt td,.receipt th{overflow-wrap:anywhere}
.receipt th,.receipt td{text-align:left;padding:.25rem .4rem;border-bottom:1px solid #d0d5dd;vertical-align:top}
.receipt td.num,.receipt th.num{text-align:right;white-space:nowrap}
.debit{border:2px solid #0b57d0;border-radius:.4rem;padding:.75rem 1rem;margin:1rem 0}
.debit h2{margin-top:0}
.debit dl{display:grid;grid-template-columns:minmax(7rem,auto) 1fr;gap:.25rem .75rem;margin:.5rem 0}
.debit dt{color:#4a4a4a}
.debit dd{margin:0;overflow-wrap:anywhere}
.debit .mono{font-family:ui-monospace,Menlo,Consolas,monospace}
@media (max-width:30rem){.debit dl{grid-template-columns:1fr}.debit dt{margin-top:.35rem}}
@media print{header.site,footer.site,.no-print,.skip{display:none!important}.receipt{border:0;padding:0}main{max-width:none}}
${ONLINE_CSS}`;

/** The print button of the receipt: only with script (without it, the browser's own print works the same). */
const PRINT_SCRIPT = `
document.querySelectorAll('button[data-print]').forEach(function (b) {
  b.hidden = false;
  b.addEventListener('click', function () { window.print(); });
});
`;

const COPY_SCRIPT = `
document.querySelectorAll('button[data-copy]').forEach(function (b) {
  b.hidden = false;
  b.addEventListener('click', function () {
    var status = document.getElementById('copy-status');
    navigator.clipboard.writeText(b.getAttribute('data-copy')).then(function () {
      status.textContent = b.getAttribute('data-done');
    });
  });
});
`;

export interface PageContext {
  lang: Lang;
  nonce: string;
  siteName: string;
  /** This page in the other language. */
  switchHref: string;
}

function Frame(props: PageContext & { title: string; children?: unknown; script?: string }) {
  const t = MESSAGES[props.lang];
  return (
    <Layout
      lang={props.lang}
      title={props.title}
      nonce={props.nonce}
      siteName={props.siteName}
      skipLabel={t.skipToContent}
      css={PAGE_CSS}
      {...(props.script ? { script: props.script } : {})}
      footer={
        <p>
          <a href={props.switchHref} lang={props.lang === 'de' ? 'en' : 'de'} hreflang={props.lang === 'de' ? 'en' : 'de'} aria-label={t.switchToLabel}>
            {t.switchTo}
          </a>
        </p>
      }
    >
      {props.children as never}
    </Layout>
  );
}

export function PaymentPage(props: PageContext & { request: PaymentRequestView; qrSvgHref: string; online?: OnlineSectionView; now?: Date; directDebits?: PageDirectDebit[] }) {
  const { lang, request: r } = props;
  const t = MESSAGES[lang];
  const money = (minor: bigint) => formatAmount(lang, minor, r.currency);
  const current = r.current;
  const reference = current ? (current.reference ? formatRf(current.reference) : current.remittance ?? '') : '';
  const referenceCopy = current ? (current.reference ?? current.remittance ?? '') : '';
  const statusLine =
    r.status === 'paid' ? t.statusPaid : r.status === 'cancelled' ? t.statusCancelled : r.status === 'partly_paid' ? t.statusPartly(money(r.outstandingMinor)) : t.statusOpen(money(r.outstandingMinor), formatDay(lang, r.dueDate));
  const paidOnline = r.status === 'paid' && (props.online?.notice === 'payed' || props.online?.notice === 'done');
  // What the citizen paid on this request, item by item: the receipt to keep or print.
  const paid = r.items.filter((i) => i.status !== 'cancelled' && i.requestedMinor > i.outstandingMinor);
  // Items collected by SEPA direct debit: the pre-notification comes first, and paying the same
  // amount another way is not offered as the thing to do (the debtor would pay twice).
  const debits = (props.directDebits ?? []).filter((d) => r.items.some((i) => i.id === d.itemId && i.outstandingMinor > 0n));
  const debitOf = new Map(debits.map((d) => [d.itemId, d]));
  // What to transfer or pay online leaves those items out (r.payNowMinor, r.current): with every
  // owed item collected there is no GiroCode and no online payment at all.
  const payNow = money(r.payNowMinor);
  return (
    <Frame {...props} title={t.pageTitle(r.creditor.name)} script={(current ? COPY_SCRIPT : '') + PRINT_SCRIPT}>
      <h1>{t.heading(r.creditor.name)}</h1>
      {/* One box says how things stand; a confirmed online payment is said in it, not in a second box. */}
      <p class={`notice${r.status === 'paid' || r.status === 'cancelled' ? ' ok' : ''}`} role="status" data-online-notice={paidOnline ? props.online!.notice : undefined}>
        {paidOnline ? t.statusPaidOnline : statusLine}
      </p>
      {props.online && !paidOnline && <OnlineNotice lang={lang} online={props.online} />}
      {debits.length > 0 && <DirectDebitNotice lang={lang} debits={debits} items={r.items} />}
      {paid.length > 0 && (
        <section class="receipt" aria-labelledby="receipt-heading">
          <h2 id="receipt-heading">{t.receiptHeading}</h2>
          <p>{t.receiptText(r.debtorName, r.creditor.name)}</p>
          <table>
            <thead>
              <tr>
                <th scope="col">{t.itemKassenzeichen}</th>
                <th scope="col">{t.receiptWhat}</th>
                <th scope="col" class="num">
                  {t.receiptPaid}
                </th>
              </tr>
            </thead>
            <tbody>
              {paid.map((item) => (
                <tr>
                  <td>{item.kassenzeichenDisplay}</td>
                  <td>{item.description || (t.category[item.category] ?? t.category.other)}</td>
                  <td class="num">{money(item.requestedMinor - item.outstandingMinor)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>{r.outstandingMinor === 0n ? t.receiptNothingOwed : t.receiptStillOwed(money(r.outstandingMinor))}</p>
          <p class="muted">{t.receiptAsOf(formatInstantDay(lang, props.now ?? new Date()))}</p>
          <p class="no-print">
            <button type="button" data-print hidden>
              {t.receiptPrint}
            </button>
          </p>
        </section>
      )}

      <h2>{t.whatHeading}</h2>
      <ul class="items">
        {r.items.map((item) => (
          <li>
            <h3>{item.description || (t.category[item.category] ?? t.category.other)}</h3>
            <dl>
              <dt>{t.itemKassenzeichen}</dt>
              <dd>{item.kassenzeichenDisplay}</dd>
              <dt>{t.itemAmount}</dt>
              <dd>{money(item.requestedMinor)}</dd>
              <dt>{t.itemDue}</dt>
              <dd>{formatDay(lang, item.dueDate)}</dd>
              <dt>{t.itemStatus}</dt>
              <dd>
                {props.online?.awaitingSettlement.includes(item.id) ? ONLINE_MESSAGES[lang].paidOnlineAwaiting : (t.itemStatuses[item.status] ?? item.status)}
                {item.status === 'partly_paid' ? ` (${t.itemOutstanding(money(item.outstandingMinor))})` : ''}
                {debitOf.has(item.id) && (
                  <>
                    <br />
                    <strong data-debit={debitOf.get(item.id)!.standing}>
                      {debitOf.get(item.id)!.standing === 'initiated' ? t.itemDebitInitiated : t.itemDebitAnnounced(formatDay(lang, debitOf.get(item.id)!.collectionDate))}
                    </strong>
                  </>
                )}
              </dd>
            </dl>
          </li>
        ))}
      </ul>

      {debits.length > 0 && !current && r.outstandingMinor > 0n && (
        <p class="notice" data-nothing-to-transfer>
          {t.debitNothingElse}
        </p>
      )}

      {props.online && <OnlineSection lang={lang} online={props.online} {...(debits.length > 0 ? { note: t.debitOnlineHint(payNow) } : {})} />}

      {current && (
        <section aria-labelledby="qr-heading">
          <h2 id="qr-heading">{t.qrHeading}</h2>
          <img class="qr" src={props.qrSvgHref} width="224" height="224" alt={t.qrAlt(payNow)} />
          <p>{t.qrExplain}</p>
          {debits.length > 0 && <p>{t.debitNotForTransfer(payNow)}</p>}
        </section>
      )}

      {current && (
        <section aria-labelledby="bank-heading">
          <h2 id="bank-heading">{t.manualHeading}</h2>
          <p>{t.manualExplain}</p>
          {debits.length > 0 && <p>{t.debitNotForTransfer(payNow)}</p>}
          <dl class="bank">
            <CopyRow lang={lang} label={t.payee} shown={r.creditor.name} copy={r.creditor.name} />
            <CopyRow lang={lang} label={t.iban} shown={groupIban(r.creditor.iban)} copy={r.creditor.iban} />
            {r.creditor.bic && <CopyRow lang={lang} label={t.bic} shown={r.creditor.bic} copy={r.creditor.bic} />}
            <CopyRow lang={lang} label={t.amount} shown={payNow} copy={amountForTyping(lang, r.payNowMinor, r.currency)} />
            <CopyRow lang={lang} label={t.reference} shown={reference} copy={referenceCopy} />
          </dl>
          <p id="copy-status" class="muted" role="status" aria-live="polite"></p>
        </section>
      )}

      <p class="muted">{t.validUntil(formatInstantDay(lang, r.expiresAt))}</p>
    </Frame>
  );
}

/** The SEPA pre-notification: amount, day, the account's last four characters, creditor identifier and mandate reference. */
function DirectDebitNotice(props: { lang: Lang; debits: PageDirectDebit[]; items: PaymentRequestView['items'] }) {
  const t = MESSAGES[props.lang];
  const lang = props.lang;
  return (
    <section class="debit" aria-labelledby="debit-heading" data-direct-debit>
      <h2 id="debit-heading">{t.debitHeading}</h2>
      {props.debits.map((d) => {
        const kz = props.items.find((i) => i.id === d.itemId)?.kassenzeichenDisplay ?? '';
        const amount = formatAmount(lang, d.amountMinor, d.currency);
        const day = formatDay(lang, d.collectionDate);
        return (
          <>
            <p>{d.standing === 'initiated' ? t.debitInitiated(amount, kz, day, d.accountEnding) : t.debitAnnounced(amount, kz, day, d.accountEnding)}</p>
            <dl>
              <dt>{t.amount}</dt>
              <dd>{amount}</dd>
              <dt>{t.debitDate}</dt>
              <dd>{day}</dd>
              <dt>{t.debitAccount}</dt>
              <dd class="mono">{d.accountMasked}</dd>
              <dt>{t.debitCreditorId}</dt>
              <dd class="mono">{d.creditorId}</dd>
              <dt>{t.debitMandate}</dt>
              <dd class="mono">{d.mandateReference}</dd>
            </dl>
          </>
        );
      })}
      <p>
        <strong>{t.debitTwice}</strong>
      </p>
    </section>
  );
}

function CopyRow(props: { lang: Lang; label: string; shown: string; copy: string }) {
  const t = MESSAGES[props.lang];
  return (
    <>
      <dt>{props.label}</dt>
      <dd>
        <span class="value">{props.shown}</span>
        <button type="button" hidden data-copy={props.copy} data-done={t.copied(props.label)} aria-label={t.copyLabel(props.label)}>
          {t.copy}
        </button>
      </dd>
    </>
  );
}

export function UnknownLinkPage(props: PageContext & { contact: string }) {
  const t = MESSAGES[props.lang];
  return (
    <Frame {...props} title={t.notFoundTitle}>
      <h1>{t.notFoundHeading}</h1>
      <p>{t.notFoundText}</p>
      <p>{t.contact(props.contact)}</p>
    </Frame>
  );
}

export function ExpiredLinkPage(props: PageContext & { contact: string; expiredAt: Date }) {
  const t = MESSAGES[props.lang];
  return (
    <Frame {...props} title={t.expiredTitle}>
      <h1>{t.expiredHeading}</h1>
      <p class="notice warn">{t.expiredText(formatInstantDay(props.lang, props.expiredAt))}</p>
      <p>{t.contact(props.contact)}</p>
    </Frame>
  );
}
