/** Why an approval could not be carried out, in the page's language (the facts: src/services/review/stale.ts). */
import { parseStaleNote, type StaleFacts } from '../../services/review/stale.js';
import type { Lang } from '../i18n.js';
import { messages, money } from './i18n.js';
import { stateWord } from './labels.js';

/** The facts as a sentence; each Kassenzeichen in them is said as the caller spelled it (the workplace: as printed). */
export function staleSentence(lang: Lang, facts: StaleFacts): string {
  const say = { money: (amount: string, currency: string) => money(lang, amount, currency), state: (s: string) => stateWord(lang, s) };
  return (messages(lang).approvalStale[facts.code] as (v: StaleFacts, s: typeof say) => string)(facts, say);
}

/**
 * A failed approval's stored note for the reader: the facts in the page's language when the note is
 * one Stadtkasse writes (`facts`, spelled by the caller, or recognised in the note), otherwise the
 * note as stored, marked as such.
 */
export function failedNoteText(lang: Lang, note: string | null, facts?: StaleFacts | null): string {
  const f = facts ?? parseStaleNote(note);
  if (f) return staleSentence(lang, f);
  return note ? messages(lang).approvalStoredNote(note) : '';
}
