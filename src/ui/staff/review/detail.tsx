/** @jsxImportSource hono/jsx */
/**
 * The review queue and one payment in it. Built for the keyboard: j/k move through the list and
 * Enter opens; in a payment 1–9 mark a suggestion's button and Enter books it; m jumps to the
 * manual allocation, u back to the list. Every action is a plain form post (works without script).
 */
import { failedNoteText } from '../staleText.js';
import { settlementNote } from '../settlementNotes.js';
import type { RefundDebitView } from '../../../services/workplace/refundDebit.js';
import { RefundDebitSection } from './refundDebit.js';
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

import { ActionSection, LinkSection, SettlementDecision } from './sections.js';
import { REVIEW_TEXTS } from './texts.js';
import { parseMoney } from '../../../money/money.js';

/** Lines a split form takes at most (one payment for a family's or a firm's many claims). */
export const MAX_SPLIT_LINES = 50;

/** "30.70" → "3070": the split script counts in cents, never in floating point. */
function minorOf(amount: string): string {
  return parseMoney(amount, 'EUR', { allowNegative: true }).minor.toString();
}

export const REVIEW_CSS = `
.review-list td.rem{max-width:26rem;overflow-wrap:anywhere}
.decide{display:grid;grid-template-columns:minmax(0,1fr);gap:0 1.5rem}
@media (min-width:1100px){.decide{grid-template-columns:minmax(0,2fr) minmax(0,3fr)}.decide h2{margin-top:.5rem}}
.suggestion .confirm{margin:.5rem 0}
.suggestion.stale{border-style:dashed;background:#f9fafb}
.suggestion.doubtful{border-color:#7a4b00}
.line-note{display:block;font-size:.9rem;color:#9a1c1c;font-weight:600}
.check{display:flex;gap:.5rem;align-items:flex-start;margin:.35rem 0}
.check input{min-height:0;margin-top:.3rem}
mark.near{background:#fde2e2;border-bottom:2px dashed #9a1c1c}
.diff b{background:#fde2e2;color:#9a1c1c;text-decoration:underline}
.payer-line{font-weight:600}
.amount-big{font-size:1.5rem;font-weight:700}
.choice{display:flex;gap:.5rem;align-items:baseline;margin:.25rem 0}
.choice label{font-weight:400}
`;

/** The remittance text with each recognised reference in <mark>, and each near miss marked apart, named for screen readers too. */
function Remittance(props: { lang: Lang; view: ReviewItemView }) {
  const t = messages(props.lang);
  const rt = REVIEW_TEXTS[props.lang];
  const text = props.view.payment.remittance.text;
  const marks = [
    ...props.view.highlights.map((h) => ({ start: h.start, end: h.end, near: false, title: `${t.reviewRecognised}: ${h.kassenzeichen}` })),
    ...props.view.nearMisses.map((m) => ({ start: m.start, end: m.end, near: true, title: rt.nearMiss(m.text, m.kassenzeichen) })),
  ].sort((a, b) => a.start - b.start || a.end - b.end);
  const parts: unknown[] = [];
  let at = 0;
  for (const h of marks) {
    if (h.start < at) continue; // overlapping hits of two references: the first one is shown
    parts.push(text.slice(at, h.start));
    parts.push(
      <mark class={h.near ? 'near' : undefined} title={h.title}>
        {text.slice(h.start, h.end)}
        <span class="visually-hidden"> ({h.title})</span>
      </mark>,
    );
    at = h.end;
  }
  parts.push(text.slice(at));
  return <p class="remittance">{text ? (parts as never) : '–'}</p>;
}

/** Near misses in the remittance text: what was written, the Kassenzeichen it is near, and the characters that differ. */
function NearMisses(props: { lang: Lang; view: ReviewItemView }) {
  const rt = REVIEW_TEXTS[props.lang];
  if (props.view.nearMisses.length === 0) return null;
  const marked = (text: string, [from, to]: [number, number]) => (
    <span class="mono diff">
      {text.slice(0, from)}
      {from < to ? <b>{text.slice(from, to)}</b> : <b>‸</b>}
      {text.slice(to)}
    </span>
  );
  return (
    <ul class="near-misses">
      {props.view.nearMisses.map((m) => (
        <li>
          {rt.nearMiss(m.text, m.kassenzeichen)}
          <br />
          <span class="muted">{rt.nearMissLegend}</span> {marked(m.written, m.writtenDiff)} / {marked(m.meant, m.meantDiff)}
        </li>
      ))}
    </ul>
  );
}

