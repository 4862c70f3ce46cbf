/**
 * bin/stadtkasse reconcile --items OPEN_ITEMS.csv --statement STATEMENT.xml [...] [--json] [--db URL]
 *
 * The whole pipeline on files, as in ../shared/contracts/reconcile-cli.md: the open items are read
 * into a throw-away database (unless --db names one), every statement goes through the same import
 * and the same matcher and booking as the service, and one record per transaction is printed.
 */
import { mkdtempSync, readFileSync, rmSync, createReadStream, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { SYSTEM_ACTOR } from '../../context.js';
import { bpToNumber } from '../../matching/adapt.js';
import { formatMinor } from '../../money/money.js';
import { importOpenItems } from '../../services/items/createOpenItems.js';
import { parseOpenItemsCsv } from '../../services/items/csv.js';
import { createServices } from '../../services/registry.js';
import { importAndMatch } from '../../services/statements/importAndMatch.js';
import { ValidationError } from '../../errors.js';
import type { Ctx } from '../../context.js';
import { commandContext } from './shared.js';
import type { Command } from './index.js';
import { reasonTexts, type Reason } from '../../matching/reasons.js';

interface AllocationOut {
  reference: string;
  amount: string;
}

export interface ReconcileRecord {
  entryRef: string;
  txIndex: number;
  amount: string;
  creditDebit: string;
  status: 'auto' | 'review' | 'unmatched' | 'return' | 'ignored';
  allocations: AllocationOut[];
  suggestions: Array<{ allocations: AllocationOut[]; confidence: number; reasons: string[] }>;
  confidence: number;
  reasons: string[];
  surplus?: string;
}

export const reconcileCommand: Command = {
  help: '  bin/stadtkasse reconcile --items ITEMS.csv --statement FILE.xml [--statement …] [--json] [--db URL]\n                                                 import and match files without a server (see README)',
  async run(args, { parseArgs }) {
    const { values } = parseArgs({
      args,
      options: { items: { type: 'string' }, statement: { type: 'string', multiple: true }, json: { type: 'boolean' }, db: { type: 'string' } },
      strict: true,
    });
    if (!values.items || !values.statement || values.statement.length === 0) {
      process.stderr.write('usage: bin/stadtkasse reconcile --items OPEN_ITEMS.csv --statement STATEMENT.xml [--statement …] [--json] [--db URL]\n');
      return 2;
    }
    const tmp = values.db ? undefined : mkdtempSync(join(tmpdir(), 'stadtkasse-reconcile-'));
    const databaseUrl = values.db ?? `file:${join(tmp!, 'reconcile.db')}`;
    const { ctx, db, config } = await commandContext({ databaseUrl, actor: { ...SYSTEM_ACTOR, id: 'reconcile', name: 'reconcile command' } });
    try {
      const records = await reconcile(ctx, createServices(config), values.items, values.statement);
      if (values.json) process.stdout.write(JSON.stringify({ transactions: records }, null, 2) + '\n');
      else printSummary(records);
      return 0;
    } finally {
      await db.close();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  },
};

export async function reconcile(ctx: Ctx, services: ReturnType<typeof createServices>, itemsFile: string, statementFiles: string[]): Promise<ReconcileRecord[]> {
  const text = readText(itemsFile);
  const rows = parseOpenItemsCsv(text, { fileName: basename(itemsFile) });
  const imported = await importOpenItems({ ctx, input: { rows, source: 'csv', fileName: basename(itemsFile) } });
  // The contract answers each reference as the CSV gave it ("GEB-2026-4711"), not normalized.
  const asGiven = new Map(imported.map((i) => [i.kassenzeichen, i.kassenzeichenDisplay] as const));

  const statementIds: string[] = [];
  for (const file of statementFiles) {
    try {
      statSync(file);
    } catch {
      throw new ValidationError(`${file}: no such file`, { file });
    }
    const result = await importAndMatch({ ctx, deps: { services }, input: { source: createReadStream(file), fileName: basename(file) } });
    for (const s of result.statements) if (!statementIds.includes(s.id)) statementIds.push(s.id);
  }
  return records(ctx, statementIds, asGiven);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ValidationError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
  }
}

/**
 * Entries are read a page at a time, in statement order, and the proposals and allocations of one
 * page in queries of their own: a statement of 50,000 transactions must not become one query whose
 * parameter list holds every transaction id (SQLite and PostgreSQL both refuse those).
 */
const RECORD_PAGE = 200;

async function records(ctx: Ctx, statementIds: string[], asGiven: ReadonlyMap<string, string>): Promise<ReconcileRecord[]> {
  const out: ReconcileRecord[] = [];
  const db = ctx.db.prisma;
  for (const statementId of statementIds) {
    for (let after = -1; ; ) {
      const entries = await db.entry.findMany({ where: { statementId, position: { gt: after } }, orderBy: { position: 'asc' }, take: RECORD_PAGE, select: { id: true, position: true, status: true } });
      if (entries.length === 0) break;
      after = entries[entries.length - 1]!.position;
      const entryOf = new Map(entries.map((e) => [e.id, e]));
      const txs = await db.bankTransaction.findMany({ where: { entryId: { in: entries.map((e) => e.id) } } });
      txs.sort((a, b) => entryOf.get(a.entryId)!.position - entryOf.get(b.entryId)!.position || a.position - b.position);
      const latest = new Map<string, ProposalRow & { transactionId: string }>();
      const allocationsOf = new Map<string, Array<{ kassenzeichen: string; amountMinor: bigint }>>();
      // One batch entry may carry thousands of transactions: their ids go in slices too.
      for (let i = 0; i < txs.length; i += RECORD_PAGE) {
        const ids = txs.slice(i, i + RECORD_PAGE).map((t) => t.id);
        const proposals = await db.matchProposal.findMany({ where: { transactionId: { in: ids } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
        for (const p of proposals) if (!latest.has(p.transactionId)) latest.set(p.transactionId, p);
        const allocations = await db.allocation.findMany({ where: { transactionId: { in: ids } }, select: { transactionId: true, amountMinor: true, openItem: { select: { kassenzeichen: true, kassenzeichenAsIssued: true } } } });
        for (const a of allocations) {
          const list = allocationsOf.get(a.transactionId) ?? [];
          list.push({ kassenzeichen: a.openItem.kassenzeichenAsIssued ?? a.openItem.kassenzeichen, amountMinor: a.amountMinor });
          allocationsOf.set(a.transactionId, list);
        }
      }
      for (const t of txs) out.push(record(t, entryOf.get(t.entryId)!.status, latest.get(t.id), allocationsOf.get(t.id) ?? [], asGiven));
    }
  }
  return out;
}

type TxRow = { entryRef: string; position: number; amountMinor: bigint; currency: string; creditDebit: string; matchState: string };
type ProposalRow = { decision: string; suggestions: string; confidenceBp: number; reasons: string; surplusMinor: bigint };

function record(t: TxRow, entryStatus: string, p: ProposalRow | undefined, allocations: Array<{ kassenzeichen: string; amountMinor: bigint }>, asGiven: ReadonlyMap<string, string>): ReconcileRecord {
  const money = (m: bigint) => formatMinor(m, t.currency);
  const base = { entryRef: t.entryRef, txIndex: t.position, amount: money(t.amountMinor), creditDebit: t.creditDebit };
  if (!p) {
    return {
      ...base,
      status: 'ignored',
      allocations: [],
      suggestions: [],
      confidence: 1,
      reasons: [t.matchState === 'duplicate' ? 'repeats a booking already read from an earlier statement' : `not booked by the bank (status ${entryStatus})`],
    };
  }
  type Alloc = { kassenzeichen: string; amountMinor: string };
  const allocs = (list: Alloc[]): AllocationOut[] => list.map((a) => ({ reference: asGiven.get(a.kassenzeichen) ?? a.kassenzeichen, amount: money(BigInt(a.amountMinor)) }));
  const suggestions = (JSON.parse(p.suggestions) as Array<{ allocations: Alloc[]; confidenceBp: number; reasons: Array<Reason | string> }>).map((s) => ({
    allocations: allocs(s.allocations),
    confidence: bpToNumber(s.confidenceBp),
    reasons: reasonTexts(s.reasons, 'en'),
  }));
  return {
    ...base,
    status: p.decision as ReconcileRecord['status'],
    allocations: p.decision === 'auto' ? allocations.map((a) => ({ reference: a.kassenzeichen, amount: money(a.amountMinor) })) : [],
    suggestions,
    confidence: bpToNumber(p.confidenceBp),
    reasons: reasonTexts(JSON.parse(p.reasons) as Array<Reason | string>, 'en'),
    ...(p.surplusMinor > 0n ? { surplus: money(p.surplusMinor) } : {}),
  };
}

function printSummary(records: ReconcileRecord[]): void {
  const count = (s: string) => records.filter((r) => r.status === s).length;
  process.stdout.write(
    `${records.length} transactions: ${count('auto')} booked automatically, ${count('review')} for review, ${count('unmatched')} unmatched, ${count('return')} returns, ${count('ignored')} ignored\n`,
  );
  for (const r of records.filter((x) => x.status === 'review' || x.status === 'unmatched')) {
    const top = r.suggestions[0]?.allocations.map((a) => `${a.reference} ${a.amount}`).join(' + ') ?? '—';
    process.stdout.write(`  ${r.status.padEnd(9)} ${r.entryRef}#${r.txIndex}  ${r.amount.padStart(10)}  suggestion: ${top}\n`);
  }
}
