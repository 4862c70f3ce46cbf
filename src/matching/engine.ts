import { DEFAULT_MATCH_CONFIG, type MatchConfig } from './config.js';
import { decide } from './decide.js';
import { extractCandidates, type RefCandidate } from './extract.js';
import type { IndexedItem, ItemIndex, NearMissKind } from './index.js';
import { debtorNameKeys, foldText, normalizeIban, significantTokens } from './names.js';
import { shapeOf } from './schemes.js';
import { evidenceFor, payerView, protectionOf, tokenWellFormed, type ItemEvidence, type ScoreContext } from './score.js';
import { NO_KNOWN_PAYERS, type KnownPayers, type MatchDecision, type MatchableTransaction } from './types.js';
import { reason, reasonAmount, type Reason } from './reasons.js';

/**
 * One entry point for the service and the batch reconcile command: same rules in both.
 */
export interface MatchOptions {
  /**
   * Open amounts as already changed by earlier decisions of the same run (a second payment of the
   * same item on the same day must see it paid). matchBatch maintains it.
   */
  openOverride?: ReadonlyMap<string, bigint>;
}

export function matchTransaction(
  tx: MatchableTransaction,
  index: ItemIndex,
  config: MatchConfig = DEFAULT_MATCH_CONFIG,
  knownPayers: KnownPayers = NO_KNOWN_PAYERS,
  opts: MatchOptions = {},
): MatchDecision {
  const ctx: ScoreContext = {
    index,
    config,
    knownPayers,
    openOf: opts.openOverride ? (e: IndexedItem) => opts.openOverride!.get(e.item.id) ?? e.item.openMinor : (e: IndexedItem) => e.item.openMinor,
    payer: payerView(tx, knownPayers, config),
  };

  // Before anything else, returns included: a return books automatically too (it reverses).
  if (tx.entryDisagrees) return disagreeingEntry(tx);
  const sign = returnSign(tx, config);
  if (sign) return decideReturn(tx, index, config, sign);
  if (tx.creditDebit === 'DBIT') {
    const charge = tx.bankTransactionCode?.family === 'CHRG' || /^8(0[4-9]|1[01])$/.test(tx.gvc ?? '');
    return {
      key: tx.key,
      status: 'ignored',
      confidenceBp: 10000,
      reasons: [reason(charge ? 'bankCharges' : 'outgoingPayment')],
      allocations: [],
      surplusMinor: 0n,
      suggestions: [],
    };
  }
  if (tx.batchWithoutDetails) {
    return {
      key: tx.key,
      status: 'review',
      confidenceBp: 0,
      reasons: [reason('batchWithoutDetails', { ...(tx.batch?.count !== undefined ? { payments: tx.batch.count } : {}), provider: tx.batch?.isPsp === true })],
      allocations: [],
      surplusMinor: 0n,
      suggestions: [],
    };
  }

  const extraction = extractCandidates(tx, index, config);
  const exact = new Map<string, ItemEvidence>();
  const exactCandidates: RefCandidate[] = [];
  for (const c of extraction.candidates) {
    for (const e of index.byReference(c.normalized)) {
      if (e.item.currency !== tx.currency) continue;
      exactCandidates.push(c);
      if (!exact.has(e.item.id)) {
        exact.set(e.item.id, evidenceFor(tx, e, { kind: 'exact', candidate: c, protectedBy: protectionOf(index, e.ref) }, ctx));
      }
    }
  }

  const near = new Map<string, ItemEvidence>();
  const ambiguousTokens: RefCandidate[] = [];
  for (const c of extraction.candidates) {
    if (exactCandidates.includes(c) || overlapsExact(c, exactCandidates)) continue;
    const hits = index.nearMisses(c.normalized).filter((h) => h.entry.item.currency === tx.currency && !exact.has(h.entry.item.id));
    if (hits.length === 0) continue;
    if (hits.filter((h) => ctx.openOf(h.entry) > 0n).length > 1) ambiguousTokens.push(c);
    const wellFormed = tokenWellFormed(index, c.normalized);
    for (const h of hits) {
      if (near.has(h.entry.item.id)) continue;
      near.set(
        h.entry.item.id,
        evidenceFor(tx, h.entry, { kind: 'near', candidate: c, nearKind: h.kind, tokenWellFormed: wellFormed, protectedBy: protectionOf(index, h.entry.ref) }, ctx),
      );
    }
  }

  // The payer's own items of the amount paid (by name, ultimate debtor, IBAN on file or learned
  // IBAN, each together with the amount: exact lookups, whatever the number of the payer's items).
  const payerKeys = payerKeysOf(tx, ctx);
  const payerItems = payerItemsOfAmount(tx, index, ctx, payerKeys, tx.amountMinor);

  // Around every exact hit: the real open items a plausible slip of it would reach, and the payer's
  // own items two slips away. An exact hit proves nothing against them unless amount or payer
  // tell them apart (decide.ts).
  const rivals = new Map<string, ItemEvidence[]>();
  for (const x of exact.values()) {
    if (x.ref.kind !== 'exact') continue;
    const list: ItemEvidence[] = [];
    const seen = new Set<string>([x.entry.item.id]);
    for (const h of index.nearMisses(x.entry.ref)) {
      const id = h.entry.item.id;
      if (seen.has(id) || exact.has(id) || h.entry.item.currency !== tx.currency || ctx.openOf(h.entry) <= 0n) continue;
      seen.add(id);
      list.push(evidenceFor(tx, h.entry, { kind: 'near', candidate: x.ref.candidate, nearKind: h.kind, tokenWellFormed: true, protectedBy: protectionOf(index, h.entry.ref) }, ctx));
    }
    for (const p of payerItems) {
      const id = p.entry.item.id;
      if (seen.has(id) || exact.has(id) || p.openMinor <= 0n) continue;
      const kind = slipBetween(x.entry.ref, p.entry.ref);
      if (!kind) continue;
      seen.add(id);
      list.push(withRef(p, { kind: 'near', candidate: x.ref.candidate, nearKind: kind, tokenWellFormed: true, protectedBy: protectionOf(index, p.entry.ref) }));
    }
    if (list.length > 0) rivals.set(x.entry.item.id, list);
  }

  // Reference-like tokens that matched nothing: with an over-payment they may be a second item
  // the payer meant (mistyped beyond one slip), so the surplus is not simply suspense.
  const unexplained = extraction.candidates.filter((c) => c.source !== 'e2e' && !exactCandidates.includes(c) && !overlapsExact(c, exactCandidates));

  const byPayer = exact.size === 0 && near.size === 0 ? plausiblePayerItems(payerItemsOf(tx, index, ctx, payerKeys)) : [];
  // An over-payment on one exact reference: the payer's items of exactly the surplus.
  let surplusItems: ItemEvidence[] = [];
  if (exact.size === 1) {
    const x = [...exact.values()][0]!;
    if (x.openMinor > 0n && tx.amountMinor > x.openMinor) surplusItems = payerItemsOfAmount(tx, index, ctx, payerKeys, tx.amountMinor - x.openMinor);
  }
  return decide({ tx, extraction, exact: [...exact.values()], near: [...near.values()], ambiguousTokens, rivals, unexplained, byPayer, surplusItems, config });
}

