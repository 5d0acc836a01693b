/**
 * ImageTrustResponse offline (issue 15 acceptance): ECS Task State Change → ImageTrustRule → VerifyImages
 * (real envelopes signed by the sandbox CA) → evidence → claim → StopTask → TagService → NotifyTrust.
 */
import { parseConfig, policyEnvironment } from '../../definitions/config';
import { Simulator } from '../../local/engine';
import { functionName, invokeFunction } from '../../local/functions';
import type { ApiCall } from '../../local/sandbox/account';
import { runInSandbox } from '../../local/sandbox/transport';
import {
  ACCOUNT,
  digestOf,
  REGISTRY,
  trustSimulator as simulator,
  TRUSTED,
  taskStart,
} from '../helpers/image-trust';

const MUTATING = /^(Stop|Tag|Untag|Put|Delete|Update|Revoke|BatchDelete|Modify)/;
const mutating = (calls: readonly ApiCall[]) =>
  calls.filter(
    (c) =>
      c.error === null &&
      MUTATING.test(c.operation) &&
      !(
        c.service === 'dynamodb' &&
        String((c.input as { Key?: { pk?: { S?: string } } }).Key?.pk?.S).startsWith('TRUST#')
      ) &&
      c.service !== 's3',
  );
const stops = (calls: readonly ApiCall[]) =>
  calls.filter((c) => c.operation === 'StopTask' && c.error === null);

describe('ImageTrustResponse, signing.mode enforce', () => {
  it('leaves a task with a trusted image alone: no stop, no notification', async () => {
    const sim = simulator();
    const result = await sim.processEvent(taskStart(1, digestOf(1), 'trusted'));
    expect(result.matchedRules).toEqual(['ImageTrustRule']);
    expect(result.executions[0]?.status).toBe('SUCCEEDED');
    expect(result.executions[0]?.states).toContain('Trusted');
    expect(stops(result.apiCalls)).toEqual([]);
    expect(result.notifications).toEqual([]);
  });

  it.each([
    ['untrusted-profile', 'untrusted-signer', 2],
    ['revoked', 'revoked', 3],
    ['tampered', 'tampered', 4],
    ['expired', 'expired', 5],
    ['none', 'unsigned', 6],
  ] as const)(
    'stops the task of a %s image, tags its service and notifies once (%s)',
    async (tag, outcome, n) => {
      const sim = simulator();
      const result = await sim.processEvent(taskStart(n, digestOf(n), tag));
      expect(result.executions[0]?.status).toBe('SUCCEEDED');
      expect(stops(result.apiCalls)).toHaveLength(1);
      expect(result.apiCalls.filter((c) => c.operation === 'TagResource' && c.error === null)).toHaveLength(
        1,
      );
      expect(result.notifications).toHaveLength(1);
      const message = JSON.parse(result.notifications[0]?.message ?? '{}') as { email?: string };
      expect(message.email).toContain(outcome);
      expect(message.email).toContain('Container app');
      expect(message.email).toContain(`${REGISTRY}/api:${tag}`);
      expect(message.email).toContain('task stopped');
      // The evidence was written before the stop.
      const order = result.apiCalls.map((c) => c.operation);
      expect(order.indexOf('PutObject')).toBeLessThan(order.indexOf('StopTask'));
    },
  );

  it('does not stop a task of a protected cluster: notified as spared', async () => {
    const sim = new Simulator({
      config: parseConfig({
        protectedClusters: ['prod'],
        signing: { mode: 'enforce', trustedProfiles: [TRUSTED] },
      }),
      scenario: { repositories: [{ name: 'api', images: [{ tags: ['none'], digest: digestOf(6) }] }] },
    });
    const result = await sim.processEvent(taskStart(6, digestOf(6), 'none'));
    expect(stops(result.apiCalls)).toEqual([]);
    expect(result.notifications).toHaveLength(1);
    expect(result.notifications[0]?.message).toContain('protectedClusters');
  });

  it.each([
    ['a RunTask group naming an exempt service that does not list the task', { group: 'service:billing' }],
    [
      'an exemption tag on the task itself, its key not declared guarded',
      { tags: { 'shield-right:exempt': 'true' } },
    ],
  ])('stops an untrusted image despite %s (an attacker can set both)', async (_why, task) => {
    const taskArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/${(7).toString(16).padStart(32, '0')}`;
    const sim = new Simulator({
      config: parseConfig({ signing: { mode: 'enforce', trustedProfiles: [TRUSTED] } }),
      scenario: {
        repositories: [{ name: 'api', images: [{ tags: ['none'], digest: digestOf(6) }] }],
        services: [{ cluster: 'prod', name: 'billing', tags: { 'shield-right:exempt': 'true' } }],
        tasks: [
          { cluster: 'prod', taskArn, containers: [{ name: 'app', image: `${REGISTRY}/api:none` }], ...task },
        ],
      },
    });
    const event = taskStart(7, digestOf(6), 'none', 'billing');
    const result = await sim.processEvent(event);
    expect(stops(result.apiCalls)).toHaveLength(1);
    expect(result.notifications[0]?.message).not.toContain('is tagged shield-right:exempt=true');
  });

  it('a second start event of the same task does not stop it twice (the task claim)', async () => {
    const sim = simulator();
    const first = await sim.processEvent(taskStart(6, digestOf(6), 'none'));
    const again = await sim.processEvent(taskStart(6, digestOf(6), 'none'));
    expect(stops(first.apiCalls)).toHaveLength(1);
    expect(stops(again.apiCalls)).toEqual([]);
  });

  it('a burst of 50 task starts of one digest costs one verification; stops stay within the High band budget', async () => {
    const sim = simulator();
    const events = Array.from({ length: 50 }, (_, i) => ({ event: taskStart(100 + i, digestOf(6), 'none') }));
    const results = await sim.processEvents(events, { concurrency: 10, seed: 7 });
    const calls = results.flatMap((r) => r.apiCalls);
    expect(calls.filter((c) => c.operation === 'ListImageReferrers')).toHaveLength(1);
    // The High band's budget: 10 actions per cluster in the sliding window (the defaults); the rest is held back.
    expect(stops(calls)).toHaveLength(10);
    // One summarised "limit reached" notice for the cluster in the window, not one per held-back start.
    const held = results
      .flatMap((r) => r.notifications)
      .filter((n) => n.message.includes('blast-radius limit reached'));
    expect(held).toHaveLength(1);
    expect(held[0]?.message).toContain('task start');
    // Every held-back start is still counted on the cluster's notice item (the runtime workflow's key). Starts
    // provisioned after the quarantine archived the digest cannot pull it: ECS stops them (not held back).
    const heldBack = results.filter((r) => r.executions[0]?.states.includes('BudgetUsedUp')).length;
    expect(heldBack).toBeGreaterThan(10);
    const notice = sim.account.dynamodb
      .items(sim.table)
      .find((i) => i.pk?.S === `CAPNOTICE#arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod#high`);
    expect(notice?.refused?.N).toBe(String(heldBack));
  }, 60_000);
});

