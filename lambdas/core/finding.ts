/**
 * GuardDuty Runtime Monitoring findings for ECS, from the EventBridge event to one normalized,
 * JSON-serializable shape that the workflow, the policy and the notifications share.
 */

import * as v from 'valibot';
import {
  type AccountScope,
  memberRoleArnFor,
  requireAllowedAccount,
  requireDeploymentRegion,
} from './accounts';
import { InvalidFindingError } from './errors';
import { type ImageReference, parseImage } from './image';
import { CRITICAL_SEVERITY } from './incident';
import { readEvent, textOrUndefined } from './schemas/fields';
import {
  FindingContextSchema,
  ForceMarkerSchema,
  GuardDutyEventSchema,
  OccurrencesSchema,
  ParentProcessSchema,
  TaskArnSchema,
  TaskDetailsSchema,
} from './schemas/guardduty';
import { partitionOfRegion } from './signing/trust-store';
import { toIso } from './time';

export type SeverityLabel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface ProcessInfo {
  readonly name?: string;
  readonly executablePath?: string;
  readonly executableSha256?: string;
  readonly pid?: string;
  readonly user?: string;
  readonly commandLine?: string;
  readonly parent?: { readonly name?: string; readonly executablePath?: string; readonly pid?: string };
}

export interface ContainerInfo {
  readonly name: string;
  readonly image: ImageReference;
}

export interface TaskInfo {
  readonly arn: string;
  readonly id: string;
  readonly definitionArn?: string;
  readonly launchType?: string;
  readonly group?: string;
  /** The service that owns the task, from `group` = `service:NAME`. */
  readonly serviceName?: string;
  readonly startedBy?: string;
  readonly startedAt?: string;
  readonly tags: Record<string, string>;
}

export interface RuntimeFinding {
  readonly kind: 'runtime';
  /** Incidents are keyed by the GuardDuty finding id: repeats of the finding keep it. */
  readonly incidentId: string;
  readonly findingId: string;
  readonly findingArn?: string;
  readonly detectorId?: string;
  readonly type: string;
  readonly title?: string;
  readonly description?: string;
  readonly severity: number;
  readonly severityLabel: SeverityLabel;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly updatedAt: string;
  readonly sample: boolean;
  readonly cluster: { readonly name: string; readonly arn: string; readonly tags: Record<string, string> };
  readonly hasTask: boolean;
  readonly task?: TaskInfo;
  readonly containers: ContainerInfo[];
  /** The container the activity was seen in (`resource.containerDetails`), when the finding names one. */
  readonly involvedContainer?: { readonly name?: string; readonly image?: string };
  readonly process?: ProcessInfo;
  readonly eventId: string;
  /**
   * An operator asked for containment (`shield-right respond|rerun --force`): the policy contains whatever
   * its thresholds, exemptions, mode and limits say. Set from the input's `shield-right.force`, a key no
   * AWS service puts in an event.
   */
  readonly forced?: boolean;
  /** Fields of the finding that disagree with the resources it names, and how they were resolved. */
  readonly discrepancies?: readonly string[];
  /**
   * The task is in a member account (organization-wide response): the member role every call about it is
   * made through (Lambda actions assume it; StopTask and TagResource pass it as `Credentials.RoleArn`).
   */
  readonly memberRoleArn?: string;
  /** The account's name from the configuration's `accountNames`, shown next to its id. */
  readonly accountName?: string;
  /**
   * Organization mode (memberAccountRoleName set): the account shield-right is deployed in (the event's
   * `account`, where the delegated administrator's bus received it). Calls in any other account (the
   * finding's, a registry's, a scanned one's) go through that account's member role.
   */
  readonly deploymentAccountId?: string;
  /** Free-text fields and lists cut to bound the workflow's state (lambdas/core/finding-bounds.ts). */
  readonly truncated?: readonly string[];
}

export const FORCE_KEY = 'shield-right';

/** Whether an execution input carries the operator's `--force`. */
export function isForced(envelope: Record<string, unknown>): boolean {
  return v.is(ForceMarkerSchema, envelope[FORCE_KEY]);
}

const TASK_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:(\d{12}):task\/[A-Za-z0-9_-]+\/[A-Za-z0-9]+$/;
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:(\d{12}):cluster\/[A-Za-z0-9_-]+$/;

export function severityLabel(severity: number): SeverityLabel {
  if (severity >= CRITICAL_SEVERITY) return 'CRITICAL';
  if (severity >= 7) return 'HIGH';
  if (severity >= 4) return 'MEDIUM';
  return 'LOW';
}

export interface NormalizeOptions extends AccountScope {
  /** Clock for findings that carry no usable timestamp. */
  readonly now?: () => number;
}

type Context = v.InferOutput<typeof FindingContextSchema>;
type Runtime = NonNullable<Context['detail']['service']['runtimeDetails']>;

