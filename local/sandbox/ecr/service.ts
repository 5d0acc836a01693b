/**
 * Amazon ECR in the sandbox account: repositories, images addressed by digest and tag, tag mutability
 * (with wildcard exclusions), the retag flow and the ARCHIVE storage class used as a reversible quarantine.
 *
 * Archive and restore (ECR model `DescribeImagesFilter`, `UpdateImageStorageClass`; user guide, archiving
 * and restoring an image; docs/aws-behaviours.md, "ECR archive"):
 * - `DescribeImages` and `ListImages` answer for ACTIVE images only unless `filter.imageStatus` (ACTIVE,
 *   ARCHIVED, ACTIVATING or ANY) says otherwise. The model says so of the filter; that it holds for a lookup
 *   by `imageIds` too is not documented: the sandbox applies it, and an id it filters out is not found
 *   (`ImageNotFoundException`, as for a missing image), so code must ask for ANY.
 * - `BatchGetImage` of an image that is not ACTIVE is a failure `ImageNotFound` (a pull of an archived image
 *   is a 404; AWS may say `ImageInaccessible`, unconfirmed).
 * - `UpdateImageStorageClass` to STANDARD puts an ARCHIVED image in ACTIVATING; it becomes ACTIVE
 *   ECR_RESTORE_MS later on the sandbox clock (AWS: "within 20 minutes"). Any other change than ACTIVE to
 *   ARCHIVE or ARCHIVED to STANDARD (the class it already has, or an image mid-restore) raises
 *   `ImageStorageClassUpdateNotSupportedException`: the model has the error, when AWS raises it is unconfirmed.
 * - `PutImage` of the manifest of an ARCHIVED (or ACTIVATING) image restores it at once, as the user guide
 *   says of a re-push.
 * - A successful `PutImage` emits the "ECR Image Action" PUSH event (events.ts) into an outbox the
 *   Simulator processes after the current event; provisioning (putImage) is not a push and emits nothing.
 */
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
  TagResourceRequest,
  UntagResourceRequest,
  UpdateImageStorageClassRequest,
  UpdateImageStorageClassResponse,
} from '@aws-sdk/client-ecr';
import { isoNow, op, sha256Hex, toIso } from '../shared';
import { AwsError, type Operation, type SandboxService } from '../types';
import { defaultManifest, manifestMediaType, manifestSize, OCI_CONFIG, OCI_MANIFEST } from './manifests';
import type { PutImageInput, PutRepositoryInput } from './records';
import { imageFilter, matchesStatus, matchesTagStatus, paginate, toEcrTags } from './requests';
import { EcrSignatures, type SignatureSpec } from './signatures';
import { EcrStore } from './store';

const MUTABILITIES: readonly ImageTagMutability[] = [
  'MUTABLE',
  'IMMUTABLE',
  'IMMUTABLE_WITH_EXCLUSION',
  'MUTABLE_WITH_EXCLUSION',
];
const MAX_TAGS_PER_RESOURCE = 50;
/** How long a restore from the archive takes on the sandbox clock: AWS's documented upper bound. */
export const ECR_RESTORE_MS = 20 * 60 * 1000;

