/**
 * The other half of money that leaves suspense: for a receipt marked for refund, the outgoing
 * payments that may be its refund; for a return the matcher could not place, the receipts it may
 * take back. A person picks one; bookRefund and resolveReturn check the pick again, so this list
 * only saves the search, it decides nothing.
 *
 * Candidates have exactly the amount the verb will accept (the refund amount; the return's amount),
 * can still be linked (their state), and come with the counterparty's IBAN first when it is the
 * same account, then the newest.
 */
import type { Ctx } from '../../context.js';
import { NotFoundError } from '../../errors.js';
import { formatMinor, parseMoney } from '../../money/money.js';
import { normalizeIban } from '../../matching/names.js';
import { REFUND, REFUND_DEBIT_STATES, RETURN_OPEN, RETURNABLE_STATES } from './states.js';
import { storedJson as json } from '../shared/storedJson.js';

export interface Counterpart {
  id: string;
  /** entryRef#position, the payment's handle on its statement. */
  ref: string;
  amount: string;
  currency: string;
  bookingDate: string | null;
  name: string | null;
  iban: string | null;
  state: string;
  /** The counterparty's account is the one of the payment being decided. */
  sameAccount: boolean;
}

export interface Counterparts {
  /** What the list is for: the debits that may be the refund, or the receipts the return may take back. */
  purpose: 'refund' | 'return' | null;
  candidates: Counterpart[];
}

/** For a payment that is neither marked for refund nor a return to place. */
export const NO_COUNTERPARTS: Counterparts = { purpose: null, candidates: [] };

const LIMIT = 20;


export async function counterpartsFor({ ctx, input }: { ctx: Ctx; input: { transactionId: string } }): Promise<Counterparts> {
  const db = ctx.db.prisma;
  const t = await db.bankTransaction.findUnique({ where: { id: input.transactionId } });
  if (!t) throw new NotFoundError('payment', input.transactionId);

  if (t.matchState === REFUND && t.creditDebit === 'CRDT') {
    // The amount marked for refund, as the mark recorded it (what was left in suspense then).
    const mark = await db.auditEntry.findFirst({ where: { subjectType: 'bank_transaction', subjectId: t.id, action: 'payment.refund_requested' }, orderBy: { seq: 'desc' } });
    const marked = json<{ amount?: string; iban?: string }>(mark?.data, {});
    const amountMinor = marked.amount ? parseMoney(marked.amount, t.currency).minor : t.unappliedMinor;
    const rows = await db.bankTransaction.findMany({
      where: { creditDebit: 'DBIT', matchState: { in: [...REFUND_DEBIT_STATES] }, amountMinor, currency: t.currency },
      orderBy: [{ bookingDate: 'desc' }, { id: 'asc' }],
      take: LIMIT * 5,
    });
    const account = normalizeIban(marked.iban ?? t.debtorIban ?? undefined);
    return { purpose: 'refund', candidates: rank(rows.map((r) => view(r, r.creditorName, r.creditorIban, account))) };
  }

  if (t.matchState === RETURN_OPEN && t.creditDebit === 'DBIT') {
    const rows = await db.bankTransaction.findMany({
      where: { creditDebit: 'CRDT', matchState: { in: [...RETURNABLE_STATES] }, amountMinor: t.amountMinor, currency: t.currency },
      orderBy: [{ bookingDate: 'desc' }, { id: 'asc' }],
      take: LIMIT * 5,
    });
    // A return names the original payer as creditor (the money goes back to them) or as debtor.
    const account = normalizeIban(t.creditorIban ?? t.debtorIban ?? undefined);
    return { purpose: 'return', candidates: rank(rows.map((r) => view(r, r.debtorName, r.debtorIban, account))) };
  }

  return NO_COUNTERPARTS;
}

interface Row {
  id: string;
  entryRef: string;
  position: number;
  amountMinor: bigint;
  currency: string;
  bookingDate: string | null;
  matchState: string;
}

function view(r: Row, name: string | null, iban: string | null, account: string | undefined): Counterpart {
  const own = normalizeIban(iban ?? undefined);
  return {
    id: r.id,
    ref: `${r.entryRef}#${r.position}`,
    amount: formatMinor(r.amountMinor, r.currency),
    currency: r.currency,
    bookingDate: r.bookingDate,
    name,
    iban: own ?? null,
    state: r.matchState,
    sameAccount: account !== undefined && own === account,
  };
}

/** Same account first, then as read (newest first); at most LIMIT. */
function rank(all: Counterpart[]): Counterpart[] {
  return [...all.filter((c) => c.sameAccount), ...all.filter((c) => !c.sameAccount)].slice(0, LIMIT);
}
