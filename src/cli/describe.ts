/** One line for a person: where (file, line, element, row) and what is wrong. */
export function describe(err: Error): string {
  const loc = (err as { location?: Record<string, unknown> }).location;
  if (!loc) return err.message;
  const where = [
    loc.file,
    loc.line !== undefined ? `line ${loc.line}${loc.column !== undefined ? `:${loc.column}` : ''}` : undefined,
    loc.path,
    loc.row !== undefined ? `row ${loc.row}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  // Messages that already start with the file name need no second prefix.
  return where && !(loc.file && err.message.includes(String(loc.file))) ? `${where}: ${err.message}` : err.message;
}
