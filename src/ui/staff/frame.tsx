/** @jsxImportSource hono/jsx */
/**
 * The frame of every staff page: the shared layout (one stylesheet under the CSP nonce, skip link,
 * one <main>), a header with the navigation, who is signed in, the language switch and sign-out,
 * and the one message a form post left for this page.
 *
 * Keyboard first: the small script below is the same on every page and only acts on what a page
 * marks (data-row-link, data-suggestion, data-search, data-back, #split-first). Without script
 * every page works with links and buttons alone. Colours meet WCAG AA on white (#05603a 7.5:1,
 * #9a1c1c 7.7:1, #7a4b00 6.9:1); every state is also written out in words.
 */
import type { Child } from 'hono/jsx';
import type { Lang } from '../i18n.js';
import { Layout } from '../layout.js';
import type { Flash } from '../../services/users/sessions.js';
import { messages, type StaffMessages } from './i18n.js';

export const STAFF_CSS = `
main{max-width:78rem}
header.site{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center;padding:.5rem 1rem}
header.site .brand{font-weight:700;margin:0}
header.site nav ul{display:flex;flex-wrap:wrap;gap:.25rem;list-style:none;margin:0;padding:0}
header.site nav a{display:inline-block;padding:.35rem .6rem;border-radius:.3rem;text-decoration:none;color:#1a1a1a}
header.site nav a:hover{background:#e4e7ec}
header.site nav a[aria-current="page"]{background:#1a1a1a;color:#fff}
header.site .who{margin-left:auto;display:flex;gap:.75rem;align-items:center;flex-wrap:wrap}
header.site .who form{margin:0}
header.site .who p{margin:0}
.linkish{background:none;color:#0b57d0;text-decoration:underline;padding:0;min-height:0}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible,[tabindex]:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px;box-shadow:0 0 0 2px #fff}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid #d0d5dd}
thead th{border-bottom:2px solid #1a1a1a;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
tbody tr:focus-within{background:#eef3fd;box-shadow:inset 4px 0 0 #0b57d0}
.tag{display:inline-block;border:1px solid currentColor;border-radius:.25rem;padding:0 .35rem;font-size:.9rem;white-space:nowrap}
.tag.ok{color:#05603a}.tag.bad{color:#9a1c1c;font-weight:600}.tag.warn{color:#7a4b00}.tag.info{color:#1a1a1a}
.cd-in{color:#05603a}.cd-out{color:#9a1c1c}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:1rem;margin:1rem 0}
.card{border:1px solid #d0d5dd;border-radius:.4rem;padding:.75rem 1rem}
.card h2{font-size:1rem;margin:0 0 .35rem;color:#4a4a4a}
.card .big{font-size:1.6rem;font-weight:700;margin:0}
.card p{margin:.2rem 0}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin:.5rem 0 1rem;padding:.75rem;background:#f3f4f6;border-radius:.4rem}
form.filters label,.field label{display:block;font-size:.9rem;color:#1a1a1a;font-weight:600}
input,select,textarea{font:inherit;border:1px solid #4a4a4a;border-radius:.25rem;padding:.3rem .45rem;min-height:2.25rem;background:#fff;color:#1a1a1a}
textarea{width:100%;min-height:3.5rem}
.field{margin:.5rem 0}
.field input[type=text],.field input[type=password]{width:100%;max-width:24rem}
.field select{max-width:100%}
button.secondary{background:#fff;color:#0b57d0;border:2px solid #0b57d0}
button.danger{background:#9a1c1c}
.dl{display:grid;grid-template-columns:minmax(9rem,max-content) 1fr;gap:.25rem 1rem;margin:.5rem 0}
.dl dt{color:#4a4a4a}.dl dd{margin:0}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace}
mark{background:#ffe58f;color:#1a1a1a;border-bottom:2px solid #7a4b00;padding:0 .1rem}
.remittance{font-family:ui-monospace,Menlo,Consolas,monospace;background:#f9fafb;border:1px solid #d0d5dd;padding:.5rem;border-radius:.3rem;white-space:pre-wrap}
.suggestion{border:2px solid #d0d5dd;border-radius:.4rem;padding:.75rem 1rem;margin:.75rem 0}
.suggestion:focus-within{border-color:#0b57d0;background:#f5f8ff}
.suggestion h3{margin:0 0 .5rem}
.suggestion>h2:first-child,.suggestion>h3:first-child,.actions section>h2:first-child{margin-top:0}
ul.plain{list-style:none;padding:0;margin:0}
.actions{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));gap:1rem}
.actions section{border:1px solid #d0d5dd;border-radius:.4rem;padding:.75rem 1rem}
.actions h2{font-size:1.1rem}
.split-row{display:flex;gap:.75rem;flex-wrap:wrap;align-items:flex-end;margin:0 0 .5rem;padding:0;border:0}
.split-row label{display:block;font-size:.9rem;font-weight:600}
.split-row input{width:13rem}
kbd{font-family:ui-monospace,Menlo,Consolas,monospace;border:1px solid #4a4a4a;border-bottom-width:2px;border-radius:.2rem;padding:0 .3rem;background:#fff;font-size:.9rem}
details.keys{margin:1rem 0;border:1px solid #d0d5dd;border-radius:.4rem;padding:.5rem 1rem}
details.keys summary{cursor:pointer;font-weight:600}
.pager{margin:1rem 0}
.chart{max-width:100%;height:auto;border:1px solid #d0d5dd;border-radius:.4rem;background:#fff}
.legend{display:flex;gap:1rem;flex-wrap:wrap;font-size:.9rem;margin:.25rem 0}
.legend span::before{content:"";display:inline-block;width:.9rem;height:.9rem;margin-right:.3rem;vertical-align:-.1rem;border:1px solid #1a1a1a}
.legend .l-credits::before{background:#9db8e8}.legend .l-waiting::before{background:#1f3a68}.legend .l-rate::before{background:#7a4b00;height:.2rem;vertical-align:.2rem;border:0}
.drop{border:3px dashed #4a4a4a;border-radius:.5rem;padding:1.25rem;text-align:center;background:#f9fafb}
.drop.over{border-color:#0b57d0;background:#eef3fd}
progress{width:100%;height:1.25rem}
.table-wrap{max-width:100%;overflow-x:auto;position:relative}
input[type=file]{max-width:100%}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

export const STAFF_SCRIPT = `
(function () {
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
  }
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    var k = e.key;
    if (k === '/') {
      var s = document.querySelector('[data-search]');
      if (s) { e.preventDefault(); s.focus(); }
      return;
    }
    if (k === 'j' || k === 'k') {
      var rows = Array.prototype.slice.call(document.querySelectorAll('[data-row-link]'));
      if (!rows.length) return;
      var i = rows.indexOf(document.activeElement);
      i = i < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, i + (k === 'j' ? 1 : -1)));
      rows[i].focus();
      e.preventDefault();
      return;
    }
    if (/^[1-9]$/.test(k)) {
      var b = document.querySelector('[data-suggestion="' + k + '"]');
      if (b) { b.focus(); e.preventDefault(); }
      return;
    }
    if (k === 'm') {
      var f = document.getElementById('split-first');
      if (f) { f.focus(); e.preventDefault(); }
      return;
    }
    if (k === 'a') {
      var row = document.activeElement && document.activeElement.closest ? document.activeElement.closest('tr') : null;
      var box = row ? row.querySelector('input[name="pick"]') : null;
      if (box) { box.checked = !box.checked; e.preventDefault(); }
      return;
    }
    if (k === 'u') {
      var back = document.querySelector('[data-back]');
      if (back) { e.preventDefault(); window.location.assign(back.getAttribute('href')); }
      return;
    }
    var target = document.querySelector('[data-key="' + k.replace(/[^a-z]/g, '') + '"]');
    if (target && /^[a-z]$/.test(k)) {
      e.preventDefault();
      if (target.tagName === 'A') window.location.assign(target.getAttribute('href'));
      else { target.scrollIntoView({ block: 'center' }); target.focus(); }
    }
  });
  var first = document.querySelector('[data-autofocus]');
  if (first) first.focus();
})();
`;

export interface StaffPageContext {
  lang: Lang;
  nonce: string;
  /** The current path with query, for the language switch. */
  path: string;
  /** The signed-in person, with the navigation entries their role may open. */
  user?: { displayName: string; role: string; nav: string[] };
  csrf?: string;
  flash?: Flash | null;
  cityName: string;
}

export { messages };

type NavKey = keyof StaffMessages['nav'];
const NAV: Array<[NavKey, string]> = [
  ['dashboard', '/'],
  ['review', '/review'],
  ['approvals', '/approvals'],
  ['statements', '/statements'],
  ['items', '/items'],
  ['online', '/online-payments'],
  ['import', '/import'],
  ['closings', '/closings'],
  ['sepa', '/sepa'],
  ['mandates', '/mandates'],
];

function current(path: string, href: string): boolean {
  const p = path.split('?')[0]!;
  return href === '/' ? p === '/' : p === href || p.startsWith(href + '/');
}

function langHref(path: string, to: Lang): string {
  return `/lang/${to}?next=${encodeURIComponent(path)}`;
}

export function StaffPage(props: StaffPageContext & { title: string; css?: string; script?: string; children?: Child }) {
  const t = messages(props.lang);
  const header = (
    <>
      <p class="brand">{/stadtkasse/i.test(props.cityName) ? props.cityName : `${t.siteName} · ${props.cityName}`}</p>
      {props.user && (
        <nav aria-label={t.navLabel}>
          <ul>
            {NAV.filter(([key]) => props.user!.nav.includes(key)).map(([key, href]) => (
              <li>
                <a href={href} {...(current(props.path, href) ? { 'aria-current': 'page' } : {})}>
                  {t.nav[key]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <div class="who">
        {props.user && <p>{t.signedInAs(props.user.displayName, t.roles[props.user.role] ?? props.user.role)}</p>}
        <a href={langHref(props.path, t.switchLangCode)} lang={t.switchLangCode} hreflang={t.switchLangCode} aria-label={t.switchLangLabel}>
          {t.switchLang}
        </a>
        {props.user && props.csrf && (
          <form method="post" action="/logout">
            <input type="hidden" name="_csrf" value={props.csrf} />
            <button type="submit" class="secondary">
              {t.logout}
            </button>
          </form>
        )}
      </div>
    </>
  );
  return (
    <Layout
      lang={props.lang}
      title={`${props.title} – ${t.siteName}`}
      nonce={props.nonce}
      siteName={t.siteName}
      skipLabel={t.skip}
      css={STAFF_CSS + (props.css ?? '')}
      script={STAFF_SCRIPT + (props.script ?? '')}
      header={header}
    >
      {props.flash && (
        <p class={`notice ${props.flash.kind === 'ok' ? 'ok' : 'warn'}`} role={props.flash.kind === 'error' ? 'alert' : 'status'}>
          {props.flash.text}
        </p>
      )}
      {props.children}
    </Layout>
  );
}

/** Credit or debit, in words and with a sign, never by colour alone. */
export function CreditDebit(props: { lang: Lang; cd: string }) {
  const t = messages(props.lang);
  return props.cd === 'DBIT' ? <span class="tag cd-out">− {t.debit}</span> : <span class="tag cd-in">+ {t.credit}</span>;
}

const GOOD = new Set(['auto', 'manual', 'paid', 'ok', 'approved']);
const BAD = new Set(['broken', 'return_open', 'rejected', 'failed', 'unmatched', 'overpaid', 'stale']);

/** A state as a word in a bordered tag; the colour only repeats what the word says. */
export function StateTag(props: { word: string; state: string }) {
  const cls = GOOD.has(props.state) ? 'ok' : BAD.has(props.state) ? 'bad' : ['review', 'parked', 'awaiting_approval', 'partly_paid', 'pending', 'refund'].includes(props.state) ? 'warn' : 'info';
  return <span class={`tag ${cls}`}>{props.word}</span>;
}

export function HiddenCsrf(props: { csrf?: string }) {
  return <input type="hidden" name="_csrf" value={props.csrf ?? ''} />;
}

export function KeyboardHelp(props: { lang: Lang }) {
  const t = messages(props.lang);
  return (
    <details class="keys">
      <summary>{t.keysHeading}</summary>
      <dl class="dl">
        {t.keysList.map(([k, what]) => (
          <>
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{what}</dd>
          </>
        ))}
      </dl>
    </details>
  );
}

/** A plain page with a heading and a message (errors, refusals). */
export function MessagePage(props: StaffPageContext & { title: string; text: string; backHref?: string }) {
  const t = messages(props.lang);
  return (
    <StaffPage {...props} title={props.title}>
      <h1>{props.title}</h1>
      <p>{props.text}</p>
      <p>
        <a href={props.backHref ?? '/'}>{t.back}</a>
      </p>
    </StaffPage>
  );
}
