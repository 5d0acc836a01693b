/**
 * Verifies the AWS Signer signatures of one ECR image digest: ECR managed signing status and/or the Notation
 * signatures ECR lists as referrers, each envelope checked (signature, chain to the partition's Signer root at
 * the authentic signing time, payload digest, trusted profile, expiry) and then its revocation asked of Signer.
 * The SDK clients and the layer download are passed in; AWS errors propagate so the caller retries them.
 */
import { createHash } from 'node:crypto';
import {
  BatchGetImageCommand,
  DescribeImageSigningStatusCommand,
  type ECRClient,
  GetDownloadUrlForLayerCommand,
  type ImageReferrer,
  ListImageReferrersCommand,
} from '@aws-sdk/client-ecr';
import { GetRevocationStatusCommand, type SignerClient } from '@aws-sdk/client-signer';
import { revocationCertificateHashes, verifyChain } from './certificates';
import { ENVELOPE_MEDIA_TYPES, type VerifiedEnvelope } from './envelope';
import { verifyCoseEnvelope } from './envelope-cose';
import { verifyJwsEnvelope } from './envelope-jws';
import { checkSignature, matchesTrustedProfileArn } from './notation';
import { combineVerdicts, SignatureCheckError, type TrustVerdict } from './outcome';

export const NOTATION_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
/** The Signer platform of Notation container image signatures (GetRevocationStatus `platformId`). */
export const NOTATION_PLATFORM_ID = 'Notation-OCI-SHA384-ECDSA';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  OCI_INDEX,
  DOCKER_LIST,
];
/** Signatures read per digest at most: a repository flooded with referrers cannot make verification unbounded. */
export const MAX_SIGNATURES = 5;
const MAX_REFERRER_PAGES = 3;

export type VerificationMode = 'managed' | 'notation' | 'both';

export interface SigningClients {
  readonly ecr: ECRClient;
  readonly signer: SignerClient;
  /** Fetches a pre-signed layer URL from GetDownloadUrlForLayer. */
  readonly download: (url: string) => Promise<Uint8Array>;
}

export interface TrustPolicy {
  readonly trustedProfiles: readonly string[];
  readonly verification: VerificationMode;
  /** DER certificates of the AWS Signer root(s) of this partition (the sandbox CA offline). */
  readonly trustedRoots: readonly Uint8Array[];
  /** SHA-256 fingerprints of trusted self-signed roots (the built-in AWS Signer root is pinned this way). */
  readonly trustedRootFingerprints?: readonly string[];
  readonly partition: string;
  readonly now: Date;
}

export interface ImageToVerify {
  readonly registryId: string;
  readonly repositoryName: string;
  readonly digest: string;
  /** The tag the task asked for, if any: lets a platform manifest of a signed multi-architecture index be found. */
  readonly tag?: string;
}

/** Pure: what the managed signing statuses say for the trusted profiles. */
export function managedStatusVerdict(
  digest: string,
  statuses: readonly {
    signingProfileArn?: string;
    status?: string;
    failureCode?: string;
    failureReason?: string;
  }[],
  trustedProfiles: readonly string[],
): TrustVerdict | undefined {
  const trusted = statuses.filter(
    (s) => s.signingProfileArn && matchesTrustedProfileArn(s.signingProfileArn, trustedProfiles),
  );
  if (trusted.some((s) => s.status === 'COMPLETE')) return undefined;
  const inProgress = trusted.find((s) => s.status === 'IN_PROGRESS');
  if (inProgress)
    return { outcome: 'error', reason: 'ECR managed signing is still in progress for this digest', digest };
  const failed = trusted.find((s) => s.status === 'FAILED');
  if (failed) {
    return {
      outcome: 'unsigned',
      reason: `ECR managed signing failed (${failed.failureCode ?? 'no code'}: ${failed.failureReason ?? 'no reason'})`,
      digest,
    };
  }
  return {
    outcome: 'unsigned',
    reason: 'no ECR managed signing status of a trusted signing profile',
    digest,
  };
}

