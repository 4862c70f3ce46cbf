/**
 * Stadtkasse as XBezahldienste payment service, under /xbezahldienste/v1 — the base URL an online
 * service configures instead of ePayBL's or pmPayment's:
 *
 *   POST /xbezahldienste/v1/paymenttransaction/{originatorId}/{endPointId}
 *   GET  /xbezahldienste/v1/paymenttransaction/{originatorId}/{endPointId}/{transactionId}
 *   GET  /xbezahldienste/v1/status/{originatorId}/{endPointId}
 *   POST /xbezahldienste/v1/oauth/token   (OAuth2 client credentials → short-lived Bearer token)
 *
 * Authentication per originator (XBEZAHLDIENSTE_ORIGINATORS): OAuth2 client credentials (clientId,
 * clientSecret); HTTP Basic; or a client certificate verified by a TLS-terminating reverse proxy
 * that passes its subject in the header named by XBEZAHLDIENSTE_CLIENT_CERT_HEADER (the proxy must
 * overwrite that header on every request).
 *
 * Answers are written with amounts as JSON numbers (json.ts), as the interface defines them.
 * Errors are problem+json with a functionalCode, as the interface defines them.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { DomainError } from '../../errors.js';
import type { AppEnv } from '../env.js';
import { PROBLEM_BASE } from '../problem.js';
import type { OnlineConfig, OriginatorConfig } from '../../services/online/config.js';
import { issueToken, originatorByClientCredentials, originatorByToken } from '../../services/online/xbdTokens.js';
import { stringifyJsonExact } from '../../services/online/xbd/json.js';
import { constantTimeEqual, sha256Hex } from '../../services/shared/ids.js';
import { createXbdTransaction, endpointAllowed, getXbdTransaction, originatorActor, XbdError } from '../../services/online/paymentService.js';
import { xbdText } from '../../services/online/onlinePayments.js';
import { decodeBasic } from '../../services/online/testProvider.js';
import { ID_PATTERN, type FunctionalCode } from '../../services/online/xbd/protocol.js';
import type { App } from '../../app.js';
import { z } from '@hono/zod-openapi';

export const XBD_BASE_PATH = '/xbezahldienste/v1';
/** A PaymentRequest has at most 99 items of a few hundred bytes. */
const MAX_BODY_BYTES = 256 * 1024;

interface XbdEnv extends AppEnv {
  Variables: AppEnv['Variables'] & { originator: OriginatorConfig };
}

