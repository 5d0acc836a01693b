/**
 * What ECS describes of a starting task for the image trust response: its containers (image and the digest
 * ECS resolved), status, tags, service (running count, tags) and cluster tags. The event only names the task.
 */
import { DescribeClustersCommand, DescribeTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { TrustTaskFacts } from '../core/signing/trust-response';
import { tagMap } from './enrich';
import { describeServiceOfTask } from './service-membership';

export interface TaskContainer {
  readonly name: string;
  readonly image: string;
  readonly digest?: string;
}

export interface DescribedTask {
  readonly facts: TrustTaskFacts;
  readonly containers: TaskContainer[];
  readonly found: boolean;
}

export async function describeTrustTask(
  ecs: ECSClient,
  taskArn: string,
  clusterArn: string,
): Promise<DescribedTask> {
  const clusterName = clusterArn.split('/').pop() ?? clusterArn;
  const [tasks, clusters] = await Promise.all([
    ecs.send(new DescribeTasksCommand({ cluster: clusterArn, tasks: [taskArn], include: ['TAGS'] })),
    ecs.send(new DescribeClustersCommand({ clusters: [clusterArn], include: ['TAGS'] })),
  ]);
  const task = tasks.tasks?.[0];
  const clusterTags = tagMap(clusters.clusters?.[0]?.tags);
  if (!task) {
    return {
      found: false,
      containers: [],
      facts: { taskArn, clusterArn, clusterName, taskTags: {}, clusterTags },
    };
  }
  // The task's group is set by whoever called RunTask: the service counts only when it lists the task.
  const service = await describeServiceOfTask(ecs, clusterArn, task);
  return {
    found: true,
    containers: (task.containers ?? []).map((c) => ({
      name: c.name ?? 'unknown',
      image: c.image ?? 'unknown',
      ...(c.imageDigest ? { digest: c.imageDigest } : {}),
    })),
    facts: {
      taskArn,
      clusterArn,
      clusterName,
      ...(task.lastStatus ? { lastStatus: task.lastStatus } : {}),
      ...(task.desiredStatus ? { desiredStatus: task.desiredStatus } : {}),
      taskTags: tagMap(task.tags),
      clusterTags,
      ...(service?.serviceName
        ? {
            service: {
              name: service.serviceName,
              ...(service.serviceArn ? { arn: service.serviceArn } : {}),
              runningCount: service.runningCount ?? 0,
              tags: tagMap(service.tags),
            },
          }
        : {}),
    },
  };
}
