/**
 * Every limit has a name. Exceeding one is a LimitExceededError naming it, never a crash or a
 * silent cut. Values are deliberately generous for real bank files and tight for hostile ones.
 */
export const LIMITS = {
  /** One uploaded statement file (XML or ZIP). Daily statements of large cities reach tens of MB. */
  statementFileBytes: 1024 * 1024 * 1024,
  /** Uncompressed bytes of all members of one ZIP container (zip bombs). */
  zipUncompressedBytes: 2 * 1024 * 1024 * 1024,
  /** Members in one ZIP container. */
  zipMembers: 1000,
  /** Element nesting depth in a camt document; real ones stay below 20. */
  xmlDepth: 64,
  /** Entries (Ntry) in one file. */
  entriesPerFile: 2_000_000,
  /** Transaction details (TxDtls) in one entry (PSP batch bookings). */
  transactionsPerEntry: 100_000,
  /** Characters of one text node or attribute value. */
  textLength: 10_000,
  /**
   * Warnings listed per document and per import; past it they are counted, not listed (a file
   * whose every entry draws a warning must not hold a sentence per entry).
   */
  warningsListed: 1_000,
  /** Bytes of one entry's XML (a single Ntry with its batch details). */
  entryBytes: 32 * 1024 * 1024,
  /** Reference candidates considered per payment. */
  candidatesPerPayment: 50,
  /** Items in one page of a list endpoint. */
  pageSize: 500,
  /** Payments one bulk decision in the workplace takes (confirm by confidence, park many): a day's queue. */
  bulkDecisions: 500,
  /** Rows in one bulk open-item import. */
  bulkItemRows: 100_000,
  /** Bytes of a JSON or CSV request body (bulk import). */
  requestBodyBytes: 50 * 1024 * 1024,
  /** Bytes of any other request body (one item, a change, a form): a few KB in real use. */
  jsonBodyBytes: 1024 * 1024,
  /** Nesting of arrays and objects in a JSON body; bookingData of finance systems stays below 5. */
  jsonDepth: 32,
  /** Refunds gathered into one refund run (one pain.001 file); the rest waits for the next run. */
  refundsPerRun: 10_000,
  /** Direct debits in one collection run (one pain.008 file); the rest goes into a further run of the day. */
  debitsPerRun: 100_000,
} as const;

export type LimitName = keyof typeof LIMITS;
