import { DEFAULT_MATCH_CONFIG, type MatchConfig } from './config.js';
import { decide } from './decide.js';
import { extractCandidates, type RefCandidate } from './extract.js';
import type { IndexedItem, ItemIndex } from './index.js';
import { debtorNameKey, normalizeIban, significantTokens } from './names.js';
import { evidenceFor, payerCorroborates, protectionOf, tokenWellFormed, type ItemEvidence, type ScoreContext } from './score.js';
import { NO_KNOWN_PAYERS, type KnownPayers, type MatchDecision, type MatchableTransaction } from './types.js';
import { reason, type Reason } from './reasons.js';

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
    openOf: (e: IndexedItem) => opts.openOverride?.get(e.item.id) ?? e.item.openMinor,
  };

  if (isReturn(tx, config)) return decideReturn(tx, index, config);
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
    if (hits.length > 1) ambiguousTokens.push(c);
    const wellFormed = tokenWellFormed(index, c.normalized);
    for (const h of hits) {
      if (near.has(h.entry.item.id)) continue;
      near.set(
        h.entry.item.id,
        evidenceFor(tx, h.entry, { kind: 'near', candidate: c, nearKind: h.kind, tokenWellFormed: wellFormed, protectedBy: protectionOf(index, h.entry.ref) }, ctx),
      );
    }
  }

  // Dense serials: a slip in one reference often lands on another real item. When the item hit
  // exactly has no payer support but an item one slip away from the quoted token is the payer's,
  // the exact hit is suspect.
  const competitors: ItemEvidence[] = [];
  if (exact.size === 1) {
    const only = [...exact.values()][0]!;
    if (!payerCorroborates(only) && only.ref.kind === 'exact') {
      for (const h of index.nearMisses(only.ref.candidate.normalized)) {
        if (h.entry.item.id === only.entry.item.id || h.entry.item.currency !== tx.currency) continue;
        const ev = evidenceFor(tx, h.entry, { kind: 'near', candidate: only.ref.candidate, nearKind: h.kind, tokenWellFormed: true, protectedBy: protectionOf(index, h.entry.ref) }, ctx);
        if (payerCorroborates(ev)) competitors.push(ev);
      }
    }
  }

  // Reference-like tokens that matched nothing: with an over-payment they may be a second item
  // the payer meant (mistyped beyond one slip), so the surplus is not simply suspense.
  const unexplained = extraction.candidates.filter((c) => c.source !== 'e2e' && !exactCandidates.includes(c) && !overlapsExact(c, exactCandidates));

  const byPayer = exact.size === 0 && near.size === 0 ? payerCandidates(tx, index, ctx) : [];
  return decide({ tx, extraction, exact: [...exact.values()], near: [...near.values()], ambiguousTokens, competitors, unexplained, byPayer, config });
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

function isReturn(tx: MatchableTransaction, config: MatchConfig): boolean {
  if (tx.returnReasonCode) return true;
  if (tx.reversal) return true;
  const sub = tx.bankTransactionCode?.subFamily?.toUpperCase();
  if (sub && config.returnSubFamilies.includes(sub)) return true;
  if (tx.gvc && config.returnGvcs.includes(tx.gvc)) return true;
  return false;
}

function decideReturn(tx: MatchableTransaction, index: ItemIndex, config: MatchConfig): MatchDecision {
  const extraction = extractCandidates(tx, index, config);
  let reference: string | undefined;
  let itemId: string | undefined;
  for (const c of extraction.candidates) {
    const hit = index.byReference(c.normalized)[0];
    if (hit) {
      reference = hit.item.kassenzeichen;
      itemId = hit.item.id;
      break;
    }
  }
  if (!reference) reference = extraction.candidates.find((c) => c.source !== 'e2e')?.normalized;
  const e2e = tx.endToEndId && !config.endToEndPlaceholders.includes(tx.endToEndId.trim().toUpperCase()) ? tx.endToEndId.trim() : undefined;
  const code = tx.returnReasonCode?.toUpperCase();
  const reasons: Reason[] = [
    code
      ? reason('returnedWithCode', { returnCode: code })
      : tx.reversal
        ? reason('returnedReversal')
        : reason('returnedByTransactionCode', { transactionCode: tx.gvc ?? tx.bankTransactionCode?.subFamily ?? '' }),
  ];
  if (reference) reasons.push(reason('returnRefersTo', { reference, known: itemId !== undefined }));
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

/** Items of the payer (name, ultimate debtor, IBAN on file, learned IBAN), capped. */
function payerCandidates(tx: MatchableTransaction, index: ItemIndex, ctx: ScoreContext): ItemEvidence[] {
  const found = new Map<string, IndexedItem>();
  const add = (list: IndexedItem[]): void => {
    for (const e of list) if (e.item.currency === tx.currency && found.size < ctx.config.lookupCap) found.set(e.item.id, e);
  };
  for (const name of [tx.debtorName, tx.ultimateDebtorName]) {
    if (name) add(index.byDebtorNameKey(debtorNameKey(name)));
  }
  const iban = normalizeIban(tx.debtorIban);
  if (iban) {
    add(index.byDebtorIban(iban));
    for (const k of ctx.knownPayers(iban)) if (k.confirmations >= ctx.config.knownPayerMinConfirmations) add(index.byDebtorNameKey(k.debtorNameKey));
  }
  if (found.size === 0) {
    // Same surname or firm word only: weaker, but a person can still use it.
    for (const name of [tx.debtorName, tx.ultimateDebtorName]) {
      if (!name) continue;
      for (const t of significantTokens(name)) if (t.length >= 3) add(index.byNameTokenCapped(t));
    }
  }
  const evs = [...found.values()].map((e) => evidenceFor(tx, e, { kind: 'none' }, ctx));
  // Without a name or IBAN that fits well, only an item whose amount also fits is worth a look.
  return evs.filter((e) => e.payer === 'same' || e.payer === 'contains' || e.ultimate === 'same' || e.ultimate === 'contains' || e.iban !== 'none' || e.amount === 'open');
}
