import type { MatchConfig } from './config.js';
import type { Extraction, RefCandidate } from './extract.js';
import {
  amountCorroborates,
  compareEvidence,
  confidenceOf,
  nameReason,
  payerCorroborates,
  payerRank,
  payerRelated,
  payerStrong,
  type ItemEvidence,
} from './score.js';
import { reason, reasonAmount, type Reason, type ReferenceSource } from './reasons.js';
import type { Allocation, MatchDecision, MatchableTransaction, Suggestion } from './types.js';
import { guessBasis, rankPayerItems, sameDebtor, tiedOnEvidence } from './rank.js';

/**
 * The auto/review decision. Rules, in the order a treasury ranks the failures (a wrong automatic
 * booking is the worst; a payment left to a person costs a minute).
 *
 * The principle: an automatic booking needs evidence that rules out every other real open item a
 * plausible slip of the quoted reference could reach (one substitution, adjacent or jump
 * transposition, twin error, a dropped or added digit; the payer's own items two slips away).
 * A rival is ruled out when the amount paid is the hit's open amount and not the rival's, or when
 * the payer is the hit's debtor (IBAN on file, or the same name from an account that does not
 * contradict the one on file) and has nothing to do with the rival's. An equal amount is no
 * evidence where the rivals share it; a shared surname, a name inside a longer name or a learned
 * IBAN never rule a rival out (relatives, namesakes and property managers pay for others). A check
 * digit protects only against the errors it detects, and only references that pass it themselves
 * (score.ts protectionOf); the rivals are searched whatever the class.
 *
 * 1. One exact reference:
 *    - the item is already paid → review (probable double payment; money to suspense);
 *    - a rival not ruled out → review, the rivals as ranked suggestions, the difference in words;
 *    - protected reference → auto, also for partial payments and payments by someone else;
 *    - unprotected reference → auto only if the amount or the payer corroborates;
 *    - over-payment books the open amount, the rest goes to suspense; when the surplus is exactly
 *      the open amount of one other item of the same payer, both are booked if the payer is
 *      clearly that debtor, else both are proposed.
 * 2. Several exact references → auto only when the amount equals the sum of their open amounts and
 *    every quoted reference rules out its rivals as a single one must (a rival of the same open
 *    amount would give the same sum); otherwise review with a proposed split.
 * 3. No exact reference, near misses → auto only when the quoted token is not itself a
 *    well-formed reference, the amount equals the item's open amount, the payer corroborates, and
 *    every other item the token reaches is ruled out. Everything else → review.
 * 4. No reference → review with suggestions by payer name / IBAN, ranked by amount fit, payer fit
 *    and age ("ambiguous" where they cannot be told apart); nothing plausible → unmatched. An
 *    amount alone never makes a suggestion.
 */
export interface DecideInput {
  tx: MatchableTransaction;
  extraction: Extraction;
  exact: ItemEvidence[];
  near: ItemEvidence[];
  /** Near-miss tokens that reach more than one open item. */
  ambiguousTokens: RefCandidate[];
  /** Per exact hit (item id): the open items a plausible slip of its reference reaches. */
  rivals: ReadonlyMap<string, ItemEvidence[]>;
  /** Reference-like tokens (not the end-to-end id) that matched no item. */
  unexplained: RefCandidate[];
  /** Plausible items of the payer, for payments without a usable reference. */
  byPayer: ItemEvidence[];
  /** For an over-payment on one exact reference: the payer's items open for exactly the surplus. */
  surplusItems: ItemEvidence[];
  config: MatchConfig;
}

/** Amount paid is this item's open amount. */
function amountFits(e: ItemEvidence): boolean {
  return e.amount === 'open';
}

/**
 * Does the evidence tell `hit` from `rival`? `sameSum`: for a list of references, the rival would
 * give the same total only if its open amount equals the hit's.
 */
