/**
 * Reads one file the bank delivered (camt.052/053/054 XML, or a ZIP of them) into the ledger.
 *
 * All or nothing: the whole file is read inside one database transaction; malformed XML, a limit
 * exceeded or a statement whose balances do not add up throws, and nothing of the file is stored.
 * Exactly once: the same file again (same SHA-256) answers with the first import's result; a
 * statement already read (inside another file) is recognised by its fingerprint and skipped; a
 * booking already read in an earlier statement (the intraday camt.052, then the camt.053 of the
 * same day) is stored for the record but marked as a duplicate and never matched or booked again.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { assertBalanced, readCamt, statementFingerprint, entryDedupeKey } from '../../camt/index.js';
import { ENTRY_CONTENT_GROUPS, HEADER_CONTENT_GROUPS, differingGroups, entryContent, entryContentDigest, fnv1a64, headerContent } from '../../camt/identity.js';
import type { BalanceCheck, Entry, MessageHeader, StatementHeader } from '../../camt/model.js';
import type { Ctx } from '../../context.js';
import { isUniqueViolation, type Tx } from '../../db/database.js';
import { BULK_TABLES, bulkInsert } from '../../db/bulk.js';
import { ConflictError, LimitExceededError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { formatMinor } from '../../money/money.js';
import { WarningList } from '../../camt/warnings.js';
import { writeAudit } from '../shared/audit.js';
import { newId, toHex } from '../shared/ids.js';
import { entryRow, statementRow, transactionRows, type EntryRow, type TransactionRow } from './rows.js';
import { OriginalFileCollector, type Reopen } from './originalFile.js';
import type { KeptEvent, ReadAheadFactory } from './readAhead.js';
import { recordRefusedDelivery, type ContentDifference } from './refusedDeliveries.js';
import { matchingLeaseUntil } from './matchingLease.js';

export interface ImportInput {
  /** The file as a stream of chunks (HTTP body, file stream) or whole. */
  source: AsyncIterable<Uint8Array> | Uint8Array;
  fileName?: string;
  onProgress?: (p: { bytes: number; entries: number }) => void;
  /** The file's size when known before reading (a spooled upload): a file too big to keep is not collected. */
  totalBytes?: number;
  /** The same file read again from the start (a spooled upload, a file on disk): its original is kept from there, not held in memory. */
  reopen?: Reopen;
  /**
   * The id to store the import under, when the caller handed one out before the import ran (an
   * upload queued on Workers answers 202 with it). Default: a new id.
   */
  importId?: string;
  /** Where the file's events are kept when it is read before the write transaction (readAhead.ts). */
  readAhead?: ReadAheadFactory;
}

export interface ImportedStatement {
  id: string;
  kind: string;
  version: string;
  bankStatementId: string;
  accountIban: string | null;
  electronicSequenceNumber: string | null;
  file: string;
  entries: number;
  balanceCheck: { status: BalanceCheck['status']; difference: string; reason: string };
  sequenceGaps: Array<{ from: string; to: string }>;
  /** Set when this statement had been read before: it was not stored again. */
  alreadyImported?: { statementId: string; importId: string };
}

export interface ImportResult {
  importId: string;
  fileName: string | null;
  sha256: string;
  bytes: number;
  /** True when this answer is the replay of an earlier import of the same file. */
  replayed: boolean;
  statements: ImportedStatement[];
  entries: { read: number; new: number; duplicates: number; notBooked: number };
  transactions: number;
  warnings: string[];
  /**
   * How many transactions this import stored for the matcher (matchImport reads them page by page
   * from the database; a million ids are never held). Not part of the JSON.
   */
  newTransactions?: number;
}

/** Rows are written in batches of this many entries (one round trip each, not one per row). */
const WRITE_BATCH = 500;

