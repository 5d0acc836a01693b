/**
 * Today's inventory of the account, read with Describe/List calls only, as the scenario the replay sandbox
 * is provisioned from (local/provision.ts): clusters, running and recently stopped tasks with their tags,
 * containers and security groups, their services, and the ECR repositories and images the findings and
 * tasks refer to. What it cannot tell about the past is reported by `reconstructionLabels`.
 */
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ListTagsForResourceCommand as ListEcrTagsCommand,
} from '@aws-sdk/client-ecr';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { awsErrorName } from '../../lambdas/core/errors';
import { parseImage } from '../../lambdas/core/image';
import type { Scenario, ScenarioTask } from '../provision';
import type { Progress, PulledFinding } from './pull';
import type { SourceClients } from './source';

type Tags = Record<string, string>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface Inventory {
  readonly scenario: Scenario;
  /** Task ARNs describable today, and those of them stopped since. */
  readonly tasks: ReadonlySet<string>;
  readonly stoppedTasks: ReadonlySet<string>;
  /** `repository@digest` of the images ECR still has. */
  readonly images: ReadonlySet<string>;
  readonly calls: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function tagMap(tags: readonly { key?: string; value?: string; Key?: string; Value?: string }[] = []): Tags {
  const out: Tags = {};
  for (const t of tags) {
    const key = t.key ?? t.Key;
    if (key) out[key] = t.value ?? t.Value ?? '';
  }
  return out;
}

const nameOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

/** Repositories (in this account and region) and digests the findings name. */
function referencedImages(findings: readonly PulledFinding[], accountId: string, region: string) {
  const repos = new Set<string>();
  for (const f of findings) {
    if (f.source === 'aws.inspector2') {
      for (const r of Array.isArray(f.detail.resources) ? f.detail.resources : []) {
        const image = isRecord(r) && isRecord(r.details) ? r.details.awsEcrContainerImage : undefined;
        if (isRecord(image) && typeof image.repositoryName === 'string') repos.add(image.repositoryName);
      }
    } else {
      const resource = isRecord(f.detail.resource) ? f.detail.resource : {};
      const cluster = isRecord(resource.ecsClusterDetails) ? resource.ecsClusterDetails : {};
      const task = isRecord(cluster.taskDetails) ? cluster.taskDetails : {};
      for (const c of Array.isArray(task.containers) ? task.containers : []) {
        if (!isRecord(c) || typeof c.image !== 'string') continue;
        const image = parseImage(c.image);
        if (image.ecr?.accountId === accountId && image.ecr.region === region) repos.add(image.repository);
      }
    }
  }
  return repos;
}

export async function readInventory(
  clients: SourceClients,
  findings: readonly PulledFinding[],
  account: { accountId: string; region: string },
  progress: Progress = () => {},
): Promise<Inventory> {
  let calls = 0;
  const send = <T>(p: Promise<T>): Promise<T> => {
    calls += 1;
    return p;
  };
  const scenario: Mutable<Scenario> = {
    autoProvision: true,
    clusters: [],
    services: [],
    tasks: [],
    repositories: [],
  };
  const tasks = new Set<string>();
  const stoppedTasks = new Set<string>();
  const images = new Set<string>();

  const clusterArns: string[] = [];
  let token: string | undefined;
  do {
    const page = await send(
      clients.ecs.send(new ListClustersCommand({ ...(token ? { nextToken: token } : {}) })),
    );
    clusterArns.push(...(page.clusterArns ?? []));
    token = page.nextToken;
  } while (token);
  const clusters: NonNullable<Scenario['clusters']>[number][] = [];
  for (const batch of chunks(clusterArns, 100)) {
    const out = await send(
      clients.ecs.send(new DescribeClustersCommand({ clusters: batch, include: ['TAGS'] })),
    );
    for (const c of out.clusters ?? [])
      if (c.clusterName) clusters.push({ name: c.clusterName, tags: tagMap(c.tags) });
  }
  scenario.clusters = clusters;

  const described: { cluster: string; task: Task }[] = [];
  for (const cluster of clusters) {
    for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
      const arns: string[] = [];
      let next: string | undefined;
      do {
        const page = await send(
          clients.ecs.send(
            new ListTasksCommand({
              cluster: cluster.name,
              desiredStatus,
              maxResults: 100,
              ...(next ? { nextToken: next } : {}),
            }),
          ),
        );
        arns.push(...(page.taskArns ?? []));
        next = page.nextToken;
      } while (next);
      for (const batch of chunks(arns, 100)) {
        const out = await send(
          clients.ecs.send(
            new DescribeTasksCommand({ cluster: cluster.name, tasks: batch, include: ['TAGS'] }),
          ),
        );
        for (const task of out.tasks ?? []) described.push({ cluster: cluster.name, task });
      }
    }
    progress(`inventory: ${described.length} task(s) in ${clusters.length} cluster(s)`);
  }

  // Security groups of the tasks' ENIs.
  const eniOf = (task: Task): string | undefined =>
    task.attachments
      ?.find((a) => a.type === 'ElasticNetworkInterface')
      ?.details?.find((d) => d.name === 'networkInterfaceId')?.value;
  const eniIds = described.flatMap(({ task }) => eniOf(task) ?? []);
  const groupsOfEni = new Map<string, string[]>();
  const describeEnis = async (ids: string[]): Promise<void> => {
    try {
      const out = await send(
        clients.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids })),
      );
      for (const eni of out.NetworkInterfaces ?? []) {
        if (eni.NetworkInterfaceId)
          groupsOfEni.set(
            eni.NetworkInterfaceId,
            (eni.Groups ?? []).flatMap((g) => g.GroupId ?? []),
          );
      }
    } catch (err) {
      // A stopped task's ENI is deleted, and one unknown id fails the whole call: then one by one, and
      // the groups of a deleted ENI are not known any more.
      if (awsErrorName(err) !== 'InvalidNetworkInterfaceID.NotFound') throw err;
      if (ids.length > 1) for (const id of ids) await describeEnis([id]);
    }
  };
  for (const batch of chunks(eniIds, 100)) await describeEnis(batch);

  const serviceKeys = new Map<string, string[]>();
  const scenarioTasks: ScenarioTask[] = [];
  for (const { cluster, task } of described) {
    if (!task.taskArn) continue;
    tasks.add(task.taskArn);
    if (task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED') stoppedTasks.add(task.taskArn);
    const service = task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
    if (service) serviceKeys.set(cluster, [...new Set([...(serviceKeys.get(cluster) ?? []), service])]);
    const eni = eniOf(task);
    const groups = eni ? groupsOfEni.get(eni) : undefined;
    scenarioTasks.push({
      cluster,
      taskArn: task.taskArn,
      ...(service ? { service } : {}),
      launchType: task.launchType === 'EC2' ? 'EC2' : 'FARGATE',
      networkMode: eni ? 'awsvpc' : task.launchType === 'EC2' ? 'bridge' : 'awsvpc',
      // Provisioned running: it was when the finding named it (a stopped one is labelled as reconstructed).
      containers: (task.containers ?? []).flatMap((c, i) =>
        c.image ? [{ name: c.name ?? `container-${i}`, image: c.image }] : [],
      ),
      ...(groups && groups.length > 0 ? { securityGroups: groups } : {}),
      tags: tagMap(task.tags),
    });
  }
  scenario.tasks = scenarioTasks;

  const services: NonNullable<Scenario['services']>[number][] = [];
  for (const [cluster, names] of serviceKeys) {
    for (const batch of chunks(names, 10)) {
      const out = await send(
        clients.ecs.send(new DescribeServicesCommand({ cluster, services: batch, include: ['TAGS'] })),
      );
      for (const s of out.services ?? []) {
        if (!s.serviceName) continue;
        services.push({
          cluster,
          name: s.serviceName,
          ...(s.desiredCount !== undefined ? { desiredCount: s.desiredCount } : {}),
          tags: tagMap(s.tags),
        });
      }
    }
  }
  scenario.services = services;

  const repoNames = referencedImages(findings, account.accountId, account.region);
  for (const { task } of described) {
    for (const c of task.containers ?? []) {
      const image = c.image ? parseImage(c.image) : undefined;
      if (image?.ecr?.accountId === account.accountId && image.ecr.region === account.region)
        repoNames.add(image.repository);
    }
  }
  const repositories: NonNullable<Scenario['repositories']>[number][] = [];
  for (const name of repoNames) {
    try {
      const out = await send(clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })));
      const repo = out.repositories?.[0];
      if (!repo?.repositoryArn) continue;
      const tags = await send(clients.ecr.send(new ListEcrTagsCommand({ resourceArn: repo.repositoryArn })));
      const repoImages: { tags: string[]; digest: string }[] = [];
      let next: string | undefined;
      do {
        const page = await send(
          clients.ecr.send(
            new DescribeImagesCommand({
              repositoryName: name,
              maxResults: 1000,
              ...(next ? { nextToken: next } : {}),
            }),
          ),
        );
        for (const image of page.imageDetails ?? []) {
          if (!image.imageDigest) continue;
          images.add(`${name}@${image.imageDigest}`);
          repoImages.push({ tags: image.imageTags ?? [], digest: image.imageDigest });
        }
        next = page.nextToken;
      } while (next);
      repositories.push({
        name,
        ...(repo.imageTagMutability ? { mutability: repo.imageTagMutability } : {}),
        tags: tagMap(tags.tags),
        images: repoImages,
      });
    } catch (err) {
      // Deleted since: its images are reconstructed from the findings.
      if (awsErrorName(err) !== 'RepositoryNotFoundException') throw err;
    }
  }
  scenario.repositories = repositories;
  progress(`inventory: ${repositories.length} repositor(ies), ${images.size} image(s)`);
  return { scenario, tasks, stoppedTasks, images, calls };
}

