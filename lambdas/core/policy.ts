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
import { type AccountScope, type FindingAccounts, registryAccess } from './accounts';
import type { RuntimeFinding } from './finding';
import { parseImage } from './image';
import {
  accountCapKey,
  CRITICAL_SEVERITY,
  capNoticeKey,
  capWindow,
  clusterCapKey,
  incidentTtl,
  organizationCapKey,
  runtimeBand,
  type SeverityBand,
  taskClaimKey,
} from './incident';
import {
  type DescribedWorkload,
  type GuardSettings,
  unguardedTaskExemption,
  workloadVerdict,
} from './workload-guard';

export { isExemptValue } from './workload-guard';

export interface PolicySettings extends GuardSettings, OrganizationSettings {
  readonly mode: ResponseMode;
  readonly stopSeverity: number;
  readonly isolateSeverity: number;
  readonly imageQuarantine: ImageQuarantineStrategy;
  readonly blastRadius: BlastRadiusConfig & { readonly minHealthyTasks: number };
}

/** The organization-wide settings (definitions/config.ts), when the policy has them. */
export interface OrganizationSettings {
  readonly memberAccountRoleName?: string;
  readonly accounts?: 'all' | readonly string[];
  readonly protectedAccounts?: readonly string[];
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
  /** The task group as ECS describes it (written by whoever started the task: a candidate, not proof). */
  readonly group?: string;
  readonly containers: EnrichedContainer[];
  readonly taskTags: Record<string, string>;
  /** The cluster that was described (the finding's ARN). */
  readonly clusterArn?: string;
  /** Present only when the service lists the task (ListTasks with serviceName). */
  readonly service?: {
    readonly name: string;
    readonly arn?: string;
    readonly runningCount: number;
    readonly desiredCount: number;
    readonly tags: Record<string, string>;
  };
  readonly clusterTags: Record<string, string>;
  /** Where the finding disagrees with what ECS describes, and how it was handled. */
  readonly discrepancies?: string[];
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
  /**
   * Organization mode: the member role of the registry account, when the repository is not in the account
   * shield-right is deployed in; the quarantine (and its undo) runs there through it.
   */
  readonly roleArn?: string;
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
  /** The blast-radius counters this plan charges: the cluster's, the account's and the organization's, of the band. */
  readonly capKeys: {
    readonly cluster: string;
    readonly account: string;
    readonly organization: string;
    readonly notice: string;
  };
  /** The band's budgets per sliding window (a forced response runs under FORCED_CAP). */
  readonly caps: { readonly cluster: number; readonly account: number; readonly organization: number };
  /** The list index of the cap-th newest stamp of each counter (cap − 1): the claim's condition reads it. */
  readonly slots: { readonly cluster: number; readonly account: number; readonly organization: number };
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

/** The task, its proven service and its cluster, as described. */
export function describedWorkload(
  finding: RuntimeFinding,
  enrichment: TaskEnrichment | undefined,
): DescribedWorkload {
  return {
    // The ARN is what ECS resolves (DescribeTasks, StopTask); the finding's cluster name steers nothing.
    clusterArn: enrichment?.clusterArn ?? finding.cluster.arn,
    clusterTags: enrichment?.clusterTags ?? {},
    ...(enrichment?.service ? { service: enrichment.service } : {}),
    taskTags: enrichment?.taskTags ?? {},
  };
}

/**
 * The containers whose images may be quarantined: the one the finding involves (`resource.containerDetails`)
 * when it names one the task has, else every container of the task (and the notification says so). Image
 * and digest come from DescribeTasks, never from the finding.
 */
function involvedContainers(
  finding: RuntimeFinding,
  enrichment: TaskEnrichment | undefined,
  notes: string[],
): EnrichedContainer[] {
  const described = enrichment?.containers ?? [];
  const involved = finding.involvedContainer;
  if (!involved?.name) {
    if (described.length > 1)
      notes.push(
        'the finding names no involved container (resource.containerDetails): every image of the task is considered, under the same sparing rules',
      );
    return described;
  }
  const match = described.filter((c) => c.name === involved.name);
  if (match.length > 0) return match;
  if (described.length > 0)
    notes.push(
      `the finding's involved container ${involved.name} is not one ECS describes for the task: every image of the task is considered, under the same sparing rules`,
    );
  return described;
}

/** The accounts around a runtime finding, for registryAccess. */
export function findingAccounts(finding: RuntimeFinding): FindingAccounts {
  return {
    partition: finding.partition,
    findingAccount: finding.accountId,
    ...(finding.memberRoleArn ? { findingRoleArn: finding.memberRoleArn } : {}),
    ...(finding.deploymentAccountId ? { deploymentAccount: finding.deploymentAccountId } : {}),
  };
}

/** The account scope of the policy settings (organization mode). */
export function scopeOf(settings: OrganizationSettings): AccountScope {
  return {
    ...(settings.accounts ? { allowedAccounts: settings.accounts } : {}),
    ...(settings.protectedAccounts ? { protectedAccounts: settings.protectedAccounts } : {}),
    ...(settings.memberAccountRoleName ? { memberRoleName: settings.memberAccountRoleName } : {}),
  };
}

/**
 * The images of the involved containers, as DescribeTasks reports them, in a private ECR registry of the
 * finding's account or, in organization mode, of any account `scope` allows (the quarantine runs there).
 */
export function quarantineTargets(
  finding: RuntimeFinding,
  enrichment: TaskEnrichment | undefined,
  scope: AccountScope = {},
): {
  targets: QuarantineTarget[];
  notQuarantinable: string[];
  notes: string[];
} {
  const targets: QuarantineTarget[] = [];
  const notQuarantinable: string[] = [];
  const notes: string[] = [];
  if (!enrichment?.found) {
    notQuarantinable.push(
      'ECS no longer describes the task: the images it ran, and their digests, are not known from AWS',
    );
    return { targets, notQuarantinable, notes };
  }
  for (const container of involvedContainers(finding, enrichment, notes)) {
    const image = parseImage(container.image);
    const digest = container.digest;
    const said = finding.containers.find((c) => c.name === container.name)?.image;
    if (said && said.repository !== image.repository) {
      notes.push(
        `the finding names image ${said.uri} for container ${container.name} but ECS describes ${image.uri}: handled as ${image.uri}`,
      );
    }
    const access = image.ecr
      ? registryAccess(scope, findingAccounts(finding), image.ecr.accountId)
      : undefined;
    if (!image.ecr) {
      notQuarantinable.push(`${image.uri} is not in a private ECR registry`);
    } else if (access && !access.ok) {
      notQuarantinable.push(`${image.uri} ${access.reason}`);
    } else if (image.ecr.region !== finding.region) {
      notQuarantinable.push(`${image.uri} is in ${image.ecr.region}, not ${finding.region}`);
    } else if (!digest) {
      // The tag may point at another (patched) build by now: only the digest names the image that ran.
      notQuarantinable.push(
        `${image.uri}: ECS reports no image digest for the container, and a tag may name another build now`,
      );
    } else if (!targets.some((t) => t.repository === image.repository && t.digest === digest)) {
      targets.push({
        containerName: container.name,
        registryId: image.ecr.accountId,
        region: image.ecr.region,
        repository: image.repository,
        digest,
        ...(image.tag ? { tag: image.tag } : {}),
        ...(access?.ok && access.roleArn ? { roleArn: access.roleArn } : {}),
      });
    }
  }
  return { targets, notQuarantinable, notes };
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
  const { targets, notQuarantinable, notes } = quarantineTargets(finding, enrichment, scopeOf(settings));
  const band = runtimeBand(finding.severity, settings.stopSeverity);
  const budget = budgetOf(settings.blastRadius, band);
  const caps = forced
    ? { cluster: FORCED_CAP, account: FORCED_CAP, organization: FORCED_CAP }
    : { cluster: budget.perCluster, account: budget.perAccount, organization: budget.perOrganization };
  // The blast radius is measured for the images that may be quarantined, else every image of the task.
  const digests = [
    ...new Set(
      (targets.length > 0 ? targets : (enrichment?.containers ?? []))
        .map((c) => c.digest)
        .filter((d): d is string => !!d),
    ),
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
      organization: organizationCapKey(band),
      notice: capNoticeKey(finding.cluster.arn, band),
    },
    caps,
    slots: { cluster: caps.cluster - 1, account: caps.account - 1, organization: caps.organization - 1 },
    window: capWindow(now, settings.blastRadius.windowMinutes),
    ttl: incidentTtl(now, retentionDays),
  };
  // What `contain` would do for this severity, before exemptions and mode.
  const intended: ActionName[] = [];
  // A stop is the containment of a High finding; an awsvpc service task cannot be isolated in place.
  const serviceNetwork = enrichment?.networkMode === 'awsvpc' && enrichment.service !== undefined;
  if (medium && !serviceNetwork) intended.push('isolate');
  if (high) intended.push('stop');
  if (high && enrichment?.service) intended.push('tagService');
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
  const workload = describedWorkload(finding, enrichment);
  const verdict = workloadVerdict(workload, settings);
  const unguarded = unguardedTaskExemption(workload, settings);
  if (unguarded && !forced) reasons.push(unguarded);
  const exempt = forced || verdict.kind === 'allowed' ? undefined : verdict.reason;
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
  let tagService = high && enrichment?.service !== undefined;
  const quarantine = high && settings.imageQuarantine !== 'none' && targets.length > 0;
  if (high) {
    for (const why of notQuarantinable) skipped.push({ action: 'quarantine', reason: why });
    reasons.push(...notes);
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
