/**
 * JSON with exact decimal numbers. XBezahldienste sends amounts as JSON numbers (grosAmount:
 * 30.7); JSON.parse would turn them into floats, which money never passes through here. So numbers
 * are read as their source text and written from decimal text, untouched.
 */

/** Parses JSON text; every number arrives as its literal text ("30.70", "1e2"). */
export function parseJsonExact(text: string): unknown {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (ch === '"') {
      // Copy a string literal as is, escapes included.
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) throw new SyntaxError(`invalid number at position ${i}`);
      out += `"${m[0]}"`;
      i += m[0].length;
    } else {
      out += ch;
      i++;
    }
  }
  return JSON.parse(out);
}

// A per-process nonce in the marker: no text a citizen or provider sends can imitate it. Made on
// first use, not at module load: Cloudflare Workers refuse random values in global scope (the
// Worker would not start at all).
let marker: { mark: string; marked: RegExp } | undefined;
function markers(): { mark: string; marked: RegExp } {
  if (!marker) {
    const mark = `\u0000dec${crypto.randomUUID().replaceAll('-', '')}:`;
    marker = { mark, marked: new RegExp(`"\\\\u0000dec${mark.slice(4, -1)}:(-?\\d+(?:\\.\\d+)?)\\\\u0000"`, 'g') };
  }
  return marker;
}

/** A number to be written as this exact decimal text. */
export class JsonDecimal {
  constructor(readonly text: string) {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`not a decimal: ${text}`);
  }
  toJSON(): string {
    return `${markers().mark}${this.text}\u0000`;
  }
}

/** JSON.stringify, with JsonDecimal values written as bare numbers. */
export function stringifyJsonExact(value: unknown): string {
  return JSON.stringify(value).replace(markers().marked, '$1');
}
