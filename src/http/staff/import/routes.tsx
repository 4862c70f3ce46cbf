/** @jsxImportSource hono/jsx */
/** Uploading statements and the open-item CSV. */
import type { Hono } from 'hono';
import { DomainError, ForbiddenError, LimitExceededError, ValidationError, UnsupportedFormatError, BalanceMismatchError } from '../../../errors.js';
import { importOpenItemsCsv } from '../../../services/items/createOpenItems.js';
import { asItemProblem, itemProblemText } from '../../../services/items/problems.js';
import { importStatement } from '../../../services/statements/importer.js';
import { messages } from '../../../ui/staff/frame.js';
import { ImportPage, type ImportProblem } from '../../../ui/staff/import.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../../session.js';
import { can, csrfRefusedPage, forbiddenPage, html, pageContext, staffCtx } from '../render.js';

const staff = (scope?: Parameters<typeof requireStaff>[0]) => requireStaff(scope, forbiddenPage);
const post = (scope: Parameters<typeof requireStaff>[0]) => [requireStaff(scope, forbiddenPage), csrfProtect(csrfRefusedPage)] as const;

/** Where in a file a refusal applies, as lines for the page. */
function problemOf(lang: 'de' | 'en', file: string, err: DomainError): ImportProblem {
  const de = lang === 'de';
  const details: string[] = [];
  const located = err instanceof ValidationError || err instanceof UnsupportedFormatError || err instanceof LimitExceededError || err instanceof BalanceMismatchError;
  if (err instanceof ValidationError && err.errors.some((e) => e.row !== undefined)) {
    // A refused list: each row's problem in the page's language, from the problem's data.
    const t = messages(lang);
    const total = typeof err.details['problemCount'] === 'number' ? err.details['problemCount'] : err.errors.length;
    const rows = err.errors.map((e) => {
      const problem = asItemProblem(e.reason);
      return { row: e.row ?? null, field: e.field ?? null, reason: problem ? itemProblemText(problem, lang) : e.message };
    });
    return { file, message: t.importCsvRefused(total, rows.length), details: [], rows };
  }
  if (err instanceof ValidationError && err.errors.length > 0) {
    return { file, message: err.message, details: err.errors.slice(0, 50).map((e) => e.message) };
  }
  if (located) {
    const l = err.location;
    const parts: string[] = [];
    if (l.file && l.file !== file) parts.push(`${de ? 'Datei' : 'file'} ${l.file}`);
    if (l.row !== undefined) parts.push(`${de ? 'Zeile' : 'row'} ${l.row}`);
    else if (l.line !== undefined) parts.push(`${de ? 'Zeile' : 'line'} ${l.line}`);
    if (l.column !== undefined) parts.push(`${de ? 'Spalte' : 'column'} ${l.column}`);
    if (l.path) parts.push(`${de ? 'Element' : 'element'} ${l.path}`);
    if (l.field) parts.push(`${de ? 'Feld' : 'field'} ${l.field}`);
    if (parts.length > 0) details.push(parts.join(', '));
  }
  return { file, message: err.message, details };
}


export function mountImportPages(app: Hono<StaffEnv>): void {
  // ---- import
  app.get('/import', staff('statements:import'), async (c) => {
    return html(c, <ImportPage {...(await pageContext(c))} canImportItems={can(c, 'items:write')} />);
  });

  app.post('/import', ...post('statements:import'), async (c) => {
    const lang = c.get('lang');
    const type = c.req.header('content-type') ?? '';
    let source: AsyncIterable<Uint8Array> | Uint8Array;
    let fileName: string;
    if (type.startsWith('multipart/form-data')) {
      // The form post without script: the browser sent the file inside the form.
      const file = (await c.req.parseBody()).file;
      if (!(file instanceof File) || file.size === 0) {
        return html(c, <ImportPage {...(await pageContext(c))} canImportItems={can(c, 'items:write')} problem={{ file: '–', message: messages(lang).importNoFile, details: [] }} />, 422);
      }
      source = new Uint8Array(await file.arrayBuffer());
      fileName = file.name;
    } else {
      // The upload script sends the file as the body, streamed into the import.
      const body = c.req.raw.body;
      fileName = (c.req.query('fileName') ?? 'upload').slice(0, 255);
      if (!body) return html(c, <ImportPage {...(await pageContext(c))} canImportItems={can(c, 'items:write')} problem={{ file: fileName, message: messages(lang).importNoFile, details: [] }} />, 422);
      source = body as unknown as AsyncIterable<Uint8Array>;
    }
    try {
      const result = await importStatement({ ctx: staffCtx(c), deps: c.get('deps'), input: { source, fileName } });
      return html(c, <ImportPage {...(await pageContext(c))} canImportItems={can(c, 'items:write')} result={result} />, result.replayed ? 200 : 201);
    } catch (err) {
      if (!(err instanceof DomainError) || err instanceof ForbiddenError) throw err;
      c.get('log').info({ code: err.code, file: fileName }, 'statement upload refused');
      return html(c, <ImportPage {...(await pageContext(c))} canImportItems={can(c, 'items:write')} problem={problemOf(lang, fileName, err)} />, err.code === 'conflict' ? 409 : 422);
    }
  });

  app.post('/import/items', ...post('items:write'), async (c) => {
    const lang = c.get('lang');
    const file = (await c.req.parseBody()).file;
    const page = async (csv: Parameters<typeof ImportPage>[0]['csv'], status: 200 | 201 | 422) =>
      html(c, <ImportPage {...(await pageContext(c))} canImportItems csv={csv} />, status);
    if (!(file instanceof File) || file.size === 0) return page({ file: '–', problem: { file: '–', message: messages(lang).importNoFile, details: [] } }, 422);
    if (file.size > 50 * 1024 * 1024) throw new LimitExceededError('requestBodyBytes', 50 * 1024 * 1024, file.size);
    try {
      const created = await importOpenItemsCsv({ ctx: staffCtx(c), input: { text: await file.text(), fileName: file.name } });
      if (created.length > 0) c.get('deps').services.onItemsChanged?.(created.map((i) => (i as { id: string }).id));
      return page({ file: file.name, created: created.length }, 201);
    } catch (err) {
      if (!(err instanceof DomainError) || err instanceof ForbiddenError) throw err;
      return page({ file: file.name, problem: problemOf(lang, file.name, err) }, 422);
    }
  });
}
