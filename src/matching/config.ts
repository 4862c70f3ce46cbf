import { z } from 'zod';
import { ValidationError } from '../errors.js';

/**
 * Every threshold and rule of the matcher as data. The defaults are what the treasury runs with;
 * a municipality may override any of them (JSON, validated by `parseMatchConfig`). Each default says
 * why it is what it is: a wrong automatic booking (a citizen who paid gets a reminder and a fee) is
 * far worse than a payment left to a person (a minute of staff time).
 */
export interface MatchConfig {
  /**
   * Share of a reference class (letter prefix + digit count, optionally + leading digits) that must
   * pass a check-digit algorithm for the class to count as protected. 0.98 tolerates a few
   * hand-keyed legacy items, while a random class passes luhn/mod11 only ~10% of the time.
   */
  schemeMinShare: number;
  /** Members a class needs before its scheme is trusted (fewer prove nothing). */
  schemeMinMembers: number;
  /**
   * Exact hit on a protected reference (its check digit is valid, so a single keying slip cannot
   * produce it): book even if neither amount nor payer corroborate (partial payments, relatives).
   */
  autoExactProtectedWithoutCorroboration: boolean;
  /**
   * Exact hit on an unprotected reference (no check digit; a slip in a dense serial often lands on
   * another real item): book only with amount or payer corroboration.
   */
  autoExactUnprotectedNeedsCorroboration: boolean;
  /** Near misses (one substitution, swap, deletion, insertion) may be booked automatically at all. */
  autoNearMiss: boolean;
  /** A near miss is only booked when the amount equals the open amount AND the payer corroborates. */
  nearMissRequiresAmount: boolean;
  nearMissRequiresPayer: boolean;
  /**
   * Several references in one transfer: book when the amount equals the sum of their open amounts.
   * A unique sub-combination is proposed, not booked (the payer may have named an item they did
   * not mean to pay).
   */
  autoMultiExactSum: boolean;
  /** Over-payment on a single exact reference: book the open amount, the rest to suspense. */
  autoOverpayment: boolean;
  /** Partial payment on a single exact reference: book what was paid. */
  autoPartialPayment: boolean;
  /** Token-overlap share from which two names count as the same person / firm. */
  nameSameMin: number;
  /** Confirmations a learned payer IBAN needs before it corroborates. */
  knownPayerMinConfirmations: number;
  /** Suggestions kept per review decision. */
  maxSuggestions: number;
  /** Items considered per name / IBAN / amount lookup (lists are capped so cost does not grow with N). */
  lookupCap: number;
  /** DK Geschäftsvorfallcodes that mark a returned or reversed payment. */
  returnGvcs: string[];
  /** ISO bank transaction sub-family codes that mark a return or reversal. */
  returnSubFamilies: string[];
  /**
   * Words (folded: ü → UE) by which a bank says an entry is a return when it sends no code: read in
   * the entry information and as the first word of the text.
   */
  returnWords: string[];
  /** Words after which the next number is not a reference (phone numbers, licence plates, IBANs). */
  nonReferenceLabels: string[];
  /** End-to-end ids that mean "none" (SEPA placeholder). */
  endToEndPlaceholders: string[];
}

export const DEFAULT_MATCH_CONFIG: Readonly<MatchConfig> = Object.freeze({
  schemeMinShare: 0.98,
  schemeMinMembers: 20,
  autoExactProtectedWithoutCorroboration: true,
  autoExactUnprotectedNeedsCorroboration: true,
  autoNearMiss: true,
  nearMissRequiresAmount: true,
  nearMissRequiresPayer: true,
  autoMultiExactSum: true,
  autoOverpayment: true,
  autoPartialPayment: true,
  nameSameMin: 0.99,
  knownPayerMinConfirmations: 2,
  maxSuggestions: 5,
  lookupCap: 200,
  // 108/109 SEPA direct debit returned (B2B/Core), 110 card clearing returned, 159/160 SEPA credit
  // transfer returned (Rücküberweisung, instant), 193/199 reversals, 899 Storno.
  returnGvcs: ['108', '109', '110', '159', '160', '193', '199', '899'],
  // RRTN reversal due to return, RPCR due to cancellation request, UPDD unpaid direct debit,
  // PRDD reversal of a direct debit, PRCT reversal of a credit transfer.
  returnSubFamilies: ['RRTN', 'RPCR', 'UPDD', 'PRDD', 'PRCT'],
  returnWords: ['RUECKUEBERWEISUNG', 'RUECKLASTSCHRIFT', 'RUECKBUCHUNG', 'RETOURE', 'LASTSCHRIFTRUECKGABE', 'UEBERWEISUNGSRUECKGABE'],
  nonReferenceLabels: ['TEL', 'TELEFON', 'FAX', 'MOBIL', 'HANDY', 'KENNZ', 'KENNZEICHEN', 'KFZ', 'IBAN', 'BIC', 'BLZ', 'KTO', 'KONTO', 'MANDAT', 'MANDATSREF', 'GLAEUBIGER', 'CRED', 'PLZ'],
  endToEndPlaceholders: ['NOTPROVIDED', 'NOT PROVIDED', 'NONREF'],
}) as MatchConfig;

const share = z.number().min(0).max(1);
const codeList = z.array(z.string().min(1).max(35)).max(200);

const MatchConfigSchema = z
  .object({
    schemeMinShare: share.min(0.5),
    schemeMinMembers: z.number().int().min(1).max(1_000_000),
    autoExactProtectedWithoutCorroboration: z.boolean(),
    autoExactUnprotectedNeedsCorroboration: z.boolean(),
    autoNearMiss: z.boolean(),
    nearMissRequiresAmount: z.boolean(),
    nearMissRequiresPayer: z.boolean(),
    autoMultiExactSum: z.boolean(),
    autoOverpayment: z.boolean(),
    autoPartialPayment: z.boolean(),
    nameSameMin: share,
    knownPayerMinConfirmations: z.number().int().min(1).max(1000),
    maxSuggestions: z.number().int().min(1).max(50),
    lookupCap: z.number().int().min(1).max(100_000),
    returnGvcs: codeList,
    returnSubFamilies: codeList,
    returnWords: codeList,
    nonReferenceLabels: codeList,
    endToEndPlaceholders: codeList,
  })
  .partial()
  .strict();

/**
 * Validates a (partial) configuration and merges it over the defaults. Unknown keys are refused so a
 * misspelt threshold cannot silently fall back to its default.
 */
export function parseMatchConfig(json: unknown): MatchConfig {
  const input = typeof json === 'string' ? safeJson(json) : json ?? {};
  const parsed = MatchConfigSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const field = first?.path.join('.') || 'config';
    throw new ValidationError(`match config: ${field}: ${first?.message ?? 'invalid'}`, { field });
  }
  const merged = { ...DEFAULT_MATCH_CONFIG, ...parsed.data } as MatchConfig;
  merged.returnGvcs = merged.returnGvcs.map((c) => c.trim());
  merged.returnSubFamilies = merged.returnSubFamilies.map((c) => c.trim().toUpperCase());
  merged.returnWords = merged.returnWords.map((c) => c.trim().toUpperCase());
  merged.nonReferenceLabels = merged.nonReferenceLabels.map((c) => c.trim().toUpperCase());
  merged.endToEndPlaceholders = merged.endToEndPlaceholders.map((c) => c.trim().toUpperCase());
  return merged;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('match config: not valid JSON', { field: 'config' });
  }
}
