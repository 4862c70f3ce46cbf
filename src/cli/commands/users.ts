/**
 * bin/stadtkasse users: staff accounts for the workplace in the browser. The first admin is made
 * here; the password is asked on the terminal without echo, or read from standard input
 * (`--password-stdin`, or whenever standard input is not a terminal), never from an argument
 * (arguments end up in the shell history and the process list).
 */
import { createUser, disableUser, listUsers, setPassword } from '../../services/users/users.js';
import { ROLES } from '../../services/users/roles.js';
import { commandContext } from './shared.js';
import type { Command } from './index.js';

const USAGE = `usage: bin/stadtkasse users create --name NAME --role ${ROLES.join('|')} [--display-name "Maria Müller"] [--password-stdin]
       bin/stadtkasse users set-password --name NAME [--password-stdin]
       bin/stadtkasse users disable --name NAME
       bin/stadtkasse users list`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing line break is the shell's (echo, a file), not part of the password.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Reads a line from the terminal without showing it. */
function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let text = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (data: string) => {
      for (const ch of data) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else if (ch >= ' ') text += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) return readStdin();
  const first = await askHidden('Password (at least 12 characters): ');
  const second = await askHidden('Password again: ');
  if (first !== second) throw new Error('the two passwords differ');
  return first;
}

export const usersCommand: Command = {
  help: '  bin/stadtkasse users create --name NAME --role admin   create a staff account (asks for the password; or --password-stdin)\n  bin/stadtkasse users list|set-password|disable           manage staff accounts',
  async run(args, { parseArgs }) {
    const [sub, ...rest] = args;
    const { values } = parseArgs({
      args: rest,
      options: { name: { type: 'string' }, role: { type: 'string' }, 'display-name': { type: 'string' }, 'password-stdin': { type: 'boolean' }, json: { type: 'boolean' } },
    });
    if (sub === 'list') {
      const { ctx, db } = await commandContext();
      try {
        for (const u of await listUsers({ ctx })) {
          process.stdout.write(`${u.username.padEnd(24)} ${u.role.padEnd(9)} ${u.disabledAt ? 'disabled' : 'active  '} ${u.displayName}\n`);
        }
        return 0;
      } finally {
        await db.close();
      }
    }
    if (!values.name || (sub === 'create' && !values.role) || !['create', 'set-password', 'disable'].includes(sub ?? '')) {
      process.stderr.write(USAGE + '\n');
      return 2;
    }
    const password = sub === 'disable' ? '' : await readPassword(values['password-stdin'] === true);
    const { ctx, db } = await commandContext();
    try {
      if (sub === 'create') {
        const u = await createUser({ ctx, input: { username: values.name, role: values.role!, password, ...(values['display-name'] ? { displayName: values['display-name'] } : {}) } });
        if (values.json) process.stdout.write(JSON.stringify({ id: u.id, username: u.username, displayName: u.displayName, role: u.role }) + '\n');
        else process.stdout.write(`User "${u.username}" created (role ${u.role}, id ${u.id}). Sign in at ${ctx.config.publicBaseUrl}/login\n`);
      } else if (sub === 'set-password') {
        await setPassword({ ctx, input: { username: values.name, password } });
        process.stdout.write(`Password of "${values.name}" set; their sessions have ended.\n`);
      } else {
        await disableUser({ ctx, input: { username: values.name } });
        process.stdout.write(`User "${values.name}" disabled; their sessions have ended.\n`);
      }
      return 0;
    } finally {
      await db.close();
    }
  },
};
