/** @jsxImportSource hono/jsx */
/**
 * The approvals inbox: bookings from the four-eyes threshold waiting for a second person. The
 * person who proposed one sees no approve button (and the server refuses them anyway); they may
 * withdraw it with "reject".
 */
import type { ApprovalView } from '../../services/review/approvalView.js';
import type { ApprovalContext } from '../../services/workplace/approvals.js';
import type { StaleFacts } from '../../services/review/stale.js';
import { failedNoteText } from './staleText.js';
import { DataTable, ItemLink, ListSummary, num, WhoWhenWhy, type Who } from './components.js';
import { csvFile, csvAmount } from './csv.js';
import { listTexts } from './listTexts.js';
import type { Lang } from '../i18n.js';
import { parseMoney } from '../../money/money.js';
import { HiddenCsrf, StaffPage, StateTag, type StaffPageContext } from './frame.js';
import { instant, messages, money } from './i18n.js';

export function ApprovalsPage(props: StaffPageContext & { pending: ApprovalView[]; decided: ApprovalView[]; me: string; who: Who; threshold: string; contexts: Map<string, ApprovalContext>; total: number; failures: Map<string, StaleFacts> }) {
  const { lang, who } = props;
  const t = messages(lang);
  return (
    <StaffPage {...props} title={t.approvalsTitle}>
      <h1>{t.approvalsTitle}</h1>
      <p>{t.approvalsIntro(money(lang, props.threshold))}</p>
      <ListSummary total={listTexts(lang).approvals(props.total)} csvHref="/approvals.csv" csvLabel={listTexts(lang).csv} />
      {props.pending.length === 0 && (
        <p class="notice ok" role="status">
          {t.approvalsNone}
        </p>
      )}
      {props.pending.map((a, i) => {
        const own = a.proposedBy === props.me;
        const cx = props.contexts.get(a.id);
        const p = cx?.payment;
        return (
          <article class="suggestion" aria-labelledby={`a-${a.id}`}>
            <h2 id={`a-${a.id}`}>{t.approvalHeading(t.approvalKinds[a.kind] ?? a.kind, money(lang, a.amount, a.currency))}</h2>
            <p>{t.approvalProposed(who(a.proposedBy), instant(lang, a.proposedAt))}</p>
            <dl class="dl">
              {a.transactionId && (
                <>
                  <dt>{t.approvalPayment}</dt>
                  <dd>
                    <a href={`/review/${a.transactionId}`} class="mono">
                      {p?.ref ?? a.transactionId}
                    </a>
                    {p && <> · {money(lang, p.amount, p.currency)}</>}
                  </dd>
                </>
              )}
              {p && (
                <>
                  <dt>{t.reviewPayer}</dt>
                  <dd>{p.payer ?? '–'}</dd>
                  <dt>{t.reviewRemittance}</dt>
                  <dd class="remittance">{p.remittance || '–'}</dd>
                </>
              )}
              <dt>{t.approvalLines}</dt>
              <dd>
                <ul class="plain">
                  {(a.booking.allocations ?? []).map((l) => (
                    <li>
                      <ItemLink itemId={l.itemId} kassenzeichen={cx?.kassenzeichen.get(l.itemId) ?? l.kassenzeichen} />: {money(lang, l.amount, a.currency)}
                      {cx?.openByItem.has(l.itemId) && <span class="muted"> ({t.approvalOpenNow(money(lang, cx.openByItem.get(l.itemId)!, a.currency))})</span>}
                    </li>
                  ))}
                </ul>
              </dd>
              <dt>{t.approvalReason}</dt>
              <dd>{cx?.reason ?? a.booking.reason}</dd>
            </dl>
            {own && <p class="notice warn">{t.approvalOwn}</p>}
            <div class="actions">
              {!own && (
                <form method="post" action={`/approvals/${a.id}/approve`}>
                  <HiddenCsrf csrf={props.csrf} />
                  <div class="field">
                    <label for={`an-${a.id}`}>{t.approvalApproveNote}</label>
                    <input type="text" id={`an-${a.id}`} name="note" maxlength={500} />
                  </div>
                  <button type="submit" {...(i === 0 ? { 'data-suggestion': '1', 'aria-keyshortcuts': '1' } : {})}>
                    {t.approvalApprove}
                  </button>
                </form>
              )}
              <form method="post" action={`/approvals/${a.id}/reject`}>
                <HiddenCsrf csrf={props.csrf} />
                <div class="field">
                  <label for={`rn-${a.id}`}>{t.approvalRejectNote}</label>
                  <input type="text" id={`rn-${a.id}`} name="note" required maxlength={500} />
                </div>
                <button type="submit" class="danger">
                  {t.approvalReject}
                </button>
              </form>
            </div>
          </article>
        );
      })}
      {props.decided.length > 0 && (
        <section aria-labelledby="decided-h">
          <h2 id="decided-h">{t.approvalDecided}</h2>
          <DataTable columns={[t.what, num(t.amount), t.stmtState, t.who, t.when, t.why]}>
            {props.decided.map((a) => (
              <tr>
                <td>{t.approvalKinds[a.kind] ?? a.kind}</td>
                <td class="num">{money(lang, a.amount, a.currency)}</td>
                <td>
                  <StateTag state={a.status} word={t.approvalStatus[a.status] ?? a.status} />
                </td>
                <WhoWhenWhy
                  who={
                    <>
                      {who(a.proposedBy)} → {a.decidedBy ? who(a.decidedBy) : '–'}
                    </>
                  }
                  when={a.decidedAt ? instant(lang, a.decidedAt) : '–'}
                  why={a.status === 'failed' ? failedNoteText(lang, a.decisionNote, props.failures.get(a.id)) : (a.decisionNote ?? '')}
                />
              </tr>
            ))}
          </DataTable>
        </section>
      )}
    </StaffPage>
  );
}

/** The pending approvals as a CSV file: what the card shows, one line each. */
export function approvalsCsv(lang: Lang, pending: ApprovalView[], contexts: Map<string, ApprovalContext>, who: Who): string {
  const t = messages(lang);
  const amount = (a: string, cur: string) => csvAmount(lang, parseMoney(a, cur, { allowNegative: true }).minor, cur);
  return csvFile(
    lang,
    [t.what, t.amount, t.approvalPayment, t.reviewPayer, t.reviewRemittance, t.approvalLines, t.approvalReason, t.who, t.when],
    pending.map((a) => {
      const cx = contexts.get(a.id);
      return [
        t.approvalKinds[a.kind] ?? a.kind,
        amount(a.amount, a.currency),
        cx?.payment?.ref ?? a.transactionId ?? '',
        cx?.payment?.payer ?? '',
        cx?.payment?.remittance ?? '',
        (a.booking.allocations ?? []).map((l) => `${cx?.kassenzeichen.get(l.itemId) ?? l.kassenzeichen}: ${money(lang, l.amount, a.currency)}`).join('; '),
        cx?.reason ?? a.booking.reason,
        who(a.proposedBy),
        instant(lang, a.proposedAt),
      ];
    }),
  );
}