/**
 * Matches transactions in order, as a day's statement is booked: what an earlier transaction
 * booked automatically is no longer open for a later one (a second payment of the same item on
 * the same day becomes a double payment for review).
 */
export function matchBatch(
  txs: Iterable<MatchableTransaction>,
  index: ItemIndex,
  config: MatchConfig = DEFAULT_MATCH_CONFIG,
  knownPayers: KnownPayers = NO_KNOWN_PAYERS,
): MatchDecision[] {
  const open = new Map<string, bigint>();
  const out: MatchDecision[] = [];
  for (const tx of txs) {
    const d = matchTransaction(tx, index, config, knownPayers, { openOverride: open });
    if (d.status === 'auto') {
      for (const a of d.allocations) {
        const e = index.get(a.itemId);
        if (!e) continue;
        const before = open.get(a.itemId) ?? e.item.openMinor;
        open.set(a.itemId, before - a.amountMinor > 0n ? before - a.amountMinor : 0n);
      }
    }
    out.push(d);
  }
  return out;
}

/** An entry whose details contradict what the bank booked: for a person, with both figures. */
function disagreeingEntry(tx: MatchableTransaction): MatchDecision {
  const d = tx.entryDisagrees!;
  return {
    key: tx.key,
    status: 'review',
    confidenceBp: 0,
    reasons: [
      reason('detailsDisagreeWithEntry', {
        kind: d.kind,
        entry: reasonAmount(d.entryMinor, d.currency),
        ...(d.detailsMinor !== undefined ? { details: reasonAmount(d.detailsMinor, d.currency) } : {}),
        count: d.details,
      }),
    ],
    allocations: [],
    surplusMinor: 0n,
    suggestions: [],
  };
}

/** How a transaction says it is a return, if it does. */
type ReturnSign = 'code' | 'reversal' | 'transactionCode' | 'words';

