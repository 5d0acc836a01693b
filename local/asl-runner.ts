/**
 * Runs the project's own `statemachines/*.asl.json` offline with aws-local-stepfunctions. Every Task
 * state goes through one dispatcher keyed by its `Resource`: Lambda ARNs call the handler in-process,
 * optimized integrations and `aws-sdk:*` integrations call the sandbox account. Nothing reaches AWS.
 */
import './polyfills';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type StateMachine as LocalStateMachine, StateMachine } from 'aws-local-stepfunctions';
import { isAwsService, stepFunctionsErrorName } from '../definitions/aws-errors';
import { PACKAGE_ROOT } from '../definitions/package-root';
import { carryCredentials, takeCredentials } from './credentials';
import {
  assertNesting,
  exceedsPayloadLimit,
  MAX_PAYLOAD_BYTES,
  PayloadLimitError,
  payloadBytes,
} from './payload-limits';
import {
  isRedriveState,
  type ResumePoint,
  redriveDefinition,
  resumePointOf,
  type TraceEvent,
} from './redrive';
import { inState } from './sandbox/account';
import type { ServiceName } from './sandbox/types';

type StateMachineDefinition = ConstructorParameters<typeof StateMachine>[0];
type JsonValue = Parameters<LocalStateMachine['run']>[0];

export const REPO_ROOT = PACKAGE_ROOT;

/** Applies `${Key}` substitutions the way CloudFormation's DefinitionSubstitutions does; a key left over is an error. */
export function substitute(text: string, substitutions: Readonly<Record<string, string>>): string {
  const out = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (match, key: string) => substitutions[key] ?? match);
  const left = /\$\{([A-Za-z0-9_]+)\}/.exec(out);
  if (left) throw new Error(`definition substitution ${left[0]} has no value`);
  return out;
}

export function loadDefinition(
  file: string,
  substitutions: Readonly<Record<string, string>>,
): StateMachineDefinition {
  const text = readFileSync(resolve(REPO_ROOT, file), 'utf8');
  return JSON.parse(substitute(text, substitutions)) as StateMachineDefinition;
}

interface StateLike {
  Type?: string;
  Resource?: string;
  Retry?: unknown[];
  Branches?: { States?: Record<string, StateLike> }[];
  Iterator?: { States?: Record<string, StateLike> };
  ItemProcessor?: { States?: Record<string, StateLike> };
}

/** Every state of a definition, nested Parallel branches and Map processors included. */
export function allStates(states: Record<string, StateLike>): [string, StateLike][] {
  const out: [string, StateLike][] = [];
  for (const [name, state] of Object.entries(states)) {
    out.push([name, state]);
    for (const branch of state.Branches ?? []) out.push(...allStates(branch.States ?? {}));
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner?.States) out.push(...allStates(inner.States));
  }
  return out;
}

/** Step Functions' error for a payload over the 256 KiB quota (docs/aws-behaviours.md P1). */
export const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';

function dataLimitExceeded(what: string, bytes: number): TaskError {
  return new TaskError(
    DATA_LIMIT_EXCEEDED,
    `${what} is ${bytes} bytes, over the ${MAX_PAYLOAD_BYTES}-byte payload size quota`,
  );
}

/** An error a Task failed with: `name` becomes the ASL error name `Retry`/`Catch` match on. */
export class TaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }

  // As on AWS, States.Runtime and States.DataLimitExceeded are terminal: neither retried nor caught (not
  // even by States.ALL). An engine fault or an oversized payload fails the execution, never hidden by a Catch.
  get isRetryable(): boolean {
    return !TERMINAL_ERRORS.has(this.name);
  }

  get isCatchable(): boolean {
    return !TERMINAL_ERRORS.has(this.name);
  }
}

const TERMINAL_ERRORS = new Set(['States.Runtime', DATA_LIMIT_EXCEEDED]);

export type LambdaInvoker = (functionName: string, payload: unknown) => Promise<unknown>;
export type ServiceCaller = (
  service: ServiceName,
  operation: string,
  input: Record<string, unknown>,
  /** The task's `Credentials.RoleArn` (local/credentials.ts): the call is made as that role, in its account. */
  roleArn?: string,
) => Promise<unknown>;

