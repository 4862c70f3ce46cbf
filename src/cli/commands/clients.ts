import { createApiClient, listApiClients } from '../../services/clients/apiKeys.js';
import { commandContext } from './shared.js';
import type { Command } from './index.js';

export const clientsCommand: Command = {
  help: '',
  async run(args, { parseArgs }) {
    const [sub, ...rest] = args;
    const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' } } });
    if (sub === 'create') {
      if (!values.name || !values.scopes) {
        process.stderr.write('usage: bin/stadtkasse clients create --name NAME --scopes items:write,items:read\n');
        return 2;
      }
      const { ctx, db } = await commandContext();
      try {
        const c = await createApiClient({ ctx, input: { name: values.name, scopes: values.scopes.split(',').map((s) => s.trim()).filter(Boolean) } });
        if (values.json) process.stdout.write(JSON.stringify({ id: c.id, name: c.name, scopes: c.scopes, apiKey: c.apiKey }) + '\n');
        else process.stdout.write(`API client "${c.name}" created (id ${c.id}, scopes ${c.scopes.join(' ')}).\nKey (shown only now, store it safely):\n${c.apiKey}\n`);
        return 0;
      } finally {
        await db.close();
      }
    }
    if (sub === 'list') {
      const { ctx, db } = await commandContext();
      try {
        for (const c of await listApiClients({ ctx })) {
          process.stdout.write(`${c.id}  ${c.revokedAt ? 'revoked' : 'active '}  ${c.scopes.join(' ').padEnd(30)}  ${c.name}\n`);
        }
        return 0;
      } finally {
        await db.close();
      }
    }
    process.stderr.write('usage: bin/stadtkasse clients create|list\n');
    return 2;
  },
};
