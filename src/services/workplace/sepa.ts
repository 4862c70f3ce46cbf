/** The SEPA page of the workplace: the refund runs and collection runs the signed-in person may see, and the earliest collection date to offer. */
import { hasScope, type Ctx } from '../../context.js';
import { listCollectionRuns, type CollectionRunView } from '../collections/runs.js';
import { listRefundRuns, type RefundRunView } from '../refunds/runs.js';
import { cityDate } from '../review/dates.js';

/** A collection is gathered for a day at least this far ahead (the banks' lead time, with room for a release by a second person). */
const COLLECTION_LEAD_DAYS = 14;

export async function sepaPage({ ctx }: { ctx: Ctx }): Promise<{ refundRuns: RefundRunView[]; collectionRuns: CollectionRunView[]; canRefunds: boolean; canMandates: boolean; nextCollectionDate: string }> {
  const canRefunds = hasScope(ctx.actor, 'refunds');
  const canMandates = hasScope(ctx.actor, 'mandates');
  const refundRuns = canRefunds ? (await listRefundRuns({ ctx, input: { limit: 50 } })).items : [];
  const collectionRuns = canMandates ? (await listCollectionRuns({ ctx, input: { limit: 50 } })).items : [];
  const inTwoWeeks = new Date(ctx.clock.now().getTime() + COLLECTION_LEAD_DAYS * 86_400_000);
  return { refundRuns, collectionRuns, canRefunds, canMandates, nextCollectionDate: cityDate(inTwoWeeks) };
}
