import { LimitExceededError, ValidationError } from '../../errors.js';
import { SEQUENCES, type Sequence } from './sequences.js';

/**
 * A small streaming XML tokenizer that cuts a camt document into the pieces we parse one by one:
 * the group header, each child of a statement that is not an entry (the record header), and each
 * <Ntry>. It keeps in memory only the piece being cut plus one unfinished chunk, so a 500 MB
 * statement is read with the memory of its largest entry.
 *
 * It checks well-formedness as it goes (tags nest, attributes are quoted, nothing after the root)
 * and refuses DOCTYPE and ENTITY declarations outright: a bank statement never needs them, and they
 * are the door to entity bombs and to reading local files or URLs (XXE). Entity references in text
 * are left as they are; the decoders resolve the five predefined ones and character references.
 *
 * Below the parser the decoders see element names without prefixes and one value per name, so
 * what would be read with an arbitrary meaning is refused here, where line and column are known:
 * an attribute given twice, an element of another namespace inside a camt document, and a child
 * out of schema order or repeated where one is allowed (./sequences.ts).
 *
 * Positions are 1-based line and column in characters of the decoded text.
 */

/** Message (root-child) elements by local name, with the record element each one holds. */
export const MESSAGE_ELEMENTS: Readonly<Record<string, string>> = {
  BkToCstmrStmt: 'Stmt',
  BkToCstmrAcctRpt: 'Rpt',
  BkToCstmrDbtCdtNtfctn: 'Ntfctn',
  // Version .001.01 named the message element with a version suffix (genkgo/camt052.v1.xml).
  BkToCstmrStmtV01: 'Stmt',
  BkToCstmrAcctRptV01: 'Rpt',
  BkToCstmrDbtCdtNtfctnV01: 'Ntfctn',
};

export interface Position {
  line: number;
  column: number;
}

export type Fragment =
  | ({ kind: 'appHdr'; text: string } & Position)
  | ({ kind: 'document'; element: string; namespace: string | undefined; declared: string[]; implicit: boolean; path: string } & Position)
  | ({ kind: 'message'; element: string; recordElement: string; path: string } & Position)
  | ({ kind: 'foreign'; element: string; path: string } & Position)
  | ({ kind: 'groupHeader'; text: string; path: string } & Position)
  | ({ kind: 'recordStart'; element: string; path: string } & Position)
  | ({ kind: 'recordPart'; element: string; text: string; path: string } & Position)
  | ({ kind: 'entry'; text: string; path: string } & Position)
  | ({ kind: 'recordEnd'; path: string } & Position)
  | ({ kind: 'messageEnd'; path: string } & Position)
  | ({ kind: 'documentEnd'; path: string } & Position);

export interface SplitterLimits {
  xmlDepth: number;
  textLength: number;
  entryBytes: number;
}

const enum Role {
  Outer,
  Document,
  Message,
  Record,
  Capture,
  Inner,
  Skip,
}

const enum CaptureKind {
  None,
  AppHdr,
  GroupHeader,
  RecordPart,
  Entry,
}

/** Pieces of markup larger than this without their end are refused (an endless comment or tag). */
const TAG_FACTOR = 4;

export class XmlSplitter {
  private buf = '';
  /** Absolute character offset of buf[0]. */
  private base = 0;
  /** Next position to scan, relative to buf. */
  private pos = 0;

  private line = 1;
  private lineStartAbs = 0;
  private countedTo = 0;

  private readonly names: string[] = [];
  private readonly roles: Role[] = [];
  private readonly lines: number[] = [];
  private readonly cols: number[] = [];
  /** Namespace declarations per open element (undefined when it declares none). */
  private readonly scopes: Array<Map<string, string> | undefined> = [];
  /** Default namespace in scope inside each open element. */
  private readonly defaults: Array<string | undefined> = [];
  /** Per open element: the checked sequence of its children, the last child's rank, the children seen (bits by rank). */
  private readonly sequences: Array<Sequence | undefined> = [];
  private readonly lastRank: number[] = [];
  private readonly lastChild: string[] = [];
  private readonly seenChildren: number[] = [];
  /** Depth of the open <Document> and its namespace; -1 outside a document. */
  private documentDepth = -1;
  private documentNamespace: string | undefined;
  /** Depth of an open SplmtryData/Envlp, whose content may be of any namespace; -1 when none. */
  private anyDepth = -1;
  /** Record element name expected inside the current message element. */
  private recordElement = '';
  private recordIndex = 0;
  private entryIndex = 0;
  private recordPath = '';

