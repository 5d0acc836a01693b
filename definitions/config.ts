/**
 * The one typed configuration of shield-right, shared by the CDK app, the Lambda handlers
 * (through environment variables), the offline engine and the CLI. No AWS or CDK imports here.
 */

export type ResponseMode = 'observe' | 'contain';
export type ImageQuarantineStrategy = 'both' | 'retag' | 'archive' | 'none';
export type InspectorSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNTRIAGED';

export interface SubscriptionConfig {
  /** Email address subscribed to the topic. */
  readonly email: string;
  /** Only findings at or above this GuardDuty severity (0-10) reach this address (SNS filter policy). */
  readonly minimumSeverity?: number;
}

export interface SlackConfig {
  readonly workspaceId: string;
  readonly channelId: string;
}

export interface ShieldRightConfig {
  /** `observe` plans and notifies only; `contain` acts. */
  readonly mode: ResponseMode;
  /** Lower bound on GuardDuty severity for the runtime rule; 0 sends every finding (Low ones are notified). */
  readonly minimumSeverity: number;
  /** Findings at or above this severity stop the task (High = 7). */
  readonly stopSeverity: number;
  /** Findings at or above this severity isolate the task in place where possible (Medium = 4). */
  readonly isolateSeverity: number;
  /** Tag key that, set to `true` on a task, service, cluster or repository, exempts it from action. */
  readonly exemptTagKey: string;
  /** Cluster names or ARNs never acted on (notify only). */
  readonly protectedClusters: readonly string[];
  readonly notificationEmails: readonly SubscriptionConfig[];
  readonly slack?: SlackConfig;
  readonly imageQuarantine: ImageQuarantineStrategy;
  /** Security groups that replace a container instance's groups for EC2 bridge/host isolation, per VPC id. */
  readonly quarantineVpcIds: readonly string[];
  readonly inspector: InspectorConfig;
  readonly blastRadius: BlastRadiusConfig;
  /** Reserved for multi-account response: the role assumed in member accounts. */
  readonly memberAccountRoleName?: string;
  /** Days an incident record is kept in the table before TTL removes it. */
  readonly incidentRetentionDays: number;
  /** Days evidence stays in S3 Standard before moving to Glacier Instant Retrieval. */
  readonly evidenceTransitionDays: number;
}

export interface InspectorConfig {
  /** Findings below this severity do not match the rule. */
  readonly minimumSeverity: InspectorSeverity;
  /** HIGH findings with an EPSS score at or above this are quarantined. */
  readonly epssThreshold: number;
  /** Stop running tasks that use a quarantined image (off by default: listed as exposure instead). */
  readonly stopRunningTasks: boolean;
  /** Release the quarantine when every finding that caused it is CLOSED. */
  readonly releaseOnClose: boolean;
  /** Repositories never quarantined (notify only). */
  readonly exemptRepositories: readonly string[];
}

export interface BlastRadiusConfig {
  readonly maxActionsPerCluster: number;
  readonly maxActionsPerAccount: number;
  readonly windowMinutes: number;
  /** Never stop a service's last N running tasks for a High (non-Critical) finding; 0 = off. */
  readonly minHealthyTasks: number;
}

export const DEFAULT_CONFIG: ShieldRightConfig = {
  mode: 'contain',
  minimumSeverity: 0,
  stopSeverity: 7,
  isolateSeverity: 4,
  exemptTagKey: 'shield-right:exempt',
  protectedClusters: [],
  notificationEmails: [],
  imageQuarantine: 'both',
  quarantineVpcIds: [],
  inspector: {
    minimumSeverity: 'HIGH',
    epssThreshold: 0.1,
    stopRunningTasks: false,
    releaseOnClose: false,
    exemptRepositories: [],
  },
  blastRadius: { maxActionsPerCluster: 10, maxActionsPerAccount: 50, windowMinutes: 60, minHealthyTasks: 0 },
  incidentRetentionDays: 365,
  evidenceTransitionDays: 30,
};

/** The CDK context key under which the configuration lives in cdk.json (`-c shield-right='{…}'` overrides it). */
export const CONTEXT_KEY = 'shield-right';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const INSPECTOR_SEVERITIES: readonly InspectorSeverity[] = [
  'CRITICAL',
  'HIGH',
  'MEDIUM',
  'LOW',
  'INFORMATIONAL',
  'UNTRIAGED',
];

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(key: string, expected: string, value: unknown): never {
  const path = key ? `${CONTEXT_KEY}.${key}` : CONTEXT_KEY;
  throw new ConfigError(`${path}: expected ${expected}, got ${JSON.stringify(value)}`);
}