function rulesOut(hit: ItemEvidence, rival: ItemEvidence, mode: 'single' | 'sum'): boolean {
  // In a list whose sum matches, a rival of another open amount would break the sum.
  if (mode === 'sum' && hit.openMinor !== rival.openMinor) return true;
  // The payer is clearly the rival's debtor and not the hit's, or points at the rival more
  // strongly (the rival's IBAN on file is the payer's, the hit has only a name): the hit is the slip.
  if (payerStrong(rival) && !payerStrong(hit)) return false;
  if (payerRank(rival) > payerRank(hit)) return false;
  if (mode === 'single' && amountFits(hit) && !amountFits(rival)) return true;
  if (!payerStrong(hit)) return false;
  // The payer is the hit's debtor: a rival of someone else is ruled out, and so is another item
  // of the same debtor (the payer quoted this one of their own references exactly).
  return (!payerCorroborates(rival) && !payerStrong(rival)) || sameDebtor(hit, rival);
}

/** Rivals of a hit that the evidence does not rule out, best candidates first. */
function standingRivals(hit: ItemEvidence, rivals: readonly ItemEvidence[] | undefined, mode: 'single' | 'sum'): ItemEvidence[] {
  return (rivals ?? []).filter((r) => !rulesOut(hit, r, mode)).sort(compareRivals);
}

/**
 * Among items one slip apart, the payer's relation decides first (a relative pays the family's
 * item and slips onto a stranger's), then the amount, then the exact reference.
 */
function compareRivals(a: ItemEvidence, b: ItemEvidence): number {
  const rel = (e: ItemEvidence): number => (payerStrong(e) ? 3 : payerCorroborates(e) ? 2 : payerRelated(e) ? 1 : 0);
  const keys = (e: ItemEvidence): number[] => [amountFits(e) ? 1 : 0, rel(e), e.ref.kind === 'exact' ? 1 : 0, payerRank(e)];
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return kb[i]! - ka[i]!;
  return compareEvidence(a, b);
}

/** `paid`: the amount the hit is paid with (for one of a list of references: its own open amount). */
function slipReasons(hit: ItemEvidence, standing: ItemEvidence[], paid: bigint, fmt: Fmt): Reason[] {
  const out: Reason[] = [];
  for (const r of standing.slice(0, 3)) {
    if (r.ref.kind !== 'near') continue;
    const same = r.openMinor === hit.openMinor;
    out.push(reason('slipNeighbour', { kassenzeichen: hit.entry.item.kassenzeichen, other: r.entry.item.kassenzeichen, slip: r.ref.nearKind, ...(same ? { amount: fmt(hit.openMinor) } : {}) }));
  }
  const shared = standing.filter((r) => r.openMinor === paid).length;
  if (shared > 0 && hit.openMinor === paid) out.push(reason('sameAmountNoEvidence', { amount: fmt(paid), items: shared + 1 }));
  return out;
}

