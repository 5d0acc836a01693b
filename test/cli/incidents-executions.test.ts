import 'aws-sdk-client-mock-jest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { UsageError } from '../../bin/cli-support';
import { executions } from '../../bin/commands/executions';
import { incident, incidents } from '../../bin/commands/incidents';
import { executionArn, shieldRightStack, streams } from '../helpers/cli';

const cfn = mockClient(CloudFormationClient);
const ddb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);

const RUNTIME = 'arn:aws:states:eu-west-1:111122223333:stateMachine:ShieldRight-RuntimeThreatResponse';
const IMAGE = 'arn:aws:states:eu-west-1:111122223333:stateMachine:ShieldRight-VulnerableImageResponse';
const PUSH = 'arn:aws:states:eu-west-1:111122223333:stateMachine:ShieldRight-ImagePushCheck';
const NOW = Date.UTC(2026, 10, 28, 12);
const HOUR = 3_600_000;
const deps = { now: () => NOW };

function incidentItem(id: string, status: string, hoursAgo: number, extra: Record<string, unknown> = {}) {
  return marshall(
    {
      pk: `INCIDENT#${id}`,
      entity: 'INCIDENT',
      incidentId: id,
      source: 'guardduty',
      status,
      findingType: 'CryptoCurrency:Runtime/BitcoinTool.B',
      severity: 8,
      count: 2,
      firstSeen: new Date(NOW - (hoursAgo + 1) * HOUR).toISOString(),
      lastSeen: new Date(NOW - hoursAgo * HOUR).toISOString(),
      clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod',
      createdAt: new Date(NOW - hoursAgo * HOUR).toISOString(),
      executionArn: executionArn(RUNTIME, `${id}-0001`),
      outcome: JSON.stringify({
        stop: { status: 'done', taskArn: 't' },
        isolate: { status: 'not-possible' },
        quarantine: { status: 'done', images: [] },
      }),
      ...extra,
    },
    { removeUndefinedValues: true },
  );
}

beforeEach(() => {
  for (const m of [cfn, ddb, sfn, s3]) m.reset();
  cfn.on(DescribeStacksCommand).resolves(
    shieldRightStack({
      runtime: RUNTIME,
      image: IMAGE,
      imagePush: PUSH,
      table: 'incidents',
      bucket: 'evidence',
      topicArn: 'arn:aws:sns:eu-west-1:111122223333:topic',
    }),
  );
});