type Suggestion = ReviewItemView['suggestions'][number];

/** A note the ledger wrote on a suspense movement (stored in English), in the page's language. */
export function systemNote(t: { reviewSystemNotes: Record<string, string>; reviewSystemNotePatterns: Array<[RegExp, (value: string) => string]> }, note: string): string {
  const fixed = t.reviewSystemNotes[note];
  if (fixed) return fixed;
  for (const [pattern, say] of t.reviewSystemNotePatterns) {
    const m = pattern.exec(note);
    if (m) return say(m[1]!);
  }
  return note;
}

/**
 * One suggestion as it stands now: its lines with what each item has open today, a warning when
 * confirming would overpay (and a box to tick that says so), a warning when the matcher doubts it.
 * The quick keys (1–9, then Enter) book only what fits and what the matcher does not doubt; for
 * the rest the key leads to the box, which has to be ticked first.
 */
function SuggestionCard(props: { lang: Lang; view: ReviewItemView; s: Suggestion; n: number; confirmable: boolean; csrf: string | undefined; query: string | undefined }) {
  const { lang, s, n, view: v } = props;
  const t = messages(lang);
  const rt = REVIEW_TEXTS[lang];
  const cur = v.currency;
  const quick = s.standing === 'bookable' && !s.doubtful;
  const keyed = n <= 9;
  const firstCheck = s.standing === 'overpays' ? `ov-${n}` : s.doubtful ? `dc-${n}` : null;
  const gone = s.allocations.filter((a) => a.standing === 'closed' || a.standing === 'cancelled' || a.standing === 'missing').map((a) => a.kassenzeichen);
  return (
    <article class={`suggestion${s.standing === 'stale' ? ' stale' : ''}${s.doubtful ? ' doubtful' : ''}`} aria-labelledby={`s${n}-h`}>
      <h3 id={`s${n}-h`}>{t.reviewSuggestion(n, percentBp(lang, s.confidenceBp))}</h3>
      {s.standing === 'stale' && <p class="notice warn">{rt.stale(gone.join(', '))}</p>}
      {s.standing === 'overpays' && <p class="notice warn">{rt.overpays(money(lang, s.overpay, cur))}</p>}
      {s.doubtful && s.standing !== 'stale' && (
        <div class="notice warn">
          <p>{rt.doubtful}</p>
          <ul>
            {s.against.map((r) => (
              <li>{r}</li>
            ))}
            {s.against.length === 0 && <li>{rt.doubtLow(percentBp(lang, s.confidenceBp))}</li>}
          </ul>
        </div>
      )}
      <DataTable columns={[t.reviewItemCol, t.reviewDebtor, t.reviewDescription, num(rt.openNow), num(t.reviewBooks)]}>
        {s.allocations.map((a) => (
          <tr>
            <th scope="row">
              <ItemLink itemId={a.itemId} kassenzeichen={a.kassenzeichen} />
            </th>
            <td>{a.item?.debtorName ?? '–'}</td>
            <td>{a.item?.description ?? '–'}</td>
            <td class="num">
              {a.item ? money(lang, a.item.open, cur) : '–'}
              {a.item && (
                <>
                  <br />
                  <StateTag state={a.standing === 'fits' ? a.item.status : 'stale'} word={a.standing === 'fits' ? itemStatusWord(lang, a.item.status) : rt.lineStanding[a.standing]} />
                </>
              )}
            </td>
            <td class="num">
              {money(lang, a.amount, cur)}
              {(a.standing === 'exceeds' || a.standing === 'closed') && <span class="line-note">{rt.lineNote(a.standing, money(lang, a.overpay, cur), a.item ? money(lang, a.item.open, cur) : '–')}</span>}
            </td>
          </tr>
        ))}
      </DataTable>
      {props.confirmable && s.standing !== 'stale' && (
        <form method="post" action={`/review/${v.id}/confirm${props.query ? `?${props.query}` : ''}`} class="confirm">
          <HiddenCsrf csrf={props.csrf} />
          <input type="hidden" name="suggestion" value={String(s.index)} />
          <input type="hidden" name="version" value={String(v.version)} />
          {s.standing === 'overpays' && (
            <div class="check">
              <input type="checkbox" id={`ov-${n}`} name="acceptOverpayment" value="yes" required {...(keyed && firstCheck === `ov-${n}` ? { 'data-suggestion': String(n) } : {})} />
              <label for={`ov-${n}`}>{rt.overpayConfirm(money(lang, s.overpay, cur))}</label>
            </div>
          )}
          {s.doubtful && (
            <div class="check">
              <input type="checkbox" id={`dc-${n}`} name="doubtChecked" value="yes" required {...(keyed && firstCheck === `dc-${n}` ? { 'data-suggestion': String(n) } : {})} />
              <label for={`dc-${n}`}>{rt.doubtConfirm}</label>
            </div>
          )}
          <button type="submit" {...(quick && keyed ? { 'data-suggestion': String(n), 'aria-keyshortcuts': String(n) } : {})}>
            {t.reviewConfirm(n)} ({money(lang, s.total, cur)})
          </button>{' '}
          {keyed && <span class="muted">{quick ? rt.quickKey(n) : rt.doubtKeys}</span>}
        </form>
      )}
      <p>
        <strong>{t.reviewReasons}:</strong>
      </p>
      <ul>
        {s.reasons.map((r) => (
          <li>{r}</li>
        ))}
      </ul>
    </article>
  );
}

