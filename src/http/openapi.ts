/**
 * Routes are declared with their zod schemas; the OpenAPI 3.1 document at /openapi.json is generated
 * from the same declarations, so the reference can never drift from what is validated.
 */
import { AMOUNT_INPUT_PATTERN } from '../money/money.js';
import { OpenAPIHono, z, type RouteConfig } from '@hono/zod-openapi';
import { strictJson } from './strictInput.js';
import type { AppEnv } from './env.js';
import { problemResponse, PROBLEM_BASE } from './problem.js';

export function router(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issues = result.error.issues.map((i) => ({
        message: i.message,
        field: i.path.join('.') || undefined,
      }));
      const first = issues[0];
      return problemResponse(c, {
        type: PROBLEM_BASE + 'validation',
        title: 'The request cannot be processed as sent',
        status: 422,
        detail: first ? `${first.field ?? 'request'}: ${first.message}` : 'invalid request',
        ...(first?.field ? { field: first.field } : {}),
        errors: issues,
      });
    },
  });
  // Every operation: strict JSON input, an operationId, and the scope it needs, from its own declaration.
  const register = app.openapi;
  app.openapi = ((route: RouteConfig, handler: unknown, hook?: unknown) => {
    const mw = route.middleware ? (Array.isArray(route.middleware) ? route.middleware : [route.middleware]) : [];
    const json = (route.request?.body?.content as Record<string, { schema?: unknown }> | undefined)?.['application/json']?.schema;
    const scopes = mw.flatMap((m) => { const scope = (m as unknown as { scope?: string }).scope; return scope ? [scope] : []; });
    const described = {
      ...route,
      operationId: route.operationId ?? operationIdOf(route.method, route.path),
      // An operation without authentication says so, rather than leaving the reader to guess.
      security: route.security ?? [],
      ...(scopes.length > 0 && route.security ? { security: route.security.map((req) => Object.fromEntries(Object.keys(req).map((k) => [k, scopes]))), 'x-scopes': scopes } : {}),
      ...(json ? { middleware: [...mw, strictJson(json)] } : {}),
    };
    return (register as (r: unknown, h: unknown, k?: unknown) => unknown)(described, handler, hook);
  }) as typeof app.openapi;
  return app;
}

/**
 * A stable operationId from method and path, for generated clients: GET /v1/items → listItems,
 * GET /v1/items/{id} → getItem, POST /v1/items/{id}/cancel → cancelItem,
 * GET /v1/statements/{id}/entries → listStatementEntries.
 */
export function operationIdOf(method: string, path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && !/^v\d+$/.test(p));
  const words: string[] = [];
  let endsWithParam = false;
  let action: string | undefined;
  for (const [i, p] of parts.entries()) {
    endsWithParam = p.startsWith('{');
    if (endsWithParam) {
      const last = words.length - 1;
      if (last >= 0) words[last] = singular(words[last]!);
      continue;
    }
    const camel = p.replace(/[-_.](\w)/g, (_, ch: string) => ch.toUpperCase());
    // A verb after an id is the action: /items/{id}/cancel, /review/{id}/confirm.
    if (i > 0 && parts[i - 1]!.startsWith('{') && i === parts.length - 1 && method !== 'get' && !ACTION_NOUNS.has(camel)) action = camel;
    else words.push(camel);
  }
  if (method === 'post' && !endsWithParam && !action && words.length > 0 && words.at(-1) !== 'bulk') words[words.length - 1] = singular(words.at(-1)!);
  const noun = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (action) return `${action}${noun}`;
  if (method === 'post' && words.at(-1) === 'amount') return `change${noun}`;
  const verb = method === 'get' ? (endsWithParam ? 'get' : 'list') : method === 'post' ? 'create' : method === 'put' ? 'replace' : method === 'patch' ? 'update' : method === 'delete' ? 'delete' : method;
  return `${verb}${noun}`;
}

/** Sub-resources reached by POST that are created, not verbs ("/online-payments/{id}/reversals"). */
const ACTION_NOUNS = new Set(['reversals', 'amount', 'attempts', 'entries', 'items', 'deliveries']);

function singular(w: string): string {
  if (w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(
        z
          .object({
            message: z.string().openapi({ description: 'In English, naming row and field' }),
            row: z.number().int().optional().openapi({ description: 'Row of a list: in a CSV the header is row 1; in a JSON list the first item is row 1' }),
            field: z.string().optional().openapi({ description: 'The CSV column or the JSON path (items.3.amount)' }),
            column: z.number().int().optional(),
            line: z.number().int().optional(),
            file: z.string().optional(),
            reason: z
              .object({ code: z.string() })
              .passthrough()
              .optional()
              .openapi({ description: 'What is wrong, as data, for a client to word it in its own language: code (kassenzeichen, amount, required, duplicateInList, kassenzeichenTaken …) and its values; a Kassenzeichen refusal carries fault.code (characters, length, checkDigit …)' }),
          })
          .passthrough(),
      )
      .optional()
      .openapi({ description: 'Every problem of a refused list (all or nothing: nothing was stored), at most 1000' }),
    problemCount: z.number().int().optional().openapi({ description: 'How many problems the refused list has in all (errors lists the first 1000)' }),
  })
  .passthrough()
  .openapi('Problem');

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

/** The error answers every authenticated route can give. */
export const standardErrors = {
  401: problem('Missing or invalid API key'),
  403: problem('The API key lacks the scope this operation needs'),
  422: problem('Invalid input; the problem names the field, line or element'),
} as const;

export const notFound = { 404: problem('Not found') } as const;
export const conflict = { 409: problem('Conflict with the current state') } as const;

export const bearer = [{ bearerAuth: [] }];

/** Money at the API edge: a decimal string with the currency's places. */
export const AmountString = z
  .string()
  .regex(/^-?\d{1,15}(\.\d{1,3})?$/, 'must be a decimal amount like "30.70"')
  .openapi({ example: '30.70' });

/**
 * An amount a client sends (a claim, a change, a booking, a filter): what parseAmountInput takes,
 * no more and no less (test/unit/amount-pattern.test.ts). Answers use AmountString, which is signed.
 */
export const AmountInput = z
  .string()
  .regex(new RegExp(AMOUNT_INPUT_PATTERN), 'must be an amount like "30.70": digits, optionally a dot and one or two decimal places')
  .openapi({ example: '30.70' });

/** The `{id}` path parameter every resource route takes. */
export const IdParam = z.object({ id: z.string().min(1).max(100) });

/** A cursor page of `item`: `nextCursor` is null on the last page. */
export const Paged = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
