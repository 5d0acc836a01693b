/**
 * The offline engine itself: definition substitution, the generic Task dispatcher (names and shapes as
 * Step Functions gives them), execution names, the Node 20 polyfill, and the `simulate --json` contract.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { jsonResult } from '../../bin/commands/simulate';
import { substitutionKeys, WORKFLOWS } from '../../definitions/functions';
import {
  type Dispatcher,
  dispatchTask,
  LocalWorkflow,
  loadDefinition,
  REPO_ROOT,
  substitute,
  TaskError,
} from '../../local/asl-runner';
import { executionNameFor, Simulator } from '../../local/engine';
import { runtimeEvent } from '../../local/fixtures/events';
import { taskStops } from '../../local/report';
import { AwsError, type ServiceName } from '../../local/sandbox/types';

type Definition = ConstructorParameters<typeof LocalWorkflow>[2];
type ServiceCall = { service: ServiceName; operation: string; input: Record<string, unknown> };

const RUN_OPTIONS = { executionName: 'engine-test', accountId: '111122223333', region: 'us-east-1' };
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:worker';

/** A dispatcher that records what reaches the "AWS" side and answers with `reply`. */
function recordingDispatcher(reply: (call: ServiceCall) => unknown = () => ({})): {
  dispatcher: Dispatcher;
  calls: ServiceCall[];
} {
  const calls: ServiceCall[] = [];
  return {
    calls,
    dispatcher: {
      invokeLambda: async (_name, payload) => ({ echoed: payload }),
      callService: async (service, operation, input) => {
        const call = { service, operation, input };
        calls.push(call);
        return reply(call);
      },
    },
  };
}

function failingDispatcher(error: Error): Dispatcher {
  return {
    invokeLambda: async () => {
      throw error;
    },
    callService: async () => {
      throw error;
    },
  };
}

async function taskErrorOf(promise: Promise<unknown>): Promise<TaskError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TaskError) return err;
    throw err;
  }
  throw new Error('expected the task to fail');
}

/** One Task with a catch-all Catch: what a workflow that "handles" every error looks like. */
function catchAllWorkflow(resource: string): LocalWorkflow {
  const definition = {
    StartAt: 'Work',
    States: {
      Work: {
        Type: 'Task',
        Resource: resource,
        ResultPath: '$.result',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: 'Handled' }],
        End: true,
      },
      Handled: { Type: 'Pass', End: true },
    },
  };
  return new LocalWorkflow(
    'EngineTest',
    'arn:aws:states:us-east-1:111122223333:stateMachine:EngineTest',
    definition as unknown as Definition,
  );
}

describe('definition substitution', () => {
  it.each(Object.values(WORKFLOWS))('$name: every placeholder is substituted and used', (workflow) => {
    // Arrange
    const text = readFileSync(resolve(REPO_ROOT, workflow.file), 'utf8');
    const keys = substitutionKeys(workflow);
    const values = Object.fromEntries(keys.map((k) => [k, `value-of-${k}`]));

    // Act
    const out = substitute(text, values);

    // Assert
    expect(out).not.toContain('${');
    for (const key of keys) {
      expect(text).toContain(`\${${key}}`);
      expect(out).toContain(`value-of-${key}`);
    }
    expect(() => JSON.parse(out)).not.toThrow();
    expect(loadDefinition(workflow.file, values)).toEqual(JSON.parse(out));
  });

  it('a placeholder without a value is an error, naming it', () => {
    const text = `{"Resource": "\${ValidateFunctionArn}"}`;
    expect(() => substitute(text, {})).toThrow(/\$\{ValidateFunctionArn\} has no value/);
  });
});

