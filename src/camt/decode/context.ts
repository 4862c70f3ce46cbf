import { XMLParser } from 'fast-xml-parser';
import { ValidationError } from '../../errors.js';
import { isIsoCurrency, minorExponent, parseMoney } from '../../money/money.js';
import type { CamtAmount, CreditDebit } from '../model.js';

/**
 * Shared helpers for the decoders: one fast-xml-parser configured for untrusted input, path
 * walking over its output, and a context that turns problems into errors and warnings that say
 * where (file, line, element path).
 */

/** A parsed element as fast-xml-parser returns it: a string, or an object of children and `@_` attributes. */
export type XNode = unknown;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  // Values stay strings: "00012" must not become 12, "1.50" must not become a float.
  parseTagValue: false,
  parseAttributeValue: false,
  // Entities are resolved by `text()` below (only the five predefined ones and character
  // references); the splitter has already refused any DOCTYPE, so no others can be defined.
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  // No path strings for callbacks we do not use: a third of the parser's time otherwise.
  jPath: false,
});

/** Parses one fragment cut out by the splitter (already checked for well-formedness). */
export function parseFragment(text: string): Record<string, XNode> {
  return parser.parse(text) as Record<string, XNode>;
}

export function isObject(v: XNode): v is Record<string, XNode> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** All values of a repeated child, in document order. */
export function list(node: XNode, name: string): XNode[] {
  if (!isObject(node)) return [];
  const v = node[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

const STEPS = new Map<string, string[]>();

/** The steps of a slash path; the decoders use a few hundred distinct paths, split once each. */
function steps(path: string): string[] {
  let s = STEPS.get(path);
  if (s === undefined) {
    s = path.split('/');
    STEPS.set(path, s);
  }
  return s;
}

/** Walks a slash path, taking the first of repeated elements. */
export function at(node: XNode, path: string): XNode {
  let cur = node;
  for (const step of steps(path)) {
    if (Array.isArray(cur)) cur = cur[0];
    if (!isObject(cur)) return undefined;
    cur = cur[step];
  }
  return Array.isArray(cur) ? cur[0] : cur;
}

/** Every node at a slash path, expanding repeated elements at each step. */
export function all(node: XNode, path: string): XNode[] {
  let cur: XNode[] = [node];
  for (const step of steps(path)) {
    const next: XNode[] = [];
    for (const n of cur) next.push(...list(n, step));
    cur = next;
  }
  return cur;
}

/** Text content of an element (entity references resolved), or undefined when absent. */
export function text(node: XNode): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node === 'string') return decodeEntities(node);
  if (isObject(node)) {
    const t = node['#text'];
    if (typeof t === 'string') return decodeEntities(t);
    if (Object.keys(node).every((k) => k.startsWith('@_'))) return '';
    return undefined;
  }
  if (Array.isArray(node)) return text(node[0]);
  return String(node);
}

export function textAt(node: XNode, path: string): string | undefined {
  const t = text(at(node, path));
  return t === '' ? undefined : t;
}

export function attr(node: XNode, name: string): string | undefined {
  if (!isObject(node)) return undefined;
  const v = node['@_' + name];
  return typeof v === 'string' ? decodeEntities(v) : undefined;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

export class EntityError extends Error {
  constructor(
    message: string,
    /** The offending reference as written, to find its line. */
    readonly ref: string,
  ) {
    super(message);
  }
}

/** Resolves the five XML entities and character references; anything else is an error. */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') === -1) return s;
  return s.replace(/&([^;&\s]{0,12});?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new EntityError(`"&" not followed by an entity reference in "${s.slice(0, 60)}"`, whole);
    if (ref.startsWith('#x') || ref.startsWith('#X')) return codePoint(ref.slice(2), 16, whole);
    if (ref.startsWith('#')) return codePoint(ref.slice(1), 10, whole);
    const v = PREDEFINED[ref];
    if (v === undefined) throw new EntityError(`the entity ${whole} is not defined (only &lt; &gt; &amp; &apos; &quot; and character references are)`, whole);
    return v;
  });
}

function codePoint(digits: string, radix: number, whole: string): string {
  const valid = radix === 16 ? /^[0-9a-fA-F]{1,6}$/ : /^[0-9]{1,7}$/;
  const cp = valid.test(digits) ? Number.parseInt(digits, radix) : NaN;
  if (!(cp >= 0x20 || cp === 0x9 || cp === 0xa || cp === 0xd) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    throw new EntityError(`the character reference ${whole} is not a valid character`, whole);
  }
  return String.fromCodePoint(cp);
}

/**
 * Where a fragment came from, and where its problems go. Warnings are sentences naming the file,
 * line and element path; errors are ValidationErrors with the same location.
 */
export class DecodeContext {
  /** Currency of the account, for amounts a bank sent without Ccy. */
  accountCurrency: string | undefined;

  constructor(
    readonly file: string,
    readonly source: string,
    readonly line: number,
    readonly basePath: string,
    readonly warnings: { push(sentence: string): void },
  ) {}

