/**
 * The first admin made on the command line signs in to the running service; the original bank file
 * comes back byte for byte from the statement page, is kept once per import (not again for a
 * replay), and a file above the keep limit is imported but not kept.
 */
import { spawn } from 'node:child_process';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OriginalFileCollector, KEEP_MAX_BYTES, CHUNK_BYTES } from '../../src/services/statements/originalFile.js';
import type { Tx } from '../../src/db/database.js';
import { camt } from '../support/camtBuilder.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { FormClient, startStaffFixture, type StaffFixture } from '../browser/staffFixture.js';

const BIN = new URL('../../bin/stadtkasse', import.meta.url).pathname;

describe('bin/stadtkasse users', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server?.close());

  // The command runs beside the server, which lives in this process: waiting for it without
  // blocking keeps the server answering, as it would while an operator works on the same host.
  const run = (args: string[], input?: string) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(BIN, ['users', ...args], { env: { ...process.env, DATABASE_URL: server.database.url, LOG_LEVEL: 'warn' }, timeout: 60_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
      child.stdin.end(input ?? '');
    });

  it('creates the first admin with the password from standard input; the admin signs in', async () => {
    const r = await run(['create', '--name', 'M.Mueller', '--display-name', 'Maria Müller', '--role', 'admin', '--password-stdin'], 'erstes Admin-Passwort 2026\n');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/User "m\.mueller" created \(role admin/);
    expect(r.stdout).not.toContain('erstes Admin-Passwort');
    const row = await server.db.prisma.user.findUniqueOrThrow({ where: { username: 'm.mueller' } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);

    const c = new FormClient(server.url);
    expect((await c.login('m.mueller', 'erstes Admin-Passwort 2026')).status).toBe(303);
    const home = await c.get('/');
    expect(home.text).toContain('Angemeldet: Maria Müller (Verwaltung)');
    expect((await c.get('/approvals')).status).toBe(200);

    const list = await run(['list']);
    expect(list.stdout).toMatch(/m\.mueller\s+admin\s+active\s+Maria Müller/);
  });

  it('refuses a short password, an unknown role and a second user of the same name, with one line each', async () => {
    expect(await run(['create', '--name', 'kurz', '--role', 'clerk', '--password-stdin'], 'kurz\n')).toMatchObject({ status: 1, stderr: expect.stringMatching(/at least 12 characters/) });
    expect(await run(['create', '--name', 'rolle', '--role', 'chef', '--password-stdin'], 'lang genug für alles\n')).toMatchObject({ status: 1, stderr: expect.stringMatching(/role: one of viewer, clerk, approver, admin/) });
    expect(await run(['create', '--name', 'm.mueller', '--role', 'clerk', '--password-stdin'], 'lang genug für alles\n')).toMatchObject({ status: 1, stderr: expect.stringMatching(/exists already/) });
    expect((await run(['create', '--name', 'ohne-rolle'])).status).toBe(2);
  });

  it('disabling an account ends its sessions', async () => {
    expect((await run(['create', '--name', 'weg', '--role', 'viewer', '--password-stdin'], 'lang genug für alles\n')).status).toBe(0);
    const c = new FormClient(server.url);
    expect((await c.login('weg', 'lang genug für alles')).status).toBe(303);
    expect((await c.get('/')).status).toBe(200);
    expect((await run(['disable', '--name', 'weg'])).status).toBe(0);
    expect((await c.get('/')).status).toBe(303);
    expect((await new FormClient(server.url).login('weg', 'lang genug für alles')).status).toBe(401);
  });
});

