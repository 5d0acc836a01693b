import {
  budgetOf,
  ConfigError,
  DEFAULT_CONFIG,
  inspectorSeveritiesAtOrAbove,
  MAX_BUDGET,
  parseConfig,
  policyEnvironment,
  securityHubUpdates,
} from '../../definitions/config';

function configError(input: unknown): ConfigError {
  try {
    parseConfig(input);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

describe('parseConfig', () => {
  describe('defaults', () => {
    it.each([undefined, null, {}, '{}'])('returns the defaults for %p', (input) => {
      expect(parseConfig(input)).toEqual(DEFAULT_CONFIG);
    });

    it('has the documented defaults', () => {
      expect(DEFAULT_CONFIG).toMatchObject({
        mode: 'contain',
        minimumSeverity: 0,
        stopSeverity: 7,
        isolateSeverity: 4,
        exemptTagKey: 'shield-right:exempt',
        imageQuarantine: 'both',
        inspector: {
          minimumSeverity: 'HIGH',
          epssThreshold: 0.1,
          stopRunningTasks: false,
        },
        blastRadius: {
          maxActionsPerCluster: 10,
          maxActionsPerAccount: 50,
          windowMinutes: 60,
          minHealthyTasks: 0,
        },
        incidentRetentionDays: 365,
        evidenceTransitionDays: 30,
        reservedConcurrency: 0,
        // No Security Hub call at all unless turned on.
        securityHub: 'off',
      });
      expect(DEFAULT_CONFIG.slack).toBeUndefined();
      expect(DEFAULT_CONFIG.memberAccountRoleName).toBeUndefined();
    });

    it('fills in only what is not given, section by section', () => {
      const config = parseConfig({
        mode: 'observe',
        inspector: { epssThreshold: 0.5 },
        blastRadius: { minHealthyTasks: 2 },
      });

      expect(config.mode).toBe('observe');
      expect(config.stopSeverity).toBe(7);
      expect(config.inspector).toEqual({ ...DEFAULT_CONFIG.inspector, epssThreshold: 0.5 });
      expect(config.blastRadius).toEqual({ ...DEFAULT_CONFIG.blastRadius, minHealthyTasks: 2 });
    });

    it('parses a JSON string (the -c context form)', () => {
      expect(parseConfig('{"mode":"observe","protectedClusters":["prod"]}')).toMatchObject({
        mode: 'observe',
        protectedClusters: ['prod'],
      });
    });

    it('accepts every setting at once', () => {
      const config = parseConfig({
        mode: 'contain',
        minimumSeverity: 4,
        stopSeverity: 8,
        isolateSeverity: 5,
        exemptTagKey: 'sec:skip',
        protectedClusters: ['core', 'arn:aws:ecs:us-east-1:111122223333:cluster/edge'],
        notificationEmails: ['oncall@example.com'],
        slack: { workspaceId: 'T01ABCDEF', channelId: 'C01ABCDEF' },
        imageQuarantine: 'archive',
        quarantineVpcIds: ['vpc-0123'],
        inspector: {
          minimumSeverity: 'CRITICAL',
          epssThreshold: 0,
          stopRunningTasks: true,
          exemptRepositories: ['base-images'],
        },
        blastRadius: {
          maxActionsPerCluster: 1,
          maxActionsPerAccount: 2,
          windowMinutes: 5,
          minHealthyTasks: 1,
        },
        memberAccountRoleName: 'ShieldRightMember',
        incidentRetentionDays: 90,
        evidenceTransitionDays: 7,
        securityHub: 'on',
      });

      expect(config.securityHub).toBe('on');
      expect(config.slack).toEqual({ workspaceId: 'T01ABCDEF', channelId: 'C01ABCDEF' });
      expect(config.memberAccountRoleName).toBe('ShieldRightMember');
      expect(config.inspector.exemptRepositories).toEqual(['base-images']);
      expect(config.imageQuarantine).toBe('archive');
      expect(config.incidentRetentionDays).toBe(90);
    });
  });

  it('securityHub updates only in contain mode: observe makes no mutating call (BatchUpdateFindings is one)', () => {
    expect(securityHubUpdates(parseConfig({ securityHub: 'on' }))).toBe('on');
    expect(securityHubUpdates(parseConfig({ securityHub: 'on', mode: 'observe' }))).toBe('off');
    expect(securityHubUpdates(parseConfig({}))).toBe('off');
  });

  describe('bad values name their key', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['mode', { mode: 'enforce' }, 'shield-right.mode: expected one of observe, contain, got "enforce"'],
      [
        'minimumSeverity',
        { minimumSeverity: 11 },
        'shield-right.minimumSeverity: expected a number from 0 to 10',
      ],
      [
        'stopSeverity',
        { stopSeverity: '7' },
        'shield-right.stopSeverity: expected a number from 0 to 10, got "7"',
      ],
      [
        'isolateSeverity',
        { isolateSeverity: -1 },
        'shield-right.isolateSeverity: expected a number from 0 to 10',
      ],
      ['exemptTagKey', { exemptTagKey: '' }, 'shield-right.exemptTagKey: expected a non-empty string'],
      ['protectedClusters', { protectedClusters: 'prod' }, 'shield-right.protectedClusters: expected a list'],
      [
        'protectedClusters entry',
        { protectedClusters: ['prod', ''] },
        'shield-right.protectedClusters: expected a list',
      ],
      [
        'imageQuarantine',
        { imageQuarantine: 'delete' },
        'shield-right.imageQuarantine: expected one of both, retag',
      ],
      ['quarantineVpcIds', { quarantineVpcIds: [1] }, 'shield-right.quarantineVpcIds: expected a list'],
      ['inspector', { inspector: [] }, 'shield-right.inspector: expected an object'],
      [
        'inspector.minimumSeverity',
        { inspector: { minimumSeverity: 'high' } },
        'shield-right.inspector.minimumSeverity: expected one of CRITICAL',
      ],
      [
        'inspector.epssThreshold',
        { inspector: { epssThreshold: 1.5 } },
        'shield-right.inspector.epssThreshold: expected a number from 0 to 1',
      ],
      [
        'inspector.stopRunningTasks',
        { inspector: { stopRunningTasks: 'yes' } },
        'shield-right.inspector.stopRunningTasks: expected true or false',
      ],
      [
        'inspector.exemptRepositories',
        { inspector: { exemptRepositories: [''] } },
        'shield-right.inspector.exemptRepositories: expected a list',
      ],
      ['blastRadius', { blastRadius: 5 }, 'shield-right.blastRadius: expected an object'],
      [
        'blastRadius.maxActionsPerCluster',
        { blastRadius: { maxActionsPerCluster: 0 } },
        'shield-right.blastRadius.maxActionsPerCluster: expected a number from 1',
      ],
      [
        'blastRadius.maxActionsPerAccount',
        { blastRadius: { maxActionsPerAccount: Number.NaN } },
        'shield-right.blastRadius.maxActionsPerAccount: expected a number from 1',
      ],
      [
        'blastRadius.windowMinutes',
        { blastRadius: { windowMinutes: 7 * 24 * 60 + 1 } },
        'shield-right.blastRadius.windowMinutes: expected a number from 1 to 10080',
      ],
      [
        'blastRadius.minHealthyTasks',
        { blastRadius: { minHealthyTasks: -1 } },
        'shield-right.blastRadius.minHealthyTasks: expected a number from 0 to 1000',
      ],
      [
        'memberAccountRoleName',
        { memberAccountRoleName: '' },
        'shield-right.memberAccountRoleName: expected a non-empty string',
      ],
      [
        'incidentRetentionDays',
        { incidentRetentionDays: 0 },
        'shield-right.incidentRetentionDays: expected a number from 1 to 3650',
      ],
      [
        'evidenceTransitionDays',
        { evidenceTransitionDays: 4000 },
        'shield-right.evidenceTransitionDays: expected a number from 1 to 3650',
      ],
      ['securityHub', { securityHub: true }, 'shield-right.securityHub: expected one of off, on'],
    ])('%s', (_key, input, message) => {
      expect(configError(input).message).toContain(message);
    });

    it('refuses an unknown key, naming it', () => {
      expect(configError({ mode: 'observe', stopSeverty: 8 }).message).toBe(
        'shield-right.stopSeverty: unknown setting',
      );
    });

    it('refuses an unknown key inside a section, naming it', () => {
      expect(configError({ blastRadius: { minHealthyTask: 2 } }).message).toBe(
        'shield-right.blastRadius.minHealthyTask: unknown setting',
      );
    });

    it.each([true, false])(
      'refuses the removed inspector.releaseOnClose (%p) and says why, so nobody believes it is in force',
      (value) => {
        const message = configError({ inspector: { releaseOnClose: value } }).message;
        expect(message).toMatch(
          /^shield-right\.inspector\.releaseOnClose: removed: a CLOSED Inspector finding is not a fix/,
        );
        expect(message).toContain('shield-right release INCIDENT_ID');
      },
    );

    it('refuses text that is not JSON', () => {
      expect(configError('{mode: observe}').message).toMatch(/^shield-right: not valid JSON/);
    });

    it('refuses a configuration that is not an object', () => {
      expect(configError([1, 2]).message).toContain('expected an object');
      expect(configError('"contain"').message).toContain('expected an object');
    });
  });

  describe('notification emails', () => {
    it('accepts addresses and { email, minimumSeverity } entries', () => {
      const config = parseConfig({
        notificationEmails: [
          'all@example.com',
          { email: 'pager@example.com', minimumSeverity: 7 },
          { email: 'x@y.io' },
        ],
      });

      expect(config.notificationEmails).toEqual([
        { email: 'all@example.com' },
        { email: 'pager@example.com', minimumSeverity: 7 },
        { email: 'x@y.io' },
      ]);
    });

    it.each<[unknown, string]>([
      ['ops@example.com', 'shield-right.notificationEmails: expected a list'],
      [['not-an-address'], 'shield-right.notificationEmails[0]: expected an email address'],
      [
        ['a@b.co', 42],
        'shield-right.notificationEmails[1]: expected an email address or { email, minimumSeverity }',
      ],
      [[{ email: 'no at sign' }], 'shield-right.notificationEmails[0].email: expected an email address'],
      [[{ minimumSeverity: 4 }], 'shield-right.notificationEmails[0].email: expected an email address'],
      [
        [{ email: 'a@b.co', minimumSeverity: 11 }],
        'shield-right.notificationEmails[0].minimumSeverity: expected a number from 0 to 10',
      ],
      [
        [{ email: 'a@b.co', minimumSeverity: 'HIGH' }],
        'shield-right.notificationEmails[0].minimumSeverity: expected a number from 0 to 10',
      ],
    ])('refuses %p', (emails, message) => {
      expect(configError({ notificationEmails: emails }).message).toContain(message);
    });
  });

  describe('slack', () => {
    it.each<[unknown, string]>([
      ['C01ABCDEF', 'shield-right.slack: expected an object'],
      [
        { workspaceId: 'W01ABCDEF', channelId: 'C01ABCDEF' },
        'shield-right.slack.workspaceId: expected a Slack workspace id',
      ],
      [{ channelId: 'C01ABCDEF' }, 'shield-right.slack.workspaceId: expected a Slack workspace id'],
      [
        { workspaceId: 'T01ABCDEF', channelId: 'general' },
        'shield-right.slack.channelId: expected a Slack channel id',
      ],
      [
        { workspaceId: 'T01ABCDEF', channelId: 'C01' },
        'shield-right.slack.channelId: expected a Slack channel id',
      ],
    ])('refuses %p', (slack, message) => {
      expect(configError({ slack }).message).toContain(message);
    });

    it('accepts a private channel id (G…)', () => {
      expect(parseConfig({ slack: { workspaceId: 'T0ABCDE', channelId: 'G0ABCDE' } }).slack?.channelId).toBe(
        'G0ABCDE',
      );
    });
  });

  describe('severity budgets', () => {
    it('gives a band its own budget, and the others the base limits', () => {
      const config = parseConfig({
        blastRadius: {
          maxActionsPerCluster: 4,
          severityBudgets: { critical: { perCluster: 2, perAccount: 6 } },
        },
      });

      // The organization's budget defaults to twice the band's per-account budget.
      expect(budgetOf(config.blastRadius, 'critical')).toEqual({
        perCluster: 2,
        perAccount: 6,
        perOrganization: 12,
      });
      expect(budgetOf(config.blastRadius, 'high')).toEqual({
        perCluster: 4,
        perAccount: 50,
        perOrganization: 100,
      });
      expect(budgetOf(config.blastRadius, 'medium')).toEqual({
        perCluster: 4,
        perAccount: 50,
        perOrganization: 100,
      });
    });

    it('takes an organization-wide budget per band, or for every band', () => {
      const config = parseConfig({
        blastRadius: { maxActionsPerOrganization: 30, severityBudgets: { critical: { perOrganization: 8 } } },
      });

      expect(budgetOf(config.blastRadius, 'critical').perOrganization).toBe(8);
      expect(budgetOf(config.blastRadius, 'high').perOrganization).toBe(30);
      expect(configError({ blastRadius: { maxActionsPerOrganization: 0 } }).message).toContain(
        'maxActionsPerOrganization',
      );
    });

    it('reads regions and accountNames, refusing what is not a Region or an account id', () => {
      const config = parseConfig({
        regions: ['us-east-1', 'eu-west-1'],
        accountNames: { '222233334444': 'payments-prod' },
      });

      expect(config.regions).toEqual(['us-east-1', 'eu-west-1']);
      expect(config.accountNames).toEqual({ '222233334444': 'payments-prod' });
      expect(configError({ regions: ['mars-1'] }).message).toContain('regions');
      expect(configError({ accountNames: { payments: 'x' } }).message).toContain('accountNames');
    });

    it('refuses an unknown band, a budget that is not a whole number, and one past MAX_BUDGET', () => {
      expect(configError({ blastRadius: { severityBudgets: { low: { perCluster: 1 } } } }).message).toContain(
        'low',
      );
      expect(
        configError({ blastRadius: { severityBudgets: { high: { perCluster: 1.5 } } } }).message,
      ).toContain('a whole number of actions');
      expect(configError({ blastRadius: { maxActionsPerAccount: MAX_BUDGET + 1 } }).message).toContain(
        `from 1 to ${MAX_BUDGET}`,
      );
    });
  });

  describe('thresholds', () => {
    it('refuses isolateSeverity above stopSeverity', () => {
      expect(configError({ isolateSeverity: 8, stopSeverity: 7 }).message).toBe(
        'shield-right.isolateSeverity: expected at most stopSeverity (7), got 8',
      );
      expect(configError({ isolateSeverity: 8 }).message).toContain('at most stopSeverity (7)');
    });

    it('accepts isolateSeverity equal to stopSeverity', () => {
      expect(parseConfig({ isolateSeverity: 7, stopSeverity: 7 })).toMatchObject({
        isolateSeverity: 7,
        stopSeverity: 7,
      });
    });
  });
});

