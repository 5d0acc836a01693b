/**
 * ImageTrustResponse enforce path after the stop (issue 15): the untrusted digest is quarantined with the other
 * workflows' blast-radius measurement and quarantine function, spared where other workloads run it, recorded on
 * the trust incident so `shield-right release` lifts it (one hold per digest); allowed-unsigned images are
 * notified once per digest and cache window.
 */
import { releaseIncident } from '../../lambdas/actions/release-image';
import type { Simulator } from '../../local/engine';
import { applyScenario } from '../../local/provision';
import { runInSandbox } from '../../local/sandbox/transport';
import { digestOf, REGISTRY, taskArnOf, taskStart, trustSimulator } from '../helpers/image-trust';
import { sandboxReleaseDeps } from '../helpers/release-deps';

const CLOCK = () => Date.UTC(2026, 5, 1);
const UNSIGNED = digestOf(6);

async function imageOf(sim: Simulator, digest: string) {
  const out = (await sim.account.call('ecr', 'DescribeImages', {
    repositoryName: 'api',
    imageIds: [{ imageDigest: digest }],
    filter: { imageStatus: 'ANY' },
  })) as { imageDetails: { imageStatus?: string; imageTags?: string[] }[] };
  return out.imageDetails[0];
}

function incident(sim: Simulator, n: number) {
  const id = `trust-${taskArnOf(n).split('/').pop()}`;
  const item = sim.account.dynamodb.items(sim.table).find((i) => i.pk?.S === `INCIDENT#${id}`);
  return { id, status: item?.status?.S, outcome: item?.outcome?.S };
}

const release = (sim: Simulator, incidentId: string) =>
  runInSandbox(sim.account, () =>
    releaseIncident(sandboxReleaseDeps(sim, CLOCK), { incidentId, actor: 'alice' }),
  );