export function decide(input: DecideInput): MatchDecision {
  const { tx, extraction, exact, near, config } = input;
  const cur = tx.currency;
  const fmt = (m: bigint) => reasonAmount(m, cur);
  const blockers: Reason[] = [];
  if (extraction.truncated) blockers.push(reason('tooManyCandidates', { considered: extraction.candidates.length }));

  if (exact.length === 1) {
    const e = exact[0]!;
    const reasons = describe(e, tx, fmt);
    const standing = standingRivals(e, input.rivals.get(e.entry.item.id), 'single');
    if (e.openMinor === 0n) {
      return outcome(tx.key, {
        status: 'review',
        confidenceBp: confidenceOf(e),
        reasons: [...reasons, reason('doublePayment', { kassenzeichen: e.entry.item.kassenzeichen, held: fmt(tx.amountMinor) })],
        surplusMinor: tx.amountMinor,
        // If the payer's own open item is one slip away, the "double payment" is more likely a slip.
        suggestions: [...rankSingles(standing.filter(payerCorroborates), tx.amountMinor, fmt, config), suggest([e], tx.amountMinor, fmt, true)].slice(0, config.maxSuggestions),
      });
    }
    const alloc = min(tx.amountMinor, e.openMinor);
    const surplus = tx.amountMinor - alloc;
    const corroborated = amountCorroborates(e) || payerCorroborates(e);
    const isProtected = e.ref.kind === 'exact' && e.ref.protectedBy !== undefined;
    let canAuto = isProtected
      ? config.autoExactProtectedWithoutCorroboration || corroborated
      : !config.autoExactUnprotectedNeedsCorroboration || corroborated;
    if (!isProtected && !corroborated) blockers.push(reason('unprotectedUncorroborated'));
    if (tx.amountMinor < e.openMinor && !config.autoPartialPayment) {
      canAuto = false;
      blockers.push(reason('partialNotAutomatic'));
    }
    if (surplus > 0n && !config.autoOverpayment) {
      canAuto = false;
      blockers.push(reason('overpaymentNotAutomatic'));
    }
    if (standing.length > 0) {
      canAuto = false;
      if (payerCorroborates(standing[0]!) && !payerCorroborates(e)) blockers.push(reason('payersItemOneSlipAway', { kassenzeichen: standing[0]!.entry.item.kassenzeichen }));
      blockers.push(...slipReasons(e, standing, tx.amountMinor, fmt));
    }
    // A second, mistyped reference may explain the rest of the amount: then a person splits it.
    const completing = near.filter((n) => n.openMinor > 0n && e.openMinor + n.openMinor === tx.amountMinor);
    if (surplus > 0n && completing.length > 0) {
      const combos = completing.map((n) => suggest([e, n], tx.amountMinor, fmt, false));
      return outcome(tx.key, {
        status: 'review',
        confidenceBp: combos[0]!.confidenceBp,
        reasons: [...reasons, reason('amountCoversMistypedItem'), ...blockers],
        suggestions: [...combos, suggest([e], tx.amountMinor, fmt, false)].slice(0, config.maxSuggestions),
      });
    }
    // The surplus may be exactly another open item of the same payer: they meant to pay both.
    const others = surplus > 0n ? input.surplusItems.filter((p) => p.entry.item.id !== e.entry.item.id && p.openMinor === surplus && payerCorroborates(p)) : [];
    if (others.length > 0) {
      // Never booked by itself: a surplus of exactly another item's amount is as often a mistake
      // as a second payment meant, and booking only the quoted item leaves the other to be
      // reminded. A person chooses; the quoted item alone comes first, the pair right after.
      const pairs = [...others].sort(compareEvidence);
      const y = pairs[0]!;
      const surplusReason = reason('surplusPaysOtherItem', { surplus: fmt(surplus), kassenzeichen: y.entry.item.kassenzeichen });
      if (pairs.length > 1) blockers.push(reason('ambiguousChoice', { items: pairs.length, kassenzeichen: y.entry.item.kassenzeichen }));
      return outcome(tx.key, {
        status: 'review',
        confidenceBp: Math.min(confidenceOf(e), 8000),
        reasons: [...reasons, surplusReason, ...blockers],
        suggestions: [suggest([e], tx.amountMinor, fmt, false), ...pairs.map((p) => suggest([e, p], tx.amountMinor, fmt, false))].slice(0, config.maxSuggestions),
      });
    }
    if (surplus > 0n && input.unexplained.length > 0) {
      canAuto = false;
      blockers.push(reason('overpaymentWithUnknownReference', { reference: input.unexplained[0]!.display }));
    }
    if (canAuto && blockers.length === 0) {
      return outcome(tx.key, {
        status: 'auto',
        confidenceBp: confidenceOf(e),
        reasons: surplus > 0n ? [...reasons, reason('overpaymentToSuspense', { surplus: fmt(surplus) })] : reasons,
        allocations: [allocation(e, alloc)],
        surplusMinor: surplus,
      });
    }
    const ranked = standing.length > 0 ? [...standing, e].sort(compareRivals) : [e, ...near];
    return outcome(tx.key, {
      status: 'review',
      confidenceBp: standing.length > 0 ? Math.min(confidenceOf(e), 6000) : confidenceOf(e),
      reasons: [...reasons, ...blockers],
      suggestions: standing.length > 0 ? rankInOrder(ranked, tx.amountMinor, fmt, config) : rankSingles(ranked, tx.amountMinor, fmt, config),
    });
  }

  if (exact.length > 1) {
    const reasons: Reason[] = [reason('severalReferences', { kassenzeichen: exact.map((e) => e.entry.item.kassenzeichen) })];
    const paid = exact.filter((e) => e.openMinor === 0n);
    const sumOpen = exact.reduce((s, e) => s + e.openMinor, 0n);
    const conf = Math.min(...exact.map(confidenceOf));
    // Each quoted reference must rule out its own rivals: a slipped one that lands on another real
    // item of the same open amount gives the same sum.
    const slipped = exact.map((e) => ({ e, standing: standingRivals(e, input.rivals.get(e.entry.item.id), 'sum') })).filter((x) => x.standing.length > 0);
    for (const x of slipped.slice(0, 2)) blockers.push(...slipReasons(x.e, x.standing, x.e.openMinor, fmt));
    if (paid.length === 0 && sumOpen === tx.amountMinor && config.autoMultiExactSum && blockers.length === 0) {
      return outcome(tx.key, {
        status: 'auto',
        confidenceBp: conf,
        reasons: [...reasons, reason('amountEqualsSum')],
        allocations: exact.map((e) => allocation(e, e.openMinor)),
      });
    }
    if (paid.length > 0) reasons.push(reason('alreadyPaid', { kassenzeichen: paid.map((e) => e.entry.item.kassenzeichen) }));
    const suggestions: Suggestion[] = [];
    const live = exact.filter((e) => e.openMinor > 0n);
    const subsets = exactSubsets(live, tx.amountMinor);
    if (subsets.length === 1 && subsets[0]!.length > 0) {
      reasons.push(reason('someItemsAddUp'));
      suggestions.push(suggest(subsets[0]!, tx.amountMinor, fmt, false));
    } else if (sumOpen < tx.amountMinor) {
      reasons.push(reason('amountExceedsSum', { by: fmt(tx.amountMinor - sumOpen) }));
      suggestions.push(suggest(live, tx.amountMinor, fmt, false));
    } else {
      reasons.push(reason('splitInQuotedOrder', { paid: fmt(tx.amountMinor), open: fmt(sumOpen) }));
      suggestions.push(suggest(live.length > 0 ? live : exact, tx.amountMinor, fmt, false));
    }
    if (sumOpen === tx.amountMinor && paid.length === 0) suggestions.push(suggest(exact, tx.amountMinor, fmt, false));
    // The split with a slipped reference replaced by its rival, when that is what adds up.
    for (const x of slipped.slice(0, 2)) {
      for (const r of x.standing.slice(0, 2)) {
        const alt = exact.map((e) => (e === x.e ? r : e)).filter((e) => e.openMinor > 0n);
        if (alt.reduce((sum, e) => sum + e.openMinor, 0n) === tx.amountMinor) suggestions.push(suggest(alt, tx.amountMinor, fmt, false));
      }
    }
    return outcome(tx.key, {
      status: 'review',
      confidenceBp: Math.min(conf, 8000),
      reasons: [...reasons, ...blockers],
      suggestions: [...suggestions, ...rankSingles(exact, tx.amountMinor, fmt, config)].slice(0, config.maxSuggestions),
    });
  }

  if (near.length > 0) {
    const sorted = [...near].sort(compareEvidence);
    const top = sorted[0]!;
    const reasons = describe(top, tx, fmt);
    // Several items within reach: the top one must rule out every other. The quoted token is no
    // real reference, so a slip happened; amount and payer both fit the top one, and every other
    // is of another amount or of someone the payer has nothing to do with.
    const liveOthers = sorted.slice(1).filter((n) => n.openMinor > 0n);
    const decided = liveOthers.length > 0 && amountFits(top) && payerStrong(top) && liveOthers.every((n) => rulesOut(top, n, 'single') && !payerCorroborates(n));
    if ((input.ambiguousTokens.length > 0 || liveOthers.length > 0) && !decided) {
      blockers.push(reason('ambiguousNearMiss', { items: near.length }));
    }
    if (top.ref.kind === 'near' && top.ref.tokenWellFormed) {
      blockers.push(reason('wellFormedUnknownReference', { reference: top.ref.candidate.display, kassenzeichen: top.entry.item.kassenzeichen }));
    }
    if (top.openMinor === 0n) blockers.push(reason('itemAlreadyPaid', { kassenzeichen: top.entry.item.kassenzeichen }));
    if (!config.autoNearMiss) blockers.push(reason('nearMissNotAutomatic'));
    if (config.nearMissRequiresAmount && !amountCorroborates(top)) blockers.push(reason('amountNotOpen'));
    if (config.nearMissRequiresPayer && !payerCorroborates(top)) blockers.push(reason('payerNotDebtor'));
    if (blockers.length === 0) {
      return outcome(tx.key, {
        status: 'auto',
        confidenceBp: Math.min(confidenceOf(top), 9500),
        reasons,
        allocations: [allocation(top, top.openMinor)],
      });
    }
    const suggestions: Suggestion[] = [];
    // Two mistyped references in one transfer: propose the pair when it adds up.
    const live = near.filter((n) => n.openMinor > 0n);
    if (live.length > 1) {
      const subsets = exactSubsets(live, tx.amountMinor).filter((s) => s.length > 1);
      if (subsets.length === 1) suggestions.push(suggest(subsets[0]!, tx.amountMinor, fmt, false));
    }
    return outcome(tx.key, {
      status: 'review',
      confidenceBp: confidenceOf(top),
      reasons: [...reasons, ...blockers],
      suggestions: [...suggestions, ...rankSingles(sorted, tx.amountMinor, fmt, config)].slice(0, config.maxSuggestions),
    });
  }

  // End-to-end ids are the payer's own ids (PSP transaction numbers …); only quoted text counts here.
  const quoted = extraction.candidates.filter((c) => c.source !== 'e2e');
  const notFound = quoted.length > 0 ? [reason('referenceNotFound', { reference: quoted[0]!.display })] : [reason('noReference')];
  const plausible = input.byPayer.filter((e) => e.openMinor > 0n);
  if (plausible.length > 0) {
    const ranked = rankPayerItems(plausible, tx.remittanceLines);
    const top = ranked[0]!;
    // Items the evidence cannot tell apart (same amount fit, same payer fit): the text, a claim
    // issued twice or the age put one first, and the reasons say it is a guess.
    const ties = ranked.filter((r) => tiedOnEvidence(r, top));
    const guess: Reason[] = [];
    if (top.issue === 2 && top.twin) guess.push(reason('issuedTwice', { kassenzeichen: top.e.entry.item.kassenzeichen, other: top.twin.entry.item.kassenzeichen }));
    if (ties.length > 1) {
      guess.push(reason('ambiguousChoice', { items: ties.length, kassenzeichen: top.e.entry.item.kassenzeichen, basis: guessBasis(top, ties) }));
    }
    const ambiguous = ties.length > 1;
    return outcome(tx.key, {
      status: 'review',
      confidenceBp: Math.min(confidenceOf(top.e), ambiguous ? 4000 : 6000),
      reasons: [...notFound, reason('payersOpenItems', { items: plausible.length }), ...describe(top.e, tx, fmt), ...guess],
      suggestions: rankInOrder(ranked.map((r) => r.e), tx.amountMinor, fmt, config),
    });
  }
  return outcome(tx.key, { status: 'unmatched', confidenceBp: 0, reasons: [...notFound, reason('noItemOfPayer')] });
}

