/**
 * Where an import runs. By default in this process (the CLI, tests, Workers); the Node server hands
 * it to a worker thread (src/entry/importThread.ts), so that parsing a large file and the database
 * writes of one long transaction never hold up the API's event loop.
 */
import type { Ctx } from '../../context.js';
import type { Services } from '../registry.js';
import { importAndMatch, type ImportAndMatchResult } from './importAndMatch.js';
import type { ImportInput } from './importStatementFile.js';

export interface StatementImporter {
  run(ctx: Ctx, input: ImportInput): Promise<ImportAndMatchResult>;
}

/** The verb routes call: the configured importer, or the import right here. */
export async function importStatement({ ctx, deps, input }: { ctx: Ctx; deps: { services: Services }; input: ImportInput }): Promise<ImportAndMatchResult> {
  const importer = deps.services.importer;
  return importer ? importer.run(ctx, input) : importAndMatch({ ctx, deps, input });
}
