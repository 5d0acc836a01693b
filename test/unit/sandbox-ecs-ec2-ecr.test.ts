/**
 * The ECS, EC2 and ECR sandbox services driven through the real SDK v3 clients (transport replaced), so
 * inputs, outputs and errors are exactly what the Lambda handlers see.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ListImagesCommand,
  PutImageCommand,
  UpdateImageStorageClassCommand,
} from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  StopTaskCommand,
  TagResourceCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import type { FinalizeRequestMiddleware, MiddlewareStack } from '@smithy/types';
import { Ec2Service } from '../../local/sandbox/ec2';
import { EcrService } from '../../local/sandbox/ecr';
import { EcsService, STOPPED_TASK_RETENTION_MS } from '../../local/sandbox/ecs';
import type { AccountContext, SandboxService } from '../../local/sandbox/types';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const clientConfig = {
  region: REGION,
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  maxAttempts: 1,
};

/** Routes every command of `client` to `service`, after the SDK has serialized (and so validated) it. */
function useSandbox<I extends object, O extends object>(
  client: { middlewareStack: MiddlewareStack<I, O> },
  service: SandboxService,
): void {
  const middleware: FinalizeRequestMiddleware<I, O> = (_next, context) => async (args) => {
    const operationName = String(context.commandName).replace(/Command$/, '');
    const operation = service.operations[operationName];
    if (!operation) throw new Error(`sandbox ${service.name} does not implement ${operationName}`);
    const result = await operation(args.input as Record<string, unknown>);
    const output = { ...(result as object), $metadata: { httpStatusCode: 200 } };
    return { output: output as unknown as O, response: {} };
  };
  client.middlewareStack.addRelativeTo(middleware, {
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    name: 'sandboxTransportTest',
  });
}

function testContext(): AccountContext & { advance(ms: number): void } {
  let clock = Date.parse('2025-06-01T12:00:00Z');
  let counter = 0;
  return {
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    now: () => clock,
    nextId: (prefix, length = 17) => {
      counter += 1;
      return `${prefix}${counter.toString(16).padStart(length, '0')}`;
    },
    advance: (ms) => {
      clock += ms;
    },
  };
}

function setup() {
  const ctx = testContext();
  const ecr = new EcrService(ctx);
  const ecs = new EcsService(ctx, { imagePullable: (image, digest) => ecr.imagePullable(image, digest) });
  const ec2 = new Ec2Service(ctx);
  const ecsClient = new ECSClient(clientConfig);
  const ec2Client = new EC2Client(clientConfig);
  const ecrClient = new ECRClient(clientConfig);
  useSandbox(ecsClient, ecs);
  useSandbox(ec2Client, ec2);
  useSandbox(ecrClient, ecr);
  return { ctx, ecr, ecs, ec2, ecsClient, ec2Client, ecrClient };
}

/** A Fargate service `web` in cluster `prod` running one task from an image of this account's ECR. */
function serviceWithTask(env: ReturnType<typeof setup>) {
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
    const env = setup();
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
    const env = setup();
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
    const env = setup();
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
    const env = setup();
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
    const env = setup();
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
    const env = setup();
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
    const env = setup();
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
    const env = setup();
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
    const env = setup();
    const { taskArn } = serviceWithTask(env);
    const state = JSON.parse(JSON.stringify(env.ecs.snapshot()));
    const copy = new EcsService(testContext(), { imagePullable: () => true });
    copy.restore(state);
    expect(copy.snapshot()).toEqual(env.ecs.snapshot());
    expect(copy.getTask(taskArn)?.tags).toEqual([{ key: 'team', value: 'payments' }]);
  });
});

