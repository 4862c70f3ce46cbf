/**
 * bin/stadtkasse: the command line for operators and treasury staff.
 * Each command is a small module in src/cli/commands; they call the same service verbs as the API.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { DomainError } from '../errors.js';
import { commands } from './commands/index.js';
import { describe } from './describe.js';

const HELP = `Stadtkasse command line

  bin/stadtkasse migrate                         apply database migrations (DATABASE_URL)
  bin/stadtkasse clients create --name NAME --scopes a,b   create an API client; prints its key once
  bin/stadtkasse clients list                    list API clients
${Object.values(commands)
  .filter((c) => c.help)
  .map((c) => c.help)
  .join('\n')}

Configuration comes from the same environment variables as the service (see README).`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`stadtkasse: unknown command "${name}" (try: bin/stadtkasse help)\n`);
    return 2;
  }
  return command.run(rest, { parseArgs });
}

/** Exits only after stdout has been flushed: a pipe takes large JSON documents asynchronously. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(
  (code) => exitAfterFlush(code),
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof DomainError) {
      process.stderr.write(`stadtkasse: ${describe(err)}\n`);
      process.exit(err instanceof ConfigError ? 78 : 1);
    }
    // A wrong option or a stray argument is a usage error: one line and exit 2, as for an unknown command.
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      process.stderr.write(`stadtkasse: ${(err as Error).message} (try: bin/stadtkasse help)\n`);
      process.exit(2);
    }
    process.stderr.write(`stadtkasse: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
