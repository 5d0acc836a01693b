import 'aws-sdk-client-mock-jest';
import { createHash } from 'node:crypto';
import {
  BatchGetImageCommand,
  DescribeImageSigningStatusCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
  ListImageReferrersCommand,
} from '@aws-sdk/client-ecr';
import { GetRevocationStatusCommand, SignerClient } from '@aws-sdk/client-signer';
import { mockClient } from 'aws-sdk-client-mock';
import { revocationCertificateHashes } from '../../lambdas/core/signing/certificates';
import {
  type ImageToVerify,
  NOTATION_ARTIFACT_TYPE,
  NOTATION_PLATFORM_ID,
  type TrustPolicy,
  verifyImage,
} from '../../lambdas/core/signing/verify-image';
import { createSandboxCa, type SandboxCa, signNotation } from '../../local/sandbox/signing-ca';

const ecrMock = mockClient(ECRClient);
const signerMock = mockClient(SignerClient);

const PROFILE = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/release';
const VERSION = `${PROFILE}/Ab12Cd34Ef`;
const JOB = 'arn:aws:signer:us-east-1:111122223333:/signing-jobs/1b2c3d4e-0000-4000-8000-000000000001';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const INDEX = `sha256:${'ef'.repeat(32)}`;
const SIGNATURE = `sha256:${'5a'.repeat(32)}`;
const image: ImageToVerify = { registryId: '111122223333', repositoryName: 'api', digest: DIGEST };

let ca: SandboxCa;
const layers = new Map<string, Uint8Array>();
const downloads: string[] = [];
const clients = {
  ecr: new ECRClient({ region: 'us-east-1' }),
  signer: new SignerClient({ region: 'us-east-1' }),
  download: async (url: string) => {
    downloads.push(url);
    const bytes = layers.get(url);
    if (!bytes) throw new Error(`no layer at ${url}`);
    return bytes;
  },
};
const policy = (overrides: Partial<TrustPolicy> = {}): TrustPolicy => ({
  trustedProfiles: [PROFILE],
  verification: 'notation',
  trustedRoots: [ca.rootDer],
  partition: 'aws',
  now: new Date('2026-06-01T00:00:00Z'),
  ...overrides,
});

beforeAll(async () => {
  ca = await createSandboxCa({ notBefore: new Date('2026-01-01T00:00:00Z') });
});

/** Serves one signature artifact of `subject` whose envelope layer is `envelope`, as ECR would. */
function serveSignature(subject: string, envelope: Uint8Array, layerDigest?: string) {
  const digest = layerDigest ?? `sha256:${createHash('sha256').update(envelope).digest('hex')}`;
  const url = `https://layers.example/${digest}`;
  layers.set(url, envelope);
  ecrMock.on(ListImageReferrersCommand, { subjectId: { imageDigest: subject } }).resolves({
    referrers: [
      {
        digest: SIGNATURE,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: NOTATION_ARTIFACT_TYPE,
        size: 700,
      },
    ],
  });
  ecrMock.on(BatchGetImageCommand, { imageIds: [{ imageDigest: SIGNATURE }] }).resolves({
    images: [
      {
        imageId: { imageDigest: SIGNATURE },
        imageManifest: JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          artifactType: NOTATION_ARTIFACT_TYPE,
          layers: [{ mediaType: 'application/jose+json', digest, size: envelope.length }],
          subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: subject, size: 1234 },
        }),
      },
    ],
  });
  ecrMock
    .on(GetDownloadUrlForLayerCommand, { layerDigest: digest })
    .resolves({ downloadUrl: url, layerDigest: digest });
}

const sign = (digest = DIGEST) =>
  signNotation(ca, {
    format: 'jws',
    digest,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: 1234,
    profileVersionArn: VERSION,
    jobArn: JOB,
    signedAt: new Date('2026-05-01T00:00:00Z'),
    expiry: new Date('2027-05-01T00:00:00Z'),
  });

beforeEach(() => {
  ecrMock.reset();
  signerMock.reset();
  layers.clear();
  downloads.length = 0;
  ecrMock.on(ListImageReferrersCommand).resolves({ referrers: [] });
  ecrMock.on(BatchGetImageCommand).resolves({ images: [] });
  signerMock.on(GetRevocationStatusCommand).resolves({ revokedEntities: [] });
});

it('trusted: the signature verifies and Signer reports nothing revoked, asked with the job, profile version and TBS hashes', async () => {
  serveSignature(DIGEST, await sign());
  const verdict = await verifyImage(image, policy(), clients);
  expect(verdict).toMatchObject({
    outcome: 'trusted',
    digest: DIGEST,
    signingJobArn: JOB,
    signingProfileVersionArn: VERSION,
  });
  expect(signerMock).toHaveReceivedCommandWith(GetRevocationStatusCommand, {
    platformId: NOTATION_PLATFORM_ID,
    jobArn: JOB,
    profileVersionArn: VERSION,
    signatureTimestamp: new Date('2026-05-01T00:00:00Z'),
    certificateHashes: revocationCertificateHashes(ca.chainDer),
  });
  expect(ecrMock).toHaveReceivedCommandWith(ListImageReferrersCommand, {
    filter: { artifactTypes: [NOTATION_ARTIFACT_TYPE], artifactStatus: 'ACTIVE' },
  });
});

