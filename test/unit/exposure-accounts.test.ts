/**
 * The organization-wide blast-radius scan (lambdas/actions/exposure-accounts.ts): one task budget and one
 * deadline for every account, refusals reported per account, throttling left to the workflow's Retry.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { scanAccounts } from '../../lambdas/actions/exposure-accounts';
import { accountsToScan, registryAccess } from '../../lambdas/core/accounts';
import { spareTargets } from '../../lambdas/core/blast-radius';
import { MemberRoleError } from '../../lambdas/core/errors';
import { AwsError } from '../../local/sandbox/types';
import { type ContainerSandbox, containerSandbox } from '../helpers/container-sandbox';

const BAD = `sha256:${'b'.repeat(64)}`;
const A = '111122223333';
const B = '222233334444';
const C = '333344445555';

/** An account's sandbox ECS with `count` running tasks on the bad digest in cluster `prod`. */
function accountWith(count: number): ContainerSandbox {
  const sandbox = containerSandbox();
  const taskDefinitionArn = sandbox.ecs.putTaskDefinition({
    family: 'web',
    networkMode: 'awsvpc',
    containers: [{ name: 'app', image: 'repo/web:1' }],
  });
  for (let i = 0; i < count; i += 1) {
    sandbox.ecs.putTask({
      cluster: 'prod',
      taskDefinitionArn,
      launchType: 'FARGATE',
      containers: [{ name: 'app', image: 'repo/web:1', imageDigest: BAD }],
    });
  }
  return sandbox;
}

const plan = (accounts: string[], deadline = Number.POSITIVE_INFINITY) => ({
  accounts,
  unscanned: [],
  deadline,
});

describe('scanAccounts', () => {
  it('scans every account and tags each task with its account', async () => {
    const sandboxes: Record<string, ContainerSandbox> = { [A]: accountWith(1), [B]: accountWith(2) };
    const ecsFor = async (id: string): Promise<ECSClient> => {
      const sandbox = sandboxes[id];
      if (!sandbox) throw new Error(`no ${id}`);
      return sandbox.ecsClient;
    };

    const radius = await scanAccounts({ ecsFor, now: () => 0 }, plan([A, B]), { digests: [BAD] });

    expect(radius.scannedAccounts).toEqual([A, B]);
    expect(radius.tasks.map((t) => t.accountId).sort()).toEqual([A, B, B]);
    expect(radius.truncated).toBe(false);
    expect(radius.otherAccountsUnscanned).toBeUndefined();
  });

  it('shares one task budget across accounts: accounts past it are unscanned and the scan truncated', async () => {
    const sandboxes: Record<string, ContainerSandbox> = { [A]: accountWith(3), [B]: accountWith(1) };
    const ecsFor = async (id: string): Promise<ECSClient> => sandboxes[id]?.ecsClient ?? Promise.reject();

    const radius = await scanAccounts({ ecsFor, now: () => 0 }, plan([A, B]), {
      digests: [BAD],
      maxTasks: 3,
    });

    expect(radius.scannedTasks).toBe(3);
    expect(radius.truncated).toBe(true);
    expect(radius.unscannedAccounts).toEqual([
      { accountId: B, reason: "not reached within the scan's bound of 3 tasks" },
    ]);
    expect(radius.otherAccountsUnscanned).toBe(true);
  });

  it('stops starting accounts at the deadline', async () => {
    let clock = 0;
    const sandboxes: Record<string, ContainerSandbox> = { [A]: accountWith(1), [B]: accountWith(1) };
    const ecsFor = async (id: string): Promise<ECSClient> => {
      clock += 10;
      return sandboxes[id]?.ecsClient ?? Promise.reject();
    };

    const radius = await scanAccounts({ ecsFor, now: () => clock }, plan([A, B], 5), { digests: [BAD] });

    expect(radius.scannedAccounts).toEqual([A]);
    expect(radius.unscannedAccounts?.map((a) => a.accountId)).toEqual([B]);
    expect(radius.otherAccountsUnscanned).toBe(true);
  });

  it('an account whose role is refused is unscanned with the reason; the others are scanned', async () => {
    const sandboxes: Record<string, ContainerSandbox> = { [A]: accountWith(1) };
    const ecsFor = async (id: string): Promise<ECSClient> => {
      if (id === B) throw new MemberRoleError(`could not assume the role in account ${B}`);
      if (id === C) throw new AwsError('AccessDeniedException', 'not authorized to perform ecs:ListClusters');
      return sandboxes[id]?.ecsClient ?? Promise.reject();
    };

    const radius = await scanAccounts({ ecsFor, now: () => 0 }, plan([A, B, C]), { digests: [BAD] });

    expect(radius.scannedAccounts).toEqual([A]);
    expect(radius.unscannedAccounts?.map((a) => a.reason.split(':')[0])).toEqual([
      'MemberRoleError',
      'AccessDeniedException',
    ]);
  });

  it('throttling is not a refusal: it fails the step for the workflow to retry', async () => {
    const ecsFor = async (): Promise<ECSClient> => {
      throw new AwsError('ThrottlingException', 'Rate exceeded');
    };

    await expect(scanAccounts({ ecsFor, now: () => 0 }, plan([A]), { digests: [BAD] })).rejects.toThrow(
      'Rate exceeded',
    );
  });
});

