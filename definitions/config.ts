/**
 * The one typed configuration of shield-right, shared by the CDK app, the Lambda handlers
 * (through environment variables), the offline engine and the CLI. No AWS or CDK imports here.
 */
import * as v from 'valibot';
import {
  DEFAULT_SIGNING,
  SHA256_FINGERPRINT,
  SIGNING_PROFILE_ARN,
  type SigningConfig,
} from './signing-config';

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
  /**
   * Tag key that, set to `true` on a service, cluster or repository, exempts it from action; on a task only
   * with `exemptTaskTagGuarded` (anyone who runs or tags a task can set its tags).
   */
  readonly exemptTagKey: string;
  /** Cluster names or ARNs never acted on (notify only), nor any image they run quarantined. */
  readonly protectedClusters: readonly string[];
  /** Services (`name`, `cluster/name` or ARN) never acted on, nor any image they run quarantined. */
  readonly protectedServices: readonly string[];
  /**
   * Declares that an IAM/SCP guard (README) keeps the exemption tag key off tasks for everyone but the
   * operators: only then does a task-level exemption tag count.
   */
  readonly exemptTaskTagGuarded: boolean;
  readonly notificationEmails: readonly SubscriptionConfig[];
  readonly slack?: SlackConfig;
  readonly imageQuarantine: ImageQuarantineStrategy;
  /** Security groups that replace a container instance's groups for EC2 bridge/host isolation, per VPC id. */
  readonly quarantineVpcIds: readonly string[];
  readonly inspector: InspectorConfig;
  readonly blastRadius: BlastRadiusConfig;
  /**
   * Organization-wide response: the role (ShieldRightMemberRole) assumed in member accounts. Unset, findings
   * about other accounts are refused with a notification saying why.
   */
  readonly memberAccountRoleName?: string;
  /** Member accounts acted in (with memberAccountRoleName): `all` or a list of account ids. */
  readonly accounts: 'all' | readonly string[];
  /** Accounts never acted in (notify only is not possible there: their findings are refused, and say why). */
  readonly protectedAccounts: readonly string[];
  /**
   * The Regions shield-right is deployed in (one deployment each: findings, StopTask's Credentials.RoleArn
   * and the acting roles are Regional). A finding from another Region than the deployment's is refused,
   * saying where shield-right runs; the member template trusts the central roles of each. Empty: the
   * deployment's own Region only.
   */
  readonly regions: readonly string[];
  /** Names shown next to account ids in notifications and evidence (`{"222233334444": "payments-prod"}`). */
  readonly accountNames: Readonly<Record<string, string>>;
  /** Days an incident record is kept in the table before TTL removes it. */
  readonly incidentRetentionDays: number;
  /** Days evidence stays in S3 Standard before moving to Glacier Instant Retrieval. */
  readonly evidenceTransitionDays: number;
  readonly reconcile: ReconcileConfig;
  /** Signed images only: AWS Signer verification at task start (definitions/signing-config.ts). */
  readonly signing: SigningConfig;
  /**
   * Concurrent executions reserved for shield-right's functions in total, split among them in the
   * proportions of definitions/functions.ts (definitions/concurrency.ts); 0 reserves none.
   */
  readonly reservedConcurrency: number;
  /**
   * `on`: after each response, the Security Hub (CSPM, ASFF) copy of the GuardDuty or Inspector finding gets
   * a note and its workflow status (README "Security Hub"); `off` (default): no Security Hub call at all.
   */
  readonly securityHub: SecurityHubMode;
}

export type SecurityHubMode = 'off' | 'on';

/**
 * Whether the workflows update Security Hub: `securityHub` on and `mode` contain. `BatchUpdateFindings`
 * changes the finding (workflow status, note), and observe mode makes no mutating call, so observe is
 * `off` here: the workflows' `IsSecurityHubOn` choice skips the step and no Security Hub permission is granted.
 */
export function securityHubUpdates(config: Pick<ShieldRightConfig, 'mode' | 'securityHub'>): SecurityHubMode {
  return config.mode === 'observe' ? 'off' : config.securityHub;
}

/** The scheduled sweep for findings whose EventBridge event never arrived (delivery is best effort). */
export interface ReconcileConfig {
  /** Minutes between sweeps; 0 turns the schedule off (the function stays, for `shield-right reconcile`). */
  readonly everyMinutes: number;
  /** Upper bound on list pages read per source and sweep; a truncated sweep says so. */
  readonly pageBudget: number;
}

