/** The approvals inbox as the workplace shows it: what the API does not need (recent decisions, payment handles, the approver's context), assembled per page. */
import type { Ctx } from '../../context.js';
import { approvalView, type ApprovalView } from '../review/approvalView.js';
import { countApprovals, listApprovals } from '../review/approvals.js';
import { allPages } from '../shared/paging.js';
import { actorNames } from '../users/users.js';
import { bookingExplanations, explanationKassenzeichen, explanationText } from '../review/bookingReasons.js';
import { remittanceText } from '../review/highlights.js';
import { outstandingMinor } from '../items/status.js';
import { formatMinor } from '../../money/money.js';
import { storedJson } from '../shared/storedJson.js';
import type { ReasonLang } from '../../matching/reasons.js';
import { kassenzeichenDisplayOf } from '../items/kassenzeichen.js';
import { printedKassenzeichen } from './kassenzeichen.js';
import { parseStaleNote, spellStale, staleKassenzeichen, type StaleFacts } from '../review/stale.js';

/** The latest decided approvals (approved, rejected, failed), newest decision first. */
export async function listRecentDecisions({ ctx, input }: { ctx: Ctx; input: { limit: number } }): Promise<ApprovalView[]> {
  const rows = await ctx.db.prisma.approval.findMany({ where: { status: { not: 'pending' } }, orderBy: [{ decidedAt: 'desc' }, { id: 'desc' }], take: Math.min(input.limit, 100) });
  return rows.map(approvalView);
}

/** "entryRef#position" of payments, the handle staff know them by. */
export async function paymentRefs({ ctx, input }: { ctx: Ctx; input: { transactionIds: string[] } }): Promise<Map<string, string>> {
  if (input.transactionIds.length === 0) return new Map();
  const rows = await ctx.db.prisma.bankTransaction.findMany({ where: { id: { in: input.transactionIds } }, select: { id: true, entryRef: true, position: true } });
  return new Map(rows.map((r) => [r.id, `${r.entryRef}#${r.position}`]));
}

/** What an approver needs beside the booking to decide without clicking through: the payment and what its items have open now. */
export interface ApprovalContext {
  payment: { ref: string; payer: string | null; remittance: string; amount: string; unapplied: string; currency: string } | null;
  /** Open amount of each item of the booking, now. */
  openByItem: Map<string, string>;
  /** Each item's Kassenzeichen as printed (the booking stores the normalized form). */
  kassenzeichen: Map<string, string>;
  /** The booking's reason in the reader's language. */
  reason: string;
}

const REFUND_REASON = /^refund paid out with (\S+)(?: — ([\s\S]*))?$/;
const REFUND_RUN_REASON = /^refund run (\d+) paid out as one debit of (\S+)(?: — ([\s\S]*))?$/;
const RETURN_REASON = /^payment returned by the bank with (\S+?)(?: \((\w+)\))?(?: — ([\s\S]*))?$/;

/** The reasons the verbs write in English (src/services/review/actions.ts), said in German; a person's own words stay as written. */
function reasonIn(lang: ReasonLang, kind: string, reason: string, explained: string | undefined): string {
  if (explained) return explained;
  if (lang === 'en') return reason;
  if (kind === 'refund') {
    const m = REFUND_REASON.exec(reason);
    if (m) return `Rückzahlung ausgezahlt mit ${m[1]}${m[2] ? ` — ${m[2]}` : ''}`;
  }
  if (kind === 'refund_run') {
    const m = REFUND_RUN_REASON.exec(reason);
    if (m) return `Rückzahlungslauf ${m[1]} als eine Abbuchung über ${m[2]} ausgezahlt${m[3] ? ` — ${m[3]}` : ''}`;
  }
  if (kind === 'return') {
    const m = RETURN_REASON.exec(reason);
    if (m) return `von der Bank zurückgebucht mit ${m[1]}${m[2] ? ` (${m[2]})` : ''}${m[3] ? ` — ${m[3]}` : ''}`;
  }
  return reason;
}

