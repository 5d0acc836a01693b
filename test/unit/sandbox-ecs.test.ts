/**
 * The ECS sandbox service driven through the real SDK v3 clients (transport replaced), so
 * inputs, outputs and errors are exactly what the Lambda handlers see.
 */
import { UpdateImageStorageClassCommand } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  StopTaskCommand,
  TagResourceCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import { EcsService, STOPPED_TASK_RETENTION_MS } from '../../local/sandbox/ecs';
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
  test('StopTask deletes the task tags and the service starts a RUNNING replacement', async () => {
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
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'shield-right: contained',
    });
    expect(task?.stoppedAt).toBeInstanceOf(Date);
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

  test('stopping a stopped task returns it unchanged; stopped tasks disappear after an hour', async () => {
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
    expect((await env.ecsClient.send(new ListTasksCommand({ cluster: 'prod' }))).taskArns).toHaveLength(1);

    env.ctx.advance(STOPPED_TASK_RETENTION_MS + 1);
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
    expect(moved.tasks?.[0]).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated' });
    const onSecond = await env.ecsClient.send(
      new ListTasksCommand({ cluster: 'ec2', containerInstance: second }),
    );
    expect(onSecond.taskArns).toHaveLength(1);
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
});