export interface InspectorConfig {
  /** Findings below this severity do not match the rule. */
  readonly minimumSeverity: InspectorSeverity;
  /** HIGH findings with an EPSS score at or above this are quarantined. */
  readonly epssThreshold: number;
  /** Stop running tasks that use a quarantined image (off by default: listed as exposure instead). */
  readonly stopRunningTasks: boolean;
  /** Repositories never quarantined (notify only). */
  readonly exemptRepositories: readonly string[];
}

/** One severity band's blast-radius budget, per sliding window. */
export interface BandBudget {
  readonly perCluster: number;
  readonly perAccount: number;
  /** Every account of the deployment together (organization mode; one account alone never reaches it by default). */
  readonly perOrganization: number;
}

export const BUDGET_BANDS = ['medium', 'high', 'critical'] as const;
export type BudgetBand = (typeof BUDGET_BANDS)[number];

/** The largest budget a counter holds: its item keeps one stamp per action allowed in the window. */
export const MAX_BUDGET = 10_000;

export interface BlastRadiusConfig {
  /** Each severity band's budget per cluster unless `severityBudgets` says otherwise. */
  readonly maxActionsPerCluster: number;
  /** Each severity band's budget per account unless `severityBudgets` says otherwise. */
  readonly maxActionsPerAccount: number;
  /**
   * Each severity band's budget for all accounts together (the deployment's own and every member account),
   * taken in the same claim as the cluster's and the account's. Unset: twice the band's per-account budget,
   * so one account alone never reaches it and a flood across the organization stops at two accounts' worth.
   */
  readonly maxActionsPerOrganization?: number;
  /** The sliding window of every budget and of the "limit reached" notices. */
  readonly windowMinutes: number;
  /**
   * Separate budgets per severity band (Medium, High, Critical): one band running out never holds back
   * another, and every band is bounded. A band left out has maxActionsPerCluster / maxActionsPerAccount.
   */
  readonly severityBudgets?: Readonly<Partial<Record<BudgetBand, Partial<BandBudget>>>>;
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
  protectedServices: [],
  exemptTaskTagGuarded: false,
  notificationEmails: [],
  imageQuarantine: 'both',
  quarantineVpcIds: [],
  inspector: {
    minimumSeverity: 'HIGH',
    epssThreshold: 0.1,
    stopRunningTasks: false,
    exemptRepositories: [],
  },
  blastRadius: { maxActionsPerCluster: 10, maxActionsPerAccount: 50, windowMinutes: 60, minHealthyTasks: 0 },
  accounts: 'all',
  protectedAccounts: [],
  regions: [],
  accountNames: {},
  incidentRetentionDays: 365,
  evidenceTransitionDays: 30,
  reconcile: { everyMinutes: 60, pageBudget: 20 },
  signing: DEFAULT_SIGNING,
  // Lambda keeps 100 of an account's concurrency unreserved: reserving by default would refuse every
  // account whose quota is below 100 plus the reservation.
  reservedConcurrency: 0,
  securityHub: 'off',
};

