import { formatMinor } from '../money/money.js';
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
  const fmt = (m: bigint): string => formatMinor(m, cur);
  const base = { key: tx.key, surplusMinor: 0n, allocations: [] as Allocation[], suggestions: [] as Suggestion[] };
  const blockers: string[] = [];
  if (extraction.truncated) blockers.push(`more than ${extraction.candidates.length} possible references in the payment; only the first ${extraction.candidates.length} were considered`);

  if (exact.length === 1) {
    const e = exact[0]!;
    const reasons = describe(e, tx, fmt);
    if (e.openMinor === 0n) {
      return {
        ...base,
        status: 'review',
        confidenceBp: confidenceOf(e),
        reasons: [...reasons, `item ${e.entry.item.kassenzeichen} is already paid: probable double payment, ${fmt(tx.amountMinor)} held in suspense`],
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
    if (!isProtected && !corroborated) blockers.push('reference has no check digit and neither amount nor payer confirm it');
    if (tx.amountMinor < e.openMinor && !config.autoPartialPayment) {
      canAuto = false;
      blockers.push('partial payments are not booked automatically');
    }
    if (surplus > 0n && !config.autoOverpayment) {
      canAuto = false;
      blockers.push('over-payments are not booked automatically');
    }
    // A second, mistyped reference may explain the rest of the amount: then a person splits it.
    const completing = near.filter((n) => n.openMinor > 0n && e.openMinor + n.openMinor === tx.amountMinor);
    if (surplus > 0n && completing.length > 0) {
      const combos = completing.map((n) => suggest([e, n], tx.amountMinor, fmt, false));
      return {
        ...base,
        status: 'review',
        confidenceBp: combos[0]!.confidenceBp,
        reasons: [...reasons, 'the amount also covers an item one keying slip away from another quoted reference'],
        suggestions: [...combos, suggest([e], tx.amountMinor, fmt, false)].slice(0, config.maxSuggestions),
      };
    }
    if (surplus > 0n && input.unexplained.length > 0) {
      canAuto = false;
      blockers.push(`over-payment and another reference-like number (${input.unexplained[0]!.display}) that matches no open item: the rest may belong to a second item`);
    }
    if (input.competitors.length > 0) {
      canAuto = false;
      blockers.push(`the payer's own item ${input.competitors[0]!.entry.item.kassenzeichen} is one keying slip away from the quoted reference`);
    }
    if (canAuto && blockers.length === 0) {
      return {
        ...base,
        status: 'auto',
        confidenceBp: confidenceOf(e),
        reasons: surplus > 0n ? [...reasons, `over-payment: ${fmt(surplus)} goes to suspense`] : reasons,
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
    const reasons = [`${exact.length} references found: ${exact.map((e) => e.entry.item.kassenzeichen).join(', ')}`];
    const paid = exact.filter((e) => e.openMinor === 0n);
    const sumOpen = exact.reduce((s, e) => s + e.openMinor, 0n);
    const conf = Math.min(...exact.map(confidenceOf));
    if (paid.length === 0 && sumOpen === tx.amountMinor && config.autoMultiExactSum && blockers.length === 0) {
      return {
        ...base,
        status: 'auto',
        confidenceBp: conf,
        reasons: [...reasons, 'amount equals the sum of their open amounts'],
        allocations: exact.map((e) => allocation(e, e.openMinor)),
      };
    }
    if (paid.length > 0) reasons.push(`already paid: ${paid.map((e) => e.entry.item.kassenzeichen).join(', ')}`);
    const suggestions: Suggestion[] = [];
    const live = exact.filter((e) => e.openMinor > 0n);
    const subsets = exactSubsets(live, tx.amountMinor);
    if (subsets.length === 1 && subsets[0]!.length > 0) {
      reasons.push('only some of the quoted items add up to the amount');
      suggestions.push(suggest(subsets[0]!, tx.amountMinor, fmt, false));
    } else if (sumOpen < tx.amountMinor) {
      reasons.push(`amount exceeds the sum of the open amounts by ${fmt(tx.amountMinor - sumOpen)}`);
      suggestions.push(suggest(live, tx.amountMinor, fmt, false));
    } else {
      reasons.push(`amount ${fmt(tx.amountMinor)} does not equal the sum of the open amounts ${fmt(sumOpen)}: proposed split in the order quoted`);
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
      blockers.push(`ambiguous: ${near.length} items are one keying slip away from the quoted reference(s)`);
    }
    if (top.ref.kind === 'near' && top.ref.tokenWellFormed) {
      blockers.push(`${top.ref.candidate.display} passes its check digit, so it is not a keying slip of ${top.entry.item.kassenzeichen} but a reference that does not exist among the open items`);
    }
    if (top.openMinor === 0n) blockers.push(`item ${top.entry.item.kassenzeichen} is already paid`);
    if (!config.autoNearMiss) blockers.push('near misses are not booked automatically');
    if (config.nearMissRequiresAmount && !amountCorroborates(top)) blockers.push('amount does not equal the open amount');
    if (config.nearMissRequiresPayer && !payerCorroborates(top)) blockers.push('payer does not match the debtor');
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
  const notFound = quoted.length > 0 ? [`reference ${quoted[0]!.display} not found among the open items`] : ['no reference found'];
  const plausible = input.byPayer.filter((e) => e.openMinor > 0n);
  if (plausible.length > 0) {
    const sorted = [...plausible].sort(compareEvidence);
    return {
      ...base,
      status: 'review',
      confidenceBp: Math.min(confidenceOf(sorted[0]!), 6000),
      reasons: [...notFound, `${plausible.length} open item(s) of this payer`, ...describe(sorted[0]!, tx, fmt)],
      suggestions: rankSingles(sorted, tx.amountMinor, fmt, config),
    };
  }
  return { ...base, status: 'unmatched', confidenceBp: 0, reasons: [...notFound, 'no open item of this payer'] };
}

function describe(e: ItemEvidence, tx: MatchableTransaction, fmt: (m: bigint) => string): string[] {
  const r: string[] = [];
  const k = e.entry.item.kassenzeichen;
  if (e.ref.kind === 'exact') {
    r.push(`reference ${e.ref.candidate.display} found in ${sourceText(e.ref.candidate)}`);
    if (e.ref.protectedBy) r.push(`check digit (${e.ref.protectedBy}) protects references of this kind`);
  } else if (e.ref.kind === 'near') {
    r.push(`reference ${e.ref.candidate.display} in ${sourceText(e.ref.candidate)} is not an open item; ${article(e.ref.nearKind)} ${e.ref.nearKind} away from ${k}`);
  }
  if (e.amount === 'open') r.push('amount equals open amount');
  else if (e.amount === 'original') r.push(`amount equals the original amount ${fmt(e.entry.item.amountMinor)} (open ${fmt(e.openMinor)})`);
  else if (e.openMinor === 0n) r.push(`item ${k} has nothing open`);
  else if (e.amount === 'less') r.push(`partial payment: ${fmt(tx.amountMinor)} of ${fmt(e.openMinor)} open`);
  else r.push(`amount ${fmt(tx.amountMinor)} exceeds the open amount ${fmt(e.openMinor)}`);
  const p = nameReason('payer', e.payer, e.entry.item.debtorName);
  if (p) r.push(p);
  const u = nameReason('ultimate debtor', e.ultimate, e.entry.item.debtorName);
  if (u) r.push(u);
  if (e.iban === 'item') r.push("payer IBAN is the debtor's IBAN on file");
  if (e.iban === 'known') r.push(`payer IBAN seen on ${e.knownConfirmations} confirmed payments of this debtor`);
  return r;
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? 'an' : 'a';
}

function sourceText(c: RefCandidate): string {
  switch (c.source) {
    case 'structured':
      return 'the structured creditor reference';
    case 'rf':
      return 'an RF creditor reference';
    case 'e2e':
      return 'the end-to-end id';
    case 'remittance':
      return c.acrossLines ? 'remittance text (split across lines)' : 'remittance text';
  }
}

function allocation(e: ItemEvidence, amountMinor: bigint): Allocation {
  return { itemId: e.entry.item.id, kassenzeichen: e.entry.item.kassenzeichen, amountMinor };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Allocates `amount` over the items in order, each up to its open amount (paid items: all of it to the first). */
function suggest(items: ItemEvidence[], amount: bigint, fmt: (m: bigint) => string, paidItem: boolean): Suggestion {
  const allocations: Allocation[] = [];
  let rest = amount;
  items.forEach((e, i) => {
    const last = i === items.length - 1;
    const a = paidItem ? rest : last && items.length > 1 ? min(rest, e.openMinor) : min(rest, e.openMinor);
    if (a > 0n || items.length === 1) allocations.push(allocation(e, a));
    rest -= a;
  });
  const reasons = items.length > 1 ? [`split ${fmt(amount)} over ${items.map((e) => e.entry.item.kassenzeichen).join(' + ')}`] : [];
  if (rest > 0n && !paidItem) reasons.push(`${fmt(rest)} left for suspense`);
  return { allocations, confidenceBp: Math.min(...items.map(confidenceOf)), reasons };
}

function rankSingles(evs: ItemEvidence[], amount: bigint, fmt: (m: bigint) => string, config: MatchConfig): Suggestion[] {
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
