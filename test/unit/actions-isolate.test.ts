import 'aws-sdk-client-mock-jest';
import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type IsolationDeps,
  type IsolationRecord,
  isolateTask,
} from '../../lambdas/actions/network-isolation';
import { normalizeRuntimeFinding, type RuntimeFinding } from '../../lambdas/core/finding';
import type { TaskEnrichment } from '../../lambdas/core/policy';
import { ACCOUNT, REGION, runtimeEvent } from '../../local/fixtures/events';
import { fakeBucket } from '../helpers/s3';

const ec2Mock = mockClient(EC2Client);
const ecsMock = mockClient(ECSClient);
const s3Mock = mockClient(S3Client);

const BUCKET = 'evidence-bucket';
const ENI = 'eni-0aaa';
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;
const CONTAINER_INSTANCE = `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/prod/ci1`;
const INCIDENT = 'incident0001';

function deps(quarantineGroups: Record<string, string> = {}): IsolationDeps {
  return {
    ec2: new EC2Client({ region: REGION }),
    ecs: new ECSClient({ region: REGION }),
    s3: new S3Client({ region: REGION }),
    evidenceBucket: BUCKET,
    quarantineGroups,
    neighbours: { exemptTagKey: 'shield-right:exempt', minHealthyTasks: 0 },
  };
}

const finding: RuntimeFinding = normalizeRuntimeFinding(runtimeEvent({ id: INCIDENT, severity: 5 }));

function awsvpc(overrides: Partial<TaskEnrichment> = {}): TaskEnrichment {
  return {
    found: true,
    lastStatus: 'RUNNING',
    networkMode: 'awsvpc',
    eniId: ENI,
    containers: [],
    taskTags: {},
    clusterTags: {},
    ...overrides,
  };
}

function bridge(): TaskEnrichment {
  return {
    found: true,
    lastStatus: 'RUNNING',
    launchType: 'EC2',
    networkMode: 'bridge',
    containerInstanceArn: CONTAINER_INSTANCE,
    containers: [],
    taskTags: {},
    clusterTags: {},
  };
}

const RULES: SecurityGroupRule[] = [
  {
    SecurityGroupRuleId: 'sgr-in-1',
    GroupId: 'sg-a',
    IsEgress: false,
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
  },
  {
    SecurityGroupRuleId: 'sgr-out-1',
    GroupId: 'sg-a',
    IsEgress: true,
    IpProtocol: '-1',
    CidrIpv4: '0.0.0.0/0',
  },
  {
    SecurityGroupRuleId: 'sgr-out-2',
    GroupId: 'sg-b',
    IsEgress: true,
    IpProtocol: '-1',
    CidrIpv4: '0.0.0.0/0',
  },
];

/** The ENI of the task with its groups; each group is used by the ENIs listed for it. */
function network(groups: Record<string, string[]>): void {
  ec2Mock.on(DescribeNetworkInterfacesCommand, { NetworkInterfaceIds: [ENI] }).resolves({
    NetworkInterfaces: [
      {
        NetworkInterfaceId: ENI,
        Groups: Object.keys(groups).map((GroupId) => ({ GroupId })),
        RequesterManaged: true,
      },
    ],
  });
  const byEni = new Map<string, string[]>();
  for (const [groupId, enis] of Object.entries(groups))
    for (const eni of enis) byEni.set(eni, [...(byEni.get(eni) ?? []), groupId]);
  ec2Mock
    .on(DescribeNetworkInterfacesCommand, {
      Filters: [{ Name: 'group-id', Values: Object.keys(groups) }],
      IncludeManagedResources: true,
    })
    .resolves({
      NetworkInterfaces: [...byEni].map(([NetworkInterfaceId, ids]) => ({
        NetworkInterfaceId,
        Groups: ids.map((GroupId) => ({ GroupId })),
      })),
    });
}

function bodyOf(index = 0): unknown {
  const body = s3Mock.commandCalls(PutObjectCommand)[index]?.args[0].input.Body;
  return JSON.parse(typeof body === 'string' ? body : '{}');
}

let order: string[];