/** The CDK context key under which the configuration lives in cdk.json (`-c shield-right='{…}'` overrides it). */
export const CONTEXT_KEY = 'shield-right';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Inspector's severity labels, most severe first. */
export const INSPECTOR_SEVERITIES: readonly InspectorSeverity[] = [
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

/** `expected …, got <the value>`: the message of every wrong value. */
const expected =
  (what: string) =>
  (issue: { readonly input: unknown }): string =>
    `expected ${what}, got ${JSON.stringify(issue.input)}`;
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

const number = (min: number, max: number) => {
  const message = expected(`a number from ${min} to ${max}`);
  return v.pipe(v.number(message), v.finite(message), v.minValue(min, message), v.maxValue(max, message));
};
const text = v.pipe(v.string(expected('a non-empty string')), v.minLength(1, expected('a non-empty string')));
const flag = v.boolean(expected('true or false'));
const oneOf = <const T extends string>(allowed: readonly T[]) =>
  v.picklist(allowed, expected(`one of ${allowed.join(', ')}`));
// The whole list is named in the message, as an operator wrote it.
const strings = v.pipe(
  v.array(v.unknown(), expected('a list of non-empty strings')),
  v.check((list) => list.every(nonEmpty), expected('a list of non-empty strings')),
  v.transform((list) => list.filter(nonEmpty)),
);
/** A value that must match a pattern even when absent (an absent one is checked as ''). */
const matching = (pattern: RegExp, what: string) =>
  v.pipe(
    v.optional(v.unknown(), ''),
    v.check((value) => typeof value === 'string' && pattern.test(value), expected(what)),
    v.transform((value) => String(value)),
  );

const accountId = v.pipe(
  v.string(expected('a 12-digit account id')),
  v.regex(/^\d{12}$/, expected('a 12-digit account id')),
);

/** An object with only the given settings: a typo in a key would silently switch a guard off. */
const settings = <E extends v.ObjectEntries>(entries: E) =>
  v.pipe(
    v.custom<Raw>(isRecord, expected('an object')),
    v.strictObject(entries, (issue) =>
      issue.expected === 'never' ? 'unknown setting' : expected('an object')(issue),
    ),
  );

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const EmailSchema = v.pipe(
  v.string(),
  v.regex(EMAIL, expected('an email address')),
  v.transform((email): SubscriptionConfig => ({ email })),
);
const SubscriptionObjectSchema = settings({
  email: matching(EMAIL, 'an email address'),
  minimumSeverity: v.optional(number(0, 10)),
});
/** An address, or `{ email, minimumSeverity }` for an SNS filter policy of its own. */
const SubscriptionSchema = v.lazy((input) =>
  typeof input === 'string'
    ? EmailSchema
    : isRecord(input)
      ? SubscriptionObjectSchema
      : v.never(expected('an email address or { email, minimumSeverity }')),
);

const d = DEFAULT_CONFIG;

/** A budget is a whole number of actions: its counter holds one stamp per action (see MAX_BUDGET). */
const budget = v.pipe(
  number(1, MAX_BUDGET),
  v.integer(expected(`a whole number of actions from 1 to ${MAX_BUDGET}`)),
);
const bandBudget = settings({
  perCluster: v.optional(budget),
  perAccount: v.optional(budget),
  perOrganization: v.optional(budget),
});

/** A band's budget: its own setting, or the blast radius's per-cluster, per-account and organization limits. */
export function budgetOf(blastRadius: BlastRadiusConfig, band: BudgetBand): BandBudget {
  const own = blastRadius.severityBudgets?.[band];
  const perAccount = own?.perAccount ?? blastRadius.maxActionsPerAccount;
  return {
    perCluster: own?.perCluster ?? blastRadius.maxActionsPerCluster,
    perAccount,
    perOrganization:
      own?.perOrganization ?? blastRadius.maxActionsPerOrganization ?? Math.min(MAX_BUDGET, 2 * perAccount),
  };
}

const ConfigSchema = settings({
  mode: v.optional(oneOf(['observe', 'contain']), d.mode),
  minimumSeverity: v.optional(number(0, 10), d.minimumSeverity),
  stopSeverity: v.optional(number(0, 10), d.stopSeverity),
  isolateSeverity: v.optional(number(0, 10), d.isolateSeverity),
  exemptTagKey: v.optional(text, d.exemptTagKey),
  protectedClusters: v.optional(strings, () => []),
  protectedServices: v.optional(strings, () => []),
  exemptTaskTagGuarded: v.optional(flag, d.exemptTaskTagGuarded),
  notificationEmails: v.optional(v.array(SubscriptionSchema, expected('a list')), () => []),
  slack: v.optional(
    settings({
      workspaceId: matching(/^T[A-Z0-9]{5,}$/, 'a Slack workspace id (T…)'),
      channelId: matching(/^[CG][A-Z0-9]{5,}$/, 'a Slack channel id (C…)'),
    }),
  ),
  imageQuarantine: v.optional(oneOf(['both', 'retag', 'archive', 'none']), d.imageQuarantine),
  quarantineVpcIds: v.optional(strings, () => []),
  inspector: v.optional(
    settings({
      minimumSeverity: v.optional(oneOf(INSPECTOR_SEVERITIES), d.inspector.minimumSeverity),
      epssThreshold: v.optional(number(0, 1), d.inspector.epssThreshold),
      stopRunningTasks: v.optional(flag, d.inspector.stopRunningTasks),
      exemptRepositories: v.optional(strings, () => []),
    }),
    {},
  ),
  blastRadius: v.optional(
    settings({
      maxActionsPerCluster: v.optional(budget, d.blastRadius.maxActionsPerCluster),
      maxActionsPerAccount: v.optional(budget, d.blastRadius.maxActionsPerAccount),
      maxActionsPerOrganization: v.optional(budget),
      severityBudgets: v.optional(
        settings({
          medium: v.optional(bandBudget),
          high: v.optional(bandBudget),
          critical: v.optional(bandBudget),
        }),
      ),
      windowMinutes: v.optional(number(1, 7 * 24 * 60), d.blastRadius.windowMinutes),
      minHealthyTasks: v.optional(number(0, 1000), d.blastRadius.minHealthyTasks),
    }),
    {},
  ),
  memberAccountRoleName: v.optional(
    v.pipe(
      text,
      v.regex(/^[\w+=,.@-]{1,64}$/, expected('an IAM role name (1-64 of letters, digits and +=,.@_-)')),
    ),
  ),
  accounts: v.optional(
    v.union([v.literal('all'), v.array(accountId)], expected('"all" or a list of 12-digit account ids')),
    'all',
  ),
  protectedAccounts: v.optional(v.array(accountId, expected('a list of 12-digit account ids')), () => []),
  regions: v.optional(
    v.array(
      v.pipe(v.string(), v.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, expected('a Region name like us-east-1'))),
      expected('a list of Region names'),
    ),
    () => [],
  ),
  accountNames: v.optional(
    v.record(
      accountId,
      v.pipe(text, v.maxLength(64, expected('a name of at most 64 characters'))),
      expected('an object of 12-digit account ids to names'),
    ),
    () => ({}),
  ),
  incidentRetentionDays: v.optional(number(1, 3650), d.incidentRetentionDays),
  evidenceTransitionDays: v.optional(number(1, 3650), d.evidenceTransitionDays),
  reconcile: v.optional(
    settings({
      // 0 is off; otherwise a whole number of minutes up to a day (an EventBridge rate expression).
      everyMinutes: v.optional(
        v.pipe(number(0, 1440), v.integer(expected('a whole number of minutes from 0 to 1440'))),
        d.reconcile.everyMinutes,
      ),
      pageBudget: v.optional(
        v.pipe(number(1, 1000), v.integer(expected('a whole number from 1 to 1000'))),
        d.reconcile.pageBudget,
      ),
    }),
    {},
  ),
  signing: v.optional(
    settings({
      mode: v.optional(oneOf(['off', 'observe', 'enforce']), d.signing.mode),
      trustedProfiles: v.optional(
        v.pipe(
          strings,
          v.check(
            (list) => list.every((arn) => SIGNING_PROFILE_ARN.test(arn)),
            expected('a list of Signer signing profile ARNs'),
          ),
        ),
        () => [],
      ),
      verification: v.optional(oneOf(['managed', 'notation', 'both']), d.signing.verification),
      allowUnsignedRepositories: v.optional(strings, () => []),
      allowRegistries: v.optional(strings, () => []),
      cacheMinutes: v.optional(number(1, 1440), d.signing.cacheMinutes),
      revokeOnQuarantine: v.optional(flag, d.signing.revokeOnQuarantine),
      trustedRootCertificates: v.optional(strings, () => []),
      trustedRootFingerprints: v.optional(
        v.pipe(
          strings,
          v.check(
            (list) => list.every((f) => SHA256_FINGERPRINT.test(f)),
            expected('a list of SHA-256 fingerprints (64 hex digits)'),
          ),
        ),
        () => [],
      ),
    }),
    {},
  ),
  reservedConcurrency: v.optional(
    v.pipe(number(0, 100_000), v.integer(expected('a whole number from 0 to 100000'))),
    d.reservedConcurrency,
  ),
  securityHub: v.optional(oneOf(['off', 'on']), d.securityHub),
});

