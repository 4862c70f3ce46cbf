/**
 * Why a booking was made, in the reader's language. A booking stores its reason as an English
 * sentence (the audit record, as written at the time); where the matcher explained it, the
 * proposal it came from still holds the reasons as facts, so a German page can say the same thing
 * in German: an automatic booking by its decision's reasons, a confirmed suggestion by that
 * suggestion's reasons and the person's note. Bookings a person made by hand keep their words.
 */
import type { Database } from '../../db/database.js';
import { reasonTexts, type Reason, type ReasonLang } from '../../matching/reasons.js';
import { storedJson } from '../shared/storedJson.js';

export interface ExplainableBooking {
  id: string;
  kind: string;
  proposalId: string | null;
  reason: string;
}

/** How a confirmation is written by confirmSuggestion (src/services/review/actions.ts). */
const CONFIRMED = /^suggestion (\d+) confirmed: [\s\S]*?(?: — ([\s\S]*))?$/;

const SUGGESTION_CONFIRMED: Record<ReasonLang, (n: number) => string> = {
  de: (n) => `Vorschlag ${n} bestätigt`,
  en: (n) => `suggestion ${n} confirmed`,
};

/** Reasons in `lang` by booking id, for the bookings the matcher explained; the others are absent. */
export async function bookingReasonsIn(db: Database, bookings: ExplainableBooking[], lang: ReasonLang): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  // The stored sentences are English already.
  if (lang === 'en') return out;
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
      out.set(b.id, reasonTexts(storedJson<Array<Reason | string>>(p.reasons, []), lang).join('; '));
      continue;
    }
    const m = CONFIRMED.exec(b.reason);
    if (!m) continue;
    const n = Number.parseInt(m[1]!, 10);
    const suggestion = storedJson<Array<{ reasons: Array<Reason | string> }>>(p.suggestions, [])[n - 1];
    if (!suggestion) continue;
    const because = reasonTexts(suggestion.reasons, lang).join('; ');
    out.set(b.id, `${SUGGESTION_CONFIRMED[lang](n)}: ${because}${m[2] ? ` — ${m[2]}` : ''}`);
  }
  return out;
}
