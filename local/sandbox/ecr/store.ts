/**
 * The state of the sandbox ECR: repositories with the indexes that keep every per-image call O(1), this
 * account's registry host and repository ARNs, the lookups operations start from, and the API views.
 */
import type { ImageDetail, ImageFailure, ImageIdentifier, Repository } from '@aws-sdk/client-ecr';
import { sha256Hex } from '../shared';
import { type AccountContext, AwsError } from '../types';
import { type EcrImageActionEvent, imagePushEvent } from './events';
import type { EcrSnapshot, ImageRecord, RepositoryState } from './records';
import { wildcard } from './requests';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export class EcrStore {
  protected readonly repositories = new Map<string, RepositoryState>();
  /** EventBridge events emitted and not yet taken by the Simulator (ECR image pushes). */
  protected readonly outbox: EcrImageActionEvent[] = [];
  protected eventSequence = 0;

  constructor(protected readonly ctx: AccountContext) {}

  /** The registry host of this account, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com`. */
  get registryHost(): string {
    const domain = this.ctx.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    return `${this.ctx.accountId}.dkr.ecr.${this.ctx.region}.${domain}`;
  }

  repositoryArn(name: string): string {
    return `arn:${this.ctx.partition}:ecr:${this.ctx.region}:${this.ctx.accountId}:repository/${name}`;
  }

  snapshot(): EcrSnapshot {
    for (const repo of this.repositories.values()) this.finishRestores(repo);
    return structuredClone({
      repositories: [...this.repositories.values()].map((repo) => ({
        ...repo.record,
        images: [...repo.images.values()],
      })),
      ...(this.outbox.length > 0 ? { events: this.outbox } : {}),
      ...(this.eventSequence > 0 ? { eventSequence: this.eventSequence } : {}),
    });
  }

  restore(state: unknown): void {
    const snapshot = state as Partial<EcrSnapshot> | null | undefined;
    this.repositories.clear();
    this.outbox.splice(0, this.outbox.length, ...structuredClone(snapshot?.events ?? []));
    this.eventSequence = snapshot?.eventSequence ?? 0;
    for (const saved of snapshot?.repositories ?? []) {
      const { images, ...record } = structuredClone(saved);
      const repo: RepositoryState = {
        record,
        images: new Map(),
        byTag: new Map(),
        byManifestHash: new Map(),
        activating: new Set(),
      };
      this.repositories.set(record.name, repo);
      for (const image of images) {
        this.addImage(repo, image, sha256Hex(image.manifest));
        for (const tag of image.tags) repo.byTag.set(tag, image.digest);
        if (image.status === 'ACTIVATING') repo.activating.add(image.digest);
      }
    }
  }

  /** The events emitted since the last call, oldest first; the outbox is left empty. */
  takeEvents(): EcrImageActionEvent[] {
    return this.outbox.splice(0, this.outbox.length);
  }

  /** Emits the event of a completed push (events.ts). */
  protected emitPush(push: { readonly repository: string; readonly digest: string; readonly tag?: string }) {
    this.eventSequence += 1;
    this.outbox.push(imagePushEvent(this.ctx, push, this.eventSequence));
  }

  /** The repository, with every restore whose time has come on the sandbox clock finished. */
  protected repo(name: string): RepositoryState {
    const repo = this.repositories.get(name);
    if (!repo) {
      throw new AwsError(
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${this.ctx.accountId}'`,
      );
    }
    this.finishRestores(repo);
    return repo;
  }

  /** The storage status of one image, for other sandbox services (Inspector); undefined when ECR does not hold it. */
  imageStatus(
    repository: string,
    digest: string,
  ): { readonly status: string; readonly lastArchivedAt?: string } | undefined {
    const repo = this.repositories.get(repository);
    if (!repo) return undefined;
    this.finishRestores(repo);
    const image = repo.images.get(digest);
    if (!image) return undefined;
    return {
      status: image.status,
      ...(image.lastArchivedAt ? { lastArchivedAt: image.lastArchivedAt } : {}),
    };
  }

  /** ACTIVATING images whose restore time has passed become ACTIVE, restored at that time. */
  protected finishRestores(repo: RepositoryState): void {
    if (repo.activating.size === 0) return;
    const now = this.ctx.now();
    for (const digest of [...repo.activating]) {
      const image = repo.images.get(digest);
      if (image?.status === 'ACTIVATING' && Date.parse(image.activeFrom ?? '') > now) continue;
      repo.activating.delete(digest);
      if (image?.status !== 'ACTIVATING') continue;
      image.status = 'ACTIVE';
      image.lastActivatedAt = image.activeFrom;
      delete image.activeFrom;
    }
  }

  protected repoFor(registryId: string | undefined, name: string | undefined): RepositoryState {
    if (typeof name !== 'string' || name.length === 0) {
      throw new AwsError('InvalidParameterException', 'repositoryName is required');
    }
    this.checkRegistry(registryId, name);
    return this.repo(name);
  }

  /** Another account's registry is out of this sandbox: AWS would answer not found (or access denied). */
  protected checkRegistry(registryId: string | undefined, name: string): void {
    if (registryId !== undefined && registryId !== this.ctx.accountId) {
      throw new AwsError(
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
      );
    }
  }

  protected repoByArn(arn: string | undefined): RepositoryState {
    const prefix = this.repositoryArn('');
    if (typeof arn !== 'string' || !arn.startsWith(prefix) || arn.length === prefix.length) {
      throw new AwsError('InvalidParameterException', `Invalid parameter at 'resourceArn': '${String(arn)}'`);
    }
    return this.repo(arn.slice(prefix.length));
  }

  protected findImage(repo: RepositoryState, id: ImageIdentifier): ImageRecord | undefined {
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

  /**
   * The image an id of a batch call names, or undefined once the failure AWS reports for the id is recorded
   * (`ImageNotFound` also for an image that is not ACTIVE when `activeOnly`: an archived image, or one still
   * being restored, cannot be pulled; AWS may answer `ImageInaccessible` instead, which the model added with
   * the archive and no page ties to it).
   */
  protected imageOrFailure(
    repo: RepositoryState,
    id: ImageIdentifier,
    failures: ImageFailure[],
    activeOnly: boolean,
  ): ImageRecord | undefined {
    const failure = this.imageIdFailure(repo, id);
    if (failure) {
      failures.push(failure);
      return undefined;
    }
    const image = this.findImage(repo, id);
    if (!image || (activeOnly && image.status !== 'ACTIVE')) {
      failures.push({
        imageId: id,
        failureCode: 'ImageNotFound',
        failureReason: 'Requested image not found',
      });
      return undefined;
    }
    return image;
  }

  protected tagImmutable(repo: RepositoryState, tag: string): boolean {
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

  protected addImage(repo: RepositoryState, image: ImageRecord, manifestHash: string): void {
    repo.images.set(image.digest, image);
    if (image.digest !== `sha256:${manifestHash}`) repo.byManifestHash.set(manifestHash, image.digest);
  }

  protected deleteImage(repo: RepositoryState, image: ImageRecord): void {
    for (const tag of image.tags) repo.byTag.delete(tag);
    repo.images.delete(image.digest);
    repo.activating.delete(image.digest);
    const manifestHash = sha256Hex(image.manifest);
    if (repo.byManifestHash.get(manifestHash) === image.digest) repo.byManifestHash.delete(manifestHash);
  }

  /** Points `tag` at `image`, taking it off the image that had it (which stays, untagged if that was its last). */
  protected pointTag(repo: RepositoryState, tag: string, image: ImageRecord): void {
    const previous = repo.byTag.get(tag);
    if (previous === image.digest) return;
    if (previous !== undefined) {
      const old = repo.images.get(previous);
      if (old) old.tags = old.tags.filter((t) => t !== tag);
    }
    repo.byTag.set(tag, image.digest);
    image.tags.push(tag);
  }

  protected repositoryView(repo: RepositoryState): Repository {
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

  protected imageDetail(repo: RepositoryState, image: ImageRecord): ImageDetail {
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
