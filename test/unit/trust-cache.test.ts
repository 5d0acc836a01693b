import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { RevokeSignatureCommand, SignerClient } from '@aws-sdk/client-signer';
import { type CachedVerdict, cachedVerdict, trustCacheKey } from '../../lambdas/actions/trust-cache';
import type { TrustVerdict } from '../../lambdas/core/signing/outcome';
import { verifyImage } from '../../lambdas/core/signing/verify-image';
import { applyScenario } from '../../local/provision';
import { recordCalls, SandboxAccount } from '../../local/sandbox/account';
import { attachSandbox, runInSandbox } from '../../local/sandbox/transport';

const TRUSTED = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/release';
const DIGEST = `sha256:${'1'.repeat(64)}`;
const T0 = Date.parse('2026-06-01T00:00:00Z');
const MINUTE = 60_000;
// Real envelopes are signed and verified in-process: generous timeouts on a loaded machine (no timed assertion).
jest.setTimeout(60_000);
const dynamodb = new DynamoDBClient({ region: 'us-east-1' });
const ecr = new ECRClient({ region: 'us-east-1' });
const signer = new SignerClient({ region: 'us-east-1' });
attachSandbox(dynamodb, 'dynamodb');
attachSandbox(ecr, 'ecr');
attachSandbox(signer, 'signer');

const settings = { cacheMinutes: 15, leaseSeconds: 30, policy: { trustedProfiles: [TRUSTED] } };

function sandbox(): SandboxAccount {
  const account = new SandboxAccount({ clock: () => T0 });
  account.dynamodb.createTable({ TableName: 'incidents', partitionKey: 'pk' });
  applyScenario(
    account,
    { repositories: [{ name: 'api', images: [{ tags: ['v1'], digest: DIGEST, signature: 'trusted' }] }] },
    TRUSTED,
  );
  return account;
}

/** A real verification of the sandbox image, counted. */
function verifier(account: SandboxAccount) {
  const counter = { count: 0 };
  const verify = async (now: number): Promise<TrustVerdict> => {
    counter.count += 1;
    const ca = await account.signer.authority();
    return verifyImage(
      { registryId: account.accountId, repositoryName: 'api', digest: DIGEST },
      {
        trustedProfiles: [TRUSTED],
        verification: 'notation',
        trustedRoots: [ca.rootDer],
        partition: 'aws',
        now: new Date(now),
      },
      { ecr, signer, download: async (url) => account.ecr.signatures.download(url) },
    );
  };
  return { counter, verify };
}

/** One task start as the workflow runs it: ask, and while another start verifies, wait and ask again. */
async function taskStart(owner: string, now: number, verify: (now: number) => Promise<TrustVerdict>) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const result: CachedVerdict = await cachedVerdict(DIGEST, settings, now, owner, () => verify(now), {
      dynamodb,
      table: 'incidents',
    });
    if (result.state === 'verified') return result;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('never verified');
}

it('a burst of 50 task starts of one digest costs one verification, and all of them get its verdict', async () => {
  const account = sandbox();
  const { counter, verify } = verifier(account);
  const { result, calls } = await recordCalls(() =>
    runInSandbox(account, () =>
      Promise.all(Array.from({ length: 50 }, (_, i) => taskStart(`task-${i}`, T0, verify))),
    ),
  );
  expect(counter.count).toBe(1);
  expect(result.map((r) => r.verdict.outcome)).toEqual(Array(50).fill('trusted'));
  expect(result.filter((r) => !r.cached)).toHaveLength(1);
  expect(calls.filter((c) => c.operation === 'ListImageReferrers')).toHaveLength(1);
  expect(calls.filter((c) => c.operation === 'GetRevocationStatus')).toHaveLength(1);
});

it('a verdict is reused until it expires (checked on read), so a revocation is seen within cacheMinutes', async () => {
  const account = sandbox();
  const { counter, verify } = verifier(account);
  const first = await runInSandbox(account, () => taskStart('a', T0, verify));
  expect(first.verdict.outcome).toBe('trusted');
  const jobId = String(first.verdict.signingJobArn).split('/').pop();
  await runInSandbox(account, () =>
    signer.send(new RevokeSignatureCommand({ jobId, reason: 'compromised' })),
  );
  const within = await runInSandbox(account, () => taskStart('b', T0 + 14 * MINUTE, verify));
  expect(within).toMatchObject({ cached: true, verdict: { outcome: 'trusted' } });
  const after = await runInSandbox(account, () => taskStart('c', T0 + 15 * MINUTE, verify));
  expect(after).toMatchObject({ cached: false, verdict: { outcome: 'revoked' } });
  expect(counter.count).toBe(2);
});

it('an error verdict is never reused: the next start verifies again', async () => {
  const account = sandbox();
  let calls = 0;
  const failing = async (): Promise<TrustVerdict> => {
    calls += 1;
    return { outcome: 'error', reason: 'could not verify', digest: DIGEST };
  };
  await runInSandbox(account, () => taskStart('a', T0, failing));
  await runInSandbox(account, () => taskStart('b', T0 + 1000, failing));
  expect(calls).toBe(2);
});

it('a start waits while another holds the lease, and takes it over once the lease has run out', async () => {
  const account = sandbox();
  const { verify } = verifier(account);
  const never = () => new Promise<TrustVerdict>(() => undefined);
  // The first start takes the lease and never finishes (its Lambda timed out).
  void runInSandbox(account, () =>
    cachedVerdict(DIGEST, settings, T0, 'stuck', never, { dynamodb, table: 'incidents' }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  const waiting = await runInSandbox(account, () =>
    cachedVerdict(DIGEST, settings, T0 + 1000, 'b', () => verify(T0), { dynamodb, table: 'incidents' }),
  );
  expect(waiting).toEqual({ state: 'pending', retryAfterSeconds: 29 });
  const later = await runInSandbox(account, () => taskStart('c', T0 + 31_000, verify));
  expect(later).toMatchObject({ cached: false, verdict: { outcome: 'trusted' } });
});

it('the cache key depends on the trust policy: another trusted profile list never reuses a verdict', () => {
  expect(trustCacheKey(DIGEST, { trustedProfiles: [TRUSTED] })).not.toBe(
    trustCacheKey(DIGEST, { trustedProfiles: [`${TRUSTED}2`] }),
  );
  expect(trustCacheKey(DIGEST, { trustedProfiles: [TRUSTED] })).toBe(
    trustCacheKey(DIGEST, { trustedProfiles: [TRUSTED] }),
  );
});
