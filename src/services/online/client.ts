/**
 * Stadtkasse as XBezahldienste client: creates a payment transaction at the configured provider
 * and reads its status. The three ways providers authenticate callers are built in:
 *
 * - HTTP Basic (`auth.type: basic`): the Authorization header on every call.
 * - OAuth2 client credentials (`oauth2`): a token from the provider's token endpoint (client
 *   authenticated with HTTP Basic, RFC 6749 §2.3.1), cached until shortly before it expires and
 *   fetched anew when the provider answers 401 to a cached token.
 * - Client certificate (`certificate`): TLS with our certificate and key; on Node through an undici
 *   Agent as the fetch dispatcher (certificateFetch.ts). Everything else here is runtime-neutral.
 *
 * Every failure is one of two kinds the callers handle differently: the provider could not be
 * reached or answered 5xx (ProviderUnavailableError: nothing happened, try again later), or it
 * refused the request (ProviderRejectedError, with its functionalCode).
 */
import type { Clock } from '../../context.js';
import { DomainError, UnavailableError } from '../../errors.js';
import type { ProviderConfig } from './config.js';
import { certificateFetch } from './certificateFetch.js';
import { parseJsonExact, stringifyJsonExact } from './xbd/json.js';
import { XbdPaymentTransactionSchema, XbdProblemSchema, type XbdPaymentInformation } from './xbd/protocol.js';

export class ProviderUnavailableError extends UnavailableError {
  constructor(
    readonly provider: string,
    why: string,
  ) {
    super(`payment provider ${provider} is not reachable: ${why}`);
  }
}

export class ProviderRejectedError extends DomainError {
  readonly code = 'conflict' as const;
  constructor(
    readonly provider: string,
    readonly httpStatus: number,
    readonly functionalCode: string | undefined,
    detail: string,
  ) {
    super(`payment provider ${provider} refused the request (${httpStatus}${functionalCode ? ` ${functionalCode}` : ''}): ${detail}`);
  }
}

export interface XbdClient {
  readonly provider: ProviderConfig;
  createTransaction(request: unknown): Promise<XbdPaymentInformation>;
  getTransaction(transactionId: string): Promise<XbdPaymentInformation>;
  /** GET /status: true when the provider answers 200 for our originator and endpoint. */
  available(): Promise<boolean>;
}

export interface XbdClientDeps {
  provider: ProviderConfig;
  clock: Clock;
  /** The transport (tests, the in-process test provider); the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** Seconds before a token's end at which it is no longer used (clock skew, slow calls). */
const TOKEN_MARGIN_S = 30;

export function createXbdClient(deps: XbdClientDeps): XbdClient {
  const p = deps.provider;
  const base = `${p.baseUrl}`;
  const path = (...parts: string[]) => `${base}/${parts.map(encodeURIComponent).join('/')}`;
  let transport: Promise<typeof fetch> | undefined;
  const getTransport = () =>
    (transport ??= p.auth.type === 'certificate' ? certificateFetch(p.auth) : Promise.resolve(deps.fetch ?? ((input, init) => fetch(input, init))));
  let token: { value: string; until: number } | undefined;

  async function bearer(force: boolean): Promise<string> {
    const auth = p.auth;
    if (auth.type !== 'oauth2') throw new Error('bearer() without oauth2');
    const now = deps.clock.now().getTime();
    if (!force && token && token.until > now) return token.value;
    const body = new URLSearchParams({ grant_type: 'client_credentials', ...(auth.scope ? { scope: auth.scope } : {}) });
    const res = await send(auth.tokenUrl, {
      method: 'POST',
      headers: { authorization: basic(auth.clientId, auth.clientSecret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    });
    if (!res.ok) {
      if (res.status >= 500) throw new ProviderUnavailableError(p.name, `token endpoint answered ${res.status}`);
      throw new ProviderRejectedError(p.name, res.status, 'FORBIDDEN', `token endpoint refused our client credentials (${res.status})`);
    }
    const json = (await res.json()) as { access_token?: unknown; expires_in?: unknown; token_type?: unknown };
    if (typeof json.access_token !== 'string' || json.access_token === '') throw new ProviderUnavailableError(p.name, 'token endpoint answered without access_token');
    const lifetime = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 300;
    token = { value: json.access_token, until: now + Math.max(0, lifetime - TOKEN_MARGIN_S) * 1000 };
    return token.value;
  }

  async function send(url: string, init: RequestInit): Promise<Response> {
    const doFetch = await getTransport();
    try {
      return await doFetch(url, { ...init, signal: AbortSignal.timeout(p.timeoutMs), redirect: 'manual' });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${p.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      throw new ProviderUnavailableError(p.name, why);
    }
  }

  async function call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<Response> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (p.auth.type === 'basic') headers.authorization = basic(p.auth.username, p.auth.password);
      if (p.auth.type === 'oauth2') headers.authorization = `Bearer ${await bearer(attempt > 0)}`;
      const res = await send(url, { method, headers, ...(body !== undefined ? { body: stringifyJsonExact(body) } : {}) });
      // A cached token the provider no longer accepts (revoked, restarted): once more with a new one.
      if (res.status === 401 && p.auth.type === 'oauth2' && attempt === 0) continue;
      return res;
    }
    throw new Error('unreachable');
  }

  async function transaction(res: Response): Promise<XbdPaymentInformation> {
    const text = await res.text();
    if (res.status >= 500 || res.status === 429) throw new ProviderUnavailableError(p.name, `answered ${res.status}`);
    if (!res.ok) {
      let code: string | undefined;
      let detail = `answered ${res.status}`;
      try {
        const problem = XbdProblemSchema.parse(JSON.parse(text));
        code = problem.functionalCode;
        detail = problem.detail ?? problem.title ?? detail;
      } catch {
        // not a problem document: the status says enough
      }
      throw new ProviderRejectedError(p.name, res.status, code, detail);
    }
    let parsed;
    try {
      parsed = XbdPaymentTransactionSchema.parse(parseJsonExact(text));
    } catch {
      throw new ProviderUnavailableError(p.name, 'answered something that is not an XBezahldienste PaymentTransaction');
    }
    const info = parsed.paymentInformation;
    const out: XbdPaymentInformation = { transactionId: info.transactionId, status: info.status };
    for (const k of ['transactionUrl', 'transactionRedirectUrl', 'transactionReference', 'transactionTimestamp', 'paymentMethod', 'paymentMethodDetail', 'statusDetail'] as const) {
      const v = info[k];
      if (typeof v === 'string' && v !== '') out[k] = v;
    }
    // The citizen is sent there: only a web address, never javascript: or the like.
    if (out.transactionRedirectUrl && !/^https?:\/\//i.test(out.transactionRedirectUrl)) delete out.transactionRedirectUrl;
    return out;
  }

  return {
    provider: p,
    async createTransaction(request) {
      return transaction(await call('POST', path('paymenttransaction', p.originatorId, p.endPointId), request));
    },
    async getTransaction(transactionId) {
      return transaction(await call('GET', path('paymenttransaction', p.originatorId, p.endPointId, transactionId)));
    },
    async available() {
      try {
        const res = await call('GET', path('status', p.originatorId, p.endPointId));
        await res.body?.cancel();
        return res.status === 200;
      } catch (err) {
        if (err instanceof ProviderUnavailableError || err instanceof ProviderRejectedError) return false;
        throw err;
      }
    },
  };
}

export function basic(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}
