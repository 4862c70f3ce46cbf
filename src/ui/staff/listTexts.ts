/**
 * What every list of the workplace says above its table: how many rows its filter finds in all, and
 * the link to download all of them. English is typed by the German, so a missing one does not compile.
 */
import type { Lang } from '../i18n.js';

const n = (lang: Lang, count: number) => count.toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB');

const de = {
  csv: 'Als CSV-Datei herunterladen (alle Seiten)',
  items: (c: number) => (c === 1 ? '1 Posten' : `${n('de', c)} Posten`),
  statements: (c: number) => (c === 1 ? '1 Kontoauszug' : `${n('de', c)} Kontoauszüge`),
  approvals: (c: number) => (c === 1 ? '1 Freigabe offen' : `${n('de', c)} Freigaben offen`),
  refused: (c: number) => (c === 1 ? '1 abgewiesene Lieferung' : `${n('de', c)} abgewiesene Lieferungen`),
  closings: (c: number) => (c === 1 ? '1 Abschluss' : `${n('de', c)} Abschlüsse`),
};

export type ListTexts = typeof de;

const en: ListTexts = {
  csv: 'Download as a CSV file (all pages)',
  items: (c) => (c === 1 ? '1 item' : `${n('en', c)} items`),
  statements: (c) => (c === 1 ? '1 statement' : `${n('en', c)} statements`),
  approvals: (c) => (c === 1 ? '1 approval pending' : `${n('en', c)} approvals pending`),
  refused: (c) => (c === 1 ? '1 refused delivery' : `${n('en', c)} refused deliveries`),
  closings: (c) => (c === 1 ? '1 closing' : `${n('en', c)} closings`),
};

export const LIST_TEXTS: Record<Lang, ListTexts> = { de, en };
export const listTexts = (lang: Lang): ListTexts => LIST_TEXTS[lang];
