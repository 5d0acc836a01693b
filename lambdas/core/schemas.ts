/**
 * Schemas of what the state machines pass to the Lambda steps. A step's input is written by the
 * workflow from earlier steps' outputs, so a mismatch is a bug in shield-right (a handler and an ASL
 * file disagree), never a bad finding: it throws StepInputError, which fails the execution and is
 * notified like any other failure.
 */
import * as v from 'valibot';
import { StepInputError } from './errors';
import { isObject } from './read';
import { describe } from './schemas/fields';

const text = v.string();
const tags = v.record(v.string(), v.string());

const ImageReferenceSchema = v.object({
  uri: text,
  registry: text,
  repository: text,
  tag: v.optional(text),
  digest: v.optional(text),
  ecr: v.optional(v.object({ accountId: text, region: text })),
});

const TaskInfoSchema = v.object({
  arn: text,
  id: text,
  definitionArn: v.optional(text),
  launchType: v.optional(text),
  group: v.optional(text),
  serviceName: v.optional(text),
  startedBy: v.optional(text),
  startedAt: v.optional(text),
  tags,
});

const ProcessInfoSchema = v.object({
  name: v.optional(text),
  executablePath: v.optional(text),
  executableSha256: v.optional(text),
  pid: v.optional(text),
  user: v.optional(text),
  commandLine: v.optional(text),
  parent: v.optional(
    v.object({ name: v.optional(text), executablePath: v.optional(text), pid: v.optional(text) }),
  ),
});

