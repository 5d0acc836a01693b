/**
 * GuardDuty Runtime Monitoring findings for ECS, from the EventBridge event to one normalized,
 * JSON-serializable shape that the workflow, the policy and the notifications share.
 */
import { CrossAccountFindingError, InvalidFindingError } from './errors';
import { type ImageReference, parseImage } from './image';
import { CRITICAL_SEVERITY } from './incident';
import {
  arrayAt,
  isObject,
  numberAt,
  objectAt,
  optionalObjectAt,
  optionalStringAt,
  stringAt,
  tagsAt,
  textOrUndefined,
} from './read';
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
  readonly process?: ProcessInfo;
  readonly eventId: string;
  /**
   * An operator asked for containment (`shield-right respond|rerun --force`): the policy contains whatever
   * its thresholds, exemptions, mode and limits say. Set from the input's `shield-right.force`, a key no
   * AWS service puts in an event.
   */
  readonly forced?: boolean;
}

export const FORCE_KEY = 'shield-right';

/** Whether an execution input carries the operator's `--force`. */
export function isForced(envelope: Record<string, unknown>): boolean {
  const marker = envelope[FORCE_KEY];
  return isObject(marker) && marker.force === true;
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const PARTITION = /^aws(-cn|-us-gov|-iso[a-z-]*)?$/;
// Finding ids go into S3 keys, DynamoDB keys and execution names: keep them to a safe alphabet.
const FINDING_ID = /^[A-Za-z0-9_-]{1,128}$/;
const TASK_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:(\d{12}):task\/[A-Za-z0-9_-]+\/[A-Za-z0-9]+$/;
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:(\d{12}):cluster\/[A-Za-z0-9_-]+$/;

export function severityLabel(severity: number): SeverityLabel {
  if (severity >= CRITICAL_SEVERITY) return 'CRITICAL';
  if (severity >= 7) return 'HIGH';
  if (severity >= 4) return 'MEDIUM';
  return 'LOW';
}

export interface NormalizeOptions {
  /** Accounts whose resources shield-right may act on besides the event's own (cross-account response). */
  readonly allowedAccounts?: readonly string[];
  /** Clock for findings that carry no usable timestamp. */
  readonly now?: () => number;
}

function isSample(service: Record<string, unknown>): boolean {
  const info = service.additionalInfo;
  if (!isObject(info)) return false;
  if (info.sample === true || info.sample === 'true') return true;
  return typeof info.value === 'string' && /"sample"\s*:\s*true/.test(info.value);
}

function processInfo(runtime: Record<string, unknown> | undefined): ProcessInfo | undefined {
  if (!runtime) return undefined;
  const proc = isObject(runtime.process) ? runtime.process : undefined;
  if (!proc) return undefined;
  const context = isObject(runtime.context) ? runtime.context : {};
  const lineage = Array.isArray(proc.lineage) ? proc.lineage : [];
  const parentRaw = lineage.find(isObject);
  const parent = parentRaw
    ? {
        ...optional('name', textOrUndefined(parentRaw.name)),
        ...optional('executablePath', textOrUndefined(parentRaw.executablePath)),
        ...optional('pid', textOrUndefined(parentRaw.pid)),
      }
    : undefined;
  return {
    ...optional('name', textOrUndefined(proc.name)),
    ...optional('executablePath', textOrUndefined(proc.executablePath)),
    ...optional('executableSha256', textOrUndefined(proc.executableSha256)),
    ...optional('pid', textOrUndefined(proc.pid)),
    ...optional('user', textOrUndefined(proc.user)),
    ...optional('commandLine', textOrUndefined(context.commandLineExample ?? proc.commandLine)),
    ...(parent && Object.keys(parent).length > 0 ? { parent } : {}),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function accountOfArn(arn: string, pattern: RegExp): string | undefined {
  return pattern.exec(arn)?.[1];
}

/**
 * Validates an EventBridge `GuardDuty Finding` event for an ECS task and normalizes it.
 * Throws `InvalidFindingError` naming the wrong field, or `CrossAccountFindingError`.
 */
export function normalizeRuntimeFinding(event: unknown, options: NormalizeOptions = {}): RuntimeFinding {
  const envelope = objectAt(event, 'event');
  const source = stringAt(envelope.source, 'source');
  if (source !== 'aws.guardduty')
    throw new InvalidFindingError('source', `expected aws.guardduty, got ${source}`);
  const detailType = stringAt(envelope['detail-type'], 'detail-type');
  if (detailType !== 'GuardDuty Finding') {
    throw new InvalidFindingError('detail-type', `expected GuardDuty Finding, got ${detailType}`);
  }
  const eventAccount = stringAt(envelope.account, 'account', ACCOUNT);
  const detail = objectAt(envelope.detail, 'detail');
  const findingId = stringAt(detail.id, 'detail.id', FINDING_ID);
  const type = stringAt(detail.type, 'detail.type');
  const severity = numberAt(detail.severity, 'detail.severity', 0, 10);
  const accountId = stringAt(detail.accountId ?? eventAccount, 'detail.accountId', ACCOUNT);
  const region = stringAt(detail.region ?? envelope.region, 'detail.region', REGION);
  const partition = stringAt(detail.partition ?? 'aws', 'detail.partition', PARTITION);
  const service = objectAt(detail.service, 'detail.service');
  const resource = objectAt(detail.resource, 'detail.resource');
  const resourceType = stringAt(resource.resourceType, 'detail.resource.resourceType');
  if (resourceType !== 'ECSCluster') {
    throw new InvalidFindingError('detail.resource.resourceType', `expected ECSCluster, got ${resourceType}`);
  }
  const sample = isSample(service);
  const clusterDetails = objectAt(resource.ecsClusterDetails, 'detail.resource.ecsClusterDetails');
  const clusterName = stringAt(
    clusterDetails.name,
    'detail.resource.ecsClusterDetails.name',
    /^[A-Za-z0-9_-]{1,255}$/,
  );
  const clusterArnRaw = optionalStringAt(clusterDetails.arn, 'detail.resource.ecsClusterDetails.arn');
  const count = Math.trunc(numberAt(service.count ?? 1, 'detail.service.count', 1, Number.MAX_SAFE_INTEGER));
  const now = options.now ?? Date.now;
  const updatedAt = toIso(detail.updatedAt) ?? toIso(envelope.time) ?? new Date(now()).toISOString();
  const firstSeen = toIso(service.eventFirstSeen) ?? toIso(detail.createdAt) ?? updatedAt;
  const lastSeen = toIso(service.eventLastSeen) ?? updatedAt;

  const allowed = new Set([eventAccount, ...(options.allowedAccounts ?? [])]);
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
    if (owner && !allowed.has(owner)) {
      throw new CrossAccountFindingError(
        `${path} is in account ${owner}, not ${eventAccount}; cross-account response is not configured`,
      );
    }
  };
  if (!sample && accountId !== eventAccount && !allowed.has(accountId)) {
    throw new CrossAccountFindingError(
      `detail.accountId: finding is for account ${accountId}, not ${eventAccount}; cross-account response is not configured`,
    );
  }
  const clusterArn = clusterArnRaw ?? `arn:${partition}:ecs:${region}:${accountId}:cluster/${clusterName}`;
  checkAccount(clusterArn, CLUSTER_ARN, 'detail.resource.ecsClusterDetails.arn');

  const taskDetails = optionalObjectAt(
    clusterDetails.taskDetails,
    'detail.resource.ecsClusterDetails.taskDetails',
  );
  let task: TaskInfo | undefined;
  let containers: ContainerInfo[] = [];
  if (taskDetails) {
    const base = 'detail.resource.ecsClusterDetails.taskDetails';
    const arn = stringAt(taskDetails.arn, `${base}.arn`);
    checkAccount(arn, TASK_ARN, `${base}.arn`);
    const taskCluster = arn.split('/')[1];
    if (!sample && taskCluster !== clusterName && taskCluster !== clusterArn.split('/').pop()) {
      throw new InvalidFindingError(`${base}.arn`, `names cluster ${taskCluster}, not ${clusterName}`);
    }
    const group = optionalStringAt(taskDetails.group, `${base}.group`);
    const serviceName = group?.startsWith('service:') ? group.slice('service:'.length) : undefined;
    const launchType = optionalStringAt(taskDetails.launchType, `${base}.launchType`);
    const definitionArn = optionalStringAt(taskDetails.definitionArn, `${base}.definitionArn`);
    const startedBy = textOrUndefined(taskDetails.startedBy);
    const startedAt = toIso(taskDetails.startedAt);
    task = {
      arn,
      id: arn.slice(arn.lastIndexOf('/') + 1),
      ...optional('definitionArn', definitionArn),
      ...optional('launchType', launchType?.toUpperCase()),
      ...optional('group', group),
      ...optional('serviceName', serviceName),
      ...optional('startedBy', startedBy),
      ...optional('startedAt', startedAt),
      tags: tagsAt(taskDetails.tags, `${base}.tags`),
    };
    containers = arrayAt(taskDetails.containers ?? [], `${base}.containers`).map((raw, i) => {
      const c = objectAt(raw, `${base}.containers[${i}]`);
      const image = stringAt(c.image, `${base}.containers[${i}].image`);
      return { name: textOrUndefined(c.name) ?? `container-${i}`, image: parseImage(image) };
    });
  }
  const runtime = optionalObjectAt(service.runtimeDetails, 'detail.service.runtimeDetails');
  const processDetails = processInfo(runtime);
  const detectorId = optionalStringAt(
    service.detectorId,
    'detail.service.detectorId',
    /^[A-Za-z0-9-]{1,64}$/,
  );
  const eventId = typeof envelope.id === 'string' ? envelope.id.slice(0, 128) : findingId;
  return {
    kind: 'runtime',
    incidentId: findingId,
    findingId,
    ...optional('findingArn', optionalStringAt(detail.arn, 'detail.arn')),
    ...optional('detectorId', detectorId),
    type,
    ...optional('title', textOrUndefined(detail.title)),
    ...optional('description', textOrUndefined(detail.description)),
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
      tags: tagsAt(clusterDetails.tags, 'detail.resource.ecsClusterDetails.tags'),
    },
    hasTask: task !== undefined,
    ...(task ? { task } : {}),
    containers,
    ...(processDetails ? { process: processDetails } : {}),
    eventId,
    forced: isForced(envelope),
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
