/** `shield-right backtest`: what shield-right would have done with an account's findings of a past window. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ResponseMode, ShieldRightConfig } from '../../definitions/config';
import { formatBacktest } from '../../local/backtest/format';
import { readInventory } from '../../local/backtest/inventory';
import { type Progress, type PulledFinding, pullFindings, type Window } from '../../local/backtest/pull';
import { replayFindings } from '../../local/backtest/replay';
import { type BacktestReport, ReportBuilder } from '../../local/backtest/report';
import { awsSource, NoRegionError, type Source, sandboxSource } from '../../local/backtest/source';
import { boundHeapGrowth } from '../../local/heap';
import { renderBacktestHtml } from '../../local/report-html/backtest';
import { loadConfig, shown, UsageError } from '../cli-support';
import { JsonDocumentWriter, streamSink } from '../json-writer';
import { openSavedSandbox } from '../saved-sandbox';
import { parseSince } from './operator-context';

export const help = `Usage: shield-right backtest [--since 30d | --from DATE [--to DATE]] [options]

Reads an account's GuardDuty ECS Runtime Monitoring and Inspector ECR findings of a past window, and
today's inventory (clusters, services, tasks, task security groups, repositories, images), with
Describe/List/Get calls only: its clients refuse any other operation before it is sent. Then replays the
findings in time order, on a virtual clock, through the real rules, workflows and handlers against an
offline sandbox provisioned from that inventory, and reports what would have been stopped, isolated,
quarantined and notified, the caps hit and the findings rejected, per day and in total. Decisions that
rest on data not as it was then (a task gone since, today's tags, a finding's last state) are counted
as reconstructed and labelled in --json and --html.

Options:
  --since DURATION|DATE  start of the window: 30m, 24h, 7d, 2w or an ISO date (default 30d)
  --from DATE --to DATE  the window as ISO dates (--to defaults to now)
  --config FILE          configuration (default: the "shield-right" context of ./cdk.json, else the defaults;
                         with --sandbox, the sandbox's own)
  --mode observe|contain the mode to evaluate (default contain: what containment would have done)
  --region REGION        the region to read (default: the SDK's, from AWS_REGION or the profile)
  --sandbox DIR          read a saved sandbox (simulate --state DIR) instead of AWS: offline
  --json                 print one JSON document (stable contract): {"findings", "byDay", "totals", …}
  --html FILE            also write a self-contained HTML report (chart, incidents, paths, caps)

Progress goes to stderr. Run it with a read-only role: the README gives an IAM policy.

Examples:
  shield-right backtest --since 30d
  shield-right backtest --from 2026-11-01 --to 2026-12-01 --mode contain --html backtest.html
  shield-right backtest --sandbox ./sandbox --from 2026-11-01 --json`;

function parseDate(text: string, name: string): number {
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) throw new UsageError(`${name} takes an ISO date, got ${shown(text)}`);
  return at;
}

/** The stable JSON document of `--json`. */
export function backtestJson(report: BacktestReport): Record<string, unknown> {
  return {
    findings: report.findings,
    window: report.window,
    mode: report.mode,
    byDay: report.byDay,
    totals: report.totals,
    rejected: report.rejectedReasons,
    caps: report.caps,
    capsNotListed: report.capsNotListed,
    incidents: report.incidents,
    caveats: report.caveats,
  };
}

/**
 * Writes `backtestJson(report)` as `JSON.stringify(…, null, 2)` prints it, incident by incident: a month of
 * an account holds tens of thousands of incidents, and their text is never built as one string.
 */
export async function writeBacktestJson(
  report: BacktestReport,
  stream: NodeJS.WritableStream,
): Promise<void> {
  const out = streamSink(stream);
  const json = new JsonDocumentWriter(out.sink);
  const wait = async (ok: boolean) => {
    if (!ok) await out.drained();
  };
  for (const [key, value] of Object.entries(backtestJson(report))) {
    if (key !== 'incidents') {
      await wait(json.member(key, value));
      continue;
    }
    json.beginArray(key);
    for (const incident of report.incidents) await wait(json.item(incident));
    json.endArray();
  }
  await wait(json.end());
}

