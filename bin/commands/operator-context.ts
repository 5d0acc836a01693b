/**
 * What the operator commands share: finding the deployment (the stack's CloudFormation outputs, or a
 * sandbox saved by `simulate --state DIR`), the SDK clients, progress on a terminal, execution names,
 * and AWS errors turned into a sentence an operator can act on.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { Inspector2Client } from '@aws-sdk/client-inspector2';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import type { WorkflowName } from '../../definitions/functions';
import type { Simulator } from '../../local/engine';
import { attachSandbox, runInSandbox } from '../../local/sandbox/transport';
import type { ServiceName } from '../../local/sandbox/types';
import { hasSavedSandbox, saveSandbox } from '../../local/sandbox-store';
import { shown, UsageError } from '../cli-support';
import { openSavedSandbox } from '../saved-sandbox';

export interface Writer {
  write(text: string): unknown;
}

export interface Io {
  readonly stdout: Writer;
  readonly stderr: Writer & { readonly isTTY?: boolean };
}

export const processIo: Io = { stdout: process.stdout, stderr: process.stderr };

export interface OperatorClients {
  readonly sfn: SFNClient;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  readonly ecr: ECRClient;
  readonly guardduty: GuardDutyClient;
  readonly inspector2: Inspector2Client;
  readonly securityhub: SecurityHubClient;
}

/** Injection points for tests; the real clients and clock otherwise. */
export interface OperatorDeps {
  readonly clients?: Partial<OperatorClients>;
  readonly cloudformation?: CloudFormationClient;
  readonly now?: () => number;
}

export interface Deployment {
  readonly stackName?: string;
  readonly stateMachines: Readonly<Record<WorkflowName, string>>;
  readonly table: string;
  readonly bucket: string;
  readonly topicArn: string;
  readonly region: string;
}

/** A refusal or a failure the operator should read, not a stack trace: printed, exit code 1. */
export class OperatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OperatorError';
  }
}

export const DEFAULT_STACK = 'ShieldRight';

// The stack's output ids: OUTPUT_IDS in cdk/shield-right.ts (not imported, to keep the CDK out of the CLI's load).
export const STACK_OUTPUTS = {
  RuntimeThreatResponse: 'RuntimeThreatResponseArn',
  VulnerableImageResponse: 'VulnerableImageResponseArn',
  ImagePushCheck: 'ImagePushCheckArn',
  ImageTrustResponse: 'ImageTrustResponseArn',
  IncidentTable: 'IncidentTableName',
  EvidenceBucket: 'EvidenceBucketName',
  Topic: 'TopicArn',
} as const;

export const OPERATOR_OPTIONS = {
  sandbox: { type: 'string' },
  'stack-name': { type: 'string' },
} as const;

export const OPERATOR_HELP = `Deployment:
  --stack-name NAME      the shield-right stack (default ${DEFAULT_STACK}); AWS_PROFILE and AWS_REGION apply
  --sandbox DIR          work on the offline sandbox saved by \`shield-right simulate --state DIR\``;

// ---------------------------------------------------------------------------------------------------------
// Errors: which action failed, in words.

const failedAction = new WeakMap<object, string>();

/** The IAM action (`states:StartExecution`) whose call raised `err`, when the client was instrumented. */
export function actionOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? failedAction.get(err) : undefined;
}

const instrumented = new WeakSet<object>();

/** Remembers, for every error a client's call raises, the IAM action it was: access denied names it. */
export function nameActions(client: object, prefix: string): void {
  if (instrumented.has(client)) return;
  instrumented.add(client);
  const target = client as { send: (command: object, ...rest: unknown[]) => Promise<unknown> };
  const send = target.send.bind(client);
  target.send = async (command: object, ...rest: unknown[]) => {
    try {
      return await send(command, ...rest);
    } catch (err) {
      if (typeof err === 'object' && err !== null && !failedAction.has(err)) {
        failedAction.set(err, `${prefix}:${command.constructor.name.replace(/Command$/, '')}`);
      }
      throw err;
    }
  };
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnauthorizedException',
]);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
const REJECTED = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidAccessKeyId']);

function isAwsError(err: Error): boolean {
  return '$metadata' in err || '$fault' in err;
}

