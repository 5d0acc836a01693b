/**
 * The offline pipeline: EventBridge rules (the CDK's own patterns) → Step Functions workflows (the
 * project's own ASL files) → Lambda handlers (the project's own code) → a sandbox AWS account. Failed
 * executions go through the execution-failure rule to the failure reporter, as deployed.
 */

import {
  DEFAULT_CONFIG,
  policyEnvironment,
  type ResponseMode,
  type ShieldRightConfig,
  securityHubUpdates,
} from '../definitions/config';
import { FUNCTIONS, substitutionKeys, WORKFLOWS, type WorkflowName } from '../definitions/functions';
import { taskCredentialsRoleArns } from '../definitions/organization';
import {
  type EventPattern,
  executionFailurePattern,
  type RuleName,
  ruleDefinitions,
} from '../definitions/patterns';
import { certificateFingerprint } from '../lambdas/core/signing/certificates';
import { forgetMemberSessions } from '../lambdas/shared/member-clients';
import { type Dispatcher, type ExecutionResult, LocalWorkflow, loadDefinition } from './asl-runner';
import { compilePattern } from './event-pattern';
import { installFastJsonPath } from './fast-jsonpath';
import { functionName, invokeFunction } from './functions';
import { SeededScheduler } from './interleaving';
import { callWithTaskRole, provisionOrganization, workflowPrincipal } from './organization';
import { assertNesting, PayloadLimitError } from './payload-limits';
import { applyScenario, type Scenario } from './provision';
import { type ApiCall, recordCalls, SandboxAccount, type SandboxOptions } from './sandbox/account';
import { SandboxOrganization } from './sandbox/organization';
import { isRecord } from './sandbox/shared';
import { StatesService } from './sandbox/states';
import { runInSandbox } from './sandbox/transport';
import { enablementOf, importToSecurityHub } from './securityhub-import';

export interface SimulatorOptions extends SandboxOptions {
  readonly config?: ShieldRightConfig;
  /** Overrides `config.mode` (`simulate --mode observe`). */
  readonly mode?: ResponseMode;
  readonly scenario?: Scenario;
}

export interface LabeledEvent {
  readonly event: unknown;
  readonly label?: string;
}

export interface ConcurrencyOptions {
  /** Events processed at once (1: one after another, as EventBridge deliveries far apart would be). */
  readonly concurrency?: number;
  /** Seed of the interleaving of their sandbox calls (local/interleaving.ts). */
  readonly seed?: number;
}

export interface PublishedNotification {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly attributes: Record<string, string>;
}

export interface ExecutionSummary {
  readonly stateMachine: WorkflowName;
  readonly executionArn: string;
  readonly status: ExecutionResult['status'];
  readonly states: string[];
  readonly stateTransitions: number;
  readonly retries: number;
  readonly durationMs: number;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

/** A rule target that could not start: StartExecution refused the event (over 256 KiB, P2). */
export interface RefusedStart {
  readonly stateMachine: WorkflowName;
  readonly error: string;
  readonly message: string;
}

export interface EventResult {
  readonly event: string;
  readonly eventId: string;
  readonly matchedRules: string[];
  readonly executions: ExecutionSummary[];
  /** Targets whose execution could not start (absent when none): EventBridge would retry, then drop it. */
  readonly refused?: RefusedStart[];
  readonly apiCalls: ApiCall[];
  readonly notifications: PublishedNotification[];
}

interface CompiledRule {
  readonly name: RuleName | 'ExecutionFailureRule';
  readonly pattern: EventPattern;
  readonly matches: (event: unknown) => boolean;
}

export const RESOURCE_NAMES = {
  bucket: (account: string) => `shield-right-evidence-${account}`,
  table: 'shield-right-incidents',
  topic: 'shield-right-notifications',
} as const;

/** A valid execution name (1-80 of [0-9A-Za-z_-]) from the finding and a sequence number. */
export function executionNameFor(event: unknown, sequence: number): string {
  const detail = isRecord(event) && isRecord(event.detail) ? event.detail : {};
  const raw =
    typeof detail.id === 'string'
      ? detail.id
      : typeof detail.findingArn === 'string'
        ? detail.findingArn.split('/').pop()
        : undefined;
  const base = (raw ?? (isRecord(event) && typeof event.id === 'string' ? event.id : 'event')).replace(
    /[^0-9A-Za-z_-]/g,
    '',
  );
  const suffix = `-${sequence.toString().padStart(4, '0')}`;
  return `${base.slice(0, 80 - suffix.length) || 'event'}${suffix}`;
}

function publishedNotifications(calls: ApiCall[]): PublishedNotification[] {
  return calls
    .filter((c) => c.service === 'sns' && c.operation === 'Publish' && c.error === null)
    .map((c) => {
      const input = c.input as {
        TopicArn?: string;
        Subject?: string;
        Message?: string;
        MessageAttributes?: Record<string, { StringValue?: string }>;
      };
      return {
        topicArn: input.TopicArn ?? '',
        ...(input.Subject ? { subject: input.Subject } : {}),
        message: input.Message ?? '',
        attributes: Object.fromEntries(
          Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
        ),
      };
    });
}

export class Simulator {
  /** The account shield-right is deployed in. */
  readonly account: SandboxAccount;
  /** It and the member accounts findings are about (local/sandbox/organization.ts). */
  readonly organization: SandboxOrganization;
  readonly config: ShieldRightConfig;
  readonly bucket: string;
  readonly table: string;
  readonly topicArn: string;
  /** Every execution so far, with its history, for the failure reporter and the operator CLI offline. */
  readonly states: StatesService;
  private readonly workflows: Map<WorkflowName, LocalWorkflow>;
  private readonly rules: { rule: CompiledRule; target: WorkflowName }[];
  private readonly failureRule: CompiledRule;
  private readonly dispatcher: Dispatcher;
  /** The scenario the sandbox was built from (kept when the sandbox is saved). */
  readonly scenario: Scenario | undefined;
  private sequence = 0;
  /** Fingerprint of the sandbox certificate authority's root: the pinned anchor offline, in place of AWS Signer's. */
  private sandboxRoots: string[] | undefined;

