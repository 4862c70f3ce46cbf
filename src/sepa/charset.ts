/**
 * Text in SEPA files as the Deutsche Kreditwirtschaft accepts it everywhere (DFÜ-Abkommen
 * Anlage 3, the EPC's basic Latin set): a–z A–Z 0–9 / - ? : ( ) . , ' + and the space. Umlauts and
 * ß are spelled out (Müller → Mueller), other letters lose their accents, anything else becomes a
 * space; runs of spaces collapse. Ids (MsgId, PmtInfId, EndToEndId, mandate reference) must not
 * start with "/" nor contain "//".
 */

export const SEPA_TEXT = /^[A-Za-z0-9/\-?:().,'+ ]*$/;

const SPELLED: Record<string, string> = { Ä: 'Ae', Ö: 'Oe', Ü: 'Ue', ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss', '&': '+', '„': "'", '“': "'", '‚': "'", '‘': "'", '’': "'", '"': "'", '–': '-', '—': '-', '_': '-' };

/** `text` in the DK character set, cut to `max` characters (at a word end when one is near). */
export function sepaText(text: string, max: number): string {
  let out = '';
  for (const ch of text) {
    const spelled = SPELLED[ch];
    if (spelled !== undefined) {
      out += spelled;
      continue;
    }
    const bare = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    out += SEPA_TEXT.test(bare) ? bare : ' ';
  }
  out = out.replace(/\s+/g, ' ').trim();
  if (out.length <= max) return out;
  const cut = out.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return (space >= max - 10 ? cut.slice(0, space) : cut).trim();
}

/** An identifier the DK rules allow: 1–35 characters of the set, not starting with "/", no "//". */
export function isSepaId(id: string, max = 35): boolean {
  return id.length >= 1 && id.length <= max && SEPA_TEXT.test(id) && !id.startsWith('/') && !id.includes('//');
}
