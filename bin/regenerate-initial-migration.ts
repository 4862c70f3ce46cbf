#!/usr/bin/env -S npx tsx
/**
 * While Stadtkasse has no release, the initial migration is regenerated from prisma/schema.prisma
 * (both backends) instead of stacking migrations nobody has applied. After the first release this
 * script refuses to run and every change is a new numbered migration.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createSchemaSql, parsePrismaSchema } from '../src/db/schema/prismaSchema.js';

const RELEASED = false;
if (RELEASED) {
  console.error('0001_init is released: write prisma/migrations/<backend>/000N_<what>.sql instead');
  process.exit(2);
}
const models = parsePrismaSchema(readFileSync(new URL('../prisma/schema.prisma', import.meta.url), 'utf8'));
for (const d of ['sqlite', 'postgresql'] as const) {
  const header = `-- Stadtkasse initial schema (${d}), drafted from prisma/schema.prisma by bin/regenerate-initial-migration.ts.\n-- Migrations are append-only once released: then never edit an applied file, add the next number.\n\n`;
  writeFileSync(new URL(`../prisma/migrations/${d}/0001_init.sql`, import.meta.url), header + createSchemaSql(models, d));
}
console.error(`0001_init.sql regenerated for sqlite and postgresql (${models.length} models)`);