export async function importStatementFile({ ctx, input }: { ctx: Ctx; input: ImportInput }): Promise<ImportResult> {
  const hasher = sha256.create();
  let bytes = 0;
  const limit = LIMITS.statementFileBytes;
  // The file as delivered is kept for download, in this same transaction (originalFile.ts).
  const original = new OriginalFileCollector(input.totalBytes, input.reopen);
  async function* hashed(): AsyncGenerator<Uint8Array> {
    const chunks = input.source instanceof Uint8Array ? [input.source] : input.source;
    for await (const chunk of chunks) {
      bytes += chunk.byteLength;
      if (bytes > limit) throw new LimitExceededError('statementFileBytes', limit, bytes, { file: input.fileName ?? 'upload' });
      hasher.update(chunk);
      original.add(chunk);
      yield chunk;
    }
  }

  const importId = input.importId ?? newId();
  const fileName = input.fileName ?? null;
  let digestHex: string | undefined;
  const read = () => readCamt(hashed(), { ...(input.fileName ? { fileName: input.fileName } : {}), ...(input.onProgress ? { onProgress: input.onProgress } : {}) });
  let events: AsyncIterable<KeptEvent> | undefined;
  const ahead = input.readAhead?.();
  try {
    if (ahead) {
      // The whole file is read, checked and hashed before the write transaction (readAhead.ts): a
      // refused file never takes the writer, and the writer waits on no reading.
      // What an entry's content comes to (its digest, the statement's hash over all entries) is
      // computed here as well: it depends on the file alone.
      let entriesHash: ReturnType<typeof sha256.create> | undefined;
      for await (const ev of read()) {
        if (ev.type === 'record') entriesHash = sha256.create();
        if (ev.type === 'entry') {
          const print = entryPrint(ev.entry);
          entriesHash!.update(print.hashed);
          await ahead.add({ ...ev, digest: print.digest });
        } else if (ev.type === 'recordEnd') {
          await ahead.add({ ...ev, entriesHash: entriesHash!.digest() });
        } else {
          await ahead.add(ev);
        }
      }
      digestHex = toHex(hasher.digest());
      // Sent again: answered from the first import without writing (checked again inside).
      const earlier = await ctx.db.prisma.statementImport.findUnique({ where: { sha256: digestHex }, select: { result: true } });
      if (earlier?.result) return { ...(JSON.parse(earlier.result) as ImportResult), replayed: true };
      events = ahead.replay();
    }
    return await ctx.db.transaction(
      async (tx) => {
        const state = new ImportState(tx, ctx, importId);
        await tx.statementImport.create({
          data: { id: importId, sha256: `pending:${importId}`, fileName, bytes: 0, status: 'running', importedBy: `${ctx.actor.type}:${ctx.actor.id}`, createdAt: ctx.clock.now() },
        });
        let message: MessageHeader | undefined;
        let file = fileName ?? 'upload';
        for await (const ev of events ?? read()) {
          switch (ev.type) {
            case 'document':
              message = ev.header;
              file = ev.file;
              break;
            case 'record':
              await state.beginRecord(ev.header, message!, file);
              break;
            case 'entry':
              await state.addEntry(ev.entry, 'digest' in ev ? ev.digest : undefined);
              break;
            case 'recordEnd':
              await state.endRecord(ev.header, ev.check, file, 'entriesHash' in ev ? ev.entriesHash : undefined);
              break;
            case 'documentEnd':
              state.warnings.push(...ev.warnings.map((w) => (w.startsWith(file) ? w : `${file}: ${w}`)));
              break;
          }
        }
        const digest = (digestHex ??= toHex(hasher.digest()));
        // A statement read before came again with other content: nothing of the file is stored
        // (the transaction rolls back), the file is kept for a person below.
        if (state.refusals.length > 0) throw new RefusedRedelivery(state.refusals);
        await lockKey(tx, ctx, `file:${digest}`);
        const earlier = await tx.statementImport.findUnique({ where: { sha256: digest } });
        if (earlier?.result) throw new ReplayEarlierImport(earlier.result);
        const result = state.result({ fileName, sha256: digest, bytes });
        // A file that only repeats statements read before answers with the first import's result.
        const firstImportId = result.statements.length > 0 && result.statements.every((s) => s.alreadyImported) ? result.statements[0]!.alreadyImported!.importId : undefined;
        if (firstImportId) {
          const first = await tx.statementImport.findUnique({ where: { id: firstImportId } });
          if (first?.result) throw new ReplayEarlierImport(first.result);
        }
        await original.store(tx, importId, { sha256: digest, db: ctx.db });
        await tx.statementImport.update({
          where: { id: importId },
          // Its receipts are the matching run's from the moment they are visible (matchingLease.ts).
          data: { sha256: digest, bytes, status: 'completed', completedAt: ctx.clock.now(), matchingUntil: matchingLeaseUntil(ctx), result: JSON.stringify(publicResult(result)) },
        });
        await writeAudit(tx, ctx, {
          action: 'statement_import.completed',
          subjectType: 'statement_import',
          subjectId: importId,
          data: { fileName, sha256: digest, statements: result.statements.length, entries: result.entries },
        });
        return result;
      },
      { timeoutMs: 30 * 60_000 },
    );
  } catch (err) {
    if (err instanceof ReplayEarlierImport) return { ...(JSON.parse(err.result) as ImportResult), replayed: true };
    if (err instanceof RefusedRedelivery) {
      const refused = await recordRefusedDelivery({ ctx, input: { fileName, sha256: digestHex!, bytes, original, refusals: err.refusals } });
      throw refused;
    }
    if (isUniqueViolation(err)) {
      // Another instance imported the same file or statement at the same moment: our transaction
      // was rolled back; answer with what the winner stored.
      return replayAfterRace(ctx, digestHex, input.fileName);
    }
    throw err;
  } finally {
    await ahead?.discard();
  }
}

