/**
 * The back-test as one self-contained page: a chart of findings and would-be actions per day, the daily
 * table, the caps hit, why findings were rejected, and each incident with the path it took through the
 * workflows. Every value from a finding or the account is escaped (html()).
 */
import type { BacktestReport, IncidentSummary } from '../backtest/report';
import { chartLibrary, html, page, pathHtml, scriptJson } from './page';

const SERIES = [
  ['stopped', '#cf222e'],
  ['isolated', '#bc4c00'],
  ['quarantined', '#8250df'],
  ['notified', '#0969da'],
  ['capped', '#9a6700'],
  ['rejected', '#57606a'],
] as const;

/** Reads the embedded data and draws the chart; runs after Chart.js is defined. */
const CHART_SCRIPT = `(function(){
var data=JSON.parse(document.getElementById('backtest-data').textContent);
var el=document.getElementById('chart');if(!el||typeof Chart==='undefined')return;
var days=data.byDay.map(function(d){return d.day;});
var sets=data.series.map(function(s){return {type:'bar',label:s[0],backgroundColor:s[1],stack:'actions',
  data:data.byDay.map(function(d){return d[s[0]];})};});
sets.unshift({type:'line',label:'findings',borderColor:'#1b1f24',backgroundColor:'#1b1f24',
  data:data.byDay.map(function(d){return d.findings;}),yAxisID:'y'});
new Chart(el,{data:{labels:days,datasets:sets},options:{animation:false,responsive:true,
  scales:{x:{stacked:true},y:{stacked:true,beginAtZero:true}}}});
})();`;

/** Incidents shown in full on the page; --json has them all. */
const MAX_INCIDENTS = 1000;

const num = (n: number) => `<td class="n">${n}</td>`;

function incidentHtml(i: IncidentSummary): string {
  const actions = [
    i.stopped ? `${i.stopped} stopped` : '',
    i.isolated ? `${i.isolated} isolated` : '',
    i.quarantined ? `${i.quarantined} quarantined` : '',
    i.notified ? `${i.notified} notified` : '',
    i.capped ? `${i.capped} capped` : '',
  ].filter(Boolean);
  return `<details><summary><code>${html(i.id, 80)}</code> · ${html(i.title, 160)} · ${html(i.resource, 120)} · ${html(i.firstAt, 30)}${
    i.lastAt !== i.firstAt ? ` → ${html(i.lastAt, 30)}` : ''
  } · ${i.findings} finding(s) · ${html(actions.join(', ') || 'no action', 120)}${i.labels.length ? ' · <span class="warn">reconstructed</span>' : ''}</summary>
${i.paths.map((p) => `<div><span class="muted">${html(p.stateMachine, 60)}</span>${pathHtml(p.states, p.status)}</div>`).join('\n')}
${i.labels.length ? `<ul class="warn">${i.labels.map((l) => `<li>${html(l, 300)}</li>`).join('')}</ul>` : ''}
${i.evidence.length ? `<div class="muted">evidence (replay sandbox): ${i.evidence.map((k) => `<code>${html(k, 200)}</code>`).join(' ')}</div>` : ''}
</details>`;
}

export function renderBacktestHtml(report: BacktestReport): string {
  const t = report.totals;
  const data = { byDay: report.byDay, series: SERIES };
  const body = `
<h1>shield-right back-test</h1>
<p>${html(report.window.from, 30)} → ${html(report.window.to, 30)} · mode <b>${html(report.mode, 10)}</b> ·
${report.findings} finding(s) · ${report.incidents.length} incident(s) · ${t.reconstructed} decision(s) on reconstructed data</p>
<canvas id="chart" role="img" aria-label="findings and would-be actions per day"></canvas>
<script type="application/json" id="backtest-data">${scriptJson(data)}</script>
<h2>Per day</h2>
<table><tr><th>day</th><th class="n">findings</th><th class="n">GuardDuty</th><th class="n">Inspector</th><th class="n">stopped</th><th class="n">isolated</th><th class="n">quarantined</th><th class="n">notified</th><th class="n">capped</th><th class="n">rejected</th><th class="n">failed</th><th class="n">reconstructed</th></tr>
${report.byDay
  .map(
    (d) =>
      `<tr><td>${html(d.day, 12)}</td>${[d.findings, d.guardduty, d.inspector, d.stopped, d.isolated, d.quarantined, d.notified, d.capped, d.rejected, d.failed, d.reconstructed].map(num).join('')}</tr>`,
  )
  .join('\n')}
<tr><th>total</th>${[report.findings, report.byDay.reduce((s, d) => s + d.guardduty, 0), report.byDay.reduce((s, d) => s + d.inspector, 0), t.stopped, t.isolated, t.quarantined, t.notified, t.capped, t.rejected, t.failed, t.reconstructed].map(num).join('')}</tr></table>
<h2>Caps hit</h2>
${
  report.caps.length === 0
    ? '<p class="muted">none</p>'
    : `<table><tr><th>when</th><th>incident</th><th>resource</th><th>notice</th></tr>${report.caps
        .map(
          (c) =>
            `<tr><td>${html(c.at, 30)}</td><td><code>${html(c.incidentId, 80)}</code></td><td>${html(c.resource, 120)}</td><td>${html(c.notice, 200)}</td></tr>`,
        )
        .join(
          '\n',
        )}</table>${report.capsNotListed ? `<p class="muted">and ${report.capsNotListed} more</p>` : ''}`
}
<h2>Rejected findings</h2>
${
  report.rejectedReasons.length === 0
    ? '<p class="muted">none</p>'
    : `<table><tr><th class="n">findings</th><th>why</th></tr>${report.rejectedReasons
        .map((r) => `<tr>${num(r.count)}<td>${html(r.reason, 300)}</td></tr>`)
        .join('\n')}</table>`
}
<h2>Incidents and the path each took</h2>
${report.incidents.slice(0, MAX_INCIDENTS).map(incidentHtml).join('\n') || '<p class="muted">none</p>'}
${report.incidents.length > MAX_INCIDENTS ? `<p class="muted">and ${report.incidents.length - MAX_INCIDENTS} more incident(s): see --json</p>` : ''}
<h2>What the back-test cannot know</h2>
<ul>${report.caveats.map((c) => `<li>${html(c, 400)}</li>`).join('')}</ul>`;
  return page('shield-right back-test', body, [chartLibrary(), CHART_SCRIPT]);
}
