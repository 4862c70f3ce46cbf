/**
 * bin/stadtkasse sepa: the files the city sends its bank, for operators.
 *   sepa runs [--status S]            refund runs, newest first: number, status, count, total, file
 *   sepa write --run N [--dir D] [--copy]   writes the released file of refund run N into D
 *   sepa write --collection-run N …         the same for collection run N (pain.008)
 *   sepa outbox [--dir D]             writes every released file not fetched yet, refund and
 *                                     collection runs alike (for the EBICS client)
 * The folder defaults to SEPA_OUTBOX_DIR. A file is written under a temporary name and renamed, so
 * the bank's client never picks up half a file. A file fetched before is written again only with
 * --copy, named as a copy: the bank would refuse the same message id twice anyway.
 */
import { createWriteStream, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { REFUND_RUN_STATUSES, type RefundRunStatus } from '../../services/refunds/states.js';
import { listRefundRuns, refundRunByNumber, refundRunFile, unfetchedRefundRuns } from '../../services/refunds/runs.js';
import { collectionRunByNumber, collectionRunFile, unfetchedCollectionRuns } from '../../services/collections/runs.js';
import type { RunFile } from '../../services/sepaRuns/file.js';
import { runFileName } from '../../http/sepaRuns/file.js';
import type { Ctx } from '../../context.js';
import { commandContext } from './shared.js';
import type { Command } from './index.js';

/** Streams the file into a temporary name and renames it: the bank's client never sees half a file. */
async function writeAtomically(dir: string, name: string, content: ReadableStream<Uint8Array>): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  const tmp = join(dir, `.${name}.partial`);
  await pipeline(Readable.fromWeb(content as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(tmp));
  renameSync(tmp, path);
  return path;
}

type FetchFile = (a: { ctx: Ctx; input: { runId: string } }) => Promise<RunFile>;

async function writeRun(ctx: Ctx, fetch: FetchFile, runId: string, dir: string): Promise<string> {
  const f = await fetch({ ctx, input: { runId } });
  const path = await writeAtomically(dir, runFileName(f), f.content);
  process.stdout.write(`${path}  sha256 ${f.sha256}${f.copy > 0 ? `  (copy ${f.copy})` : ''}\n`);
  return path;
}

export const sepaCommand: Command = {
  help: [
    '  sepa runs [--status draft|released|cancelled]   refund runs with their totals and files',
    '  sepa write --run N [--dir DIR] [--copy]   write the released pain.001 of refund run N (DIR: SEPA_OUTBOX_DIR); --copy when it was fetched before',
    '  sepa write --collection-run N [--dir DIR] [--copy]   the same for the pain.008 of collection run N',
    '  sepa outbox [--dir DIR]                   write every released refund and collection file not fetched yet, for the bank\'s EBICS client',
  ].join('\n'),
  async run(args, { parseArgs }) {
    const [sub, ...rest] = args;
    const { values } = parseArgs({ args: rest, options: { status: { type: 'string' }, run: { type: 'string' }, 'collection-run': { type: 'string' }, dir: { type: 'string' }, copy: { type: 'boolean', default: false }, 'database-url': { type: 'string' } }, allowPositionals: false, strict: true });
    if (sub !== 'runs' && sub !== 'write' && sub !== 'outbox') {
      process.stderr.write('stadtkasse sepa: runs, write or outbox (try: bin/stadtkasse help)\n');
      return 2;
    }
    if (values.status !== undefined && !(REFUND_RUN_STATUSES as readonly string[]).includes(values.status)) {
      process.stderr.write(`stadtkasse sepa: --status is one of ${REFUND_RUN_STATUSES.join(', ')}\n`);
      return 2;
    }
    const { ctx, db, config } = await commandContext(values['database-url'] ? { databaseUrl: values['database-url'] } : {});
    try {
      if (sub === 'runs') {
        const page = await listRefundRuns({ ctx, input: { limit: 100, ...(values.status ? { status: values.status as RefundRunStatus } : {}) } });
        for (const r of page.items) {
          process.stdout.write(`${String(r.number).padStart(5)}  ${r.status.padEnd(9)}  ${r.executionDate}  ${String(r.count).padStart(6)}  ${r.total.padStart(14)} ${r.currency}  ${r.file ? `${r.file.name} (${r.file.downloads}x fetched)` : '-'}\n`);
        }
        return 0;
      }
      const dir = values.dir ?? config.sepa.outboxDir;
      if (!dir) {
        process.stderr.write('stadtkasse sepa: give --dir or set SEPA_OUTBOX_DIR\n');
        return 2;
      }
      if (sub === 'write') {
        const collection = values['collection-run'] !== undefined;
        const number = Number.parseInt((collection ? values['collection-run'] : values.run) ?? '', 10);
        if (!Number.isInteger(number) || number < 1 || (collection && values.run !== undefined)) {
          process.stderr.write('stadtkasse sepa write: --run (refund run) or --collection-run takes the run number\n');
          return 2;
        }
        const run = collection ? await collectionRunByNumber({ ctx, input: { number } }) : await refundRunByNumber({ ctx, input: { number } });
        if (run.file && run.file.downloads > 0 && !values.copy) {
          process.stderr.write(`stadtkasse sepa write: the file of run ${number} was fetched ${run.file.downloads}x already; give --copy to write a copy\n`);
          return 1;
        }
        await writeRun(ctx, collection ? collectionRunFile : refundRunFile, run.id, dir);
        return 0;
      }
      const runs = await unfetchedRefundRuns({ ctx });
      for (const r of runs) await writeRun(ctx, refundRunFile, r.id, dir);
      if (runs.length === 0) process.stdout.write('no released refund file waits to be written\n');
      const collections = await unfetchedCollectionRuns({ ctx });
      for (const r of collections) await writeRun(ctx, collectionRunFile, r.id, dir);
      if (collections.length === 0) process.stdout.write('no released collection file waits to be written\n');
      return 0;
    } finally {
      await db.close();
    }
  },
};
