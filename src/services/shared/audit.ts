/**
 * The audit log is append-only: every booking, correction and administrative act writes one entry
 * in the same transaction as the act itself, naming who, what, and why.
 */
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { newId } from './ids.js';

export interface AuditInput {
  action: string;
  subjectType: string;
  subjectId: string;
  reason?: string;
  data?: Record<string, unknown>;
}

export async function writeAudit(tx: Tx, ctx: Ctx, input: AuditInput): Promise<void> {
  await tx.auditEntry.create({
    data: {
      id: newId(),
      at: ctx.clock.now(),
      actorType: ctx.actor.type,
      actorId: ctx.actor.id,
      action: input.action,
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      reason: input.reason ?? null,
      requestId: ctx.requestId ?? null,
      data: JSON.stringify(input.data ?? {}, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
    },
  });
}
