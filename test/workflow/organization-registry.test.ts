/**
 * Organization mode with a central registry (issue 16): deployed in account A, a High finding about a task
 * of workload account B whose image lives in registry account R quarantines the image in R, through R's
 * member role; the blast radius scans every listed account, so a service of account C running the digest
 * spares it, and an account that cannot be scanned keeps the fail safe (no archive, the notification names it).
 */

import { ECRClient } from '@aws-sdk/client-ecr';
import { DEFAULT_CONFIG, type ShieldRightConfig } from '../../definitions/config';
import { releaseIncident } from '../../lambdas/actions/release-image';
import { Simulator } from '../../local/engine';
import { ACCOUNT, REGION, runtimeEvent } from '../../local/fixtures/events';
import { applyScenario } from '../../local/provision';
import { runInSandbox } from '../../local/sandbox/transport';
import { sandboxReleaseDeps } from '../helpers/release-deps';
import { callsTo, execution, inputOf, objects, only, parts } from '../helpers/runtime-response';
import { attachService } from '../helpers/sandbox-transport';

const WORKLOAD = '222233334444';
const REGISTRY = '555566667777';
const OTHER = '333344445555';
const ROLE = 'ShieldRightMemberRole';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const IMAGE = `${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com/shared/payments:v2`;
const ECR_WRITES = ['UpdateImageStorageClass', 'PutImage', 'BatchDeleteImage'];

const config = (accounts: ShieldRightConfig['accounts'], extra: Partial<ShieldRightConfig> = {}) => ({
  ...DEFAULT_CONFIG,
  memberAccountRoleName: ROLE,
  accounts,
  ...extra,
});

type Result = Awaited<ReturnType<Simulator['processEvent']>>;
const ecrWrites = (result: Result) =>
  result.apiCalls.filter((c) => c.service === 'ecr' && ECR_WRITES.includes(c.operation));
const description = (result: Result) => parts(only(result.notifications)).chat.content.description;
const email = (result: Result) => parts(only(result.notifications)).email;

/** The image pushed to the registry account's ECR, and a simulator deployed in A. */
function simulatorWith(cfg: ShieldRightConfig, memberRoles: Record<string, false> = {}): Simulator {
  const simulator = new Simulator({ config: cfg, scenario: { memberRoles } });
  applyScenario(simulator.organization.account(REGISTRY), {
    repositories: [{ name: 'shared/payments', images: [{ tags: ['v2'], digest: DIGEST }] }],
  });
  return simulator;
}

/** A High finding about B's task running the registry's image, as A's bus receives it. */
function workloadFinding(taskId: string): Record<string, unknown> {
  return {
    ...runtimeEvent({ account: WORKLOAD, taskId, severity: 8, image: `${IMAGE}@${DIGEST}` }),
    account: ACCOUNT,
  };
}

function imageStatus(simulator: Simulator): unknown {
  const out = simulator.organization.account(REGISTRY).ecr.operations.DescribeImages?.({
    repositoryName: 'shared/payments',
    imageIds: [{ imageDigest: DIGEST }],
    filter: { imageStatus: 'ANY' },
  }) as { imageDetails?: { imageStatus?: string }[] };
  return out.imageDetails?.[0]?.imageStatus;
}