beforeEach(() => {
  ec2Mock.reset();
  ecsMock.reset();
  s3Mock.reset();
  order = [];
  // An account with one cluster and no service, unless a test says otherwise.
  ecsMock.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER_ARN] });
  ecsMock.on(ListServicesCommand).resolves({ serviceArns: [] });
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  s3Mock.on(PutObjectCommand).callsFake(() => {
    order.push('PutObject');
    return {};
  });
  ec2Mock.on(RevokeSecurityGroupIngressCommand).callsFake((input: { GroupId?: string }) => {
    order.push(`RevokeIngress ${input.GroupId}`);
    return { Return: true };
  });
  ec2Mock.on(RevokeSecurityGroupEgressCommand).callsFake((input: { GroupId?: string }) => {
    order.push(`RevokeEgress ${input.GroupId}`);
    return { Return: true };
  });
});

describe('isolateTask: awsvpc task', () => {
  it('saves the rules of task-exclusive groups to S3, then revokes them', async () => {
    network({ 'sg-a': [ENI], 'sg-b': [ENI] });
    ec2Mock.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: RULES });

    const result = await isolateTask(deps(), finding, awsvpc());

    expect(order).toEqual(['PutObject', 'RevokeIngress sg-a', 'RevokeEgress sg-a', 'RevokeEgress sg-b']);
    expect(result).toMatchObject({
      status: 'done',
      method: 'security-group-rules-revoked',
      eniId: ENI,
      securityGroupIds: ['sg-a', 'sg-b'],
      revokedRuleCount: 3,
      evidenceKey: `incidents/${INCIDENT}/isolation.json`,
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: `incidents/${INCIDENT}/isolation.json`,
      ContentType: 'application/json',
    });
    expect(bodyOf()).toEqual<IsolationRecord>({ kind: 'security-group-rules', eniId: ENI, rules: RULES });
    expect(ec2Mock).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: 'sg-a',
      SecurityGroupRuleIds: ['sgr-in-1'],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(RevokeSecurityGroupEgressCommand, {
      GroupId: 'sg-b',
      SecurityGroupRuleIds: ['sgr-out-2'],
    });
    expect(ec2Mock).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  });

  it('reads every page of the group rules before saving them', async () => {
    network({ 'sg-a': [ENI] });
    const [first, second] = RULES;
    ec2Mock
      .on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({ SecurityGroupRules: first ? [first] : [], NextToken: 'page-2' })
      .resolvesOnce({ SecurityGroupRules: second ? [second] : [] });

    const result = await isolateTask(deps(), finding, awsvpc());

    expect(result.revokedRuleCount).toBe(2);
    expect(ec2Mock).toHaveReceivedNthSpecificCommandWith(2, DescribeSecurityGroupRulesCommand, {
      NextToken: 'page-2',
    });
    expect(bodyOf()).toMatchObject({ rules: [first, second] });
  });

  it('refuses to touch a group shared with another ENI: not possible, nothing revoked', async () => {
    network({ 'sg-a': [ENI], 'sg-shared': [ENI, 'eni-other-1', 'eni-other-2'] });
    ec2Mock.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: RULES });

    const result = await isolateTask(deps(), finding, awsvpc());

    expect(result.status).toBe('not-possible');
    expect(result.reason).toContain('sg-shared (2 other network interface(s))');
    expect(result.reason).toContain('requester-managed');
    expect(result.securityGroupIds).toEqual(['sg-a', 'sg-shared']);
    expect(ec2Mock).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(RevokeSecurityGroupEgressCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeSecurityGroupRulesCommand);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('reports already-done when the exclusive groups have no rules left', async () => {
    network({ 'sg-a': [ENI] });
    ec2Mock.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [] });

    const result = await isolateTask(deps(), finding, awsvpc());

    expect(result).toEqual({
      status: 'already-done',
      method: 'security-group-rules-revoked',
      eniId: ENI,
      securityGroupIds: ['sg-a'],
      revokedRuleCount: 0,
    });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    expect(order).toEqual([]);
  });

  it('reports not-possible when the ENI is gone', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });

    const result = await isolateTask(deps(), finding, awsvpc());

    expect(result).toEqual({
      status: 'not-possible',
      eniId: ENI,
      reason: `network interface ${ENI} no longer exists`,
    });
  });

  it('reports not-possible when the ENI has no security groups', async () => {
    network({});

    const result = await isolateTask(deps(), finding, awsvpc());

    expect(result.status).toBe('not-possible');
    expect(result.reason).toBe('the network interface has no security groups');
  });

  it('propagates access denied, after the evidence is saved', async () => {
    network({ 'sg-a': [ENI] });
    ec2Mock.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: RULES.slice(0, 1) });
    ec2Mock.on(RevokeSecurityGroupIngressCommand).rejects(
      Object.assign(new Error('not authorized to perform ec2:RevokeSecurityGroupIngress'), {
        name: 'AccessDenied',
      }),
    );

    await expect(isolateTask(deps(), finding, awsvpc())).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
  });

  it('propagates access denied on the first describe', async () => {
    ec2Mock
      .on(DescribeNetworkInterfacesCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' }));

    await expect(isolateTask(deps(), finding, awsvpc())).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
    });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('keeps every revoked rule in the evidence when a retry follows a partial revoke', async () => {
    const objects = fakeBucket(s3Mock);
    network({ 'sg-a': [ENI], 'sg-b': [ENI] });
    const remaining = RULES.filter((r) => r.GroupId === 'sg-b');
    ec2Mock
      .on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({ SecurityGroupRules: RULES })
      .resolvesOnce({ SecurityGroupRules: remaining });
    ec2Mock
      .on(RevokeSecurityGroupEgressCommand, { GroupId: 'sg-b' })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }))
      .resolves({ Return: true });
    await expect(isolateTask(deps(), finding, awsvpc())).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    });

    await isolateTask(deps(), finding, awsvpc());

    const saved = JSON.parse(objects.get(`incidents/${INCIDENT}/isolation.json`) ?? '{}') as IsolationRecord;
    expect(saved.rules?.map((r) => r.SecurityGroupRuleId).sort()).toEqual([
      'sgr-in-1',
      'sgr-out-1',
      'sgr-out-2',
    ]);
  });
});

