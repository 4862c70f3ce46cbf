import { LimitExceededError, UnsupportedFormatError, ValidationError } from '../errors.js';
import type { LIMITS } from '../limits.js';
import { addEntry, checkBalance, detailsDisagreement, disagreementSentence, newTotals, type BookedTotals } from './checks.js';
import { DecodeContext, parseFragment } from './decode/context.js';
import { decodeEntry, decodeGroupHeader, decodeRecordHeader } from './decode/records.js';
import type { BalanceCheck, Entry, MessageHeader, StatementHeader } from './model.js';
import { inferVersion, versionForNamespace, type CamtVersion } from './versions.js';
import { XmlSplitter, type Fragment } from './xml/splitter.js';
import { WarningList } from './warnings.js';

export type CamtEvent =
  | { type: 'document'; file: string; header: MessageHeader }
  | { type: 'record'; header: StatementHeader }
  | { type: 'entry'; entry: Entry }
  | { type: 'recordEnd'; header: StatementHeader; entryCount: number; check: BalanceCheck }
  | { type: 'documentEnd'; warnings: string[] };

export type Limits = { -readonly [K in keyof typeof LIMITS]: number };

/** Counters shared by every document of one uploaded file (all members of a ZIP). */
export interface FileCounters {
  entries: number;
}

interface OpenRecord {
  index: number;
  path: string;
  line: number;
  column: number;
  parts: string[];
  chars: number;
  header: StatementHeader | undefined;
  partsAtHeader: number;
  entries: number;
  totals: BookedTotals;
}

const CAMT_LIKE = /camt\.05[234]/;

/**
 * Reads one XML document, pushed as text, into CamtEvents. Knows the camt structure (namespace →
 * version descriptor, GrpHdr before records, records hold entries); the splitter below it knows
 * XML, the decoders beside it know elements.
 */
export class DocumentReader {
  private readonly splitter: XmlSplitter;
  private warnings: WarningList;
  private version: CamtVersion | undefined;
  private namespace: string | undefined;
  private declared: string[] = [];
  private documentLine = 0;
  private businessMessageId: string | undefined;
  private message: MessageHeader | undefined;
  private sawMessage = false;
  private records = 0;
  private record: OpenRecord | undefined;
  private documents = 0;

  constructor(
    private readonly file: string,
    private readonly limits: Limits,
    private readonly counters: FileCounters,
  ) {
    this.splitter = new XmlSplitter(file, limits);
    this.warnings = new WarningList(limits.warningsListed);
  }

  /** A problem found below the XML (the byte decoder), reported with the document's warnings. */
  warn(sentence: string): void {
    this.warnings.push(sentence);
  }

  push(text: string): CamtEvent[] {
    return this.handle(this.splitter.push(text));
  }

  end(): CamtEvent[] {
    const events = this.handle(this.splitter.end());
    if (!this.splitter.foundDocument) {
      throw new UnsupportedFormatError(
        `${this.file}: not a camt document: the root element is <${this.splitter.root}> and no <Document> with a camt.052, camt.053 or camt.054 message was found in it`,
        { file: this.file, line: 1, column: 1 },
      );
    }
    return events;
  }

  private handle(fragments: Fragment[]): CamtEvent[] {
    const out: CamtEvent[] = [];
    for (const f of fragments) this.fragment(f, out);
    return out;
  }

  private where(f: { line: number; column: number }): string {
    return `${this.file} line ${f.line}, column ${f.column}`;
  }

