import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BULK_TABLES } from '../../src/db/bulk.js';
import { columnsOf, parsePrismaSchema } from '../../src/db/schema/prismaSchema.js';

const TYPE_OF: Record<string, string> = { String: 'text', Int: 'int', BigInt: 'bigint', Boolean: 'bool', DateTime: 'timestamp' };
const models = new Map(parsePrismaSchema(readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8')).map((m) => [m.name, m]));

describe('bulk writes declare the columns the schema has', () => {
  it.each(Object.entries(BULK_TABLES))('%s: every declared column exists with the declared type, and every required column without default is written', (table, columns) => {
    const model = models.get(table);
    expect(model, `${table} is a model`).toBeDefined();
    const fields = new Map(columnsOf(model!).map((f) => [f.name, f]));
    for (const [name, type] of Object.entries(columns)) {
      expect(fields.has(name), `${table}.${name} exists`).toBe(true);
      expect(TYPE_OF[fields.get(name)!.type], `${table}.${name} type`).toBe(type);
    }
    const missing = [...fields.values()].filter((f) => !f.optional && f.defaultValue === undefined && !f.autoincrement && !(f.name in columns));
    expect(missing.map((f) => f.name)).toEqual([]);
  });
});
