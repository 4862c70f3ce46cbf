/** @jsxImportSource hono/jsx */
/**
 * Reading files in: bank statements (camt XML or ZIP) and the finance system's open-item CSV.
 * A plain form post works without script; with script the statement upload shows its progress and
 * the result replaces the result section in place. Files can be dropped onto the drop zone.
 */
import type { ImportAndMatchResult } from '../../services/statements/importAndMatch.js';
import { DataTable, num } from './components.js';
import { HiddenCsrf, StaffPage, StateTag, type StaffPageContext } from './frame.js';
import { messages, money } from './i18n.js';

export interface ImportProblem {
  file: string;
  message: string;
  /** Where in the file: "line 12, column 5", "Document/…/Ntry[3]", "row 4: amount". */
  details: string[];
  /** A refused list: what each row was refused for, worded in the page's language. */
  rows?: Array<{ row: number | null; field: string | null; reason: string }>;
}

export interface CsvOutcome {
  file: string;
  created?: number;
  problem?: ImportProblem;
}

const UPLOAD_SCRIPT = `
(function () {
  var form = document.getElementById('camt-form');
  var input = document.getElementById('camt-file');
  var drop = document.getElementById('drop');
  var bar = document.getElementById('upload-progress');
  var status = document.getElementById('upload-status');
  if (!form || !input || !window.XMLHttpRequest) return;
  ['dragenter', 'dragover'].forEach(function (n) {
    drop.addEventListener(n, function (e) { e.preventDefault(); drop.classList.add('over'); });
  });
  ['dragleave', 'drop'].forEach(function (n) {
    drop.addEventListener(n, function () { drop.classList.remove('over'); });
  });
  drop.addEventListener('drop', function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; status.textContent = input.files[0].name; }
  });
  form.addEventListener('submit', function (e) {
    var file = input.files && input.files[0];
    if (!file) return;
    e.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/import?fileName=' + encodeURIComponent(file.name));
    xhr.setRequestHeader('X-CSRF-Token', form.querySelector('input[name=_csrf]').value);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    bar.hidden = false; bar.value = 0;
    xhr.upload.onprogress = function (ev) {
      if (!ev.lengthComputable) return;
      var pct = Math.floor(ev.loaded * 100 / ev.total);
      bar.value = pct;
      status.textContent = form.getAttribute('data-progress') + ': ' + pct + ' %';
    };
    xhr.upload.onload = function () { status.textContent = form.getAttribute('data-working'); };
    xhr.onload = function () {
      // Only the result section of the answer is taken (parsing the whole page would read its
      // <style> under this page's CSP nonce); the section holds no nested section.
      var text = xhr.responseText;
      var start = text.indexOf('<section id="import-result"');
      var end = start < 0 ? -1 : text.indexOf('</section>', start);
      var old = document.getElementById('import-result');
      if (end > 0 && old) {
        var tpl = document.createElement('template');
        tpl.innerHTML = text.slice(start, end + '</section>'.length);
        var fresh = tpl.content.firstElementChild;
        old.replaceWith(fresh);
        fresh.focus();
      } else if (old) {
        old.textContent = form.getAttribute('data-failed');
      }
      bar.hidden = true; status.textContent = '';
      form.reset();
    };
    xhr.onerror = function () { status.textContent = form.getAttribute('data-failed'); bar.hidden = true; };
    xhr.send(file);
  });
})();
`;

