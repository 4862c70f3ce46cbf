/**
 * The fast path for fragments (src/camt/decode/fragment.ts) must give exactly what fast-xml-parser
 * gives, or step aside. Compared on every fragment of our fixtures and of the shared corpus, and on
 * hand-made cases of what it must leave to fast-xml-parser.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSimpleFragment } from '../../src/camt/decode/fragment.js';
import { parseWithFastXmlParser } from '../../src/camt/decode/context.js';
import { ByteDecoder } from '../../src/camt/xml/encoding.js';
import { XmlSplitter } from '../../src/camt/xml/splitter.js';
import { LIMITS } from '../../src/limits.js';
import { fixtureDir, repoRoot } from './helpers.js';

function fragmentsOf(file: string): string[] {
  const decoder = new ByteDecoder(file);
  const splitter = new XmlSplitter(file, LIMITS);
  const texts: string[] = [];
  try {
    const text = decoder.push(new Uint8Array(readFileSync(file))) + decoder.end();
    for (const f of [...splitter.push(text), ...splitter.end()]) if ('text' in f) texts.push(f.text);
  } catch {
    // A file the reader refuses has no fragments to compare beyond those cut before the error.
  }
  return texts;
}

const corpus = path.resolve(repoRoot, '../shared/camt-corpus/files');
const files = [
  ...readdirSync(fixtureDir).filter((f) => f.endsWith('.xml')).map((f) => path.join(fixtureDir, f)),
  ...(existsSync(corpus) ? readdirSync(corpus, { recursive: true }).map(String).filter((f) => f.endsWith('.xml')).map((f) => path.join(corpus, f)) : []),
];

describe('fragment fast path', () => {
  it('gives what fast-xml-parser gives on every fragment of the fixtures and the corpus', () => {
    let compared = 0;
    let fast = 0;
    for (const file of files) {
      for (const text of fragmentsOf(file)) {
        const mine = parseSimpleFragment(text);
        compared++;
        if (mine === undefined) continue;
        fast++;
        // Key order too: a decoder that walks keys must see them as before.
        expect(JSON.stringify(mine), `${file}: ${text.slice(0, 80)}`).toBe(JSON.stringify(parseWithFastXmlParser(text)));
      }
    }
    expect(compared).toBeGreaterThan(100);
    expect(fast / compared).toBeGreaterThan(0.5);
  });

  it.each([
    ['<Ntry><Amt Ccy="EUR"> 1.00 </Amt><A/><A x="1"/><A>t</A><B><C>1</C><C>2</C></B><D xmlns="urn:x" xsi:type=" y "></D></Ntry>'],
    ['<p:Ntry xmlns:p="urn:x"><p:Amt p:Ccy=\'EUR\'>1.00</p:Amt><E>a &amp; b &#228;</E><F>  </F></p:Ntry>'],
    ['<Ntry>\n  <Amt\n Ccy = "EUR"\n>1</Amt>\n</Ntry>'],
  ])('agrees with fast-xml-parser on %s', (text) => {
    const mine = parseSimpleFragment(text);
    expect(mine).toBeDefined();
    expect(JSON.stringify(mine)).toBe(JSON.stringify(parseWithFastXmlParser(text)));
  });

  it.each([
    ['comment', '<Ntry><!-- x --><Amt>1</Amt></Ntry>'],
    ['CDATA', '<Ntry><Amt><![CDATA[1]]></Amt></Ntry>'],
    ['processing instruction', '<Ntry><?pi x?><Amt>1</Amt></Ntry>'],
    ['mixed content', '<Ntry>text<Amt>1</Amt></Ntry>'],
    ['mixed content after a child', '<Ntry><Amt>1</Amt>text</Ntry>'],
    ['an entity in an attribute', '<Ntry><Amt Ccy="E&amp;R">1</Amt></Ntry>'],
    ['> in an attribute', '<Ntry><Amt Ccy="a>b">1</Amt></Ntry>'],
    ['a carriage return', '<Ntry>\r\n<Amt>1</Amt></Ntry>'],
    ['a name every object has', '<Ntry><constructor>1</constructor></Ntry>'],
    ['__proto__', '<Ntry><__proto__><x>1</x></__proto__></Ntry>'],
    ['two prefixes', '<Ntry><a:b:c>1</a:b:c></Ntry>'],
  ])('leaves %s to fast-xml-parser', (_what, text) => {
    expect(parseSimpleFragment(text)).toBeUndefined();
  });
});