/** What the replay of one finding reconstructs, beyond the finding's own labels. */
export function reconstructionLabels(finding: PulledFinding, inventory: Inventory): string[] {
  const labels: string[] = [];
  if (finding.source === 'aws.guardduty') {
    const resource = isRecord(finding.detail.resource) ? finding.detail.resource : {};
    const cluster = isRecord(resource.ecsClusterDetails) ? resource.ecsClusterDetails : {};
    const task = isRecord(cluster.taskDetails) ? cluster.taskDetails : undefined;
    const arn = task && typeof task.arn === 'string' ? task.arn : undefined;
    if (arn && !inventory.tasks.has(arn)) {
      labels.push(`task ${nameOf(arn)} is no longer describable: reconstructed from the finding as running`);
    } else if (arn && inventory.stoppedTasks.has(arn)) {
      labels.push(
        `task ${nameOf(arn)} has stopped since: replayed as running, with the tags ECS still reports (StopTask deletes a task's tags)`,
      );
    }
  } else {
    for (const r of Array.isArray(finding.detail.resources) ? finding.detail.resources : []) {
      const image = isRecord(r) && isRecord(r.details) ? r.details.awsEcrContainerImage : undefined;
      if (!isRecord(image) || typeof image.repositoryName !== 'string' || typeof image.imageHash !== 'string')
        continue;
      if (!inventory.images.has(`${image.repositoryName}@${image.imageHash}`))
        labels.push(
          `image ${image.repositoryName}@${image.imageHash.slice(0, 19)} is no longer in ECR: reconstructed from the finding`,
        );
    }
  }
  return labels;
}
