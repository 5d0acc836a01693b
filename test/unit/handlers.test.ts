import 'aws-sdk-client-mock-jest';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  UpdateImageStorageClassCommand,
} from '@aws-sdk/client-ecr';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_CONFIG, policyEnvironment } from '../../definitions/config';
import { InvalidFindingError, StepInputError } from '../../lambdas/core/errors';
import { normalizeRuntimeFinding, type RuntimeFinding } from '../../lambdas/core/finding';
import { decideRuntimeResponse, type TaskEnrichment } from '../../lambdas/core/policy';
import { ACCOUNT, inspectorEvent, REGION, runtimeEvent } from '../../local/fixtures/events';

// Handlers read their environment when loaded: set it before importing them (see beforeAll).
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:shield-right-notifications`;
const TABLE = 'shield-right-incidents';
const BUCKET = 'shield-right-evidence';
const POLICY = policyEnvironment(DEFAULT_CONFIG).SHIELD_RIGHT_POLICY ?? '';
process.env.TOPIC_ARN = TOPIC;
process.env.INCIDENT_TABLE = TABLE;
process.env.EVIDENCE_BUCKET = BUCKET;
process.env.SHIELD_RIGHT_POLICY = POLICY;

type Handler<M extends { handler: unknown }> = M['handler'];
let validate: Handler<typeof import('../../lambdas/validate/handler')>;
let enrich: Handler<typeof import('../../lambdas/enrich/handler')>;
let quarantine: Handler<typeof import('../../lambdas/quarantine/handler')>;
let exposure: Handler<typeof import('../../lambdas/exposure/handler')>;
let notify: Handler<typeof import('../../lambdas/notify/handler')>;
let reportFailure: Handler<typeof import('../../lambdas/report-failure/handler')>;

beforeAll(async () => {
  validate = (await import('../../lambdas/validate/handler')).handler;
  enrich = (await import('../../lambdas/enrich/handler')).handler;
  quarantine = (await import('../../lambdas/quarantine/handler')).handler;
  exposure = (await import('../../lambdas/exposure/handler')).handler;
  notify = (await import('../../lambdas/notify/handler')).handler;
  reportFailure = (await import('../../lambdas/report-failure/handler')).handler;
});

const ecsMock = mockClient(ECSClient);
const ecrMock = mockClient(ECRClient);
const s3Mock = mockClient(S3Client);
const snsMock = mockClient(SNSClient);
const ddbMock = mockClient(DynamoDBClient);
const sfnMock = mockClient(SFNClient);

beforeEach(() => {
  for (const mock of [ecsMock, ecrMock, s3Mock, snsMock, ddbMock, sfnMock]) mock.reset();
  process.env.SHIELD_RIGHT_POLICY = POLICY;
});

const FINDING_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const TASK_ID = '0123456789abcdef0123456789abcdef';
const TASK_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${TASK_ID}`;
const EXECUTION_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:execution:shield-right-runtime:${FINDING_ID}-1`;
const DIGEST = `sha256:${'e'.repeat(64)}`;

function finding(severity = 8): RuntimeFinding {
  return normalizeRuntimeFinding(runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity }));
}

async function rejected(promise: Promise<unknown>): Promise<InvalidFindingError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof InvalidFindingError) return err;
    throw err;
  }
  throw new Error('expected an InvalidFindingError');
}

/** A step refusing input the workflow should never have given it names itself and the field. */
async function refused(promise: Promise<unknown>, step: string): Promise<StepInputError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof StepInputError) {
      expect(err.name).toBe('StepInputError');
      expect(err.step).toBe(step);
      expect(err.message).toContain(`${step}: ${err.field}: `);
      return err;
    }
    throw err;
  }
  throw new Error('expected a StepInputError');
}

describe('validate handler', () => {
  it('normalizes a GuardDuty event into a runtime finding', async () => {
    const result = await validate(runtimeEvent({ id: FINDING_ID, taskId: TASK_ID }));

    expect(result).toMatchObject({ kind: 'runtime', incidentId: FINDING_ID, task: { arn: TASK_ARN } });
  });

  it('normalizes an Inspector event into a vulnerability finding', async () => {
    const result = await validate(inspectorEvent({ digest: DIGEST }));

    expect(result.kind).toBe('vulnerability');
    expect(result).toMatchObject({ image: { digest: DIGEST, repository: 'payments-api' } });
  });

  it('throws InvalidFindingError naming the bad field', async () => {
    const event = runtimeEvent();
    const detail = event.detail as Record<string, unknown>;
    detail.severity = 'very high';

    const err = await rejected(validate(event));

    expect(err.field).toBe('detail.severity');
    expect(err.name).toBe('InvalidFindingError');
  });

  it('rejects a non-object event', async () => {
    expect((await rejected(validate(42))).field).toBe('event');
  });

  it('refuses a cross-account task unless ALLOWED_ACCOUNTS lists the account', async () => {
    const other = '444455556666';
    const event = runtimeEvent();
    const details = (event.detail as { resource: { ecsClusterDetails: { taskDetails: { arn: string } } } })
      .resource.ecsClusterDetails.taskDetails;
    details.arn = `arn:aws:ecs:${REGION}:${other}:task/prod/${TASK_ID}`;

    await expect(validate(event)).rejects.toMatchObject({ name: 'CrossAccountFindingError' });

    process.env.ALLOWED_ACCOUNTS = `${other},not-an-account`;
    let allowing: typeof validate | undefined;
    await jest.isolateModulesAsync(async () => {
      allowing = (await import('../../lambdas/validate/handler')).handler;
    });
    delete process.env.ALLOWED_ACCOUNTS;
    await expect(allowing?.(event)).resolves.toMatchObject({ task: { arn: details.arn } });
  });
});

describe('enrich handler', () => {
  function runningTask(): void {
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: TASK_ARN,
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          launchType: 'FARGATE',
          attachments: [
            { type: 'ElasticNetworkInterface', details: [{ name: 'networkInterfaceId', value: 'eni-1' }] },
          ],
          // The image and digest ECS describes are what a quarantine targets, never the finding's.
          containers: [
            {
              name: 'app',
              image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payments-api:v1.4.2`,
              imageDigest: DIGEST,
            },
          ],
        },
      ],
    });
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [{ serviceName: 'payments-api', runningCount: 3, desiredCount: 3 }],
    });
    ecsMock.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'prod' }] });
  }

  it('describes the task and decides with the policy from SHIELD_RIGHT_POLICY', async () => {
    runningTask();

    const output = await enrich({ finding: finding(8) });

    expect(output.enrichment).toMatchObject({ found: true, eniId: 'eni-1', networkMode: 'awsvpc' });
    expect(output.plan).toMatchObject({
      disposition: 'contain',
      path: 'act',
      stop: true,
      // The stop is the containment: no isolation after it.
      isolate: false,
      quarantine: true,
      digests: [DIGEST],
    });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTasksCommand, { tasks: [TASK_ARN] });
  });

  it('follows a changed SHIELD_RIGHT_POLICY (observe mode)', async () => {
    runningTask();
    process.env.SHIELD_RIGHT_POLICY = policyEnvironment({
      ...DEFAULT_CONFIG,
      mode: 'observe',
    }).SHIELD_RIGHT_POLICY;

    const output = await enrich({ finding: finding(8) });

    expect(output.plan.disposition).toBe('observe');
    expect(output.plan.path).toBe('notify');
  });

  it('sets the TTL from incidentRetentionDays', async () => {
    runningTask();
    process.env.SHIELD_RIGHT_POLICY = policyEnvironment({
      ...DEFAULT_CONFIG,
      incidentRetentionDays: 1,
    }).SHIELD_RIGHT_POLICY;
    const before = Math.floor(Date.now() / 1000);

    const output = await enrich({ finding: finding(8) });

    expect(output.plan.ttl).toBeGreaterThanOrEqual(before + 86_400);
    expect(output.plan.ttl).toBeLessThan(before + 2 * 86_400);
  });

  it('returns no enrichment for a cluster-level finding', async () => {
    const clusterLevel = normalizeRuntimeFinding(runtimeEvent({ withoutTask: true }));

    const output = await enrich({ finding: clusterLevel });

    expect(output).not.toHaveProperty('enrichment');
    expect(output.plan.disposition).toBe('no-task');
    expect(ecsMock).not.toHaveReceivedAnyCommand();
  });

  it.each<[string, unknown, string]>([
    ['no finding', undefined, 'input.finding'],
    ['a vulnerability finding', { kind: 'vulnerability' }, 'input.finding.kind'],
    ['a raw event', runtimeEvent(), 'input.finding.kind'],
    ['a finding without its cluster', { ...finding(), cluster: undefined }, 'input.finding.cluster'],
  ])('refuses %s', async (_case, input, field) => {
    expect((await refused(enrich({ finding: input }), 'EnrichAndDecide')).field).toBe(field);
  });

  it('fails at load when SHIELD_RIGHT_POLICY is missing or invalid', async () => {
    delete process.env.SHIELD_RIGHT_POLICY;
    await expect(
      jest.isolateModulesAsync(async () => {
        await import('../../lambdas/enrich/handler');
      }),
    ).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: 'environment variable SHIELD_RIGHT_POLICY is not set',
    });

    process.env.SHIELD_RIGHT_POLICY = '{"mode":"destroy"}';
    await expect(
      jest.isolateModulesAsync(async () => {
        await import('../../lambdas/enrich/handler');
      }),
    ).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining('SHIELD_RIGHT_POLICY is invalid: shield-right.mode'),
    });
  });
});

