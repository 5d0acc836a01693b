/**
 * The runtime threat response offline, where it meets its limits: a step that fails for good, isolation
 * that is not possible in place, images and tasks shield-right cannot act on.
 */
import { Simulator } from '../../local/engine';
import { ACCOUNT, REGION, runtimeEvent } from '../../local/fixtures/events';
import type { Scenario } from '../../local/provision';
import { AwsError } from '../../local/sandbox/types';
import { failCalls } from '../helpers/faults';
import {
  CLUSTER,
  callsTo,
  execution,
  FINDING_ID,
  IMAGE,
  imageDetail,
  incidentStatus,
  inputOf,
  OTHER_TASK_ID,
  objects,
  only,
  parts,
  REVOKES,
  rulesOf,
  SANDBOX_VPC,
  SERVICE,
  TASK_ARN,
  TASK_ID,
} from '../helpers/runtime-response';

describe('a step that fails for good', () => {
  it('fails the execution, reports the step, marks the incident FAILED, and a later repeat responds again', async () => {
    // Arrange
    const simulator = new Simulator();
    const fault = failCalls(
      simulator,
      (service, operation) => service === 'ecr' && operation === 'UpdateImageStorageClass',
      new AwsError('AccessDeniedException', 'not authorized to perform: ecr:UpdateImageStorageClass'),
    );

    // Act
    const failed = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8 }),
    );
    const statusAfterFailure = await incidentStatus(simulator, FINDING_ID);
    fault.restore();
    const retried = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8, count: 2 }),
    );

    // Assert: the failure
    const failedRun = execution(failed);
    expect(failedRun.status).toBe('FAILED');
    expect(failedRun.error).toBe('AccessDeniedException');
    const report = only(failed.notifications);
    expect(report.attributes.action).toBe('step-failed');
    expect(report.subject).toContain('QuarantineImage');
    const { chat } = parts(report);
    expect(chat.metadata.additionalContext.failedState).toBe('QuarantineImage');
    expect(chat.metadata.threadId).toBe(FINDING_ID);
    expect(statusAfterFailure).toBe('FAILED');

    // Assert: the repeat responds again
    const retriedRun = execution(retried);
    expect(retriedRun.status).toBe('SUCCEEDED');
    expect(retriedRun.states).toContain('ReopenIncident');
    expect(retriedRun.states).toContain('QuarantineImage');
    only(callsTo(retried, 'ecr', 'UpdateImageStorageClass').filter((c) => c.error === null));
    const digest = simulator.account.ecs.getTask(TASK_ARN)?.containers[0]?.imageDigest ?? '';
    expect((await imageDetail(simulator, digest)).imageStatus).toBe('ARCHIVED');
    expect(await incidentStatus(simulator, FINDING_ID)).not.toBe('FAILED');
  });
});

