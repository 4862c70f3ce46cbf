/**
 * Every upload is answered: a file refused early (a DOCTYPE, a ZIP bomb, a wrong content type, a
 * declared size above the limit) gets its answer however much of the body is still unsent, and the
 * connection is then closed or usable again, never left hanging. The client here is a plain TCP
 * socket, so nothing in a client library can hide a server that stops reading and never answers.
 * Outcomes are asserted with a bounded wait, never a timing.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';

/** Long enough for a slow machine to read a few MB; a hang is anything beyond it. */
const ANSWER_WITHIN_MS = 60_000;

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The socket after the answer: closed by the server, or still open (then usable, see below). */
  socket: Socket;
}

/**
 * Sends the head and then the body in 64 KiB writes, stopping to write once an answer has arrived
 * (as curl does); resolves with the first complete answer.
 */
function rawPost(url: string, path: string, headers: Record<string, string>, body: Uint8Array): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let answered = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms (${received.length} bytes received)`));
    }, ANSWER_WITHIN_MS);
    socket.on('error', () => {
      // A server that answers and closes while the body is still being sent makes our writes fail
      // (EPIPE/ECONNRESET); what counts is whether the answer arrived.
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parseAnswer(received);
      if (answer && !answered) {
        answered = true;
        clearTimeout(timer);
        resolve({ ...answer, socket });
      }
    });
    socket.on('close', () => {
      if (answered) return;
      clearTimeout(timer);
      const answer = parseAnswer(received);
      if (answer) resolve({ ...answer, socket });
      else reject(new Error(`connection closed without an answer (${received.length} bytes received)`));
    });
    socket.on('connect', async () => {
      const head = [`POST ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
      socket.write(head);
      for (let o = 0; o < body.length && !answered && !socket.destroyed; o += 64 * 1024) {
        if (!socket.write(body.subarray(o, o + 64 * 1024))) {
          await new Promise<void>((r) => {
            const done = () => (socket.off('drain', done), socket.off('close', done), r());
            socket.once('drain', done);
            socket.once('close', done);
          });
        }
      }
    });
  });
}

function parseAnswer(buf: Buffer): Omit<RawAnswer, 'socket'> | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0]!.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const length = headers['content-length'];
  if (length === undefined) return undefined; // our answers always carry a length
  const bodyBytes = buf.subarray(end + 4);
  if (bodyBytes.length < Number(length)) return undefined;
  return { status, headers, body: bodyBytes.subarray(0, Number(length)).toString('utf8') };
}

/** After an answer the connection is either closed by the server or answers the next request. */
async function connectionNotHanging(socket: Socket): Promise<'closed' | 'reusable'> {
  if (socket.destroyed || socket.readableEnded) return 'closed';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the connection neither closed nor answered a further request')), ANSWER_WITHIN_MS);
    let after = Buffer.alloc(0);
    socket.removeAllListeners('data');
    socket.on('data', (c: Buffer) => {
      after = Buffer.concat([after, c]);
      if (/^HTTP\/1\.1 200/.test(after.toString('latin1')) && parseAnswer(after)) {
        clearTimeout(timer);
        socket.destroy();
        resolve('reusable');
      }
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    if (!socket.destroyed) socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  });
}

/** A DOCTYPE in the first bytes of a 5 MB file. */
function doctypeFile(): Uint8Array {
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Document [<!ENTITY a "aaaaaaaaaa">]>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>';
  return strToU8(head + '<!-- padding -->\n'.repeat(5 * 1024 * 1024 / 17));
}

/**
 * More members than the limit (zipMembers, 1,000), 5 MB of them: the limit is hit 4 MB in. Every
 * member is the same empty statement (a repeat within the file costs no writes), padded with noise.
 */
function zipOfTooManyMembers(): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (let i = 0; i < 1_200; i++) {
    const doc = `<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-16T08:00:00</CreDtTm></GrpHdr><!-- ${randomBytes(3_000).toString('base64')} --><Stmt><Id>S1</Id><CreDtTm>2026-11-16T08:00:00</CreDtTm><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct></Stmt></BkToCstmrStmt></Document>`;
    files[`m${String(i).padStart(5, '0')}.xml`] = [strToU8(doc), { level: 0 }];
  }
  return zipSync(files);
}

/** A first member that inflates into one text far above textLength, then 5 MB of stored noise. */
function zipOfInflatingText(): Uint8Array {
  const member = strToU8('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>' + 'A'.repeat(64 * 1024 * 1024));
  return zipSync({ 'a.xml': [member, { level: 9 }], 'b.bin': [randomBytes(5 * 1024 * 1024), { level: 0 }] });
}