/**
 * On PostgreSQL, two instances importing the same statement at the same moment must not both find
 * it unknown: a transaction-scoped advisory lock on the statement's identity makes the second wait
 * until the first has committed, and then see it. (SQLite has one writer at a time anyway: the
 * import's first statement is a write, so a second import waits for the whole first one.)
 */
async function lockKey(tx: Tx, ctx: Ctx, key: string): Promise<void> {
  if (ctx.db.backend !== 'postgresql') return;
  await tx.$queryRawUnsafe('SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS l', key);
}

/** Thrown inside the transaction to roll it back; the delivery is then kept as refused. */
class RefusedRedelivery extends Error {
  constructor(readonly refusals: ContentDifference[]) {
    super('statement read before with other content');
  }
}

/** Thrown inside the transaction to roll it back and answer with an earlier import's result. */
class ReplayEarlierImport extends Error {
  constructor(readonly result: string) {
    super('file already imported');
  }
}

async function replayAfterRace(ctx: Ctx, digest: string | undefined, fileName?: string): Promise<ImportResult> {
  const winner = digest ? await ctx.db.prisma.statementImport.findUnique({ where: { sha256: digest } }) : null;
  if (winner?.result) return { ...(JSON.parse(winner.result) as ImportResult), replayed: true };
  throw new ConflictError(
    `${fileName ?? 'the file'}: another import of the same statement was running at the same moment and has been stored; send the file again to see its result`,
  );
}

function publicResult(r: ImportResult): Omit<ImportResult, 'newTransactions'> {
  const { newTransactions: _n, ...rest } = r;
  return rest;
}

/** Entries listed by name in a refusal; beyond this only their number is given. */
const DIFFERENCES_LISTED = 50;

interface KnownStatement {
  id: string;
  importId: string;
  contentDigest: string | null;
  entryCount: number;
  closingBalanceMinor: bigint | null;
}

interface CurrentRecord {
  header: StatementHeader;
  statementId: string;
  /** Set when the statement's identity was read before: its content is compared, nothing is written. */
  known: KnownStatement | undefined;
  position: number;
  /** Repeat keys of this statement that occurred more than once, with their count (see flush). */
  repeats: Map<string, number>;
  pending: Array<{ entry: Entry; digest: string }>;
  /** Entries of a known statement waiting to be compared with the stored ones (by position). */
  comparing: Array<{ position: number; digest: string; entry: Entry }>;
  seen: number;
  /** SHA-256 over every entry's content, in order. */
  contentHash: ReturnType<typeof sha256.create>;
  differences: ContentDifference['entries'];
  moreDifferences: number;
  imported: ImportedStatement;
  accountKey: string;
}

const utf8 = new TextEncoder();

/** An entry's content digest, and the bytes it adds to its statement's content hash. */
function entryPrint(entry: Entry): { digest: string; hashed: Uint8Array } {
  const content = entryContent(entry);
  const parts = ENTRY_CONTENT_GROUPS.map((g) => utf8.encode(`${g}\u0000${content[g]}\u0001`));
  const hashed = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    hashed.set(p, at);
    at += p.byteLength;
  }
  return { digest: entryContentDigest(content), hashed };
}

class ImportState {
  readonly warnings = new WarningList(LIMITS.warningsListed);
  readonly statements: ImportedStatement[] = [];
  private newTransactions = 0;
  /** Statements read before that came again with other content (the file is refused). */
  readonly refusals: ContentDifference[] = [];
  private counts = { read: 0, new: 0, duplicates: 0, notBooked: 0 };
  private transactions = 0;
  private current: CurrentRecord | undefined;
  private recordPosition = 0;

  constructor(
    private readonly tx: Tx,
    private readonly ctx: Ctx,
    private readonly importId: string,
  ) {}

