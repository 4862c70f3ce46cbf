/**
 * What goes into the transfer a citizen makes: the EPC QR payload, and the reference or remittance
 * text they type when they do not scan. Pure.
 *
 * One item with an RF reference: the RF reference as structured creditor reference (EPC field 10) —
 * banks pass it through untouched, and the matcher finds it with certainty. Several items (or one
 * whose Kassenzeichen is too long for RF): unstructured remittance "Kassenzeichen A B C" (field 11),
 * at most 140 characters; beyond that we refuse rather than cut, because a cut list would leave an
 * item unpaid in the matcher's eyes. A Kassenzeichen the finance system issued appears as it
 * printed it ("GEB-2026-4711"), so the transfer quotes the number on the citizen's letter; when one
 * is printed with spaces, the numbers are separated by commas, so two never run into one.
 */
import { ValidationError } from '../../errors.js';
import { money } from '../../money/money.js';
import { buildEpcPayload, EPC_LIMITS } from '../../references/epc.js';

export interface InstructionItem {
  kassenzeichen: string;
  /** As its issuer printed it, for a supplied number; null or absent for one Stadtkasse generated. */
  printed?: string | null;
  rfReference: string | null;
  amountMinor: bigint;
}

export interface Creditor {
  name: string;
  iban: string;
  bic?: string | null;
}

export interface PaymentInstruction {
  totalMinor: bigint;
  reference: string | null;
  remittance: string | null;
  epcPayload: string;
}

export const REMITTANCE_PREFIX = 'Kassenzeichen ';

export function paymentInstruction(items: InstructionItem[], creditor: Creditor): PaymentInstruction {
  if (items.length === 0) throw new ValidationError('itemIds: at least one open item is needed', { field: 'itemIds' });
  const totalMinor = items.reduce((sum, i) => sum + i.amountMinor, 0n);
  if (totalMinor > EPC_LIMITS.maxAmountMinor) {
    throw new ValidationError('amount: the items add up to more than 999999999.99 EUR, the most one SEPA transfer (and GiroCode) carries; ask for them in separate requests', { field: 'amount' });
  }
  const only = items.length === 1 ? items[0]! : undefined;
  const reference = only?.rfReference ?? null;
  let remittance: string | null = null;
  if (!reference) {
    const numbers = items.map((i) => i.printed ?? i.kassenzeichen);
    remittance = REMITTANCE_PREFIX + numbers.join(numbers.some((n) => n.includes(' ')) ? ', ' : ' ');
    const chars = [...remittance].length;
    if (chars > EPC_LIMITS.remittanceChars) {
      throw new ValidationError(
        `itemIds: the Kassenzeichen of ${items.length} items need ${chars} characters of remittance text, a transfer carries ${EPC_LIMITS.remittanceChars}; ask for fewer items per request`,
        { field: 'itemIds' },
      );
    }
  }
  const epcPayload = buildEpcPayload({
    name: creditor.name,
    iban: creditor.iban,
    ...(creditor.bic ? { bic: creditor.bic } : {}),
    amount: money(totalMinor, 'EUR'),
    ...(reference ? { reference } : { remittance: remittance! }),
  });
  return { totalMinor, reference, remittance, epcPayload };
}
