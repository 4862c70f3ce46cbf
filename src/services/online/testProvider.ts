/**
 * The built-in test mode payment provider: it speaks the XBezahldienste interface like a real
 * one (create, status, availability, OAuth2 token endpoint, problem answers with functionalCodes)
 * and hosts a payment page on which the tester chooses to pay, fail or cancel. No real money
 * moves, and every page it shows says so.
 *
 * Its transactions live in a store. Mounted in Stadtkasse (under /testprovider) that is the
 * database (TestProviderTransaction): on Workers every request is an invocation of its own, and a
 * transaction created while the citizen starts paying must still be there when the provider's
 * payment page is opened and when Stadtkasse asks for the status; several Node instances behind a
 * load balancer alike. Tests that run it on its own port (plain HTTP or HTTPS with client
 * certificates, through createTestProviderApp) keep it in memory. Access tokens of the OAuth2 mode
 * stay in memory: only such a test provider uses them, the mounted one asks for no authentication.
 */
import type { Clock } from '../../context.js';
import { isUniqueViolation, type Database } from '../../db/database.js';
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
  /** Where transactions are kept (default: in memory). */
  store?: TestProviderStore;
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

/** Where the provider keeps its transactions. */
export interface TestProviderStore {
  /** Stores a new transaction; false when one with its originator, end point and requestId exists. */
  insert(tx: TestTransaction): Promise<boolean>;
  byRequest(originatorId: string, endPointId: string, requestId: string): Promise<TestTransaction | undefined>;
  byId(id: string): Promise<TestTransaction | undefined>;
  /**
   * Writes the new state of an INITIAL transaction, only if it is still INITIAL: of two choices at
   * the same moment (two tabs of the payment page) one wins. Answers the transaction as it stands.
   */
  leaveInitial(tx: TestTransaction): Promise<TestTransaction>;
  /** Paid transactions not yet in a settlement report, marked as reported (at most `limit`). */
  takeUnsettledPaid(limit: number): Promise<TestTransaction[]>;
}

/** Transactions in the process's memory: for a test provider on a port of its own. */
export class MemoryTestProviderStore implements TestProviderStore {
  readonly transactions = new Map<string, TestTransaction>();
  private readonly requests = new Map<string, string>();

  async insert(tx: TestTransaction): Promise<boolean> {
    const key = `${tx.originatorId}/${tx.endPointId}/${tx.request.requestId}`;
    if (this.requests.has(key)) return false;
    this.requests.set(key, tx.id);
    this.transactions.set(tx.id, tx);
    return true;
  }

  async byRequest(originatorId: string, endPointId: string, requestId: string): Promise<TestTransaction | undefined> {
    const id = this.requests.get(`${originatorId}/${endPointId}/${requestId}`);
    return id === undefined ? undefined : this.transactions.get(id);
  }

  async byId(id: string): Promise<TestTransaction | undefined> {
    return this.transactions.get(id);
  }

  async leaveInitial(tx: TestTransaction): Promise<TestTransaction> {
    const stored = this.transactions.get(tx.id)!;
    if (stored.status === 'INITIAL') this.transactions.set(tx.id, tx);
    return this.transactions.get(tx.id)!;
  }

  async takeUnsettledPaid(limit: number): Promise<TestTransaction[]> {
    const paid = [...this.transactions.values()].filter((t) => t.status === 'PAYED' && !t.settled).slice(0, limit);
    for (const t of paid) t.settled = true;
    return paid;
  }
}

/** Transactions in the database (TestProviderTransaction): seen by every instance and invocation. */
export class DatabaseTestProviderStore implements TestProviderStore {
  constructor(private readonly db: Database) {}

