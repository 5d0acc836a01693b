/**
 * Enrichment of a runtime finding from ECS: the task (status, digests, ENI, container instance, tags) and
 * its cluster, described in parallel, then the service that lists the task. The finding's `group` names
 * nothing: the service is the one ECS describes the task's group as, and only if that service's own task
 * list holds the task (a RunTask caller can write any group). Where the finding disagrees, it is reported.
 */
import {
  type Cluster,
  DescribeClustersCommand,
  DescribeTasksCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { awsErrorName } from '../core/errors';
import type { RuntimeFinding } from '../core/finding';
import type { EnrichedContainer, TaskEnrichment } from '../core/policy';
import { describeCandidate, describeServiceOfTask, serviceNameOfGroup } from './service-membership';

type TagList = { key?: string; value?: string }[] | undefined;

export function tagMap(tags: TagList): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.key) map[tag.key] = tag.value ?? '';
  return map;
}

function eniDetails(task: Task): { eniId?: string; subnetId?: string; privateIp?: string } {
  const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
  const detail = (name: string) => eni?.details?.find((d) => d.name === name)?.value;
  const eniId = detail('networkInterfaceId');
  const subnetId = detail('subnetId');
  const privateIp = detail('privateIPv4Address');
  return {
    ...(eniId ? { eniId } : {}),
    ...(subnetId ? { subnetId } : {}),
    ...(privateIp ? { privateIp } : {}),
  };
}

/** awsvpc tasks carry an ENI attachment; EC2 tasks without one run in bridge or host mode. */
function networkMode(task: Task, hasEni: boolean): TaskEnrichment['networkMode'] {
  if (hasEni) return 'awsvpc';
  if (task.launchType === 'EC2' || task.containerInstanceArn) return 'bridge';
  return 'unknown';
}

function containers(task: Task): EnrichedContainer[] {
  return (task.containers ?? []).map((c) => ({
    name: c.name ?? 'unknown',
    image: c.image ?? 'unknown',
    ...(c.imageDigest ? { digest: c.imageDigest } : {}),
  }));
}

async function describeTask(
  ecs: ECSClient,
  finding: RuntimeFinding,
  taskArn: string,
): Promise<Task | undefined> {
  const out = await ecs.send(
    new DescribeTasksCommand({ cluster: finding.cluster.arn, tasks: [taskArn], include: ['TAGS'] }),
  );
  return out.tasks?.[0];
}

async function describeCluster(ecs: ECSClient, finding: RuntimeFinding): Promise<Cluster | undefined> {
  const out = await ecs.send(
    new DescribeClustersCommand({ clusters: [finding.cluster.arn], include: ['TAGS'] }),
  );
  return out.clusters?.[0];
}

/** A cluster or service that no longer exists (or never did: sample findings) is described as absent. */
async function unlessMissing<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    const name = awsErrorName(err);
    if (name === 'ClusterNotFoundException' || name === 'ServiceNotFoundException') return undefined;
    throw err;
  }
}

/**
 * Describes the task named by the finding. A task that is gone or already stopped is recorded, not an
 * error: the workflow still notifies and may still quarantine the image.
 */
/** What the finding says that ECS describes otherwise. */
function disagreements(finding: RuntimeFinding, task: Task, member: boolean): string[] {
  const notes: string[] = [];
  const said = finding.task?.group;
  const described = task.group;
  if (said !== undefined && described !== undefined && said !== described) {
    notes.push(
      `the finding names task group ${said} but ECS describes ${described}: handled as ${described}`,
    );
  } else if (said === undefined && described?.startsWith('service:')) {
    notes.push(`the finding names no task group but ECS describes ${described}: handled as ${described}`);
  }
  const claimed = serviceNameOfGroup(described);
  if (claimed !== undefined && !member) {
    notes.push(
      `the task's group names service ${claimed}, but that service does not list the task: handled as a standalone task`,
    );
  }
  return notes;
}

/**
 * Describes the task named by the finding. A task that is gone or already stopped is recorded, not an
 * error: the workflow still notifies.
 */
export async function enrichRuntimeFinding(
  ecs: ECSClient,
  finding: RuntimeFinding,
): Promise<TaskEnrichment | undefined> {
  const taskArn = finding.task?.arn;
  // Sample findings name placeholder resources: nothing to describe.
  if (!taskArn || finding.sample) return undefined;
  // The finding's group is only a hint: its service is read ahead, in the same round trip as the task,
  // and used only if the task ECS describes is in that group and listed by that service.
  const hinted = finding.task?.serviceName;
  const prefetched = hinted
    ? { name: hinted, status: 'RUNNING', candidate: describeCandidate(ecs, finding.cluster.arn, hinted) }
    : undefined;
  // An unused read-ahead must not fail the step: its errors count only when it is used.
  prefetched?.candidate.catch(() => undefined);
  const [task, cluster] = await Promise.all([
    unlessMissing(describeTask(ecs, finding, taskArn)),
    unlessMissing(describeCluster(ecs, finding)),
  ]);
  // Only what ECS describes: the finding's cluster tags are written by whoever produced the event.
  const clusterTags = tagMap(cluster?.tags);
  const base = { clusterArn: finding.cluster.arn, clusterTags };
  if (!task) {
    return { found: false, networkMode: 'unknown', containers: [], taskTags: {}, ...base };
  }
  const service = await describeServiceOfTask(ecs, finding.cluster.arn, task, prefetched);
  const serviceInfo = service
    ? {
        service: {
          name: service.serviceName ?? '',
          ...(service.serviceArn ? { arn: service.serviceArn } : {}),
          runningCount: service.runningCount ?? 0,
          desiredCount: service.desiredCount ?? 0,
          tags: tagMap(service.tags),
        },
      }
    : {};
  const notes = disagreements(finding, task, service !== undefined);
  const eni = eniDetails(task);
  return {
    found: true,
    ...(task.lastStatus ? { lastStatus: task.lastStatus } : {}),
    ...(task.desiredStatus ? { desiredStatus: task.desiredStatus } : {}),
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    ...(task.launchType ? { launchType: task.launchType } : {}),
    networkMode: networkMode(task, eni.eniId !== undefined),
    ...eni,
    ...(task.containerInstanceArn ? { containerInstanceArn: task.containerInstanceArn } : {}),
    ...(task.taskDefinitionArn ? { taskDefinitionArn: task.taskDefinitionArn } : {}),
    ...(task.group ? { group: task.group } : {}),
    containers: containers(task),
    taskTags: tagMap(task.tags),
    ...base,
    ...serviceInfo,
    ...(notes.length > 0 ? { discrepancies: notes } : {}),
  };
}