describe('incidents', () => {
  test('queries the byEntity index since the window start, following every page', async () => {
    // Arrange
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [incidentItem('aaa', 'CONTAINED', 1)],
        LastEvaluatedKey: { pk: { S: 'INCIDENT#aaa' } },
      })
      .resolvesOnce({ Items: [incidentItem('bbb', 'NOTIFIED', 5, { outcome: undefined })] });
    const { io, out } = streams();

    // Act
    const code = await incidents(['--json'], io, deps);

    // Assert
    expect(code).toBe(0);
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries[0]).toMatchObject({
      TableName: 'incidents',
      IndexName: 'byEntity',
      KeyConditionExpression: '#entity = :incident AND #createdAt >= :since',
      ExpressionAttributeValues: {
        ':incident': { S: 'INCIDENT' },
        ':since': { S: new Date(NOW - 24 * HOUR).toISOString() },
      },
      ScanIndexForward: false,
    });
    expect(queries[1]?.ExclusiveStartKey).toEqual({ pk: { S: 'INCIDENT#aaa' } });
    const printed = JSON.parse(out());
    expect(printed.count).toBe(2);
    expect(printed.counts).toEqual({ CONTAINED: 1, NOTIFIED: 1 });
    expect(printed.incidents[0]).toMatchObject({
      incidentId: 'aaa',
      actions: ['task stopped', 'image quarantined'],
      executionUrl: expect.stringContaining(
        'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1',
      ),
    });
    expect(printed.incidents[1].actions).toEqual([]);
  });

  test('--status contained filters on the contained statuses; --since 7d moves the window', async () => {
    // Arrange
    ddb.on(QueryCommand).resolves({ Items: [] });

    // Act
    await incidents(['--status', 'contained', '--since', '7d'], streams().io, deps);

    // Assert
    const query = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(query?.FilterExpression).toBe('#status IN (:s0, :s1, :s2)');
    expect(query?.ExpressionAttributeValues).toMatchObject({
      ':s0': { S: 'CONTAINED' },
      ':s1': { S: 'ISOLATED' },
      ':s2': { S: 'QUARANTINED' },
      ':since': { S: new Date(NOW - 7 * 24 * HOUR).toISOString() },
    });
  });

  test('prints one block per incident with its actions and link, and the counts', async () => {
    // Arrange
    ddb.on(QueryCommand).resolves({ Items: [incidentItem('aaa', 'CONTAINED', 1)] });
    const { io, out } = streams();

    // Act
    await incidents([], io, deps);

    // Assert
    expect(out()).toContain('CONTAINED    aaa');
    expect(out()).toContain('severity 8 · seen 2x · task stopped, image quarantined');
    expect(out()).toContain('1 incident(s) since 2026-11-27T12:00:00.000Z: 1 CONTAINED');
  });

  test('values from findings cannot write terminal escape sequences', async () => {
    // Arrange
    ddb.on(QueryCommand).resolves({
      Items: [incidentItem('aaa', 'CONTAINED', 1, { findingType: 'Evil\u001b[2J\u001b]0;pwned\u0007Type' })],
    });
    const { io, out } = streams();

    // Act
    await incidents([], io, deps);

    // Assert
    expect(out()).not.toContain('\u001b');
    expect(out()).not.toContain('\u0007');
  });

  test('progress goes to a terminal only', async () => {
    // Arrange
    ddb.on(QueryCommand).resolves({ Items: [] });
    const tty = streams(true);
    const piped = streams(false);

    // Act
    await incidents([], tty.io, deps);
    await incidents([], piped.io, deps);

    // Assert
    expect(tty.err()).toContain('reading incidents… 0');
    expect(piped.err()).toBe('');
  });

  test('rejects an unknown --status and a bad --since', async () => {
    await expect(incidents(['--status', 'weird'], streams().io, deps)).rejects.toThrow(UsageError);
    ddb.on(QueryCommand).resolves({ Items: [] });
    await expect(incidents(['--since', 'yesterday'], streams().io, deps)).rejects.toThrow('--since takes');
  });
});

describe('incident ID', () => {
  test('shows the record, the evidence and a timeline merged with the execution history', async () => {
    // Arrange
    ddb.on(GetItemCommand).resolves({ Item: incidentItem('aaa', 'CONTAINED', 1) });
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'incidents/aaa/isolation.json' }] });
    const at = (ms: number) => new Date(NOW - HOUR + ms);
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({
        events: [
          { id: 1, type: 'ExecutionStarted', timestamp: at(0) },
          {
            id: 2,
            type: 'TaskStateEntered',
            timestamp: at(10),
            stateEnteredEventDetails: { name: 'ValidateFinding' },
          },
        ],
        nextToken: 'page2',
      })
      .resolvesOnce({
        events: [
          {
            id: 3,
            type: 'TaskStateEntered',
            timestamp: at(20),
            stateEnteredEventDetails: { name: 'StopTask' },
          },
          {
            id: 4,
            type: 'TaskFailed',
            timestamp: at(30),
            taskFailedEventDetails: {
              resourceType: 'lambda',
              resource: 'invoke',
              error: 'Boom',
              cause: 'bad',
            },
          },
          { id: 5, type: 'ExecutionSucceeded', timestamp: at(40) },
        ],
      });
    const { io, out } = streams();

    // Act
    const code = await incident(['aaa', '--json'], io, deps);

    // Assert
    expect(code).toBe(0);
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[1]?.args[0].input.nextToken).toBe('page2');
    const printed = JSON.parse(out());
    expect(printed.evidence).toEqual(['s3://evidence/incidents/aaa/isolation.json']);
    expect(printed.timeline.map((e: { event: string }) => e.event)).toEqual([
      'finding first seen',
      // Same instant as the execution start: the incident's own entries come first.
      'incident opened',
      'finding last seen (2 times)',
      'execution started',
      'step ValidateFinding',
      'step StopTask',
      'TaskFailed: Boom bad',
      'execution succeeded',
    ]);
  });

  test('an unknown incident is a message and exit code 1', async () => {
    // Arrange
    ddb.on(GetItemCommand).resolves({});
    const { io, err } = streams();

    // Act
    const code = await incident(['nope'], io, deps);

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain('no incident nope in table incidents');
  });
});

