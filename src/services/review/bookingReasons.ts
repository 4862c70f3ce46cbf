/**
 * Why a booking was made, in the reader's language. A booking stores its reason as an English
 * sentence (the audit record, as written at the time); where the matcher explained it, the
 * proposal it came from still holds the reasons as facts, so a German page can say the same thing
 * in German: an automatic booking by its decision's reasons, a confirmed suggestion by that
 * suggestion's reasons and the person's note. Bookings a person made by hand keep their words.
 *
 * The facts name items by their normalized Kassenzeichen; a page says them as printed. Reading the
 * explanations (bookingExplanations) and saying them (explanationText) are apart, so a page can
 * look the printed spelling of every Kassenzeichen on it up once, these included.
 */
import type { Database } from '../../db/database.js';
import { reasonKassenzeichen, reasonTexts, type KassenzeichenSpelling, type Reason, type SpellingLookup, type ReasonLang } from '../../matching/reasons.js';
import { formatMoneyDe, parseMoney } from '../../money/money.js';
import { storedJson } from '../shared/storedJson.js';

export interface ExplainableBooking {
  id: string;
  kind: string;
  proposalId: string | null;
  reason: string;
}

/** A booking the matcher explained: its reasons as facts, and for a confirmed suggestion which one, what was accepted and the note. */
export interface BookingExplanation {
  reasons: Array<Reason | string>;
  /** The suggestion confirmed (1-based); absent for an automatic booking. */
  suggestion?: number;
  /** The overpayment the person accepted ("24.95"). */
  overpaid?: string;
  note?: string;
}

/** How a confirmation is written by confirmSuggestion (src/services/review/actions.ts). */
const CONFIRMED = /^suggestion (\d+) confirmed: [\s\S]*?(?: \(overpays by (\d+\.\d{2}), accepted\))?(?: — ([\s\S]*))?$/;

const SUGGESTION_CONFIRMED: Record<ReasonLang, (n: number) => string> = {
  de: (n) => `Vorschlag ${n} bestätigt`,
  en: (n) => `suggestion ${n} confirmed`,
};

const OVERPAID: Record<ReasonLang, (amount: string) => string> = {
  de: (a) => ` (überzahlt um ${formatMoneyDe(parseMoney(a, 'EUR'))}, bewusst gebucht)`,
  en: (a) => ` (overpays by ${a}, accepted)`,
};

/** The explanations of the bookings the matcher explained, by booking id (one read of their proposals); the others are absent. */
export async function bookingExplanations(db: Database, bookings: ExplainableBooking[]): Promise<Map<string, BookingExplanation>> {
  const out = new Map<string, BookingExplanation>();
  const explained = bookings.filter((b) => b.proposalId && (b.kind === 'auto' || b.kind === 'confirmed'));
  if (explained.length === 0) return out;
  const proposals = await db.prisma.matchProposal.findMany({
    where: { id: { in: [...new Set(explained.map((b) => b.proposalId!))] } },
    select: { id: true, reasons: true, suggestions: true },
  });
  const byId = new Map(proposals.map((p) => [p.id, p]));
  for (const b of explained) {
    const p = byId.get(b.proposalId!);
    if (!p) continue;
    if (b.kind === 'auto') {
      out.set(b.id, { reasons: storedJson<Array<Reason | string>>(p.reasons, []) });
      continue;
    }
    const m = CONFIRMED.exec(b.reason);
    if (!m) continue;
    const n = Number.parseInt(m[1]!, 10);
    const suggestion = storedJson<Array<{ reasons: Array<Reason | string> }>>(p.suggestions, [])[n - 1];
    if (!suggestion) continue;
    out.set(b.id, { reasons: suggestion.reasons, suggestion: n, ...(m[2] ? { overpaid: m[2] } : {}), ...(m[3] ? { note: m[3] } : {}) });
  }
  return out;
}

/** Every item's Kassenzeichen the explanations name. */
export function explanationKassenzeichen(explanations: Iterable<BookingExplanation>): string[] {
  return [...explanations].flatMap((e) => reasonKassenzeichen(e.reasons));
}

/** An explanation as the sentence a page shows, each item's Kassenzeichen in `spell`'s spelling. */
export function explanationText(e: BookingExplanation, lang: ReasonLang, spell?: KassenzeichenSpelling): string {
  const because = reasonTexts(e.reasons, lang, spell).join('; ');
  if (e.suggestion === undefined) return because;
  return `${SUGGESTION_CONFIRMED[lang](e.suggestion)}: ${because}${e.overpaid ? OVERPAID[lang](e.overpaid) : ''}${e.note ? ` — ${e.note}` : ''}`;
}

/**
 * Reasons in `lang` by booking id, for the bookings the matcher explained; the others are absent.
 * Without `spell` an English reader gets nothing (the stored sentences are English already, with
 * the normalized key); with it, every reader gets the sentences with that spelling.
 */
export async function bookingReasonsIn(db: Database, bookings: ExplainableBooking[], lang: ReasonLang, spell?: SpellingLookup): Promise<Map<string, string>> {
  if (lang === 'en' && !spell) return new Map();
  const explanations = await bookingExplanations(db, bookings);
  const kz = spell ? await spell(explanationKassenzeichen(explanations.values())) : undefined;
  return new Map([...explanations].map(([id, e]) => [id, explanationText(e, lang, kz)]));
}
