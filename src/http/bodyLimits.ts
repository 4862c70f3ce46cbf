/**
 * Every request body has a limit, checked while it arrives (a 200 MB POST /v1/items is refused
 * with 413 after the first megabyte, not read whole). Most routes take a few KB; the list and
 * report uploads take LIMITS.requestBodyBytes; statement uploads are streamed and counted against
 * LIMITS.statementFileBytes by the importer itself, so they are left to it.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { LIMITS, type LimitName } from '../limits.js';
import { problemResponse, PROBLEM_BASE } from './problem.js';

const RAISED: Array<[RegExp, LimitName | 'streamed']> = [
  [/^\/v1\/statements\/?$/, 'streamed'],
  [/^\/import\/?$/, 'streamed'],
  [/^\/v1\/items\/bulk\/?$/, 'requestBodyBytes'],
  [/^\/import\/items\/?$/, 'requestBodyBytes'],
  [/^\/v1\/online\/settlements\/?$/, 'requestBodyBytes'],
];

/** The limit a request's body is held to. */
export function bodyLimitOf(path: string): LimitName | 'streamed' {
  return RAISED.find(([re]) => re.test(path))?.[1] ?? 'jsonBodyBytes';
}

export function limitBodies(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const name = bodyLimitOf(c.req.path);
    if (name === 'streamed') return next();
    const max = LIMITS[name];
    return bodyLimit({
      maxSize: max,
      onError: (ctx) =>
        problemResponse(ctx, {
          type: PROBLEM_BASE + 'payload-too-large',
          title: 'The request body is too large',
          status: 413,
          detail: `the request body is larger than the limit ${name} of ${max} bytes`,
          limit: name,
          max,
        }),
    })(c, next);
  };
}