/** An operator-readable sentence for an AWS or credential error, or undefined for anything else. */
export function explainAwsError(err: unknown, stackName = DEFAULT_STACK): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const action = actionOf(err);
  const { name, message } = err;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return `no AWS credentials found (${message}): set AWS_PROFILE (and run \`aws sso login\` for SSO profiles) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; or work offline with --sandbox DIR`;
  }
  if (/Region is missing/i.test(message))
    return 'no AWS region: set AWS_REGION or a region in your AWS profile';
  if (name === 'ValidationError' && /does not exist/i.test(message)) {
    return `stack ${stackName} does not exist in this account and region (${message}): pass --stack-name, or set AWS_REGION/AWS_PROFILE to where it is deployed`;
  }
  if (ACCESS_DENIED.has(name)) {
    return `access denied${action ? ` for ${action}` : ''}: ${message}. Your role needs ${action ?? 'this permission'} on the shield-right resources.`;
  }
  if (EXPIRED.has(name)) return `your AWS credentials have expired (${message}): refresh them and retry`;
  if (REJECTED.has(name)) return `AWS rejected your credentials (${name}): ${message}`;
  if (isAwsError(err)) return `${action ?? 'AWS call'} failed: ${name}: ${message}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Progress: on a terminal only, on stderr, so piped output stays clean.

export class Progress {
  private shown = false;
  constructor(private readonly stream: Io['stderr']) {}

  update(text: string): void {
    if (this.stream.isTTY !== true) return;
    this.stream.write(`\r\x1b[K${text.slice(0, 120)}`);
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Names and times.

export const EXECUTION_NAME_MAX = 80;
/** Execution names the CLI makes keep to what CloudWatch Logs accepts: ASCII letters, digits, `-`, `_`. */
export const EXECUTION_NAME = /^[0-9A-Za-z_-]{1,80}$/;
const TIMESTAMP_SUFFIX = /-(respond|rerun)-\d{8}T\d{9}Z$/;

/** `20261128T100140123Z`: sortable, unique to the millisecond, only name-safe characters. */
export function compactTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

/** `<base>-<label>-<timestamp>`, the base cut so the whole name fits in 80 characters. */
export function executionName(base: string, label: 'respond' | 'rerun', now: number): string {
  const suffix = `-${label}-${compactTimestamp(now)}`;
  const clean = base.replace(/[^0-9A-Za-z_-]/g, '').replace(/^[-_]+/, '') || 'finding';
  return `${clean.slice(0, EXECUTION_NAME_MAX - suffix.length)}${suffix}`;
}

/** A re-run's name: the original name without an earlier `-rerun-<timestamp>`, so names do not pile up. */
export function rerunName(original: string, now: number): string {
  const base = original.replace(TIMESTAMP_SUFFIX, (m) => (m.startsWith('-rerun-') ? '' : m));
  return executionName(base, 'rerun', now);
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`: a duration back from now (`30m`, `24h`, `7d`, `2w`) or an ISO 8601 date. */
export function parseSince(text: string, now: number): number {
  const m = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  if (m) return now - Number(m[1]) * (UNITS[m[2] ?? 'h'] ?? 0);
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new UsageError(`--since takes a duration (30m, 24h, 7d, 2w) or an ISO date, got ${shown(text)}`);
  }
  return at;
}

