/**
 * Helpers for the online payment tests: the test mode provider on a port of its own (HTTP, or
 * HTTPS that requires a client certificate), a throwaway CA with server and client certificates
 * made by openssl, and a "browser" that follows redirects one by one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { Clock } from '../../src/context.js';
import { createTestProviderApp } from '../../src/http/online/testProvider.js';
import type { TestProvider, TestProviderAuth } from '../../src/services/online/testProvider.js';

export interface RunningTestProvider {
  url: string;
  provider: TestProvider;
  close(): Promise<void>;
}

export interface Pki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate from another CA: must be refused. */
  strangerCert: string;
  strangerKey: string;
  cleanup(): void;
}

/** A throwaway CA, a server certificate for localhost/127.0.0.1 and client certificates, via openssl. */
export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'stk-pki-'));
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ca = (name: string) => {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.crt`), '-days', '2', '-subj', `/CN=${name}`);
  };
  const leaf = (name: string, caName: string, ext: string) => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${name}`);
    writeFileSync(f(`${name}.ext`), ext);
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f(`${caName}.crt`), '-CAkey', f(`${caName}.key`), '-CAcreateserial', '-out', f(`${name}.crt`), '-days', '2', '-extfile', f(`${name}.ext`));
  };
  ca('test-ca');
  ca('stranger-ca');
  leaf('localhost', 'test-ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('stadtkasse-client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
  leaf('stranger-client', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: f('test-ca.crt'),
    serverCert: f('localhost.crt'),
    serverKey: f('localhost.key'),
    clientCert: f('stadtkasse-client.crt'),
    clientKey: f('stadtkasse-client.key'),
    strangerCert: f('stranger-client.crt'),
    strangerKey: f('stranger-client.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The test mode provider served by @hono/node-server on a free port. */
export async function startTestProvider(opts: { clock: Clock; auth: TestProviderAuth; tls?: Pki; transactionTtlMs?: number }): Promise<RunningTestProvider> {
  const scheme = opts.tls ? 'https' : 'http';
  // The public URL is only known once the port is: the app reads it lazily through this holder.
  const holder = { url: '' };
  const tp = createTestProviderApp({
    get publicUrl() {
      return holder.url;
    },
    clock: opts.clock,
    auth: opts.auth,
    ...(opts.transactionTtlMs ? { transactionTtlMs: opts.transactionTtlMs } : {}),
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve(
      {
        fetch: tp.app.fetch,
        port: 0,
        hostname: '127.0.0.1',
        ...(opts.tls
          ? {
              createServer: createHttpsServer,
              serverOptions: {
                key: readFileSync(opts.tls.serverKey),
                cert: readFileSync(opts.tls.serverCert),
                ca: readFileSync(opts.tls.ca),
                // Only callers with a certificate from our CA get past the TLS handshake.
                requestCert: true,
                rejectUnauthorized: true,
              },
            }
          : {}),
      },
      () => resolve(s),
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  holder.url = `${scheme}://${opts.tls ? 'localhost' : '127.0.0.1'}:${port}`;
  return {
    url: holder.url,
    provider: tp.provider,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** GET without following redirects; answers the status and Location. */
export async function visit(url: string, init: RequestInit = {}): Promise<{ status: number; location: string | null; text: string }> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

/** Stadtkasse's own URLs name PUBLIC_BASE_URL; a test server listens elsewhere. */
export function localUrl(server: { url: string; config: { publicBaseUrl: string } }, url: string): string {
  return url.startsWith('/') ? server.url + url : url.replace(server.config.publicBaseUrl, server.url);
}

/** The one-time nonce of the "Online bezahlen" form on a payment page (undefined: no form). */
export function startNonceIn(html: string): string | undefined {
  return /<form method="post" action="\/pay\/[^"]+\/online"><input type="hidden" name="nonce" value="([^"]+)"/.exec(html)?.[1];
}

/**
 * The citizen opens the payment page and clicks "Online bezahlen" (the form's POST with its nonce):
 * answers where they are sent — the provider's page (200 with a refresh to it) or our page (303).
 */
export async function startOnlineAsCitizen(server: { url: string; config: { publicBaseUrl: string } }, token: string, nonce?: string): Promise<{ status: number; location: string }> {
  const form = nonce ?? startNonceIn((await visit(`${server.url}/pay/${token}`)).text);
  if (!form) throw new Error('the payment page offers no "Online bezahlen" form');
  return postStart(server, token, form);
}

export async function postStart(server: { url: string }, token: string, nonce: string): Promise<{ status: number; location: string }> {
  const res = await fetch(`${server.url}/pay/${token}/online`, { method: 'POST', body: new URLSearchParams({ nonce }), redirect: 'manual' });
  await res.text();
  if (res.status === 200) return { status: 200, location: /^0;url=(.+)$/.exec(res.headers.get('refresh') ?? '')?.[1] ?? '' };
  return { status: res.status, location: res.headers.get('location') ?? '' };
}

/** On the provider's page the citizen chooses pay, fail or cancel; answers the way back (our return URL). */
export async function decideOnProviderPage(server: { url: string; config: { publicBaseUrl: string } }, payPage: string, choice: 'pay' | 'fail' | 'cancel'): Promise<string> {
  const posted = await visit(localUrl(server, payPage), { method: 'POST', body: new URLSearchParams({ choice }) });
  if (posted.status !== 303 || !posted.location) throw new Error(`the provider page answered ${posted.status}`);
  return posted.location;
}
