/**
 * Image quarantine in ECR, shared by both workflows and undone by `release`. IAM cannot deny pulls of one
 * digest, so the quarantine (1) moves every tag of the digest to a quarantine tag, so deployments by tag
 * stop resolving to it, adding the new tag before deleting old ones because deleting an image's last tag
 * deletes the image, and (2) moves the digest to the ARCHIVE storage class, so it cannot be pulled at all,
 * not even by digest: a replacement task cannot start from it.
 */
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  type ImageDetail,
  type ImageIdentifier,
  PutImageCommand,
  UpdateImageStorageClassCommand,
} from '@aws-sdk/client-ecr';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ImageQuarantineStrategy } from '../../definitions/config';
import { ActionFailedError, awsErrorName, errorMessage } from '../core/errors';
import type { QuarantinedImage, QuarantineResult } from '../core/outcome';
import type { QuarantineTarget } from '../core/policy';
import { evidenceKey, putOriginalState } from './evidence';

export interface QuarantineDeps {
  readonly ecr: ECRClient;
  readonly s3: S3Client;
  readonly evidenceBucket: string;
}

export interface QuarantineRequest {
  readonly incidentId: string;
  readonly strategy: ImageQuarantineStrategy;
  readonly quarantineTag: string;
  readonly targets: readonly QuarantineTarget[];
}

/** Saved before any change so `release` can move the tags back and restore the storage class. */
export interface QuarantineRecord {
  readonly repository: string;
  readonly registryId: string;
  readonly digest: string;
  readonly originalTags: string[];
  readonly quarantineTag: string;
  readonly imageStatusBefore?: string;
  readonly tagMutability?: string;
}

export const QUARANTINE_EVIDENCE_PREFIX = 'quarantine/';

/** One quarantine tag per digest: two images of one incident in one repository must not collide. */
export function quarantineTagForDigest(prefix: string, digest: string): string {
  return `${prefix}-${digest.replace('sha256:', '').slice(0, 12)}`;
}

function isQuarantineTag(tag: string): boolean {
  return tag.startsWith('quarantine-');
}

