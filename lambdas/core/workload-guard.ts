/**
 * Who may be touched, decided from what AWS describes. One pure verdict for a task, its service and its
 * cluster, shared by every workflow (runtime response, blast radius, Inspector stops): protected (by the
 * configuration), exempt (by a tag an attacker cannot set), or allowed.
 *
 * Nothing here reads a finding. A task's `group` and `startedBy` are written by whoever calls RunTask, and
 * its tags by whoever runs or tags it (an attacker holding the task's role included), so:
 * - the service is passed in only when the service itself lists the task (ListTasks with serviceName);
 * - a task tag exempts only when the configuration declares the tag key guarded (`exemptTaskTagGuarded`,
 *   with the IAM/SCP condition on `aws:TagKeys`/`aws:RequestTag` the README documents).
 */

export interface GuardSettings {
  readonly exemptTagKey: string;
  /** Cluster names or ARNs never acted on. */
  readonly protectedClusters: readonly string[];
  /** Services never acted on: `name`, `cluster/name` or the service ARN. */
  readonly protectedServices: readonly string[];
  /** Task-level exemption tags are honoured only when an IAM/SCP guard on the key is declared. */
  readonly exemptTaskTagGuarded: boolean;
}

export interface DescribedService {
  readonly name: string;
  readonly arn?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** A task as AWS describes it: its cluster, the service that lists it (if any), and the tags. */
export interface DescribedWorkload {
  readonly clusterArn: string;
  readonly clusterTags: Readonly<Record<string, string>>;
  /** Present only when the service lists the task (membership proven from the service side). */
  readonly service?: DescribedService;
  readonly taskTags: Readonly<Record<string, string>>;
}

export type VerdictKind = 'protected' | 'exempt' | 'allowed';

export interface WorkloadVerdict {
  readonly kind: VerdictKind;
  /** Why, for protected and exempt. */
  readonly reason?: string;
}

export function isExemptValue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

export function clusterNameOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function isProtectedService(settings: GuardSettings, clusterArn: string, service: DescribedService): boolean {
  const cluster = clusterNameOfArn(clusterArn);
  return settings.protectedServices.some(
    (s) => s === service.name || s === `${cluster}/${service.name}` || s === service.arn,
  );
}

/** The verdict for one task. Protection (configuration) comes first, then exemption (tags). */
export function workloadVerdict(workload: DescribedWorkload, settings: GuardSettings): WorkloadVerdict {
  const cluster = clusterNameOfArn(workload.clusterArn);
  const key = settings.exemptTagKey;
  if (settings.protectedClusters.some((c) => c === cluster || c === workload.clusterArn)) {
    return { kind: 'protected', reason: `cluster ${cluster} is in protectedClusters` };
  }
  const { service } = workload;
  if (service && isProtectedService(settings, workload.clusterArn, service)) {
    return { kind: 'protected', reason: `service ${service.name} is in protectedServices` };
  }
  if (service && isExemptValue(service.tags[key])) {
    return { kind: 'exempt', reason: `service ${service.name} is tagged ${key}=true` };
  }
  if (isExemptValue(workload.clusterTags[key])) {
    return { kind: 'exempt', reason: `cluster ${cluster} is tagged ${key}=true` };
  }
  if (isExemptValue(workload.taskTags[key])) {
    if (settings.exemptTaskTagGuarded) return { kind: 'exempt', reason: `the task is tagged ${key}=true` };
  }
  return { kind: 'allowed' };
}

/**
 * A task tag that would have exempted the task were the key guarded: said in the notification, since
 * whoever set it expected an exemption.
 */
export function unguardedTaskExemption(
  workload: DescribedWorkload,
  settings: GuardSettings,
): string | undefined {
  const key = settings.exemptTagKey;
  if (settings.exemptTaskTagGuarded || !isExemptValue(workload.taskTags[key])) return undefined;
  return `the task is tagged ${key}=true, but task tags exempt only with exemptTaskTagGuarded (anyone who runs or tags the task can set them): not exempt`;
}

/**
 * How many of a service's running tasks may be stopped while keeping `minHealthyTasks` running: the
 * count comes from the described service, never from a finding.
 */
export function stoppableTasks(runningCount: number, minHealthyTasks: number): number {
  if (minHealthyTasks <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, runningCount - minHealthyTasks);
}
