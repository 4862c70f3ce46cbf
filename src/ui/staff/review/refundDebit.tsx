/** @jsxImportSource hono/jsx */
/**
 * On an outgoing payment's review page: the refund run it booked, or the released batch run it could
 * be (nothing booked), with every refund's receipt and Kassenzeichen as printed, and the refunds'
 * sum against the debit.
 */
import type { RefundDebitView } from '../../../services/workplace/refundDebit.js';
import { formatAmount, type Lang } from '../../i18n.js';
import { DataTable, num } from '../components.js';
import { day, messages } from '../i18n.js';
import { HiddenCsrf } from '../frame.js';
import { REFUND_STATE, RUN_STATUS } from '../sepa.js';

/** `propose`: the clerk may say "this debit is run X" for a second person to approve (the form's target and token). */
export function RefundDebitSection(props: { lang: Lang; view: RefundDebitView; propose?: { action: string; csrf: string | undefined } }) {
  const { lang, view: v } = props;
  const t = messages(lang);
  const amount = (m: bigint) => formatAmount(lang, m, v.currency);
  const booked = v.relation === 'booked';
  return (
    <section aria-labelledby="refund-run-h" data-refund-runs={v.relation}>
      <h2 id="refund-run-h">{booked ? t.refundDebitBookedHeading : t.refundDebitCandidateHeading}</h2>
      {v.runs.map((r) => (
        <div data-refund-run={r.number}>
          <h3>
            {t.refundDebitRun(r.number, day(lang, r.executionDate))} – {RUN_STATUS[lang][r.status]}
          </h3>
          <p>{booked ? t.refundDebitBooked(r.number, r.count) : t.refundDebitCandidate(r.number, r.count)}</p>
          <dl class="dl">
            <dt>{t.refundDebitSum}</dt>
            <dd>
              {amount(r.sumMinor)} ({r.count})
            </dd>
            <dt>{t.refundDebitDebit}</dt>
            <dd>{amount(v.debitAmountMinor)}</dd>
            <dt>{t.refundDebitDifference}</dt>
            <dd data-difference>{r.differenceMinor === 0n ? t.refundDebitAgrees : amount(r.differenceMinor)}</dd>
          </dl>
          {!booked && (
            <>
              <h4>{t.refundDebitWhy}</h4>
              <ul>
                {r.mismatches.map((m) => (
                  <li data-mismatch={m}>{t.refundDebitMismatch[m]}</li>
                ))}
              </ul>
            </>
          )}
          <DataTable columns={[num(t.refundDebitPosition), t.refundDebitRecipient, t.refundDebitReceipt, t.itemsKassenzeichen, num(t.amount), t.refundDebitE2e, t.refundDebitState]}>
            {r.refunds.map((x) => (
              <tr>
                <td class="num">{x.position}</td>
                <td>{x.recipientName}</td>
                <td>
                  {x.receipt ? (
                    <>
                      <a href={`/review/${x.receipt.transactionId}`} class="mono">
                        {x.receipt.ref}
                      </a>
                      <br />
                      {x.receipt.payer ?? '–'}, {day(lang, x.receipt.bookingDate)}, {amount(x.receipt.amountMinor)}
                    </>
                  ) : (
                    '–'
                  )}
                </td>
                <td class="mono">{x.kassenzeichen ?? '–'}</td>
                <td class="num">{amount(x.amountMinor)}</td>
                <td class="mono">{x.endToEndId}</td>
                <td>{REFUND_STATE[lang][x.state]}</td>
              </tr>
            ))}
          </DataTable>
          {r.refunds.length < r.count && <p class="muted">{t.refundDebitMore(r.refunds.length, r.count)}</p>}
          {!booked && r.proposable && props.propose && (
            <form method="post" action={props.propose.action} data-propose-run={r.number}>
              <HiddenCsrf csrf={props.propose.csrf} />
              <input type="hidden" name="version" value={String(v.debitVersion)} />
              <input type="hidden" name="runId" value={r.runId} />
              <p class="muted">{t.refundDebitProposeHelp(r.number)}</p>
              <div class="field">
                <label for={`propose-note-${r.number}`}>{t.note}</label>
                <textarea id={`propose-note-${r.number}`} name="note" maxlength={500}></textarea>
              </div>
              <button type="submit">{t.refundDebitPropose(r.number)}</button>
            </form>
          )}
        </div>
      ))}
    </section>
  );
}
