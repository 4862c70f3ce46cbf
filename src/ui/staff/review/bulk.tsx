/** @jsxImportSource hono/jsx */
/**
 * Deciding many payments of the review list at once: the form that asks for a preview of confirming
 * every suggestion at or above a chosen confidence on the current filter, the preview itself (how
 * many, how much, how many wait for a second person, and why the others are left out), and the
 * form that parks the payments ticked in the list with one note. Everything is a plain form.
 */
import type { Lang } from '../../i18n.js';
import { formatAmount } from '../../i18n.js';
import type { BulkPreview, BulkSkip } from '../../../services/review/bulk.js';
import { DataTable, num } from '../components.js';
import { HiddenCsrf, StaffPage, StateTag, type StaffPageContext } from '../frame.js';
import { messages, percentBp } from '../i18n.js';

/** The levels a clerk can choose from (in basis points); none below the matcher's doubt line. */
export const BULK_LEVELS = [9900, 9500, 9000, 8500, 8000, 7500, 7000] as const;

const de = {
  heading: 'Viele auf einmal',
  confirmLegend: 'Vorschläge dieses Filters buchen',
  minLabel: 'Sicherheit mindestens',
  preview: 'Vorschau zeigen',
  confirmHint: 'Gebucht wird nur der beste Vorschlag einer Zahlung, wenn der Abgleich nicht an ihm zweifelt und er keinen Posten überzahlt. Ab der Freigabegrenze wartet die Buchung auf eine zweite Person.',
  parkLegend: 'Angekreuzte Zahlungen zurückstellen',
  parkNote: 'Grund für alle angekreuzten',
  park: 'Angekreuzte zurückstellen',
  pick: (ref: string) => `Zahlung ${ref} auswählen`,
  pickColumn: 'Auswahl',
  previewTitle: 'Vorschau: Vorschläge buchen',
  previewSummary: (n: number, total: string, min: string) => `${n === 1 ? '1 Zahlung' : `${n} Zahlungen`} mit einem Vorschlag ab ${min}, zusammen ${total}.`,
  previewApprovals: (n: number, limit: string) => `Davon ${n === 1 ? 'wartet 1 Buchung' : `warten ${n} Buchungen`} ab ${limit} auf die Freigabe durch eine zweite Person.`,
  previewScanned: (n: number) => `Angesehen: ${n === 1 ? '1 Zahlung' : `${n} Zahlungen`} dieses Filters, jede mit dem Stand der Posten von jetzt.`,
  previewNone: 'Keine Zahlung dieses Filters hat einen Vorschlag, der so gebucht werden kann.',
  left: 'Nicht dabei',
  skips: {
    noSuggestion: 'ohne Vorschlag',
    belowConfidence: 'Sicherheit unter der gewählten',
    doubtful: 'der Abgleich zweifelt (einzeln prüfen)',
    overpays: 'würde einen Posten überzahlen',
    stale: 'Posten inzwischen bezahlt oder aufgehoben',
    moreThanLeft: 'mehr als noch in Verwahrung',
    notConfirmable: 'in diesem Stand nicht zu buchen',
  } satisfies Record<BulkSkip, string> as Record<BulkSkip, string>,
  confirmButton: (n: number) => (n === 1 ? '1 Vorschlag buchen' : `${n} Vorschläge buchen`),
  approvalTag: 'Freigabe nötig',
  approvalColumn: 'Freigabe',
  confidence: 'Sicherheit',
  items: 'Kassenzeichen',
  payer: 'Zahler',
  back: 'Zurück zur Liste',
  resultConfirmed: (booked: number, approvals: number, refused: number) =>
    `${booked === 1 ? '1 Zahlung gebucht' : `${booked} Zahlungen gebucht`}, ${approvals === 1 ? '1 wartet auf Freigabe' : `${approvals} warten auf Freigabe`}${refused > 0 ? `, ${refused} nicht gebucht` : ''}.`,
  resultParked: (parked: number, refused: number) => `${parked === 1 ? '1 Zahlung zurückgestellt' : `${parked} Zahlungen zurückgestellt`}${refused > 0 ? `, ${refused} nicht` : ''}.`,
  refusedLine: (ref: string, why: string) => `${ref}: ${why}`,
  noneChosen: 'Bitte kreuzen Sie mindestens eine Zahlung an.',
};

