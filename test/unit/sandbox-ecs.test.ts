/**
 * The ECS sandbox service driven through the real SDK v3 clients (transport replaced), so
 * inputs, outputs and errors are exactly what the Lambda handlers see.
 */

import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { UpdateImageStorageClassCommand } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServicesCommand,
  ListTasksCommand,
  StopTaskCommand,
  TagResourceCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DEFAULT_STOP_TIMEOUT_S,
  EcsService,
  FARGATE_MAX_STOP_TIMEOUT_S,
  STOP_STEP_MS,
  STOPPED_TASK_RETENTION_MS,
} from '../../local/sandbox/ecs';
import {
  ACCOUNT,
  type ContainerSandbox,
  clockedContext,
  containerSandbox,
  REGION,
  REGISTRY,
} from '../helpers/container-sandbox';

/** A Fargate service `web` in cluster `prod` running one task from an image of this account's ECR. */
function serviceWithTask(env: ContainerSandbox) {
  const digest = env.ecr.putImage({ repository: 'web', tags: ['v1'] });
  const image = `${REGISTRY}/web:v1`;
  const taskDefinitionArn = env.ecs.putTaskDefinition({
    family: 'web',
    networkMode: 'awsvpc',
    containers: [{ name: 'app', image }],
  });
  env.ecs.putService({ cluster: 'prod', name: 'web', taskDefinitionArn, launchType: 'FARGATE' });
  const taskArn = env.ecs.putTask({
    cluster: 'prod',
    taskDefinitionArn,
    group: 'service:web',
    launchType: 'FARGATE',
    containers: [{ name: 'app', image, imageDigest: digest }],
    eniId: 'eni-0123456789abcdef0',
    subnetId: 'subnet-1',
    tags: [{ key: 'team', value: 'payments' }],
  });
  return { digest, image, taskDefinitionArn, taskArn };
}