describe('uploads refused early are answered at once', () => {
  let server: TestServer;
  let key: string;
  beforeAll(async () => {
    // Files up to 64 MB are answered with their import here; the job path (202) has its own test.
    server = await startTestServer('sqlite', { env: { INLINE_IMPORT_MAX_BYTES: String(64 * 1024 * 1024) } });
    key = await createClientKey(server, ['statements:import', 'statements:read']);
  });
  afterAll(async () => server?.close());

  const post = (body: Uint8Array, contentType: string, extra: Record<string, string> = {}) =>
    rawPost(server.url, '/v1/statements?fileName=hostile', { authorization: `Bearer ${key}`, 'content-type': contentType, 'content-length': String(body.length), ...extra }, body);

  it.each([
    ['a DOCTYPE at the start of a 5 MB file', () => doctypeFile(), 'application/xml', /DOCTYPE/],
    ['a ZIP of more members than allowed (5 MB)', () => zipOfTooManyMembers(), 'application/zip', /zipMembers/],
    ['a ZIP whose first member inflates to a text far above the limit, before 5 MB more', () => zipOfInflatingText(), 'application/zip', /textLength|entryBytes|zipUncompressedBytes/],
  ])('%s: 422 naming the reason, and the connection does not hang', async (_what, make, type, reason) => {
    const body = make();
    expect(body.length).toBeGreaterThan(1_000_000);
    const answer = await post(body, type);
    expect(answer.status).toBe(422);
    expect((JSON.parse(answer.body) as { detail: string }).detail).toMatch(reason);
    expect(['closed', 'reusable']).toContain(await connectionNotHanging(answer.socket));
    expect(await server.db.prisma.statementImport.count({ where: { status: 'completed' } })).toBe(0);
  });

  it('a declared size above the file limit: refused before the body is read', async () => {
    // Only the first MB of a declared 2 GB is ever sent; the answer must not wait for the rest.
    const answer = await post(randomBytes(1024 * 1024), 'application/xml', { 'content-length': String(2 * 1024 * 1024 * 1024) });
    expect(answer.status).toBe(413);
    expect((JSON.parse(answer.body) as { detail: string }).detail).toMatch(/statementFileBytes/);
    expect(await connectionNotHanging(answer.socket)).toBe('closed');
  });

  it('a content type that is no statement file: 415 before the body is read', async () => {
    const answer = await post(randomBytes(5 * 1024 * 1024), 'image/png');
    expect(answer.status).toBe(415);
    expect((JSON.parse(answer.body) as { detail: string }).detail).toMatch(/image\/png/);
    expect(['closed', 'reusable']).toContain(await connectionNotHanging(answer.socket));
  });

  it('a good statement on the same server is still imported afterwards', async () => {
    const res = await server.api('/v1/statements?fileName=ok.xml', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-16T08:00:00</CreDtTm></GrpHdr><Stmt><Id>S1</Id><CreDtTm>2026-11-16T08:00:00</CreDtTm><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct></Stmt></BkToCstmrStmt></Document>',
    });
    expect(res.status, await res.clone().text()).toBe(201);
  });
});

describe('a large upload refused by the reader, as a job', () => {
  let server: TestServer;
  let key: string;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { INLINE_IMPORT_MAX_BYTES: String(1024 * 1024) } });
    key = await createClientKey(server, ['statements:import', 'statements:read']);
  });
  afterAll(async () => server?.close());

  it('answers 202 with a status URL, and the status says why the file was refused; nothing stored', async () => {
    const body = doctypeFile();
    const answer = await rawPost(server.url, '/v1/statements?fileName=doctype.xml', { authorization: `Bearer ${key}`, 'content-type': 'application/xml', 'content-length': String(body.length) }, body);
    expect(answer.status).toBe(202);
    const accepted = JSON.parse(answer.body) as { importId: string; statusUrl: string; state: string; bytes: number };
    expect(accepted).toMatchObject({ state: 'queued', bytes: body.length });
    expect(answer.headers.location).toBe(accepted.statusUrl);
    expect(['closed', 'reusable']).toContain(await connectionNotHanging(answer.socket));
    let status: { state: string; error?: { detail: string } } = { state: 'queued' };
    for (let i = 0; i < 200 && (status.state === 'queued' || status.state === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await (await server.api(accepted.statusUrl, { key })).json()) as typeof status;
    }
    expect(status.state).toBe('failed');
    expect(status.error?.detail).toMatch(/DOCTYPE/);
    expect(await server.db.prisma.statementImport.count()).toBe(0);
  });
});
