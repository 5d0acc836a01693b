import 'aws-sdk-client-mock-jest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import {
  GetFindingsCommand,
  GuardDutyClient,
  Finding$ as GuardDutyFinding,
  ListDetectorsCommand,
} from '@aws-sdk/client-guardduty';
import {
  Inspector2Client,
  Finding$ as InspectorFinding,
  ListFindingsCommand,
} from '@aws-sdk/client-inspector2';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { marshall } from '@aws-sdk/util-dynamodb';
import { NormalizedSchema } from '@smithy/core/schema';
import { mockClient } from 'aws-sdk-client-mock';
import { UsageError } from '../../bin/cli-support';
import { respond } from '../../bin/commands/respond';
import { normalizeRuntimeFinding } from '../../lambdas/core/finding';
import { normalizeVulnerabilityFinding } from '../../lambdas/core/vulnerability';
import { loadExample } from '../../local/fixtures/events';
import { wireToSdk } from '../../local/sandbox/guardduty';
import { executionArn, shieldRightStack, streams } from '../helpers/cli';

const cfn = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);
const ddb = mockClient(DynamoDBClient);
const gd = mockClient(GuardDutyClient);
const inspector = mockClient(Inspector2Client);
const ecs = mockClient(ECSClient);

const RUNTIME = 'arn:aws:states:us-east-1:111122223333:stateMachine:ShieldRight-RuntimeThreatResponse';
const IMAGE = 'arn:aws:states:us-east-1:111122223333:stateMachine:ShieldRight-VulnerableImageResponse';
const NOW = Date.UTC(2026, 10, 28, 10, 5, 0, 123);
const deps = { now: () => NOW };

const guardDutyEvent = loadExample('01-high-fargate-crypto-miner.json');
const guardDutyDetail = guardDutyEvent.detail as Record<string, unknown>;
const inspectorEvent = loadExample('06-inspector-critical-ecr.json');
const inspectorDetail = inspectorEvent.detail as Record<string, unknown>;
const FINDING_ID = String(guardDutyDetail.id);
const FINDING_ARN = String(inspectorDetail.findingArn);

function startedInput(): Record<string, unknown> {
  const input = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
  return JSON.parse(input?.input ?? '{}') as Record<string, unknown>;
}

beforeEach(() => {
  for (const m of [cfn, sfn, ddb, gd, inspector, ecs]) m.reset();
  cfn.on(DescribeStacksCommand).resolves(
    shieldRightStack(
      {
        runtime: RUNTIME,
        image: IMAGE,
        table: 'incidents',
        bucket: 'evidence',
        topicArn: 'arn:aws:sns:us-east-1:111122223333:topic',
      },
      'UPDATE_COMPLETE',
    ),
  );
  ddb.on(GetItemCommand).resolves({});
  sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
    executionArn: executionArn(input.stateMachineArn, input.name),
    startDate: new Date(NOW),
  }));
  // The API returns the SDK's shape (PascalCase, Dates), not the event's detail.
  gd.on(ListDetectorsCommand)
    .resolvesOnce({ DetectorIds: ['d-empty'], NextToken: 'next' })
    .resolvesOnce({ DetectorIds: ['d-runtime'] });
  gd.on(GetFindingsCommand, { DetectorId: 'd-empty' }).resolves({ Findings: [] });
  gd.on(GetFindingsCommand, { DetectorId: 'd-runtime' }).resolves({
    Findings: [wireToSdk(NormalizedSchema.of(GuardDutyFinding), guardDutyDetail) as never],
  });
  inspector.on(ListFindingsCommand).resolves({
    findings: [wireToSdk(NormalizedSchema.of(InspectorFinding), inspectorDetail) as never],
  });
});

