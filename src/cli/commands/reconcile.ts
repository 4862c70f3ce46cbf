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
  await importOpenItems({ ctx, input: { rows, source: 'csv', fileName: basename(itemsFile), referencesIssuedElsewhere: true } });

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
  return records(ctx, statementIds);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ValidationError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
  }
}

async function records(ctx: Ctx, statementIds: string[]): Promise<ReconcileRecord[]> {
  const out: ReconcileRecord[] = [];
  for (const statementId of statementIds) {
    const txs = await ctx.db.prisma.bankTransaction.findMany({
      where: { entry: { statementId } },
      include: { entry: { select: { position: true, status: true } }, proposals: { orderBy: { createdAt: 'desc' }, take: 1 }, allocations: { include: { openItem: { select: { kassenzeichen: true } } } } },
      orderBy: [{ entry: { position: 'asc' } }, { position: 'asc' }],
    });
    for (const t of txs) {
      const money = (m: bigint) => formatMinor(m, t.currency);
      const base = { entryRef: t.entryRef, txIndex: t.position, amount: money(t.amountMinor), creditDebit: t.creditDebit };
      const p = t.proposals[0];
      if (!p) {
        out.push({
          ...base,
          status: 'ignored',
          allocations: [],
          suggestions: [],
          confidence: 1,
          reasons: [t.matchState === 'duplicate' ? 'repeats a booking already read from an earlier statement' : `not booked by the bank (status ${t.entry.status})`],
        });
        continue;
      }
      type Alloc = { kassenzeichen: string; amountMinor: string };
      const allocs = (list: Alloc[]): AllocationOut[] => list.map((a) => ({ reference: a.kassenzeichen, amount: money(BigInt(a.amountMinor)) }));
      const suggestions = (JSON.parse(p.suggestions) as Array<{ allocations: Alloc[]; confidenceBp: number; reasons: Array<Reason | string> }>).map((s) => ({
        allocations: allocs(s.allocations),
        confidence: bpToNumber(s.confidenceBp),
        reasons: reasonTexts(s.reasons, 'en'),
      }));
      out.push({
        ...base,
        status: p.decision as ReconcileRecord['status'],
        allocations: p.decision === 'auto' ? t.allocations.map((a) => ({ reference: a.openItem.kassenzeichen, amount: money(a.amountMinor) })) : [],
        suggestions,
        confidence: bpToNumber(p.confidenceBp),
        reasons: reasonTexts(JSON.parse(p.reasons) as Array<Reason | string>, 'en'),
        ...(p.surplusMinor > 0n ? { surplus: money(p.surplusMinor) } : {}),
      });
    }
  }
  return out;
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