describe('isolateTask: EC2 bridge/host task', () => {
  function instance(groups: string[], vpcId = 'vpc-1'): void {
    ecsMock.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [
        { containerInstanceArn: CONTAINER_INSTANCE, ec2InstanceId: 'i-0abc', status: 'ACTIVE' },
      ],
    });
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            { InstanceId: 'i-0abc', VpcId: vpcId, SecurityGroups: groups.map((GroupId) => ({ GroupId })) },
          ],
        },
      ],
    });
    ec2Mock.on(ModifyInstanceAttributeCommand).callsFake(() => {
      order.push('ModifyInstanceAttribute');
      return {};
    });
    ecsMock.on(UpdateContainerInstancesStateCommand).callsFake(() => {
      order.push('UpdateContainerInstancesState');
      return {};
    });
  }

  it('saves the groups, swaps them for the quarantine group and drains the instance', async () => {
    instance(['sg-app', 'sg-ssh']);

    const result = await isolateTask(deps({ 'vpc-1': 'sg-quarantine' }), finding, bridge());

    expect(order).toEqual(['PutObject', 'ModifyInstanceAttribute', 'UpdateContainerInstancesState']);
    expect(bodyOf()).toEqual<IsolationRecord>({
      kind: 'container-instance',
      containerInstanceArn: CONTAINER_INSTANCE,
      clusterArn: CLUSTER_ARN,
      ec2InstanceId: 'i-0abc',
      originalGroupIds: ['sg-app', 'sg-ssh'],
      quarantineGroupId: 'sg-quarantine',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(ModifyInstanceAttributeCommand, {
      InstanceId: 'i-0abc',
      Groups: ['sg-quarantine'],
    });
    expect(ecsMock).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, {
      cluster: CLUSTER_ARN,
      containerInstances: [CONTAINER_INSTANCE],
      status: 'DRAINING',
    });
    expect(result).toMatchObject({
      status: 'done',
      method: 'container-instance-quarantined',
      ec2InstanceId: 'i-0abc',
      securityGroupIds: ['sg-quarantine'],
      evidenceKey: `incidents/${INCIDENT}/isolation.json`,
    });
  });

  it('reports not-possible, changing nothing, when no quarantine group is configured for the VPC', async () => {
    instance(['sg-app'], 'vpc-2');

    const result = await isolateTask(deps({ 'vpc-1': 'sg-quarantine' }), finding, bridge());

    expect(result.status).toBe('not-possible');
    expect(result.reason).toContain('no quarantine security group is configured for vpc-2');
    expect(ec2Mock).not.toHaveReceivedCommand(ModifyInstanceAttributeCommand);
    expect(ecsMock).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('reports not-possible when the container instance has no EC2 instance', async () => {
    ecsMock.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [] });

    const result = await isolateTask(deps({ 'vpc-1': 'sg-quarantine' }), finding, bridge());

    expect(result).toEqual({
      status: 'not-possible',
      containerInstanceArn: CONTAINER_INSTANCE,
      reason: 'the container instance has no EC2 instance',
    });
  });

  it('reports already-done when the instance already has only the quarantine group', async () => {
    instance(['sg-quarantine']);

    const result = await isolateTask(deps({ 'vpc-1': 'sg-quarantine' }), finding, bridge());

    expect(result.status).toBe('already-done');
    expect(ec2Mock).not.toHaveReceivedCommand(ModifyInstanceAttributeCommand);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('a retry after the group swap still drains an ACTIVE container instance', async () => {
    instance(['sg-quarantine']);

    await isolateTask(deps({ 'vpc-1': 'sg-quarantine' }), finding, bridge());

    expect(ecsMock).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { status: 'DRAINING' });
  });
});

