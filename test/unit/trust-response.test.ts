import { DEFAULT_CONFIG } from '../../definitions/config';
import {
  type ContainerVerdict,
  decideTrustResponse,
  type TrustSettingsForResponse,
  type TrustTaskFacts,
} from '../../lambdas/core/signing/trust-response';

const ACCOUNT = '111122223333';
const REGISTRY = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;
const DIGEST = `sha256:${'a'.repeat(64)}`;

const facts: TrustTaskFacts = {
  taskArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/0123456789abcdef0123456789abcdef`,
  clusterArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`,
  clusterName: 'prod',
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  taskTags: {},
  clusterTags: {},
  service: {
    name: 'api',
    arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/prod/api`,
    runningCount: 3,
    tags: {},
  },
};

const settings: TrustSettingsForResponse = {
  mode: 'enforce',
  guard: {
    exemptTagKey: DEFAULT_CONFIG.exemptTagKey,
    protectedClusters: [],
    protectedServices: [],
    exemptTaskTagGuarded: false,
  },
  minHealthyTasks: 0,
  blastRadius: DEFAULT_CONFIG.blastRadius,
  accountId: ACCOUNT,
  region: 'us-east-1',
  partition: 'aws',
  scope: {},
  now: Date.UTC(2026, 5, 1),
  imageQuarantine: 'both',
  exemptRepositories: [],
};

const verdict = (outcome: ContainerVerdict['outcome'], image = `${REGISTRY}/api:v1`): ContainerVerdict => ({
  container: 'app',
  image,
  outcome,
  digest: DIGEST,
  runDigest: DIGEST,
  reason: outcome,
});

describe('decideTrustResponse: the quarantine after the stop', () => {
  it('plans the quarantine of a proven-untrusted ECR digest in enforce mode, sparing by the task workload', () => {
    const plan = decideTrustResponse(facts, [verdict('unsigned')], settings);
    expect(plan.decision).toBe('stop');
    expect(plan.quarantine).toBe(true);
    expect(plan.quarantineTargets).toEqual([
      {
        containerName: 'app',
        registryId: ACCOUNT,
        region: 'us-east-1',
        repository: 'api',
        digest: DIGEST,
        tag: 'v1',
      },
    ]);
    expect(plan.digests).toEqual([DIGEST]);
    expect(plan.workload).toEqual({ clusterArn: facts.clusterArn, serviceName: 'api' });
  });

  it('never quarantines on an error verdict (could not verify is not proven untrusted)', () => {
    const plan = decideTrustResponse(
      facts,
      [verdict('error'), verdict('unsigned', `${REGISTRY}/web:v1`)],
      settings,
    );
    expect(plan.decision).toBe('notify');
    expect(plan.quarantine).toBe(false);
    expect(plan.quarantineTargets.map((t) => t.repository)).toEqual(['web']);
  });

  it('plans none in observe mode, and says enforce would have quarantined', () => {
    const plan = decideTrustResponse(facts, [verdict('revoked')], { ...settings, mode: 'observe' });
    expect(plan.quarantine).toBe(false);
    expect(plan.wouldHaveDone).toEqual(['stop', 'tagService', 'quarantine']);
  });

  it.each([
    ['imageQuarantine none', { imageQuarantine: 'none' as const }, `${REGISTRY}/api:v1`, undefined],
    [
      'an exempt repository',
      { exemptRepositories: ['api'] },
      `${REGISTRY}/api:v1`,
      'inspector.exemptRepositories',
    ],
    [
      'another account without organization mode',
      {},
      `444455556666.dkr.ecr.us-east-1.amazonaws.com/api:v1`,
      'needs memberAccountRoleName',
    ],
    [
      'a registry account not in accounts',
      { scope: { memberRoleName: 'R', allowedAccounts: ['222233334444'] } },
      `444455556666.dkr.ecr.us-east-1.amazonaws.com/api:v1`,
      'not in the configured accounts',
    ],
    [
      'a protected registry account',
      {
        scope: { memberRoleName: 'R', allowedAccounts: 'all' as const, protectedAccounts: ['444455556666'] },
      },
      `444455556666.dkr.ecr.us-east-1.amazonaws.com/api:v1`,
      'protectedAccounts',
    ],
    ['another region', {}, `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/api:v1`, 'not in us-east-1'],
    ['a public registry', {}, 'docker.io/library/nginx:1', 'not in a private ECR registry'],
  ])('stops without a quarantine for %s', (_why, change, image, said) => {
    const plan = decideTrustResponse(facts, [verdict('tampered', image)], { ...settings, ...change });
    expect(plan.decision).toBe('stop');
    expect(plan.quarantine).toBe(false);
    if (said) expect(plan.notQuarantinable.join(' ')).toContain(said);
  });
});

describe('decideTrustResponse in organization mode', () => {
  const org = { ...settings, scope: { memberRoleName: 'R', allowedAccounts: 'all' as const } };

  it("quarantines an image of an allowed registry account there, through that account's member role", () => {
    const image = '444455556666.dkr.ecr.us-east-1.amazonaws.com/base/api:v1';

    const plan = decideTrustResponse(facts, [verdict('unsigned', image)], org);

    expect(plan.quarantine).toBe(true);
    expect(plan.quarantineTargets).toEqual([
      expect.objectContaining({
        registryId: '444455556666',
        repository: 'base/api',
        roleArn: 'arn:aws:iam::444455556666:role/R',
      }),
    ]);
  });

  it('scans every account shield-right can see: the blast radius gets the deployment account', () => {
    const plan = decideTrustResponse(facts, [verdict('unsigned')], org);

    expect(plan.scanScope).toEqual({ accountId: ACCOUNT, partition: 'aws', deploymentAccountId: ACCOUNT });
    expect(plan.quarantineTargets[0]?.roleArn).toBeUndefined();
  });

  it('outside organization mode the scan stays in this account', () => {
    const plan = decideTrustResponse(facts, [verdict('unsigned')], settings);

    expect(plan.scanScope).toEqual({ accountId: ACCOUNT, partition: 'aws' });
  });
});

describe('decideTrustResponse: allowed-unsigned images', () => {
  const allowed = (fresh: boolean): ContainerVerdict => ({
    ...verdict('unsigned'),
    allowedBy: 'allowUnsignedRepositories',
    fresh,
  });

  it('notifies an allowed-unsigned image when this start verified it (once per digest and cache window)', () => {
    const plan = decideTrustResponse(facts, [allowed(true)], settings);
    expect(plan.decision).toBe('notify');
    expect(plan.failed).toEqual([]);
    expect(plan.allowed).toHaveLength(1);
  });

  it('stays quiet when the verdict came from the cache', () => {
    expect(decideTrustResponse(facts, [allowed(false)], settings).decision).toBe('none');
  });
});