export async function listSignatures(
  clients: SigningClients,
  image: ImageToVerify,
  digest: string,
): Promise<ImageReferrer[]> {
  const found: ImageReferrer[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_REFERRER_PAGES; page += 1) {
    const out = await clients.ecr.send(
      new ListImageReferrersCommand({
        registryId: image.registryId,
        repositoryName: image.repositoryName,
        subjectId: { imageDigest: digest },
        filter: { artifactTypes: [NOTATION_ARTIFACT_TYPE], artifactStatus: 'ACTIVE' },
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    found.push(...(out.referrers ?? []).filter((r) => r.artifactType === NOTATION_ARTIFACT_TYPE));
    nextToken = out.nextToken;
    if (!nextToken || found.length >= MAX_SIGNATURES) break;
  }
  return found.slice(0, MAX_SIGNATURES);
}

interface Manifest {
  mediaType?: string;
  subject?: { digest?: string };
  layers?: { mediaType?: string; digest?: string }[];
  manifests?: { digest?: string }[];
}

async function getManifest(
  clients: SigningClients,
  image: ImageToVerify,
  id: { imageDigest?: string; imageTag?: string },
) {
  const out = await clients.ecr.send(
    new BatchGetImageCommand({
      registryId: image.registryId,
      repositoryName: image.repositoryName,
      imageIds: [id],
      acceptedMediaTypes: MANIFEST_TYPES,
    }),
  );
  const found = out.images?.[0];
  if (!found?.imageManifest) return undefined;
  return {
    digest: found.imageId?.imageDigest,
    manifest: JSON.parse(found.imageManifest) as Manifest,
    mediaType: found.imageManifestMediaType,
  };
}

export async function readEnvelope(
  clients: SigningClients,
  image: ImageToVerify,
  referrer: ImageReferrer,
  digest: string,
) {
  const got = await getManifest(clients, image, { imageDigest: referrer.digest });
  if (!got) throw new SignatureCheckError('error', `signature manifest ${referrer.digest} could not be read`);
  if (got.manifest.subject?.digest !== digest) {
    throw new SignatureCheckError('tampered', `signature manifest ${referrer.digest} has another subject`);
  }
  const layer = got.manifest.layers?.find(
    (l) => l.mediaType === ENVELOPE_MEDIA_TYPES.jws || l.mediaType === ENVELOPE_MEDIA_TYPES.cose,
  );
  if (!layer?.digest)
    throw new SignatureCheckError('tampered', 'the signature manifest has no JWS or COSE envelope layer');
  const url = await clients.ecr.send(
    new GetDownloadUrlForLayerCommand({
      registryId: image.registryId,
      repositoryName: image.repositoryName,
      layerDigest: layer.digest,
    }),
  );
  if (!url.downloadUrl)
    throw new SignatureCheckError('error', 'ECR gave no download URL for the signature envelope');
  const bytes = await clients.download(url.downloadUrl);
  if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` !== layer.digest) {
    throw new SignatureCheckError('tampered', 'the signature envelope does not match its layer digest');
  }
  return layer.mediaType === ENVELOPE_MEDIA_TYPES.jws ? verifyJwsEnvelope(bytes) : verifyCoseEnvelope(bytes);
}

async function verifyOne(
  clients: SigningClients,
  image: ImageToVerify,
  referrer: ImageReferrer,
  digest: string,
  policy: TrustPolicy,
): Promise<TrustVerdict> {
  let envelope: VerifiedEnvelope | undefined;
  try {
    envelope = await readEnvelope(clients, image, referrer, digest);
    const facts = checkSignature(envelope, {
      digest,
      trustedProfiles: policy.trustedProfiles,
      partition: policy.partition,
      now: policy.now,
    });
    await verifyChain(
      envelope.chain,
      policy.trustedRoots,
      facts.signedAt,
      policy.trustedRootFingerprints ?? [],
    );
    const identity = {
      digest,
      signingProfileVersionArn: facts.profileVersionArn,
      signingJobArn: facts.signingJobArn,
      signedAt: facts.signedAt.toISOString(),
      ...(facts.expiresAt ? { expiresAt: facts.expiresAt.toISOString() } : {}),
    };
    const revocation = await clients.signer.send(
      new GetRevocationStatusCommand({
        signatureTimestamp: facts.signedAt,
        platformId: NOTATION_PLATFORM_ID,
        profileVersionArn: facts.profileVersionArn,
        jobArn: facts.signingJobArn,
        certificateHashes: revocationCertificateHashes(envelope.chain),
      }),
    );
    const revoked = revocation.revokedEntities ?? [];
    if (revoked.length > 0) {
      const what = revoked.map((e) => (e.startsWith('arn:') ? e : 'a certificate of the chain')).join(', ');
      return { outcome: 'revoked', reason: `revoked by AWS Signer: ${what}`, ...identity };
    }
    return {
      outcome: 'trusted',
      reason: `signed by trusted profile ${facts.profileVersionArn}, not revoked`,
      ...identity,
    };
  } catch (error) {
    if (!(error instanceof SignatureCheckError)) throw error;
    return {
      outcome: error.outcome,
      reason: error.message,
      digest,
      ...(envelope?.profileVersionArn ? { signingProfileVersionArn: envelope.profileVersionArn } : {}),
      ...(envelope?.signingJobArn ? { signingJobArn: envelope.signingJobArn } : {}),
    };
  }
}

async function verifyNotation(
  clients: SigningClients,
  image: ImageToVerify,
  digest: string,
  policy: TrustPolicy,
) {
  const referrers = await listSignatures(clients, image, digest);
  const verdicts: TrustVerdict[] = [];
  for (const referrer of referrers) {
    const verdict = await verifyOne(clients, image, referrer, digest, policy);
    if (verdict.outcome === 'trusted') return verdict;
    verdicts.push(verdict);
  }
  return combineVerdicts(digest, verdicts);
}

/**
 * A platform manifest of a multi-architecture image has no signature of its own when the index was signed:
 * when the task's tag names an index that lists the digest, the index's signature is the one to verify.
 */
async function signedIndexOf(clients: SigningClients, image: ImageToVerify): Promise<string | undefined> {
  if (!image.tag) return undefined;
  const tagged = await getManifest(clients, image, { imageTag: image.tag });
  const isIndex =
    tagged?.mediaType === OCI_INDEX ||
    tagged?.mediaType === DOCKER_LIST ||
    Array.isArray(tagged?.manifest.manifests);
  if (!tagged?.digest || !isIndex || tagged.digest === image.digest) return undefined;
  return tagged.manifest.manifests?.some((m) => m.digest === image.digest) ? tagged.digest : undefined;
}

export async function verifyImage(
  image: ImageToVerify,
  policy: TrustPolicy,
  clients: SigningClients,
): Promise<TrustVerdict> {
  if (policy.verification !== 'notation') {
    const status = await clients.ecr.send(
      new DescribeImageSigningStatusCommand({
        registryId: image.registryId,
        repositoryName: image.repositoryName,
        imageId: { imageDigest: image.digest },
      }),
    );
    const managed = managedStatusVerdict(image.digest, status.signingStatuses ?? [], policy.trustedProfiles);
    if (managed && policy.verification === 'managed') return managed;
    const notation = await verifyNotation(clients, image, image.digest, policy);
    return notation.outcome === 'unsigned' && managed ? managed : notation;
  }
  const verdict = await verifyNotation(clients, image, image.digest, policy);
  if (verdict.outcome !== 'unsigned') return verdict;
  const index = await signedIndexOf(clients, image);
  if (!index) return verdict;
  const viaIndex = await verifyNotation(clients, image, index, policy);
  return {
    ...viaIndex,
    reason: `${viaIndex.reason} (multi-architecture index ${index} of tag ${image.tag})`,
  };
}