  /** Line of the first occurrence of `needle` in the fragment, else the fragment's first line. */
  lineOf(needle: string | undefined): number {
    if (!needle) return this.line;
    const i = this.source.indexOf(needle);
    if (i === -1) return this.line;
    let n = 0;
    for (let j = this.source.indexOf('\n'); j !== -1 && j < i; j = this.source.indexOf('\n', j + 1)) n++;
    return this.line + n;
  }

  fail(path: string, sentence: string, value?: string, needle?: string): never {
    const full = this.basePath + (path ? '/' + path : '');
    const line = this.lineOf(needle ?? (value === undefined ? undefined : '>' + value + '<'));
    throw new ValidationError(`${this.file} line ${line}, ${full}: ${sentence}`, { file: this.file, line, path: full });
  }

  warn(path: string, sentence: string, value?: string): void {
    const full = this.basePath + (path ? '/' + path : '');
    const line = this.lineOf(value === undefined ? undefined : '>' + value + '<');
    this.warnings.push(`${this.file} line ${line}, ${full}: ${sentence}`);
  }

  /** Text at a path, turning an undefined entity into an error at that element. */
  text(node: XNode, path: string): string | undefined {
    try {
      return textAt(node, path);
    } catch (e) {
      if (e instanceof EntityError) this.fail(path, e.message, undefined, e.ref);
      throw e;
    }
  }

  /**
   * An <Amt Ccy="EUR">8.850</Amt> element as minor units. Amounts are never negative in camt
   * (the sign is CdtDbtInd). More fraction digits than the currency has are rounded half-even
   * with a warning: genkgo/camt053.v2.five.decimals.xml and hbci4java's invalid-saldo file show
   * banks that send 8.850 or 1.23456.
   */
  amount(node: XNode, path: string, opts: { allowNegative?: boolean } = {}): CamtAmount | undefined {
    if (node === undefined) return undefined;
    let value: string | undefined;
    try {
      value = text(node);
    } catch (e) {
      if (e instanceof EntityError) this.fail(path, e.message, undefined, e.ref);
      throw e;
    }
    if (value === undefined || value === '') this.fail(path, 'the amount is empty');
    let currency = attr(node, 'Ccy');
    if (!currency) {
      if (!this.accountCurrency) this.fail(path, `the amount ${value} has no currency (no Ccy attribute and no account currency)`, value);
      currency = this.accountCurrency;
      this.warn(path, `the amount ${value} has no Ccy attribute; the account currency ${currency} is assumed`, value);
    }
    if (!isIsoCurrency(currency)) {
      this.fail(path, `the currency "${currency}" of the amount ${value} is not an ISO 4217 currency; the amount cannot be booked`, undefined, `"${currency}"`);
    }
    // Every lexical form of xs:decimal is a valid amount: ".6", "+1.0", "1." read exactly.
    const form = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(value);
    const decimal = form && (form[2] !== '' || (form[3] ?? '') !== '') ? `${form[1] === '-' ? '-' : ''}${form[2] || '0'}${form[3] ? `.${form[3]}` : ''}` : value;
    let money;
    try {
      money = parseMoney(decimal, currency, { allowExcessDigits: true, allowNegative: opts.allowNegative ?? false, field: path });
    } catch (e) {
      if (e instanceof ValidationError) this.fail(path, e.message.replace(/^[^:]*: /, ''), value);
      throw e;
    }
    const fraction = /\.(\d+)$/.exec(decimal)?.[1]?.length ?? 0;
    if (fraction > minorExponent(currency)) {
      this.warn(path, `the amount ${value} ${currency} has more decimal places than ${currency} has; rounded half-even to ${money.minor} minor units`, value);
    }
    return { minor: money.minor, currency };
  }

  creditDebit(node: XNode, path: string, fallback?: CreditDebit): CreditDebit | undefined {
    const v = this.text(node, path);
    if (v === undefined) return fallback;
    if (v === 'CRDT' || v === 'DBIT') return v;
    this.fail(path, `CdtDbtInd must be CRDT or DBIT, found "${v}"`, v);
  }

  /** A DateAndDateTimeChoice (<Dt> or <DtTm>): the calendar day, and the datetime where sent. */
  dateChoice(node: XNode, path: string): { date?: string; dateTime?: string } {
    if (node === undefined) return {};
    const dt = this.text(node, 'Dt');
    const dtTm = this.text(node, 'DtTm');
    const raw = dt ?? dtTm;
    if (raw === undefined) return {};
    // The day as the bank wrote it: a booking on 2014-01-05T23:30:00+01:00 was booked on the 5th
    // for that bank, whatever UTC says (oca/13.0/test-camt053-bookgdt-dttm.xml).
    const day = /^(\d{4}-\d{2}-\d{2})/.exec(raw)?.[1];
    if (!day || !validDay(day)) this.fail(`${path}/${dt !== undefined ? 'Dt' : 'DtTm'}`, `"${raw}" is not a date like 2024-03-31`, raw);
    return dtTm !== undefined ? { date: day, dateTime: dtTm } : { date: day };
  }
}

function validDay(day: string): boolean {
  const [y, m, d] = day.split('-').map((p) => Number.parseInt(p, 10)) as [number, number, number];
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}
