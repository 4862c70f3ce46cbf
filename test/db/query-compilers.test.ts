/**
 * Prisma's compiled query compiler (about 16 MB resident) exists once per process: a second database
 * opened in the same thread runs the module the first compiled, and the server's import thread runs
 * the one the server handed it instead of compiling its own (src/db/queryCompilers.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { queryCompilers } from '../../src/db/queryCompilers.js';
import { WorkerImporter } from '../../src/entry/importThread.js';
import { FileUploadStore } from '../../src/entry/uploads.js';
import { freshDatabase } from '../support/backends.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function sqliteCompiler(): [string, WebAssembly.Module] {
  const found = [...queryCompilers()].filter(([file]) => file.includes('.sqlite.'));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('the query compiler is compiled once per process', () => {
  it('a second database in the same thread runs the module the first compiled', async () => {
    const a = freshDatabase('sqlite');
    const b = freshDatabase('sqlite');
    const first = await a.open();
    await first.prisma.openItem.count();
    const [file, compiled] = sqliteCompiler();
    const second = await b.open();
    await second.prisma.openItem.count();
    expect(queryCompilers().get(file)).toBe(compiled);
    await first.close();
    await second.close();
    await a.drop();
    await b.drop();
  });

  it('the import thread runs the module the server hands it, not one of its own', async () => {
    const database = freshDatabase('sqlite');
    const db = await database.open();
    await db.prisma.openItem.count();
    const [file, compiled] = sqliteCompiler();
    const dir = mkdtempSync(join(tmpdir(), 'stk-qc-'));
    dirs.push(dir);
    const start = () => WorkerImporter.start({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' }, new FileUploadStore(dir), pino({ level: 'silent' }));
    // Handed a module that is valid WebAssembly but no query compiler, the thread cannot open the
    // database: proof that it takes what it is given.
    queryCompilers().set(file, new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])));
    try {
      await expect(start()).rejects.toThrow();
    } finally {
      queryCompilers().set(file, compiled);
    }
    const importer = await start();
    await importer.stop();
    await db.close();
    await database.drop();
  });
});
