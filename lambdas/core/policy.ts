/**
 * The response policy: from a normalized finding, what enrichment found and the configuration, the plan
 * of what to do. Pure: no AWS calls, no clock beyond the `now` passed in.
 */
import {
  type BlastRadiusConfig,
  budgetOf,
  type ImageQuarantineStrategy,
  type ResponseMode,
} from '../../definitions/config';
import type { RuntimeFinding } from './finding';
import {
  accountCapKey,
  CRITICAL_SEVERITY,
  capNoticeKey,
  capWindow,
  clusterCapKey,
  incidentTtl,
  runtimeBand,
  type SeverityBand,
  taskClaimKey,
} from './incident';

export interface PolicySettings {
  readonly mode: ResponseMode;
  readonly stopSeverity: number;
  readonly isolateSeverity: number;
  readonly exemptTagKey: string;
  readonly protectedClusters: readonly string[];
  readonly imageQuarantine: ImageQuarantineStrategy;
  readonly blastRadius: BlastRadiusConfig & { readonly minHealthyTasks: number };
}

export interface EnrichedContainer {
  readonly name: string;
  readonly image: string;
  readonly digest?: string;
}

/** What the Enrich step learned about the task, its service and its cluster. */
export interface TaskEnrichment {
  readonly found: boolean;
  readonly lastStatus?: string;
  readonly desiredStatus?: string;
  readonly stoppedReason?: string;
  readonly launchType?: string;
  readonly networkMode: 'awsvpc' | 'bridge' | 'host' | 'none' | 'unknown';
  readonly eniId?: string;
  readonly subnetId?: string;
  readonly privateIp?: string;
  readonly containerInstanceArn?: string;
  readonly taskDefinitionArn?: string;
  readonly containers: EnrichedContainer[];
  readonly taskTags: Record<string, string>;
  readonly service?: {
    readonly name: string;
    readonly arn?: string;
    readonly runningCount: number;
    readonly desiredCount: number;
    readonly tags: Record<string, string>;
  };
  readonly clusterTags: Record<string, string>;
}

export type Disposition =
  | 'contain'
  | 'isolate'
  | 'notify'
  | 'exempt'
  | 'sample'
  | 'observe'
  | 'no-task'
  | 'task-stopped';

export type ActionName = 'isolate' | 'stop' | 'quarantine' | 'tagService';

export interface QuarantineTarget {
  readonly containerName: string;
  readonly registryId: string;
  readonly region: string;
  readonly repository: string;
  readonly digest?: string;
  readonly tag?: string;
}

export interface Skipped {
  readonly action: ActionName;
  readonly reason: string;
}

export interface ResponsePlan {
  readonly incidentId: string;
  readonly disposition: Disposition;
  /** Drives the workflow: `act` claims the task and runs the planned actions, `notify` changes nothing. */
  readonly path: 'act' | 'notify';
  readonly isolate: boolean;
  readonly stop: boolean;
  readonly quarantine: boolean;
  readonly tagService: boolean;
  readonly quarantineStrategy: ImageQuarantineStrategy;
  readonly quarantineTargets: QuarantineTarget[];
  readonly quarantineTag: string;
  /** `StopTask` reason, at most 255 characters. */
  readonly stopReason: string;
  readonly reasons: string[];
  readonly skipped: Skipped[];
  /** In observe mode (or when exempt), what `contain` would have done. */
  readonly wouldHaveDone: ActionName[];
  readonly recommendations: string[];
  /** Claimed atomically before acting, so one task is stopped (or isolated) once whatever the number of findings. */
  readonly claimKey: string;
  /** Image digests of the task, for the blast-radius scan. */
  readonly digests: string[];
  /** The severity band whose budget the action is charged to. */
  readonly band: SeverityBand;
  /** The blast-radius counters this plan charges: the cluster's and the account's, of the band. */
  readonly capKeys: { readonly cluster: string; readonly account: string; readonly notice: string };
  /** The band's budgets per sliding window (a forced response runs under FORCED_CAP). */
  readonly caps: { readonly cluster: number; readonly account: number };
  /** The list index of the cap-th newest stamp of each counter (cap − 1): the claim's condition reads it. */
  readonly slots: { readonly cluster: number; readonly account: number };
  /** The sliding window: this action's stamp and the oldest stamp that still counts (epoch seconds). */
  readonly window: { readonly at: number; readonly since: number };
  readonly ttl: number;
}