describe('executions', () => {
  const item = (machine: string, name: string, hoursAgo: number, status = 'SUCCEEDED'): ExecutionListItem =>
    ({
      executionArn: executionArn(machine, name),
      stateMachineArn: machine,
      name,
      status,
      startDate: new Date(NOW - hoursAgo * HOUR),
    }) as ExecutionListItem;

  test('lists every state machine page by page, stopping once a page reaches past the window', async () => {
    // Arrange
    sfn
      .on(ListExecutionsCommand, { stateMachineArn: RUNTIME })
      .resolvesOnce({ executions: [item(RUNTIME, 'r1', 1), item(RUNTIME, 'r2', 3)], nextToken: 't2' })
      .resolvesOnce({ executions: [item(RUNTIME, 'r3', 20), item(RUNTIME, 'r4', 30)], nextToken: 't3' })
      .resolvesOnce({ executions: [item(RUNTIME, 'r5', 40)] });
    sfn
      .on(ListExecutionsCommand, { stateMachineArn: IMAGE })
      .resolves({ executions: [item(IMAGE, 'i1', 2, 'FAILED')] });
    sfn.on(ListExecutionsCommand, { stateMachineArn: PUSH }).resolves({ executions: [item(PUSH, 'p1', 4)] });
    const { io, out } = streams();

    // Act
    const code = await executions(['--json'], io, deps);

    // Assert
    expect(code).toBe(0);
    const runtimeCalls = sfn
      .commandCalls(ListExecutionsCommand)
      .map((c) => c.args[0].input)
      .filter((i) => i.stateMachineArn === RUNTIME);
    expect(runtimeCalls.map((i) => i.nextToken)).toEqual([undefined, 't2']);
    const printed = JSON.parse(out());
    expect(printed.executions.map((e: { name: string }) => e.name)).toEqual(['r1', 'i1', 'r2', 'p1', 'r3']);
    expect(printed.counts).toEqual({ SUCCEEDED: 4, FAILED: 1 });
  });

  test('--status is passed to Step Functions as the status filter', async () => {
    // Arrange
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });

    // Act
    await executions(['--status', 'failed'], streams().io, deps);

    // Assert
    const inputs = sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(3);
    for (const input of inputs) expect(input.statusFilter).toBe('FAILED');
  });

  test('an unknown status is a usage error', async () => {
    await expect(executions(['--status', 'BROKEN'], streams().io, deps)).rejects.toThrow(UsageError);
  });

  test('access denied names the Step Functions action', async () => {
    // Arrange
    sfn.on(ListExecutionsCommand).rejects(
      Object.assign(
        new Error(
          'User: arn:aws:iam::111122223333:user/bob is not authorized to perform: states:ListExecutions',
        ),
        {
          name: 'AccessDeniedException',
          $metadata: { httpStatusCode: 400 },
        },
      ),
    );
    const { io, err, out } = streams();

    // Act
    const code = await executions([], io, deps);

    // Assert
    expect(code).toBe(1);
    expect(out()).toBe('');
    expect(err()).toContain('access denied for states:ListExecutions');
  });
});