  async beginRecord(header: StatementHeader, message: MessageHeader, file: string): Promise<void> {
    const fingerprint = statementFingerprint(header);
    await lockKey(this.tx, this.ctx, `statement:${fingerprint}`);
    const known = await this.tx.statement.findUnique({ where: { fingerprint }, select: { id: true, importId: true, contentDigest: true, entryCount: true, closingBalanceMinor: true } });
    const statementId = newId();
    const imported: ImportedStatement = {
      id: known?.id ?? statementId,
      kind: header.kind,
      version: message.version,
      bankStatementId: header.id,
      accountIban: header.account.iban ?? null,
      electronicSequenceNumber: header.electronicSequenceNumber ?? null,
      file,
      entries: 0,
      balanceCheck: { status: 'not_checked', difference: '0.00', reason: '' },
      sequenceGaps: [],
      ...(known ? { alreadyImported: { statementId: known.id, importId: known.importId } } : {}),
    };
    this.current = {
      header,
      statementId,
      known: known ?? undefined,
      position: 0,
      repeats: new Map(),
      pending: [],
      comparing: [],
      seen: 0,
      contentHash: sha256.create(),
      differences: [],
      moreDifferences: 0,
      imported,
      accountKey: header.account.iban ?? header.account.other ?? '',
    };
    if (known) return;
    const account = header.account.iban ? await this.tx.creditorAccount.findUnique({ where: { iban: header.account.iban }, select: { id: true } }) : null;
    await this.tx.statement.create({
      data: statementRow({ id: statementId, importId: this.importId, header, message, fingerprint, creditorAccountId: account?.id ?? null, position: this.recordPosition++, createdAt: this.ctx.clock.now() }),
    });
  }

  /** `digest`: the entry's content digest when computed while the file was read ahead (its hash then comes with the record's end). */
  async addEntry(entry: Entry, digest?: string): Promise<void> {
    const cur = this.current!;
    this.counts.read++;
    cur.imported.entries++;
    if (digest === undefined) {
      const print = entryPrint(entry);
      cur.contentHash.update(print.hashed);
      digest = print.digest;
    }
    const position = cur.seen++;
    if (cur.known) {
      cur.comparing.push({ position, digest, entry });
      if (cur.comparing.length >= WRITE_BATCH) await this.compareWindow();
      return;
    }
    cur.pending.push({ entry, digest });
    if (cur.pending.length >= WRITE_BATCH) await this.flush();
  }

  /** Compares a window of entries of a known statement with the stored ones at the same positions. */
  private async compareWindow(): Promise<void> {
    const cur = this.current!;
    const batch = cur.comparing;
    if (batch.length === 0) return;
    cur.comparing = [];
    const stored = await this.tx.entry.findMany({
      where: { statementId: cur.known!.id, position: { gte: batch[0]!.position, lte: batch[batch.length - 1]!.position } },
      select: { position: true, contentDigest: true },
    });
    const byPosition = new Map(stored.map((e) => [e.position, e.contentDigest]));
    for (const b of batch) {
      if (!byPosition.has(b.position)) {
        this.noteDifference(cur, b.position, b.entry, ['entry not in the statement read before']);
        continue;
      }
      const before = byPosition.get(b.position);
      // Entries stored before digests existed cannot be compared one by one; the statement's
      // entry count and closing balance still are (endRecord).
      if (before === null || before === undefined) continue;
      if (before !== b.digest) this.noteDifference(cur, b.position, b.entry, differingGroups(before, b.digest));
    }
  }

  private noteDifference(cur: CurrentRecord, position: number, entry: Entry | undefined, fields: string[]): void {
    if (cur.differences.length >= DIFFERENCES_LISTED) {
      cur.moreDifferences++;
      return;
    }
    const reference = entry ? (entry.accountServicerReference ?? entry.entryReference) : undefined;
    cur.differences.push({ entry: position + 1, ...(reference !== undefined ? { reference } : {}), fields });
  }

  /** "<SHA-256 of header and entries>|<8 hex digits per header group>". */
  private statementDigest(cur: CurrentRecord, header: StatementHeader, entriesHash?: Uint8Array): string {
    const h = headerContent(header);
    const all = sha256.create();
    for (const g of HEADER_CONTENT_GROUPS) all.update(utf8.encode(`${g}\u0000${h[g]}\u0001`));
    all.update(entriesHash ?? cur.contentHash.digest());
    return `${toHex(all.digest())}|${HEADER_CONTENT_GROUPS.map((g) => fnv1a64(h[g]).slice(0, 8)).join('.')}`;
  }