function num(raw: Raw, key: string, path: string, fallback: number, min: number, max: number): number {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(path, `a number from ${min} to ${max}`, value);
  }
  return value;
}

function bool(raw: Raw, key: string, path: string, fallback: boolean): boolean {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(path, 'true or false', value);
  return value;
}

function str(raw: Raw, key: string, path: string, fallback: string): string {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) fail(path, 'a non-empty string', value);
  return value;
}

function oneOf<T extends string>(raw: Raw, key: string, path: string, fallback: T, allowed: readonly T[]): T {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(path, `one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

function strings(raw: Raw, key: string, path: string, fallback: readonly string[]): readonly string[] {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    fail(path, 'a list of non-empty strings', value);
  }
  return value as string[];
}

function section(raw: Raw, key: string, known: readonly string[]): Raw {
  const value = raw[key];
  if (value === undefined) return {};
  if (!isRecord(value)) fail(key, 'an object', value);
  // A typo in a nested key would silently switch a guard off: refuse it like a top-level one.
  for (const name of Object.keys(value)) {
    if (!known.includes(name)) throw new ConfigError(`${CONTEXT_KEY}.${key}.${name}: unknown setting`);
  }
  return value;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function subscriptions(raw: Raw): readonly SubscriptionConfig[] {
  const value = raw.notificationEmails;
  if (value === undefined) return DEFAULT_CONFIG.notificationEmails;
  if (!Array.isArray(value)) fail('notificationEmails', 'a list', value);
  return value.map((entry, i) => {
    const path = `notificationEmails[${i}]`;
    if (typeof entry === 'string') {
      if (!EMAIL.test(entry)) fail(path, 'an email address', entry);
      return { email: entry };
    }
    if (!isRecord(entry)) fail(path, 'an email address or { email, minimumSeverity }', entry);
    for (const name of Object.keys(entry)) {
      if (name !== 'email' && name !== 'minimumSeverity')
        throw new ConfigError(`${CONTEXT_KEY}.${path}.${name}: unknown setting`);
    }
    const email = str(entry, 'email', `${path}.email`, '');
    if (!EMAIL.test(email)) fail(`${path}.email`, 'an email address', entry.email);
    const minimumSeverity =
      entry.minimumSeverity === undefined
        ? undefined
        : num(entry, 'minimumSeverity', `${path}.minimumSeverity`, 0, 0, 10);
    return minimumSeverity === undefined ? { email } : { email, minimumSeverity };
  });
}

function slack(raw: Raw): SlackConfig | undefined {
  if (raw.slack === undefined) return undefined;
  const s = section(raw, 'slack', ['workspaceId', 'channelId']);
  const workspaceId = str(s, 'workspaceId', 'slack.workspaceId', '');
  const channelId = str(s, 'channelId', 'slack.channelId', '');
  if (!/^T[A-Z0-9]{5,}$/.test(workspaceId))
    fail('slack.workspaceId', 'a Slack workspace id (T…)', s.workspaceId);
  if (!/^[CG][A-Z0-9]{5,}$/.test(channelId)) fail('slack.channelId', 'a Slack channel id (C…)', s.channelId);
  return { workspaceId, channelId };
}

const KNOWN_KEYS = new Set<string>([...Object.keys(DEFAULT_CONFIG), 'slack', 'memberAccountRoleName']);

/** Validates a raw configuration (cdk.json context, a --config file) and fills in the defaults. */
export function parseConfig(input: unknown): ShieldRightConfig {
  if (input === undefined || input === null) return DEFAULT_CONFIG;
  const raw = typeof input === 'string' ? parseJson(input) : input;
  if (!isRecord(raw)) fail('', 'an object', raw);
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) throw new ConfigError(`${CONTEXT_KEY}.${key}: unknown setting`);
  }
  const d = DEFAULT_CONFIG;
  const insp = section(raw, 'inspector', Object.keys(d.inspector));
  const blast = section(raw, 'blastRadius', Object.keys(d.blastRadius));
  const stopSeverity = num(raw, 'stopSeverity', 'stopSeverity', d.stopSeverity, 0, 10);
  const isolateSeverity = num(raw, 'isolateSeverity', 'isolateSeverity', d.isolateSeverity, 0, 10);
  if (isolateSeverity > stopSeverity)
    fail('isolateSeverity', `at most stopSeverity (${stopSeverity})`, isolateSeverity);
  const memberAccountRoleName =
    raw.memberAccountRoleName === undefined
      ? undefined
      : str(raw, 'memberAccountRoleName', 'memberAccountRoleName', '');
  const slackConfig = slack(raw);
  return {
    mode: oneOf(raw, 'mode', 'mode', d.mode, ['observe', 'contain']),
    minimumSeverity: num(raw, 'minimumSeverity', 'minimumSeverity', d.minimumSeverity, 0, 10),
    stopSeverity,
    isolateSeverity,
    exemptTagKey: str(raw, 'exemptTagKey', 'exemptTagKey', d.exemptTagKey),
    protectedClusters: strings(raw, 'protectedClusters', 'protectedClusters', d.protectedClusters),
    notificationEmails: subscriptions(raw),
    ...(slackConfig ? { slack: slackConfig } : {}),
    imageQuarantine: oneOf(raw, 'imageQuarantine', 'imageQuarantine', d.imageQuarantine, [
      'both',
      'retag',
      'archive',
      'none',
    ]),
    quarantineVpcIds: strings(raw, 'quarantineVpcIds', 'quarantineVpcIds', d.quarantineVpcIds),
    inspector: {
      minimumSeverity: oneOf(
        insp,
        'minimumSeverity',
        'inspector.minimumSeverity',
        d.inspector.minimumSeverity,
        INSPECTOR_SEVERITIES,
      ),
      epssThreshold: num(insp, 'epssThreshold', 'inspector.epssThreshold', d.inspector.epssThreshold, 0, 1),
      stopRunningTasks: bool(
        insp,
        'stopRunningTasks',
        'inspector.stopRunningTasks',
        d.inspector.stopRunningTasks,
      ),
      releaseOnClose: bool(insp, 'releaseOnClose', 'inspector.releaseOnClose', d.inspector.releaseOnClose),
      exemptRepositories: strings(
        insp,
        'exemptRepositories',
        'inspector.exemptRepositories',
        d.inspector.exemptRepositories,
      ),
    },
    blastRadius: {
      maxActionsPerCluster: num(
        blast,
        'maxActionsPerCluster',
        'blastRadius.maxActionsPerCluster',
        d.blastRadius.maxActionsPerCluster,
        1,
        100_000,
      ),
      maxActionsPerAccount: num(
        blast,
        'maxActionsPerAccount',
        'blastRadius.maxActionsPerAccount',
        d.blastRadius.maxActionsPerAccount,
        1,
        1_000_000,
      ),
      windowMinutes: num(
        blast,
        'windowMinutes',
        'blastRadius.windowMinutes',
        d.blastRadius.windowMinutes,
        1,
        7 * 24 * 60,
      ),
      minHealthyTasks: num(
        blast,
        'minHealthyTasks',
        'blastRadius.minHealthyTasks',
        d.blastRadius.minHealthyTasks,
        0,
        1000,
      ),
    },
    ...(memberAccountRoleName ? { memberAccountRoleName } : {}),
    incidentRetentionDays: num(
      raw,
      'incidentRetentionDays',
      'incidentRetentionDays',
      d.incidentRetentionDays,
      1,
      3650,
    ),
    evidenceTransitionDays: num(
      raw,
      'evidenceTransitionDays',
      'evidenceTransitionDays',
      d.evidenceTransitionDays,
      1,
      3650,
    ),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${CONTEXT_KEY}: not valid JSON (${(err as Error).message})`);
  }
}

/** Inspector severities from most to least severe; the rule matches the floor and everything above it. */
export function inspectorSeveritiesAtOrAbove(floor: InspectorSeverity): InspectorSeverity[] {
  const ranked: InspectorSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];
  const index = ranked.indexOf(floor);
  return index < 0 ? [...ranked, 'UNTRIAGED'] : ranked.slice(0, index + 1);
}

/**
 * The response policy settings the Lambdas need, as environment variables. The CDK construct sets them
 * and the offline engine sets the same ones, so both run the same decision.
 */
export function policyEnvironment(config: ShieldRightConfig): Record<string, string> {
  return {
    SHIELD_RIGHT_POLICY: JSON.stringify({
      mode: config.mode,
      stopSeverity: config.stopSeverity,
      isolateSeverity: config.isolateSeverity,
      exemptTagKey: config.exemptTagKey,
      protectedClusters: config.protectedClusters,
      imageQuarantine: config.imageQuarantine,
      inspector: config.inspector,
      blastRadius: config.blastRadius,
      incidentRetentionDays: config.incidentRetentionDays,
    }),
  };
}
