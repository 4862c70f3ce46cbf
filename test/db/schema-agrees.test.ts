/**
 * `prisma migrate` cannot run here (its schema engine binary cannot be downloaded), so this test is
 * what proves that the migrations in prisma/migrations/<backend>/ build exactly the database that
 * prisma/schema.prisma describes: same tables, columns, types, nullability, primary keys, unique
 * and plain indexes, on both backends. A schema change without a migration fails here.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { columnsOf, indexName, parsePrismaSchema, sqlType } from '../../src/db/schema/prismaSchema.js';
import { parseDatabaseUrl } from '../../src/db/node.js';
import { forEachBackend, freshDatabase, type TestDatabase } from '../support/backends.js';

const models = parsePrismaSchema(readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8'));

interface Column { name: string; type: string; notNull: boolean }
interface Shape { tables: Map<string, Column[]>; primaryKeys: Map<string, string[]>; indexes: Map<string, { unique: boolean; columns: string[] }> }

async function introspect(db: TestDatabase): Promise<Shape> {
  const shape: Shape = { tables: new Map(), primaryKeys: new Map(), indexes: new Map() };
  const target = parseDatabaseUrl(db.url);
  if (target.backend === 'sqlite') {
    const raw = new BetterSqlite3(target.location, { readonly: true });
    const tables = raw.prepare(`SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_%' ESCAPE '\\'`).all() as Array<{ name: string }>;
    for (const { name } of tables) {
      const cols = raw.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string; type: string; notnull: number; pk: number }>;
      shape.tables.set(name, cols.map((c) => ({ name: c.name, type: c.type, notNull: c.notnull === 1 || (c.pk > 0 && c.type === 'INTEGER') })));
      shape.primaryKeys.set(name, cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name));
      for (const idx of raw.prepare(`PRAGMA index_list("${name}")`).all() as Array<{ name: string; unique: number; origin: string }>) {
        if (idx.origin === 'pk') continue;
        const cols2 = (raw.prepare(`PRAGMA index_info("${idx.name}")`).all() as Array<{ name: string }>).map((c) => c.name);
        shape.indexes.set(idx.name, { unique: idx.unique === 1, columns: cols2 });
      }
    }
    raw.close();
    return shape;
  }
  const client = new pg.Client({ connectionString: target.location });
  await client.connect();
  const schema = target.schema ?? 'public';
  const cols = await client.query(
    `SELECT table_name, column_name, data_type, is_nullable, datetime_precision FROM information_schema.columns WHERE table_schema = $1 AND table_name NOT LIKE '\\_%' ORDER BY table_name, ordinal_position`,
    [schema],
  );
  const pgType = (r: { data_type: string; datetime_precision: number | null }) =>
    ({ text: 'TEXT', integer: 'INTEGER', bigint: 'BIGINT', boolean: 'BOOLEAN', bytea: 'BYTEA', 'timestamp without time zone': `TIMESTAMP(${r.datetime_precision})` })[r.data_type] ?? r.data_type;
  for (const r of cols.rows) {
    const list = shape.tables.get(r.table_name) ?? [];
    list.push({ name: r.column_name, type: pgType(r), notNull: r.is_nullable === 'NO' });
    shape.tables.set(r.table_name, list);
  }
  const idx = await client.query(
    `SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS unique, ix.indisprimary AS primary,
            array_agg(a.attname ORDER BY array_position(ix.indkey::int2[], a.attnum)) AS columns
       FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(ix.indkey)
      WHERE n.nspname = $1 AND t.relname NOT LIKE '\\_%' GROUP BY t.relname, i.relname, ix.indisunique, ix.indisprimary`,
    [schema],
  );
  for (const r of idx.rows) {
    const columns = typeof r.columns === 'string' ? r.columns.replace(/[{}]/g, '').split(',') : r.columns;
    if (r.primary) shape.primaryKeys.set(r.table_name, columns);
    else shape.indexes.set(r.index_name, { unique: r.unique, columns });
  }
  await client.end();
  return shape;
}

forEachBackend('migrations build the database the schema describes', (backend) => {
  let db: TestDatabase;
  let shape: Shape;
  beforeAll(async () => {
    db = freshDatabase(backend);
    await (await db.open()).close();
    shape = await introspect(db);
  });
  afterAll(async () => db?.drop());

  it('has exactly the schema’s tables', () => {
    expect([...shape.tables.keys()].sort()).toEqual(models.map((m) => m.name).sort());
  });

  it.each(models.map((m) => [m.name, m] as const))('table %s has the schema’s columns, types and nullability', (_name, model) => {
    const want = columnsOf(model).map((f) => ({
      name: f.name,
      type: f.autoincrement ? 'INTEGER' : sqlType(backend, f),
      notNull: !f.optional,
    }));
    expect(shape.tables.get(model.name)).toEqual(want);
    expect(shape.primaryKeys.get(model.name)).toEqual(model.primaryKey);
  });

  it('has exactly the schema’s unique and plain indexes', () => {
    const want = new Map<string, { unique: boolean; columns: string[] }>();
    for (const m of models) {
      for (const u of m.uniques) want.set(indexName(m.name, u, 'key'), { unique: true, columns: u });
      for (const i of m.indexes) want.set(indexName(m.name, i, 'idx'), { unique: false, columns: i });
    }
    expect(Object.fromEntries([...shape.indexes].sort())).toEqual(Object.fromEntries([...want].sort()));
  });
});