  async endRecord(header: StatementHeader, check: BalanceCheck, file: string, entriesHash?: Uint8Array): Promise<void> {
    const cur = this.current!;
    cur.imported.balanceCheck = {
      status: check.status,
      difference: formatMinor(check.differenceMinor, check.currency ?? header.account.currency ?? 'EUR'),
      reason: check.reason,
    };
    const digest = this.statementDigest(cur, header, entriesHash);
    if (cur.known) {
      await this.compareWindow();
      this.current = undefined;
      const known = cur.known;
      if (known.contentDigest !== null) {
        // A repeat is a repeat of content: the same digest over the header and every entry.
        if (known.contentDigest === digest) {
          this.statements.push(cur.imported);
          return;
        }
        for (let p = cur.seen; p < known.entryCount; p++) this.noteDifference(cur, p, undefined, ['entry missing in this delivery']);
        const [, headerBefore = ''] = known.contentDigest.split('|');
        const [, headerNow = ''] = digest.split('|');
        const hb = headerBefore.split('.');
        const hn = headerNow.split('.');
        const headerFields = HEADER_CONTENT_GROUPS.filter((_g, i) => hb[i] !== hn[i]);
        this.refuse(cur, header, file, headerFields);
        return;
      }
      // Read before content digests were stored: entry count and closing balance are what can be compared.
      const closing = check.closing ?? null;
      const headerFields: string[] = [];
      if (known.closingBalanceMinor !== null && closing !== null && known.closingBalanceMinor !== closing) headerFields.push('balances');
      if (known.entryCount !== cur.imported.entries) headerFields.push('entry count');
      if (headerFields.length > 0 || cur.differences.length > 0) {
        for (let p = cur.seen; p < known.entryCount; p++) this.noteDifference(cur, p, undefined, ['entry missing in this delivery']);
        this.refuse(cur, header, file, headerFields);
        return;
      }
      this.statements.push(cur.imported);
      return;
    }
    // A statement (camt.053) or report (camt.052) whose balances do not add up is refused as a
    // whole: booking from it would hide the bank's error, or ours.
    if (check.status === 'broken') assertBalanced(check, { file, statementId: header.id });
    await this.flush();
    const gaps = await this.sequenceGaps(header, cur.statementId);
    cur.imported.sequenceGaps = gaps;
    for (const g of gaps) {
      this.warnings.push(
        `${file}: statement ${header.id} of account ${header.account.iban ?? header.account.other ?? '?'}: electronic sequence numbers ${g.from} to ${g.to} are missing; a statement may not have been delivered`,
      );
    }
    await this.tx.statement.update({
      where: { id: cur.statementId },
      data: {
        entryCount: cur.imported.entries,
        balanceCheck: check.status,
        balanceDifferenceMinor: check.differenceMinor,
        sequenceGaps: JSON.stringify(gaps),
        contentDigest: digest,
        ...(check.opening !== undefined ? { openingBalanceMinor: check.opening } : {}),
        ...(check.closing !== undefined ? { closingBalanceMinor: check.closing } : {}),
      },
    });
    this.statements.push(cur.imported);
    this.current = undefined;
  }

  private refuse(cur: CurrentRecord, header: StatementHeader, file: string, headerFields: string[]): void {
    this.refusals.push({
      file,
      kind: header.kind,
      bankStatementId: header.id,
      accountIban: header.account.iban ?? null,
      electronicSequenceNumber: header.electronicSequenceNumber ?? null,
      statementId: cur.known!.id,
      importId: cur.known!.importId,
      header: headerFields,
      entries: cur.differences,
      moreEntries: cur.moreDifferences,
      entriesBefore: cur.known!.entryCount,
      entriesNow: cur.seen,
    });
  }