describe('ECS', () => {
  test('StopTask returns the task still RUNNING with desiredStatus STOPPED, deletes its tags, and the service starts a RUNNING replacement', async () => {
    // Prepare
    const env = containerSandbox();
    const { taskArn, digest } = serviceWithTask(env);

    // Act
    const { task } = await env.ecsClient.send(
      new StopTaskCommand({ cluster: 'prod', task: taskArn, reason: 'shield-right: contained' }),
    );
    env.ecs.launchPendingReplacements();

    // Assess
    expect(task).toMatchObject({
      lastStatus: 'RUNNING',
      desiredStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'shield-right: contained',
    });
    expect(task?.stoppingAt).toEqual(new Date(env.ctx.now()));
    expect(task?.executionStoppedAt).toBeUndefined();
    expect(task?.stoppedAt).toBeUndefined();
    const described = await env.ecsClient.send(
      new DescribeTasksCommand({ cluster: 'prod', tasks: [taskArn], include: ['TAGS'] }),
    );
    expect(described.tasks?.[0]?.tags).toEqual([]);
    const running = await env.ecsClient.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'web' }));
    expect(running.taskArns).toHaveLength(1);
    expect(running.taskArns?.[0]).not.toBe(taskArn);
    const replacement = await env.ecsClient.send(
      new DescribeTasksCommand({ cluster: 'prod', tasks: running.taskArns ?? [] }),
    );
    expect(replacement.tasks?.[0]).toMatchObject({ lastStatus: 'RUNNING', group: 'service:web' });
    // The deployment's resolved digest is reused, as ECS version consistency does.
    expect(replacement.tasks?.[0]?.containers?.[0]?.imageDigest).toBe(digest);
    const services = await env.ecsClient.send(
      new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }),
    );
    expect(services.services?.[0]).toMatchObject({ desiredCount: 1, runningCount: 1 });
  });

  test('the replacement fails to start when its image digest is archived', async () => {
    // Prepare
    const env = containerSandbox();
    const { taskArn, digest } = serviceWithTask(env);
    await env.ecrClient.send(
      new UpdateImageStorageClassCommand({
        repositoryName: 'web',
        imageId: { imageDigest: digest },
        targetStorageClass: 'ARCHIVE',
      }),
    );

    // Act
    await env.ecsClient.send(new StopTaskCommand({ cluster: 'prod', task: taskArn }));
    env.ecs.launchPendingReplacements();

    // Assess
    const running = await env.ecsClient.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'web' }));
    expect(running.taskArns).toEqual([]);
    const stopped = await env.ecsClient.send(
      new ListTasksCommand({ cluster: 'prod', serviceName: 'web', desiredStatus: 'STOPPED' }),
    );
    const failedArn = stopped.taskArns?.find((arn) => arn !== taskArn) ?? '';
    const failed = await env.ecsClient.send(
      new DescribeTasksCommand({ cluster: 'prod', tasks: [failedArn] }),
    );
    expect(failed.tasks?.[0]).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart' });
    expect(failed.tasks?.[0]?.stoppedReason).toMatch(/^CannotPullContainerError: /);
    const services = await env.ecsClient.send(
      new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }),
    );
    expect(services.services?.[0]).toMatchObject({ desiredCount: 1, runningCount: 0 });
  });

  test('a second StopTask of a stopping task returns it unchanged; a STOPPED task disappears an hour after stoppedAt', async () => {
    const env = containerSandbox();
    const { taskArn } = serviceWithTask(env);
    const first = await env.ecsClient.send(
      new StopTaskCommand({ cluster: 'prod', task: taskArn, reason: 'one' }),
    );
    const again = await env.ecsClient.send(
      new StopTaskCommand({ cluster: 'prod', task: taskArn, reason: 'two' }),
    );
    env.ecs.launchPendingReplacements();
    expect(again.task).toEqual(first.task);
    expect(again.task?.stoppedReason).toBe('one');
    expect((await env.ecsClient.send(new ListTasksCommand({ cluster: 'prod' }))).taskArns).toHaveLength(1);

    env.ctx.advance(STOP_STEP_MS * 3 + DEFAULT_STOP_TIMEOUT_S * 1000);
    const stopped = await env.ecsClient.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [taskArn] }));
    expect(stopped.tasks?.[0]?.lastStatus).toBe('STOPPED');
    env.ctx.advance(STOPPED_TASK_RETENTION_MS);
    expect(
      (await env.ecsClient.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [taskArn] }))).tasks,
    ).toHaveLength(1);
    env.ctx.advance(1);
    const described = await env.ecsClient.send(
      new DescribeTasksCommand({ cluster: 'prod', tasks: [taskArn] }),
    );
    expect(described.failures).toEqual([{ arn: taskArn, reason: 'MISSING' }]);
  });

  test('StopTask of an unknown task and an over-long reason are InvalidParameterException', async () => {
    const env = containerSandbox();
    const { taskArn } = serviceWithTask(env);
    await expect(
      env.ecsClient.send(new StopTaskCommand({ cluster: 'prod', task: 'f'.repeat(32) })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'The referenced task was not found.',
    });
    await expect(
      env.ecsClient.send(new StopTaskCommand({ cluster: 'prod', task: taskArn, reason: 'x'.repeat(256) })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      env.ecsClient.send(new StopTaskCommand({ cluster: 'nope', task: taskArn })),
    ).rejects.toMatchObject({
      name: 'ClusterNotFoundException',
    });
  });

  test('DescribeTasks reports unknown tasks as MISSING failures and returns tags only when asked', async () => {
    const env = containerSandbox();
    const { taskArn } = serviceWithTask(env);
    const unknown = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${'0'.repeat(32)}`;

    const out = await env.ecsClient.send(
      new DescribeTasksCommand({ cluster: 'prod', tasks: [taskArn, unknown] }),
    );

    expect(out.failures).toEqual([{ arn: unknown, reason: 'MISSING' }]);
    const [task] = out.tasks ?? [];
    expect(task?.tags).toBeUndefined();
    expect(task?.attachments?.[0]).toMatchObject({ type: 'ElasticNetworkInterface', status: 'ATTACHED' });
    expect(task?.attachments?.[0]?.details).toEqual(
      expect.arrayContaining([
        { name: 'networkInterfaceId', value: 'eni-0123456789abcdef0' },
        { name: 'subnetId', value: 'subnet-1' },
      ]),
    );
    const withTags = await env.ecsClient.send(
      new DescribeTasksCommand({
        cluster: 'prod',
        tasks: [taskArn.split('/').pop() ?? ''],
        include: ['TAGS'],
      }),
    );
    expect(withTags.tasks?.[0]?.tags).toEqual([{ key: 'team', value: 'payments' }]);
  });

  test('ListTasks paginates with maxResults and nextToken', async () => {
    const env = containerSandbox();
    const arns = Array.from({ length: 5 }, () =>
      env.ecs.putTask({
        cluster: 'batch',
        taskDefinitionArn: 'job:1',
        launchType: 'FARGATE',
        containers: [{ name: 'job', image: 'public.ecr.aws/docker/library/busybox:latest' }],
      }),
    );

    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await env.ecsClient.send(
        new ListTasksCommand({ cluster: 'batch', family: 'job', maxResults: 2, nextToken }),
      );
      pages.push(page.taskArns ?? []);
      nextToken = page.nextToken;
    } while (nextToken);

    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(arns);
  });

  test('TagResource refuses a stopped task and more than 50 tags', async () => {
    const env = containerSandbox();
    const { taskArn } = serviceWithTask(env);
    const tooMany = Array.from({ length: 51 }, (_, index) => ({ key: `k${index}`, value: 'v' }));
    await expect(
      env.ecsClient.send(new TagResourceCommand({ resourceArn: taskArn, tags: tooMany })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await env.ecsClient.send(new StopTaskCommand({ cluster: 'prod', task: taskArn }));
    await expect(
      env.ecsClient.send(new TagResourceCommand({ resourceArn: taskArn, tags: [{ key: 'a', value: 'b' }] })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  test('draining a container instance moves service tasks only when another instance can host them', async () => {
    const env = containerSandbox();
    const taskDefinitionArn = env.ecs.putTaskDefinition({
      family: 'api',
      networkMode: 'bridge',
      containers: [{ name: 'api', image: 'public.ecr.aws/nginx/nginx:1' }],
    });
    env.ecs.putService({ cluster: 'ec2', name: 'api', taskDefinitionArn, launchType: 'EC2' });
    const first = env.ecs.putContainerInstance({ cluster: 'ec2', ec2InstanceId: 'i-1' });
    const taskArn = env.ecs.putTask({
      cluster: 'ec2',
      taskDefinitionArn,
      group: 'service:api',
      launchType: 'EC2',
      containerInstanceArn: first,
      containers: [{ name: 'api', image: 'public.ecr.aws/nginx/nginx:1' }],
    });

    await env.ecsClient.send(
      new UpdateContainerInstancesStateCommand({
        cluster: 'ec2',
        containerInstances: [first],
        status: 'DRAINING',
      }),
    );
    const alone = await env.ecsClient.send(new DescribeTasksCommand({ cluster: 'ec2', tasks: [taskArn] }));
    expect(alone.tasks?.[0]?.lastStatus).toBe('RUNNING');

    const second = env.ecs.putContainerInstance({ cluster: 'ec2', ec2InstanceId: 'i-2' });
    await env.ecsClient.send(
      new UpdateContainerInstancesStateCommand({
        cluster: 'ec2',
        containerInstances: [first],
        status: 'ACTIVE',
      }),
    );
    await env.ecsClient.send(
      new UpdateContainerInstancesStateCommand({
        cluster: 'ec2',
        containerInstances: [first],
        status: 'DRAINING',
      }),
    );
    const moved = await env.ecsClient.send(new DescribeTasksCommand({ cluster: 'ec2', tasks: [taskArn] }));
    expect(moved.tasks?.[0]).toMatchObject({
      lastStatus: 'RUNNING',
      desiredStatus: 'STOPPED',
      stopCode: 'ServiceSchedulerInitiated',
    });
    env.ctx.advance(STOP_STEP_MS * 2 + DEFAULT_STOP_TIMEOUT_S * 1000);
    const gone = await env.ecsClient.send(new DescribeTasksCommand({ cluster: 'ec2', tasks: [taskArn] }));
    expect(gone.tasks?.[0]?.lastStatus).toBe('STOPPED');
    const onSecond = await env.ecsClient.send(
      new ListTasksCommand({ cluster: 'ec2', containerInstance: second }),
    );
    expect(onSecond.taskArns).toHaveLength(1);
  });

  test('ListServices answers 10 services a page by default, and up to 100 with maxResults', async () => {
    const env = containerSandbox();
    const taskDefinitionArn = env.ecs.putTaskDefinition({
      family: 'svc',
      networkMode: 'awsvpc',
      containers: [{ name: 'app', image: 'public.ecr.aws/nginx/nginx:1' }],
    });
    for (let i = 0; i < 12; i++) env.ecs.putService({ cluster: 'prod', name: `svc-${i}`, taskDefinitionArn });

    const first = await env.ecsClient.send(new ListServicesCommand({ cluster: 'prod' }));
    const rest = await env.ecsClient.send(
      new ListServicesCommand({ cluster: 'prod', nextToken: first.nextToken, maxResults: 100 }),
    );

    expect(first.serviceArns).toHaveLength(10);
    expect(first.nextToken).toBeDefined();
    expect(rest.serviceArns).toHaveLength(2);
    expect(rest.nextToken).toBeUndefined();
    await expect(
      env.ecsClient.send(new ListServicesCommand({ cluster: 'prod', maxResults: 101 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  test("a service's network configuration is described, and the tasks it starts get its security groups", async () => {
    const env = containerSandbox();
    env.ec2.putSubnet({ subnetId: 'subnet-1', vpcId: 'vpc-1' });
    env.ec2.putSecurityGroup({ groupId: 'sg-web', vpcId: 'vpc-1' });
    const taskDefinitionArn = env.ecs.putTaskDefinition({
      family: 'web',
      networkMode: 'awsvpc',
      containers: [{ name: 'app', image: 'public.ecr.aws/nginx/nginx:1' }],
    });
    env.ecs.putService({
      cluster: 'prod',
      name: 'web',
      taskDefinitionArn,
      launchType: 'FARGATE',
      desiredCount: 0,
      network: { subnets: ['subnet-1'], securityGroups: ['sg-web'] },
    });

    const described = await env.ecsClient.send(
      new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }),
    );
    await env.ecsClient.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', desiredCount: 1 }));
    const [started = ''] =
      (await env.ecsClient.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'web' }))).taskArns ??
      [];
    const task = (await env.ecsClient.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [started] })))
      .tasks?.[0];
    const eniId = task?.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value;
    const enis = await env.ec2Client.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: ['sg-web'] }] }),
    );

    const network = {
      awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-web'], assignPublicIp: 'DISABLED' },
    };
    expect(described.services?.[0]?.networkConfiguration).toEqual(network);
    expect(described.services?.[0]?.deployments?.[0]?.networkConfiguration).toEqual(network);
    expect(eniId).toBeDefined();
    expect(enis.NetworkInterfaces?.map((n) => [n.NetworkInterfaceId, n.RequesterManaged])).toEqual([
      [eniId, true],
    ]);
  });

  test('draining leaves the tasks that belong to no service running on the instance', async () => {
    const env = containerSandbox();
    const taskDefinitionArn = env.ecs.putTaskDefinition({
      family: 'batch',
      networkMode: 'bridge',
      containers: [{ name: 'job', image: 'public.ecr.aws/nginx/nginx:1' }],
    });
    const first = env.ecs.putContainerInstance({ cluster: 'ec2', ec2InstanceId: 'i-1' });
    env.ecs.putContainerInstance({ cluster: 'ec2', ec2InstanceId: 'i-2' });
    const taskArn = env.ecs.putTask({
      cluster: 'ec2',
      taskDefinitionArn,
      launchType: 'EC2',
      containerInstanceArn: first,
      containers: [{ name: 'job', image: 'public.ecr.aws/nginx/nginx:1' }],
    });

    await env.ecsClient.send(
      new UpdateContainerInstancesStateCommand({
        cluster: 'ec2',
        containerInstances: [first],
        status: 'DRAINING',
      }),
    );

    const after = await env.ecsClient.send(new DescribeTasksCommand({ cluster: 'ec2', tasks: [taskArn] }));
    expect(after.tasks?.[0]).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
  });

  test('snapshot and restore round-trip the state', async () => {
    const env = containerSandbox();
    const { taskArn } = serviceWithTask(env);
    const state = JSON.parse(JSON.stringify(env.ecs.snapshot()));
    const copy = new EcsService(clockedContext(), { imagePullable: () => true });
    copy.restore(state);
    expect(copy.snapshot()).toEqual(env.ecs.snapshot());
    expect(copy.getTask(taskArn)?.tags).toEqual([{ key: 'team', value: 'payments' }]);
  });

  describe('a stop on the sandbox clock', () => {
    /** A Fargate task of service `api` whose two containers give 60 s and 10 s to stop. */
    function fargateTask(env: ContainerSandbox, stopTimeouts: [number, number]) {
      const image = `${REGISTRY}/api:v1`;
      const taskDefinitionArn = env.ecs.putTaskDefinition({
        family: 'api',
        networkMode: 'awsvpc',
        containers: [
          { name: 'app', image, stopTimeout: stopTimeouts[0] },
          { name: 'sidecar', image, stopTimeout: stopTimeouts[1] },
        ],
      });
      env.ecs.putService({ cluster: 'prod', name: 'api', taskDefinitionArn, launchType: 'FARGATE' });
      return env.ecs.putTask({
        cluster: 'prod',
        taskDefinitionArn,
        group: 'service:api',
        launchType: 'FARGATE',
        containers: [
          { name: 'app', image },
          { name: 'sidecar', image },
        ],
        eniId: 'eni-0fedcba9876543210',
      });
    }

    async function describe1(env: ContainerSandbox, taskArn: string) {
      const out = await env.ecsClient.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [taskArn] }));
      return out.tasks?.[0];
    }

    test('lastStatus passes DEACTIVATING, STOPPING and DEPROVISIONING to STOPPED; SIGKILL comes after the longest stopTimeout', async () => {
      // Prepare
      const env = containerSandbox();
      const taskArn = fargateTask(env, [60, 10]);
      const start = env.ctx.now();

      // Act
      await env.ecsClient.send(new StopTaskCommand({ cluster: 'prod', task: taskArn, reason: 'contained' }));

      // Assess: each status at the first moment it holds and the last moment before the next one
      const seen: Array<[number, string | undefined, string | undefined]> = [];
      const killedAt = STOP_STEP_MS * 2 + 60_000;
      for (const at of [
        0,
        STOP_STEP_MS - 1,
        STOP_STEP_MS,
        STOP_STEP_MS * 2,
        killedAt - 1,
        killedAt,
        killedAt + STOP_STEP_MS - 1,
        killedAt + STOP_STEP_MS,
      ]) {
        env.ctx.advance(start + at - env.ctx.now());
        const task = await describe1(env, taskArn);
        seen.push([at, task?.lastStatus, task?.containers?.[0]?.lastStatus]);
      }
      expect(seen).toEqual([
        [0, 'RUNNING', 'RUNNING'],
        [STOP_STEP_MS - 1, 'RUNNING', 'RUNNING'],
        [STOP_STEP_MS, 'DEACTIVATING', 'RUNNING'],
        [STOP_STEP_MS * 2, 'STOPPING', 'RUNNING'],
        [killedAt - 1, 'STOPPING', 'RUNNING'],
        [killedAt, 'DEPROVISIONING', 'STOPPED'],
        [killedAt + STOP_STEP_MS - 1, 'DEPROVISIONING', 'STOPPED'],
        [killedAt + STOP_STEP_MS, 'STOPPED', 'STOPPED'],
      ]);
      const stopped = await describe1(env, taskArn);
      expect(stopped).toMatchObject({
        desiredStatus: 'STOPPED',
        stopCode: 'UserInitiated',
        stoppedReason: 'contained',
        stoppingAt: new Date(start),
        executionStoppedAt: new Date(start + killedAt),
        stoppedAt: new Date(start + killedAt + STOP_STEP_MS),
      });
      expect(stopped?.attachments?.[0]?.status).toBe('DELETED');
    });

    test('Fargate caps stopTimeout at 120 s; an EC2 bridge task without one gets 30 s and no DEPROVISIONING', async () => {
      // Prepare
      const env = containerSandbox();
      const fargate = fargateTask(env, [300, 5]);
      const ec2 = env.ecs.putTask({
        cluster: 'prod',
        taskDefinitionArn: 'batch:1',
        launchType: 'EC2',
        containers: [{ name: 'job', image: 'public.ecr.aws/docker/library/busybox:1' }],
      });

      // Act
      await env.ecsClient.send(new StopTaskCommand({ cluster: 'prod', task: fargate }));
      await env.ecsClient.send(new StopTaskCommand({ cluster: 'prod', task: ec2 }));
      env.ctx.advance(STOP_STEP_MS * 2 + DEFAULT_STOP_TIMEOUT_S * 1000);
      const ec2Stopped = await describe1(env, ec2);
      env.ctx.advance((FARGATE_MAX_STOP_TIMEOUT_S - DEFAULT_STOP_TIMEOUT_S) * 1000 + STOP_STEP_MS - 1);
      const fargateBefore = await describe1(env, fargate);
      env.ctx.advance(1);
      const fargateAfter = await describe1(env, fargate);

      // Assess
      expect(ec2Stopped?.lastStatus).toBe('STOPPED');
      expect(ec2Stopped?.executionStoppedAt).toEqual(ec2Stopped?.stoppedAt);
      expect(fargateBefore?.lastStatus).toBe('DEPROVISIONING');
      expect(fargateAfter?.lastStatus).toBe('STOPPED');
    });

    test('a stopping task is listed under desiredStatus STOPPED and no longer counts as running for its service', async () => {
      // Prepare
      const env = containerSandbox();
      const taskArn = fargateTask(env, [30, 30]);

      // Act
      await env.ecsClient.send(new StopTaskCommand({ cluster: 'prod', task: taskArn }));
      env.ctx.advance(STOP_STEP_MS * 2);

      // Assess
      expect((await describe1(env, taskArn))?.lastStatus).toBe('STOPPING');
      const running = await env.ecsClient.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'api' }));
      expect(running.taskArns).toEqual([]);
      const stopping = await env.ecsClient.send(
        new ListTasksCommand({ cluster: 'prod', serviceName: 'api', desiredStatus: 'STOPPED' }),
      );
      expect(stopping.taskArns).toEqual([taskArn]);
      const services = await env.ecsClient.send(
        new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }),
      );
      expect(services.services?.[0]?.runningCount).toBe(0);
      await expect(
        env.ecsClient.send(
          new TagResourceCommand({ resourceArn: taskArn, tags: [{ key: 'k', value: 'v' }] }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    });

    test('a stop in progress survives a snapshot and finishes on the restoring sandbox clock', async () => {
      // Prepare
      const env = containerSandbox();
      const taskArn = fargateTask(env, [30, 30]);
      await env.ecsClient.send(new StopTaskCommand({ cluster: 'prod', task: taskArn }));
      const state = JSON.parse(JSON.stringify(env.ecs.snapshot()));

      // Act
      const ctx = clockedContext();
      const copy = new EcsService(ctx, { imagePullable: () => true });
      copy.restore(state);
      const during = copy.getTask(taskArn);
      ctx.advance(STOP_STEP_MS * 3 + DEFAULT_STOP_TIMEOUT_S * 1000);
      const after = copy.getTask(taskArn);

      // Assess
      expect(during).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED' });
      expect(after).toMatchObject({ lastStatus: 'STOPPED', stopProgress: undefined });
    });
  });
});
