/** @jsxImportSource hono/jsx */
/**
 * The review queue and one payment in it. Built for the keyboard: j/k move through the list and
 * Enter opens; in a payment 1–9 mark a suggestion's button and Enter books it; m jumps to the
 * manual allocation, u back to the list. Every action is a plain form post (works without script).
 */
import { settlementNote } from '../settlementNotes.js';
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

/** A provider's payout with a difference: its lines, and accept (book the fee) or release (ordinary review). */
export function SettlementDecision(props: { lang: Lang; settlement: SettlementView; paymentId: string; csrf: string | undefined; canReview: boolean }) {
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
              {l.note ? `: ${settlementNote(lang, l.note)}` : ''}
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
export function LinkSection(props: { lang: Lang; id: string; paymentId: string; version: number; csrf: string | undefined; candidates: Counterpart[]; heading: string; help: string; none: string; button: string }) {
  const t = messages(props.lang);
  return (
    <ActionSection id={props.id} heading={props.heading} help={props.help} action={`/review/${props.paymentId}/${props.id}`} csrf={props.csrf} version={props.version}>
      <CounterpartChoice lang={props.lang} id={props.id} candidates={props.candidates} none={props.none} />
      <NoteField id={`${props.id}-note`} label={t.note} shortcut={props.id === 'book-refund' ? 'b' : 'l'} />
      {props.candidates.length > 0 && <button type="submit">{props.button}</button>}
    </ActionSection>
  );
}

/** The payments a refund or a return can be linked to, one radio button each; same account first. */
export function CounterpartChoice(props: { lang: Lang; id: string; candidates: Counterpart[]; none: string }) {
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
export function ActionSection(props: { id: string; heading: string; help: string; action: string; csrf: string | undefined; version: number; children: Child }) {
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