describe('EC2', () => {
  function network(env: ReturnType<typeof setup>) {
    const groupId = env.ec2.putSecurityGroup({
      groupId: 'sg-task',
      groupName: 'task',
      vpcId: 'vpc-1',
      ingress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }],
    });
    const taskEni = env.ec2.putNetworkInterface({
      networkInterfaceId: 'eni-task',
      subnetId: 'subnet-1',
      vpcId: 'vpc-1',
      groups: [groupId],
      requesterManaged: true,
    });
    return { groupId, taskEni };
  }

  test('ModifyNetworkInterfaceAttribute is refused on a requester-managed ENI', async () => {
    const env = setup();
    const { taskEni } = network(env);
    env.ec2.putSecurityGroup({ groupId: 'sg-quarantine', vpcId: 'vpc-1', egress: [] });

    const described = await env.ec2Client.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [taskEni] }),
    );
    expect(described.NetworkInterfaces?.[0]).toMatchObject({
      RequesterManaged: true,
      Groups: [{ GroupId: 'sg-task', GroupName: 'task' }],
      VpcId: 'vpc-1',
    });
    await expect(
      env.ec2Client.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: taskEni,
          Groups: ['sg-quarantine'],
        }),
      ),
    ).rejects.toMatchObject({ name: 'AuthFailure' });
    await expect(
      env.ec2Client.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-missing'] })),
    ).rejects.toMatchObject({ name: 'InvalidNetworkInterfaceID.NotFound' });
  });

  test('a group used by one ENI can be emptied by revoking all of its rules', async () => {
    const env = setup();
    const { groupId } = network(env);

    const users = await env.ec2Client.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    );
    expect(users.NetworkInterfaces?.map((eni) => eni.NetworkInterfaceId)).toEqual(['eni-task']);
    const { SecurityGroupRules: rules = [] } = await env.ec2Client.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    );
    expect(rules).toHaveLength(2);
    expect(rules.find((rule) => rule.IsEgress)).toMatchObject({
      IpProtocol: '-1',
      FromPort: -1,
      ToPort: -1,
      CidrIpv4: '0.0.0.0/0',
    });
    const ids = (egress: boolean) =>
      rules.filter((rule) => rule.IsEgress === egress).map((rule) => rule.SecurityGroupRuleId ?? '');

    const ingress = await env.ec2Client.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: ids(false) }),
    );
    await env.ec2Client.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: groupId, SecurityGroupRuleIds: ids(true) }),
    );

    expect(ingress.RevokedSecurityGroupRules?.[0]).toMatchObject({ CidrIpv4: '10.0.0.0/16', FromPort: 443 });
    const after = await env.ec2Client.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    expect(after.SecurityGroups?.[0]).toMatchObject({ IpPermissions: [], IpPermissionsEgress: [] });
    await expect(
      env.ec2Client.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: ids(false) }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidSecurityGroupRuleId.NotFound' });
    await expect(
      env.ec2Client.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPermission.NotFound' });
    await expect(
      env.ec2Client.send(
        new RevokeSecurityGroupEgressCommand({ GroupId: 'sg-gone', SecurityGroupRuleIds: ['x'] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
  });

  test('AuthorizeSecurityGroupIngress canonicalizes CIDRs and refuses duplicates', async () => {
    const env = setup();
    const { groupId } = network(env);
    const permission = {
      IpProtocol: '6',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: '192.168.1.7/24' }],
    };

    const added = await env.ec2Client.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }),
    );

    expect(added.SecurityGroupRules?.[0]).toMatchObject({ IpProtocol: 'tcp', CidrIpv4: '192.168.1.0/24' });
    await expect(
      env.ec2Client.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPermission.Duplicate' });
  });

  test('ModifyInstanceAttribute replaces the groups of a single-ENI instance only', async () => {
    const env = setup();
    env.ec2.putSecurityGroup({ groupId: 'sg-host', vpcId: 'vpc-1' });
    env.ec2.putSecurityGroup({ groupId: 'sg-isolate', vpcId: 'vpc-1', egress: [] });
    const instanceId = env.ec2.putInstance({
      instanceId: 'i-host',
      vpcId: 'vpc-1',
      subnetId: 'subnet-1',
      groups: ['sg-host'],
    });

    await env.ec2Client.send(
      new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: ['sg-isolate'] }),
    );

    const out = await env.ec2Client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = out.Reservations?.[0]?.Instances?.[0];
    expect(instance?.SecurityGroups).toEqual([{ GroupId: 'sg-isolate', GroupName: 'sg-isolate' }]);
    expect(instance?.NetworkInterfaces?.[0]?.Groups).toEqual([
      { GroupId: 'sg-isolate', GroupName: 'sg-isolate' },
    ]);

    // An awsvpc task ENI on the instance makes the instance-level change ambiguous: AWS refuses it.
    env.ec2.putNetworkInterface({
      subnetId: 'subnet-1',
      vpcId: 'vpc-1',
      groups: ['sg-host'],
      requesterManaged: true,
      attachmentInstanceId: instanceId,
    });
    await expect(
      env.ec2Client.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: ['sg-host'] })),
    ).rejects.toMatchObject({ name: 'InvalidInstanceID' });
  });

  test('snapshot and restore round-trip the state', () => {
    const env = setup();
    network(env);
    const copy = new Ec2Service(testContext());
    copy.restore(JSON.parse(JSON.stringify(env.ec2.snapshot())));
    expect(copy.snapshot()).toEqual(env.ec2.snapshot());
  });
});