export function xbezahldiensteRoutes() {
  const app = new Hono<XbdEnv>();

  app.post('/oauth/token', bodyLimit({ maxSize: TOKEN_BODY_BYTES, onError: (c) => tokenError(c, 400, 'invalid_request', 'the request body is too large') }), async (c) => {
    const { config, clock } = c.get('deps');
    const form = await tokenForm(c);
    if (!form) return tokenError(c, 400, 'invalid_request', 'send grant_type, client_id and client_secret as application/x-www-form-urlencoded');
    if (form.grant_type !== 'client_credentials') return tokenError(c, 400, 'unsupported_grant_type', 'only grant_type=client_credentials is offered');
    // client_secret_basic (RFC 6749 §2.3.1: id and secret form-encoded inside Basic) or client_secret_post.
    const basic = decodeBasic(c.req.header('authorization'));
    const id = basic ? formDecode(basic.user) : form.client_id;
    const secret = basic ? formDecode(basic.password) : form.client_secret;
    const originator = id && secret ? await originatorByClientCredentials(config.online.originators, id, secret) : undefined;
    if (!originator) return tokenError(c, 401, 'invalid_client', 'unknown client or wrong secret');
    c.get('log').info({ originatorId: originator.originatorId }, 'XBezahldienste access token issued');
    return new Response(JSON.stringify(await issueToken(config.online, originator, clock.now())), { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' } });
  });

  const authenticated = async (c: Context<XbdEnv>, next: () => Promise<void>) => {
    const { originatorId, endPointId } = pathIds(c.req.path);
    if (!originatorId || !endPointId || !ID_PATTERN.test(originatorId) || !ID_PATTERN.test(endPointId)) {
      throw new XbdError('VALIDATION_ERROR', 400, 'originatorId and endPointId are 1 to 36 letters, digits, _ or -');
    }
    const { config } = c.get('deps');
    const caller = await authenticate(c, config.online, c.get('deps').clock.now());
    if (!caller) throw new XbdError('FORBIDDEN', 403, 'missing or invalid credentials');
    if (caller.originatorId !== originatorId) {
      const known = config.online.originators.some((o) => o.originatorId === originatorId);
      if (known) throw new XbdError('FORBIDDEN', 403, `these credentials are not for originator ${originatorId}`);
      throw new XbdError('NO_VALID_ORIGINATOR_OR_ENDPOINT', 400, `originator ${originatorId} is not known here`);
    }
    if (!endpointAllowed(caller, endPointId)) throw new XbdError('NO_VALID_ORIGINATOR_OR_ENDPOINT', 400, `endpoint ${endPointId} is not configured for originator ${originatorId}`);
    c.set('originator', caller);
    c.set('log', c.get('log').child({ actor: `xbd:${originatorId}:${endPointId}` }));
    await next();
  };
  app.use('/paymenttransaction/*', authenticated);
  app.use('/status/*', authenticated);

  app.post(
    '/paymenttransaction/:originatorId/:endPointId',
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new XbdError('VALIDATION_ERROR', 400, `the request body is larger than ${MAX_BODY_BYTES} bytes`); } }),
    async (c) => {
      const originator = c.get('originator');
      const endPointId = c.req.param('endPointId');
      const result = await createXbdTransaction({ ctx: ctxFor(c, originator, endPointId), input: { originator, endPointId, body: await c.req.text() } });
      return exactJson(result.transaction, result.created ? originator.createdStatus : 200);
    },
  );

  app.get('/paymenttransaction/:originatorId/:endPointId/:transactionId', async (c) => {
    const originator = c.get('originator');
    const endPointId = c.req.param('endPointId');
    const transaction = await getXbdTransaction({ ctx: ctxFor(c, originator, endPointId), input: { originatorId: originator.originatorId, endPointId, transactionId: c.req.param('transactionId') } });
    return exactJson(transaction, 200);
  });

  app.get('/status/:originatorId/:endPointId', async (c) => {
    try {
      await c.get('deps').db.prisma.xbdTransaction.findFirst({ select: { id: true } });
    } catch {
      throw new XbdError('UNSPECIFIED', 503, 'the payment service cannot reach its database');
    }
    return c.json({ status: 'AVAILABLE', originatorId: c.req.param('originatorId'), endPointId: c.req.param('endPointId') }, 200);
  });

  app.notFound(() => {
    throw new XbdError('VALIDATION_ERROR', 404, 'no such XBezahldienste operation');
  });
  app.onError((err, c) => xbdProblem(c, err));
  return app;
}

function pathIds(path: string): { originatorId?: string; endPointId?: string } {
  const m = /\/(?:paymenttransaction|status)\/([^/]+)\/([^/]+)/.exec(path);
  return m ? { originatorId: decodeURIComponent(m[1]!), endPointId: decodeURIComponent(m[2]!) } : {};
}

function exactJson(body: unknown, status: number): Response {
  return new Response(stringifyJsonExact(body), { status, headers: { 'content-type': 'application/json' } });
}

async function authenticate(c: Context<XbdEnv>, online: OnlineConfig, now: Date): Promise<OriginatorConfig | undefined> {
  const { originators, clientCertHeader: certHeader } = online;
  const bearer = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) return originatorByToken(online, bearer, now);
  if (certHeader) {
    const subject = c.req.header(certHeader);
    if (subject) return originators.find((o) => o.certificateSubject !== undefined && o.certificateSubject === subject);
  }
  const creds = decodeBasic(c.req.header('authorization'));
  if (!creds) return undefined;
  // User names are compared as hashes too: equal lengths, so the comparison says nothing about how long a name is.
  const [userHash, hash] = await Promise.all([sha256Hex(creds.user), sha256Hex(creds.password)]);
  // Every originator is compared (no early exit on the user name, & not &&), in constant time per hash.
  let found: OriginatorConfig | undefined;
  for (const o of originators) {
    if (o.username === undefined || o.passwordSha256 === undefined) continue;
    const [u, p] = await Promise.all([sha256Hex(o.username), o.passwordSha256]);
    if (Number(constantTimeEqual(u, userHash)) & Number(constantTimeEqual(p, hash))) found = o;
  }
  return found;
}

/** Bytes of a token request: a few form fields. */
const TOKEN_BODY_BYTES = 16 * 1024;

async function tokenForm(c: Context<XbdEnv>): Promise<Record<string, string> | undefined> {
  const type = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  try {
    if (/^application\/json/i.test(type)) {
      const v = JSON.parse(text) as unknown;
      if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
      return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string')) as Record<string, string>;
    }
    return Object.fromEntries(new URLSearchParams(text));
  } catch {
    return undefined;
  }
}

function formDecode(v: string): string {
  try {
    return decodeURIComponent(v.replaceAll('+', ' '));
  } catch {
    return v;
  }
}

