/**
 * Amazon ECR in the sandbox account: repositories, images addressed by digest and tag, tag mutability
 * (with wildcard exclusions), the retag flow and the ARCHIVE storage class used as a reversible quarantine.
 *
 * Choices where AWS documents no answer (see the report of the change that added this file):
 * - `BatchGetImage` of an ARCHIVED image is a failure `ImageNotFound` (a pull of an archived image is a 404).
 * - `DescribeImages` with `imageIds` describes images whatever their status; without ids (like `ListImages`)
 *   it lists ACTIVE images unless `filter.imageStatus` says otherwise, as the API reference states.
 * - Restoring (`targetStorageClass: STANDARD`) is immediate and reports ACTIVE (AWS reports ACTIVATING for
 *   up to 20 minutes); archiving or restoring an image already in that class is a no-op.
 * - `PutImage` of the manifest of an ARCHIVED image restores it at once, as the user guide says of a re-push.
 */
import { createHash } from 'node:crypto';
import type {
  BatchDeleteImageRequest,
  BatchDeleteImageResponse,
  BatchGetImageRequest,
  BatchGetImageResponse,
  DescribeImagesRequest,
  DescribeImagesResponse,
  DescribeRepositoriesRequest,
  DescribeRepositoriesResponse,
  Image,
  ImageDetail,
  ImageFailure,
  ImageIdentifier,
  ImageTagMutability,
  ListImagesRequest,
  ListImagesResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  PutImageRequest,
  PutImageResponse,
  Repository,
  Tag,
  TagResourceRequest,
  UntagResourceRequest,
  UpdateImageStorageClassRequest,
  UpdateImageStorageClassResponse,
} from '@aws-sdk/client-ecr';
import { type AccountContext, AwsError, type Operation, type SandboxService } from './types';

type ImageStatus = 'ACTIVE' | 'ARCHIVED';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const MUTABILITIES: readonly ImageTagMutability[] = [
  'MUTABLE',
  'IMMUTABLE',
  'IMMUTABLE_WITH_EXCLUSION',
  'MUTABLE_WITH_EXCLUSION',
];
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const MAX_TAGS_PER_RESOURCE = 50;

export interface ImageRecord {
  digest: string;
  tags: string[];
  manifest: string;
  mediaType: string;
  artifactMediaType: string;
  pushedAt: string;
  sizeInBytes: number;
  status: ImageStatus;
  lastArchivedAt?: string;
  lastActivatedAt?: string;
}

export interface RepositoryRecord {
  name: string;
  createdAt: string;
  mutability: ImageTagMutability;
  exclusionFilters: string[];
  tags: Tag[];
}

/** A repository with the indexes that keep every per-image call O(1). */
interface RepositoryState {
  record: RepositoryRecord;
  images: Map<string, ImageRecord>;
  /** tag -> digest */
  byTag: Map<string, string>;
  /** sha256(manifest) -> digest, for images whose provisioned digest is not the manifest's own hash. */
  byManifestHash: Map<string, string>;
}

export interface EcrSnapshot {
  repositories: Array<RepositoryRecord & { images: ImageRecord[] }>;
}

export interface PutRepositoryInput {
  name: string;
  mutability?: ImageTagMutability;
  /** Wildcard filters (`*`) naming tags excluded from the mutability setting. */
  exclusionFilters?: string[];
  tags?: Array<{ key: string; value: string }> | Record<string, string>;
}

export interface PutImageInput {
  repository: string;
  digest?: string;
  tags: string[];
  manifest?: string;
  mediaType?: string;
  pushedAt?: Date | string;
  sizeInBytes?: number;
}

export class EcrService implements SandboxService {
  readonly name = 'ecr' as const;
  readonly operations: Readonly<Record<string, Operation>> = {
    DescribeRepositories: op((input: DescribeRepositoriesRequest) => this.describeRepositories(input)),
    DescribeImages: op((input: DescribeImagesRequest) => this.describeImages(input)),
    BatchGetImage: op((input: BatchGetImageRequest) => this.batchGetImage(input)),
    PutImage: op((input: PutImageRequest) => this.putImageOperation(input)),
    BatchDeleteImage: op((input: BatchDeleteImageRequest) => this.batchDeleteImage(input)),
    UpdateImageStorageClass: op((input: UpdateImageStorageClassRequest) =>
      this.updateImageStorageClass(input),
    ),
    ListImages: op((input: ListImagesRequest) => this.listImages(input)),
    ListTagsForResource: op((input: ListTagsForResourceRequest) => this.listTagsForResource(input)),
    TagResource: op((input: TagResourceRequest) => this.tagResource(input)),
    UntagResource: op((input: UntagResourceRequest) => this.untagResource(input)),
  };

