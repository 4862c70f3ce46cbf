#!/usr/bin/env node
// Runs Stadtkasse from its compiled JavaScript (bin/build.mjs compiles src/ first when it changed):
//   node bin/run.mjs server        the service (npm start)
//   node bin/run.mjs cli ARGS...   the command line (bin/stadtkasse)
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt } from './build.mjs';

const entries = { server: join('entry', 'node.js'), cli: join('cli', 'main.js') };
const what = process.argv[2];
if (!(what in entries)) {
  process.stderr.write('usage: node bin/run.mjs server | cli ARGS...\n');
  process.exit(2);
}
const entry = join(await ensureBuilt(), entries[what]);
// The entry sees itself as the script run (src/entry/node.ts starts only then) and its own arguments.
process.argv.splice(1, 2, entry);
await import(pathToFileURL(entry).href);