type Fmt = (m: bigint) => ReturnType<typeof reasonAmount>;

/**
 * A decision with every field, in one order. Built as one literal: `{ ...base, status, … }` costs
 * V8 about a microsecond per object (the spread then the added properties take its slow path),
 * which was a tenth of the matcher's time per payment.
 */
function outcome(
  key: string,
  d: Pick<MatchDecision, 'status' | 'confidenceBp' | 'reasons'> & Partial<Pick<MatchDecision, 'allocations' | 'surplusMinor' | 'suggestions'>>,
): MatchDecision {
  return { key, status: d.status, confidenceBp: d.confidenceBp, reasons: d.reasons, allocations: d.allocations ?? [], surplusMinor: d.surplusMinor ?? 0n, suggestions: d.suggestions ?? [] };
}

function describe(e: ItemEvidence, tx: MatchableTransaction, fmt: Fmt): Reason[] {
  const r: Reason[] = [];
  const k = e.entry.item.kassenzeichen;
  if (e.ref.kind === 'exact') {
    r.push(reason('referenceFound', { reference: e.ref.candidate.display, source: sourceOf(e.ref.candidate) }));
    if (e.ref.protectedBy) r.push(reason('checkDigitProtects', { scheme: e.ref.protectedBy }));
  } else if (e.ref.kind === 'near') {
    r.push(reason('nearMiss', { reference: e.ref.candidate.display, source: sourceOf(e.ref.candidate), slip: e.ref.nearKind, kassenzeichen: k }));
  }
  if (e.amount === 'open') r.push(reason('amountEqualsOpen'));
  else if (e.amount === 'original') r.push(reason('amountEqualsOriginal', { original: fmt(e.entry.item.amountMinor), open: fmt(e.openMinor) }));
  else if (e.openMinor === 0n) r.push(reason('nothingOpen', { kassenzeichen: k }));
  else if (e.amount === 'less') r.push(reason('partialPayment', { paid: fmt(tx.amountMinor), open: fmt(e.openMinor) }));
  else r.push(reason('amountExceedsOpen', { paid: fmt(tx.amountMinor), open: fmt(e.openMinor) }));
  const p = nameReason('payer', e.payer, e.entry.item.debtorName);
  if (p) r.push(p);
  const u = nameReason('ultimate debtor', e.ultimate, e.entry.item.debtorName);
  if (u) r.push(u);
  if (e.iban === 'item') r.push(reason('ibanOnFile'));
  if (e.iban === 'known') r.push(reason('ibanLearned', { confirmations: e.knownConfirmations }));
  return r;
}