  private readonly repositories = new Map<string, RepositoryState>();

  constructor(private readonly ctx: AccountContext) {}

  /** The registry host of this account, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com`. */
  get registryHost(): string {
    const domain = this.ctx.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    return `${this.ctx.accountId}.dkr.ecr.${this.ctx.region}.${domain}`;
  }

  repositoryArn(name: string): string {
    return `arn:${this.ctx.partition}:ecr:${this.ctx.region}:${this.ctx.accountId}:repository/${name}`;
  }

  // ---- provisioning -------------------------------------------------------------------------------------

  /** Creates the repository if missing; returns its ARN. An existing repository is left as it is. */
  putRepository(input: PutRepositoryInput): string {
    if (!this.repositories.has(input.name)) {
      const mutability = input.mutability ?? 'MUTABLE';
      if (!MUTABILITIES.includes(mutability)) {
        throw new AwsError('InvalidParameterException', `Invalid imageTagMutability '${mutability}'`);
      }
      this.repositories.set(input.name, {
        record: {
          name: input.name,
          createdAt: this.isoNow(),
          mutability,
          exclusionFilters: [...(input.exclusionFilters ?? [])],
          tags: toEcrTags(input.tags),
        },
        images: new Map(),
        byTag: new Map(),
        byManifestHash: new Map(),
      });
    }
    return this.repositoryArn(input.name);
  }

  /**
   * Stores an image (creating the repository if needed) and points `tags` at it, moving them from any other
   * image whatever the repository's mutability (this is provisioning, not a push). Returns the digest.
   */
  putImage(input: PutImageInput): string {
    this.putRepository({ name: input.repository });
    const repo = this.repo(input.repository);
    const manifest =
      input.manifest ??
      defaultManifest(`${input.repository}|${input.digest ?? [...input.tags].sort().join(',')}`);
    const manifestHash = sha256Hex(manifest);
    const digest = input.digest ?? repo.byManifestHash.get(manifestHash) ?? `sha256:${manifestHash}`;
    let image = repo.images.get(digest);
    if (!image) {
      image = {
        digest,
        tags: [],
        manifest,
        mediaType: input.mediaType ?? manifestMediaType(manifest) ?? OCI_MANIFEST,
        artifactMediaType: OCI_CONFIG,
        pushedAt: toIso(input.pushedAt) ?? this.isoNow(),
        sizeInBytes: input.sizeInBytes ?? manifestSize(manifest),
        status: 'ACTIVE',
      };
      this.addImage(repo, image, manifestHash);
    }
    for (const tag of input.tags) this.pointTag(repo, tag, image);
    return digest;
  }

  /**
   * Whether ECS could pull `image` (as written in a task definition) pinned to `digest`. Images outside this
   * account's registry are always pullable; ours only if the repository and image exist and are ACTIVE.
   */
  imagePullable(image: string, digest: string | undefined): boolean {
    const prefix = `${this.registryHost}/`;
    if (!image.startsWith(prefix)) return true;
    let reference = image.slice(prefix.length);
    let uriDigest: string | undefined;
    const at = reference.indexOf('@');
    if (at >= 0) {
      uriDigest = reference.slice(at + 1);
      reference = reference.slice(0, at);
    }
    const colon = reference.lastIndexOf(':');
    const name = colon >= 0 ? reference.slice(0, colon) : reference;
    const tag = colon >= 0 ? reference.slice(colon + 1) : 'latest';
    const repo = this.repositories.get(name);
    if (!repo) return false;
    // ECS pins a deployment's tasks to the digest it resolved, so a digest wins over the tag.
    const resolved = digest ?? uriDigest ?? repo.byTag.get(tag);
    return resolved !== undefined && repo.images.get(resolved)?.status === 'ACTIVE';
  }