export interface Dispatcher {
  readonly invokeLambda: LambdaInvoker;
  readonly callService: ServiceCaller;
}

// Services outside the shared error table (definitions/aws-errors.ts): their errors keep the documented
// `<Prefix>.<Name>Exception` form.
const OTHER_SDK_PREFIX: Partial<Record<ServiceName, string>> = {
  guardduty: 'GuardDuty',
  inspector2: 'Inspector2',
  states: 'Sfn',
};

function sdkErrorName(service: ServiceName, name: string): string {
  if (isAwsService(service)) return stepFunctionsErrorName('aws-sdk', service, name);
  const suffixed = name.endsWith('Exception') ? name : `${name}Exception`;
  return `${OTHER_SDK_PREFIX[service] ?? toPascal(service)}.${suffixed}`;
}
// Services whose SDK shapes are camelCase, while Step Functions speaks PascalCase.
const CAMEL_CASE_SERVICES = new Set<string>(['ecs', 'ecr', 'guardduty', 'inspector2']);

function mapKeys(value: unknown, fn: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, fn));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [fn(k), mapKeys(v, fn)]));
  }
  return value;
}

const toCamel = (key: string): string => key.charAt(0).toLowerCase() + key.slice(1);
const toPascal = (key: string): string => key.charAt(0).toUpperCase() + key.slice(1);

/** A JSON value with its text (`JSON.stringify` of the value), so the text is made once per value. */
interface JsonText {
  readonly json: JsonValue;
  readonly text: string;
}

/** JSON round trip: what a Lambda or service integration returns is JSON (Dates become strings). */
function asJsonText(value: unknown): JsonText {
  if (value === undefined) return { json: null, text: 'null' };
  const text = JSON.stringify(value);
  // The text of the parsed value is `text` again (stringify is canonical for what parse builds).
  return { json: JSON.parse(text) as JsonValue, text };
}

function asJson(value: unknown): JsonValue {
  return asJsonText(value).json;
}

/** A Task's result (already JSON), refused over the payload quota ("the output of a connector", P1). */
function taskResult(result: JsonText, state: string): JsonValue {
  if (exceedsPayloadLimit(result.text)) {
    throw dataLimitExceeded(`the result of Task state ${state}`, payloadBytes(result.json));
  }
  return result.json;
}

/** A Task's effective input (after InputPath and Parameters), refused over the payload quota (P1); its text. */
function checkTaskInput(input: unknown, state: string): string {
  const text = JSON.stringify(input ?? null);
  if (exceedsPayloadLimit(text))
    throw dataLimitExceeded(`the input of Task state ${state}`, payloadBytes(input));
  return text;
}

