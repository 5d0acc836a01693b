/** The records the sandbox ECR keeps (plain JSON, so a snapshot is a copy of them) and its provisioning inputs. */

import type { ImageTagMutability, Tag } from '@aws-sdk/client-ecr';
import type { EcrImageActionEvent } from './events';

/** `ImageStatus` in the ECR model; ACTIVATING is a restore from the archive not yet finished. */
export type ImageStatus = 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';

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
  /** While ACTIVATING: when the restore completes on the sandbox clock. */
  activeFrom?: string;
}

export interface RepositoryRecord {
  name: string;
  createdAt: string;
  mutability: ImageTagMutability;
  exclusionFilters: string[];
  tags: Tag[];
}

/** A repository with the indexes that keep every per-image call O(1). */
export interface RepositoryState {
  record: RepositoryRecord;
  images: Map<string, ImageRecord>;
  /** tag -> digest */
  byTag: Map<string, string>;
  /** sha256(manifest) -> digest, for images whose provisioned digest is not the manifest's own hash. */
  byManifestHash: Map<string, string>;
  /** Digests being restored from the archive (ACTIVATING), finished lazily as the clock passes `activeFrom`. */
  activating: Set<string>;
}

export interface EcrSnapshot {
  repositories: Array<RepositoryRecord & { images: ImageRecord[] }>;
  /** Events emitted and not yet processed (a push by `release --sandbox`), kept with the sandbox. */
  events?: EcrImageActionEvent[];
  /** How many events were ever emitted: the seed of the next event id. */
  eventSequence?: number;
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