export class EcrService extends EcrStore implements SandboxService {
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
    ListImageReferrers: op((input: Parameters<EcrSignatures['listImageReferrers']>[0]) =>
      this.signatures.listImageReferrers(input),
    ),
    GetDownloadUrlForLayer: op((input: Parameters<EcrSignatures['getDownloadUrlForLayer']>[0]) =>
      this.signatures.getDownloadUrlForLayer(input),
    ),
    DescribeImageSigningStatus: op((input: Parameters<EcrSignatures['describeImageSigningStatus']>[0]) =>
      this.signatures.describeImageSigningStatus(input),
    ),
  };

  /** Notation signatures (referrers), their envelope layers and managed signing statuses (signatures.ts). */
  readonly signatures = new EcrSignatures({
    requireRepository: (name) => void this.repo(name),
    putArtifact: (repository, manifest) => this.putImage({ repository, tags: [], manifest }),
    sign: (spec) => {
      if (!this.signer) throw new AwsError('InternalServerError', 'the sandbox ECR has no signer');
      return this.signer(spec);
    },
  });
  private signer: ((spec: SignatureSpec) => Promise<Uint8Array>) | undefined;

  /** Signs signature envelopes with the sandbox Signer's CA (set by the account). */
  useSigner(sign: (spec: SignatureSpec) => Promise<Uint8Array>): void {
    this.signer = sign;
  }

  override snapshot() {
    return { ...super.snapshot(), signatures: this.signatures.snapshot() };
  }

  override restore(state: unknown): void {
    super.restore(state);
    const saved = state as { signatures?: Parameters<EcrSignatures['restore']>[0] } | null | undefined;
    this.signatures.restore(saved?.signatures);
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
          createdAt: isoNow(this.ctx),
          mutability,
          exclusionFilters: [...(input.exclusionFilters ?? [])],
          tags: toEcrTags(input.tags),
        },
        images: new Map(),
        byTag: new Map(),
        byManifestHash: new Map(),
        activating: new Set(),
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
        pushedAt: toIso(input.pushedAt) ?? isoNow(this.ctx),
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
    this.finishRestores(repo);
    // ECS pins a deployment's tasks to the digest it resolved, so a digest wins over the tag.
    const resolved = digest ?? uriDigest ?? repo.byTag.get(tag);
    return resolved !== undefined && repo.images.get(resolved)?.status === 'ACTIVE';
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
    const { imageStatus, tagStatus } = imageFilter(input.filter);
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
        if (!image || !matchesStatus(image, imageStatus)) {
          throw new AwsError(
            'ImageNotFoundException',
            `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} ` +
              `does not exist within the repository with name '${repo.record.name}' in the registry with id ` +
              `'${this.ctx.accountId}'`,
          );
        }
        if (seen.has(image.digest)) continue;
        seen.add(image.digest);
        if (!matchesTagStatus(image, tagStatus)) continue;
        details.push(this.imageDetail(repo, image));
      }
      return { imageDetails: details };
    }
    const images = [...repo.images.values()].filter(
      (image) => matchesStatus(image, imageStatus) && matchesTagStatus(image, tagStatus),
    );
    const page = paginate(images, input.maxResults, input.nextToken, 1000);
    return {
      imageDetails: page.items.map((image) => this.imageDetail(repo, image)),
      nextToken: page.nextToken,
    };
  }

  private batchGetImage(input: BatchGetImageRequest): BatchGetImageResponse {
    const repo = this.repoFor(input.registryId, input.repositoryName);
    // The model check refused a missing list or one outside 1 to 100 ids.
    const ids = input.imageIds ?? [];
    const images: Image[] = [];
    const failures: ImageFailure[] = [];
    for (const id of ids) {
      // An archived image cannot be pulled: to BatchGetImage it is not found.
      const image = this.imageOrFailure(repo, id, failures, true);
      if (!image) continue;
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
    const wasArchived = existing !== undefined && existing.status !== 'ACTIVE';
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
        pushedAt: isoNow(this.ctx),
        sizeInBytes: manifestSize(manifest),
        status: 'ACTIVE',
      };
      this.addImage(repo, image, manifestHash);
    } else if (wasArchived) {
      // A re-push restores an archived image immediately (ECR user guide, restoring an image).
      image.status = 'ACTIVE';
      image.lastActivatedAt = isoNow(this.ctx);
      delete image.activeFrom;
      repo.activating.delete(image.digest);
    }
    if (tag !== undefined) this.pointTag(repo, tag, image);
    // ECR reports every completed push to EventBridge, a re-push that restores an archived image included.
    this.emitPush({ repository: repo.record.name, digest, ...(tag !== undefined ? { tag } : {}) });
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
    const ids = input.imageIds ?? [];
    const deleted: ImageIdentifier[] = [];
    const failures: ImageFailure[] = [];
    for (const id of ids) {
      const image = this.imageOrFailure(repo, id, failures, false);
      if (!image) continue;
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
    // The model check refused a class outside its enum (STANDARD, ARCHIVE).
    const target = input.targetStorageClass;
    const image = this.findImage(repo, id);
    if (!image) {
      throw new AwsError(
        'ImageNotFoundException',
        `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} ` +
          `does not exist within the repository with name '${repo.record.name}'`,
      );
    }
    if (target === 'ARCHIVE' && image.status === 'ACTIVE') {
      image.status = 'ARCHIVED';
      image.lastArchivedAt = isoNow(this.ctx);
    } else if (target === 'STANDARD' && image.status === 'ARCHIVED') {
      image.status = 'ACTIVATING';
      image.activeFrom = new Date(this.ctx.now() + ECR_RESTORE_MS).toISOString();
      repo.activating.add(image.digest);
    } else {
      throw new AwsError(
        'ImageStorageClassUpdateNotSupportedException',
        `The image ${image.digest} is ${image.status}: moving it to the ${target} storage class is not supported`,
      );
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
    const { imageStatus, tagStatus } = imageFilter(input.filter);
    const ids: ImageIdentifier[] = [];
    for (const image of repo.images.values()) {
      if (!matchesStatus(image, imageStatus) || !matchesTagStatus(image, tagStatus)) continue;
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
}
