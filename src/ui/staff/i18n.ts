/**
 * Texts and formats of the treasury workplace: German by default, English on request. Statuses,
 * credit/debit and check results are always words (never a colour alone), so nothing is misread
 * on a grey-scale printout or by someone who does not see red and green apart.
 */
import { parseMoney } from '../../money/money.js';
import { formatAmount, type Lang } from '../i18n.js';
import { commonDe, commonEn } from './messages/common.js';
import { loginDe, loginEn } from './messages/login.js';
import { dashboardDe, dashboardEn } from './messages/dashboard.js';
import { statementsDe, statementsEn } from './messages/statements.js';
import { reviewDe, reviewEn } from './messages/review.js';
import { itemsDe, itemsEn } from './messages/items.js';
import { approvalsDe, approvalsEn } from './messages/approvals.js';
import { importDe, importEn } from './messages/import.js';
import { mandatesDe, mandatesEn } from './messages/mandates.js';
import { refundDebitDe, refundDebitEn } from './messages/refundDebit.js';

/** "30.70" (as services hand amounts out) shown as "30,70 €" / "€30.70". */
export function money(lang: Lang, amount: string, currency = 'EUR'): string {
  return formatAmount(lang, parseMoney(amount, currency, { allowNegative: true }).minor, currency);
}

/** An instant shown in the city's time: "31.12.2026, 14:05" / "31 Dec 2026, 14:05". */
export function instant(lang: Lang, at: Date | string): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  return new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
    timeZone: 'Europe/Berlin',
    day: '2-digit',
    month: lang === 'de' ? '2-digit' : 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

/** A day "YYYY-MM-DD" as "31.12.2026" (German) or "31 Dec 2026". */
export function day(lang: Lang, text: string | null | undefined): string {
  if (!text) return '–';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return text;
  if (lang === 'de') return `${m[3]}.${m[2]}.${m[1]}`;
  return `${Number.parseInt(m[3]!, 10)} ${EN_SHORT_MONTHS[Number.parseInt(m[2]!, 10) - 1]} ${m[1]}`;
}

const EN_SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * An amount as a clerk types it, to the "1234.50" the services take: "1.234,50", "1234,50",
 * "1234.50", "1234" and "12,5" all work. Null when it is not an amount. Text only, no float.
 */
export function amountFromInput(text: string): string | null {
  let t = text.replace(/[\s\u00a0€]/g, '').replace(/EUR$/i, '');
  if (t === '') return null;
  if (t.includes(',')) t = t.replace(/\./g, '').replace(',', '.');
  else if (/^\d{1,3}(\.\d{3})+$/.test(t)) t = t.replace(/\./g, '');
  if (!/^\d{1,13}(\.\d{1,2})?$/.test(t)) return null;
  const [whole, frac = ''] = t.split('.');
  return `${whole}.${frac.padEnd(2, '0')}`;
}

/** A day as typed: "31.12.2026", "1.2.2026" or "2026-12-31" → "2026-12-31"; null when it is none. */
export function dayFromInput(text: string): string | null {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return t;
  const m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t);
  return m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : null;
}

/** Confidence in basis points as a percentage "92 %" without floating point. */
export function percentBp(lang: Lang, bp: number): string {
  const whole = Math.floor(bp / 100);
  return lang === 'de' ? `${whole} %` : `${whole}%`;
}

/** part/all as a whole percentage, rounded down; "–" when there is nothing to divide. */
export function percentOf(lang: Lang, part: number, all: number): string {
  if (all === 0) return '–';
  const whole = Math.floor((part * 100) / all);
  return lang === 'de' ? `${whole} %` : `${whole}%`;
}

/** The words of every page, composed from one module per page (src/ui/staff/messages/). */
const de = { ...commonDe, ...loginDe, ...dashboardDe, ...statementsDe, ...reviewDe, ...itemsDe, ...approvalsDe, ...importDe, ...mandatesDe, ...refundDebitDe };

export type StaffMessages = typeof de;

const en: StaffMessages = { ...commonEn, ...loginEn, ...dashboardEn, ...statementsEn, ...reviewEn, ...itemsEn, ...approvalsEn, ...importEn, ...mandatesEn, ...refundDebitEn };

export const STAFF_MESSAGES: Record<Lang, StaffMessages> = { de, en };

export function messages(lang: Lang): StaffMessages {
  return STAFF_MESSAGES[lang];
}
