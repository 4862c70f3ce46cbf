/** Bank statements and refused deliveries as the workplace's pages show them: a list with its total, one statement with its entries. */
import type { Ctx } from '../../context.js';
import { hasOriginalFile } from '../statements/originalFile.js';
import { countStatements, getStatement, listEntries, listStatements, type StatementView } from '../statements/queries.js';
import { countRefusedDeliveries, listRefusedDeliveries, type RefusedDeliveryView } from '../statements/refusedDeliveries.js';

/** A page of statements, newest first, and how many there are. */
export async function statementListPage({ ctx, input }: { ctx: Ctx; input: { limit: number; cursor?: string } }): Promise<{ statements: StatementView[]; nextCursor: string | null; total: number }> {
  const page = await listStatements({ ctx, input });
  return { statements: page.items, nextCursor: page.nextCursor, total: await countStatements({ ctx, input: {} }) };
}

/** One statement with a page of its entries, and whether its original file is kept. */
export async function statementPage({ ctx, input }: { ctx: Ctx; input: { id: string; limit: number; cursor?: string } }) {
  const statement = await getStatement({ ctx, input: { id: input.id } });
  const entries = await listEntries({ ctx, input: { statementId: statement.id, limit: input.limit, ...(input.cursor ? { cursor: input.cursor } : {}) } });
  return { statement, entries: entries.items, nextCursor: entries.nextCursor, hasFile: await hasOriginalFile({ ctx, input: { importId: statement.importId } }) };
}

/** A page of the deliveries refused for carrying a statement read before with other content, and how many there are. */
export async function refusedDeliveriesPage({ ctx, input }: { ctx: Ctx; input: { limit: number; cursor?: string } }): Promise<{ deliveries: RefusedDeliveryView[]; nextCursor: string | null; total: number }> {
  const page = await listRefusedDeliveries({ ctx, input });
  return { deliveries: page.data, nextCursor: page.nextCursor, total: await countRefusedDeliveries({ ctx }) };
}
