/**
 * Image quarantine in ECR, shared by both workflows, and its undo. IAM cannot deny pulls of one
 * digest, so the quarantine (1) moves every tag of the digest to a quarantine tag, so deployments by tag
 * stop resolving to it, adding the new tag before deleting old ones because deleting an image's last tag
 * deletes the image, and (2) moves the digest to the ARCHIVE storage class, so it cannot be pulled at all,
 * not even by digest: a replacement task cannot start from it. The manifest is saved with the record before
 * any change, since an archived image cannot be read (BatchGetImage fails for it). The undo (restoreImage)
 * puts the storage class and the tags back from that record, and can be repeated.
 *
 * Every lookup by digest asks for any image status: DescribeImages answers for ACTIVE images only unless its
 * filter says otherwise (ECR model, `DescribeImagesFilter.imageStatus`).
 */
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  type Image,
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
import { failure, type ReleaseStep, type ReleaseStepStatus } from './release-step';

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

/** Saved before any change so restoreImage can move the tags back and restore the storage class. */
export interface QuarantineRecord {
  readonly repository: string;
  readonly registryId: string;
  readonly digest: string;
  readonly originalTags: string[];
  readonly quarantineTag: string;
  readonly imageStatusBefore?: string;
  readonly tagMutability?: string;
  /** The image manifest and its media type, read before archiving (absent if already archived then). */
  readonly manifest?: string;
  readonly manifestMediaType?: string;
  /** The registry account's member role (organization mode): the undo runs through it too. */
  readonly roleArn?: string;
}

export const QUARANTINE_EVIDENCE_PREFIX = 'quarantine/';

/** One quarantine tag per digest: two images of one incident in one repository must not collide. */
export function quarantineTagForDigest(prefix: string, digest: string): string {
  return `${prefix}-${digest.replace('sha256:', '').slice(0, 12)}`;
}

function isQuarantineTag(tag: string): boolean {
  return tag.startsWith('quarantine-');
}

/** The image, or its whole repository, was deleted. */
const GONE = new Set(['ImageNotFoundException', 'RepositoryNotFoundException']);
/** What BatchGetImage reports for an image it cannot return: archived images are one of these (which one is
 * not documented), so both are read as "cannot be read now". */
const UNREADABLE = new Set(['ImageNotFound', 'ImageInaccessible']);

/** Where an image lives. */
interface ImageHome {
  readonly registryId: string;
  readonly repository: string;
}

// The helpers below return the SDK's promise unwrapped, not through an async function of their own: the
// quarantine runs beside the isolation in one Parallel state, and an extra await would reorder their calls.

function describeImages(ecr: ECRClient, home: ImageHome, imageId: ImageIdentifier) {
  return ecr.send(
    new DescribeImagesCommand({
      registryId: home.registryId,
      repositoryName: home.repository,
      imageIds: [imageId],
      filter: { imageStatus: 'ANY' },
    }),
  );
}

// The manifest types accepted when a manifest is read to add a tag (quarantine) or put tags back (restore).
const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

type Manifest = Pick<Image, 'imageManifestMediaType'> & { readonly imageManifest: string };

/**
 * The digest's manifest; undefined when BatchGetImage cannot return it (an archived or restoring image is
 * reported as a failure, `ImageNotFound` or `ImageInaccessible`).
 */
async function readManifest(ecr: ECRClient, home: ImageHome, digest: string): Promise<Manifest | undefined> {
  const out = await ecr.send(
    new BatchGetImageCommand({
      registryId: home.registryId,
      repositoryName: home.repository,
      imageIds: [{ imageDigest: digest }],
      acceptedMediaTypes: MANIFEST_TYPES,
    }),
  );
  const image = out.images?.[0];
  if (image?.imageManifest) {
    return {
      imageManifest: image.imageManifest,
      ...(image.imageManifestMediaType ? { imageManifestMediaType: image.imageManifestMediaType } : {}),
    };
  }
  const failed = out.failures?.[0];
  if (failed && !UNREADABLE.has(failed.failureCode ?? '')) {
    throw new Error(`BatchGetImage failed: ${failed.failureCode}: ${failed.failureReason ?? ''}`);
  }
  return undefined;
}

