/**
 * The replay: each finding, oldest first, as the event its rule would have delivered, through the real
 * rules, workflows and handlers (local/engine.ts) against a sandbox provisioned from today's inventory,
 * on a virtual clock set to the finding's time, so caps, de-duplication and exemptions apply as they
 * would have. Each finding's outcome is read from the AWS calls it caused; nothing else is kept.
 */
import { INSPECTOR_SEVERITIES, type ResponseMode, type ShieldRightConfig } from '../../definitions/config';
import { eventForFinding } from '../../lambdas/core/finding-event';
import { type EventResult, Simulator } from '../engine';
import { releaseKeptObjects } from '../heap';
import type { ApiCall } from '../sandbox/account';
import { type Inventory, reconstructionLabels } from './inventory';
import type { PulledFinding } from './pull';
import { isReadOperation } from './read-only';
import { VirtualClock } from './virtual-clock';

export interface ExecutionPath {
  readonly stateMachine: string;
  readonly status: string;
  readonly states: readonly string[];
}

/** What one finding would have caused. */
export interface FindingOutcome {
  readonly source: PulledFinding['source'];
  readonly id: string;
  readonly at: number;
  readonly incidentId?: string;
  readonly title: string;
  readonly resource: string;
  /** Tasks StopTask was called on (and answered). */
  readonly stopped: string[];
  readonly isolated: number;
  readonly quarantined: number;
  readonly notified: number;
  /** The cap-reached notification's subject when a cap refused the action. */
  readonly capped?: string;
  /** Why no workflow acted on it: no rule matched, or ValidateFinding refused it. */
  readonly rejected?: string;
  readonly failed: number;
  readonly paths: ExecutionPath[];
  readonly evidence: string[];
  /** What is reconstructed rather than as it was then. */
  readonly labels: string[];
}

