import type { MatchConfig } from './config.js';
import type { Extraction, RefCandidate } from './extract.js';
import {
  amountCorroborates,
  compareEvidence,
  confidenceOf,
  nameReason,
  payerCorroborates,
  type ItemEvidence,
} from './score.js';
import { reason, reasonAmount, type Reason, type ReferenceSource } from './reasons.js';
import type { Allocation, MatchDecision, MatchableTransaction, Suggestion } from './types.js';

/**
 * The auto/review decision. Rules, in the order a treasury ranks the failures (a wrong automatic
 * booking is the worst; a payment left to a person costs a minute):
 *
 * 1. One exact reference:
 *    - the item is already paid → review (probable double payment; money to suspense);
 *    - protected class (check digit valid, so a single slip cannot produce it) → auto, also for
 *      partial payments and payments by someone else;
 *    - unprotected class → auto only if the amount or the payer corroborates;
 *    - over-payment books the open amount, the rest goes to suspense.
 * 2. Several exact references → auto only when the amount equals the sum of their open amounts;
 *    otherwise review with a proposed split.
 * 3. No exact reference, near misses (one substitution, swap, deletion, insertion) → auto only
 *    when exactly one item is reachable, the quoted token is not itself a well-formed reference,
 *    the amount equals the item's open amount AND the payer corroborates (name, ultimate debtor,
 *    IBAN on file or learned). Everything else → review.
 * 4. No reference → review with suggestions by payer name / IBAN, ranked by amount fit, due date
 *    and age; nothing plausible → unmatched. An amount alone never makes a suggestion.
 */
export interface DecideInput {
  tx: MatchableTransaction;
  extraction: Extraction;
  exact: ItemEvidence[];
  near: ItemEvidence[];
  /** Near-miss tokens that reach more than one item. */
  ambiguousTokens: RefCandidate[];
  /** Items one slip away from an exact hit that the payer supports while the hit does not. */
  competitors: ItemEvidence[];
  /** Reference-like tokens (not the end-to-end id) that matched no item. */
  unexplained: RefCandidate[];
  byPayer: ItemEvidence[];
  config: MatchConfig;
}