/** One line of the split: a Kassenzeichen and the amount for it. */
function SplitRow(props: { lang: Lang; n: number; first?: string | undefined }) {
  const t = messages(props.lang);
  const { n } = props;
  return (
    <fieldset class="split-row">
      <legend class="visually-hidden">{t.reviewSplitLine(n)}</legend>
      <div>
        <label for={n === 1 ? 'split-first' : `kz${n}`}>
          {t.reviewItemCol} {n}
        </label>
        <input type="text" id={n === 1 ? 'split-first' : `kz${n}`} name={`kassenzeichen${n}`} class="mono" {...(n === 1 ? { 'aria-keyshortcuts': 'm', value: props.first ?? '' } : {})} />
      </div>
      <div>
        <label for={`am${n}`}>
          {t.amount} {n}
        </label>
        <input type="text" inputmode="decimal" id={`am${n}`} name={`amount${n}`} data-split-amount />
      </div>
    </fieldset>
  );
}

/**
 * The split form's running remainder and "another line" in place. Amounts are read as a clerk types
 * them ("1.234,50", "12,5", "30.70") into whole cents with string operations only.
 */
const SPLIT_SCRIPT = `
(function () {
  var box = document.getElementById('split-rows');
  var out = document.getElementById('split-rest');
  if (!box || !out) return;
  var de = box.getAttribute('data-lang') === 'de';
  function cents(text) {
    var t = String(text).replace(/[\\s\u00a0\u20ac]/g, '');
    if (t === '') return 0;
    if (t.indexOf(',') >= 0) t = t.replace(/\\./g, '').replace(',', '.');
    else if (/^\\d{1,3}(\\.\\d{3})+$/.test(t)) t = t.replace(/\\./g, '');
    var m = /^(\\d{1,13})(?:\\.(\\d{1,2}))?$/.exec(t);
    if (!m) return null;
    return parseInt(m[1], 10) * 100 + parseInt(((m[2] || '') + '00').slice(0, 2), 10);
  }
  function show(c) {
    var neg = c < 0; c = Math.abs(c);
    var whole = String(Math.floor(c / 100)), frac = String(c % 100).padStart(2, '0');
    if (de) return (neg ? '−' : '') + whole.replace(/\\B(?=(\\d{3})+(?!\\d))/g, '.') + ',' + frac + '\u00a0€';
    return (neg ? '−' : '') + '€' + whole.replace(/\\B(?=(\\d{3})+(?!\\d))/g, ',') + '.' + frac;
  }
  function update() {
    var left = parseInt(box.getAttribute('data-unapplied'), 10);
    var inputs = box.querySelectorAll('[data-split-amount]');
    for (var i = 0; i < inputs.length; i++) { var c = cents(inputs[i].value); if (c) left -= c; }
    out.textContent = left >= 0 ? (de ? 'Noch zu verteilen: ' : 'Left to allocate: ') + show(left) : (de ? 'Zu viel verteilt: ' : 'Allocated too much: ') + show(-left);
    out.className = left < 0 ? 'line-note' : 'muted';
  }
  box.addEventListener('input', update);
  var add = document.getElementById('split-add');
  if (add) add.addEventListener('click', function (e) {
    var rows = box.querySelectorAll('fieldset.split-row');
    if (rows.length >= ${MAX_SPLIT_LINES}) return;
    e.preventDefault();
    var n = rows.length + 1;
    var copy = rows[rows.length - 1].cloneNode(true);
    copy.querySelector('legend').textContent = copy.querySelector('legend').textContent.replace(/\\d+$/, String(n));
    var labels = copy.querySelectorAll('label');
    var ins = copy.querySelectorAll('input');
    var ids = ['kz' + n, 'am' + n], names = ['kassenzeichen' + n, 'amount' + n];
    for (var i = 0; i < 2; i++) {
      ins[i].id = ids[i]; ins[i].name = names[i]; ins[i].value = ''; ins[i].removeAttribute('aria-keyshortcuts');
      labels[i].setAttribute('for', ids[i]); labels[i].textContent = labels[i].textContent.replace(/\\s*\\d+$/, ' ' + n);
    }
    box.appendChild(copy);
    ins[0].focus();
  });
  update();
})();
`;