describe('quarantine handler', () => {
  const target = {
    containerName: 'app',
    registryId: ACCOUNT,
    region: REGION,
    repository: 'payments-api',
    digest: DIGEST,
  };
  const valid = {
    incidentId: FINDING_ID,
    strategy: 'archive',
    quarantineTag: 'quarantine-a1b2c3d4e5f6',
    targets: [target],
  };

  it.each<[string, unknown, string]>([
    ['a non-object', 'quarantine', 'input'],
    ['a missing incidentId', { ...valid, incidentId: undefined }, 'input.incidentId'],
    ['a missing quarantineTag', { ...valid, quarantineTag: 7 }, 'input.quarantineTag'],
    ['an unknown strategy', { ...valid, strategy: 'delete' }, 'input.strategy'],
    ['targets that are not a list', { ...valid, targets: target }, 'input.targets'],
    [
      'a target without repository',
      { ...valid, targets: [{ registryId: ACCOUNT }] },
      'input.targets[0].repository',
    ],
    ['a target that is a string', { ...valid, targets: ['payments-api'] }, 'input.targets[0]'],
  ])('refuses %s, touching nothing', async (_case, input, field) => {
    expect((await refused(quarantine(input), 'QuarantineImage')).field).toBe(field);
    expect(ecrMock).not.toHaveReceivedAnyCommand();
    expect(s3Mock).not.toHaveReceivedAnyCommand();
  });

  it('quarantines the targets, writing evidence to EVIDENCE_BUCKET', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: DIGEST, imageStatus: 'ACTIVE' }] });
    ecrMock.on(DescribeRepositoriesCommand).resolves({ repositories: [{ imageTagMutability: 'MUTABLE' }] });
    // The manifest is read (and saved with the evidence) before the image is archived.
    ecrMock.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: '{"schemaVersion":2}' }] });
    ecrMock.on(UpdateImageStorageClassCommand).resolves({});
    s3Mock.on(PutObjectCommand).resolves({});

    const result = await quarantine(valid);

    expect(result).toMatchObject({ status: 'done', images: [{ digest: DIGEST, archived: true }] });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: BUCKET });
  });

  it('skips everything for strategy none', async () => {
    expect(await quarantine({ ...valid, strategy: 'none' })).toEqual({ status: 'skipped', images: [] });
    expect(ecrMock).not.toHaveReceivedAnyCommand();
  });
});

