/** The review list as a CSV file for a spreadsheet: the columns the page shows, in the page's language. */
import type { Lang } from '../../i18n.js';
import type { ReviewRow } from '../../../services/review/queue.js';
import { parseMoney } from '../../../money/money.js';
import { stateWord } from '../labels.js';
import { day, messages } from '../i18n.js';
import { csvAmount, csvFile } from '../csv.js';

export function reviewCsv(lang: Lang, rows: ReviewRow[]): string {
  const t = messages(lang);
  const head = [t.reviewBooked, t.amount, t.reviewPayer, t.reviewRemittance, t.reviewState, t.reviewTop, t.reviewAge, t.reviewPayment('').trim()];
  return csvFile(
    lang,
    head,
    rows.map((r) => {
      const minor = parseMoney(r.amount, r.currency, { allowNegative: true }).minor;
      return [
        day(lang, r.bookingDate),
        csvAmount(lang, r.creditDebit === 'DBIT' ? -minor : minor, r.currency),
        r.payer.name ?? '',
        r.remittance,
        stateWord(lang, r.state),
        r.topSuggestion ? r.topSuggestion.kassenzeichen.join(' ') : '',
        { num: String(r.ageDays) },
        r.ref,
      ];
    }),
  );
}