  private capKind: CaptureKind = CaptureKind.None;
  private capDepth = -1;
  private capStartAbs = 0;
  private capLine = 0;
  private capCol = 0;
  private capName = '';

  private textStartAbs = 0;
  private rootSeen = false;
  private rootClosed = false;
  private sawDocument = false;
  private rootName = '';

  private out: Fragment[] = [];

  constructor(
    private readonly file: string,
    private readonly limits: SplitterLimits,
  ) {}

  /** The root element's name, for "this is not a camt file" messages. */
  get root(): string {
    return this.rootName;
  }

  get foundDocument(): boolean {
    return this.sawDocument;
  }

  /** Feeds decoded text; returns the fragments completed by it. */
  push(text: string): Fragment[] {
    if (text.length > 0) {
      if (this.capKind === CaptureKind.None && this.pos === this.buf.length) {
        // Everything so far is consumed: start a fresh buffer instead of growing the old one.
        this.countLinesTo(this.base + this.pos);
        this.base += this.pos;
        this.buf = text;
        this.pos = 0;
      } else {
        this.buf += text;
      }
      this.scan(false);
      this.trim();
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Signals the end of the text; throws when the document is not complete. */
  end(): Fragment[] {
    this.scan(true);
    if (this.pos < this.buf.length) {
      const at = this.positionOf(this.base + this.pos);
      throw this.malformed(`the file ends inside markup that starts at line ${at.line}, column ${at.column}`, at);
    }
    if (this.names.length > 0) {
      const i = this.names.length - 1;
      const endAt = this.positionOf(this.base + this.buf.length);
      throw this.malformed(
        `unclosed element <${this.names[i]}> opened at line ${this.lines[i]}, column ${this.cols[i]}: the file ends at line ${endAt.line}`,
        { line: this.lines[i]!, column: this.cols[i]! },
      );
    }
    if (!this.rootSeen) {
      throw this.malformed('the file contains no XML element', { line: 1, column: 1 });
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  private scan(final: boolean): void {
    const buf = this.buf;
    const n = buf.length;
    let i = this.pos;
    while (i < n) {
      const lt = buf.indexOf('<', i);
      if (lt === -1) {
        this.text(i, n);
        i = n;
        break;
      }
      if (lt > i) this.text(i, lt);
      i = lt;
      if (lt + 1 >= n) break;
      const c = buf.charCodeAt(lt + 1);
      if (c === 47 /* / */) {
        const gt = buf.indexOf('>', lt + 2);
        if (gt === -1) {
          this.pending(lt, this.limits.textLength * TAG_FACTOR, 'textLength', final);
          break;
        }
        this.endTag(lt, gt);
        i = gt + 1;
      } else if (c === 33 /* ! */) {
        const next = this.bang(lt, final);
        if (next === -1) break;
        i = next;
      } else if (c === 63 /* ? */) {
        const end = buf.indexOf('?>', lt + 2);
        if (end === -1) {
          this.pending(lt, this.limits.entryBytes, 'entryBytes', final);
          break;
        }
        this.processingInstruction(lt, end);
        i = end + 2;
      } else {
        const gt = this.findTagEnd(lt + 1);
        if (gt === -1) {
          this.pending(lt, this.limits.textLength * TAG_FACTOR, 'textLength', final);
          break;
        }
        this.startTag(lt, gt);
        i = gt + 1;
      }
      this.textStartAbs = this.base + i;
    }
    this.pos = i;
    if (this.capKind !== CaptureKind.None && this.base + i - this.capStartAbs > this.limits.entryBytes) this.captureTooLarge();
  }

  private captureTooLarge(): never {
    throw new LimitExceededError(
      'entryBytes',
      this.limits.entryBytes,
      undefined,
      { file: this.file, line: this.capLine, column: this.capCol, path: this.pathOf(this.capDepth) },
      `<${this.capName}> opened at line ${this.capLine}, column ${this.capCol} in ${this.file} is larger than the limit entryBytes of ${this.limits.entryBytes} characters`,
    );
  }

  /** Handles `<!`: comment, CDATA, or a refused DOCTYPE/ENTITY. Returns the next index or -1 to wait. */
  private bang(lt: number, final: boolean): number {
    const buf = this.buf;
    const head = buf.slice(lt, lt + 9);
    if (head.startsWith('<!--')) {
      const end = buf.indexOf('-->', lt + 4);
      if (end === -1) {
        this.pending(lt, this.limits.entryBytes, 'entryBytes', final);
        return -1;
      }
      return end + 3;
    }
    if (head === '<![CDATA[') {
      const end = buf.indexOf(']]>', lt + 9);
      if (end === -1) {
        this.pending(lt, this.limits.textLength, 'textLength', final);
        return -1;
      }
      if (this.names.length === 0) {
        throw this.malformed('text (CDATA) outside the root element', this.positionOf(this.base + lt));
      }
      if (end - lt - 9 > this.limits.textLength) this.textTooLong(lt);
      return end + 3;
    }
    const upper = head.toUpperCase();
    if (upper.startsWith('<!DOCTYPE') || upper.startsWith('<!ENTITY')) {
      const at = this.positionOf(this.base + lt);
      const what = upper.startsWith('<!DOCTYPE') ? 'DOCTYPE' : 'ENTITY';
      throw new ValidationError(
        `${this.file} line ${at.line}, column ${at.column}: a <!${what}> declaration is refused; bank statements need none, and they can expand entities or load local files and URLs`,
        { file: this.file, line: at.line, column: at.column },
      );
    }
    if (head.length < 9 && !final && '<!DOCTYPE'.startsWith(upper)) return -1;
    if (head.length < 9 && !final && ('<![CDATA['.startsWith(head) || '<!--'.startsWith(head) || '<!ENTITY'.startsWith(upper))) return -1;
    throw this.malformed(`unexpected markup "${head}"`, this.positionOf(this.base + lt));
  }

  private processingInstruction(lt: number, end: number): void {
    const target = /^[^\s?]*/.exec(this.buf.slice(lt + 2, Math.min(end, lt + 40)))?.[0] ?? '';
    if (target.toLowerCase() === 'xml' && this.base + lt !== 0) {
      throw this.malformed('an XML declaration may only stand at the very start of the file', this.positionOf(this.base + lt));
    }
  }

  /** Index of the `>` closing a start tag, skipping `>` inside quoted attribute values. */
  private findTagEnd(from: number): number {
    const buf = this.buf;
    const n = buf.length;
    let quote = 0;
    for (let j = from; j < n; j++) {
      const c = buf.charCodeAt(j);
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === 62 /* > */) {
        return j;
      } else if (c === 34 || c === 39) {
        quote = c;
      } else if (c === 60 /* < */) {
        throw this.malformed('a "<" inside a tag (a tag is not closed with ">")', this.positionOf(this.base + j));
      }
    }
    return -1;
  }

  private startTag(lt: number, gt: number): void {
    const buf = this.buf;
    const selfClosing = buf.charCodeAt(gt - 1) === 47;
    const innerEnd = selfClosing ? gt - 1 : gt;
    let j = lt + 1;
    while (j < innerEnd) {
      const c = buf.charCodeAt(j);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47) break;
      j++;
    }
    const name = buf.slice(lt + 1, j);
    const at = this.positionOf(this.base + lt);
    if (!isName(name)) {
      throw this.malformed(`"<${name.slice(0, 30)}" is not a valid element name`, at);
    }
    if (this.rootClosed) {
      throw this.malformed(`a second root element <${name}> after the root element <${this.rootName}> was closed`, at);
    }
    let decls: Map<string, string> | undefined;
    if (j < innerEnd) decls = this.attributes(j, innerEnd, name, at);

    const depth = this.names.length;
    if (depth + 1 > this.limits.xmlDepth) {
      throw new LimitExceededError(
        'xmlDepth',
        this.limits.xmlDepth,
        depth + 1,
        { file: this.file, line: at.line, column: at.column, path: this.pathOf(depth - 1) + '/' + name },
        `<${name}> at line ${at.line}, column ${at.column} in ${this.file} is nested ${depth + 1} elements deep; the limit xmlDepth allows ${this.limits.xmlDepth}`,
      );
    }
    if (!this.rootSeen) {
      this.rootSeen = true;
      this.rootName = name;
    }
    const local = localName(name);
    const parent: Role = depth === 0 ? Role.Outer : this.roles[depth - 1]!;
    let role: Role;
    this.names.push(name);
    this.lines.push(at.line);
    this.cols.push(at.column);
    this.scopes.push(decls);
    const inherited = depth === 0 ? undefined : this.defaults[depth - 1];
    const own = decls?.get('');
    this.defaults.push(own === undefined ? inherited : own === '' ? undefined : own);
    if (depth > 0) this.checkChild(depth, name, local, at);
    this.sequences.push(this.anyDepth === -1 && this.documentDepth !== -1 ? SEQUENCES.get(local) : undefined);
    this.lastRank.push(-1);
    this.lastChild.push('');
    this.seenChildren.push(0);
    if (local === 'Envlp' && this.anyDepth === -1) this.anyDepth = depth;
    switch (parent) {
      case Role.Outer:
        if (local === 'Document') {
          role = Role.Document;
          this.sawDocument = true;
          const ns = this.resolve(prefixOf(name));
          this.documentDepth = depth;
          this.documentNamespace = ns;
          this.out.push({ kind: 'document', element: name, namespace: ns, declared: this.declaredNamespaces(), implicit: false, path: this.pathOf(depth), ...at });
        } else if (local in MESSAGE_ELEMENTS) {
          // A message element without the <Document> around it: read it as if it were there.
          role = Role.Message;
          this.sawDocument = true;
          const ns = this.resolve(prefixOf(name));
          this.documentDepth = depth;
          this.documentNamespace = ns;
          this.out.push({ kind: 'document', element: name, namespace: ns, declared: this.declaredNamespaces(), implicit: true, path: this.pathOf(depth), ...at });
          this.enterMessage(local, depth, at);
        } else if (local === 'AppHdr') {
          role = Role.Capture;
          this.beginCapture(CaptureKind.AppHdr, lt, depth, at, name);
        } else {
          role = Role.Outer;
        }
        break;
      case Role.Document:
        if (local in MESSAGE_ELEMENTS) {
          role = Role.Message;
          this.enterMessage(local, depth, at);
        } else {
          role = Role.Skip;
          this.out.push({ kind: 'foreign', element: name, path: this.pathOf(depth), ...at });
        }
        break;
      case Role.Message:
        if (local === 'GrpHdr') {
          role = Role.Capture;
          this.beginCapture(CaptureKind.GroupHeader, lt, depth, at, name);
        } else if (local === this.recordElement) {
          role = Role.Record;
          this.recordIndex++;
          this.entryIndex = 0;
          this.recordPath = `${this.pathOf(depth - 1)}/${local}[${this.recordIndex}]`;
          this.out.push({ kind: 'recordStart', element: local, path: this.recordPath, ...at });
        } else {
          role = Role.Skip;
        }
        break;
      case Role.Record:
        role = Role.Capture;
        if (local === 'Ntry') {
          this.entryIndex++;
          this.beginCapture(CaptureKind.Entry, lt, depth, at, name);
        } else {
          this.beginCapture(CaptureKind.RecordPart, lt, depth, at, name);
        }
        break;
      default:
        role = Role.Inner;
    }
    this.roles.push(role);
    if (selfClosing) this.closeTop(lt, gt);
  }

  /**
   * A child of the element at depth - 1, checked against the document's namespace and against the
   * parent's schema sequence. The child is already on the stack at `depth`.
   */
  private checkChild(depth: number, name: string, local: string, at: Position): void {
    if (this.documentDepth !== -1 && this.documentNamespace !== undefined && this.anyDepth === -1) {
      const prefix = prefixOf(name);
      const ns = prefix === '' ? this.defaults[depth] : this.resolve(prefix);
      if (ns !== this.documentNamespace) {
        const where = ns === undefined
          ? prefix === '' ? 'in no namespace' : `in the undeclared prefix "${prefix}"`
          : `in the namespace "${ns}"`;
        throw this.refused(
          `<${name}> is ${where}, not in the document's namespace "${this.documentNamespace}"; an element of another vocabulary is not read as camt`,
          at,
        );
      }
    }
    const seq = this.sequences[depth - 1];
    if (seq === undefined) return;
    const index = seq.bit.get(local);
    if (index === undefined) return;
    const parent = localName(this.names[depth - 1]!);
    const bit = 1 << index;
    if ((this.seenChildren[depth - 1]! & bit) !== 0 && seq.once.has(local)) {
      throw this.refused(`a second <${local}> in <${parent}>, where one is allowed; which one the bank meant is unknown`, at);
    }
    this.seenChildren[depth - 1]! |= bit;
    const rank = seq.rank.get(local);
    if (rank === undefined) return;
    if (rank < this.lastRank[depth - 1]!) {
      throw this.refused(
        `<${local}> after <${this.lastChild[depth - 1]}> in <${parent}> is out of schema order (the schema puts <${local}> before <${this.lastChild[depth - 1]}>)`,
        at,
      );
    }
    this.lastRank[depth - 1] = rank;
    this.lastChild[depth - 1] = local;
  }

  private enterMessage(local: string, depth: number, at: Position): void {
    this.recordElement = MESSAGE_ELEMENTS[local]!;
    this.recordIndex = 0;
    this.out.push({ kind: 'message', element: local, recordElement: this.recordElement, path: this.pathOf(depth), ...at });
  }

  private beginCapture(kind: CaptureKind, lt: number, depth: number, at: Position, name: string): void {
    this.capKind = kind;
    this.capDepth = depth;
    this.capStartAbs = this.base + lt;
    this.capLine = at.line;
    this.capCol = at.column;
    this.capName = name;
  }

  /** Parses attributes for well-formedness and length; returns namespace declarations, if any. */
  private attributes(from: number, to: number, element: string, at: Position): Map<string, string> | undefined {
    const src = this.buf.slice(from, to);
    let decls: Map<string, string> | undefined;
    const seen: string[] = [];
    ATTR.lastIndex = 0;
    let k = 0;
    while (k < src.length) {
      ATTR.lastIndex = k;
      const m = ATTR.exec(src);
      if (!m) {
        if (/^\s*$/.test(src.slice(k))) break;
        throw this.malformed(`attributes of <${element}> are not well-formed near "${src.slice(k, k + 30).trim()}"`, at);
      }
      const attr = m[1]!;
      const value = m[3] ?? m[4] ?? '';
      if (seen.includes(attr)) {
        // Not well-formed XML; a parser that keeps the last (or the first) picks a meaning for us.
        throw this.malformed(`the attribute ${attr} is given twice on <${element}>; which value the bank meant is unknown`, at);
      }
      seen.push(attr);
      if (value.length > this.limits.textLength) {
        throw new LimitExceededError('textLength', this.limits.textLength, value.length, { file: this.file, line: at.line, column: at.column },
          `attribute ${attr} of <${element}> at line ${at.line}, column ${at.column} in ${this.file} is ${value.length} characters long; the limit textLength allows ${this.limits.textLength}`);
      }
      if (attr === 'xmlns' || attr.startsWith('xmlns:')) {
        decls ??= new Map();
        decls.set(attr === 'xmlns' ? '' : attr.slice(6), value);
      }
      k = ATTR.lastIndex;
    }
    return decls;
  }

  private endTag(lt: number, gt: number): void {
    const name = this.buf.slice(lt + 2, gt).trimEnd();
    const depth = this.names.length;
    if (depth === 0) {
      throw this.malformed(`closing tag </${name}> without an open element`, this.positionOf(this.base + lt));
    }
    const open = this.names[depth - 1]!;
    if (name !== open) {
      const at = this.positionOf(this.base + lt);
      throw this.malformed(
        `unclosed element <${open}> opened at line ${this.lines[depth - 1]}, column ${this.cols[depth - 1]}: found </${name}> at line ${at.line}, column ${at.column}`,
        { line: this.lines[depth - 1]!, column: this.cols[depth - 1]! },
      );
    }
    this.closeTop(lt, gt);
  }

  /** Closes the innermost open element whose end tag (or self-closing start tag) ends at gt. */
  private closeTop(lt: number, gt: number): void {
    const depth = this.names.length - 1;
    const role = this.roles[depth]!;
    if (depth === this.capDepth) {
      if (this.base + gt + 1 - this.capStartAbs > this.limits.entryBytes) this.captureTooLarge();
      const text = this.buf.slice(this.capStartAbs - this.base, gt + 1);
      const pos = { line: this.capLine, column: this.capCol };
      switch (this.capKind) {
        case CaptureKind.AppHdr:
          this.out.push({ kind: 'appHdr', text, ...pos });
          break;
        case CaptureKind.GroupHeader:
          this.out.push({ kind: 'groupHeader', text, path: this.pathOf(depth), ...pos });
          break;
        case CaptureKind.Entry:
          this.out.push({ kind: 'entry', text, path: `${this.recordPath}/Ntry[${this.entryIndex}]`, ...pos });
          break;
        case CaptureKind.RecordPart:
          this.out.push({ kind: 'recordPart', element: localName(this.capName), text, path: `${this.recordPath}/${localName(this.capName)}`, ...pos });
          break;
        default:
          break;
      }
      this.capKind = CaptureKind.None;
      this.capDepth = -1;
    } else if (role === Role.Record || role === Role.Message || role === Role.Document) {
      const at = this.positionOf(this.base + lt);
      const kind = role === Role.Record ? 'recordEnd' : role === Role.Message ? 'messageEnd' : 'documentEnd';
      const path = role === Role.Record ? this.recordPath : this.pathOf(depth);
      this.out.push({ kind, path, ...at });
      // A message element standing as root (no <Document>) ends its implicit document too.
      if (role === Role.Message && (depth === 0 || this.roles[depth - 1] !== Role.Document)) {
        this.out.push({ kind: 'documentEnd', path, ...at });
      }
    }
    this.names.pop();
    this.roles.pop();
    this.lines.pop();
    this.cols.pop();
    this.scopes.pop();
    this.defaults.pop();
    this.sequences.pop();
    this.lastRank.pop();
    this.lastChild.pop();
    this.seenChildren.pop();
    if (depth === this.anyDepth) this.anyDepth = -1;
    if (depth === this.documentDepth) {
      this.documentDepth = -1;
      this.documentNamespace = undefined;
    }
    if (this.names.length === 0) this.rootClosed = true;
  }

  private text(from: number, to: number): void {
    if (this.base + to - this.textStartAbs > this.limits.textLength) {
      // Whitespace between elements of a pretty-printed file is not a text node worth limiting,
      // but a run this long is either hostile or broken either way.
      this.textTooLong(from);
    }
    if (this.names.length === 0) {
      const buf = this.buf;
      for (let j = from; j < to; j++) {
        const c = buf.charCodeAt(j);
        if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xfeff) {
          throw this.malformed(
            this.rootClosed ? `text after the end of the root element <${this.rootName}>` : 'text before the root element',
            this.positionOf(this.base + j),
          );
        }
      }
    }
  }

  private textTooLong(rel: number): never {
    const depth = this.names.length;
    // Reported at the enclosing element, so the message does not depend on chunk boundaries.
    const at = depth > 0 ? { line: this.lines[depth - 1]!, column: this.cols[depth - 1]! } : this.positionOf(Math.max(this.base + rel, this.countedTo));
    throw new LimitExceededError(
      'textLength',
      this.limits.textLength,
      undefined,
      { file: this.file, line: at.line, column: at.column, path: this.pathOf(depth - 1) },
      `the text in <${this.names[depth - 1] ?? '(no element)'}> opened at line ${at.line}, column ${at.column} in ${this.file} is longer than the limit textLength of ${this.limits.textLength} characters`,
    );
  }

  /** Unfinished markup at the end of the buffer: wait for more, unless it is already too long. */
  private pending(lt: number, max: number, limit: 'textLength' | 'entryBytes', final: boolean): void {
    const at = this.positionOf(this.base + lt);
    if (final) {
      throw this.malformed(`the file ends inside markup that starts at line ${at.line}, column ${at.column}`, at);
    }
    if (this.buf.length - lt > max) {
      throw new LimitExceededError(limit, max, undefined, { file: this.file, line: at.line, column: at.column },
        `markup starting at line ${at.line}, column ${at.column} in ${this.file} is not closed within ${max} characters (limit ${limit})`);
    }
  }

  /** Drops text that is neither being cut out nor unscanned. */
  private trim(): void {
    const keep = this.capKind === CaptureKind.None ? this.pos : Math.min(this.pos, this.capStartAbs - this.base);
    if (keep < 65536 && keep * 2 < this.buf.length) return;
    this.countLinesTo(this.base + keep);
    this.buf = this.buf.slice(keep);
    this.base += keep;
    this.pos -= keep;
  }

  private countLinesTo(abs: number): void {
    const buf = this.buf;
    let j = this.countedTo - this.base;
    const end = abs - this.base;
    for (;;) {
      const nl = buf.indexOf('\n', j);
      if (nl === -1 || nl >= end) break;
      this.line++;
      this.lineStartAbs = this.base + nl + 1;
      j = nl + 1;
    }
    if (abs > this.countedTo) this.countedTo = abs;
  }

  /** Line and column of an absolute offset at or after everything asked before. */
  private positionOf(abs: number): Position {
    if (abs >= this.countedTo) this.countLinesTo(abs);
    return { line: this.line, column: abs - this.lineStartAbs + 1 };
  }

  private resolve(prefix: string): string | undefined {
    for (let d = this.scopes.length - 1; d >= 0; d--) {
      const ns = this.scopes[d]?.get(prefix);
      if (ns !== undefined) return ns === '' ? undefined : ns;
    }
    return undefined;
  }

  /** Every namespace declared on the open elements (to recognise a camt namespace on an unused prefix). */
  private declaredNamespaces(): string[] {
    const all: string[] = [];
    for (const s of this.scopes) if (s) for (const v of s.values()) all.push(v);
    return all;
  }

  private pathOf(depth: number): string {
    return this.names.slice(0, depth + 1).map(localName).join('/');
  }

  /** Well-formed XML that the reader will not give a meaning to. */
  private refused(sentence: string, at: Position): ValidationError {
    return new ValidationError(`${this.file} line ${at.line}, column ${at.column}: ${sentence}`, {
      file: this.file,
      line: at.line,
      column: at.column,
      path: this.pathOf(this.names.length - 1),
    });
  }

  private malformed(sentence: string, at: Position): ValidationError {
    return new ValidationError(`${this.file} line ${at.line}, column ${at.column}: malformed XML: ${sentence}`, {
      file: this.file,
      line: at.line,
      column: at.column,
      path: this.pathOf(this.names.length - 1) || undefined,
    });
  }
}

const ATTR = /\s+([^\s=/>"']+)\s*=\s*("([^"]*)"|'([^']*)')/y;

function isName(name: string): boolean {
  if (name.length === 0) return false;
  const c = name.charCodeAt(0);
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c > 127;
}

export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

function prefixOf(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? '' : name.slice(0, colon);
}