  constructor(options: SimulatorOptions = {}) {
    const base = options.config ?? DEFAULT_CONFIG;
    this.config = options.mode ? { ...base, mode: options.mode } : base;
    this.account = new SandboxAccount(options);
    if (this.account.engine === 'fast') installFastJsonPath();
    this.organization = new SandboxOrganization(this.account, options);
    // Member sessions cached by the handlers belong to an earlier sandbox's STS.
    forgetMemberSessions();
    this.scenario = options.scenario;
    const organizationScenario = options.scenario?.organization;
    if (organizationScenario?.listAccounts === false) this.organization.listsAccounts = false;
    if (organizationScenario?.managementAccount)
      this.organization.setManagementAccount(organizationScenario.managementAccount);
    for (const [id, state] of Object.entries(organizationScenario?.accountStates ?? {}))
      this.organization.setAccountState(id, state);
    this.account.securityhub.enable(
      enablementOf(this.scenario?.securityHubEnabled, this.scenario?.securityHubV2DisabledAnswer),
    );
    const { accountId, region } = this.account;
    this.bucket = RESOURCE_NAMES.bucket(accountId);
    this.table = RESOURCE_NAMES.table;
    this.account.s3.createBucket(this.bucket);
    this.account.dynamodb.createTable({
      TableName: this.table,
      partitionKey: 'pk',
      globalSecondaryIndexes: [{ IndexName: 'byEntity', partitionKey: 'entity', sortKey: 'createdAt' }],
    });
    this.topicArn = this.account.sns.createTopic(RESOURCE_NAMES.topic);
    const substitutions: Record<string, string> = {
      IncidentTableName: this.table,
      EvidenceBucketName: this.bucket,
      Partition: this.account.partition,
      SecurityHub: securityHubUpdates(this.config),
      TaskCredentialsRoleArns: taskCredentialsRoleArns(this.account.partition),
      ...Object.fromEntries(
        Object.values(FUNCTIONS).map((f) => [
          f.substitution,
          `arn:aws:lambda:${region}:${accountId}:function:${functionName(f.id)}`,
        ]),
      ),
    };
    this.workflows = new Map(
      Object.values(WORKFLOWS).map((wf) => {
        const used = Object.fromEntries(substitutionKeys(wf).map((k) => [k, substitutions[k] ?? '']));
        const arn = `arn:aws:states:${region}:${accountId}:stateMachine:${wf.name}`;
        return [wf.name, new LocalWorkflow(wf.name, arn, loadDefinition(wf.file, used))];
      }),
    );
    this.rules = ruleDefinitions(this.config).map((def) => ({
      rule: { name: def.name, pattern: def.pattern, matches: compilePattern(def.pattern) },
      target: def.target,
    }));
    const failurePattern = executionFailurePattern([...this.workflows.values()].map((w) => w.arn));
    this.failureRule = {
      name: 'ExecutionFailureRule',
      pattern: failurePattern,
      matches: compilePattern(failurePattern),
    };
    this.dispatcher = {
      invokeLambda: (name, payload) => invokeFunction(name, payload),
      callService: (service, operation, input, roleArn) =>
        roleArn
          ? callWithTaskRole(
              this.organization,
              workflowPrincipal(this.account, 'RuntimeThreatResponse'),
              roleArn,
              service,
              operation,
              input,
            )
          : this.account.call(service, operation, input),
    };
    this.states = new StatesService(this.account, {
      start: (arn, input, name) => this.runWorkflow(this.workflowByArn(arn), input, name),
      redrive: (record) => this.redriveWorkflow(record),
    });
    this.account.register(this.states);
    if (this.scenario) applyScenario(this.account, this.scenario, this.config.signing.trustedProfiles[0]);
  }