export type BulkTexts = typeof de;

const en: BulkTexts = {
  heading: 'Many at once',
  confirmLegend: "Book this filter's suggestions",
  minLabel: 'Confidence at least',
  preview: 'Show preview',
  confirmHint: "Only a payment's best suggestion is booked, when matching does not doubt it and it overpays no item. From the approval limit on, the booking waits for a second person.",
  parkLegend: 'Park the ticked payments',
  parkNote: 'Reason for all ticked',
  park: 'Park ticked',
  pick: (ref) => `Select payment ${ref}`,
  pickColumn: 'Select',
  previewTitle: 'Preview: book suggestions',
  previewSummary: (n, total, min) => `${n === 1 ? '1 payment' : `${n} payments`} with a suggestion from ${min}, together ${total}.`,
  previewApprovals: (n, limit) => `Of these, ${n === 1 ? '1 booking waits' : `${n} bookings wait`} from ${limit} for approval by a second person.`,
  previewScanned: (n) => `Looked at: ${n === 1 ? '1 payment' : `${n} payments`} of this filter, each against the items as they are now.`,
  previewNone: 'No payment of this filter has a suggestion that can be booked this way.',
  left: 'Left out',
  skips: {
    noSuggestion: 'no suggestion',
    belowConfidence: 'confidence below the chosen one',
    doubtful: 'matching doubts it (check one by one)',
    overpays: 'would overpay an item',
    stale: 'item paid or cancelled since',
    moreThanLeft: 'more than left in suspense',
    notConfirmable: 'cannot be booked from its state',
  },
  confirmButton: (n) => (n === 1 ? 'Book 1 suggestion' : `Book ${n} suggestions`),
  approvalTag: 'needs approval',
  approvalColumn: 'Approval',
  confidence: 'Confidence',
  items: 'Kassenzeichen',
  payer: 'Payer',
  back: 'Back to the list',
  resultConfirmed: (booked, approvals, refused) => `${booked === 1 ? '1 payment booked' : `${booked} payments booked`}, ${approvals} waiting for approval${refused > 0 ? `, ${refused} not booked` : ''}.`,
  resultParked: (parked, refused) => `${parked === 1 ? '1 payment parked' : `${parked} payments parked`}${refused > 0 ? `, ${refused} not` : ''}.`,
  refusedLine: (ref, why) => `${ref}: ${why}`,
  noneChosen: 'Please tick at least one payment.',
};

export const BULK_TEXTS: Record<Lang, BulkTexts> = { de, en };
export const bulkTexts = (lang: Lang): BulkTexts => BULK_TEXTS[lang];

