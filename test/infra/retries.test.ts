/**
 * Every Task state retries its service's throttling under the name Step Functions really gives it, with a
 * budget that survives 20% independent throttling per call (fails with probability below one in a million),
 * and no Retry or Catch names an error that Step Functions can never raise.
 */
import { readFileSync } from 'node:fs';
import {
  type AwsService,
  type Integration,
  isAwsService,
  isModelledError,
  stepFunctionsErrorName,
  THROTTLING_ERROR,
} from '../../definitions/aws-errors';
import { WORKFLOWS } from '../../definitions/functions';

interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly BackoffRate?: number;
  readonly MaxAttempts?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: string;
}
interface TaskState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly { readonly ErrorEquals: readonly string[] }[];
}

const THROTTLING_RATE = 0.2;
const MAX_FAILURE_PROBABILITY = 1e-6;
/**
 * A base exception (`S3.S3Exception`, `Ecs.EcsException`, `DynamoDB.AmazonDynamoDBException`...) also names
 * permanent errors (403, 412, validation): its retrier gets no more attempts than 20% throttling needs, and
 * its waits add up to at most this before the state fails.
 */
const BASE_EXCEPTION_MAX_WAIT_SECONDS = 120;
const BASE_EXCEPTION_MAX_ATTEMPTS = 8;
/** Lambda's documented transient errors (Step Functions developer guide, "Handle transient Lambda service exceptions"). */
const LAMBDA_TRANSIENT = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

function taskStates(node: unknown, out: [string, TaskState][] = []): [string, TaskState][] {
  if (Array.isArray(node)) for (const item of node) taskStates(item, out);
  else if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>;
    const states = record.States as Record<string, TaskState> | undefined;
    if (states && typeof states === 'object') {
      for (const [name, state] of Object.entries(states)) if (state.Type === 'Task') out.push([name, state]);
    }
    for (const value of Object.values(record)) taskStates(value, out);
  }
  return out;
}

interface Target {
  readonly integration: Integration;
  readonly service: AwsService;
}

function integrationOf(resource: string): Target | undefined {
  const match = /^arn:\$\{Partition\}:states:::(aws-sdk:)?([a-z0-9]+):/.exec(resource);
  if (!match?.[2] || match[2] === 'lambda' || !isAwsService(match[2])) return undefined;
  return { integration: match[1] ? 'aws-sdk' : 'optimized', service: match[2] };
}

/** Whether Step Functions can raise `name` from this integration: a modelled error, or the base exception. */
function canRaise(integration: Integration, service: AwsService, name: string): boolean {
  if (name === stepFunctionsErrorName(integration, service, 'AnErrorNoModelDeclares')) return true;
  const code = name.slice(name.indexOf('.') + 1);
  const declared = [code, code.replace(/Exception$/, '')].find((c) => isModelledError(service, c));
  return declared !== undefined && stepFunctionsErrorName(integration, service, declared) === name;
}

const attemptsSurvive = (retrier: Retrier): boolean =>
  THROTTLING_RATE ** ((retrier.MaxAttempts ?? 3) + 1) < MAX_FAILURE_PROBABILITY;

/** The longest a retrier waits in all before giving up: each delay at its ceiling (full jitter draws below it). */
function worstCaseWaitSeconds(retrier: Retrier): number {
  const interval = retrier.IntervalSeconds ?? 1;
  const rate = retrier.BackoffRate ?? 2;
  const cap = retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY;
  let total = 0;
  for (let retry = 0; retry < (retrier.MaxAttempts ?? 3); retry++)
    total += Math.min(interval * rate ** retry, cap);
  return total;
}

/** The budget rule for a retrier of the base exception: bounded, and apart from a modelled throttling name. */
function baseExceptionProblems(name: string, target: Target, retriers: readonly Retrier[]): string[] {
  const { integration, service } = target;
  const base = stepFunctionsErrorName(integration, service, 'AnErrorNoModelDeclares');
  const throttled = stepFunctionsErrorName(integration, service, THROTTLING_ERROR[service].code);
  const problems: string[] = [];
  for (const retrier of retriers.filter((r) => r.ErrorEquals.includes(base))) {
    if ((retrier.MaxAttempts ?? 3) > BASE_EXCEPTION_MAX_ATTEMPTS || retrier.MaxDelaySeconds === undefined)
      problems.push(
        `${name}: the retrier of ${base} needs a capped delay and at most ${BASE_EXCEPTION_MAX_ATTEMPTS} retries`,
      );
    else if (worstCaseWaitSeconds(retrier) > BASE_EXCEPTION_MAX_WAIT_SECONDS)
      problems.push(
        `${name}: the retrier of ${base} may wait ${worstCaseWaitSeconds(retrier)} s on a permanent error`,
      );
    if (throttled !== base && retrier.ErrorEquals.includes(throttled))
      problems.push(`${name}: ${base} shares a budget with ${throttled}`);
  }
  return problems;
}

