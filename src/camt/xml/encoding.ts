import { UnsupportedFormatError, ValidationError } from '../../errors.js';

/**
 * Turns the bytes of one XML document into text, chunk by chunk. The encoding comes from a byte
 * order mark or the XML declaration; without either it is UTF-8 (XML 1.0, section 4.3.3).
 *
 * German banks still deliver camt files declared `encoding="ISO-8859-1"` (older Sparkasse and
 * Volksbank exports, see fixtures/camt/camt053.v02.latin1.xml), so Latin-1 is decoded here by
 * hand: TextDecoder on Cloudflare Workers only promises UTF-8. Like browsers (WHATWG Encoding),
 * ISO-8859-1 is read as windows-1252, its superset, so a "€" sent as 0x80 survives.
 */

type Kind = 'utf-8' | 'windows-1252' | 'iso-8859-15' | 'utf-16le' | 'utf-16be';

/** Bytes we look at for the XML declaration before deciding. */
const SNIFF_BYTES = 1024;

export class ByteDecoder {
  private head: Uint8Array | undefined = new Uint8Array(0);
  private kind: Kind | undefined;
  private utf: TextDecoder | undefined;
  private bytesSeen = 0;
  /** True when nothing (no BOM, no declaration) named the encoding and UTF-8 is only the default. */
  private undeclared = false;
  /** Bytes at the end of the last chunk that may start an incomplete UTF-8 sequence. */
  private tail: Uint8Array = new Uint8Array(0);
  /** Set once, when the bytes were read as ISO-8859-1 for want of a declaration. */
  warning: string | undefined;

  constructor(private readonly file: string) {}

  get encoding(): string | undefined {
    return this.kind;
  }

  push(bytes: Uint8Array): string {
    if (this.kind === undefined) {
      const head = concat(this.head!, bytes);
      if (head.length < SNIFF_BYTES && !declarationComplete(head)) {
        this.head = head;
        return '';
      }
      this.head = undefined;
      return this.start(head);
    }
    return this.decode(bytes, false);
  }

  end(): string {
    if (this.kind === undefined) {
      const head = this.head!;
      this.head = undefined;
      return this.start(head) + this.decode(new Uint8Array(0), true);
    }
    return this.decode(new Uint8Array(0), true);
  }

  private start(head: Uint8Array): string {
    let skip = 0;
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
      this.kind = 'utf-8';
      skip = 3;
    } else if (head[0] === 0xff && head[1] === 0xfe) {
      this.kind = 'utf-16le';
      skip = 2;
    } else if (head[0] === 0xfe && head[1] === 0xff) {
      this.kind = 'utf-16be';
      skip = 2;
    } else {
      this.kind = fromDeclaration(head, this.file);
      // An XML declaration without encoding declares UTF-8 (XML 1.0, 4.3.3): only a file without
      // any declaration may turn out to be ISO-8859-1.
      this.undeclared = this.kind === 'utf-8' && !(head[0] === 0x3c && head[1] === 0x3f && head[2] === 0x78 && head[3] === 0x6d && head[4] === 0x6c);
    }
    if (this.kind === 'utf-8' || this.kind === 'utf-16le' || this.kind === 'utf-16be') {
      try {
        this.utf = new TextDecoder(this.kind, { fatal: true, ignoreBOM: true });
      } catch {
        throw new UnsupportedFormatError(`${this.file}: the text encoding ${this.kind} cannot be decoded on this runtime`, { file: this.file });
      }
    }
    return this.decode(head.subarray(skip), false, skip);
  }

  private decode(bytes: Uint8Array, final: boolean, skipped = 0): string {
    const at = this.bytesSeen;
    this.bytesSeen += bytes.length + skipped;
    if (this.utf) {
      try {
        const text = this.utf.decode(bytes, { stream: !final });
        if (this.undeclared) this.tail = incompleteTail(this.tail, bytes);
        return text;
      } catch {
        if (this.undeclared) {
          // FinTS downloads from German savings banks arrive in ISO-8859-1 without a declaration.
          // Bytes that are not UTF-8 and that nothing declared are read as ISO-8859-1 (as
          // windows-1252, its superset), from the bytes the UTF-8 decoder was still holding on.
          this.utf = undefined;
          this.kind = 'windows-1252';
          this.warning = `${this.file}: the file has no XML declaration and is not valid UTF-8; read as ISO-8859-1 (check umlauts and names against the bank's statement)`;
          return decodeSingleByte(concat(this.tail, bytes), CP1252);
        }
        throw new ValidationError(
          `${this.file}: the bytes near offset ${at} are not valid ${this.kind === 'utf-8' ? 'UTF-8' : 'UTF-16'}; a file in ISO-8859-1 must say so in its XML declaration (encoding="ISO-8859-1")`,
          { file: this.file },
        );
      }
    }
    return this.kind === 'iso-8859-15' ? decodeSingleByte(bytes, LATIN9) : decodeSingleByte(bytes, CP1252);
  }
}

