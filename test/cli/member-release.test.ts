/**
 * `shield-right release` of a member account's incident (issue 16): the operator assumes the central
 * operator role, which alone may assume the member release role; the release is made in the member
 * account (the sandbox STS enforces both trusts), the incident stays central.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { release } from '../../bin/commands/release';
import { simulate } from '../../bin/commands/simulate';
import { DEFAULT_CONFIG } from '../../definitions/config';
import { memberReleaseTrustPolicy, operatorRoleArn } from '../../definitions/organization';
import { Simulator } from '../../local/engine';
import { REGION, runtimeEvent } from '../../local/fixtures/events';
import { applyScenario } from '../../local/provision';
import { openSandbox, saveSandbox } from '../../local/sandbox-store';
import { streams } from '../helpers/cli';

const CENTRAL = '111122223333';
const MEMBER = '222233334444';
const TASK = '34'.repeat(16);
const INCIDENT = 'ab'.repeat(16);
const SERVICE = `arn:aws:ecs:${REGION}:${MEMBER}:service/prod/payments-api`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shield-right-member-release-'));
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** A member's High finding about a service task, contained offline from the central account and saved. */
async function containedInMember(): Promise<void> {
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({ memberAccountRoleName: 'ShieldRightMemberRole', imageQuarantine: 'none' }),
  );
  const event = join(dir, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({ ...runtimeEvent({ account: MEMBER, taskId: TASK, id: INCIDENT }), account: CENTRAL }),
  );
  expect(
    await simulate(['--account', CENTRAL, '--config', config, '--state', join(dir, 'sandbox'), event]),
  ).toBe(0);
}

async function serviceTags(): Promise<unknown> {
  const sim = openSandbox(join(dir, 'sandbox'));
  const out = (await sim.organization
    .account(MEMBER)
    .call('ecs', 'ListTagsForResource', { resourceArn: SERVICE })) as { tags?: { key?: string }[] };
  return (out.tags ?? []).map((t) => t.key);
}

test("releases a member account's incident there, through the operator role and the member release role", async () => {
  // Arrange
  await containedInMember();
  expect(await serviceTags()).toContain('shield-right:incident');

  // Act
  const out = streams();
  const code = await release([INCIDENT, '--sandbox', join(dir, 'sandbox')], out.io);

  // Assert: the member service's incident tag is removed (in the member account) and the incident released
  expect(out.err()).toBe('');
  expect(code).toBe(0);
  expect(await serviceTags()).not.toContain('shield-right:incident');
  expect(out.out()).toContain('Released incident');
});

test('a member release role that does not trust the operator role: refused, naming the role and the fix, nothing released', async () => {
  // Arrange: the member's release role trusts another account's operator role
  await containedInMember();
  const sim = openSandbox(join(dir, 'sandbox'));
  sim.organization.account(MEMBER).sts.putRole(
    'ShieldRightMemberRole-release',
    memberReleaseTrustPolicy({
      partition: 'aws',
      centralAccountId: '999988887777',
      regions: [REGION],
      organizationId: sim.organization.orgId,
    }),
  );
  saveSandbox(join(dir, 'sandbox'), sim);

  // Act
  const out = streams();
  const code = await release([INCIDENT, '--sandbox', join(dir, 'sandbox')], out.io);

  // Assert
  expect(code).toBe(1);
  expect(out.err()).toContain(`arn:aws:iam::${MEMBER}:role/ShieldRightMemberRole-release`);
  expect(out.err()).toContain('npm run member-template');
  expect(out.err()).toContain(operatorRoleArn('aws', CENTRAL, REGION));
  expect(await serviceTags()).toContain('shield-right:incident');
});

describe('an image quarantined in a registry account', () => {
  const REGISTRY = '555566667777';
  const DIGEST = `sha256:${'cd'.repeat(32)}`;
  const IMAGE = `${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com/shared/payments:v2`;
  const REGISTRY_INCIDENT = 'cd'.repeat(16);

  /** B's High finding about a task running R's image: archived in R through R's member role, saved. */
  async function quarantinedInRegistry(): Promise<void> {
    const simulator = new Simulator({
      config: {
        ...DEFAULT_CONFIG,
        memberAccountRoleName: 'ShieldRightMemberRole',
        accounts: [MEMBER, REGISTRY],
      },
    });
    applyScenario(simulator.organization.account(REGISTRY), {
      repositories: [{ name: 'shared/payments', images: [{ tags: ['v2'], digest: DIGEST }] }],
    });
    const event = runtimeEvent({
      account: MEMBER,
      taskId: '56'.repeat(16),
      id: REGISTRY_INCIDENT,
      image: `${IMAGE}@${DIGEST}`,
    });
    await simulator.processEvent({ ...event, account: CENTRAL });
    saveSandbox(join(dir, 'sandbox'), simulator);
    expect(await imageStatus()).toBe('ARCHIVED');
  }

  async function imageStatus(): Promise<unknown> {
    const sim = openSandbox(join(dir, 'sandbox'));
    const out = (await sim.organization.account(REGISTRY).call('ecr', 'DescribeImages', {
      repositoryName: 'shared/payments',
      imageIds: [{ imageDigest: DIGEST }],
      filter: { imageStatus: 'ANY' },
    })) as { imageDetails?: { imageStatus?: string }[] };
    return out.imageDetails?.[0]?.imageStatus;
  }

  test("the CLI release of B's incident restores the image in R through R's member release role", async () => {
    // Arrange
    await quarantinedInRegistry();

    // Act
    const out = streams();
    const code = await release([REGISTRY_INCIDENT, '--sandbox', join(dir, 'sandbox')], out.io);

    // Assert: the image is restored in R, the service's incident tag removed in B
    expect(out.err()).toBe('');
    expect(code).toBe(0);
    expect(await imageStatus()).toBe('ACTIVE');
    expect(await serviceTags()).not.toContain('shield-right:incident');
  });

  test("R's release role does not trust the operator role: the image stays quarantined and the release says why", async () => {
    // Arrange: R's release role trusts another account's operator role
    await quarantinedInRegistry();
    const sim = openSandbox(join(dir, 'sandbox'));
    sim.organization.account(REGISTRY).sts.putRole(
      'ShieldRightMemberRole-release',
      memberReleaseTrustPolicy({
        partition: 'aws',
        centralAccountId: '999988887777',
        regions: [REGION],
        organizationId: sim.organization.orgId,
      }),
    );
    saveSandbox(join(dir, 'sandbox'), sim);

    // Act
    const out = streams();
    const code = await release([REGISTRY_INCIDENT, '--sandbox', join(dir, 'sandbox'), '--json'], out.io);

    // Assert: B's containment is undone, R's image is not, and the failed step names R's release role
    expect(code).toBe(1);
    expect(await imageStatus()).toBe('ARCHIVED');
    expect(await serviceTags()).not.toContain('shield-right:incident');
    expect(out.out()).toContain(`arn:aws:iam::${REGISTRY}:role/ShieldRightMemberRole-release`);
    expect(out.out()).toContain('the image stays quarantined');
  });
});