function returnSign(tx: MatchableTransaction, config: MatchConfig): ReturnSign | undefined {
  if (tx.returnReasonCode) return 'code';
  if (tx.reversal) return 'reversal';
  const sub = tx.bankTransactionCode?.subFamily?.toUpperCase();
  if (sub && config.returnSubFamilies.includes(sub)) return 'transactionCode';
  if (tx.gvc && config.returnGvcs.includes(tx.gvc)) return 'transactionCode';
  // Some banks say it only in words: "RUECKLASTSCHRIFT" in the entry information or at the start
  // of the text. Only the bank's own words count (the entry information, or the text's first
  // word: "Rückzahlung Ihrer Rücküberweisung" written by a payer is not a return), and only where
  // the bank's transaction code does not say otherwise (GVC 116 is our own transfer, whatever its
  // text says).
  if (config.returnWords.length > 0 && !tx.gvc && (tx.additionalInfo || tx.remittanceLines.length > 0)) {
    const first = (text: string | undefined): string => foldText(text ?? '').trim().split(/[^A-Z]+/)[0] ?? '';
    const words = [...foldText(tx.additionalInfo ?? '').split(/[^A-Z]+/), first(tx.remittanceLines[0])];
    if (words.some((w) => w.length > 0 && config.returnWords.includes(w))) return 'words';
  }
  return undefined;
}

function decideReturn(tx: MatchableTransaction, index: ItemIndex, config: MatchConfig, sign: ReturnSign): MatchDecision {
  const extraction = extractCandidates(tx, index, config);
  const e2e = tx.endToEndId && !config.endToEndPlaceholders.includes(tx.endToEndId.trim().toUpperCase()) ? tx.endToEndId.trim() : undefined;
  const code = tx.returnReasonCode?.toUpperCase();
  // Money coming back in is not the return of a receipt: it is a payment of the city's own (a
  // refund, a payout) that the payee's bank sent back. It never reverses a citizen's receipt; a
  // person decides what happens to it (the named item is only said, never undone).
  if (tx.creditDebit === 'CRDT' && !tx.reversal) {
    const named = extraction.candidates.find((c) => c.source !== 'e2e' && index.byReference(c.normalized).length > 0);
    return {
      key: tx.key,
      status: 'review',
      confidenceBp: 0,
      reasons: [reason('outgoingPaymentReturned', { ...(code ? { returnCode: code } : {}), ...(named ? { reference: named.display } : {}) })],
      allocations: [],
      surplusMinor: 0n,
      suggestions: [],
    };
  }
  // The item the return names: only when one item is named exactly (a slipped reference in a
  // return must not pick another citizen's receipt), and not from words alone: an outgoing
  // transfer of our own may say "Rücküberweisung" too.
  const hits = new Map<string, { reference: string; itemId: string }>();
  for (const c of extraction.candidates) {
    for (const hit of index.byReference(c.normalized)) hits.set(hit.item.id, { reference: hit.item.kassenzeichen, itemId: hit.item.id });
  }
  const only = hits.size === 1 ? [...hits.values()][0] : undefined;
  const reference = only?.reference ?? extraction.candidates.find((c) => c.source !== 'e2e')?.normalized;
  const itemId = sign !== 'words' ? only?.itemId : undefined;
  const reasons: Reason[] = [
    code
      ? reason('returnedWithCode', { returnCode: code })
      : sign === 'reversal'
        ? reason('returnedReversal')
        : sign === 'words'
          ? reason('returnedInWords')
          : reason('returnedByTransactionCode', { transactionCode: tx.gvc ?? tx.bankTransactionCode?.subFamily ?? '' }),
  ];
  if (reference) reasons.push(reason('returnRefersTo', { reference, known: only !== undefined }));
  if (e2e) reasons.push(reason('returnEndToEndId', { endToEndId: e2e }));
  return {
    key: tx.key,
    status: 'return',
    confidenceBp: 9500,
    reasons,
    allocations: [],
    surplusMinor: 0n,
    suggestions: [],
    returnOf: { ...(e2e ? { endToEndId: e2e } : {}), ...(reference ? { reference } : {}), ...(itemId ? { itemId } : {}), ...(code ? { reasonCode: code } : {}) },
  };
}

/** A near-miss candidate built from the same chunks (or the same digits) as an exact hit is noise. */
function overlapsExact(c: RefCandidate, exact: RefCandidate[]): boolean {
  for (const x of exact) {
    if (x.span.text === c.span.text && c.span.from <= x.span.to && x.span.from <= c.span.to) return true;
    if (x.normalized.includes(c.normalized) || c.normalized.includes(x.normalized)) return true;
  }
  return false;
}

interface PayerKeys {
  nameKeys: string[];
  iban: string | undefined;
}