  private fragment(f: Fragment, out: CamtEvent[]): void {
    switch (f.kind) {
      case 'appHdr': {
        const hdr = parseFragment(f.text)['AppHdr'];
        const ctx = new DecodeContext(this.file, f.text, f.line, 'AppHdr', this.warnings);
        this.businessMessageId = ctx.text(hdr, 'BizMsgIdr');
        return;
      }
      case 'document':
        this.startDocument(f);
        return;
      case 'foreign':
        if (this.version) {
          throw new ValidationError(
            `${this.where(f)}: a ${this.version.version} document holds <${f.element}> where <${this.version.messageElement}> belongs`,
            { file: this.file, line: f.line, column: f.column, path: f.path },
          );
        }
        throw new UnsupportedFormatError(
          `${this.where(f)}: not a camt.052, camt.053 or camt.054 document: <Document> holds <${f.element}>${this.namespace ? ` in namespace "${this.namespace}"` : ' (and no namespace)'}`,
          { file: this.file, line: f.line, column: f.column, path: f.path },
        );
      case 'message':
        this.startMessage(f);
        return;
      case 'groupHeader': {
        const version = this.version!;
        const ctx = new DecodeContext(this.file, f.text, f.line, f.path, this.warnings);
        const header = decodeGroupHeader(parseFragment(f.text)['GrpHdr'], version, ctx);
        if (this.businessMessageId !== undefined) header.businessMessageId = this.businessMessageId;
        this.message = header;
        out.push({ type: 'document', file: this.file, header });
        return;
      }
      case 'recordStart':
        if (!this.message) {
          // libeufin's GLS and PostFinance samples (libeufin/nexus/sample/platform/*) are cut down
          // to the records: no GrpHdr. The records are still readable; the message id is empty.
          const v = this.version!;
          this.message = { kind: v.kind, version: v.version, messageId: '' };
          if (v.namespace) this.message.namespace = v.namespace;
          if (this.businessMessageId !== undefined) this.message.businessMessageId = this.businessMessageId;
          this.warnings.push(`${this.where(f)}: the ${v.version} message has no group header (GrpHdr) before <${f.element}>; read without a message id`);
          out.push({ type: 'document', file: this.file, header: this.message });
        }
        this.record = {
          index: this.records++,
          path: f.path,
          line: f.line,
          column: f.column,
          parts: [],
          chars: 0,
          header: undefined,
          partsAtHeader: 0,
          entries: 0,
          totals: newTotals(),
        };
        return;
      case 'recordPart': {
        const r = this.record!;
        r.parts.push(f.text);
        r.chars += f.text.length;
        if (r.chars > this.limits.entryBytes) {
          throw new LimitExceededError('entryBytes', this.limits.entryBytes, r.chars, { file: this.file, line: r.line, column: r.column, path: r.path },
            `the header of ${r.path} at line ${r.line} in ${this.file} (everything but its entries) is larger than the limit entryBytes of ${this.limits.entryBytes} characters`);
        }
        return;
      }
      case 'entry':
        this.entry(f, out);
        return;
      case 'recordEnd': {
        const r = this.record!;
        if (!r.header) this.emitRecord(r, out);
        else if (r.parts.length !== r.partsAtHeader) {
          // Children after the entries (AddtlStmtInf): the closing header includes them.
          const scratch: string[] = [];
          r.header = this.decodeHeader(r, scratch);
          this.warnings.push(...scratch);
        }
        const check = checkBalance(r.header!, r.totals);
        out.push({ type: 'recordEnd', header: r.header!, entryCount: r.entries, check });
        this.record = undefined;
        return;
      }
      case 'messageEnd':
        if (!this.message) {
          throw new ValidationError(
            `${this.where(f)}: the ${this.version!.version} message has neither a group header (GrpHdr) nor a <${this.version!.recordElement}>: there is nothing to import`,
            { file: this.file, line: f.line, column: f.column, path: f.path },
          );
        }
        if (this.records === 0) {
          throw new ValidationError(
            `${this.where(f)}: the ${this.version!.version} message ${this.message.messageId} contains no <${this.version!.recordElement}>: there is nothing to import`,
            { file: this.file, line: f.line, column: f.column, path: f.path },
          );
        }
        return;
      case 'documentEnd':
        if (!this.sawMessage) {
          const what = this.version ? `a ${this.version.version} <Document>` : '<Document>';
          throw new ValidationError(
            `${this.where({ line: this.documentLine, column: 1 })}: ${what} contains no camt message (BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn)`,
            { file: this.file, line: this.documentLine, path: f.path },
          );
        }
        out.push({ type: 'documentEnd', warnings: this.warnings.list() });
        this.warnings = new WarningList(this.limits.warningsListed);
        return;
    }
  }