  async insert(tx: TestTransaction): Promise<boolean> {
    try {
      await this.db.prisma.testProviderTransaction.create({
        data: {
          id: tx.id,
          originatorId: tx.originatorId,
          endPointId: tx.endPointId,
          requestId: tx.request.requestId,
          requestBody: tx.requestBody,
          grossMinor: tx.grossMinor,
          status: tx.status,
          statusDetail: tx.statusDetail ?? null,
          paymentMethod: tx.paymentMethod ?? null,
          payedAt: tx.payedAt ?? null,
          settled: tx.settled,
          createdAt: tx.createdAt,
        },
      });
      return true;
    } catch (err) {
      // The same request at the same moment: the unique index decided, the caller reads the winner.
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async byRequest(originatorId: string, endPointId: string, requestId: string): Promise<TestTransaction | undefined> {
    const row = await this.db.prisma.testProviderTransaction.findUnique({ where: { originatorId_endPointId_requestId: { originatorId, endPointId, requestId } } });
    return row ? fromRow(row) : undefined;
  }

  async byId(id: string): Promise<TestTransaction | undefined> {
    const row = await this.db.prisma.testProviderTransaction.findUnique({ where: { id } });
    return row ? fromRow(row) : undefined;
  }

  async leaveInitial(tx: TestTransaction): Promise<TestTransaction> {
    await this.db.prisma.testProviderTransaction.updateMany({
      where: { id: tx.id, status: 'INITIAL' },
      data: { status: tx.status, statusDetail: tx.statusDetail ?? null, paymentMethod: tx.paymentMethod ?? null, payedAt: tx.payedAt ?? null },
    });
    return (await this.byId(tx.id))!;
  }

  async takeUnsettledPaid(limit: number): Promise<TestTransaction[]> {
    const rows = await this.db.prisma.testProviderTransaction.findMany({ where: { status: 'PAYED', settled: false }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: limit });
    // Only the rows this call turned from unsettled to settled are reported, so two reports at the
    // same moment never carry one payment twice.
    const taken: TestTransaction[] = [];
    for (const r of rows) {
      const { count } = await this.db.prisma.testProviderTransaction.updateMany({ where: { id: r.id, settled: false }, data: { settled: true } });
      if (count === 1) taken.push(fromRow({ ...r, settled: true }));
    }
    return taken;
  }
}

function fromRow(row: {
  id: string;
  originatorId: string;
  endPointId: string;
  requestBody: string;
  grossMinor: bigint;
  status: string;
  statusDetail: string | null;
  paymentMethod: string | null;
  payedAt: Date | null;
  settled: boolean;
  createdAt: Date;
}): TestTransaction {
  // The body was read and checked when the transaction was created; reading it again gives the same request.
  const request = XbdPaymentRequestSchema.parse(parseJsonExact(row.requestBody));
  return {
    id: row.id,
    originatorId: row.originatorId,
    endPointId: row.endPointId,
    requestBody: row.requestBody,
    request,
    grossMinor: row.grossMinor,
    status: row.status as XbdStatus,
    ...(row.statusDetail !== null ? { statusDetail: row.statusDetail } : {}),
    ...(row.paymentMethod !== null ? { paymentMethod: row.paymentMethod } : {}),
    ...(row.payedAt !== null ? { payedAt: row.payedAt } : {}),
    createdAt: row.createdAt,
    settled: row.settled,
  };
}

/** Payments in one settlement report, at most: a report is one payout, and every query is bounded. */
const SETTLEMENT_REPORT_MAX = 1000;

/** The provider's state and rules, apart from HTTP (src/http/online/testProvider.tsx serves it). */
export class TestProvider {
  readonly store: TestProviderStore;
  private readonly tokens = new Map<string, number>();
  /** false: every interface call answers 503 (the "provider is down" switch for tests). */
  available = true;
  /** How often the token endpoint handed out a token (tests check caching). */
  tokensIssued = 0;

  constructor(readonly options: TestProviderOptions) {
    this.store = options.store ?? new MemoryTestProviderStore();
  }

  /** The transactions of a provider kept in memory (tests look at them); one kept in the database has none here. */
  get transactions(): ReadonlyMap<string, TestTransaction> {
    if (this.store instanceof MemoryTestProviderStore) return this.store.transactions;
    throw new Error('this test provider keeps its transactions in the database (TestProviderTransaction)');
  }

  private now(): Date {
    return this.options.clock.now();
  }

  async create(originatorId: string, endPointId: string, body: string): Promise<{ created: boolean; tx: TestTransaction }> {
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
    const fresh: TestTransaction = { id: `TP-${randomToken(16)}`, originatorId, endPointId, requestBody: body, request, grossMinor: amounts.grossMinor, status: 'INITIAL', createdAt: this.now(), settled: false };
    if (await this.store.insert(fresh)) return { created: true, tx: fresh };
    const tx = (await this.store.byRequest(originatorId, endPointId, request.requestId))!;
    if (tx.requestBody !== body) throw new TestProviderError(409, 'PAYMENT_EXISTS', `requestId ${request.requestId} was used for another request`);
    return { created: false, tx: await this.expire(tx) };
  }

  async get(originatorId: string, endPointId: string, id: string): Promise<TestTransaction> {
    const tx = await this.store.byId(id);
    if (!tx || tx.originatorId !== originatorId || tx.endPointId !== endPointId) throw new TestProviderError(404, 'VALIDATION_ERROR', `no transaction ${id}`);
    return this.expire(tx);
  }

  /** The tester's choice on the payment page. */
  async decide(id: string, choice: 'pay' | 'fail' | 'cancel'): Promise<TestTransaction> {
    const found = await this.store.byId(id);
    if (!found) throw new TestProviderError(404, 'VALIDATION_ERROR', `no transaction ${id}`);
    const tx = await this.expire(found);
    if (tx.status !== 'INITIAL') return tx;
    const decided: TestTransaction =
      choice === 'pay'
        ? { ...tx, status: 'PAYED', paymentMethod: 'CREDITCARD', payedAt: this.now() }
        : choice === 'fail'
          ? { ...tx, status: 'FAILED', statusDetail: 'DECLINED-BY-TESTER' }
          : { ...tx, status: 'CANCELED', statusDetail: 'CANCELED-BY-TESTER' };
    return this.store.leaveInitial(decided);
  }

  /** The transaction as it stands now (an old INITIAL one has expired meanwhile). */
  async current(id: string): Promise<TestTransaction | undefined> {
    const tx = await this.store.byId(id);
    return tx ? this.expire(tx) : undefined;
  }

  private async expire(tx: TestTransaction): Promise<TestTransaction> {
    const ttl = this.options.transactionTtlMs ?? 30 * 60_000;
    if (tx.status === 'INITIAL' && this.now().getTime() - tx.createdAt.getTime() > ttl) {
      return this.store.leaveInitial({ ...tx, status: 'FAILED', statusDetail: 'EXPIRED' });
    }
    return tx;
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
  async settlementReport(feePerPayment: string): Promise<{ reference: string; currency: string; payoutIban: string; lines: Array<Record<string, string>>; net: string }> {
    const fee = parseMoney(feePerPayment, 'EUR', { field: 'fee' }).minor;
    const paid = await this.store.takeUnsettledPaid(SETTLEMENT_REPORT_MAX);
    const lines = paid.map((t) => {
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
