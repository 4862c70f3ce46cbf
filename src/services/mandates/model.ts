/**
 * Mandates as plain data: their states, the sequence the next collection takes, and when they
 * expire. Pure, so the collection run, the API and the workplace cannot disagree.
 */

export const MANDATE_KINDS = ['recurrent', 'one_off'] as const;
export type MandateKind = (typeof MANDATE_KINDS)[number];

/**
 * active: usable · revoked: the debtor or the city ended it · blocked: a return said it cannot be
 * used (no mandate, account closed …) · finished: its one-off or final collection was released.
 * `expired` is never stored: a mandate is expired when 36 months passed without a collection.
 */
export const MANDATE_STATUSES = ['active', 'revoked', 'blocked', 'finished'] as const;
export type MandateStatus = (typeof MANDATE_STATUSES)[number];
export type MandateStanding = MandateStatus | 'expired';
export const MANDATE_STANDINGS = [...MANDATE_STATUSES, 'expired'] as const satisfies readonly MandateStanding[];

export const SEQUENCE_TYPES = ['FRST', 'RCUR', 'OOFF', 'FNAL'] as const;
export type SequenceType = (typeof SEQUENCE_TYPES)[number];

/** SEPA rulebook: a mandate not used for 36 months must not be used any more. */
export const MANDATE_EXPIRY_MONTHS = 36;

export interface MandateFacts {
  kind: string;
  status: string;
  signedOn: string;
  lastCollectedOn: string | null;
  finalRequested: boolean;
}

/** `day` plus `months` calendar months, "YYYY-MM-DD" (31 January + 1 month = 28/29 February). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map((p) => Number.parseInt(p, 10)) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** The last day a collection may be made under the mandate: 36 months after signature or last use. */
export function expiresOn(m: MandateFacts): string {
  return addMonths(m.lastCollectedOn ?? m.signedOn, MANDATE_EXPIRY_MONTHS);
}

export function mandateStanding(m: MandateFacts, today: string): MandateStanding {
  if (m.status === 'active' && today > expiresOn(m)) return 'expired';
  return m.status as MandateStatus;
}

/** The sequence of the next collection: OOFF for a one-off mandate, FRST before the first, FNAL when asked, else RCUR. */
export function nextSequence(m: MandateFacts): SequenceType {
  if (m.kind === 'one_off') return 'OOFF';
  if (m.lastCollectedOn === null) return 'FRST';
  return m.finalRequested ? 'FNAL' : 'RCUR';
}

/** What the next collection reports as amended since the last one (AmdmntInfDtls). */
export interface Amendment {
  originalReference?: string;
  originalIban?: string;
}
