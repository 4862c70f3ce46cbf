/**
 * The schema order of the children the reader consumes, for the elements where an order or a
 * repetition changes what is booked: an entry (Ntry), a transaction detail (TxDtls), a balance
 * (Bal) and the amount blocks. A second <Amt> in an entry, DBIT followed by CRDT, or a CdtDbtInd
 * after the booking date are not read with an arbitrary meaning (the first, the last): they are
 * refused with the line, because a bank that sends them has sent something else than it meant.
 *
 * Only children we read are ranked; others (Avlbty, ComssnWvrInd, CardTx, ...) are not checked, so
 * an element a later schema version adds does not make a file unreadable. The ranks are the order
 * of every camt.052/053/054 version from .001.01 to .001.14: versions only add elements, they never
 * reorder the ones below.
 */

export interface Sequence {
  /** A bit per checked child, to see a repetition. */
  readonly bit: ReadonlyMap<string, number>;
  /** Rank of the children whose order is checked (the amount, its sign, its dates, its details). */
  readonly rank: ReadonlyMap<string, number>;
  /** Children that may appear at most once (maxOccurs 1 in every version). */
  readonly once: ReadonlySet<string>;
}

/**
 * `ordered`: children that must stand in this order. `single`: further children checked only for
 * repetition. Descriptive elements (references, parties, remittance text) are not order-checked:
 * peer files put NtryRef after Amt (viafintech/053/valid_example.xml), BkTxCd after AddtlTxInf
 * (viafintech/053/valid_example_with_debit.xml) and RltdPties after RtrInf
 * (camt053py/statement_ac04.xml), and none of that changes what was booked.
 */
function sequence(ordered: string[], single: string[], repeatable: string[] = []): Sequence {
  const all = [...ordered, ...single];
  return {
    bit: new Map(all.map((name, i) => [name, i])),
    rank: new Map(ordered.map((name, i) => [name, i])),
    once: new Set(all.filter((n) => !repeatable.includes(n))),
  };
}

const AMOUNT_AND_EXCHANGE = sequence(['Amt', 'CcyXchg'], []);

/** Sequences by the local name of the parent element. */
export const SEQUENCES: ReadonlyMap<string, Sequence> = new Map([
  [
    'Ntry',
    sequence(
      ['Amt', 'CdtDbtInd', 'RvslInd', 'Sts', 'BookgDt', 'ValDt', 'AmtDtls', 'NtryDtls'],
      ['NtryRef', 'AcctSvcrRef', 'BkTxCd', 'AddtlNtryInf'],
      // NtryDtls repeats in every version.
      ['NtryDtls'],
    ),
  ],
  [
    'TxDtls',
    sequence(['Amt', 'CdtDbtInd', 'AmtDtls'], ['Refs', 'BkTxCd', 'RltdPties', 'RltdAgts', 'Purp', 'RmtInf', 'RltdDts', 'RtrInf', 'AddtlTxInf']),
  ],
  ['Bal', sequence(['Tp', 'Amt', 'CdtDbtInd', 'Dt'], [])],
  ['AmtDtls', sequence(['InstdAmt', 'TxAmt', 'CntrValAmt', 'AnncdPstngAmt'], [])],
  ['InstdAmt', AMOUNT_AND_EXCHANGE],
  ['TxAmt', AMOUNT_AND_EXCHANGE],
  ['CntrValAmt', AMOUNT_AND_EXCHANGE],
  ['AnncdPstngAmt', AMOUNT_AND_EXCHANGE],
]);
