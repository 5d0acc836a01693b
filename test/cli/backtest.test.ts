/**
 * `shield-right backtest --sandbox DIR` offline, on a saved sandbox holding a week of findings (240
 * GuardDuty Runtime Monitoring findings in bursts, 30 Inspector findings): the per-day table, the stable
 * JSON document, the labels of reconstructed decisions, observe mode, and the self-contained HTML report.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { backtest } from '../../bin/commands/backtest';
import { buildBacktestAccount, WINDOW } from '../helpers/backtest-account';

jest.setTimeout(180_000);

const GUARDDUTY = 240;
const INSPECTOR = 30;
const GONE_EVERY = 7;
let dir: string;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((text: unknown) => {
    out.push(`${String(text)}\n`);
  });
  // --json is written to stdout piece by piece (bin/json-writer.ts).
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((text: string | Uint8Array) => {
    out.push(String(text));
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((text: string | Uint8Array) => {
    err.push(String(text));
    return true;
  });
  try {
    const config = join(dir, 'config.json');
    const code = await backtest([
      ...['--sandbox', dir, '--config', config, '--from', WINDOW.from, '--to', WINDOW.to],
      ...args,
    ]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    log.mockRestore();
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

interface Doc {
  findings: number;
  byDay: Record<string, number | string>[];
  totals: Record<string, number>;
  rejected: { reason: string; count: number }[];
  caps: { incidentId: string }[];
  incidents: { id: string; paths: { states: string[] }[]; labels: string[] }[];
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shield-right-backtest-'));
  buildBacktestAccount(dir, { guardduty: GUARDDUTY, inspector: INSPECTOR, goneEvery: GONE_EVERY });
  // The fixture exempts some tasks by their tag: honoured only where the tag key is declared guarded.
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ exemptTaskTagGuarded: true }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backtest --sandbox', () => {
  let doc: Doc;
  let html: string;
  const saved = () => readFileSync(join(dir, 'sandbox.json'), 'utf8');

  it('replays every finding of the window in contain mode: --json is the stable document, --html the report', async () => {
    const before = saved();
    const htmlFile = join(dir, 'report.html');
    const { code, out, err } = await run(['--json', '--html', htmlFile]);
    expect(code).toBe(0);
    doc = JSON.parse(out) as Doc;
    // Written incident by incident, the text is still what one JSON.stringify(…, null, 2) prints.
    expect(out).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    html = readFileSync(htmlFile, 'utf8');
    expect(err).toContain(`replayed ${GUARDDUTY + INSPECTOR}/${GUARDDUTY + INSPECTOR} finding(s)`);
    // Read-only: the account read is as it was.
    expect(saved()).toBe(before);

    expect(doc.findings).toBe(GUARDDUTY + INSPECTOR);
    for (const key of ['stopped', 'isolated', 'quarantined', 'notified', 'capped', 'rejected'])
      expect(typeof doc.totals[key]).toBe('number');
    expect(doc.byDay.map((d) => d.day)).toEqual([...doc.byDay.map((d) => String(d.day))].sort());
    for (const key of ['findings', 'stopped', 'isolated', 'quarantined', 'notified', 'capped', 'rejected']) {
      const sum = doc.byDay.reduce((s, d) => s + Number(d[key]), 0);
      expect(key === 'findings' ? doc.findings : doc.totals[key]).toBe(sum);
    }
    // Bursts of 20 findings an hour on one cluster, 2 in 3 of them High: the High band's cluster budget (10
    // actions an hour) is hit in the bursts, and resets on the virtual clock, so every day acts again.
    expect(doc.totals.stopped).toBeGreaterThan(0);
    expect(doc.totals.capped).toBeGreaterThan(0);
    const actingDays = doc.byDay.filter((d) => Number(d.stopped) > 0).length;
    expect(actingDays).toBeGreaterThan(3);
    expect(doc.caps.length).toBe(doc.totals.capped);
    // Half the Inspector findings are MEDIUM, below the default minimum (HIGH): rejected, and why.
    expect(doc.totals.rejected).toBe(INSPECTOR / 2);
    expect(doc.rejected).toEqual([
      { reason: 'matched no rule: severity below inspector.minimumSeverity HIGH', count: INSPECTOR / 2 },
    ]);
    // Reconstructed: tasks gone from the inventory, and findings read in a later state than first delivered.
    let expected = 0;
    for (let i = 0; i < GUARDDUTY; i += 1) if (i % GONE_EVERY === 0 || i % 10 === 0) expected += 1;
    expect(doc.totals.reconstructed).toBe(expected);
    const labels = doc.incidents.flatMap((i) => i.labels);
    expect(labels.some((l) => /no longer describable: reconstructed from the finding/.test(l))).toBe(true);
    expect(labels.some((l) => /last state \(count 4/.test(l))).toBe(true);
    // Each incident keeps the path it took through the workflow.
    expect(doc.incidents.every((i) => i.paths.length > 0 && (i.paths[0]?.states[0] ?? '') !== '')).toBe(true);
    expect(doc.incidents.some((i) => i.paths.some((p) => p.states.includes('StopTask')))).toBe(true);
    expect(doc.incidents.some((i) => i.paths.some((p) => p.states.includes('NotifyCapReached')))).toBe(true);
    // Today's tags decide exemptions: finding 39 (High) is on a task tagged exempt in the inventory (the
    // configuration declares that tag guarded), so it
    // is notified without claiming a containment; finding 0 (High, task gone) is contained.
    const byId = (n: number) => doc.incidents.find((i) => i.id === n.toString(16).padStart(32, '0'));
    const exempt = byId(39)?.paths.flatMap((p) => p.states) ?? [];
    expect(exempt).toContain('NotifyResponse');
    expect(exempt).not.toContain('ClaimContainment');
    expect(byId(0)?.paths.flatMap((p) => p.states)).toContain('StopTask');
  });

  it('writes a report that needs no network: nothing loaded from anywhere, its script and data inline', () => {
    // No element loads anything: no src or href attributes, no stylesheet links, no imports.
    expect(html).not.toMatch(
      /<(?:script|img|iframe|link|object|embed|source|video|audio)\b[^>]*\s(?:src|href|data)\s*=/i,
    );
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
    // Chart.js inlined from its UMD build, and the chart drawn from the embedded data.
    expect(html).toMatch(/<script>\/\*!\n \* Chart\.js v4/);
    expect(html).toContain('new Chart(');
    const data = /<script type="application\/json" id="backtest-data">([^<]*)<\/script>/.exec(html)?.[1];
    expect(data).toBeDefined();
    const embedded = JSON.parse(data ?? '{}') as { byDay: { day: string; stopped: number }[] };
    expect(embedded.byDay.map((d) => d.day)).toEqual(doc.byDay.map((d) => d.day));
    expect(embedded.byDay.reduce((s, d) => s + d.stopped, 0)).toBe(doc.totals.stopped);
    // The incidents with their paths, and the caps.
    expect(html).toContain('Incidents and the path each took');
    expect(html).toContain('<span class="state act">StopTask</span>');
    expect(html).toContain(doc.caps[0]?.incidentId ?? 'no cap');
  });

  it('the inlined library defines Chart, and the page draws findings and each action per day from its data', () => {
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
    expect(scripts).toHaveLength(2);
    const data =
      /<script type="application\/json" id="backtest-data">([^<]*)<\/script>/.exec(html)?.[1] ?? '';
    // A context with no window, network or DOM: the library only defines itself.
    const context: Record<string, unknown> = {};
    context.globalThis = context;
    createContext(context);
    runInContext(scripts[0] ?? '', context);
    expect(typeof context.Chart).toBe('function');
    let drawn: { data: { labels: string[]; datasets: { label: string; data: number[] }[] } } | undefined;
    context.Chart = function Chart(_el: unknown, config: typeof drawn) {
      drawn = config;
    };
    context.document = {
      getElementById: (id: string) => (id === 'backtest-data' ? { textContent: data } : { id }),
    };
    runInContext(scripts[1] ?? '', context);
    expect(drawn?.data.labels).toEqual(doc.byDay.map((d) => d.day));
    const series = Object.fromEntries((drawn?.data.datasets ?? []).map((d) => [d.label, d.data]));
    for (const key of ['findings', 'stopped', 'isolated', 'quarantined', 'notified', 'capped', 'rejected'])
      expect(series[key]).toEqual(doc.byDay.map((d) => d[key]));
  });

  it('prints the per-day table by default', async () => {
    const { code, out } = await run([]);
    expect(code).toBe(0);
    expect(out).toMatch(
      /^day +findings +stopped +isolated +quarantined +notified +capped +rejected +reconstructed$/m,
    );
    expect(out).toMatch(/^2026-11-01 +\d+/m);
    expect(out).toMatch(
      new RegExp(`^total +${doc.findings} +${doc.totals.stopped} +${doc.totals.isolated} `, 'm'),
    );
    expect(out).toContain('Caps hit');
    expect(out).toContain('severity below inspector.minimumSeverity HIGH');
  });

  it('in observe mode, would stop, isolate and quarantine nothing, and still notify', async () => {
    const { out } = await run(['--mode', 'observe', '--json']);
    const observed = JSON.parse(out) as Doc;
    expect(observed.findings).toBe(doc.findings);
    expect(observed.totals).toMatchObject({ stopped: 0, isolated: 0, quarantined: 0 });
    expect(observed.totals.notified).toBeGreaterThan(0);
  });
});
