import { loadConfig } from '../../config.js';
import { openDatabase, parseDatabaseUrl } from '../../db/node.js';
import type { Command } from './index.js';

export const migrateCommand: Command = {
  help: '',
  async run() {
    const config = loadConfig(process.env);
    const db = await openDatabase(config.databaseUrl, { migrate: true });
    await db.close();
    process.stderr.write(`migrations applied (${parseDatabaseUrl(config.databaseUrl).backend})\n`);
    return 0;
  },
};
