import 'aws-sdk-client-mock-jest';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { enrichRuntimeFinding, tagMap } from '../../lambdas/actions/enrich';
import { normalizeRuntimeFinding, type RuntimeFinding } from '../../lambdas/core/finding';
import { ACCOUNT, REGION, type RuntimeEventOptions, runtimeEvent } from '../../local/fixtures/events';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: REGION });

const TASK_ID = '0123456789abcdef0123456789abcdef';
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;
const TASK_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${TASK_ID}`;
const DIGEST = `sha256:${'c'.repeat(64)}`;
const SIDECAR_DIGEST = `sha256:${'d'.repeat(64)}`;

function finding(options: RuntimeEventOptions = {}): RuntimeFinding {
  return normalizeRuntimeFinding(runtimeEvent({ taskId: TASK_ID, ...options }));
}

function fargateTask(overrides: Partial<Task> = {}): Task {
  return {
    taskArn: TASK_ARN,
    clusterArn: CLUSTER_ARN,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    launchType: 'FARGATE',
    taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/payments-api:3`,
    attachments: [
      {
        type: 'ElasticNetworkInterface',
        status: 'ATTACHED',
        details: [
          { name: 'subnetId', value: 'subnet-0abc' },
          { name: 'networkInterfaceId', value: 'eni-0123456789abcdef0' },
          { name: 'privateIPv4Address', value: '10.0.1.23' },
        ],
      },
    ],
    containers: [
      { name: 'app', image: 'repo/app:1', imageDigest: DIGEST },
      { name: 'envoy', image: 'repo/envoy:1', imageDigest: SIDECAR_DIGEST },
      { name: 'init' },
    ],
    group: 'service:payments-api',
    tags: [{ key: 'team', value: 'payments' }],
    ...overrides,
  };
}

beforeEach(() => {
  ecsMock.reset();
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [
      {
        serviceName: 'payments-api',
        serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/payments-api`,
        runningCount: 3,
        desiredCount: 4,
        tags: [{ key: 'shield-right:exempt', value: 'false' }],
      },
    ],
  });
  // The service lists the task: membership proven from the service side.
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [TASK_ARN] });
  ecsMock.on(DescribeClustersCommand).resolves({
    clusters: [{ clusterArn: CLUSTER_ARN, clusterName: 'prod', tags: [{ key: 'env', value: 'production' }] }],
  });
});

describe('enrichRuntimeFinding', () => {
  it('describes a running awsvpc task: ENI, digests, tags, service and cluster (never the finding tags)', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [fargateTask()] });

    const enrichment = await enrichRuntimeFinding(ecs, finding({ clusterTags: { owner: 'sec' } }));

    expect(enrichment).toEqual({
      found: true,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      launchType: 'FARGATE',
      networkMode: 'awsvpc',
      eniId: 'eni-0123456789abcdef0',
      subnetId: 'subnet-0abc',
      privateIp: '10.0.1.23',
      taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/payments-api:3`,
      group: 'service:payments-api',
      containers: [
        { name: 'app', image: 'repo/app:1', digest: DIGEST },
        { name: 'envoy', image: 'repo/envoy:1', digest: SIDECAR_DIGEST },
        { name: 'init', image: 'unknown' },
      ],
      taskTags: { team: 'payments' },
      service: {
        name: 'payments-api',
        arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/payments-api`,
        runningCount: 3,
        desiredCount: 4,
        tags: { 'shield-right:exempt': 'false' },
      },
      clusterArn: CLUSTER_ARN,
      clusterTags: { env: 'production' },
    });
  });

  it('asks ECS for the task, service and cluster with their tags', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [fargateTask()] });

    await enrichRuntimeFinding(ecs, finding());

    expect(ecsMock).toHaveReceivedCommandWith(DescribeTasksCommand, {
      cluster: CLUSTER_ARN,
      tasks: [TASK_ARN],
      include: ['TAGS'],
    });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, {
      cluster: CLUSTER_ARN,
      services: ['payments-api'],
      include: ['TAGS'],
    });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeClustersCommand, {
      clusters: [CLUSTER_ARN],
      include: ['TAGS'],
    });
    expect(ecsMock).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: CLUSTER_ARN,
      serviceName: 'payments-api',
    });
  });

  it('a service that does not list the task is not its service', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [fargateTask()] });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });

    const enrichment = await enrichRuntimeFinding(ecs, finding());

    expect(enrichment?.service).toBeUndefined();
    expect(enrichment?.discrepancies).toEqual([
      "the task's group names service payments-api, but that service does not list the task: handled as a standalone task",
    ]);
  });

  it('reports a task ECS no longer knows as found: false, with its cluster and no service', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [],
      failures: [{ arn: TASK_ARN, reason: 'MISSING' }],
    });

    const enrichment = await enrichRuntimeFinding(ecs, finding());

    expect(enrichment).toMatchObject({
      found: false,
      networkMode: 'unknown',
      containers: [],
      taskTags: {},
      clusterTags: { env: 'production' },
    });
    expect(enrichment?.service).toBeUndefined();
    expect(enrichment?.eniId).toBeUndefined();
  });

  it('reports an already stopped task with its reason', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        fargateTask({
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stoppedReason: 'Essential container in task exited',
        }),
      ],
    });

    const enrichment = await enrichRuntimeFinding(ecs, finding());

    expect(enrichment).toMatchObject({
      found: true,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedReason: 'Essential container in task exited',
    });
  });

  it('recognizes an EC2 task without ENI as bridge mode on its container instance', async () => {
    const containerInstanceArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/prod/abc`;
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [fargateTask({ launchType: 'EC2', attachments: [], containerInstanceArn })],
    });

    const enrichment = await enrichRuntimeFinding(ecs, finding({ launchType: 'EC2' }));

    expect(enrichment).toMatchObject({ networkMode: 'bridge', containerInstanceArn, launchType: 'EC2' });
    expect(enrichment?.eniId).toBeUndefined();
  });

  it('does not describe a service for a task that belongs to none', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [fargateTask({ group: 'family:batch' })] });

    const enrichment = await enrichRuntimeFinding(ecs, finding({ service: null }));

    expect(ecsMock).not.toHaveReceivedCommand(DescribeServicesCommand);
    expect(enrichment?.service).toBeUndefined();
  });

  it('omits the service when ECS does not return it', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [fargateTask()] });
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });

    const enrichment = await enrichRuntimeFinding(ecs, finding());

    expect(enrichment?.service).toBeUndefined();
  });

  it('returns undefined and calls nothing for a cluster-level finding', async () => {
    const enrichment = await enrichRuntimeFinding(ecs, finding({ withoutTask: true }));

    expect(enrichment).toBeUndefined();
    expect(ecsMock).not.toHaveReceivedAnyCommand();
  });

  it('propagates throttling so the workflow retries the step', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ecsMock.on(DescribeTasksCommand).rejects(throttled);

    await expect(enrichRuntimeFinding(ecs, finding())).rejects.toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
    });
  });
});

describe('tagMap', () => {
  it('turns ECS tags into a map, skipping tags without a key', () => {
    expect(tagMap([{ key: 'a', value: '1' }, { key: 'b' }, { value: 'orphan' }])).toEqual({ a: '1', b: '' });
    expect(tagMap(undefined)).toEqual({});
  });
});
