/**
 * The raw read by key (SQLite under Node) answers exactly what Prisma's findUnique answers: same
 * columns, same types (bigint, number, Date, null), so the API cannot tell which one served it.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { systemClock, type Actor, type Ctx } from '../../src/context.js';
import { BULK_TABLES } from '../../src/db/bulk.js';
import type { Database } from '../../src/db/database.js';
import { sqliteFindByKey } from '../../src/db/rawRead.js';
import { cancelOpenItem } from '../../src/services/items/changeOpenItem.js';
import { createOpenItem } from '../../src/services/items/createOpenItems.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';

const actor: Actor = { type: 'client', id: 'fachverfahren', name: 'Fachverfahren', scopes: new Set(['items:write']) };

forEachBackend('reading an open item by key', (backend) => {
  let database: TestDatabase;
  let db: Database;
  let ctx: Ctx;

  beforeAll(async () => {
    database = freshDatabase(backend);
    db = await database.open();
    ctx = { db, config: loadConfig({ DATABASE_URL: database.url }), clock: systemClock, log: pino({ level: 'silent' }), actor };
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('answers what Prisma answers, for a plain item and for one with every optional column set', async () => {
    const plain = await createOpenItem({ ctx, input: { category: 'fee', amount: '30.70', dueDate: '2026-12-31', description: 'Gebühr', debtor: { name: 'Anna Berg' } } });
    const full = await createOpenItem({
      ctx,
      input: {
        category: 'fine',
        amount: '999999999.99',
        dueDate: '2027-01-15',
        description: 'Verwarnung – „Parken“',
        debtor: { name: 'Jörg Müller', address: 'Marktplatz 1, 12345 Stadt', email: 'j.mueller@example.org', iban: 'DE02120300000000202051' },
        externalRef: 'FV-2026-0001',
        bookingData: { haushaltsstelle: '1.2.3', betrag: 12 },
      },
    });
    await cancelOpenItem({ ctx, input: { id: full.id, reason: 'erledigt' } });
    for (const id of [plain.id, full.id]) {
      const viaPrisma = await db.prisma.openItem.findUnique({ where: { id } });
      const raw = sqliteFindByKey(db, 'OpenItem', BULK_TABLES.OpenItem, 'id', id);
      if (backend === 'sqlite') expect(raw).toEqual(viaPrisma);
      else expect(raw).toBeUndefined();
    }
    const cancelled = sqliteFindByKey<{ cancelledAt: Date | null }>(db, 'OpenItem', BULK_TABLES.OpenItem, 'id', full.id);
    if (backend === 'sqlite') expect(cancelled?.cancelledAt).toBeInstanceOf(Date);
  });

  it('answers null for a key nobody has', () => {
    const raw = sqliteFindByKey(db, 'OpenItem', BULK_TABLES.OpenItem, 'id', 'no-such-item');
    expect(raw).toBe(backend === 'sqlite' ? null : undefined);
  });
});

describe('reading by key declares every column of the model', () => {
  it('OpenItem: the declared columns are all of the scalar fields', async () => {
    const { readFileSync } = await import('node:fs');
    const { columnsOf, parsePrismaSchema } = await import('../../src/db/schema/prismaSchema.js');
    const model = parsePrismaSchema(readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8')).find((m) => m.name === 'OpenItem')!;
    expect(Object.keys(BULK_TABLES.OpenItem).sort()).toEqual(columnsOf(model).map((f) => f.name).sort());
  });
});
