/**
 * Who else runs the same image: running ECS tasks whose containers use a given digest, in every cluster of
 * the account unless told otherwise. Bounded, because a large account must not turn one finding into
 * thousands of API calls. With guard settings, each task found gets the verdict of the workload guard
 * (lambdas/core/workload-guard.ts): its service only when that service lists it, its cluster's and
 * service's tags as described.
 */
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListClustersCommand,
  ListTasksCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import type { BlastRadius, ExposedTask } from '../core/outcome';
import { type GuardSettings, workloadVerdict } from '../core/workload-guard';
import { tagMap } from './enrich';
import { serviceNameOfGroup, serviceTaskArns } from './service-membership';

export interface ExposureQuery {
  readonly digests: readonly string[];
  /** Clusters to scan; all clusters of the account when omitted. */
  readonly clusters?: readonly string[];
  /** Tasks to leave out (the task the finding is about). */
  readonly excludeTaskArns?: readonly string[];
  /** Upper bound on tasks described. */
  readonly maxTasks?: number;
  /** Give each task found its guard verdict (protected, exempt, allowed) and its proven service. */
  readonly guard?: GuardSettings;
}

const DESCRIBE_BATCH = 100;
export const DEFAULT_MAX_TASKS = 1000;

const MAX_CLUSTERS = 1000;

/** The account's clusters, at most MAX_CLUSTERS; `more` says clusters were left unlisted (the scan is then truncated). */
async function listClusters(ecs: ECSClient): Promise<{ arns: string[]; more: boolean }> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ecs.send(
      new ListClustersCommand({ ...(nextToken ? { nextToken } : {}), maxResults: 100 }),
    );
    arns.push(...(out.clusterArns ?? []));
    nextToken = out.nextToken;
  } while (nextToken && arns.length < MAX_CLUSTERS);
  return { arns, more: nextToken !== undefined };
}

interface ProvenService {
  readonly service: Service;
  readonly members: ReadonlySet<string>;
}

/** Cluster tags and proven services, each described once per scan. */
class WorkloadDescriber {
  private readonly clusterTags = new Map<string, Promise<Record<string, string>>>();
  private readonly services = new Map<string, Promise<ProvenService | undefined>>();

  constructor(
    private readonly ecs: ECSClient,
    private readonly guard: GuardSettings,
  ) {}

  private tagsOfCluster(cluster: string): Promise<Record<string, string>> {
    let tags = this.clusterTags.get(cluster);
    if (!tags) {
      tags = this.ecs
        .send(new DescribeClustersCommand({ clusters: [cluster], include: ['TAGS'] }))
        .then((out) => tagMap(out.clusters?.[0]?.tags));
      this.clusterTags.set(cluster, tags);
    }
    return tags;
  }

  private serviceOf(cluster: string, name: string): Promise<ProvenService | undefined> {
    const key = `${cluster}/${name}`;
    let found = this.services.get(key);
    if (!found) {
      found = Promise.all([
        this.ecs.send(new DescribeServicesCommand({ cluster, services: [name], include: ['TAGS'] })),
        serviceTaskArns(this.ecs, cluster, name),
      ]).then(([out, members]) => {
        const service = out.services?.[0];
        return service?.serviceName && members ? { service, members } : undefined;
      });
      this.services.set(key, found);
    }
    return found;
  }

  /** The task as the guard sees it: proven service, described tags, verdict. */
  async describe(task: Task, cluster: string): Promise<Partial<ExposedTask>> {
    const claimed = serviceNameOfGroup(task.group);
    const [clusterTags, proven] = await Promise.all([
      this.tagsOfCluster(cluster),
      claimed ? this.serviceOf(cluster, claimed) : Promise.resolve(undefined),
    ]);
    const member = proven && task.taskArn && proven.members.has(task.taskArn) ? proven.service : undefined;
    const service = member?.serviceName
      ? {
          name: member.serviceName,
          ...(member.serviceArn ? { arn: member.serviceArn } : {}),
          tags: tagMap(member.tags),
        }
      : undefined;
    const verdict = workloadVerdict(
      { clusterArn: cluster, clusterTags, ...(service ? { service } : {}), taskTags: tagMap(task.tags) },
      this.guard,
    );
    return {
      ...(service ? { serviceName: service.name } : {}),
      ...(member ? { serviceRunningCount: member.runningCount ?? 0 } : {}),
      verdict: verdict.kind,
      ...(verdict.reason ? { verdictReason: verdict.reason } : {}),
    };
  }
}

export async function findTasksRunningImage(ecs: ECSClient, query: ExposureQuery): Promise<BlastRadius> {
  const digests = new Set(query.digests);
  const exclude = new Set(query.excludeTaskArns ?? []);
  const maxTasks = query.maxTasks ?? DEFAULT_MAX_TASKS;
  const tasks: ExposedTask[] = [];
  let scanned = 0;
  let truncated = false;
  if (digests.size === 0) return { tasks, scannedTasks: 0, truncated };
  const listed = query.clusters ? { arns: query.clusters, more: false } : await listClusters(ecs);
  const clusters = listed.arns;
  // Clusters past the listing bound are unseen: who runs the digest there is unknown.
  if (listed.more) truncated = true;
  const describer = query.guard ? new WorkloadDescriber(ecs, query.guard) : undefined;
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
        const described = await ecs.send(
          new DescribeTasksCommand({ cluster, tasks: arns, ...(describer ? { include: ['TAGS'] } : {}) }),
        );
        scanned += arns.length;
        for (const task of described.tasks ?? []) {
          const match = task.containers?.find((c) => c.imageDigest && digests.has(c.imageDigest));
          if (!match || !task.taskArn) continue;
          const clusterArn = task.clusterArn ?? cluster;
          // Without guard settings the group is reported as it is (a RunTask caller may have written it).
          const workload = describer
            ? await describer.describe(task, clusterArn)
            : serviceNameOfGroup(task.group)
              ? { serviceName: serviceNameOfGroup(task.group) }
              : {};
          tasks.push({
            taskArn: task.taskArn,
            clusterArn,
            ...workload,
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
