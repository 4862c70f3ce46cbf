import { createRoute, z } from '@hono/zod-openapi';
import { LIMITS } from '../../limits.js';
import { approve, getApproval, listApprovals, reject } from '../../services/review/approvals.js';
import { ctxOf, requireScope } from '../env.js';
import { IdParam, Paged, bearer, conflict, notFound, router, standardErrors } from '../openapi.js';
import { ApprovalSchema, BookedSchema, DecisionBody, RejectBody } from '../review/schema.js';

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export function approvalRoutes() {
  const app = router();
  const tags = ['Approvals'];
  const security = bearer;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/approvals',
      tags,
      summary: 'Bookings waiting for (or decided by) a second person, oldest first',
      security,
      middleware: [requireScope('approve')] as const,
      request: {
        query: z.object({
          status: z.enum(['pending', 'approved', 'rejected', 'failed']).optional(),
          limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50),
          cursor: z.string().max(500).optional(),
        }),
      },
      responses: { 200: json(Paged(ApprovalSchema), 'a page of approvals'), ...standardErrors },
    }),
    async (c) => c.json(await listApprovals({ ctx: ctxOf(c), input: c.req.valid('query') }) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/approvals/{id}',
      tags,
      summary: 'One approval with the booking it carries',
      security,
      middleware: [requireScope('approve')] as const,
      request: { params: IdParam },
      responses: { 200: json(ApprovalSchema, 'the approval'), ...standardErrors, ...notFound },
    }),
    async (c) => c.json(await getApproval({ ctx: ctxOf(c), input: { approvalId: c.req.valid('param').id } }) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/approvals/{id}/approve',
      tags,
      summary: 'Approve and carry out the booking (not by the person who proposed it: 403)',
      description:
        'The booking is made in the same transaction. If the payment changed since the proposal (returned by the bank, an item cancelled), nothing is booked: the approval is marked failed and the answer is 409.',
      security,
      middleware: [requireScope('approve')] as const,
      request: { params: IdParam, body: { required: false, content: { 'application/json': { schema: DecisionBody } } } },
      responses: { 200: json(BookedSchema.extend({ approval: ApprovalSchema }), 'approved and booked'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => {
      const body = (c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {}) as { note?: string };
      return c.json(await approve({ ctx: ctxOf(c), input: { approvalId: c.req.valid('param').id, ...(body.note ? { note: body.note } : {}) } }) as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/approvals/{id}/reject',
      tags,
      summary: 'Reject the booking; the payment goes back to where it stood',
      security,
      middleware: [requireScope('approve')] as const,
      request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: RejectBody } } } },
      responses: { 200: json(ApprovalSchema, 'rejected'), ...standardErrors, ...notFound, ...conflict },
    }),
    async (c) => c.json(await reject({ ctx: ctxOf(c), input: { approvalId: c.req.valid('param').id, note: c.req.valid('json').note } }) as never, 200),
  );

  return app;
}
