/**
 * Every list of the workplace as a CSV file for a spreadsheet: the columns the page shows, in the
 * page's language. German spreadsheets read ";" between fields and "30,70" as a number; a byte
 * order mark tells them it is UTF-8 ("Jörg" stays "Jörg"). Fields are escaped as the export's
 * (csvField): a text starting with =, +, - or @ is prefixed so a spreadsheet keeps it text.
 */
import type { Lang } from '../i18n.js';
import { formatMinor } from '../../money/money.js';
import { csvField } from '../../services/export/csv.js';

/** A text cell, or a number cell (amounts and counts: never prefixed, so the spreadsheet sums them). */
export type CsvCell = string | { num: string };

function field(cell: CsvCell, sep: ';' | ','): string {
  if (typeof cell !== 'string') return csvField(cell.num, sep);
  const escaped = csvField(cell, sep, true);
  // A formula made text by its prefix is also quoted, so no import step can take the prefix off alone.
  return escaped !== cell && !escaped.startsWith('"') ? `"${escaped.replaceAll('"', '""')}"` : escaped;
}

/** An amount in minor units as a number cell: "1234,50" (German) or "1234.50". */
export function csvAmount(lang: Lang, minor: bigint, currency = 'EUR'): CsvCell {
  const text = formatMinor(minor, currency);
  return { num: lang === 'de' ? text.replace('.', ',') : text };
}

export function csvFile(lang: Lang, head: string[], rows: CsvCell[][]): string {
  const sep = lang === 'de' ? ';' : ',';
  return '\ufeff' + [head.map((h) => field(h, sep)).join(sep), ...rows.map((r) => r.map((c) => field(c, sep)).join(sep))].join('\r\n') + '\r\n';
}

/** The response headers of a download named `name` (ASCII, without ".csv"). */
export function csvHeaders(name: string): Record<string, string> {
  return { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` };
}

/** Rows one download of a list carries at most: a busy month, not an export of the ledger (that is /v1/export). */
export const LIST_CSV_ROWS = 20_000;
