/** Enrichment of an Inspector finding: the image in ECR, its repository, and the running tasks that use it. */
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  type ImageDetail,
  ListTagsForResourceCommand,
  type Repository,
} from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { awsErrorName } from '../core/errors';
import type { ImageEnrichment, VulnerabilityFinding } from '../core/vulnerability';
import type { GuardSettings } from '../core/workload-guard';
import { findTasksRunningImage } from './exposure';

async function describeImage(
  ecr: ECRClient,
  finding: VulnerabilityFinding,
): Promise<ImageDetail | undefined> {
  try {
    const out = await ecr.send(
      new DescribeImagesCommand({
        registryId: finding.image.registryId,
        repositoryName: finding.image.repository,
        imageIds: [{ imageDigest: finding.image.digest }],
        // An archived digest is described only when asked for (DescribeImagesFilter.imageStatus).
        filter: { imageStatus: 'ANY' },
      }),
    );
    return out.imageDetails?.[0];
  } catch (err) {
    const name = awsErrorName(err);
    if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException') return undefined;
    throw err;
  }
}

async function describeRepository(
  ecr: ECRClient,
  finding: VulnerabilityFinding,
): Promise<{ repository?: Repository; tags: Record<string, string> }> {
  try {
    const out = await ecr.send(
      new DescribeRepositoriesCommand({
        registryId: finding.image.registryId,
        repositoryNames: [finding.image.repository],
      }),
    );
    const repository = out.repositories?.[0];
    if (!repository?.repositoryArn) return { tags: {} };
    const tagged = await ecr.send(new ListTagsForResourceCommand({ resourceArn: repository.repositoryArn }));
    const tags: Record<string, string> = {};
    for (const tag of tagged.tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
    return { repository, tags };
  } catch (err) {
    if (awsErrorName(err) === 'RepositoryNotFoundException') return { tags: {} };
    throw err;
  }
}

export async function enrichVulnerableImage(
  deps: { ecr: ECRClient; ecs: ECSClient; maxTasks?: number; guard?: GuardSettings },
  finding: VulnerabilityFinding,
): Promise<ImageEnrichment> {
  const [image, repo, exposure] = await Promise.all([
    describeImage(deps.ecr, finding),
    describeRepository(deps.ecr, finding),
    findTasksRunningImage(deps.ecs, {
      digests: [finding.image.digest],
      ...(deps.maxTasks ? { maxTasks: deps.maxTasks } : {}),
      // Who runs the image, with the guard's verdict: it decides whether the image may be quarantined.
      ...(deps.guard ? { guard: deps.guard } : {}),
    }),
  ]);
  return {
    found: image !== undefined,
    ...(image?.imageStatus ? { imageStatus: image.imageStatus } : {}),
    tags: image?.imageTags ?? [],
    ...(image?.imagePushedAt ? { pushedAt: new Date(image.imagePushedAt).toISOString() } : {}),
    ...(image?.imageSizeInBytes !== undefined ? { sizeInBytes: image.imageSizeInBytes } : {}),
    ...(repo.repository?.imageTagMutability ? { tagMutability: repo.repository.imageTagMutability } : {}),
    repositoryTags: repo.tags,
    runningTasks: exposure.tasks,
    scannedTasks: exposure.scannedTasks,
    truncated: exposure.truncated,
  };
}
