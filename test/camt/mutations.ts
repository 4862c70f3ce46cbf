/**
 * Mutations of bank files as a bank or an attacker could produce them (truncation, byte flips,
 * duplicated and removed elements, absurd amounts, other encodings, DOCTYPE/entities, ZIP members),
 * seeded, over the golden fixtures and the shared corpus (../shared/camt-corpus, read from beside
 * the checkout, left out when absent). Used by the reader's fuzzer and by the one through the
 * database.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { fixtureDir, repoRoot } from './helpers.js';

/** Seeds larger than this are left out: cases must stay cheap to reach the count in the budget. */
const MAX_SEED_BYTES = 12 * 1024;

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(xml|zip)$/i.test(f) && statSync(p).size <= MAX_SEED_BYTES) out.push(p);
  }
  return out.sort();
}

const corpus = path.resolve(repoRoot, '../shared/camt-corpus/files');
export const seeds = [...files(fixtureDir), ...files(corpus)].map((f) => ({ name: path.basename(f), bytes: new Uint8Array(readFileSync(f)) }));

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const bytesOf = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const ABSURD = ['99999999999999999999999.99', '-1.00', '1e5', '.', '0.0000001', '+.5', '1.2.3', 'NaN', '١٢٣', '00000000000000000000000000001', ''];

export type Mutation = (b: Uint8Array, r: () => number) => Uint8Array;

export const pick = <T,>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;

/** Simple elements <X ...>text</X> of a document, as [start, end) offsets in its latin1 text. */
function simpleElements(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = /<([A-Za-z][\w:.-]*)(\s[^<>]*)?>[^<]*<\/\1>/g;
  for (let m = re.exec(text); m && out.length < 400; m = re.exec(text)) out.push([m.index, m.index + m[0].length]);
  return out;
}

export const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, r) => b.slice(0, Math.floor(r() * b.length)),
  flipBytes: (b, r) => {
    const c = b.slice();
    for (let i = 0, n = 1 + Math.floor(r() * 4); i < n && c.length > 0; i++) {
      const at = Math.floor(r() * c.length);
      c[at] = c[at]! ^ (1 << Math.floor(r() * 8));
    }
    return c;
  },
  duplicateElement: (b, r) => {
    const t = latin1(b);
    const els = simpleElements(t);
    if (els.length === 0) return b;
    const [s, e] = pick(els, r);
    return bytesOf(t.slice(0, e) + t.slice(s, e) + t.slice(e));
  },
  removeElement: (b, r) => {
    const t = latin1(b);
    const els = simpleElements(t);
    if (els.length === 0) return b;
    const [s, e] = pick(els, r);
    return bytesOf(t.slice(0, s) + t.slice(e));
  },
  absurdAmount: (b, r) => {
    const t = latin1(b);
    const amounts = [...t.matchAll(/(<(?:\w+:)?(?:Amt|InstdAmt|TxAmt|TtlAmt)\b[^>]*>)([^<]*)</g)];
    if (amounts.length === 0) return b;
    const m = pick(amounts, r);
    const at = m.index! + m[1]!.length;
    return bytesOf(t.slice(0, at) + pick(ABSURD, r) + t.slice(at + m[2]!.length));
  },
  swapDirection: (b) => bytesOf(latin1(b).replace(/>CRDT</, '>DBIT<').replace(/>DBIT</, '>CRDT<')),
  encoding: (b, r) => {
    const t = latin1(b);
    switch (Math.floor(r() * 4)) {
      case 0:
        return bytesOf(t.replace(/^<\?xml[^>]*\?>/, '').replace(/a/, '\u00e4'));
      case 1:
        return bytesOf(t.replace(/encoding="[^"]*"/, 'encoding="ISO-8859-1"'));
      case 2:
        return bytesOf(t.replace(/encoding="[^"]*"/, 'encoding="EBCDIC"'));
      default: {
        const c = new Uint8Array(b.length + 2);
        c.set([0xff, 0xfe]);
        c.set(b, 2);
        return c;
      }
    }
  },
  doctype: (b, r) => {
    const t = latin1(b).replace(/^<\?xml[^>]*\?>/, '');
    const inject = pick(['<!DOCTYPE d [<!ENTITY x "xx">]>', '<!DOCTYPE d SYSTEM "file:///etc/passwd">', '<!ENTITY y "1">'], r);
    const withRef = t.replace(/<Ustrd>/, '<Ustrd>&x;');
    return bytesOf(inject + withRef);
  },
  zipMember: (b, r) => {
    const members: Record<string, Uint8Array> = { 'a.xml': b };
    if (r() < 0.5) members['b.xml'] = b.slice(0, Math.floor(r() * b.length));
    if (r() < 0.3) members['__MACOSX/._a.xml'] = new Uint8Array([1, 2, 3]);
    const zip = zipSync(members, { level: r() < 0.5 ? 0 : 6 });
    return r() < 0.3 ? zip.slice(0, Math.floor(r() * zip.length)) : zip;
  },
};
export const NAMES = Object.keys(MUTATIONS);

/** One mutated file: 1 or 2 mutations of a seed. */
export function mutant(r: () => number): { seed: string; bytes: Uint8Array; applied: string[] } {
  const seed = pick(seeds, r);
  let bytes: Uint8Array = seed.bytes;
  const applied: string[] = [];
  for (let i = 0, steps = 1 + Math.floor(r() * 2); i < steps; i++) {
    const name = pick(NAMES, r);
    applied.push(name);
    bytes = MUTATIONS[name]!(bytes, r);
  }
  return { seed: seed.name, bytes, applied };
}
