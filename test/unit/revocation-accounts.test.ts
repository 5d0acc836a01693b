/**
 * signing.revokeOnQuarantine in organization mode: an image quarantined in a registry account has its
 * signatures read in that account (`ecrOf`, the ECR of the role it was quarantined through), not with the
 * deployment's own ECR, where the image does not exist.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { SignerClient } from '@aws-sdk/client-signer';
import { revokeQuarantinedImages } from '../../lambdas/actions/quarantine-revocation';
import type { QuarantineResult } from '../../lambdas/core/outcome';
import { applyScenario } from '../../local/provision';
import { SandboxAccount } from '../../local/sandbox/account';
import { attachSandbox, runInSandbox } from '../../local/sandbox/transport';
import { attachService } from '../helpers/sandbox-transport';

const TRUSTED = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/release';
const DIGEST = `sha256:${'3'.repeat(64)}`;
const BUCKET = 'evidence';
jest.setTimeout(60_000);

/** The registry account holding the signed image (and, in this sandbox, its signing job). */
function registry(): SandboxAccount {
  const account = new SandboxAccount({ clock: () => Date.parse('2026-06-01T00:00:00Z') });
  applyScenario(
    account,
    {
      repositories: [
        { name: 'shared/api', images: [{ tags: ['v1'], digest: DIGEST, signature: 'trusted' }] },
      ],
    },
    TRUSTED,
  );
  account.s3.createBucket(BUCKET);
  return account;
}

const quarantined = (registryId: string): QuarantineResult => ({
  status: 'done',
  images: [
    { repository: 'shared/api', registryId, digest: DIGEST, status: 'done', movedTags: [], archived: true },
  ],
});

async function revoke(account: SandboxAccount, ecrOf?: (registryId: string) => Promise<ECRClient>) {
  // The deployment's own ECR: another account's, without the image.
  const ownEcr = new ECRClient({ region: 'us-east-1' });
  attachService(ownEcr, new SandboxAccount().ecr);
  const signer = new SignerClient({ region: 'us-east-1' });
  const s3 = new S3Client({ region: 'us-east-1' });
  attachSandbox(signer, 'signer');
  attachSandbox(s3, 's3');
  const ca = await account.signer.authority();
  return runInSandbox(account, () =>
    revokeQuarantinedImages(
      {
        clients: { ecr: ownEcr, signer, download: async (url) => account.ecr.signatures.download(url) },
        ...(ecrOf ? { ecrOf } : {}),
        s3,
        evidenceBucket: BUCKET,
      },
      'incident-1',
      quarantined(account.accountId),
      {
        trustedRoots: [ca.rootDer],
        trustedRootFingerprints: [],
        trustedProfiles: [TRUSTED],
        partition: 'aws',
      },
    ),
  );
}

it("reads the signatures in the image's registry account through ecrOf, and revokes the job", async () => {
  // Arrange
  const account = registry();
  const registryEcr = new ECRClient({ region: 'us-east-1' });
  attachSandbox(registryEcr, 'ecr');
  const asked: string[] = [];

  // Act
  const revocation = await revoke(account, async (registryId) => {
    asked.push(registryId);
    return registryEcr;
  });

  // Assert
  expect(asked).toEqual([account.accountId]);
  expect(revocation?.status).toBe('done');
  expect(revocation?.jobs.map((j) => j.status)).toEqual(['revoked']);
});

it("without ecrOf, the deployment's ECR cannot read them: reported as failed, nothing revoked", async () => {
  const account = registry();

  const revocation = await revoke(account);

  expect(revocation?.status).toBe('failed');
  expect(revocation?.jobs).toEqual([]);
});