export interface ReviewDetailProps {
  view: ReviewItemView;
  /** For a receipt marked for refund or a return to place: the payments that may be the other half. */
  counterparts: Counterparts;
  /** For a provider's payout with a difference: the payout and its lines. */
  settlement: SettlementView | null;
  who: Who;
  canReview: boolean;
  canApprove: boolean;
  nextId: string | null;
  /** The queue's filter as a query string: kept by "next payment", the back link and every form. */
  query?: string;
  /** Lines the split form shows (more with "another line"). */
  splitRows?: number;
  /** For an outgoing payment: the refund run it booked, or the released batch run it could be. */
  refundRuns?: RefundDebitView | null;
}

export function ReviewDetailPage(props: StaffPageContext & ReviewDetailProps) {
  const { lang, view: v, who } = props;
  const t = messages(lang);
  const rt = REVIEW_TEXTS[lang];
  const cur = v.currency;
  const decidable = props.canReview && v.creditDebit === 'CRDT' && ['review', 'unmatched', 'parked', 'auto', 'manual'].includes(v.state) && v.unapplied !== '0.00' && !v.pendingApproval;
  const confirmable = decidable && ['review', 'unmatched', 'parked'].includes(v.state);
  const firstSuggestion = v.suggestions.find((s) => s.standing !== 'stale')?.allocations.find((a) => a.standing === 'fits' || a.standing === 'exceeds');
  const q = props.query ? `?${props.query}` : '';
  const rows = Math.min(MAX_SPLIT_LINES, Math.max(3, props.splitRows ?? 3));
  const firstLive = v.allocations.find((a) => !a.reversal)?.id;
  return (
    <StaffPage {...props} title={t.reviewPayment(v.ref)} css={REVIEW_CSS} script={SPLIT_SCRIPT}>
      <p>
        <a href={`/review${q}`} data-back aria-keyshortcuts="u">
          {t.reviewBackToList}
        </a>
        {props.nextId && (
          <>
            {' · '}
            <a href={`/review/${props.nextId}${q}`} data-key="n" aria-keyshortcuts="n">
              {t.reviewNext}
            </a>
          </>
        )}
      </p>
      <h1>{t.reviewPayment(v.ref)}</h1>
      <p>
        <span class="amount-big">{money(lang, v.amount, cur)}</span> <CreditDebit lang={lang} cd={v.creditDebit} /> <StateTag state={v.state} word={stateWord(lang, v.state)} />{' '}
        <span class="payer-line">{v.payment.payer.name ?? '–'}</span>
      </p>

      {v.pendingApproval && (
        <p class="notice warn" role="status">
          {t.reviewAwaiting(who(v.pendingApproval.proposedBy), instant(lang, v.pendingApproval.proposedAt))}{' '}
          {props.canApprove && <a href="/approvals">{t.reviewToApprovals}</a>}
        </p>
      )}
      {v.parked && <p class="notice warn">{t.reviewParked(who(v.parked.by), instant(lang, v.parked.at), v.parked.note)}</p>}
      {v.refund && <p class="notice warn">{t.reviewRefund(money(lang, v.refund.amount, cur), groupIban(v.refund.iban), who(v.refund.requestedBy))}</p>}

      <div class="decide">
      <section aria-labelledby="payment-h" class="decide-payment">
        <h2 id="payment-h">{t.reviewPaymentHeading}</h2>
        <h3>{t.reviewRemittance}</h3>
        <Remittance lang={lang} view={v} />
        <NearMisses lang={lang} view={v} />
        <dl class="dl">
          <dt>{t.reviewPayer}</dt>
          <dd>{v.payment.payer.name ?? '–'}</dd>
          <dt>{t.reviewIban}</dt>
          <dd class="mono">{v.payment.payer.iban ? groupIban(v.payment.payer.iban) : '–'}</dd>
          {v.payment.payer.bic && (
            <>
              <dt>{t.reviewBic}</dt>
              <dd class="mono">{v.payment.payer.bic}</dd>
            </>
          )}
          {v.payment.ultimateDebtor && (
            <>
              <dt>{t.reviewUltimate}</dt>
              <dd>{v.payment.ultimateDebtor}</dd>
            </>
          )}
          <dt>{t.reviewBooked}</dt>
          <dd>{day(lang, v.payment.bookingDate)}</dd>
          <dt>{t.reviewValueDate}</dt>
          <dd>{day(lang, v.payment.valueDate)}</dd>
          <dt>{t.reviewInSuspense}</dt>
          <dd>{money(lang, v.unapplied, cur)}</dd>
          {v.payment.structuredReferences.length > 0 && (
            <>
              <dt>{t.reviewStructured}</dt>
              <dd class="mono">{v.payment.structuredReferences.map((r) => r.reference).join(', ')}</dd>
            </>
          )}
          {v.payment.endToEndId && v.payment.endToEndId !== 'NOTPROVIDED' && (
            <>
              <dt>{t.reviewE2e}</dt>
              <dd class="mono">{v.payment.endToEndId}</dd>
            </>
          )}
          <dt>{t.reviewStatement}</dt>
          <dd>
            <a href={`/statements/${v.statement.id}`}>{v.statement.bankStatementId}</a>
          </dd>
        </dl>
      </section>

      <div class="decide-choice">
      {(v.suggestions.length > 0 || decidable) && (
        <section aria-labelledby="sugg-h">
          <h2 id="sugg-h">{t.reviewSuggestions}</h2>
          {v.suggestions.length === 0 && decidable && <p>{t.reviewNoSuggestions}</p>}
          {v.suggestions.map((s, i) => (
            <SuggestionCard lang={lang} view={v} s={s} n={i + 1} confirmable={confirmable} csrf={props.csrf} query={props.query} />
          ))}
        </section>
      )}

      {v.proposal && v.proposal.reasons.length > 0 && (
        <section aria-labelledby="assessment-h">
          <h2 id="assessment-h">{t.reviewAssessmentHeading}</h2>
          <p>{t.reviewAssessment(percentBp(lang, v.proposal.confidenceBp))}</p>
          <ul class="reasons">
            {v.proposal.reasons.map((r) => (
              <li>{settlementNote(lang, r)}</li>
            ))}
          </ul>
        </section>
      )}
      </div>
      </div>

      {props.refundRuns && <RefundDebitSection lang={lang} view={props.refundRuns} {...(props.canReview ? { propose: { action: `/review/${v.id}/refund-run${q}`, csrf: props.csrf } } : {})} />}

      {decidable && (
        <div class="actions">
          <ActionSection id="split" heading={t.reviewSplitHeading} help={t.reviewSplitHelp} action={`/review/${v.id}/allocate${q}`} csrf={props.csrf} version={v.version}>
            <div id="split-rows" data-unapplied={minorOf(v.unapplied)} data-lang={lang}>
              {Array.from({ length: rows }, (_, k) => k + 1).map((n) => (
                <SplitRow lang={lang} n={n} first={n === 1 ? firstSuggestion?.kassenzeichen ?? '' : undefined} />
              ))}
            </div>
            <p>
              <output id="split-rest" for="split-rows" aria-live="polite" class="muted">
                {rt.remainder(money(lang, v.unapplied, cur))}
              </output>
            </p>
            <p>
              <a href={`/review/${v.id}?${props.query ? `${props.query}&` : ''}rows=${rows + 1}#split-h`} id="split-add">
                {rt.addRow}
              </a>
            </p>
            <NoteField id="split-note" label={t.note} />
            <button type="submit">{t.reviewSplitButton}</button>
          </ActionSection>
          <ActionSection id="park" heading={t.reviewParkHeading} help={t.reviewParkHelp} action={`/review/${v.id}/park${q}`} csrf={props.csrf} version={v.version}>
            <NoteField id="park-note" label={t.note} shortcut="p" />
            <button type="submit" class="secondary">
              {t.reviewParkButton}
            </button>
          </ActionSection>
          <ActionSection id="refund" heading={t.reviewRefundHeading} help={t.reviewRefundHelp} action={`/review/${v.id}/refund${q}`} csrf={props.csrf} version={v.version}>
            <div class="field">
              <label for="refund-iban">{t.reviewRefundIban}</label>
              <input type="text" id="refund-iban" name="iban" class="mono" value={v.payment.payer.iban ? groupIban(v.payment.payer.iban) : ''} />
            </div>
            <NoteField id="refund-note" label={t.note} shortcut="r" />
            <button type="submit" class="secondary">
              {t.reviewRefundButton}
            </button>
          </ActionSection>
        </div>
      )}
      {props.settlement && <SettlementDecision lang={lang} settlement={props.settlement} paymentId={v.id} csrf={props.csrf} canReview={props.canReview} />}
      {props.canReview && v.availableActions.includes('book_refund') && (
        <div class="actions">
          <LinkSection lang={lang} id="book-refund" paymentId={v.id} version={v.version} csrf={props.csrf} candidates={props.counterparts.candidates} heading={t.reviewBookRefundHeading} help={t.reviewBookRefundHelp} none={t.reviewNoRefundDebits} button={t.reviewBookRefundButton} />
          {v.availableActions.includes('unmark_refund') && (
            <ActionSection id="unmark-refund" heading={t.reviewUnmarkRefundHeading} help={t.reviewUnmarkRefundHelp} action={`/review/${v.id}/unmark-refund${q}`} csrf={props.csrf} version={v.version}>
              <NoteField id="unmark-refund-note" label={t.note} />
              <button type="submit" class="secondary">
                {t.reviewUnmarkRefundButton}
              </button>
            </ActionSection>
          )}
        </div>
      )}
      {props.canReview && v.availableActions.includes('resolve_return') && (
        <div class="actions">
          <LinkSection lang={lang} id="resolve-return" paymentId={v.id} version={v.version} csrf={props.csrf} candidates={props.counterparts.candidates} heading={t.reviewResolveReturnHeading} help={t.reviewResolveReturnHelp} none={t.reviewNoReturnReceipts} button={t.reviewResolveReturnButton} />
        </div>
      )}
      {!decidable && !v.pendingApproval && !props.settlement && !(props.canReview && props.counterparts.purpose !== null) && <p class="muted">{t.reviewNotDecidable}</p>}

      <section aria-labelledby="book-h">
        <h2 id="book-h">{t.reviewBookings}</h2>
        {v.allocations.length === 0 ? (
          <p>{t.reviewNoBookings}</p>
        ) : (
          <BookingsTable
            lang={lang}
            who={who}
            rows={v.allocations}
            lead={[t.reviewItemCol]}
            leading={(a) => (
              <th scope="row">
                <ItemLink itemId={a.itemId} kassenzeichen={a.kassenzeichen} />
              </th>
            )}
            amount={(a) => money(lang, a.amount, cur)}
            after={(a) =>
              !a.reversal &&
              props.canReview &&
              !v.pendingApproval && (
                <form method="post" action={`/review/${v.id}/reverse${q}`}>
                  <HiddenCsrf csrf={props.csrf} />
                  <input type="hidden" name="allocationId" value={a.id} />
                  <label for={`rev-${a.id}`} class="visually-hidden">
                    {t.reviewReverseReason}
                  </label>
                  <input type="text" id={`rev-${a.id}`} name="reason" required maxlength={500} placeholder={t.reviewReverseReason} {...(a.id === firstLive ? { 'data-key': 'x', 'aria-keyshortcuts': 'x' } : {})} />{' '}
                  <button type="submit" class="danger">
                    {t.reviewReverse}
                  </button>
                </form>
              )
            }
          />
        )}
      </section>

      <section aria-labelledby="susp-h">
        <h2 id="susp-h">{t.reviewSuspense}</h2>
        <DataTable columns={[t.when, num(t.amount), t.what, t.who]}>
          {v.suspense.movements.map((m) => (
            <tr>
              <td>{instant(lang, m.createdAt)}</td>
              <td class="num">{money(lang, m.amount, cur)}</td>
              <td>
                {t.reviewSuspenseReasons[m.reason] ?? m.reason}
                {m.note ? `: ${systemNote(t, m.note)}` : ''}
              </td>
              <td>{who(m.createdBy)}</td>
            </tr>
          ))}
        </DataTable>
      </section>

      <AuditTable lang={lang} who={who} rows={v.audit.map((a) => ({ at: a.at, actor: a.actor, action: a.action, reason: a.action === 'approval.failed' ? failedNoteText(lang, a.reason, a.stale) : a.reason }))} />
      <KeyboardHelp lang={lang} />
    </StaffPage>
  );
}