/** The keys a payer's items are found by: name and ultimate debtor (each spelling), IBAN, learned IBAN. */
function payerKeysOf(tx: MatchableTransaction, ctx: ScoreContext): PayerKeys {
  const nameKeys: string[] = [];
  if (tx.debtorName && ctx.payer.name) nameKeys.push(...debtorNameKeys(tx.debtorName, ctx.payer.name));
  if (tx.ultimateDebtorName && ctx.payer.ultimate) nameKeys.push(...debtorNameKeys(tx.ultimateDebtorName, ctx.payer.ultimate));
  for (const k of ctx.payer.known) nameKeys.push(k.debtorNameKey);
  return { nameKeys: [...new Set(nameKeys)], iban: ctx.payer.iban };
}

/** The payer's items whose open amount is exactly `minor`: exact lookups, so a payer with thousands of items still finds them. */
function payerItemsOfAmount(tx: MatchableTransaction, index: ItemIndex, ctx: ScoreContext, keys: PayerKeys, minor: bigint): ItemEvidence[] {
  const found = new Map<string, IndexedItem>();
  for (const k of keys.nameKeys) for (const e of index.byDebtorNameKeyAndAmount(k, tx.currency, minor)) found.set(e.item.id, e);
  if (keys.iban) for (const e of index.byDebtorIbanAndAmount(keys.iban, tx.currency, minor)) found.set(e.item.id, e);
  return [...found.values()].map((e) => evidenceFor(tx, e, { kind: 'none' }, ctx)).filter((e) => e.openMinor === minor);
}

/**
 * Items of the payer (name, ultimate debtor, IBAN on file, learned IBAN), capped; the items of
 * the amount paid are looked up by name or IBAN and amount first, so a payer with more items than
 * the cap (a company, a property manager) still finds them.
 */
function payerItemsOf(tx: MatchableTransaction, index: ItemIndex, ctx: ScoreContext, keys: PayerKeys): ItemEvidence[] {
  const found = new Map<string, IndexedItem>();
  const cap = ctx.config.lookupCap;
  const add = (list: IndexedItem[]): void => {
    for (const e of list) if (e.item.currency === tx.currency && found.size < cap * 2) found.set(e.item.id, e);
  };
  for (const k of keys.nameKeys) add(index.byDebtorNameKeyAndAmount(k, tx.currency, tx.amountMinor));
  if (keys.iban) add(index.byDebtorIbanAndAmount(keys.iban, tx.currency, tx.amountMinor));
  for (const k of keys.nameKeys) add(index.byDebtorNameKey(k));
  if (keys.iban) add(index.byDebtorIban(keys.iban));
  if (found.size === 0) {
    // Same surname or firm word only: weaker, but a person can still use it.
    for (const name of [tx.debtorName, tx.ultimateDebtorName]) {
      if (!name) continue;
      for (const t of significantTokens(name)) if (t.length >= 3) add(index.byNameTokenCapped(t));
    }
  }
  return [...found.values()].map((e) => evidenceFor(tx, e, { kind: 'none' }, ctx));
}

/** The same evidence reached another way (spelt out: `{ ...e, ref }` takes V8's slow path). */
function withRef(e: ItemEvidence, ref: ItemEvidence['ref']): ItemEvidence {
  return { entry: e.entry, openMinor: e.openMinor, ref, amount: e.amount, payer: e.payer, ultimate: e.ultimate, iban: e.iban, knownConfirmations: e.knownConfirmations, ibanDiffers: e.ibanDiffers };
}

/** Without a name or IBAN that fits well, only an item whose amount also fits is worth a look. */
function plausiblePayerItems(evs: ItemEvidence[]): ItemEvidence[] {
  return evs.filter((e) => e.payer === 'same' || e.payer === 'contains' || e.ultimate === 'same' || e.ultimate === 'contains' || e.iban !== 'none' || e.amount === 'open');
}

/**
 * The slip that turns one of the payer's own references into another: any one slip, or two
 * substitutions or swaps (people copy their own references from the wrong letter, and mix digits
 * of references they know). Undefined when the two are further apart.
 */
function slipBetween(a: string, b: string): NearMissKind | undefined {
  const sa = shapeOf(a);
  const sb = shapeOf(b);
  if (!sa || !sb || sa.prefix !== sb.prefix || Math.abs(sa.digits.length - sb.digits.length) > 1) return undefined;
  const d = osaDistance(sa.digits, sb.digits, 2);
  if (d > 2) return undefined;
  if (sa.digits.length !== sb.digits.length) return sa.digits.length > sb.digits.length ? 'deletion' : 'insertion';
  let diff = 0;
  for (let i = 0; i < sa.digits.length; i++) if (sa.digits[i] !== sb.digits[i]) diff++;
  return diff === 1 ? 'substitution' : 'transposition';
}

/** Optimal-string-alignment distance, stopping early once it exceeds `max`. */
function osaDistance(a: string, b: string, max: number): number {
  const n = a.length;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  for (let i = 1; i <= n; i++) {
    const cur = new Array<number>(m + 1);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[m]!;
}
