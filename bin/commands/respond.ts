/**
 * `shield-right respond`: start the response to a finding by hand, as if its EventBridge rule had delivered
 * it: a finding the rule missed (deployed later, rule disabled, event dead-lettered) or a saved event.
 */

import { parseArgs } from 'node:util';
import {
  GetFindingsCommand,
  Finding$ as GuardDutyFinding,
  ListDetectorsCommand,
} from '@aws-sdk/client-guardduty';
import { Finding$ as InspectorFinding, ListFindingsCommand } from '@aws-sdk/client-inspector2';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { NormalizedSchema } from '@smithy/core/schema';
import type { ShieldRightConfig } from '../../definitions/config';
import type { WorkflowName } from '../../definitions/functions';
import { enrichRuntimeFinding } from '../../lambdas/actions/enrich';
import { enrichVulnerableImage } from '../../lambdas/actions/enrich-image';
import { loadIncident } from '../../lambdas/actions/incident-store';
import { CrossAccountFindingError, InvalidFindingError } from '../../lambdas/core/errors';
import { FORCE_KEY, normalizeRuntimeFinding, type RuntimeFinding } from '../../lambdas/core/finding';
import { eventForFinding, sdkToWire } from '../../lambdas/core/finding-event';
import { CONTAINED_STATUSES, type IncidentStatus } from '../../lambdas/core/incident';
import { decideRuntimeResponse, type ResponsePlan } from '../../lambdas/core/policy';
import { executionUrl } from '../../lambdas/core/render';
import {
  decideImageResponse,
  type ImagePlan,
  normalizeVulnerabilityFinding,
  type VulnerabilityFinding,
} from '../../lambdas/core/vulnerability';
import { provisionFromEvent } from '../../local/provision';
import { loadConfig, readJsonFile, shown, UsageError } from '../cli-support';
import {
  allPages,
  executionName,
  type Io,
  OPERATOR_HELP,
  OPERATOR_OPTIONS,
  type OperatorContext,
  type OperatorDeps,
  OperatorError,
  processIo,
  withOperator,
} from './operator-context';

export const help = `Usage: shield-right respond (--finding-id ID [--detector-id ID] | --event FILE) [options]

Starts the response workflow for one finding, as its EventBridge rule would have: a GuardDuty finding id
(the detector is looked up when not given), an Inspector finding ARN, or a file holding the EventBridge
event (or the bare finding). The execution is named <finding>-respond-<timestamp>.

Options:
  --dry-run              print the plan (the same decision functions, read-only calls only); start nothing
  --force                contain whatever the policy says: past exemptions, observe mode, severity thresholds
                         and the blast-radius limit, and even when the incident was already handled (GuardDuty
                         findings: the task is stopped, isolated where possible, its image quarantined)
  --config FILE          configuration for --dry-run (default: ./cdk.json's "shield-right" context, else defaults)
  --json                 print one JSON document
${OPERATOR_HELP}

Examples:
  shield-right respond --finding-id 5ec2a7f4d1b9e8c3a6f0d2b4c8e1a9f7
  shield-right respond --finding-id arn:aws:inspector2:us-east-1:111122223333:finding/0f1e2d3c --dry-run
  shield-right respond --event examples/events/01-high-fargate-crypto-miner.json --sandbox ./sandbox`;

const CONTAINED = new Set<string>(CONTAINED_STATUSES);

/** The operator's --force travels in the execution input, beside the event (see lambdas/core/finding.ts). */
export function withForce(
  event: Record<string, unknown>,
  force: boolean | undefined,
): Record<string, unknown> {
  return force ? { ...event, [FORCE_KEY]: { force: true } } : event;
}
const INSPECTOR_ARN = /^arn:[^:]+:inspector2:[^:]+:\d{12}:finding\/[A-Za-z0-9-]+$/;

