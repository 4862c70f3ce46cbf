/**
 * Cursor pages for every list of the API. A cursor is the sort key of the last row of a page as
 * base64url JSON: opaque to callers, readable when debugging. Most lists run newest first by
 * (createdAt, id) — ties broken by id, so rows created in the same millisecond (a bulk import)
 * are neither skipped nor repeated — and use the time-cursor helpers below.
 */
import { ValidationError } from '../../errors.js';
import { LIMITS } from '../../limits.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function pageLimit(limit: number | undefined): number {
  const n = limit ?? 50;
  if (n < 1 || n > LIMITS.pageSize) throw new ValidationError(`limit must be between 1 and ${LIMITS.pageSize}`, { field: 'limit' });
  return n;
}

export function encodeCursor(parts: string[]): string {
  return btoa(JSON.stringify(parts)).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

/** The parts of a cursor this service handed out, or a ValidationError naming the field. */
export function decodeCursor(cursor: string | undefined, arity: number, field = 'cursor'): string[] | undefined {
  if (!cursor) return undefined;
  try {
    const parts = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/'))) as unknown;
    if (Array.isArray(parts) && parts.length === arity && parts.every((p) => typeof p === 'string')) return parts as string[];
  } catch {
    // fall through to the error below
  }
  throw new ValidationError(`${field}: is not a cursor this API handed out; take "nextCursor" from the previous page`, { field });
}

export interface TimeCursor {
  at: Date;
  id: string;
}

export const NEWEST_FIRST = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

export function encodeTimeCursor(c: TimeCursor): string {
  return encodeCursor([c.at.toISOString(), c.id]);
}

export function decodeTimeCursor(text: string | undefined, field = 'cursor'): TimeCursor | undefined {
  const parts = decodeCursor(text, 2, field);
  if (!parts) return undefined;
  const at = new Date(parts[0]!);
  if (Number.isNaN(at.getTime())) throw new ValidationError(`${field}: is not a cursor this API handed out; take "nextCursor" from the previous page`, { field });
  return { at, id: parts[1]! };
}

/** Rows after `cursor` in NEWEST_FIRST order. */
export function afterCursorWhere(cursor: TimeCursor | undefined) {
  if (!cursor) return {};
  return { OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] };
}

/**
 * Every row of a list, read page by page through its own lister, for a download. The caller counts
 * first and refuses more than `max` (LimitExceededError): a download is never silently cut.
 */
export async function allPages<T>(read: (cursor: string | undefined) => Promise<{ rows: T[]; nextCursor: string | null }>, max: number): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    out.push(...page.rows);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < max);
  return out.slice(0, max);
}