describe('Task dispatch', () => {
  it('an unknown Task resource fails with States.Runtime', async () => {
    const { dispatcher } = recordingDispatcher();
    const error = await taskErrorOf(dispatchTask(dispatcher, 'arn:aws:states:::glue:startJobRun.sync', {}));
    expect(error.name).toBe('States.Runtime');
  });

  it('an unknown Task resource fails the execution with States.Runtime', async () => {
    // Arrange
    const definition = {
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::batch:submitJob.sync', End: true } },
    };
    const workflow = new LocalWorkflow(
      'EngineTest',
      'arn:aws:states:us-east-1:111122223333:stateMachine:EngineTest',
      definition as unknown as Definition,
    );

    // Act
    const run = await workflow.run({}, recordingDispatcher().dispatcher, RUN_OPTIONS);

    // Assert
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Runtime');
  });

  it('camelCase SDK services get camelCase input and give PascalCase output, without $metadata', async () => {
    // Arrange
    const { dispatcher, calls } = recordingDispatcher(() => ({
      task: { taskArn: 'arn:task', lastStatus: 'STOPPED', containers: [{ imageDigest: 'sha256:1' }] },
      failures: [],
      $metadata: { httpStatusCode: 200 },
    }));

    // Act
    const output = await dispatchTask(dispatcher, 'arn:aws:states:::aws-sdk:ecs:stopTask', {
      Cluster: 'prod',
      Task: 'arn:task',
      Reason: 'why',
    });

    // Assert
    expect(calls).toEqual([
      { service: 'ecs', operation: 'StopTask', input: { cluster: 'prod', task: 'arn:task', reason: 'why' } },
    ]);
    expect(output).toEqual({
      Task: { TaskArn: 'arn:task', LastStatus: 'STOPPED', Containers: [{ ImageDigest: 'sha256:1' }] },
      Failures: [],
    });
  });

  it('PascalCase SDK services keep their keys; a JSON S3 Body is serialized', async () => {
    // Arrange
    const { dispatcher, calls } = recordingDispatcher(() => ({ ETag: '"abc"' }));

    // Act
    const output = await dispatchTask(dispatcher, 'arn:aws:states:::aws-sdk:s3:putObject', {
      Bucket: 'b',
      Key: 'k',
      Body: { finding: { id: 'x' } },
    });

    // Assert
    expect(calls).toEqual([
      {
        service: 's3',
        operation: 'PutObject',
        input: { Bucket: 'b', Key: 'k', Body: '{"finding":{"id":"x"}}' },
      },
    ]);
    expect(output).toEqual({ ETag: '"abc"' });
  });

  it.each([
    // ECS does not model throttling and S3 does not model SlowDown: both surface as the base exception.
    ['arn:aws:states:::aws-sdk:ecs:stopTask', 'ThrottlingException', 'Ecs.EcsException'],
    ['arn:aws-us-gov:states:::aws-sdk:ec2:describeInstances', 'RequestLimitExceeded', 'Ec2.Ec2Exception'],
    ['arn:aws:states:::aws-sdk:ecs:tagResource', 'ClientException', 'Ecs.ClientException'],
    [
      'arn:aws:states:::aws-sdk:dynamodb:transactWriteItems',
      'TransactionCanceledException',
      'DynamoDb.TransactionCanceledException',
    ],
    ['arn:aws:states:::aws-sdk:s3:putObject', 'SlowDown', 'S3.S3Exception'],
    ['arn:aws:states:::aws-sdk:s3:putObject', 'NoSuchBucket', 'S3.NoSuchBucketException'],
    [
      'arn:aws:states:::dynamodb:putItem',
      'ConditionalCheckFailedException',
      'DynamoDB.ConditionalCheckFailedException',
    ],
    [
      'arn:aws:states:::aws-sdk:dynamodb:updateItem',
      'RequestLimitExceeded',
      'DynamoDb.RequestLimitExceededException',
    ],
    ['arn:aws-cn:states:::dynamodb:updateItem', 'SomethingUnmodelled', 'DynamoDB.AmazonDynamoDBException'],
  ])('%s failing with %s is named %s', async (resource, awsName, aslName) => {
    const error = await taskErrorOf(
      dispatchTask(failingDispatcher(new AwsError(awsName, 'failed')), resource, { TableName: 't' }),
    );
    expect(error.name).toBe(aslName);
  });

  it('a Lambda error keeps its own name, as the Lambda runtime reports it', async () => {
    const failure = new Error('bad event');
    failure.name = 'InvalidFindingError';
    const error = await taskErrorOf(dispatchTask(failingDispatcher(failure), LAMBDA_ARN, {}));
    expect(error.name).toBe('InvalidFindingError');
  });

  it('the prefixed names are the ones the ASL retries on: a throttled evidence write is retried', async () => {
    // Arrange
    const simulator = new Simulator();
    const realCall = simulator.account.call.bind(simulator.account);
    let throttled = 0;
    jest.spyOn(simulator.account, 'call').mockImplementation((service, operation, input) => {
      if (service === 's3' && operation === 'PutObject' && String(input.Key).endsWith('/evidence.json')) {
        if (throttled < 2) {
          throttled += 1;
          return Promise.reject(
            new AwsError('SlowDown', 'Please reduce your request rate.', { statusCode: 503 }),
          );
        }
      }
      return realCall(service, operation, input);
    });

    // Act
    const result = await simulator.processEvent(runtimeEvent({ severity: 2 }));

    // Assert
    const [run] = result.executions;
    expect(run?.status).toBe('SUCCEEDED');
    expect(throttled).toBe(2);
    expect(run?.retries).toBe(2);
    expect(run?.states).toContain('NotifyResponse');
  });
});

