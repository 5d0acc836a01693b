import { ECRClient } from '@aws-sdk/client-ecr';
import { GetRevocationStatusCommand, RevokeSignatureCommand, SignerClient } from '@aws-sdk/client-signer';
import { verifyImage } from '../../lambdas/core/signing/verify-image';
import { applyScenario } from '../../local/provision';
import type { SignatureKind } from '../../local/provision-signatures';
import { SandboxAccount } from '../../local/sandbox/account';
import { attachSandbox, runInSandbox } from '../../local/sandbox/transport';

const TRUSTED = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/release';
const ecr = new ECRClient({ region: 'us-east-1' });
const signer = new SignerClient({ region: 'us-east-1' });
attachSandbox(ecr, 'ecr');
attachSandbox(signer, 'signer');

const KINDS: readonly SignatureKind[] = [
  'trusted',
  'untrusted-profile',
  'revoked',
  'tampered',
  'expired',
  'none',
];
const digestOf = (i: number) => `sha256:${String(i).repeat(64).slice(0, 64)}`;

function sandbox(format: 'jws' | 'cose' = 'jws'): SandboxAccount {
  const account = new SandboxAccount({ clock: () => Date.parse('2026-06-01T00:00:00Z') });
  applyScenario(
    account,
    {
      repositories: [
        {
          name: 'api',
          images: KINDS.map((signature, i) => ({
            tags: [signature],
            digest: digestOf(i + 1),
            signature,
            signatureFormat: format,
          })),
        },
      ],
    },
    TRUSTED,
  );
  return account;
}

async function verdict(
  account: SandboxAccount,
  digest: string,
  verification: 'notation' | 'managed' = 'notation',
) {
  const ca = await account.signer.authority();
  return runInSandbox(account, () =>
    verifyImage(
      { registryId: account.accountId, repositoryName: 'api', digest },
      {
        trustedProfiles: [TRUSTED],
        verification,
        trustedRoots: [ca.rootDer],
        partition: 'aws',
        now: new Date(account.now()),
      },
      { ecr, signer, download: async (url) => account.ecr.signatures.download(url) },
    ),
  );
}

const EXPECTED: Record<SignatureKind, string> = {
  trusted: 'trusted',
  'untrusted-profile': 'untrusted-signer',
  revoked: 'revoked',
  tampered: 'tampered',
  expired: 'expired',
  none: 'unsigned',
};

describe.each(['jws', 'cose'] as const)('scenario signatures (%s) verify as their kind says', (format) => {
  const account = sandbox(format);
  it.each(KINDS.map((kind, i) => [kind, i] as const))('%s', async (kind, i) => {
    expect((await verdict(account, digestOf(i + 1))).outcome).toBe(EXPECTED[kind]);
  });
});

it('managed signing status COMPLETE is provisioned for signed images, none for unsigned ones', async () => {
  const account = sandbox();
  expect((await verdict(account, digestOf(1), 'managed')).outcome).toBe('trusted');
  expect((await verdict(account, digestOf(6), 'managed')).outcome).toBe('unsigned');
  expect((await verdict(account, digestOf(3), 'managed')).outcome).toBe('revoked');
});

it('RevokeSignature of the job makes a trusted image revoked for every later verification', async () => {
  const account = sandbox();
  const before = await verdict(account, digestOf(1));
  expect(before.outcome).toBe('trusted');
  const jobId = String(before.signingJobArn).split('/').pop();
  await runInSandbox(account, () =>
    signer.send(new RevokeSignatureCommand({ jobId, reason: 'quarantined by shield-right' })),
  );
  expect((await verdict(account, digestOf(1))).outcome).toBe('revoked');
});

it('GetRevocationStatus refuses an ARN of another partition, and a request missing a required member', async () => {
  const account = sandbox();
  const base = {
    signatureTimestamp: new Date(),
    platformId: 'Notation-OCI-SHA384-ECDSA',
    profileVersionArn:
      'arn:aws-us-gov:signer:us-gov-west-1:111122223333:/signing-profiles/release/ABCDEFGHIJ',
    jobArn: 'arn:aws-us-gov:signer:us-gov-west-1:111122223333:/signing-jobs/x',
    certificateHashes: ['00'],
  };
  await expect(
    runInSandbox(account, () => signer.send(new GetRevocationStatusCommand(base))),
  ).rejects.toMatchObject({
    name: 'ValidationException',
  });
  const { jobArn: _omitted, ...missing } = base;
  await expect(
    runInSandbox(account, () => signer.send(new GetRevocationStatusCommand(missing as typeof base))),
  ).rejects.toMatchObject({ name: 'ValidationException' });
});

it('a snapshot keeps the CA, the signatures and the revocations', async () => {
  const account = sandbox();
  expect((await verdict(account, digestOf(1))).outcome).toBe('trusted');
  const copy = new SandboxAccount({ clock: () => Date.parse('2026-06-01T00:00:00Z') });
  copy.restore(JSON.parse(JSON.stringify(account.snapshot())));
  expect(Buffer.from((await copy.signer.authority()).rootDer)).toEqual(
    Buffer.from((await account.signer.authority()).rootDer),
  );
  expect((await verdict(copy, digestOf(1))).outcome).toBe('trusted');
  expect((await verdict(copy, digestOf(3))).outcome).toBe('revoked');
});
