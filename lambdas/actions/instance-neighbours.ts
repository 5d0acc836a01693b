/**
 * The other tasks on a container instance, as ECS describes them, and what quarantining the instance would
 * do to each. Draining stops the RUNNING tasks of services and starts their replacements elsewhere; tasks
 * that belong to no service are not affected by the drain and keep running on the instance, now cut off by
 * the quarantine group (docs/aws-behaviours.md, DRAINING). The instance is quarantined only when no other
 * task is exempt or guarded; service membership is proven from the service side (ListTasks with
 * serviceName), never from the task's `group`, which whoever calls RunTask sets.
 */
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { awsErrorName } from '../core/errors';
import { isExemptValue } from '../core/policy';

/** Pages of 100 task ARNs read at most, per listing. */
export const TASK_PAGE_BUDGET = 10;

export interface NeighbourSettings {
  readonly exemptTagKey: string;
  readonly minHealthyTasks: number;
}

export interface Neighbours {
  /** Why the instance must not be quarantined (an exempt or guarded task, an incomplete listing). */
  readonly blockers: string[];
  /** Other tasks of services: the drain replaces them elsewhere. */
  readonly rescheduled: string[];
  /** Other tasks of no service: they keep running on the instance, cut off, and are not replaced. */
  readonly notRescheduled: string[];
}

async function listTaskArns(
  ecs: ECSClient,
  cluster: string,
  filter: { containerInstance: string } | { serviceName: string },
): Promise<string[] | undefined> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    if (pages >= TASK_PAGE_BUDGET) return undefined;
    pages += 1;
    const out = await ecs.send(
      new ListTasksCommand({
        cluster,
        ...filter,
        desiredStatus: 'RUNNING',
        maxResults: 100,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    arns.push(...(out.taskArns ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return arns;
}

function tagValue(tags: Task['tags'], key: string): string | undefined {
  return tags?.find((t) => t.key === key)?.value;
}

async function describeTasks(ecs: ECSClient, cluster: string, arns: string[]): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let start = 0; start < arns.length; start += 100) {
    const out = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: arns.slice(start, start + 100), include: ['TAGS'] }),
    );
    tasks.push(...(out.tasks ?? []));
  }
  return tasks;
}

const shortId = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

async function classify(
  ecs: ECSClient,
  cluster: string,
  others: Task[],
  settings: NeighbourSettings,
): Promise<Neighbours> {
  const blockers: string[] = [];
  const rescheduled: string[] = [];
  const notRescheduled: string[] = [];
  const key = settings.exemptTagKey;
  // A task tag is honoured here although anyone who runs the task sets it: it can only keep the instance
  // out of quarantine, never put one in.
  for (const task of others) {
    if (isExemptValue(tagValue(task.tags, key)))
      blockers.push(`task ${shortId(task.taskArn ?? '?')} on the instance is tagged ${key}=true`);
  }
  const claimed = [
    ...new Set(
      others.flatMap((t) => (t.group?.startsWith('service:') ? [t.group.slice('service:'.length)] : [])),
    ),
  ];
  const members = new Set<string>();
  for (let start = 0; start < claimed.length; start += 10) {
    const out = await ecs.send(
      new DescribeServicesCommand({ cluster, services: claimed.slice(start, start + 10), include: ['TAGS'] }),
    );
    for (const service of out.services ?? []) {
      const name = service.serviceName ?? '?';
      if (service.status === 'INACTIVE') continue;
      const arns = await listTaskArns(ecs, cluster, { serviceName: name });
      if (!arns) {
        blockers.push(`the tasks of service ${name} could not all be listed`);
        continue;
      }
      const onInstance = others.filter((t) => t.taskArn && arns.includes(t.taskArn));
      if (onInstance.length === 0) continue;
      for (const t of onInstance) members.add(t.taskArn ?? '');
      if (isExemptValue(tagValue(service.tags, key)))
        blockers.push(
          `service ${name}, which runs ${onInstance.length} task(s) on the instance, is tagged ${key}=true`,
        );
      const guard = settings.minHealthyTasks;
      if (guard > 0 && (service.runningCount ?? 0) <= guard)
        blockers.push(
          `service ${name} has ${service.runningCount ?? 0} running task(s), at most minHealthyTasks=${guard}, and draining would move one of them`,
        );
    }
  }
  for (const task of others) {
    const arn = task.taskArn ?? '?';
    (members.has(arn) ? rescheduled : notRescheduled).push(arn);
  }
  return { blockers, rescheduled, notRescheduled };
}

/** The other RUNNING tasks on the container instance and what a quarantine of the instance would do to them. */
export async function instanceNeighbours(
  ecs: ECSClient,
  clusterArn: string,
  containerInstanceArn: string,
  taskArn: string | undefined,
  settings: NeighbourSettings,
): Promise<Neighbours> {
  try {
    const arns = await listTaskArns(ecs, clusterArn, { containerInstance: containerInstanceArn });
    if (!arns)
      return {
        blockers: [`more than ${TASK_PAGE_BUDGET * 100} tasks run on the instance`],
        rescheduled: [],
        notRescheduled: [],
      };
    const otherArns = arns.filter((arn) => shortId(arn) !== shortId(taskArn ?? ''));
    if (otherArns.length === 0) return { blockers: [], rescheduled: [], notRescheduled: [] };
    const others = (await describeTasks(ecs, clusterArn, otherArns)).filter(
      (t) => t.desiredStatus === 'RUNNING',
    );
    return await classify(ecs, clusterArn, others, settings);
  } catch (err) {
    return {
      blockers: [`the tasks on the instance could not be described (${awsErrorName(err)})`],
      rescheduled: [],
      notRescheduled: [],
    };
  }
}
