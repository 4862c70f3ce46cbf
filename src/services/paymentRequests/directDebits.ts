/**
 * What the citizen's payment page says about direct debits of its items: the SEPA pre-notification
 * (amount, collection date, the debtor's account, the creditor identifier and the mandate
 * reference, which the rulebook wants the debtor told before a collection) and, once the run was
 * released, "Einzug veranlasst". Read only; asked for the items the request's view found collected
 * (collectedByDirectDebit), at most MAX_ITEMS_PER_REQUEST, so a page without debits reads nothing here.
 */
import type { Ctx } from '../../context.js';
import { normalizeIban } from '../../references/iban.js';

/**
 * announced: the collection is announced (or gathered into a run nobody released yet; for the
 * debtor nothing differs) · initiated: the run was released, "Einzug veranlasst".
 */
export const PAGE_DEBIT_STANDINGS = ['announced', 'initiated'] as const;
export type PageDebitStanding = (typeof PAGE_DEBIT_STANDINGS)[number];

export interface PageDirectDebit {
  itemId: string;
  standing: PageDebitStanding;
  collectionDate: string;
  amountMinor: bigint;
  currency: string;
  mandateReference: string;
  creditorId: string;
  /** The last four characters of the debtor's IBAN: all the page shows of the account. */
  accountEnding: string;
  /** The IBAN with everything but the last four characters masked, grouped in fours. */
  accountMasked: string;
}

/** "DE89370400440532013000" → "•••• •••• •••• •••• ••30 00": only the end shows, as on a bank's own letters. */
export function maskAllButLastFour(iban: string): string {
  const i = normalizeIban(iban);
  return ('•'.repeat(Math.max(0, i.length - 4)) + i.slice(-4)).replace(/(.{4})(?=.)/g, '$1 ');
}

const STANDING_OF: Record<string, PageDebitStanding | undefined> = { announced: 'announced', in_run: 'announced', sent: 'initiated' };

export async function directDebitsForPage({ ctx, input }: { ctx: Pick<Ctx, 'db' | 'config'>; input: { itemIds: string[] } }): Promise<PageDirectDebit[]> {
  if (input.itemIds.length === 0) return [];
  // `standingFor` is the item's id while its debit stands (announced, in a run, sent): one per item.
  const debits = await ctx.db.prisma.directDebit.findMany({ where: { standingFor: { in: input.itemIds } } });
  if (debits.length === 0) return [];
  const mandates = new Map(
    (await ctx.db.prisma.mandate.findMany({ where: { id: { in: [...new Set(debits.map((d) => d.mandateId))] } }, select: { id: true, reference: true, debtorIban: true } })).map((m) => [m.id, m]),
  );
  return debits.flatMap((d) => {
    const standing = STANDING_OF[d.state];
    const mandate = mandates.get(d.mandateId);
    if (!standing || !mandate) return [];
    const iban = normalizeIban(mandate.debtorIban);
    return [
      {
        itemId: d.openItemId,
        standing,
        collectionDate: d.collectionDate,
        amountMinor: d.amountMinor,
        currency: d.currency,
        mandateReference: mandate.reference,
        creditorId: ctx.config.sepa.creditorId,
        accountEnding: iban.slice(-4),
        accountMasked: maskAllButLastFour(iban),
      },
    ];
  });
}
