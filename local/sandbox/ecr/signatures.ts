/**
 * Sandbox ECR signatures: Notation signature artifacts stored as images whose manifest's `subject` is the
 * signed image, their envelope layers (downloadable through GetDownloadUrlForLayer), ListImageReferrers over
 * them, and ECR managed signing statuses (DescribeImageSigningStatus). Envelopes are really signed, by the
 * sandbox Signer's CA, when first read (signing is asynchronous; provisioning is not).
 */
import { createHash } from 'node:crypto';
import type { ImageReferrer, ImageSigningStatus } from '@aws-sdk/client-ecr';
import { AwsError } from '../types';

export const NOTATION_SIGNATURE = 'application/vnd.cncf.notary.signature';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
const EMPTY_DIGEST = `sha256:${createHash('sha256').update('{}').digest('hex')}`;
/** Pre-signed layer URLs of the sandbox: never fetched over the network (sandbox download). */
export const SANDBOX_LAYER_URL = 'https://sandbox-ecr-layers.invalid/';

export interface SignatureSpec {
  readonly repository: string;
  /** The signed manifest (the image's digest). */
  readonly subject: string;
  readonly subjectMediaType: string;
  readonly subjectSize: number;
  readonly format: 'jws' | 'cose';
  /** The digest the payload names: the subject's, or another one. */
  readonly payloadDigest: string;
  readonly profileVersionArn: string;
  readonly jobArn: string;
  readonly signedAt: string;
  readonly expiry: string;
  /** Flip a byte of the payload after signing. */
  readonly tamper: boolean;
}

interface SignatureRecord {
  spec: SignatureSpec;
  /** Set once the envelope is signed and stored. */
  artifactDigest?: string;
  layerDigest?: string;
  size?: number;
}

export interface SignaturesSnapshot {
  signatures: SignatureRecord[];
  blobs: Record<string, string>;
  statuses: Record<string, ImageSigningStatus[]>;
}

export interface SignatureHost {
  /** Throws RepositoryNotFoundException when the repository does not exist. */
  requireRepository(name: string): void;
  /** Stores an untagged image with this manifest; returns its digest. */
  putArtifact(repository: string, manifest: string): string;
  /** Signs an envelope with the sandbox CA. */
  sign(spec: SignatureSpec): Promise<Uint8Array>;
}

const key = (repository: string, digest: string) => `${repository}@${digest}`;

export class EcrSignatures {
  private signatures: SignatureRecord[] = [];
  private blobs = new Map<string, string>();
  private statuses = new Map<string, ImageSigningStatus[]>();

  constructor(private readonly host: SignatureHost) {}

  /** Adds a Notation signature of `spec.subject` (signed when first listed). */
  addSignature(spec: SignatureSpec): void {
    this.signatures.push({ spec });
  }

  /** Records ECR managed signing's status of one image for one profile. */
  setSigningStatus(repository: string, digest: string, status: ImageSigningStatus): void {
    const list = (this.statuses.get(key(repository, digest)) ?? []).filter(
      (s) => s.signingProfileArn !== status.signingProfileArn,
    );
    this.statuses.set(key(repository, digest), [...list, status]);
  }

  /** The bytes behind a sandbox pre-signed layer URL. */
  download(url: string): Uint8Array {
    const digest = url.startsWith(SANDBOX_LAYER_URL) ? url.slice(url.lastIndexOf('/') + 1) : '';
    const blob = this.blobs.get(digest);
    if (!blob) throw new AwsError('LayersNotFoundException', `no layer behind ${url}`);
    return new Uint8Array(Buffer.from(blob, 'base64'));
  }

  private async materialize(record: SignatureRecord): Promise<Required<SignatureRecord>> {
    if (!record.artifactDigest || !record.layerDigest || record.size === undefined) {
      const envelope = await this.host.sign(record.spec);
      const layerDigest = `sha256:${createHash('sha256').update(envelope).digest('hex')}`;
      this.blobs.set(layerDigest, Buffer.from(envelope).toString('base64'));
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: NOTATION_SIGNATURE,
        config: { mediaType: OCI_EMPTY, digest: EMPTY_DIGEST, size: 2 },
        layers: [
          {
            mediaType: record.spec.format === 'jws' ? 'application/jose+json' : 'application/cose',
            digest: layerDigest,
            size: envelope.length,
          },
        ],
        subject: {
          mediaType: record.spec.subjectMediaType,
          digest: record.spec.subject,
          size: record.spec.subjectSize,
        },
      });
      record.artifactDigest = this.host.putArtifact(record.spec.repository, manifest);
      record.layerDigest = layerDigest;
      record.size = Buffer.byteLength(manifest);
    }
    return record as Required<SignatureRecord>;
  }

  async listImageReferrers(input: {
    repositoryName?: string;
    subjectId?: { imageDigest?: string };
    filter?: { artifactTypes?: string[]; artifactStatus?: string };
  }): Promise<{ referrers: ImageReferrer[] }> {
    const repository = String(input.repositoryName);
    this.host.requireRepository(repository);
    const subject = input.subjectId?.imageDigest;
    const types = input.filter?.artifactTypes;
    if (types && !types.includes(NOTATION_SIGNATURE)) return { referrers: [] };
    const referrers: ImageReferrer[] = [];
    for (const record of this.signatures) {
      if (record.spec.repository !== repository || record.spec.subject !== subject) continue;
      const done = await this.materialize(record);
      referrers.push({
        digest: done.artifactDigest,
        mediaType: OCI_MANIFEST,
        artifactType: NOTATION_SIGNATURE,
        size: done.size,
        artifactStatus: 'ACTIVE',
      });
    }
    return { referrers };
  }

  getDownloadUrlForLayer(input: { repositoryName?: string; layerDigest?: string }) {
    const repository = String(input.repositoryName);
    this.host.requireRepository(repository);
    const digest = String(input.layerDigest);
    const owned = this.signatures.some((r) => r.spec.repository === repository && r.layerDigest === digest);
    if (!owned || !this.blobs.has(digest)) {
      throw new AwsError(
        'LayersNotFoundException',
        `The layer '${digest}' does not exist in repository '${repository}'`,
      );
    }
    return { downloadUrl: `${SANDBOX_LAYER_URL}${repository}/${digest}`, layerDigest: digest };
  }

  describeImageSigningStatus(input: {
    repositoryName?: string;
    imageId?: { imageDigest?: string };
    registryId?: string;
  }) {
    const repository = String(input.repositoryName);
    this.host.requireRepository(repository);
    const digest = input.imageId?.imageDigest ?? '';
    return {
      repositoryName: repository,
      imageId: { imageDigest: digest },
      ...(input.registryId ? { registryId: input.registryId } : {}),
      signingStatuses: structuredClone(this.statuses.get(key(repository, digest)) ?? []),
    };
  }

  snapshot(): SignaturesSnapshot {
    return structuredClone({
      signatures: this.signatures,
      blobs: Object.fromEntries(this.blobs),
      statuses: Object.fromEntries(this.statuses),
    });
  }

  restore(state: Partial<SignaturesSnapshot> | undefined): void {
    this.signatures = structuredClone(state?.signatures ?? []);
    this.blobs = new Map(Object.entries(state?.blobs ?? {}));
    this.statuses = new Map(Object.entries(structuredClone(state?.statuses ?? {})));
  }
}
