/**
 * Who else runs the same image: running ECS tasks whose containers use a given digest. Bounded, because
 * a large account must not turn one finding into thousands of API calls.
 */
import {
  DescribeTasksCommand,
  type ECSClient,
  ListClustersCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import type { BlastRadius, ExposedTask } from '../core/outcome';

export interface ExposureQuery {
  readonly digests: readonly string[];
  /** Clusters to scan; all clusters of the account when omitted. */
  readonly clusters?: readonly string[];
  /** Tasks to leave out (the task the finding is about). */
  readonly excludeTaskArns?: readonly string[];
  /** Upper bound on tasks described. */
  readonly maxTasks?: number;
}

const DESCRIBE_BATCH = 100;
export const DEFAULT_MAX_TASKS = 1000;

async function listClusters(ecs: ECSClient): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ecs.send(
      new ListClustersCommand({ ...(nextToken ? { nextToken } : {}), maxResults: 100 }),
    );
    arns.push(...(out.clusterArns ?? []));
    nextToken = out.nextToken;
  } while (nextToken && arns.length < 1000);
  return arns;
}

export async function findTasksRunningImage(ecs: ECSClient, query: ExposureQuery): Promise<BlastRadius> {
  const digests = new Set(query.digests);
  const exclude = new Set(query.excludeTaskArns ?? []);
  const maxTasks = query.maxTasks ?? DEFAULT_MAX_TASKS;
  const tasks: ExposedTask[] = [];
  let scanned = 0;
  let truncated = false;
  if (digests.size === 0) return { tasks, scannedTasks: 0, truncated };
  const clusters = query.clusters ?? (await listClusters(ecs));
  for (const [index, cluster] of clusters.entries()) {
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(
        new ListTasksCommand({
          cluster,
          desiredStatus: 'RUNNING',
          maxResults: DESCRIBE_BATCH,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      nextToken = page.nextToken;
      const candidates = (page.taskArns ?? []).filter((arn) => !exclude.has(arn));
      const arns = candidates.slice(0, maxTasks - scanned);
      if (arns.length > 0) {
        const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
        scanned += arns.length;
        for (const task of described.tasks ?? []) {
          const match = task.containers?.find((c) => c.imageDigest && digests.has(c.imageDigest));
          if (!match || !task.taskArn) continue;
          tasks.push({
            taskArn: task.taskArn,
            clusterArn: task.clusterArn ?? cluster,
            ...(task.group?.startsWith('service:')
              ? { serviceName: task.group.slice('service:'.length) }
              : {}),
            image: match.image ?? 'unknown',
            ...(match.imageDigest ? { digest: match.imageDigest } : {}),
          });
        }
      }
      // Out of budget with tasks left unseen (this page, the next page, or another cluster): say so.
      if (
        scanned >= maxTasks &&
        (arns.length < candidates.length || nextToken || index < clusters.length - 1)
      ) {
        truncated = true;
        return { tasks, scannedTasks: scanned, truncated };
      }
    } while (nextToken);
  }
  return { tasks, scannedTasks: scanned, truncated };
}
