/**
 * bin/stadtkasse import FILE... — imports bank statement files into DATABASE_URL, one after the
 * other, each all-or-nothing, and matches the new receipts. On a terminal it shows progress
 * (entries read, MB/s); the result of each file is printed as one line (or JSON with --json).
 */
import { createReadStream, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createImportServices } from '../../services/importServices.js';
import { fileReadAhead } from '../../entry/readAheadFile.js';
import { importAndMatch } from '../../services/statements/importAndMatch.js';
import { CHUNK_BYTES } from '../../services/statements/originalFile.js';
import { DomainError } from '../../errors.js';
import { describe } from '../describe.js';
import { commandContext } from './shared.js';
import type { Command } from './index.js';

export const importCommand: Command = {
  help: '  bin/stadtkasse import FILE... [--json]          import camt files (XML or ZIP) into DATABASE_URL and match them',
  async run(args, { parseArgs }) {
    const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true });
    if (positionals.length === 0) {
      process.stderr.write('usage: bin/stadtkasse import FILE... [--json]\n');
      return 2;
    }
    const { ctx, db, config } = await commandContext();
    const services = createImportServices(config);
    // The file is read before the import writes (readAhead.ts): a server on the same database
    // waits for this command's writing only.
    services.readAhead = fileReadAhead((id) => join(tmpdir(), `stadtkasse-import-${id}.${process.pid}.spool`));
    const tty = process.stderr.isTTY === true;
    let failed = 0;
    try {
      for (const file of positionals) {
        let size: number;
        try {
          size = statSync(file).size;
        } catch {
          process.stderr.write(`${file}: no such file\n`);
          failed++;
          continue;
        }
        const started = performance.now();
        const progress = ({ bytes, entries }: { bytes: number; entries: number }) => {
          if (!tty) return;
          const seconds = (performance.now() - started) / 1000;
          const mbps = seconds > 0 ? (bytes / 1e6 / seconds).toFixed(1) : '–';
          const pct = size > 0 ? Math.floor((bytes * 100) / size) : 100;
          process.stderr.write(`\r${basename(file)}: ${pct}% · ${entries} entries · ${mbps} MB/s   `);
        };
        try {
          // The original is kept from the file read again, not held in memory (originalFile.ts).
          const reopen = () => createReadStream(file, { highWaterMark: CHUNK_BYTES });
          const r = await importAndMatch({ ctx, deps: { services }, input: { source: createReadStream(file), reopen, fileName: basename(file), totalBytes: size, onProgress: progress } });
          if (tty) process.stderr.write('\r\x1b[K');
          if (values.json) {
            process.stdout.write(JSON.stringify(r) + '\n');
          } else {
            const m = r.matching;
            const broken = r.statements.filter((s) => s.balanceCheck.status === 'broken');
            process.stdout.write(
              `${basename(file)}: ${r.replayed ? 'already imported (nothing booked again)' : 'imported'} · ${r.statements.length} statement(s) · ${r.entries.read} entries (${r.entries.duplicates} repeated)` +
                (m ? ` · ${m.auto} booked automatically, ${m.review} for review, ${m.unmatched} unmatched, ${m.return} returns` : '') +
                (broken.length ? ` · balance differences: ${broken.map((s) => s.balanceCheck.difference).join(', ')}` : '') +
                '\n',
            );
            for (const w of r.warnings) process.stdout.write(`  warning: ${w}\n`);
          }
        } catch (err) {
          if (tty) process.stderr.write('\r\x1b[K');
          if (!(err instanceof DomainError)) throw err;
          process.stderr.write(`${describe(err)}\n`);
          failed++;
        }
      }
    } finally {
      await db.close();
    }
    return failed > 0 ? 1 : 0;
  },
};