describe('original bank files', () => {
  let f: StaffFixture;
  beforeAll(async () => {
    f = await startStaffFixture('sqlite');
    await f.user('vera', 'viewer');
  });
  afterAll(async () => f?.close());

  it('come back byte for byte from the statement page, kept once even when the file is sent again', async () => {
    const xml = camt({ id: 'FILE-1', seq: 1, entries: [{ amount: '1.00', name: 'Ärger & Söhne', remittance: ['Umlaute: äöüß'] }] });
    const send = () => f.server.api('/v1/statements?fileName=Auszug%20M%C3%A4rz.xml', { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } });
    const first = (await (await send()).json()) as { importId: string; statements: Array<{ id: string }> };
    const again = await send();
    expect(again.status).toBe(200);
    expect(await f.server.db.prisma.statementFileChunk.count({ where: { importId: first.importId } })).toBe(1);
    expect(await f.server.db.prisma.statementFileChunk.count()).toBe(1);

    const c = new FormClient(f.server.url);
    await c.login('vera');
    const page = await c.get(`/statements/${first.statements[0]!.id}`);
    expect(page.text).toContain('Originaldatei herunterladen');
    const res = await fetch(`${f.server.url}/statements/${first.statements[0]!.id}/file`, { headers: { cookie: c.cookieHeader() } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xml');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Auszug_M_rz.xml"; filename*=UTF-8''Auszug%20M%C3%A4rz.xml`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new TextEncoder().encode(xml));
    // Anonymous: to the sign-in page, not the file.
    expect((await fetch(`${f.server.url}/statements/${first.statements[0]!.id}/file`, { redirect: 'manual' })).status).toBe(303);
  });

  it('are cut into chunks, and not kept above the limit', async () => {
    const rows: Array<{ importId: string; position: number; bytes: Uint8Array }> = [];
    const tx = { statementFileChunk: { create: async ({ data }: { data: (typeof rows)[number] }) => void rows.push(data) } } as unknown as Tx;
    const kept = new OriginalFileCollector();
    const part = new Uint8Array(CHUNK_BYTES).fill(7);
    kept.add(part);
    kept.add(part.subarray(0, 10));
    expect(await kept.store(tx, 'imp-1')).toBe(true);
    expect(rows.map((r) => [r.position, r.bytes.byteLength])).toEqual([
      [0, CHUNK_BYTES],
      [1, 10],
    ]);

    // Pieces of any size become rows of CHUNK_BYTES with the bytes in order.
    rows.length = 0;
    const odd = new OriginalFileCollector();
    const whole = new Uint8Array(CHUNK_BYTES * 2 + 12345).map((_v, i) => (i * 31) % 251);
    for (let at = 0, size = 1; at < whole.byteLength; at += size, size = (size * 7) % 300_000 + 1) odd.add(whole.subarray(at, at + size));
    expect(await odd.store(tx, 'imp-odd')).toBe(true);
    expect(rows.map((r) => [r.position, r.bytes.byteLength])).toEqual([
      [0, CHUNK_BYTES],
      [1, CHUNK_BYTES],
      [2, 12345],
    ]);
    const back = new Uint8Array(whole.byteLength);
    let o = 0;
    for (const r of rows) {
      back.set(r.bytes, o);
      o += r.bytes.byteLength;
    }
    expect(back).toEqual(whole);

    // Read again from its source when stored (a spooled upload): nothing held while the file is
    // read, the same rows, and a file that changed in between is not kept as the one imported.
    rows.length = 0;
    const pieces = (bytes: Uint8Array) => async function* () {
      for (let at = 0; at < bytes.byteLength; at += 100_000) yield bytes.subarray(at, at + 100_000);
    };
    const reread = new OriginalFileCollector(whole.byteLength, () => pieces(whole)());
    reread.add(whole);
    const hex = Array.from(sha256(whole), (b) => b.toString(16).padStart(2, '0')).join('');
    expect(await reread.store(tx, 'imp-reread', { sha256: hex })).toBe(true);
    expect(rows.map((r) => [r.position, r.bytes.byteLength])).toEqual([
      [0, CHUNK_BYTES],
      [1, CHUNK_BYTES],
      [2, 12345],
    ]);
    o = 0;
    for (const r of rows) {
      expect(r.bytes).toEqual(whole.subarray(o, o + r.bytes.byteLength));
      o += r.bytes.byteLength;
    }
    const changed = whole.slice();
    changed[5] = changed[5]! ^ 1;
    const swapped = new OriginalFileCollector(whole.byteLength, () => pieces(changed)());
    swapped.add(whole);
    await expect(swapped.store(tx, 'imp-changed', { sha256: hex })).rejects.toThrow(/changed while it was imported/);

    rows.length = 0;
    const big = new OriginalFileCollector();
    const mb = new Uint8Array(1024 * 1024);
    for (let i = 0; i <= KEEP_MAX_BYTES / mb.byteLength; i++) big.add(mb);
    expect(await big.store(tx, 'imp-2')).toBe(false);
    expect(rows).toEqual([]);
  });
});
