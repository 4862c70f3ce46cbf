/**
 * A small reader for the subset of the Prisma schema language this project uses. It serves two
 * purposes: drafting the SQL of a new migration for both backends (bin/draft-migration.ts), and the
 * test that proves the migrated database has exactly the tables, columns, keys and indexes the
 * schema describes (the Prisma CLI's schema engine cannot run here, so `prisma migrate` cannot).
 */

export interface FieldDef {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  isId: boolean;
  isUnique: boolean;
  defaultValue?: string;
  autoincrement: boolean;
  relation?: { fields: string[]; references: string[] };
}

export interface ModelDef {
  name: string;
  fields: FieldDef[];
  primaryKey: string[];
  uniques: string[][];
  indexes: string[][];
}

const SCALARS = new Set(['String', 'Int', 'BigInt', 'Boolean', 'DateTime', 'Bytes']);

export function parsePrismaSchema(text: string): ModelDef[] {
  const models: ModelDef[] = [];
  const modelRe = /^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm;
  for (const m of text.matchAll(modelRe)) {
    const model: ModelDef = { name: m[1]!, fields: [], primaryKey: [], uniques: [], indexes: [] };
    for (const raw of m[2]!.split('\n')) {
      const line = raw.replace(/\/\/.*$/, '').trim();
      if (!line) continue;
      if (line.startsWith('@@')) {
        const block = /^@@(id|unique|index)\(\[([^\]]*)\]/.exec(line);
        if (!block) continue;
        const cols = block[2]!.split(',').map((s) => s.trim()).filter(Boolean);
        if (block[1] === 'id') model.primaryKey = cols;
        else if (block[1] === 'unique') model.uniques.push(cols);
        else model.indexes.push(cols);
        continue;
      }
      const f = /^(\w+)\s+(\w+)(\?|\[\])?\s*(.*)$/.exec(line);
      if (!f) continue;
      const attrs = f[4] ?? '';
      const def = /@default\(((?:[^()]|\([^()]*\))*)\)/.exec(attrs);
      const rel = /@relation\(fields:\s*\[([^\]]*)\],\s*references:\s*\[([^\]]*)\]/.exec(attrs);
      const field: FieldDef = {
        name: f[1]!,
        type: f[2]!,
        optional: f[3] === '?',
        list: f[3] === '[]',
        isId: /@id\b/.test(attrs),
        isUnique: /@unique\b/.test(attrs),
        autoincrement: def?.[1] === 'autoincrement()',
        ...(def && def[1] !== 'autoincrement()' ? { defaultValue: def[1] } : {}),
        ...(rel
          ? { relation: { fields: rel[1]!.split(',').map((s) => s.trim()), references: rel[2]!.split(',').map((s) => s.trim()) } }
          : {}),
      };
      model.fields.push(field);
      if (field.isId) model.primaryKey = [field.name];
      if (field.isUnique) model.uniques.push([field.name]);
    }
    models.push(model);
  }
  return models;
}

/** The fields stored as columns (relations and back-references are not). */
export function columnsOf(model: ModelDef): FieldDef[] {
  return model.fields.filter((f) => SCALARS.has(f.type) && !f.list);
}

export type Dialect = 'sqlite' | 'postgresql';

const SQL_TYPES: Record<Dialect, Record<string, string>> = {
  sqlite: { String: 'TEXT', Int: 'INTEGER', BigInt: 'BIGINT', Boolean: 'BOOLEAN', DateTime: 'DATETIME', Bytes: 'BLOB' },
  postgresql: { String: 'TEXT', Int: 'INTEGER', BigInt: 'BIGINT', Boolean: 'BOOLEAN', DateTime: 'TIMESTAMP(3)', Bytes: 'BYTEA' },
};

export function sqlType(dialect: Dialect, field: FieldDef): string {
  if (field.autoincrement) return dialect === 'postgresql' ? 'SERIAL' : 'INTEGER';
  return SQL_TYPES[dialect][field.type]!;
}

function sqlDefault(dialect: Dialect, field: FieldDef): string | undefined {
  const d = field.defaultValue;
  if (d === undefined) return undefined;
  if (d === 'now()') return 'CURRENT_TIMESTAMP';
  if (d === 'true' || d === 'false') return dialect === 'sqlite' ? (d === 'true' ? 'true' : 'false') : d;
  if (/^-?\d+$/.test(d)) return d;
  if (/^"(.*)"$/.test(d)) return `'${d.slice(1, -1).replaceAll("'", "''")}'`;
  throw new Error(`unsupported default ${d} on ${field.name}`);
}

export function indexName(model: string, cols: string[], kind: 'key' | 'idx'): string {
  return `${model}_${cols.join('_')}_${kind}`;
}

/** CREATE statements for the whole schema, in the form Prisma Migrate itself would write them. */
export function createSchemaSql(models: ModelDef[], dialect: Dialect): string {
  const out: string[] = [];
  // PostgreSQL wants the referenced unique index to exist first, so its foreign keys come last (as
  // Prisma Migrate writes them); SQLite can only declare them inside CREATE TABLE.
  const foreignKeys: string[] = [];
  for (const model of models) {
    const cols = columnsOf(model);
    const lines: string[] = [];
    for (const c of cols) {
      let line = `    "${c.name}" ${sqlType(dialect, c)}`;
      if (!c.optional) line += ' NOT NULL';
      if (dialect === 'sqlite' && model.primaryKey.length === 1 && model.primaryKey[0] === c.name) {
        line += ' PRIMARY KEY';
        if (c.autoincrement) line += ' AUTOINCREMENT';
      }
      const def = sqlDefault(dialect, c);
      if (def !== undefined) line += ` DEFAULT ${def}`;
      lines.push(line);
    }
    if (dialect === 'postgresql' || model.primaryKey.length > 1) {
      const pkName = dialect === 'postgresql' ? `CONSTRAINT "${model.name}_pkey" ` : '';
      lines.push(`    ${pkName}PRIMARY KEY (${model.primaryKey.map((c) => `"${c}"`).join(', ')})`);
    }
    for (const f of model.fields) {
      if (!f.relation) continue;
      const fk = `${model.name}_${f.relation.fields.join('_')}_fkey`;
      const constraint = `CONSTRAINT "${fk}" FOREIGN KEY (${f.relation.fields.map((c) => `"${c}"`).join(', ')}) REFERENCES "${f.type}" (${f.relation.references.map((c) => `"${c}"`).join(', ')}) ON DELETE RESTRICT ON UPDATE CASCADE`;
      if (dialect === 'sqlite') lines.push(`    ${constraint}`);
      else foreignKeys.push(`ALTER TABLE "${model.name}" ADD ${constraint};\n`);
    }
    out.push(`CREATE TABLE "${model.name}" (\n${lines.join(',\n')}\n);\n`);
  }
  for (const model of models) {
    for (const u of model.uniques) {
      out.push(`CREATE UNIQUE INDEX "${indexName(model.name, u, 'key')}" ON "${model.name}"(${u.map((c) => `"${c}"`).join(', ')});\n`);
    }
    for (const i of model.indexes) {
      out.push(`CREATE INDEX "${indexName(model.name, i, 'idx')}" ON "${model.name}"(${i.map((c) => `"${c}"`).join(', ')});\n`);
    }
  }
  return [...out, ...foreignKeys].join('\n');
}