  snapshot(): EcrSnapshot {
    return structuredClone({
      repositories: [...this.repositories.values()].map((repo) => ({
        ...repo.record,
        images: [...repo.images.values()],
      })),
    });
  }

  restore(state: unknown): void {
    const snapshot = state as Partial<EcrSnapshot> | null | undefined;
    this.repositories.clear();
    for (const saved of snapshot?.repositories ?? []) {
      const { images, ...record } = structuredClone(saved);
      const repo: RepositoryState = {
        record,
        images: new Map(),
        byTag: new Map(),
        byManifestHash: new Map(),
      };
      this.repositories.set(record.name, repo);
      for (const image of images) {
        this.addImage(repo, image, sha256Hex(image.manifest));
        for (const tag of image.tags) repo.byTag.set(tag, image.digest);
      }
    }
  }

  // ---- operations ---------------------------------------------------------------------------------------

  private describeRepositories(input: DescribeRepositoriesRequest): DescribeRepositoriesResponse {
    this.checkRegistry(input.registryId, input.repositoryNames?.[0] ?? '');
    if (input.repositoryNames && input.repositoryNames.length > 0) {
      if (input.maxResults !== undefined || input.nextToken !== undefined) {
        throw new AwsError(
          'InvalidParameterException',
          'maxResults and nextToken cannot be used together with repositoryNames',
        );
      }
      return { repositories: input.repositoryNames.map((name) => this.repositoryView(this.repo(name))) };
    }
    const page = paginate([...this.repositories.values()], input.maxResults, input.nextToken, 1000);
    return { repositories: page.items.map((repo) => this.repositoryView(repo)), nextToken: page.nextToken };
  }

  private describeImages(input: DescribeImagesRequest): DescribeImagesResponse {
    const repo = this.repoFor(input.registryId, input.repositoryName);
    const tagStatus = input.filter?.tagStatus ?? 'ANY';
    if (input.imageIds && input.imageIds.length > 0) {
      if (input.maxResults !== undefined || input.nextToken !== undefined) {
        throw new AwsError(
          'InvalidParameterException',
          'maxResults and nextToken cannot be used with imageIds',
        );
      }
      const seen = new Set<string>();
      const details: ImageDetail[] = [];
      for (const id of input.imageIds) {
        const image = this.findImage(repo, id);
        if (!image) {
          throw new AwsError(
            'ImageNotFoundException',
            `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} ` +
              `does not exist within the repository with name '${repo.record.name}' in the registry with id ` +
              `'${this.ctx.accountId}'`,
          );
        }
        if (seen.has(image.digest)) continue;
        seen.add(image.digest);
        if (
          !matchesStatus(image, input.filter?.imageStatus ?? 'ANY') ||
          !matchesTagStatus(image, tagStatus)
        ) {
          continue;
        }
        details.push(this.imageDetail(repo, image));
      }
      return { imageDetails: details };
    }
    const status = input.filter?.imageStatus ?? 'ACTIVE';
    const images = [...repo.images.values()].filter(
      (image) => matchesStatus(image, status) && matchesTagStatus(image, tagStatus),
    );
    const page = paginate(images, input.maxResults, input.nextToken, 1000);
    return {
      imageDetails: page.items.map((image) => this.imageDetail(repo, image)),
      nextToken: page.nextToken,
    };
  }

  private batchGetImage(input: BatchGetImageRequest): BatchGetImageResponse {
    const repo = this.repoFor(input.registryId, input.repositoryName);
    const ids = requireImageIds(input.imageIds, 'BatchGetImage');
    const images: Image[] = [];
    const failures: ImageFailure[] = [];
    for (const id of ids) {
      const failure = this.imageIdFailure(repo, id);
      if (failure) {
        failures.push(failure);
        continue;
      }
      const image = this.findImage(repo, id);
      if (image?.status !== 'ACTIVE') {
        failures.push({
          imageId: id,
          failureCode: 'ImageNotFound',
          failureReason: 'Requested image not found',
        });
        continue;
      }
      images.push({
        registryId: this.ctx.accountId,
        repositoryName: repo.record.name,
        imageId: { imageDigest: image.digest, imageTag: id.imageTag },
        imageManifest: image.manifest,
        imageManifestMediaType: image.mediaType,
      });
    }
    return { images, failures };
  }