describe('quarantine in the registry account', () => {
  it('a High finding in B archives the image in R through R’s member role, stops the task in B, and names both accounts', async () => {
    // Arrange
    const simulator = simulatorWith(config([WORKLOAD, REGISTRY]));

    // Act
    const result = await simulator.processEvent(workloadFinding('a1'.repeat(16)));

    // Assert: the stop is in B, every ECR write in R, the evidence in A
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(only(callsTo(result, 'ecs', 'StopTask')).account).toBe(WORKLOAD);
    const writes = ecrWrites(result);
    expect(writes.map((c) => c.operation)).toContain('UpdateImageStorageClass');
    expect(writes.every((c) => c.account === REGISTRY && c.error === null)).toBe(true);
    expect(inputOf(callsTo(result, 'ecr', 'UpdateImageStorageClass')[0]).registryId).toBe(REGISTRY);
    expect(imageStatus(simulator)).toBe('ARCHIVED');
    for (const call of callsTo(result, 's3')) expect(call.account).toBe(ACCOUNT);
    // The blast radius was measured in A, B and R (every listed account).
    const scanned = new Set(callsTo(result, 'ecs', 'ListClusters').map((c) => c.account));
    expect(scanned).toEqual(new Set([ACCOUNT, WORKLOAD, REGISTRY]));
    const text = email(result);
    expect(text).toContain(`Account / region: ${WORKLOAD}`);
    expect(text).toContain(`shared/payments@${DIGEST} in registry account ${REGISTRY}: done`);
    expect(text).toContain(`in accounts ${ACCOUNT}, ${WORKLOAD}, ${REGISTRY}`);
  });

  it('a registry account outside `accounts` is refused loudly; the task is still stopped', async () => {
    // Arrange: R is not listed
    const simulator = simulatorWith(config([WORKLOAD]));

    // Act
    const result = await simulator.processEvent(workloadFinding('a2'.repeat(16)));

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(only(callsTo(result, 'ecs', 'StopTask')).account).toBe(WORKLOAD);
    expect(result.apiCalls.filter((c) => c.account === REGISTRY)).toEqual([]);
    expect(imageStatus(simulator)).toBe('ACTIVE');
    expect(email(result)).toContain(`registry account ${REGISTRY}, which is not in the configured accounts`);
  });

  it('a protected registry account is refused loudly', async () => {
    const simulator = simulatorWith(config([WORKLOAD, REGISTRY], { protectedAccounts: [REGISTRY] }));

    const result = await simulator.processEvent(workloadFinding('a3'.repeat(16)));

    expect(ecrWrites(result)).toEqual([]);
    expect(imageStatus(simulator)).toBe('ACTIVE');
    expect(email(result)).toContain(`registry account ${REGISTRY}, which is in protectedAccounts`);
  });
});

describe('release of an image quarantined in the registry account', () => {
  async function quarantined() {
    const simulator = simulatorWith(config([WORKLOAD, REGISTRY]));
    await simulator.processEvent(workloadFinding('d1'.repeat(16)));
    expect(imageStatus(simulator)).toBe('ARCHIVED');
    const key = Object.keys(objects(simulator)).find((k) => k.includes('/quarantine/'));
    const incidentId = /^incidents\/([0-9a-f]+)\//.exec(key ?? '')?.[1] ?? '';
    return { simulator, incidentId };
  }

  it('restores the image in R through the recorded member role', async () => {
    // Arrange
    const { simulator, incidentId } = await quarantined();
    const roles: string[] = [];
    const registryEcr = new ECRClient({ region: REGION });
    attachService(registryEcr, simulator.organization.account(REGISTRY).ecr);

    // Act
    const released = await runInSandbox(simulator.account, () =>
      releaseIncident(
        {
          ...sandboxReleaseDeps(simulator, () => simulator.account.now()),
          ecrFor: async (roleArn) => {
            roles.push(roleArn);
            return registryEcr;
          },
        },
        { incidentId, actor: 'test' },
      ),
    );

    // Assert
    expect(roles).toEqual([`arn:aws:iam::${REGISTRY}:role/${ROLE}`]);
    expect(released.steps.find((s) => s.action === 'restore-image')?.status).toBe('done');
    expect(imageStatus(simulator)).toBe('ACTIVE');
  });

  it('without a way into R, the image stays quarantined and the step says why', async () => {
    const { simulator, incidentId } = await quarantined();

    const deps = sandboxReleaseDeps(simulator, () => simulator.account.now());
    const released = await runInSandbox(simulator.account, () =>
      releaseIncident(deps, { incidentId, actor: 'test' }),
    );

    const step = released.steps.find((s) => s.action === 'restore-image');
    expect(step?.status).toBe('failed');
    expect(step?.detail).toContain(`registry account ${REGISTRY}`);
    expect(imageStatus(simulator)).toBe('ARCHIVED');
  });
});

