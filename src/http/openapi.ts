/**
 * Routes are declared with their zod schemas; the OpenAPI 3.1 document at /openapi.json is generated
 * from the same declarations, so the reference can never drift from what is validated.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from './env.js';
import { problemResponse, PROBLEM_BASE } from './problem.js';

export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
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
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
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

/** The `{id}` path parameter every resource route takes. */
export const IdParam = z.object({ id: z.string().min(1).max(100) });

/** A cursor page of `item`: `nextCursor` is null on the last page. */
export const Paged = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
