/**
 * The built-in test mode payment provider: it speaks the XBezahldienste interface like a real
 * one (create, status, availability, OAuth2 token endpoint, problem answers with functionalCodes)
 * and hosts a payment page on which the tester chooses to pay, fail or cancel. No real money
 * moves, and every page it shows says so.
 *
 * Its transactions live in memory: they are gone when the process restarts (fine for trying the
 * flow; Stadtkasse then sees the provider's 404 and the citizen can start again). Tests run it on
 * its own port (plain HTTP or HTTPS with client certificates) through createTestProviderApp.
 */
import type { Clock } from '../../context.js';
import { formatMinor, parseMoney } from '../../money/money.js';
import { randomToken } from '../shared/ids.js';
import { TEST_PROVIDER_PAYOUT_IBAN } from './config.js';
import { parseJsonExact } from './xbd/json.js';
import { requestAmounts, XbdPaymentRequestSchema, type FunctionalCode, type XbdPaymentInformation, type XbdPaymentRequest, type XbdStatus } from './xbd/protocol.js';

export type TestProviderAuth =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'oauth2'; clientId: string; clientSecret: string; tokenTtlSeconds?: number }
  /** The TLS server checks the client certificate; nothing more to check over HTTP. */
  | { type: 'certificate' };

export interface TestProviderOptions {
  /** Where browsers reach the provider (its payment page), e.g. http://localhost:8787/testprovider. */
  publicUrl: string;
  clock: Clock;
  auth: TestProviderAuth;
  /** An INITIAL transaction fails with statusDetail EXPIRED after this long (default 30 min). */
  transactionTtlMs?: number;
}

export interface TestTransaction {
  id: string;
  originatorId: string;
  endPointId: string;
  /** The request body as received: the same requestId with another body is PAYMENT_EXISTS. */
  requestBody: string;
  request: XbdPaymentRequest;
  grossMinor: bigint;
  status: XbdStatus;
  statusDetail?: string;
  paymentMethod?: string;
  payedAt?: Date;
  createdAt: Date;
  /** Included in a settlement report already. */
  settled: boolean;
}

export class TestProviderError extends Error {
  constructor(
    readonly status: number,
    readonly functionalCode: FunctionalCode,
    message: string,
  ) {
    super(message);
  }
}

/** The provider's state and rules, apart from HTTP (src/http/online/testProvider.tsx serves it). */
export class TestProvider {
  readonly transactions = new Map<string, TestTransaction>();
  private readonly byRequest = new Map<string, string>();
  private readonly tokens = new Map<string, number>();
  /** false: every interface call answers 503 (the "provider is down" switch for tests). */
  available = true;
  /** How often the token endpoint handed out a token (tests check caching). */
  tokensIssued = 0;

  constructor(readonly options: TestProviderOptions) {}

  private now(): Date {
    return this.options.clock.now();
  }