/** Points `tag` at the digest by putting its manifest again under that tag. */
function putTag(ecr: ECRClient, home: ImageHome, image: Manifest, digest: string, tag: string) {
  return ecr.send(
    new PutImageCommand({
      registryId: home.registryId,
      repositoryName: home.repository,
      imageManifest: image.imageManifest,
      ...(image.imageManifestMediaType ? { imageManifestMediaType: image.imageManifestMediaType } : {}),
      imageTag: tag,
      imageDigest: digest,
    }),
  );
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
    detail = (await describeImages(ecr, target, imageId)).imageDetails?.[0];
  } catch (err) {
    if (GONE.has(awsErrorName(err))) {
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
  const alreadyArchived = detail.imageStatus === 'ARCHIVED';
  // Read while it still can be: an archived image's manifest cannot be read, and a release re-pushes it.
  const manifest = alreadyArchived ? undefined : await readManifest(ecr, target, digest);
  const record: QuarantineRecord = {
    ...base,
    ...(target.roleArn ? { roleArn: target.roleArn } : {}),
    digest,
    originalTags: tags.filter((t) => !isQuarantineTag(t)),
    quarantineTag,
    ...(detail.imageStatus ? { imageStatusBefore: detail.imageStatus } : {}),
    ...(repo.repositories?.[0]?.imageTagMutability
      ? { tagMutability: repo.repositories[0].imageTagMutability }
      : {}),
    ...(manifest
      ? {
          manifest: manifest.imageManifest,
          ...(manifest.imageManifestMediaType ? { manifestMediaType: manifest.imageManifestMediaType } : {}),
        }
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
  if ((request.strategy === 'retag' || request.strategy === 'both') && !alreadyArchived) {
    let tagManifest = manifest;
    if (!tagManifest) {
      // An archived image has no readable manifest: another response archived it meanwhile.
      const again = await describeImages(ecr, target, { imageDigest: digest });
      if (again.imageDetails?.[0]?.imageStatus === 'ARCHIVED') {
        return {
          ...base,
          digest,
          status: 'already-done',
          movedTags: [],
          archived: true,
          reason: 'archived by a concurrent response',
        };
      }
      // Restored meanwhile (a concurrent response re-pushed its tag, which un-archives): read it again.
      tagManifest = await readManifest(ecr, target, digest);
      if (!tagManifest) {
        throw new ActionFailedError(
          'QuarantineImage',
          `the manifest of ${target.repository}@${digest} could not be read`,
        );
      }
    }
    await addTag(ecr, target, tagManifest, digest, quarantineTag);
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
    archived = await archive(ecr, target, digest, notes);
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

/** Adds `tag` to the digest from its manifest. */
async function addTag(
  ecr: ECRClient,
  target: QuarantineTarget,
  manifest: Manifest,
  digest: string,
  tag: string,
): Promise<void> {
  try {
    await putTag(ecr, target, manifest, digest, tag);
  } catch (err) {
    // A retried step finds the tag already in place: that is success.
    if (awsErrorName(err) !== 'ImageAlreadyExistsException') throw err;
  }
}

/**
 * Moves the digest to the ARCHIVE storage class; whether it is archived now. ECR may refuse the change
 * (`ImageStorageClassUpdateNotSupportedException`, e.g. archived meanwhile): the tags moved above stay moved,
 * and the refusal is noted rather than failing the branch.
 */
async function archive(
  ecr: ECRClient,
  target: QuarantineTarget,
  digest: string,
  notes: string[],
): Promise<boolean> {
  try {
    await ecr.send(
      new UpdateImageStorageClassCommand({
        registryId: target.registryId,
        repositoryName: target.repository,
        imageId: { imageDigest: digest },
        targetStorageClass: 'ARCHIVE',
      }),
    );
    return true;
  } catch (err) {
    if (awsErrorName(err) !== 'ImageStorageClassUpdateNotSupportedException') throw err;
    const status = (await describeImages(ecr, target, { imageDigest: digest })).imageDetails?.[0]
      ?.imageStatus;
    if (status === 'ARCHIVED') return true;
    notes.push(`not archived (the image is ${status ?? 'unknown'}): ${errorMessage(err)}`);
    return false;
  }
}

export async function quarantineImages(
  deps: QuarantineDeps,
  request: QuarantineRequest,
): Promise<QuarantineResult> {
  if (request.strategy === 'none') return { status: 'skipped', images: [] };
  const images: QuarantinedImage[] = [];
  for (const target of request.targets) images.push(await quarantineOne(deps, request, target));
  return { status: quarantineStatus(images), images };
}

/** The quarantine's status from its images': done if any was, else already-done, not-possible, skipped. */
export function quarantineStatus(images: readonly QuarantinedImage[]): QuarantineResult['status'] {
  const statuses = new Set(images.map((i) => i.status));
  return statuses.has('done')
    ? 'done'
    : statuses.has('already-done')
      ? 'already-done'
      : images.length
        ? 'not-possible'
        : 'skipped';
}

// ---------------------------------------------------------------------------------------------------------
// The image: back to STANDARD, original tags back on the digest, quarantine tag removed.

/** The image as it is now; undefined when it, or its repository, no longer exists. */
async function describePresentImage(
  ecr: ECRClient,
  record: QuarantineRecord,
  imageId: ImageIdentifier,
): Promise<ImageDetail | undefined> {
  try {
    return (await describeImages(ecr, record, imageId)).imageDetails?.[0];
  } catch (err) {
    if (GONE.has(awsErrorName(err))) return undefined;
    throw err;
  }
}

/** The manifest to put tags back with: the one saved at quarantine time, else read (the image is ACTIVE). */
async function manifestOf(ecr: ECRClient, record: QuarantineRecord): Promise<Manifest> {
  if (record.manifest) {
    return {
      imageManifest: record.manifest,
      ...(record.manifestMediaType ? { imageManifestMediaType: record.manifestMediaType } : {}),
    };
  }
  const manifest = await readManifest(ecr, record, record.digest);
  if (!manifest) throw new Error(`the manifest of ${record.digest} could not be read`);
  return manifest;
}

/** Puts `tags` back on the digest, never moving a tag that now names another image (a newer build). */
async function restoreTags(
  ecr: ECRClient,
  record: QuarantineRecord,
  manifest: Manifest,
  tags: readonly string[],
  notes: string[],
) {
  const restored: string[] = [];
  for (const tag of tags) {
    const current = (await describePresentImage(ecr, record, { imageTag: tag }))?.imageDigest;
    if (current && current !== record.digest) {
      notes.push(`tag ${tag} now names ${current}: left there`);
      continue;
    }
    try {
      await putTag(ecr, record, manifest, record.digest, tag);
      restored.push(tag);
    } catch (err) {
      const name = awsErrorName(err);
      // Already back (a retried release, or a tag the quarantine could not remove): that is success.
      if (name === 'ImageAlreadyExistsException') restored.push(tag);
      else if (name === 'ImageTagAlreadyExistsException')
        notes.push(`tag ${tag} is immutable and taken: left out`);
      else throw err;
    }
  }
  return restored;
}

/** Starts a restore from the archive; the image's status after the call (ACTIVATING, as ECR documents it). */
async function restoreStorageClass(ecr: ECRClient, record: QuarantineRecord): Promise<string> {
  try {
    const out = await ecr.send(
      new UpdateImageStorageClassCommand({
        registryId: record.registryId,
        repositoryName: record.repository,
        imageId: { imageDigest: record.digest },
        targetStorageClass: 'STANDARD',
      }),
    );
    return out.imageStatus ?? 'ACTIVATING';
  } catch (err) {
    // Refused because it is no longer ARCHIVED (restored meanwhile): go on from what it is now.
    if (awsErrorName(err) !== 'ImageStorageClassUpdateNotSupportedException') throw err;
    const now = await describePresentImage(ecr, record, { imageDigest: record.digest });
    if (!now?.imageStatus || now.imageStatus === 'ARCHIVED') throw err;
    return now.imageStatus;
  }
}

const missingTags = (record: QuarantineRecord, detail: ImageDetail): string[] => {
  const tagged = new Set(detail.imageTags ?? []);
  return record.originalTags.filter((t) => !tagged.has(t));
};

/**
 * Back to STANDARD with its tags, by the fastest documented path: an archived image whose manifest was saved
 * is re-pushed under its original tags, which restores it at once (ECR user guide, restoring an image);
 * otherwise (no saved manifest, no tag to put back, or the re-push left it archived) UpdateImageStorageClass
 * starts a restore that takes up to 20 minutes (ACTIVATING): the step is `pending`, and running the release
 * again once the image is ACTIVE finishes it.
 */
export async function restoreImage(ecr: ECRClient, record: QuarantineRecord): Promise<ReleaseStep> {
  const target = `${record.repository}@${record.digest}`;
  const step = (status: ReleaseStepStatus, notes: string[]): ReleaseStep => ({
    action: 'restore-image',
    target,
    status,
    ...(notes.length > 0 ? { detail: notes.join('; ') } : {}),
  });
  const notes: string[] = [];
  let action = 'ecr:DescribeImages';
  try {
    let detail = await describePresentImage(ecr, record, { imageDigest: record.digest });
    if (!detail) return step('failed', ['the image no longer exists in its repository']);
    // Archived before the quarantine: it stays archived, and its tags were never moved.
    if (record.imageStatusBefore === 'ARCHIVED' && detail.imageStatus !== 'ACTIVE')
      return step('already-done', ['left ARCHIVED, as it was before']);
    const restored: string[] = [];
    let changed = false;
    if (detail.imageStatus === 'ARCHIVED' && record.manifest) {
      action = 'ecr:PutImage';
      const manifest = await manifestOf(ecr, record);
      restored.push(...(await restoreTags(ecr, record, manifest, missingTags(record, detail), notes)));
      if (restored.length > 0) {
        action = 'ecr:DescribeImages';
        detail = (await describePresentImage(ecr, record, { imageDigest: record.digest })) ?? detail;
        if (detail.imageStatus === 'ACTIVE') notes.push('restored at once by re-pushing the saved manifest');
      }
    }
    let status: string = detail.imageStatus ?? 'ACTIVE';
    if (status === 'ARCHIVED') {
      action = 'ecr:UpdateImageStorageClass';
      status = await restoreStorageClass(ecr, record);
      changed = true;
      notes.push('storage class back to STANDARD');
    }
    if (status !== 'ACTIVE') {
      notes.push(
        `the image is ${status}: a restore from the archive takes up to 20 minutes; run the release again to move the tags back`,
      );
      return step('pending', notes);
    }
    const missing = missingTags(record, detail).filter((t) => !restored.includes(t));
    if (missing.length > 0) {
      action = 'ecr:PutImage';
      const back = await restoreTags(ecr, record, await manifestOf(ecr, record), missing, notes);
      restored.push(...back);
    }
    if (restored.length > 0) notes.push(`tag(s) ${restored.join(', ')} back`);
    const tagged = new Set(detail.imageTags ?? []);
    const kept = record.originalTags.filter((t) => tagged.has(t) || restored.includes(t));
    if (tagged.has(record.quarantineTag)) {
      if (kept.length === 0) {
        notes.push(
          `${record.quarantineTag} kept: it is the only tag, and removing it would delete the image`,
        );
      } else {
        action = 'ecr:BatchDeleteImage';
        const out = await ecr.send(
          new BatchDeleteImageCommand({
            registryId: record.registryId,
            repositoryName: record.repository,
            imageIds: [{ imageTag: record.quarantineTag }],
          }),
        );
        const failed = out.failures?.[0];
        if (failed)
          notes.push(`${record.quarantineTag} not removed: ${failed.failureReason ?? failed.failureCode}`);
        else {
          notes.push(`${record.quarantineTag} removed`);
          changed = true;
        }
      }
    }
    return step(changed || restored.length > 0 ? 'done' : 'already-done', notes);
  } catch (err) {
    return step('failed', [...notes, failure(action, err)]);
  }
}

/** What restoreImage would do, for a dry run. */
export function plannedImageRestore(record: QuarantineRecord): ReleaseStep {
  return {
    action: 'restore-image',
    target: `${record.repository}@${record.digest}`,
    status: 'planned',
    detail: `storage class STANDARD, tags ${record.originalTags.join(', ') || '(none)'} back, ${record.quarantineTag} removed`,
  };
}

/** Every quarantined image back to how it was, one after the other (see restoreImage). */
export async function restoreImages(
  deps: { readonly ecr: ECRClient; readonly onStep?: (text: string) => void },
  records: readonly QuarantineRecord[],
): Promise<ReleaseStep[]> {
  const steps: ReleaseStep[] = [];
  for (const record of records) {
    deps.onStep?.(`restoring ${record.repository}@${record.digest}`);
    steps.push(await restoreImage(deps.ecr, record));
  }
  return steps;
}
