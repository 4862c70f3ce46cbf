/**
 * Stadtkasse as XBezahldienste payment service, under /xbezahldienste/v1 — the base URL an online
 * service configures instead of ePayBL's or pmPayment's:
 *
 *   POST /xbezahldienste/v1/paymenttransaction/{originatorId}/{endPointId}
 *   GET  /xbezahldienste/v1/paymenttransaction/{originatorId}/{endPointId}/{transactionId}
 *   GET  /xbezahldienste/v1/status/{originatorId}/{endPointId}
 *
 * Authentication per originator (XBEZAHLDIENSTE_ORIGINATORS): HTTP Basic; or a client certificate
 * verified by a TLS-terminating reverse proxy that passes its subject in the header named by
 * XBEZAHLDIENSTE_CLIENT_CERT_HEADER (the proxy must overwrite that header on every request).
 * Errors are problem+json with a functionalCode, as the interface defines them.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { DomainError } from '../../errors.js';
import type { AppEnv } from '../env.js';
import { PROBLEM_BASE } from '../problem.js';
import type { OriginatorConfig } from '../../services/online/config.js';
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

  app.use('/*', async (c, next) => {
    const { originatorId, endPointId } = pathIds(c.req.path);
    if (!originatorId || !endPointId || !ID_PATTERN.test(originatorId) || !ID_PATTERN.test(endPointId)) {
      throw new XbdError('VALIDATION_ERROR', 400, 'originatorId and endPointId are 1 to 36 letters, digits, _ or -');
    }
    const { config } = c.get('deps');
    const caller = await authenticate(c, config.online.originators, config.online.clientCertHeader);
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
  });

  app.post(
    '/paymenttransaction/:originatorId/:endPointId',
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new XbdError('VALIDATION_ERROR', 400, `the request body is larger than ${MAX_BODY_BYTES} bytes`); } }),
    async (c) => {
      const originator = c.get('originator');
      const endPointId = c.req.param('endPointId');
      const result = await createXbdTransaction({ ctx: ctxFor(c, originator, endPointId), input: { originator, endPointId, body: await c.req.text() } });
      return c.json(result.transaction, result.created ? 201 : 200);
    },
  );

  app.get('/paymenttransaction/:originatorId/:endPointId/:transactionId', async (c) => {
    const originator = c.get('originator');
    const endPointId = c.req.param('endPointId');
    const transaction = await getXbdTransaction({ ctx: ctxFor(c, originator, endPointId), input: { originatorId: originator.originatorId, endPointId, transactionId: c.req.param('transactionId') } });
    return c.json(transaction, 200);
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

async function authenticate(c: Context<XbdEnv>, originators: OriginatorConfig[], certHeader: string | undefined): Promise<OriginatorConfig | undefined> {
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
    const [u, p] = await Promise.all([sha256Hex(o.username), o.passwordSha256]);
    if (Number(constantTimeEqual(u, userHash)) & Number(constantTimeEqual(p, hash))) found = o;
  }
  return found;
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
    paymentRequest: z.object({}).passthrough(),
  });
  const errors = { 400: p('validation, calculation, booking data or originator/endpoint'), 403: p('FORBIDDEN: missing or wrong credentials'), 409: p('PAYMENT_EXISTS: requestId used with other content'), 503: p('unavailable') };
  function p(description: string) {
    return { description, content: { 'application/problem+json': { schema: Problem } } };
  }
  const params = z.object({ originatorId: z.string(), endPointId: z.string() });
  const security = [{ xbdBasic: [] }];
  app.openAPIRegistry.registerComponent('securitySchemes', 'xbdBasic', { type: 'http', scheme: 'basic', description: 'Per originator (XBEZAHLDIENSTE_ORIGINATORS)' });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: `${XBD_BASE_PATH}/paymenttransaction/{originatorId}/{endPointId}`,
    tags: ['XBezahldienste'],
    summary: 'XBezahldienste 1.0.0: create a payment transaction (open items + payment request); requestId is the idempotency key',
    security,
    request: { params, body: { content: { 'application/json': { schema: z.object({ requestId: z.string(), currency: z.literal('EUR'), grosAmount: z.number(), purpose: z.string().optional(), description: z.string().optional(), redirectUrl: z.string(), items: z.array(z.object({}).passthrough()), requestor: z.object({}).passthrough().optional() }).passthrough() } } } },
    responses: { 201: { description: 'created', content: { 'application/json': { schema: Transaction } } }, 200: { description: 'the same request again', content: { 'application/json': { schema: Transaction } } }, ...errors },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: `${XBD_BASE_PATH}/paymenttransaction/{originatorId}/{endPointId}/{transactionId}`,
    tags: ['XBezahldienste'],
    summary: 'XBezahldienste 1.0.0: the transaction status, as the ledger has it (PAYED once all items are paid)',
    security,
    request: { params: params.extend({ transactionId: z.string() }) },
    responses: { 200: { description: 'the transaction', content: { 'application/json': { schema: Transaction } } }, 404: p('unknown transaction'), ...errors },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: `${XBD_BASE_PATH}/status/{originatorId}/{endPointId}`,
    tags: ['XBezahldienste'],
    summary: 'XBezahldienste 1.0.0: availability for this originator and endpoint',
    security,
    request: { params },
    responses: { 200: { description: 'available' }, ...errors },
  });
}
