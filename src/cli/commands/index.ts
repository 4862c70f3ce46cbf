import type { parseArgs } from 'node:util';
import { clientsCommand } from './clients.js';
import { migrateCommand } from './migrate.js';
import { reconcileCommand } from './reconcile.js';
import { importCommand } from './import.js';
import { usersCommand } from './users.js';
import { verifyCommand } from './verify.js';
import { sepaCommand } from './sepa.js';

export interface CliTools {
  parseArgs: typeof parseArgs;
}

export interface Command {
  /** One or more help lines, shown by `bin/stadtkasse help` (empty for commands listed there already). */
  help: string;
  run(args: string[], tools: CliTools): Promise<number>;
}

export const commands: Record<string, Command> = {
  migrate: migrateCommand,
  clients: clientsCommand,
  reconcile: reconcileCommand,
  import: importCommand,
  users: usersCommand,
  verify: verifyCommand,
  sepa: sepaCommand,
};