export const STOP_REASON_MAX = 255;
/** Why a plan that stops the task does not isolate it as well. */
export const STOP_IS_CONTAINMENT =
  'the stop is the containment: no security group rule is revoked after StopTask, where it would only reach the groups the task shared';
/** The limit a forced response runs under: a human decided, the blast-radius limit does not apply. */
const FORCED_CAP = 1_000_000;

export function isExemptValue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

function exemption(
  finding: RuntimeFinding,
  enrichment: TaskEnrichment | undefined,
  settings: PolicySettings,
): string | undefined {
  const key = settings.exemptTagKey;
  const protectedCluster = settings.protectedClusters.find(
    (c) => c === finding.cluster.name || c === finding.cluster.arn,
  );
  if (protectedCluster) return `cluster ${finding.cluster.name} is in protectedClusters`;
  const taskTags = { ...finding.task?.tags, ...enrichment?.taskTags };
  if (isExemptValue(taskTags[key])) return `the task is tagged ${key}=true`;
  if (enrichment?.service && isExemptValue(enrichment.service.tags[key])) {
    return `service ${enrichment.service.name} is tagged ${key}=true`;
  }
  const clusterTags = { ...finding.cluster.tags, ...enrichment?.clusterTags };
  if (isExemptValue(clusterTags[key])) return `cluster ${finding.cluster.name} is tagged ${key}=true`;
  return undefined;
}

/** The images of the containers named in the finding that live in this account's ECR. */
export function quarantineTargets(
  finding: RuntimeFinding,
  enrichment: TaskEnrichment | undefined,
): {
  targets: QuarantineTarget[];
  notQuarantinable: string[];
} {
  const targets: QuarantineTarget[] = [];
  const notQuarantinable: string[] = [];
  for (const container of finding.containers) {
    const image = container.image;
    const digest = enrichment?.containers.find((c) => c.name === container.name)?.digest ?? image.digest;
    if (!image.ecr) {
      notQuarantinable.push(`${image.uri} is not in a private ECR registry`);
    } else if (image.ecr.accountId !== finding.accountId) {
      notQuarantinable.push(`${image.uri} is in registry ${image.ecr.accountId}, not this account's`);
    } else if (image.ecr.region !== finding.region) {
      notQuarantinable.push(`${image.uri} is in ${image.ecr.region}, not ${finding.region}`);
    } else if (!digest) {
      // The tag may point at another (patched) build by now: only the digest names the image that ran.
      notQuarantinable.push(
        `${image.uri}: the image digest is unknown (the task is gone), and a tag may name another build now`,
      );
    } else if (
      !targets.some((t) => t.repository === image.repository && t.digest === digest && t.tag === image.tag)
    ) {
      targets.push({
        containerName: container.name,
        registryId: image.ecr.accountId,
        region: image.ecr.region,
        repository: image.repository,
        ...(digest ? { digest } : {}),
        ...(image.tag ? { tag: image.tag } : {}),
      });
    }
  }
  return { targets, notQuarantinable };
}

export function stopReason(finding: RuntimeFinding): string {
  const reason = `shield-right: GuardDuty ${finding.severityLabel} ${finding.type} finding ${finding.findingId}`;
  return reason.length > STOP_REASON_MAX ? `${reason.slice(0, STOP_REASON_MAX - 1)}…` : reason;
}

export function quarantineTagFor(incidentId: string): string {
  return `quarantine-${incidentId.slice(0, 12).toLowerCase()}`;
}