  private putImageOperation(input: PutImageRequest): PutImageResponse {
    const repo = this.repoFor(input.registryId, input.repositoryName);
    const manifest = input.imageManifest;
    if (typeof manifest !== 'string' || manifest.length === 0) {
      throw new AwsError('InvalidParameterException', 'imageManifest is required');
    }
    const mediaType = input.imageManifestMediaType ?? manifestMediaType(manifest);
    if (!mediaType) {
      throw new AwsError(
        'InvalidParameterException',
        "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'Manifest media type must be specified'",
      );
    }
    const manifestHash = sha256Hex(manifest);
    const known = repo.byManifestHash.get(manifestHash);
    const digest = input.imageDigest ?? known ?? `sha256:${manifestHash}`;
    if (input.imageDigest && input.imageDigest !== `sha256:${manifestHash}` && input.imageDigest !== known) {
      throw new AwsError(
        'ImageDigestDoesNotMatchException',
        `The specified digest '${input.imageDigest}' does not match the digest of the manifest`,
      );
    }
    const tag = input.imageTag;
    const existing = repo.images.get(digest);
    const wasArchived = existing?.status === 'ARCHIVED';
    if (existing && !wasArchived && (tag === undefined || repo.byTag.get(tag) === digest)) {
      throw new AwsError(
        'ImageAlreadyExistsException',
        `Image with digest '${digest}'${tag === undefined ? '' : ` and tag '${tag}'`} already exists in the ` +
          `repository with name '${repo.record.name}' in registry with id '${this.ctx.accountId}'`,
      );
    }
    if (tag !== undefined) {
      const current = repo.byTag.get(tag);
      if (current !== undefined && current !== digest && this.tagImmutable(repo, tag)) {
        throw new AwsError(
          'ImageTagAlreadyExistsException',
          `The image tag '${tag}' already exists in the '${repo.record.name}' repository and cannot be ` +
            'overwritten because the tag is immutable.',
        );
      }
    }
    let image = existing;
    if (!image) {
      image = {
        digest,
        tags: [],
        manifest,
        mediaType,
        artifactMediaType: OCI_CONFIG,
        pushedAt: this.isoNow(),
        sizeInBytes: manifestSize(manifest),
        status: 'ACTIVE',
      };
      this.addImage(repo, image, manifestHash);
    } else if (wasArchived) {
      // A re-push restores an archived image immediately (ECR user guide, restoring an image).
      image.status = 'ACTIVE';
      image.lastActivatedAt = this.isoNow();
    }
    if (tag !== undefined) this.pointTag(repo, tag, image);
    return {
      image: {
        registryId: this.ctx.accountId,
        repositoryName: repo.record.name,
        imageId: { imageDigest: digest, imageTag: tag },
        imageManifest: manifest,
        imageManifestMediaType: mediaType,
      },
    };
  }

  private batchDeleteImage(input: BatchDeleteImageRequest): BatchDeleteImageResponse {
    const repo = this.repoFor(input.registryId, input.repositoryName);
    const ids = requireImageIds(input.imageIds, 'BatchDeleteImage');
    const deleted: ImageIdentifier[] = [];
    const failures: ImageFailure[] = [];
    for (const id of ids) {
      const failure = this.imageIdFailure(repo, id);
      if (failure) {
        failures.push(failure);
        continue;
      }
      const image = this.findImage(repo, id);
      if (!image) {
        failures.push({
          imageId: id,
          failureCode: 'ImageNotFound',
          failureReason: 'Requested image not found',
        });
        continue;
      }
      if (id.imageTag !== undefined && id.imageDigest === undefined) {
        // Untagging: allowed even in IMMUTABLE repositories; removing the last tag deletes the image.
        repo.byTag.delete(id.imageTag);
        image.tags = image.tags.filter((tag) => tag !== id.imageTag);
        deleted.push({ imageDigest: image.digest, imageTag: id.imageTag });
        if (image.tags.length === 0) this.deleteImage(repo, image);
        continue;
      }
      if (image.tags.length === 0) deleted.push({ imageDigest: image.digest });
      for (const tag of image.tags) deleted.push({ imageDigest: image.digest, imageTag: tag });
      this.deleteImage(repo, image);
    }
    return { imageIds: deleted, failures };
  }