/** The filter's parameters as hidden fields, so a form acts on what the list shows. */
function HiddenFilter(props: { query: string }) {
  return (
    <>
      {[...new URLSearchParams(props.query)].map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
    </>
  );
}

/** Below the review list: confirm by confidence (a preview first), and park the ticked ones. */
export function BulkForms(props: { lang: Lang; query: string; csrf?: string; canReview: boolean }) {
  if (!props.canReview) return null;
  const b = bulkTexts(props.lang);
  return (
    <section aria-labelledby="bulk-h" class="bulk">
      <h2 id="bulk-h">{b.heading}</h2>
      <form method="get" action="/review/bulk" class="filters">
        <HiddenFilter query={props.query} />
        <fieldset>
          <legend>{b.confirmLegend}</legend>
          <p class="muted">{b.confirmHint}</p>
          <label for="bulk-min">{b.minLabel}</label>{' '}
          <select id="bulk-min" name="min" data-key="g" aria-keyshortcuts="g">
            {BULK_LEVELS.map((l) => (
              <option value={String(l / 100)} selected={l === 9000}>
                {percentBp(props.lang, l)}
              </option>
            ))}
          </select>{' '}
          <button type="submit">{b.preview}</button>
        </fieldset>
      </form>
      <form method="post" action={`/review/bulk/park${props.query ? `?${props.query}` : ''}`} id="bulk-park" class="filters">
        <HiddenCsrf {...(props.csrf ? { csrf: props.csrf } : {})} />
        <fieldset>
          <legend>{b.parkLegend}</legend>
          <label for="bulk-park-note">{b.parkNote}</label>
          <textarea id="bulk-park-note" name="note" required maxlength={500} rows={2} data-key="p" aria-keyshortcuts="p"></textarea>{' '}
          <button type="submit">{b.park}</button>
        </fieldset>
      </form>
    </section>
  );
}

/** The tick box of one row of the list; it belongs to the park form below the table. */
export function PickBox(props: { lang: Lang; id: string; version: number; ref: string }) {
  return <input type="checkbox" name="pick" value={`${props.id}:${props.version}`} form="bulk-park" aria-label={bulkTexts(props.lang).pick(props.ref)} />;
}

export function BulkPreviewPage(props: StaffPageContext & { preview: BulkPreview; query: string; threshold: string }) {
  const { lang, preview: p } = props;
  const t = messages(lang);
  const b = bulkTexts(lang);
  const back = `/review${props.query ? `?${props.query}` : ''}`;
  const currency = p.candidates[0]?.currency ?? 'EUR';
  const left = (Object.entries(p.skipped) as Array<[BulkSkip, number]>).filter(([, n]) => n > 0);
  return (
    <StaffPage {...props} title={b.previewTitle}>
      <p>
        <a href={back} data-back>
          {b.back}
        </a>
      </p>
      <h1>{b.previewTitle}</h1>
      <p class="muted">{b.previewScanned(p.scanned)}</p>
      {p.candidates.length === 0 ? (
        <p role="status">{b.previewNone}</p>
      ) : (
        <>
          <p role="status">
            <strong data-bulk-summary>{b.previewSummary(p.candidates.length, formatAmount(lang, p.totalMinor, currency), percentBp(lang, p.minConfidenceBp))}</strong>
            {p.approvals > 0 && (
              <>
                {' '}
                <span data-bulk-approvals>{b.previewApprovals(p.approvals, props.threshold)}</span>
              </>
            )}
          </p>
          <form method="post" action={`/review/bulk/confirm${props.query ? `?${props.query}` : ''}`}>
            <HiddenCsrf {...(props.csrf ? { csrf: props.csrf } : {})} />
            <input type="hidden" name="min" value={String(p.minConfidenceBp / 100)} />
            <input type="hidden" name="seen" value={p.candidates.map((c) => `${c.transactionId}:${c.version}`).join(',')} />
            <button type="submit" class="primary">
              {b.confirmButton(p.candidates.length)}
            </button>
          </form>
          <DataTable columns={[t.approvalPayment, b.payer, b.items, num(b.confidence), num(t.amount), b.approvalColumn]}>
            {p.candidates.map((c) => (
              <tr>
                <th scope="row">
                  <a href={`/review/${c.transactionId}`} class="mono">
                    {c.ref}
                  </a>
                </th>
                <td>{c.payer ?? '–'}</td>
                <td class="mono">{c.kassenzeichen.join(', ')}</td>
                <td class="num">{percentBp(lang, c.confidenceBp)}</td>
                <td class="num">{formatAmount(lang, c.bookMinor, c.currency)}</td>
                <td>{c.needsApproval && <StateTag state="awaiting_approval" word={b.approvalTag} />}</td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
      {left.length > 0 && (
        <>
          <h2>{b.left}</h2>
          <ul>
            {left.map(([k, n]) => (
              <li>
                {n} {b.skips[k]}
              </li>
            ))}
          </ul>
        </>
      )}
    </StaffPage>
  );
}
