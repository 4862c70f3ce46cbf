/**
 * A run's released file as a response, the same for refund and collection runs, in the API and in
 * the workplace: the bytes as kept (streamed), their SHA-256, and whether this fetch is a copy.
 */
import type { Context } from 'hono';
import type { RunFile } from '../../services/sepaRuns/file.js';

/** The name a fetch is saved under: the original's, or marked as the n-th copy. */
export function runFileName(f: Pick<RunFile, 'fileName' | 'copy'>): string {
  return f.copy === 0 ? f.fileName : f.fileName.replace(/\.xml$/, `.copy-${f.copy}.xml`);
}

/** `c`: any app's context (the API's and the workplace's differ in their variables). */
export function runFileResponse(c: Context<any>, f: RunFile): Response {
  return c.body(f.content, 200, { 'content-type': 'application/xml; charset=utf-8', 'content-disposition': `attachment; filename="${runFileName(f)}"`, 'x-content-sha256': f.sha256, 'x-file-copy': String(f.copy) });
}