function withoutMetadata(output: unknown): unknown {
  if (typeof output !== 'object' || output === null) return output;
  const { $metadata: _ignored, ...rest } = output as Record<string, unknown>;
  return rest;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'Error';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The one generic dispatcher: what a Task with this `Resource` does. */
export async function dispatchTask(
  dispatcher: Dispatcher,
  resource: string,
  input: unknown,
): Promise<JsonValue> {
  return (await dispatch(dispatcher, resource, input)).json;
}

/** `dispatchTask` with the result's JSON text; `inputText` is `JSON.stringify(input ?? null)` when known. */
async function dispatch(
  dispatcher: Dispatcher,
  resource: string,
  input: unknown,
  inputText?: string,
): Promise<JsonText> {
  const lambdaArn = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([^:]+)/.exec(resource);
  if (lambdaArn?.[1]) {
    const text = inputText;
    return invokeLambda(dispatcher, lambdaArn[1], () =>
      text === undefined ? asJson(input) : (JSON.parse(text) as JsonValue),
    );
  }
  if (/^arn:aws[a-z-]*:states:::lambda:invoke$/.test(resource)) {
    const params = (input ?? {}) as { FunctionName?: string; Payload?: unknown };
    const name = /function:([^:]+)/.exec(params.FunctionName ?? '')?.[1] ?? params.FunctionName ?? '';
    const result = await invokeLambda(dispatcher, name, () => asJson(params.Payload));
    return asJsonText({ Payload: result.json, StatusCode: 200 });
  }
  const optimized = /^arn:aws[a-z-]*:states:::(dynamodb|sns):([A-Za-z]+)$/.exec(resource);
  if (optimized?.[1] && optimized[2]) {
    const service = optimized[1] as 'dynamodb' | 'sns';
    try {
      return asJsonText(
        withoutMetadata(
          await dispatcher.callService(service, toPascal(optimized[2]), input as Record<string, unknown>),
        ),
      );
    } catch (err) {
      throw new TaskError(stepFunctionsErrorName('optimized', service, errorName(err)), errorText(err));
    }
  }
  const sdk = /^arn:aws[a-z-]*:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(resource);
  if (sdk?.[1] && sdk[2]) {
    const service = sdk[1] as ServiceName;
    const camel = CAMEL_CASE_SERVICES.has(service);
    const { input: callInput, roleArn } = takeCredentials(input);
    let params = (camel ? mapKeys(callInput, toCamel) : callInput) as Record<string, unknown>;
    // Step Functions serializes a JSON Body for S3.
    if (service === 's3' && params.Body !== undefined && typeof params.Body !== 'string') {
      params = { ...params, Body: JSON.stringify(params.Body) };
    }
    try {
      const output = withoutMetadata(
        await dispatcher.callService(service, toPascal(sdk[2]), params, roleArn),
      );
      return asJsonText(camel ? mapKeys(output, toPascal) : output);
    } catch (err) {
      if (err instanceof TaskError) throw err;
      throw new TaskError(sdkErrorName(service, errorName(err)), errorText(err));
    }
  }
  throw new TaskError('States.Runtime', `the offline engine cannot run Task resource ${resource}`);
}

/** Invokes a handler with its payload as JSON (a fresh copy the handler may keep). */
async function invokeLambda(
  dispatcher: Dispatcher,
  name: string,
  payload: () => JsonValue,
): Promise<JsonText> {
  try {
    return asJsonText(await dispatcher.invokeLambda(name, payload()));
  } catch (err) {
    // The Lambda runtime reports an unhandled error by its name: that is what Retry/Catch match on.
    throw new TaskError(errorName(err), errorText(err));
  }
}

export interface StateEvent {
  readonly state: string;
  readonly stateType: string;
  readonly type: 'entered' | 'exited' | 'failed' | 'retried' | 'caught';
  readonly at: number;
  readonly error?: string;
  readonly cause?: string;
}

export interface ExecutionResult {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachine: string;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** States entered, in order (Parallel branches interleave as they ran). */
  readonly states: string[];
  readonly stateTransitions: number;
  readonly retries: number;
  readonly events: StateEvent[];
  readonly startedAt: number;
  readonly durationMs: number;
  /** An unsuccessful run: where a redrive resumes (kept only then: it holds state inputs and outputs). */
  readonly resume?: ResumePoint;
}

export interface RunOptions {
  readonly executionName: string;
  readonly accountId: string;
  readonly region: string;
  readonly now?: () => number;
  /** Redrive: resume an unsuccessful execution there instead of starting at `StartAt`. */
  readonly resume?: ResumePoint;
}

/** 1-32 ms from the execution name (FNV-1a): reproducible, and different across concurrent executions. */
function offlineWaitMs(executionName: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < executionName.length; i++)
    hash = Math.imul(hash ^ executionName.charCodeAt(i), 0x01000193);
  return 1 + ((hash >>> 0) % 32);
}

interface EngineLogger {
  dispatchStateExitedEvent(name: string, type: string, input: JsonValue, output: JsonValue): void;
}

interface EngineExecute {
  execute(input: JsonValue, options: { eventLogger: EngineLogger }, cleanup: () => void): Promise<JsonValue>;
}

/**
 * "The output of a state is larger than the payload size quota" fails the execution with
 * States.DataLimitExceeded (P1). The engine's execute loop reports each state's output to its event logger
 * before it starts the next state: checked there, the oversized state is the last one that ran, as on AWS.
 * Applied once to the engine's class, so Parallel branches (nested machines) are checked too.
 */