/** What is wrong with one Task state's Retry and Catch; empty when nothing is. */
function retryProblems(name: string, state: TaskState): string[] {
  const problems: string[] = [];
  const retriers = state.Retry ?? [];
  const covering = (error: string) => retriers.find((r) => r.ErrorEquals.includes(error));
  const target = integrationOf(state.Resource ?? '');
  if (!target) {
    for (const error of [
      ...LAMBDA_TRANSIENT,
      ...new Set(Object.values(THROTTLING_ERROR).map((t) => t.code)),
    ]) {
      if (!covering(error)) problems.push(`${name}: no retrier for ${error}`);
    }
    return problems;
  }
  const { integration, service } = target;
  const throttled = stepFunctionsErrorName(integration, service, THROTTLING_ERROR[service].code);
  const retrier = covering(throttled);
  if (!retrier) problems.push(`${name}: no retrier for ${throttled} (${service} throttling)`);
  else {
    if (!attemptsSurvive(retrier))
      problems.push(`${name}: ${retrier.MaxAttempts} retries of ${throttled} are too few`);
    if (retrier.JitterStrategy !== 'FULL' || retrier.MaxDelaySeconds === undefined) {
      problems.push(`${name}: the retrier of ${throttled} needs full jitter and a capped delay`);
    }
  }
  problems.push(...baseExceptionProblems(name, target, retriers));
  const named = [...retriers, ...(state.Catch ?? [])]
    .flatMap((r) => r.ErrorEquals)
    .filter((e) => e.includes('.'));
  for (const error of named.filter((e) => !e.startsWith('States.'))) {
    if (!canRaise(integration, service, error))
      problems.push(`${name}: Step Functions never raises ${error}`);
  }
  return problems;
}

describe.each(Object.values(WORKFLOWS))('$name retries', (workflow) => {
  const text = readFileSync(workflow.file, 'utf8');
  const states = taskStates(JSON.parse(text));

  it('has Task states to check, every one of them', () => {
    expect(states.length).toBeGreaterThan(0);
    expect(states.length).toBe(text.match(/"Type": "Task"/g)?.length);
  });

  it.each(states.map(([name, state]) => [name, state] as const))(
    '%s retries throttling under the names AWS raises',
    (name, state) => {
      expect(retryProblems(name, state)).toEqual([]);
    },
  );
});

describe('the retry check itself', () => {
  const s3State = (retry: Retrier[]): TaskState => ({
    Type: 'Task',
    Resource: `arn:\${Partition}:states:::aws-sdk:s3:putObject`,
    Retry: retry,
  });
  const full = { MaxAttempts: 8, MaxDelaySeconds: 20, JitterStrategy: 'FULL' };

  it('rejects a retrier that names an S3 error Step Functions never raises', () => {
    expect(retryProblems('Put', s3State([{ ErrorEquals: ['S3.SlowDownException'], ...full }]))).toEqual([
      'Put: no retrier for S3.S3Exception (s3 throttling)',
      'Put: Step Functions never raises S3.SlowDownException',
    ]);
  });

  it('rejects a throttling budget that 20% throttling defeats more than once in a million', () => {
    expect(
      retryProblems('Put', s3State([{ ErrorEquals: ['S3.S3Exception'], ...full, MaxAttempts: 5 }])),
    ).toEqual(['Put: 5 retries of S3.S3Exception are too few']);
  });

  it('rejects a base-exception retrier whose budget on a permanent error is unbounded or too long', () => {
    const slow = { ...full, IntervalSeconds: 5, BackoffRate: 2, MaxDelaySeconds: 60 };
    expect(retryProblems('Put', s3State([{ ErrorEquals: ['S3.S3Exception'], ...slow }]))).toEqual([
      'Put: the retrier of S3.S3Exception may wait 315 s on a permanent error',
    ]);
    expect(
      retryProblems('Put', s3State([{ ErrorEquals: ['S3.S3Exception'], ...full, MaxAttempts: 20 }])),
    ).toEqual(['Put: the retrier of S3.S3Exception needs a capped delay and at most 8 retries']);
  });

  it('rejects a DynamoDB base exception in the same retrier as the modelled throttling error', () => {
    const state: TaskState = {
      Type: 'Task',
      Resource: `arn:\${Partition}:states:::dynamodb:putItem`,
      Retry: [{ ErrorEquals: ['DynamoDB.ThrottlingException', 'DynamoDB.AmazonDynamoDBException'], ...full }],
    };
    expect(retryProblems('Record', state)).toEqual([
      'Record: DynamoDB.AmazonDynamoDBException shares a budget with DynamoDB.ThrottlingException',
    ]);
  });

  it('rejects an optimized DynamoDB name without its Exception suffix', () => {
    const state: TaskState = {
      Type: 'Task',
      Resource: `arn:\${Partition}:states:::dynamodb:putItem`,
      Retry: [{ ErrorEquals: ['DynamoDB.ThrottlingException', 'DynamoDB.RequestLimitExceeded'], ...full }],
    };
    expect(retryProblems('Record', state)).toEqual([
      'Record: Step Functions never raises DynamoDB.RequestLimitExceeded',
    ]);
  });

  it('rejects a Lambda task without the documented transient errors', () => {
    const state: TaskState = { Type: 'Task', Resource: `\${NotifyFunctionArn}`, Retry: [] };
    expect(retryProblems('Notify', state)).toContain(
      'Notify: no retrier for Lambda.ClientExecutionTimeoutException',
    );
  });
});