/** RFC 6749 §5.2 error answer. */
function tokenError(c: Context<XbdEnv>, status: 400 | 401, error: string, description: string): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (status === 401) headers['www-authenticate'] = 'Basic realm="xbezahldienste"';
  const requestId = c.get('requestId');
  return new Response(JSON.stringify({ error, error_description: description }), { status, headers: { ...headers, ...(requestId ? { 'x-request-id': requestId } : {}) } });
}

function ctxFor(c: Context<XbdEnv>, originator: OriginatorConfig, endPointId: string) {
  const deps = c.get('deps');
  return { db: deps.db, config: deps.config, clock: deps.clock, log: c.get('log'), actor: originatorActor(originator, endPointId), requestId: c.get('requestId') };
}

const TITLES: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** The XBezahldienste error document: problem+json with functionalCode, texts in its character set. */
function xbdProblem(c: Context<XbdEnv>, err: unknown): Response {
  let status: number;
  let code: FunctionalCode;
  let detail: string;
  if (err instanceof XbdError) {
    status = err.httpStatus;
    code = err.functionalCode;
    detail = err.message;
  } else if (err instanceof DomainError) {
    status = err.code === 'not_found' ? 404 : err.code === 'conflict' ? 409 : err.code === 'unavailable' ? 503 : err.code === 'forbidden' || err.code === 'unauthenticated' ? 403 : 400;
    code = status === 403 ? 'FORBIDDEN' : status === 400 || status === 404 ? 'VALIDATION_ERROR' : 'UNSPECIFIED';
    detail = err.message;
  } else {
    (c.get('log') ?? console).error({ err, path: c.req.path }, 'unexpected error in the XBezahldienste interface');
    status = 500;
    code = 'UNSPECIFIED';
    detail = 'an unexpected error occurred, it has been logged with the request id';
  }
  const requestId = c.get('requestId');
  const body = {
    type: `${PROBLEM_BASE}xbezahldienste/${code.toLowerCase().replaceAll('_', '-')}`,
    status,
    title: TITLES[status] ?? 'Error',
    // "Only functional descriptions, no system internals"; the request id lets operators talk.
    detail: xbdText(`${detail}${requestId ? ` (request ${requestId})` : ''}`, 2000),
    functionalCode: code,
  };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json', ...(requestId ? { 'x-request-id': requestId } : {}) } });
}

