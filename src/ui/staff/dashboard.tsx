/** @jsxImportSource hono/jsx */
/**
 * The overview: today's imports, balance checks, automatic rate, queue size and age, suspense,
 * approvals waiting, and a chart of the last 30 booking days (inline SVG, with the same figures
 * in a table for screen readers and for anyone who prefers numbers).
 */
import type { OpenPeriod } from '../../services/closings/closings.js';
import { OpenClosingsCard } from './closings/pages.js';
import type { Dashboard } from '../../services/workplace/dashboard.js';
import { formatAmount, type Lang } from '../i18n.js';
import { day, instant, messages, percentOf } from './i18n.js';
import { DataTable, num } from './components.js';
import { StaffPage, StateTag, type StaffPageContext } from './frame.js';

export function DashboardPage(props: StaffPageContext & { data: Dashboard; canApprove: boolean; openClosings?: OpenPeriod[] }) {
  const { lang, data: d } = props;
  const t = messages(lang);
  const month = d.days.reduce((s, x) => ({ auto: s.auto + x.auto, credits: s.credits + x.credits }), { auto: 0, credits: 0 });
  return (
    <StaffPage {...props} title={t.dashTitle}>
      <h1>{t.dashTitle}</h1>
      <div class="cards">
        <section class="card" aria-labelledby="c-queue">
          <h2 id="c-queue">{t.dashQueue}</h2>
          <p class="big">
            <a href="/review">{t.dashQueueSize(d.queue.size)}</a>
          </p>
          {d.queue.oldestDay && <p>{t.dashQueueOldest(day(lang, d.queue.oldestDay), d.queue.oldestAgeDays ?? 0)}</p>}
        </section>
        <section class="card" aria-labelledby="c-auto">
          <h2 id="c-auto">{t.dashAutoRate}</h2>
          <p class="big">{percentOf(lang, d.autoToday.auto, d.autoToday.credits)}</p>
          <p>{t.dashAutoOf(d.autoToday.auto, d.autoToday.credits)}</p>
          <p class="muted">{t.dashAuto30(percentOf(lang, month.auto, month.credits), month.auto, month.credits)}</p>
        </section>
        <section class="card" aria-labelledby="c-suspense">
          <h2 id="c-suspense">{t.dashSuspense}</h2>
          <p class="big">{formatAmount(lang, d.suspenseMinor, 'EUR')}</p>
        </section>
        {props.openClosings && <OpenClosingsCard lang={lang} open={props.openClosings} />}
        <section class="card" aria-labelledby="c-approvals">
          <h2 id="c-approvals">{t.dashApprovals}</h2>
          <p class="big">{props.canApprove ? <a href="/approvals">{t.dashApprovalsWaiting(d.approvalsPending)}</a> : t.dashApprovalsWaiting(d.approvalsPending)}</p>
        </section>
        <section class="card" aria-labelledby="c-balance">
          <h2 id="c-balance">{t.dashBalance}</h2>
          <p>
            <StateTag state="ok" word={t.dashBalanceOk(d.balance.ok)} /> <StateTag state={d.balance.broken > 0 ? 'broken' : 'info'} word={t.dashBalanceBroken(d.balance.broken)} />{' '}
            <StateTag state="info" word={t.dashBalanceNotChecked(d.balance.notChecked)} />
          </p>
          {d.balance.brokenStatements.length > 0 && (
            <ul>
              {d.balance.brokenStatements.map((b) => (
                <li>
                  <a href={`/statements/${b.id}`}>{b.bankStatementId}</a>: {t.stmtDifference(formatAmount(lang, b.difference, b.currency))}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="card" aria-labelledby="c-imports">
          <h2 id="c-imports">{t.dashImportsToday}</h2>
          <p class="big">{t.dashFiles(d.imports.length)}</p>
          {d.imports.length === 0 && <p>{t.dashNoImports}</p>}
        </section>
      </div>
      {d.imports.length > 0 && (
        <DataTable caption={t.dashImportsToday} columns={[t.importFile, t.stmtImportedAt, num(t.stmtTitle), num(t.stmtEntries)]}>
          {d.imports.slice(0, 10).map((i) => (
            <tr>
              <th scope="row">{i.fileName ?? i.id}</th>
              <td>{instant(lang, i.at)}</td>
              <td class="num">{i.statements}</td>
              <td class="num">{i.entries}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <section aria-labelledby="chart-h">
        <h2 id="chart-h">{t.dashChart}</h2>
        <p class="muted" id="chart-desc">
          {t.dashChartDesc}
        </p>
        <Chart lang={lang} days={d.days} />
        <p class="legend" aria-hidden="true">
          <span class="l-credits">{t.dashChartCredits}</span>
          <span class="l-waiting">{t.dashChartWaiting}</span>
          <span class="l-rate">{t.dashChartRate}</span>
        </p>
        <details>
          <summary>{t.dashChartTable}</summary>
          <DataTable columns={[t.dashDay, num(t.dashChartCredits), num(t.dashChartRate), num(t.dashChartWaiting)]}>
            {d.days.map((x) => (
              <tr>
                <th scope="row">{day(lang, x.day)}</th>
                <td class="num">{x.credits}</td>
                <td class="num">{percentOf(lang, x.auto, x.credits)}</td>
                <td class="num">{x.waiting}</td>
              </tr>
            ))}
          </DataTable>
        </details>
      </section>
    </StaffPage>
  );
}

/** Bars of credits per day (dark part: still waiting), a line of the automatic share (0–100 %). */
function Chart(props: { lang: Lang; days: Dashboard['days'] }) {
  const t = messages(props.lang);
  const W = 720;
  const H = 220;
  const left = 40;
  const right = 40;
  const top = 12;
  const bottom = 28;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const max = Math.max(1, ...props.days.map((d) => d.credits));
  const step = plotW / props.days.length;
  const barW = Math.max(2, step - 4);
  const y = (n: number) => top + plotH - Math.round((n * plotH) / max);
  const yRate = (d: Dashboard['days'][number]) => (d.credits === 0 ? null : top + plotH - Math.round((d.auto * plotH) / d.credits));
  const points = props.days.map((d, i) => ({ x: Math.round(left + i * step + step / 2), y: yRate(d) }));
  const path = points
    .filter((p) => p.y !== null)
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`)
    .join(' ');
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-labelledby="chart-title" aria-describedby="chart-desc">
      <title id="chart-title">{t.dashChart}</title>
      <line x1={left} y1={top + plotH} x2={W - right} y2={top + plotH} stroke="#1a1a1a" stroke-width="1" />
      <text x={left - 6} y={top + 10} text-anchor="end" font-size="11" fill="#4a4a4a">
        {max}
      </text>
      <text x={left - 6} y={top + plotH} text-anchor="end" font-size="11" fill="#4a4a4a">
        0
      </text>
      <text x={W - right + 6} y={top + 10} font-size="11" fill="#7a4b00">
        100%
      </text>
      {props.days.map((d, i) => {
        const x = Math.round(left + i * step + (step - barW) / 2);
        return (
          <g>
            {d.credits > 0 && <rect x={x} y={y(d.credits)} width={barW} height={top + plotH - y(d.credits)} fill="#9db8e8" />}
            {d.waiting > 0 && <rect x={x} y={y(d.waiting)} width={barW} height={top + plotH - y(d.waiting)} fill="#1f3a68" />}
            {i % 5 === 4 && (
              <text x={x + barW / 2} y={H - 8} text-anchor="middle" font-size="11" fill="#4a4a4a">
                {d.day.slice(8, 10)}.{d.day.slice(5, 7)}.
              </text>
            )}
          </g>
        );
      })}
      {path && <path d={path} fill="none" stroke="#7a4b00" stroke-width="2.5" />}
      {points.map((p) => (p.y === null ? null : <circle cx={p.x} cy={p.y} r="4" fill="#7a4b00" stroke="#fff" stroke-width="1.5" />))}
    </svg>
  );
}