describe('exposure handler', () => {
  it.each<[string, unknown, string]>([
    ['a non-object', [DIGEST], 'input'],
    ['missing digests', { clusters: ['prod'] }, 'input.digests'],
    ['digests that are not a list', { digests: DIGEST }, 'input.digests'],
  ])('refuses %s', async (_case, input, field) => {
    expect((await refused(exposure(input), 'MeasureBlastRadius')).field).toBe(field);
  });

  it('scans the given clusters, leaving out the excluded task', async () => {
    const other = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${'f'.repeat(32)}`;
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [TASK_ARN, other] });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn: other, containers: [{ name: 'app', image: 'img', imageDigest: DIGEST }] }],
    });

    const result = await exposure({
      digests: [DIGEST, 42],
      clusters: ['prod'],
      excludeTaskArns: [TASK_ARN],
      maxTasks: 10,
    });

    expect(result).toEqual({
      tasks: [{ taskArn: other, clusterArn: 'prod', image: 'img', digest: DIGEST }],
      scannedTasks: 1,
      truncated: false,
    });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTasksCommand, { cluster: 'prod', tasks: [other] });
  });
});

describe('notify handler', () => {
  const enrichment: TaskEnrichment = {
    found: true,
    lastStatus: 'RUNNING',
    networkMode: 'awsvpc',
    eniId: 'eni-1',
    containers: [{ name: 'app', image: 'img', digest: DIGEST }],
    taskTags: {},
    service: { name: 'payments-api', runningCount: 3, desiredCount: 3, tags: {} },
    clusterTags: {},
  };

  function request(kind = 'response') {
    const f = finding(8);
    const plan = decideRuntimeResponse(f, enrichment, DEFAULT_CONFIG, Date.UTC(2026, 10, 28, 10, 3));
    return {
      plan,
      input: {
        kind,
        state: {
          finding: f,
          assessment: { enrichment, plan },
          results: { isolate: { status: 'done' } },
          stop: { status: 'done', taskArn: TASK_ARN },
        },
        execution: { arn: EXECUTION_ARN, name: `${FINDING_ID}-1` },
      },
    };
  }

  it('renders, publishes to TOPIC_ARN and records the outcome on the incident', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    ddbMock.on(UpdateItemCommand).resolves({});
    const { plan, input } = request();

    const result = await notify(input);

    expect(result).toMatchObject({ kind: 'contained', published: true, messageId: 'msg-1' });
    expect(result.subject.length).toBeGreaterThan(0);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: result.subject,
      MessageStructure: 'json',
    });
    const message = JSON.parse(snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}') as {
      default?: string;
      email?: string;
    };
    expect(message.email).toContain(FINDING_ID);
    expect(message.email).toContain(`incidents/${FINDING_ID}/${FINDING_ID}-1/evidence.json`);
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE,
      Key: { pk: { S: `INCIDENT#${FINDING_ID}` } },
    });
    const values = ddbMock.commandCalls(UpdateItemCommand)[0]?.args[0].input.ExpressionAttributeValues;
    expect(values).toMatchObject({
      ':status': { S: 'CONTAINED' },
      ':disposition': { S: 'contain' },
      ':exec': { S: EXECUTION_ARN },
      ':ttl': { N: String(plan.ttl) },
      ':notification': { S: '{"published":true,"messageId":"msg-1"}' },
    });
    expect(JSON.parse(values?.[':outcome']?.S ?? '{}')).toEqual({
      isolate: { status: 'done' },
      stop: { status: 'done', taskArn: TASK_ARN },
    });
  });

  it('does not throw when the publish fails, and records that it failed', async () => {
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('topic gone'), { name: 'NotFoundException' }));
    ddbMock.on(UpdateItemCommand).resolves({});

    const result = await notify(request().input);

    expect(result).toMatchObject({
      kind: 'contained',
      published: false,
      error: 'NotFoundException: topic gone',
    });
    const values = ddbMock.commandCalls(UpdateItemCommand)[0]?.args[0].input.ExpressionAttributeValues;
    expect(values?.[':notification']).toEqual({
      S: '{"published":false,"error":"NotFoundException: topic gone"}',
    });
  });

  it('leaves the status and the execution of the incident alone for a repeat', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'msg-2' });
    ddbMock.on(UpdateItemCommand).resolves({});

    await notify(request('repeat').input);

    const update = ddbMock.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(update?.UpdateExpression).not.toContain('#status');
    expect(update?.UpdateExpression).not.toContain('executionArn');
  });

  it('publishes an invalid-input alert without touching the incident table', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'msg-3' });

    const result = await notify({
      kind: 'invalid-input',
      state: {
        source: 'aws.guardduty',
        rejection: { Error: 'InvalidFindingError', Cause: 'detail.id: bad' },
      },
      execution: { arn: EXECUTION_ARN, name: 'bad-1' },
    });

    expect(result).toMatchObject({ kind: 'invalid-input', published: true });
    expect(ddbMock).not.toHaveReceivedAnyCommand();
  });

  it('refuses a malformed request before publishing anything', async () => {
    expect((await refused(notify({ kind: 'shout', state: {} }), 'Notify')).field).toBe('input.kind');
    expect(snsMock).not.toHaveReceivedAnyCommand();
  });
});

