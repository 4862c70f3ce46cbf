/** @jsxImportSource hono/jsx */
/**
 * The review queue and one payment in it. Built for the keyboard: j/k move through the list and
 * Enter opens; in a payment 1–9 mark a suggestion's button and Enter books it; m jumps to the
 * manual allocation, u back to the list. Every action is a plain form post (works without script).
 */
import type { ReviewItemView, ReviewRow } from '../../services/review/queue.js';
import type { ReviewQueueFilter } from '../../services/review/queue.js';
import type { Counterpart, Counterparts } from '../../services/review/counterparts.js';
import type { SettlementView } from '../../services/online/settlement.js';
import { formatMinor } from '../../money/money.js';
import { REVIEW_FILTER_STATES } from '../../services/review/states.js';
import { groupIban } from '../i18n.js';
import { AuditTable, BookingsTable, DataTable, FilterSelect, ItemLink, NoteField, num, Pager, type Who } from './components.js';
import type { Child } from 'hono/jsx';
import { CreditDebit, HiddenCsrf, KeyboardHelp, StaffPage, StateTag, type StaffPageContext } from './frame.js';
import { day, instant, messages, money, percentBp } from './i18n.js';

type Lang = StaffPageContext['lang'];

const REVIEW_CSS = `
.review-list td.rem{max-width:26rem}
.amount-big{font-size:1.5rem;font-weight:700}
.choice{display:flex;gap:.5rem;align-items:baseline;margin:.25rem 0}
.choice label{font-weight:400}
`;

