/** Reading a list page's query string: the filter as typed, and back into a query string. */
import { amountFromInput, dayFromInput } from '../../ui/staff/i18n.js';
import type { ReviewQueueFilter } from '../../services/review/queue.js';

/** Only the query parameters a page understands, back into a query string (for "show more"). */
export function queryOf(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`)
    .join('&');
}

/** An amount typed into a filter: "1.234,50" → "1234.50"; text that is no amount goes on to the service, which names the field. */
export function amountParam(text: string | undefined): string | undefined {
  if (!text || !text.trim()) return undefined;
  return amountFromInput(text) ?? text;
}

/** A day typed into a filter: "16.11.2026" → "2026-11-16"; text that is no day goes on to the service, which names the field. */
export function dayParam(text: string | undefined): string | undefined {
  if (!text || !text.trim()) return undefined;
  return dayFromInput(text) ?? text.trim();
}

/** The queue's filter as the list's form sends it (also carried by a payment's page, so "next" keeps it). */
export function reviewFilterOf(q: Record<string, string>): ReviewQueueFilter {
  const [sort, order] = (q.sort ?? 'age:asc').split(':');
  return {
    ...(q.state ? { state: q.state } : {}),
    ...(q.q ? { q: q.q } : {}),
    ...(amountParam(q.amountFrom) ? { amountFrom: amountParam(q.amountFrom)! } : {}),
    ...(amountParam(q.amountTo) ? { amountTo: amountParam(q.amountTo)! } : {}),
    ...(q.bookedFrom?.trim() ? { bookedFrom: dayFromInput(q.bookedFrom) ?? q.bookedFrom } : {}),
    ...(q.bookedTo?.trim() ? { bookedTo: dayFromInput(q.bookedTo) ?? q.bookedTo } : {}),
    sort: sort === 'amount' ? 'amount' : 'age',
    order: order === 'desc' ? 'desc' : 'asc',
  };
}

/** The filter's own parameters as a query string (what the list was showing). */
export function reviewQueryOf(q: Record<string, string>): string {
  return queryOf({ q: q.q, state: q.state, amountFrom: q.amountFrom, amountTo: q.amountTo, bookedFrom: q.bookedFrom, bookedTo: q.bookedTo, sort: q.sort });
}