  private workflowByArn(arn: string): LocalWorkflow {
    const workflow = [...this.workflows.values()].find((w) => w.arn === arn);
    if (!workflow) throw new Error(`no state machine ${arn} in the sandbox`);
    return workflow;
  }

  /** The ARN of a workflow's state machine in the sandbox. */
  stateMachineArn(name: WorkflowName): string {
    return this.workflowByArn(
      `arn:aws:states:${this.account.region}:${this.account.accountId}:stateMachine:${name}`,
    ).arn;
  }

  /** The environment the deployed functions get from CDK, for the same handlers in-process. */
  environment(): Record<string, string> {
    const signing = this.config.signing;
    const config =
      this.sandboxRoots &&
      signing.trustedRootCertificates.length === 0 &&
      signing.trustedRootFingerprints.length === 0
        ? { ...this.config, signing: { ...signing, trustedRootFingerprints: this.sandboxRoots } }
        : this.config;
    return {
      ...policyEnvironment(config),
      EVIDENCE_BUCKET: this.bucket,
      INCIDENT_TABLE: this.table,
      TOPIC_ARN: this.topicArn,
      QUARANTINE_SECURITY_GROUPS: JSON.stringify(this.scenario?.quarantineSecurityGroups ?? {}),
      ALLOWED_ACCOUNTS: '',
      STATE_MACHINE_ARNS: JSON.stringify(
        Object.fromEntries([...this.workflows].map(([name, workflow]) => [name, workflow.arn])),
      ),
      AWS_REGION: this.account.region,
    };
  }

  /** Runs one reconciliation sweep (the deployed handler, as its schedule would) at the sandbox's clock. */
  async reconcile(): Promise<{
    report: unknown;
    apiCalls: ApiCall[];
    notifications: PublishedNotification[];
  }> {
    Object.assign(process.env, this.environment());
    const { result, calls } = await recordCalls(() =>
      runInSandbox(this.account, async () => {
        const report = await invokeFunction(functionName('reconcile'), {
          time: new Date(this.account.now()).toISOString(),
        });
        this.account.ecs.launchPendingReplacements();
        return report;
      }),
    );
    return { report: result, apiCalls: calls, notifications: publishedNotifications(calls) };
  }

  /** Which rules an event matches, by name. */
  matchRules(event: unknown): RuleName[] {
    return this.rules.filter(({ rule }) => rule.matches(event)).map(({ rule }) => rule.name as RuleName);
  }

  /** Runs one event through rules, workflows and handlers, recording every AWS call it causes. */
  async processEvent(event: unknown, label = 'event'): Promise<EventResult> {
    // Refused before any rule or provisioning sees it (local/payload-limits.ts).
    assertNesting(event, `event ${label}`);
    const signing = this.config.signing;
    if ((signing.mode !== 'off' || signing.revokeOnQuarantine) && !this.sandboxRoots) {
      const ca = await this.account.signer.authority();
      this.sandboxRoots = [certificateFingerprint(ca.rootDer)];
    }
    Object.assign(process.env, this.environment());
    const { result: executions, calls } = await recordCalls(() =>
      runInSandbox(this.account, async () => {
        if (this.scenario?.autoProvision !== false)
          provisionOrganization(this.organization, this.config, event, this.scenario?.memberRoles, {
            managementRole: this.scenario?.organization?.managementRole === true,
          });
        if (this.scenario?.autoProvision !== false && this.config.securityHub === 'on')
          importToSecurityHub(this.account, event, this.scenario?.securityHubImport);
        const matched = this.rules.filter(({ rule }) => rule.matches(event));
        const runs: ExecutionSummary[] = [];
        const refused: RefusedStart[] = [];
        for (const { target } of matched) {
          try {
            runs.push(await this.startExecution(target, event));
          } catch (err) {
            if (!(err instanceof PayloadLimitError)) throw err;
            refused.push({ stateMachine: target, error: err.name, message: err.message });
          }
        }
        this.account.ecs.launchPendingReplacements();
        return { matched: matched.map(({ rule }) => rule.name), runs, refused };
      }),
    );
    return {
      event: label,
      eventId: isRecord(event) && typeof event.id === 'string' ? event.id : '',
      matchedRules: executions.matched,
      executions: executions.runs,
      ...(executions.refused.length > 0 ? { refused: executions.refused } : {}),
      apiCalls: calls,
      notifications: publishedNotifications(calls),
    };
  }