type Finding = RuntimeFinding | VulnerabilityFinding;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A file holds an EventBridge event or one bare finding (API JSON shape, or the SDK/CLI's PascalCase). */
export function eventFromFile(content: unknown, now: number): Record<string, unknown> {
  if (Array.isArray(content)) throw new UsageError('respond takes one event; the file holds a list');
  if (!isRecord(content)) throw new UsageError('the event file must hold a JSON object');
  if (typeof content['detail-type'] === 'string') return content;
  if (typeof content.findingArn === 'string') return eventForFinding('aws.inspector2', content, now);
  if (typeof content.schemaVersion === 'string' && typeof content.id === 'string')
    return eventForFinding('aws.guardduty', content, now);
  if (typeof content.SchemaVersion === 'string' && typeof content.Id === 'string') {
    const wire = sdkToWire(NormalizedSchema.of(GuardDutyFinding), content);
    return eventForFinding('aws.guardduty', isRecord(wire) ? wire : {}, now);
  }
  throw new UsageError('the file holds neither an EventBridge event nor a GuardDuty or Inspector finding');
}

async function guardDutyEvent(ctx: OperatorContext, findingId: string, detectorId?: string) {
  const gd = ctx.clients.guardduty;
  ctx.progress.update('finding the GuardDuty detector…');
  const detectors = detectorId
    ? [detectorId]
    : await allPages(
        (NextToken) => gd.send(new ListDetectorsCommand({ ...(NextToken ? { NextToken } : {}) })),
        (page) => ({ items: page.DetectorIds ?? [], next: page.NextToken }),
      );
  if (detectors.length === 0) {
    throw new OperatorError(
      `GuardDuty has no detector in ${ctx.deployment.region}: pass --detector-id, or set AWS_REGION to the finding's region`,
    );
  }
  for (const DetectorId of detectors) {
    ctx.progress.update(`reading finding ${findingId} from detector ${DetectorId}…`);
    const out = await gd.send(new GetFindingsCommand({ DetectorId, FindingIds: [findingId] }));
    const finding = out.Findings?.[0];
    if (finding) {
      const wire = sdkToWire(NormalizedSchema.of(GuardDutyFinding), finding);
      return eventForFinding('aws.guardduty', isRecord(wire) ? wire : {}, ctx.now());
    }
  }
  throw new OperatorError(
    `finding ${findingId} was not found in GuardDuty detector(s) ${detectors.join(', ')}`,
  );
}

async function inspectorEvent(ctx: OperatorContext, findingArn: string) {
  ctx.progress.update(`reading Inspector finding ${findingArn}…`);
  const out = await ctx.clients.inspector2.send(
    new ListFindingsCommand({
      filterCriteria: { findingArn: [{ comparison: 'EQUALS', value: findingArn }] },
    }),
  );
  const finding = out.findings?.[0];
  if (!finding) throw new OperatorError(`Inspector finding ${findingArn} was not found`);
  const wire = sdkToWire(NormalizedSchema.of(InspectorFinding), finding);
  return eventForFinding('aws.inspector2', isRecord(wire) ? wire : {}, ctx.now());
}

/** The normalized finding, as the ValidateFinding step would see it; a finding it would reject is refused here. */
export function validateEvent(event: unknown): { finding: Finding; workflow: WorkflowName } {
  const source = isRecord(event) ? event.source : undefined;
  try {
    if (source === 'aws.inspector2')
      return { finding: normalizeVulnerabilityFinding(event), workflow: 'VulnerableImageResponse' };
    return { finding: normalizeRuntimeFinding(event), workflow: 'RuntimeThreatResponse' };
  } catch (err) {
    if (err instanceof InvalidFindingError || err instanceof CrossAccountFindingError) {
      throw new OperatorError(`the workflow would reject this event: ${err.message}`);
    }
    throw err;
  }
}

/** Image incidents the workflow decides again when another finding arrives (WasEarlierFindingActedOn). */
const REDECIDED: readonly string[] = ['NOTIFIED', 'IN_PROGRESS'] satisfies IncidentStatus[];
const FAILED: IncidentStatus = 'FAILED';

/** What the workflow does with a finding whose incident already exists (see the ASL's repeat paths). */
export function repeatNote(finding: Finding, status: string): string | undefined {
  if (finding.kind === 'runtime') {
    return status === FAILED
      ? 'the earlier response failed: the workflow re-opens the incident and responds again'
      : `the incident exists (${status}): the workflow records this as a repeat (notified only if the count grew) and does not act again`;
  }
  if (finding.status === 'CLOSED') return undefined;
  return REDECIDED.includes(status)
    ? `the image's incident exists (${status}): the workflow adds this finding and decides again`
    : `the image's incident exists (${status}): the workflow adds this finding to it and does not act again`;
}

async function plan(ctx: OperatorContext, finding: Finding, config: ShieldRightConfig) {
  ctx.progress.update('describing the resources (read-only)…');
  const now = ctx.now();
  if (finding.kind === 'runtime') {
    const enrichment = await enrichRuntimeFinding(ctx.clients.ecs, finding);
    return decideRuntimeResponse(finding, enrichment, config, now, config.incidentRetentionDays);
  }
  const enrichment = await enrichVulnerableImage({ ecr: ctx.clients.ecr, ecs: ctx.clients.ecs }, finding);
  return decideImageResponse(finding, enrichment, config, now, config.incidentRetentionDays);
}

function actionsOf(p: ResponsePlan | ImagePlan): string[] {
  if ('stop' in p) {
    return [
      ...(p.stop ? ['stop the task'] : []),
      ...(p.isolate ? ['isolate the task'] : []),
      ...(p.quarantine ? [`quarantine the image (${p.quarantineStrategy})`] : []),
      ...(p.tagService ? ['tag the service'] : []),
    ];
  }
  return [
    ...(p.quarantine ? [`quarantine the image (${p.quarantineStrategy})`] : []),
    ...(p.stopRunningTasks ? [`stop ${p.exposedTasks.length} running task(s)`] : []),
  ];
}

export function formatPlan(p: ResponsePlan | ImagePlan): string[] {
  const actions = actionsOf(p);
  return [
    `  disposition: ${p.disposition} (path ${p.path})`,
    `  actions: ${p.path === 'act' && actions.length > 0 ? actions.join(', ') : 'none'}`,
    ...p.reasons.map((r) => `  why: ${r}`),
    ...p.skipped.map((s) => `  skipped ${s.action}: ${s.reason}`),
    ...(p.wouldHaveDone.length > 0 ? [`  would have done: ${p.wouldHaveDone.join(', ')}`] : []),
    ...p.recommendations.map((r) => `  recommended: ${r}`),
  ];
}

function findingSummary(f: Finding): string {
  return f.kind === 'runtime'
    ? `GuardDuty ${f.type}, severity ${f.severity} (${f.severityLabel}), cluster ${f.cluster.name}${f.task ? `, task ${f.task.arn}` : ''}`
    : `Inspector ${f.vulnerabilityId ?? 'finding'} (${f.severity}, ${f.status}) on ${f.image.repository}@${f.image.digest}`;
}

export async function respond(argv: string[], io: Io = processIo, deps: OperatorDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...OPERATOR_OPTIONS,
      'finding-id': { type: 'string' },
      'detector-id': { type: 'string' },
      event: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${shown(positionals[0] ?? '')}`);
  const findingId = values['finding-id'];
  if (!findingId === !values.event) throw new UsageError('give either --finding-id ID or --event FILE');
  if (values['detector-id'] && !findingId) throw new UsageError('--detector-id goes with --finding-id');
  const fileContent = values.event ? readJsonFile(values.event) : undefined;
  const dryRun = values['dry-run'];

  return withOperator(values, io, deps, !dryRun, async (ctx) => {
    const event =
      fileContent !== undefined
        ? eventFromFile(fileContent, ctx.now())
        : findingId && INSPECTOR_ARN.test(findingId)
          ? await inspectorEvent(ctx, findingId)
          : await guardDutyEvent(ctx, findingId ?? '', values['detector-id']);
    const { finding, workflow } = validateEvent(event);
    const stateMachineArn = ctx.deployment.stateMachines[workflow];
    const base = finding.kind === 'runtime' ? finding.findingId : (finding.findingArn.split('/').pop() ?? '');
    const name = executionName(base, 'respond', ctx.now());
    ctx.progress.update(`reading incident ${finding.incidentId}…`);
    const incident = await loadIncident(ctx.clients.dynamodb, ctx.deployment.table, finding.incidentId);
    const note = incident ? repeatNote(finding, incident.status) : undefined;
    const sandbox = ctx.sandbox;
    // Offline, the resources the event names are created as `simulate` would, unless the scenario says not
    // to; a dry run does not save the sandbox, so what it provisions is forgotten.
    if (sandbox && sandbox.simulator.scenario?.autoProvision !== false)
      provisionFromEvent(sandbox.simulator.account, event);

    if (dryRun) {
      const config = sandbox?.simulator.config ?? loadConfig(values.config);
      const decided = await plan(ctx, finding, config);
      if (values.json) {
        ctx.out(
          JSON.stringify(
            {
              dryRun: true,
              stateMachineArn,
              name,
              incident: { id: finding.incidentId, status: incident?.status ?? null, note: note ?? null },
              plan: decided,
              event,
            },
            null,
            2,
          ),
        );
        return 0;
      }
      ctx.out(
        [
          'Dry run: nothing was started or changed.',
          `Finding: ${findingSummary(finding)}`,
          `Incident ${finding.incidentId}: ${incident ? incident.status : 'new'}${note ? ` — ${note}` : ''}`,
          `Would start ${workflow} as ${name}`,
          `Plan for a new incident (mode ${config.mode}${sandbox ? ', sandbox configuration' : ', local configuration: the deployed one decides'}):`,
          ...formatPlan(decided),
        ].join('\n'),
      );
      return 0;
    }

    if (incident && CONTAINED.has(incident.status) && !values.force) {
      throw new OperatorError(
        `incident ${finding.incidentId} is already ${incident.status} (execution ${String(incident.item.executionArn ?? 'unknown')}): nothing started. ` +
          `Release it with \`shield-right release ${finding.incidentId}\`, or pass --force to contain it again.`,
      );
    }
    if (note) ctx.err(`note: ${note}`);
    ctx.progress.update(`starting ${workflow}…`);
    const started = await ctx.clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name,
        input: JSON.stringify(withForce(event, values.force)),
      }),
    );
    const executionArn = started.executionArn ?? '';
    // The sandbox runs the execution to its end; on AWS it has only just started.
    const status = sandbox
      ? (await ctx.clients.sfn.send(new DescribeExecutionCommand({ executionArn }))).status
      : 'RUNNING';
    const link = executionUrl(ctx.deployment.region, executionArn);
    if (values.json) {
      ctx.out(
        JSON.stringify(
          { executionArn, name, stateMachineArn, status, incidentId: finding.incidentId, link },
          null,
          2,
        ),
      );
    } else {
      ctx.out(
        `Started ${workflow} for incident ${finding.incidentId}: ${status}\n  execution ${executionArn}\n  ${link}`,
      );
    }
    return 0;
  });
}
