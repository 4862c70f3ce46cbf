/** @jsxImportSource hono/jsx */
/**
 * The table shapes the staff pages share, so a column header, a booking row or an audit line looks
 * and reads the same on every page: headers are `<th scope="col">` (amounts and counts carry the
 * `num` class, right-aligned), rows are the caller's, and a booking shows its state, who, when and
 * why in the same four cells wherever it appears.
 */
import type { Child } from 'hono/jsx';
import type { Lang } from '../i18n.js';
import { StateTag } from './frame.js';
import { instant, messages } from './i18n.js';

/** Turns an actor label (user id, `system`, `client:…`) into the name a person recognises. */
export type Who = (label: string) => string;

export interface Column {
  label: Child;
  /** Right-aligned, for amounts and counts. */
  num?: boolean;
}

/** A right-aligned column, for amounts and counts. */
export function num(label: Child): Column {
  return { label, num: true };
}

export function Th(props: Column) {
  return (
    <th scope="col" class={props.num ? 'num' : undefined}>
      {props.label}
    </th>
  );
}

/** A table with one header row; the rows (with their own `<th scope="row">` where one names the row) are the children. */
export function DataTable(props: { columns: Array<Child | Column>; class?: string; caption?: string; children?: Child }) {
  return (
    <div class="table-wrap" tabindex={0}>
      <table class={props.class}>
        {props.caption && <caption>{props.caption}</caption>}
        <thead>
          <tr>
            {props.columns.map((c) => (isColumn(c) ? <Th {...c} /> : <Th label={c} />))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

function isColumn(c: Child | Column): c is Column {
  return typeof c === 'object' && c !== null && !Array.isArray(c) && 'label' in c;
}

/** A filter by state: "any" first, then each state in words. Submits its value under `id`. */
export function FilterSelect(props: { id: string; label: string; any: string; values: readonly string[]; selected: string | undefined; words: Record<string, string> }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.id}>
        <option value="">{props.any}</option>
        {props.values.map((v) => (
          <option value={v} selected={props.selected === v}>
            {props.words[v] ?? v}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The required reason a person writes for a decision; it lands in the audit trail. */
export function NoteField(props: { id: string; label: string; shortcut?: string }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <textarea id={props.id} name="note" required maxlength={500} {...(props.shortcut ? { 'data-key': props.shortcut, 'aria-keyshortcuts': props.shortcut } : {})}></textarea>
    </div>
  );
}

/** The link to the next page of a list, kept on the same filter (`query`); nothing on the last page. */
export function Pager(props: { lang: Lang; base: string; query?: string; cursor: string | null }) {
  if (!props.cursor) return null;
  const query = props.query ?? '';
  return (
    <p class="pager">
      <a href={`${props.base}?${query}${query ? '&' : ''}cursor=${encodeURIComponent(props.cursor)}`}>{messages(props.lang).more}</a>
    </p>
  );
}

/** An open item by its Kassenzeichen, linking to its page. */
export function ItemLink(props: { itemId: string; kassenzeichen: string }) {
  return (
    <a href={`/items/${props.itemId}`} class="mono">
      {props.kassenzeichen}
    </a>
  );
}

/** Who did it, when, and why: the last three cells of a booking or decision row. */
export function WhoWhenWhy(props: { who: Child; when: Child; why: Child }) {
  return (
    <>
      <td>{props.who}</td>
      <td>{props.when}</td>
      <td>{props.why}</td>
    </>
  );
}

export interface Booking {
  kind: string;
  reason: string;
  createdBy: string;
  createdAt: string | Date;
  reversal: { reason: string; createdBy: string; createdAt: string | Date } | null;
}

/**
 * Allocations (bookings) of money to open items. The leading columns say what the booking is seen
 * from (the payment on an item's page, the item on a payment's page); amount, state, who, when and
 * why follow and are the same everywhere. `after` adds to the why cell (the reverse form).
 */
export function BookingsTable<B extends Booking>(props: {
  lang: Lang;
  who: Who;
  rows: B[];
  lead: Array<Child | Column>;
  leading: (b: B) => Child;
  amount: (b: B) => string;
  after?: (b: B) => Child;
}) {
  const { lang, who } = props;
  const t = messages(lang);
  return (
    <DataTable columns={[...props.lead, num(t.amount), t.what, t.who, t.when, t.why]}>
      {props.rows.map((b) => (
        <tr>
          {props.leading(b)}
          <td class="num">{props.amount(b)}</td>
          <td>
            {b.reversal ? (
              <>
                <StateTag state="rejected" word={t.reviewReversedTag} /> {t.reviewReversed(who(b.reversal.createdBy), instant(lang, b.reversal.createdAt), b.reversal.reason)}
              </>
            ) : (
              <StateTag state="ok" word={t.reviewKindWords[b.kind] ?? b.kind} />
            )}
          </td>
          <WhoWhenWhy
            who={who(b.createdBy)}
            when={instant(lang, b.createdAt)}
            why={
              <>
                {b.reason}
                {props.after?.(b)}
              </>
            }
          />
        </tr>
      ))}
    </DataTable>
  );
}

/** The audit trail of a payment or an item; nothing at all when there is none. */
export function AuditTable(props: { lang: Lang; who: Who; rows: Array<{ at: string | Date; actor: string; action: string; reason: string | null }> }) {
  const t = messages(props.lang);
  if (props.rows.length === 0) return null;
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h">{t.reviewAudit}</h2>
      <DataTable columns={[t.when, t.who, t.what, t.why]}>
        {props.rows.map((a) => (
          <tr>
            <td>{instant(props.lang, a.at)}</td>
            <td>{props.who(a.actor)}</td>
            {/* The record's code stays with the words (to search the audit log by), not in the text a German reader reads. */}
            <td data-action={a.action} title={a.action}>
              {t.auditActions[a.action] ?? a.action}
            </td>
            <td>{a.reason ?? ''}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

/** Above a list: how many rows its filter finds in all, and the download of all of them. */
export function ListSummary(props: { total: string; csvHref: string; csvLabel: string }) {
  return (
    <p class="list-summary">
      <strong data-total>{props.total}</strong>
      {' · '}
      <a href={props.csvHref} download>
        {props.csvLabel}
      </a>
    </p>
  );
}
