/**
 * Prisma's query compiler is a WebAssembly module of 3.3 MB. Compiled, it is about 16 MB of
 * resident memory, and every thread that opens a database used to compile its own: the server's
 * import thread held a second copy of what the API thread had compiled already. A compiled
 * WebAssembly.Module can be handed to another thread, which then runs the same machine code.
 *
 * The generated clients' loader (patched by bin/prisma-generate.mjs) looks here first and keeps
 * what it compiled here, by the runtime file it came from (one per database backend). The server
 * passes its map to the import thread, which adopts it before it opens the database.
 */
export type QueryCompilers = Map<string, WebAssembly.Module>;

/** One per thread: a module's state is its thread's (every worker loads its modules anew). */
const compiled: QueryCompilers = new Map();

/** This thread's compiled query compilers (the same map the generated loaders read and fill). */
export function queryCompilers(): QueryCompilers {
  return compiled;
}

/** Takes over the query compilers another thread compiled (structured-cloned, code shared). */
export function adoptQueryCompilers(given: QueryCompilers | undefined): void {
  if (!given) return;
  const own = queryCompilers();
  for (const [file, module] of given) if (!own.has(file)) own.set(file, module);
}
