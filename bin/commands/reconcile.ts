/**
 * `shield-right reconcile`: run the reconciliation sweep now, as its schedule does: start the response to
 * findings whose EventBridge event was missed, and notify image incidents that look resolved.
 */
import { parseArgs } from 'node:util';
import { inspectorSeveritiesAtOrAbove } from '../../definitions/config';
import { type ReconcileReport, type SourceReport, reconcile as sweep } from '../../lambdas/actions/reconcile';
import { plainText } from '../../lambdas/core/escape';
import { releaseCommand } from '../../lambdas/core/render';
import { loadConfig, UsageError } from '../cli-support';
import {
  type Io,
  OPERATOR_HELP,
  OPERATOR_OPTIONS,
  type OperatorContext,
  type OperatorDeps,
  processIo,
  withOperator,
} from './operator-context';

export const help = `Usage: shield-right reconcile [options]

Runs one reconciliation sweep, as the schedule (reconcile.everyMinutes) does:
  - ACTIVE Inspector findings on ECR images at or above inspector.minimumSeverity, and GuardDuty ECS
    Runtime Monitoring findings updated since the last sweep, that have no incident yet, get the response
    their EventBridge event would have started (executions named reconcile-…, listed by \`executions\`);
  - quarantined image incidents whose services now run a scanned digest without the incident's
    vulnerabilities are notified once as resolved, with the release command. Nothing is released.
A sweep reads at most reconcile.pageBudget pages per listing and says when it stopped short.

Options:
  --config FILE          the configuration the stack was deployed with (required for a deployed stack);
                         a sandbox uses the configuration it was saved with
  --json                 print one JSON document
${OPERATOR_HELP}

Examples:
  shield-right reconcile --sandbox ./sandbox
  shield-right reconcile --config deployed-config.json --json`;

function sourceLine(name: string, r: SourceReport): string[] {
  const { handled, alreadyStarted, settling, otherAccount } = r.skipped;
  return [
    `${name}: ${r.listed} listed, ${r.started.length} started, ${handled} already handled, ${alreadyStarted} started by an earlier sweep, ${settling} too recent${otherAccount ? `, ${otherAccount} of other accounts left alone` : ''}${r.truncated ? '; TRUNCATED: the page budget ran out, the next sweep goes on' : ''}`,
    ...r.started.map((s) => `  started ${s.executionName} for ${plainText(s.finding, 200)}`),
  ];
}

function format(r: ReconcileReport): string {
  const res = r.resolutions;
  return [
    `Swept at ${r.sweptAt} (GuardDuty findings updated since ${r.since}); next sweep from ${r.watermark}`,
    ...sourceLine('Inspector', r.inspector),
    ...sourceLine('GuardDuty', r.guardduty),
    `Quarantined image incidents: ${res.checked} checked, ${res.notified.length} newly resolved${res.truncated ? '; TRUNCATED: the page budget ran out' : ''}`,
    ...res.notified.map(
      (n) =>
        `  ${n.incidentId} looks resolved${n.published ? '' : ' (notification NOT published)'}: release with ${releaseCommand(n.incidentId)}`,
    ),
    ...res.pending.map((p) => `  ${p.incidentId} not resolved: ${plainText(p.reason, 300)}`),
  ].join('\n');
}

/** The deployed stack: the sweep runs here with the operator's credentials and the given configuration. */
async function sweepDeployed(ctx: OperatorContext, configFile: string | undefined): Promise<ReconcileReport> {
  const config = loadConfig(configFile);
  ctx.progress.update('sweeping Inspector and GuardDuty findings…');
  return sweep({
    ...ctx.clients,
    table: ctx.deployment.table,
    topicArn: ctx.deployment.topicArn,
    region: ctx.deployment.region,
    stateMachineArns: ctx.deployment.stateMachines,
    settings: {
      inspectorSeverities: inspectorSeveritiesAtOrAbove(config.inspector.minimumSeverity),
      minimumSeverity: config.minimumSeverity,
      everyMinutes: config.reconcile.everyMinutes,
      pageBudget: config.reconcile.pageBudget,
    },
    now: ctx.now(),
  });
}

export async function reconcile(
  argv: string[],
  io: Io = processIo,
  deps: OperatorDeps = {},
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...OPERATOR_OPTIONS,
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  // The severity floors live in the deployed rules and configuration, not in the workflows: a sweep run with
  // another configuration (a laptop's defaults) would start responses the deployment never would.
  if (!values.sandbox && !values.config) {
    throw new UsageError(
      'against a deployed stack, reconcile needs --config FILE: the configuration the stack was deployed with',
    );
  }
  return withOperator(values, io, deps, true, async (ctx) => {
    // Offline: the deployed handler itself, run by the engine at the sandbox's clock.
    const report = ctx.sandbox
      ? // The handler's own return value (lambdas/reconcile/handler.ts returns the sweep's report).
        ((await ctx.sandbox.simulator.reconcile()).report as ReconcileReport)
      : await sweepDeployed(ctx, values.config);
    ctx.out(values.json ? JSON.stringify(report, null, 2) : format(report));
    return 0;
  });
}
