/**
 * Graceful stop of the real server process (`npm start`): on SIGTERM it
 * stops accepting connections, lets the request in flight finish with its real answer, closes the
 * database and exits 0 — what systemd (or a load balancer draining an instance) relies on.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/backends.js';
import { camt } from '../support/camtBuilder.js';
import { spawnService, stopAll, TEST_ADMIN_KEY, type ServiceProcess } from './support.js';

function tryConnect(port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve('connected')));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('graceful shutdown of the Node service', () => {
  let database: TestDatabase;
  let service: ServiceProcess;

  beforeAll(async () => {
    database = freshDatabase('sqlite');
    service = await spawnService({ name: 'stopping', databaseUrl: database.url });
  });
  afterAll(async () => {
    await stopAll([service]);
    await database?.drop();
  });

  it('finishes the upload in flight with its answer after SIGTERM, refuses new connections, exits 0', async () => {
    const xml = camt({ id: 'SHUTDOWN-1', entries: Array.from({ length: 200 }, (_, i) => ({ amount: '12.00', ref: `SD-${i}` })) });
    const body = Buffer.from(xml);
    // A slow client: the statement arrives in two halves, with SIGTERM in between.
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: service.port, method: 'POST', path: '/v1/statements?fileName=slow.xml', headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/xml', 'content-length': body.length } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, body.length >> 1));
      void service
        .waitForLine((l) => l.includes('shutting down'))
        .then(async () => {
          // Stopped listening: a new connection is refused while the old request is still open.
          expect(await tryConnect(service.port)).toBe('ECONNREFUSED');
          await new Promise((r) => setTimeout(r, 300));
          expect(service.child.exitCode).toBeNull();
          req.end(body.subarray(body.length >> 1));
        })
        .catch(reject);
    });
    await new Promise((r) => setTimeout(r, 200));
    service.child.kill('SIGTERM');

    const res = await answer;
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ replayed: false, entries: { read: 200, new: 200 } });
    const exit = await service.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(service.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);

    // What was answered was stored: a new process on the same file finds the import.
    const again = await spawnService({ name: 'restarted', databaseUrl: database.url });
    try {
      const replay = await again.api('/v1/statements?fileName=slow.xml', { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } });
      expect(replay.status).toBe(200);
    } finally {
      await stopAll([again]);
    }
  });
});