export function decide(input: DecideInput): MatchDecision {
  const { tx, extraction, exact, near, config } = input;
  const cur = tx.currency;
  const fmt = (m: bigint) => reasonAmount(m, cur);
  const base = { key: tx.key, surplusMinor: 0n, allocations: [] as Allocation[], suggestions: [] as Suggestion[] };
  const blockers: Reason[] = [];
  if (extraction.truncated) blockers.push(reason('tooManyCandidates', { considered: extraction.candidates.length }));

  if (exact.length === 1) {
    const e = exact[0]!;
    const reasons = describe(e, tx, fmt);
    if (e.openMinor === 0n) {
      return {
        ...base,
        status: 'review',
        confidenceBp: confidenceOf(e),
        reasons: [...reasons, reason('doublePayment', { kassenzeichen: e.entry.item.kassenzeichen, held: fmt(tx.amountMinor) })],
        surplusMinor: tx.amountMinor,
        // If the payer's own open item is one slip away, the "double payment" is more likely a slip.
        suggestions: [...rankSingles(input.competitors, tx.amountMinor, fmt, config), suggest([e], tx.amountMinor, fmt, true)].slice(0, config.maxSuggestions),
      };
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
    // A second, mistyped reference may explain the rest of the amount: then a person splits it.
    const completing = near.filter((n) => n.openMinor > 0n && e.openMinor + n.openMinor === tx.amountMinor);
    if (surplus > 0n && completing.length > 0) {
      const combos = completing.map((n) => suggest([e, n], tx.amountMinor, fmt, false));
      return {
        ...base,
        status: 'review',
        confidenceBp: combos[0]!.confidenceBp,
        reasons: [...reasons, reason('amountCoversMistypedItem')],
        suggestions: [...combos, suggest([e], tx.amountMinor, fmt, false)].slice(0, config.maxSuggestions),
      };
    }
    if (surplus > 0n && input.unexplained.length > 0) {
      canAuto = false;
      blockers.push(reason('overpaymentWithUnknownReference', { reference: input.unexplained[0]!.display }));
    }
    if (input.competitors.length > 0) {
      canAuto = false;
      blockers.push(reason('payersItemOneSlipAway', { kassenzeichen: input.competitors[0]!.entry.item.kassenzeichen }));
    }
    if (canAuto && blockers.length === 0) {
      return {
        ...base,
        status: 'auto',
        confidenceBp: confidenceOf(e),
        reasons: surplus > 0n ? [...reasons, reason('overpaymentToSuspense', { surplus: fmt(surplus) })] : reasons,
        allocations: [allocation(e, alloc)],
        surplusMinor: surplus,
      };
    }
    return {
      ...base,
      status: 'review',
      confidenceBp: confidenceOf(e),
      reasons: [...reasons, ...blockers],
      suggestions:
        input.competitors.length > 0
          ? [...rankSingles(input.competitors, tx.amountMinor, fmt, config), ...rankSingles([e], tx.amountMinor, fmt, config)].slice(0, config.maxSuggestions)
          : rankSingles([e, ...near], tx.amountMinor, fmt, config),
    };
  }

  if (exact.length > 1) {
    const reasons: Reason[] = [reason('severalReferences', { kassenzeichen: exact.map((e) => e.entry.item.kassenzeichen) })];
    const paid = exact.filter((e) => e.openMinor === 0n);
    const sumOpen = exact.reduce((s, e) => s + e.openMinor, 0n);
    const conf = Math.min(...exact.map(confidenceOf));
    if (paid.length === 0 && sumOpen === tx.amountMinor && config.autoMultiExactSum && blockers.length === 0) {
      return {
        ...base,
        status: 'auto',
        confidenceBp: conf,
        reasons: [...reasons, reason('amountEqualsSum')],
        allocations: exact.map((e) => allocation(e, e.openMinor)),
      };
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
    return {
      ...base,
      status: 'review',
      confidenceBp: Math.min(conf, 8000),
      reasons: [...reasons, ...blockers],
      suggestions: [...suggestions, ...rankSingles(exact, tx.amountMinor, fmt, config)].slice(0, config.maxSuggestions),
    };
  }

  if (near.length > 0) {
    const sorted = [...near].sort(compareEvidence);
    const top = sorted[0]!;
    const reasons = describe(top, tx, fmt);
    if (input.ambiguousTokens.length > 0 || near.length > 1) {
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
      return {
        ...base,
        status: 'auto',
        confidenceBp: Math.min(confidenceOf(top), 9500),
        reasons,
        allocations: [allocation(top, top.openMinor)],
      };
    }
    const suggestions: Suggestion[] = [];
    // Two mistyped references in one transfer: propose the pair when it adds up.
    const live = near.filter((n) => n.openMinor > 0n);
    if (live.length > 1) {
      const subsets = exactSubsets(live, tx.amountMinor).filter((s) => s.length > 1);
      if (subsets.length === 1) suggestions.push(suggest(subsets[0]!, tx.amountMinor, fmt, false));
    }
    return {
      ...base,
      status: 'review',
      confidenceBp: confidenceOf(top),
      reasons: [...reasons, ...blockers],
      suggestions: [...suggestions, ...rankSingles(sorted, tx.amountMinor, fmt, config)].slice(0, config.maxSuggestions),
    };
  }

  // End-to-end ids are the payer's own ids (PSP transaction numbers …); only quoted text counts here.
  const quoted = extraction.candidates.filter((c) => c.source !== 'e2e');
  const notFound = quoted.length > 0 ? [reason('referenceNotFound', { reference: quoted[0]!.display })] : [reason('noReference')];
  const plausible = input.byPayer.filter((e) => e.openMinor > 0n);
  if (plausible.length > 0) {
    const sorted = [...plausible].sort(compareEvidence);
    return {
      ...base,
      status: 'review',
      confidenceBp: Math.min(confidenceOf(sorted[0]!), 6000),
      reasons: [...notFound, reason('payersOpenItems', { items: plausible.length }), ...describe(sorted[0]!, tx, fmt)],
      suggestions: rankSingles(sorted, tx.amountMinor, fmt, config),
    };
  }
  return { ...base, status: 'unmatched', confidenceBp: 0, reasons: [...notFound, reason('noItemOfPayer')] };
}

type Fmt = (m: bigint) => ReturnType<typeof reasonAmount>;

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
