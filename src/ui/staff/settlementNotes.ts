/** The English sentences a provider's payout settlement stores (line notes, reasons of a payout in review), in the page's language. */
import type { Lang } from '../i18n.js';
import { messages, money } from './i18n.js';
import { onlineStatusWord } from './labels.js';

const KINDS: Record<Lang, Record<string, string>> = {
  de: { payment: 'Zahlung', refund: 'Erstattung', chargeback: 'Rückbelastung', fee: 'Gebühr', adjustment: 'Korrektur' },
  en: { payment: 'payment', refund: 'refund', chargeback: 'chargeback', fee: 'fee', adjustment: 'adjustment' },
};

/** The note in `lang`; one it does not recognise (a person's words, or a wording not known here) as stored. */
export function settlementNote(lang: Lang, note: string): string {
  const say = {
    money: (amount: string) => (/^-?\d+\.\d{2}$/.test(amount) ? money(lang, amount) : amount),
    status: (status: string) => onlineStatusWord(lang, status),
    kind: (kind: string) => KINDS[lang][kind] ?? (lang === 'de' ? 'Zeile' : kind),
  };
  for (const [pattern, sentence] of messages(lang).reviewSettlementNotePatterns) {
    const m = pattern.exec(note);
    if (m) return sentence(m, say);
  }
  return note;
}