  private updateImageStorageClass(input: UpdateImageStorageClassRequest): UpdateImageStorageClassResponse {
    const repo = this.repoFor(input.registryId, input.repositoryName);
    const id = input.imageId;
    if (!id || (id.imageDigest === undefined && id.imageTag === undefined)) {
      throw new AwsError('InvalidParameterException', 'imageId must specify an imageDigest or an imageTag');
    }
    const target = input.targetStorageClass;
    if (target !== 'ARCHIVE' && target !== 'STANDARD') {
      throw new AwsError('InvalidParameterException', `Invalid targetStorageClass '${String(target)}'`);
    }
    const image = this.findImage(repo, id);
    if (!image) {
      throw new AwsError(
        'ImageNotFoundException',
        `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} ` +
          `does not exist within the repository with name '${repo.record.name}'`,
      );
    }
    if (target === 'ARCHIVE' && image.status !== 'ARCHIVED') {
      image.status = 'ARCHIVED';
      image.lastArchivedAt = this.isoNow();
    } else if (target === 'STANDARD' && image.status !== 'ACTIVE') {
      image.status = 'ACTIVE';
      image.lastActivatedAt = this.isoNow();
    }
    return {
      registryId: this.ctx.accountId,
      repositoryName: repo.record.name,
      imageId: { imageDigest: image.digest, imageTag: id.imageTag },
      imageStatus: image.status,
    };
  }

  private listImages(input: ListImagesRequest): ListImagesResponse {
    const repo = this.repoFor(input.registryId, input.repositoryName);
    const status = input.filter?.imageStatus ?? 'ACTIVE';
    const tagStatus = input.filter?.tagStatus ?? 'ANY';
    const ids: ImageIdentifier[] = [];
    for (const image of repo.images.values()) {
      if (!matchesStatus(image, status) || !matchesTagStatus(image, tagStatus)) continue;
      if (image.tags.length === 0) ids.push({ imageDigest: image.digest });
      for (const tag of image.tags) ids.push({ imageDigest: image.digest, imageTag: tag });
    }
    const page = paginate(ids, input.maxResults, input.nextToken, 1000);
    return { imageIds: page.items, nextToken: page.nextToken };
  }

  private listTagsForResource(input: ListTagsForResourceRequest): ListTagsForResourceResponse {
    return { tags: this.repoByArn(input.resourceArn).record.tags.map((tag) => ({ ...tag })) };
  }

  private tagResource(input: TagResourceRequest): Record<string, never> {
    const repo = this.repoByArn(input.resourceArn);
    const merged = new Map(repo.record.tags.map((tag) => [tag.Key ?? '', tag.Value ?? '']));
    for (const tag of input.tags ?? []) {
      if (!tag.Key || tag.Key.length > 128 || (tag.Value ?? '').length > 256) {
        throw new AwsError(
          'InvalidTagParameterException',
          'Tag keys must be 1-128 and values 0-256 characters',
        );
      }
      merged.set(tag.Key, tag.Value ?? '');
    }
    if (merged.size > MAX_TAGS_PER_RESOURCE) {
      throw new AwsError('TooManyTagsException', `A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags`);
    }
    repo.record.tags = [...merged].map(([Key, Value]) => ({ Key, Value }));
    return {};
  }

