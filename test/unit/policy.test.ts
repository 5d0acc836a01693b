import { DEFAULT_CONFIG } from '../../definitions/config';
import { normalizeRuntimeFinding, type RuntimeFinding } from '../../lambdas/core/finding';
import {
  type ActionName,
  claimKeyFor,
  decideRuntimeResponse,
  isExemptValue,
  type PolicySettings,
  quarantineTagFor,
  STOP_REASON_MAX,
  type TaskEnrichment,
} from '../../lambdas/core/policy';
import { ACCOUNT, REGION, type RuntimeEventOptions, runtimeEvent } from '../../local/fixtures/events';

const NOW = Date.UTC(2026, 10, 28, 10, 17, 30);
const DIGEST = `sha256:${'ab'.repeat(32)}`;

function settings(overrides: Partial<PolicySettings> = {}): PolicySettings {
  return {
    mode: DEFAULT_CONFIG.mode,
    stopSeverity: DEFAULT_CONFIG.stopSeverity,
    isolateSeverity: DEFAULT_CONFIG.isolateSeverity,
    exemptTagKey: DEFAULT_CONFIG.exemptTagKey,
    protectedClusters: DEFAULT_CONFIG.protectedClusters,
    protectedServices: DEFAULT_CONFIG.protectedServices,
    exemptTaskTagGuarded: DEFAULT_CONFIG.exemptTaskTagGuarded,
    imageQuarantine: DEFAULT_CONFIG.imageQuarantine,
    blastRadius: DEFAULT_CONFIG.blastRadius,
    ...overrides,
  };
}

function finding(options: RuntimeEventOptions = {}): RuntimeFinding {
  return normalizeRuntimeFinding(runtimeEvent({ id: 'f0123456789abcdef', ...options }));
}