export function ImportPage(props: StaffPageContext & { result?: ImportAndMatchResult; problem?: ImportProblem; csv?: CsvOutcome; canImportItems: boolean }) {
  const { lang } = props;
  const t = messages(lang);
  return (
    <StaffPage {...props} title={t.importTitle} script={UPLOAD_SCRIPT}>
      <h1>{t.importTitle}</h1>
      <section aria-labelledby="camt-h">
        <h2 id="camt-h">{t.importCamtHeading}</h2>
        <form id="camt-form" method="post" action="/import" enctype="multipart/form-data" data-progress={t.importProgress} data-working={t.importWorking} data-failed={t.importUploadFailed}>
          <HiddenCsrf csrf={props.csrf} />
          <div id="drop" class="drop">
            <label for="camt-file">{t.importDrop}</label>
            <br />
            <input type="file" id="camt-file" name="file" accept=".xml,.zip,application/xml,text/xml,application/zip" required />
          </div>
          <p>
            <button type="submit">{t.importButton}</button>
          </p>
          <progress id="upload-progress" max="100" value="0" hidden aria-label={t.importProgress}></progress>
          <p id="upload-status" role="status" aria-live="polite"></p>
        </form>
      </section>
      <section id="import-result" tabindex={-1} aria-labelledby="result-h">
        {(props.result || props.problem) && <h2 id="result-h">{t.importResult}</h2>}
        {props.problem && <Problem lang={lang} problem={props.problem} failed={t.importFailed(props.problem.file)} />}
        {props.result && <CamtResult lang={lang} r={props.result} />}
      </section>
      {props.canImportItems && (
        <section aria-labelledby="csv-h">
          <h2 id="csv-h">{t.importCsvHeading}</h2>
          <p class="muted">{t.importCsvHelp}</p>
          <form method="post" action="/import/items" enctype="multipart/form-data">
            <HiddenCsrf csrf={props.csrf} />
            <div class="field">
              <label for="csv-file">{t.importFile}</label>
              <input type="file" id="csv-file" name="file" accept=".csv,text/csv" required />
            </div>
            <button type="submit">{t.importCsvButton}</button>
          </form>
          <div id="csv-result">
            {props.csv?.created !== undefined && (
              <p class="notice ok" role="status">
                {t.importCsvOk(props.csv.created, props.csv.file)}
              </p>
            )}
            {props.csv?.problem && <Problem lang={lang} problem={props.csv.problem} failed={t.importCsvFailed(props.csv.file)} />}
          </div>
        </section>
      )}
    </StaffPage>
  );
}

function Problem(props: { lang: StaffPageContext['lang']; problem: ImportProblem; failed: string }) {
  const t = messages(props.lang);
  return (
    <div class="notice warn" role="alert">
      <p>
        <strong>{props.failed}</strong>
      </p>
      <p>{props.problem.message}</p>
      {props.problem.rows && props.problem.rows.length > 0 && (
        <DataTable columns={[num(t.importRowCol), t.importFieldCol, t.importReasonCol]}>
          {props.problem.rows.map((r) => (
            <tr>
              <td class="num">{r.row ?? '–'}</td>
              <td class="mono">{r.field ?? '–'}</td>
              <td>{r.reason}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {props.problem.details.length > 0 && (
        <ul>
          {props.problem.details.map((d) => (
            <li>{d}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function CamtResult(props: { lang: StaffPageContext['lang']; r: ImportAndMatchResult }) {
  const { lang, r } = props;
  const t = messages(lang);
  const file = r.fileName ?? 'upload';
  return (
    <div>
      <p class="notice ok" role="status">
        {r.replayed ? t.importReplayed(file) : t.importOk(file)}
      </p>
      <p>{t.importEntries(r.entries.read, r.entries.new, r.entries.duplicates, r.entries.notBooked)}</p>
      <DataTable columns={[t.stmtId, t.stmtKind, num(t.stmtEntries), t.stmtBalanceCheck, t.stmtGaps]}>
        {r.statements.map((s) => (
          <tr>
            <th scope="row">
              <a href={`/statements/${s.alreadyImported?.statementId ?? s.id}`}>{s.bankStatementId}</a>
            </th>
            <td>{t.stmtKinds[s.kind] ?? s.kind}</td>
            <td class="num">{s.entries}</td>
            <td>
              <StateTag state={s.balanceCheck.status === 'ok' ? 'ok' : s.balanceCheck.status === 'broken' ? 'broken' : 'info'} word={t.balance[s.balanceCheck.status] ?? s.balanceCheck.status} />
              {s.balanceCheck.status === 'broken' && ` ${t.stmtDifference(money(lang, s.balanceCheck.difference))}`}
            </td>
            <td>{s.sequenceGaps.length === 0 ? t.none : s.sequenceGaps.map((g) => t.stmtGapText(g.from, g.to)).join('; ')}</td>
          </tr>
        ))}
      </DataTable>
      {r.matching && (
        <>
          <h3>{t.importMatching}</h3>
          <ul>
            {Object.entries(r.matching)
              .filter(([, n]) => typeof n === 'number' && n > 0)
              .map(([k, n]) => (
                <li>
                  {t.importMatchWords[k] ?? k}: {String(n)}
                </li>
              ))}
          </ul>
          <p>
            <a href="/review">{t.nav.review}</a>
          </p>
        </>
      )}
      {r.warnings.length > 0 && (
        <>
          <h3>{t.importWarnings}</h3>
          <ul>
            {r.warnings.map((w) => (
              <li>{w}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