/** The account most findings belong to (when no cluster tells it). */
function mostFrequentAccount(findings: readonly PulledFinding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) {
    const account = String(f.source === 'aws.guardduty' ? f.detail.accountId : f.detail.awsAccountId);
    counts.set(account, (counts.get(account) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

/** Runs a back-test from `source`; progress through `progress`. */
export async function runBacktest(
  source: Source,
  window: Window,
  config: ShieldRightConfig,
  mode: ResponseMode,
  progress: Progress,
): Promise<BacktestReport> {
  const findings = await source.run(() => pullFindings(source.clients, window, progress));
  const builder = new ReportBuilder(window, mode);
  if (findings.length === 0) return builder.finish();
  const accountId = source.accountId ?? mostFrequentAccount(findings);
  const inventory = await source.run(() =>
    readInventory(source.clients, findings, { accountId, region: source.region }, progress),
  );
  let done = 0;
  for await (const outcome of replayFindings(findings, inventory, {
    config,
    mode,
    accountId,
    region: source.region,
  })) {
    builder.add(outcome);
    done += 1;
    if (done % 100 === 0 || done === findings.length)
      progress(`replayed ${done}/${findings.length} finding(s)`);
  }
  return builder.finish();
}

/** An AWS error (access denied, no credentials, no network) or a refused write: one line, exit code 1. */
function awsFailure(err: unknown): number {
  const aws =
    err instanceof Error &&
    ('$metadata' in err || err.name === 'ReadOnlyViolationError' || err.name === 'CredentialsProviderError');
  if (!aws) throw err;
  console.error(`shield-right: backtest: ${err.name}: ${firstLine(err.message)}`);
  return 1;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}

export async function backtest(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      since: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      config: { type: 'string' },
      mode: { type: 'string' },
      region: { type: 'string' },
      sandbox: { type: 'string' },
      json: { type: 'boolean', default: false },
      html: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length > 0)
    throw new UsageError(`backtest takes no positional argument, got ${shown(positionals[0] ?? '')}`);
  if (values.mode !== undefined && values.mode !== 'observe' && values.mode !== 'contain')
    throw new UsageError(`--mode must be observe or contain, got ${shown(values.mode)}`);
  if (values.since !== undefined && values.from !== undefined)
    throw new UsageError('give --since or --from, not both');
  const now = Date.now();
  const from =
    values.from !== undefined ? parseDate(values.from, '--from') : parseSince(values.since ?? '30d', now);
  const to = values.to !== undefined ? parseDate(values.to, '--to') : now;
  if (!(from < to)) throw new UsageError('the window is empty: its start is not before its end');
  const mode: ResponseMode = values.mode === 'observe' ? 'observe' : 'contain';
  const progress: Progress = (message) => process.stderr.write(`backtest: ${message}\n`);
  // A long replay: garbage bounded in proportion to the live state (local/heap.ts).
  boundHeapGrowth();

  let source: Source;
  let config: ShieldRightConfig;
  if (values.sandbox) {
    const simulator = openSavedSandbox(values.sandbox);
    source = sandboxSource(simulator.account);
    config = values.config ? loadConfig(values.config) : simulator.config;
  } else {
    config = loadConfig(values.config);
    try {
      source = await awsSource(values.region);
    } catch (err) {
      if (err instanceof NoRegionError) throw new UsageError(err.message);
      return awsFailure(err);
    }
  }
  let report: BacktestReport;
  try {
    report = await runBacktest(source, { from, to }, config, mode, progress);
  } catch (err) {
    return awsFailure(err);
  }
  if (values.html) {
    writeFileSync(values.html, renderBacktestHtml(report));
    progress(`report written to ${values.html}`);
  }
  if (values.json) await writeBacktestJson(report, process.stdout);
  else console.log(formatBacktest(report));
  return 0;
}
