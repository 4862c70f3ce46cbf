/**
 * What can be refused about a statement upload before its body is read: the content type and a
 * declared length above the file limit. Such a refusal is answered at once and the connection is
 * closed (`Connection: close`), so a client still sending a body of hundreds of MB gets its answer
 * instead of a server that stopped reading and a socket that hangs.
 */
import type { Context } from 'hono';
import { LimitExceededError, UnsupportedFormatError, type DomainError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { problemFromError, problemResponse } from '../problem.js';

/**
 * Types a statement file may arrive as. application/x-www-form-urlencoded is what curl sends with
 * --data-binary when no type is given; the body is still the raw file, so it is read as such.
 */
const STATEMENT_TYPES = new Set(['application/xml', 'text/xml', 'application/zip', 'application/x-zip-compressed', 'application/octet-stream', 'application/x-www-form-urlencoded']);

export function uploadRefusal(c: Context): Response | undefined {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== '' && !STATEMENT_TYPES.has(type) && !type.endsWith('+xml')) {
    return refuseUpload(c, 415, new UnsupportedFormatError(`content type ${type} is not a statement file: send the camt XML or ZIP itself as the body, with content-type application/xml or application/zip`, { field: 'content-type' }));
  }
  const length = declaredLength(c);
  if (length !== undefined && length > LIMITS.statementFileBytes) return refuseUpload(c, 413, tooLarge(length));
  return undefined;
}

export function declaredLength(c: Context): number | undefined {
  const header = c.req.header('content-length');
  return header !== undefined && /^\d{1,15}$/.test(header) ? Number(header) : undefined;
}

export function tooLarge(bytes: number): LimitExceededError {
  return new LimitExceededError('statementFileBytes', LIMITS.statementFileBytes, bytes, {}, `the file is larger than ${LIMITS.statementFileBytes} bytes (limit statementFileBytes); nothing was imported`);
}

/** A problem answer that also ends the connection: the rest of the body is never read. */
export function refuseUpload(c: Context, status: 413 | 415 | 422, err: DomainError): Response {
  return problemResponse(c, { ...problemFromError(err, c.req.path), status }, { connection: 'close' });
}