/** The three operations in /openapi.json (validated by the service itself, not by zod: amounts are exact decimals). */
export function documentXbezahldienste(app: App): void {
  const num = (description: string) => z.number().openapi({ description: `${description}; read exactly as written (never through a float), at most 2 decimals` });
  const Address = z.object({ street: z.string().max(250), houseNumber: z.string().max(20), addressLine: z.array(z.string().max(250)).max(9), postalCode: z.string().max(20), city: z.string().max(250), country: z.string().regex(/^[A-Za-z]{2}$/) }).partial();
  const Requestor = z
    .object({ name: z.string().max(250).openapi({ description: 'family name (lastName is taken as the same)' }), lastName: z.string().max(250), firstName: z.string().max(250), gender: z.enum(['M', 'F', 'D']), isOrganization: z.boolean(), organizationName: z.string().max(250), address: Address })
    .partial()
    .openapi({ description: 'The payer; kept with the items (bookingData.xbezahldienste.requestor) and shown to staff as the debtor' });
  const Item = z.object({
    id: z.string().regex(ID_PATTERN),
    reference: z.string().regex(ID_PATTERN).optional(),
    description: z.string().max(250).optional(),
    taxRate: z.number().optional(),
    quantity: z.number().int().min(1).max(999999).optional(),
    totalNetAmount: num('net amount of the item'),
    totalTaxAmount: num('tax of the item').optional(),
    singleNetAmount: num('net amount of one').optional(),
    singleTaxAmount: num('tax of one').optional(),
    bookingData: z.record(z.string(), z.string()).optional(),
  });
  const XbdRequestDoc = z
    .object({ requestId: z.string().regex(ID_PATTERN), requestTimestamp: z.string().optional(), currency: z.literal('EUR'), grosAmount: num('sum of the items'), purpose: z.string().max(27).optional(), description: z.string().max(250).optional(), redirectUrl: z.string().max(2082), items: z.array(Item).min(1).max(99), requestor: Requestor.optional() })
    .openapi({ description: 'Optional fields may be left out or sent as null. Unknown fields are ignored.' });
  const Problem = z.object({ type: z.string(), status: z.number().int(), title: z.string(), detail: z.string(), functionalCode: z.enum(['NO_VALID_ORIGINATOR_OR_ENDPOINT', 'PAYMENT_EXISTS', 'CALCULATION_ERROR', 'BOOKING_DATA_MISSING', 'VALIDATION_ERROR', 'UNSPECIFIED', 'FORBIDDEN']) });
  const Transaction = z.object({
    paymentInformation: z.object({
      transactionUrl: z.string(),
      transactionRedirectUrl: z.string().optional().openapi({ description: 'Our citizen payment page, while INITIAL' }),
      transactionId: z.string(),
      transactionReference: z.string().optional(),
      transactionTimestamp: z.string().optional(),
      paymentMethod: z.string().optional(),
      paymentMethodDetail: z.string().optional(),
      status: z.enum(['INITIAL', 'PAYED', 'FAILED', 'CANCELED']),
      statusDetail: z.string().optional(),
    }),
    paymentRequest: XbdRequestDoc,
  });
  const errors = { 400: p('validation, calculation, booking data or originator/endpoint'), 403: p('FORBIDDEN: missing or wrong credentials'), 409: p('PAYMENT_EXISTS: requestId used with other content'), 503: p('unavailable') };
  function p(description: string) {
    return { description, content: { 'application/problem+json': { schema: Problem } } };
  }
  const params = z.object({ originatorId: z.string(), endPointId: z.string() });
  const security: Array<Record<string, string[]>> = [{ xbdOAuth2: [] }, { xbdBasic: [] }];
  app.openAPIRegistry.registerComponent('securitySchemes', 'xbdBasic', { type: 'http', scheme: 'basic', description: 'Per originator (XBEZAHLDIENSTE_ORIGINATORS: username, password)' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'xbdOAuth2', {
    type: 'oauth2',
    description: 'OAuth2 client credentials per originator (XBEZAHLDIENSTE_ORIGINATORS: clientId, clientSecret); tokens live XBEZAHLDIENSTE_TOKEN_TTL_SECONDS (default 300)',
    flows: { clientCredentials: { tokenUrl: `${XBD_BASE_PATH}/oauth/token`, scopes: {} } },
  });
  const TokenError = z.object({ error: z.enum(['invalid_request', 'invalid_client', 'unsupported_grant_type']), error_description: z.string() });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: `${XBD_BASE_PATH}/oauth/token`,
    operationId: 'xbdIssueToken',
    tags: ['XBezahldienste'],
    summary: 'OAuth2 token endpoint (client credentials grant): client_secret_basic or client_secret_post',
    security: [],
    request: { body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: z.object({ grant_type: z.literal('client_credentials'), client_id: z.string().optional(), client_secret: z.string().optional(), scope: z.string().optional() }) } } } },
    responses: {
      200: { description: 'a Bearer token', content: { 'application/json': { schema: z.object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number().int() }) } } },
      400: { description: 'malformed request or another grant type', content: { 'application/json': { schema: TokenError } } },
      401: { description: 'unknown client or wrong secret', content: { 'application/json': { schema: TokenError } } },
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: `${XBD_BASE_PATH}/paymenttransaction/{originatorId}/{endPointId}`,
    operationId: 'xbdCreatePaymentTransaction',
    tags: ['XBezahldienste'],
    summary: 'XBezahldienste 1.0.0: create a payment transaction (open items + payment request); requestId is the idempotency key',
    security,
    request: { params, body: { required: true, content: { 'application/json': { schema: XbdRequestDoc } } } },
    responses: { 200: { description: 'created, or the same request again', content: { 'application/json': { schema: Transaction } } }, 201: { description: 'created, only for originators configured with createdStatus 201', content: { 'application/json': { schema: Transaction } } }, ...errors },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: `${XBD_BASE_PATH}/paymenttransaction/{originatorId}/{endPointId}/{transactionId}`,
    operationId: 'xbdGetPaymentTransaction',
    tags: ['XBezahldienste'],
    summary: 'XBezahldienste 1.0.0: the transaction status, as the ledger has it (PAYED once all items are paid)',
    security,
    request: { params: params.extend({ transactionId: z.string() }) },
    responses: { 200: { description: 'the transaction', content: { 'application/json': { schema: Transaction } } }, 404: p('unknown transaction'), ...errors },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: `${XBD_BASE_PATH}/status/{originatorId}/{endPointId}`,
    operationId: 'xbdStatus',
    tags: ['XBezahldienste'],
    summary: 'XBezahldienste 1.0.0: availability for this originator and endpoint',
    security,
    request: { params },
    responses: { 200: { description: 'available' }, ...errors },
  });
}