it('revoked: Signer lists the signing job as revoked', async () => {
  serveSignature(DIGEST, await sign());
  signerMock.on(GetRevocationStatusCommand).resolves({ revokedEntities: [JOB] });
  const verdict = await verifyImage(image, policy(), clients);
  expect(verdict.outcome).toBe('revoked');
  expect(verdict.reason).toContain(JOB);
});

it('unsigned: no Notation referrer of the digest; nothing downloaded, Signer not asked', async () => {
  const verdict = await verifyImage(image, policy(), clients);
  expect(verdict.outcome).toBe('unsigned');
  expect(downloads).toEqual([]);
  expect(signerMock).not.toHaveReceivedCommand(GetRevocationStatusCommand);
});

it('tampered: the downloaded envelope is not the layer its manifest names', async () => {
  serveSignature(DIGEST, await sign(), `sha256:${'00'.repeat(32)}`);
  expect((await verifyImage(image, policy(), clients)).outcome).toBe('tampered');
  expect(signerMock).not.toHaveReceivedCommand(GetRevocationStatusCommand);
});

it('a failing revocation check is an error to retry, never trusted', async () => {
  serveSignature(DIGEST, await sign());
  signerMock
    .on(GetRevocationStatusCommand)
    .rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
  await expect(verifyImage(image, policy(), clients)).rejects.toThrow('slow down');
});

describe('managed signing', () => {
  it('managed: COMPLETE for a trusted profile and a verified signature: trusted', async () => {
    serveSignature(DIGEST, await sign());
    ecrMock
      .on(DescribeImageSigningStatusCommand)
      .resolves({ signingStatuses: [{ signingProfileArn: PROFILE, status: 'COMPLETE' }] });
    expect((await verifyImage(image, policy({ verification: 'managed' }), clients)).outcome).toBe('trusted');
  });

  it('managed: COMPLETE is not trust on its own: a revoked signature is revoked', async () => {
    serveSignature(DIGEST, await sign());
    ecrMock
      .on(DescribeImageSigningStatusCommand)
      .resolves({ signingStatuses: [{ signingProfileArn: PROFILE, status: 'COMPLETE' }] });
    signerMock.on(GetRevocationStatusCommand).resolves({ revokedEntities: [JOB] });
    expect((await verifyImage(image, policy({ verification: 'managed' }), clients)).outcome).toBe('revoked');
  });

  it('managed: FAILED is unsigned with its failure code; IN_PROGRESS is an error to retry', async () => {
    ecrMock.on(DescribeImageSigningStatusCommand).resolves({
      signingStatuses: [
        {
          signingProfileArn: PROFILE,
          status: 'FAILED',
          failureCode: 'SIGNING_FAILED',
          failureReason: 'no permission',
        },
      ],
    });
    const failed = await verifyImage(image, policy({ verification: 'managed' }), clients);
    expect(failed).toMatchObject({ outcome: 'unsigned' });
    expect(failed.reason).toContain('SIGNING_FAILED');
    ecrMock
      .on(DescribeImageSigningStatusCommand)
      .resolves({ signingStatuses: [{ signingProfileArn: PROFILE, status: 'IN_PROGRESS' }] });
    expect((await verifyImage(image, policy({ verification: 'managed' }), clients)).outcome).toBe('error');
  });

  it('managed: COMPLETE for an untrusted profile only is not trusted', async () => {
    serveSignature(DIGEST, await sign());
    ecrMock
      .on(DescribeImageSigningStatusCommand)
      .resolves({ signingStatuses: [{ signingProfileArn: `${PROFILE}x`, status: 'COMPLETE' }] });
    expect((await verifyImage(image, policy({ verification: 'managed' }), clients)).outcome).toBe('unsigned');
  });

  it('both: a pipeline signature is trusted without a managed status', async () => {
    serveSignature(DIGEST, await sign());
    ecrMock.on(DescribeImageSigningStatusCommand).resolves({ signingStatuses: [] });
    expect((await verifyImage(image, policy({ verification: 'both' }), clients)).outcome).toBe('trusted');
  });
});

it('multi-architecture: a platform digest of a signed index (found through the task tag) is verified through the index', async () => {
  serveSignature(INDEX, await sign(INDEX));
  ecrMock.on(BatchGetImageCommand, { imageIds: [{ imageTag: 'v1' }] }).resolves({
    images: [
      {
        imageId: { imageDigest: INDEX, imageTag: 'v1' },
        imageManifestMediaType: 'application/vnd.oci.image.index.v1+json',
        imageManifest: JSON.stringify({ schemaVersion: 2, manifests: [{ digest: DIGEST }] }),
      },
    ],
  });
  const verdict = await verifyImage({ ...image, tag: 'v1' }, policy(), clients);
  expect(verdict).toMatchObject({ outcome: 'trusted', digest: INDEX });
  expect(verdict.reason).toContain('multi-architecture index');
  const unrelated = await verifyImage(
    { ...image, digest: `sha256:${'77'.repeat(32)}`, tag: 'v1' },
    policy(),
    clients,
  );
  expect(unrelated.outcome).toBe('unsigned');
});