function enrichment(overrides: Partial<TaskEnrichment> = {}): TaskEnrichment {
  return {
    found: true,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    launchType: 'FARGATE',
    networkMode: 'awsvpc',
    eniId: 'eni-0123456789abcdef0',
    containers: [
      {
        name: 'app',
        image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payments-api:v1.4.2`,
        digest: DIGEST,
      },
    ],
    taskTags: {},
    service: { name: 'payments-api', runningCount: 4, desiredCount: 4, tags: {} },
    clusterTags: {},
    ...overrides,
  };
}

function actions(plan: { isolate: boolean; stop: boolean; quarantine: boolean; tagService: boolean }) {
  return { isolate: plan.isolate, stop: plan.stop, quarantine: plan.quarantine, tagService: plan.tagService };
}

const NOTHING = { isolate: false, stop: false, quarantine: false, tagService: false };
// A stop is the containment: nothing is isolated after it (issue 14, defect 5).
const CONTAIN = { isolate: false, stop: true, quarantine: true, tagService: true };

describe('decideRuntimeResponse', () => {
  describe('by severity', () => {
    it.each([9, 9.5, 10])(
      'Critical %d contains: stop, quarantine and tag the service, no isolation',
      (severity) => {
        const plan = decideRuntimeResponse(finding({ severity }), enrichment(), settings(), NOW);

        expect(plan.disposition).toBe('contain');
        expect(plan.path).toBe('act');
        expect(actions(plan)).toEqual(CONTAIN);
        expect(plan.skipped.find((s) => s.action === 'isolate')?.reason).toContain(
          'the stop is the containment',
        );
        expect(plan.wouldHaveDone).toEqual([]);
      },
    );

    it.each([7, 8, 8.9])('High %d contains', (severity) => {
      const plan = decideRuntimeResponse(finding({ severity }), enrichment(), settings(), NOW);

      expect(plan.disposition).toBe('contain');
      expect(actions(plan)).toEqual(CONTAIN);
      expect(plan.reasons).toContain(`severity ${severity} (HIGH) is at or above the stop threshold 7`);
      expect(plan.quarantineTargets).toEqual([
        {
          containerName: 'app',
          registryId: ACCOUNT,
          region: REGION,
          repository: 'payments-api',
          digest: DIGEST,
          tag: 'v1.4.2',
        },
      ]);
      expect(plan.quarantineStrategy).toBe('both');
      expect(plan.quarantineTag).toBe('quarantine-f0123456789a');
      expect(plan.digests).toEqual([DIGEST]);
    });

    it('High without a service contains but does not tag a service', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 8, service: null }),
        enrichment({ service: undefined }),
        settings(),
        NOW,
      );

      expect(actions(plan)).toEqual({ ...CONTAIN, tagService: false });
    });

    it.each([4, 5.5, 6.9])(
      'Medium %d on a standalone task isolates only and recommends the stop',
      (severity) => {
        const plan = decideRuntimeResponse(
          finding({ severity, service: null }),
          enrichment({ service: undefined }),
          settings(),
          NOW,
        );

        expect(plan.disposition).toBe('isolate');
        expect(plan.path).toBe('act');
        expect(actions(plan)).toEqual({ ...NOTHING, isolate: true });
        expect(plan.recommendations.join('\n')).toContain(
          'Stop the task if the activity is confirmed: shield-right respond --finding-id f0123456789abcdef --force',
        );
        expect(plan.reasons).toContain(
          `severity ${severity} (MEDIUM) is at or above the isolation threshold 4`,
        );
      },
    );

    it.each([4, 6.9])(
      'Medium %d on an awsvpc service task notifies and recommends: its groups are those of the service (issue 14, defect 5)',
      (severity) => {
        const plan = decideRuntimeResponse(finding({ severity }), enrichment(), settings(), NOW);

        expect(plan.disposition).toBe('notify');
        expect(plan.path).toBe('notify');
        expect(actions(plan)).toEqual(NOTHING);
        expect(plan.reasons.join('\n')).toContain(
          'isolation not possible in place: the network configuration of service payments-api gives every task of the service its security groups',
        );
        expect(plan.recommendations.join('\n')).toContain(
          'move service payments-api to a security group of its own',
        );
        expect(plan.recommendations.join('\n')).toContain('shield-right respond --finding-id');
      },
    );

    it('Medium on a bridge-mode service task still plans the container-instance isolation', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 5 }),
        enrichment({ networkMode: 'bridge', eniId: undefined, containerInstanceArn: 'arn:ci' }),
        settings(),
        NOW,
      );

      expect(actions(plan)).toEqual({ ...NOTHING, isolate: true });
    });

    it.each([0, 2, 3.9])('Low %d notifies only', (severity) => {
      const plan = decideRuntimeResponse(finding({ severity }), enrichment(), settings(), NOW);

      expect(plan.disposition).toBe('notify');
      expect(plan.path).toBe('notify');
      expect(actions(plan)).toEqual(NOTHING);
      expect(plan.reasons[0]).toContain('below the isolation threshold 4');
      expect(plan.wouldHaveDone).toEqual([]);
    });

    it('uses the configured thresholds, not the GuardDuty bands', () => {
      const strict = settings({ stopSeverity: 9, isolateSeverity: 8 });

      expect(
        decideRuntimeResponse(finding({ severity: 8.5 }), enrichment({ service: undefined }), strict, NOW)
          .disposition,
      ).toBe('isolate');
      expect(decideRuntimeResponse(finding({ severity: 7.5 }), enrichment(), strict, NOW).disposition).toBe(
        'notify',
      );
    });
  });

  describe('exemptions', () => {
    it.each<[string, RuntimeEventOptions, Partial<TaskEnrichment>, string]>([
      [
        'task tag from enrichment (key declared guarded)',
        {},
        { taskTags: { 'shield-right:exempt': 'TRUE ' } },
        'the task is tagged',
      ],
      [
        'service tag',
        {},
        {
          service: {
            name: 'payments-api',
            runningCount: 3,
            desiredCount: 3,
            tags: { 'shield-right:exempt': 'true' },
          },
        },
        'service payments-api is tagged',
      ],
      [
        'cluster tag from enrichment',
        {},
        { clusterTags: { 'shield-right:exempt': 'true' } },
        'cluster prod is tagged',
      ],
    ])(
      'a %s exempts a High finding: notify only, saying why and what would have been done',
      (_c, opts, enr, why) => {
        const plan = decideRuntimeResponse(
          finding({ severity: 8, ...opts }),
          enrichment(enr),
          settings({ exemptTaskTagGuarded: true }),
          NOW,
        );

        expect(plan.disposition).toBe('exempt');
        expect(plan.path).toBe('notify');
        expect(actions(plan)).toEqual(NOTHING);
        expect(plan.reasons[0]).toMatch(/^exempt: /);
        expect(plan.reasons[0]).toContain(why);
        expect(plan.wouldHaveDone).toEqual<ActionName[]>(['stop', 'tagService', 'quarantine']);
        expect(plan.skipped.map((s) => s.action)).toEqual(['stop', 'tagService', 'quarantine']);
        expect(plan.skipped.every((s) => s.reason === plan.reasons[0])).toBe(true);
      },
    );

    it('exempts nothing on tags only the finding claims (task or cluster): ECS describes none', () => {
      const plan = decideRuntimeResponse(
        finding({
          severity: 8,
          taskTags: { 'shield-right:exempt': 'true' },
          clusterTags: { 'shield-right:exempt': 'true' },
        }),
        enrichment(),
        settings({ exemptTaskTagGuarded: true }),
        NOW,
      );

      expect(plan.disposition).toBe('contain');
    });

    it('a described task tag exempts nothing unless the key is declared guarded, and says why', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 8 }),
        enrichment({ taskTags: { 'shield-right:exempt': 'true' } }),
        settings(),
        NOW,
      );

      expect(plan.disposition).toBe('contain');
      expect(plan.reasons.join(' ')).toContain('task tags exempt only with exemptTaskTagGuarded');
    });

    it('reads the exempt tag key from the settings', () => {
      const custom = settings({ exemptTagKey: 'security/skip', exemptTaskTagGuarded: true });

      const byCustom = decideRuntimeResponse(
        finding(),
        enrichment({ taskTags: { 'security/skip': 'true' } }),
        custom,
        NOW,
      );
      const byDefaultKey = decideRuntimeResponse(
        finding(),
        enrichment({ taskTags: { 'shield-right:exempt': 'true' } }),
        custom,
        NOW,
      );

      expect(byCustom.disposition).toBe('exempt');
      expect(byCustom.reasons[0]).toContain('security/skip=true');
      expect(byDefaultKey.disposition).toBe('contain');
    });

    it('does not exempt on a tag value other than true', () => {
      const plan = decideRuntimeResponse(
        finding({ taskTags: { 'shield-right:exempt': 'yes' } }),
        enrichment(),
        settings(),
        NOW,
      );

      expect(plan.disposition).toBe('contain');
      expect(isExemptValue(' True ')).toBe(true);
      expect(isExemptValue('false')).toBe(false);
      expect(isExemptValue(undefined)).toBe(false);
    });

    it.each([
      ['name', 'prod'],
      ['ARN', `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`],
    ])('protects a cluster listed in protectedClusters by %s', (_by, entry) => {
      const plan = decideRuntimeResponse(
        finding({ severity: 9 }),
        enrichment(),
        settings({ protectedClusters: ['staging', entry] }),
        NOW,
      );

      expect(plan.disposition).toBe('exempt');
      expect(actions(plan)).toEqual(NOTHING);
      expect(plan.reasons[0]).toBe('exempt: cluster prod is in protectedClusters');
      expect(plan.wouldHaveDone).toContain('stop');
    });

    it('lists for an exempt Medium finding only the isolation it would have done', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 5, service: null }),
        enrichment({ service: undefined, taskTags: { 'shield-right:exempt': 'true' } }),
        settings({ exemptTaskTagGuarded: true }),
        NOW,
      );

      expect(plan.wouldHaveDone).toEqual(['isolate']);
    });
  });

  describe('findings that are never acted on', () => {
    it('notifies only for a sample finding, even Critical', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 10, sample: true }),
        enrichment(),
        settings(),
        NOW,
      );

      expect(plan.disposition).toBe('sample');
      expect(plan.path).toBe('notify');
      expect(actions(plan)).toEqual(NOTHING);
      expect(plan.wouldHaveDone).toEqual([]);
    });

    it('notifies only for a cluster-level finding without a task, recommending an investigation', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 9, withoutTask: true }),
        undefined,
        settings(),
        NOW,
      );

      expect(plan.disposition).toBe('no-task');
      expect(plan.path).toBe('notify');
      expect(actions(plan)).toEqual(NOTHING);
      expect(plan.recommendations).toContain('Investigate cluster prod: the finding names no task');
      expect(plan.claimKey).toBe(`CLAIM#TASK#arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod#stop`);
    });

    it('in observe mode plans only, listing what contain would have done', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 8 }),
        enrichment(),
        settings({ mode: 'observe' }),
        NOW,
      );

      expect(plan.disposition).toBe('observe');
      expect(plan.path).toBe('notify');
      expect(actions(plan)).toEqual(NOTHING);
      expect(plan.wouldHaveDone).toEqual(['stop', 'tagService', 'quarantine']);
      expect(plan.reasons).toEqual(['mode is observe: planned only, nothing changed']);
    });

    it('in observe mode a Medium finding would only have isolated', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 5, service: null }),
        enrichment({ service: undefined }),
        settings({ mode: 'observe' }),
        NOW,
      );

      expect(plan.wouldHaveDone).toEqual(['isolate']);
    });

    it('in observe mode a Medium finding on an awsvpc service task would have done nothing', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 5 }),
        enrichment(),
        settings({ mode: 'observe' }),
        NOW,
      );

      expect(plan.wouldHaveDone).toEqual([]);
    });

    it('in observe mode a Low finding is a plain notification', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 2 }),
        enrichment(),
        settings({ mode: 'observe' }),
        NOW,
      );

      expect(plan.disposition).toBe('notify');
    });
  });

  describe('task already gone', () => {
    it.each<[string, Partial<TaskEnrichment>, string]>([
      [
        'stopped',
        { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedReason: 'Essential container exited' },
        'the task is already stopped (Essential container exited)',
      ],
      [
        'stopping',
        { lastStatus: 'RUNNING', desiredStatus: 'STOPPED' },
        'the task is already stopped (no reason given)',
      ],
    ])('High with the task %s: no stop or isolation, quarantine still planned', (_state, enr, why) => {
      const plan = decideRuntimeResponse(finding({ severity: 8 }), enrichment(enr), settings(), NOW);

      expect(actions(plan)).toEqual({ ...NOTHING, quarantine: true });
      expect(plan.path).toBe('act');
      expect(plan.reasons).toContain(why);
      expect(plan.skipped).toEqual(
        expect.arrayContaining([
          { action: 'stop', reason: why },
          { action: 'isolate', reason: why },
          { action: 'tagService', reason: why },
        ]),
      );
    });

    it('Medium with the task stopped has nothing left to do', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 5 }),
        enrichment({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }),
        settings(),
        NOW,
      );

      expect(plan.disposition).toBe('task-stopped');
      expect(plan.path).toBe('notify');
      expect(actions(plan)).toEqual(NOTHING);
      expect(plan.skipped).toEqual([
        { action: 'isolate', reason: 'the task is already stopped (no reason given)' },
      ]);
    });

    it('High with the task gone and no quarantinable image has nothing left to do', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 8, image: 'nginx:1.25' }),
        enrichment({ found: false }),
        settings(),
        NOW,
      );

      expect(plan.disposition).toBe('task-stopped');
      expect(plan.path).toBe('notify');
    });
  });

  describe('minHealthyTasks guard', () => {
    const guarded = settings({ blastRadius: { ...DEFAULT_CONFIG.blastRadius, minHealthyTasks: 2 } });

    it.each([1, 2])(
      'High with %d running task(s) at most the guard: does not stop, and does not revoke the service group',
      (runningCount) => {
        const plan = decideRuntimeResponse(
          finding({ severity: 8 }),
          enrichment({ service: { name: 'payments-api', runningCount, desiredCount: 2, tags: {} } }),
          guarded,
          NOW,
        );

        expect(plan.path).toBe('act');
        expect(actions(plan)).toEqual({ isolate: false, stop: false, quarantine: true, tagService: false });
        expect(plan.skipped.find((s) => s.action === 'isolate')?.reason).toContain(
          'isolation not possible in place',
        );
        expect(plan.skipped.find((s) => s.action === 'stop')?.reason).toContain('minHealthyTasks=2');
        expect(plan.recommendations).toContain(
          'Stop the task by hand once replacement capacity is available',
        );
        expect(plan.claimKey).toMatch(/#isolate$/);
      },
    );

    it('High with more running tasks than the guard still stops', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 8 }),
        enrichment({ service: { name: 'payments-api', runningCount: 3, desiredCount: 3, tags: {} } }),
        guarded,
        NOW,
      );

      expect(plan.stop).toBe(true);
    });

    it('Critical stops even the last tasks', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 9 }),
        enrichment({ service: { name: 'payments-api', runningCount: 1, desiredCount: 1, tags: {} } }),
        guarded,
        NOW,
      );

      expect(plan.disposition).toBe('contain');
      expect(plan.stop).toBe(true);
    });

    it('is off at 0', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 8 }),
        enrichment({ service: { name: 'payments-api', runningCount: 1, desiredCount: 1, tags: {} } }),
        settings(),
        NOW,
      );

      expect(plan.stop).toBe(true);
    });
  });

  describe('image quarantine', () => {
    it('imageQuarantine none: no quarantine, skipped with the reason', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 8 }),
        enrichment(),
        settings({ imageQuarantine: 'none' }),
        NOW,
      );

      expect(plan.quarantine).toBe(false);
      expect(plan.stop).toBe(true);
      expect(plan.skipped).toContainEqual({ action: 'quarantine', reason: 'imageQuarantine is none' });
    });

    it.each<[string, string, string]>([
      ['Docker Hub', 'nginx:1.25', 'nginx:1.25 is not in a private ECR registry'],
      [
        'ECR Public',
        'public.ecr.aws/nginx/nginx:1',
        'public.ecr.aws/nginx/nginx:1 is not in a private ECR registry',
      ],
      [
        'another account',
        `999988887777.dkr.ecr.${REGION}.amazonaws.com/app:1`,
        `999988887777.dkr.ecr.${REGION}.amazonaws.com/app:1 is in registry 999988887777, not this account's (quarantining in another account needs memberAccountRoleName)`,
      ],
      [
        'another region',
        `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/app:1`,
        `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/app:1 is in eu-west-1, not ${REGION}`,
      ],
    ])('an image in %s is not quarantinable, and says why', (_where, image, reason) => {
      const plan = decideRuntimeResponse(
        finding({ severity: 8, image }),
        enrichment({ containers: [{ name: 'app', image }] }),
        settings(),
        NOW,
      );

      expect(plan.quarantine).toBe(false);
      expect(plan.quarantineTargets).toEqual([]);
      expect(plan.stop).toBe(true);
      expect(plan.skipped).toContainEqual({ action: 'quarantine', reason });
    });

    it('does not quarantine for a Medium finding', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 6, service: null }),
        enrichment({ service: undefined }),
        settings(),
        NOW,
      );

      expect(plan.quarantine).toBe(false);
      expect(plan.skipped).toEqual([]);
    });

    it('never takes the image from the finding: without a described task there is nothing to quarantine', () => {
      const image = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payments-api@${DIGEST}`;
      const plan = decideRuntimeResponse(finding({ severity: 8, image }), undefined, settings(), NOW);

      expect(plan.quarantineTargets).toEqual([]);
      expect(plan.quarantine).toBe(false);
      expect(plan.skipped).toContainEqual({
        action: 'quarantine',
        reason:
          'ECS no longer describes the task: the images it ran, and their digests, are not known from AWS',
      });
    });

    it('High with the task missing: nothing to stop, isolate or quarantine (its images are not known from AWS)', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 8 }),
        enrichment({ found: false, lastStatus: undefined, desiredStatus: undefined, containers: [] }),
        settings(),
        NOW,
      );

      expect(actions(plan)).toEqual(NOTHING);
      expect(plan.reasons).toContain('the task no longer exists');
    });
  });

  describe('stop reason, claim and caps', () => {
    it('keeps the StopTask reason within 255 characters', () => {
      const longType = `Execution:Runtime/${'VeryLongFindingName'.repeat(20)}`;
      const plan = decideRuntimeResponse(
        finding({ severity: 8, type: longType }),
        enrichment(),
        settings(),
        NOW,
      );

      expect(plan.stopReason.length).toBe(STOP_REASON_MAX);
      expect(plan.stopReason.endsWith('…')).toBe(true);
      expect(plan.stopReason.startsWith('shield-right: GuardDuty HIGH Execution:Runtime/')).toBe(true);
    });

    it('writes a short StopTask reason naming the severity, type and finding', () => {
      const plan = decideRuntimeResponse(finding({ severity: 8 }), enrichment(), settings(), NOW);

      expect(plan.stopReason).toBe(
        'shield-right: GuardDuty HIGH CryptoCurrency:Runtime/BitcoinTool.B finding f0123456789abcdef',
      );
    });

    it('claims stop and isolation of one task under different keys', () => {
      const f = finding({ severity: 8 });
      const high = decideRuntimeResponse(f, enrichment(), settings(), NOW);
      const medium = decideRuntimeResponse(finding({ severity: 5 }), enrichment(), settings(), NOW);

      expect(high.claimKey).toBe(`CLAIM#TASK#${f.task?.arn}#stop`);
      expect(medium.claimKey).toBe(`CLAIM#TASK#${f.task?.arn}#isolate`);
      expect(high.claimKey).not.toBe(medium.claimKey);
      expect(claimKeyFor(f, true)).toBe(high.claimKey);
    });

    it('keys the blast-radius counters by cluster, account and severity band, with no window in the key', () => {
      const high = decideRuntimeResponse(finding({ severity: 8 }), enrichment(), settings(), NOW);
      const critical = decideRuntimeResponse(finding({ severity: 9.1 }), enrichment(), settings(), NOW);
      const medium = decideRuntimeResponse(finding({ severity: 5 }), enrichment(), settings(), NOW);
      const cluster = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;

      expect(high.capKeys).toEqual({
        cluster: `CAP#CLUSTER#${cluster}#high`,
        account: `CAP#ACCOUNT#${ACCOUNT}#high`,
        organization: 'CAP#ORGANIZATION#high',
        notice: `CAPNOTICE#${cluster}#high`,
      });
      expect([high.band, critical.band, medium.band]).toEqual(['high', 'critical', 'medium']);
      expect(critical.capKeys.account).toBe(`CAP#ACCOUNT#${ACCOUNT}#critical`);
      expect(medium.capKeys.cluster).toBe(`CAP#CLUSTER#${cluster}#medium`);
      // The organization's budget defaults to twice the account's: one account alone never reaches it.
      expect(high.caps).toEqual({ cluster: 10, account: 50, organization: 100 });
      expect(high.slots).toEqual({ cluster: 9, account: 49, organization: 99 });
    });

    it('gives each band its own budget when severityBudgets sets one, the base limits otherwise', () => {
      const s = settings({
        blastRadius: {
          ...DEFAULT_CONFIG.blastRadius,
          maxActionsPerOrganization: 70,
          severityBudgets: { critical: { perCluster: 3, perOrganization: 60 } },
        },
      });
      const critical = decideRuntimeResponse(finding({ severity: 9.5 }), enrichment(), s, NOW);
      const high = decideRuntimeResponse(finding({ severity: 8 }), enrichment(), s, NOW);

      expect(critical.caps).toEqual({ cluster: 3, account: 50, organization: 60 });
      expect(high.caps).toEqual({ cluster: 10, account: 50, organization: 70 });
    });

    it('slides the window with the action: the stamp is now, the window reaches windowMinutes back', () => {
      const plan = decideRuntimeResponse(
        finding({ severity: 8 }),
        enrichment(),
        settings({ blastRadius: { ...DEFAULT_CONFIG.blastRadius, windowMinutes: 15 } }),
        NOW,
      );

      expect(plan.window).toEqual({ at: Math.floor(NOW / 1000), since: Math.floor(NOW / 1000) - 900 });
    });

    it('sets the record TTL from the retention days', () => {
      const plan = decideRuntimeResponse(finding(), enrichment(), settings(), NOW, 30);

      expect(plan.ttl).toBe(Math.floor(NOW / 1000) + 30 * 86_400);
    });

    it('derives the quarantine tag from the incident id, lower-cased and short', () => {
      expect(quarantineTagFor('ABCDEF0123456789')).toBe('quarantine-abcdef012345');
    });
  });
});