function limitStateOutputs(): void {
  const proto = StateMachine.prototype as unknown as EngineExecute & { shieldRightLimited?: true };
  if (proto.shieldRightLimited) return;
  const execute = proto.execute;
  proto.execute = function limitedExecute(this: EngineExecute, input, options, cleanup) {
    const logger = options.eventLogger;
    const exited = logger.dispatchStateExitedEvent.bind(logger);
    logger.dispatchStateExitedEvent = (name, type, stateInput, output) => {
      exited(name, type, stateInput, output);
      if (exceedsPayloadLimit(JSON.stringify(output ?? null))) {
        throw dataLimitExceeded(`the output of state ${name}`, payloadBytes(output));
      }
    };
    return execute.call(this, input, options, cleanup);
  };
  proto.shieldRightLimited = true;
}
limitStateOutputs();

/** One state machine definition, constructed once, run many times. */
export class LocalWorkflow {
  readonly name: string;
  readonly arn: string;
  private readonly definition: StateMachineDefinition;
  private readonly machine: StateMachine;
  private readonly taskStates: [string, string][];
  private readonly retryStates: string[];
  private readonly waitStates: string[];

  constructor(name: string, arn: string, definition: StateMachineDefinition) {
    this.name = name;
    this.arn = arn;
    // Step Functions honours a Task's Credentials; the offline engine is told of them (local/credentials.ts).
    this.definition = carryCredentials(definition);
    // Not validated again here: the definitions are the project's own files, which test/infra/asl.test.ts
    // validates with asl-validator (the validator aws-local-stepfunctions would run, paths and ARNs
    // included). Compiling its JSON schemas took most of a one-event `shield-right simulate` (npm run bench).
    this.machine = new StateMachine(this.definition, { validationOptions: { noValidate: true } });
    const states = allStates(definition.States as unknown as Record<string, StateLike>);
    this.taskStates = states
      .filter(([, s]) => s.Type === 'Task' && typeof s.Resource === 'string')
      .map(([n, s]) => [n, s.Resource ?? '']);
    this.retryStates = states.filter(([, s]) => Array.isArray(s.Retry) && s.Retry.length > 0).map(([n]) => n);
    this.waitStates = states.filter(([, s]) => s.Type === 'Wait').map(([n]) => n);
  }

