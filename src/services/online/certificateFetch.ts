/**
 * fetch with a TLS client certificate. On Node the standard fetch takes an undici dispatcher; an
 * Agent carries our certificate, key and (optionally) the CA that signed the provider's server
 * certificate. undici and node:fs are imported only when a provider with `auth.type: certificate`
 * is first called, so the rest of the app stays free of Node-only imports. On Cloudflare Workers,
 * use an mTLS certificate binding (its fetch presents the certificate) and auth.type "none".
 */
import type { ProviderAuth } from './config.js';

type CertificateAuth = Extract<ProviderAuth, { type: 'certificate' }>;

export async function certificateFetch(auth: CertificateAuth): Promise<typeof fetch> {
  let undici: typeof import('undici');
  try {
    undici = await import('undici');
  } catch {
    throw new Error('client certificates need Node.js with the undici package (on Workers use an mTLS certificate binding)');
  }
  const [cert, key, ca] = await Promise.all([pem(auth.cert), pem(auth.key), auth.ca ? pem(auth.ca) : Promise.resolve(undefined)]);
  const agent = new undici.Agent({ connect: { cert, key, ...(ca ? { ca } : {}), ...(auth.passphrase ? { passphrase: auth.passphrase } : {}) } });
  return ((input: string | URL | Request, init?: RequestInit) =>
    undici.fetch(input as never, { ...(init as object), dispatcher: agent } as never) as unknown as Promise<Response>) as typeof fetch;
}

/** PEM text as given, or the content of the file it names. */
async function pem(value: string): Promise<string> {
  if (value.includes('-----BEGIN')) return value;
  const { readFile } = await import('node:fs/promises');
  return readFile(value, 'utf8');
}