export function ReviewListPage(props: StaffPageContext & { rows: ReviewRow[]; nextCursor: string | null; filter: ReviewQueueFilter; query: string }) {
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
      {props.rows.length === 0 ? (
        <p class="notice ok" role="status">
          {t.reviewEmpty}
        </p>
      ) : (
        <DataTable class="review-list" columns={[t.reviewBooked, num(t.amount), t.reviewPayer, t.reviewRemittance, t.reviewState, t.reviewTop, num(t.reviewAge)]}>
          {props.rows.map((r, i) => (
            <tr>
              <td>
                <a href={`/review/${r.id}`} data-row-link {...(i === 0 ? { 'aria-keyshortcuts': 'j k' } : {})}>
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
                <StateTag state={r.state} word={t.states[r.state] ?? r.state} />
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
      <KeyboardHelp lang={lang} />
    </StaffPage>
  );
}

/** The remittance text with each recognised reference in <mark>, named for screen readers too. */
function Remittance(props: { lang: Lang; view: ReviewItemView }) {
  const t = messages(props.lang);
  const text = props.view.payment.remittance.text;
  const parts: unknown[] = [];
  let at = 0;
  for (const h of props.view.highlights) {
    if (h.start < at) continue; // overlapping hits of two references: the first one is shown
    parts.push(text.slice(at, h.start));
    parts.push(
      <mark title={`${t.reviewRecognised}: ${h.kassenzeichen}`}>
        {text.slice(h.start, h.end)}
        <span class="visually-hidden"> ({t.reviewRecognised})</span>
      </mark>,
    );
    at = h.end;
  }
  parts.push(text.slice(at));
  return <p class="remittance">{text ? (parts as never) : '–'}</p>;
}

/** A provider's payout with a difference: its lines, and accept (book the fee) or release (ordinary review). */
function SettlementDecision(props: { lang: Lang; settlement: SettlementView; paymentId: string; csrf: string | undefined; canReview: boolean }) {
  const { lang, settlement: s } = props;
  const t = messages(lang);
  const m = (minor: bigint) => money(lang, formatMinor(minor, s.currency), s.currency);
  return (
    <section aria-labelledby="settlement-h">
      <h2 id="settlement-h">{t.reviewSettlementHeading(s.provider, s.reference)}</h2>
      <p>{t.reviewSettlementTotals(m(s.grossMinor), m(s.feeMinor), m(s.netMinor))}</p>
      <DataTable columns={[num(t.reviewSettlementColumns[0]!), t.reviewSettlementColumns[1]!, num(t.reviewSettlementColumns[2]!), num(t.reviewSettlementColumns[3]!), num(t.reviewSettlementColumns[4]!), t.reviewSettlementColumns[5]!]}>
        {s.lines.map((l) => (
          <tr>
            <td class="num">{l.position + 1}</td>
            <td class="mono">{l.reference ?? l.providerTransactionId ?? '–'}</td>
            <td class="num">{m(l.grossMinor)}</td>
            <td class="num">{m(l.feeMinor)}</td>
            <td class="num">{m(l.netMinor)}</td>
            <td>
              {t.reviewSettlementOutcomes[l.outcome] ?? l.outcome}
              {l.note ? `: ${l.note}` : ''}
            </td>
          </tr>
        ))}
      </DataTable>
      {props.canReview && (
        <>
          <p class="muted">{t.reviewSettlementHelp}</p>
          <form method="post" action={`/review/${props.paymentId}/settlement`}>
            <HiddenCsrf csrf={props.csrf} />
            <input type="hidden" name="settlementId" value={s.id} />
            <input type="hidden" name="version" value={String(s.version)} />
            <div class="field">
              <label for="settlement-reason">{t.reviewSettlementReason}</label>
              <input type="text" id="settlement-reason" name="reason" required maxlength={500} />
            </div>
            <button type="submit" name="decision" value="accept">
              {t.reviewSettlementAccept}
            </button>{' '}
            <button type="submit" name="decision" value="release" class="secondary">
              {t.reviewSettlementRelease}
            </button>
          </form>
        </>
      )}
    </section>
  );
}

/** Links this payment to its other half (the refund's outgoing payment, the receipt a return takes back): `id` is also the verb. */
function LinkSection(props: { lang: Lang; id: string; paymentId: string; version: number; csrf: string | undefined; candidates: Counterpart[]; heading: string; help: string; none: string; button: string }) {
  const t = messages(props.lang);
  return (
    <ActionSection id={props.id} heading={props.heading} help={props.help} action={`/review/${props.paymentId}/${props.id}`} csrf={props.csrf} version={props.version}>
      <CounterpartChoice lang={props.lang} id={props.id} candidates={props.candidates} none={props.none} />
      <NoteField id={`${props.id}-note`} label={t.note} />
      {props.candidates.length > 0 && <button type="submit">{props.button}</button>}
    </ActionSection>
  );
}

/** The payments a refund or a return can be linked to, one radio button each; same account first. */
function CounterpartChoice(props: { lang: Lang; id: string; candidates: Counterpart[]; none: string }) {
  const t = messages(props.lang);
  if (props.candidates.length === 0) return <p>{props.none}</p>;
  return (
    <fieldset>
      <legend>{t.reviewCounterpartLegend}</legend>
      {props.candidates.map((c, i) => (
        <div class="choice">
          <input type="radio" id={`${props.id}-${i}`} name="counterpartId" value={c.id} required {...(i === 0 ? { checked: true } : {})} />{' '}
          <label for={`${props.id}-${i}`}>
            <a href={`/review/${c.id}`}>{c.ref}</a> · {day(props.lang, c.bookingDate)} · {money(props.lang, c.amount, c.currency)} · {c.name ?? '–'}
            {c.iban && (
              <>
                {' · '}
                <span class="mono">{groupIban(c.iban)}</span>
              </>
            )}
            {c.sameAccount && <strong> ({t.reviewSameAccount})</strong>}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

/** One decision on a payment (split, park, refund): a form that carries the version it was decided on. */
function ActionSection(props: { id: string; heading: string; help: string; action: string; csrf: string | undefined; version: number; children: Child }) {
  return (
    <section aria-labelledby={`${props.id}-h`}>
      <h2 id={`${props.id}-h`}>{props.heading}</h2>
      <p class="muted">{props.help}</p>
      <form method="post" action={props.action}>
        <HiddenCsrf csrf={props.csrf} />
        <input type="hidden" name="version" value={String(props.version)} />
        {props.children}
      </form>
    </section>
  );
}

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
}

export function ReviewDetailPage(props: StaffPageContext & ReviewDetailProps) {
  const { lang, view: v, who } = props;
  const t = messages(lang);
  const cur = v.currency;
  const decidable = props.canReview && v.creditDebit === 'CRDT' && ['review', 'unmatched', 'parked', 'auto', 'manual'].includes(v.state) && v.unapplied !== '0.00' && !v.pendingApproval;
  const confirmable = decidable && ['review', 'unmatched', 'parked'].includes(v.state);
  const firstSuggestion = v.suggestions[0]?.allocations[0];
  return (
    <StaffPage {...props} title={t.reviewPayment(v.ref)} css={REVIEW_CSS}>
      <p>
        <a href="/review" data-back aria-keyshortcuts="u">
          {t.reviewBackToList}
        </a>
        {props.nextId && (
          <>
            {' · '}
            <a href={`/review/${props.nextId}`}>{t.reviewNext}</a>
          </>
        )}
      </p>
      <h1>{t.reviewPayment(v.ref)}</h1>
      <p>
        <span class="amount-big">{money(lang, v.amount, cur)}</span> <CreditDebit lang={lang} cd={v.creditDebit} /> <StateTag state={v.state} word={t.states[v.state] ?? v.state} />
      </p>

      {v.pendingApproval && (
        <p class="notice warn" role="status">
          {t.reviewAwaiting(who(v.pendingApproval.proposedBy), instant(lang, v.pendingApproval.proposedAt))}{' '}
          {props.canApprove && <a href="/approvals">{t.reviewToApprovals}</a>}
        </p>
      )}
      {v.parked && <p class="notice warn">{t.reviewParked(who(v.parked.by), instant(lang, v.parked.at), v.parked.note)}</p>}
      {v.refund && <p class="notice warn">{t.reviewRefund(money(lang, v.refund.amount, cur), groupIban(v.refund.iban), who(v.refund.requestedBy))}</p>}

      <section aria-labelledby="payment-h">
        <h2 id="payment-h">{t.reviewPaymentHeading}</h2>
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
        <h3>{t.reviewRemittance}</h3>
        <Remittance lang={lang} view={v} />
      </section>

      {v.proposal && v.proposal.reasons.length > 0 && (
        <section aria-labelledby="assessment-h">
          <h2 id="assessment-h">{t.reviewAssessmentHeading}</h2>
          <p>{t.reviewAssessment(percentBp(lang, v.proposal.confidenceBp))}</p>
          <ul class="reasons">
            {v.proposal.reasons.map((r) => (
              <li>{r}</li>
            ))}
          </ul>
        </section>
      )}

      {(v.suggestions.length > 0 || decidable) && (
        <section aria-labelledby="sugg-h">
          <h2 id="sugg-h">{t.reviewSuggestions}</h2>
          {v.suggestions.length === 0 && decidable && <p>{t.reviewNoSuggestions}</p>}
          {v.suggestions.map((s) => {
            const n = s.index + 1;
            return (
              <article class="suggestion" aria-labelledby={`s${n}-h`}>
                <h3 id={`s${n}-h`}>{t.reviewSuggestion(n, percentBp(lang, s.confidenceBp))}</h3>
                <DataTable columns={[t.reviewItemCol, t.reviewDebtor, t.reviewDescription, num(t.reviewItemOpen), num(t.reviewBooks)]}>
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
                            <StateTag state={a.item.status} word={t.itemStatuses[a.item.status] ?? a.item.status} />
                          </>
                        )}
                      </td>
                      <td class="num">{money(lang, a.amount, cur)}</td>
                    </tr>
                  ))}
                </DataTable>
                <p>
                  <strong>{t.reviewReasons}:</strong>
                </p>
                <ul>
                  {s.reasons.map((r) => (
                    <li>{r}</li>
                  ))}
                </ul>
                {confirmable && (
                  <form method="post" action={`/review/${v.id}/confirm`}>
                    <HiddenCsrf csrf={props.csrf} />
                    <input type="hidden" name="suggestion" value={String(s.index)} />
                    <input type="hidden" name="version" value={String(v.version)} />
                    {n <= 9 ? (
                      <button type="submit" data-suggestion={String(n)} aria-keyshortcuts={String(n)}>
                        {t.reviewConfirm(n)} ({money(lang, s.total, cur)})
                      </button>
                    ) : (
                      <button type="submit">
                        {t.reviewConfirm(n)} ({money(lang, s.total, cur)})
                      </button>
                    )}{' '}
                    {n <= 9 && <span class="muted">{t.reviewKeyHint(n)}</span>}
                  </form>
                )}
              </article>
            );
          })}
        </section>
      )}

      {decidable && (
        <div class="actions">
          <ActionSection id="split" heading={t.reviewSplitHeading} help={t.reviewSplitHelp} action={`/review/${v.id}/allocate`} csrf={props.csrf} version={v.version}>
            {[1, 2, 3].map((n) => (
              <fieldset class="split-row">
                <legend class="visually-hidden">{t.reviewSplitLine(n)}</legend>
                <div>
                  <label for={n === 1 ? 'split-first' : `kz${n}`}>
                    {t.reviewItemCol} {n}
                  </label>
                  <input
                    type="text"
                    id={n === 1 ? 'split-first' : `kz${n}`}
                    name={`kassenzeichen${n}`}
                    class="mono"
                    {...(n === 1 ? { 'aria-keyshortcuts': 'm', value: firstSuggestion?.kassenzeichen ?? '' } : {})}
                  />
                </div>
                <div>
                  <label for={`am${n}`}>
                    {t.amount} {n}
                  </label>
                  <input type="text" inputmode="decimal" id={`am${n}`} name={`amount${n}`} />
                </div>
              </fieldset>
            ))}
            <NoteField id="split-note" label={t.note} />
            <button type="submit">{t.reviewSplitButton}</button>
          </ActionSection>
          <ActionSection id="park" heading={t.reviewParkHeading} help={t.reviewParkHelp} action={`/review/${v.id}/park`} csrf={props.csrf} version={v.version}>
            <NoteField id="park-note" label={t.note} />
            <button type="submit" class="secondary">
              {t.reviewParkButton}
            </button>
          </ActionSection>
          <ActionSection id="refund" heading={t.reviewRefundHeading} help={t.reviewRefundHelp} action={`/review/${v.id}/refund`} csrf={props.csrf} version={v.version}>
            <div class="field">
              <label for="refund-iban">{t.reviewRefundIban}</label>
              <input type="text" id="refund-iban" name="iban" class="mono" value={v.payment.payer.iban ? groupIban(v.payment.payer.iban) : ''} />
            </div>
            <NoteField id="refund-note" label={t.note} />
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
            <ActionSection id="unmark-refund" heading={t.reviewUnmarkRefundHeading} help={t.reviewUnmarkRefundHelp} action={`/review/${v.id}/unmark-refund`} csrf={props.csrf} version={v.version}>
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
                <form method="post" action={`/review/${v.id}/reverse`}>
                  <HiddenCsrf csrf={props.csrf} />
                  <input type="hidden" name="allocationId" value={a.id} />
                  <label for={`rev-${a.id}`} class="visually-hidden">
                    {t.reviewReverseReason}
                  </label>
                  <input type="text" id={`rev-${a.id}`} name="reason" required maxlength={500} placeholder={t.reviewReverseReason} />{' '}
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
                {m.note ? `: ${t.reviewSystemNotes[m.note] ?? m.note}` : ''}
              </td>
              <td>{who(m.createdBy)}</td>
            </tr>
          ))}
        </DataTable>
      </section>

      <AuditTable lang={lang} who={who} rows={v.audit.map((a) => ({ at: a.at, actor: a.actor, action: a.action, reason: a.reason }))} />
      <KeyboardHelp lang={lang} />
    </StaffPage>
  );
}
