/**
 * Payments waiting for a claim, found by what could match them instead of by reading them all.
 *
 * A payment the matcher could not book (review, unmatched) gets keys when it starts to wait: the
 * reference-like tokens of its texts, the payer's IBAN, the payer's name with the amount. A new or
 * changed open item computes the same kinds of keys for itself and looks up only the payments that
 * share one (WaitingReceiptKey, indexed), so the cost of re-matching follows the changed items, not
 * the thousands of payments waiting. Measured before: after a day with 49,000 waiting payments one
 * `POST /v1/items` kept the server busy for 43 s matching all of them again.
 *
 * What a key cannot find stays where it was: in the review queue, for a person (a payment whose
 * only link to the item is a near-miss reference or an amount alone was never booked
 * automatically from waiting anyway).
 */
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { bulkInsert, type Row } from '../../db/bulk.js';
import { debtorNameKey, foldText, normalizeIban, normalizeReference } from '../../matching/names.js';
import { parseRf } from '../../references/rf.js';

/** Receipt states that wait for a claim (what re-matching looks at). */
export const WAITING_STATES = ['review', 'unmatched'] as const;

/** Keys per payment: a long remittance text cannot make one payment a thousand rows. */
const MAX_KEYS = 64;
/** Reference tokens shorter than this say nothing (the shortest foreign reference has 4). */
const MIN_TOKEN = 4;
const MAX_TOKEN = 35;
/** Payments one item may bring back to the matcher: a common name with a common amount is capped. */
export const PAYMENTS_PER_ITEM = 50;
/** Items whose keys go into one lookup (a few keys each, far below any parameter limit). */
const ITEMS_PER_LOOKUP = 100;

const SOFT_SEP = /^[ .\-/]{0,3}$/;

export interface WaitingReceiptFacts {
  id: string;
  amountMinor: bigint;
  remittanceLines: string;
  creditorReferences: string;
  endToEndId: string | null;
  debtorName: string | null;
  debtorIban: string | null;
  ultimateDebtorName: string | null;
}

/**
 * Every run of letter/digit chunks joined by soft separators that contains a digit, as the
 * matcher's extraction would read a reference from it — but without asking which prefixes items
 * use, so the keys do not depend on the items that exist when the payment starts to wait.
 */
export function referenceTokens(text: string, out: Set<string>): void {
  const folded = foldText(text.slice(0, 2000));
  const chunks: Array<{ text: string; start: number; end: number; digits: boolean }> = [];
  const re = /[A-Z]+|[0-9]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(folded)) !== null) chunks.push({ text: m[0], start: m.index, end: m.index + m[0].length, digits: m[0].charCodeAt(0) <= 57 });
  let group: typeof chunks = [];
  const flush = () => {
    for (let a = 0; a < group.length; a++) {
      let acc = '';
      let digit = false;
      for (let b = a; b < group.length; b++) {
        acc += group[b]!.text;
        digit ||= group[b]!.digits;
        if (acc.length > MAX_TOKEN) break;
        if (digit && acc.length >= MIN_TOKEN) {
          out.add(acc);
          const rf = acc.startsWith('RF') ? parseRf(acc) : null;
          if (rf) out.add(rf);
        }
      }
    }
    group = [];
  };
  for (let i = 0; i < chunks.length; i++) {
    if (i > 0 && !SOFT_SEP.test(folded.slice(chunks[i - 1]!.end, chunks[i]!.start))) flush();
    group.push(chunks[i]!);
  }
  flush();
}

/** The keys a waiting payment is found by. Always at least one (the amount), so it counts as indexed. */
export function receiptKeys(r: WaitingReceiptFacts): string[] {
  const refs = new Set<string>();
  for (const c of JSON.parse(r.creditorReferences) as Array<{ reference: string }>) {
    const n = parseRf(c.reference) ?? normalizeReference(c.reference);
    if (n.length >= MIN_TOKEN && n.length <= MAX_TOKEN) refs.add(n);
  }
  for (const line of JSON.parse(r.remittanceLines) as string[]) referenceTokens(line, refs);
  const lines = (JSON.parse(r.remittanceLines) as string[]).filter((l) => l.trim().length > 0);
  // A reference broken over two lines ("5100.00524" / "47.8").
  if (lines.length > 1) referenceTokens(lines.join(''), refs);
  if (r.endToEndId && r.endToEndId !== 'NOTPROVIDED') referenceTokens(r.endToEndId, refs);
  const keys = [`amt:${r.amountMinor}`];
  const iban = normalizeIban(r.debtorIban ?? undefined);
  if (iban) keys.push(`iban:${iban}`);
  for (const name of [r.debtorName, r.ultimateDebtorName]) {
    const k = name ? debtorNameKey(name) : '';
    if (k) keys.push(`name:${k}|${r.amountMinor}`);
  }
  for (const t of refs) {
    if (keys.length >= MAX_KEYS) break;
    keys.push(`ref:${t}`);
  }
  return [...new Set(keys)];
}