describe('sparing counts every account shield-right can see', () => {
  it('a service of account C running the digest spares it, and the notification names C', async () => {
    // Arrange: C runs the same digest in its service `checkout`
    const simulator = simulatorWith(config([WORKLOAD, REGISTRY, OTHER]));
    applyScenario(simulator.organization.account(OTHER), {
      services: [{ cluster: 'shop', name: 'checkout', image: `${IMAGE}@${DIGEST}` }],
      tasks: [
        { cluster: 'shop', service: 'checkout', containers: [{ name: 'app', image: `${IMAGE}@${DIGEST}` }] },
      ],
    });

    // Act
    const result = await simulator.processEvent(workloadFinding('b1'.repeat(16)));

    // Assert: stopped in B, nothing written in R, the reason names C's service
    expect(only(callsTo(result, 'ecs', 'StopTask')).account).toBe(WORKLOAD);
    expect(ecrWrites(result)).toEqual([]);
    expect(imageStatus(simulator)).toBe('ACTIVE');
    expect(description(result)).toContain(`service checkout in cluster shop of account ${OTHER}`);
    expect(email(result)).toMatch(new RegExp(`cluster shop · account ${OTHER} · service checkout`));
  });

  it('an account whose member role is missing is not scanned: no archive, and the notification names it', async () => {
    // Arrange: C is listed but has no member role
    const simulator = simulatorWith(config([WORKLOAD, REGISTRY, OTHER]), { [OTHER]: false });

    // Act
    const result = await simulator.processEvent(workloadFinding('b2'.repeat(16)));

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(only(callsTo(result, 'ecs', 'StopTask')).account).toBe(WORKLOAD);
    expect(ecrWrites(result)).toEqual([]);
    expect(result.apiCalls.filter((c) => c.account === OTHER)).toEqual([]);
    const text = description(result);
    expect(text).toContain('organization mode');
    expect(text).toContain(`${OTHER} (MemberRoleError`);
  });

  it('a protected account is never assumed into, so it is unscanned: no archive, and the notification names it', async () => {
    const simulator = simulatorWith(config([WORKLOAD, REGISTRY], { protectedAccounts: [OTHER] }));

    const result = await simulator.processEvent(workloadFinding('b5'.repeat(16)));

    expect(only(callsTo(result, 'ecs', 'StopTask')).account).toBe(WORKLOAD);
    expect(ecrWrites(result)).toEqual([]);
    expect(result.apiCalls.filter((c) => c.account === OTHER)).toEqual([]);
    expect(description(result)).toContain(`${OTHER} (in protectedAccounts`);
  });

  it('R unreachable: no archive, and the notification says so', async () => {
    const simulator = simulatorWith(config([WORKLOAD, REGISTRY]), { [REGISTRY]: false });

    const result = await simulator.processEvent(workloadFinding('b3'.repeat(16)));

    expect(only(callsTo(result, 'ecs', 'StopTask')).account).toBe(WORKLOAD);
    expect(ecrWrites(result)).toEqual([]);
    expect(imageStatus(simulator)).toBe('ACTIVE');
    expect(description(result)).toContain(`${REGISTRY} (MemberRoleError`);
  });

  it('with accounts "all" every account of the organization is listed and scanned: C running the digest spares it', async () => {
    // Arrange: C is in the organization (not in any list) and runs the digest
    const simulator = simulatorWith(config('all'));
    applyScenario(simulator.organization.account(OTHER), {
      services: [{ cluster: 'shop', name: 'checkout', image: `${IMAGE}@${DIGEST}` }],
      tasks: [
        { cluster: 'shop', service: 'checkout', containers: [{ name: 'app', image: `${IMAGE}@${DIGEST}` }] },
      ],
    });

    // Act
    const result = await simulator.processEvent(workloadFinding('b4'.repeat(16)));

    // Assert: listed in A, C scanned through its member role, nothing written in R
    expect(only(callsTo(result, 'ecs', 'StopTask')).account).toBe(WORKLOAD);
    expect(callsTo(result, 'organizations', 'ListAccounts').every((c) => c.account === ACCOUNT)).toBe(true);
    expect(callsTo(result, 'ecs', 'ListClusters').map((c) => c.account)).toContain(OTHER);
    expect(ecrWrites(result)).toEqual([]);
    expect(description(result)).toContain(`service checkout in cluster shop of account ${OTHER}`);
  });

  it('a separate management account keeps every image out of quarantine until its member role is deployed by hand', async () => {
    // Arrange: the deployment account is a delegated administrator; the management account M is listed,
    // and a service-managed StackSet does not deploy the member role there
    const MANAGEMENT = '999900001111';
    const simulatorIn = (managementRole: boolean) => {
      const simulator = new Simulator({
        config: config('all'),
        scenario: { organization: { managementAccount: MANAGEMENT, managementRole } },
      });
      applyScenario(simulator.organization.account(REGISTRY), {
        repositories: [{ name: 'shared/payments', images: [{ tags: ['v2'], digest: DIGEST }] }],
      });
      return simulator;
    };

    // Act
    const withoutRole = await simulatorIn(false).processEvent(workloadFinding('b8'.repeat(16)));
    const withRole = await simulatorIn(true).processEvent(workloadFinding('b9'.repeat(16)));

    // Assert: without the role M is unscanned (named), nothing archived; with it M is scanned and R archives
    expect(ecrWrites(withoutRole)).toEqual([]);
    expect(description(withoutRole)).toContain(`${MANAGEMENT} (MemberRoleError`);
    expect(withRole.apiCalls.some((c) => c.operation === 'ListClusters' && c.account === MANAGEMENT)).toBe(
      true,
    );
    expect(ecrWrites(withRole).map((c) => [c.operation, c.account])).toContainEqual([
      'UpdateImageStorageClass',
      REGISTRY,
    ]);
  });

  it('with accounts "all" a suspended (closed) account is not scanned, and the image is archived in R', async () => {
    // Arrange: C ran the digest before it was closed; its resources are no longer available
    const simulator = simulatorWith(config('all'));
    applyScenario(simulator.organization.account(OTHER), {
      tasks: [{ cluster: 'shop', containers: [{ name: 'app', image: `${IMAGE}@${DIGEST}` }] }],
    });
    simulator.organization.setAccountState(OTHER, 'SUSPENDED');

    // Act
    const result = await simulator.processEvent(workloadFinding('b7'.repeat(16)));

    // Assert
    expect(result.apiCalls.filter((c) => c.account === OTHER)).toEqual([]);
    const writes = ecrWrites(result);
    expect(writes.map((c) => c.operation)).toContain('UpdateImageStorageClass');
    expect(writes.every((c) => c.account === REGISTRY && c.error === null)).toBe(true);
  });

  it('with every listed account scanned, a finding in the deployment account archives again', async () => {
    // Arrange: A's own task and image; B listed and reachable, running nothing
    const simulator = new Simulator({ config: config([WORKLOAD]) });

    // Act
    const result = await simulator.processEvent(runtimeEvent({ taskId: 'c1'.repeat(16), severity: 8 }));

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    const archive = only(callsTo(result, 'ecr', 'UpdateImageStorageClass'));
    expect(archive.account).toBe(ACCOUNT);
    expect(archive.error).toBeNull();
    expect(new Set(callsTo(result, 'ecs', 'ListClusters').map((c) => c.account))).toEqual(
      new Set([ACCOUNT, WORKLOAD]),
    );
  });
});