  create(originatorId: string, endPointId: string, body: string): { created: boolean; tx: TestTransaction } {
    let raw: unknown;
    try {
      raw = parseJsonExact(body);
    } catch {
      throw new TestProviderError(400, 'VALIDATION_ERROR', 'body is not JSON');
    }
    const parsed = XbdPaymentRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new TestProviderError(400, 'VALIDATION_ERROR', `${i.path.join('.')} ${i.message}`);
    }
    const request = parsed.data;
    const amounts = requestAmounts(request);
    if (amounts.sumMinor !== amounts.grossMinor) throw new TestProviderError(400, 'CALCULATION_ERROR', 'grosAmount is not the sum of the items');
    const key = `${originatorId}/${endPointId}/${request.requestId}`;
    const known = this.byRequest.get(key);
    if (known) {
      const tx = this.transactions.get(known)!;
      if (tx.requestBody !== body) throw new TestProviderError(409, 'PAYMENT_EXISTS', `requestId ${request.requestId} was used for another request`);
      return { created: false, tx };
    }
    const tx: TestTransaction = { id: `TP-${randomToken(16)}`, originatorId, endPointId, requestBody: body, request, grossMinor: amounts.grossMinor, status: 'INITIAL', createdAt: this.now(), settled: false };
    this.transactions.set(tx.id, tx);
    this.byRequest.set(key, tx.id);
    return { created: true, tx };
  }

  get(originatorId: string, endPointId: string, id: string): TestTransaction {
    const tx = this.transactions.get(id);
    if (!tx || tx.originatorId !== originatorId || tx.endPointId !== endPointId) throw new TestProviderError(404, 'VALIDATION_ERROR', `no transaction ${id}`);
    this.expire(tx);
    return tx;
  }

  /** The tester's choice on the payment page. */
  decide(id: string, choice: 'pay' | 'fail' | 'cancel'): TestTransaction {
    const tx = this.transactions.get(id);
    if (!tx) throw new TestProviderError(404, 'VALIDATION_ERROR', `no transaction ${id}`);
    this.expire(tx);
    if (tx.status !== 'INITIAL') return tx;
    if (choice === 'pay') {
      tx.status = 'PAYED';
      tx.paymentMethod = 'CREDITCARD';
      tx.payedAt = this.now();
    } else if (choice === 'fail') {
      tx.status = 'FAILED';
      tx.statusDetail = 'DECLINED-BY-TESTER';
    } else {
      tx.status = 'CANCELED';
      tx.statusDetail = 'CANCELED-BY-TESTER';
    }
    return tx;
  }

  /** The transaction as it stands now (an old INITIAL one has expired meanwhile). */
  current(id: string): TestTransaction | undefined {
    const tx = this.transactions.get(id);
    if (tx) this.expire(tx);
    return tx;
  }

  private expire(tx: TestTransaction): void {
    const ttl = this.options.transactionTtlMs ?? 30 * 60_000;
    if (tx.status === 'INITIAL' && this.now().getTime() - tx.createdAt.getTime() > ttl) {
      tx.status = 'FAILED';
      tx.statusDetail = 'EXPIRED';
    }
  }

  information(tx: TestTransaction, apiBase: string): XbdPaymentInformation {
    const info: XbdPaymentInformation = {
      transactionUrl: `${apiBase}/paymenttransaction/${tx.originatorId}/${tx.endPointId}/${tx.id}`,
      transactionId: tx.id,
      transactionReference: tx.request.purpose?.replace(/[^\w-]/g, '-') || tx.id,
      status: tx.status,
    };
    if (tx.status === 'INITIAL') info.transactionRedirectUrl = `${this.options.publicUrl}/paypage/${tx.id}`;
    if (tx.statusDetail) info.statusDetail = tx.statusDetail;
    if (tx.paymentMethod) {
      info.paymentMethod = tx.paymentMethod;
      info.paymentMethodDetail = 'Testkarte';
    }
    if (tx.payedAt) info.transactionTimestamp = tx.payedAt.toISOString();
    return info;
  }

  issueToken(clientId: string, clientSecret: string): { access_token: string; token_type: string; expires_in: number } {
    const auth = this.options.auth;
    if (auth.type !== 'oauth2' || auth.clientId !== clientId || auth.clientSecret !== clientSecret) throw new TestProviderError(401, 'FORBIDDEN', 'invalid client');
    const ttl = auth.tokenTtlSeconds ?? 300;
    const token = randomToken(32);
    this.tokens.set(token, this.now().getTime() + ttl * 1000);
    this.tokensIssued++;
    return { access_token: token, token_type: 'Bearer', expires_in: ttl };
  }

  /** Checks the Authorization header against the configured mode. */
  authorize(header: string | undefined): void {
    const auth = this.options.auth;
    if (auth.type === 'none' || auth.type === 'certificate') return;
    if (auth.type === 'basic') {
      const creds = decodeBasic(header);
      if (!creds || creds.user !== auth.username || creds.password !== auth.password) throw new TestProviderError(403, 'FORBIDDEN', 'missing or wrong credentials');
      return;
    }
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const until = token ? this.tokens.get(token) : undefined;
    if (until === undefined || until <= this.now().getTime()) throw new TestProviderError(401, 'FORBIDDEN', 'missing, unknown or expired access token');
  }

  /** Forgets every token (tests: the provider restarted, a cached token is refused). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /**
   * A settlement report of everything paid and not yet reported, with a fee per payment (decimal
   * text): what a provider would send with its payout.
   */
  settlementReport(feePerPayment: string): { reference: string; currency: string; payoutIban: string; lines: Array<Record<string, string>>; net: string } {
    const fee = parseMoney(feePerPayment, 'EUR', { field: 'fee' }).minor;
    const paid = [...this.transactions.values()].filter((t) => t.status === 'PAYED' && !t.settled);
    const lines = paid.map((t) => {
      t.settled = true;
      return { type: 'payment', transactionId: t.id, requestId: t.request.requestId, reference: t.request.purpose ?? '', gross: formatMinor(t.grossMinor, 'EUR'), fee: formatMinor(fee, 'EUR'), net: formatMinor(t.grossMinor - fee, 'EUR') };
    });
    const net = paid.reduce((a, t) => a + t.grossMinor - fee, 0n);
    return { reference: `TP-PAYOUT-${this.now().toISOString().slice(0, 10)}-${randomToken(4).toUpperCase()}`, currency: 'EUR', payoutIban: TEST_PROVIDER_PAYOUT_IBAN, lines, net: formatMinor(net, 'EUR') };
  }
}

function decodeBasic(header: string | undefined): { user: string; password: string } | undefined {
  const b64 = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i)?.[1];
  if (!b64) return undefined;
  let text: string;
  try {
    text = new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
  const i = text.indexOf(':');
  return i < 0 ? undefined : { user: text.slice(0, i), password: text.slice(i + 1) };
}

export { decodeBasic };
