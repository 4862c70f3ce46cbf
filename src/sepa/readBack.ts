/**
 * Reading a written pain file back piece by piece: the document's head (group header and payment
 * information up to the first transaction), each transaction element, and the tail. Each piece is
 * parsed on its own (fast-xml-parser), so a file of 100,000 direct debits is checked with the
 * memory of one transaction, as the camt reader does for statements (src/camt/xml/splitter.ts).
 *
 * The cut is made at the transaction element's tags. That is sound for the files this reads: they
 * are Stadtkasse's own (pain008.ts, or the `sepa` library for pain.001), with every text escaped,
 * so "<DrctDbtTxInf>" cannot occur inside a text; the head and every piece are still parsed as XML,
 * and whatever stands between two transactions or after the last must be whitespace or the
 * closing tags, or the file is refused.
 */

/** One transaction element, or the head, is never near this long; a file that makes one so is refused. */
const MAX_PIECE_CHARS = 1024 * 1024;

export type PainPiece = { kind: 'head'; text: string } | { kind: 'transaction'; text: string } | { kind: 'tail'; text: string };

/** Cuts the text of a pain document, arriving in chunks, into its head, transactions and tail. */
export async function* painPieces(chunks: AsyncIterable<string>, element: 'DrctDbtTxInf' | 'CdtTrfTxInf'): AsyncGenerator<PainPiece> {
  const open = `<${element}>`;
  const close = `</${element}>`;
  let buf = '';
  let at = 0;
  let inHead = true;
  const tooLong = () => new Error(`pain read-back: a piece of the file is longer than ${MAX_PIECE_CHARS} characters`);
  function* drain(end: boolean): Generator<PainPiece> {
    for (;;) {
      if (inHead) {
        const i = buf.indexOf(open, at);
        if (i < 0) {
          if (buf.length - at > MAX_PIECE_CHARS) throw tooLong();
          if (end) throw new Error(`pain read-back: the file has no ${element}`);
          return;
        }
        yield { kind: 'head', text: buf.slice(at, i) };
        at = i;
        inHead = false;
        continue;
      }
      let s = at;
      while (s < buf.length && /\s/.test(buf[s]!)) s++;
      if (buf.startsWith(open, s)) {
        const j = buf.indexOf(close, s);
        if (j < 0) {
          if (buf.length - s > MAX_PIECE_CHARS) throw tooLong();
          if (end) throw new Error(`pain read-back: the file ends inside a ${element}`);
          return;
        }
        yield { kind: 'transaction', text: buf.slice(s, j + close.length) };
        at = j + close.length;
        continue;
      }
      // Not (yet) a transaction: only at the end is the rest the tail.
      if (buf.length - at > MAX_PIECE_CHARS) throw tooLong();
      if (!end) return;
      yield { kind: 'tail', text: buf.slice(at) };
      at = buf.length;
      return;
    }
  }
  for await (const chunk of chunks) {
    // Only the unread rest is carried over: appending to a 512 KB buffer and cutting it a thousand
    // times would copy it a thousand times.
    buf = buf.slice(at) + chunk;
    at = 0;
    yield* drain(false);
  }
  yield* drain(true);
}

/** Text from UTF-8 byte chunks (a multi-byte character may be split between two chunks). */
export async function* utf8Text(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const c of chunks) {
    const text = decoder.decode(c, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** The closing tags after the last transaction, whitespace allowed between them. */
export function isTail(text: string, root: 'CstmrDrctDbtInitn' | 'CstmrCdtTrfInitn'): boolean {
  return new RegExp(`^\\s*</PmtInf>\\s*</${root}>\\s*</Document>\\s*$`).test(text);
}

/** Integer cents from an amount written with two decimals ("30.70"), or an error naming the format. */
export function writtenCents(text: unknown, format: string): bigint {
  const s = String(text);
  if (!/^\d{1,15}\.\d{2}$/.test(s)) throw new Error(`${format}: amount "${s}" is not written with two decimals`);
  return BigInt(s.replace('.', ''));
}