describe('ECR', () => {
  test('retag flow: new tag, ImageAlreadyExistsException on retry, old tag deleted', async () => {
    // Prepare
    const env = setup();
    // A digest taken from a finding: the sandbox keeps it although it is not the hash of the manifest.
    const digest = env.ecr.putImage({ repository: 'web', tags: ['v1'], digest: `sha256:${'ab'.repeat(32)}` });
    const got = await env.ecrClient.send(
      new BatchGetImageCommand({ repositoryName: 'web', imageIds: [{ imageDigest: digest }] }),
    );
    const image = got.images?.[0];
    const put = {
      repositoryName: 'web',
      imageManifest: image?.imageManifest,
      imageManifestMediaType: image?.imageManifestMediaType,
      imageTag: 'quarantined-v1',
    };

    // Act
    const pushed = await env.ecrClient.send(new PutImageCommand(put));
    const retry = env.ecrClient.send(new PutImageCommand(put));
    const deleted = await env.ecrClient.send(
      new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] }),
    );

    // Assess
    expect(pushed.image?.imageId).toEqual({ imageDigest: digest, imageTag: 'quarantined-v1' });
    await expect(retry).rejects.toMatchObject({ name: 'ImageAlreadyExistsException' });
    expect(deleted).toMatchObject({ imageIds: [{ imageDigest: digest, imageTag: 'v1' }], failures: [] });
    const described = await env.ecrClient.send(
      new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageDigest: digest }] }),
    );
    expect(described.imageDetails?.[0]?.imageTags).toEqual(['quarantined-v1']);
  });

  test('deleting the last tag of an image deletes the image', async () => {
    const env = setup();
    const digest = env.ecr.putImage({ repository: 'web', tags: ['only'] });

    await env.ecrClient.send(
      new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'only' }] }),
    );

    const listed = await env.ecrClient.send(
      new ListImagesCommand({ repositoryName: 'web', filter: { imageStatus: 'ANY' } }),
    );
    expect(listed.imageIds).toEqual([]);
    await expect(
      env.ecrClient.send(
        new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageDigest: digest }] }),
      ),
    ).rejects.toMatchObject({ name: 'ImageNotFoundException' });
    const again = await env.ecrClient.send(
      new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'only' }] }),
    );
    expect(again.failures?.[0]).toMatchObject({ failureCode: 'ImageNotFound' });
  });

  test('an IMMUTABLE repository refuses to move a tag unless an exclusion filter matches it', async () => {
    const env = setup();
    env.ecr.putRepository({
      name: 'locked',
      mutability: 'IMMUTABLE_WITH_EXCLUSION',
      exclusionFilters: ['latest*'],
    });
    env.ecr.putImage({ repository: 'locked', tags: ['v1', 'latest'] });
    const other = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      n: 2,
    });

    await expect(
      env.ecrClient.send(
        new PutImageCommand({ repositoryName: 'locked', imageManifest: other, imageTag: 'v1' }),
      ),
    ).rejects.toMatchObject({ name: 'ImageTagAlreadyExistsException' });
    const moved = await env.ecrClient.send(
      new PutImageCommand({ repositoryName: 'locked', imageManifest: other, imageTag: 'latest' }),
    );
    expect(moved.image?.imageId?.imageTag).toBe('latest');
    const repos = await env.ecrClient.send(new DescribeRepositoriesCommand({ repositoryNames: ['locked'] }));
    expect(repos.repositories?.[0]).toMatchObject({
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest*' }],
      repositoryUri: `${REGISTRY}/locked`,
    });
    // Untagging is allowed in an immutable repository.
    await env.ecrClient.send(
      new BatchDeleteImageCommand({ repositoryName: 'locked', imageIds: [{ imageTag: 'v1' }] }),
    );
  });

  test('archiving makes an image ARCHIVED, unpullable and absent from BatchGetImage', async () => {
    const env = setup();
    const digest = env.ecr.putImage({ repository: 'web', tags: ['v1'] });
    expect(env.ecr.imagePullable(`${REGISTRY}/web:v1`, undefined)).toBe(true);

    const archived = await env.ecrClient.send(
      new UpdateImageStorageClassCommand({
        repositoryName: 'web',
        imageId: { imageTag: 'v1' },
        targetStorageClass: 'ARCHIVE',
      }),
    );

    expect(archived).toMatchObject({
      imageId: { imageDigest: digest, imageTag: 'v1' },
      imageStatus: 'ARCHIVED',
    });
    const described = await env.ecrClient.send(
      new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageDigest: digest }] }),
    );
    expect(described.imageDetails?.[0]).toMatchObject({ imageStatus: 'ARCHIVED', imageTags: ['v1'] });
    expect(described.imageDetails?.[0]?.lastArchivedAt).toBeInstanceOf(Date);
    expect(env.ecr.imagePullable(`${REGISTRY}/web:v1`, undefined)).toBe(false);
    expect(env.ecr.imagePullable(`${REGISTRY}/web@${digest}`, undefined)).toBe(false);
    expect(env.ecr.imagePullable('docker.io/library/nginx:latest', undefined)).toBe(true);
    const listed = await env.ecrClient.send(new DescribeImagesCommand({ repositoryName: 'web' }));
    expect(listed.imageDetails).toEqual([]);
    const got = await env.ecrClient.send(
      new BatchGetImageCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] }),
    );
    expect(got).toMatchObject({ images: [], failures: [{ failureCode: 'ImageNotFound' }] });

    await env.ecrClient.send(
      new UpdateImageStorageClassCommand({
        repositoryName: 'web',
        imageId: { imageDigest: digest },
        targetStorageClass: 'STANDARD',
      }),
    );
    expect(env.ecr.imagePullable(`${REGISTRY}/web:v1`, digest)).toBe(true);
  });

  test('unknown repositories are RepositoryNotFoundException; snapshot round-trips', async () => {
    const env = setup();
    env.ecr.putImage({ repository: 'web', tags: ['v1'] });
    await expect(
      env.ecrClient.send(new DescribeImagesCommand({ repositoryName: 'nope' })),
    ).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
    const copy = new EcrService(testContext());
    copy.restore(JSON.parse(JSON.stringify(env.ecr.snapshot())));
    expect(copy.snapshot()).toEqual(env.ecr.snapshot());
    expect(copy.imagePullable(`${REGISTRY}/web:v1`, undefined)).toBe(true);
  });
});