describe('accountsToScan', () => {
  it('covers the deployment, the finding and the listed accounts; a protected one is unscanned', () => {
    const scan = accountsToScan(
      { allowedAccounts: [B, C], protectedAccounts: [C], memberRoleName: 'R' },
      A,
      B,
    );

    expect(scan.accounts).toEqual([A, B]);
    expect(scan.unscanned.map((u) => u.accountId)).toEqual([C]);
    // Without the organization's listing, the accounts outside the list are unknown: every image is spared.
    expect(scan.unlisted).toContain('not known');
  });

  it('with accounts "all" and no listing, says the member accounts are not known', () => {
    const scan = accountsToScan({ allowedAccounts: 'all', memberRoleName: 'R' }, A, B);

    expect(scan.accounts).toEqual([A, B]);
    expect(scan.unlisted).toContain('not known');
  });

  it('with accounts "all", covers every listed account of the organization but the protected ones', () => {
    const scan = accountsToScan(
      { allowedAccounts: 'all', protectedAccounts: [C], memberRoleName: 'R' },
      A,
      B,
      { ok: true, accounts: [A, C, '444455556666'] },
    );

    expect(scan.accounts).toEqual([A, B, '444455556666']);
    expect(scan.unscanned.map((u) => u.accountId)).toEqual([C]);
    expect(scan.unlisted).toBeUndefined();
  });

  it('with accounts "all" and a failed listing, keeps the reason so every image is spared', () => {
    const scan = accountsToScan({ allowedAccounts: 'all', memberRoleName: 'R' }, A, B, {
      ok: false,
      reason: 'organizations:ListAccounts failed (AccessDeniedException: no)',
    });

    expect(scan.accounts).toEqual([A, B]);
    expect(scan.unlisted).toContain('organizations:ListAccounts failed (AccessDeniedException');
  });

  it('with an accounts list, every account of the organization outside it is reported unscanned', () => {
    const scan = accountsToScan({ allowedAccounts: [B], memberRoleName: 'R' }, A, B, {
      ok: true,
      accounts: [A, B, C],
    });

    expect(scan.accounts).toEqual([A, B]);
    expect(scan.unscanned).toEqual([{ accountId: C, reason: expect.stringContaining('not in `accounts`') }]);
    expect(scan.unlisted).toBeUndefined();
  });
});

describe('registryAccess', () => {
  const scope = { allowedAccounts: [B, C], protectedAccounts: ['444455556666'], memberRoleName: 'R' };
  const around = {
    partition: 'aws',
    findingAccount: B,
    findingRoleArn: `arn:aws:iam::${B}:role/R`,
    deploymentAccount: A,
  };

  it("the finding's own registry goes through the finding's role", () => {
    expect(registryAccess(scope, around, B)).toEqual({ ok: true, roleArn: `arn:aws:iam::${B}:role/R` });
  });

  it("another listed account's registry goes through that account's member role; the deployment's own needs none", () => {
    expect(registryAccess(scope, around, C)).toEqual({ ok: true, roleArn: `arn:aws:iam::${C}:role/R` });
    expect(registryAccess(scope, around, A)).toEqual({ ok: true });
  });

  it('refuses a protected, an unlisted, or any other registry without organization mode', () => {
    expect(registryAccess(scope, around, '444455556666')).toMatchObject({ ok: false });
    expect(registryAccess(scope, around, '999988887777')).toMatchObject({ ok: false });
    expect(registryAccess({}, { partition: 'aws', findingAccount: B }, C)).toMatchObject({ ok: false });
  });
});

describe('spareTargets in organization mode', () => {
  const target = (registryId: string) => ({
    containerName: 'app',
    registryId,
    region: 'us-east-1',
    repository: 'shared/api',
    digest: BAD,
    roleArn: `arn:aws:iam::${registryId}:role/R`,
  });
  const radius = { tasks: [], scannedTasks: 0, truncated: false, scannedAccounts: [A, B] };

  it('quarantines in a registry account the scan reached', () => {
    const out = spareTargets([target(B)], radius, { clusterArn: 'c' });

    expect(out.targets.map((t) => t.registryId)).toEqual([B]);
    expect(out.spared).toEqual([]);
  });

  it('never through a role in a registry account the scan did not reach (outside the organization)', () => {
    const out = spareTargets([target('999988887777')], radius, { clusterArn: 'c' });

    expect(out.targets).toEqual([]);
    expect(out.spared[0]?.reason).toContain('registry account 999988887777 was not scanned');
  });
});