describe('isolateTask: nothing to isolate in place', () => {
  it.each<TaskEnrichment['networkMode']>(['unknown', 'host', 'none'])(
    'reports not-possible for network mode %s without a container instance, calling nothing',
    async (networkMode) => {
      const result = await isolateTask(deps(), finding, awsvpc({ networkMode, eniId: undefined }));

      expect(result).toEqual({
        status: 'not-possible',
        reason: `isolation not possible in place for network mode ${networkMode}: the task is contained by stopping it`,
      });
      expect(ec2Mock).not.toHaveReceivedAnyCommand();
      expect(ecsMock).not.toHaveReceivedAnyCommand();
    },
  );
});

describe('isolateTask: a group that outlives the task is never revoked (issue 14, defect 5)', () => {
  const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/checkout`;
  const revokes = (): number =>
    ec2Mock.commandCalls(RevokeSecurityGroupIngressCommand).length +
    ec2Mock.commandCalls(RevokeSecurityGroupEgressCommand).length;

  beforeEach(() => {
    network({ 'sg-a': [ENI] });
    ec2Mock.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: RULES.slice(0, 2) });
    ecsMock.on(ListServicesCommand, { cluster: CLUSTER_ARN }).resolves({ serviceArns: [SERVICE_ARN] });
  });

  it("refuses a group that a service's network configuration names, even when no other ENI has it", async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'checkout',
          status: 'ACTIVE',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-a'] } },
        },
      ],
    });

    const result = await isolateTask(deps(), finding, awsvpc());

    expect(result.status).toBe('not-possible');
    expect(result.reason).toContain('sg-a (network configuration of service checkout)');
    expect(revokes()).toBe(0);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('refuses a group that only a task set or an older deployment of a service names', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'checkout',
          status: 'ACTIVE',
          deployments: [
            { networkConfiguration: { awsvpcConfiguration: { subnets: ['s'], securityGroups: ['sg-x'] } } },
          ],
          taskSets: [
            { networkConfiguration: { awsvpcConfiguration: { subnets: ['s'], securityGroups: ['sg-a'] } } },
          ],
        },
      ],
    });

    const result = await isolateTask(deps(), finding, awsvpc());

    expect(result.status).toBe('not-possible');
    expect(revokes()).toBe(0);
  });

  it('looks at the services of every cluster of the account, page by page', async () => {
    const other = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/dev`;
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER_ARN, other] });
    ecsMock
      .on(ListServicesCommand, { cluster: other })
      .resolvesOnce({ serviceArns: [], nextToken: 'more' })
      .resolves({ serviceArns: [`arn:aws:ecs:${REGION}:${ACCOUNT}:service/dev/batch`] });
    ecsMock.on(DescribeServicesCommand, { cluster: CLUSTER_ARN }).resolves({ services: [] });
    ecsMock.on(DescribeServicesCommand, { cluster: other }).resolves({
      services: [
        {
          serviceName: 'batch',
          status: 'ACTIVE',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['s'], securityGroups: ['sg-a'] } },
        },
      ],
    });

    const result = await isolateTask(deps(), finding, awsvpc());

    expect(result.status).toBe('not-possible');
    expect(result.reason).toContain('service batch');
    expect(revokes()).toBe(0);
  });

  it('revokes nothing when the ENI listing is longer than its budget', async () => {
    ec2Mock
      .on(DescribeNetworkInterfacesCommand, { Filters: [{ Name: 'group-id', Values: ['sg-a'] }] })
      .resolves({
        NetworkInterfaces: [{ NetworkInterfaceId: ENI, Groups: [{ GroupId: 'sg-a' }] }],
        NextToken: 'more',
      });

    const result = await isolateTask(deps(), finding, awsvpc());

    expect(result.status).toBe('not-possible');
    expect(result.reason).toContain('is not known');
    expect(revokes()).toBe(0);
  });

  it('revokes nothing when the services cannot be listed', async () => {
    ecsMock
      .on(ListServicesCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    const result = await isolateTask(deps(), finding, awsvpc());

    expect(result.status).toBe('not-possible');
    expect(result.reason).toContain('AccessDeniedException');
    expect(revokes()).toBe(0);
  });

  it('still revokes a group no ENI, service, deployment or task set shares', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'checkout',
          status: 'ACTIVE',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['s'], securityGroups: ['sg-other'] } },
        },
      ],
    });

    const result = await isolateTask(deps(), finding, awsvpc());

    expect(result.status).toBe('done');
    expect(revokes()).toBe(2);
  });
});