/** Region and account of an ARN. */
export function arnParts(arn: string): { region: string; account: string } | undefined {
  const m = /^arn:[^:]+:[^:]+:([^:]*):(\d{12}):/.exec(arn);
  return m ? { region: m[1] ?? '', account: m[2] ?? '' } : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// The context: live AWS or a saved sandbox.

const IAM_PREFIX: Record<keyof OperatorClients, string> = {
  sfn: 'states',
  dynamodb: 'dynamodb',
  s3: 's3',
  sns: 'sns',
  ecs: 'ecs',
  ec2: 'ec2',
  ecr: 'ecr',
  guardduty: 'guardduty',
  inspector2: 'inspector2',
  securityhub: 'securityhub',
};
const SANDBOX_SERVICE: Record<keyof OperatorClients, ServiceName> = {
  ...IAM_PREFIX,
  sfn: 'states',
} as Record<keyof OperatorClients, ServiceName>;

function newClients(config: { region?: string }, given: Partial<OperatorClients> = {}): OperatorClients {
  const clients: OperatorClients = {
    sfn: given.sfn ?? new SFNClient(config),
    dynamodb: given.dynamodb ?? new DynamoDBClient(config),
    s3: given.s3 ?? new S3Client(config),
    sns: given.sns ?? new SNSClient(config),
    ecs: given.ecs ?? new ECSClient(config),
    ec2: given.ec2 ?? new EC2Client(config),
    ecr: given.ecr ?? new ECRClient(config),
    guardduty: given.guardduty ?? new GuardDutyClient(config),
    inspector2: given.inspector2 ?? new Inspector2Client(config),
    securityhub: given.securityhub ?? new SecurityHubClient(config),
  };
  for (const [key, client] of Object.entries(clients))
    nameActions(client, IAM_PREFIX[key as keyof OperatorClients]);
  return clients;
}

/** The stack's outputs name the state machines, the table, the bucket and the topic. */
export async function discoverDeployment(cfn: CloudFormationClient, stackName: string): Promise<Deployment> {
  const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const stack = out.Stacks?.[0];
  if (!stack) throw new OperatorError(`stack ${stackName} was not found`);
  const outputs = new Map((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  // ImageTrustResponseArn is optional: stacks deployed before the image trust workflow lack it, and no
  // operator command needs it yet (it is listed as '' then).
  const missing = Object.values(STACK_OUTPUTS).filter(
    (k) => k !== STACK_OUTPUTS.ImageTrustResponse && !outputs.get(k),
  );
  if (missing.length > 0) {
    throw new OperatorError(
      `stack ${stackName} has no output ${missing.join(', ')}: is it a shield-right stack, deployed by this version?`,
    );
  }
  const get = (key: string): string => outputs.get(key) ?? '';
  const runtime = get(STACK_OUTPUTS.RuntimeThreatResponse);
  return {
    stackName,
    stateMachines: {
      RuntimeThreatResponse: runtime,
      VulnerableImageResponse: get(STACK_OUTPUTS.VulnerableImageResponse),
      ImagePushCheck: get(STACK_OUTPUTS.ImagePushCheck),
      ImageTrustResponse: get(STACK_OUTPUTS.ImageTrustResponse),
    },
    table: get(STACK_OUTPUTS.IncidentTable),
    bucket: get(STACK_OUTPUTS.EvidenceBucket),
    topicArn: get(STACK_OUTPUTS.Topic),
    region: arnParts(runtime)?.region || (await cfn.config.region()),
  };
}

export interface SandboxHandle {
  readonly dir: string;
  readonly simulator: Simulator;
}

export interface OperatorContext {
  readonly clients: OperatorClients;
  readonly deployment: Deployment;
  readonly sandbox?: SandboxHandle;
  readonly progress: Progress;
  readonly now: () => number;
  out(text: string): void;
  err(text: string): void;
}

function openSandboxHandle(dir: string): SandboxHandle {
  if (!hasSavedSandbox(dir)) {
    throw new UsageError(
      `no sandbox saved in ${dir}: create one with shield-right simulate --state ${dir} EVENT.json`,
    );
  }
  const simulator = openSavedSandbox(dir);
  // The workflows the sandbox runs call the same handlers, which read the deployed environment.
  Object.assign(process.env, simulator.environment());
  return { dir, simulator };
}

/**
 * Opens the deployment (stack or sandbox), runs `fn` against it, and turns refusals and AWS errors into a
 * message and exit code 1. A mutating command saves the sandbox back, even after a partial failure: what
 * was changed stays changed, as in AWS.
 */
export async function withOperator(
  options: { sandbox?: string | undefined; 'stack-name'?: string | undefined },
  io: Io,
  deps: OperatorDeps,
  mutating: boolean,
  fn: (ctx: OperatorContext) => Promise<number>,
): Promise<number> {
  const stackName = options['stack-name'] ?? DEFAULT_STACK;
  const progress = new Progress(io.stderr);
  const now = deps.now ?? Date.now;
  const sandbox = options.sandbox ? openSandboxHandle(options.sandbox) : undefined;
  const base = {
    progress,
    now,
    out: (text: string) => {
      progress.clear();
      io.stdout.write(`${text}\n`);
    },
    err: (text: string) => {
      progress.clear();
      io.stderr.write(`${text}\n`);
    },
  };
  try {
    if (sandbox) {
      const { simulator } = sandbox;
      const region = simulator.account.region;
      const clients = newClients({ region });
      for (const [key, client] of Object.entries(clients))
        attachSandbox(client, SANDBOX_SERVICE[key as keyof OperatorClients]);
      const deployment: Deployment = {
        stateMachines: {
          RuntimeThreatResponse: simulator.stateMachineArn('RuntimeThreatResponse'),
          VulnerableImageResponse: simulator.stateMachineArn('VulnerableImageResponse'),
          ImagePushCheck: simulator.stateMachineArn('ImagePushCheck'),
          ImageTrustResponse: simulator.stateMachineArn('ImageTrustResponse'),
        },
        table: simulator.table,
        bucket: simulator.bucket,
        topicArn: simulator.topicArn,
        region,
      };
      return await runInSandbox(simulator.account, () => fn({ ...base, clients, deployment, sandbox }));
    }
    const cfn = deps.cloudformation ?? new CloudFormationClient({});
    nameActions(cfn, 'cloudformation');
    progress.update(`reading stack ${stackName}…`);
    const deployment = await discoverDeployment(cfn, stackName);
    const clients = newClients({ region: deployment.region }, deps.clients);
    return await fn({ ...base, clients, deployment });
  } catch (err) {
    if (err instanceof OperatorError) {
      base.err(`shield-right: ${err.message}`);
      return 1;
    }
    const explained = explainAwsError(err, stackName);
    if (explained === undefined) throw err;
    base.err(`shield-right: ${explained}`);
    return 1;
  } finally {
    progress.clear();
    if (sandbox && mutating) saveSandbox(sandbox.dir, sandbox.simulator);
  }
}

/** Every page of a paginated call; `stop` ends early (a listing sorted newest first, past its window). */
export async function allPages<P, T, K = string>(
  fetch: (token: K | undefined) => Promise<P>,
  read: (page: P) => { items: T[]; next?: K | undefined },
  onPage?: (count: number) => void,
  stop?: (items: T[]) => boolean,
): Promise<T[]> {
  const items: T[] = [];
  let token: K | undefined;
  do {
    const page = read(await fetch(token));
    items.push(...page.items);
    onPage?.(items.length);
    token = page.next;
    if (stop?.(page.items)) break;
  } while (token !== undefined);
  return items;
}
