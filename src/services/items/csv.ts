/**
 * The finance system's open-item list as CSV (UTF-8, comma, header row, RFC 4180 quoting), with the
 * columns of /work/shared/contracts/reconcile-cli.md. Pure: used by `POST /v1/items/bulk` and by
 * the batch `reconcile` command, so both read a file the same way.
 *
 * csv-parse is imported from its browser ESM build: the Node build turns strings into Buffers,
 * which Workers do not have; the browser build carries its own small Buffer and needs nothing.
 */
import { parse } from 'csv-parse/browser/esm/sync';
import { LimitExceededError, ValidationError, type ErrorLocation } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { checkNewOpenItem, type CheckedOpenItem, type NewOpenItemInput } from './newItem.js';
import type { ItemProblem } from './problems.js';

export const OPEN_ITEMS_CSV_COLUMNS = [
  'kassenzeichen',
  'amount',
  'currency',
  'due_date',
  'debtor_name',
  'debtor_iban',
  'category',
  'description',
  'external_ref',
] as const;
export type OpenItemsCsvColumn = (typeof OPEN_ITEMS_CSV_COLUMNS)[number];

/** Field names of checkNewOpenItem → the CSV column a person looks for in the file. */
const COLUMN_OF_FIELD: Record<string, OpenItemsCsvColumn> = {
  kassenzeichen: 'kassenzeichen',
  amount: 'amount',
  currency: 'currency',
  dueDate: 'due_date',
  'debtor.name': 'debtor_name',
  'debtor.iban': 'debtor_iban',
  category: 'category',
  description: 'description',
  externalRef: 'external_ref',
};

export interface OpenItemCsvRow {
  /** 1-based row as a spreadsheet shows it: the header is row 1. */
  row: number;
  /** The Kassenzeichen as written in the file (trimmed), or null when the cell is empty. */
  kassenzeichen: string | null;
  item: CheckedOpenItem;
}

export type RowError = { message: string; reason?: ItemProblem } & ErrorLocation;

/** Errors listed in one answer; a file with more says how many were left out. */
export const MAX_REPORTED_ROW_ERRORS = 1000;

/**
 * Parses and checks every row. Throws one ValidationError whose `errors` name row, column (1-based
 * position and `field` = column name) and what is wrong, for all rows at once; a CSV syntax error
 * (unclosed quote, ragged row) stops at its line.
 */
export function parseOpenItemsCsv(text: string, opts: { fileName?: string } = {}): OpenItemCsvRow[] {
  const file = opts.fileName;
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: false, trim: false }) as unknown as typeof records;
  } catch (e) {
    const err = e as { message: string; lines?: number; code?: string };
    throw new ValidationError(`${file ? file + ': ' : ''}not readable as CSV: ${err.message}`, {
      ...(file ? { file } : {}),
      ...(err.lines !== undefined ? { line: err.lines } : {}),
    });
  }
  const header = records[0]?.record.map((h) => h.trim().toLowerCase());
  if (!header) throw new ValidationError(`${file ? file + ': ' : ''}the CSV is empty; expected a header row ${OPEN_ITEMS_CSV_COLUMNS.join(',')}`, { ...(file ? { file } : {}), row: 1 });
  const missing = OPEN_ITEMS_CSV_COLUMNS.filter((c) => !header.includes(c));
  const unknown = header.filter((h) => !(OPEN_ITEMS_CSV_COLUMNS as readonly string[]).includes(h));
  const twice = header.filter((h, i) => header.indexOf(h) !== i);
  if (missing.length > 0 || unknown.length > 0 || twice.length > 0) {
    const parts = [
      missing.length ? `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` : '',
      unknown.length ? `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}` : '',
      twice.length ? `column${twice.length > 1 ? 's' : ''} given twice: ${twice.join(', ')}` : '',
    ].filter(Boolean);
    throw new ValidationError(`${file ? file + ': ' : ''}header row: ${parts.join('; ')}; expected ${OPEN_ITEMS_CSV_COLUMNS.join(',')}`, {
      ...(file ? { file } : {}),
      row: 1,
      line: 1,
    });
  }
  const dataRows = records.length - 1;
  if (dataRows > LIMITS.bulkItemRows) {
    throw new LimitExceededError('bulkItemRows', LIMITS.bulkItemRows, dataRows, file ? { file } : {});
  }
  const index = Object.fromEntries(OPEN_ITEMS_CSV_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<OpenItemsCsvColumn, number>;

  const rows: OpenItemCsvRow[] = [];
  const errors: RowError[] = [];
  let errorCount = 0;
  for (let i = 1; i < records.length; i++) {
    const { record, info } = records[i]!;
    const cell = (c: OpenItemsCsvColumn) => (record[index[c]] ?? '').trim();
    const row = i + 1;
    const input: NewOpenItemInput = {
      category: cell('category'),
      amount: cell('amount'),
      currency: cell('currency'),
      dueDate: cell('due_date'),
      description: cell('description'),
      debtor: { name: cell('debtor_name'), iban: cell('debtor_iban') },
      externalRef: cell('external_ref'),
      kassenzeichen: cell('kassenzeichen'),
    };
    const checked = checkNewOpenItem(input);
    if ('problems' in checked) {
      for (const p of checked.problems) {
        errorCount++;
        if (errors.length < MAX_REPORTED_ROW_ERRORS) errors.push(rowError(p.field, p.message, row, info.lines, index, file, p.problem));
      }
      continue;
    }
    rows.push({ row, kassenzeichen: checked.item.suppliedKassenzeichen, item: checked.item });
  }
  if (errorCount > 0) throw rowErrors(errors, errorCount, file);
  return rows;
}

/** One error at a row and column of the file (also used by the import for duplicates and references). */
export function rowError(
  field: string,
  message: string,
  row: number,
  line: number | undefined,
  index: Partial<Record<OpenItemsCsvColumn, number>> | undefined,
  file: string | undefined,
  reason?: ItemProblem,
): RowError {
  const column = COLUMN_OF_FIELD[field] ?? field;
  const position = index?.[column as OpenItemsCsvColumn];
  return {
    message: `row ${row}, ${column}: ${message}`,
    row,
    field: column,
    ...(position !== undefined && position >= 0 ? { column: position + 1 } : {}),
    ...(line !== undefined ? { line } : {}),
    ...(file ? { file } : {}),
    ...(reason ? { reason } : {}),
  };
}

export function rowErrors(errors: RowError[], total: number, file: string | undefined): ValidationError {
  const more = total > errors.length ? ` (the first ${errors.length} are listed)` : '';
  const err = new ValidationError(
    `${file ? file + ': ' : ''}${total} problem${total === 1 ? '' : 's'} in the open items; nothing was imported${more}. First: ${errors[0]?.message ?? ''}`,
    { ...(file ? { file } : {}), ...(errors[0]?.row !== undefined ? { row: errors[0].row } : {}) },
    errors,
  );
  // How many there are in all, beside the listed ones (problem member `problemCount`).
  err.details['problemCount'] = total;
  return err;
}
