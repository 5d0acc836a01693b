/**
 * Enrichment of a runtime finding from ECS: the task (status, digests, ENI, container instance, tags),
 * its service and its cluster, described in parallel so the critical path pays one round trip.
 */
import {
  type Cluster,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { awsErrorName } from '../core/errors';
import type { RuntimeFinding } from '../core/finding';
import type { EnrichedContainer, TaskEnrichment } from '../core/policy';

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

async function describeService(ecs: ECSClient, finding: RuntimeFinding): Promise<Service | undefined> {
  const name = finding.task?.serviceName;
  if (!name) return undefined;
  const out = await ecs.send(
    new DescribeServicesCommand({ cluster: finding.cluster.arn, services: [name], include: ['TAGS'] }),
  );
  return out.services?.[0];
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
export async function enrichRuntimeFinding(
  ecs: ECSClient,
  finding: RuntimeFinding,
): Promise<TaskEnrichment | undefined> {
  const taskArn = finding.task?.arn;
  // Sample findings name placeholder resources: nothing to describe.
  if (!taskArn || finding.sample) return undefined;
  const [task, service, cluster] = await Promise.all([
    unlessMissing(describeTask(ecs, finding, taskArn)),
    unlessMissing(describeService(ecs, finding)),
    unlessMissing(describeCluster(ecs, finding)),
  ]);
  const clusterTags = { ...finding.cluster.tags, ...tagMap(cluster?.tags) };
  const serviceInfo = service?.serviceName
    ? {
        service: {
          name: service.serviceName,
          ...(service.serviceArn ? { arn: service.serviceArn } : {}),
          runningCount: service.runningCount ?? 0,
          desiredCount: service.desiredCount ?? 0,
          tags: tagMap(service.tags),
        },
      }
    : {};
  if (!task) {
    return {
      found: false,
      networkMode: 'unknown',
      containers: [],
      taskTags: {},
      clusterTags,
      ...serviceInfo,
    };
  }
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
    containers: containers(task),
    taskTags: tagMap(task.tags),
    clusterTags,
    ...serviceInfo,
  };
}