  private untagResource(input: UntagResourceRequest): Record<string, never> {
    const repo = this.repoByArn(input.resourceArn);
    const remove = new Set(input.tagKeys ?? []);
    repo.record.tags = repo.record.tags.filter((tag) => !remove.has(tag.Key ?? ''));
    return {};
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  private isoNow(): string {
    return new Date(this.ctx.now()).toISOString();
  }

  private repo(name: string): RepositoryState {
    const repo = this.repositories.get(name);
    if (!repo) {
      throw new AwsError(
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${this.ctx.accountId}'`,
      );
    }
    return repo;
  }

  private repoFor(registryId: string | undefined, name: string | undefined): RepositoryState {
    if (typeof name !== 'string' || name.length === 0) {
      throw new AwsError('InvalidParameterException', 'repositoryName is required');
    }
    this.checkRegistry(registryId, name);
    return this.repo(name);
  }

  /** Another account's registry is out of this sandbox: AWS would answer not found (or access denied). */
  private checkRegistry(registryId: string | undefined, name: string): void {
    if (registryId !== undefined && registryId !== this.ctx.accountId) {
      throw new AwsError(
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
      );
    }
  }

  private repoByArn(arn: string | undefined): RepositoryState {
    const prefix = this.repositoryArn('');
    if (typeof arn !== 'string' || !arn.startsWith(prefix) || arn.length === prefix.length) {
      throw new AwsError('InvalidParameterException', `Invalid parameter at 'resourceArn': '${String(arn)}'`);
    }
    return this.repo(arn.slice(prefix.length));
  }

  private findImage(repo: RepositoryState, id: ImageIdentifier): ImageRecord | undefined {
    if (id.imageDigest !== undefined) {
      const image = repo.images.get(id.imageDigest);
      if (image && id.imageTag !== undefined && repo.byTag.get(id.imageTag) !== image.digest)
        return undefined;
      return image;
    }
    if (id.imageTag === undefined) return undefined;
    const digest = repo.byTag.get(id.imageTag);
    return digest === undefined ? undefined : repo.images.get(digest);
  }

  /** The per-id failures AWS reports before looking the image up. */
  private imageIdFailure(repo: RepositoryState, id: ImageIdentifier): ImageFailure | undefined {
    if (id.imageDigest === undefined && id.imageTag === undefined) {
      return {
        imageId: id,
        failureCode: 'MissingDigestAndTag',
        failureReason: 'Missing image digest and tag',
      };
    }
    if (id.imageDigest !== undefined && !DIGEST.test(id.imageDigest)) {
      return { imageId: id, failureCode: 'InvalidImageDigest', failureReason: 'Invalid request parameters' };
    }
    if (id.imageDigest !== undefined && id.imageTag !== undefined) {
      const tagged = repo.byTag.get(id.imageTag);
      if (tagged !== undefined && tagged !== id.imageDigest) {
        return {
          imageId: id,
          failureCode: 'ImageTagDoesNotMatchDigest',
          failureReason: 'Invalid request parameters: image tag does not match digest',
        };
      }
    }
    return undefined;
  }

  private tagImmutable(repo: RepositoryState, tag: string): boolean {
    const excluded = repo.record.exclusionFilters.some((filter) => wildcard(filter).test(tag));
    switch (repo.record.mutability) {
      case 'IMMUTABLE':
        return true;
      case 'IMMUTABLE_WITH_EXCLUSION':
        return !excluded;
      case 'MUTABLE_WITH_EXCLUSION':
        return excluded;
      default:
        return false;
    }
  }

  private addImage(repo: RepositoryState, image: ImageRecord, manifestHash: string): void {
    repo.images.set(image.digest, image);
    if (image.digest !== `sha256:${manifestHash}`) repo.byManifestHash.set(manifestHash, image.digest);
  }

  private deleteImage(repo: RepositoryState, image: ImageRecord): void {
    for (const tag of image.tags) repo.byTag.delete(tag);
    repo.images.delete(image.digest);
    const manifestHash = sha256Hex(image.manifest);
    if (repo.byManifestHash.get(manifestHash) === image.digest) repo.byManifestHash.delete(manifestHash);
  }

  /** Points `tag` at `image`, taking it off the image that had it (which stays, untagged if that was its last). */
  private pointTag(repo: RepositoryState, tag: string, image: ImageRecord): void {
    const previous = repo.byTag.get(tag);
    if (previous === image.digest) return;
    if (previous !== undefined) {
      const old = repo.images.get(previous);
      if (old) old.tags = old.tags.filter((t) => t !== tag);
    }
    repo.byTag.set(tag, image.digest);
    image.tags.push(tag);
  }

  private repositoryView(repo: RepositoryState): Repository {
    const { record } = repo;
    return {
      repositoryArn: this.repositoryArn(record.name),
      registryId: this.ctx.accountId,
      repositoryName: record.name,
      repositoryUri: `${this.registryHost}/${record.name}`,
      createdAt: new Date(record.createdAt),
      imageTagMutability: record.mutability,
      imageTagMutabilityExclusionFilters:
        record.exclusionFilters.length > 0
          ? record.exclusionFilters.map((filter) => ({ filterType: 'WILDCARD' as const, filter }))
          : undefined,
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    };
  }

  private imageDetail(repo: RepositoryState, image: ImageRecord): ImageDetail {
    return {
      registryId: this.ctx.accountId,
      repositoryName: repo.record.name,
      imageDigest: image.digest,
      imageTags: image.tags.length > 0 ? [...image.tags] : undefined,
      imageSizeInBytes: image.sizeInBytes,
      imagePushedAt: new Date(image.pushedAt),
      imageManifestMediaType: image.mediaType,
      artifactMediaType: image.artifactMediaType,
      imageStatus: image.status,
      lastArchivedAt: image.lastArchivedAt === undefined ? undefined : new Date(image.lastArchivedAt),
      lastActivatedAt: image.lastActivatedAt === undefined ? undefined : new Date(image.lastActivatedAt),
    };
  }
}

/** Operations receive the SDK command input as-is; this names its type once, at the boundary. */
function op<T>(fn: (input: T) => unknown): Operation {
  return (input) => fn(input as unknown as T);
}

function requireImageIds(ids: ImageIdentifier[] | undefined, operation: string): ImageIdentifier[] {
  if (!ids || ids.length === 0 || ids.length > 100) {
    throw new AwsError('InvalidParameterException', `${operation}: imageIds must hold 1 to 100 image ids`);
  }
  return ids;
}

function matchesStatus(image: ImageRecord, filter: string): boolean {
  return filter === 'ANY' || image.status === filter;
}

function matchesTagStatus(image: ImageRecord, filter: string): boolean {
  if (filter === 'TAGGED') return image.tags.length > 0;
  if (filter === 'UNTAGGED') return image.tags.length === 0;
  return true;
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A small, valid OCI manifest whose content (and so digest) is determined by `seed`. */
function defaultManifest(seed: string): string {
  const layerSize = 2_000_000 + (Number.parseInt(sha256Hex(`size|${seed}`).slice(0, 6), 16) % 50_000_000);
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: `sha256:${sha256Hex(`config|${seed}`)}`, size: 1469 },
    layers: [{ mediaType: OCI_LAYER, digest: `sha256:${sha256Hex(`layer|${seed}`)}`, size: layerSize }],
  });
}