describe('report-failure handler', () => {
  function failureEvent(detail: Record<string, unknown> = {}) {
    return {
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      region: REGION,
      detail: {
        executionArn: EXECUTION_ARN,
        name: `${FINDING_ID}-1`,
        status: 'FAILED',
        error: 'States.TaskFailed',
        cause: 'from the event',
        input: JSON.stringify(runtimeEvent({ id: FINDING_ID, taskId: TASK_ID })),
        ...detail,
      },
    };
  }

  function failedHistory(): void {
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: [
        {
          id: 4,
          timestamp: new Date(),
          type: 'ExecutionFailed',
          executionFailedEventDetails: { error: 'AccessDeniedException' },
        },
        {
          id: 3,
          timestamp: new Date(),
          type: 'TaskFailed',
          taskFailedEventDetails: {
            resourceType: 'lambda',
            resource: 'invoke',
            error: 'AccessDeniedException',
            cause: 'not authorized to ecr:PutImage',
          },
        },
        { id: 2, timestamp: new Date(), type: 'TaskScheduled' },
        {
          id: 1,
          timestamp: new Date(),
          type: 'TaskStateEntered',
          stateEnteredEventDetails: { name: 'QuarantineImage' },
        },
      ],
    });
  }

  it('notifies which step failed and why, and marks the incident FAILED', async () => {
    failedHistory();
    snsMock.on(PublishCommand).resolves({ MessageId: 'msg-f' });
    ddbMock.on(UpdateItemCommand).resolves({});

    const result = await reportFailure(failureEvent());

    expect(result).toEqual({
      notified: true,
      failure: {
        state: 'QuarantineImage',
        error: 'AccessDeniedException',
        cause: 'not authorized to ecr:PutImage',
      },
    });
    expect(sfnMock).toHaveReceivedCommandWith(GetExecutionHistoryCommand, { executionArn: EXECUTION_ARN });
    const publish = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(publish?.TopicArn).toBe(TOPIC);
    expect(publish?.Subject).toContain('QuarantineImage');
    expect(publish?.Message).toContain('AccessDeniedException');
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE,
      Key: { pk: { S: `INCIDENT#${FINDING_ID}` } },
      ConditionExpression: 'attribute_exists(pk) AND (#status = :open OR executionArn = :exec)',
      ExpressionAttributeValues: expect.objectContaining({
        ':failed': { S: 'FAILED' },
        ':exec': { S: EXECUTION_ARN },
      }),
    });
  });

  it('reports a step that refused its input (StepInputError) like any other failure', async () => {
    const cause = 'EnrichAndDecide: input.finding.containers: Invalid key';
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: [
        {
          id: 3,
          timestamp: new Date(),
          type: 'ExecutionFailed',
          executionFailedEventDetails: { error: 'StepInputError', cause },
        },
        {
          id: 2,
          previousEventId: 1,
          timestamp: new Date(),
          type: 'LambdaFunctionFailed',
          lambdaFunctionFailedEventDetails: { error: 'StepInputError', cause },
        },
        {
          id: 1,
          timestamp: new Date(),
          type: 'TaskStateEntered',
          stateEnteredEventDetails: { name: 'EnrichAndDecide' },
        },
      ],
    });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    ddbMock.on(UpdateItemCommand).resolves({});

    const result = await reportFailure(failureEvent({ error: 'StepInputError', cause }));

    expect(result).toMatchObject({
      notified: true,
      failure: { state: 'EnrichAndDecide', error: 'StepInputError' },
    });
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Subject).toContain('EnrichAndDecide');
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      Key: { pk: { S: `INCIDENT#${FINDING_ID}` } },
      ExpressionAttributeValues: expect.objectContaining({ ':failed': { S: 'FAILED' } }),
    });
  });

  it('skips executions that failed on an invalid finding (already alerted by the workflow)', async () => {
    const result = await reportFailure(failureEvent({ error: 'InvalidFindingError' }));

    expect(result).toEqual({ notified: false, reason: 'rejected finding, already alerted' });
    expect(sfnMock).not.toHaveReceivedAnyCommand();
    expect(snsMock).not.toHaveReceivedAnyCommand();
    expect(ddbMock).not.toHaveReceivedAnyCommand();
  });

  it('tolerates an incident that was never opened', async () => {
    failedHistory();
    snsMock.on(PublishCommand).resolves({});
    ddbMock
      .on(UpdateItemCommand)
      .rejects(Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' }));

    await expect(reportFailure(failureEvent())).resolves.toMatchObject({ notified: true });
  });

  it('propagates other incident-table errors', async () => {
    failedHistory();
    snsMock.on(PublishCommand).resolves({});
    ddbMock
      .on(UpdateItemCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    await expect(reportFailure(failureEvent())).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('still notifies, without an incident to mark, when the execution input is not a finding', async () => {
    failedHistory();
    snsMock.on(PublishCommand).resolves({});

    const result = await reportFailure(failureEvent({ input: '{"not":"a finding"}' }));

    expect(result.notified).toBe(true);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(ddbMock).not.toHaveReceivedAnyCommand();
  });

  it('reports notified: false when the publish fails, still marking the incident', async () => {
    failedHistory();
    snsMock.on(PublishCommand).rejects(new Error('down'));
    ddbMock.on(UpdateItemCommand).resolves({});

    const result = await reportFailure(failureEvent());

    expect(result.notified).toBe(false);
    expect(ddbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
  });

  it('refuses an event that is not an execution status change', async () => {
    expect((await refused(reportFailure({ detail: {} }), 'ReportFailure')).field).toBe(
      'input.detail.executionArn',
    );
  });
});