describe('the Promise.withResolvers polyfill (Node 20)', () => {
  type WithResolvers = { withResolvers?: unknown };

  it('is installed, so a Task runs its handler and no Catch is taken', async () => {
    // Arrange
    const workflow = catchAllWorkflow(LAMBDA_ARN);

    // Act
    const run = await workflow.run({ n: 1 }, recordingDispatcher().dispatcher, RUN_OPTIONS);

    // Assert
    expect(typeof (Promise as unknown as WithResolvers).withResolvers).toBe('function');
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toEqual(['Work']);
    expect(run.output).toEqual({ n: 1, result: { echoed: { n: 1 } } });
  });

  it('without it, a workflow with a catch-all Catch fails instead of succeeding', async () => {
    // Arrange
    const workflow = catchAllWorkflow(LAMBDA_ARN);
    const promise = Promise as unknown as WithResolvers;
    const saved = promise.withResolvers;
    let status: string | undefined;

    // Act
    delete promise.withResolvers;
    try {
      status = (await workflow.run({}, recordingDispatcher().dispatcher, RUN_OPTIONS)).status;
    } finally {
      promise.withResolvers = saved;
    }

    // Assert
    expect(status).toBe('FAILED');
  });
});

describe('executionNameFor', () => {
  const VALID = /^[0-9A-Za-z_-]{1,80}$/;

  it.each([
    ['a GuardDuty finding id', { detail: { id: 'a1b2c3' } }, 7],
    ['a long id', { detail: { id: 'x'.repeat(300) } }, 123456],
    [
      'an Inspector finding ARN',
      { detail: { findingArn: 'arn:aws:inspector2:us-east-1:1:finding/{{ID}}' } },
      2,
    ],
    ['an id of unsafe characters only', { detail: { id: '<!channel> {}' } }, 3],
    ['an id with nothing safe', { detail: { id: '/{}$' } }, 4],
    ['an event id only', { id: 'f0e1d2c3-0000-4000-8000-000000000000' }, 5],
    ['no object at all', 'not an event', 6],
    ['a large sequence', { detail: { id: 'y'.repeat(80) } }, 10 ** 12],
  ])('%s gives a valid name', (_label, event, sequence) => {
    const name = executionNameFor(event, sequence);
    expect(name).toMatch(VALID);
  });

  it('names differ by sequence and keep the finding id when it fits', () => {
    const first = executionNameFor({ detail: { id: 'abc' } }, 1);
    const second = executionNameFor({ detail: { id: 'abc' } }, 2);
    expect(first).not.toBe(second);
    expect(first.startsWith('abc')).toBe(true);
  });
});

