/**
 * Service membership proven from the service side. A task's `group` (`service:NAME`) and `startedBy` are
 * written by whoever calls RunTask, so they only name a candidate: the task belongs to the service when
 * `ListTasks` with that `serviceName` lists it (docs/aws-behaviours.md). The candidate's description
 * (with its tags and runningCount) is read in the same round trip.
 */
import {
  DescribeServicesCommand,
  type ECSClient,
  ListTasksCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { awsErrorName } from '../core/errors';

/** ListTasks pages read per service (100 tasks a page): a service with more tasks is not proven. */
export const MEMBERSHIP_PAGES = 10;

export function serviceNameOfGroup(group: string | undefined): string | undefined {
  return group?.startsWith('service:') ? group.slice('service:'.length) : undefined;
}

/** The ARNs of the service's tasks in one desired status; undefined when the service does not exist. */
export async function serviceTaskArns(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
  desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING',
): Promise<Set<string> | undefined> {
  const arns = new Set<string>();
  let nextToken: string | undefined;
  let pages = 0;
  try {
    do {
      const out = await ecs.send(
        new ListTasksCommand({
          cluster,
          serviceName,
          desiredStatus,
          maxResults: 100,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      for (const arn of out.taskArns ?? []) arns.add(arn);
      nextToken = out.nextToken;
      pages += 1;
    } while (nextToken && pages < MEMBERSHIP_PAGES);
  } catch (err) {
    const name = awsErrorName(err);
    if (name === 'ServiceNotFoundException' || name === 'ClusterNotFoundException') return undefined;
    throw err;
  }
  return arns;
}

async function describeService(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
): Promise<Service | undefined> {
  try {
    const out = await ecs.send(
      new DescribeServicesCommand({ cluster, services: [serviceName], include: ['TAGS'] }),
    );
    return out.services?.[0];
  } catch (err) {
    const name = awsErrorName(err);
    if (name === 'ServiceNotFoundException' || name === 'ClusterNotFoundException') return undefined;
    throw err;
  }
}

/** A service described with its tags, and the ARNs of its tasks in one desired status. */
export interface ServiceCandidate {
  readonly service?: Service;
  readonly members?: ReadonlySet<string>;
}

/** Describes a candidate service and lists its tasks, in one round trip. */
export async function describeCandidate(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
  desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING',
): Promise<ServiceCandidate> {
  const [service, members] = await Promise.all([
    describeService(ecs, cluster, serviceName),
    serviceTaskArns(ecs, cluster, serviceName, desiredStatus),
  ]);
  return { ...(service ? { service } : {}), ...(members ? { members } : {}) };
}

export function desiredStatusOf(task: Task): 'RUNNING' | 'STOPPED' {
  return task.desiredStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING';
}

/**
 * The service that lists the task, described with its tags; undefined for a standalone task. A candidate
 * read ahead (from a hint such as the finding's group) is used only when it is the one the task's described
 * group names, in the same desired status.
 */
export async function describeServiceOfTask(
  ecs: ECSClient,
  cluster: string,
  task: Task,
  prefetched?: {
    readonly name: string;
    readonly status: string;
    readonly candidate: Promise<ServiceCandidate>;
  },
): Promise<Service | undefined> {
  const name = serviceNameOfGroup(task.group);
  if (!name || !task.taskArn) return undefined;
  const status = desiredStatusOf(task);
  const candidate =
    prefetched && prefetched.name === name && prefetched.status === status
      ? await prefetched.candidate
      : await describeCandidate(ecs, cluster, name, status);
  return candidate.service?.serviceName && candidate.members?.has(task.taskArn)
    ? candidate.service
    : undefined;
}