  private startDocument(f: Extract<Fragment, { kind: 'document' }>): void {
    this.documents++;
    this.version = undefined;
    this.message = undefined;
    this.sawMessage = false;
    this.records = 0;
    this.namespace = f.namespace;
    this.declared = f.declared;
    this.documentLine = f.line;
    const ns = f.namespace;
    if (ns === undefined) return; // decided by the message element
    const v = versionForNamespace(ns);
    if (v) {
      this.version = v;
      return;
    }
    const loc = { file: this.file, line: f.line, column: f.column, path: f.path };
    if (CAMT_LIKE.test(ns) && /\.001\.\d{2}$/.test(ns)) {
      throw new UnsupportedFormatError(`${this.where(f)}: the namespace "${ns}" is a camt version we do not read (we read .001.01 to .001.14)`, loc);
    }
    throw new UnsupportedFormatError(
      `${this.where(f)}: the document's namespace is "${ns}", which is not a camt.052, camt.053 or camt.054 namespace (urn:iso:std:iso:20022:tech:xsd:camt.05x.001.nn)`,
      loc,
    );
  }

  private startMessage(f: Extract<Fragment, { kind: 'message' }>): void {
    this.sawMessage = true;
    const loc = { file: this.file, line: f.line, column: f.column, path: f.path };
    if (this.version) {
      if (f.element !== this.version.messageElement && f.element !== this.version.messageElement.replace(/V01$/, '')) {
        throw new ValidationError(
          `${this.where(f)}: the namespace says ${this.version.version}, but the message element is <${f.element}> instead of <${this.version.messageElement}>`,
          loc,
        );
      }
      return;
    }
    const v = inferVersion(f.element, this.declared);
    if (!v) throw new UnsupportedFormatError(`${this.where(f)}: <${f.element}> is not a camt message element`, loc);
    this.version = v;
    const hint = this.declared.find((d) => CAMT_LIKE.test(d));
    this.warnings.push(
      `${this.where(f)}: the document has no camt namespace${hint ? ` ("${hint}" is declared only on a prefix its elements do not use)` : ''}; read as ${v.kind} from its message element <${f.element}>`,
    );
  }

  private decodeHeader(r: OpenRecord, warnings: { push(sentence: string): void }): StatementHeader {
    const v = this.version!;
    const text = `<${v.recordElement}>${r.parts.join('')}</${v.recordElement}>`;
    const ctx = new DecodeContext(this.file, text, r.line, r.path, warnings);
    return decodeRecordHeader(parseFragment(text)[v.recordElement], v, r.index, ctx);
  }

  private emitRecord(r: OpenRecord, out: CamtEvent[]): void {
    r.header = this.decodeHeader(r, this.warnings);
    r.partsAtHeader = r.parts.length;
    out.push({ type: 'record', header: r.header });
  }

  private entry(f: Extract<Fragment, { kind: 'entry' }>, out: CamtEvent[]): void {
    const r = this.record!;
    if (!r.header) this.emitRecord(r, out);
    this.counters.entries++;
    if (this.counters.entries > this.limits.entriesPerFile) {
      throw new LimitExceededError('entriesPerFile', this.limits.entriesPerFile, this.counters.entries,
        { file: this.file, line: f.line, column: f.column, path: f.path },
        `${this.file} holds more than ${this.limits.entriesPerFile} entries (limit entriesPerFile); the one at line ${f.line} is one too many`);
    }
    const ctx = new DecodeContext(this.file, f.text, f.line, f.path, this.warnings);
    ctx.accountCurrency = r.header!.account.currency;
    const entry = decodeEntry(parseFragment(f.text)['Ntry'], this.version!, r.entries, f.line, ctx);
    if (entry.transactions.length > this.limits.transactionsPerEntry) {
      throw new LimitExceededError('transactionsPerEntry', this.limits.transactionsPerEntry, entry.transactions.length,
        { file: this.file, line: f.line, column: f.column, path: f.path },
        `${f.path} at line ${f.line} in ${this.file} has ${entry.transactions.length} transaction details; the limit transactionsPerEntry allows ${this.limits.transactionsPerEntry}`);
    }
    const disagreement = detailsDisagreement(entry);
    if (disagreement) {
      entry.detailsDisagree = disagreement;
      this.warnings.push(`${this.file} ${f.path}: ${disagreementSentence(entry, disagreement)}`);
    }
    r.entries++;
    addEntry(r.totals, entry);
    out.push({ type: 'entry', entry });
  }
}
