/** Reading a list page's query string: the filter as typed, and back into a query string. */
import { amountFromInput, dayFromInput } from '../../ui/staff/i18n.js';

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
