/**
 * Strict JSON input for the API: what a client sends is what it meant, or it is told.
 *
 * - Unknown fields are refused, naming them (`external_ref` instead of `externalRef` created claims
 *   without the service's id; `debtor.ibna` lost the IBAN). The route's own zod schema says which
 *   fields exist; free-form parts (bookingData, a z.record, a passthrough object) take any keys.
 * - Nesting deeper than LIMITS.jsonDepth is refused before anything parses or walks it (a
 *   10,000-deep bookingData must not reach recursion in the validator, the hasher or the database).
 */
import type { MiddlewareHandler } from 'hono';
import { LIMITS } from '../limits.js';
import { problemResponse, PROBLEM_BASE } from './problem.js';

/** The deepest nesting of arrays and objects in JSON text (strings skipped); stops early past `stopAt`. */
export function jsonDepth(text: string, stopAt = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      // A string: skip to its closing quote, escapes included.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (ch === 0x7b || ch === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAt) return max;
      }
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return max;
}

interface ZodLike {
  _zod?: { def: { type: string; shape?: Record<string, ZodLike>; catchall?: ZodLike; innerType?: ZodLike; element?: ZodLike; options?: ZodLike[]; in?: ZodLike } };
}

/** Paths of the fields in `value` that the schema does not know ("external_ref", "debtor.ibna", "items.3.amout"). */
export function unknownFields(schema: unknown, value: unknown, path: string[] = [], out: string[] = [], budget = { left: 10_000 }): string[] {
  const def = (schema as ZodLike)?._zod?.def;
  if (!def || value === null || value === undefined || budget.left-- <= 0 || out.length >= 20) return out;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return unknownFields(def.innerType, value, path, out, budget);
    case 'pipe':
      return unknownFields(def.in, value, path, out, budget);
    case 'array':
      if (Array.isArray(value)) value.forEach((v, i) => unknownFields(def.element, v, [...path, String(i)], out, budget));
      return out;
    case 'union':
      // Known to some branch is known: only a key no branch has is unknown.
      if (def.options && def.options.length > 0) {
        const per = def.options.map((o) => unknownFields(o, value, path, [], budget));
        const shortest = per.reduce((a, b) => (b.length < a.length ? b : a));
        out.push(...shortest);
      }
      return out;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return out;
      const shape = def.shape ?? {};
      const catchall = def.catchall?._zod?.def.type;
      for (const [k, v] of Object.entries(value)) {
        if (k in shape) unknownFields(shape[k], v, [...path, k], out, budget);
        else if (catchall === undefined || catchall === 'never') out.push([...path, k].join('.'));
      }
      return out;
    }
    default:
      return out;
  }
}

/** Our fields are camelCase; a snake_case or miscased spelling of one is named as the likely intent. */
function suggestion(schema: unknown, field: string): string | undefined {
  const parts = field.split('.');
  const key = parts.pop()!;
  let def = (schema as ZodLike)?._zod?.def;
  for (const p of parts) {
    while (def && ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch'].includes(def.type)) def = def.innerType?._zod?.def;
    if (def?.type === 'array') def = def.element?._zod?.def;
    else if (def?.type === 'object' && !/^\d+$/.test(p)) def = def.shape?.[p]?._zod?.def;
    while (def && ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch'].includes(def.type)) def = def.innerType?._zod?.def;
  }
  if (def?.type !== 'object' || !def.shape) return undefined;
  const fold = (s: string) => s.replace(/[_-]/g, '').toLowerCase();
  const known = Object.keys(def.shape);
  return known.find((k) => fold(k) === fold(key)) ?? known.find((k) => editDistanceAtMost2(fold(k), fold(key)));
}

function editDistanceAtMost2(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      // Adjacent transposition ("ibna" for "iban") counts as one edit.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) prev[j] = Math.min(prev[j]!, diag);
      diag = up;
    }
  }
  return prev[b.length]! <= 2 && a !== b;
}

/** Refuses a JSON body nested too deeply (400) or carrying fields the schema does not know (422). */
export function strictJson(schema: unknown): MiddlewareHandler {
  return async (c, next) => {
    if (!/^application\/(?:[\w.+-]+\+)?json/i.test(c.req.header('content-type') ?? '')) return next();
    const text = await c.req.text();
    if (jsonDepth(text, LIMITS.jsonDepth) > LIMITS.jsonDepth) {
      return problemResponse(c, { type: PROBLEM_BASE + 'validation', title: 'The request cannot be processed as sent', status: 400, detail: `the JSON body is nested deeper than ${LIMITS.jsonDepth} levels (limit jsonDepth)`, limit: 'jsonDepth', max: LIMITS.jsonDepth });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return next(); // the validator answers malformed JSON
    }
    const unknown = unknownFields(schema, value);
    if (unknown.length > 0) {
      const errors = unknown.map((field) => {
        const hint = suggestion(schema, field);
        return { field, message: `unknown field${hint ? ` (did you mean ${[...field.split('.').slice(0, -1), hint].join('.')}?)` : ''}` };
      });
      return problemResponse(c, {
        type: PROBLEM_BASE + 'validation',
        title: 'The request cannot be processed as sent',
        status: 422,
        detail: `${errors[0]!.field}: ${errors[0]!.message}${errors.length > 1 ? `, and ${errors.length - 1} more` : ''}`,
        field: errors[0]!.field,
        errors,
      });
    }
    await next();
  };
}