  /**
   * Runs events through rules, workflows and handlers, `concurrency` at a time. With more than one, their
   * executions interleave their sandbox calls in an order fixed by `seed`, so races (two claims of one
   * task) happen offline and replay the same way. Results are in the order of `events`.
   */
  async processEvents(
    events: readonly LabeledEvent[],
    options: ConcurrencyOptions = {},
  ): Promise<EventResult[]> {
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    const results: EventResult[] = [];
    if (concurrency === 1) {
      for (const { event, label } of events) results.push(await this.processEvent(event, label));
      return results;
    }
    this.account.interleaving = new SeededScheduler(options.seed ?? 1);
    try {
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let i = next++; i < events.length; i = next++) {
          const item = events[i];
          if (item) results[i] = await this.processEvent(item.event, item.label);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, events.length) }, worker));
      return results;
    } finally {
      this.account.interleaving = undefined;
    }
  }

  /**
   * The events the sandbox's services emitted meanwhile (ECR image pushes, local/sandbox/ecr/events.ts),
   * through the rules as EventBridge delivers them: after the event that caused them, each on its own.
   * Bounded: a push check that quarantines again may push too.
   */
  async processEmittedEvents(maxRounds = 5): Promise<EventResult[]> {
    const results: EventResult[] = [];
    for (let round = 0; round < maxRounds; round += 1) {
      const events = this.account.ecr.takeEvents();
      if (events.length === 0) break;
      for (const event of events) results.push(await this.processEvent(event, 'ECR Image Action (emitted)'));
    }
    return results;
  }

  /** Starts one execution (what EventBridge, or `shield-right respond`, does) and reports a failure like the deployed rule. */
  async startExecution(target: WorkflowName, input: unknown, name?: string): Promise<ExecutionSummary> {
    const workflow = this.workflows.get(target);
    if (!workflow) throw new Error(`no workflow ${target}`);
    const run = await runInSandbox(this.account, () => this.runWorkflow(workflow, input, name));
    return {
      stateMachine: target,
      executionArn: run.executionArn,
      status: run.status,
      states: run.states,
      stateTransitions: run.stateTransitions,
      retries: run.retries,
      durationMs: run.durationMs,
      ...(run.output !== undefined ? { output: run.output } : {}),
      ...(run.error !== undefined ? { error: run.error } : {}),
      ...(run.cause !== undefined ? { cause: run.cause } : {}),
    };
  }

  private async runWorkflow(
    workflow: LocalWorkflow,
    input: unknown,
    name?: string,
  ): Promise<ExecutionResult> {
    this.sequence += 1;
    const run = await workflow.run(input, this.dispatcher, {
      executionName: name ?? executionNameFor(input, this.sequence),
      accountId: this.account.accountId,
      region: this.account.region,
      now: () => this.account.now(),
    });
    this.states.record(workflow.arn, run);
    if (run.status !== 'SUCCEEDED') await this.reportFailure(workflow, run, 0);
    return run;
  }

  /**
   * Step Functions redrive: the same execution (ARN, name, input) continues at the state that did not
   * complete, with that state's recorded input; what completed is not run again (local/redrive.ts). A run
   * recorded without a resume point (a sandbox saved by an earlier version) starts over.
   */
  private async redriveWorkflow(record: ExecutionResult): Promise<ExecutionResult> {
    const workflow = this.workflowByArn(
      record.executionArn.replace(/:execution:([^:]+):.*$/, ':stateMachine:$1'),
    );
    const run = await workflow.run(record.input, this.dispatcher, {
      executionName: record.name,
      accountId: this.account.accountId,
      region: this.account.region,
      now: () => this.account.now(),
      ...(record.resume ? { resume: record.resume } : {}),
    });
    const redriveCount = this.states.redriven(run);
    if (run.status !== 'SUCCEEDED') await this.reportFailure(workflow, run, redriveCount);
    return run;
  }

  private async reportFailure(
    workflow: LocalWorkflow,
    run: ExecutionResult,
    redriveCount: number,
  ): Promise<void> {
    const statusEvent = {
      version: '0',
      id: `status-${run.name}`,
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: this.account.accountId,
      time: new Date(this.account.now()).toISOString(),
      region: this.account.region,
      resources: [run.executionArn],
      detail: {
        executionArn: run.executionArn,
        stateMachineArn: workflow.arn,
        name: run.name,
        status: run.status,
        startDate: run.startedAt,
        stopDate: run.startedAt + run.durationMs,
        input: JSON.stringify(run.input),
        error: run.error ?? null,
        cause: run.cause ?? null,
        redriveCount,
        redriveStatus: 'REDRIVABLE',
      },
    };
    if (this.failureRule.matches(statusEvent)) {
      await invokeFunction(functionName('reportFailure'), statusEvent);
    }
  }
}
