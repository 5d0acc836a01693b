import 'aws-sdk-client-mock-jest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { UsageError } from '../../bin/cli-support';
import { EXECUTION_NAME } from '../../bin/commands/operator-context';
import { redrive } from '../../bin/commands/redrive';
import { rerun } from '../../bin/commands/rerun';
import { loadExample } from '../../local/fixtures/events';
import { executionArn, shieldRightStack, streams } from '../helpers/cli';

const cfn = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);
const ddb = mockClient(DynamoDBClient);

const RUNTIME = 'arn:aws:states:us-east-1:111122223333:stateMachine:ShieldRight-RuntimeThreatResponse';
const EXEC = (name: string) => executionArn(RUNTIME, name);
const NOW = Date.UTC(2026, 10, 28, 11, 0, 0, 5);
const deps = { now: () => NOW };
const event = loadExample('01-high-fargate-crypto-miner.json');
const INCIDENT = '5ec2a7f4d1b9e8c3a6f0d2b4c8e1a9f7';

function givenExecution(fields: Record<string, unknown>): void {
  sfn.on(DescribeExecutionCommand).resolves({
    executionArn: EXEC('orig'),
    stateMachineArn: RUNTIME,
    name: 'orig',
    status: 'FAILED',
    startDate: new Date(NOW - 3600_000),
    input: JSON.stringify(event),
    ...fields,
  });
}

function givenIncident(status: string): void {
  ddb.on(GetItemCommand).resolves({ Item: marshall({ pk: `INCIDENT#${INCIDENT}`, status }) });
}

beforeEach(() => {
  for (const m of [cfn, sfn, ddb]) m.reset();
  cfn.on(DescribeStacksCommand).resolves(
    shieldRightStack({
      runtime: RUNTIME,
      image: RUNTIME.replace('RuntimeThreat', 'VulnerableImage'),
      table: 'incidents',
      bucket: 'evidence',
      topicArn: 'arn:aws:sns:us-east-1:111122223333:topic',
    }),
  );
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: EXEC(input.name),
    startDate: new Date(NOW),
  }));
});

describe('rerun', () => {
  test('starts the same input on the same state machine under a -rerun- name', async () => {
    // Arrange
    givenExecution({});
    givenIncident('FAILED');
    const { io, out, err } = streams();

    // Act
    const code = await rerun([EXEC('orig')], io, deps);

    // Assert
    expect(code).toBe(0);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: RUNTIME,
      name: 'orig-rerun-20261128T110000005Z',
      input: JSON.stringify(event),
    });
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: 'incidents',
      Key: { pk: { S: `INCIDENT#${INCIDENT}` } },
    });
    expect(err()).toContain('re-opens the incident and responds again');
    expect(out()).toContain(EXEC('orig-rerun-20261128T110000005Z'));
  });

  test('a rerun of a rerun replaces the earlier suffix and a long name is cut to 80 characters', async () => {
    // Arrange
    const long = `${'x'.repeat(75)}-rerun-20261128T100000000Z`;
    givenExecution({ name: long, executionArn: EXEC(long) });
    givenIncident('FAILED');

    // Act
    await rerun([EXEC(long)], streams().io, deps);

    // Assert
    const name = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.name ?? '';
    expect(name).toMatch(EXECUTION_NAME);
    expect(name).toHaveLength(80);
    expect(name).toBe(`${'x'.repeat(54)}-rerun-20261128T110000005Z`);
  });

  test('refuses when the incident is already contained, and --force starts it anyway', async () => {
    // Arrange
    givenExecution({ status: 'SUCCEEDED' });
    givenIncident('CONTAINED');
    const refused = streams();

    // Act
    const refusedCode = await rerun([EXEC('orig')], refused.io, deps);
    const startsAfterRefusal = sfn.commandCalls(StartExecutionCommand).length;
    const forcedCode = await rerun([EXEC('orig'), '--force'], streams().io, deps);

    // Assert
    expect(refusedCode).toBe(1);
    expect(startsAfterRefusal).toBe(0);
    expect(refused.err()).toContain(`incident ${INCIDENT} is already CONTAINED`);
    expect(forcedCode).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  test('refuses an execution of another state machine', async () => {
    // Arrange
    givenExecution({ stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:Payroll' });
    const { io, err } = streams();

    // Act
    const code = await rerun([EXEC('orig')], io, deps);

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain('not to this shield-right deployment');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('an unknown execution is a clear message', async () => {
    // Arrange
    sfn.on(DescribeExecutionCommand).rejects(
      Object.assign(new Error('Execution Does Not Exist'), {
        name: 'ExecutionDoesNotExist',
        $metadata: {},
      }),
    );
    const { io, err } = streams();

    // Act
    const code = await rerun([EXEC('gone')], io, deps);

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain(`execution ${EXEC('gone')} does not exist`);
  });

  test('rejects what is not an execution ARN', async () => {
    await expect(rerun([RUNTIME], streams().io, deps)).rejects.toThrow(UsageError);
    await expect(rerun([], streams().io, deps)).rejects.toThrow('exactly one EXECUTION_ARN');
  });
});

describe('redrive', () => {
  test('redrives a FAILED, redrivable execution and reports its new state', async () => {
    // Arrange
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({
        executionArn: EXEC('orig'),
        stateMachineArn: RUNTIME,
        name: 'orig',
        status: 'FAILED',
        startDate: new Date(NOW),
        redriveStatus: 'REDRIVABLE',
      })
      .resolves({
        executionArn: EXEC('orig'),
        stateMachineArn: RUNTIME,
        status: 'RUNNING',
        startDate: new Date(NOW),
        redriveCount: 1,
      });
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date(NOW) });
    const { io, out } = streams();

    // Act
    const code = await redrive([EXEC('orig')], io, deps);

    // Assert
    expect(code).toBe(0);
    expect(sfn).toHaveReceivedCommandWith(RedriveExecutionCommand, { executionArn: EXEC('orig') });
    expect(out()).toContain('(was FAILED): now RUNNING, redrive #1');
  });

  test('a SUCCEEDED execution is not redriven, and rerun is suggested', async () => {
    // Arrange
    givenExecution({ status: 'SUCCEEDED', redriveStatus: 'NOT_REDRIVABLE' });
    const { io, err } = streams();

    // Act
    const code = await redrive([EXEC('orig')], io, deps);

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain('SUCCEEDED: there is nothing to redrive');
    expect(err()).toContain(`shield-right rerun ${EXEC('orig')}`);
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  test('says why Step Functions will not redrive (more than 14 days ago)', async () => {
    // Arrange
    givenExecution({
      status: 'FAILED',
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is older than 14 days',
    });
    const { io, err } = streams();

    // Act
    const code = await redrive([EXEC('orig')], io, deps);

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain('cannot be redriven: Execution is older than 14 days');
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  test('ExecutionNotRedrivable from the redrive itself is a clear message', async () => {
    // Arrange
    givenExecution({ status: 'TIMED_OUT', redriveStatus: 'REDRIVABLE' });
    sfn.on(RedriveExecutionCommand).rejects(
      Object.assign(new Error('Execution was redriven too many times'), {
        name: 'ExecutionNotRedrivable',
        $metadata: {},
      }),
    );
    const { io, err } = streams();

    // Act
    const code = await redrive([EXEC('orig')], io, deps);

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain('cannot be redriven: Execution was redriven too many times');
  });

  test('a running execution has nothing to redrive', async () => {
    // Arrange
    givenExecution({ status: 'RUNNING' });
    const { io, err } = streams();

    // Act
    const code = await redrive([EXEC('orig')], io, deps);

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain('is RUNNING');
  });
});