export interface ItemKeyFacts {
  kassenzeichen: string;
  amountMinor: bigint;
  paidMinor: bigint;
  debtorName: string;
  debtorIban: string | null;
}

/** The keys an open item looks payments up by. */
export function itemKeys(item: ItemKeyFacts): string[] {
  const ref = normalizeReference(item.kassenzeichen);
  const keys = [`ref:${ref}`];
  // Payers leave out a letter prefix ("BIB 1234567" paid as "1234567").
  const digits = /^[A-Z]+([0-9].*)$/.exec(ref)?.[1];
  if (digits && digits.length >= MIN_TOKEN) keys.push(`ref:${digits}`);
  const iban = normalizeIban(item.debtorIban ?? undefined);
  if (iban) keys.push(`iban:${iban}`);
  const name = debtorNameKey(item.debtorName);
  if (name) {
    const open = item.amountMinor - item.paidMinor;
    keys.push(`name:${name}|${item.amountMinor}`);
    if (open > 0n && open !== item.amountMinor) keys.push(`name:${name}|${open}`);
  }
  return keys;
}

/** Writes the keys of payments that start to wait (in the caller's transaction). */
export async function indexWaitingReceipts(tx: Tx, ctx: Ctx, receipts: WaitingReceiptFacts[]): Promise<void> {
  if (receipts.length === 0) return;
  const rows: Row[] = [];
  for (const r of receipts) for (const key of receiptKeys(r)) rows.push({ key, transactionId: r.id });
  await bulkInsert(tx, ctx.db, 'WaitingReceiptKey', { key: 'text', transactionId: 'text' }, rows, { onConflict: 'DO NOTHING' });
}

/** Removes the keys of a payment that no longer waits (booked). */
export async function forgetWaitingReceipt(tx: Tx, transactionId: string): Promise<void> {
  await tx.waitingReceiptKey.deleteMany({ where: { transactionId } });
}

/**
 * The waiting payments that could match these items: bounded by PAYMENTS_PER_ITEM per item, the
 * lowest transaction ids first. Items are read by id in windows.
 *
 * Two lookups, each through its own index: the keys' payments (the primary key of
 * WaitingReceiptKey), then which of those still wait (BankTransaction by id). One query joining
 * both was measured to cost what the waiting payments cost: from about 30 keys on (ten new items),
 * SQLite's planner walked every waiting payment by state and probed the keys for each — 160 ms per
 * lookup on the event loop with 10,000 payments waiting, for a group of items created through the
 * API.
 */
export async function waitingReceiptsForItems(ctx: Ctx, itemIds: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (let i = 0; i < itemIds.length; i += ITEMS_PER_LOOKUP) {
    const ids = itemIds.slice(i, i + ITEMS_PER_LOOKUP);
    const items = await ctx.db.prisma.openItem.findMany({
      where: { id: { in: ids }, cancelledAt: null },
      select: { kassenzeichen: true, amountMinor: true, paidMinor: true, debtorName: true, debtorIban: true },
    });
    const keys = [...new Set(items.flatMap(itemKeys))];
    if (keys.length === 0) continue;
    const bound = PAYMENTS_PER_ITEM * items.length;
    // A booked payment's keys are removed when it is booked (forgetWaitingReceipt), so the keys
    // name waiting payments but for a few in the middle of being booked: the bound holds.
    const keyed = await ctx.db.prisma.waitingReceiptKey.findMany({
      where: { key: { in: keys } },
      select: { transactionId: true },
      orderBy: { transactionId: 'asc' },
      take: bound,
    });
    const candidates = [...new Set(keyed.map((r) => r.transactionId))];
    for (let j = 0; j < candidates.length; j += ITEMS_PER_LOOKUP * 10) {
      // By id alone, the state checked here: with the state in SQL as well, SQLite walks the state
      // index over every waiting payment for each lookup (800,000 after a day of 10^6 entries).
      const rows = await ctx.db.prisma.bankTransaction.findMany({ where: { id: { in: candidates.slice(j, j + ITEMS_PER_LOOKUP * 10) } }, select: { id: true, matchState: true } });
      for (const r of rows) if ((WAITING_STATES as readonly string[]).includes(r.matchState)) found.add(r.id);
    }
  }
  return [...found].sort();
}

const FACTS = { id: true, amountMinor: true, remittanceLines: true, creditorReferences: true, endToEndId: true, debtorName: true, debtorIban: true, ultimateDebtorName: true } as const;

/**
 * Gives keys to waiting payments that have none (they started to wait before keys existed), a page
 * at a time; run by the sweep. Returns how many it indexed.
 */
export async function indexUnkeyedWaitingReceipts(ctx: Ctx, page = 500): Promise<number> {
  const receipts = await ctx.db.prisma.bankTransaction.findMany({
    where: { matchState: { in: [...WAITING_STATES] }, creditDebit: 'CRDT', waitingKeys: { none: {} } },
    select: FACTS,
    take: page,
  });
  if (receipts.length > 0) await ctx.db.transaction((tx) => indexWaitingReceipts(tx, ctx, receipts));
  return receipts.length;
}