/** `shield-right.notificationEmails[0].email`: where in the configuration an issue is. */
function pathOf(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).reduce(
    (path, item) => (typeof item.key === 'number' ? `${path}[${item.key}]` : `${path}.${String(item.key)}`),
    CONTEXT_KEY,
  );
}

/**
 * Settings that once existed, refused with the reason rather than as "unknown setting", so that nobody
 * believes they are still in force.
 */
const REMOVED_SETTINGS: readonly {
  readonly section: 'inspector';
  readonly key: string;
  readonly why: string;
}[] = [
  {
    section: 'inspector',
    key: 'releaseOnClose',
    why:
      'removed: a CLOSED Inspector finding is not a fix. Inspector closes the findings of an image it no ' +
      'longer scans (archived, or not pushed or pulled within the re-scan duration), and a digest never ' +
      'changes, so a quarantined digest is never proven fixed by its own findings. Delete the setting; ' +
      'lift a quarantine with `shield-right release INCIDENT_ID`',
  },
];

function refuseRemovedSettings(raw: Raw): void {
  for (const { section, key, why } of REMOVED_SETTINGS) {
    const settingsSection = raw[section];
    if (isRecord(settingsSection) && key in settingsSection) {
      throw new ConfigError(`${CONTEXT_KEY}.${section}.${key}: ${why}`);
    }
  }
}

