/**
 * Items created at the same moment are written together (group commit), and each is still judged as
 * if it were alone: a Kassenzeichen or externalRef already taken — stored before, or by an earlier
 * item of the same group — refuses only that item, and an item that fails for its own reason does
 * not take the others with it. Service level, on real databases; asserts outcomes, not timings.
 */
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Actor, Ctx } from '../../src/context.js';
import { systemClock } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { ConflictError, ValidationError } from '../../src/errors.js';
import { createOpenItem } from '../../src/services/items/createOpenItems.js';
import type { NewOpenItemInput } from '../../src/services/items/newItem.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';

const client = (id: string): Actor => ({ type: 'client', id, name: id, scopes: new Set(['items:write']) });
const input = (over: Partial<NewOpenItemInput> = {}): NewOpenItemInput => ({ category: 'fee', amount: '30.70', dueDate: '2026-12-31', description: 'Gebühr', debtor: { name: 'Anna Berg' }, ...over });

forEachBackend('open items written in groups', (backend) => {
  let database: TestDatabase;
  let db: Database;
  let ctxOf: (actor: Actor, requestId: string) => Ctx;

  beforeAll(async () => {
    database = freshDatabase(backend);
    db = await database.open();
    const config = loadConfig({ DATABASE_URL: database.url });
    ctxOf = (actor, requestId) => ({ db, config, clock: systemClock, log: pino({ level: 'silent' }), actor, requestId });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('stores every item of a crowd once and refuses exactly those whose Kassenzeichen or externalRef is taken', async () => {
    const a = client('client-a');
    const b = client('client-b');
    const earlier = await createOpenItem({ ctx: ctxOf(a, 'r-earlier'), input: input({ kassenzeichen: 'AKTE-4711', externalRef: 'E-1' }) });

    const calls: Array<{ name: string; actor: Actor; input: NewOpenItemInput }> = [
      ...Array.from({ length: 10 }, (_, i) => ({ name: `plain ${i}`, actor: a, input: input({ description: `Gebühr ${i}` }) })),
      { name: 'stored kz', actor: a, input: input({ kassenzeichen: 'AKTE-4711' }) },
      { name: 'new kz first', actor: a, input: input({ kassenzeichen: 'AKTE-0815' }) },
      { name: 'new kz again', actor: b, input: input({ kassenzeichen: 'AKTE-0815' }) },
      { name: 'stored ref', actor: a, input: input({ externalRef: 'E-1' }) },
      { name: 'new ref first', actor: a, input: input({ externalRef: 'E-2' }) },
      { name: 'new ref again', actor: a, input: input({ externalRef: 'E-2' }) },
      { name: 'new ref, other client', actor: b, input: input({ externalRef: 'E-2' }) },
      // No scheme prefix for this category: only a supplied Kassenzeichen will do.
      { name: 'nothing to generate', actor: a, input: input({ category: 'parken' }) },
      ...Array.from({ length: 5 }, (_, i) => ({ name: `plain b ${i}`, actor: b, input: input({ description: `Gebühr b${i}` }) })),
    ];
    // Started in one go: the first is written at once, the others queue and go in groups.
    const settled = await Promise.allSettled(calls.map((c, i) => createOpenItem({ ctx: ctxOf(c.actor, `r-${i}`), input: c.input })));
    const outcome = (name: string) => settled[calls.findIndex((c) => c.name === name)]!;

    const refused = calls.filter((_, i) => settled[i]!.status === 'rejected').map((c) => c.name);
    expect(refused.sort()).toEqual(['new kz again', 'new ref again', 'nothing to generate', 'stored kz', 'stored ref']);
    for (const name of ['new kz again', 'new ref again', 'stored kz', 'stored ref']) {
      expect((outcome(name) as PromiseRejectedResult).reason, name).toBeInstanceOf(ConflictError);
    }
    expect((outcome('nothing to generate') as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
    // The answer names the item holding the externalRef, also when it was created in the same group.
    const firstE2 = (outcome('new ref first') as PromiseFulfilledResult<{ id: string }>).value.id;
    expect(((outcome('new ref again') as PromiseRejectedResult).reason as ConflictError).details).toMatchObject({ existingItemId: firstE2 });
    expect(((outcome('stored ref') as PromiseRejectedResult).reason as ConflictError).details).toMatchObject({ existingItemId: earlier.id });

    const created = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [{ call: calls[i]!, requestId: `r-${i}`, item: s.value }] : []));
    expect(created).toHaveLength(calls.length - 5);
    const rows = await db.prisma.openItem.findMany({ where: { id: { in: created.map((c) => c.item.id) } } });
    expect(rows).toHaveLength(created.length);
    expect(new Set(rows.map((r) => r.kassenzeichen)).size).toBe(created.length);
    for (const { call, requestId, item } of created) {
      const row = rows.find((r) => r.id === item.id)!;
      expect(row.issuerClientId).toBe(call.actor.id);
      expect(row.kassenzeichen).toBe(item.kassenzeichen);
      expect(row.amountMinor).toBe(3070n);
      expect(row.description).toBe(call.input.description);
      const changes = await db.prisma.openItemChange.findMany({ where: { openItemId: item.id } });
      expect(changes.map((c) => [c.kind, c.newAmountMinor, c.actor])).toEqual([['created', 3070n, `client:${call.actor.id}`]]);
      const audit = await db.prisma.auditEntry.findMany({ where: { subjectId: item.id } });
      expect(audit.map((e) => [e.action, e.actorId, e.requestId])).toEqual([['open_item.created', call.actor.id, requestId]]);
    }
    // Nothing of the refused calls was stored.
    expect(await db.prisma.openItem.count()).toBe(created.length + 1);
    expect(await db.prisma.openItemChange.count()).toBe(created.length + 1);
  });
});
