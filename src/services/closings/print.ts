/**
 * The Tagesabschlussbuch page of one closing, in German, as HTML for the browser's print dialog
 * and as PDF (pdf-lib, which runs on Node and Workers alike; its standard Helvetica covers the
 * German letters and the euro sign through WinAnsi encoding).
 */
import type { PDFFont, PDFPage } from 'pdf-lib';
import type { ClosingView } from './closings.js';
import { ACCOUNT_TYPE_LABELS_DE, BLOCKER_LABELS_DE, SUSPENSE_LABELS_DE, lineLabelDe, type AccountFigures } from './model.js';

const STATUS_DE: Record<ClosingView['status'], string> = { determined: 'festgestellt, Gegenzeichnung offen', signed: 'unterzeichnet', withdrawn: 'zurückgezogen' };
const AGE_DE: Array<[keyof ClosingView['content']['suspense'][number]['ageing'], string]> = [
  ['upTo30', 'bis 30 Tage'],
  ['upTo90', '31–90 Tage'],
  ['upTo365', '91–365 Tage'],
  ['older', 'älter'],
];

/** "1234.50" → "1.234,50" as a German reader expects it on paper. */
export function amountDe(v: string | null): string {
  if (v === null) return '–';
  const neg = v.startsWith('-');
  const [whole, frac] = (neg ? v.slice(1) : v).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${neg ? '−' : ''}${grouped},${frac ?? '00'}`;
}

function dayDe(d: string): string {
  const [y, m, dd] = d.split('-');
  return `${dd}.${m}.${y}`;
}

export function periodDe(c: Pick<ClosingView, 'periodFrom' | 'periodTo'>): string {
  return c.periodFrom === c.periodTo ? dayDe(c.periodFrom) : `${dayDe(c.periodFrom)} bis ${dayDe(c.periodTo)}`;
}

function title(c: ClosingView): string {
  const kind = c.kind === 'follow_up' ? 'Nachtragsabschluss' : c.content.mode === 'week' ? 'Wochenabschluss' : 'Tagesabschluss';
  return `${kind}${c.number ? ` Nr. ${c.number}` : ''} – ${periodDe(c)}`;
}

function accountRows(a: AccountFigures): Array<[string, string | null]> {
  return [
    ['Anfangsbestand', a.opening],
    ...a.receipts.map((l): [string, string] => [`+ ${lineLabelDe(l.kind)} (${l.count})`, l.amount]),
    ...a.payments.map((l): [string, string] => [`− ${lineLabelDe(l.kind)} (${l.count})`, l.amount]),
    ['Sollbestand laut Büchern', a.ledgerClosing],
    ...a.explanations.map((e): [string, string] => [`Geklärt → ${SUSPENSE_LABELS_DE[e.suspenseType]}: ${e.reason}`, e.amount]),
    ['Istbestand laut Kontoauszug', a.bankClosing],
    ['Schwebende Beträge', a.inTransit],
    ['Differenz', a.difference],
  ];
}

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

export function closingPrintHtml(c: ClosingView): string {
  const accounts = c.content.accounts
    .map(
      (a) => `<section class="account"><h2>${esc(ACCOUNT_TYPE_LABELS_DE[a.type])}: ${esc(a.label)}</h2>
<p class="meta">${esc(a.key)}${a.bankSource ? ` · ${esc(a.bankSource.kind)} ${esc(a.bankSource.bankStatementId)}${a.bankSource.sequence ? ` Nr. ${esc(a.bankSource.sequence)}` : ''}` : ''}</p>
<table>${accountRows(a).map(([l, v]) => `<tr><td>${esc(l)}</td><td class="num">${esc(amountDe(v))}</td></tr>`).join('')}${a.changes ? `<tr><td>Änderung gegenüber Abschluss Nr. ${c.content.follows?.number ?? ''} (Soll / Ist)</td><td class="num">${esc(amountDe(a.changes.ledgerClosing))} / ${esc(amountDe(a.changes.bankClosing))}</td></tr>` : ''}</table></section>`,
    )
    .join('\n');
  const suspense = `<table><tr><th>Verwahrkonto</th><th class="num">Bestand</th><th class="num">Posten</th>${AGE_DE.map(([, l]) => `<th class="num">${l}</th>`).join('')}</tr>${c.content.suspense
    .map((s) => `<tr><td>${esc(SUSPENSE_LABELS_DE[s.type])}</td><td class="num">${amountDe(s.balance)}</td><td class="num">${s.count}</td>${AGE_DE.map(([k]) => `<td class="num">${amountDe(s.ageing[k])}</td>`).join('')}</tr>`)
    .join('')}</table>`;
  const t = c.content.totals;
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>${esc(title(c))}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#111}h1{font-size:1.4em}h2{font-size:1.1em;margin:1.2em 0 .2em}table{border-collapse:collapse;width:100%;max-width:50em}td,th{border-bottom:1px solid #ccc;padding:.2em .4em;text-align:left}.num{text-align:right;font-variant-numeric:tabular-nums}.meta{color:#555;font-size:.85em;margin:0}.sign{display:flex;gap:4em;margin-top:2em}.sign div{border-top:1px solid #111;padding-top:.3em;min-width:18em}.hash{font-family:monospace;font-size:.75em;word-break:break-all}@media print{body{margin:0}}</style></head>
<body><h1>${esc(title(c))}</h1>
<p>${esc(c.content.kasse)} · Status: ${esc(STATUS_DE[c.status])}${c.content.follows ? ` · berichtigt Abschluss Nr. ${c.content.follows.number}` : ''}</p>
<h2>Kassenbestand</h2><table>
<tr><td>Bankbestände (Ist)</td><td class="num">${amountDe(t.bank)}</td></tr>
<tr><td>Schwebende Beträge (Zahlungsdienstleister, Zahlstellen)</td><td class="num">${amountDe(t.inTransit)}</td></tr>
<tr><td><b>Kassen-Ist</b></td><td class="num"><b>${amountDe(t.kassenIst)}</b></td></tr>
<tr><td>Kassen-Soll laut Büchern</td><td class="num">${amountDe(t.ledger)}</td></tr>
<tr><td>davon geklärt über Verwahr- und Vorschusskonten</td><td class="num">${amountDe(t.explained)}</td></tr>
<tr><td><b>Differenz</b></td><td class="num"><b>${amountDe(t.difference)}</b></td></tr></table>
${accounts}
<h2>Verwahrgeld, Vorschüsse und ungeklärte Beträge (Stand ${esc(dayDe(c.periodTo))})</h2>${suspense}
<div class="sign"><div>Festgestellt: ${esc(c.determinedByName)}<br>${esc(new Date(c.determinedAt).toLocaleString('de-DE', { timeZone: 'Europe/Berlin' }))}</div>
<div>Kassenverwalter/in: ${c.signedByName ? `${esc(c.signedByName)}<br>${esc(new Date(c.signedAt!).toLocaleString('de-DE', { timeZone: 'Europe/Berlin' }))}` : '(Gegenzeichnung offen)'}</div></div>
<p class="hash">Inhalts-Prüfsumme (SHA-256): ${esc(c.contentHash)}<br>Abschluss-Prüfsumme: ${esc(c.hash ?? '–')}<br>Vorheriger Abschluss: ${esc(c.prevHash ?? '–')}</p>
</body></html>`;
}

