/**
 * Idempotency-Key for creating calls (POST /v1/items, /v1/items/bulk, /v1/payment-requests,
 * /v1/webhooks, and the item changes). The header is optional; when sent, it is honoured:
 *
 * - the same key with the same request (method, path with query, body) answers the first answer
 *   again — status and body — with `Idempotent-Replayed: true`, without running the call again.
 *   A JSON body is compared as canonical JSON (keys sorted, no white space): a retry that writes
 *   the same object with keys in another order or other spacing is the same request;
 * - the same key with another request is refused (422 idempotency-mismatch);
 * - the same key while the first request is still running is refused (409 idempotency-in-flight):
 *   retry after a moment.
 *
 * Keys are scoped to the calling API client. An answer of 4xx is remembered and replayed (the
 * request was wrong and stays wrong), except 409: a conflict is about the state of the world at
 * that moment (someone else changed the item, a booking still has to be reversed, "reload it and
 * retry"), so replaying it would refuse the retry it asks for forever. A 409, like a 5xx, is
 * forgotten and the key released so a retry with it runs again.
 *
 * Concurrency, also across instances: the in-flight record is inserted *before* the call runs, and
 * the primary key (clientId, key) lets exactly one of two simultaneous inserts succeed; the other
 * sees the record and answers 409. A record left in flight by a crashed process is taken over after
 * IN_FLIGHT_STALE_MS, by a conditional update only one taker can win.
 *
 * The record store lives here, not in a service: what it stores is an HTTP answer.
 */
import { createMiddleware } from 'hono/factory';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/database.js';
import { IdempotencyInFlightError, IdempotencyMismatchError, ValidationError } from '../errors.js';
import { sha256Hex } from '../services/shared/ids.js';
import type { AppEnv } from './env.js';
import { LIMITS } from '../limits.js';
import { jsonDepth } from './strictInput.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** Longer than any request may run (the longest is a 100 000-row import, 10 min transaction timeout). */
export const IN_FLIGHT_STALE_MS = 15 * 60_000;

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** Documentation for the OpenAPI parameters of the routes that honour the header. */
export const idempotencyHeaderDoc = {
  description:
    'Optional. A unique key per intended operation (e.g. a UUID). Repeating the request with the same key answers the first answer again (header Idempotent-Replayed: true); the same key with a different request answers 422; while the first is still running, 409.',
};

export function idempotent() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header(IDEMPOTENCY_HEADER);
    if (key === undefined) return next();
    if (!KEY_FORMAT.test(key)) throw new ValidationError(`${IDEMPOTENCY_HEADER}: must be 1 to 255 visible ASCII characters`, { field: IDEMPOTENCY_HEADER });
    const actor = c.get('actor');
    if (!actor) throw new Error('idempotent() must run after requireScope()');
    const { db, clock } = c.get('deps');
    const url = new URL(c.req.url);
    // c.req.text() caches the body, so the route's validator still reads it afterwards.
    const body = await c.req.text();
    const head = `${c.req.method}\n${url.pathname}${url.search}\n`;
    const requestHash = await sha256Hex(`${head}${canonicalBody(body, c.req.header('content-type'))}`);
    // Records written before bodies were canonical hold the hash of the bytes: the same bytes still replay.
    const bytesHash = await sha256Hex(`${head}${body}`);
    const claim = await claimKey(db, actor.id, key, requestHash, clock.now(), bytesHash);
    if (claim.kind === 'replay') {
      return new Response(claim.body, { status: claim.status, headers: { 'content-type': claim.contentType, [REPLAYED_HEADER]: 'true' } });
    }
    let completed = false;
    try {
      await next();
      if (isRemembered(c.res.status)) {
        const text = await c.res.clone().text();
        await db.prisma.idempotencyRecord.updateMany({
          where: { clientId: actor.id, key, state: 'in_flight' },
          data: { state: 'completed', responseStatus: c.res.status, responseContentType: c.res.headers.get('content-type') ?? 'application/json', responseBody: text, completedAt: clock.now() },
        });
        completed = true;
      }
    } finally {
      if (!completed) await db.prisma.idempotencyRecord.deleteMany({ where: { clientId: actor.id, key, state: 'in_flight' } });
    }
  });
}

/**
 * The body as compared: canonical JSON for JSON (keys sorted, no white space; numbers as JSON.parse
 * reads them, amounts being strings in this API), the bytes for anything else, and for JSON that is
 * malformed or nested beyond LIMITS.jsonDepth (the validator refuses those anyway).
 */
export function canonicalBody(body: string, contentType: string | undefined): string {
  if (!/^application\/(?:[\w.+-]+\+)?json/i.test(contentType ?? '') || jsonDepth(body, LIMITS.jsonDepth) > LIMITS.jsonDepth) return body;
  try {
    return `json:${canonicalJson(JSON.parse(body))}`;
  } catch {
    return body;
  }
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Answers that stay true on a retry: successes and the caller's own mistakes, not conflicts or failures. */
export function isRemembered(status: number): boolean {
  return status < 500 && status !== 409;
}

type Claim = { kind: 'run' } | { kind: 'replay'; status: number; contentType: string; body: string };

async function claimKey(db: Database, clientId: string, key: string, requestHash: string, now: Date, bytesHash: string): Promise<Claim> {
  // Two rounds: a record deleted (5xx) between our failed insert and our read is inserted again.
  for (let round = 0; round < 2; round++) {
    try {
      await db.prisma.idempotencyRecord.create({ data: { clientId, key, requestHash, state: 'in_flight', createdAt: now } });
      return { kind: 'run' };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    const existing = await db.prisma.idempotencyRecord.findUnique({ where: { clientId_key: { clientId, key } } });
    if (!existing) continue;
    if (existing.state === 'in_flight') {
      if (now.getTime() - existing.createdAt.getTime() > IN_FLIGHT_STALE_MS) {
        const taken = await db.prisma.idempotencyRecord.updateMany({
          where: { clientId, key, state: 'in_flight', createdAt: existing.createdAt },
          data: { requestHash, createdAt: now },
        });
        if (taken.count === 1) return { kind: 'run' };
      }
      throw new IdempotencyInFlightError(`a request with ${IDEMPOTENCY_HEADER} "${key}" is still being processed; retry in a moment`);
    }
    if (existing.requestHash !== requestHash && existing.requestHash !== bytesHash) {
      throw new IdempotencyMismatchError(`${IDEMPOTENCY_HEADER} "${key}" was already used for a different request; use a new key for a new operation`);
    }
    return { kind: 'replay', status: existing.responseStatus ?? 200, contentType: existing.responseContentType ?? 'application/json', body: existing.responseBody ?? '' };
  }
  throw new IdempotencyInFlightError(`${IDEMPOTENCY_HEADER} "${key}" is being used by concurrent requests; retry in a moment`);
}