export interface ReplayOptions {
  readonly config: ShieldRightConfig;
  readonly mode?: ResponseMode;
  readonly accountId: string;
  readonly region: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Why a finding matched no rule, from what the rules check (definitions/patterns.ts). */
export function noMatchReason(finding: PulledFinding, config: ShieldRightConfig, accountId: string): string {
  const d = finding.detail;
  if (finding.source === 'aws.guardduty') {
    const service = isRecord(d.service) ? d.service : {};
    if (d.accountId !== accountId) return 'another account';
    if (service.featureName !== 'RuntimeMonitoring') return 'not a Runtime Monitoring finding';
    if (typeof d.severity === 'number' && d.severity < config.minimumSeverity)
      return `severity below minimumSeverity ${config.minimumSeverity}`;
    return 'matched no rule';
  }
  const at = INSPECTOR_SEVERITIES.indexOf(config.inspector.minimumSeverity);
  const severity = INSPECTOR_SEVERITIES.indexOf(str(d.severity) as (typeof INSPECTOR_SEVERITIES)[number]);
  if (d.awsAccountId !== accountId) return 'another account';
  if (severity >= 0 && at >= 0 && severity > at)
    return `severity below inspector.minimumSeverity ${config.inspector.minimumSeverity}`;
  return 'matched no rule';
}

function describe(finding: PulledFinding): { title: string; resource: string } {
  const d = finding.detail;
  if (finding.source === 'aws.guardduty') {
    const resource = isRecord(d.resource) ? d.resource : {};
    const cluster = isRecord(resource.ecsClusterDetails) ? resource.ecsClusterDetails : {};
    const task = isRecord(cluster.taskDetails) ? cluster.taskDetails : {};
    const taskId = str(task.arn).split('/').pop();
    return {
      title: `${str(d.type)} (severity ${String(d.severity ?? '?')})`,
      resource: `${str(cluster.name) || '?'}${taskId ? `/${taskId}` : ''}`,
    };
  }
  const resources = Array.isArray(d.resources) ? d.resources : [];
  const first = resources.find(isRecord);
  const image = first && isRecord(first.details) ? first.details.awsEcrContainerImage : undefined;
  const vuln = isRecord(d.packageVulnerabilityDetails) ? d.packageVulnerabilityDetails : {};
  return {
    title: `${str(vuln.vulnerabilityId) || str(d.title)} (${str(d.severity)})`,
    resource: isRecord(image)
      ? `${str(image.repositoryName)}@${str(image.imageHash).slice(0, 19)}`
      : str(first?.id),
  };
}

const succeeded = (c: ApiCall) => c.error === null;
const mutating = (c: ApiCall) => succeeded(c) && !isReadOperation(c.operation);

function outcomeOf(
  finding: PulledFinding,
  results: readonly EventResult[],
  labels: string[],
  rejectedNoMatch: string | undefined,
): FindingOutcome {
  const stopped = new Set<string>();
  let isolated = 0;
  let quarantined = 0;
  let notified = 0;
  let failed = 0;
  let capped: string | undefined;
  let rejected = rejectedNoMatch;
  let incidentId: string | undefined;
  const paths: ExecutionPath[] = [];
  const evidence: string[] = [];
  for (const result of results) {
    const calls = result.apiCalls;
    for (const c of calls) {
      if (c.service === 'ecs' && c.operation === 'StopTask' && succeeded(c))
        stopped.add(str((c.input as { task?: unknown }).task));
      if (c.service === 'sns' && c.operation === 'Publish' && succeeded(c)) {
        notified += 1;
        if (c.state === 'NotifyCapReached')
          capped = str((c.input as { Subject?: unknown }).Subject) || 'cap reached';
      }
      if (c.service === 's3' && c.operation === 'PutObject' && succeeded(c)) {
        const key = str((c.input as { Key?: unknown }).Key);
        if (key && evidence.length < 20) evidence.push(key);
      }
    }
    for (const e of result.executions) {
      paths.push({ stateMachine: e.stateMachine, status: e.status, states: e.states });
      const own = calls.filter((c) => c.state !== undefined && e.states.includes(c.state));
      if (own.some((c) => c.service === 'ec2' && c.state === 'IsolateTask' && mutating(c))) isolated += 1;
      if (own.some((c) => c.service === 'ecr' && /^Quarantine/.test(c.state ?? '') && mutating(c)))
        quarantined += 1;
      if (e.states.includes('NotifyCapReached')) capped ??= 'cap reached';
      if (e.states.includes('FindingRejected'))
        rejected = `refused by ValidateFinding: ${e.cause ?? e.error ?? 'invalid finding'}`;
      else if (e.status !== 'SUCCEEDED') failed += 1;
      const found =
        isRecord(e.output) && isRecord(e.output.finding) ? e.output.finding.incidentId : undefined;
      if (typeof found === 'string') incidentId ??= found;
    }
  }
  return {
    source: finding.source,
    id: finding.id,
    at: finding.at,
    ...(incidentId ? { incidentId } : {}),
    ...describe(finding),
    stopped: [...stopped].filter(Boolean),
    isolated,
    quarantined,
    notified,
    ...(capped ? { capped } : {}),
    ...(rejected ? { rejected } : {}),
    failed,
    paths,
    evidence,
    labels,
  };
}

/** Replays `findings` (oldest first) one by one; yields each outcome as it is known. */
export async function* replayFindings(
  findings: readonly PulledFinding[],
  inventory: Inventory,
  options: ReplayOptions,
): AsyncGenerator<FindingOutcome> {
  const clock = new VirtualClock(findings[0]?.at ?? Date.now());
  const simulator = await clock.run(
    async () =>
      new Simulator({
        config: options.config,
        ...(options.mode ? { mode: options.mode } : {}),
        scenario: inventory.scenario,
        accountId: options.accountId,
        region: options.region,
        clock: () => clock.now(),
        // The bulk path (bench/README.md "The fast path"): same outcomes, proven by the outcome digest, and
        // bounded retention of what nothing on the event path reads back (messages, old evidence bodies).
        engine: 'fast',
      }),
  );
  const { guardduty, inspector2 } = simulator.account;
  for (const finding of findings) {
    clock.advanceTo(finding.at);
    const now = clock.now();
    // The finding exists in the replay account as it would have when its event was delivered.
    if (finding.source === 'aws.guardduty') {
      const service = isRecord(finding.detail.service) ? finding.detail.service : {};
      const detector = str(service.detectorId) || 'backtest';
      guardduty.putDetector(detector);
      guardduty.putFinding(detector, finding.detail);
    } else {
      inspector2.putFinding(finding.detail);
    }
    const event = {
      ...eventForFinding(finding.source, finding.detail, now),
      time: new Date(now).toISOString(),
    };
    const results = await clock.run(async () => {
      const first = await simulator.processEvent(event, finding.id);
      return [first, ...(await simulator.processEmittedEvents())];
    });
    // Only the outcome is kept: the executions' histories (kept by the sandbox's Step Functions for the
    // operator commands) are dropped, so memory does not grow with the number of executions.
    simulator.states.restore([]);
    // Back to the event loop between findings, so what WeakRefs kept alive is released (local/heap.ts).
    await releaseKeptObjects();
    const first = results[0];
    const labels = [...finding.labels, ...reconstructionLabels(finding, inventory)];
    const noMatch =
      !first || first.matchedRules.length === 0
        ? `matched no rule: ${noMatchReason(finding, options.config, options.accountId)}`
        : undefined;
    yield outcomeOf(finding, results, labels, noMatch);
  }
}
