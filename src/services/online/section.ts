/**
 * What the citizen's payment page shows about paying online: whether it is offered, how the last
 * attempt ended, which items are paid online but not yet credited by the provider, and (for a
 * request that came through XBezahldienste) the way back to the online service.
 */
import type { Ctx } from '../../context.js';
import type { PaymentRequestView } from '../paymentRequests/paymentRequests.js';
import { startNonce } from './signatures.js';

export interface OnlineSectionView {
  /** Paying online is possible now (a provider is configured and something not collected by direct debit is owed). */
  offered: boolean;
  providerName: string;
  testMode: boolean;
  /** Where the "Online bezahlen" form posts, with its one-time nonce. */
  startHref: string;
  startNonce: string;
  /** What happened with the last attempt, from the return or a notice in the address. */
  notice?: string;
  /** The last attempt still waiting at the provider: its page can be opened again. */
  pendingRedirectUrl?: string;
  /** Items paid online whose money the provider has not paid out to us yet. */
  awaitingSettlement: string[];
  /** The online service the citizen came from (XBezahldienste redirectUrl). */
  returnUrl?: string;
}

const NOTICES = new Set(['unavailable', 'rejected', 'payed', 'failed', 'canceled', 'expired', 'pending', 'unchecked', 'done']);

export async function onlinePaymentSection({ ctx, input }: { ctx: Pick<Ctx, 'db' | 'config' | 'clock'>; input: { request: PaymentRequestView; token: string; notice?: string | undefined } }): Promise<OnlineSectionView> {
  const provider = ctx.config.online.provider;
  const r = input.request;
  const itemIds = r.items.map((i) => i.id);
  const allocations = await ctx.db.prisma.onlineAllocation.findMany({ where: { openItemId: { in: itemIds } }, select: { openItemId: true, onlinePaymentId: true } });
  const paymentIds = [...new Set(allocations.map((a) => a.onlinePaymentId))];
  const open = paymentIds.length === 0 ? [] : await ctx.db.prisma.clearingMovement.groupBy({ by: ['onlinePaymentId'], where: { onlinePaymentId: { in: paymentIds } }, _sum: { amountMinor: true } });
  const unsettled = new Set(open.filter((o) => (o._sum.amountMinor ?? 0n) > 0n).map((o) => o.onlinePaymentId));
  const awaitingSettlement = [...new Set(allocations.filter((a) => unsettled.has(a.onlinePaymentId)).map((a) => a.openItemId))];
  const last = await ctx.db.prisma.onlinePayment.findFirst({ where: { paymentRequestId: r.id }, orderBy: { createdAt: 'desc' } });
  const xbd = await ctx.db.prisma.xbdTransaction.findFirst({ where: { paymentRequestId: r.id }, select: { returnUrl: true } });
  const notice = input.notice && NOTICES.has(input.notice) ? input.notice : undefined;
  return {
    // Not for items collected by direct debit: with every owed item collected, nothing is offered.
    offered: provider !== null && !r.expired && (r.status === 'open' || r.status === 'partly_paid') && r.payNowMinor > 0n,
    providerName: provider?.name ?? '',
    testMode: provider?.testMode ?? false,
    startHref: `/pay/${input.token}/online`,
    startNonce: await startNonce(ctx.config.online.returnSecret, r.id, ctx.clock.now()),
    ...(notice ? { notice } : {}),
    ...(last?.status === 'initial' && last.redirectUrl ? { pendingRedirectUrl: last.redirectUrl } : {}),
    awaitingSettlement,
    // Checked again when shown: a row stored before redirectUrl was limited to http(s) must not become a javascript: link.
    ...(xbd && /^https?:\/\//i.test(xbd.returnUrl) ? { returnUrl: xbd.returnUrl } : {}),
  };
}
