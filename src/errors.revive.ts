/**
 * Domain errors across a thread or process boundary: `toTransferable` flattens one into plain data
 * (structured clone loses classes), `reviveDomainError` makes the same class again, so the HTTP
 * layer maps it to the same problem+json as if it had been thrown here.
 */
import {
  BalanceMismatchError,
  ConflictError,
  DomainError,
  ForbiddenError,
  IdempotencyInFlightError,
  IdempotencyMismatchError,
  LimitExceededError,
  NotFoundError,
  UnauthenticatedError,
  UnavailableError,
  UnsupportedFormatError,
  ValidationError,
  type ErrorLocation,
} from './errors.js';

export interface TransferableError {
  domain: boolean;
  name: string;
  message: string;
  stack?: string;
  location?: ErrorLocation;
  details?: Record<string, unknown>;
  errors?: Array<{ message: string } & ErrorLocation>;
  limit?: { name: string; max: string; actual?: string };
}

export function toTransferable(err: unknown): TransferableError {
  if (!(err instanceof Error)) return { domain: false, name: 'Error', message: String(err) };
  const out: TransferableError = { domain: err instanceof DomainError, name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  if (err instanceof DomainError) out.details = JSON.parse(JSON.stringify(err.details, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown>;
  const loc = (err as { location?: ErrorLocation }).location;
  if (loc) out.location = loc;
  if (err instanceof ValidationError) out.errors = err.errors;
  if (err instanceof LimitExceededError) out.limit = { name: err.limit, max: String(err.max), ...(err.actual !== undefined ? { actual: String(err.actual) } : {}) };
  return out;
}

export function reviveDomainError(t: TransferableError): Error {
  const loc = t.location ?? {};
  let err: Error;
  switch (t.name) {
    case 'ValidationError':
      err = new ValidationError(t.message, loc, t.errors ?? []);
      break;
    case 'UnsupportedFormatError':
      err = new UnsupportedFormatError(t.message, loc);
      break;
    case 'BalanceMismatchError':
      err = new BalanceMismatchError(t.message, loc, t.details ?? {});
      break;
    case 'LimitExceededError':
      err = new LimitExceededError(t.limit?.name ?? 'unknown', BigInt(t.limit?.max ?? '0'), t.limit?.actual !== undefined ? BigInt(t.limit.actual) : undefined, loc, t.message);
      break;
    case 'ConflictError':
      err = new ConflictError(t.message, t.details ?? {});
      break;
    case 'NotFoundError': {
      const e = new NotFoundError('x');
      e.message = t.message;
      err = e;
      break;
    }
    case 'ForbiddenError':
      err = new ForbiddenError(t.message);
      break;
    case 'UnauthenticatedError':
      err = new UnauthenticatedError(t.message);
      break;
    case 'IdempotencyMismatchError':
      err = new IdempotencyMismatchError(t.message);
      break;
    case 'IdempotencyInFlightError':
      err = new IdempotencyInFlightError(t.message);
      break;
    case 'UnavailableError':
      err = new UnavailableError(t.message);
      break;
    default:
      err = new Error(t.message);
      err.name = t.name;
  }
  if (t.stack) err.stack = t.stack;
  return err;
}