  /** Writes the buffered entries with their transactions: a few statements per batch, not per row. */
  private async flush(): Promise<void> {
    const cur = this.current!;
    if (cur.pending.length === 0) return;
    const batch = cur.pending;
    cur.pending = [];
    // Two identical bookings in one statement are two bookings (e.g. a citizen paying the same
    // fine twice the same day): the occurrences are numbered so each finds its own twin in a later
    // delivery, instead of the second being taken for a repeat of the first. Whether a key occurred
    // in an earlier batch of this statement is asked of the database (one query per batch), and
    // only keys that do repeat are counted in memory: a statement of a million entries must not
    // hold a million keys.
    const bases = batch.map(({ entry }) => entryDedupeKey(cur.header, entry));
    // By key alone, filtered here: given the statement too, SQLite walks the statement's entries
    // (its unique index) for every batch, which makes a large statement quadratic.
    const storedBefore = new Set(
      (await this.tx.entry.findMany({ where: { dedupeKey: { in: [...new Set(bases)] } }, select: { dedupeKey: true, statementId: true } }))
        .filter((e) => e.statementId === cur.statementId)
        .map((e) => e.dedupeKey),
    );
    const inBatch = new Set<string>();
    const keyed = batch.map(({ entry, digest }, i) => {
      const base = bases[i]!;
      let n = 1;
      if (cur.repeats.has(base)) n = cur.repeats.get(base)! + 1;
      else if (storedBefore.has(base) || inBatch.has(base)) n = 2;
      inBatch.add(base);
      if (n > 1) cur.repeats.set(base, n);
      return { entry, digest, key: n === 1 ? base : `${base}#${n}` };
    });
    const earlier = await this.tx.entry.findMany({
      // Only a booking the bank had already BOOKed is repeated: an intraday report's pending (PDNG)
      // entry that the evening statement books is a booking seen for the first time, and must be
      // matched then.
      where: { dedupeKey: { in: keyed.map((k) => k.key) }, duplicateOfEntryId: null, status: 'BOOK', statementId: { not: cur.statementId } },
      select: { id: true, dedupeKey: true },
    });
    const earlierByKey = new Map(earlier.map((e) => [e.dedupeKey, e.id]));
    const entries: EntryRow[] = [];
    const transactions: TransactionRow[] = [];
    const now = this.ctx.clock.now();
    for (const { entry, digest, key } of keyed) {
      const entryId = newId();
      const duplicateOf = earlierByKey.get(key) ?? null;
      entries.push(entryRow({ id: entryId, statementId: cur.statementId, position: cur.position++, entry, dedupeKey: key, duplicateOfEntryId: duplicateOf, contentDigest: digest }));
      const booked = entry.status === 'BOOK';
      if (duplicateOf) this.counts.duplicates++;
      else if (!booked) this.counts.notBooked++;
      else this.counts.new++;
      const state = duplicateOf ? 'duplicate' : booked ? 'pending' : 'not_booked';
      for (const row of transactionRows({ entryId, entry, statementBankId: cur.header.id, entryPosition: cur.position - 1, matchState: state, createdAt: now })) {
        transactions.push(row);
        if (state === 'pending') this.newTransactions++;
      }
      if (transactions.length > LIMITS.transactionsPerEntry * 4) {
        throw new LimitExceededError('transactionsPerEntry', LIMITS.transactionsPerEntry, transactions.length);
      }
    }
    this.transactions += transactions.length;
    await bulkInsert(this.tx, this.ctx.db, 'Entry', BULK_TABLES.Entry, entries);
    await bulkInsert(this.tx, this.ctx.db, 'BankTransaction', BULK_TABLES.BankTransaction, transactions);
  }

  /** Gaps between this statement's electronic sequence number and the account's previous one. */
  private async sequenceGaps(header: StatementHeader, statementId: string): Promise<Array<{ from: string; to: string }>> {
    const seqText = header.electronicSequenceNumber;
    if (!seqText || !/^\d{1,18}$/.test(seqText) || (!header.account.iban && !header.account.other)) return [];
    const seq = BigInt(seqText);
    const previous = await this.tx.statement.findFirst({
      where: {
        id: { not: statementId },
        kind: header.kind,
        ...(header.account.iban ? { accountIban: header.account.iban } : { accountOther: header.account.other! }),
        electronicSequenceNumber: { lt: seq },
      },
      orderBy: { electronicSequenceNumber: 'desc' },
      select: { electronicSequenceNumber: true },
    });
    // The first statement we ever see of an account has no predecessor to compare with.
    if (!previous?.electronicSequenceNumber) return [];
    const prev = previous.electronicSequenceNumber;
    // Banks restart the count each year (DFÜ-Abkommen): a number lower than the last is no gap.
    return seq - prev > 1n ? [{ from: (prev + 1n).toString(), to: (seq - 1n).toString() }] : [];
  }

  result(meta: { fileName: string | null; sha256: string; bytes: number }): ImportResult {
    return {
      importId: this.importId,
      ...meta,
      replayed: false,
      statements: this.statements,
      entries: { ...this.counts },
      transactions: this.transactions,
      warnings: this.warnings.list(),
      newTransactions: this.newTransactions,
    };
  }
}
