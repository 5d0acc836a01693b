/**
 * From an image as a task or a pipeline names it (`registry/repo[:tag][@digest]`) to a verdict: images outside
 * ECR are judged by the `allowRegistries` list (never silently trusted), a tag is resolved to its digest, and
 * the digest is verified (verify-image.ts). Repositories in `allowUnsignedRepositories` are still verified;
 * the verdict says they are allowed to run anyway.
 */
import { X509Certificate } from 'node:crypto';
import { BatchGetImageCommand } from '@aws-sdk/client-ecr';
import type { SigningConfig } from '../../../definitions/signing-config';
import { parseImage } from '../image';
import type { TrustVerdict } from './outcome';
import { type SigningClients, verifyImage } from './verify-image';

export interface ImageVerdict extends TrustVerdict {
  readonly image: string;
  /** Set when policy lets the image run whatever the outcome: its registry or repository is allow-listed. */
  readonly allowedBy?: 'allowRegistries' | 'allowUnsignedRepositories';
}

export type TrustSettings = Pick<
  SigningConfig,
  'trustedProfiles' | 'verification' | 'allowRegistries' | 'allowUnsignedRepositories'
> & {
  readonly trustedRoots: readonly Uint8Array[];
  readonly trustedRootFingerprints?: readonly string[];
  readonly now: Date;
};

/** DER of PEM certificates (configuration `signing.trustedRootCertificates`). */
export function rootsFromPem(pems: readonly string[]): Uint8Array[] {
  return pems.map((pem) => new Uint8Array(new X509Certificate(pem).raw));
}

/** The partition of the registry host (`amazonaws.com.cn` is aws-cn, us-gov regions are aws-us-gov). */
export function partitionOfRegistry(registry: string, region: string): string {
  if (registry.endsWith('.amazonaws.com.cn')) return 'aws-cn';
  return region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

export async function verifyImageReference(
  image: string,
  reportedDigest: string | undefined,
  settings: TrustSettings,
  clients: SigningClients,
): Promise<ImageVerdict> {
  const ref = parseImage(image);
  const digest = reportedDigest ?? ref.digest;
  if (!ref.ecr) {
    const allowed = settings.allowRegistries.includes(ref.registry);
    return {
      image,
      outcome: 'unsigned',
      digest: digest ?? '',
      reason: allowed
        ? `registry ${ref.registry} is outside ECR: allowed by signing.allowRegistries, not verified`
        : `registry ${ref.registry} is outside ECR and not in signing.allowRegistries: its signature cannot be verified`,
      ...(allowed ? { allowedBy: 'allowRegistries' as const } : {}),
    };
  }
  let resolved = digest;
  if (!resolved && ref.tag) {
    const out = await clients.ecr.send(
      new BatchGetImageCommand({
        registryId: ref.ecr.accountId,
        repositoryName: ref.repository,
        imageIds: [{ imageTag: ref.tag }],
      }),
    );
    resolved = out.images?.[0]?.imageId?.imageDigest;
  }
  if (!resolved) {
    return {
      image,
      outcome: 'error',
      digest: '',
      reason: `${ref.repository}:${ref.tag ?? 'latest'} does not resolve to an image digest`,
    };
  }
  const verdict = await verifyImage(
    {
      registryId: ref.ecr.accountId,
      repositoryName: ref.repository,
      digest: resolved,
      ...(ref.tag ? { tag: ref.tag } : {}),
    },
    { ...settings, partition: partitionOfRegistry(ref.registry, ref.ecr.region) },
    clients,
  );
  const allowed =
    settings.allowUnsignedRepositories.includes(ref.repository) && verdict.outcome !== 'trusted';
  return { image, ...verdict, ...(allowed ? { allowedBy: 'allowUnsignedRepositories' as const } : {}) };
}