describe('ImageTrustResponse enforce: quarantine of the untrusted digest', () => {
  it('stops the task, quarantines the digest, records the incident QUARANTINED; release restores it', async () => {
    const sim = trustSimulator();
    const result = await sim.processEvent(taskStart(6, UNSIGNED, 'none'));

    expect(result.executions[0]?.status).toBe('SUCCEEDED');
    expect(result.executions[0]?.states).toEqual(
      expect.arrayContaining(['StopTask', 'MeasureBlastRadius', 'QuarantineImage']),
    );
    const order = result.apiCalls.map((c) => c.operation);
    expect(order.indexOf('StopTask')).toBeLessThan(order.indexOf('UpdateImageStorageClass'));
    expect(await imageOf(sim, UNSIGNED)).toMatchObject({ imageStatus: 'ARCHIVED' });
    expect(incident(sim, 6).status).toBe('QUARANTINED');
    expect(result.notifications).toHaveLength(1);
    expect(JSON.parse(result.notifications[0]?.message ?? '{}').email).toContain(
      `Quarantined api@${UNSIGNED}`,
    );

    const released = await release(sim, incident(sim, 6).id);

    expect(released.released).toBe(true);
    const restored = await imageOf(sim, UNSIGNED);
    expect(restored?.imageStatus).toBe('ACTIVE');
    expect(restored?.imageTags).toEqual(['none']);
    // The service tag the stop set is removed too (read from the trust evidence).
    expect(released.steps.map((s) => s.action)).toContain('remove-service-tag');
    expect(incident(sim, 6).status).toBe('RELEASED');
  }, 60_000);

  it.each([
    [
      'another service runs the digest',
      {
        tasks: [
          {
            cluster: 'prod',
            service: 'billing',
            containers: [{ name: 'app', image: `${REGISTRY}/api:none` }],
          },
        ],
      },
      {},
      'service billing in cluster prod runs it too',
    ],
    [
      'a protected cluster runs the digest',
      {
        tasks: [
          {
            cluster: 'legacy',
            service: 'batch',
            containers: [{ name: 'app', image: `${REGISTRY}/api:none` }],
          },
        ],
      },
      { protectedClusters: ['legacy'] },
      'is protected',
    ],
  ])(
    'spares the digest when %s, and says why (the task is still stopped)',
    async (_why, scenario, config, reason) => {
      const sim = trustSimulator('enforce', undefined, { scenario, config });
      const result = await sim.processEvent(taskStart(6, UNSIGNED, 'none'));

      expect(result.apiCalls.filter((c) => c.operation === 'StopTask' && c.error === null)).toHaveLength(1);
      expect(result.apiCalls.filter((c) => c.operation === 'UpdateImageStorageClass')).toEqual([]);
      expect(await imageOf(sim, UNSIGNED)).toMatchObject({ imageStatus: 'ACTIVE' });
      const email = JSON.parse(result.notifications[0]?.message ?? '{}').email as string;
      expect(email).toContain(`Not quarantined api@${UNSIGNED}`);
      expect(email).toContain(reason);
      expect(incident(sim, 6).status).toBe('CONTAINED');
    },
    60_000,
  );

  it('organization mode: every account is scanned before a trust quarantine; a member account running the digest spares it', async () => {
    // Arrange: deployed with a member role; member account B runs the same digest in its service `checkout`
    const member = '222233334444';
    const sim = trustSimulator('enforce', undefined, {
      config: { memberAccountRoleName: 'ShieldRightMemberRole', accounts: [member] },
    });
    const image = `${REGISTRY}/api:none@${UNSIGNED}`;
    applyScenario(sim.organization.account(member), {
      services: [{ cluster: 'shop', name: 'checkout', image }],
      tasks: [{ cluster: 'shop', service: 'checkout', containers: [{ name: 'app', image }] }],
    });

    // Act
    const result = await sim.processEvent(taskStart(6, UNSIGNED, 'none'));

    // Assert: stopped here, B scanned through its member role, the digest spared and B named
    expect(result.apiCalls.filter((c) => c.operation === 'StopTask' && c.error === null)).toHaveLength(1);
    expect(result.apiCalls.some((c) => c.operation === 'ListTasks' && c.account === member)).toBe(true);
    expect(result.apiCalls.filter((c) => c.operation === 'UpdateImageStorageClass')).toEqual([]);
    expect(await imageOf(sim, UNSIGNED)).toMatchObject({ imageStatus: 'ACTIVE' });
    const email = JSON.parse(result.notifications[0]?.message ?? '{}').email as string;
    expect(email).toContain(`Not quarantined api@${UNSIGNED}`);
    expect(email).toContain(member);
  }, 60_000);

  it('organization mode: with every account scanned and none running the digest, the trust quarantine archives it', async () => {
    const sim = trustSimulator('enforce', undefined, {
      config: { memberAccountRoleName: 'ShieldRightMemberRole', accounts: ['222233334444'] },
    });

    const result = await sim.processEvent(taskStart(6, UNSIGNED, 'none'));

    expect(result.apiCalls.some((c) => c.operation === 'ListClusters' && c.account === '222233334444')).toBe(
      true,
    );
    expect(
      result.apiCalls.filter((c) => c.operation === 'UpdateImageStorageClass' && c.error === null),
    ).toHaveLength(1);
    expect(await imageOf(sim, UNSIGNED)).toMatchObject({ imageStatus: 'ARCHIVED' });
  }, 60_000);

  it('one hold per digest: a release lifts the quarantine only when no other trust incident holds it', async () => {
    const sim = trustSimulator();
    await sim.processEvent(taskStart(6, UNSIGNED, 'none'));
    await sim.processEvent(taskStart(8, UNSIGNED, 'none'));
    expect(incident(sim, 6).status).toBe('QUARANTINED');
    expect(incident(sim, 8).status).toBe('QUARANTINED');

    const first = await release(sim, incident(sim, 6).id);

    expect(first.released).toBe(true);
    expect(first.steps.find((s) => s.action === 'restore-image')).toMatchObject({
      status: 'skipped',
      detail: expect.stringContaining(`still held by incident ${incident(sim, 8).id}`),
    });
    expect(await imageOf(sim, UNSIGNED)).toMatchObject({ imageStatus: 'ARCHIVED' });

    const last = await release(sim, incident(sim, 8).id);

    expect(last.released).toBe(true);
    expect(await imageOf(sim, UNSIGNED)).toMatchObject({ imageStatus: 'ACTIVE', imageTags: ['none'] });
  }, 60_000);

  it('observe mode and imageQuarantine none quarantine nothing', async () => {
    for (const sim of [
      trustSimulator('observe'),
      trustSimulator('enforce', undefined, { config: { imageQuarantine: 'none' } }),
    ]) {
      const result = await sim.processEvent(taskStart(6, UNSIGNED, 'none'));
      expect(
        result.apiCalls.filter((c) => c.service === 'ecr' && /^(Put|Update|BatchDelete)/.test(c.operation)),
      ).toEqual([]);
      expect(await imageOf(sim, UNSIGNED)).toMatchObject({ imageStatus: 'ACTIVE' });
    }
  }, 60_000);
});

describe('signing.allowUnsignedRepositories', () => {
  it('lets the image run and notifies it as allowed once per digest and cache window, not once per task', async () => {
    const sim = trustSimulator('enforce', undefined, {
      config: { signing: { allowUnsignedRepositories: ['api'] } },
    });
    const results = [];
    for (const n of [20, 21, 22, 23, 24])
      results.push(await sim.processEvent(taskStart(n, UNSIGNED, 'none')));

    const calls = results.flatMap((r) => r.apiCalls);
    expect(calls.filter((c) => c.operation === 'StopTask')).toEqual([]);
    const notices = results.flatMap((r) => r.notifications);
    expect(notices).toHaveLength(1);
    const message = JSON.parse(notices[0]?.message ?? '{}') as { email: string; default: string };
    expect(message.email).toContain('image allowed unsigned');
    expect(message.email).toContain('signing.allowUnsignedRepositories');
    expect(notices[0]?.attributes?.findingType).toBe('ImageTrust:allowed-unsigned');
  }, 60_000);
});