function sourceOf(c: RefCandidate): ReferenceSource {
  return c.source === 'remittance' && c.acrossLines ? 'remittance-split' : c.source;
}

function allocation(e: ItemEvidence, amountMinor: bigint): Allocation {
  return { itemId: e.entry.item.id, kassenzeichen: e.entry.item.kassenzeichen, amountMinor };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Allocates `amount` over the items in order, each up to its open amount (paid items: all of it to the first). */
function suggest(items: ItemEvidence[], amount: bigint, fmt: Fmt, paidItem: boolean): Suggestion {
  const allocations: Allocation[] = [];
  let rest = amount;
  items.forEach((e, i) => {
    const last = i === items.length - 1;
    const a = paidItem ? rest : last && items.length > 1 ? min(rest, e.openMinor) : min(rest, e.openMinor);
    if (a > 0n || items.length === 1) allocations.push(allocation(e, a));
    rest -= a;
  });
  const reasons: Reason[] = items.length > 1 ? [reason('splitOver', { paid: fmt(amount), kassenzeichen: items.map((e) => e.entry.item.kassenzeichen) })] : [];
  if (rest > 0n && !paidItem) reasons.push(reason('leftForSuspense', { rest: fmt(rest) }));
  return { allocations, confidenceBp: Math.min(...items.map(confidenceOf)), reasons };
}

/** Suggestions in the order given (already ranked by the caller). */
function rankInOrder(evs: ItemEvidence[], amount: bigint, fmt: Fmt, config: MatchConfig): Suggestion[] {
  const seen = new Set<string>();
  const out: Suggestion[] = [];
  for (const e of evs) {
    if (seen.has(e.entry.item.id)) continue;
    seen.add(e.entry.item.id);
    const s = suggest([e], amount, fmt, e.openMinor === 0n);
    s.reasons = describe(e, { amountMinor: amount } as MatchableTransaction, fmt);
    out.push(s);
    if (out.length >= config.maxSuggestions) break;
  }
  return out;
}

function rankSingles(evs: ItemEvidence[], amount: bigint, fmt: Fmt, config: MatchConfig): Suggestion[] {
  const seen = new Set<string>();
  const out: Suggestion[] = [];
  for (const e of [...evs].sort(compareEvidence)) {
    if (seen.has(e.entry.item.id)) continue;
    seen.add(e.entry.item.id);
    const s = suggest([e], amount, fmt, e.openMinor === 0n);
    s.reasons = describe(e, { amountMinor: amount } as MatchableTransaction, fmt);
    out.push(s);
    if (out.length >= config.maxSuggestions) break;
  }
  return out;
}

/** Sub-combinations of items whose open amounts add up to `amount` exactly (at most 12 items). */
function exactSubsets(items: ItemEvidence[], amount: bigint): ItemEvidence[][] {
  const n = Math.min(items.length, 12);
  const out: ItemEvidence[][] = [];
  for (let mask = 1; mask < 1 << n; mask++) {
    let sum = 0n;
    const pick: ItemEvidence[] = [];
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i)) {
        sum += items[i]!.openMinor;
        pick.push(items[i]!);
      }
    }
    if (sum === amount) out.push(pick);
    if (out.length > 1) break;
  }
  return out;
}
