/**
 * The review list as a CSV file for a spreadsheet: the columns the page shows, in the page's
 * language. German spreadsheets read ";" between fields and "30,70" as a number; a byte order mark
 * tells them it is UTF-8 ("Jörg" stays "Jörg").
 */
import type { Lang } from '../../i18n.js';
import type { ReviewRow } from '../../../services/review/queue.js';
import { formatMinor, parseMoney } from '../../../money/money.js';
import { stateWord } from '../labels.js';
import { day, messages } from '../i18n.js';

/** Rows one download carries at most: a busy month's queue, not an export of the ledger (that is /v1/export). */
export const REVIEW_CSV_ROWS = 20_000;

function field(text: string, isText = true): string {
  // A leading =, +, - or @ would be a formula to a spreadsheet: quoted and prefixed it stays text.
  const safe = isText && /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[";\n\r]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function reviewCsv(lang: Lang, rows: ReviewRow[]): string {
  const t = messages(lang);
  const sep = lang === 'de' ? ';' : ',';
  const amount = (a: string, cur: string) => {
    const text = formatMinor(parseMoney(a, cur, { allowNegative: true }).minor, cur);
    return lang === 'de' ? text.replace('.', ',') : text;
  };
  const head = [t.reviewBooked, t.amount, t.reviewPayer, t.reviewRemittance, t.reviewState, t.reviewTop, t.reviewAge, t.reviewPayment('').trim()];
  const lines = rows.map((r) =>
    [
      field(day(lang, r.bookingDate)),
      field((r.creditDebit === 'DBIT' ? '-' : '') + amount(r.amount, r.currency), false),
      field(r.payer.name ?? ''),
      field(r.remittance),
      field(stateWord(lang, r.state)),
      field(r.topSuggestion ? r.topSuggestion.kassenzeichen.join(' ') : ''),
      field(String(r.ageDays), false),
      field(r.ref),
    ].join(sep),
  );
  return '\ufeff' + [head.map((h) => field(h)).join(sep), ...lines].join('\r\n') + '\r\n';
}