describe('inspectorSeveritiesAtOrAbove', () => {
  it.each<[Parameters<typeof inspectorSeveritiesAtOrAbove>[0], string[]]>([
    ['CRITICAL', ['CRITICAL']],
    ['HIGH', ['CRITICAL', 'HIGH']],
    ['MEDIUM', ['CRITICAL', 'HIGH', 'MEDIUM']],
    ['LOW', ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']],
    ['INFORMATIONAL', ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']],
    ['UNTRIAGED', ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED']],
  ])('%s matches %p', (floor, severities) => {
    expect(inspectorSeveritiesAtOrAbove(floor)).toEqual(severities);
  });
});

describe('policyEnvironment', () => {
  it('round-trips the policy settings through SHIELD_RIGHT_POLICY', () => {
    const config = parseConfig({
      mode: 'observe',
      protectedClusters: ['prod'],
      blastRadius: { minHealthyTasks: 3 },
    });

    const env = policyEnvironment(config);
    const reparsed = parseConfig(JSON.parse(env.SHIELD_RIGHT_POLICY ?? '{}'));

    expect(reparsed).toMatchObject({
      mode: 'observe',
      protectedClusters: ['prod'],
      blastRadius: { ...DEFAULT_CONFIG.blastRadius, minHealthyTasks: 3 },
      inspector: DEFAULT_CONFIG.inspector,
      incidentRetentionDays: 365,
    });
  });
});