describe('VerifyImages without a trust store', () => {
  it('reports a configuration error and never stops, even in enforce mode (GovCloud: no built-in root)', async () => {
    const sim = simulator();
    const event = taskStart(6, digestOf(6), 'none');
    await sim.processEvent(taskStart(1, digestOf(1), 'trusted'));
    await sim.processEvent(event);
    // The deployed function's environment with signing.trustedRoot* left empty, in a partition without a
    // built-in AWS Signer root.
    Object.assign(
      process.env,
      policyEnvironment(parseConfig({ signing: { mode: 'enforce', trustedProfiles: [TRUSTED] } })),
      { AWS_REGION: 'us-gov-west-1' },
    );
    const trusted = taskStart(1, digestOf(1), 'trusted');
    try {
      const out = (await runInSandbox(sim.account, () =>
        invokeFunction(functionName('verifyImages'), { event: trusted, attempt: 0 }),
      )) as { decision: string; failed: { outcome: string; reason: string }[] };
      expect(out.decision).toBe('notify');
      expect(out.failed.map((f) => f.outcome)).toEqual(['error']);
      expect(out.failed[0]?.reason).toContain('aws-us-gov');
      expect(out.failed[0]?.reason).toContain('trustedRootFingerprints');
    } finally {
      process.env.AWS_REGION = sim.account.region;
    }
  });

  it('in the aws partition, the built-in AWS Signer root is the default: the sandbox CA is not it', async () => {
    const sim = simulator();
    await sim.processEvent(taskStart(1, digestOf(1), 'trusted'));
    Object.assign(
      process.env,
      policyEnvironment(
        parseConfig({ signing: { mode: 'enforce', trustedProfiles: [TRUSTED], cacheMinutes: 1 } }),
      ),
    );
    const out = (await runInSandbox(sim.account, () =>
      invokeFunction(functionName('verifyImages'), {
        event: taskStart(1, digestOf(1), 'trusted'),
        attempt: 9,
      }),
    )) as { failed: { outcome: string; reason: string }[] };
    expect(out.failed.map((f) => f.outcome)).toEqual(['untrusted-signer']);
    expect(out.failed[0]?.reason).toContain('AWS Signer root');
  });
});

describe('ImageTrustResponse, observe', () => {
  it.each([
    ['signing.mode observe', simulator('observe')],
    ['simulate --mode observe', simulator('enforce', 'observe')],
  ])('%s: notifies an unsigned image with no mutating call', async (_label, sim) => {
    const result = await sim.processEvent(taskStart(6, digestOf(6), 'none'));
    expect(result.executions[0]?.status).toBe('SUCCEEDED');
    expect(mutating(result.apiCalls)).toEqual([]);
    expect(result.notifications).toHaveLength(1);
    expect(result.notifications[0]?.message).toContain('would have');
  });
});

describe('ImageTrustRule', () => {
  it('is not deployed when signing.mode is off: nothing runs', async () => {
    const sim = new Simulator({ config: parseConfig({}) });
    const result = await sim.processEvent(taskStart(6, digestOf(6), 'none'));
    expect(result.matchedRules).toEqual([]);
    expect(result.apiCalls).toEqual([]);
  });
});
