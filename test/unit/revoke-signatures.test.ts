import { ECRClient } from '@aws-sdk/client-ecr';
import { SignerClient } from '@aws-sdk/client-signer';
import { revokeDigestSignatures } from '../../lambdas/actions/revoke-signatures';
import { verifyImage } from '../../lambdas/core/signing/verify-image';
import { applyScenario } from '../../local/provision';
import { recordCalls, SandboxAccount } from '../../local/sandbox/account';
import { attachSandbox, runInSandbox } from '../../local/sandbox/transport';

const TRUSTED = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/release';
const GOOD = `sha256:${'1'.repeat(64)}`;
const FORGED = `sha256:${'2'.repeat(64)}`;
const ecr = new ECRClient({ region: 'us-east-1' });
const signer = new SignerClient({ region: 'us-east-1' });
attachSandbox(ecr, 'ecr');
attachSandbox(signer, 'signer');
jest.setTimeout(60_000);

function sandbox() {
  const account = new SandboxAccount({ clock: () => Date.parse('2026-06-01T00:00:00Z') });
  applyScenario(
    account,
    {
      repositories: [
        {
          name: 'api',
          images: [
            { tags: ['good'], digest: GOOD, signature: 'trusted' },
            { tags: ['forged'], digest: FORGED, signature: 'tampered' },
          ],
        },
      ],
    },
    TRUSTED,
  );
  const clients = { ecr, signer, download: async (url: string) => account.ecr.signatures.download(url) };
  return { account, clients };
}

it('revokes the signing job of an authentic signature: the digest verifies as revoked afterwards', async () => {
  const { account, clients } = sandbox();
  const ca = await account.signer.authority();
  const image = { registryId: account.accountId, repositoryName: 'api', digest: GOOD };
  const { result, calls } = await recordCalls(() =>
    runInSandbox(account, () =>
      revokeDigestSignatures(
        image,
        {
          trustedRoots: [ca.rootDer],
          trustedRootFingerprints: [],
          trustedProfiles: [TRUSTED],
          partition: 'aws',
          reason: 'quarantined by shield-right incident X',
        },
        clients,
      ),
    ),
  );
  expect(result.jobs.map((j) => j.status)).toEqual(['revoked']);
  expect(calls.filter((c) => c.operation === 'RevokeSignature')).toEqual([
    expect.objectContaining({ input: expect.objectContaining({ jobOwner: '111122223333' }), error: null }),
  ]);
  const policy = {
    trustedProfiles: [TRUSTED],
    verification: 'notation' as const,
    trustedRoots: [ca.rootDer],
    partition: 'aws',
    now: new Date(account.now()),
  };
  expect((await runInSandbox(account, () => verifyImage(image, policy, clients))).outcome).toBe('revoked');
});

it('never revokes the job a tampered (unauthentic) envelope names', async () => {
  const { account, clients } = sandbox();
  const ca = await account.signer.authority();
  const { result, calls } = await recordCalls(() =>
    runInSandbox(account, () =>
      revokeDigestSignatures(
        { registryId: account.accountId, repositoryName: 'api', digest: FORGED },
        {
          trustedRoots: [ca.rootDer],
          trustedRootFingerprints: [],
          trustedProfiles: [TRUSTED],
          partition: 'aws',
          reason: 'quarantine',
        },
        clients,
      ),
    ),
  );
  expect(result.jobs).toEqual([]);
  expect(result.skipped).toEqual([
    expect.objectContaining({ reason: expect.stringContaining('not an authentic Signer signature') }),
  ]);
  expect(calls.some((c) => c.operation === 'RevokeSignature')).toBe(false);
});

it('asks GetRevocationStatus first: a job already revoked is reported as such, never revoked again', async () => {
  const { account, clients } = sandbox();
  const ca = await account.signer.authority();
  const image = { registryId: account.accountId, repositoryName: 'api', digest: GOOD };
  const context = {
    trustedRoots: [ca.rootDer],
    trustedRootFingerprints: [],
    trustedProfiles: [TRUSTED],
    partition: 'aws',
    reason: 'quarantined by shield-right incident X',
  };
  await runInSandbox(account, () => revokeDigestSignatures(image, context, clients));
  const { result, calls } = await recordCalls(() =>
    runInSandbox(account, () => revokeDigestSignatures(image, context, clients)),
  );
  expect(result.jobs.map((j) => j.status)).toEqual(['already-revoked']);
  expect(calls.some((c) => c.operation === 'RevokeSignature')).toBe(false);
});
