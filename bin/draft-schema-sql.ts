#!/usr/bin/env -S npx tsx
/**
 * Prints the CREATE statements for the whole of prisma/schema.prisma in one dialect:
 *   npx tsx bin/draft-schema-sql.ts sqlite|postgresql
 * Used to draft prisma/migrations/<backend>/0001_init.sql and to compare a new migration against
 * the schema (the Prisma CLI's schema engine cannot be downloaded here, so `prisma migrate diff` is
 * not available). A migration is still written and reviewed by a person; this only drafts.
 */
import { readFileSync } from 'node:fs';
import { createSchemaSql, parsePrismaSchema, type Dialect } from '../src/db/schema/prismaSchema.js';

const dialect = process.argv[2] as Dialect;
if (dialect !== 'sqlite' && dialect !== 'postgresql') {
  console.error('usage: bin/draft-schema-sql.ts sqlite|postgresql');
  process.exit(2);
}
process.stdout.write(createSchemaSql(parsePrismaSchema(readFileSync(new URL('../prisma/schema.prisma', import.meta.url), 'utf8')), dialect));