function parseManifest(manifest: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(manifest);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function manifestMediaType(manifest: string): string | undefined {
  const mediaType = parseManifest(manifest)?.mediaType;
  return typeof mediaType === 'string' ? mediaType : undefined;
}

/** ECR reports the compressed size of the layers; fall back to the manifest's own length. */
function manifestSize(manifest: string): number {
  const layers = parseManifest(manifest)?.layers;
  if (!Array.isArray(layers)) return manifest.length;
  let total = 0;
  for (const layer of layers) {
    const size = typeof layer === 'object' && layer !== null ? (layer as { size?: unknown }).size : undefined;
    if (typeof size === 'number') total += size;
  }
  return total > 0 ? total : manifest.length;
}

function toIso(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return new Date(value).toISOString();
}

function toEcrTags(tags: PutRepositoryInput['tags']): Tag[] {
  if (!tags) return [];
  if (Array.isArray(tags)) return tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Offset tokens: stable enough for a sandbox whose listings change only between replayed calls. */
function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  limit: number,
  defaultSize = 100,
): { items: T[]; nextToken?: string } {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > limit)) {
    throw new AwsError('InvalidParameterException', `maxResults must be between 1 and ${limit}`);
  }
  const start = nextToken === undefined ? 0 : decodeToken(nextToken);
  const end = start + (maxResults ?? defaultSize);
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(JSON.stringify({ o: end })).toString('base64') : undefined,
  };
}

function decodeToken(token: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    const offset = typeof parsed === 'object' && parsed !== null ? (parsed as { o?: unknown }).o : undefined;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through to the error below
  }
  throw new AwsError('InvalidParameterException', 'Invalid nextToken');
}