  async run(input: unknown, dispatcher: Dispatcher, options: RunOptions): Promise<ExecutionResult> {
    // Refused before anything runs, as StartExecution refuses an input over 256 KiB (P2); a pathological
    // nesting would overflow the engine's recursive copies (the engine's own limit, payload-limits.ts).
    assertNesting(input, `the input of execution ${options.executionName}`);
    const inputText = JSON.stringify(input ?? null);
    if (exceedsPayloadLimit(inputText)) {
      throw new PayloadLimitError(`the input of execution ${options.executionName}`, payloadBytes(input));
    }
    const now = options.now ?? Date.now;
    const startedAt = now();
    const executionArn = `arn:aws:states:${options.region}:${options.accountId}:execution:${this.name}:${options.executionName}`;
    const taskResourceLocalHandlers = Object.fromEntries(
      this.taskStates.map(([state, resource]) => [
        state,
        (taskInput: JsonValue) =>
          inState(state, async () => {
            const inputText = checkTaskInput(taskInput, state);
            return taskResult(await dispatch(dispatcher, resource, taskInput, inputText), state);
          }),
      ]),
    );
    // Retries keep their count and order offline; only the waiting between them is shortened.
    const retryIntervalOverrides = Object.fromEntries(this.retryStates.map((s) => [s, 0]));
    // A Wait state (the claim-again backoff) lasts milliseconds instead of seconds, drawn per execution as
    // the jitter on AWS would be, so executions that conflicted do not claim again in lockstep.
    const waitMs = offlineWaitMs(options.executionName);
    const waitTimeOverrides = Object.fromEntries(this.waitStates.map((s) => [s, waitMs]));
    // Without it every Task fails inside the engine with a TypeError that a Catch would turn into success.
    if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
      return {
        executionArn,
        name: options.executionName,
        stateMachine: this.name,
        status: 'FAILED',
        input,
        error: 'States.Runtime',
        cause: 'Promise.withResolvers is missing: load local/polyfills before running workflows',
        states: [],
        stateTransitions: 0,
        retries: 0,
        events: [],
        startedAt,
        durationMs: 0,
      };
    }
    // A redrive runs a definition derived from this one (validated already, so not validated again).
    const ran = options.resume ? redriveDefinition(this.definition, options.resume) : this.definition;
    const machine = options.resume
      ? new StateMachine(ran, { validationOptions: { noValidate: true } })
      : this.machine;
    const execution = machine.run(asJson(input), {
      overrides: { taskResourceLocalHandlers, retryIntervalOverrides, waitTimeOverrides },
      context: {
        Execution: {
          Id: executionArn,
          Name: options.executionName,
          StartTime: new Date(startedAt).toISOString(),
          Input: asJson(input),
          RoleArn: `arn:aws:iam::${options.accountId}:role/shield-right-${this.name}`,
        },
        StateMachine: { Id: this.arn, Name: this.name },
      },
    });
    const events: StateEvent[] = [];
    const trace: TraceEvent[] = [];
    const collect = (async () => {
      for await (const event of execution.eventLogs) {
        const step = traceEvent(event);
        if (step) trace.push(step);
        const record = toStateEvent(event, now());
        if (record && !isRedriveState(record.state)) events.push(record);
      }
    })();
    let status: ExecutionResult['status'] = 'SUCCEEDED';
    let output: unknown;
    let error: string | undefined;
    let cause: string | undefined;
    let logClosed = true;
    try {
      output = await execution.result;
    } catch (err) {
      status = err instanceof Error && err.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
      const info = executionFailure(err);
      error = info.error;
      cause = info.cause;
      // The engine closes its event log only when a state ran into the error; a fault before the first
      // state (outside its loop) leaves the log open forever: fail with what it said instead of waiting.
      logClosed = err instanceof Error && ENGINE_ERRORS.has(err.name);
      if (!logClosed) {
        error = 'States.Runtime';
        cause = `the offline engine failed outside any state: ${info.cause}`;
      }
    }
    if (logClosed) await collect;
    const states = events.filter((e) => e.type === 'entered').map((e) => e.state);
    return {
      executionArn,
      name: options.executionName,
      stateMachine: this.name,
      status,
      input,
      ...(output !== undefined ? { output } : {}),
      ...(error !== undefined ? { error } : {}),
      ...(cause !== undefined ? { cause } : {}),
      states,
      stateTransitions: states.length,
      retries: events.filter((e) => e.type === 'retried').length,
      events,
      startedAt,
      durationMs: now() - startedAt,
      // Copied out of the engine's objects: a saved sandbox keeps it, and a redrive reads it later.
      ...(status !== 'SUCCEEDED'
        ? { resume: structuredClone(resumePointOf(ran, trace, asJson(input))) }
        : {}),
    };
  }
}

/** What the engine's execution promise rejects with after it closed its event log. */
const ENGINE_ERRORS = new Set(['ExecutionError', 'ExecutionTimeoutError', 'ExecutionAbortedError']);

function traceEvent(raw: unknown): TraceEvent | undefined {
  const event = raw as EngineEvent;
  const name = event.state?.name;
  if (!name || (event.type !== 'StateEntered' && event.type !== 'StateExited')) return undefined;
  return {
    type: event.type === 'StateEntered' ? 'entered' : 'exited',
    state: name,
    input: event.state?.input ?? null,
    ...(event.state?.output !== undefined ? { output: event.state.output } : {}),
  };
}

type EngineEvent = {
  type: string;
  state?: { name?: string; type?: string; input?: JsonValue; output?: JsonValue };
  Error?: string;
  Cause?: unknown;
};

function toStateEvent(raw: unknown, at: number): StateEvent | undefined {
  const event = raw as EngineEvent;
  const state = event.state?.name;
  if (!state) return undefined;
  const types: Record<string, StateEvent['type']> = {
    StateEntered: 'entered',
    StateExited: 'exited',
    StateFailed: 'failed',
    StateRetried: 'retried',
    StateCaught: 'caught',
  };
  const type = types[event.type];
  if (!type) return undefined;
  return {
    state,
    stateType: event.state?.type ?? 'Task',
    type,
    at,
    ...(event.Error ? { error: event.Error } : {}),
    ...(event.Cause !== undefined ? { cause: String(event.Cause) } : {}),
  };
}

/** The ASL error name and cause of a failed execution (the engine wraps them in ExecutionError). */
function executionFailure(err: unknown): { error: string; cause: string } {
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (inner instanceof Error) return { error: inner.name, cause: inner.message };
  return { error: 'States.Runtime', cause: String(inner) };
}