/** A RuntimeFinding as ValidateFinding returned it (lambdas/core/finding.ts). */
export const RuntimeFindingSchema = v.object({
  kind: v.literal('runtime'),
  incidentId: text,
  findingId: text,
  findingArn: v.optional(text),
  detectorId: v.optional(text),
  type: text,
  title: v.optional(text),
  description: v.optional(text),
  severity: v.number(),
  severityLabel: v.picklist(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
  accountId: text,
  region: text,
  partition: text,
  count: v.number(),
  firstSeen: text,
  lastSeen: text,
  updatedAt: text,
  sample: v.boolean(),
  cluster: v.object({ name: text, arn: text, tags }),
  hasTask: v.boolean(),
  task: v.optional(TaskInfoSchema),
  containers: v.array(v.object({ name: text, image: ImageReferenceSchema })),
  involvedContainer: v.optional(v.object({ name: v.optional(text), image: v.optional(text) })),
  process: v.optional(ProcessInfoSchema),
  eventId: text,
  forced: v.optional(v.boolean()),
  discrepancies: v.optional(v.array(text)),
  memberRoleArn: v.optional(text),
  accountName: v.optional(text),
  deploymentAccountId: v.optional(text),
});

/** A VulnerabilityFinding as ValidateFinding returned it (lambdas/core/vulnerability.ts). */
export const VulnerabilityFindingSchema = v.object({
  kind: v.literal('vulnerability'),
  incidentId: text,
  findingArn: text,
  accountId: text,
  region: text,
  partition: text,
  status: v.picklist(['ACTIVE', 'SUPPRESSED', 'CLOSED']),
  severity: v.picklist(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED']),
  title: v.optional(text),
  description: v.optional(text),
  vulnerabilityId: v.optional(text),
  sourceUrl: v.optional(text),
  packages: v.array(
    v.object({
      name: text,
      version: v.optional(text),
      fixedInVersion: v.optional(text),
      packageManager: v.optional(text),
    }),
  ),
  inspectorScore: v.optional(v.number()),
  epssScore: v.optional(v.number()),
  exploitAvailable: v.picklist(['YES', 'NO', 'UNKNOWN']),
  fixAvailable: v.picklist(['YES', 'NO', 'PARTIAL', 'UNKNOWN']),
  image: v.object({
    registryId: text,
    repository: text,
    digest: text,
    tags: v.array(text),
    pushedAt: v.optional(text),
    lastInUseAt: v.optional(text),
    inUseCount: v.optional(v.number()),
  }),
  firstObservedAt: v.optional(text),
  lastObservedAt: v.optional(text),
  updatedAt: text,
  eventId: text,
  memberRoleArn: v.optional(text),
  accountName: v.optional(text),
});

export const FindingSchema = v.variant('kind', [RuntimeFindingSchema, VulnerabilityFindingSchema]);

/** What EnrichAndDecide returned about the task (lambdas/core/policy.ts TaskEnrichment). */
export const TaskEnrichmentSchema = v.object({
  found: v.boolean(),
  lastStatus: v.optional(text),
  desiredStatus: v.optional(text),
  stoppedReason: v.optional(text),
  launchType: v.optional(text),
  networkMode: v.picklist(['awsvpc', 'bridge', 'host', 'none', 'unknown']),
  eniId: v.optional(text),
  subnetId: v.optional(text),
  privateIp: v.optional(text),
  containerInstanceArn: v.optional(text),
  taskDefinitionArn: v.optional(text),
  group: v.optional(text),
  containers: v.array(v.object({ name: text, image: text, digest: v.optional(text) })),
  taskTags: tags,
  clusterArn: v.optional(text),
  service: v.optional(
    v.object({
      name: text,
      arn: v.optional(text),
      runningCount: v.number(),
      desiredCount: v.number(),
      tags,
    }),
  ),
  clusterTags: tags,
  discrepancies: v.optional(v.array(text)),
});

export const QuarantineStrategySchema = v.picklist(['both', 'retag', 'archive', 'none']);
export const QuarantineTargetSchema = v.object({
  repository: text,
  registryId: text,
  region: text,
  containerName: text,
  digest: v.optional(text),
  tag: v.optional(text),
  roleArn: v.optional(text),
});
export const ExposedTaskSchema = v.object({
  taskArn: text,
  clusterArn: text,
  serviceName: v.optional(text),
  serviceRunningCount: v.optional(v.number()),
  image: text,
  digest: v.optional(text),
  verdict: v.optional(v.picklist(['protected', 'exempt', 'allowed'])),
  verdictReason: v.optional(text),
  accountId: v.optional(text),
});

/** What MeasureBlastRadius reported (lambdas/core/outcome.ts BlastRadius), or its failure. */
export const BlastRadiusSchema = v.object({
  tasks: v.array(ExposedTaskSchema),
  scannedTasks: v.number(),
  truncated: v.boolean(),
  failed: v.optional(v.boolean()),
  otherAccountsUnscanned: v.optional(v.boolean()),
  scannedAccounts: v.optional(v.array(text)),
  unscannedAccounts: v.optional(v.array(v.object({ accountId: text, reason: text }))),
  reason: v.optional(text),
});

export const SparedImageSchema = v.object({
  repository: text,
  digest: v.optional(text),
  reason: text,
});

/** The input of EnrichAndDecide (both workflows): the finding and the execution's start time. */
export const EnrichInputSchema = <S extends v.GenericSchema>(finding: S) =>
  v.object({ finding, now: v.optional(v.unknown()) });

export const IsolateInputSchema = v.object({
  finding: RuntimeFindingSchema,
  enrichment: TaskEnrichmentSchema,
});

/** The part of a finding an action in its account needs: the member role, for a member account's. */
const AccountOfFindingSchema = v.optional(
  v.object({
    memberRoleArn: v.optional(text),
    accountId: v.optional(text),
    partition: v.optional(text),
    deploymentAccountId: v.optional(text),
  }),
);

export const QuarantineInputSchema = v.object({
  finding: AccountOfFindingSchema,
  incidentId: text,
  strategy: QuarantineStrategySchema,
  quarantineTag: text,
  targets: v.array(QuarantineTargetSchema),
  /**
   * Runtime workflow: who runs the targets' digests (MeasureBlastRadius, all clusters) and the finding's
   * described task, whose workload is the only one a quarantine may affect.
   */
  blastRadius: v.optional(BlastRadiusSchema),
  enrichment: v.optional(TaskEnrichmentSchema),
  /**
   * Image trust workflow: the stopped task's workload (its cluster and the service that lists it), which the
   * quarantine may affect; the blast radius comes with it, as in the runtime workflow.
   */
  workload: v.optional(v.object({ clusterArn: text, serviceName: v.optional(text) })),
});

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
/** Lists of ARNs and digests keep their non-empty strings; an optional one that is not a list is left out. */
const optionalStrings = v.optional(
  v.pipe(
    v.unknown(),
    v.transform((value) => (Array.isArray(value) ? value.filter(nonEmpty) : undefined)),
  ),
);

export const ExposureInputSchema = v.object({
  finding: AccountOfFindingSchema,
  digests: v.pipe(
    v.array(v.unknown(), 'expected a list of image digests'),
    v.transform((list) => list.filter(nonEmpty)),
  ),
  clusters: optionalStrings,
  excludeTaskArns: optionalStrings,
  maxTasks: v.optional(
    v.pipe(
      v.unknown(),
      v.transform((value) => (typeof value === 'number' ? value : undefined)),
    ),
  ),
  /** Give every task found the workload guard's verdict (settings from SHIELD_RIGHT_POLICY). */
  guard: v.optional(v.boolean()),
});

export const ExecutionRefSchema = v.object({
  arn: text,
  name: v.optional(text),
  startTime: v.optional(text),
});

/** The EventBridge `Step Functions Execution Status Change` event of the execution-failure rule. */
export const ExecutionStatusChangeSchema = v.object({
  region: v.optional(v.unknown()),
  detail: v.object({
    executionArn: text,
    name: v.optional(v.unknown()),
    input: v.optional(v.unknown()),
    error: v.optional(v.unknown()),
    cause: v.optional(v.unknown()),
  }),
});

/** `input.targets[0].repository` from a valibot issue path. */
function pathOf(issue: v.BaseIssue<unknown>): string {
  let path = 'input';
  for (const item of issue.path ?? []) {
    const key = item.key;
    path += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  }
  return path;
}

/** Every step input is an object; valibot's `object` would also take an array. */
function requireObject(step: string, input: unknown): void {
  if (!isObject(input)) throw new StepInputError(step, 'input', `expected an object, got ${describe(input)}`);
}

/**
 * Checks a step's input against its schema and narrows it; the input itself is returned untouched (no
 * copy), so what the step passes on is exactly what the workflow gave it.
 */
export function checkStepInput<S extends v.GenericSchema>(
  step: string,
  schema: S,
  input: unknown,
): asserts input is v.InferInput<S> {
  requireObject(step, input);
  const result = v.safeParse(schema, input, { abortEarly: true });
  const issue = result.issues?.[0];
  if (issue) throw new StepInputError(step, pathOf(issue), issue.message);
}

/** For schemas that clean up as they check (`transform`): the cleaned copy. */
export function parseStepInput<S extends v.GenericSchema>(
  step: string,
  schema: S,
  input: unknown,
): v.InferOutput<S> {
  requireObject(step, input);
  const result = v.safeParse(schema, input, { abortEarly: true });
  if (result.success) return result.output;
  const [issue] = result.issues;
  throw new StepInputError(step, pathOf(issue), issue.message);
}

/** `checkStepInput` as an expression. */
export function stepInput<S extends v.GenericSchema>(
  step: string,
  schema: S,
  input: unknown,
): v.InferInput<S> {
  checkStepInput(step, schema, input);
  return input;
}

/** A role ARN with its account: never empty (clientsFor takes an empty one for the deployment's own account). */
const MemberRoleArnSchema = v.pipe(text, v.regex(/^arn:[a-z-]+:iam::\d{12}:role\/./, 'a member role ARN'));

/**
 * MemberEcsCall: the action and the `Parameters` the workflow would give the aws-sdk integration (PascalCase,
 * unchanged), and the member role to make the call as.
 */
export const MemberEcsCallInputSchema = v.variant('action', [
  v.object({
    action: v.literal('stopTask'),
    roleArn: MemberRoleArnSchema,
    parameters: v.object({ Cluster: text, Task: text, Reason: text }),
  }),
  v.object({
    action: v.literal('tagResource'),
    roleArn: MemberRoleArnSchema,
    parameters: v.object({
      ResourceArn: text,
      Tags: v.pipe(v.array(v.object({ Key: text, Value: text })), v.minLength(1), v.maxLength(50)),
    }),
  }),
]);