describe('network isolation where it is not possible in place', () => {
  it('a security group shared with another task is left alone; the task is still stopped', async () => {
    // Arrange
    const scenario: Scenario = {
      tasks: [
        {
          cluster: CLUSTER,
          taskArn: TASK_ARN,
          service: SERVICE,
          containers: [{ name: 'app', image: IMAGE }],
          securityGroups: ['sg-shared'],
        },
        {
          cluster: CLUSTER,
          taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${OTHER_TASK_ID}`,
          service: SERVICE,
          containers: [{ name: 'app', image: IMAGE }],
          securityGroups: ['sg-shared'],
        },
      ],
    };
    const simulator = new Simulator({ scenario });
    const rulesBefore = await rulesOf(simulator, 'sg-shared');

    // Act
    const result = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8 }),
    );

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    const forbidden = [...REVOKES, 'ModifyNetworkInterfaceAttribute'];
    expect(result.apiCalls.filter((c) => forbidden.includes(c.operation))).toEqual([]);
    expect(rulesBefore.length).toBeGreaterThan(0);
    expect(await rulesOf(simulator, 'sg-shared')).toEqual(rulesBefore);
    only(callsTo(result, 'ecs', 'StopTask'));
    expect(simulator.account.ecs.getTask(TASK_ARN)?.desiredStatus).toBe('STOPPED');
    expect(simulator.account.ecs.getTask(OTHER_TASK_ID)?.desiredStatus).toBe('RUNNING');
    // The stop is the containment: no isolation is attempted after it (issue 14).
    const output = execution(result).output as {
      results?: { isolate?: { status?: string; reason?: string } };
    };
    expect(output.results?.isolate?.status).toBe('skipped');
  });

  it('a Medium finding on a standalone task whose group another task has: not possible, nothing revoked', async () => {
    // Arrange
    const task = (taskArn: string) => ({
      cluster: CLUSTER,
      taskArn,
      containers: [{ name: 'app', image: IMAGE }],
      securityGroups: ['sg-shared'],
    });
    const simulator = new Simulator({
      scenario: {
        tasks: [task(TASK_ARN), task(`arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${OTHER_TASK_ID}`)],
      },
    });
    const rulesBefore = await rulesOf(simulator, 'sg-shared');

    // Act
    const result = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, service: null, severity: 5 }),
    );

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(result.apiCalls.filter((c) => REVOKES.includes(c.operation))).toEqual([]);
    expect(await rulesOf(simulator, 'sg-shared')).toEqual(rulesBefore);
    const output = execution(result).output as {
      results?: { isolate?: { status?: string; reason?: string } };
    };
    expect(output.results?.isolate?.status).toBe('not-possible');
    expect(output.results?.isolate?.reason).toMatch(/not possible in place.*sg-shared/);
    expect(parts(only(result.notifications)).email).toMatch(/Isolate task: not possible/);
  });

  it('an EC2 bridge-mode task (Medium): the instance moves to the quarantine group and is drained', async () => {
    // Arrange
    const instanceId = 'i-0123456789abcdef0';
    const scenario: Scenario = {
      tasks: [
        {
          cluster: CLUSTER,
          taskArn: TASK_ARN,
          service: SERVICE,
          launchType: 'EC2',
          networkMode: 'bridge',
          ec2InstanceId: instanceId,
          containers: [{ name: 'app', image: IMAGE }],
        },
      ],
      quarantineSecurityGroups: { [SANDBOX_VPC]: 'sg-quarantine' },
    };
    const simulator = new Simulator({ scenario });

    // Act
    const result = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 5, launchType: 'EC2' }),
    );

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    const modify = only(callsTo(result, 'ec2', 'ModifyInstanceAttribute'));
    expect(inputOf(modify)).toMatchObject({ InstanceId: instanceId, Groups: ['sg-quarantine'] });
    const drain = only(callsTo(result, 'ecs', 'UpdateContainerInstancesState'));
    expect(inputOf(drain)).toMatchObject({ status: 'DRAINING' });
    const drained = (await simulator.account.call('ecs', 'DescribeContainerInstances', {
      cluster: CLUSTER,
      containerInstances: inputOf(drain).containerInstances,
    })) as { containerInstances?: { status?: string; ec2InstanceId?: string }[] };
    expect(drained.containerInstances).toEqual([
      expect.objectContaining({ status: 'DRAINING', ec2InstanceId: instanceId }),
    ]);
    expect(result.apiCalls.filter((c) => REVOKES.includes(c.operation))).toEqual([]);
    const described = (await simulator.account.call('ec2', 'DescribeInstances', {
      InstanceIds: [instanceId],
    })) as { Reservations?: { Instances?: { SecurityGroups?: { GroupId?: string }[] }[] }[] };
    const groups = described.Reservations?.[0]?.Instances?.[0]?.SecurityGroups?.map((g) => g.GroupId);
    expect(groups).toEqual(['sg-quarantine']);
    const isolation = JSON.parse(objects(simulator)[`incidents/${FINDING_ID}/isolation.json`] ?? '{}') as {
      kind?: string;
      originalGroupIds?: string[];
    };
    expect(isolation.kind).toBe('container-instance');
    expect(isolation.originalGroupIds?.length).toBeGreaterThan(0);
    expect(isolation.originalGroupIds).not.toContain('sg-quarantine');
  });
});

describe('images and tasks shield-right cannot act on', () => {
  it('an image outside ECR: no ECR call, the notification says it cannot be quarantined', async () => {
    // Arrange
    const simulator = new Simulator();

    // Act
    const result = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8, image: 'docker.io/library/nginx:1.27' }),
    );

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(callsTo(result, 'ecr')).toEqual([]);
    only(callsTo(result, 'ecs', 'StopTask'));
    expect(parts(only(result.notifications)).email).toMatch(
      /quarantine the image: docker\.io\/library\/nginx:1\.27 is not in a private ECR registry/,
    );
  });

  it('an already stopped task is not stopped again and is recorded as already stopped', async () => {
    // Arrange
    const scenario: Scenario = {
      tasks: [
        {
          cluster: CLUSTER,
          taskArn: TASK_ARN,
          service: SERVICE,
          lastStatus: 'STOPPED',
          containers: [{ name: 'app', image: IMAGE }],
        },
      ],
    };
    const simulator = new Simulator({ scenario });

    // Act
    const result = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8 }),
    );

    // Assert
    const run = execution(result);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).not.toContain('StopTask');
    expect(callsTo(result, 'ecs', 'StopTask')).toEqual([]);
    expect(result.apiCalls.filter((c) => REVOKES.includes(c.operation))).toEqual([]);
    const evidenceKey = Object.keys(objects(simulator)).find((k) => k.endsWith('/evidence.json')) ?? '';
    const evidence = JSON.parse(objects(simulator)[evidenceKey] ?? '{}') as {
      assessment?: { plan?: { stop?: boolean; skipped?: { action: string; reason: string }[] } };
    };
    expect(evidence.assessment?.plan?.stop).toBe(false);
    expect(evidence.assessment?.plan?.skipped).toEqual(
      expect.arrayContaining([{ action: 'stop', reason: expect.stringMatching(/already stopped/) }]),
    );
    expect(parts(only(result.notifications)).email).toMatch(/stop the task: the task is already stopped/);
  });
});

describe('isolation only in the VPCs IAM allows (issue 14, defect 8)', () => {
  it('with quarantineVpcIds naming another VPC, a standalone task is not isolated in place and its group keeps its rules', async () => {
    // Arrange: the task's exclusive group is in the sandbox VPC; isolation is configured for another one.
    const scenario: Scenario = {
      tasks: [
        {
          cluster: CLUSTER,
          taskArn: TASK_ARN,
          containers: [{ name: 'app', image: IMAGE }],
          securityGroups: ['sg-solo'],
        },
      ],
      quarantineSecurityGroups: { 'vpc-0elsewhere00000': 'sg-quarantine' },
    };
    const simulator = new Simulator({ scenario });
    const rulesBefore = await rulesOf(simulator, 'sg-solo');

    // Act
    const result = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 5 }),
    );

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(result.apiCalls.filter((c) => REVOKES.includes(c.operation))).toEqual([]);
    expect(rulesBefore.length).toBeGreaterThan(0);
    expect(await rulesOf(simulator, 'sg-solo')).toEqual(rulesBefore);
    const output = execution(result).output as {
      results?: { isolate?: { status?: string; reason?: string } };
    };
    expect(output.results?.isolate?.status).toBe('not-possible');
    expect(output.results?.isolate?.reason).toContain(`${SANDBOX_VPC} is not in quarantineVpcIds`);
  });
});