function processInfo(runtime: Runtime | null | undefined): ProcessInfo | undefined {
  const proc = runtime?.process;
  if (!proc) return undefined;
  const commandLine = runtime.context?.commandLineExample ?? proc.commandLine;
  const parentRaw = proc.lineage?.find((entry) => v.is(ParentProcessSchema, entry));
  const parentInfo = parentRaw === undefined ? undefined : v.parse(ParentProcessSchema, parentRaw);
  const parent = parentInfo
    ? {
        ...optional('name', parentInfo.name),
        ...optional('executablePath', parentInfo.executablePath),
        ...optional('pid', parentInfo.pid),
      }
    : undefined;
  return {
    ...optional('name', proc.name),
    ...optional('executablePath', proc.executablePath),
    ...optional('executableSha256', proc.executableSha256),
    ...optional('pid', proc.pid),
    ...optional('user', proc.user),
    ...optional('commandLine', textOrUndefined(commandLine)),
    ...(parent && Object.keys(parent).length > 0 ? { parent } : {}),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function accountOfArn(arn: string, pattern: RegExp): string | undefined {
  return pattern.exec(arn)?.[1];
}

const SAMPLE_FIELD = 'detail.service.additionalInfo';

/**
 * GuardDuty marks sample findings (CreateSampleFindings) with `additionalInfo.sample: true` or the JSON
 * text `additionalInfo.value` holding `"sample": true`. Exactly those forms are samples; anything else
 * that mentions `sample` ("TRUE", 1, a string) is neither trusted as a sample (an attacker-shaped event
 * would dodge containment) nor acted on as a real finding: it is rejected.
 */
function isSampleFinding(info: { sample?: unknown; value?: string | undefined } | undefined): boolean {
  if (info === undefined) return false;
  const fromValue = sampleInValue(info.value);
  for (const [flag, path] of [
    [info.sample, `${SAMPLE_FIELD}.sample`],
    [fromValue, `${SAMPLE_FIELD}.value`],
  ] as const) {
    if (flag !== undefined && typeof flag !== 'boolean') {
      throw new InvalidFindingError(path, `sample must be true or false, got ${JSON.stringify(flag)}`);
    }
  }
  return info.sample === true || fromValue === true;
}

/** The `sample` member of the JSON text in `additionalInfo.value`, if it has one. */
function sampleInValue(value: string | undefined): unknown {
  if (value === undefined || !/sample|\\u/i.test(value)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // Unreadable text that does not look like the marker is just text (a truncated value of a real finding).
    if (!/"(?:sample|\\u)/i.test(value)) return undefined;
    throw new InvalidFindingError(`${SAMPLE_FIELD}.value`, 'holds a sample marker but is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  return Object.hasOwn(parsed, 'sample') ? (parsed as { sample: unknown }).sample : undefined;
}

/**
 * Validates an EventBridge `GuardDuty Finding` event for an ECS task and normalizes it.
 * Throws `InvalidFindingError` naming the wrong field, or `CrossAccountFindingError`.
 */
export function normalizeRuntimeFinding(event: unknown, options: NormalizeOptions = {}): RuntimeFinding {
  const envelope = readEvent(GuardDutyEventSchema, event);
  const { account: eventAccount, detail } = envelope;
  const { id: findingId, type, severity, accountId, region, partition, service, resource } = detail;
  const sample = isSampleFinding(service.additionalInfo);
  const clusterDetails = resource.ecsClusterDetails;
  const namedCluster = clusterDetails.name;
  const clusterArnRaw = clusterDetails.arn ?? undefined;
  const occurrences = readEvent(OccurrencesSchema, service, 'detail.service');
  const count = Math.trunc(occurrences.count);
  const now = options.now ?? Date.now;
  const updatedAt = toIso(detail.updatedAt) ?? toIso(envelope.time) ?? new Date(now()).toISOString();
  const firstSeen = toIso(service.eventFirstSeen) ?? toIso(detail.createdAt) ?? updatedAt;
  const lastSeen = toIso(service.eventLastSeen) ?? updatedAt;

  // Sample findings point at placeholder resources; they are never acted on, so their ARNs are not checked.
  const checkAccount = (arn: string, pattern: RegExp, path: string): void => {
    if (sample) return;
    if (!pattern.test(arn)) throw new InvalidFindingError(path, `${JSON.stringify(arn)} is not a valid ARN`);
    // The task must be where the finding says it is: an ARN of another partition or region is not ours.
    const [, arnPartition, , arnRegion] = arn.split(':');
    if (arnPartition !== partition || arnRegion !== region) {
      throw new InvalidFindingError(
        path,
        `is in ${arnPartition}/${arnRegion}, not the finding's ${partition}/${region}`,
      );
    }
    const owner = accountOfArn(arn, pattern);
    if (owner) requireAllowedAccount(options, eventAccount, owner, path);
  };
  if (!sample) requireDeploymentRegion(options, region, 'detail.region');
  // The partition steers which ARNs are built and how a member stop is routed: it must be the region's.
  if (!sample && partitionOfRegion(region) !== partition) {
    throw new InvalidFindingError(
      'detail.partition',
      `${JSON.stringify(partition)} is not the partition of ${region}`,
    );
  }
  if (!sample) requireAllowedAccount(options, eventAccount, accountId, 'detail.accountId');
  const clusterArn = clusterArnRaw ?? `arn:${partition}:ecs:${region}:${accountId}:cluster/${namedCluster}`;
  checkAccount(clusterArn, CLUSTER_ARN, 'detail.resource.ecsClusterDetails.arn');
  // The ARN is what ECS resolves (DescribeTasks, StopTask); a name that disagrees must not steer the
  // protection and exemption checks, so the cluster is the ARN's and the disagreement is reported.
  const arnCluster = clusterArnRaw && !sample ? clusterArn.slice(clusterArn.lastIndexOf('/') + 1) : undefined;
  const clusterName = arnCluster ?? namedCluster;
  const discrepancies: string[] = [];
  if (arnCluster !== undefined && arnCluster !== namedCluster) {
    discrepancies.push(
      `the finding names cluster ${namedCluster} but its ARN names ${arnCluster}: handled as ${arnCluster}`,
    );
  }

  const base = 'detail.resource.ecsClusterDetails.taskDetails';
  const taskRef = readEvent(TaskArnSchema, clusterDetails.taskDetails, base);
  let task: TaskInfo | undefined;
  let containers: ContainerInfo[] = [];
  if (taskRef) {
    const { arn } = taskRef;
    checkAccount(arn, TASK_ARN, `${base}.arn`);
    const taskCluster = arn.split('/')[1];
    if (!sample && taskCluster !== clusterName) {
      throw new InvalidFindingError(`${base}.arn`, `names cluster ${taskCluster}, not ${clusterName}`);
    }
    const taskDetails = readEvent(TaskDetailsSchema, taskRef, base);
    const group = taskDetails.group ?? undefined;
    const serviceName = group?.startsWith('service:') ? group.slice('service:'.length) : undefined;
    task = {
      arn,
      id: arn.slice(arn.lastIndexOf('/') + 1),
      ...optional('definitionArn', taskDetails.definitionArn ?? undefined),
      ...optional('launchType', taskDetails.launchType?.toUpperCase()),
      ...optional('group', group),
      ...optional('serviceName', serviceName),
      ...optional('startedBy', taskDetails.startedBy),
      ...optional('startedAt', toIso(taskDetails.startedAt)),
      tags: taskDetails.tags,
    };
    containers = taskDetails.containers.map((c, i) => ({
      name: textOrUndefined(c.name) ?? `container-${i}`,
      image: parseImage(c.image),
    }));
  }
  const context = readEvent(FindingContextSchema, envelope);
  const owner = sample ? undefined : accountOfArn(clusterArn, CLUSTER_ARN);
  const memberRoleArn =
    owner && owner !== eventAccount && options.memberRoleName
      ? memberRoleArnFor(partition, owner, options.memberRoleName)
      : undefined;
  const processDetails = processInfo(context.detail.service.runtimeDetails);
  const detectorId = context.detail.service.detectorId ?? undefined;
  const involved = context.detail.resource.containerDetails;
  const involvedContainer =
    involved?.name !== undefined || involved?.image !== undefined
      ? { ...optional('name', involved.name), ...optional('image', involved.image) }
      : undefined;
  const eventId = typeof envelope.id === 'string' ? envelope.id.slice(0, 128) : findingId;
  return {
    kind: 'runtime',
    incidentId: findingId,
    findingId,
    ...optional('findingArn', context.detail.arn ?? undefined),
    ...optional('detectorId', detectorId),
    type,
    ...optional('title', detail.title),
    ...optional('description', detail.description),
    severity,
    severityLabel: severityLabel(severity),
    accountId,
    region,
    partition,
    count,
    firstSeen,
    lastSeen,
    updatedAt,
    sample,
    cluster: {
      name: clusterName,
      arn: clusterArn,
      tags: context.detail.resource.ecsClusterDetails.tags,
    },
    hasTask: task !== undefined,
    ...(task ? { task } : {}),
    containers,
    ...(involvedContainer ? { involvedContainer } : {}),
    ...(processDetails ? { process: processDetails } : {}),
    eventId,
    forced: isForced(envelope),
    ...(discrepancies.length > 0 ? { discrepancies } : {}),
    ...(memberRoleArn ? { memberRoleArn } : {}),
    ...(options.memberRoleName ? { deploymentAccountId: eventAccount } : {}),
  };
}

/** Runtime finding types in words: `Execution:Runtime/ReverseShell` → "Execution: reverse shell". */
export function describeFindingType(type: string): string {
  const [category, rest] = type.split(':', 2);
  const name = (rest ?? type).split('/').pop() ?? type;
  const words = name
    .replace(/[!.].*$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
  return category && rest ? `${category}: ${words}` : words;
}