async function quarantineOne(
  deps: QuarantineDeps,
  request: QuarantineRequest,
  target: QuarantineTarget,
): Promise<QuarantinedImage> {
  const { ecr } = deps;
  const base = { repository: target.repository, registryId: target.registryId };
  if (!target.digest) {
    // A tag may point at another build by now: quarantining by tag could archive the wrong image.
    return {
      ...base,
      status: 'not-possible',
      movedTags: [],
      archived: false,
      reason: 'the image digest is unknown',
    };
  }
  const imageId: ImageIdentifier = { imageDigest: target.digest };
  let detail: ImageDetail | undefined;
  try {
    const described = await ecr.send(
      new DescribeImagesCommand({
        registryId: target.registryId,
        repositoryName: target.repository,
        imageIds: [imageId],
      }),
    );
    detail = described.imageDetails?.[0];
  } catch (err) {
    if (
      awsErrorName(err) === 'ImageNotFoundException' ||
      awsErrorName(err) === 'RepositoryNotFoundException'
    ) {
      return {
        ...base,
        ...(target.digest ? { digest: target.digest } : {}),
        status: 'not-possible',
        movedTags: [],
        archived: false,
        reason: errorMessage(err),
      };
    }
    throw err;
  }
  const digest = detail?.imageDigest ?? target.digest;
  if (!detail || !digest) {
    return {
      ...base,
      status: 'not-possible',
      movedTags: [],
      archived: false,
      reason: 'image not found in the repository',
    };
  }
  const tags = detail.imageTags ?? [];
  const quarantineTag = quarantineTagForDigest(request.quarantineTag, digest);
  const repo = await ecr.send(
    new DescribeRepositoriesCommand({ registryId: target.registryId, repositoryNames: [target.repository] }),
  );
  const record: QuarantineRecord = {
    ...base,
    digest,
    originalTags: tags.filter((t) => !isQuarantineTag(t)),
    quarantineTag,
    ...(detail.imageStatus ? { imageStatusBefore: detail.imageStatus } : {}),
    ...(repo.repositories?.[0]?.imageTagMutability
      ? { tagMutability: repo.repositories[0].imageTagMutability }
      : {}),
  };
  await putOriginalState(
    deps.s3,
    deps.evidenceBucket,
    evidenceKey(
      request.incidentId,
      `${QUARANTINE_EVIDENCE_PREFIX}${target.repository.replace(/\//g, '_')}/${digest}.json`,
    ),
    record,
  );

  const movedTags: { from: string; to: string }[] = [];
  const notes: string[] = [];
  const alreadyArchived = detail.imageStatus === 'ARCHIVED';
  if ((request.strategy === 'retag' || request.strategy === 'both') && !alreadyArchived) {
    if (!(await addTag(ecr, target, digest, quarantineTag))) {
      const again = await ecr.send(
        new DescribeImagesCommand({
          registryId: target.registryId,
          repositoryName: target.repository,
          imageIds: [{ imageDigest: digest }],
        }),
      );
      if (again.imageDetails?.[0]?.imageStatus !== 'ARCHIVED') {
        throw new ActionFailedError(
          'QuarantineImage',
          `the manifest of ${target.repository}@${digest} could not be read`,
        );
      }
      return {
        ...base,
        digest,
        status: 'already-done',
        movedTags: [],
        archived: true,
        reason: 'archived by a concurrent response',
      };
    }
    const toDelete = record.originalTags;
    if (toDelete.length > 0) {
      try {
        const out = await ecr.send(
          new BatchDeleteImageCommand({
            registryId: target.registryId,
            repositoryName: target.repository,
            imageIds: toDelete.map((imageTag) => ({ imageTag })),
          }),
        );
        const failed = new Set((out.failures ?? []).map((f) => f.imageId?.imageTag));
        for (const tag of toDelete) if (!failed.has(tag)) movedTags.push({ from: tag, to: quarantineTag });
        if (failed.size > 0) notes.push(`tags not removed: ${[...failed].join(', ')}`);
      } catch (err) {
        // Some immutable repositories refuse tag deletion: the archive below still blocks pulls.
        notes.push(`old tags kept (${awsErrorName(err)}: ${errorMessage(err)})`);
      }
    }
  }
  let archived = alreadyArchived;
  if ((request.strategy === 'archive' || request.strategy === 'both') && !alreadyArchived) {
    await ecr.send(
      new UpdateImageStorageClassCommand({
        registryId: target.registryId,
        repositoryName: target.repository,
        imageId: { imageDigest: digest },
        targetStorageClass: 'ARCHIVE',
      }),
    );
    archived = true;
  }
  const status = alreadyArchived && movedTags.length === 0 ? 'already-done' : 'done';
  return {
    ...base,
    digest,
    status,
    movedTags,
    archived,
    ...(notes.length > 0 ? { reason: notes.join('; ') } : {}),
  };
}

/** Adds `tag` to the digest; false when the manifest cannot be read. */
async function addTag(
  ecr: ECRClient,
  target: QuarantineTarget,
  digest: string,
  tag: string,
): Promise<boolean> {
  const got = await ecr.send(
    new BatchGetImageCommand({
      registryId: target.registryId,
      repositoryName: target.repository,
      imageIds: [{ imageDigest: digest }],
      acceptedMediaTypes: [
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.oci.image.index.v1+json',
      ],
    }),
  );
  const image = got.images?.[0];
  // An archived image has no readable manifest: another response archived it meanwhile.
  if (!image?.imageManifest) return false;
  try {
    await ecr.send(
      new PutImageCommand({
        registryId: target.registryId,
        repositoryName: target.repository,
        imageManifest: image.imageManifest,
        ...(image.imageManifestMediaType ? { imageManifestMediaType: image.imageManifestMediaType } : {}),
        imageTag: tag,
        imageDigest: digest,
      }),
    );
  } catch (err) {
    // A retried step finds the tag already in place: that is success.
    if (awsErrorName(err) !== 'ImageAlreadyExistsException') throw err;
  }
  return true;
}

export async function quarantineImages(
  deps: QuarantineDeps,
  request: QuarantineRequest,
): Promise<QuarantineResult> {
  if (request.strategy === 'none') return { status: 'skipped', images: [] };
  const images: QuarantinedImage[] = [];
  for (const target of request.targets) images.push(await quarantineOne(deps, request, target));
  const statuses = new Set(images.map((i) => i.status));
  const status = statuses.has('done')
    ? 'done'
    : statuses.has('already-done')
      ? 'already-done'
      : images.length
        ? 'not-possible'
        : 'skipped';
  return { status, images };
}