/** For at most the approvals on one page (the inbox shows 100): a fixed number of reads (payments, items, proposals, printed Kassenzeichen), however many there are. */
export async function approvalContexts({ ctx, input }: { ctx: Ctx; input: { approvals: ApprovalView[]; lang: ReasonLang } }): Promise<Map<string, ApprovalContext>> {
  const list = input.approvals.slice(0, 200);
  const txIds = [...new Set(list.map((a) => a.transactionId).filter((x): x is string => x !== null))];
  const itemIds = [...new Set(list.flatMap((a) => (a.booking.allocations ?? []).map((l) => l.itemId)))];
  const txs = txIds.length ? await ctx.db.prisma.bankTransaction.findMany({ where: { id: { in: txIds } }, select: { id: true, entryRef: true, position: true, debtorName: true, ultimateDebtorName: true, remittanceLines: true, amountMinor: true, unappliedMinor: true, currency: true } }) : [];
  const items = itemIds.length ? await ctx.db.prisma.openItem.findMany({ where: { id: { in: itemIds } }, select: { id: true, kassenzeichen: true, kassenzeichenAsIssued: true, amountMinor: true, paidMinor: true, cancelledAt: true, currency: true } }) : [];
  const byTx = new Map(txs.map((t) => [t.id, t]));
  const printed = new Map(items.map((i) => [i.id, kassenzeichenDisplayOf(ctx.config, i)]));
  const open = new Map(items.map((i) => [i.id, formatMinor(outstandingMinor(i.amountMinor, i.paidMinor, i.cancelledAt !== null), i.currency)]));
  // The matcher's reasons for a suggestion, said in the reader's language with each Kassenzeichen as printed.
  const explanations = await bookingExplanations(
    ctx.db,
    list.filter((a) => a.kind === 'confirm_suggestion' && a.booking.proposalId).map((a) => ({ id: a.id, kind: 'confirmed', proposalId: a.booking.proposalId!, reason: a.booking.reason })),
  );
  const kz = await printedKassenzeichen({ ctx, input: { kassenzeichen: explanationKassenzeichen(explanations.values()) } });
  const explained = new Map([...explanations].map(([id, e]) => [id, explanationText(e, input.lang, kz)]));
  const out = new Map<string, ApprovalContext>();
  for (const a of list) {
    const t = a.transactionId ? byTx.get(a.transactionId) : undefined;
    out.set(a.id, {
      payment: t
        ? {
            ref: `${t.entryRef}#${t.position}`,
            payer: t.debtorName ?? t.ultimateDebtorName,
            remittance: remittanceText(storedJson<string[]>(t.remittanceLines, [])),
            amount: formatMinor(t.amountMinor, t.currency),
            unapplied: formatMinor(t.unappliedMinor, t.currency),
            currency: t.currency,
          }
        : null,
      kassenzeichen: new Map((a.booking.allocations ?? []).flatMap((l) => (printed.has(l.itemId) ? [[l.itemId, printed.get(l.itemId)!] as const] : []))),
      openByItem: new Map((a.booking.allocations ?? []).flatMap((l) => (open.has(l.itemId) ? [[l.itemId, open.get(l.itemId)!] as const] : []))),
      reason: reasonIn(input.lang, a.kind, a.booking.reason, explained.get(a.id)),
    });
  }
  return out;
}

export interface ApprovalsPageView {
  /** The oldest pending approvals first (the longest waiting on top), at most a page. */
  pending: ApprovalView[];
  decided: ApprovalView[];
  contexts: Map<string, ApprovalContext>;
  /** How many are pending in all. */
  total: number;
  /** Display names of the people and clients on the page, by actor label. */
  names: Map<string, string>;
  /** From this amount a booking waits for a second person ("500.00"). */
  threshold: string;
  /** Why each failed approval on the page failed, as facts, each Kassenzeichen as printed (stored as an English note). */
  failures: Map<string, StaleFacts>;
}

/** Everything the approvals inbox shows. */
export async function approvalsPage({ ctx, input }: { ctx: Ctx; input: { lang: ReasonLang } }): Promise<ApprovalsPageView> {
  const pending = await listApprovals({ ctx, input: { status: 'pending', limit: 100 } });
  const decided = await listRecentDecisions({ ctx, input: { limit: 20 } });
  const contexts = await approvalContexts({ ctx, input: { approvals: pending.items, lang: input.lang } });
  const names = await actorNames(ctx, [...pending.items, ...decided].flatMap((a) => [a.proposedBy, ...(a.decidedBy ? [a.decidedBy] : [])]));
  const total = await countApprovals({ ctx, input: { status: 'pending' } });
  const facts = decided.flatMap((a) => {
    const f = a.status === 'failed' ? parseStaleNote(a.decisionNote) : null;
    return f ? [[a.id, f] as const] : [];
  });
  const spell = await printedKassenzeichen({ ctx, input: { kassenzeichen: facts.flatMap(([, f]) => staleKassenzeichen(f)) } });
  const failures = new Map(facts.map(([id, f]) => [id, spellStale(f, spell)]));
  return { pending: pending.items, decided, contexts, total, names, threshold: formatMinor(ctx.config.fourEyesThresholdMinor, 'EUR'), failures };
}

/** Every pending approval for the download, up to `max`, with what the card shows beside each. */
export async function approvalsDownload({ ctx, input }: { ctx: Ctx; input: { lang: ReasonLang; max: number } }): Promise<{ pending: ApprovalView[]; contexts: Map<string, ApprovalContext>; names: Map<string, string> }> {
  const pending = await allPages(async (cursor) => {
    const p = await listApprovals({ ctx, input: { status: 'pending', limit: 200, ...(cursor ? { cursor } : {}) } });
    return { rows: p.items, nextCursor: p.nextCursor };
  }, input.max);
  // The approvers' context, a page's worth at a time (approvalContexts reads a fixed number of queries per call).
  const contexts = new Map<string, ApprovalContext>();
  for (let i = 0; i < pending.length; i += 200) for (const [k, v] of await approvalContexts({ ctx, input: { approvals: pending.slice(i, i + 200), lang: input.lang } })) contexts.set(k, v);
  return { pending, contexts, names: await actorNames(ctx, pending.map((a) => a.proposedBy)) };
}