describe('respond --finding-id (GuardDuty)', () => {
  test('finds the detector, rebuilds the event the rule delivers and starts the runtime workflow', async () => {
    // Arrange
    const { io, out } = streams();

    // Act
    const code = await respond(['--finding-id', FINDING_ID], io, deps);

    // Assert
    expect(code).toBe(0);
    expect(gd.commandCalls(ListDetectorsCommand)[1]?.args[0].input).toEqual({ NextToken: 'next' });
    const start = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(start?.stateMachineArn).toBe(RUNTIME);
    expect(start?.name).toBe(`${FINDING_ID}-respond-20261128T100500123Z`);
    const event = startedInput();
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'GuardDuty Finding',
      source: 'aws.guardduty',
      account: '111122223333',
      region: 'us-east-1',
      resources: [],
    });
    // The rebuilt event is the same finding to the workflow as the one EventBridge delivered.
    const { eventId: _a, ...fromApi } = normalizeRuntimeFinding(event);
    const { eventId: _b, ...original } = normalizeRuntimeFinding(guardDutyEvent);
    expect(fromApi).toEqual(original);
    expect(out()).toContain(`${RUNTIME.replace(':stateMachine:', ':execution:')}:${start?.name}`);
  });

  test('uses the given detector without listing detectors', async () => {
    // Arrange
    const { io } = streams();

    // Act
    await respond(['--finding-id', FINDING_ID, '--detector-id', 'd-runtime'], io, deps);

    // Assert
    expect(gd.commandCalls(ListDetectorsCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  test('a finding no detector holds is an error, and nothing starts', async () => {
    // Arrange
    gd.on(GetFindingsCommand, { DetectorId: 'd-runtime' }).resolves({ Findings: [] });
    const { io, err } = streams();

    // Act
    const code = await respond(['--finding-id', 'abc123'], io, deps);

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain('finding abc123 was not found in GuardDuty detector(s) d-empty, d-runtime');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('refuses an incident already contained, unless --force', async () => {
    // Arrange
    ddb
      .on(GetItemCommand)
      .resolves({ Item: marshall({ pk: `INCIDENT#${FINDING_ID}`, status: 'CONTAINED' }) });
    const refused = streams();
    const forced = streams();

    // Act
    const refusedCode = await respond(
      ['--finding-id', FINDING_ID, '--detector-id', 'd-runtime'],
      refused.io,
      deps,
    );
    const startsBefore = sfn.commandCalls(StartExecutionCommand).length;
    const forcedCode = await respond(
      ['--finding-id', FINDING_ID, '--detector-id', 'd-runtime', '--force'],
      forced.io,
      deps,
    );

    // Assert
    expect(refusedCode).toBe(1);
    expect(startsBefore).toBe(0);
    expect(refused.err()).toContain(`incident ${FINDING_ID} is already CONTAINED`);
    expect(forcedCode).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(forced.err()).toContain('does not act again');
  });
});

describe('respond --finding-id (Inspector ARN)', () => {
  test('reads the finding by ARN and starts the image workflow', async () => {
    // Arrange
    const { io } = streams();

    // Act
    const code = await respond(['--finding-id', FINDING_ARN], io, deps);

    // Assert
    expect(code).toBe(0);
    expect(inspector).toHaveReceivedCommandWith(ListFindingsCommand, {
      filterCriteria: { findingArn: [{ comparison: 'EQUALS', value: FINDING_ARN }] },
    });
    const start = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(start?.stateMachineArn).toBe(IMAGE);
    const event = startedInput();
    expect(event).toMatchObject({ source: 'aws.inspector2', 'detail-type': 'Inspector2 Finding' });
    expect(event.resources).toEqual([
      'arn:aws:ecr:us-east-1:111122223333:repository/payments-api/sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    ]);
    const rebuilt = normalizeVulnerabilityFinding(event);
    const original = normalizeVulnerabilityFinding(inspectorEvent);
    expect({ ...rebuilt, eventId: '' }).toEqual({ ...original, eventId: '' });
  });
});

describe('respond --event', () => {
  test('starts the workflow with the saved event as it is', async () => {
    // Arrange
    const { io } = streams();

    // Act
    const code = await respond(['--event', 'examples/events/01-high-fargate-crypto-miner.json'], io, deps);

    // Assert
    expect(code).toBe(0);
    expect(startedInput()).toEqual(guardDutyEvent);
  });

  test('refuses an event the workflow would reject, starting nothing', async () => {
    // Arrange
    const { io, err } = streams();

    // Act
    const code = await respond(['--event', 'examples/events/07-eks-finding-no-match.json'], io, deps);

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain('the workflow would reject this event: detail.resource.resourceType');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('--dry-run prints the plan from the decision functions and starts nothing', async () => {
    // Arrange
    const task = String(
      (guardDutyDetail.resource as { ecsClusterDetails: { taskDetails: { arn: string } } }).ecsClusterDetails
        .taskDetails.arn,
    );
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: task,
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          launchType: 'FARGATE',
          containers: [],
          tags: [],
        },
      ],
    });
    ecs.on(DescribeServicesCommand).resolves({ services: [] });
    ecs.on(DescribeClustersCommand).resolves({ clusters: [] });
    const { io, out } = streams();

    // Act
    const code = await respond(
      ['--event', 'examples/events/01-high-fargate-crypto-miner.json', '--dry-run', '--json'],
      io,
      deps,
    );

    // Assert
    expect(code).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const printed = JSON.parse(out());
    expect(printed).toMatchObject({ dryRun: true, stateMachineArn: RUNTIME, incident: { status: null } });
    expect(printed.plan).toMatchObject({ disposition: 'contain', path: 'act', stop: true });
  });

  test.each([
    [[], 'either --finding-id'],
    [['--finding-id', 'a', '--event', 'b'], 'either --finding-id'],
    [
      ['--event', 'examples/events/01-high-fargate-crypto-miner.json', '--detector-id', 'd'],
      '--detector-id goes with',
    ],
  ])('usage error for %j', async (argv, message) => {
    await expect(respond(argv, streams().io, deps)).rejects.toThrow(UsageError);
    await expect(respond(argv, streams().io, deps)).rejects.toThrow(message);
  });
});