export { BLOCKER_LABELS_DE };

/** The same page as PDF, laid out line by line (A4, Helvetica). */
export async function closingPdf(c: ClosingView): Promise<Uint8Array> {
  // Loaded at the first PDF, not with the server: pdf-lib is 3.4 MB of heap that most days never use.
  const { PDFDocument, StandardFonts, rgb } = await import('pdf-lib');
  const pdf = await PDFDocument.create();
  pdf.setTitle(title(c));
  pdf.setCreator('Stadtkasse');
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const mono = await pdf.embedFont(StandardFonts.Courier);
  let page: PDFPage = pdf.addPage([595.28, 841.89]);
  let y = 800;
  const left = 50;
  const right = 545;
  const need = (h: number) => {
    if (y - h < 50) {
      page = pdf.addPage([595.28, 841.89]);
      y = 800;
    }
  };
  const text = (s: string, opts: { size?: number; f?: PDFFont; x?: number } = {}) => {
    const size = opts.size ?? 9;
    need(size + 4);
    page.drawText(fit(s, opts.f ?? font, size, right - (opts.x ?? left) - 90), { x: opts.x ?? left, y, size, font: opts.f ?? font, color: rgb(0, 0, 0) });
  };
  const row = (label: string, amount: string, f: PDFFont = font) => {
    text(label, { f });
    const value = amount.replaceAll('−', '-');
    const w = f.widthOfTextAtSize(value, 9);
    page.drawText(value, { x: right - w, y, size: 9, font: f });
    y -= 13;
  };
  text(title(c), { size: 15, f: bold });
  y -= 20;
  text(`${c.content.kasse} · Status: ${STATUS_DE[c.status]}${c.content.follows ? ` · berichtigt Abschluss Nr. ${c.content.follows.number}` : ''}`);
  y -= 20;
  text('Kassenbestand', { size: 11, f: bold });
  y -= 15;
  const t = c.content.totals;
  row('Bankbestände (Ist)', amountDe(t.bank));
  row('Schwebende Beträge (Zahlungsdienstleister, Zahlstellen)', amountDe(t.inTransit));
  row('Kassen-Ist', amountDe(t.kassenIst), bold);
  row('Kassen-Soll laut Büchern', amountDe(t.ledger));
  row('davon geklärt über Verwahr- und Vorschusskonten', amountDe(t.explained));
  row('Differenz', amountDe(t.difference), bold);
  for (const a of c.content.accounts) {
    y -= 8;
    need(40);
    text(`${ACCOUNT_TYPE_LABELS_DE[a.type]}: ${a.label}`, { size: 11, f: bold });
    y -= 13;
    text(`${a.key}${a.bankSource ? ` · ${a.bankSource.kind} ${a.bankSource.bankStatementId}${a.bankSource.sequence ? ` Nr. ${a.bankSource.sequence}` : ''}` : ''}`, { size: 8 });
    y -= 12;
    for (const [l, v] of accountRows(a)) row(l, amountDe(v));
  }
  y -= 8;
  text(`Verwahrgeld, Vorschüsse und ungeklärte Beträge (Stand ${dayDe(c.periodTo)})`, { size: 11, f: bold });
  y -= 15;
  for (const s of c.content.suspense) {
    row(`${SUSPENSE_LABELS_DE[s.type]} (${s.count} Posten; ${AGE_DE.map(([k, l]) => `${l}: ${amountDe(s.ageing[k])}`).join(', ')})`, amountDe(s.balance));
  }
  y -= 25;
  need(60);
  text(`Festgestellt: ${c.determinedByName}, ${new Date(c.determinedAt).toLocaleString('de-DE', { timeZone: 'Europe/Berlin' })}`);
  y -= 13;
  text(`Kassenverwalter/in: ${c.signedByName ? `${c.signedByName}, ${new Date(c.signedAt!).toLocaleString('de-DE', { timeZone: 'Europe/Berlin' })}` : '(Gegenzeichnung offen)'}`);
  y -= 20;
  text(`Inhalt: ${c.contentHash}`, { size: 7, f: mono });
  y -= 10;
  text(`Abschluss: ${c.hash ?? '-'}`, { size: 7, f: mono });
  y -= 10;
  text(`Vorheriger: ${c.prevHash || '-'}`, { size: 7, f: mono });
  return pdf.save();
}

/** Cuts a line that would run into the amount column, and replaces what WinAnsi cannot encode. */
function fit(s: string, f: PDFFont, size: number, width: number): string {
  let out = s.replaceAll('−', '-').replaceAll('→', '->').replace(/[^\x20-\x7E\u00A0-\u00FF€–—„“”‘’…]/g, '?');
  if (f.widthOfTextAtSize(out, size) <= width + 90) return out;
  while (out.length > 4 && f.widthOfTextAtSize(`${out}…`, size) > width + 90) out = out.slice(0, -1);
  return `${out}…`;
}
