/** The back-test for a person: one line per day, the totals, why findings were rejected, the caps hit. */
import { plainText } from '../../lambdas/core/escape';
import type { BacktestReport, Counts } from './report';

const COLUMNS: readonly [string, keyof Counts | 'findings'][] = [
  ['findings', 'findings'],
  ['stopped', 'stopped'],
  ['isolated', 'isolated'],
  ['quarantined', 'quarantined'],
  ['notified', 'notified'],
  ['capped', 'capped'],
  ['rejected', 'rejected'],
  ['reconstructed', 'reconstructed'],
];

function row(label: string, values: readonly number[]): string {
  return `${label.padEnd(12)}${values.map((v, i) => String(v).padStart((COLUMNS[i]?.[0].length ?? 8) + 2)).join('')}`;
}

export function formatBacktest(report: BacktestReport): string {
  const header = `${'day'.padEnd(12)}${COLUMNS.map(([name]) => name.padStart(name.length + 2)).join('')}`;
  const values = (c: Counts & { findings?: number }, findings: number) =>
    COLUMNS.map(([, key]) => (key === 'findings' ? findings : c[key]));
  const lines = [
    `Back-test ${report.window.from} → ${report.window.to}, mode ${report.mode}: ${report.findings} finding(s), ${report.incidents.length} incident(s)`,
    '',
    header,
    ...report.byDay.map((d) => row(d.day, values(d, d.findings))),
    row('total', values(report.totals, report.findings)),
  ];
  if (report.totals.failed > 0)
    lines.push('', `${report.totals.failed} execution(s) failed: see --json or --html`);
  if (report.rejectedReasons.length > 0) {
    lines.push('', 'Rejected');
    for (const r of report.rejectedReasons.slice(0, 10))
      lines.push(`  ${String(r.count).padStart(5)}  ${plainText(r.reason, 160)}`);
  }
  if (report.caps.length > 0) {
    lines.push('', 'Caps hit');
    for (const c of report.caps.slice(0, 10))
      lines.push(`  ${c.at}  ${plainText(c.resource, 80)}  ${plainText(c.notice, 120)}`);
    const more = report.caps.length - 10 + report.capsNotListed;
    if (more > 0) lines.push(`  … and ${more} more`);
  }
  lines.push(
    '',
    `reconstructed: decisions resting on data that is not as it was then (${report.totals.reconstructed} finding(s)); always:`,
    ...report.caveats.map((c) => `  - ${c}`),
  );
  return lines.join('\n');
}
