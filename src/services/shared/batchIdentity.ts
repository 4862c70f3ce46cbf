/**
 * Whether a bank entry names the file (pain.008 or pain.001) a run was sent in: its message id or
 * its payment-information id, in the entry's batch ids (Btch/MsgId, Btch/PmtInfId, the details'
 * Refs/MsgId and Refs/PmtInfId), its references, its additional information or the remittance text.
 *
 * An entry without end-to-end ids is booked as a run's credit (or debit) only on such evidence, or
 * on a stated batch count of several payments: an equal amount alone is no proof. A citizen's own
 * transfer of exactly a one-debit run's amount would otherwise be booked as the collection.
 */

export interface RunFile {
  messageId: string;
  paymentInformationId: string;
}

export interface EntryEvidence {
  /** Entry.batchIds: JSON array, or null. */
  batchIds: string | null;
  entryReference: string | null;
  accountServicerReference: string | null;
  additionalInfo: string | null;
  /** BankTransaction.remittanceLines: JSON array of lines. */
  remittanceLines: string | null;
}

/** The strings of a stored JSON array (Entry.batchIds, BankTransaction.remittanceLines); none when absent or not one. */
function strings(json: string | null): string[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The batch ids an entry states (Entry.batchIds), upper case. */
export function statedBatchIds(batchIds: string | null): string[] {
  return strings(batchIds).map((x) => x.trim().toUpperCase());
}

// An id counts in free text only as a whole word: the message id `STK-D-20261205-1` is the start of
// run 12's `STK-D-20261205-12` and of its own payment-information id `STK-D-20261205-1-1`.
const WORD = 'A-Za-z0-9\\-/';
function inText(id: string, text: string): boolean {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^${WORD}])${escaped}($|[^${WORD}])`, 'i').test(text);
}

export function entryNamesFile(file: RunFile, e: EntryEvidence): boolean {
  const ids = [file.messageId, file.paymentInformationId].map((x) => x.trim()).filter((x) => x !== '');
  if (ids.length === 0) return false;
  const exact = [...statedBatchIds(e.batchIds), e.entryReference, e.accountServicerReference].map((x) => x?.trim().toUpperCase() ?? '');
  if (ids.some((id) => exact.includes(id.toUpperCase()))) return true;
  const texts = [e.additionalInfo ?? '', strings(e.remittanceLines).join(' ')];
  return ids.some((id) => texts.some((t) => inText(id, t)));
}

/**
 * The entry says it is the run's: it names the run's file, or it states a batch of several payments
 * and names no other file. (The caller checks that the amount and a stated count are the run's.)
 */
export function entrySaysRun(file: RunFile, e: EntryEvidence & { batchCount: number | null }): boolean {
  if (entryNamesFile(file, e)) return true;
  return statedBatchIds(e.batchIds).length === 0 && e.batchCount !== null && e.batchCount > 1;
}