export function claimKeyFor(finding: RuntimeFinding, stop: boolean): string {
  return taskClaimKey(finding.task?.arn ?? finding.cluster.arn, stop);
}

/** Decides the response to a runtime finding. */
export function decideRuntimeResponse(
  finding: RuntimeFinding,
  enrichment: TaskEnrichment | undefined,
  settings: PolicySettings,
  now: number,
  retentionDays = 365,
): ResponsePlan {
  const reasons: string[] = [];
  const skipped: Skipped[] = [];
  const recommendations: string[] = [];
  // An operator's --force contains like a High finding, past exemptions, mode, thresholds and limits.
  const forced = finding.forced === true;
  const high = forced || finding.severity >= settings.stopSeverity;
  const medium = !high && finding.severity >= settings.isolateSeverity;
  const { targets, notQuarantinable } = quarantineTargets(finding, enrichment);
  const band = runtimeBand(finding.severity, settings.stopSeverity);
  const budget = budgetOf(settings.blastRadius, band);
  const caps = forced
    ? { cluster: FORCED_CAP, account: FORCED_CAP }
    : { cluster: budget.perCluster, account: budget.perAccount };
  const digests = [
    ...new Set((enrichment?.containers ?? []).map((c) => c.digest).filter((d): d is string => !!d)),
  ];
  const base = {
    incidentId: finding.incidentId,
    claimKey: claimKeyFor(finding, high),
    digests,
    quarantineStrategy: settings.imageQuarantine,
    quarantineTargets: targets,
    quarantineTag: quarantineTagFor(finding.incidentId),
    stopReason: stopReason(finding),
    band,
    capKeys: {
      cluster: clusterCapKey(finding.cluster.arn, band),
      account: accountCapKey(finding.accountId, band),
      notice: capNoticeKey(finding.cluster.arn),
    },
    caps,
    slots: { cluster: caps.cluster - 1, account: caps.account - 1 },
    window: capWindow(now, settings.blastRadius.windowMinutes),
    ttl: incidentTtl(now, retentionDays),
  };
  // What `contain` would do for this severity, before exemptions and mode.
  const intended: ActionName[] = [];
  // A stop is the containment of a High finding; an awsvpc service task cannot be isolated in place.
  const serviceNetwork = enrichment?.networkMode === 'awsvpc' && enrichment.service !== undefined;
  if (medium && !serviceNetwork) intended.push('isolate');
  if (high) intended.push('stop');
  if (high && finding.task?.serviceName) intended.push('tagService');
  if (high && settings.imageQuarantine !== 'none' && targets.length > 0) intended.push('quarantine');

  // `why` undefined: the reasons and skipped actions are already recorded.
  const notifyOnly = (
    disposition: Disposition,
    why: string | undefined,
    wouldHaveDone: ActionName[],
  ): ResponsePlan => {
    if (why) {
      reasons.push(why);
      for (const action of wouldHaveDone) skipped.push({ action, reason: why });
    }
    return {
      ...base,
      disposition,
      path: 'notify',
      isolate: false,
      stop: false,
      quarantine: false,
      tagService: false,
      reasons,
      skipped,
      wouldHaveDone,
      recommendations,
    };
  };

  if (finding.sample)
    return notifyOnly('sample', 'GuardDuty sample finding: placeholder resources, nothing to act on', []);
  if (!finding.task) {
    recommendations.push(`Investigate cluster ${finding.cluster.name}: the finding names no task`);
    return notifyOnly('no-task', 'cluster-level finding without task details: no task to act on', []);
  }
  const exempt = forced ? undefined : exemption(finding, enrichment, settings);
  if (exempt) {
    recommendations.push('Investigate by hand: the resource is exempt from automatic response');
    return notifyOnly('exempt', `exempt: ${exempt}`, intended);
  }
  if (!high && !medium) {
    recommendations.push('Review the finding; Low severity findings are notified only');
    return notifyOnly(
      'notify',
      `severity ${finding.severity} (${finding.severityLabel}) is below the isolation threshold ${settings.isolateSeverity}`,
      [],
    );
  }
  const taskGone =
    enrichment !== undefined &&
    (!enrichment.found || enrichment.lastStatus === 'STOPPED' || enrichment.desiredStatus === 'STOPPED');
  if (settings.mode === 'observe' && !forced) {
    recommendations.push('Switch mode to contain, or act by hand with `shield-right respond --force`');
    return notifyOnly('observe', 'mode is observe: planned only, nothing changed', intended);
  }

  let stop = high;
  let isolate = true;
  let tagService = high && finding.task.serviceName !== undefined;
  const quarantine = high && settings.imageQuarantine !== 'none' && targets.length > 0;
  if (high) {
    for (const why of notQuarantinable) skipped.push({ action: 'quarantine', reason: why });
    if (settings.imageQuarantine === 'none')
      skipped.push({ action: 'quarantine', reason: 'imageQuarantine is none' });
  } else {
    recommendations.push(
      `Stop the task if the activity is confirmed: shield-right respond --finding-id ${finding.findingId} --force`,
    );
  }
  if (taskGone) {
    const why = enrichment?.found
      ? `the task is already stopped (${enrichment.stoppedReason ?? 'no reason given'})`
      : 'the task no longer exists';
    if (stop) skipped.push({ action: 'stop', reason: why });
    skipped.push({ action: 'isolate', reason: why });
    if (tagService) skipped.push({ action: 'tagService', reason: why });
    stop = false;
    isolate = false;
    tagService = false;
    reasons.push(why);
  }
  const guard = settings.blastRadius.minHealthyTasks;
  const service = enrichment?.service;
  if (
    stop &&
    !forced &&
    guard > 0 &&
    service &&
    finding.severity < CRITICAL_SEVERITY &&
    service.runningCount <= guard
  ) {
    const why = `service ${service.name} has ${service.runningCount} running task(s), at most minHealthyTasks=${guard}: High findings do not stop its last tasks`;
    skipped.push({ action: 'stop', reason: why });
    reasons.push(why);
    recommendations.push('Stop the task by hand once replacement capacity is available');
    stop = false;
    tagService = false;
  }
  // Isolation in place only where it cannot outlive the task (issue 14, defect 5).
  if (isolate && stop) {
    // The stop is the containment: a revoke after StopTask reaches whatever else uses the group (a
    // service's replacements, other tasks), never the stopped task.
    isolate = false;
    skipped.push({ action: 'isolate', reason: STOP_IS_CONTAINMENT });
  }
  if (isolate && enrichment?.networkMode === 'awsvpc' && service) {
    const why = `isolation not possible in place: the network configuration of service ${service.name} gives every task of the service its security groups, so revoking their rules would cut off all of its tasks and their replacements until release`;
    isolate = false;
    skipped.push({ action: 'isolate', reason: why });
    reasons.push(why);
    recommendations.push(
      `To restrict this task's network by hand, first move service ${service.name} to a security group of its own (every task of the service shares it), or stop the task and let the service replace it`,
    );
  }
  if (!stop && !isolate && !quarantine)
    return notifyOnly(taskGone ? 'task-stopped' : 'notify', undefined, []);
  reasons.push(
    forced
      ? 'an operator forced the containment (shield-right respond --force)'
      : high
        ? `severity ${finding.severity} (${finding.severityLabel}) is at or above the stop threshold ${settings.stopSeverity}`
        : `severity ${finding.severity} (${finding.severityLabel}) is at or above the isolation threshold ${settings.isolateSeverity}`,
  );
  return {
    ...base,
    // A High finding on a stopped task claims like a stop: a later finding on it is "already contained".
    claimKey: claimKeyFor(finding, stop || (high && taskGone)),
    // A High finding whose task is gone still contains: the image is quarantined.
    disposition: stop || (high && !isolate) ? 'contain' : 'isolate',
    path: 'act',
    isolate,
    stop,
    quarantine,
    tagService,
    reasons,
    skipped,
    wouldHaveDone: [],
    recommendations,
  };
}
