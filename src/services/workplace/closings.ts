/** The closings pages of the workplace, assembled: the days waiting, the closings book with its total, one closing. */
import type { Ctx } from '../../context.js';
import { countClosings, getClosing, listClosings, openPeriods, type OpenPeriod } from '../closings/closings.js';
import { today } from '../closings/period.js';
import { actorNames } from '../users/users.js';

/** The closings page: the days still to close, the latest closings and how many there are, the names on them. */
export async function closingsPage({ ctx }: { ctx: Ctx }) {
  const open: OpenPeriod[] = await openPeriods({ ctx, input: {} });
  const list = await listClosings({ ctx, input: { limit: 30 } });
  const names = await actorNames(ctx, list.items.flatMap((i) => [i.determinedBy, ...(i.signedBy ? [i.signedBy] : [])]));
  return { open, closings: list.items, total: await countClosings({ ctx }), today: today(ctx.clock.now()), names };
}

/** One closing with the names of who determined and who signed it. */
export async function closingPage({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const closing = await getClosing({ ctx, input });
  return { closing, names: await actorNames(ctx, [closing.determinedBy, ...(closing.signedBy ? [closing.signedBy] : [])]) };
}
