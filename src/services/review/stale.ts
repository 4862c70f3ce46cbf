/**
 * Why an approval could not be carried out, as facts. The approval's note and its audit entry keep
 * the English sentence (the stored record, the API's and the log's words); the workplace says the
 * facts in the page's language. `parseStaleNote` recognises a stored note again, so approvals that
 * failed before the facts were kept read the same way.
 */
import { formatMinor } from '../../money/money.js';

export interface StaleValues {
  paymentGone: Record<never, never>;
  paymentChanged: { state: string };
  /** The booking's item; null in notes written before (they named the allocation by its id). */
  allocationGone: { kassenzeichen: string | null };
  allocationReversed: { kassenzeichen: string | null };
  onlyLeft: { left: string; currency: string };
  returnGone: Record<never, never>;
  bookingsChanged: Record<never, never>;
  itemGone: { kassenzeichen: string };
  itemCancelled: { kassenzeichen: string };
  /** A refund's or return's own check refused; its words are the service's (English). */
  departureRefused: { detail: string };
}
export type StaleCode = keyof StaleValues;
export type StaleFacts = { [C in StaleCode]: { code: C } & StaleValues[C] }[StaleCode];

/** The stored English note of each fact; `parseStaleNote` is its inverse. */
export function staleNote(f: StaleFacts): string {
  switch (f.code) {
    case 'paymentGone':
      return 'the payment no longer exists';
    case 'paymentChanged':
      return `the payment changed since the proposal (it is ${f.state} now)`;
    case 'allocationGone':
      return f.kassenzeichen ? `the booking on ${f.kassenzeichen} no longer exists` : 'the booking no longer exists';
    case 'allocationReversed':
      return f.kassenzeichen ? `the booking on ${f.kassenzeichen} was reversed meanwhile` : 'the booking was reversed meanwhile';
    case 'onlyLeft':
      return `only ${f.left} ${f.currency} of the payment is left`;
    case 'returnGone':
      return 'the return no longer exists';
    case 'bookingsChanged':
      return 'the bookings of the payment changed meanwhile';
    case 'itemGone':
      return `open item ${f.kassenzeichen} no longer exists`;
    case 'itemCancelled':
      return `open item ${f.kassenzeichen} was cancelled meanwhile`;
    case 'departureRefused':
      return `the refund or return no longer fits: ${f.detail}`;
  }
}

/** Stored notes, the ones written before these facts were kept included (they said amounts without currency, allocations by id). */
const NOTES: Array<[RegExp, (m: RegExpExecArray) => StaleFacts]> = [
  [/^the payment no longer exists$/, () => ({ code: 'paymentGone' })],
  [/^the payment changed since the proposal \(it is (\w+) now\)$/, (m) => ({ code: 'paymentChanged', state: m[1]! })],
  [/^the booking on (\S+) no longer exists$/, (m) => ({ code: 'allocationGone', kassenzeichen: m[1]! })],
  [/^the booking on (\S+) was reversed meanwhile$/, (m) => ({ code: 'allocationReversed', kassenzeichen: m[1]! })],
  [/^(?:the booking|allocation \S+) no longer exists$/, () => ({ code: 'allocationGone', kassenzeichen: null })],
  [/^(?:the booking|allocation \S+) was reversed meanwhile$/, () => ({ code: 'allocationReversed', kassenzeichen: null })],
  [/^only (-?\d+\.\d{2}) ([A-Z]{3}) of the payment is left$/, (m) => ({ code: 'onlyLeft', left: m[1]!, currency: m[2]! })],
  [/^only (-?\d+\.\d{2}) of the payment is left$/, (m) => ({ code: 'onlyLeft', left: m[1]!, currency: 'EUR' })],
  [/^the return no longer exists$/, () => ({ code: 'returnGone' })],
  [/^the bookings of the payment changed meanwhile$/, () => ({ code: 'bookingsChanged' })],
  [/^open item (\S+) no longer exists$/, (m) => ({ code: 'itemGone', kassenzeichen: m[1]! })],
  [/^open item (\S+) was cancelled meanwhile$/, (m) => ({ code: 'itemCancelled', kassenzeichen: m[1]! })],
  [/^the refund or return no longer fits: ([\s\S]+)$/, (m) => ({ code: 'departureRefused', detail: m[1]! })],
];

/** The facts of a stored note, or null when it is not one Stadtkasse wrote (a person's words, or an older wording). */
export function parseStaleNote(note: string | null | undefined): StaleFacts | null {
  if (!note) return null;
  for (const [pattern, facts] of NOTES) {
    const m = pattern.exec(note);
    if (m) return facts(m);
  }
  return null;
}

/** The item's Kassenzeichen the facts name (normalized, as stored), to look the printed spelling up. */
export function staleKassenzeichen(f: StaleFacts | null): string[] {
  return f && 'kassenzeichen' in f && f.kassenzeichen ? [f.kassenzeichen] : [];
}

/** The facts with the Kassenzeichen in `spell`'s spelling. */
export function spellStale(f: StaleFacts, spell: (kz: string) => string): StaleFacts {
  return 'kassenzeichen' in f && f.kassenzeichen ? ({ ...f, kassenzeichen: spell(f.kassenzeichen) } as StaleFacts) : f;
}

export function onlyLeft(minor: bigint, currency: string): StaleFacts {
  return { code: 'onlyLeft', left: formatMinor(minor, currency), currency };
}
