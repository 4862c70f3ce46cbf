/**
 * Typed domain errors. Services throw these; one function (src/http/problem.ts) turns them into
 * RFC 9457 problem+json. Anything else reaching the HTTP layer is a bug and answers 500.
 */

export interface ErrorLocation {
  /** File name as given by the caller (upload name, ZIP member, CLI path). */
  file?: string;
  line?: number;
  column?: number;
  /** XML element path (Document/BkToCstmrStmt/Stmt[2]/Ntry[14]/Amt) or JSON/CSV field name. */
  path?: string;
  field?: string;
  /** CSV or bulk row number, 1-based as a person counts them (header is row 1). */
  row?: number;
}

/**
 * One of several problems (a row of a bulk list): where, the English text, and what is wrong as
 * data (`reason.code` and its values), so an edge can word it in its reader's language.
 */
export type ErrorEntry = { message: string; reason?: { readonly code: string } } & ErrorLocation;

export type DomainErrorCode =
  | 'validation'
  | 'not_found'
  | 'conflict'
  | 'limit_exceeded'
  | 'unauthenticated'
  | 'forbidden'
  | 'idempotency_mismatch'
  | 'idempotency_in_flight'
  | 'unsupported_format'
  | 'balance_mismatch'
  | 'unavailable';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  /** Extra members for the problem document (must never contain secrets). */
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'validation' as const;
  readonly location: ErrorLocation;
  /** Several problems at once (bulk imports): each with its own location. */
  readonly errors: ErrorEntry[];
  constructor(message: string, location: ErrorLocation = {}, errors: ErrorEntry[] = []) {
    super(message, {});
    this.location = location;
    this.errors = errors;
  }
}

/** A file or document in a format we do not read (unknown namespace, message type, archive). */
export class UnsupportedFormatError extends DomainError {
  readonly code = 'unsupported_format' as const;
  readonly location: ErrorLocation;
  constructor(message: string, location: ErrorLocation = {}) {
    super(message);
    this.location = location;
  }
}

/** Opening balance plus booked entries does not give the closing balance. */
export class BalanceMismatchError extends DomainError {
  readonly code = 'balance_mismatch' as const;
  readonly location: ErrorLocation;
  constructor(message: string, location: ErrorLocation, details: Record<string, unknown>) {
    super(message, details);
    this.location = location;
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found' as const;
  constructor(what: string, id?: string) {
    super(id === undefined ? `${what} not found` : `${what} ${id} not found`);
  }
}

export class ConflictError extends DomainError {
  readonly code = 'conflict' as const;
}

/** A named limit from src/limits.ts was exceeded. */
export class LimitExceededError extends DomainError {
  readonly code = 'limit_exceeded' as const;
  readonly location: ErrorLocation;
  constructor(
    readonly limit: string,
    readonly max: number | bigint,
    readonly actual: number | bigint | undefined,
    location: ErrorLocation = {},
    message?: string,
  ) {
    super(
      message ??
        `limit ${limit} exceeded: at most ${max} allowed${actual === undefined ? '' : `, found ${actual}`}`,
      { limit, max: String(max), ...(actual === undefined ? {} : { actual: String(actual) }) },
    );
    this.location = location;
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'unauthenticated' as const;
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden' as const;
}

export class IdempotencyMismatchError extends DomainError {
  readonly code = 'idempotency_mismatch' as const;
}

export class IdempotencyInFlightError extends DomainError {
  readonly code = 'idempotency_in_flight' as const;
}

export class UnavailableError extends DomainError {
  readonly code = 'unavailable' as const;
}