describe('isolateTask: a container instance is quarantined only when its other tasks allow it (issue 14, defect 7)', () => {
  const TASK = finding.task?.arn ?? '';
  const neighbour = (id: string): string => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${id}`;

  function instanceWith(
    tasks: { arn: string; group?: string; tags?: Record<string, string> }[],
    services: { name: string; tags?: Record<string, string>; runningCount?: number; tasks: string[] }[],
  ): void {
    ecsMock.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [
        { containerInstanceArn: CONTAINER_INSTANCE, ec2InstanceId: 'i-0abc', status: 'ACTIVE' },
      ],
    });
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        { Instances: [{ InstanceId: 'i-0abc', VpcId: 'vpc-1', SecurityGroups: [{ GroupId: 'sg-app' }] }] },
      ],
    });
    ecsMock
      .on(ListTasksCommand, { containerInstance: CONTAINER_INSTANCE })
      .resolves({ taskArns: [TASK, ...tasks.map((t) => t.arn)] });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: tasks.map((t) => ({
        taskArn: t.arn,
        desiredStatus: 'RUNNING',
        ...(t.group ? { group: t.group } : {}),
        tags: Object.entries(t.tags ?? {}).map(([key, value]) => ({ key, value })),
      })),
    });
    ecsMock.on(DescribeServicesCommand).resolves({
      services: services.map((s) => ({
        serviceName: s.name,
        status: 'ACTIVE',
        runningCount: s.runningCount ?? 3,
        tags: Object.entries(s.tags ?? {}).map(([key, value]) => ({ key, value })),
      })),
    });
    for (const s of services)
      ecsMock.on(ListTasksCommand, { serviceName: s.name }).resolves({ taskArns: s.tasks });
    ec2Mock.on(ModifyInstanceAttributeCommand).resolves({});
    ecsMock.on(UpdateContainerInstancesStateCommand).resolves({});
  }

  it('refuses, changing nothing, when a task of an exempt service runs on the instance', async () => {
    const exempt = neighbour('exempt1');
    instanceWith(
      [{ arn: exempt, group: 'service:ledger' }],
      [{ name: 'ledger', tags: { 'shield-right:exempt': 'true' }, tasks: [exempt] }],
    );

    const result = await isolateTask(deps({ 'vpc-1': 'sg-quarantine' }), finding, bridge());

    expect(result.status).toBe('not-possible');
    expect(result.reason).toContain('service ledger');
    expect(result.reason).toContain('shield-right:exempt=true');
    expect(ec2Mock).not.toHaveReceivedCommand(ModifyInstanceAttributeCommand);
    expect(ecsMock).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('refuses when an exempt-tagged task runs on the instance', async () => {
    instanceWith([{ arn: neighbour('tagged1'), tags: { 'shield-right:exempt': 'true' } }], []);

    const result = await isolateTask(deps({ 'vpc-1': 'sg-quarantine' }), finding, bridge());

    expect(result.status).toBe('not-possible');
    expect(ec2Mock).not.toHaveReceivedCommand(ModifyInstanceAttributeCommand);
  });

  it('refuses when draining would move one of the last minHealthyTasks tasks of a service', async () => {
    const last = neighbour('last1');
    instanceWith(
      [{ arn: last, group: 'service:ledger' }],
      [{ name: 'ledger', runningCount: 1, tasks: [last] }],
    );

    const result = await isolateTask(
      {
        ...deps({ 'vpc-1': 'sg-quarantine' }),
        neighbours: { exemptTagKey: 'shield-right:exempt', minHealthyTasks: 1 },
      },
      finding,
      bridge(),
    );

    expect(result.status).toBe('not-possible');
    expect(result.reason).toContain('minHealthyTasks=1');
    expect(ec2Mock).not.toHaveReceivedCommand(ModifyInstanceAttributeCommand);
  });

  it('counts what it affects: service tasks are replaced, a task whose group claims a service it is not in is not', async () => {
    const member = neighbour('member1');
    const impostor = neighbour('impostor1');
    const standalone = neighbour('standalone1');
    instanceWith(
      [
        { arn: member, group: 'service:web' },
        { arn: impostor, group: 'service:web' },
        { arn: standalone, group: 'family:batch' },
      ],
      [{ name: 'web', tasks: [member] }],
    );

    const result = await isolateTask(deps({ 'vpc-1': 'sg-quarantine' }), finding, bridge());

    expect(result).toMatchObject({ status: 'done', rescheduledTaskCount: 1, notRescheduledTaskCount: 2 });
    expect(result.reason).toContain('1 other task(s) of services are replaced elsewhere');
    expect(result.reason).toContain(
      '2 other task(s) of no service keep running on the instance, cut off, and are not rescheduled',
    );
    expect(result.reason).not.toContain('are rescheduled');
  });
});

describe('isolateTask: only in the isolation VPCs IAM allows (issue 14, defect 8)', () => {
  function eniIn(vpcId: string): void {
    network({ 'sg-a': [ENI] });
    ec2Mock.on(DescribeNetworkInterfacesCommand, { NetworkInterfaceIds: [ENI] }).resolves({
      NetworkInterfaces: [{ NetworkInterfaceId: ENI, VpcId: vpcId, Groups: [{ GroupId: 'sg-a' }] }],
    });
    ec2Mock.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: RULES.slice(0, 2) });
  }

  it('with quarantineVpcIds set, a task in another VPC is not possible in place: nothing saved or revoked', async () => {
    eniIn('vpc-0other');

    const result = await isolateTask(deps({ 'vpc-0isolation': 'sg-quarantine' }), finding, awsvpc());

    expect(result.status).toBe('not-possible');
    expect(result.reason).toMatch(/vpc-0other is not in quarantineVpcIds/);
    expect(order).toEqual([]);
  });

  it('a task in a listed VPC is isolated as before', async () => {
    eniIn('vpc-0isolation');

    const result = await isolateTask(deps({ 'vpc-0isolation': 'sg-quarantine' }), finding, awsvpc());

    expect(result.status).toBe('done');
    expect(order).toEqual(['PutObject', 'RevokeIngress sg-a', 'RevokeEgress sg-a']);
  });
});