/**
 * The trailing bytes of `prev + bytes` that begin a UTF-8 sequence not yet complete (at most 3):
 * what a streaming UTF-8 decoder holds back and what must be re-read if the encoding changes.
 */
function incompleteTail(prev: Uint8Array, bytes: Uint8Array): Uint8Array {
  const all = bytes.length >= 4 ? bytes : concat(prev, bytes);
  for (let back = 1; back <= 3 && back <= all.length; back++) {
    const b = all[all.length - back]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? all.slice(all.length - back) : new Uint8Array(0);
  }
  return new Uint8Array(0);
}

function declarationComplete(head: Uint8Array): boolean {
  // Without a declaration the first byte is not "<?"; with one we wait for its "?>".
  if (head.length < 5) return false;
  const start = head[0] === 0xef ? 3 : 0;
  if (head[start] !== 0x3c || head[start + 1] !== 0x3f) return head.length > start + 1;
  for (let i = start + 2; i + 1 < head.length; i++) if (head[i] === 0x3f && head[i + 1] === 0x3e) return true;
  return false;
}

function fromDeclaration(head: Uint8Array, file: string): Kind {
  if (head[0] === 0x3c && head[1] === 0x00) return 'utf-16le';
  if (head[0] === 0x00 && head[1] === 0x3c) return 'utf-16be';
  let ascii = '';
  for (let i = 0; i < head.length && i < SNIFF_BYTES; i++) {
    ascii += String.fromCharCode(head[i]!);
    if (head[i] === 0x3e) break;
  }
  const decl = /^<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(ascii);
  if (!decl) return 'utf-8';
  const label = decl[1]!.toLowerCase();
  if (label === 'utf-8' || label === 'utf8') return 'utf-8';
  if (['iso-8859-1', 'iso8859-1', 'latin1', 'latin-1', 'l1', 'windows-1252', 'cp1252', 'us-ascii', 'ascii'].includes(label)) {
    return 'windows-1252';
  }
  if (label === 'iso-8859-15' || label === 'latin-9' || label === 'latin9') return 'iso-8859-15';
  if (label === 'utf-16' || label === 'utf-16le') return 'utf-16le';
  if (label === 'utf-16be') return 'utf-16be';
  throw new UnsupportedFormatError(
    `${file}: the XML declaration names the encoding "${decl[1]}"; camt files are read in UTF-8, UTF-16, ISO-8859-1 or ISO-8859-15`,
    { file, line: 1, column: 1 },
  );
}

/** windows-1252 code points for bytes 0x80–0x9F (undefined positions map to themselves). */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];
const CP1252: string[] = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! : b));
/** ISO-8859-15 differs from Latin-1 in eight positions (€ at 0xA4 and seven letters). */
const LATIN9: string[] = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));
for (const [b, cp] of [[0xa4, 0x20ac], [0xa6, 0x160], [0xa8, 0x161], [0xb4, 0x17d], [0xb8, 0x17e], [0xbc, 0x152], [0xbd, 0x153], [0xbe, 0x178]] as const) {
  LATIN9[b] = String.fromCharCode(cp);
}

function decodeSingleByte(bytes: Uint8Array, table: string[]): string {
  let out = '';
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    out += table[bytes[i]!]!;
    if (out.length >= 8192) {
      parts.push(out);
      out = '';
    }
  }
  parts.push(out);
  return parts.join('');
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
