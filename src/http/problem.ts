/**
 * RFC 9457 problem details. Every error answer of the API is made here, from a typed domain error;
 * anything else is a bug, logged with the request id and answered as a bare 500.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError, LimitExceededError, ValidationError, UnsupportedFormatError, BalanceMismatchError, type DomainErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

const STATUS: Record<DomainErrorCode, { status: ContentfulStatusCode; title: string }> = {
  validation: { status: 422, title: 'The request cannot be processed as sent' },
  unsupported_format: { status: 422, title: 'Unsupported format' },
  balance_mismatch: { status: 422, title: 'Balances do not add up' },
  limit_exceeded: { status: 422, title: 'A limit was exceeded' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  idempotency_in_flight: { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  idempotency_mismatch: { status: 422, title: 'Idempotency-Key was used for a different request' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed' },
  unavailable: { status: 503, title: 'Temporarily unavailable' },
};

export const PROBLEM_BASE = 'https://stadtkasse.dev/problems/';

export function problemFromError(err: DomainError, instance?: string): Problem {
  const { status, title } = STATUS[err.code];
  const problem: Problem = {
    type: PROBLEM_BASE + err.code.replaceAll('_', '-'),
    title,
    status,
    detail: err.message,
    ...(instance ? { instance } : {}),
    ...err.details,
  };
  if (err instanceof ValidationError || err instanceof UnsupportedFormatError || err instanceof LimitExceededError || err instanceof BalanceMismatchError) {
    const loc = err.location;
    for (const [k, v] of Object.entries(loc)) if (v !== undefined) problem[k] = v;
  }
  if (err instanceof ValidationError && err.errors.length > 0) problem.errors = err.errors;
  return problem;
}

export function problemResponse(c: Context, problem: Problem, headers: Record<string, string> = {}): Response {
  const requestId = c.get('requestId' as never) as string | undefined;
  const body: Problem = { ...problem, ...(requestId ? { requestId } : {}) };
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...(requestId ? { 'x-request-id': requestId } : {}), ...headers },
  });
}

export function handleError(err: unknown, c: Context, log: Logger): Response {
  if (err instanceof DomainError) {
    const headers: Record<string, string> = err.code === 'unauthenticated' ? { 'www-authenticate': 'Bearer realm="stadtkasse"' } : {};
    return problemResponse(c, problemFromError(err, c.req.path), headers);
  }
  if (isHttpException(err)) {
    return problemResponse(c, { type: 'about:blank', title: err.message || 'Bad request', status: err.status });
  }
  log.error({ err, path: c.req.path, method: c.req.method }, 'unexpected error');
  return problemResponse(c, {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'An unexpected error occurred. It has been logged with the request id.',
  });
}

function isHttpException(err: unknown): err is HTTPException & { status: ContentfulStatusCode } {
  return err instanceof HTTPException;
}
