import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { UsageError } from '../../bin/cli-support';
import { executions } from '../../bin/commands/executions';
import {
  compactTimestamp,
  discoverDeployment,
  EXECUTION_NAME,
  executionName,
  parseSince,
  rerunName,
  STACK_OUTPUTS,
} from '../../bin/commands/operator-context';
import { OUTPUT_IDS } from '../../cdk/shield-right';
import { streams } from '../helpers/cli';

const cfn = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);
const NOW = Date.UTC(2026, 10, 28, 9, 8, 7, 6);

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

beforeEach(() => {
  cfn.reset();
  sfn.reset();
});

describe('execution names', () => {
  test('respond names: the finding, the label and a millisecond timestamp', () => {
    expect(compactTimestamp(NOW)).toBe('20261128T090807006Z');
    expect(executionName('5ec2a7f4d1b9e8c3a6f0d2b4c8e1a9f7', 'respond', NOW)).toBe(
      '5ec2a7f4d1b9e8c3a6f0d2b4c8e1a9f7-respond-20261128T090807006Z',
    );
  });

  test.each([['finding/0f1e:2d3c 4b5a.69'], ['x'.repeat(300)], ['---'], ['é🙂'], ['']])(
    'any base gives a valid name of at most 80 characters: %j',
    (base) => {
      const name = executionName(base, 'respond', NOW);
      expect(name).toMatch(EXECUTION_NAME);
      expect(name.endsWith('-respond-20261128T090807006Z')).toBe(true);
    },
  );

  test('the same finding at the same instant gives the same name', () => {
    expect(executionName('abc', 'respond', NOW)).toBe(executionName('abc', 'respond', NOW));
    expect(executionName('abc', 'respond', NOW)).not.toBe(executionName('abc', 'respond', NOW + 1));
  });

  test('rerun names replace an earlier rerun suffix but keep a respond suffix', () => {
    expect(rerunName('abc-0001-rerun-20261101T000000000Z', NOW)).toBe('abc-0001-rerun-20261128T090807006Z');
    expect(rerunName('abc-respond-20261101T000000000Z', NOW)).toBe(
      'abc-respond-20261101T000000000Z-rerun-20261128T090807006Z',
    );
  });
});

describe('parseSince', () => {
  test.each([
    ['30m', NOW - 30 * 60_000],
    ['24h', NOW - 24 * 3_600_000],
    ['7d', NOW - 7 * 86_400_000],
    ['2w', NOW - 14 * 86_400_000],
    ['2026-11-01T00:00:00Z', Date.UTC(2026, 10, 1)],
  ])('%s', (text, expected) => {
    expect(parseSince(text, NOW)).toBe(expected);
  });

  test('anything else is a usage error', () => {
    expect(() => parseSince('last week', NOW)).toThrow(UsageError);
  });
});

describe('stack discovery', () => {
  const outputs = (keys: readonly string[]) =>
    keys.map((OutputKey) => ({
      OutputKey,
      OutputValue:
        OutputKey === 'RuntimeThreatResponseArn'
          ? 'arn:aws:states:ap-southeast-2:111122223333:stateMachine:Runtime'
          : `value-of-${OutputKey}`,
    }));

  test('the output ids are the ones the stack declares', () => {
    expect(STACK_OUTPUTS).toEqual(OUTPUT_IDS);
  });

  test('reads every resource from the outputs, the region from the state machine ARN', async () => {
    // Arrange
    cfn.on(DescribeStacksCommand, { StackName: 'Prod-Shield' }).resolves({
      Stacks: [
        {
          StackName: 'Prod-Shield',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: outputs(Object.values(STACK_OUTPUTS)),
        },
      ],
    });

    // Act
    const deployment = await discoverDeployment(
      new CloudFormationClient({ region: 'us-east-1' }),
      'Prod-Shield',
    );

    // Assert
    expect(deployment).toEqual({
      stackName: 'Prod-Shield',
      stateMachines: {
        RuntimeThreatResponse: 'arn:aws:states:ap-southeast-2:111122223333:stateMachine:Runtime',
        VulnerableImageResponse: 'value-of-VulnerableImageResponseArn',
        ImagePushCheck: 'value-of-ImagePushCheckArn',
        ImageTrustResponse: 'value-of-ImageTrustResponseArn',
      },
      table: 'value-of-IncidentTableName',
      bucket: 'value-of-EvidenceBucketName',
      topicArn: 'value-of-TopicArn',
      region: 'ap-southeast-2',
    });
  });

  test('a stack without the outputs is not taken for shield-right', async () => {
    // Arrange
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Other',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: outputs(['TopicArn']),
        },
      ],
    });
    const { io, err } = streams();

    // Act
    const code = await executions(['--stack-name', 'Other'], io, { now: () => NOW });

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain('stack Other has no output RuntimeThreatResponseArn');
    expect(sfn.calls()).toHaveLength(0);
  });

  test('a missing stack says so and how to point at the right one', async () => {
    // Arrange
    cfn
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', 'Stack with id ShieldRight does not exist'));
    const { io, err } = streams();

    // Act
    const code = await executions([], io, { now: () => NOW });

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain('stack ShieldRight does not exist in this account and region');
    expect(err()).toContain('--stack-name');
  });

  test('missing credentials say how to provide them', async () => {
    // Arrange
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const { io, err } = streams();

    // Act
    const code = await executions([], io, { now: () => NOW });

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain('no AWS credentials found');
    expect(err()).toContain('AWS_PROFILE');
  });

  test('access denied on the stack names cloudformation:DescribeStacks', async () => {
    // Arrange
    cfn.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'not authorized'));
    const { io, err } = streams();

    // Act
    const code = await executions([], io, { now: () => NOW });

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain('access denied for cloudformation:DescribeStacks');
  });

  test('an error that is not from AWS is not hidden', async () => {
    cfn.on(DescribeStacksCommand).rejects(new TypeError('a bug'));
    await expect(executions([], streams().io, { now: () => NOW })).rejects.toThrow('a bug');
  });
});

describe('--sandbox', () => {
  test('a directory without a saved sandbox is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shield-right-empty-'));
    try {
      await expect(executions(['--sandbox', dir], streams().io)).rejects.toThrow(/no sandbox saved in/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