describe('simulate --json contract', () => {
  it('a contained finding: executions with metrics, calls without internal fields, notifications', async () => {
    // Arrange
    const simulator = new Simulator();
    const result = await simulator.processEvent(runtimeEvent({ severity: 8 }), 'high.json');

    // Act
    const json = JSON.parse(
      JSON.stringify(jsonResult(result, taskStops(result, simulator.account))),
    ) as Record<string, unknown>;

    // Assert
    expect(Object.keys(json).sort()).toEqual([
      'apiCalls',
      'event',
      'eventId',
      'executions',
      'matchedRules',
      'notifications',
      'stops',
    ]);
    // The stop as requested (still stopping) and as the sandbox reports it after the stop timeout.
    expect(json.stops).toEqual([
      expect.objectContaining({
        returned: { lastStatus: 'RUNNING', desiredStatus: 'STOPPED' },
        afterStop: expect.objectContaining({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }),
      }),
    ]);
    expect(json).toMatchObject({ event: 'high.json', matchedRules: ['RuntimeThreatRule'] });
    const [execution] = json.executions as Record<string, unknown>[];
    expect(execution).toMatchObject({
      stateMachine: 'RuntimeThreatResponse',
      executionArn: expect.stringMatching(
        /^arn:aws:states:us-east-1:\d{12}:execution:RuntimeThreatResponse:/,
      ),
      status: 'SUCCEEDED',
      states: expect.arrayContaining(['ValidateFinding', 'StopTask', 'NotifyResponse']),
      stateTransitions: expect.any(Number),
      output: expect.any(Object),
      metrics: {
        stateTransitions: expect.any(Number),
        roundTrips: expect.any(Number),
        lambdaInvocations: expect.any(Number),
        apiCalls: expect.any(Number),
        toStopTask: {
          transitions: expect.any(Number),
          roundTrips: expect.any(Number),
          lambdaTasks: expect.any(Number),
        },
      },
    });
    expect(execution).not.toHaveProperty('error');
    const calls = json.apiCalls as Record<string, unknown>[];
    expect(calls.length).toBe(result.apiCalls.length);
    for (const call of calls) {
      expect(Object.keys(call).sort()).toEqual(
        expect.arrayContaining(['error', 'input', 'operation', 'service']),
      );
      expect(call).not.toHaveProperty('startSeq');
      expect(call).not.toHaveProperty('endSeq');
    }
    expect(json.notifications).toEqual([
      {
        topicArn: simulator.topicArn,
        subject: expect.stringContaining('contained'),
        message: expect.any(String),
        attributes: expect.objectContaining({ action: 'contained' }),
      },
    ]);
  });

  it('a failed execution carries its error and cause', async () => {
    // Arrange
    const simulator = new Simulator();
    const event = runtimeEvent({ severity: 8 });
    delete (event.detail as Record<string, unknown>).id;
    const result = await simulator.processEvent(event, 'invalid.json');

    // Act
    const json = jsonResult(result);

    // Assert
    const [execution] = json.executions as Record<string, unknown>[];
    expect(execution).toMatchObject({
      status: 'FAILED',
      error: 'InvalidFindingError',
      cause: expect.stringContaining('detail.id'),
    });
  });

  it('an event no rule matches has no executions', async () => {
    const simulator = new Simulator();
    const result = await simulator.processEvent({
      source: 'aws.ecs',
      'detail-type': 'ECS Task State Change',
    });
    expect(jsonResult(result)).toMatchObject({
      matchedRules: [],
      executions: [],
      apiCalls: [],
      notifications: [],
    });
  });
});
