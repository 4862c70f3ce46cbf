/**
 * The folded form of a debtor's name stored as `debtorNameKey`, so that "Müller-Lüdenscheidt,
 * Jürgen", "MUELLER LUEDENSCHEIDT JUERGEN" and "Muller Ludenscheidt Jurgen" can be compared by the
 * matcher and searched with one index.
 *
 * German umlauts are expanded (ä → ae) rather than stripped, because that is how banks transliterate
 * them in SEPA's restricted character set and how people type them without a German keyboard; other
 * accents (é, ç, ø's base letter where Unicode decomposes it) are dropped. Token order is kept: the
 * matcher compares tokens itself and "Anna Berg" / "Berg Anna" is its decision, not ours.
 */
const EXPAND: Readonly<Record<string, string>> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', þ: 'th' };

export function foldName(name: string): string {
  return (
    name
      // NFC first so a decomposed "u + combining diaeresis" is expanded like "ü".
      .normalize('NFC')
      .toLowerCase()
      .replace(/[äöüßæœøłđþ]/g, (c) => EXPAND[c]!)
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim()
  );
}
