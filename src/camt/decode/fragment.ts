/**
 * A fast path for turning one fragment cut out by the splitter into the object shape
 * fast-xml-parser gives with our options (context.ts): names without namespace prefix, attributes
 * as `@_name`, values as trimmed strings, a repeated child as an array, text beside attributes
 * under `#text`, an empty element as ''.
 *
 * Why: the splitter has already checked the fragment for well-formedness, and fast-xml-parser's
 * general machinery (path matching, entity and value processing we switched off) took half of an
 * import's parsing time. This handles what bank files consist of – elements, attributes, text –
 * and answers `undefined` for anything else (comments, CDATA, processing instructions, mixed
 * content, `&` in an attribute, a carriage return, a name that is a property of every JavaScript
 * object): the caller then uses fast-xml-parser, so unusual input gets exactly the old treatment.
 * test/camt/fragment.test.ts compares both on every fixture.
 */

type Node = string | Record<string, unknown>;

/** Thrown inside the scan to fall back; never escapes parseSimpleFragment. */
const FALLBACK = Symbol('fallback');

interface Frame {
  name: string;
  obj: Record<string, unknown>;
  attrs: Array<[string, string]> | undefined;
  text: string | undefined;
  children: boolean;
}

const WS = /\S/;

function localOf(name: string): string {
  const c = name.indexOf(':');
  if (c < 0) return name;
  if (name.indexOf(':', c + 1) >= 0) throw FALLBACK;
  return name.slice(c + 1);
}

/** Names already found safe: the few dozen element names of camt, checked once each. */
const SAFE = new Set<string>();

function safe(name: string): string {
  if (SAFE.has(name)) return name;
  if (name === '' || name in Object.prototype || name === 'prototype' || name === '__proto__') throw FALLBACK;
  if (SAFE.size < 10_000) SAFE.add(name);
  return name;
}

function add(obj: Record<string, unknown>, name: string, value: Node): void {
  const prev = obj[name];
  if (prev === undefined) obj[name] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else obj[name] = [prev, value];
}

function finish(f: Frame): Node {
  if (f.text !== undefined && f.children) throw FALLBACK;
  if (f.attrs === undefined) {
    if (f.children) return f.obj;
    return f.text ?? '';
  }
  const out: Record<string, unknown> = f.children ? f.obj : {};
  if (f.text !== undefined && f.text.length > 0) out['#text'] = f.text;
  for (const [k, v] of f.attrs) out[k] = v;
  return out;
}

function parseAttributes(s: string, from: number, to: number): Array<[string, string]> | undefined {
  let attrs: Array<[string, string]> | undefined;
  let i = from;
  while (i < to) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10) {
      i++;
      continue;
    }
    const eq = s.indexOf('=', i);
    if (eq < 0 || eq >= to) throw FALLBACK;
    const rawName = s.slice(i, eq).trim();
    let q = eq + 1;
    while (q < to && (s.charCodeAt(q) === 32 || s.charCodeAt(q) === 9 || s.charCodeAt(q) === 10)) q++;
    const quote = s[q];
    if (quote !== '"' && quote !== "'") throw FALLBACK;
    const close = s.indexOf(quote, q + 1);
    if (close < 0 || close >= to) throw FALLBACK;
    const value = s.slice(q + 1, close);
    if (value.includes('&') || /\s/.test(rawName)) throw FALLBACK;
    i = close + 1;
    // xmlns and xmlns:p declarations are not attributes of the data (removeNSPrefix drops them).
    if (rawName === 'xmlns' || rawName.startsWith('xmlns:')) continue;
    const name = safe(localOf(rawName));
    (attrs ??= []).push([`@_${name}`, value.trim()]);
  }
  return attrs;
}

/** The fragment as fast-xml-parser would give it, or undefined when it must parse it itself. */
export function parseSimpleFragment(s: string): Record<string, unknown> | undefined {
  if (s.includes('\r') || s.includes('<!') || s.includes('<?')) return undefined;
  try {
    const root: Frame = { name: '', obj: {}, attrs: undefined, text: undefined, children: true };
    const stack: Frame[] = [root];
    let top = root;
    let i = 0;
    const n = s.length;
    while (i < n) {
      const lt = s.indexOf('<', i);
      const textEnd = lt < 0 ? n : lt;
      if (textEnd > i) {
        const raw = s.slice(i, textEnd);
        if (WS.test(raw)) {
          if (top === root || top.text !== undefined) throw FALLBACK;
          top.text = raw.trim();
        }
      }
      if (lt < 0) break;
      const gt = s.indexOf('>', lt + 1);
      if (gt < 0) throw FALLBACK;
      if (s.charCodeAt(lt + 1) === 47 /* / */) {
        const name = s.slice(lt + 2, gt).trim();
        if (stack.length < 2 || name !== top.name) throw FALLBACK;
        stack.pop();
        const parent = stack[stack.length - 1]!;
        add(parent.obj, safe(localOf(top.name)), finish(top));
        parent.children = true;
        top = parent;
        i = gt + 1;
        continue;
      }
      const selfClosing = s.charCodeAt(gt - 1) === 47;
      const end = selfClosing ? gt - 1 : gt;
      let nameEnd = lt + 1;
      while (nameEnd < end) {
        const c = s.charCodeAt(nameEnd);
        if (c === 32 || c === 9 || c === 10) break;
        nameEnd++;
      }
      const name = s.slice(lt + 1, nameEnd);
      if (top !== root && top.text !== undefined) throw FALLBACK;
      const frame: Frame = { name, obj: {}, attrs: parseAttributes(s, nameEnd, end), text: undefined, children: false };
      if (selfClosing) {
        add(top.obj, safe(localOf(name)), finish(frame));
        top.children = true;
      } else {
        stack.push(frame);
        top = frame;
      }
      i = gt + 1;
    }
    if (stack.length !== 1) return undefined;
    return root.obj;
  } catch (e) {
    if (e === FALLBACK) return undefined;
    throw e;
  }
}