/** Validates a raw configuration (cdk.json context, a --config file) and fills in the defaults. */
export function parseConfig(input: unknown): ShieldRightConfig {
  if (input === undefined || input === null) return DEFAULT_CONFIG;
  const raw = typeof input === 'string' ? parseJson(input) : input;
  if (!isRecord(raw)) throw new ConfigError(`${CONTEXT_KEY}: ${expected('an object')({ input: raw })}`);
  refuseRemovedSettings(raw);
  const result = v.safeParse(ConfigSchema, raw, { abortEarly: true });
  if (!result.success) {
    const [issue] = result.issues;
    throw new ConfigError(`${pathOf(issue)}: ${issue.message}`);
  }
  const { slack, memberAccountRoleName, ...config } = result.output;
  if (config.signing.mode !== 'off' && config.signing.trustedProfiles.length === 0) {
    throw new ConfigError(
      `${CONTEXT_KEY}.signing.trustedProfiles: expected at least one signing profile ARN when signing.mode is ${config.signing.mode}`,
    );
  }
  if (config.signing.revokeOnQuarantine && config.signing.trustedProfiles.length === 0) {
    throw new ConfigError(
      `${CONTEXT_KEY}.signing.trustedProfiles: expected at least one signing profile ARN when signing.revokeOnQuarantine is true (only jobs of trusted profiles are revoked)`,
    );
  }
  if (config.isolateSeverity > config.stopSeverity) {
    throw new ConfigError(
      `${CONTEXT_KEY}.isolateSeverity: expected at most stopSeverity (${config.stopSeverity}), got ${config.isolateSeverity}`,
    );
  }
  return {
    mode: config.mode,
    minimumSeverity: config.minimumSeverity,
    stopSeverity: config.stopSeverity,
    isolateSeverity: config.isolateSeverity,
    exemptTagKey: config.exemptTagKey,
    protectedClusters: config.protectedClusters,
    protectedServices: config.protectedServices,
    exemptTaskTagGuarded: config.exemptTaskTagGuarded,
    notificationEmails: config.notificationEmails,
    ...(slack ? { slack } : {}),
    imageQuarantine: config.imageQuarantine,
    quarantineVpcIds: config.quarantineVpcIds,
    inspector: config.inspector,
    blastRadius: config.blastRadius,
    ...(memberAccountRoleName ? { memberAccountRoleName } : {}),
    accounts: config.accounts,
    protectedAccounts: config.protectedAccounts,
    regions: config.regions,
    accountNames: config.accountNames,
    incidentRetentionDays: config.incidentRetentionDays,
    evidenceTransitionDays: config.evidenceTransitionDays,
    reconcile: config.reconcile,
    signing: config.signing,
    reservedConcurrency: config.reservedConcurrency,
    securityHub: config.securityHub,
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
      protectedServices: config.protectedServices,
      exemptTaskTagGuarded: config.exemptTaskTagGuarded,
      imageQuarantine: config.imageQuarantine,
      inspector: config.inspector,
      blastRadius: config.blastRadius,
      incidentRetentionDays: config.incidentRetentionDays,
      // The reconciliation sweep reads the GuardDuty floor and its own settings from here too.
      minimumSeverity: config.minimumSeverity,
      reconcile: config.reconcile,
      ...(config.memberAccountRoleName ? { memberAccountRoleName: config.memberAccountRoleName } : {}),
      accounts: config.accounts,
      protectedAccounts: config.protectedAccounts,
      regions: config.regions,
      accountNames: config.accountNames,
      signing: config.signing,
    }),
  };
}
